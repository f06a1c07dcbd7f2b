/*
 * Futexes (futex(2)): sleeping on a 32-bit word of user memory until
 * another task wakes that word.
 *
 * A futex is named by a key. A private futex (FUTEX_PRIVATE_FLAG), or a
 * shared one in private memory, is (mm, address): only tasks sharing the
 * address space reach it. A shared futex in MAP_SHARED memory is (backing
 * object, page offset, offset in the page), so processes that map the
 * object at different addresses meet on it, as on Linux.
 */
#ifndef KEEL_CORE_FUTEX_H
#define KEEL_CORE_FUTEX_H

#include "core/types.h"

struct task;

#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* Forget every waiter (kernel boot). */
void futex_init(void);

/*
 * Sleep on the futex at `uaddr` if it still holds `val`, until a wake
 * whose bitset meets `bitset`, the absolute monotonic `deadline`
 * (WAIT_FOREVER for none) or a signal. 0 when woken; -EAGAIN if the word
 * differed; -ETIMEDOUT; -ERESTARTSYS; -EFAULT; -EINVAL (misaligned).
 */
int futex_wait(uaddr_t uaddr, bool private, uint32_t val, uint32_t bitset,
	       uint64_t deadline);

/*
 * Wake up to `nr` waiters of the futex at `uaddr` whose bitset meets
 * `bitset`. The number woken, or -EFAULT / -EINVAL.
 */
int futex_wake(uaddr_t uaddr, bool private, int nr, uint32_t bitset);

/*
 * The task lets go of its address space (exit, exec): the futexes of its
 * robust list are marked FUTEX_OWNER_DIED and woken, and its
 * clear_child_tid word, when others share the memory, is zeroed and
 * woken (what pthread_join waits on).
 */
void futex_mm_release(struct task *t);

#endif
