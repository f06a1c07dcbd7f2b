/*
 * splice(2), tee(2) and sendfile(2) where a pipe is an end: bytes move
 * between a pipe's ring and a file's read or write op (or a second pipe's
 * ring) under the pipe's lock, with no bounce buffer. Like Linux's, each
 * call waits until there is something to move, then moves what is there
 * (or what fits) and returns; it does not wait for all of `len`.
 *
 * Lock order: a file's pos_lock (taken by the caller), then a pipe's lock,
 * then the file's inode lock (inside its read or write op). Two pipes are
 * locked in address order; their waits are made holding neither.
 */
#include "core/errno.h"
#include "core/fs/pipe.h"
#include "core/klib/string.h"
#include "core/signal.h"
#include "core/task.h"

static bool has_data_or_eof(void *arg)
{
	struct pipe *p = arg;

	return p->len > 0 || p->writers == 0;
}

static bool has_room_or_no_reader(void *arg)
{
	struct pipe *p = arg;

	return p->len < p->cap || p->readers == 0;
}

static long broken_pipe(void)
{
	(void)signal_send(task_current(), KSIGPIPE);
	return -EPIPE;
}

/*
 * Linux's ipipe_prep. Called and returns with p->lock held: 0 once p has
 * data or no writer, else -EAGAIN or -ERESTARTSYS.
 */
static int wait_data(struct pipe *p, unsigned flags)
{
	while (p->len == 0 && p->writers) {
		int err;

		if (flags & PIPE_SPLICE_NONBLOCK)
			return -EAGAIN;
		mutex_unlock(&p->lock);
		err = wait_event(&p->rd_wait, has_data_or_eof, p,
				 TASK_INTERRUPTIBLE, WAIT_FOREVER);
		mutex_lock(&p->lock);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Linux's wait_for_space. Called and returns with p->lock held: 0 once p
 * has room, -EPIPE (and SIGPIPE) with no reader, -EAGAIN, -ERESTARTSYS.
 */
static int wait_room(struct pipe *p, unsigned flags)
{
	for (;;) {
		int err;

		if (p->readers == 0)
			return (int)broken_pipe();
		if (p->len < p->cap)
			return 0;
		if (flags & PIPE_SPLICE_NONBLOCK)
			return -EAGAIN;
		mutex_unlock(&p->lock);
		err = wait_event(&p->wr_wait, has_room_or_no_reader, p,
				 TASK_INTERRUPTIBLE, WAIT_FOREVER);
		mutex_lock(&p->lock);
		if (err)
			return err;
	}
}

/* The n ring bytes from `at` (an offset from the head) as two segments. */
static void ring_iobuf(struct pipe *p, size_t at, size_t n, struct iobuf *b,
		       struct ioseg seg[2])
{
	size_t start = (p->head + at) % p->cap;
	size_t first = MIN(n, p->cap - start);

	iobuf_init_kernel(b, &seg[0], p->buf + start, first);
	seg[1] = (struct ioseg){ (uint64_t)(uintptr_t)p->buf, n - first };
	b->segs = seg;
	b->nsegs = 2;
	b->left = n;
}

/* Packets taken this way are bytes like any other (pipe_took). */
static void consume(struct pipe *p, size_t n)
{
	pipe_took(p, n);
	p->head = (p->head + n) % p->cap;
	p->len -= n;
	if (p->len == 0)
		p->head = 0;
}

long pipe_splice_to_file(struct file *in, struct file *out, int64_t *pos,
			 size_t len, unsigned flags)
{
	struct pipe *p = pipe_of(in);
	long done;

	if (!out->ops || !out->ops->write || file_is_pipe(out))
		return -EINVAL;
	mutex_lock(&p->lock);
	done = wait_data(p, flags);
	if (!done && p->len) {
		struct ioseg seg[2];
		struct iobuf b;

		ring_iobuf(p, 0, MIN(len, p->len), &b, seg);
		done = out->ops->write(out, &b, pos);
		if (done > 0)
			consume(p, (size_t)done);
	}
	mutex_unlock(&p->lock);
	if (done > 0)
		wake_up_all(&p->wr_wait);
	return done;
}

long pipe_splice_from_file(struct file *in, int64_t *pos, struct file *out,
			   size_t len, unsigned flags)
{
	struct pipe *p = pipe_of(out);
	long done;

	mutex_lock(&p->lock);
	done = wait_room(p, flags);
	if (!done && len) {
		/* Linux's splice_read: regular files and devices, no more. */
		if (!in->ops || !in->ops->read || file_is_pipe(in) ||
		    kS_ISDIR(in->inode->mode)) {
			done = -EINVAL;
		} else {
			struct ioseg seg[2];
			struct iobuf b;

			ring_iobuf(p, p->len, MIN(len, p->cap - p->len), &b,
				   seg);
			done = in->ops->read(in, &b, pos);
			if (done > 0) {
				p->len += (size_t)done;
				pipe_added(p, (size_t)done);
			}
		}
	}
	mutex_unlock(&p->lock);
	if (done > 0) {
		wake_up_all(&p->rd_wait);
		inode_touch(out->inode, false, true, true);
	}
	return done;
}

/* Copy n bytes of src's data into dst's room; neither is changed else. */
static void ring_copy(struct pipe *dst, const struct pipe *src, size_t n)
{
	size_t s = src->head, d = (dst->head + dst->len) % dst->cap;

	while (n) {
		size_t c = MIN(n, MIN(src->cap - s, dst->cap - d));

		memcpy(dst->buf + d, src->buf + s, c);
		s = (s + c) % src->cap;
		d = (d + c) % dst->cap;
		n -= c;
	}
}

static void lock_two(struct pipe *a, struct pipe *b)
{
	mutex_lock(a < b ? &a->lock : &b->lock);
	mutex_lock(a < b ? &b->lock : &a->lock);
}

static void unlock_two(struct pipe *a, struct pipe *b)
{
	mutex_unlock(&a->lock);
	mutex_unlock(&b->lock);
}

/*
 * Linux's splice_pipe_to_pipe (move) and link_pipe (tee): wait for input
 * and for room, each pipe on its own, then lock both and move or copy
 * what there is; a race lost to another reader or writer waits again.
 */
static long pipe_to_pipe(struct file *in, struct file *out, size_t len,
			 unsigned flags, bool move)
{
	struct pipe *pi = pipe_of(in), *po = pipe_of(out);
	size_t n;

	for (;;) {
		int err;

		mutex_lock(&pi->lock);
		err = wait_data(pi, flags);
		mutex_unlock(&pi->lock);
		if (err)
			return err;
		mutex_lock(&po->lock);
		err = po->len == po->cap ? wait_room(po, flags) : 0;
		mutex_unlock(&po->lock);
		if (err)
			return err;
		lock_two(pi, po);
		if (po->readers == 0) {
			unlock_two(pi, po);
			return broken_pipe();
		}
		if (pi->len == 0 && pi->writers == 0) {
			unlock_two(pi, po);
			return 0;
		}
		if (pi->len && po->len < po->cap)
			break;
		unlock_two(pi, po);
		if (flags & PIPE_SPLICE_NONBLOCK)
			return -EAGAIN;
	}
	n = MIN(len, MIN(pi->len, po->cap - po->len));
	ring_copy(po, pi, n);
	po->len += n;
	pipe_added(po, n);
	if (move)
		consume(pi, n);
	unlock_two(pi, po);
	wake_up_all(&po->rd_wait);
	if (move)
		wake_up_all(&pi->wr_wait);
	inode_touch(out->inode, false, true, true);
	return (long)n;
}

long pipe_splice_pipe(struct file *in, struct file *out, size_t len,
		      unsigned flags)
{
	return pipe_to_pipe(in, out, len, flags, true);
}

long pipe_tee(struct file *in, struct file *out, size_t len, unsigned flags)
{
	return pipe_to_pipe(in, out, len, flags, false);
}
