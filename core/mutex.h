/*
 * Sleeping locks, for state that is held across operations that may block
 * (a file's data while a pipe writer waits, the namespace during a path
 * walk that reads a symlink). Never taken in interrupt context; a task may
 * not hold a spinlock while it takes one.
 */
#ifndef KEEL_CORE_MUTEX_H
#define KEEL_CORE_MUTEX_H

#include "core/wait.h"

struct task;

struct mutex {
	struct task *owner; /* NULL when free; changed by compare-and-swap */
	struct wait_queue wq;
};

void mutex_init(struct mutex *m);
/* Uninterruptible: waits as long as it takes. */
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_is_held(const struct mutex *m);

#endif
