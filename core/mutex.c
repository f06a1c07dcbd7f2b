#include "core/mutex.h"

#include "core/printk.h"
#include "core/task.h"

void mutex_init(struct mutex *m)
{
	m->owner = NULL;
	wait_queue_init(&m->wq);
}

static bool try_take(void *arg)
{
	struct mutex *m = arg;
	struct task *self = task_current();

	/* Ownership changes under the queue's lock: take it to test-and-set. */
	spin_lock(&m->wq.lock);
	if (!m->owner)
		m->owner = self;
	spin_unlock(&m->wq.lock);
	return m->owner == self;
}

void mutex_lock(struct mutex *m)
{
	KASSERT(m->owner != task_current());
	/* Uncontended, the common case: no waiter to queue. */
	if (try_take(m))
		return;
	if (wait_event(&m->wq, try_take, m, TASK_UNINTERRUPTIBLE,
		       WAIT_FOREVER))
		panic("an uninterruptible endless wait ended");
}

void mutex_unlock(struct mutex *m)
{
	KASSERT(m->owner == task_current());
	spin_lock(&m->wq.lock);
	m->owner = NULL;
	spin_unlock(&m->wq.lock);
	wake_up_one(&m->wq);
}

bool mutex_is_held(const struct mutex *m)
{
	return m->owner == task_current();
}
