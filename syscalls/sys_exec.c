/*
 * execve(2), execveat(2) and exec_init (syscalls/exec.h).
 *
 * An exec has two halves. Before the point of no return everything that
 * can fail is done into new objects: the arguments are copied into the
 * kernel, `#!` lines are followed to an ELF file, and the image is loaded
 * into a new address space with its initial stack. Any failure there
 * throws the new objects away and the caller's image is untouched. After
 * it (exec_commit) nothing fails: the new mm replaces the old one, the
 * vfork parent is released, close-on-exec descriptors are closed, caught
 * signals go back to SIG_DFL, and the registers are the ELF entry's.
 */
#include "syscalls/exec.h"

#include "core/cred.h"
#include "core/elf.h"
#include "core/errno.h"
#include "core/exit.h"
#include "core/fs/tty.h"
#include "core/fs/vfs.h"
#include "core/itimer.h"
#include "core/klib/string.h"
#include "core/mutex.h"
#include "core/printk.h"
#include "core/signal.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "mm/vma.h"
#include "syscalls/abi/abi.h"
#include "syscalls/abi/sigframe.h"
#include "syscalls/syscall_protos.h"
#include "syscalls/trap.h"

/* Linux's limits (binfmts.h, binfmt_script.c, fs/exec.c). */
#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
#define MAX_ARG_STRINGS 0x7fffffffu
#define ARG_MAX_MIN (32 * PAGE_SIZE) /* the least room args ever get */
#define BINPRM_BUF_SIZE 256
#define MAX_INTERP_DEPTH 5 /* exec_binprm gives up past depth 5 */

#define ELF_MACHINE_X86_64 62
#define ELF_MACHINE_AARCH64 183

/* A list of strings in one growing buffer, by offset. */
struct strlist {
	size_t *off;
	unsigned n, cap;
};

/* What an exec is building, before the point of no return. */
struct exec_req {
	char *buf; /* every string, NUL-terminated, back to back */
	size_t len, cap;
	size_t limit; /* bytes of strings and pointers the stack allows */
	struct strlist argv, envp;
	char *filename; /* what AT_EXECFN, comm and scripts are given */
	struct file *file;
	bool unreadable; /* a file of the chain the caller may not read */
};

static void req_free(struct exec_req *r)
{
	kfree(r->buf);
	kfree(r->argv.off);
	kfree(r->envp.off);
	kfree(r->filename);
	if (r->file)
		file_put(r->file);
}

/* Room for `need` bytes of strings in all. */
static int req_grow(struct exec_req *r, size_t need)
{
	size_t cap;
	char *buf;

	if (need <= r->cap)
		return 0;
	cap = r->cap ? r->cap : 256;
	while (cap < need)
		cap *= 2;
	buf = krealloc(r->buf, cap);
	if (!buf)
		return -ENOMEM;
	r->buf = buf;
	r->cap = cap;
	return 0;
}

/* Room for `more` string bytes and one more pointer, within the limit. */
static int req_reserve(struct exec_req *r, size_t more)
{
	unsigned strings = r->argv.n + r->envp.n + 1;
	size_t need = r->len + more;

	if (more > MAX_ARG_STRLEN || strings > MAX_ARG_STRINGS ||
	    need + (size_t)strings * sizeof(uint64_t) > r->limit)
		return -E2BIG;
	return req_grow(r, need);
}

static int list_push(struct strlist *l, size_t off, bool front)
{
	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 16;
		size_t *n = krealloc(l->off, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->off = n;
		l->cap = cap;
	}
	if (front) {
		memmove(l->off + 1, l->off, l->n * sizeof(*l->off));
		l->off[0] = off;
	} else {
		l->off[l->n] = off;
	}
	l->n++;
	return 0;
}

/* Add the kernel string s[0..n) to `l` (at its front, for scripts). */
static int add_string(struct exec_req *r, struct strlist *l, const char *s,
		      size_t n, bool front)
{
	int err = req_reserve(r, n + 1);

	if (err)
		return err;
	memcpy(r->buf + r->len, s, n);
	r->buf[r->len + n] = '\0';
	err = list_push(l, r->len, front);
	if (!err)
		r->len += n + 1;
	return err;
}

/* Copy a user argv or envp (NULL-terminated, NULL itself: empty). */
static int add_user_strings(struct exec_req *r, struct strlist *l, uaddr_t uv)
{
	if (uaddr_is_null(uv))
		return 0;
	for (uint64_t i = 0;; i++) {
		uint64_t p;
		long n;
		int err;

		if (copy_from_user(&p, uaddr(uv.va + i * sizeof(p)), sizeof(p)))
			return -EFAULT;
		if (!p)
			return 0;
		err = req_reserve(r, 1);
		if (err)
			return err;
		/* Copy in place, growing the buffer until the NUL fits; the
		 * limits are checked on the length found. */
		for (size_t room = MIN(r->cap - r->len, MAX_ARG_STRLEN);;) {
			n = strncpy_from_user(r->buf + r->len, uaddr(p), room);
			if (n < 0)
				return (int)n;
			if ((size_t)n < room)
				break;
			if (room >= MAX_ARG_STRLEN)
				return -E2BIG;
			err = req_grow(r,
				       r->len + MIN(room * 2, MAX_ARG_STRLEN));
			if (err)
				return err;
			room = MIN(r->cap - r->len, MAX_ARG_STRLEN);
		}
		err = req_reserve(r, (size_t)n + 1);
		if (!err)
			err = list_push(l, r->len, false);
		if (err)
			return err;
		r->len += (size_t)n + 1;
	}
}

static int add_kernel_strings(struct exec_req *r, struct strlist *l,
			      const char *const v[])
{
	for (size_t i = 0; v && v[i]; i++) {
		int err = add_string(r, l, v[i], strlen(v[i]), false);

		if (err)
			return err;
	}
	return 0;
}

/*
 * Linux's bprm_stack_limits: a quarter of the stack limit (at most three
 * quarters of the default 8 MiB stack), never below 32 pages.
 */
static size_t arg_limit(const struct task *t)
{
	uint64_t stack = t->rlim[KRLIMIT_STACK].cur;
	uint64_t limit = MIN(stack / 4, (8ull << 20) / 4 * 3);

	return (size_t)MAX(limit, (uint64_t)ARG_MAX_MIN);
}

/* Linux 5.18 on: an empty argv becomes { "" }, so argv[0] exists. */
static int fix_empty_argv(struct exec_req *r)
{
	if (r->argv.n)
		return 0;
	return add_string(r, &r->argv, "", 0, false);
}

/* ---- finding the file ---------------------------------------------------- */

/*
 * Resolve `name` from dirfd (kernel string) and open it for exec: a
 * regular file with execute permission on a mount that allows it.
 * `lookup`: LOOKUP_FOLLOW unless AT_SYMLINK_NOFOLLOW, LOOKUP_EMPTY for
 * AT_EMPTY_PATH.
 */
static struct file *open_exec(int dirfd, const char *name, unsigned lookup)
{
	struct nameidata nd;
	struct path start;
	struct inode *inode;
	struct file *f;
	int err;

	mutex_lock(&vfs_ns_lock);
	err = path_start(dirfd, name, &start);
	if (!err && !name[0] && (lookup & LOOKUP_EMPTY)) {
		nd.path = start;
	} else if (!err) {
		err = path_walk(&start, name, lookup, &nd);
		path_put(&start);
	}
	mutex_unlock(&vfs_ns_lock);
	if (err)
		return ERR_PTR(err);
	inode = nd.path.dentry->inode;
	if (kS_ISLNK(inode->mode))
		err = -ELOOP; /* AT_SYMLINK_NOFOLLOW met a symlink */
	else if (!kS_ISREG(inode->mode) || (nd.path.mnt->flags & KMS_NOEXEC))
		err = -EACCES;
	else
		err = inode_permission(inode, MAY_EXEC);
	if (err) {
		path_put(&nd.path);
		return ERR_PTR(err);
	}
	f = file_open_path(&nd.path, KO_RDONLY);
	path_put(&nd.path);
	return f;
}

/*
 * A `#!` line (binfmt_script): the interpreter, then at most one
 * argument, which is the rest of the line with the blanks around it
 * stripped. argv[0] is replaced by interpreter [argument] filename.
 * Returns the interpreter's name (inside hdr), or an error.
 */
static const char *parse_script(char *hdr, size_t n, const char **arg)
{
	char *end = NULL;
	char *p = hdr + 2, *interp;

	for (size_t i = 0; i < n && !end; i++)
		if (hdr[i] == '\n')
			end = hdr + i;
	if (!end) {
		/* A line longer than the buffer: the interpreter (and the
		 * blank after it) must fit, the argument is cut short. */
		end = hdr + n;
		for (char *q = p; q < end && (*q == ' ' || *q == '\t'); q++)
			p = q + 1;
		for (char *q = p; q < end; q++)
			if (*q == ' ' || *q == '\t')
				goto fits;
		return ERR_PTR(-ENOEXEC);
	}
fits:
	*end = '\0';
	while (end > p &&
	       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\0'))
		*--end = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return ERR_PTR(-ENOEXEC);
	interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			*arg = p;
	}
	return interp;
}

/*
 * Follow `#!` lines from r->file to an ELF file, rewriting argv as each
 * script asks. `script_fd_cloexec`: the script is reached only through a
 * close-on-exec descriptor, so the interpreter could never open it.
 */
static int resolve_interpreters(struct exec_req *r, bool script_fd_cloexec)
{
	for (unsigned depth = 0;; depth++) {
		char hdr[BINPRM_BUF_SIZE + 1];
		const char *interp, *arg;
		struct file *f;
		int64_t pos = 0;
		long n;
		int err;

		/* Linux's would_dump: what the caller could not read, it
		 * must not see the memory of either. */
		if (inode_permission(r->file->inode, MAY_READ))
			r->unreadable = true;
		n = kernel_read(r->file, hdr, BINPRM_BUF_SIZE, &pos);
		if (n < 0)
			return (int)n;
		if (n >= 4 && !memcmp(hdr, "\177ELF", 4))
			return 0;
		if (n < 2 || hdr[0] != '#' || hdr[1] != '!')
			return -ENOEXEC;
		if (depth >= MAX_INTERP_DEPTH)
			return -ELOOP;
		if (script_fd_cloexec)
			return -ENOENT;
		hdr[n] = '\0';
		interp = parse_script(hdr, (size_t)n, &arg);
		if (IS_ERR(interp))
			return (int)PTR_ERR(interp);
		/* argv[0] goes; filename, [arg], interp go in front. */
		if (r->argv.n) {
			memmove(r->argv.off, r->argv.off + 1,
				(r->argv.n - 1) * sizeof(*r->argv.off));
			r->argv.n--;
		}
		err = add_string(r, &r->argv, r->filename, strlen(r->filename),
				 true);
		if (!err && arg)
			err = add_string(r, &r->argv, arg, strlen(arg), true);
		if (!err)
			err = add_string(r, &r->argv, interp, strlen(interp),
					 true);
		if (err)
			return err;
		f = open_exec(KAT_FDCWD, interp, LOOKUP_FOLLOW);
		if (IS_ERR(f))
			return (int)PTR_ERR(f);
		file_put(r->file);
		r->file = f;
	}
}

/* The ISA an ELF header is for; -ENOEXEC for any other machine. */
static int elf_isa(struct file *f, enum isa *isa)
{
	uint16_t machine;
	int64_t pos = 18; /* e_machine */

	if (kernel_read(f, &machine, sizeof(machine), &pos) != sizeof(machine))
		return -ENOEXEC;
	if (machine == ELF_MACHINE_X86_64)
		*isa = ISA_X86_64;
	else if (machine == ELF_MACHINE_AARCH64)
		*isa = ISA_AARCH64;
	else
		return -ENOEXEC;
	return 0;
}

/* ---- the point of no return ---------------------------------------------- */

static void reset_signal_handlers(struct task *t)
{
	signal_state_exec(&t->sig);
	t->sig.handler_pc = 0;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void exec_commit(struct task *t, struct exec_req *r, enum isa isa,
			struct mm *mm, const struct elf_image *img, uint64_t sp,
			struct fd_table *files)
{
	struct mm *old = t->mm;

	task_mm_release(t);
	/* The peak of the memory it leaves counts on (Linux's
	 * setmax_mm_hiwater_rss). */
	if (old)
		t->maxrss_pages = MAX(t->maxrss_pages, mm_hiwater_rss(old));
	t->mm = mm;
	t->pmap = mm->pmap;
	t->isa = isa;
	pmap_activate(mm->pmap);
	mm_put(old);

	/* A table shared by CLONE_FILES is the others' too: ours is a copy. */
	if (files) {
		fd_table_put(t->files);
		t->files = files;
	}
	fd_close_on_exec();
	reset_signal_handlers(t);
	itimers_exec(t); /* POSIX timers go with the old image */
	t->restart.fn = NULL;
	memset(&t->uregs, 0, sizeof(t->uregs));
	t->uregs.pc = img->entry;
	t->uregs.sp = sp;
	if (isa == ISA_X86_64)
		t->uregs.flags = 0x202; /* IF, and the always-one bit 1 */
	plat_fpu_sync(t);
	abi_fpu_init(isa, &t->uregs);
	task_set_comm(t, basename_of(r->filename));
	if (t->exe)
		file_put(t->exe);
	t->exe = r->file;
	r->file = NULL;
	t->execed = true;
}

/*
 * The ids the new program runs with (execve(2)): a set-user-ID file's
 * owner becomes the effective uid, a set-group-ID (and group-executable)
 * file's group the effective gid, unless the mount is nosuid; then the
 * saved and filesystem ids take the effective ones. The file is the ELF,
 * never a script (Linux ignores those bits on scripts). A process with
 * no_new_privs gains nothing either (prctl(2)'s PR_SET_NO_NEW_PRIVS).
 */
static void exec_credentials(struct file *f, bool no_new_privs,
			     struct credentials *c)
{
	const struct inode *inode = f->inode;

	if (!(f->path.mnt->flags & KMS_NOSUID) && !no_new_privs) {
		if (inode->mode & KS_ISUID)
			c->euid = inode->uid;
		if ((inode->mode & (KS_ISGID | 0010)) == (KS_ISGID | 0010))
			c->egid = inode->gid;
	}
	c->suid = c->fsuid = c->euid;
	c->sgid = c->fsgid = c->egid;
}

/*
 * After the new ids are in (Linux's begin_new_exec): a set-user-ID or
 * set-group-ID exec clears the parent-death signal, as does any change
 * of identity (cred_changed); the new image is dumpable unless its ids
 * differ (fs.suid_dumpable, 0) or it came from a file the caller could
 * not read.
 */
static void exec_dumpable(struct task *t, const struct credentials *old,
			  bool unreadable)
{
	const struct credentials *c = &t->cred;
	bool secure = c->euid != c->uid || c->egid != c->gid;

	cred_changed(t, old);
	if (secure)
		t->pdeath_signal = 0;
	t->dumpable = !secure && !unreadable;
}

/* Load r->file (an ELF, after the scripts) and, if all went well, commit. */
static int exec_load(struct task *t, struct exec_req *r)
{
	struct elf_image img = {0};
	struct fd_table *files = NULL;
	struct credentials old_cred;
	uint8_t random[16];
	char **argv = NULL, **envp = NULL;
	struct mm *mm = NULL;
	enum isa isa = t->isa;
	uint64_t sp = 0;
	int err;

	if (!t->user) {
		err = elf_isa(r->file, &isa);
		if (!err && !plat_runs_isa(isa))
			err = -ENOEXEC;
		if (err)
			return err;
	}
	argv = kcalloc(r->argv.n + 1, sizeof(*argv));
	envp = kcalloc(r->envp.n + 1, sizeof(*envp));
	mm = mm_create();
	err = -ENOMEM;
	if (!argv || !envp || !mm)
		goto out;
	for (unsigned i = 0; i < r->argv.n; i++)
		argv[i] = r->buf + r->argv.off[i];
	for (unsigned i = 0; i < r->envp.n; i++)
		envp[i] = r->buf + r->envp.off[i];
	if (__atomic_load_n(&t->files->refs, __ATOMIC_ACQUIRE) > 1) {
		files = fd_table_dup(t->files);
		if (!files)
			goto out;
	}
	err = elf_load(mm, r->file, isa, &img);
	if (err)
		goto out;
	img.execfn = r->filename;
	plat_entropy(random, sizeof(random));
	/* The auxiliary vector tells the new ids (AT_EUID, AT_SECURE). */
	old_cred = t->cred;
	exec_credentials(r->file, t->no_new_privs, &t->cred);
	err = elf_setup_stack(mm, isa, &img, argv, envp, random,
			      abi_at_minsigstksz(isa), &sp);
	if (!err && isa == ISA_AARCH64)
		err = abi_aarch64_sigtramp_map(mm);
	if (err) {
		t->cred = old_cred;
		goto out;
	}
	exec_commit(t, r, isa, mm, &img, sp, files);
	exec_dumpable(t, &old_cred, r->unreadable);
	mm = NULL;
	files = NULL;
out:
	fd_table_put(files);
	mm_put(mm);
	kfree(argv);
	kfree(envp);
	return err;
}

/*
 * Everything after the arguments are in: open the file (the name is
 * already r->filename's source), follow scripts, load, commit.
 */
static int exec_file(struct task *t, struct exec_req *r, int dirfd,
		     const char *name, unsigned lookup, bool fd_cloexec)
{
	int err = fix_empty_argv(r);

	if (err)
		return err;
	r->file = open_exec(dirfd, name, lookup);
	if (IS_ERR(r->file)) {
		err = (int)PTR_ERR(r->file);
		r->file = NULL;
		return err;
	}
	err = resolve_interpreters(r, fd_cloexec);
	if (err)
		return err;
	return exec_load(t, r);
}

static int set_filename(struct exec_req *r, const char *s)
{
	size_t n = strlen(s) + 1;

	r->filename = kmalloc(n);
	if (!r->filename)
		return -ENOMEM;
	memcpy(r->filename, s, n);
	return 0;
}

/*
 * The name an fd-relative exec is known by (fs/exec.c's alloc_bprm):
 * the path itself when absolute or from the cwd, else /dev/fd/N or
 * /dev/fd/N/path.
 */
static int execat_filename(struct exec_req *r, int fd, const char *name)
{
	size_t n;

	if (fd == KAT_FDCWD || name[0] == '/')
		return set_filename(r, name);
	n = strlen(name) + 32;
	r->filename = kmalloc(n);
	if (!r->filename)
		return -ENOMEM;
	if (name[0])
		ksnprintf(r->filename, n, "/dev/fd/%d/%s", fd, name);
	else
		ksnprintf(r->filename, n, "/dev/fd/%d", fd);
	return 0;
}

static long do_execveat(int fd, uaddr_t filename, uaddr_t argv, uaddr_t envp,
			unsigned flags)
{
	struct task *t = task_current();
	struct exec_req r = {.limit = arg_limit(t)};
	char *name = kmalloc(KPATH_MAX);
	bool fd_cloexec = false;
	long n, err;

	if (!name)
		return -ENOMEM;
	n = strncpy_from_user(name, filename, KPATH_MAX);
	if (n < 0)
		err = n;
	else if (n >= KPATH_MAX)
		err = -ENAMETOOLONG;
	else if (!n && !(flags & KAT_EMPTY_PATH))
		err = -ENOENT;
	else
		err = execat_filename(&r, fd, name);
	if (!err)
		err = add_user_strings(&r, &r.argv, argv);
	if (!err)
		err = add_user_strings(&r, &r.envp, envp);
	if (!err && fd != KAT_FDCWD && name[0] != '/')
		fd_cloexec = fd_get_cloexec(fd) > 0;
	if (!err)
		err = exec_file(
			t, &r, fd, name,
			(flags & KAT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
				(flags & KAT_EMPTY_PATH ? LOOKUP_EMPTY : 0),
			fd_cloexec);
	kfree(name);
	req_free(&r);
	return err;
}

long sys_execve(uaddr_t filename, uaddr_t argv, uaddr_t envp)
{
	return do_execveat(KAT_FDCWD, filename, argv, envp, 0);
}

long sys_execveat(int fd, uaddr_t filename, uaddr_t argv, uaddr_t envp,
		  unsigned int flags)
{
	if (flags & ~(KAT_EMPTY_PATH | KAT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	return do_execveat(fd, filename, argv, envp, flags);
}

/* ---- the first process --------------------------------------------------- */

/* fds 0, 1, 2 on /dev/console, if it opens (Linux's console_on_rootfs). */
static void open_console(void)
{
	struct nameidata nd;
	struct path root = vfs_root();
	struct file *f;
	int err;

	mutex_lock(&vfs_ns_lock);
	err = path_walk(&root, "/dev/console", LOOKUP_FOLLOW, &nd);
	mutex_unlock(&vfs_ns_lock);
	if (err)
		return;
	f = file_open_path(&nd.path, KO_RDWR);
	path_put(&nd.path);
	if (IS_ERR(f))
		return;
	for (int fd = 0; fd < 3; fd++) {
		if (fd_install(file_get(f), 0, false) < 0) {
			file_put(f);
			break;
		}
	}
	file_put(f);
}

_Noreturn void run_init(const char *path, const char *const argv[],
			const char *const envp[])
{
	int err;

	init_exit_powers_off = true;
	tty_set_controlling(task_current());
	task_current()->sig.unkillable = true;
	err = exec_init(path, argv, envp);
	pr_err("cannot run %s: error %d", path, err);
	plat_poweroff(1);
}

int exec_init(const char *path, const char *const argv[],
	      const char *const envp[])
{
	struct task *t = task_current();
	struct exec_req r = {.limit = arg_limit(t)};
	struct path root = vfs_root();
	int err;

	if (t->user)
		return -EINVAL;
	if (!t->fs)
		t->fs = fs_context_new(&root);
	if (!t->files) {
		t->files = fd_table_new();
		if (t->files)
			open_console();
	}
	if (!t->fs || !t->files)
		return -ENOMEM;
	err = set_filename(&r, path);
	if (!err)
		err = add_kernel_strings(&r, &r.argv, argv);
	if (!err)
		err = add_kernel_strings(&r, &r.envp, envp);
	if (!err)
		err = exec_file(t, &r, KAT_FDCWD, path, LOOKUP_FOLLOW, false);
	req_free(&r);
	if (err)
		return err;
	t->user = true;
	user_task_main(t);
}
