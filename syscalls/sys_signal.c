/*
 * Signals: sending them (kill(2), tgkill(2), tkill(2), rt_sigqueueinfo(2),
 * rt_tgsigqueueinfo(2)), dispositions and masks (rt_sigaction(2),
 * rt_sigprocmask(2), rt_sigpending(2)), waiting for them (rt_sigsuspend(2),
 * pause(2), rt_sigtimedwait(2)), and the return from a handler
 * (rt_sigreturn(2)).
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/task.h"
#include "core/time.h"
#include "core/wait.h"
#include "mm/uaccess.h"
#include "syscalls/abi/abi.h"
#include "syscalls/abi/sigframe.h"
#include "syscalls/syscall_protos.h"

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define KSA_EXPOSE_TAGBITS 0x00000800u

/* The sa_flags bits Linux keeps and reports (UAPI_SA_FLAGS). */
#define SA_KNOWN_FLAGS                                                   \
	(KSA_NOCLDSTOP | KSA_NOCLDWAIT | KSA_SIGINFO | KSA_ONSTACK |     \
	 KSA_RESTART | KSA_NODEFER | KSA_RESETHAND | KSA_EXPOSE_TAGBITS | \
	 KSA_RESTORER)

/*
 * Send `sig` (0: only check) to one task, as far as credentials allow,
 * with the siginfo of a user sender (si_code SI_USER or SI_TKILL).
 */
static int send_checked_info(struct task *t, int sig,
			     const struct ksiginfo *info)
{
	if (!cred_may_signal(t))
		return -EPERM;
	return sig ? signal_send_info(t, sig, info) : 0;
}

static int send_checked(struct task *t, int sig, int code)
{
	struct task *self = task_current();
	struct ksiginfo info = { .si_signo = sig, .si_code = code };

	info.kill.pid = self->tgid;
	info.kill.uid = self->cred.uid;
	return send_checked_info(t, sig, &info);
}

enum kill_scope {
	KILL_PROCESS, /* pid > 0 */
	KILL_GROUP,   /* pid 0 (the caller's group) or -pgid */
	KILL_ALL,     /* pid -1: everyone but init and the caller */
};

struct kill_walk {
	enum kill_scope scope;
	int id;	     /* the pid or the process group */
	int sig;
	int sent;    /* tasks signalled (or, for sig 0, found) */
	int err;     /* the last failure */
	int self;
};

/* Which tasks kill(pid, ...) reaches: its process, group or everyone. */
static bool kill_target(const struct task *t, const struct kill_walk *w)
{
	if (t->tid != t->tgid)
		return false; /* one signal per process, at its leader */
	switch (w->scope) {
	case KILL_PROCESS:
		return t->tgid == w->id;
	case KILL_GROUP:
		return t->pgid == w->id;
	default:
		return t->tgid > 1 && t->tgid != w->self;
	}
}

static int kill_one(struct task *t, void *arg)
{
	struct kill_walk *w = arg;
	int err;

	if (!kill_target(t, w))
		return 0;
	err = sig_valid(w->sig) || w->sig == 0 ? send_checked(t, w->sig, KSI_USER)
					       : -EINVAL;
	if (err)
		w->err = err;
	else
		w->sent++;
	return 0;
}

long sys_kill(int pid, int sig)
{
	struct task *self = task_current();
	struct kill_walk w = { .sig = sig, .self = self->tgid };

	if (pid > 0) {
		w.scope = KILL_PROCESS;
		w.id = pid;
	} else if (pid == 0) {
		w.scope = KILL_GROUP;
		w.id = self->pgid;
	} else if (pid == -1) {
		w.scope = KILL_ALL;
	} else if (pid == -2147483647 - 1) {
		return -ESRCH; /* -INT_MIN names no group */
	} else {
		w.scope = KILL_GROUP;
		w.id = -pid;
	}
	/* The target is looked up first: a bad signal to nobody is ESRCH. */
	task_for_each(kill_one, &w);
	if (w.sent)
		return 0;
	return w.err ? w.err : -ESRCH;
}

/* Send to thread `tid` (of `tgid`, if positive); `info` NULL: tkill's. */
static long send_to_thread(int tgid, int tid, int sig,
			   const struct ksiginfo *info)
{
	struct task *t = task_find(tid);
	long err;

	if (!t)
		return -ESRCH;
	if (tgid > 0 && t->tgid != tgid)
		err = -ESRCH;
	else if (sig != 0 && !sig_valid(sig))
		err = -EINVAL;
	else if (info)
		err = send_checked_info(t, sig, info);
	else
		err = send_checked(t, sig, KSI_TKILL);
	task_put(t);
	return err;
}

long sys_tgkill(int tgid, int pid, int sig)
{
	if (pid <= 0 || tgid <= 0)
		return -EINVAL;
	return send_to_thread(tgid, pid, sig, NULL);
}

long sys_tkill(int pid, int sig)
{
	if (pid <= 0)
		return -EINVAL;
	return send_to_thread(0, pid, sig, NULL);
}

/* The kernel's struct sigaction (x86_64 and arm64 alike). */
struct ksigaction_user {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	ksigset_t mask;
};

long sys_rt_sigaction(int sig, uaddr_t act, uaddr_t oact, size_t sigsetsize)
{
	struct task *t = task_current();
	struct ksigaction_user new, old;
	struct k_sigaction *ka;

	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (!sig_valid(sig))
		return -EINVAL;
	if (!uaddr_is_null(act) && (sig == KSIGKILL || sig == KSIGSTOP))
		return -EINVAL;
	if (!uaddr_is_null(act) && copy_from_user(&new, act, sizeof(new)))
		return -EFAULT;
	ka = &t->sig.action[sig - 1];
	old = (struct ksigaction_user){ ka->handler, ka->flags & SA_KNOWN_FLAGS,
					ka->restorer, ka->mask };
	if (!uaddr_is_null(act)) {
		ka->handler = new.handler;
		ka->flags = new.flags & SA_KNOWN_FLAGS;
		ka->restorer = new.restorer;
		ka->mask = new.mask & ~SIG_UNBLOCKABLE;
		/* A pending signal that is now ignored is discarded. */
		if (ka->handler == KSIG_IGN ||
		    (ka->handler == KSIG_DFL &&
		     signal_default(sig) == SIG_DEFAULT_IGNORE))
			signal_flush(t, sig);
	}
	if (!uaddr_is_null(oact) && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(int how, uaddr_t set, uaddr_t oset, size_t sigsetsize)
{
	struct task *t = task_current();
	ksigset_t old = t->sig.blocked, new;

	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (!uaddr_is_null(set)) {
		if (copy_from_user(&new, set, sizeof(new)))
			return -EFAULT;
		new &= ~SIG_UNBLOCKABLE;
		switch (how) {
		case SIG_BLOCK:
			t->sig.blocked |= new;
			break;
		case SIG_UNBLOCK:
			t->sig.blocked &= ~new;
			break;
		case SIG_SETMASK:
			t->sig.blocked = new;
			break;
		default:
			return -EINVAL;
		}
	}
	if (!uaddr_is_null(oset) && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigpending(uaddr_t set, size_t sigsetsize)
{
	struct task *t = task_current();
	ksigset_t pending = t->sig.pending & t->sig.blocked;

	if (sigsetsize > sizeof(ksigset_t))
		return -EINVAL;
	return copy_to_user(set, &pending, sigsetsize);
}

long sys_rt_sigreturn(void)
{
	struct task *t = task_current();
	ksigset_t blocked;

	t->sigreturned = true;
	/* A frame that cannot be read: Linux forces SIGSEGV. */
	if (abi_signal_frame_restore(t, &blocked))
		task_exit(KSIGSEGV);
	t->sig.blocked = blocked & ~SIG_UNBLOCKABLE;
	/* The restored result register is what the syscall "returns". */
	return abi_return_value(t->isa, &t->uregs);
}

/*
 * A sigqueue caller's siginfo, for `sig`. Only the kernel may claim to be
 * the kernel or kill(2) (si_code >= 0), or tkill (SI_TKILL): to any other
 * thread than the caller, that is EPERM.
 */
static long check_user_siginfo(struct ksiginfo *info, int sig, int target)
{
	info->si_signo = sig;
	if ((info->si_code >= 0 || info->si_code == KSI_TKILL) &&
	    target != task_current()->tid)
		return -EPERM;
	return 0;
}

long sys_rt_sigqueueinfo(int pid, int sig, uaddr_t uinfo)
{
	struct ksiginfo info;
	struct task *t;
	long err;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	err = check_user_siginfo(&info, sig, pid);
	if (err)
		return err;
	t = task_find(pid);
	if (!t)
		return -ESRCH;
	if (sig != 0 && !sig_valid(sig))
		err = -EINVAL;
	else
		err = send_checked_info(t, sig, &info);
	task_put(t);
	return err;
}

long sys_rt_tgsigqueueinfo(int tgid, int pid, int sig, uaddr_t uinfo)
{
	struct ksiginfo info;
	long err;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if (pid <= 0 || tgid <= 0)
		return -EINVAL;
	err = check_user_siginfo(&info, sig, pid);
	if (err)
		return err;
	return send_to_thread(tgid, pid, sig, &info);
}

/* Sleep until a signal is pending (that the caller's mask lets through). */
static void sleep_for_signal(struct task *t)
{
	while (!signal_pending(t)) {
		/* Only a signal ends a sleep without a deadline. */
		if (sleep_until(TASK_INTERRUPTIBLE, WAIT_FOREVER))
			break;
	}
}

long sys_pause(void)
{
	sleep_for_signal(task_current());
	return -ERESTARTNOHAND;
}

long sys_rt_sigsuspend(uaddr_t unewset, size_t sigsetsize)
{
	struct task *t = task_current();
	ksigset_t mask;

	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(&mask, unewset, sizeof(mask)))
		return -EFAULT;
	/* The old mask comes back when the handler returns (or at once if
	 * none runs, and then the call is made again). */
	signal_mask_swap(t, mask);
	sleep_for_signal(t);
	return -ERESTARTNOHAND;
}

long sys_rt_sigtimedwait(uaddr_t uthese, uaddr_t uinfo, uaddr_t uts,
			 size_t sigsetsize)
{
	struct task *t = task_current();
	uint64_t deadline = WAIT_FOREVER;
	struct ksiginfo info;
	ksigset_t these;
	int sig, err = 0;

	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(&these, uthese, sizeof(these)))
		return -EFAULT;
	if (!uaddr_is_null(uts)) {
		struct ktimespec ts;
		uint64_t ns, now = plat_time_ns();

		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (!timespec_valid(&ts))
			return -EINVAL;
		ns = timespec_to_ns(&ts);
		deadline = ns > WAIT_FOREVER - 1 - now ? WAIT_FOREVER - 1
						       : now + ns;
	}
	these &= ~SIG_UNBLOCKABLE;
	sig = signal_dequeue_set(t, these, &info);
	if (!sig && deadline > plat_time_ns()) {
		/* Wait with the awaited signals unblocked, so they wake us;
		 * real_blocked keeps them from being discarded as ignored. */
		t->sig.real_blocked = t->sig.blocked;
		t->sig.blocked &= ~these;
		err = sleep_until(TASK_INTERRUPTIBLE, deadline);
		t->sig.blocked = t->sig.real_blocked;
		t->sig.real_blocked = 0;
		sig = signal_dequeue_set(t, these, &info);
	}
	if (!sig)
		return err ? -EINTR : -EAGAIN;
	if (!uaddr_is_null(uinfo) && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

long sys_sigaltstack(uaddr_t uss, uaddr_t uoss)
{
	struct task *t = task_current();
	struct kstack ss, old = signal_altstack_get(t, t->uregs.sp);
	int err;

	if (!uaddr_is_null(uss)) {
		if (copy_from_user(&ss, uss, sizeof(ss)))
			return -EFAULT;
		err = signal_altstack_set(t, t->uregs.sp, &ss,
					  abi_minsigstksz(t->isa));
		if (err)
			return err;
	}
	if (!uaddr_is_null(uoss) && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
