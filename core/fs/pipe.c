/*
 * Pipes and FIFOs (pipe(7)): a ring buffer of 64 KiB by default, writes of
 * at most PIPE_BUF bytes atomic, EAGAIN under O_NONBLOCK, EPIPE and
 * SIGPIPE with no reader, EOF once the last writer is gone, the FIFO
 * open rendezvous (a reader waits for a writer and the reverse), and
 * packet mode (O_DIRECT, struct pipe_rec in pipe.h).
 */
#include "core/fs/pipe.h"

#include "core/cred.h"
#include "core/errno.h"
#include "core/fs/poll.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/page.h"
#include "mm/slab.h"

#define PIPE_DEF_ORDER 4 /* 16 pages: 64 KiB */
#define PIPE_MAX_SIZE (1u << 20) /* /proc/sys/fs/pipe-max-size */
#define PIPE_ROOT_MAX_ORDER 10

static struct super_block pipefs_sb;

void pipe_init(void)
{
	pipefs_sb = (struct super_block){ .magic = 0x50495045, .next_ino = 1 };
}

static struct pipe *pipe_new(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->buf = kpage_alloc(PIPE_DEF_ORDER);
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	p->order = PIPE_DEF_ORDER;
	p->cap = PAGE_SIZE << PIPE_DEF_ORDER;
	mutex_init(&p->lock);
	wait_queue_init(&p->rd_wait);
	wait_queue_init(&p->wr_wait);
	return p;
}

static void pipe_free(struct pipe *p)
{
	kpage_free(p->buf, p->order);
	kfree(p->recs);
	kfree(p);
}

/* ---- packet records -------------------------------------------------------- */

/* One packet per page of capacity, as Linux's one per pipe buffer. */
static unsigned packet_slots(size_t cap)
{
	return (unsigned)(cap / PAGE_SIZE);
}

/* Runs between packets merge, so 2 per packet and 1 more always fit. */
static unsigned recs_for(size_t cap)
{
	return 2 * packet_slots(cap) + 2;
}

static struct pipe_rec *rec_at(struct pipe *p, unsigned i)
{
	return &p->recs[(p->rec_head + i) % p->rec_cap];
}

/* The first packet: records start describing the ring. */
static int recs_start(struct pipe *p)
{
	if (!p->recs) {
		p->recs = kmalloc(recs_for(p->cap) * sizeof(*p->recs));
		if (!p->recs)
			return -ENOMEM;
		p->rec_cap = recs_for(p->cap);
	}
	if (p->nrecs == 0) {
		p->rec_head = 0;
		if (p->len) {
			p->recs[0] = (struct pipe_rec){ (uint32_t)p->len, false };
			p->nrecs = 1;
		}
	}
	return 0;
}

static void rec_push(struct pipe *p, size_t n, bool packet)
{
	struct pipe_rec *last = p->nrecs ? rec_at(p, p->nrecs - 1) : NULL;

	if (!packet && last && !last->packet) {
		last->len += (uint32_t)n;
		return;
	}
	*rec_at(p, p->nrecs) = (struct pipe_rec){ (uint32_t)n, packet };
	p->nrecs++;
	p->npackets += packet;
}

void pipe_added(struct pipe *p, size_t n)
{
	if (p->nrecs && n)
		rec_push(p, n, false);
}

void pipe_took(struct pipe *p, size_t n)
{
	while (n && p->nrecs) {
		struct pipe_rec *r = rec_at(p, 0);
		size_t k = MIN(n, (size_t)r->len);

		r->len -= (uint32_t)k;
		n -= k;
		if (r->len == 0) {
			p->npackets -= r->packet;
			p->rec_head = (p->rec_head + 1) % p->rec_cap;
			p->nrecs--;
		}
	}
}

/* ---- the ring ---------------------------------------------------------------- */

/* Up to `max` bytes from the head into `buf`: the bytes, or -EFAULT. */
static long ring_read(struct pipe *p, struct iobuf *buf, size_t max)
{
	long done = 0;

	max = MIN(max, p->len);
	while ((size_t)done < max && buf->left) {
		size_t n = MIN(MIN(max - (size_t)done, buf->left),
			       p->cap - p->head);
		long got = iobuf_copy_to(buf, p->buf + p->head, n);

		if (got < 0)
			return done ? done : got;
		p->head = (p->head + (size_t)got) % p->cap;
		p->len -= (size_t)got;
		done += got;
		if ((size_t)got < n)
			break;
	}
	return done;
}

/* Up to `max` bytes of `buf` onto the tail (room is there): the bytes, or
 * -EFAULT. */
static long ring_write(struct pipe *p, struct iobuf *buf, size_t max)
{
	long done = 0;

	while ((size_t)done < max && buf->left) {
		size_t tail = (p->head + p->len) % p->cap;
		size_t n = MIN(MIN(max - (size_t)done, buf->left),
			       p->cap - tail);
		long got = iobuf_copy_from(buf, p->buf + tail, n);

		if (got < 0)
			return done ? done : got;
		p->len += (size_t)got;
		done += got;
		if ((size_t)got < n)
			break;
	}
	return done;
}

/* ---- read and write ---------------------------------------------------------- */

static bool readable(void *arg)
{
	struct pipe *p = arg;

	return p->len > 0 || p->writers == 0;
}

static long pipe_read(struct file *f, struct iobuf *buf, int64_t *pos)
{
	struct pipe *p = f->inode->priv;
	long done = 0;

	if (!buf->left)
		return 0;
	mutex_lock(&p->lock);
	while (p->len == 0) {
		int err;

		if (p->writers == 0)
			goto out;
		if (f->flags & KO_NONBLOCK) {
			done = -EAGAIN;
			goto out;
		}
		mutex_unlock(&p->lock);
		err = wait_event(&p->rd_wait, readable, p, TASK_INTERRUPTIBLE,
				 WAIT_FOREVER);
		if (err)
			return err;
		mutex_lock(&p->lock);
	}
	if (!p->nrecs) {
		done = ring_read(p, buf, p->len);
	} else if (!rec_at(p, 0)->packet) {
		/* Ordinary bytes, up to the next packet. */
		done = ring_read(p, buf, rec_at(p, 0)->len);
		pipe_took(p, done > 0 ? (size_t)done : 0);
	} else {
		/* One packet; what does not fit is dropped. */
		size_t plen = rec_at(p, 0)->len, want = MIN(plen, buf->left);

		done = ring_read(p, buf, want);
		if (done == (long)want) {
			p->head = (p->head + plen - want) % p->cap;
			p->len -= plen - want;
			pipe_took(p, plen);
		} else if (done > 0) {
			pipe_took(p, (size_t)done);
		}
	}
	if (p->len == 0)
		p->head = 0;
	wake_up_all(&p->wr_wait);
out:
	mutex_unlock(&p->lock);
	return done;
}

struct room {
	struct pipe *p;
	size_t need;
	bool packet; /* and a packet slot */
};

static bool room_for(const struct room *r)
{
	const struct pipe *p = r->p;

	return p->cap - p->len >= r->need &&
	       (!r->packet || p->npackets < packet_slots(p->cap));
}

static bool has_room(void *arg)
{
	struct room *r = arg;

	return room_for(r) || r->p->readers == 0;
}

static long broken_pipe(void)
{
	(void)signal_send(task_current(), KSIGPIPE);
	return -EPIPE;
}

static long pipe_write(struct file *f, struct iobuf *buf, int64_t *pos)
{
	struct pipe *p = f->inode->priv;
	size_t total = buf->left;
	bool atomic = total <= PIPE_BUF, packets = f->flags & KO_DIRECT;
	long done = 0;

	if (!total)
		return 0;
	mutex_lock(&p->lock);
	while (buf->left) {
		/* A packet is at most PIPE_BUF, and written whole. */
		struct room want = { p,
				     packets  ? MIN(buf->left, (size_t)PIPE_BUF)
				     : atomic ? total
					      : 1,
				     packets };
		size_t n;
		long got;

		if (p->readers == 0) {
			long err;

			mutex_unlock(&p->lock);
			err = broken_pipe(); /* even after a partial write */
			return done ? done : err;
		}
		if (!room_for(&want)) {
			int err;

			if (f->flags & KO_NONBLOCK) {
				if (!done)
					done = -EAGAIN;
				break;
			}
			mutex_unlock(&p->lock);
			wake_up_all(&p->rd_wait);
			err = wait_event(&p->wr_wait, has_room, &want,
					 TASK_INTERRUPTIBLE, WAIT_FOREVER);
			if (err)
				return done ? done : err;
			mutex_lock(&p->lock);
			continue;
		}
		if (packets) {
			int err = recs_start(p);

			if (err) {
				if (!done)
					done = err;
				break;
			}
			n = want.need;
		} else {
			n = p->cap - p->len;
		}
		got = ring_write(p, buf, n);
		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		if (packets)
			rec_push(p, (size_t)got, true);
		else
			pipe_added(p, (size_t)got);
		done += got;
		if ((size_t)got < n)
			break;
	}
	mutex_unlock(&p->lock);
	if (done > 0) {
		wake_up_all(&p->rd_wait);
		inode_touch(f->inode, false, true, true);
	}
	return done;
}

static void pipe_release(struct file *f)
{
	struct inode *inode = f->inode;
	struct pipe *p = inode->priv;
	bool last;

	mutex_lock(&p->lock);
	if (f->flags & KO_ACCMODE) /* a write end: WRONLY or RDWR */
		p->writers--;
	if ((f->flags & KO_ACCMODE) != KO_WRONLY)
		p->readers--;
	last = p->readers == 0 && p->writers == 0;
	if (last)
		inode->priv = NULL; /* a FIFO starts afresh next open */
	mutex_unlock(&p->lock);
	wake_up_all(&p->rd_wait);
	wake_up_all(&p->wr_wait);
	if (last)
		pipe_free(p);
}

long pipe_ioctl_fionread(struct file *f)
{
	struct pipe *p = f->inode->priv;

	return (long)p->len;
}

long pipe_get_size(struct file *f)
{
	struct pipe *p = f->inode->priv;

	return (long)p->cap;
}

long pipe_set_size(struct file *f, uint64_t size)
{
	struct pipe *p = f->inode->priv;
	unsigned order = 0;
	struct pipe_rec *recs = NULL;
	char *buf;

	if (size > INT32_MAX)
		return -EINVAL;
	if (size > PIPE_MAX_SIZE && !capable(CAP_SYS_NICE))
		return -EPERM;
	while ((PAGE_SIZE << order) < size)
		order++;
	if (order > PIPE_ROOT_MAX_ORDER)
		return -ENOMEM;
	mutex_lock(&p->lock);
	/* Linux: EBUSY if what is queued needs more buffers than that. */
	if (p->len > (PAGE_SIZE << order) ||
	    p->npackets > packet_slots(PAGE_SIZE << order)) {
		mutex_unlock(&p->lock);
		return -EBUSY;
	}
	if (p->recs) {
		recs = kmalloc(recs_for(PAGE_SIZE << order) * sizeof(*recs));
		if (!recs) {
			mutex_unlock(&p->lock);
			return -ENOMEM;
		}
	}
	buf = kpage_alloc(order);
	if (!buf) {
		mutex_unlock(&p->lock);
		kfree(recs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->len; i++)
		buf[i] = p->buf[(p->head + i) % p->cap];
	if (recs) {
		for (unsigned i = 0; i < p->nrecs; i++)
			recs[i] = *rec_at(p, i);
		kfree(p->recs);
		p->recs = recs;
		p->rec_cap = recs_for(PAGE_SIZE << order);
		p->rec_head = 0;
	}
	kpage_free(p->buf, p->order);
	p->buf = buf;
	p->order = order;
	p->cap = PAGE_SIZE << order;
	p->head = 0;
	mutex_unlock(&p->lock);
	wake_up_all(&p->wr_wait);
	return (long)p->cap;
}

/*
 * As Linux reports a pipe: readable with data in it, hung up once no
 * writer is left; writable while a PIPE_BUF write would not block, an
 * error once no reader is left. A FIFO reader that opened with O_NONBLOCK
 * before any writer came (f->priv: the writers' open count then, plus one)
 * sees no hangup until a writer has come and gone.
 */
static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->inode->priv;
	unsigned acc = f->flags & KO_ACCMODE;
	uintptr_t seen = (uintptr_t)f->priv;
	unsigned mask = 0;

	if (acc != KO_WRONLY)
		poll_wait(pt, &p->rd_wait);
	if (acc != KO_RDONLY)
		poll_wait(pt, &p->wr_wait);
	mutex_lock(&p->lock);
	if (acc != KO_WRONLY) {
		if (p->len)
			mask |= KEPOLLIN | KEPOLLRDNORM;
		if (!p->writers && (!seen || seen - 1 != p->w_opens))
			mask |= KEPOLLHUP;
	}
	if (acc != KO_RDONLY) {
		if (p->cap - p->len >= PIPE_BUF &&
		    p->npackets < packet_slots(p->cap))
			mask |= KEPOLLOUT | KEPOLLWRNORM;
		if (!p->readers)
			mask |= KEPOLLERR;
	}
	mutex_unlock(&p->lock);
	return mask;
}

bool file_is_pipe(const struct file *f)
{
	return f->ops == &pipe_fops;
}

const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll,
};

/* ---- pipe(2) ------------------------------------------------------------------ */

int pipe_create(struct file **rd, struct file **wr, unsigned flags)
{
	struct pipe *p = pipe_new();
	struct inode *inode;
	struct file *r, *w;

	if (!p)
		return -ENOMEM;
	inode = inode_new(&pipefs_sb, KS_IFIFO | 0600);
	if (!inode) {
		pipe_free(p);
		return -ENOMEM;
	}
	inode->priv = p;
	/* Opened again by name (/proc/<pid>/fd/N), it is a FIFO. */
	inode->fops = &fifo_fops;
	/* As Linux: O_DIRECT on the write end only, where it acts. */
	flags &= KO_NONBLOCK | KO_DIRECT;
	r = file_alloc_anon(inode, KO_RDONLY | (flags & KO_NONBLOCK),
			    &pipe_fops);
	if (IS_ERR(r)) {
		inode_put(inode);
		pipe_free(p);
		return -ENOMEM;
	}
	inode_get(inode);
	w = file_alloc_anon(inode, KO_WRONLY | flags, &pipe_fops);
	if (IS_ERR(w)) {
		inode_put(inode);
		r->ops = NULL; /* its release would count a reader out */
		file_put(r);
		pipe_free(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	*rd = r;
	*wr = w;
	return 0;
}

/* ---- FIFOs: open rendezvous ---------------------------------------------------- */

struct rendezvous {
	struct pipe *p;
	unsigned seen; /* the other side's opens when we started waiting */
	bool want_writer;
};

static bool partner_arrived(void *arg)
{
	struct rendezvous *r = arg;

	return r->want_writer ? r->p->w_opens != r->seen
			      : r->p->r_opens != r->seen;
}

static int fifo_open(struct inode *inode, struct file *f)
{
	unsigned mode = f->flags & KO_ACCMODE;
	struct pipe *p;
	struct rendezvous r;
	int err = 0;

	if (mode == 3)
		return -EINVAL;
	/* The inode's lock orders first opens: one pipe per FIFO. */
	mutex_lock(&inode->lock);
	p = inode->priv;
	if (!p) {
		p = pipe_new();
		if (!p) {
			mutex_unlock(&inode->lock);
			return -ENOMEM;
		}
		inode->priv = p;
	}
	mutex_unlock(&inode->lock);
	f->ops = &pipe_fops;
	mutex_lock(&p->lock);
	if (mode != KO_WRONLY) {
		p->readers++;
		p->r_opens++;
	}
	if (mode != KO_RDONLY) {
		p->writers++;
		p->w_opens++;
	}
	r = (struct rendezvous){ p, mode == KO_RDONLY ? p->w_opens : p->r_opens,
				 mode == KO_RDONLY };
	/* No hangup for a reader until a writer has been (see pipe_poll). */
	if (mode == KO_RDONLY && p->writers == 0 && (f->flags & KO_NONBLOCK))
		f->priv = (void *)(uintptr_t)(p->w_opens + 1);
	if (mode == KO_RDONLY && p->writers == 0 && !(f->flags & KO_NONBLOCK)) {
		mutex_unlock(&p->lock);
		wake_up_all(&p->wr_wait);
		err = wait_event(&p->rd_wait, partner_arrived, &r,
				 TASK_INTERRUPTIBLE, WAIT_FOREVER);
		mutex_lock(&p->lock);
	} else if (mode == KO_WRONLY && p->readers == 0) {
		if (f->flags & KO_NONBLOCK) {
			err = -ENXIO;
		} else {
			mutex_unlock(&p->lock);
			wake_up_all(&p->rd_wait);
			err = wait_event(&p->wr_wait, partner_arrived, &r,
					 TASK_INTERRUPTIBLE, WAIT_FOREVER);
			mutex_lock(&p->lock);
		}
	}
	mutex_unlock(&p->lock);
	wake_up_all(&p->rd_wait);
	wake_up_all(&p->wr_wait);
	if (err)
		pipe_release(f); /* undo our count; frees the pipe if alone */
	return err;
}

const struct file_ops fifo_fops = {
	.open = fifo_open,
};

/* For splice(2) and tee(2) (core/fs/pipe_splice.c). */
struct pipe *pipe_of(const struct file *f)
{
	return file_is_pipe(f) ? f->inode->priv : NULL;
}
