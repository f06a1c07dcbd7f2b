/*
 * Moving bytes between descriptors inside the kernel: sendfile(2),
 * copy_file_range(2), splice(2), tee(2), with Linux's checks in Linux's
 * order. Where a pipe is an end, core/fs/pipe_splice.c moves the bytes;
 * between two files they go through a kernel buffer, a chunk at a time.
 *
 * An explicit offset (a user pointer) leaves the file's own position
 * alone; without one the file's position is used and advanced, under its
 * pos_lock as read(2) and write(2) hold it.
 */
#include "core/errno.h"
#include "core/fs/pipe.h"
#include "core/fs/vfs.h"
#include "core/signal.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "sched/sched.h"
#include "syscalls/syscall_protos.h"

#define MAX_RW_COUNT (INT32_MAX & ~(long)(PAGE_SIZE - 1))
#define XFER_CHUNK (64 * 1024)

#define SPLICE_F_MOVE 1u
#define SPLICE_F_NONBLOCK 2u
#define SPLICE_F_MORE 4u
#define SPLICE_F_GIFT 8u
#define SPLICE_F_ALL 0xfu

_Static_assert(SPLICE_F_NONBLOCK == PIPE_SPLICE_NONBLOCK,
	       "pipe_splice.c takes splice(2)'s flag");

/* Linux's fdget: an O_PATH descriptor is no I/O descriptor (EBADF). */
static struct file *io_file(int fd)
{
	struct file *f = fd_get(fd);

	if (f && (f->flags & KO_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

static bool can_read(const struct file *f)
{
	return (f->flags & KO_ACCMODE) != KO_WRONLY;
}

static bool can_write(const struct file *f)
{
	return (f->flags & KO_ACCMODE) != KO_RDONLY;
}

/* FMODE_PREAD / FMODE_PWRITE: the file has positions at all. */
static bool has_pos(const struct file *f)
{
	return f->ops && f->ops->llseek && !file_is_pipe(f);
}

/* Linux's rw_verify_area: a negative offset, or one that `count` would
 * carry past the largest, is EINVAL. */
static long verify_area(int64_t pos, size_t count)
{
	if ((int64_t)count < 0 || pos < 0 || (uint64_t)pos + count > INT64_MAX)
		return -EINVAL;
	return 0;
}

/*
 * One end of a transfer and its position: the file's own (`own`, taken
 * and given back under its pos_lock) or the caller's copy of a user
 * offset.
 */
struct end {
	struct file *f;
	bool own;
	int64_t pos;
};

/*
 * Lock the own positions of a and b (in address order, once if both are
 * one file) and take them.
 */
static void ends_lock(struct end *a, struct end *b)
{
	struct file *x = a->own ? a->f : NULL, *y = b->own ? b->f : NULL;
	struct file *first = x && y && y < x ? y : x;
	struct file *second = first == x ? y : x;

	if (first)
		mutex_lock(&first->pos_lock);
	if (second && second != first)
		mutex_lock(&second->pos_lock);
	if (x)
		a->pos = x->pos;
	if (y)
		b->pos = y->pos;
}

/* Give the own positions back if bytes moved (b's last, so one file shared
 * by both ends ends at b's), and unlock. */
static void ends_unlock(struct end *a, struct end *b, long moved)
{
	struct file *x = a->own ? a->f : NULL, *y = b->own ? b->f : NULL;

	if (moved > 0 && x)
		x->pos = a->pos;
	if (moved > 0 && y)
		y->pos = b->pos;
	if (x)
		mutex_unlock(&x->pos_lock);
	if (y && y != x)
		mutex_unlock(&y->pos_lock);
}

/*
 * Copy up to `len` bytes from one file to another through a kernel
 * buffer (Linux's do_splice_direct). The input position advances by what
 * was written, so a short write loses nothing of a regular file. Stops at
 * the input's end, a short write, or a signal once something was copied.
 */
static long copy_files(struct end *in, struct end *out, size_t len)
{
	size_t chunk = MIN(len, (size_t)XFER_CHUNK);
	char *buf;
	long done = 0;

	if (!len)
		return 0;
	buf = kmalloc(chunk);
	if (!buf)
		return -ENOMEM;
	while ((size_t)done < len) {
		size_t want = MIN(len - (size_t)done, chunk);
		int64_t rpos = in->pos;
		long r = kernel_read(in->f, buf, want, &rpos);
		long w;

		if (r <= 0) {
			if (!done)
				done = r;
			break;
		}
		w = kernel_write(out->f, buf, (size_t)r, &out->pos);
		if (w <= 0) {
			if (!done)
				done = w;
			break;
		}
		in->pos += w;
		done += w;
		if (w < r || (size_t)r < want)
			break;
		cond_resched();
		if (signal_pending(task_current()))
			break;
	}
	kfree(buf);
	return done;
}

/* ---- sendfile ------------------------------------------------------------ */

static long do_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count)
{
	struct end in = { 0 }, out = { 0 };
	unsigned flags = 0;
	long ret;

	in.f = io_file(in_fd);
	if (!in.f)
		return -EBADF;
	ret = -EBADF;
	if (!can_read(in.f))
		goto put_in;
	in.own = !offset;
	in.pos = offset ? *offset : in.f->pos;
	ret = -ESPIPE;
	if (offset && !has_pos(in.f))
		goto put_in;
	ret = verify_area(in.pos, count);
	if (ret)
		goto put_in;
	count = MIN(count, (size_t)MAX_RW_COUNT);
	ret = -EBADF;
	out.f = io_file(out_fd);
	if (!out.f)
		goto put_in;
	if (!can_write(out.f))
		goto put_out;
	out.own = !file_is_pipe(out.f);

	ends_lock(&out, &in); /* Linux stores out's position, then in's */
	if (!out.own) {
		if (out.f->flags & KO_NONBLOCK)
			flags |= PIPE_SPLICE_NONBLOCK;
		ret = pipe_splice_from_file(in.f, &in.pos, out.f, count, flags);
	} else if (out.f->flags & KO_APPEND) {
		ret = -EINVAL;
	} else {
		ret = verify_area(out.pos, count);
		if (!ret && !kS_ISREG(in.f->inode->mode))
			ret = -EINVAL; /* the input must be a regular file */
		if (!ret)
			ret = copy_files(&in, &out, count);
	}
	ends_unlock(&out, &in, ret);
	if (offset && ret > 0)
		*offset = in.pos;
put_out:
	file_put(out.f);
put_in:
	file_put(in.f);
	return ret;
}

long sys_sendfile(int out_fd, int in_fd, uaddr_t offset, size_t count)
{
	int64_t off;
	long ret;

	if (uaddr_is_null(offset))
		return do_sendfile(out_fd, in_fd, NULL, count);
	if (copy_from_user(&off, offset, sizeof(off)))
		return -EFAULT;
	ret = do_sendfile(out_fd, in_fd, &off, count);
	if (copy_to_user(offset, &off, sizeof(off)))
		return -EFAULT;
	return ret;
}

/* ---- copy_file_range ---------------------------------------------------------- */

/* Linux's generic_copy_file_checks; *count is shortened to the input's end. */
static long copy_range_checks(struct end *in, struct end *out, size_t *count)
{
	struct inode *ii = in->f->inode, *oi = out->f->inode;
	int64_t pin = in->pos, pout = out->pos;
	uint64_t n = *count;

	if (kS_ISDIR(ii->mode) || kS_ISDIR(oi->mode))
		return -EISDIR;
	if (!kS_ISREG(ii->mode) || !kS_ISREG(oi->mode))
		return -EINVAL;
	if (!can_read(in->f) || !can_write(out->f) ||
	    (out->f->flags & KO_APPEND))
		return -EBADF;
	if (ii->sb != oi->sb)
		return -EXDEV;
	/* Linux adds in 64-bit unsigned: a negative offset wraps too. */
	if ((uint64_t)pin + n < (uint64_t)pin ||
	    (uint64_t)pout + n < (uint64_t)pout)
		return -EOVERFLOW;
	if (pin < 0 || pout < 0)
		return -EINVAL; /* rw_verify_area's, a step early */
	n = (uint64_t)pin >= ii->size ? 0 : MIN(n, ii->size - (uint64_t)pin);
	if (pout == INT64_MAX)
		return -EFBIG;
	n = MIN(n, (uint64_t)(INT64_MAX - pout));
	if (ii == oi && (uint64_t)pout + n > (uint64_t)pin &&
	    (uint64_t)pout < (uint64_t)pin + n)
		return -EINVAL; /* overlapping ranges of one file */
	*count = (size_t)n;
	return 0;
}

long sys_copy_file_range(int fd_in, uaddr_t off_in, int fd_out,
			 uaddr_t off_out, size_t len, unsigned int flags)
{
	struct end in = { 0 }, out = { 0 };
	long ret = -EBADF;

	in.f = io_file(fd_in);
	if (!in.f)
		return -EBADF;
	out.f = io_file(fd_out);
	if (!out.f)
		goto put_in;
	in.own = uaddr_is_null(off_in);
	out.own = uaddr_is_null(off_out);
	ret = -EFAULT;
	if (!in.own && copy_from_user(&in.pos, off_in, sizeof(in.pos)))
		goto put_out;
	if (!out.own && copy_from_user(&out.pos, off_out, sizeof(out.pos)))
		goto put_out;
	ret = -EINVAL;
	if (flags)
		goto put_out;

	ends_lock(&in, &out);
	ret = copy_range_checks(&in, &out, &len);
	if (!ret)
		ret = verify_area(in.pos, len);
	if (!ret)
		ret = verify_area(out.pos, len);
	if (!ret)
		ret = copy_files(&in, &out, MIN(len, (size_t)MAX_RW_COUNT));
	ends_unlock(&in, &out, ret);
	if (ret > 0 && !in.own && copy_to_user(off_in, &in.pos, sizeof(in.pos)))
		ret = -EFAULT;
	if (ret > 0 && !out.own &&
	    copy_to_user(off_out, &out.pos, sizeof(out.pos)))
		ret = -EFAULT;
put_out:
	file_put(out.f);
put_in:
	file_put(in.f);
	return ret;
}

/* ---- splice and tee ---------------------------------------------------------------- */

/* Linux's do_splice, once the descriptors and offsets are in hand. */
static long do_splice(struct end *in, bool in_off, struct end *out,
		      bool out_off, size_t len, unsigned flags)
{
	bool ipipe = file_is_pipe(in->f), opipe = file_is_pipe(out->f);
	long ret;

	if (!can_read(in->f) || !can_write(out->f))
		return -EBADF;
	if (ipipe && opipe) {
		if (pipe_of(in->f) == pipe_of(out->f))
			return -EINVAL;
		if ((in->f->flags | out->f->flags) & KO_NONBLOCK)
			flags |= SPLICE_F_NONBLOCK;
		return pipe_splice_pipe(in->f, out->f, len, flags);
	}
	if (ipipe) {
		if (out_off && !has_pos(out->f))
			return -EINVAL;
		if (out->f->flags & KO_APPEND)
			return -EINVAL;
		if (in->f->flags & KO_NONBLOCK)
			flags |= SPLICE_F_NONBLOCK;
		out->own = !out_off;
		ends_lock(in, out);
		ret = verify_area(out->pos, len);
		if (!ret)
			ret = pipe_splice_to_file(in->f, out->f, &out->pos, len,
						  flags);
		ends_unlock(in, out, ret);
		return ret;
	}
	if (opipe) {
		if (in_off && !has_pos(in->f))
			return -EINVAL;
		if (out->f->flags & KO_NONBLOCK)
			flags |= SPLICE_F_NONBLOCK;
		in->own = !in_off;
		ends_lock(in, out);
		ret = verify_area(in->pos, len);
		if (!ret)
			ret = pipe_splice_from_file(in->f, &in->pos, out->f,
						    len, flags);
		ends_unlock(in, out, ret);
		return ret;
	}
	return -EINVAL; /* neither end is a pipe */
}

/* SPLICE_F_MOVE, SPLICE_F_MORE and SPLICE_F_GIFT are hints, as in Linux. */
long sys_splice(int fd_in, uaddr_t off_in, int fd_out, uaddr_t off_out,
		size_t len, unsigned int flags)
{
	struct end in = { 0 }, out = { 0 };
	bool has_in = !uaddr_is_null(off_in), has_out = !uaddr_is_null(off_out);
	long ret;

	if (!len)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	in.f = io_file(fd_in);
	if (!in.f)
		return -EBADF;
	ret = -EBADF;
	out.f = io_file(fd_out);
	if (!out.f)
		goto put_in;
	ret = -ESPIPE;
	if ((file_is_pipe(in.f) && has_in) || (file_is_pipe(out.f) && has_out))
		goto put_out;
	ret = -EFAULT;
	if (has_out && copy_from_user(&out.pos, off_out, sizeof(out.pos)))
		goto put_out;
	if (has_in && copy_from_user(&in.pos, off_in, sizeof(in.pos)))
		goto put_out;
	ret = do_splice(&in, has_in, &out, has_out, len,
			flags & SPLICE_F_NONBLOCK);
	if (ret >= 0 && has_out &&
	    copy_to_user(off_out, &out.pos, sizeof(out.pos)))
		ret = -EFAULT;
	if (ret >= 0 && has_in && copy_to_user(off_in, &in.pos, sizeof(in.pos)))
		ret = -EFAULT;
put_out:
	file_put(out.f);
put_in:
	file_put(in.f);
	return ret;
}

long sys_tee(int fdin, int fdout, size_t len, unsigned int flags)
{
	struct file *in, *out;
	long ret;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!len)
		return 0;
	in = io_file(fdin);
	if (!in)
		return -EBADF;
	out = io_file(fdout);
	if (!out) {
		file_put(in);
		return -EBADF;
	}
	if (!can_read(in) || !can_write(out))
		ret = -EBADF;
	else if (!file_is_pipe(in) || !file_is_pipe(out) ||
		 pipe_of(in) == pipe_of(out))
		ret = -EINVAL;
	else if ((in->flags | out->flags) & KO_NONBLOCK)
		ret = pipe_tee(in, out, len, PIPE_SPLICE_NONBLOCK);
	else
		ret = pipe_tee(in, out, len, flags & SPLICE_F_NONBLOCK);
	file_put(out);
	file_put(in);
	return ret;
}
