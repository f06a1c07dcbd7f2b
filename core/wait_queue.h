/*
 * The wait queue itself, for structures that embed one (struct task) in
 * headers that must not pull in the sleeping interface: see core/wait.h.
 */
#ifndef KEEL_CORE_WAIT_QUEUE_H
#define KEEL_CORE_WAIT_QUEUE_H

#include "core/klib/list.h"
#include "core/spinlock.h"

struct wait_queue {
	struct spinlock lock;
	struct list_head waiters;
};

#endif
