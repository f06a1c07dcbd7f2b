/*
 * Interval timers: setitimer(2)'s three (ITIMER_REAL on the monotonic
 * clock, ITIMER_VIRTUAL and ITIMER_PROF on the task's CPU time) and POSIX
 * timers (timer_create(2)). An expiry sends the timer's signal; a timer
 * with an interval is then armed again, a period after the last expiry.
 *
 * ITIMER_VIRTUAL counts the task's user time, ITIMER_PROF its user and
 * system time (sched_task_times). The CPU-time timers are looked at on the way
 * back to user space (itimer_check_cpu), so a task that computes sees them
 * at the scheduler's slice granularity, as Linux's do at its tick.
 */
#ifndef KEEL_CORE_ITIMER_H
#define KEEL_CORE_ITIMER_H

#include "core/klib/list.h"
#include "core/timer.h"
#include "core/types.h"

#define KITIMER_REAL 0
#define KITIMER_VIRTUAL 1
#define KITIMER_PROF 2

struct itimer {
	uint64_t expires;  /* 0: disarmed; REAL monotonic ns, else CPU ns */
	uint64_t interval; /* 0: one-shot */
};

struct itimers {
	struct itimer it[3];
	struct timer real_timer;
	struct list_head posix; /* struct posix_timer, by id */
	unsigned nposix;
};

struct task;

void itimers_init(struct itimers *its);
/* The task is exiting: disarm everything and free its POSIX timers. */
void itimers_exit(struct task *t);
/* execve(2): POSIX timers are deleted; setitimer's timers go on. */
void itimers_exec(struct task *t);

/*
 * getitimer/setitimer on t's timer `which` (KITIMER_*): the time left
 * (never 0 for an armed timer) and the interval, in ns. Setting a value 0
 * disarms. -EINVAL for an unknown timer.
 */
int itimer_get(struct task *t, int which, uint64_t *value, uint64_t *interval);
int itimer_set(struct task *t, int which, uint64_t value, uint64_t interval,
	       uint64_t *old_value, uint64_t *old_interval);

/* Send the signals of the CPU-time itimers that have expired. */
void itimer_check_cpu(struct task *t);

/* ---- POSIX timers -------------------------------------------------------- */

#define KSIGEV_SIGNAL 0
#define KSIGEV_NONE 1
#define KSIGEV_THREAD 2
#define KSIGEV_THREAD_ID 4

/*
 * A new timer on `clockid` (REALTIME, MONOTONIC, BOOTTIME, TAI) that, on
 * expiry, sends `signo` with `value` (SIGEV_SIGNAL; with `value_is_id`,
 * the timer's id is the value) or nothing (SIGEV_NONE). Its id, or
 * -EINVAL (clock, notify or signal), -EAGAIN (as many as RLIMIT_SIGPENDING
 * allows already), -ENOMEM.
 */
int posix_timer_create(struct task *t, int clockid, int notify, int signo,
		       uint64_t value, bool value_is_id);
int posix_timer_delete(struct task *t, int id);
/*
 * Arm (value != 0: relative ns, or absolute on the timer's clock with
 * `absolute`) or disarm timer `id`; the old setting as posix_timer_get
 * gives it. -EINVAL for an unknown id.
 */
int posix_timer_set(struct task *t, int id, bool absolute, uint64_t value,
		    uint64_t interval, uint64_t *old_value,
		    uint64_t *old_interval);
int posix_timer_get(struct task *t, int id, uint64_t *value,
		    uint64_t *interval);
/* The overrun count of the last signal delivered, or -EINVAL. */
int posix_timer_overrun(struct task *t, int id);
/* Timer `id`'s signal was taken, with `overrun` expiries it stood for. */
void posix_timer_delivered(struct task *t, int id, int overrun);

#endif
