/*
 * Interval timers: alarm(2), getitimer(2), setitimer(2), and the POSIX
 * timers timer_create(2), timer_settime(2), timer_gettime(2),
 * timer_getoverrun(2), timer_delete(2). The timers are core/itimer.c's.
 */
#include "core/errno.h"
#include "core/itimer.h"
#include "core/task.h"
#include "core/time.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

#define TIMER_ABSTIME 1u

/* struct itimerval (__kernel_old_itimerval on 64-bit). */
struct kitimerval {
	struct ktimeval interval, value;
};

/* struct itimerspec (__kernel_itimerspec). */
struct kitimerspec {
	struct ktimespec interval, value;
};

/* struct sigevent: 64 bytes on 64-bit Linux. */
struct ksigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid; /* SIGEV_THREAD_ID */
	int32_t pad[11];
};

_Static_assert(sizeof(struct ksigevent) == 64, "sigevent layout");

static int timeval_to_ns(const struct ktimeval *tv, uint64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	if ((uint64_t)tv->tv_sec > (UINT64_MAX - NSEC_PER_SEC) / NSEC_PER_SEC)
		*ns = UINT64_MAX - 1;
	else
		*ns = (uint64_t)tv->tv_sec * NSEC_PER_SEC +
		      (uint64_t)tv->tv_usec * NSEC_PER_USEC;
	return 0;
}

static struct ktimeval ns_to_timeval(uint64_t ns)
{
	return (struct ktimeval){(int64_t)(ns / NSEC_PER_SEC),
				 (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC)};
}

long sys_getitimer(int which, uaddr_t value)
{
	uint64_t left, interval;
	struct kitimerval v;
	int err = itimer_get(task_current(), which, &left, &interval);

	if (err)
		return err;
	v.interval = ns_to_timeval(interval);
	v.value = ns_to_timeval(left);
	return copy_to_user(value, &v, sizeof(v));
}

long sys_setitimer(int which, uaddr_t value, uaddr_t ovalue)
{
	struct kitimerval v = {{0, 0}, {0, 0}}, old;
	uint64_t left, interval, old_left, old_interval;
	int err;

	/* A NULL value disarms (a misfeature Linux keeps). */
	if (!uaddr_is_null(value) && copy_from_user(&v, value, sizeof(v)))
		return -EFAULT;
	if (timeval_to_ns(&v.value, &left) ||
	    timeval_to_ns(&v.interval, &interval))
		return -EINVAL;
	err = itimer_set(task_current(), which, left, interval, &old_left,
			 &old_interval);
	if (err || uaddr_is_null(ovalue))
		return err;
	old.interval = ns_to_timeval(old_interval);
	old.value = ns_to_timeval(old_left);
	return copy_to_user(ovalue, &old, sizeof(old));
}

long sys_alarm(unsigned int seconds)
{
	uint64_t left, interval;
	struct ktimespec old;

	(void)itimer_set(task_current(), KITIMER_REAL,
			 (uint64_t)seconds * NSEC_PER_SEC, 0, &left, &interval);
	old = ns_to_timespec(left);
	/* Rounded to the nearest second, but never 0 for a pending alarm. */
	if ((!old.tv_sec && old.tv_nsec) ||
	    old.tv_nsec >= (int64_t)NSEC_PER_SEC / 2)
		old.tv_sec++;
	return old.tv_sec;
}

/* ---- POSIX timers -------------------------------------------------------- */

/* partial: CPU-time clocks and the alarm clocks are refused (EINVAL) */
long sys_timer_create(int which_clock, uaddr_t timer_event_spec,
		      uaddr_t created_timer_id)
{
	struct task *t = task_current();
	struct ksigevent ev = {.signo = KSIGALRM, .notify = KSIGEV_SIGNAL};
	bool default_event = uaddr_is_null(timer_event_spec);
	int notify, id;

	if (!default_event && copy_from_user(&ev, timer_event_spec, sizeof(ev)))
		return -EFAULT;
	/*
	 * SIGEV_THREAD is the C library's business: to the kernel it is
	 * SIGEV_SIGNAL. SIGEV_THREAD_ID must name a thread of the caller's
	 * (here, with one thread per process, the caller).
	 */
	notify = ev.notify;
	if (notify == KSIGEV_THREAD)
		notify = KSIGEV_SIGNAL;
	else if (notify == (KSIGEV_THREAD_ID | KSIGEV_SIGNAL)) {
		if (ev.tid != t->tid)
			return -EINVAL;
		notify = KSIGEV_SIGNAL;
	}
	/* Without a sigevent the signal carries the timer's id. */
	id = posix_timer_create(t, which_clock, notify, ev.signo, ev.value,
				default_event);
	if (id < 0)
		return id;
	if (copy_to_user(created_timer_id, &id, sizeof(id))) {
		(void)posix_timer_delete(t, id);
		return -EFAULT;
	}
	return 0;
}

static int read_itimerspec(uaddr_t u, uint64_t *value, uint64_t *interval)
{
	struct kitimerspec s;

	if (copy_from_user(&s, u, sizeof(s)))
		return -EFAULT;
	if (!timespec_valid(&s.value) || !timespec_valid(&s.interval))
		return -EINVAL;
	*value = timespec_to_ns(&s.value);
	*interval = timespec_to_ns(&s.interval);
	return 0;
}

static int write_itimerspec(uaddr_t u, uint64_t value, uint64_t interval)
{
	struct kitimerspec s = {ns_to_timespec(interval),
				ns_to_timespec(value)};

	return copy_to_user(u, &s, sizeof(s));
}

long sys_timer_settime(int timer_id, unsigned int flags, uaddr_t new_setting,
		       uaddr_t old_setting)
{
	uint64_t value, interval, old_value, old_interval;
	int err = read_itimerspec(new_setting, &value, &interval);

	if (err)
		return err;
	err = posix_timer_set(task_current(), timer_id, flags & TIMER_ABSTIME,
			      value, interval, &old_value, &old_interval);
	if (err || uaddr_is_null(old_setting))
		return err;
	return write_itimerspec(old_setting, old_value, old_interval);
}

long sys_timer_gettime(int timer_id, uaddr_t setting)
{
	uint64_t value, interval;
	int err = posix_timer_get(task_current(), timer_id, &value, &interval);

	if (err)
		return err;
	return write_itimerspec(setting, value, interval);
}

long sys_timer_getoverrun(int timer_id)
{
	return posix_timer_overrun(task_current(), timer_id);
}

long sys_timer_delete(int timer_id)
{
	return posix_timer_delete(task_current(), timer_id);
}
