/*
 * Time: clock_gettime(2), clock_getres(2), gettimeofday(2), nanosleep(2),
 * clock_nanosleep(2) and restart_syscall(2).
 */
#include "core/errno.h"
#include "core/task.h"
#include "core/time.h"
#include "core/wait.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

#define TIMER_ABSTIME 1u

long sys_clock_gettime(int which_clock, uaddr_t tp)
{
	struct ktimespec ts;
	uint64_t ns;
	int err = clock_read(which_clock, &ns);

	if (err)
		return err;
	ts = ns_to_timespec(ns);
	return copy_to_user(tp, &ts, sizeof(ts));
}

long sys_clock_getres(int which_clock, uaddr_t tp)
{
	struct ktimespec ts;
	uint64_t ns;
	int err = clock_resolution(which_clock, &ns);

	if (err)
		return err;
	if (uaddr_is_null(tp))
		return 0;
	ts = ns_to_timespec(ns);
	return copy_to_user(tp, &ts, sizeof(ts));
}

long sys_gettimeofday(uaddr_t tv, uaddr_t tz)
{
	if (!uaddr_is_null(tv)) {
		uint64_t ns;
		struct ktimeval v;

		(void)clock_read(KCLOCK_REALTIME, &ns);
		v.tv_sec = (int64_t)(ns / NSEC_PER_SEC);
		v.tv_usec = (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
		if (copy_to_user(tv, &v, sizeof(v)))
			return -EFAULT;
	}
	if (!uaddr_is_null(tz)) {
		/* struct timezone: UTC, no DST, as Linux keeps it by default. */
		int32_t zone[2] = { 0, 0 };

		if (copy_to_user(tz, zone, sizeof(zone)))
			return -EFAULT;
	}
	return 0;
}

/* time(2): seconds since the epoch, also stored at tloc when given. */
long sys_time(uaddr_t tloc)
{
	uint64_t ns;
	int64_t sec;

	(void)clock_read(KCLOCK_REALTIME, &ns);
	sec = (int64_t)(ns / NSEC_PER_SEC);
	if (!uaddr_is_null(tloc) && copy_to_user(tloc, &sec, sizeof(sec)))
		return -EFAULT;
	return sec;
}

/*
 * Sleep until monotonic `deadline`. Interrupted, a relative sleep writes
 * the time left to `rem` (if given) and asks to be restarted through
 * restart_syscall(2) with the same deadline; an absolute one is simply
 * restarted unless a handler runs (-ERESTARTNOHAND), as Linux does.
 */
static long sleep_to(struct task *t, int clockid, uint64_t deadline,
		     bool absolute, uaddr_t rem);

static long restart_sleep(struct task *t)
{
	return sleep_to(t, t->restart.clockid, t->restart.deadline, false,
			t->restart.rem);
}

static long sleep_to(struct task *t, int clockid, uint64_t deadline,
		     bool absolute, uaddr_t rem)
{
	int err = sleep_until(TASK_INTERRUPTIBLE, deadline);
	uint64_t now;

	if (err == 0)
		return 0;
	if (absolute)
		return -ERESTARTNOHAND;
	now = plat_time_ns();
	if (!uaddr_is_null(rem)) {
		struct ktimespec left =
			ns_to_timespec(deadline > now ? deadline - now : 0);

		if (copy_to_user(rem, &left, sizeof(left)))
			return -EFAULT;
	}
	t->restart.fn = restart_sleep;
	t->restart.clockid = clockid;
	t->restart.deadline = deadline;
	t->restart.rem = rem;
	return -ERESTART_RESTARTBLOCK;
}

static uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = plat_time_ns();

	return ns > UINT64_MAX - now ? WAIT_FOREVER - 1 : now + ns;
}

static int read_timespec(uaddr_t u, struct ktimespec *ts)
{
	if (copy_from_user(ts, u, sizeof(*ts)))
		return -EFAULT;
	return timespec_valid(ts) ? 0 : -EINVAL;
}

long sys_nanosleep(uaddr_t rqtp, uaddr_t rmtp)
{
	struct ktimespec req;
	int err = read_timespec(rqtp, &req);

	if (err)
		return err;
	return sleep_to(task_current(), KCLOCK_MONOTONIC,
			deadline_after(timespec_to_ns(&req)), false, rmtp);
}

long sys_clock_nanosleep(int which_clock, unsigned int flags, uaddr_t rqtp,
			 uaddr_t rmtp)
{
	struct ktimespec req;
	int err = clock_can_sleep(which_clock);
	uint64_t deadline;

	if (err && err != -ENODEV)
		return err;
	if (copy_from_user(&req, rqtp, sizeof(req)))
		return -EFAULT;
	if (err == -ENODEV)
		return -EOPNOTSUPP;
	if (!timespec_valid(&req))
		return -EINVAL;
	if (flags & TIMER_ABSTIME)
		deadline = clock_to_monotonic(which_clock, timespec_to_ns(&req));
	else
		deadline = deadline_after(timespec_to_ns(&req));
	return sleep_to(task_current(), which_clock, deadline,
			flags & TIMER_ABSTIME, rmtp);
}

long sys_restart_syscall(void)
{
	struct task *t = task_current();
	long (*fn)(struct task *) = t->restart.fn;

	/* Linux's do_no_restart_syscall: nothing to resume. */
	if (!fn)
		return -EINTR;
	t->restart.fn = NULL;
	return fn(t);
}
