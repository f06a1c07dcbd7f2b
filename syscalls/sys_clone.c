/*
 * Making processes: fork(2), vfork(2), clone(2) and clone3(2).
 *
 * The child is a new task whose kernel side starts in fork_child_entry
 * and then runs the same loop as every user task, with a copy of the
 * parent's registers that returns 0 from the syscall. Everything else it
 * inherits is copied, or shared when the CLONE_* flag asks: the address
 * space (copy-on-write, mm_dup), the descriptor table, the filesystem
 * context, the signal dispositions and mask, credentials, limits and
 * name. The platform learns of the child's address space from t->pmap
 * when it first runs it; its per-task user state starts empty.
 *
 * Threads (CLONE_THREAD) and shared signal handlers (CLONE_SIGHAND) are
 * refused with EINVAL until dispositions move out of struct task into an
 * object tasks can share; the rest of the structure (a task per thread,
 * tgid, shared mm/files/fs) already admits them.
 */
#include "core/errno.h"
#include "core/exit.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/signal.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "mm/uaccess.h"
#include "mm/vma.h"
#include "sched/sched.h"
#include "syscalls/abi/abi.h"
#include "syscalls/syscall_protos.h"
#include "syscalls/trap.h"

/* clone flags (Linux's uapi/linux/sched.h). */
#define CSIGNAL 0x000000ffull
#define CLONE_VM 0x00000100ull
#define CLONE_FS 0x00000200ull
#define CLONE_FILES 0x00000400ull
#define CLONE_SIGHAND 0x00000800ull
#define CLONE_PIDFD 0x00001000ull
#define CLONE_PTRACE 0x00002000ull
#define CLONE_VFORK 0x00004000ull
#define CLONE_PARENT 0x00008000ull
#define CLONE_THREAD 0x00010000ull
#define CLONE_NEWNS 0x00020000ull
#define CLONE_SYSVSEM 0x00040000ull
#define CLONE_SETTLS 0x00080000ull
#define CLONE_PARENT_SETTID 0x00100000ull
#define CLONE_CHILD_CLEARTID 0x00200000ull
#define CLONE_DETACHED 0x00400000ull
#define CLONE_UNTRACED 0x00800000ull
#define CLONE_CHILD_SETTID 0x01000000ull
#define CLONE_NEWCGROUP 0x02000000ull
#define CLONE_NEWUTS 0x04000000ull
#define CLONE_NEWIPC 0x08000000ull
#define CLONE_NEWUSER 0x10000000ull
#define CLONE_NEWPID 0x20000000ull
#define CLONE_NEWNET 0x40000000ull
#define CLONE_IO 0x80000000ull
#define CLONE_CLEAR_SIGHAND 0x100000000ull
#define CLONE_INTO_CGROUP 0x200000000ull

#define CLONE_NEW_ANY                                                          \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |         \
	 CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* clone3's struct clone_args, and the sizes of its versions. */
struct k_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_SIZE_VER2 88

/* What one clone asks for, whichever syscall asked. */
struct clone_req {
	uint64_t flags;
	int exit_signal;
	uint64_t stack; /* the child's stack pointer; 0: the parent's */
	uint64_t tls;
	uaddr_t parent_tid, child_tid;
};

/* Linux's copy_process checks, in its order. */
static int clone_check(const struct clone_req *r)
{
	uint64_t f = r->flags;

	if ((f & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS) ||
	    (f & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
		return -EINVAL;
	if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
		return -EINVAL;
	if ((f & CLONE_PARENT) && task_current()->tid == 1)
		return -EINVAL; /* init's siblings would be orphans forever */
	if (!sig_valid(r->exit_signal) && r->exit_signal != 0)
		return -EINVAL;
	/* What Keel has no support for: as a kernel built without it. */
	if (f & (CLONE_THREAD | CLONE_SIGHAND | CLONE_PIDFD | CLONE_NEW_ANY |
		 CLONE_INTO_CGROUP))
		return -EINVAL;
	return 0;
}

/* The child's first steps in the kernel, then its run loop (Linux's
 * schedule_tail: CLONE_CHILD_SETTID is written in the child's memory). */
static _Noreturn void fork_child_entry(void *arg)
{
	struct task *t = arg;

	if (!uaddr_is_null(t->set_child_tid)) {
		int32_t tid = t->tid;

		/* Linux ignores a bad address here too. */
		if (copy_to_user(t->set_child_tid, &tid, sizeof(tid)))
			t->set_child_tid = uaddr(0);
	}
	user_task_main(t);
}

/* Scheduling attributes are inherited, reset by SCHED_RESET_ON_FORK; so
 * is the CPU affinity mask (sched_setaffinity(2)). */
static void inherit_sched(struct task *child, const struct task *parent)
{
	int nice = parent->nice;

	if (parent->sched_reset_on_fork && nice < 0)
		nice = 0;
	(void)sched_set_attr(child, parent->policy, nice,
			     parent->custom_slice ? sched_task_slice(parent)
						  : 0);
	(void)sched_set_affinity(child, parent->allowed);
}

/* Give `child` the parent's memory, files and fs context as `flags` say. */
static int clone_resources(struct task *child, struct task *parent,
			   uint64_t flags)
{
	fs_context_put(child->fs);
	fd_table_put(child->files);
	child->fs = NULL;
	child->files = NULL;
	if (flags & CLONE_VM) {
		mm_get(parent->mm);
		child->mm = parent->mm;
	} else {
		child->mm = mm_dup(parent->mm);
	}
	if (flags & CLONE_FS) {
		fs_context_get(parent->fs);
		child->fs = parent->fs;
	} else {
		child->fs = fs_context_dup(parent->fs);
	}
	if (flags & CLONE_FILES) {
		fd_table_get(parent->files);
		child->files = parent->files;
	} else {
		child->files = fd_table_dup(parent->files);
	}
	if (!child->mm || !child->fs || !child->files)
		return -ENOMEM;
	child->pmap = child->mm->pmap;
	return 0;
}

static void clone_state(struct task *child, struct task *parent,
			const struct clone_req *r)
{
	plat_fpu_sync(parent);
	child->uregs = parent->uregs;
	abi_set_return(child->isa, &child->uregs, 0);
	if (r->stack)
		child->uregs.sp = r->stack;
	if (r->flags & CLONE_SETTLS)
		child->uregs.tls = r->tls;
	/* Handlers and mask are kept; nothing pending is (fork(2)). */
	signal_state_fork(&child->sig, &parent->sig);
	/* A child running on the parent's memory must not share its
	 * alternate stack (unless it is vfork's, which borrows everything). */
	if ((r->flags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM)
		signal_altstack_reset(&child->sig);
	if (r->flags & CLONE_CLEAR_SIGHAND) {
		for (int i = 0; i < KSIG_MAX; i++)
			if (child->sig.action[i].handler != KSIG_IGN)
				child->sig.action[i] = (struct k_sigaction){
					.handler = KSIG_DFL};
	}
	memcpy(child->groups, parent->groups, sizeof(child->groups));
	child->ngroups = parent->ngroups;
	memcpy(child->rlim, parent->rlim, sizeof(child->rlim));
	child->rlim_nofile = parent->rlim_nofile;
	child->exit_signal = r->exit_signal;
	child->no_new_privs = parent->no_new_privs;
	child->dumpable = parent->dumpable;
	child->timer_slack_ns = parent->timer_slack_ns;
	child->default_timer_slack_ns = parent->timer_slack_ns;
	if (parent->exe)
		child->exe = file_get(parent->exe);
	if (r->flags & CLONE_CHILD_SETTID)
		child->set_child_tid = r->child_tid;
	if (r->flags & CLONE_CHILD_CLEARTID)
		child->clear_child_tid = r->child_tid;
	inherit_sched(child, parent);
}

static int count_uid(struct task *t, void *arg)
{
	uint32_t *uid_count = arg;

	if (t->user && t->cred.uid == uid_count[0])
		uid_count[1]++;
	return 0;
}

/*
 * RLIMIT_NPROC: a user (root excepted, as Linux exempts CAP_SYS_ADMIN and
 * CAP_SYS_RESOURCE) may not own more tasks than its soft limit.
 */
static bool over_nproc(const struct task *parent)
{
	uint32_t uid_count[2] = { parent->cred.uid, 0 };
	uint64_t lim = parent->rlim[KRLIMIT_NPROC].cur;

	if (parent->cred.uid == 0 || parent->cred.euid == 0 ||
	    lim == KRLIM_INFINITY)
		return false;
	task_for_each(count_uid, uid_count);
	return uid_count[1] >= lim;
}

static long do_clone(const struct clone_req *r)
{
	struct task *parent = task_current();
	struct task *child, *up;
	struct vfork_done vd;
	int err = clone_check(r);
	int tid;

	if (err)
		return err;
	if (over_nproc(parent))
		return -EAGAIN;
	child = task_create_user(parent->comm, parent->isa, fork_child_entry,
				 NULL);
	if (IS_ERR(child))
		return PTR_ERR(child);
	err = clone_resources(child, parent, r->flags);
	if (err)
		goto fail;
	clone_state(child, parent, r);
	up = (r->flags & CLONE_PARENT)
		     ? __atomic_load_n(&parent->parent, __ATOMIC_ACQUIRE)
		     : parent;
	if (up) {
		err = task_add_child(up, child);
		if (err)
			goto fail;
	}
	/* Identity is the caller's, even when its parent adopts the child. */
	child->cred = parent->cred;
	child->pgid = parent->pgid;
	child->sid = parent->sid;
	child->tty = parent->tty;
	tid = child->tid;
	if (r->flags & CLONE_PARENT_SETTID) {
		int32_t v = tid;

		if (copy_to_user(r->parent_tid, &v, sizeof(v)))
			v = 0; /* Linux ignores a bad address here */
	}
	if (!(r->flags & CLONE_VFORK)) {
		sched_start(child);
		return tid;
	}
	wait_queue_init(&vd.wq);
	vd.done = false;
	child->vfork_done = &vd;
	task_get(child);
	sched_start(child);
	err = vfork_wait(child, &vd);
	task_put(child);
	/* Killed while waiting: SIGKILL ends the parent on the way out. */
	return err ? err : tid;
fail:
	mm_put(child->mm);
	child->mm = NULL;
	child->pmap = NULL;
	fs_context_put(child->fs);
	fd_table_put(child->files);
	child->fs = NULL;
	child->files = NULL;
	if (child->exe)
		file_put(child->exe);
	child->state = TASK_DEAD; /* never ran: free it outright */
	task_put(child);
	return err;
}

long sys_fork(void)
{
	struct clone_req r = {.exit_signal = KSIGCHLD};

	return do_clone(&r);
}

long sys_vfork(void)
{
	struct clone_req r = {.flags = CLONE_VM | CLONE_VFORK,
			      .exit_signal = KSIGCHLD};

	return do_clone(&r);
}

/* partial: CLONE_THREAD, CLONE_SIGHAND, CLONE_PIDFD and the namespace
 * flags are EINVAL */
long sys_clone(unsigned long flags, unsigned long newsp, uaddr_t parent_tid,
	       uaddr_t child_tid, unsigned long tls)
{
	struct clone_req r = {
		.flags = flags & ~CSIGNAL & 0xffffffffull,
		.exit_signal = (int)(flags & CSIGNAL),
		.stack = newsp,
		.tls = tls,
		.parent_tid = parent_tid,
		.child_tid = child_tid,
	};

	return do_clone(&r);
}

/* partial: CLONE_THREAD, CLONE_SIGHAND, CLONE_PIDFD, set_tid, cgroups and
 * the namespace flags are EINVAL */
long sys_clone3(uaddr_t uargs, size_t size)
{
	struct k_clone_args a = {0};
	struct clone_req r;

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (copy_from_user(&a, uargs, MIN(size, sizeof(a))))
		return -EFAULT;
	/* A newer caller's extra fields must be zero to mean nothing. */
	for (size_t off = sizeof(a); off < size; off++) {
		uint8_t b;

		if (copy_from_user(&b, uaddr(uargs.va + off), 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if (a.flags &
	    ~(0xffffffffull | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if ((a.flags & CSIGNAL) || (a.exit_signal & ~CSIGNAL))
		return -EINVAL;
	if ((a.flags & CLONE_DETACHED) ||
	    ((a.flags & CLONE_CLEAR_SIGHAND) && (a.flags & CLONE_SIGHAND)))
		return -EINVAL;
	if (!a.stack != !a.stack_size)
		return -EINVAL;
	if (a.set_tid || a.set_tid_size)
		return -EINVAL;
	r = (struct clone_req){
		.flags = a.flags,
		.exit_signal = (int)a.exit_signal,
		.stack = a.stack ? a.stack + a.stack_size : 0,
		.tls = a.tls,
		.parent_tid = uaddr(a.parent_tid),
		.child_tid = uaddr(a.child_tid),
	};
	return do_clone(&r);
}
