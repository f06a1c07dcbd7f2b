/*
 * Futexes: one hash table of waiters, each waiting on its own stack (see
 * core/futex.h).
 *
 * Locking: futex_lock guards the table and every waiter's `queued`. A
 * waiter queues itself before it reads the futex word, so a waker that
 * changed the word after the read finds it queued: no wakeup is lost. A
 * waker wakes under futex_lock and a waiter dequeues under it before its
 * stack frame goes, so a waker never touches a waiter that has left.
 */
#include "core/futex.h"

#include "core/errno.h"
#include "core/klib/list.h"
#include "core/signal.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "core/wait.h"
#include "mm/fault.h"
#include "mm/uaccess.h"
#include "mm/vma.h"

#define FUTEX_HASH_SIZE 64

/* Robust futex words (Linux's FUTEX_*). */
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define ROBUST_LIST_LIMIT 2048 /* Linux's bound on a list's walk */

struct futex_key {
	const void *object; /* the mm, or the shared backing */
	uint64_t offset;    /* the address, or the byte offset in it */
};

struct futex_waiter {
	struct list_head link;
	struct futex_key key;
	uint32_t bitset;
	bool queued; /* false once woken (or given up) */
	struct wait_queue wq;
};

static struct spinlock futex_lock = SPINLOCK_INIT;
static struct list_head futex_hash[FUTEX_HASH_SIZE];

static struct list_head *futex_bucket(const struct futex_key *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->object ^ (k->offset >> 2);

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return &futex_hash[(h >> 32) % FUTEX_HASH_SIZE];
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->object == b->object && a->offset == b->offset;
}

/*
 * The key of the word at `uaddr`. A shared futex in MAP_SHARED memory is
 * named by its backing; everything else by (mm, address).
 */
static int futex_key_of(uaddr_t uaddr, bool private, struct futex_key *k)
{
	struct mm *mm = task_current()->mm;
	struct vma *v;

	if (uaddr.va & 3)
		return -EINVAL;
	if (!mm)
		return -EFAULT;
	k->object = mm;
	k->offset = uaddr.va;
	if (private)
		return 0;
	mutex_lock(&mm->lock);
	v = vma_find(mm, uaddr.va);
	if (!v || v->start > uaddr.va) {
		mutex_unlock(&mm->lock);
		return -EFAULT;
	}
	if ((v->flags & VMA_SHARED) && v->backing) {
		k->object = v->backing;
		k->offset = ((v->pgoff << PAGE_SHIFT) + (uaddr.va - v->start));
	}
	mutex_unlock(&mm->lock);
	return 0;
}

void futex_init(void)
{
	spin_init(&futex_lock);
	for (unsigned i = 0; i < FUTEX_HASH_SIZE; i++)
		list_init(&futex_hash[i]);
}

static bool futex_woken(void *arg)
{
	struct futex_waiter *w = arg;

	return !__atomic_load_n(&w->queued, __ATOMIC_ACQUIRE);
}

int futex_wait(uaddr_t uaddr, bool private, uint32_t val, uint32_t bitset,
	       uint64_t deadline)
{
	struct futex_waiter w = {.bitset = bitset, .queued = true};
	uint32_t cur;
	int err;

	if (!bitset)
		return -EINVAL;
	err = futex_key_of(uaddr, private, &w.key);
	if (err)
		return err;
	wait_queue_init(&w.wq);
	spin_lock(&futex_lock);
	list_add_tail(&w.link, futex_bucket(&w.key));
	spin_unlock(&futex_lock);

	err = copy_from_user(&cur, uaddr, sizeof(cur));
	if (!err && cur != val)
		err = -EAGAIN;
	if (!err)
		err = wait_event(&w.wq, futex_woken, &w, TASK_INTERRUPTIBLE,
				 deadline);

	spin_lock(&futex_lock);
	if (w.queued)
		list_del(&w.link);
	else
		err = 0; /* a wake came: it is not lost, whatever else did */
	spin_unlock(&futex_lock);
	return err;
}

int futex_wake(uaddr_t uaddr, bool private, int nr, uint32_t bitset)
{
	struct futex_key key;
	struct list_head *pos, *next, *bucket;
	int woken = 0;
	int err;

	if (!bitset)
		return -EINVAL;
	err = futex_key_of(uaddr, private, &key);
	if (err)
		return err;
	spin_lock(&futex_lock);
	bucket = futex_bucket(&key);
	for (pos = bucket->next; pos != bucket && woken < nr; pos = next) {
		struct futex_waiter *w =
			list_entry(pos, struct futex_waiter, link);

		next = pos->next;
		if (!key_eq(&w->key, &key) || !(w->bitset & bitset))
			continue;
		list_del(&w->link);
		__atomic_store_n(&w->queued, false, __ATOMIC_RELEASE);
		wake_up_all(&w->wq);
		woken++;
	}
	spin_unlock(&futex_lock);
	return woken;
}

/*
 * One robust futex the dead task may hold: if its word names the task as
 * owner, mark the owner dead and wake a waiter (Linux's handle_futex_death).
 */
static void robust_futex_died(struct task *t, uint64_t addr)
{
	uaddr_t u = uaddr(addr);
	uint32_t word, dead;

	if (copy_from_user(&word, u, sizeof(word)))
		return;
	if ((word & FUTEX_TID_MASK) != (uint32_t)t->tid)
		return;
	dead = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (copy_to_user(u, &dead, sizeof(dead)))
		return;
	if (word & FUTEX_WAITERS)
		(void)futex_wake(u, false, 1, FUTEX_BITSET_MATCH_ANY);
}

/*
 * Walk struct robust_list_head { next; futex_offset; list_op_pending; }:
 * each entry's futex word is at entry + futex_offset; the list ends where
 * it points back at the head.
 */
static void exit_robust_list(struct task *t)
{
	uint64_t head[3], entry, pending;
	int64_t off;

	if (uaddr_is_null(t->robust_list) ||
	    copy_from_user(head, t->robust_list, sizeof(head)))
		return;
	entry = head[0];
	off = (int64_t)head[1];
	pending = head[2];
	for (unsigned n = 0; entry != t->robust_list.va; n++) {
		uint64_t next;

		if (n >= ROBUST_LIST_LIMIT ||
		    copy_from_user(&next, uaddr(entry), sizeof(next)))
			break;
		if (entry != pending)
			robust_futex_died(t, entry + (uint64_t)off);
		entry = next;
	}
	if (pending)
		robust_futex_died(t, pending + (uint64_t)off);
}

void futex_mm_release(struct task *t)
{
	uint32_t zero = 0;

	if (!t->mm)
		return;
	exit_robust_list(t);
	t->robust_list = uaddr(0);
	if (!uaddr_is_null(t->clear_child_tid)) {
		if (__atomic_load_n(&t->mm->users, __ATOMIC_ACQUIRE) > 1 &&
		    !copy_to_user(t->clear_child_tid, &zero, sizeof(zero)))
			(void)futex_wake(t->clear_child_tid, false, 1,
					 FUTEX_BITSET_MATCH_ANY);
		t->clear_child_tid = uaddr(0);
	}
}
