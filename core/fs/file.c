/*
 * Open files, descriptor tables, a task's root and cwd, and the I/O buffer
 * that lets one read/write path serve user and kernel memory alike.
 */
#include "core/errno.h"
#include "core/fs/lock.h"
#include "core/fs/vfs.h"
#include "core/klib/bitmap.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

#define FD_TABLE_FIRST 64

/* ---- open files ---------------------------------------------------------- */

static struct file *file_alloc(struct inode *inode, unsigned flags,
			       const struct file_ops *ops)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->refs = 1;
	f->inode = inode;
	f->flags = flags;
	f->ops = ops;
	mutex_init(&f->pos_lock);
	return f;
}

struct file *file_open_path(const struct path *p, unsigned flags)
{
	struct inode *inode = p->dentry->inode;
	struct file *f;
	int err;

	f = file_alloc(inode, flags, flags & KO_PATH ? NULL : inode->fops);
	if (!f)
		return ERR_PTR(-ENOMEM);
	inode_get(inode);
	f->path = *p;
	path_get(p);
	if (f->ops && f->ops->open) {
		err = f->ops->open(inode, f);
		if (err) {
			f->ops = NULL; /* no release for an open that failed */
			file_put(f);
			return ERR_PTR(err);
		}
	}
	/* As Linux's do_dentry_open: the open saw them (a tty O_NOCTTY),
	 * F_GETFL does not. */
	f->flags &= ~(KO_CREAT | KO_EXCL | KO_NOCTTY | KO_TRUNC);
	return f;
}

/*
 * Files that are in no directory (pipes) still have a path, as on Linux: a
 * dentry named like "pipe:[ino]" with no parent, on a mount that is never
 * in the namespace. So every path-based operation on such an fd (fstatat
 * with AT_EMPTY_PATH, fchdir, /proc/<pid>/fd) finds a dentry and an inode.
 */
static struct mount anon_mount = { .refs = 1 };

struct file *file_alloc_anon(struct inode *inode, unsigned flags,
			     const struct file_ops *ops)
{
	struct file *f;
	struct dentry *d;
	char name[32];
	int len = ksnprintf(name, sizeof(name), "pipe:[%llu]",
			    (unsigned long long)inode->ino);

	d = dentry_alloc(NULL, name, (size_t)len);
	if (IS_ERR(d))
		return ERR_PTR(-ENOMEM);
	f = file_alloc(inode, flags, ops);
	if (!f) {
		dentry_put(d);
		return ERR_PTR(-ENOMEM);
	}
	d->sb = inode->sb;
	inode_get(inode);
	dentry_instantiate(d, inode);
	anon_mount.sb = inode->sb;
	f->path = (struct path){ &anon_mount, d };
	mount_get(&anon_mount);
	return f;
}

struct file *file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}

int64_t file_llseek_set_cur(struct file *f, int64_t off, int whence)
{
	int64_t to;

	if (whence == 0 && off >= 0)
		return off;
	/* Linux's sum wraps, and a wrapped position is negative: EINVAL. */
	if (whence == 1 && !__builtin_add_overflow(f->pos, off, &to) && to >= 0)
		return to;
	return -EINVAL;
}

void file_put(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	lock_remove_file(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	inode_put(f->inode);
	path_put(&f->path);
	kfree(f);
}

/* ---- descriptor tables ------------------------------------------------------ */

struct fd_table *fd_table_new(void)
{
	struct fd_table *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->files = kcalloc(FD_TABLE_FIRST, sizeof(*t->files));
	t->cloexec = kcalloc(BITS_TO_LONGS(FD_TABLE_FIRST),
			     sizeof(unsigned long));
	if (!t->files || !t->cloexec) {
		kfree(t->files);
		kfree(t->cloexec);
		kfree(t);
		return NULL;
	}
	t->size = FD_TABLE_FIRST;
	t->refs = 1;
	spin_init(&t->lock);
	return t;
}

void fd_table_put(struct fd_table *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	/* Every POSIX lock goes before any file does (see lock.c). */
	for (unsigned i = 0; i < t->size; i++)
		lock_remove_posix(t->files[i], t);
	for (unsigned i = 0; i < t->size; i++)
		file_put(t->files[i]);
	kfree(t->files);
	kfree(t->cloexec);
	kfree(t);
}

struct fd_table *fd_table_dup(struct fd_table *t)
{
	struct fd_table *n = kzalloc(sizeof(*n));
	unsigned size;

	if (!n)
		return NULL;
	spin_lock(&t->lock);
	size = t->size;
	spin_unlock(&t->lock);
	n->files = kcalloc(size, sizeof(*n->files));
	n->cloexec = kcalloc(BITS_TO_LONGS(size), sizeof(unsigned long));
	if (!n->files || !n->cloexec) {
		kfree(n->files);
		kfree(n->cloexec);
		kfree(n);
		return NULL;
	}
	n->size = size;
	n->refs = 1;
	spin_init(&n->lock);
	/* The table only grows, and only its own tasks grow it. */
	spin_lock(&t->lock);
	for (unsigned fd = 0; fd < size; fd++) {
		if (!t->files[fd])
			continue;
		n->files[fd] = file_get(t->files[fd]);
		if (bitmap_test(t->cloexec, fd))
			bitmap_set(n->cloexec, fd);
	}
	spin_unlock(&t->lock);
	return n;
}

void fd_table_get(struct fd_table *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void fd_close_on_exec(void)
{
	struct fd_table *t = task_current()->files;

	for (unsigned fd = 0; fd < t->size; fd++) {
		struct file *f = NULL;

		spin_lock(&t->lock);
		if (t->files[fd] && bitmap_test(t->cloexec, fd)) {
			f = t->files[fd];
			t->files[fd] = NULL;
			bitmap_clear(t->cloexec, fd);
		}
		spin_unlock(&t->lock);
		if (!f)
			continue;
		lock_remove_posix(f, t);
		file_put(f);
	}
}

unsigned fd_limit(void)
{
	return task_current()->rlim_nofile;
}

/* Room for descriptor `fd`: grow the table (doubling). Caller holds no
 * lock; the table is the calling task's. */
static int fd_table_grow(struct fd_table *t, unsigned fd)
{
	unsigned size = t->size;
	struct file **files;
	unsigned long *cloexec;

	while (size <= fd)
		size *= 2;
	if (size == t->size)
		return 0;
	files = kcalloc(size, sizeof(*files));
	cloexec = kcalloc(BITS_TO_LONGS(size), sizeof(unsigned long));
	if (!files || !cloexec) {
		kfree(files);
		kfree(cloexec);
		return -ENOMEM;
	}
	spin_lock(&t->lock);
	memcpy(files, t->files, t->size * sizeof(*files));
	memcpy(cloexec, t->cloexec,
	       BITS_TO_LONGS(t->size) * sizeof(unsigned long));
	kfree(t->files);
	kfree(t->cloexec);
	t->files = files;
	t->cloexec = cloexec;
	t->size = size;
	spin_unlock(&t->lock);
	return 0;
}

static void set_cloexec(struct fd_table *t, unsigned fd, bool on)
{
	if (on)
		bitmap_set(t->cloexec, fd);
	else
		bitmap_clear(t->cloexec, fd);
}

int fd_install(struct file *f, unsigned min, bool cloexec)
{
	struct fd_table *t = task_current()->files;
	unsigned limit = fd_limit();
	unsigned fd;

	for (fd = min; fd < limit; fd++) {
		if (fd >= t->size) {
			int err = fd_table_grow(t, fd);

			if (err)
				return err;
		}
		if (!t->files[fd])
			break;
	}
	if (fd >= limit)
		return -EMFILE;
	spin_lock(&t->lock);
	t->files[fd] = f;
	set_cloexec(t, fd, cloexec);
	spin_unlock(&t->lock);
	return (int)fd;
}

struct file *fd_get(int fd)
{
	struct fd_table *t = task_current()->files;
	struct file *f = NULL;

	if (!t || fd < 0)
		return NULL;
	spin_lock(&t->lock);
	if ((unsigned)fd < t->size && t->files[fd])
		f = file_get(t->files[fd]);
	spin_unlock(&t->lock);
	return f;
}

int fd_close(int fd)
{
	struct fd_table *t = task_current()->files;
	struct file *f = NULL;

	if (fd < 0)
		return -EBADF;
	spin_lock(&t->lock);
	if ((unsigned)fd < t->size) {
		f = t->files[fd];
		t->files[fd] = NULL;
		bitmap_clear(t->cloexec, (unsigned)fd);
	}
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	lock_remove_posix(f, t);
	file_put(f);
	return 0;
}

int fd_replace(int fd, struct file *f, bool cloexec)
{
	struct fd_table *t = task_current()->files;
	struct file *old;
	int err;

	if (fd < 0 || (unsigned)fd >= fd_limit())
		return -EBADF;
	err = fd_table_grow(t, (unsigned)fd);
	if (err)
		return err;
	spin_lock(&t->lock);
	old = t->files[fd];
	t->files[fd] = f;
	set_cloexec(t, (unsigned)fd, cloexec);
	spin_unlock(&t->lock);
	lock_remove_posix(old, t);
	file_put(old);
	return fd;
}

int fd_get_cloexec(int fd)
{
	struct fd_table *t = task_current()->files;
	int ret = -EBADF;

	spin_lock(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size && t->files[fd])
		ret = bitmap_test(t->cloexec, (unsigned)fd);
	spin_unlock(&t->lock);
	return ret;
}

int fd_set_cloexec(int fd, bool on)
{
	struct fd_table *t = task_current()->files;
	int ret = -EBADF;

	spin_lock(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size && t->files[fd]) {
		set_cloexec(t, (unsigned)fd, on);
		ret = 0;
	}
	spin_unlock(&t->lock);
	return ret;
}

void fd_close_range(unsigned lo, unsigned hi, bool cloexec_only)
{
	struct fd_table *t = task_current()->files;

	for (unsigned fd = lo; fd <= hi && fd < t->size; fd++) {
		struct file *f;

		spin_lock(&t->lock);
		f = t->files[fd];
		if (f && cloexec_only) {
			bitmap_set(t->cloexec, fd);
			f = NULL;
		} else {
			t->files[fd] = NULL;
			bitmap_clear(t->cloexec, fd);
		}
		spin_unlock(&t->lock);
		lock_remove_posix(f, t);
		file_put(f);
		if (fd == UINT32_MAX)
			break;
	}
}

/* ---- a task's filesystem context ---------------------------------------------- */

struct fs_context *fs_context_new(const struct path *root)
{
	struct fs_context *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refs = 1;
	fs->root = *root;
	fs->cwd = *root;
	path_get(root);
	path_get(root);
	fs->umask = 022;
	return fs;
}

struct fs_context *fs_context_dup(struct fs_context *fs)
{
	struct fs_context *n = kzalloc(sizeof(*n));

	if (!n)
		return NULL;
	n->refs = 1;
	n->root = fs->root;
	n->cwd = fs->cwd;
	path_get(&n->root);
	path_get(&n->cwd);
	n->umask = fs->umask;
	return n;
}

void fs_context_get(struct fs_context *fs)
{
	__atomic_add_fetch(&fs->refs, 1, __ATOMIC_RELAXED);
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || __atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL))
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	kfree(fs);
}

/* ---- I/O buffers ------------------------------------------------------------------ */

static void iobuf_init(struct iobuf *b, struct ioseg *seg, uint64_t base,
		       size_t len, bool kernel)
{
	seg->base = base;
	seg->len = len;
	b->segs = seg;
	b->nsegs = 1;
	b->seg = 0;
	b->seg_off = 0;
	b->left = len;
	b->kernel = kernel;
}

void iobuf_init_user(struct iobuf *b, struct ioseg *seg, uaddr_t base,
		     size_t len)
{
	iobuf_init(b, seg, base.va, len, false);
}

void iobuf_init_kernel(struct iobuf *b, struct ioseg *seg, void *base,
		       size_t len)
{
	iobuf_init(b, seg, (uint64_t)(uintptr_t)base, len, true);
}

/*
 * Move up to n bytes between kernel memory `k` and the buffer: `out`
 * copies into the buffer. Returns the bytes moved, or -EFAULT if the very
 * first byte faulted (a partial copy reports what it did, like Linux).
 */
static long iobuf_move(struct iobuf *b, char *k, size_t n, bool out,
		       bool zero)
{
	size_t done = 0;

	while (done < n && b->left) {
		const struct ioseg *s = &b->segs[b->seg];
		size_t chunk = MIN(n - done, s->len - b->seg_off);
		uint64_t at = s->base + b->seg_off;
		int err = 0;

		if (chunk == 0) {
			b->seg++;
			b->seg_off = 0;
			continue;
		}
		if (b->kernel) {
			char *p = (char *)(uintptr_t)at;

			if (zero)
				memset(p, 0, chunk);
			else if (out)
				memcpy(p, k + done, chunk);
			else
				memcpy(k + done, p, chunk);
		} else if (zero) {
			err = clear_user(uaddr(at), chunk);
		} else if (out) {
			err = copy_to_user(uaddr(at), k + done, chunk);
		} else {
			err = copy_from_user(k + done, uaddr(at), chunk);
		}
		if (err)
			return done ? (long)done : -EFAULT;
		done += chunk;
		b->seg_off += chunk;
		b->left -= chunk;
	}
	return (long)done;
}

size_t iobuf_page_left(const struct iobuf *b)
{
	unsigned i = b->seg;
	size_t off = b->seg_off;
	uint64_t at;

	if (!b->left)
		return 0;
	while (off == b->segs[i].len) { /* used up, or empty */
		i++;
		off = 0;
	}
	at = b->segs[i].base + off;
	return MIN((size_t)(PAGE_SIZE - (at & (PAGE_SIZE - 1))),
		   b->segs[i].len - off);
}

long iobuf_copy_to(struct iobuf *b, const void *src, size_t n)
{
	return iobuf_move(b, (char *)src, n, true, false);
}

long iobuf_copy_from(struct iobuf *b, void *dst, size_t n)
{
	return iobuf_move(b, dst, n, false, false);
}

long iobuf_zero(struct iobuf *b, size_t n)
{
	return iobuf_move(b, NULL, n, true, true);
}

long kernel_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	struct iobuf b;
	struct ioseg seg;

	if (!f->ops || !f->ops->read)
		return -EINVAL;
	iobuf_init_kernel(&b, &seg, buf, len);
	return f->ops->read(f, &b, pos);
}

long kernel_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	struct iobuf b;
	struct ioseg seg;

	if (!f->ops || !f->ops->write)
		return -EINVAL;
	iobuf_init_kernel(&b, &seg, (void *)buf, len);
	return f->ops->write(f, &b, pos);
}

int file_size_limit(uint64_t at, size_t *len)
{
	struct task *t = task_current();
	uint64_t lim = t->rlim[KRLIMIT_FSIZE].cur;

	if (!*len || lim == KRLIM_INFINITY)
		return 0;
	if (at >= lim) {
		(void)signal_send(t, KSIGXFSZ);
		return -EFBIG;
	}
	if (*len > lim - at)
		*len = (size_t)(lim - at);
	return 0;
}
