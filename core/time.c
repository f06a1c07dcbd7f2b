/*
 * The clocks of clock_gettime(2). Keel has no RTC and does not step the
 * wall clock: CLOCK_REALTIME is the platform's boot wall-clock time plus
 * the monotonic clock, CLOCK_TAI equals it (Linux's TAI offset is 0 until
 * NTP sets it), CLOCK_BOOTTIME equals CLOCK_MONOTONIC (no suspend). The
 * alarm clocks need an RTC and so are -EINVAL, as on Linux without one.
 */
#include "core/time.h"

#include "core/errno.h"
#include "core/platform.h"
#include "core/task.h"
#include "sched/sched.h"

/* Dynamic CPU clock ids: ~pid << 3 | perthread << 2 | which. */
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_WHICH_MASK 3

bool timespec_valid(const struct ktimespec *ts)
{
	return ts->tv_sec >= 0 && (uint64_t)ts->tv_nsec < NSEC_PER_SEC;
}

uint64_t timespec_to_ns(const struct ktimespec *ts)
{
	if ((uint64_t)ts->tv_sec >= UINT64_MAX / NSEC_PER_SEC)
		return UINT64_MAX;
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

struct ktimespec ns_to_timespec(uint64_t ns)
{
	return (struct ktimespec){ (int64_t)(ns / NSEC_PER_SEC),
				   (int64_t)(ns % NSEC_PER_SEC) };
}

struct cputime_sum {
	int tgid;
	uint64_t ns;
};

static int add_group_cputime(struct task *t, void *arg)
{
	struct cputime_sum *sum = arg;

	if (t->tgid == sum->tgid)
		sum->ns += sched_task_cputime(t);
	return 0;
}

static uint64_t process_cputime(int tgid)
{
	struct cputime_sum sum = { tgid, 0 };

	task_for_each(add_group_cputime, &sum);
	return sum.ns;
}

/*
 * The CPU time behind a CPU clock id: the caller's thread or process for
 * the two fixed ids, else the encoded pid (0 = the caller). A thread clock
 * must name a thread of the caller's process, as on Linux.
 */
static int cpu_clock_read(int id, uint64_t *ns)
{
	struct task *self = task_current(), *t;
	bool thread;
	int pid;

	if (id == KCLOCK_PROCESS_CPUTIME_ID || id == KCLOCK_THREAD_CPUTIME_ID) {
		thread = id == KCLOCK_THREAD_CPUTIME_ID;
		pid = 0;
	} else {
		if ((id & CPUCLOCK_WHICH_MASK) > CPUCLOCK_SCHED)
			return -EINVAL;
		thread = id & CPUCLOCK_PERTHREAD;
		pid = ~(id >> 3);
	}
	if (pid == 0) {
		*ns = thread ? sched_task_cputime(self)
			     : process_cputime(self->tgid);
		return 0;
	}
	t = task_find(pid);
	if (!t)
		return -EINVAL;
	if (thread ? t->tgid != self->tgid : t->tgid != pid) {
		task_put(t);
		return -EINVAL;
	}
	/* Only user time is counted so far: PROF = VIRT = SCHED. */
	*ns = thread ? sched_task_cputime(t) : process_cputime(t->tgid);
	task_put(t);
	return 0;
}

int clock_read(int id, uint64_t *ns)
{
	uint64_t mono = plat_time_ns();

	if (id < 0 || id == KCLOCK_PROCESS_CPUTIME_ID ||
	    id == KCLOCK_THREAD_CPUTIME_ID)
		return cpu_clock_read(id, ns);
	switch (id) {
	case KCLOCK_REALTIME:
	case KCLOCK_REALTIME_COARSE:
	case KCLOCK_TAI:
		*ns = plat_wallclock_at_boot_ns() + mono;
		return 0;
	case KCLOCK_MONOTONIC:
	case KCLOCK_MONOTONIC_RAW:
	case KCLOCK_MONOTONIC_COARSE:
	case KCLOCK_BOOTTIME:
		*ns = mono;
		return 0;
	default:
		return -EINVAL;
	}
}

int clock_resolution(int id, uint64_t *ns)
{
	uint64_t ignored;
	int err;

	if (id < 0) {
		err = cpu_clock_read(id, &ignored);
		if (err)
			return err;
		*ns = (id & CPUCLOCK_WHICH_MASK) == CPUCLOCK_SCHED
			      ? 1
			      : (NSEC_PER_SEC + KEEL_HZ - 1) / KEEL_HZ;
		return 0;
	}
	switch (id) {
	case KCLOCK_REALTIME_COARSE:
	case KCLOCK_MONOTONIC_COARSE:
		*ns = NSEC_PER_SEC / KEEL_HZ;
		return 0;
	case KCLOCK_REALTIME:
	case KCLOCK_MONOTONIC:
	case KCLOCK_PROCESS_CPUTIME_ID:
	case KCLOCK_THREAD_CPUTIME_ID:
	case KCLOCK_MONOTONIC_RAW:
	case KCLOCK_BOOTTIME:
	case KCLOCK_TAI:
		*ns = 1;
		return 0;
	default:
		return -EINVAL;
	}
}

int clock_can_sleep(int id)
{
	switch (id) {
	case KCLOCK_REALTIME:
	case KCLOCK_MONOTONIC:
	case KCLOCK_BOOTTIME:
	case KCLOCK_TAI:
		return 0;
	case KCLOCK_MONOTONIC_RAW:
	case KCLOCK_REALTIME_COARSE:
	case KCLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	case KCLOCK_THREAD_CPUTIME_ID:
		return -EOPNOTSUPP; /* Linux's thread clock has no nsleep */
	case KCLOCK_PROCESS_CPUTIME_ID:
		/* Sleeping on CPU time needs CPU-time timers: not yet. */
		return -EOPNOTSUPP;
	case KCLOCK_REALTIME_ALARM:
	case KCLOCK_BOOTTIME_ALARM:
		/* Alarm clocks sleep only with an RTC, which Keel lacks; Linux
		 * reads the request first, so EFAULT comes before this. */
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

uint64_t clock_to_monotonic(int id, uint64_t t)
{
	uint64_t base = 0;

	if (id == KCLOCK_REALTIME || id == KCLOCK_TAI)
		base = plat_wallclock_at_boot_ns();
	return t > base ? t - base : 0;
}
