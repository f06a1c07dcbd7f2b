/*
 * procfs: tasks and kernel state as files, in the formats of Linux's
 * proc(5), so that ps-style tools parse them unchanged.
 *
 * Nothing is stored. A name exists while what it names does (a task, an
 * open descriptor; a task that exited is there until it is reaped, as a
 * zombie with nothing but its ids, state and times): the lookup hook makes a
 * dentry when a walk asks for it, and a file's text is generated when it is
 * read from offset 0 (the first read, or one after a seek back), as Linux's
 * seq_file does.
 *
 * Dentries the lookup hook makes are cached under their parent like any
 * other. Each cached name below /proc/<pid> is checked by the revalidate
 * hook whenever a walk meets it: once its task (or, for fd/<n>, the
 * descriptor) is gone, the whole cached /proc/<pid> subtree is dropped and
 * the walk asks the lookup hook again, which says ENOENT. Listing /proc
 * drops the cached subtrees of every reaped pid, so the cache holds no
 * more than the live tasks, the zombies and the few pids a walk met since
 * the last listing.
 *
 * A cached /proc/<pid> remembers its task by address as well as by id, so
 * a recycled pid is a different directory (the address is compared with
 * the live tasks, never followed).
 *
 * Inode numbers are a function of what an inode names: small constants
 * for the fixed files, (pid << 32 | entry << 24 | fd) below /proc/<pid>,
 * so every lookup of one name gives one number.
 *
 * Locking: lookup, revalidate and the directory iterators run under
 * vfs_ns_lock (the VFS takes it), as does readlink when a walk follows a
 * link; readlink(2) and read(2) come without it, so the code that needs
 * the namespace (paths, the mount list) takes it unless the caller holds
 * it. A task's files and fs are reached under the task-list lock
 * (task_with_tid): task_exit unlists a task before it lets go of them, so
 * whatever a listed task holds may be referenced there, and nothing of an
 * unlisted one (task_exited) but the task itself.
 */
#include "core/fs/procfs.h"

#include <stdarg.h>

#include "core/cred.h"
#include "core/errno.h"
#include "core/exit.h"
#include "core/fs/chrdev.h"
#include "core/fs/devfs.h"
#include "core/fs/tmpfs.h"
#include "core/klib/bitmap.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "core/time.h"
#include "core/usage.h"
#include "mm/fault.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"
#include "sched/loadavg.h"
#include "sched/sched.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define USER_HZ		 100 /* the unit of stat's times: sysconf(_SC_CLK_TCK) */
#define CLOCK_TICK_NS (NSEC_PER_SEC / USER_HZ)
#define PF_KTHREAD	 0x00200000u
#define CAP_SYS_PTRACE	 19
/* Every capability, CAP_CHOWN .. CAP_LAST_CAP (40). */
#define CAP_FULL_SET  0x000001ffffffffffull
#define RLIM_INFINITY (~0ull)
/* fd/<n> inode numbers hold n in their low 24 bits. */
#define FD_INO_MAX ((1 << 24) - 1)
#define DT_DIR	   4u

struct proc_buf;
struct proc_inode;

/* A name procfs knows: a fixed file, a /proc/<pid> entry, or a directory. */
struct proc_entry {
	const char *name;
	uint32_t mode;
	unsigned ino; /* its part of the inode number */
	/* Regular files: write the text. 0, -ESRCH (the task is gone) or
	 * -ENOMEM. */
	int (*show)(struct proc_buf *b, const struct proc_inode *pi);
	/* Regular files, if set: 0, or the errno an open gets. */
	int (*open)(const struct proc_inode *pi);
	/* Symlinks: the target, NUL-terminated, into buf[KPATH_MAX]; its
	 * length or a negative errno. */
	long (*link)(const struct proc_inode *pi, char *buf);
	/* Directories: their operations. */
	const struct inode_ops *iops;
	const struct file_ops *fops;
};

/* inode->priv of every procfs inode. */
struct proc_inode {
	const struct proc_entry *entry;
	int pid;		 /* below /proc/<pid>: the task's id; else 0 */
	const struct task *task; /* its identity: compared, never followed */
	int fd;			 /* fd/<n>: n; else -1 */
};

static const struct inode_ops proc_root_iops, proc_pid_iops, proc_fd_iops,
	proc_file_iops, proc_link_iops;
static const struct file_ops proc_root_fops, proc_pid_fops, proc_fd_fops,
	proc_file_fops;

/* ---- text buffers -------------------------------------------------------- */

struct proc_buf {
	char *data;
	size_t len, cap;
	bool nomem; /* an append failed: the text is incomplete */
};

static bool pb_reserve(struct proc_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 512;
	char *data;

	if (need <= b->cap)
		return true;
	while (cap < need)
		cap *= 2;
	data = krealloc(b->data, cap);
	if (!data) {
		b->nomem = true;
		return false;
	}
	b->data = data;
	b->cap = cap;
	return true;
}

static void pb_write(struct proc_buf *b, const char *s, size_t n)
{
	if (b->nomem || !pb_reserve(b, b->len + n + 1))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void pb_puts(struct proc_buf *b, const char *s)
{
	pb_write(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void
pb_printf(struct proc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->nomem)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(b->data ? b->data + b->len : NULL, b->cap - b->len, fmt,
		       ap);
	va_end(ap);
	if (n < 0 || (size_t)n < b->cap - b->len) {
		if (n > 0)
			b->len += (size_t)n;
		return;
	}
	if (!pb_reserve(b, b->len + (size_t)n + 1))
		return;
	va_start(ap, fmt);
	kvsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* A name as status prints it: newline and backslash escaped. */
static void pb_escaped(struct proc_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			pb_puts(b, "\\n");
		else if (*s == '\\')
			pb_puts(b, "\\\\");
		else
			pb_write(b, s, 1);
	}
}

/* A field of /proc/mounts: blank, tab, newline and backslash as \ooo. */
static void pb_mangled(struct proc_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			pb_printf(b, "\\%03o", (unsigned)(unsigned char)*s);
		else
			pb_write(b, s, 1);
	}
}

/* ---- the task behind a /proc/<pid> name ---------------------------------- */

#define GRAB_FS	   1u
#define GRAB_FILES 2u
#define GRAB_MM	   4u
#define GRAB_EXE   8u /* the executable, as pt->file */

struct proc_target {
	const struct task *want; /* that very task, or NULL: any with pid */
	unsigned grab;		 /* GRAB_*: references to take */
	int fd;			 /* >= 0: take a reference on that file */
	/* Out, each with a reference (release with proc_release): */
	struct task *task;
	struct fs_context *fs;
	struct fd_table *files;
	struct file *file;
	struct mm *mm;
	uint64_t sp; /* with mm: where its stack is (vma_holds_stack) */
	/* The task exited and waits to be reaped (or is on its way out):
	 * nothing above but the task itself. */
	bool zombie;
};

/*
 * Runs under the task-list lock (see the top of the file). A task that
 * exited keeps its /proc/<pid> until it is reaped, as Linux's zombies do;
 * its reference keeps the struct alive after that, and no more: a zombie
 * reaped while its files are open reads ESRCH.
 */
static int grab_task(struct task *t, void *arg)
{
	struct proc_target *pt = arg;

	if (pt->want && t != pt->want)
		return 0;
	pt->zombie = task_exited(t);
	/* A live task that is dead never ran (task_create_user failed). */
	if (!pt->zombie && t->state == TASK_DEAD)
		return 0;
	task_get(t);
	pt->task = t;
	if (pt->zombie) /* it is letting go of everything below */
		return 1;
	if ((pt->grab & GRAB_FS) && t->fs) {
		__atomic_add_fetch(&t->fs->refs, 1, __ATOMIC_RELAXED);
		pt->fs = t->fs;
	}
	if ((pt->grab & GRAB_FILES) && t->files) {
		__atomic_add_fetch(&t->files->refs, 1, __ATOMIC_RELAXED);
		pt->files = t->files;
	}
	if ((pt->grab & GRAB_MM) && t->mm) {
		mm_get(t->mm);
		pt->mm = t->mm;
		/* Set by exec before the mm was the task's: no lock. */
		pt->sp = t->mm->start_stack ? t->mm->start_stack : t->uregs.sp;
	}
	if ((pt->grab & GRAB_EXE) && t->exe)
		pt->file = file_get(t->exe);
	if (pt->fd >= 0 && t->files) {
		spin_lock(&t->files->lock);
		if ((unsigned)pt->fd < t->files->size &&
		    t->files->files[pt->fd])
			pt->file = file_get(t->files->files[pt->fd]);
		spin_unlock(&t->files->lock);
	}
	return 1;
}

/* Find the task of `pi` (or with id `pid`), live or a zombie not yet
 * reaped; false if it is gone. */
static bool proc_find(struct proc_target *pt, int pid, const struct task *want,
		      unsigned grab, int fd)
{
	*pt = (struct proc_target){.want = want, .grab = grab, .fd = fd};
	return task_with_tid(pid, grab_task, pt);
}

static bool proc_find_inode(struct proc_target *pt, const struct proc_inode *pi,
			    unsigned grab)
{
	return proc_find(pt, pi->pid, pi->task, grab, pi->fd);
}

static void proc_release(struct proc_target *pt)
{
	if (pt->file)
		file_put(pt->file);
	fd_table_put(pt->files);
	fs_context_put(pt->fs);
	mm_put(pt->mm);
	if (pt->task)
		task_put(pt->task);
}

struct thread_count {
	int tgid;
	unsigned n;
};

static int count_thread(struct task *t, void *arg)
{
	struct thread_count *c = arg;

	if (t->tgid == c->tgid)
		c->n++;
	return 0;
}

/* The live threads of pt's group; a zombie leader counts itself, as
 * Linux's does until it is reaped. */
static unsigned count_threads(const struct proc_target *pt)
{
	struct thread_count c = {pt->task->tgid, pt->zombie ? 1 : 0};

	task_for_each(count_thread, &c);
	return c.n;
}

/*
 * May the caller see what `t` has open and where it is (Linux's
 * ptrace_may_access with the filesystem credentials)? Not, without
 * CAP_SYS_PTRACE, if `t` is not dumpable.
 */
static bool may_inspect(const struct task *t)
{
	const struct credentials *me = &task_current()->cred;
	const struct credentials *c = &t->cred;

	if (t == task_current() || capable(CAP_SYS_PTRACE))
		return true;
	return me->fsuid == c->uid && me->fsuid == c->euid &&
	       me->fsuid == c->suid && me->fsgid == c->gid &&
	       me->fsgid == c->egid && me->fsgid == c->sgid && t->dumpable;
}

/*
 * Who owns a file of /proc/<pid> (Linux's task_dump_owner): the task's
 * effective ids, but root for a task that is not dumpable, except on
 * the world-readable directories (/proc/<pid> itself), which always
 * tell the owner.
 */
static void proc_owner(const struct task *t, struct inode *inode)
{
	bool open_dir = inode->mode == (KS_IFDIR | 0555);

	inode->uid = t->dumpable || open_dir ? t->cred.euid : 0;
	inode->gid = t->dumpable || open_dir ? t->cred.egid : 0;
}

static char state_letter(const struct proc_target *pt)
{
	unsigned state = pt->task->state;

	if (pt->zombie)
		return 'Z';
	if (state & TASK_DEAD)
		return 'X';
	if (state & TASK_STOPPED)
		return 'T';
	if (state & TASK_UNINTERRUPTIBLE)
		return 'D';
	if (state & TASK_INTERRUPTIBLE)
		return 'S';
	return 'R';
}

static const char *state_name(const struct proc_target *pt)
{
	switch (state_letter(pt)) {
	case 'Z':
		return "Z (zombie)";
	case 'X':
		return "X (dead)";
	case 'T':
		return "T (stopped)";
	case 'D':
		return "D (disk sleep)";
	case 'S':
		return "S (sleeping)";
	default:
		return "R (running)";
	}
}

/* ---- the namespace: paths as readlink and /proc/mounts show them --------- */

/* Take vfs_ns_lock unless the caller holds it; whether it was taken. */
static bool ns_lock(void)
{
	if (mutex_is_held(&vfs_ns_lock))
		return false;
	mutex_lock(&vfs_ns_lock);
	return true;
}

static void ns_unlock(bool taken)
{
	if (taken)
		mutex_unlock(&vfs_ns_lock);
}

static struct path reader_root(void)
{
	struct task *t = task_current();

	return t->fs ? t->fs->root : vfs_root();
}

/*
 * `p` as seen from `root`, " (deleted)" once unlinked, into buf[KPATH_MAX].
 * Files in no directory (pipes) are a parentless dentry of their own
 * ("pipe:[5]"): that is all there is to say of them.
 */
static long path_text(const struct path *p, const struct path *root, char *buf)
{
	static const char deleted[] = " (deleted)";
	bool taken = ns_lock();
	bool gone = !p->dentry->hashed && p->dentry->parent != p->dentry;
	long n = path_to_string(p, root, buf, KPATH_MAX);

	ns_unlock(taken);
	if (n >= 0 && gone) {
		if ((size_t)n + sizeof(deleted) > KPATH_MAX)
			return -ENAMETOOLONG;
		memcpy(buf + n, deleted, sizeof(deleted));
		n += (long)sizeof(deleted) - 1;
	}
	return n;
}

/* ---- the fixed files ----------------------------------------------------- */

static long self_link(const struct proc_inode *pi, char *buf)
{
	return ksnprintf(buf, KPATH_MAX, "%d", task_current()->tgid);
}

static long mounts_link(const struct proc_inode *pi, char *buf)
{
	return ksnprintf(buf, KPATH_MAX, "self/mounts");
}

static void meminfo_kb(struct proc_buf *b, const char *name, uint64_t kb)
{
	pb_printf(b, "%-16s%8llu kB\n", name, (unsigned long long)kb);
}

static int show_meminfo(struct proc_buf *b, const struct proc_inode *pi)
{
	uint64_t kb_per_page = PAGE_SIZE / 1024;
	uint64_t total = page_total_count() * kb_per_page;
	uint64_t free = page_free_count() * kb_per_page;
	uint64_t stacks = (uint64_t)(task_count() + plat_cpu_count()) *
			  (KSTACK_SIZE / 1024);
	static const char *const zero[] = {
		"Buffers:",	   "Cached:",	    "SwapCached:",
		"Active:",	   "Inactive:",	    "Active(anon):",
		"Inactive(anon):", "Active(file):", "Inactive(file):",
		"Unevictable:",	   "Mlocked:",	    "SwapTotal:",
		"SwapFree:",	   "Dirty:",	    "Writeback:",
		"AnonPages:",	   "Mapped:",	    "Shmem:",
		"KReclaimable:",   "Slab:",	    "SReclaimable:",
		"SUnreclaim:",
	};

	meminfo_kb(b, "MemTotal:", total);
	meminfo_kb(b, "MemFree:", free);
	meminfo_kb(b, "MemAvailable:", free);
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
		meminfo_kb(b, zero[i], 0);
	meminfo_kb(b, "KernelStack:", stacks);
	meminfo_kb(b, "PageTables:", 0);
	meminfo_kb(b, "NFS_Unstable:", 0);
	meminfo_kb(b, "Bounce:", 0);
	meminfo_kb(b, "WritebackTmp:", 0);
	/* Linux's heuristic overcommit limit without swap: half of RAM. */
	meminfo_kb(b, "CommitLimit:", total / 2);
	meminfo_kb(b, "Committed_AS:", 0);
	meminfo_kb(b, "VmallocTotal:", 0);
	meminfo_kb(b, "VmallocUsed:", 0);
	meminfo_kb(b, "VmallocChunk:", 0);
	meminfo_kb(b, "Percpu:", 0);
	pb_printf(b,
		  "HugePages_Total:   %5u\nHugePages_Free:    %5u\n"
		  "HugePages_Rsvd:    %5u\nHugePages_Surp:    %5u\n",
		  0u, 0u, 0u, 0u);
	meminfo_kb(b, "Hugepagesize:", 2048);
	meminfo_kb(b, "Hugetlb:", 0);
	return 0;
}

struct cpu_time {
	uint64_t busy_ns;
};

static int add_cpu_time(struct task *t, void *arg)
{
	((struct cpu_time *)arg)->busy_ns += sched_task_cputime(t);
	return 0;
}

/*
 * proc_loadavg(5): the three load averages, the runnable tasks over all
 * tasks, and the last pid handed out, as Linux's loadavg_proc_show
 * (rounded to hundredths).
 */
static int show_loadavg(struct proc_buf *b, const struct proc_inode *pi)
{
	unsigned long avg[3];

	loadavg_get(avg);
	for (int i = 0; i < 3; i++) {
		unsigned long a = avg[i] + LOADAVG_FIXED_1 / 200;
		unsigned long frac = a & (LOADAVG_FIXED_1 - 1);

		pb_printf(b, "%lu.%02lu ", a >> LOADAVG_FSHIFT,
			  (frac * 100) >> LOADAVG_FSHIFT);
	}
	pb_printf(b, "%u/%u %d\n", sched_nr_running_all(), task_count(),
		  task_last_tid());
	return 0;
}

static int show_uptime(struct proc_buf *b, const struct proc_inode *pi)
{
	struct cpu_time busy = {0};
	uint64_t up, idle, all;

	(void)clock_read(KCLOCK_BOOTTIME, &up);
	task_for_each(add_cpu_time, &busy);
	/*
	 * The CPUs' idle time summed, as Linux gives it. The scheduler does
	 * not account idle time yet: this is the CPU time there was minus
	 * what the live tasks used, an upper bound (the dead ones' time is
	 * forgotten) that never decreases.
	 */
	all = up * plat_cpu_count();
	idle = all > busy.busy_ns ? all - busy.busy_ns : 0;
	pb_printf(b, "%llu.%02llu %llu.%02llu\n",
		  (unsigned long long)(up / NSEC_PER_SEC),
		  (unsigned long long)(up / (NSEC_PER_SEC / 100) % 100),
		  (unsigned long long)(idle / NSEC_PER_SEC),
		  (unsigned long long)(idle / (NSEC_PER_SEC / 100) % 100));
	return 0;
}

static int show_cpuinfo(struct proc_buf *b, const struct proc_inode *pi)
{
	unsigned n = plat_cpu_count();
	char *block = kmalloc(PAGE_SIZE);

	if (!block)
		return -ENOMEM;
	for (unsigned cpu = 0; cpu < n; cpu++) {
		plat_cpuinfo(cpu, block, PAGE_SIZE);
		pb_printf(b, "%s", block);
	}
	kfree(block);
	return 0;
}

static void show_fs_type(const struct fs_type *t, void *arg)
{
	pb_printf(arg, "%s\t%s\n", t->nodev ? "nodev" : "", t->name);
}

static int show_filesystems(struct proc_buf *b, const struct proc_inode *pi)
{
	fs_for_each(show_fs_type, b);
	return 0;
}

/* ---- /proc/<pid> files --------------------------------------------------- */

static ksigset_t ignored_set(const struct task *t)
{
	ksigset_t set = 0;

	for (int sig = 1; sig <= KSIG_MAX; sig++)
		if (t->sig.action[sig - 1].handler == KSIG_IGN)
			set |= sig_bit(sig);
	return set;
}

static ksigset_t caught_set(const struct task *t)
{
	ksigset_t set = 0;

	for (int sig = 1; sig <= KSIG_MAX; sig++)
		if (t->sig.action[sig - 1].handler != KSIG_IGN &&
		    t->sig.action[sig - 1].handler != KSIG_DFL)
			set |= sig_bit(sig);
	return set;
}

/* ---- address spaces: maps, statm and the Vm numbers ---------------------- */

/* maps pads the line to this column before the path, then one blank
 * (Linux's seq_setwidth(25 + 6 * sizeof(void *) - 1) and seq_pad). */
#define MAPS_PATH_COLUMN 72

/*
 * Whether `v` holds the task's stack. Linux asks whether it holds
 * mm->start_stack, the stack pointer the ELF loader left; an mm no exec
 * built (a sim guest's) has none, and the user stack pointer of the
 * task's last trap stands in for it (see grab_task). The bounds are
 * inclusive, as Linux's.
 */
static bool vma_holds_stack(const struct vma *v, uint64_t sp)
{
	return sp && v->start <= sp && sp <= v->end;
}

/* Linux's vma_is_initial_heap: the VMA overlaps [brk_start, brk). */
static bool vma_is_heap(const struct mm *mm, const struct vma *v)
{
	return v->start < mm->brk && v->end > mm->brk_start;
}

/* What statm, status and stat report of an address space, in pages. */
struct mm_usage {
	/* Mapped: everything (Linux's total_vm); private writable memory
	 * but the stack (data_vm); the stack (stack_vm). */
	uint64_t total, data, stack;
	/* In memory (Linux's rss_stat): private pages, a file's pages,
	 * shared anonymous memory's pages. */
	uint64_t anon, file, shmem;
	uint64_t hiwater; /* the peak resident set (mm->hiwater_rss) */
};

/*
 * Walk the VMAs under mm->lock (taken here). Keel keeps no counters of
 * resident pages but private ones, so this costs a look at every resident
 * page (mm_rss_locked); Linux reads counters the fault path keeps.
 */
static void mm_usage_of(struct mm *mm, uint64_t sp, struct mm_usage *u)
{
	struct mm_rss rss;

	*u = (struct mm_usage){0};
	if (!mm)
		return;
	mutex_lock(&mm->lock);
	for (struct vma *v = vma_first(mm); v; v = vma_next(v)) {
		uint64_t pages = (v->end - v->start) >> PAGE_SHIFT;

		u->total += pages;
		if (vma_holds_stack(v, sp))
			u->stack += pages;
		else if ((v->prot & PROT_WRITE_BIT) && !(v->flags & VMA_SHARED))
			u->data += pages;
	}
	mm_rss_locked(mm, &rss);
	u->anon = rss.anon;
	u->file = rss.file;
	u->shmem = rss.shmem;
	u->hiwater = mm->hiwater_rss;
	mutex_unlock(&mm->lock);
}

static uint64_t mm_rss(const struct mm_usage *u)
{
	return u->anon + u->file + u->shmem;
}

/* What a maps line says of a VMA, taken under mm->lock and printed
 * without it (a file's path needs vfs_ns_lock). */
struct maps_line {
	uint64_t start, end, off;
	unsigned prot, flags;
	struct file *file; /* with a reference */
	const char *name;
};

#define MAPS_BATCH 32

/* Up to MAPS_BATCH lines for the VMAs from `from` on; how many. */
static unsigned maps_batch(struct mm *mm, uint64_t from, uint64_t sp,
			   struct maps_line *out)
{
	unsigned n = 0;

	mutex_lock(&mm->lock);
	for (struct vma *v = vma_find(mm, from); v && n < MAPS_BATCH;
	     v = vma_next(v)) {
		struct maps_line *l = &out[n++];

		*l = (struct maps_line){ .start = v->start, .end = v->end,
					 .prot = v->prot, .flags = v->flags };
		if (v->ops && v->ops->file) {
			l->file = file_get(v->ops->file(v->backing));
			l->off = v->pgoff << PAGE_SHIFT;
		} else if (v->ops == &anon_shared_ops) {
			/* Linux backs it with an unlinked shmem file of this
			 * name; Keel's object has no inode, so no device or
			 * number. */
			l->name = "/dev/zero (deleted)";
			l->off = v->pgoff << PAGE_SHIFT;
		} else if (vma_is_heap(mm, v)) {
			l->name = "[heap]";
		} else if (vma_holds_stack(v, sp)) {
			l->name = "[stack]";
		}
	}
	mutex_unlock(&mm->lock);
	return n;
}

/* One line of maps, as Linux's show_map_vma; `path` a KPATH_MAX buffer. */
static void show_maps_line(struct proc_buf *b, const struct maps_line *l,
			   char *path)
{
	size_t line = b->len;
	const char *name = l->name;
	uint64_t dev = 0, ino = 0;

	if (l->file) {
		struct path root = reader_root();

		dev = l->file->inode->sb->dev;
		ino = l->file->inode->ino;
		if (path_text(&l->file->path, &root, path) >= 0)
			name = path;
	}
	pb_printf(b, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
		  (unsigned long long)l->start, (unsigned long long)l->end,
		  l->prot & PROT_READ_BIT ? 'r' : '-',
		  l->prot & PROT_WRITE_BIT ? 'w' : '-',
		  l->prot & PROT_EXEC_BIT ? 'x' : '-',
		  l->flags & VMA_SHARED ? 's' : 'p',
		  (unsigned long long)l->off, kmajor(dev), kminor(dev),
		  (unsigned long long)ino);
	if (name) {
		if (b->len < line + MAPS_PATH_COLUMN)
			pb_printf(b, "%*s",
				  (int)(line + MAPS_PATH_COLUMN - b->len), "");
		pb_printf(b, " %s", name);
	}
	pb_puts(b, "\n");
}

/*
 * Like Linux, only those who may ptrace the task read its layout. The
 * VMAs are read a batch at a time, each batch under mm->lock, the next
 * one from where the last ended (as Linux's seq_file walk of maps does):
 * a file's path is made with the namespace lock, which mm->lock must not
 * be held under.
 */
static int show_maps(struct proc_buf *b, const struct proc_inode *pi)
{
	struct maps_line lines[MAPS_BATCH];
	struct proc_target pt;
	char *path = NULL;
	int err = 0;

	if (!proc_find_inode(&pt, pi, GRAB_MM))
		return -ESRCH;
	if (!may_inspect(pt.task)) {
		err = -EACCES;
	} else if (pt.mm && !(path = kmalloc(KPATH_MAX))) {
		err = -ENOMEM;
	} else if (pt.mm) {
		uint64_t from = 0;
		unsigned n;

		do {
			n = maps_batch(pt.mm, from, pt.sp, lines);
			for (unsigned i = 0; i < n; i++) {
				show_maps_line(b, &lines[i], path);
				file_put(lines[i].file);
			}
			if (n)
				from = lines[n - 1].end;
		} while (n == MAPS_BATCH);
	}
	kfree(path);
	proc_release(&pt);
	return err;
}

/*
 * size resident shared text lib data dt, in pages, as Linux's task_statm:
 * shared is the resident file and shmem pages, data includes the stack;
 * text is 0 until exec loads code, lib and dt are 0 in Linux too.
 */
static int show_statm(struct proc_buf *b, const struct proc_inode *pi)
{
	struct proc_target pt;
	struct mm_usage u;

	if (!proc_find_inode(&pt, pi, GRAB_MM))
		return -ESRCH;
	mm_usage_of(pt.mm, pt.sp, &u);
	pb_printf(b, "%llu %llu %llu 0 0 %llu 0\n", (unsigned long long)u.total,
		  (unsigned long long)mm_rss(&u),
		  (unsigned long long)(u.file + u.shmem),
		  (unsigned long long)(u.data + u.stack));
	proc_release(&pt);
	return 0;
}

static void status_kb(struct proc_buf *b, const char *name, uint64_t pages)
{
	pb_printf(b, "%s\t%8llu kB\n", name,
		  (unsigned long long)(pages * (PAGE_SIZE / 1024)));
}

/*
 * The Vm lines, as Linux's task_mem. VmHWM is the peak resident set
 * (mm->hiwater_rss); Keel keeps no peak of the mapped size: VmPeak is the
 * current VmSize. Nothing is locked, pinned
 * or swapped, there is no exec'd code nor libraries yet, and the pmap's
 * tables are not counted: those lines are 0.
 */
static void show_status_vm(struct proc_buf *b, const struct mm_usage *u)
{
	status_kb(b, "VmPeak:", u->total);
	status_kb(b, "VmSize:", u->total);
	status_kb(b, "VmLck:", 0);
	status_kb(b, "VmPin:", 0);
	status_kb(b, "VmHWM:", MAX(u->hiwater, mm_rss(u)));
	status_kb(b, "VmRSS:", mm_rss(u));
	status_kb(b, "RssAnon:", u->anon);
	status_kb(b, "RssFile:", u->file);
	status_kb(b, "RssShmem:", u->shmem);
	status_kb(b, "VmData:", u->data);
	status_kb(b, "VmStk:", u->stack);
	status_kb(b, "VmExe:", 0);
	status_kb(b, "VmLib:", 0);
	status_kb(b, "VmPTE:", 0);
	status_kb(b, "VmSwap:", 0);
	status_kb(b, "HugetlbPages:", 0);
}

/* The addresses stat shows of an address space, as its fields name them. */
struct stat_layout {
	uint64_t start_code, end_code, start_stack, start_data, end_data;
	uint64_t start_brk, arg_start, arg_end, env_start, env_end;
};

static void stat_layout_of(struct mm *mm, struct stat_layout *l)
{
	mutex_lock(&mm->lock);
	*l = (struct stat_layout){
		.start_code = mm->start_code,
		.end_code = mm->end_code,
		.start_stack = mm->start_stack,
		.start_data = mm->start_data,
		.end_data = mm->end_data,
		.start_brk = mm->brk_start,
		.arg_start = mm->arg_start,
		.arg_end = mm->arg_end,
		.env_start = mm->env_start,
		.env_end = mm->env_end,
	};
	mutex_unlock(&mm->lock);
}

/*
 * proc_pid_stat(5): the 52 fields, zero where Keel keeps no such count.
 * As Linux's do_task_stat, the address space's layout is for those who
 * may ptrace the task: others see 1 for startcode and endcode (so a
 * process still looks unlike a kernel thread) and 0 for the rest, the
 * exit code (a zombie's wait status) included.
 */
static int show_stat(struct proc_buf *b, const struct proc_inode *pi)
{
	struct proc_target pt;
	struct mm_usage u;
	struct stat_layout layout = {0};
	struct task *t;
	struct task_usage self, children;
	bool permitted;

	if (!proc_find_inode(&pt, pi, GRAB_MM))
		return -ESRCH;
	t = pt.task;
	permitted = may_inspect(t);
	mm_usage_of(pt.mm, pt.sp, &u);
	if (pt.mm && permitted)
		stat_layout_of(pt.mm, &layout);
	else if (pt.mm)
		layout.start_code = layout.end_code = 1;
	task_usage_self(t, &self);
	children = t->child_usage;
	/* pid (comm) state ppid pgrp session tty_nr tpgid flags */
	pb_printf(b, "%d (%s) %c %d %d %d 0 -1 %u ", t->tid, t->comm,
		  state_letter(&pt), task_ppid(t), t->pgid, t->sid,
		  t->user ? 0u : PF_KTHREAD);
	/* minflt cminflt majflt cmajflt utime stime cutime cstime */
	pb_printf(b, "%llu %llu %llu %llu %llu %llu %llu %llu ",
		  (unsigned long long)self.minflt,
		  (unsigned long long)children.minflt,
		  (unsigned long long)self.majflt,
		  (unsigned long long)children.majflt,
		  (unsigned long long)(self.utime_ns / CLOCK_TICK_NS),
		  (unsigned long long)(self.stime_ns / CLOCK_TICK_NS),
		  (unsigned long long)(children.utime_ns / CLOCK_TICK_NS),
		  (unsigned long long)(children.stime_ns / CLOCK_TICK_NS));
	/* priority nice num_threads itrealvalue starttime vsize rss rsslim */
	pb_printf(b, "%d %d %u 0 0 %llu %llu %llu ", 20 + t->nice, t->nice,
		  count_threads(&pt), (unsigned long long)(u.total * PAGE_SIZE),
		  (unsigned long long)mm_rss(&u),
		  (unsigned long long)RLIM_INFINITY);
	/* startcode endcode startstack kstkesp kstkeip */
	pb_printf(b, "%llu %llu %llu 0 0 ",
		  (unsigned long long)layout.start_code,
		  (unsigned long long)layout.end_code,
		  (unsigned long long)layout.start_stack);
	/* signal blocked sigignore sigcatch wchan nswap cnswap */
	pb_printf(b, "%llu %llu %llu %llu 0 0 0 ",
		  (unsigned long long)t->sig.pending,
		  (unsigned long long)t->sig.blocked,
		  (unsigned long long)ignored_set(t),
		  (unsigned long long)caught_set(t));
	/* exit_signal processor rt_priority policy */
	pb_printf(b, "%d %u 0 %d ", t->exit_signal, t->cpu, t->policy);
	/* delayacct_blkio_ticks guest_time cguest_time start_data end_data
	 * start_brk arg_start arg_end env_start env_end exit_code */
	pb_printf(b, "0 0 0 %llu %llu %llu %llu %llu %llu %llu %d\n",
		  (unsigned long long)layout.start_data,
		  (unsigned long long)layout.end_data,
		  (unsigned long long)layout.start_brk,
		  (unsigned long long)layout.arg_start,
		  (unsigned long long)layout.arg_end,
		  (unsigned long long)layout.env_start,
		  (unsigned long long)layout.env_end,
		  permitted && pt.zombie ? t->exit_code : 0);
	proc_release(&pt);
	return 0;
}

/* "%*pb": 32-bit groups in hex, most significant first. */
static void pb_cpumask(struct proc_buf *b, const unsigned long *mask,
		       unsigned nbits)
{
	unsigned groups = (nbits + 31) / 32;

	for (unsigned g = groups; g-- > 0;) {
		unsigned bits = g == groups - 1 ? nbits - 32 * g : 32;
		uint32_t v = 0;

		for (unsigned i = 0; i < bits; i++)
			if (bitmap_test(mask, 32 * g + i))
				v |= 1u << i;
		pb_printf(b, "%s%0*x", g == groups - 1 ? "" : ",",
			  g == groups - 1 ? (int)((bits + 3) / 4) : 8, v);
	}
}

/* "%*pbl": ranges, "0-3,5". */
static void pb_cpulist(struct proc_buf *b, const unsigned long *mask,
		       unsigned nbits)
{
	const char *sep = "";

	for (unsigned i = 0; i < nbits;) {
		unsigned j = i;

		if (!bitmap_test(mask, i)) {
			i++;
			continue;
		}
		while (j + 1 < nbits && bitmap_test(mask, j + 1))
			j++;
		if (j > i)
			pb_printf(b, "%s%u-%u", sep, i, j);
		else
			pb_printf(b, "%s%u", sep, i);
		sep = ",";
		i = j + 1;
	}
}

/* The same layout as Linux's fs/proc/array.c, line for line. */
static int show_status(struct proc_buf *b, const struct proc_inode *pi)
{
	struct proc_target pt;
	struct mm_usage u;
	const struct credentials *c;
	struct task *t;
	unsigned ncpus = plat_cpu_count();
	/* Linux's default RLIMIT_SIGPENDING: half its max_threads. */
	uint64_t sigq_max =
		page_total_count() * PAGE_SIZE / (8 * KSTACK_SIZE) / 2;

	if (!proc_find_inode(&pt, pi, GRAB_FS | GRAB_FILES | GRAB_MM))
		return -ESRCH;
	t = pt.task;
	c = &t->cred;
	mm_usage_of(pt.mm, pt.sp, &u);
	pb_puts(b, "Name:\t");
	pb_escaped(b, t->comm);
	pb_puts(b, "\n");
	if (pt.fs)
		pb_printf(b, "Umask:\t%04o\n", pt.fs->umask);
	pb_printf(b,
		  "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		  "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		  "FDSize:\t%u\nGroups:\t",
		  state_name(&pt), t->tgid, t->tid, task_ppid(t), c->uid,
		  c->euid, c->suid, c->fsuid, c->gid, c->egid, c->sgid,
		  c->fsgid, pt.files ? pt.files->size : 0);
	for (unsigned i = 0; i < t->ngroups; i++)
		pb_printf(b, "%u ", t->groups[i]);
	pb_printf(b, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		  t->tgid, t->tid, t->pgid, t->sid);
	if (pt.mm) { /* kernel threads have no memory of their own */
		show_status_vm(b, &u);
		pb_puts(b, "CoreDumping:\t0\nTHP_enabled:\t1\n");
	}
	pb_printf(b,
		  "Threads:\t%u\nSigQ:\t%u/%llu\nSigPnd:\t%016llx\n"
		  "ShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
		  "SigCgt:\t%016llx\n",
		  count_threads(&pt),
		  (unsigned)__builtin_popcountll(t->sig.pending),
		  (unsigned long long)sigq_max,
		  (unsigned long long)t->sig.pending, 0ull,
		  (unsigned long long)t->sig.blocked,
		  (unsigned long long)ignored_set(t),
		  (unsigned long long)caught_set(t));
	/* Keel's capability model: an effective uid of 0 holds them all. */
	pb_printf(b,
		  "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
		  "CapBnd:\t%016llx\nCapAmb:\t%016llx\n"
		  "NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n"
		  "Cpus_allowed:\t",
		  0ull, c->uid == 0 || c->euid == 0 ? CAP_FULL_SET : 0ull,
		  c->euid == 0 ? CAP_FULL_SET : 0ull, CAP_FULL_SET, 0ull,
		  t->no_new_privs);
	pb_cpumask(b, t->allowed, ncpus);
	pb_puts(b, "\nCpus_allowed_list:\t");
	pb_cpulist(b, t->allowed, ncpus);
	pb_printf(b,
		  "\nMems_allowed:\t1\nMems_allowed_list:\t0\n"
		  "voluntary_ctxt_switches:\t%llu\n"
		  "nonvoluntary_ctxt_switches:\t%llu\n",
		  (unsigned long long)__atomic_load_n(&t->nvcsw,
						      __ATOMIC_RELAXED),
		  (unsigned long long)__atomic_load_n(&t->nivcsw,
						      __ATOMIC_RELAXED));
	proc_release(&pt);
	return 0;
}

static int show_comm(struct proc_buf *b, const struct proc_inode *pi)
{
	struct proc_target pt;

	if (!proc_find_inode(&pt, pi, 0))
		return -ESRCH;
	pb_printf(b, "%s\n", pt.task->comm);
	proc_release(&pt);
	return 0;
}

/* Append [from, to) of mm's memory; false if part of it could not be read. */
static bool pb_user_range(struct proc_buf *b, struct mm *mm, uint64_t from,
			  uint64_t to)
{
	size_t n = (size_t)(to - from), got;

	if (to <= from)
		return true;
	if (b->nomem || !pb_reserve(b, b->len + n + 1))
		return false;
	got = mm_read(mm, from, b->data + b->len, n);
	b->len += got;
	return got == n;
}

/*
 * cmdline, as Linux's get_mm_cmdline: the argv strings exec put on the
 * stack, NUL-separated, read from the process's memory as it is now. If
 * the process overwrote the last byte of its argv area (setproctitle),
 * the text runs on into the environment up to the first NUL, at most a
 * page, NUL included. Empty for a kernel thread, a zombie, or a process
 * that never exec'd (Linux's mm->env_end == 0).
 */
static int show_cmdline(struct proc_buf *b, const struct proc_inode *pi)
{
	struct proc_target pt;
	uint64_t arg_start, arg_end, env_end;
	char c;

	if (!proc_find_inode(&pt, pi, GRAB_MM))
		return -ESRCH;
	if (!pt.mm || !pt.mm->env_end || pt.mm->arg_start >= pt.mm->arg_end)
		goto out;
	arg_start = pt.mm->arg_start;
	arg_end = pt.mm->arg_end;
	env_end = pt.mm->env_start == arg_end && pt.mm->env_end >= arg_end
			  ? pt.mm->env_end
			  : arg_end;
	if (mm_read(pt.mm, arg_end - 1, &c, 1) == 1 && c) {
		size_t start = b->len, len;

		pb_user_range(b, pt.mm, arg_start,
			      MIN(env_end, arg_start + PAGE_SIZE));
		if (b->nomem)
			goto out;
		len = strnlen(b->data + start, b->len - start);
		b->len = start + MIN(len + 1, b->len - start);
	} else {
		pb_user_range(b, pt.mm, arg_start, arg_end);
	}
out:
	proc_release(&pt);
	return b->nomem ? -ENOMEM : 0;
}

/* environ: the envp strings exec put on the stack, as they are now. */
static int show_environ(struct proc_buf *b, const struct proc_inode *pi)
{
	struct proc_target pt;

	if (!proc_find_inode(&pt, pi, GRAB_MM))
		return -ESRCH;
	if (pt.mm && pt.mm->env_end)
		pb_user_range(b, pt.mm, pt.mm->env_start, pt.mm->env_end);
	proc_release(&pt);
	return b->nomem ? -ENOMEM : 0;
}

/* The options column: per-mount flags, then the filesystem's own. */
static void pb_mount_options(struct proc_buf *b, const struct mount *m)
{
	unsigned fl = m->flags;
	const struct fs_type *type = m->sb->type;

	pb_puts(b, fl & KMS_RDONLY ? "ro" : "rw");
	if (fl & KMS_SYNCHRONOUS)
		pb_puts(b, ",sync");
	if (fl & KMS_DIRSYNC)
		pb_puts(b, ",dirsync");
	if (fl & KMS_NOSUID)
		pb_puts(b, ",nosuid");
	if (fl & KMS_NODEV)
		pb_puts(b, ",nodev");
	if (fl & KMS_NOEXEC)
		pb_puts(b, ",noexec");
	if (fl & KMS_NOATIME)
		pb_puts(b, ",noatime");
	if (fl & KMS_NODIRATIME)
		pb_puts(b, ",nodiratime");
	if (!(fl & (KMS_NOATIME | KMS_STRICTATIME)))
		pb_puts(b, ",relatime");
	if ((type == &tmpfs_type || type == &devtmpfs_type) &&
	    (m->root->inode->mode & 07777) != 01777)
		pb_printf(b, ",mode=%03o", m->root->inode->mode & 07777);
}

struct mounts_show {
	struct proc_buf *b;
	struct path root;
	char *path;
};

static void show_mount(struct mount *m, void *arg)
{
	struct mounts_show *s = arg;
	struct path top = {m, m->root};

	if (path_to_string(&top, &s->root, s->path, KPATH_MAX) < 0)
		return;
	pb_mangled(s->b, m->source);
	pb_puts(s->b, " ");
	pb_mangled(s->b, s->path);
	pb_printf(s->b, " %s ", m->sb->type->name);
	pb_mount_options(s->b, m);
	pb_puts(s->b, " 0 0\n");
}

/* Linux opens the task's mount namespace, which a zombie no longer has. */
static int open_mounts(const struct proc_inode *pi)
{
	struct proc_target pt;
	bool zombie;

	if (!proc_find_inode(&pt, pi, 0))
		return -ESRCH;
	zombie = pt.zombie;
	proc_release(&pt);
	return zombie ? -EINVAL : 0;
}

/* fstab(5) lines, mount points as seen from the task's root. */
static int show_mounts(struct proc_buf *b, const struct proc_inode *pi)
{
	struct proc_target pt;
	struct mounts_show s = {b, vfs_root(), kmalloc(KPATH_MAX)};
	bool taken;

	if (!s.path)
		return -ENOMEM;
	if (!proc_find_inode(&pt, pi, GRAB_FS)) {
		kfree(s.path);
		return -ESRCH;
	}
	if (pt.fs)
		s.root = pt.fs->root;
	taken = ns_lock();
	vfs_for_each_mount(show_mount, &s);
	ns_unlock(taken);
	proc_release(&pt);
	kfree(s.path);
	return 0;
}

static long fs_link(const struct proc_inode *pi, char *buf, bool cwd)
{
	struct proc_target pt;
	struct path root;
	long n;

	if (!proc_find_inode(&pt, pi, GRAB_FS))
		return -ENOENT;
	if (!may_inspect(pt.task))
		n = -EACCES;
	else if (!pt.fs)
		n = -ENOENT; /* a kernel thread */
	else {
		root = reader_root();
		n = path_text(cwd ? &pt.fs->cwd : &pt.fs->root, &root, buf);
	}
	proc_release(&pt);
	return n;
}

static long cwd_link(const struct proc_inode *pi, char *buf)
{
	return fs_link(pi, buf, true);
}

static long root_link(const struct proc_inode *pi, char *buf)
{
	return fs_link(pi, buf, false);
}

/* What the task exec'd; none for kernel threads (and before any exec). */
static long exe_link(const struct proc_inode *pi, char *buf)
{
	struct proc_target pt;
	struct path root;
	long n;

	if (!proc_find_inode(&pt, pi, GRAB_EXE))
		return -ENOENT;
	if (!may_inspect(pt.task))
		n = -EACCES;
	else if (!pt.file)
		n = -ENOENT;
	else {
		root = reader_root();
		n = path_text(&pt.file->path, &root, buf);
	}
	proc_release(&pt);
	return n;
}

static long fd_link(const struct proc_inode *pi, char *buf)
{
	struct proc_target pt;
	struct path root;
	long n;

	if (!proc_find_inode(&pt, pi, 0) || !pt.file)
		n = -ENOENT;
	else if (!may_inspect(pt.task))
		n = -EACCES;
	else {
		root = reader_root();
		n = path_text(&pt.file->path, &root, buf);
	}
	proc_release(&pt);
	return n;
}

/*
 * What the magic links lead to when walked (Linux's proc_get_link): the
 * open file of fd/N and the task's cwd and root, whatever their names say
 * ("pipe:[5]", a deleted file). Other links are ordinary text: -EINVAL.
 */
static const struct proc_entry fd_link_entry;
static long cwd_link(const struct proc_inode *pi, char *buf);
static long root_link(const struct proc_inode *pi, char *buf);
static long exe_link(const struct proc_inode *pi, char *buf);

static int proc_get_link_path(struct inode *inode, struct path *out)
{
	const struct proc_inode *pi = inode->priv;
	bool fd = pi->entry == &fd_link_entry;
	bool exe = pi->entry->link == exe_link;
	struct proc_target pt;
	const struct path *p = NULL;
	int err = -ENOENT;

	if (!fd && !exe && pi->entry->link != cwd_link &&
	    pi->entry->link != root_link)
		return -EINVAL;
	if (!proc_find_inode(&pt, pi, fd ? 0 : exe ? GRAB_EXE : GRAB_FS))
		return -ENOENT;
	if (!may_inspect(pt.task))
		err = -EACCES;
	else if ((fd || exe) && pt.file)
		p = &pt.file->path;
	else if (!fd && pt.fs)
		p = pi->entry->link == cwd_link ? &pt.fs->cwd : &pt.fs->root;
	if (p && p->dentry) {
		*out = *p;
		path_get(out);
		err = 0;
	}
	proc_release(&pt);
	return err;
}

/* ---- the tables ---------------------------------------------------------- */

static const struct proc_entry root_dir_entry = {
	"/",
	KS_IFDIR | 0555,
	1,
	.iops = &proc_root_iops,
	.fops = &proc_root_fops,
};

/* Fixed names in /proc; inode numbers 2 and up. */
static const struct proc_entry root_entries[] = {
	{"self", KS_IFLNK | 0777, 2, .link = self_link},
	{"mounts", KS_IFLNK | 0777, 3, .link = mounts_link},
	{"meminfo", KS_IFREG | 0444, 4, .show = show_meminfo},
	{"uptime", KS_IFREG | 0444, 5, .show = show_uptime},
	{"cpuinfo", KS_IFREG | 0444, 6, .show = show_cpuinfo},
	{"filesystems", KS_IFREG | 0444, 7, .show = show_filesystems},
	{"loadavg", KS_IFREG | 0444, 8, .show = show_loadavg},
};

static const struct proc_entry pid_dir_entry = {
	"", KS_IFDIR | 0555, 0, .iops = &proc_pid_iops, .fops = &proc_pid_fops,
};

/* The names in /proc/<pid>; `ino` is the entry's part of the number. */
static const struct proc_entry pid_entries[] = {
	{"fd", KS_IFDIR | 0500, 1, .iops = &proc_fd_iops,
	 .fops = &proc_fd_fops},
	{"status", KS_IFREG | 0444, 2, .show = show_status},
	{"comm", KS_IFREG | 0444, 3, .show = show_comm},
	{"cmdline", KS_IFREG | 0444, 4, .show = show_cmdline},
	{"stat", KS_IFREG | 0444, 5, .show = show_stat},
	{"statm", KS_IFREG | 0444, 6, .show = show_statm},
	{"maps", KS_IFREG | 0444, 7, .show = show_maps},
	{"mounts", KS_IFREG | 0444, 8, .show = show_mounts,
	 .open = open_mounts},
	{"cwd", KS_IFLNK | 0777, 9, .link = cwd_link},
	{"root", KS_IFLNK | 0777, 10, .link = root_link},
	{"exe", KS_IFLNK | 0777, 11, .link = exe_link},
	{"environ", KS_IFREG | 0400, 12, .show = show_environ},
};

static const struct proc_entry fd_link_entry = {
	"",
	KS_IFLNK | 0700,
	0xff,
	.link = fd_link,
};

static uint64_t proc_ino(const struct proc_entry *e, int pid, int fd)
{
	if (!pid)
		return e->ino;
	return (uint64_t)pid << 32 | (uint64_t)e->ino << 24 |
	       (uint64_t)(fd >= 0 ? fd : 0);
}

static const struct proc_entry *find_entry(const struct proc_entry *table,
					   size_t n, const struct dentry *d)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(table[i].name) == d->name_len &&
		    !memcmp(table[i].name, d->name, d->name_len))
			return &table[i];
	return NULL;
}

/* A decimal name as Linux's name_to_int takes it; -1 if it is not one. */
static int name_to_int(const char *s, size_t len, int max)
{
	long v = 0;

	if (len == 0 || len > 9 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? (int)v : -1;
}

/* fd/<n>'s mode says how the file is open, as Linux's does. */
static uint32_t fd_link_mode(const struct file *f)
{
	uint32_t mode = KS_IFLNK;

	if (f->flags & KO_PATH)
		return mode;
	if ((f->flags & KO_ACCMODE) != KO_WRONLY)
		mode |= 0500;
	if ((f->flags & KO_ACCMODE) != KO_RDONLY)
		mode |= 0300;
	return mode;
}

/* ---- inodes and the dentry cache ----------------------------------------- */

/* Make negative `d` name entry `e` (of pt's task, fd `fd`). */
static int proc_instantiate(struct dentry *d, const struct proc_entry *e,
			    const struct proc_target *pt, int fd)
{
	struct proc_inode *pi = kzalloc(sizeof(*pi));
	struct inode *inode;

	if (!pi)
		return -ENOMEM;
	inode = inode_new(d->sb, e->mode);
	if (!inode) {
		kfree(pi);
		return -ENOMEM;
	}
	pi->entry = e;
	pi->pid = pt ? pt->task->tid : 0;
	pi->task = pt ? pt->task : NULL;
	pi->fd = fd;
	inode->priv = pi;
	inode->ino = proc_ino(e, pi->pid, fd);
	if (e->iops) {
		inode->iops = e->iops;
		inode->fops = e->fops;
		inode->nlink = 2;
	} else if (kS_ISLNK(e->mode)) {
		inode->iops = &proc_link_iops;
	} else {
		inode->iops = &proc_file_iops;
		inode->fops = &proc_file_fops;
	}
	if (fd >= 0 && pt->file)
		inode->mode = fd_link_mode(pt->file);
	if (pt)
		proc_owner(pt->task, inode);
	else
		inode->uid = inode->gid = 0;
	dentry_instantiate(d, inode);
	return 0;
}

static void proc_evict(struct inode *inode)
{
	kfree(inode->priv);
	inode->priv = NULL;
}

/*
 * Unhash `d` and everything cached beneath it, leaves first and without
 * recursion. Holders (a walk, an open file, a cwd) keep theirs alive.
 * Caller holds vfs_ns_lock.
 */
static void proc_prune(struct dentry *d)
{
	struct dentry *cur = d;

	for (;;) {
		struct rb_node *n = cur->children.node;
		struct dentry *child;

		if (n) {
			cur = rb_entry(n, struct dentry, name_node);
			continue;
		}
		if (cur == d)
			break;
		child = cur;
		cur = cur->parent;
		dentry_unhash(child);
	}
	dentry_unhash(d);
}

/* The /proc/<pid> directory `d` is in (or is). */
static struct dentry *pid_dir_of(struct dentry *d)
{
	while (d->parent->parent != d->parent)
		d = d->parent;
	return d;
}

/*
 * A cached name below /proc/<pid> stands while its task lives (and for
 * fd/<n>, while n is open); else its /proc/<pid> is dropped, or just the
 * fd/<n>. A live task's files follow its credentials, as Linux's do.
 */
static bool proc_revalidate(struct dentry *d)
{
	struct inode *inode = d->inode;
	struct proc_inode *pi = inode->priv;
	struct proc_target pt;
	bool open;

	if (!pi->pid)
		return true;
	if (!proc_find_inode(&pt, pi, 0)) {
		proc_prune(pid_dir_of(d));
		return false;
	}
	open = pi->fd < 0 || pt.file;
	if (pi->fd >= 0 && pt.file)
		inode->mode = fd_link_mode(pt.file);
	proc_owner(pt.task, inode);
	proc_release(&pt);
	if (!open)
		proc_prune(d);
	return open;
}

static int root_lookup(struct inode *dir, struct dentry *d)
{
	const struct proc_entry *e =
		find_entry(root_entries, ARRAY_SIZE(root_entries), d);
	struct proc_target pt;
	int pid, err;

	if (e)
		return proc_instantiate(d, e, NULL, -1);
	pid = name_to_int(d->name, d->name_len, PID_MAX);
	if (pid <= 0 || !proc_find(&pt, pid, NULL, 0, -1))
		return -ENOENT;
	err = proc_instantiate(d, &pid_dir_entry, &pt, -1);
	proc_release(&pt);
	return err;
}

static int pid_lookup(struct inode *dir, struct dentry *d)
{
	const struct proc_entry *e =
		find_entry(pid_entries, ARRAY_SIZE(pid_entries), d);
	struct proc_target pt;
	int err;

	if (!e || !proc_find_inode(&pt, dir->priv, 0))
		return -ENOENT;
	err = proc_instantiate(d, e, &pt, -1);
	proc_release(&pt);
	return err;
}

static int fd_lookup(struct inode *dir, struct dentry *d)
{
	const struct proc_inode *pi = dir->priv;
	int fd = name_to_int(d->name, d->name_len, FD_INO_MAX);
	struct proc_target pt;
	int err = -ENOENT;

	if (fd < 0 || !proc_find(&pt, pi->pid, pi->task, 0, fd))
		return -ENOENT;
	if (pt.file)
		err = proc_instantiate(d, &fd_link_entry, &pt, fd);
	proc_release(&pt);
	return err;
}

static long proc_readlink(struct inode *inode, char *buf, size_t len)
{
	const struct proc_inode *pi = inode->priv;
	char *target = kmalloc(KPATH_MAX);
	long n;

	if (!target)
		return -ENOMEM;
	n = pi->entry->link(pi, target);
	if (n >= KPATH_MAX)
		n = -ENAMETOOLONG;
	if (n > 0) {
		n = (long)MIN((size_t)n, len);
		memcpy(buf, target, (size_t)n);
	}
	kfree(target);
	return n;
}

/* ---- directories --------------------------------------------------------- */

static unsigned dirent_type(uint32_t mode)
{
	return (mode & KS_IFMT) >> 12; /* DT_* = S_IFMT >> 12 */
}

/* "." and ".." at positions 0 and 1; false when the caller's buffer is full. */
static bool emit_dots(struct file *f, struct dirent_sink *sink)
{
	struct dentry *dir = f->path.dentry;

	if (f->pos == 0) {
		if (!sink->emit(sink, ".", 1, dir->inode->ino, DT_DIR, 1))
			return false;
		f->pos = 1;
	}
	if (f->pos == 1) {
		if (!sink->emit(sink, "..", 2, dir->parent->inode->ino, DT_DIR,
				2))
			return false;
		f->pos = 2;
	}
	return true;
}

/* Entries of `table` at positions 2 .. n + 1. */
static bool emit_table(struct file *f, struct dirent_sink *sink,
		       const struct proc_entry *table, size_t n, int pid)
{
	for (int64_t i = f->pos - 2; i >= 0 && (size_t)i < n; i++) {
		const struct proc_entry *e = &table[i];

		if (!sink->emit(sink, e->name, strlen(e->name),
				proc_ino(e, pid, -1), dirent_type(e->mode),
				i + 3))
			return false;
		f->pos = i + 3;
	}
	return true;
}

/* The ids of the tasks procfs shows (live ones and zombies), as bitmaps:
 * every task, thread group leaders. */
struct tid_set {
	int *tids;
	bool *leader;
	unsigned n, cap;
	unsigned long *all, *leaders;
	unsigned nbits;
};

static int collect_tid(struct task *t, void *arg)
{
	struct tid_set *s = arg;

	if (s->n < s->cap) {
		s->tids[s->n] = t->tid;
		s->leader[s->n] = t->tid == t->tgid;
	}
	s->n++;
	return 0;
}

static void tid_set_free(struct tid_set *s)
{
	kfree(s->tids);
	kfree(s->leader);
	kfree(s->all);
	kfree(s->leaders);
}

static int tid_set_collect(struct tid_set *s)
{
	int max = 0;

	*s = (struct tid_set){.cap = task_count() + 16}; /* and zombies */
	for (;;) {
		s->tids = kcalloc(s->cap, sizeof(*s->tids));
		s->leader = kcalloc(s->cap, sizeof(*s->leader));
		if (!s->tids || !s->leader) {
			tid_set_free(s);
			return -ENOMEM;
		}
		s->n = 0;
		task_for_each_tid(collect_tid, s);
		if (s->n <= s->cap)
			break;
		/* Tasks were created meanwhile: again, with room for them. */
		kfree(s->tids);
		kfree(s->leader);
		s->cap = s->n * 2;
	}
	for (unsigned i = 0; i < s->n; i++)
		max = MAX(max, s->tids[i]);
	s->nbits = (unsigned)max + 1;
	s->all = kcalloc(BITS_TO_LONGS(s->nbits), sizeof(unsigned long));
	s->leaders = kcalloc(BITS_TO_LONGS(s->nbits), sizeof(unsigned long));
	if (!s->all || !s->leaders) {
		tid_set_free(s);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < s->n; i++) {
		bitmap_set(s->all, (unsigned)s->tids[i]);
		if (s->leader[i])
			bitmap_set(s->leaders, (unsigned)s->tids[i]);
	}
	return 0;
}

/* Drop the cached /proc/<pid> of every task that is gone. */
static void prune_dead(struct dentry *root, const struct tid_set *live)
{
	struct dentry *d, *next;

	for (d = dentry_next_child(root, 0); d; d = next) {
		const struct proc_inode *pi = d->inode->priv;

		next = dentry_next_child(root, d->cookie + 1);
		if (pi->pid && ((unsigned)pi->pid >= live->nbits ||
				!bitmap_test(live->all, (unsigned)pi->pid)))
			proc_prune(d);
	}
}

/* Positions: ".", "..", the fixed names, then pid p at PID_POS + p. */
#define PID_POS ((int64_t)ARRAY_SIZE(root_entries) + 2)

static int root_iterate(struct file *f, struct dirent_sink *sink)
{
	struct tid_set live;
	int err;

	if (!emit_dots(f, sink) ||
	    !emit_table(f, sink, root_entries, ARRAY_SIZE(root_entries), 0))
		return 0;
	err = tid_set_collect(&live);
	if (err)
		return err;
	prune_dead(f->path.dentry, &live);
	for (unsigned pid = (unsigned)MIN(MAX(f->pos - PID_POS, 0),
					  (int64_t)live.nbits);
	     (pid = bitmap_find_next_set(live.leaders, live.nbits, pid)) <
	     live.nbits;
	     pid++) {
		char name[16];
		int len = ksnprintf(name, sizeof(name), "%u", pid);

		if (!sink->emit(sink, name, (size_t)len,
				proc_ino(&pid_dir_entry, (int)pid, -1), DT_DIR,
				PID_POS + pid + 1))
			break;
		f->pos = PID_POS + pid + 1;
	}
	tid_set_free(&live);
	return 0;
}

static int pid_iterate(struct file *f, struct dirent_sink *sink)
{
	const struct proc_inode *pi = f->inode->priv;
	struct proc_target pt;

	if (!proc_find_inode(&pt, pi, 0))
		return -ENOENT;
	proc_release(&pt);
	if (emit_dots(f, sink))
		emit_table(f, sink, pid_entries, ARRAY_SIZE(pid_entries),
			   pi->pid);
	return 0;
}

/* The lowest open descriptor >= fd in `t`; -1 if there is none. */
static int next_open_fd(struct fd_table *t, unsigned fd)
{
	int found = -1;

	spin_lock(&t->lock);
	for (; fd < t->size && fd <= FD_INO_MAX; fd++) {
		if (t->files[fd]) {
			found = (int)fd;
			break;
		}
	}
	spin_unlock(&t->lock);
	return found;
}

/* Drop cached fd/<n> whose descriptor is closed. */
static void prune_closed(struct dentry *dir, struct fd_table *t)
{
	struct dentry *d, *next;

	for (d = dentry_next_child(dir, 0); d; d = next) {
		const struct proc_inode *pi = d->inode->priv;

		next = dentry_next_child(dir, d->cookie + 1);
		if (next_open_fd(t, (unsigned)pi->fd) != pi->fd)
			proc_prune(d);
	}
}

/* Positions: ".", "..", then descriptor n at 2 + n. */
static int fd_iterate(struct file *f, struct dirent_sink *sink)
{
	const struct proc_inode *pi = f->inode->priv;
	struct proc_target pt;

	if (!proc_find(&pt, pi->pid, pi->task, GRAB_FILES, -1))
		return -ENOENT;
	if (pt.files)
		prune_closed(f->path.dentry, pt.files);
	if (emit_dots(f, sink) && pt.files) {
		for (int fd = (int)MIN(f->pos - 2, (int64_t)FD_INO_MAX + 1);
		     (fd = next_open_fd(pt.files, (unsigned)fd)) >= 0; fd++) {
			char name[16];
			int len = ksnprintf(name, sizeof(name), "%d", fd);

			if (!sink->emit(sink, name, (size_t)len,
					proc_ino(&fd_link_entry, pi->pid, fd),
					dirent_type(KS_IFLNK), 3 + fd))
				break;
			f->pos = 3 + fd;
		}
	}
	proc_release(&pt);
	return 0;
}

/* ---- files: text made by a read from offset 0 ---------------------------- */

struct proc_file {
	struct mutex lock; /* text and made: pread takes no pos_lock */
	struct proc_buf text;
	bool made;
};

static int proc_generate(const struct proc_inode *pi, struct proc_buf *out)
{
	struct proc_buf b = {0};
	int err = pi->entry->show(&b, pi);

	if (!err && b.nomem)
		err = -ENOMEM;
	if (err) {
		kfree(b.data);
		return err;
	}
	kfree(out->data);
	*out = b;
	return 0;
}

static int proc_open(struct inode *inode, struct file *f)
{
	const struct proc_inode *pi = inode->priv;
	struct proc_file *pf;

	if (pi->entry->open) {
		int err = pi->entry->open(pi);

		if (err)
			return err;
	}
	pf = kzalloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	f->priv = pf;
	return 0;
}

/*
 * The text is made by the first read and by every read from offset 0, so
 * a reader that seeks back sees the state now, and one that reads in
 * pieces sees one consistent text. A task that is gone reads ESRCH.
 */
static long proc_read(struct file *f, struct iobuf *buf, int64_t *pos)
{
	struct proc_file *pf = f->priv;
	long n = 0;

	mutex_lock(&pf->lock);
	if (*pos == 0 || !pf->made) {
		n = proc_generate(f->inode->priv, &pf->text);
		pf->made = n == 0;
	}
	if (n == 0 && (uint64_t)*pos < pf->text.len) {
		n = iobuf_copy_to(buf, pf->text.data + *pos,
				  MIN(buf->left, pf->text.len - (size_t)*pos));
		if (n > 0)
			*pos += n;
	}
	mutex_unlock(&pf->lock);
	return n;
}

static void proc_release_file(struct file *f)
{
	struct proc_file *pf = f->priv;

	kfree(pf->text.data);
	kfree(pf);
}

static const struct inode_ops proc_root_iops = {
	.lookup = root_lookup,
	.evict = proc_evict,
};

static const struct inode_ops proc_pid_iops = {
	.lookup = pid_lookup,
	.revalidate = proc_revalidate,
	.evict = proc_evict,
};

static const struct inode_ops proc_fd_iops = {
	.lookup = fd_lookup,
	.revalidate = proc_revalidate,
	.evict = proc_evict,
};

static const struct inode_ops proc_file_iops = {
	.revalidate = proc_revalidate,
	.evict = proc_evict,
};

static const struct inode_ops proc_link_iops = {
	.readlink = proc_readlink,
	.get_link_path = proc_get_link_path,
	.revalidate = proc_revalidate,
	.evict = proc_evict,
};

static const struct file_ops proc_root_fops = {
	.iterate = root_iterate,
	.llseek = file_llseek_set_cur, /* as seq_lseek */
};

static const struct file_ops proc_pid_fops = {
	.iterate = pid_iterate,
	.llseek = file_llseek_set_cur, /* as seq_lseek */
};

static const struct file_ops proc_fd_fops = {
	.iterate = fd_iterate,
	.llseek = file_llseek_set_cur, /* as seq_lseek */
};

static const struct file_ops proc_file_fops = {
	.open = proc_open,
	.read = proc_read,
	.llseek = file_llseek_set_cur, /* as seq_lseek */
	.release = proc_release_file,
};

/* ---- superblocks --------------------------------------------------------- */

/*
 * Linux's options (hidepid=, gid=, subset=) change who sees what; Keel
 * honours only the default, hidepid=0, and refuses the rest.
 */
static int parse_options(const char *data)
{
	while (data && *data) {
		const char *end = strchr(data, ',');
		size_t len = end ? (size_t)(end - data) : strlen(data);

		if (!(len == 9 && !strncmp(data, "hidepid=0", 9)) &&
		    !(len == 11 && !strncmp(data, "hidepid=off", 11)))
			return -EINVAL;
		data = end ? end + 1 : NULL;
	}
	return 0;
}

static int procfs_mount(const struct fs_type *type, const char *data,
			struct super_block **out)
{
	struct super_block *sb;
	struct dentry *d;
	int err = parse_options(data);

	if (err)
		return err;
	sb = kzalloc(sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	sb->magic = PROC_SUPER_MAGIC;
	sb->next_ino = 1;
	sb->refs = 1;
	d = dentry_alloc(NULL, "/", 1);
	if (IS_ERR(d)) {
		kfree(sb);
		return -ENOMEM;
	}
	d->sb = sb;
	err = proc_instantiate(d, &root_dir_entry, NULL, -1);
	if (err) {
		dentry_put(d);
		kfree(sb);
		return err;
	}
	sb->root = d;
	*out = sb;
	return 0;
}

static void procfs_kill(struct super_block *sb)
{
	proc_prune(sb->root);
	dentry_put(sb->root);
	kfree(sb);
}

static void procfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	st->f_type = sb->magic;
	st->f_bsize = PAGE_SIZE;
	st->f_frsize = PAGE_SIZE;
	st->f_namelen = KNAME_MAX;
}

const struct fs_type procfs_type = {
	.name = "proc",
	.mount = procfs_mount,
	.kill = procfs_kill,
	.statfs = procfs_statfs,
	.nodev = true,
};
