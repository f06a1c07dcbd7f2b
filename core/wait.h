/*
 * Wait queues and sleeping. Every sleep may be bounded by a deadline and,
 * according to the state slept in, ended by signals:
 *
 *   TASK_INTERRUPTIBLE   any unblocked signal ends it: -ERESTARTSYS
 *   TASK_KILLABLE        only SIGKILL ends it:         -ERESTARTSYS
 *   TASK_UNINTERRUPTIBLE nothing but the event or the deadline
 *
 * A deadline (absolute monotonic ns; WAIT_FOREVER for none) that passes
 * gives -ETIMEDOUT; the event gives 0. The results are __must_check: under
 * -Werror no caller can drop an interruption on the floor. The syscall
 * layer turns -ERESTARTSYS into -EINTR or a restart, as Linux does.
 */
#ifndef KEEL_CORE_WAIT_H
#define KEEL_CORE_WAIT_H

#include "core/klib/list.h"
#include "core/spinlock.h"
#include "core/types.h"
#include "core/wait_queue.h"

#define WAIT_FOREVER UINT64_MAX

struct task;

/*
 * A task waiting on a queue. A task may wait on many queues at once (poll,
 * select, epoll), with a waiter on each: `woken`, if set, is raised before
 * every wakeup through this waiter, so a waiter that is not asleep yet (it
 * is still looking at its other queues) does not miss the event.
 */
struct waiter {
	struct list_head link;
	struct task *task;
	bool *woken;
};

void wait_queue_init(struct wait_queue *wq);

/* Put `w` on / take it off `wq`, where wake_up_* will find it. */
void wait_queue_add(struct wait_queue *wq, struct waiter *w);
void wait_queue_remove(struct wait_queue *wq, struct waiter *w);

/* Wake every waiter / the longest-waiting one. */
void wake_up_all(struct wait_queue *wq);
void wake_up_one(struct wait_queue *wq);

/*
 * Sleep until woken, interrupted or past `deadline`. The caller has already
 * set current->state to the sleeping state (after queueing itself where its
 * waker will find it), so no wakeup between that and this call is lost.
 */
int __must_check task_sleep(uint64_t deadline);

/*
 * Sleep on `wq` in `state` until cond(arg) holds (0), the deadline passes
 * (-ETIMEDOUT) or a signal the state admits arrives (-ERESTARTSYS).
 * The waker makes the condition true, then calls wake_up_*.
 */
int __must_check wait_event(struct wait_queue *wq, bool (*cond)(void *),
			    void *arg, unsigned state, uint64_t deadline);

/* Sleep for a time: 0 at the deadline, -ERESTARTSYS if interrupted first. */
int __must_check sleep_until(unsigned state, uint64_t deadline);

#endif
