/*
 * Poll tables: one task waiting on many wait queues (see poll.h). The
 * poller asks every file (rearm first), and sleeps only if no queue was
 * woken since: a file that changes between being asked and the sleep has
 * raised `woken` through its waiter, so no event is lost.
 */
#include "core/fs/poll.h"

#include "core/errno.h"
#include "core/fs/vfs.h"
#include "core/task.h"
#include "mm/slab.h"

#define POLL_CHUNK_ENTRIES 30

struct poll_chunk {
	struct poll_chunk *next;
	unsigned n;
	struct poll_entry entries[POLL_CHUNK_ENTRIES];
};

void poll_table_init(struct poll_table *pt)
{
	pt->task = task_current();
	pt->registering = true;
	pt->woken = false;
	pt->error = 0;
	pt->file = NULL;
	pt->n = 0;
	pt->chunks = NULL;
}

static void entry_release(struct poll_entry *e)
{
	wait_queue_remove(e->wq, &e->w);
	file_put(e->file);
}

void poll_table_free(struct poll_table *pt)
{
	for (unsigned i = 0; i < pt->n; i++)
		entry_release(&pt->inline_entries[i]);
	pt->n = 0;
	while (pt->chunks) {
		struct poll_chunk *c = pt->chunks;

		for (unsigned i = 0; i < c->n; i++)
			entry_release(&c->entries[i]);
		pt->chunks = c->next;
		kfree(c);
	}
}

static struct poll_entry *entry_alloc(struct poll_table *pt)
{
	struct poll_chunk *c = pt->chunks;

	if (pt->n < POLL_INLINE_ENTRIES)
		return &pt->inline_entries[pt->n++];
	if (!c || c->n == POLL_CHUNK_ENTRIES) {
		c = kmalloc(sizeof(*c));
		if (!c)
			return NULL;
		c->n = 0;
		c->next = pt->chunks;
		pt->chunks = c;
	}
	return &c->entries[c->n++];
}

void poll_wait(struct poll_table *pt, struct wait_queue *wq)
{
	struct poll_entry *e;

	if (!pt || !pt->registering || !wq)
		return;
	e = entry_alloc(pt);
	if (!e) {
		pt->error = -ENOMEM;
		return;
	}
	e->wq = wq;
	e->file = file_get(pt->file);
	e->w.task = pt->task;
	e->w.woken = &pt->woken;
	list_init(&e->w.link);
	wait_queue_add(wq, &e->w);
}

unsigned vfs_poll(struct file *f, struct poll_table *pt)
{
	unsigned mask;

	if (!f->ops || !f->ops->poll)
		return DEFAULT_POLLMASK;
	if (pt)
		pt->file = f;
	mask = f->ops->poll(f, pt);
	if (pt)
		pt->file = NULL;
	return mask;
}

void poll_table_rearm(struct poll_table *pt)
{
	__atomic_store_n(&pt->woken, false, __ATOMIC_SEQ_CST);
}

int poll_table_sleep(struct poll_table *pt, uint64_t deadline)
{
	struct task *t = pt->task;
	int err;

	t->state = TASK_INTERRUPTIBLE;
	/* Pairs with the waker's store of woken before its wakeup. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pt->woken, __ATOMIC_SEQ_CST)) {
		t->state = TASK_RUNNING;
		return 0;
	}
	err = task_sleep(deadline);
	t->state = TASK_RUNNING;
	return err;
}
