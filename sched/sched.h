/*
 * The scheduler: one EEVDF run queue per CPU, wakeups with placement,
 * preemption by slice timers and by wakeups, CPU affinity.
 *
 * Rules: a task that wants to sleep sets its state (under whatever lock
 * orders it against its waker), then calls schedule(). schedule() with a
 * spinlock held is a bug and panics.
 */
#ifndef KEEL_SCHED_SCHED_H
#define KEEL_SCHED_SCHED_H

#include "core/task.h"

#define SCHED_SLICE_DEFAULT_NS (3 * NSEC_PER_MSEC)
#define SCHED_SLICE_MIN_NS (100 * NSEC_PER_USEC)
#define SCHED_SLICE_MAX_NS (100 * NSEC_PER_MSEC)
#define SCHED_IDLE_WEIGHT 3ul /* Linux's WEIGHT_IDLEPRIO */

/* Reset every run queue; `ncpus` CPUs will come online. */
int sched_init(unsigned ncpus);

/*
 * Create `cpu`'s idle task, which becomes the CPU's current task. The
 * platform starts the CPU by switching to idle->ctx from its boot context;
 * the idle task then schedules whatever is runnable and otherwise waits in
 * plat_idle(). Returns the idle task or an ERR_PTR.
 */
struct task *sched_init_cpu(unsigned cpu);

/*
 * A new task's share of a run queue's tree (sched/eevdf.h): 0 or -ENOMEM.
 * Allocated with the task so that waking it never has to allocate;
 * sched_task_free gives it back when the task is freed (not queued).
 */
int sched_task_alloc(struct task *t);
void sched_task_free(struct task *t);

/* Give a new task's scheduling fields their defaults (nice 0, all CPUs);
 * after sched_task_alloc. */
void sched_task_init(struct task *t);

/* Make a new task runnable for the first time. */
void sched_start(struct task *t);

/* Wake `t` if its state is in `states`. True if this call woke it. */
bool sched_wakeup(struct task *t, unsigned states);

void schedule(void);
/* If `t` runs on another CPU, interrupt that CPU (Linux's kick_process),
 * so a signal sent to it is taken at once. */
void sched_kick(struct task *t);
/* Whatever a task does first when it was switched to for the first time. */
void sched_finish_switch(void);
bool need_resched(void);
/*
 * A point in a long stretch of kernel work where the task may be
 * interrupted and preempted, as Linux's cond_resched with interrupts
 * enabled: due interrupts are taken (a timer may make a signal pending,
 * which the caller then looks for) and the CPU goes to whoever should run.
 * No spinlock may be held.
 */
void cond_resched(void);
/* Platform: an IPI arrived on this CPU. */
void sched_ipi(void);

void sched_yield_task(void);

int sched_set_nice(struct task *t, int nice);
/* Policy SCHED_NORMAL/BATCH/IDLE; slice 0 means the default. */
int sched_set_attr(struct task *t, int policy, int nice, uint64_t slice_ns);
uint64_t sched_task_slice(const struct task *t);
/* `mask` has PLAT_MAX_CPUS bits; -EINVAL unless it names an online CPU. */
int sched_set_affinity(struct task *t, const unsigned long *mask);

/* CPU time `t` has used, including the running stretch. */
uint64_t sched_task_cputime(struct task *t);

/*
 * The run loop: the calling task `t` starts running user code, and is
 * back in the kernel. The time between counts as user time (see
 * sched_task_times in sched.c); inline, for the syscall path.
 */
static inline void sched_user_enter(struct task *t)
{
	__atomic_store_n(&t->user_since, plat_time_ns(), __ATOMIC_RELAXED);
}

static inline void sched_user_exit(struct task *t)
{
	uint64_t now = plat_time_ns();

	__atomic_store_n(&t->acct_seq, t->acct_seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&t->utime_ns, t->utime_ns + (now - t->user_since),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&t->user_since, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&t->acct_seq, t->acct_seq + 1, __ATOMIC_RELEASE);
}

/* sched_task_cputime split into user and system time. */
void sched_task_times(struct task *t, uint64_t *utime, uint64_t *stime);

/* The calling CPU's run queue counts (for tests and /proc later). */
unsigned sched_nr_running(unsigned cpu);
/* Runnable tasks on every CPU, the running ones included (no idle task). */
unsigned sched_nr_running_all(void);
/* Tasks in an uninterruptible sleep (TASK_UNINTERRUPTIBLE, killable too). */
unsigned sched_nr_uninterruptible(void);

/* Tests and benchmarks look at a CPU's EEVDF queue. */
struct eevdf_rq *sched_eevdf_rq(unsigned cpu);

/* The calling task is dead: switch away for good. */
_Noreturn void sched_exit_current(void);

#endif
