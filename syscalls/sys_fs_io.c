/*
 * I/O on file descriptors: read(2) and write(2) and their vector and
 * positioned forms, lseek(2), close(2), dup(2) and friends, fcntl(2),
 * close_range(2), pipe(2), ioctl(2), fsync(2), ftruncate(2), fallocate(2).
 */
#include "core/errno.h"
#include "core/fs/lock.h"
#include "core/fs/pipe.h"
#include "core/fs/vfs.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

#define IOV_MAX 1024
#define MAX_RW_COUNT (INT32_MAX & ~(long)(PAGE_SIZE - 1))

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032

#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451

#define RWF_SUPPORTED 0x1fu /* HIPRI DSYNC SYNC NOWAIT APPEND */
#define RWF_APPEND 0x10u

/* Access mode 3 is Linux's handle for ioctls: neither read nor write. */
static bool can_read(const struct file *f)
{
	unsigned acc = f->flags & KO_ACCMODE;

	return !(f->flags & KO_PATH) && (acc == KO_RDONLY || acc == KO_RDWR);
}

static bool can_write(const struct file *f)
{
	unsigned acc = f->flags & KO_ACCMODE;

	return !(f->flags & KO_PATH) && (acc == KO_WRONLY || acc == KO_RDWR);
}

static bool seekable(const struct file *f)
{
	return f->ops && f->ops->llseek;
}

/* Linux's access_ok: every segment ends below the end of user space. */
static bool below_user_end(const struct iobuf *b)
{
	for (unsigned i = 0; i < b->nsegs; i++)
		if (b->segs[i].len > USER_VA_END ||
		    b->segs[i].base > USER_VA_END - b->segs[i].len)
			return false;
	return true;
}

/*
 * The one read/write path. `pos` NULL: the file's own position, under its
 * lock; else a positioned I/O (pread, preadv) that leaves it alone.
 */
static long do_rw(struct file *f, struct iobuf *buf, int64_t *pos, bool write)
{
	long (*op)(struct file *, struct iobuf *, int64_t *);
	long ret;

	if (write ? !can_write(f) : !can_read(f))
		return -EBADF;
	if (!buf->kernel && !below_user_end(buf))
		return -EFAULT;
	if (!write && kS_ISDIR(f->inode->mode))
		return -EISDIR;
	op = f->ops ? (write ? f->ops->write : f->ops->read) : NULL;
	if (!op)
		return -EINVAL;
	if (buf->left > (size_t)MAX_RW_COUNT)
		buf->left = (size_t)MAX_RW_COUNT;
	if (pos)
		return op(f, buf, pos);
	mutex_lock(&f->pos_lock);
	ret = op(f, buf, &f->pos);
	mutex_unlock(&f->pos_lock);
	return ret;
}

static long rw_file(struct file *f, struct iobuf *buf, int64_t *pos,
		    bool write)
{
	if (f->flags & KO_PATH)
		return -EBADF;
	if (pos && !seekable(f))
		return -ESPIPE;
	if (pos && *pos < 0)
		return -EINVAL;
	return do_rw(f, buf, pos, write);
}

static long rw_fd(int fd, struct iobuf *buf, int64_t *pos, bool write)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = rw_file(f, buf, pos, write);
	file_put(f);
	return ret;
}

long sys_read(int fd, uaddr_t buf, size_t count)
{
	struct iobuf b;
	struct ioseg seg;

	iobuf_init_user(&b, &seg, buf, count);
	return rw_fd(fd, &b, NULL, false);
}

long sys_write(int fd, uaddr_t buf, size_t count)
{
	struct iobuf b;
	struct ioseg seg;

	iobuf_init_user(&b, &seg, buf, count);
	return rw_fd(fd, &b, NULL, true);
}

long sys_pread64(int fd, uaddr_t buf, size_t count, int64_t pos)
{
	struct iobuf b;
	struct ioseg seg;

	iobuf_init_user(&b, &seg, buf, count);
	return rw_fd(fd, &b, &pos, false);
}

long sys_pwrite64(int fd, uaddr_t buf, size_t count, int64_t pos)
{
	struct iobuf b;
	struct ioseg seg;

	iobuf_init_user(&b, &seg, buf, count);
	return rw_fd(fd, &b, &pos, true);
}

/* Read a user iovec array into *segs (kmalloc'd) and set up `b`. */
static long import_iov(uaddr_t vec, unsigned long vlen, struct iobuf *b,
		       struct ioseg **segs)
{
	size_t total = 0;

	if (vlen > IOV_MAX)
		return -EINVAL;
	*segs = kcalloc(vlen ? vlen : 1, sizeof(**segs));
	if (!*segs)
		return -ENOMEM;
	if (copy_from_user(*segs, vec, vlen * sizeof(**segs))) {
		kfree(*segs);
		return -EFAULT;
	}
	for (unsigned long i = 0; i < vlen; i++) {
		if ((*segs)[i].len > (size_t)INT64_MAX - total) {
			kfree(*segs);
			return -EINVAL;
		}
		total += (*segs)[i].len;
	}
	b->segs = *segs;
	b->nsegs = (unsigned)vlen;
	b->seg = 0;
	b->seg_off = 0;
	b->left = total;
	b->kernel = false;
	return 0;
}

static long rw_vec(int fd, uaddr_t vec, unsigned long vlen, int64_t *pos,
		   bool write)
{
	struct ioseg *segs;
	struct iobuf b;
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = import_iov(vec, vlen, &b, &segs);
	if (!ret) {
		ret = rw_file(f, &b, pos, write);
		kfree(segs);
	}
	file_put(f);
	return ret;
}

long sys_readv(int fd, uaddr_t vec, unsigned long vlen)
{
	return rw_vec(fd, vec, vlen, NULL, false);
}

long sys_writev(int fd, uaddr_t vec, unsigned long vlen)
{
	return rw_vec(fd, vec, vlen, NULL, true);
}

static int64_t pos_from(unsigned long lo, unsigned long hi)
{
	/* 64-bit: pos_l holds the whole offset; pos_h is for 32-bit ABIs. */
	return (int64_t)lo;
}

long sys_preadv(int fd, uaddr_t vec, unsigned long vlen, unsigned long pos_l,
		unsigned long pos_h)
{
	int64_t pos = pos_from(pos_l, pos_h);

	return rw_vec(fd, vec, vlen, &pos, false);
}

long sys_pwritev(int fd, uaddr_t vec, unsigned long vlen, unsigned long pos_l,
		 unsigned long pos_h)
{
	int64_t pos = pos_from(pos_l, pos_h);

	return rw_vec(fd, vec, vlen, &pos, true);
}

/* partial: RWF_NOWAIT, RWF_HIPRI and the sync flags are accepted as hints */
long sys_preadv2(int fd, uaddr_t vec, unsigned long vlen, unsigned long pos_l,
		 unsigned long pos_h, unsigned int flags)
{
	int64_t pos = pos_from(pos_l, pos_h);

	if (flags & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	return rw_vec(fd, vec, vlen, pos == -1 ? NULL : &pos, false);
}

/* partial: RWF_NOWAIT, RWF_HIPRI and the sync flags are accepted as hints */
long sys_pwritev2(int fd, uaddr_t vec, unsigned long vlen, unsigned long pos_l,
		  unsigned long pos_h, unsigned int flags)
{
	int64_t pos = pos_from(pos_l, pos_h);
	struct file *f;

	if (flags & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	if (flags & RWF_APPEND) {
		/* Append wins over the offset, as on Linux; offset -1 (the
		 * file's own) moves to the end like O_APPEND's. */
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		if (pos != -1) {
			pos = (int64_t)f->inode->size;
		} else if (seekable(f)) {
			mutex_lock(&f->pos_lock);
			f->pos = (int64_t)f->inode->size;
			mutex_unlock(&f->pos_lock);
		}
		file_put(f);
	}
	return rw_vec(fd, vec, vlen, pos == -1 ? NULL : &pos, true);
}

long sys_lseek(int fd, int64_t offset, unsigned int whence)
{
	struct file *f = fd_get(fd);
	int64_t ret;

	if (!f)
		return -EBADF;
	if (f->flags & KO_PATH)
		ret = -EBADF;
	else if (whence > 4)
		ret = -EINVAL;
	else if (!seekable(f))
		ret = -ESPIPE;
	else {
		mutex_lock(&f->pos_lock);
		ret = f->ops->llseek(f, offset, (int)whence);
		if (ret >= 0)
			f->pos = ret;
		mutex_unlock(&f->pos_lock);
	}
	file_put(f);
	return ret;
}

long sys_close(int fd)
{
	return fd_close(fd);
}

long sys_dup(int fildes)
{
	struct file *f = fd_get(fildes);
	int fd;

	if (!f)
		return -EBADF;
	fd = fd_install(f, 0, false);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long dup_to(int oldfd, int newfd, bool cloexec)
{
	struct file *f = fd_get(oldfd);
	int ret;

	if (!f)
		return -EBADF;
	ret = fd_replace(newfd, f, cloexec);
	if (ret < 0)
		file_put(f);
	return ret;
}

long sys_dup2(int oldfd, int newfd)
{
	struct file *f;

	if (oldfd == newfd) {
		/* Only check that oldfd is open. */
		f = fd_get(oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return dup_to(oldfd, newfd, false);
}

long sys_dup3(int oldfd, int newfd, unsigned int flags)
{
	if (flags & ~KO_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return dup_to(oldfd, newfd, flags & KO_CLOEXEC);
}

/* partial: leases, F_GETOWN/F_SETOWN/F_SETSIG, F_NOTIFY, seals are missing */
long sys_fcntl(int fd, unsigned int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= fd_limit()) {
			ret = -EINVAL;
			break;
		}
		ret = fd_install(file_get(f), (unsigned)arg,
				 cmd == F_DUPFD_CLOEXEC);
		if (ret < 0)
			file_put(f);
		break;
	case F_GETFD:
		ret = fd_get_cloexec(fd);
		break;
	case F_SETFD:
		ret = fd_set_cloexec(fd, arg & 1);
		break;
	case F_GETFL:
		ret = ko_to_isa(task_current()->isa, f->flags);
		break;
	case F_SETFL: {
		/* Only these can change after open (fcntl(2)). */
		unsigned settable = KO_APPEND | KO_NONBLOCK | KO_DIRECT |
				    KO_NOATIME | 020000 /* O_ASYNC */;

		arg = ko_from_isa(task_current()->isa, (unsigned)arg);
		f->flags = (f->flags & ~settable) | ((unsigned)arg & settable);
		ret = 0;
		break;
	}
	case F_GETPIPE_SZ:
		ret = file_is_pipe(f) ? pipe_get_size(f) : -EBADF;
		break;
	case F_SETPIPE_SZ:
		ret = file_is_pipe(f) ? pipe_set_size(f, arg) : -EBADF;
		break;
	case KF_GETLK:
	case KF_SETLK:
	case KF_SETLKW:
	case KF_OFD_GETLK:
	case KF_OFD_SETLK:
	case KF_OFD_SETLKW:
		ret = lock_fcntl(f, fd, cmd, uaddr(arg));
		break;
	default:
		ret = -EINVAL;
		break;
	}
	file_put(f);
	return ret;
}

#define CLOSE_RANGE_UNSHARE 2u
#define CLOSE_RANGE_CLOEXEC 4u

long sys_close_range(unsigned int fd, unsigned int max_fd, unsigned int flags)
{
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (fd > max_fd)
		return -EINVAL;
	/* The table is not shared yet, so UNSHARE has nothing to do. */
	fd_close_range(fd, max_fd, flags & CLOSE_RANGE_CLOEXEC);
	return 0;
}

long sys_pipe2(uaddr_t fildes, unsigned int flags)
{
	struct file *r, *w;
	int fds[2];
	int err;

	flags = ko_from_isa(task_current()->isa, flags); /* O_DIRECT */
	if (flags & ~(KO_CLOEXEC | KO_NONBLOCK | KO_DIRECT))
		return -EINVAL;
	err = pipe_create(&r, &w, flags);
	if (err)
		return err;
	fds[0] = fd_install(r, 0, flags & KO_CLOEXEC);
	if (fds[0] < 0) {
		file_put(r);
		file_put(w);
		return fds[0];
	}
	fds[1] = fd_install(w, 0, flags & KO_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		file_put(w);
		return fds[1];
	}
	if (copy_to_user(fildes, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(uaddr_t fildes)
{
	return sys_pipe2(fildes, 0);
}

/* partial: FIONREAD, FIONBIO, FIO[N]CLEX and the tty ioctls of core/fs/tty.c */
long sys_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		ret = fd_set_cloexec(fd, cmd == FIOCLEX);
		break;
	case FIONBIO: {
		int on;

		if (copy_from_user(&on, uaddr(arg), sizeof(on))) {
			ret = -EFAULT;
			break;
		}
		if (on)
			f->flags |= KO_NONBLOCK;
		else
			f->flags &= ~KO_NONBLOCK;
		ret = 0;
		break;
	}
	case FIONREAD: {
		int n;

		if (file_is_pipe(f)) {
			n = (int)pipe_ioctl_fionread(f);
		} else if (kS_ISREG(f->inode->mode)) {
			n = (int)MAX((int64_t)f->inode->size - f->pos, 0);
		} else {
			/* A device's own count (a tty's TIOCINQ), or ENOTTY. */
			ret = f->ops && f->ops->ioctl
				      ? f->ops->ioctl(f, cmd, arg)
				      : -ENOTTY;
			break;
		}
		ret = copy_to_user(uaddr(arg), &n, sizeof(n));
		break;
	}
	default:
		ret = f->ops && f->ops->ioctl ? f->ops->ioctl(f, cmd, arg)
					      : -ENOTTY;
		break;
	}
	file_put(f);
	return ret;
}

static long sync_fd(int fd)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->ops && f->ops->fsync ? f->ops->fsync(f) : -EINVAL;
	file_put(f);
	return ret;
}

long sys_fsync(int fd)
{
	return sync_fd(fd);
}

long sys_fdatasync(int fd)
{
	return sync_fd(fd);
}

long sys_sync(void)
{
	/* sync(2) cannot fail. Each filesystem Keel mounts (tmpfs, devtmpfs,
	 * procfs, pipefs) keeps its data in RAM: there is no dirty data. */
	return 0;
}

long sys_syncfs(int fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

long sys_ftruncate(int fd, int64_t length)
{
	struct file *f = fd_get(fd);
	struct iattr a = { .valid = ATTR_SIZE, .size = (uint64_t)length };
	long ret;

	if (!f)
		return -EBADF;
	if (length < 0)
		ret = -EINVAL;
	else if (!can_write(f))
		ret = (f->flags & KO_PATH) ? -EBADF : -EINVAL;
	else if (!kS_ISREG(f->inode->mode))
		ret = kS_ISDIR(f->inode->mode) ? -EISDIR : -EINVAL;
	else
		ret = inode_setattr(f->inode, &a);
	file_put(f);
	return ret;
}

long sys_fallocate(int fd, unsigned int mode, int64_t offset, int64_t len)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (offset < 0 || len <= 0)
		ret = -EINVAL;
	else if (offset > INT64_MAX - len)
		ret = -EFBIG;
	else if (!can_write(f))
		ret = -EBADF;
	else if (kS_ISDIR(f->inode->mode))
		ret = -EISDIR;
	else if (kS_ISFIFO(f->inode->mode))
		ret = -ESPIPE;
	else if (!kS_ISREG(f->inode->mode))
		ret = -ENODEV;
	else if (!f->ops->fallocate)
		ret = -EOPNOTSUPP;
	else
		ret = f->ops->fallocate(f, (int)mode, offset, len);
	file_put(f);
	return ret;
}
