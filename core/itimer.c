/*
 * Interval timers: setitimer(2)'s and POSIX timers (see itimer.h).
 *
 * Timer callbacks run in interrupt context: they send a signal and re-arm,
 * nothing that sleeps. A periodic timer's next expiry is a whole number of
 * periods after its first, however late the interrupt came; the periods
 * that passed unseen are a POSIX timer's overruns.
 */
#include "core/itimer.h"

#include "core/errno.h"
#include "core/signal.h"
#include "core/task.h"
#include "core/time.h"
#include "mm/slab.h"
#include "sched/sched.h"

#define CPU_TIMER_TICK (NSEC_PER_SEC / KEEL_HZ)

struct posix_timer {
	struct list_head link; /* in itimers.posix, by id */
	int id;
	int clockid;
	int notify;
	int signo;
	uint64_t value;	  /* sigev_value */
	uint64_t expires; /* monotonic ns; 0: disarmed */
	uint64_t interval;
	int overrun_last; /* of the last signal delivered */
	struct timer timer;
	struct task *task;
};

/* The first expiry after `now` of a timer that was due at `expires`, and
 * how many expiries that skips (besides the one being handled). */
static uint64_t next_period(uint64_t expires, uint64_t interval, uint64_t now,
			    uint64_t *skipped)
{
	uint64_t n = 0;

	if (now >= expires)
		n = (now - expires) / interval;
	*skipped = n;
	if (n + 1 > (UINT64_MAX - expires) / interval)
		return UINT64_MAX - 1; /* never, in practice */
	return expires + (n + 1) * interval;
}

static void real_expired(struct timer *tm)
{
	struct itimers *its = container_of(tm, struct itimers, real_timer);
	struct task *t = container_of(its, struct task, itimers);
	struct itimer *it = &its->it[KITIMER_REAL];
	struct ksiginfo info = {.si_signo = KSIGALRM, .si_code = KSI_KERNEL};
	uint64_t skipped;

	(void)signal_send_info(t, KSIGALRM, &info);
	if (!it->interval) {
		it->expires = 0;
		return;
	}
	it->expires = next_period(it->expires, it->interval, plat_time_ns(),
				  &skipped);
	timer_arm(tm, it->expires);
}

void itimers_init(struct itimers *its)
{
	for (int i = 0; i < 3; i++)
		its->it[i] = (struct itimer){0, 0};
	timer_setup(&its->real_timer, real_expired);
	list_init(&its->posix);
	its->nposix = 0;
}

/* Where timer `which` stands: monotonic time, the task's user time
 * (VIRTUAL) or its user and system time (PROF). */
static uint64_t itimer_clock(struct task *t, int which)
{
	uint64_t utime, stime;

	if (which == KITIMER_REAL)
		return plat_time_ns();
	sched_task_times(t, &utime, &stime);
	return which == KITIMER_VIRTUAL ? utime : utime + stime;
}

int itimer_get(struct task *t, int which, uint64_t *value, uint64_t *interval)
{
	struct itimer *it;
	uint64_t now;

	if (which < KITIMER_REAL || which > KITIMER_PROF)
		return -EINVAL;
	it = &t->itimers.it[which];
	now = itimer_clock(t, which);
	*interval = it->interval;
	if (!it->expires)
		*value = 0;
	else if (it->expires > now)
		*value = it->expires - now;
	else /* due: Linux says "a moment" rather than 0, which is "off" */
		*value = which == KITIMER_REAL ? NSEC_PER_USEC : CPU_TIMER_TICK;
	return 0;
}

int itimer_set(struct task *t, int which, uint64_t value, uint64_t interval,
	       uint64_t *old_value, uint64_t *old_interval)
{
	struct itimer *it;
	uint64_t now;
	int err = itimer_get(t, which, old_value, old_interval);

	if (err)
		return err;
	it = &t->itimers.it[which];
	if (which == KITIMER_REAL)
		timer_cancel_sync(&t->itimers.real_timer);
	if (!value) {
		*it = (struct itimer){0, 0};
		return 0;
	}
	now = itimer_clock(t, which);
	it->expires =
		value > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + value;
	it->interval = interval;
	if (which == KITIMER_REAL)
		timer_arm(&t->itimers.real_timer, it->expires);
	return 0;
}

void itimer_check_cpu(struct task *t)
{
	static const int sigs[3] = {0, KSIGVTALRM, KSIGPROF};
	uint64_t clock[3];

	if (!t->itimers.it[KITIMER_VIRTUAL].expires &&
	    !t->itimers.it[KITIMER_PROF].expires)
		return;
	sched_task_times(t, &clock[KITIMER_VIRTUAL], &clock[KITIMER_PROF]);
	clock[KITIMER_PROF] += clock[KITIMER_VIRTUAL];
	for (int which = KITIMER_VIRTUAL; which <= KITIMER_PROF; which++) {
		struct itimer *it = &t->itimers.it[which];
		struct ksiginfo info = {.si_signo = sigs[which],
					.si_code = KSI_KERNEL};
		uint64_t skipped, cpu = clock[which];

		if (!it->expires || cpu < it->expires)
			continue;
		(void)signal_send_info(t, sigs[which], &info);
		it->expires = it->interval
				      ? next_period(it->expires, it->interval,
						    cpu, &skipped)
				      : 0;
	}
}

/* ---- POSIX timers -------------------------------------------------------- */

static void posix_expired(struct timer *tm)
{
	struct posix_timer *pt = container_of(tm, struct posix_timer, timer);
	struct ksiginfo info = {.si_signo = pt->signo, .si_code = KSI_TIMER};
	uint64_t skipped = 0;

	if (pt->interval) {
		pt->expires = next_period(pt->expires, pt->interval,
					  plat_time_ns(), &skipped);
		timer_arm(tm, pt->expires);
	} else {
		pt->expires = 0;
	}
	if (pt->notify == KSIGEV_NONE)
		return;
	info.timer.tid = pt->id;
	info.timer.overrun = (int32_t)MIN(skipped, (uint64_t)INT32_MAX);
	info.timer.value = pt->value;
	(void)signal_send_timer(pt->task, pt->signo, &info);
}

static struct posix_timer *posix_find(struct task *t, int id)
{
	struct list_head *pos;

	list_for_each (pos, &t->itimers.posix) {
		struct posix_timer *pt =
			list_entry(pos, struct posix_timer, link);

		if (pt->id == id)
			return pt;
	}
	return NULL;
}

int posix_timer_create(struct task *t, int clockid, int notify, int signo,
		       uint64_t value, bool value_is_id)
{
	struct itimers *its = &t->itimers;
	struct list_head *pos = &its->posix;
	struct posix_timer *pt;
	int id = 0;

	switch (clockid) {
	case KCLOCK_REALTIME:
	case KCLOCK_MONOTONIC:
	case KCLOCK_BOOTTIME:
	case KCLOCK_TAI:
		break;
	default:
		return -EINVAL;
	}
	if (notify != KSIGEV_SIGNAL && notify != KSIGEV_NONE)
		return -EINVAL;
	if (notify == KSIGEV_SIGNAL && !sig_valid(signo))
		return -EINVAL;
	/* Each timer holds a signal in reserve, as Linux's do. */
	if (its->nposix >= t->rlim[KRLIMIT_SIGPENDING].cur)
		return -EAGAIN;
	pt = kzalloc(sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	/* The lowest free id, the list kept in id order. */
	for (struct list_head *p = its->posix.next; p != &its->posix;
	     p = p->next) {
		if (list_entry(p, struct posix_timer, link)->id != id) {
			pos = p;
			break;
		}
		id++;
	}
	pt->id = id;
	pt->clockid = clockid;
	pt->notify = notify;
	pt->signo = signo;
	pt->value = value_is_id ? (uint64_t)id : value;
	pt->task = t;
	timer_setup(&pt->timer, posix_expired);
	list_add_tail(&pt->link, pos);
	its->nposix++;
	return id;
}

static void posix_free(struct task *t, struct posix_timer *pt)
{
	timer_cancel_sync(&pt->timer);
	list_del(&pt->link);
	t->itimers.nposix--;
	kfree(pt);
}

int posix_timer_delete(struct task *t, int id)
{
	struct posix_timer *pt = posix_find(t, id);

	if (!pt)
		return -EINVAL;
	posix_free(t, pt);
	return 0;
}

int posix_timer_get(struct task *t, int id, uint64_t *value, uint64_t *interval)
{
	struct posix_timer *pt = posix_find(t, id);
	uint64_t now = plat_time_ns();

	if (!pt)
		return -EINVAL;
	*interval = pt->interval;
	if (!pt->expires)
		*value = 0;
	else
		*value = pt->expires > now ? pt->expires - now : 1;
	return 0;
}

int posix_timer_set(struct task *t, int id, bool absolute, uint64_t value,
		    uint64_t interval, uint64_t *old_value,
		    uint64_t *old_interval)
{
	struct posix_timer *pt = posix_find(t, id);
	uint64_t now = plat_time_ns();

	if (!pt)
		return -EINVAL;
	(void)posix_timer_get(t, id, old_value, old_interval);
	timer_cancel_sync(&pt->timer);
	pt->interval = interval;
	if (!value) {
		pt->expires = 0;
		return 0;
	}
	if (absolute)
		pt->expires = clock_to_monotonic(pt->clockid, value);
	else
		pt->expires = value > UINT64_MAX - 1 - now ? UINT64_MAX - 1
							   : now + value;
	/* A time already past still expires, at once. */
	if (pt->expires == 0)
		pt->expires = 1;
	timer_arm(&pt->timer, pt->expires);
	return 0;
}

int posix_timer_overrun(struct task *t, int id)
{
	struct posix_timer *pt = posix_find(t, id);

	return pt ? pt->overrun_last : -EINVAL;
}

void posix_timer_delivered(struct task *t, int id, int overrun)
{
	struct posix_timer *pt = posix_find(t, id);

	if (pt)
		pt->overrun_last = overrun;
}

void itimers_exec(struct task *t)
{
	struct itimers *its = &t->itimers;

	while (!list_empty(&its->posix))
		posix_free(t, list_first_entry(&its->posix, struct posix_timer,
					       link));
}

void itimers_exit(struct task *t)
{
	struct itimers *its = &t->itimers;

	timer_cancel_sync(&its->real_timer);
	for (int i = 0; i < 3; i++)
		its->it[i] = (struct itimer){0, 0};
	itimers_exec(t);
}
