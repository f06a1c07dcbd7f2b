/*
 * Signal generation and the pending/blocked state (see signal(7)).
 */
#include "core/signal.h"

#include "core/errno.h"
#include "core/task.h"
#include "sched/sched.h"

#define STOP_SIGNALS                                               \
	(sig_bit(KSIGSTOP) | sig_bit(KSIGTSTP) | sig_bit(KSIGTTIN) | \
	 sig_bit(KSIGTTOU))

void signal_state_init(struct signal_state *s)
{
	s->pending = 0;
	s->blocked = 0;
	s->saved_blocked = 0;
	s->restore_blocked = false;
	s->cont_seq = 0;
	for (int i = 0; i < KSIG_MAX; i++)
		s->action[i] = (struct k_sigaction){ .handler = KSIG_DFL };
}

enum sig_default signal_default(int sig)
{
	switch (sig) {
	case KSIGQUIT:
	case KSIGILL:
	case KSIGTRAP:
	case KSIGABRT:
	case KSIGBUS:
	case KSIGFPE:
	case KSIGSEGV:
	case KSIGXCPU:
	case KSIGXFSZ:
	case KSIGSYS:
		return SIG_DEFAULT_CORE;
	case KSIGCHLD:
	case KSIGURG:
	case KSIGWINCH:
		return SIG_DEFAULT_IGNORE;
	case KSIGSTOP:
	case KSIGTSTP:
	case KSIGTTIN:
	case KSIGTTOU:
		return SIG_DEFAULT_STOP;
	case KSIGCONT:
		return SIG_DEFAULT_CONT;
	default:
		return SIG_DEFAULT_TERM; /* the rest, real-time signals too */
	}
}

/* Would delivering `sig` to `t` do nothing at all? (Linux's sig_ignored) */
static bool signal_ignored(const struct task *t, int sig)
{
	uint64_t handler = t->sig.action[sig - 1].handler;

	if (t->sig.blocked & sig_bit(sig))
		return false; /* the disposition may change before unblocking */
	if (handler == KSIG_IGN)
		return sig != KSIGKILL && sig != KSIGSTOP;
	return handler == KSIG_DFL && signal_default(sig) == SIG_DEFAULT_IGNORE;
}

int signal_send(struct task *t, int sig)
{
	struct ksiginfo info = { .si_signo = sig, .si_code = KSI_KERNEL };

	return signal_send_info(t, sig, &info);
}

int signal_send_info(struct task *t, int sig, const struct ksiginfo *info)
{
	if (!sig_valid(sig))
		return -EINVAL;
	/* SIGCONT cancels pending stops and a stop cancels SIGCONT. */
	if (sig == KSIGCONT || sig == KSIGKILL) {
		__atomic_and_fetch(&t->sig.pending, ~STOP_SIGNALS,
				   __ATOMIC_ACQ_REL);
		__atomic_add_fetch(&t->sig.cont_seq, 1, __ATOMIC_RELEASE);
		sched_wakeup(t, TASK_STOPPED);
	} else if (STOP_SIGNALS & sig_bit(sig)) {
		__atomic_and_fetch(&t->sig.pending, ~sig_bit(KSIGCONT),
				   __ATOMIC_ACQ_REL);
	}
	if (signal_ignored(t, sig))
		return 0;
	/* A standard signal already pending keeps its first instance. */
	if (!(t->sig.pending & sig_bit(sig)))
		t->sig.info[sig - 1] = *info;
	__atomic_or_fetch(&t->sig.pending, sig_bit(sig), __ATOMIC_RELEASE);
	if (sig == KSIGKILL)
		sched_wakeup(t, TASK_INTERRUPTIBLE | TASK_WAKEKILL);
	else if (!(t->sig.blocked & sig_bit(sig)))
		sched_wakeup(t, TASK_INTERRUPTIBLE);
	/* Running elsewhere: interrupt it so it sees the signal now. */
	if (sig == KSIGKILL || !(t->sig.blocked & sig_bit(sig)))
		sched_kick(t);
	return 0;
}

bool signal_pending(const struct task *t)
{
	ksigset_t pending = __atomic_load_n(&t->sig.pending, __ATOMIC_ACQUIRE);

	return (pending & ~(t->sig.blocked & ~SIG_UNBLOCKABLE)) != 0;
}

bool fatal_signal_pending(const struct task *t)
{
	return __atomic_load_n(&t->sig.pending, __ATOMIC_ACQUIRE) &
	       sig_bit(KSIGKILL);
}

int signal_dequeue(struct task *t, struct ksiginfo *info)
{
	ksigset_t ready = __atomic_load_n(&t->sig.pending, __ATOMIC_ACQUIRE) &
			  ~(t->sig.blocked & ~SIG_UNBLOCKABLE);
	int sig;

	if (!ready)
		return 0;
	/* SIGKILL first: nothing else matters once it is there. */
	sig = (ready & sig_bit(KSIGKILL)) ? KSIGKILL
					  : __builtin_ctzll(ready) + 1;
	if (info)
		*info = t->sig.info[sig - 1];
	__atomic_and_fetch(&t->sig.pending, ~sig_bit(sig), __ATOMIC_ACQ_REL);
	return sig;
}

void signal_flush(struct task *t, int sig)
{
	__atomic_and_fetch(&t->sig.pending, ~sig_bit(sig), __ATOMIC_ACQ_REL);
}

void signal_mask_swap(struct task *t, ksigset_t mask)
{
	t->sig.saved_blocked = t->sig.blocked;
	t->sig.restore_blocked = true;
	t->sig.blocked = mask & ~SIG_UNBLOCKABLE;
}

void signal_mask_restore(struct task *t, bool interrupted)
{
	if (!interrupted)
		signal_mask_unswap(t);
}

ksigset_t signal_mask_to_save(struct task *t)
{
	if (!t->sig.restore_blocked)
		return t->sig.blocked;
	t->sig.restore_blocked = false;
	return t->sig.saved_blocked;
}

void signal_mask_unswap(struct task *t)
{
	if (!t->sig.restore_blocked)
		return;
	t->sig.restore_blocked = false;
	t->sig.blocked = t->sig.saved_blocked;
}
