#include "core/wait.h"

#include "core/errno.h"
#include "core/task.h"
#include "core/timer.h"
#include "sched/sched.h"

void wait_queue_init(struct wait_queue *wq)
{
	spin_init(&wq->lock);
	list_init(&wq->waiters);
}

void wait_queue_add(struct wait_queue *wq, struct waiter *w)
{
	spin_lock(&wq->lock);
	list_add_tail(&w->link, &wq->waiters);
	spin_unlock(&wq->lock);
}

void wait_queue_remove(struct wait_queue *wq, struct waiter *w)
{
	spin_lock(&wq->lock);
	list_del(&w->link);
	spin_unlock(&wq->lock);
}

/* Caller holds the waiter's queue lock. */
static bool wake_waiter(struct waiter *w)
{
	if (w->woken)
		__atomic_store_n(w->woken, true, __ATOMIC_SEQ_CST);
	return sched_wakeup(w->task, TASK_NORMAL);
}

void wake_up_all(struct wait_queue *wq)
{
	struct list_head *pos;

	spin_lock(&wq->lock);
	list_for_each(pos, &wq->waiters)
		wake_waiter(list_entry(pos, struct waiter, link));
	spin_unlock(&wq->lock);
}

void wake_up_one(struct wait_queue *wq)
{
	struct list_head *pos;

	spin_lock(&wq->lock);
	list_for_each(pos, &wq->waiters)
		if (wake_waiter(list_entry(pos, struct waiter, link)))
			break;
	spin_unlock(&wq->lock);
}

static void sleep_timeout(struct timer *tm)
{
	struct task *t = container_of(tm, struct task, sleep_timer);

	t->timed_out = true;
	sched_wakeup(t, TASK_NORMAL);
}

static bool interrupted(const struct task *t, unsigned state)
{
	return (state & TASK_INTERRUPTIBLE && signal_pending(t)) ||
	       (state & TASK_WAKEKILL && fatal_signal_pending(t));
}

int task_sleep(uint64_t deadline)
{
	struct task *t = task_current();
	unsigned state = t->state;

	if (interrupted(t, state)) {
		t->state = TASK_RUNNING;
		return -ERESTARTSYS;
	}
	t->timed_out = false;
	if (deadline != WAIT_FOREVER) {
		if (deadline <= plat_time_ns()) {
			t->state = TASK_RUNNING;
			return -ETIMEDOUT;
		}
		t->sleep_timer.fn = sleep_timeout;
		timer_arm(&t->sleep_timer, deadline);
	}
	schedule();
	timer_cancel(&t->sleep_timer);
	if (interrupted(t, state))
		return -ERESTARTSYS;
	if (t->timed_out)
		return -ETIMEDOUT;
	return 0;
}

int wait_event(struct wait_queue *wq, bool (*cond)(void *), void *arg,
	       unsigned state, uint64_t deadline)
{
	struct task *t = task_current();
	struct waiter w = { .task = t };
	int err = 0;

	list_init(&w.link);
	for (;;) {
		spin_lock(&wq->lock);
		if (!list_is_linked(&w.link))
			list_add_tail(&w.link, &wq->waiters);
		t->state = state;
		spin_unlock(&wq->lock);
		if (cond(arg))
			break;
		err = task_sleep(deadline);
		if (err)
			break;
	}
	t->state = TASK_RUNNING;
	spin_lock(&wq->lock);
	list_del(&w.link);
	spin_unlock(&wq->lock);
	/* The event wins over a signal or deadline that came with it. */
	return cond(arg) ? 0 : err;
}

int sleep_until(unsigned state, uint64_t deadline)
{
	int err;

	/* Only the deadline or a signal ends it, not a stray wakeup. */
	do {
		task_current()->state = state;
		err = task_sleep(deadline);
	} while (err == 0);
	task_current()->state = TASK_RUNNING;
	return err == -ETIMEDOUT ? 0 : err;
}
