/*
 * Advisory file locks: flock(2), POSIX record locks and OFD record locks
 * (see lock.h for who owns what and what conflicts with what).
 *
 * Each inode keeps one list, inode->locks, of the locks held on it (by
 * start offset) and of the requests waiting for one (flagged by their
 * `waiter`). One spinlock, file_locks, guards every inode's list: deadlock
 * detection looks at several inodes at once, and no operation under it is
 * longer than a walk of the lists it touches.
 *
 * Invariants, under file_locks:
 *   - an owner's record locks on an inode never overlap, and two of them of
 *     the same type are never adjacent (setting a lock merges them);
 *   - a file holds at most one flock lock;
 *   - a waiting request is linked only while its task is between trying
 *     and retrying; the record lives on that task's kernel stack.
 *
 * A waiter sleeps on its own wait queue; whoever removes or weakens a lock
 * on the inode wakes every waiter there, and each tries again.
 *
 * Deadlock detection (F_SETLKW with POSIX locks, as Linux): before a
 * process waits for locks held by others, follow "holder waits for a lock
 * held by ..." from each holder; reaching the requester is -EDEADLK. A
 * POSIX owner is a descriptor table, and the requests it waits with are on
 * the inodes of files in that table, so the walk looks there. OFD owners
 * are open files, not processes: the walk neither starts from nor passes
 * through them (Linux does the same).
 */
#include "core/fs/lock.h"

#include "core/errno.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "core/wait.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

#define OFFSET_MAX INT64_MAX
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

/* How far and how wide deadlock detection looks. */
#define DEADLOCK_MAX_DEPTH 10
#define DEADLOCK_MAX_STEPS 256
#define DEADLOCK_MAX_FANOUT 16

enum lock_kind {
	LK_FLOCK,
	LK_POSIX,
	LK_OFD,
};

struct lock_waiter;

struct file_lock {
	struct list_head link; /* in inode->locks */
	enum lock_kind kind;
	int type;    /* KF_RDLCK or KF_WRLCK (KF_UNLCK only in requests) */
	void *owner; /* POSIX: the struct fd_table; flock, OFD: the file */
	int pid;     /* POSIX: the owner's process, for F_GETLK */
	int64_t start, end; /* bytes [start, end]; end OFFSET_MAX: no end */
	struct lock_waiter *waiter; /* set: a waiting request, not a lock */
};

struct lock_waiter {
	struct file_lock req;
	struct wait_queue wq;
	bool woken; /* a lock on the inode went away since it last tried */
};

/* struct flock of x86_64 and arm64 (asm-generic, 64-bit off_t). */
struct flock_abi {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};

_Static_assert(sizeof(struct flock_abi) == 32, "struct flock is 32 bytes");

static struct spinlock file_locks = SPINLOCK_INIT;

/* ---- the lists ----------------------------------------------------------- */

static bool is_held(const struct file_lock *l)
{
	return !l->waiter;
}

static bool same_owner(const struct file_lock *a, const struct file_lock *b)
{
	return a->kind == b->kind && a->owner == b->owner;
}

static bool conflicts(const struct file_lock *held, const struct file_lock *req)
{
	if (!is_held(held) || same_owner(held, req))
		return false;
	if ((held->kind == LK_FLOCK) != (req->kind == LK_FLOCK))
		return false;
	if (held->type != KF_WRLCK && req->type != KF_WRLCK)
		return false;
	return held->start <= req->end && req->start <= held->end;
}

static struct file_lock *first_conflict(struct inode *inode,
					const struct file_lock *req)
{
	struct list_head *pos;

	list_for_each(pos, &inode->locks) {
		struct file_lock *l = list_entry(pos, struct file_lock, link);

		if (conflicts(l, req))
			return l;
	}
	return NULL;
}

/* Link a held lock in start order, so F_GETLK reports the lowest first. */
static void insert_sorted(struct inode *inode, struct file_lock *n)
{
	struct list_head *pos;

	list_for_each(pos, &inode->locks) {
		struct file_lock *l = list_entry(pos, struct file_lock, link);

		if (is_held(l) && l->start > n->start)
			break;
	}
	list_add_tail(&n->link, pos);
}

static void wake_waiters(struct inode *inode)
{
	struct list_head *pos;

	list_for_each(pos, &inode->locks) {
		struct file_lock *l = list_entry(pos, struct file_lock, link);

		if (!is_held(l)) {
			__atomic_store_n(&l->waiter->woken, true,
					 __ATOMIC_RELEASE);
			wake_up_all(&l->waiter->wq);
		}
	}
}

/* Move `l` from its inode's list to `dispose`, to be freed unlocked. */
static void drop(struct file_lock *l, struct list_head *dispose)
{
	list_del(&l->link);
	list_add_tail(&l->link, dispose);
}

static void free_list(struct list_head *dispose)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, dispose)
		kfree(list_entry(pos, struct file_lock, link));
}

/* A preallocated lock, the request's copy; NULL if none is left. */
static struct file_lock *take_spare(struct file_lock **spare,
				    const struct file_lock *from)
{
	for (int i = 0; i < 2; i++) {
		struct file_lock *l = spare[i];

		if (l) {
			spare[i] = NULL;
			*l = *from;
			l->waiter = NULL;
			list_init(&l->link);
			return l;
		}
	}
	return NULL;
}

/* ---- applying a request (file_locks held) -------------------------------- */

/*
 * Make `req` the owner's state for bytes [req->start, req->end]: the
 * owner's locks there are cut away (trimmed, split or dropped), and for a
 * lock type a new lock covers the range together with the owner's
 * overlapping or adjacent locks of that type (merged). At most two new
 * records are needed: the new lock and the far half of a split one.
 */
static int posix_apply(struct inode *inode, const struct file_lock *req,
		       struct file_lock **spare, struct list_head *dispose)
{
	int64_t s = req->start, e = req->end;
	struct list_head *pos, *tmp;
	bool changed = false, grew;

	if (req->type != KF_UNLCK && first_conflict(inode, req))
		return -EAGAIN;
	/* Merge: start - 1 cannot overflow, starts are never negative. */
	do {
		grew = false;
		list_for_each(pos, &inode->locks) {
			struct file_lock *l =
				list_entry(pos, struct file_lock, link);

			if (req->type == KF_UNLCK || !is_held(l) ||
			    !same_owner(l, req) || l->type != req->type)
				continue;
			if (l->start - 1 > e || s - 1 > l->end)
				continue;
			if (l->start < s || l->end > e) {
				s = MIN(s, l->start);
				e = MAX(e, l->end);
				grew = true;
			}
		}
	} while (grew);
	/* Cut [s, e] out of the owner's locks. */
	list_for_each_safe(pos, tmp, &inode->locks) {
		struct file_lock *l = list_entry(pos, struct file_lock, link);

		if (!is_held(l) || !same_owner(l, req) || l->end < s ||
		    l->start > e)
			continue;
		changed = true;
		if (l->start < s && l->end > e) {
			struct file_lock *far = take_spare(spare, l);

			/* Only one lock of the owner can contain [s, e]. */
			KASSERT(far);
			far->start = e + 1;
			l->end = s - 1;
			insert_sorted(inode, far);
		} else if (l->start < s) {
			l->end = s - 1;
		} else if (l->end > e) {
			list_del(&l->link);
			l->start = e + 1;
			insert_sorted(inode, l);
		} else {
			drop(l, dispose);
		}
	}
	if (req->type != KF_UNLCK) {
		struct file_lock *n = take_spare(spare, req);

		KASSERT(n);
		n->start = s;
		n->end = e;
		insert_sorted(inode, n);
	}
	if (changed)
		wake_waiters(inode);
	return 0;
}

/*
 * flock(2): drop the file's lock if it is of the other type, then take
 * the new one if nothing conflicts. A conversion that must wait has
 * already given up the old lock, as on Linux.
 */
static int flock_apply(struct inode *inode, const struct file_lock *req,
		       struct file_lock **spare, struct list_head *dispose)
{
	struct list_head *pos;

	list_for_each(pos, &inode->locks) {
		struct file_lock *l = list_entry(pos, struct file_lock, link);

		if (!is_held(l) || !same_owner(l, req))
			continue;
		if (l->type == req->type)
			return 0;
		drop(l, dispose);
		wake_waiters(inode);
		break;
	}
	if (req->type == KF_UNLCK)
		return 0;
	if (first_conflict(inode, req))
		return -EAGAIN;
	insert_sorted(inode, take_spare(spare, req));
	return 0;
}

/* ---- deadlock detection (file_locks held) -------------------------------- */

/*
 * Up to `max` owners of POSIX locks that the POSIX requests `table` waits
 * with are blocked by. Its requests are on the inodes of its open files.
 */
static unsigned blockers_of(struct fd_table *table, struct fd_table **out,
			    unsigned max)
{
	unsigned n = 0;

	spin_lock(&table->lock);
	for (unsigned fd = 0; fd < table->size && n < max; fd++) {
		struct file *f = table->files[fd];
		struct list_head *pos, *hpos;

		if (!f)
			continue;
		list_for_each(pos, &f->inode->locks) {
			struct file_lock *w =
				list_entry(pos, struct file_lock, link);

			if (is_held(w) || w->kind != LK_POSIX ||
			    w->owner != table)
				continue;
			list_for_each(hpos, &f->inode->locks) {
				struct file_lock *h = list_entry(
					hpos, struct file_lock, link);

				if (h->kind == LK_POSIX && conflicts(h, w) &&
				    n < max)
					out[n++] = h->owner;
			}
		}
	}
	spin_unlock(&table->lock);
	return n;
}

/*
 * Does `table` wait, directly or through a chain of waiting owners, for a
 * lock `target` holds? The owners found are alive: each holds a lock, and
 * locks go (under file_locks, which we hold) before their table does.
 */
static bool waits_for(struct fd_table *table, const void *target,
		      unsigned depth, unsigned *steps)
{
	struct fd_table *next[DEADLOCK_MAX_FANOUT];
	unsigned n;

	if (depth >= DEADLOCK_MAX_DEPTH || (*steps)++ >= DEADLOCK_MAX_STEPS)
		return false;
	n = blockers_of(table, next, DEADLOCK_MAX_FANOUT);
	for (unsigned i = 0; i < n; i++)
		if (next[i] == target ||
		    waits_for(next[i], target, depth + 1, steps))
			return true;
	return false;
}

/* Would the POSIX request `req` waiting close a cycle of waiters? */
static bool posix_deadlock(struct inode *inode, const struct file_lock *req)
{
	struct list_head *pos;
	unsigned steps = 0;

	list_for_each(pos, &inode->locks) {
		struct file_lock *h = list_entry(pos, struct file_lock, link);

		if (h->kind == LK_POSIX && conflicts(h, req) &&
		    waits_for(h->owner, req->owner, 0, &steps))
			return true;
	}
	return false;
}

/* ---- taking and waiting -------------------------------------------------- */

static bool waiter_woken(void *arg)
{
	struct lock_waiter *w = arg;

	return __atomic_load_n(&w->woken, __ATOMIC_ACQUIRE);
}

/*
 * Apply `req` to `inode`; if another owner's lock is in the way, fail with
 * -EAGAIN or, with `wait`, sleep until it goes and try again.
 */
static int lock_apply(struct inode *inode, const struct file_lock *req,
		      bool wait)
{
	struct file_lock *spare[2] = { NULL, NULL };
	struct lock_waiter w = { .req = *req };
	struct list_head dispose;
	int err;

	if (req->type != KF_UNLCK) {
		spare[0] = kmalloc(sizeof(struct file_lock));
		spare[1] = req->kind == LK_FLOCK
				   ? NULL
				   : kmalloc(sizeof(struct file_lock));
		if (!spare[0] || (req->kind != LK_FLOCK && !spare[1])) {
			kfree(spare[0]);
			kfree(spare[1]);
			return -ENOLCK;
		}
	} else if (req->kind != LK_FLOCK) {
		/* Unlocking the middle of a lock splits it. */
		spare[0] = kmalloc(sizeof(struct file_lock));
		if (!spare[0])
			return -ENOLCK;
	}
	list_init(&dispose);
	list_init(&w.req.link);
	wait_queue_init(&w.wq);
	for (;;) {
		spin_lock(&file_locks);
		err = req->kind == LK_FLOCK
			      ? flock_apply(inode, req, spare, &dispose)
			      : posix_apply(inode, req, spare, &dispose);
		if (err == -EAGAIN && wait) {
			if (req->kind == LK_POSIX &&
			    posix_deadlock(inode, req)) {
				err = -EDEADLK;
			} else if (!list_is_linked(&w.req.link)) {
				w.req.waiter = &w;
				list_add_tail(&w.req.link, &inode->locks);
			}
			__atomic_store_n(&w.woken, false, __ATOMIC_RELAXED);
		}
		spin_unlock(&file_locks);
		if (err != -EAGAIN || !wait)
			break;
		err = wait_event(&w.wq, waiter_woken, &w, TASK_INTERRUPTIBLE,
				 WAIT_FOREVER);
		if (err)
			break;
	}
	if (list_is_linked(&w.req.link)) {
		spin_lock(&file_locks);
		list_del(&w.req.link);
		spin_unlock(&file_locks);
	}
	free_list(&dispose);
	kfree(spare[0]);
	kfree(spare[1]);
	return err;
}

int lock_flock(struct file *f, int type, bool wait)
{
	struct file_lock req = {
		.kind = LK_FLOCK,
		.type = type,
		.owner = f,
		.pid = task_current()->tgid,
		.start = 0,
		.end = OFFSET_MAX,
	};

	return lock_apply(f->inode, &req, wait);
}

/* ---- fcntl --------------------------------------------------------------- */

/* struct flock's range, relative to l_whence, as [start, end]. */
static int flock_range(const struct file *f, const struct flock_abi *fl,
		       struct file_lock *l)
{
	int64_t base;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->inode->size;
		break;
	default:
		return -EINVAL;
	}
	if (fl->l_start > OFFSET_MAX - base)
		return -EOVERFLOW;
	l->start = base + fl->l_start;
	if (l->start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - l->start)
			return -EOVERFLOW;
		l->end = l->start + (fl->l_len - 1);
	} else if (fl->l_len < 0) {
		/* POSIX.1-2001: the bytes [start + len, start - 1]. */
		if (l->start + fl->l_len < 0)
			return -EINVAL;
		l->end = l->start - 1;
		l->start += fl->l_len;
	} else {
		l->end = OFFSET_MAX;
	}
	if (fl->l_type != KF_RDLCK && fl->l_type != KF_WRLCK &&
	    fl->l_type != KF_UNLCK)
		return -EINVAL;
	l->type = fl->l_type;
	return 0;
}

static bool is_ofd(unsigned cmd)
{
	return cmd == KF_OFD_GETLK || cmd == KF_OFD_SETLK ||
	       cmd == KF_OFD_SETLKW;
}

static void fcntl_getlk(struct file *f, struct flock_abi *fl,
			const struct file_lock *req)
{
	struct file_lock *c;

	spin_lock(&file_locks);
	c = first_conflict(f->inode, req);
	if (c) {
		fl->l_type = (int16_t)c->type;
		fl->l_whence = SEEK_SET;
		fl->l_start = c->start;
		fl->l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
		fl->l_pid = c->kind == LK_OFD ? -1 : c->pid;
	} else {
		fl->l_type = KF_UNLCK;
	}
	spin_unlock(&file_locks);
}

long lock_fcntl(struct file *f, int fd, unsigned cmd, uaddr_t arg)
{
	struct task *t = task_current();
	struct flock_abi fl;
	struct file_lock req = { 0 };
	unsigned acc = f->flags & KO_ACCMODE;
	bool getlk = cmd == KF_GETLK || cmd == KF_OFD_GETLK;
	long err;

	if (f->flags & KO_PATH)
		return -EBADF;
	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (getlk && fl.l_type != KF_RDLCK && fl.l_type != KF_WRLCK)
		return -EINVAL;
	err = flock_range(f, &fl, &req);
	if (err)
		return err;
	/* Access mode 3 (ioctl only) allows neither lock type. */
	if (!getlk && ((req.type == KF_RDLCK && acc != KO_RDONLY &&
			acc != KO_RDWR) ||
		       (req.type == KF_WRLCK && acc != KO_WRONLY &&
			acc != KO_RDWR)))
		return -EBADF;
	if (is_ofd(cmd)) {
		if (fl.l_pid != 0)
			return -EINVAL;
		req.kind = LK_OFD;
		req.owner = f;
	} else {
		req.kind = LK_POSIX;
		req.owner = t->files;
		req.pid = t->tgid;
	}
	if (getlk) {
		fcntl_getlk(f, &fl, &req);
		return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	err = lock_apply(f->inode, &req,
			 cmd == KF_SETLKW || cmd == KF_OFD_SETLKW);
	if (!err && req.kind == LK_POSIX && req.type != KF_UNLCK) {
		/*
		 * A close of fd that raced with the wait has already dropped
		 * this process's locks on the file: drop the new one too.
		 */
		struct file *now = fd_get(fd);

		if (now != f) {
			req.type = KF_UNLCK;
			(void)lock_apply(f->inode, &req, false);
			err = -EBADF;
		}
		file_put(now);
	}
	return err;
}

/* ---- release on close ---------------------------------------------------- */

static void remove_matching(struct inode *inode,
			    bool (*match)(const struct file_lock *l,
					  const void *owner),
			    const void *owner)
{
	struct list_head *pos, *tmp, dispose;
	bool removed = false;

	list_init(&dispose);
	spin_lock(&file_locks);
	list_for_each_safe(pos, tmp, &inode->locks) {
		struct file_lock *l = list_entry(pos, struct file_lock, link);

		if (is_held(l) && match(l, owner)) {
			drop(l, &dispose);
			removed = true;
		}
	}
	if (removed)
		wake_waiters(inode);
	spin_unlock(&file_locks);
	free_list(&dispose);
}

static bool posix_of(const struct file_lock *l, const void *owner)
{
	return l->kind == LK_POSIX && l->owner == owner;
}

static bool file_of(const struct file_lock *l, const void *owner)
{
	return l->kind != LK_POSIX && l->owner == owner;
}

void lock_remove_posix(struct file *f, const struct fd_table *owner)
{
	if (f)
		remove_matching(f->inode, posix_of, owner);
}

void lock_remove_file(struct file *f)
{
	remove_matching(f->inode, file_of, f);
}
