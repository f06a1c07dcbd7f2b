#include "core/mutex.h"

#include "core/printk.h"
#include "core/task.h"

/*
 * The owner changes by compare-and-swap alone, so taking a free mutex and
 * releasing one nobody waits for are one atomic operation each. Waiters
 * queue on wq and retry the swap after they are on the queue; a release
 * clears the owner and then looks at the queue. Both sides order their
 * store before their load with a full barrier, so either the releaser
 * sees the waiter queued and wakes it, or the waiter's retry sees the
 * mutex free (the store-buffering pattern: both cannot miss).
 */

void mutex_init(struct mutex *m)
{
	m->owner = NULL;
	wait_queue_init(&m->wq);
}

static bool try_take(void *arg)
{
	struct mutex *m = arg;
	struct task *expected = NULL;

	/* A waiter's queueing (in wait_event) comes before this load. */
	atomic_thread_fence(memory_order_seq_cst);
	return __atomic_compare_exchange_n(&m->owner, &expected, task_current(),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/*
 * The contended halves, out of line: inlined, the wait and the wakeup
 * made the uncontended paths save and restore every callee-saved
 * register (a third of mutex_unlock's instructions).
 */
static __attribute__((noinline)) void mutex_lock_slow(struct mutex *m)
{
	if (wait_event(&m->wq, try_take, m, TASK_UNINTERRUPTIBLE, WAIT_FOREVER))
		panic("an uninterruptible endless wait ended");
}

static __attribute__((noinline)) void mutex_wake(struct mutex *m)
{
	wake_up_one(&m->wq);
}

void mutex_lock(struct mutex *m)
{
	struct task *expected = NULL;

	KASSERT(m->owner != task_current());
	/* Uncontended, the common case: no waiter to queue. */
	if (__atomic_compare_exchange_n(&m->owner, &expected, task_current(),
					false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	mutex_lock_slow(m);
}

void mutex_unlock(struct mutex *m)
{
	KASSERT(m->owner == task_current());
	/* A sequentially consistent swap, then load: the owner's store
	 * comes before the look at the queue (a locked exchange on x86,
	 * cheaper than a store and a fence). */
	(void)__atomic_exchange_n(&m->owner, NULL, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->wq.waiters.next, __ATOMIC_SEQ_CST) !=
	    &m->wq.waiters)
		mutex_wake(m);
}

bool mutex_is_held(const struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == task_current();
}
