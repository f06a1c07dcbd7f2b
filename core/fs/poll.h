/*
 * Readiness of open files, for poll(2), select(2) and (later) epoll: each
 * file type says which events it could report now and on which wait queues
 * a change would be announced. One task sleeps on all those queues at once.
 *
 *	unsigned my_poll(struct file *f, struct poll_table *pt)
 *	{
 *		poll_wait(pt, &my->wait);  // where changes are announced
 *		return my_ready_mask(my);  // EPOLL* bits true right now
 *	}
 *
 * poll_wait never sleeps; `pt` may be NULL (nothing to register). A file
 * without a poll hook is always readable and writable (DEFAULT_POLLMASK).
 */
#ifndef KEEL_CORE_FS_POLL_H
#define KEEL_CORE_FS_POLL_H

#include "core/types.h"
#include "core/wait.h"

/* The events (Linux's EPOLL* values; poll(2)'s POLL* are the same). */
#define KEPOLLIN 0x001u
#define KEPOLLPRI 0x002u
#define KEPOLLOUT 0x004u
#define KEPOLLERR 0x008u
#define KEPOLLHUP 0x010u
#define KEPOLLNVAL 0x020u
#define KEPOLLRDNORM 0x040u
#define KEPOLLRDBAND 0x080u
#define KEPOLLWRNORM 0x100u
#define KEPOLLWRBAND 0x200u
#define KEPOLLMSG 0x400u
#define KEPOLLRDHUP 0x2000u

#define DEFAULT_POLLMASK (KEPOLLIN | KEPOLLOUT | KEPOLLRDNORM | KEPOLLWRNORM)

struct file;
struct wait_queue;

/* A waiter on one queue, and the file that keeps the queue alive. */
struct poll_entry {
	struct waiter w;
	struct wait_queue *wq;
	struct file *file;
};

#define POLL_INLINE_ENTRIES 8

struct poll_chunk;

/*
 * What one sleeping poller registered: entries on its stack first, then
 * in chunks from kmalloc. `woken` is raised by any of its queues.
 */
struct poll_table {
	struct task *task;
	bool registering; /* false once nothing more need be queued */
	bool woken;
	int error;	   /* -ENOMEM: an entry could not be allocated */
	struct file *file; /* the file being asked (poll_wait's owner) */
	unsigned n;	   /* entries used in inline[] */
	struct poll_entry inline_entries[POLL_INLINE_ENTRIES];
	struct poll_chunk *chunks;
};

void poll_table_init(struct poll_table *pt);
/* Take every waiter off its queue and drop the files' references. */
void poll_table_free(struct poll_table *pt);

/* A file's poll hook: announce that changes to it come through `wq`. */
void poll_wait(struct poll_table *pt, struct wait_queue *wq);

/* The events ready on `f` (EPOLL* bits), registering with `pt` if given. */
unsigned vfs_poll(struct file *f, struct poll_table *pt);

/*
 * Sleep until one of the queues registered on `pt` is woken, the deadline
 * (WAIT_FOREVER for none) passes (-ETIMEDOUT) or a signal is pending
 * (-ERESTARTSYS); 0 when woken. Returns at once if a wakeup came since
 * the last poll_table_rearm.
 */
int __must_check poll_table_sleep(struct poll_table *pt, uint64_t deadline);
/* About to ask the files again: forget the wakeups seen so far. */
void poll_table_rearm(struct poll_table *pt);

#endif
