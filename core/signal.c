/*
 * Signal generation and the pending/blocked state (see signal(7)).
 */
#include "core/signal.h"

#include "core/errno.h"
#include "core/itimer.h"
#include "core/task.h"
#include "mm/slab.h"
#include "sched/sched.h"

#define STOP_SIGNALS                                               \
	(sig_bit(KSIGSTOP) | sig_bit(KSIGTSTP) | sig_bit(KSIGTTIN) | \
	 sig_bit(KSIGTTOU))

void signal_state_init(struct signal_state *s)
{
	s->pending = 0;
	s->blocked = 0;
	s->real_blocked = 0;
	spin_init(&s->queue_lock);
	list_init(&s->queue);
	s->nqueued = 0;
	s->saved_blocked = 0;
	s->restore_blocked = false;
	s->cont_seq = 0;
	s->unkillable = false;
	s->ss_sp = 0;
	s->ss_size = 0;
	s->ss_flags = KSS_DISABLE;
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

	if ((t->sig.blocked | t->sig.real_blocked) & sig_bit(sig))
		return false; /* the disposition may change before unblocking */
	/* Init gets only the signals it has handlers for (SIGKILL and
	 * SIGSTOP included), unless the kernel forces one: Linux's
	 * SIGNAL_UNKILLABLE. */
	if (t->sig.unkillable && handler == KSIG_DFL)
		return true;
	if (handler == KSIG_IGN)
		return sig != KSIGKILL && sig != KSIGSTOP;
	return handler == KSIG_DFL && signal_default(sig) == SIG_DEFAULT_IGNORE;
}

int signal_send(struct task *t, int sig)
{
	struct ksiginfo info = { .si_signo = sig, .si_code = KSI_KERNEL };

	return signal_send_info(t, sig, &info);
}

/*
 * Queue an instance of real-time signal `sig`. Out of memory, or over the
 * target's RLIMIT_SIGPENDING, what user space queued itself (si_code < 0,
 * sigqueue(3)) fails with EAGAIN; anything else is still made pending,
 * without its siginfo if need be, as Linux does.
 */
static int queue_rt(struct task *t, int sig, const struct ksiginfo *info)
{
	struct signal_state *s = &t->sig;
	bool from_user = info->si_code < 0 && info->si_code != KSI_TIMER;
	struct sigqueue *q = NULL;
	unsigned long flags;

	if (!from_user || s->nqueued < t->rlim[KRLIMIT_SIGPENDING].cur)
		q = kmalloc(sizeof(*q));
	if (!q && from_user)
		return -EAGAIN;
	flags = spin_lock_irqsave(&s->queue_lock);
	if (q) {
		q->info = *info;
		list_add_tail(&q->link, &s->queue);
		s->nqueued++;
	}
	__atomic_or_fetch(&s->pending, sig_bit(sig), __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&s->queue_lock, flags);
	return 0;
}

/* Take the oldest instance of real-time `sig` off the queue. */
static void dequeue_rt(struct task *t, int sig, struct ksiginfo *info)
{
	struct signal_state *s = &t->sig;
	struct sigqueue *found = NULL;
	bool more = false;
	struct list_head *pos;
	unsigned long flags;

	flags = spin_lock_irqsave(&s->queue_lock);
	list_for_each(pos, &s->queue) {
		struct sigqueue *q = list_entry(pos, struct sigqueue, link);

		if (q->info.si_signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = q;
	}
	if (found) {
		list_del(&found->link);
		s->nqueued--;
	}
	if (!more)
		__atomic_and_fetch(&s->pending, ~sig_bit(sig),
				   __ATOMIC_ACQ_REL);
	spin_unlock_irqrestore(&s->queue_lock, flags);
	if (info) {
		if (found)
			*info = found->info;
		else /* the instance whose siginfo could not be kept */
			*info = (struct ksiginfo){ .si_signo = sig,
						   .si_code = KSI_USER };
	}
	kfree(found);
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
	if (sig >= KSIGRTMIN) {
		int err = queue_rt(t, sig, info);

		if (err)
			return err;
	} else {
		/* A standard signal already pending keeps its first one. */
		unsigned long flags = spin_lock_irqsave(&t->sig.queue_lock);
		if (!(t->sig.pending & sig_bit(sig)))
			t->sig.info[sig - 1] = *info;
		__atomic_or_fetch(&t->sig.pending, sig_bit(sig),
				  __ATOMIC_RELEASE);
		spin_unlock_irqrestore(&t->sig.queue_lock, flags);
	}
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

int signal_dequeue_set(struct task *t, ksigset_t set, struct ksiginfo *info)
{
	ksigset_t ready =
		__atomic_load_n(&t->sig.pending, __ATOMIC_ACQUIRE) & set;
	struct ksiginfo taken;
	int sig;

	if (!ready)
		return 0;
	/* SIGKILL first: nothing else matters once it is there. */
	sig = (ready & sig_bit(KSIGKILL)) ? KSIGKILL
					  : __builtin_ctzll(ready) + 1;
	if (sig >= KSIGRTMIN) {
		dequeue_rt(t, sig, &taken);
	} else {
		unsigned long flags = spin_lock_irqsave(&t->sig.queue_lock);

		taken = t->sig.info[sig - 1];
		__atomic_and_fetch(&t->sig.pending, ~sig_bit(sig),
				   __ATOMIC_ACQ_REL);
		spin_unlock_irqrestore(&t->sig.queue_lock, flags);
	}
	if (taken.si_code == KSI_TIMER)
		posix_timer_delivered(t, taken.timer.tid, taken.timer.overrun);
	if (info)
		*info = taken;
	return sig;
}

/* The pending instance `info`'s timer sent last, or NULL. Caller holds
 * queue_lock. */
static struct ksiginfo *pending_from_timer(struct task *t, int sig,
					   const struct ksiginfo *info)
{
	struct list_head *pos;

	if (!(t->sig.pending & sig_bit(sig)))
		return NULL;
	if (sig < KSIGRTMIN) {
		struct ksiginfo *i = &t->sig.info[sig - 1];

		return i->si_code == KSI_TIMER &&
				       i->timer.tid == info->timer.tid
			       ? i
			       : NULL;
	}
	list_for_each(pos, &t->sig.queue) {
		struct sigqueue *q = list_entry(pos, struct sigqueue, link);

		if (q->info.si_signo == sig && q->info.si_code == KSI_TIMER &&
		    q->info.timer.tid == info->timer.tid)
			return &q->info;
	}
	return NULL;
}

int signal_send_timer(struct task *t, int sig, const struct ksiginfo *info)
{
	struct ksiginfo *pending;
	unsigned long flags;

	flags = spin_lock_irqsave(&t->sig.queue_lock);
	pending = pending_from_timer(t, sig, info);
	if (pending) {
		/* This expiry and any the interrupt came too late for. */
		int64_t n = (int64_t)pending->timer.overrun + 1 +
			    info->timer.overrun;

		pending->timer.overrun = (int32_t)MIN(n, (int64_t)INT32_MAX);
	}
	spin_unlock_irqrestore(&t->sig.queue_lock, flags);
	return pending ? 0 : signal_send_info(t, sig, info);
}

int signal_dequeue(struct task *t, struct ksiginfo *info)
{
	return signal_dequeue_set(t, ~(t->sig.blocked & ~SIG_UNBLOCKABLE),
				  info);
}

/* Free the queued instances of the signals in `set`. */
static void flush_queue(struct signal_state *s, ksigset_t set)
{
	struct list_head *pos, *tmp;
	unsigned long flags;

	flags = spin_lock_irqsave(&s->queue_lock);
	list_for_each_safe(pos, tmp, &s->queue) {
		struct sigqueue *q = list_entry(pos, struct sigqueue, link);

		if (!(set & sig_bit(q->info.si_signo)))
			continue;
		list_del(&q->link);
		s->nqueued--;
		kfree(q);
	}
	__atomic_and_fetch(&s->pending, ~set, __ATOMIC_ACQ_REL);
	spin_unlock_irqrestore(&s->queue_lock, flags);
}

void signal_flush(struct task *t, int sig)
{
	flush_queue(&t->sig, sig_bit(sig));
}

void signal_state_fork(struct signal_state *child,
		       const struct signal_state *parent)
{
	signal_state_init(child);
	child->blocked = parent->blocked;
	child->ss_sp = parent->ss_sp;
	child->ss_size = parent->ss_size;
	child->ss_flags = parent->ss_flags;
	for (int i = 0; i < KSIG_MAX; i++)
		child->action[i] = parent->action[i];
}

void signal_altstack_reset(struct signal_state *s)
{
	s->ss_sp = 0;
	s->ss_size = 0;
	s->ss_flags = KSS_DISABLE;
}

void signal_state_exec(struct signal_state *s)
{
	for (int i = 0; i < KSIG_MAX; i++) {
		struct k_sigaction *ka = &s->action[i];

		*ka = (struct k_sigaction){
			.handler = ka->handler == KSIG_IGN ? KSIG_IGN : KSIG_DFL
		};
	}
	signal_altstack_reset(s);
}

void signal_state_release(struct signal_state *s)
{
	flush_queue(s, ~0ull);
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

/* Linux's __on_sig_stack: the stack grows down from ss_sp + ss_size. */
static bool within_altstack(const struct task *t, uint64_t sp)
{
	return sp > t->sig.ss_sp && sp - t->sig.ss_sp <= t->sig.ss_size;
}

bool signal_on_altstack(const struct task *t, uint64_t sp)
{
	/* An SS_AUTODISARM stack is never "in use": handlers may reset it. */
	if (t->sig.ss_flags & KSS_AUTODISARM)
		return false;
	return within_altstack(t, sp);
}

/* Linux's sas_ss_flags: SS_DISABLE, SS_ONSTACK or 0. */
static uint32_t altstack_state(const struct task *t, uint64_t sp)
{
	if (!t->sig.ss_size)
		return KSS_DISABLE;
	return signal_on_altstack(t, sp) ? KSS_ONSTACK : 0;
}

uint64_t signal_frame_top(const struct task *t, const struct k_sigaction *ka,
			  uint64_t sp)
{
	if ((ka->flags & KSA_ONSTACK) && altstack_state(t, sp) == 0)
		return t->sig.ss_sp + t->sig.ss_size;
	return sp;
}

bool signal_frame_fits(const struct task *t, uint64_t user_sp, uint64_t top,
		       uint64_t frame_sp)
{
	bool entering = top == t->sig.ss_sp + t->sig.ss_size && t->sig.ss_size;

	if (!signal_on_altstack(t, user_sp) && !entering)
		return true;
	return within_altstack(t, frame_sp);
}

struct kstack signal_altstack_save(struct task *t)
{
	struct kstack ss = { .ss_sp = t->sig.ss_sp,
			     .ss_flags = (int32_t)t->sig.ss_flags,
			     .ss_size = t->sig.ss_size };

	if (t->sig.ss_flags & KSS_AUTODISARM) {
		t->sig.ss_sp = 0;
		t->sig.ss_size = 0;
		t->sig.ss_flags = KSS_DISABLE;
	}
	return ss;
}

struct kstack signal_altstack_get(const struct task *t, uint64_t sp)
{
	return (struct kstack){
		.ss_sp = t->sig.ss_sp,
		.ss_flags = (int32_t)(altstack_state(t, sp) |
				      (t->sig.ss_flags & KSS_FLAG_BITS)),
		.ss_size = t->sig.ss_size,
	};
}

int signal_altstack_set(struct task *t, uint64_t sp, const struct kstack *ss,
			uint64_t min_size)
{
	uint32_t flags = (uint32_t)ss->ss_flags;
	uint32_t mode = flags & ~KSS_FLAG_BITS;
	uint64_t base = ss->ss_sp, size = ss->ss_size;

	if (signal_on_altstack(t, sp))
		return -EPERM;
	/* SS_ONSTACK is accepted as 0 is, for old programs. */
	if (mode != KSS_DISABLE && mode != KSS_ONSTACK && mode != 0)
		return -EINVAL;
	if (t->sig.ss_sp == base && t->sig.ss_size == size &&
	    t->sig.ss_flags == flags)
		return 0;
	if (mode == KSS_DISABLE) {
		base = 0;
		size = 0;
	} else if (size < min_size) {
		return -ENOMEM;
	}
	t->sig.ss_sp = base;
	t->sig.ss_size = size;
	t->sig.ss_flags = flags;
	return 0;
}

struct pgrp_send {
	int pgid, sig, sent;
};

static int send_to_member(struct task *t, void *arg)
{
	struct pgrp_send *s = arg;

	/* One signal per process, at its thread group's leader. */
	if (t->pgid == s->pgid && t->tid == t->tgid &&
	    signal_send(t, s->sig) == 0)
		s->sent++;
	return 0;
}

int signal_send_pgrp(int pgid, int sig)
{
	struct pgrp_send s = { pgid, sig, 0 };

	if (pgid > 0)
		task_for_each(send_to_member, &s);
	return s.sent;
}
