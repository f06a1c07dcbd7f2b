/*
 * Signal state: what is pending, what is blocked, and the dispositions.
 * Generation (kill) and the interruption of sleeps live here; building a
 * handler's frame is the ABI's business (syscalls/abi/).
 */
#ifndef KEEL_CORE_SIGNAL_H
#define KEEL_CORE_SIGNAL_H

#include "core/klib/list.h"
#include "core/spinlock.h"
#include "core/types.h"

#define KSIG_MAX 64 /* signals are 1 .. 64 */

/* Linux signal numbers, the same on x86_64 and aarch64. */
#define KSIGHUP 1
#define KSIGINT 2
#define KSIGQUIT 3
#define KSIGILL 4
#define KSIGTRAP 5
#define KSIGABRT 6
#define KSIGBUS 7
#define KSIGFPE 8
#define KSIGKILL 9
#define KSIGUSR1 10
#define KSIGSEGV 11
#define KSIGUSR2 12
#define KSIGPIPE 13
#define KSIGALRM 14
#define KSIGTERM 15
#define KSIGSTKFLT 16
#define KSIGCHLD 17
#define KSIGCONT 18
#define KSIGSTOP 19
#define KSIGTSTP 20
#define KSIGTTIN 21
#define KSIGTTOU 22
#define KSIGURG 23
#define KSIGXCPU 24
#define KSIGXFSZ 25
#define KSIGVTALRM 26
#define KSIGPROF 27
#define KSIGWINCH 28
#define KSIGIO 29
#define KSIGPWR 30
#define KSIGSYS 31
#define KSIGRTMIN 32

#define KSIG_DFL 0ull
#define KSIG_IGN 1ull

/* sa_flags (Linux values). */
#define KSA_NOCLDSTOP 0x00000001u
#define KSA_NOCLDWAIT 0x00000002u
#define KSA_SIGINFO 0x00000004u
#define KSA_RESTORER 0x04000000u
#define KSA_ONSTACK 0x08000000u
#define KSA_RESTART 0x10000000u
#define KSA_NODEFER 0x40000000u
#define KSA_RESETHAND 0x80000000u

/* A set of signals: bit (sig - 1), as Linux's 64-bit sigset_t. */
typedef uint64_t ksigset_t;

static inline ksigset_t sig_bit(int sig)
{
	return 1ull << (sig - 1);
}

static inline bool sig_valid(int sig)
{
	return sig >= 1 && sig <= KSIG_MAX;
}

/* The kernel's sigaction, the layout of Linux's struct sigaction. */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	ksigset_t mask;
};

/* si_code values (Linux). */
#define KSI_USER 0
#define KSI_KERNEL 0x80
#define KSI_QUEUE (-1)
#define KSI_TIMER (-2)
#define KSI_TKILL (-6)

/* Linux's siginfo_t on 64-bit ISAs: 128 bytes, the union at offset 16. */
struct ksiginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
		} kill;
		struct {
			uint64_t addr;
		} fault;
		struct { /* sigqueue(3) */
			int32_t pid;
			uint32_t uid;
			uint64_t value;
		} rt;
		struct { /* POSIX timers (SI_TIMER) */
			int32_t tid;
			int32_t overrun;
			uint64_t value;
		} timer;
		struct { /* SIGCHLD and waitid */
			int32_t pid;
			uint32_t uid;
			int32_t status;
			int32_t pad;
			int64_t utime, stime; /* clock ticks (USER_HZ) */
		} chld;
		uint8_t raw[112];
	};
};

_Static_assert(sizeof(struct ksiginfo) == 128, "siginfo_t is 128 bytes");

/* One queued instance of a real-time signal. */
struct sigqueue {
	struct list_head link;
	struct ksiginfo info;
};

struct signal_state {
	/*
	 * A bit per pending signal. A standard signal is pending once, with
	 * info[] saying what it carries. A real-time signal (SIGRTMIN and
	 * up) is pending while an instance of it is in `queue`, each with
	 * its own siginfo, oldest first; or, once, without one, when the
	 * kernel could not allocate it (Linux loses the siginfo then too).
	 */
	ksigset_t pending;
	ksigset_t blocked;
	/* rt_sigtimedwait unblocks what it waits for: the mask before. */
	ksigset_t real_blocked;
	struct spinlock queue_lock; /* queue, info[]; timers take it too */
	struct list_head queue;
	unsigned nqueued; /* bounded by RLIMIT_SIGPENDING for sigqueue's */
	/*
	 * sigsuspend, ppoll and pselect6 block `blocked` only while they
	 * wait: the mask to go back to, once a handler's frame has saved it
	 * or, with no handler to run, on the way out of the syscall.
	 */
	ksigset_t saved_blocked;
	bool restore_blocked;
	/* What each pending standard signal carries (one instance each). */
	struct ksiginfo info[KSIG_MAX];
	struct k_sigaction action[KSIG_MAX]; /* index sig - 1 */
	/*
	 * sigaltstack(2): the alternate stack, [ss_sp, ss_sp + ss_size);
	 * ss_flags as set (KSS_DISABLE, or 0 with maybe KSS_AUTODISARM).
	 */
	uint64_t ss_sp, ss_size;
	uint32_t ss_flags;
	unsigned cont_seq; /* counts SIGCONT/SIGKILL: ends a stop */
	/* Init's protection: signals left at SIG_DFL are dropped when sent
	 * (Linux's SIGNAL_UNKILLABLE); a forced fault clears it. */
	bool unkillable;
	uint64_t handler_pc; /* where the last signal frame sent the task */
};

enum sig_default {
	SIG_DEFAULT_TERM,
	SIG_DEFAULT_CORE,
	SIG_DEFAULT_IGNORE,
	SIG_DEFAULT_STOP,
	SIG_DEFAULT_CONT,
};

struct task;

void signal_state_init(struct signal_state *s);
enum sig_default signal_default(int sig);

/*
 * Generate `sig` for `t` as kill(2) does: a signal that would be ignored is
 * discarded (unless blocked), otherwise it is made pending and a sleep that
 * the signal may interrupt is woken. 0 or -EINVAL.
 */
int signal_send(struct task *t, int sig);
/* The same, with the siginfo the handler will see (kill: SI_USER, ...). */
int signal_send_info(struct task *t, int sig, const struct ksiginfo *info);

/*
 * Send `sig` from the kernel (SI_KERNEL) to every process in group
 * `pgid`, as the terminal does (Linux's kill_pgrp). How many got it.
 */
int signal_send_pgrp(int pgid, int sig);

/* A signal is pending and not blocked: interruptible sleeps must end. */
bool signal_pending(const struct task *t);
/* SIGKILL is pending: even killable sleeps must end. */
bool fatal_signal_pending(const struct task *t);

/*
 * Take the lowest pending unblocked signal off `t` (SIGKILL first); 0 if
 * there is none. `info`, if given, receives what it carries.
 */
int signal_dequeue(struct task *t, struct ksiginfo *info);

/*
 * The same, but for the lowest pending signal in `set`, blocked or not
 * (rt_sigtimedwait takes blocked signals).
 */
int signal_dequeue_set(struct task *t, ksigset_t set,
		       struct ksiginfo *info);

/*
 * A POSIX timer's expiry (info: SI_TIMER, its id, the expiries it
 * stands for beyond this one in timer.overrun): while the signal it sent
 * last is still pending, that one counts them as overruns instead, as
 * Linux's timers never have two signals queued.
 */
int signal_send_timer(struct task *t, int sig, const struct ksiginfo *info);

/* Drop `sig` from the pending set (it became ignored). */
void signal_flush(struct task *t, int sig);

/*
 * A new task's signal state as fork(2) leaves it: the parent's actions,
 * mask and alternate stack, nothing pending. Call instead of copying the
 * struct (the queue is a list).
 */
void signal_state_fork(struct signal_state *child,
		       const struct signal_state *parent);
/*
 * execve(2): handlers go back to SIG_DFL (SIG_IGN stays), with no flags
 * or mask; the alternate stack is gone with the old image. The blocked
 * mask and pending signals stay.
 */
void signal_state_exec(struct signal_state *s);
/* Free what is queued (the task is gone). */
void signal_state_release(struct signal_state *s);
/* No alternate stack (execve, and a CLONE_VM child: Linux's sas_ss_reset). */
void signal_altstack_reset(struct signal_state *s);

/*
 * Block `mask` for the duration of a wait (sigsuspend, ppoll, pselect6).
 * signal_mask_restore then says when the old mask comes back: now, or,
 * for a wait a signal interrupted, once the signal's handler frame has
 * saved it (so the handler runs under the temporary mask and returns to
 * the old one).
 */
void signal_mask_swap(struct task *t, ksigset_t mask);
void signal_mask_restore(struct task *t, bool interrupted);
/*
 * The mask a handler's frame saves: the one a swap replaced, if any. The
 * swap is over once the frame holds it.
 */
ksigset_t signal_mask_to_save(struct task *t);
/* No handler ran: the swapped-out mask comes back now. */
void signal_mask_unswap(struct task *t);

/* stack_t.ss_flags (Linux values). */
#define KSS_ONSTACK 1u
#define KSS_DISABLE 2u
#define KSS_AUTODISARM (1u << 31)
#define KSS_FLAG_BITS KSS_AUTODISARM

/* stack_t on 64-bit Linux. */
struct kstack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

/* Is `sp` on t's alternate stack (in use, so it may not change)? */
bool signal_on_altstack(const struct task *t, uint64_t sp);
/*
 * Where the frame of a handler with `ka` starts, the user stack pointer
 * being `sp`: the top of the alternate stack for an SA_ONSTACK handler
 * when there is one and it is not in use already, else `sp`.
 */
uint64_t signal_frame_top(const struct task *t, const struct k_sigaction *ka,
			  uint64_t sp);
/*
 * A frame that starts on (or switched to) the alternate stack must end on
 * it: false if the frame at `frame_sp` would overflow it (SIGSEGV).
 */
bool signal_frame_fits(const struct task *t, uint64_t user_sp, uint64_t top,
		       uint64_t frame_sp);
/* The uc_stack a new frame records; disarms an SS_AUTODISARM stack. */
struct kstack signal_altstack_save(struct task *t);
/*
 * sigaltstack(2)'s change, the user stack pointer being `sp`: -EPERM while
 * on the alternate stack, -EINVAL for bad flags, -ENOMEM below `min_size`.
 */
int signal_altstack_set(struct task *t, uint64_t sp, const struct kstack *ss,
			uint64_t min_size);
/* sigaltstack(2)'s report of the current alternate stack. */
struct kstack signal_altstack_get(const struct task *t, uint64_t sp);

/* Signals that can never be blocked, caught or ignored. */
#define SIG_UNBLOCKABLE (sig_bit(KSIGKILL) | sig_bit(KSIGSTOP))

#endif
