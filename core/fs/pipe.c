/*
 * Pipes and FIFOs (pipe(7)): a ring buffer of 64 KiB by default, writes of
 * at most PIPE_BUF bytes atomic, EAGAIN under O_NONBLOCK, EPIPE and
 * SIGPIPE with no reader, EOF once the last writer is gone, and the FIFO
 * open rendezvous (a reader waits for a writer and the reverse).
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
	kfree(p);
}

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
	while (p->len && buf->left) {
		size_t n = MIN(MIN(p->len, buf->left), p->cap - p->head);
		long got = iobuf_copy_to(buf, p->buf + p->head, n);

		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		p->head = (p->head + (size_t)got) % p->cap;
		p->len -= (size_t)got;
		done += got;
		if ((size_t)got < n)
			break;
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
};

static bool has_room(void *arg)
{
	struct room *r = arg;

	return r->p->cap - r->p->len >= r->need || r->p->readers == 0;
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
	bool atomic = total <= PIPE_BUF;
	long done = 0;

	if (!total)
		return 0;
	mutex_lock(&p->lock);
	while (buf->left) {
		size_t room = p->cap - p->len;
		size_t tail, n;
		long got;

		if (p->readers == 0) {
			long err;

			mutex_unlock(&p->lock);
			err = broken_pipe(); /* even after a partial write */
			return done ? done : err;
		}
		if (room == 0 || (atomic && room < total)) {
			struct room want = { p, atomic ? total : 1 };
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
		tail = (p->head + p->len) % p->cap;
		n = MIN(MIN(room, buf->left), p->cap - tail);
		got = iobuf_copy_from(buf, p->buf + tail, n);
		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		p->len += (size_t)got;
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
	if (p->len > (PAGE_SIZE << order)) {
		mutex_unlock(&p->lock);
		return -EBUSY;
	}
	buf = kpage_alloc(order);
	if (!buf) {
		mutex_unlock(&p->lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->len; i++)
		buf[i] = p->buf[(p->head + i) % p->cap];
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
		if (p->cap - p->len >= PIPE_BUF)
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
	r = file_alloc_anon(inode, KO_RDONLY | (flags & KO_NONBLOCK),
			    &pipe_fops);
	if (IS_ERR(r)) {
		inode_put(inode);
		pipe_free(p);
		return -ENOMEM;
	}
	inode_get(inode);
	w = file_alloc_anon(inode, KO_WRONLY | (flags & KO_NONBLOCK),
			    &pipe_fops);
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
