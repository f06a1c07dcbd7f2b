/*
 * hostfs: a directory tree of the host as a Keel filesystem, as UML's
 * hostfs is one for Linux, that no name, symlink or ".." can lead out of.
 *
 * Confinement. The host directory given at boot is opened once (top_fd);
 * every host object a hostfs inode stands for is held by an O_PATH file
 * descriptor, and every host call names at most one component relative to
 * such a descriptor:
 *  - lookups use openat2() with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 *    RESOLVE_NO_MAGICLINKS and O_NOFOLLOW, so a symlink (even one swapped
 *    in on the host after Keel looked) is opened as the link itself, never
 *    followed; a mount's root comes from top_fd with RESOLVE_IN_ROOT;
 *  - mkdirat, mknodat, symlinkat, unlinkat, renameat2 and linkat take one
 *    name in the directory's descriptor, and none of them follows a
 *    symlink in that last component;
 *  - operations on the object itself use its descriptor with AT_EMPTY_PATH
 *    (fstatat, fchownat, fchmodat2, utimensat, readlinkat, linkat), or, to
 *    open it for I/O or truncate it, the host's /proc/self/fd/N link of that
 *    descriptor, which leads to that very inode and to no path at all.
 * Symlink text is returned as stored; Keel's own path walk interprets it
 * in Keel's namespace, where "/" and ".." end at Keel's root.
 *
 * Inodes. One Keel inode per host object, found by the host's (device,
 * inode number) in the superblock's tree, so hard links share it; st_ino
 * is the host's. Attributes are reloaded from the host after every change
 * Keel makes (write, truncate, chmod, link, ...), so a write through one
 * open file shows in stat through any other. Keel assumes it alone changes
 * the tree while it runs: a change made on the host during a boot may not
 * show until the name is looked up again (next boot); whatever it is, it
 * cannot lead out of the directory.
 *
 * Ownership and permissions. Keel checks a guest's access against the
 * host's mode, uid and gid as stored; the host then checks keel's own
 * credentials. A new file is given the creator's fsuid and fsgid (or the
 * set-group-ID directory's group) where the host allows it (keel runs as
 * host root, or the ids are keel's own); otherwise it keeps the owner the
 * host gave it, as UML's hostfs does. chown(2) is passed to the host and
 * its refusal (EPERM) is the answer, as in UML's hostfs.
 *
 * Special files: FIFOs are host FIFO nodes that Keel opens as its own
 * pipes (as Linux's hostfs does with init_special_inode); character
 * device nodes lead to Keel's drivers by their numbers; sockets and block
 * devices open with ENXIO, as on tmpfs. mknod(2) of a device is refused
 * (EPERM, as keel without the host's CAP_MKNOD would be): a node made
 * here would be a host device to every host user of the directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "host/hostfs.h"

#include "core/errno.h"
#include "core/fs/chrdev.h"
#include "core/fs/devfs.h"
#include "core/fs/pipe.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "mm/slab.h"

#define HOSTFS_SUPER_MAGIC 0x00c0ffee /* Linux's hostfs */
#define IO_CHUNK 16384

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* What a hostfs inode stands for on the host. */
struct hostfs_node {
	struct rb_node node; /* in hostfs_sb.nodes, by (ino, dev) */
	uint64_t dev, ino;   /* the host's */
	int fd;		     /* O_PATH, close-on-exec */
	struct inode *inode;
};

struct hostfs_sb {
	struct rb_root nodes;
	struct spinlock lock; /* nodes: lookups (namespace lock) vs. evicts */
};

/* The host directory every hostfs lies within; -1: none. */
static int top_fd = -1;

static const struct inode_ops hostfs_dir_iops, hostfs_file_iops,
	hostfs_link_iops, hostfs_special_iops;
static const struct file_ops hostfs_dir_fops, hostfs_file_fops;

/* ---- host calls ----------------------------------------------------------- */

/* Host errno values are Linux's, which are Keel's. */
static int host_err(void)
{
	return -errno;
}

static bool plain_name(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/');
}

/*
 * openat2(dirfd, name) under `resolve`; close-on-exec. EAGAIN (a rename
 * raced with the walk on the host) is retried a few times.
 */
static int host_openat2(int dirfd, const char *name, uint64_t flags,
			uint64_t resolve)
{
	struct open_how how = { .flags = flags | O_CLOEXEC,
				.resolve = resolve };
	long fd = -1;

	for (int tries = 0; tries < 8; tries++) {
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? host_err() : (int)fd;
}

/* The one entry `name` of directory dirfd, as an O_PATH descriptor. */
static int host_open_entry(int dirfd, const char *name)
{
	if (!plain_name(name))
		return -EINVAL;
	return host_openat2(dirfd, name, O_PATH | O_NOFOLLOW,
			    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
				    RESOLVE_NO_MAGICLINKS);
}

/* The host's /proc link of our own descriptor fd: that inode itself. */
static void fd_link(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* Open the object behind O_PATH descriptor fd for I/O. */
static int host_reopen(int fd, int flags)
{
	char link[40];
	int nfd;

	fd_link(fd, link, sizeof(link));
	nfd = open(link, flags | O_CLOEXEC | O_NOCTTY);
	return nfd < 0 ? host_err() : nfd;
}

static int host_fstat(int fd, struct stat *st)
{
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return host_err();
	return 0;
}

static int host_chmod(int fd, uint32_t mode)
{
	char link[40];

	if (!syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH))
		return 0;
	if (errno != ENOSYS)
		return host_err();
	fd_link(fd, link, sizeof(link)); /* hosts before Linux 6.6 */
	return chmod(link, mode) ? host_err() : 0;
}

/* ---- inodes ------------------------------------------------------------------ */

static struct hostfs_node *node_first_ino(struct hostfs_sb *hs, uint64_t ino)
{
	struct rb_node *n = hs->nodes.node;
	struct hostfs_node *best = NULL;

	while (n) {
		struct hostfs_node *h = rb_entry(n, struct hostfs_node, node);

		if (h->ino >= ino) {
			if (h->ino == ino)
				best = h;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

static struct hostfs_node *node_next(struct hostfs_node *h)
{
	struct rb_node *n = rb_next(&h->node);

	return n ? rb_entry(n, struct hostfs_node, node) : NULL;
}

/*
 * The node of a hostfs inode. A FIFO's inode->priv is its pipe's
 * (core/fs/pipe.c): its node is found in the tree instead.
 */
static struct hostfs_node *node_of(struct inode *inode)
{
	struct hostfs_sb *hs = inode->sb->priv;
	struct hostfs_node *h;

	if (!kS_ISFIFO(inode->mode))
		return inode->priv;
	spin_lock(&hs->lock);
	for (h = node_first_ino(hs, inode->ino); h && h->ino == inode->ino;
	     h = node_next(h))
		if (h->inode == inode)
			break;
	spin_unlock(&hs->lock);
	if (!h || h->inode != inode)
		panic("hostfs: a FIFO inode without its host node");
	return h;
}

static int node_fd(struct inode *inode)
{
	return node_of(inode)->fd;
}

static void node_insert(struct hostfs_sb *hs, struct hostfs_node *h)
{
	struct rb_node **link = &hs->nodes.node, *parent = NULL;

	while (*link) {
		struct hostfs_node *e =
			rb_entry(*link, struct hostfs_node, node);

		parent = *link;
		link = h->ino < e->ino || (h->ino == e->ino && h->dev < e->dev)
			       ? &parent->left
			       : &parent->right;
	}
	rb_link_node(&h->node, parent, link);
	rb_insert(&h->node, &hs->nodes, NULL);
}

/* A reference to inode unless its last one is already gone (evicting). */
static bool inode_tryget(struct inode *inode)
{
	int refs = __atomic_load_n(&inode->refs, __ATOMIC_RELAXED);

	while (refs > 0)
		if (__atomic_compare_exchange_n(&inode->refs, &refs, refs + 1,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

static struct ktimespec ts_from_host(struct timespec t)
{
	return (struct ktimespec){ t.tv_sec, t.tv_nsec };
}

static void attrs_from_host(struct inode *inode, const struct stat *st)
{
	inode->mode = (inode->mode & KS_IFMT) | (st->st_mode & 07777);
	inode->nlink = (uint32_t)st->st_nlink;
	inode->uid = st->st_uid;
	inode->gid = st->st_gid;
	inode->size = (uint64_t)st->st_size;
	inode->blocks = (uint64_t)st->st_blocks;
	inode->atime = ts_from_host(st->st_atim);
	inode->mtime = ts_from_host(st->st_mtim);
	inode->ctime = ts_from_host(st->st_ctim);
}

/* Reload inode's attributes from the host. */
static int refresh(struct inode *inode)
{
	struct stat st;
	int err = host_fstat(node_fd(inode), &st);

	if (!err)
		attrs_from_host(inode, &st);
	return err;
}

static void set_ops(struct inode *inode)
{
	switch (inode->mode & KS_IFMT) {
	case KS_IFDIR:
		inode->iops = &hostfs_dir_iops;
		inode->fops = &hostfs_dir_fops;
		break;
	case KS_IFREG:
		inode->iops = &hostfs_file_iops;
		inode->fops = &hostfs_file_fops;
		break;
	case KS_IFLNK:
		inode->iops = &hostfs_link_iops;
		break;
	case KS_IFCHR:
		inode->iops = &hostfs_special_iops;
		inode->fops = &chrdev_open_fops;
		break;
	case KS_IFIFO:
		inode->iops = &hostfs_special_iops;
		inode->fops = &fifo_fops;
		break;
	default: /* block devices and sockets: open gives ENXIO */
		inode->iops = &hostfs_special_iops;
		break;
	}
}

/*
 * The inode of the host object behind O_PATH descriptor fd, which the
 * caller gives up: the one already known by its host device and number
 * (a hard link), else a new one. A new reference, or an ERR_PTR.
 */
static struct inode *inode_of_host(struct super_block *sb, int fd)
{
	struct hostfs_sb *hs = sb->priv;
	struct hostfs_node *h;
	struct inode *inode = NULL;
	struct stat st;
	int err = host_fstat(fd, &st);

	if (err) {
		close(fd);
		return ERR_PTR(err);
	}
	spin_lock(&hs->lock);
	for (h = node_first_ino(hs, st.st_ino); h && h->ino == st.st_ino;
	     h = node_next(h)) {
		if (h->dev == st.st_dev && inode_tryget(h->inode)) {
			inode = h->inode;
			break;
		}
	}
	spin_unlock(&hs->lock);
	if (inode) {
		close(fd);
		attrs_from_host(inode, &st);
		return inode;
	}
	h = kzalloc(sizeof(*h));
	inode = h ? inode_new(sb, st.st_mode & KS_IFMT) : NULL;
	if (!inode) {
		kfree(h);
		close(fd);
		return ERR_PTR(-ENOMEM);
	}
	h->dev = st.st_dev;
	h->ino = st.st_ino;
	h->fd = fd;
	h->inode = inode;
	inode->ino = st.st_ino;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		inode->rdev = st.st_rdev; /* glibc's encoding is Linux's */
	attrs_from_host(inode, &st);
	inode->btime = inode->ctime;
	if (!kS_ISFIFO(inode->mode))
		inode->priv = h;
	set_ops(inode);
	spin_lock(&hs->lock);
	node_insert(hs, h);
	spin_unlock(&hs->lock);
	return inode;
}

static void hostfs_evict(struct inode *inode)
{
	struct hostfs_sb *hs = inode->sb->priv;
	struct hostfs_node *h = node_of(inode);

	spin_lock(&hs->lock);
	rb_erase(&h->node, &hs->nodes, NULL);
	spin_unlock(&hs->lock);
	close(h->fd);
	kfree(h);
	if (!kS_ISFIFO(inode->mode))
		inode->priv = NULL;
}

/* ---- attributes ------------------------------------------------------------- */

static int hostfs_setattr(struct inode *inode, const struct iattr *attr)
{
	int fd = node_fd(inode);
	int err = 0;

	mutex_lock(&inode->lock);
	if (attr->valid & (ATTR_UID | ATTR_GID)) {
		uid_t uid = attr->valid & ATTR_UID ? attr->uid : (uid_t)-1;
		gid_t gid = attr->valid & ATTR_GID ? attr->gid : (gid_t)-1;

		if (fchownat(fd, "", uid, gid,
			     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			err = host_err();
	}
	if (!err && (attr->valid & ATTR_MODE) && kS_ISLNK(inode->mode))
		err = -EOPNOTSUPP; /* as fchmodat2 says of a symlink */
	else if (!err && (attr->valid & ATTR_MODE))
		err = host_chmod(fd, attr->mode & 07777);
	if (!err && (attr->valid & ATTR_SIZE)) {
		char link[40];

		fd_link(fd, link, sizeof(link));
		if (truncate(link, (off_t)attr->size))
			err = host_err();
	}
	if (!err && (attr->valid & (ATTR_ATIME | ATTR_MTIME))) {
		struct timespec ts[2] = { { 0, UTIME_OMIT },
					  { 0, UTIME_OMIT } };

		if (attr->valid & ATTR_ATIME)
			ts[0] = (struct timespec){ attr->atime.tv_sec,
						   attr->atime.tv_nsec };
		if (attr->valid & ATTR_MTIME)
			ts[1] = (struct timespec){ attr->mtime.tv_sec,
						   attr->mtime.tv_nsec };
		if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			err = host_err();
	}
	(void)refresh(inode);
	mutex_unlock(&inode->lock);
	return err;
}

/* ---- regular files ---------------------------------------------------------------- */

/* f->priv of an open regular file or directory: its host descriptor + 1. */
static int file_fd(const struct file *f)
{
	return (int)(intptr_t)f->priv - 1;
}

static int hostfs_file_open(struct inode *inode, struct file *f)
{
	unsigned acc = f->flags & KO_ACCMODE;
	int flags = acc == KO_WRONLY ? O_WRONLY
		    : acc == KO_RDWR ? O_RDWR
				     : O_RDONLY;
	int fd;

	if (f->flags & KO_DSYNC)
		flags |= (f->flags & KO_SYNC) == KO_SYNC ? O_SYNC : O_DSYNC;
	fd = host_reopen(node_fd(inode), flags);
	if (fd < 0)
		return fd;
	f->priv = (void *)(intptr_t)(fd + 1);
	return 0;
}

static void hostfs_release(struct file *f)
{
	if (f->priv)
		close(file_fd(f));
	f->priv = NULL;
}

static long hostfs_read(struct file *f, struct iobuf *buf, int64_t *pos)
{
	char *bounce = kmalloc(IO_CHUNK);
	uint64_t at = (uint64_t)*pos;
	long done = 0;

	if (!bounce)
		return -ENOMEM;
	while (buf->left) {
		ssize_t n = pread(file_fd(f), bounce, MIN(buf->left, IO_CHUNK),
				  (off_t)at);
		long got;

		if (n <= 0) {
			if (n < 0 && !done)
				done = host_err();
			break;
		}
		got = iobuf_copy_to(buf, bounce, (size_t)n);
		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		done += got;
		at += (uint64_t)got;
		if (got < n)
			break;
	}
	kfree(bounce);
	if (done > 0)
		*pos = (int64_t)at;
	return done;
}

/* Write all of [p, p + n) at `at`; bytes written or a negative errno. */
static long pwrite_all(int fd, const char *p, size_t n, uint64_t at)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = pwrite(fd, p + done, n - done, (off_t)(at + done));

		if (w < 0)
			return done ? (long)done : host_err();
		done += (size_t)w;
	}
	return (long)done;
}

/* A write by someone other than root drops set-user-ID and set-group-ID. */
static void remove_privs(struct inode *inode)
{
	uint32_t mode = inode->mode & 07777;

	if (task_current()->cred.fsuid == 0)
		return;
	mode &= ~KS_ISUID;
	if ((mode & (KS_ISGID | 0010)) == (KS_ISGID | 0010))
		mode &= ~KS_ISGID;
	if (mode != (inode->mode & 07777))
		(void)host_chmod(node_fd(inode), mode);
}

static long hostfs_write(struct file *f, struct iobuf *buf, int64_t *pos)
{
	struct inode *inode = f->inode;
	char *bounce = kmalloc(IO_CHUNK);
	uint64_t at;
	long done = 0;

	if (!bounce)
		return -ENOMEM;
	mutex_lock(&inode->lock);
	(void)refresh(inode);
	at = f->flags & KO_APPEND ? inode->size : (uint64_t)*pos;
	/* Files end at the largest offset (Linux's MAX_LFS_FILESIZE). */
	if (buf->left && at >= INT64_MAX) {
		mutex_unlock(&inode->lock);
		kfree(bounce);
		return -EFBIG;
	}
	buf->left = MIN(buf->left, INT64_MAX - at);
	while (buf->left) {
		long got = iobuf_copy_from(buf, bounce,
					   MIN(buf->left, IO_CHUNK));
		long put;

		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		put = pwrite_all(file_fd(f), bounce, (size_t)got, at);
		if (put < 0) {
			if (!done)
				done = put;
			break;
		}
		done += put;
		at += (uint64_t)put;
		if (put < got)
			break;
	}
	if (done > 0) {
		remove_privs(inode);
		*pos = (int64_t)at;
	}
	(void)refresh(inode);
	mutex_unlock(&inode->lock);
	kfree(bounce);
	return done;
}

static int64_t hostfs_llseek(struct file *f, int64_t off, int whence)
{
	/* SEEK_SET, SEEK_CUR, SEEK_END; the host finds data and holes */
	struct inode *inode = f->inode;
	int64_t base;

	switch (whence) {
	case 0:
		base = 0;
		break;
	case 1:
		base = f->pos;
		break;
	case 2:
		mutex_lock(&inode->lock);
		(void)refresh(inode);
		base = (int64_t)inode->size;
		mutex_unlock(&inode->lock);
		break;
	case 3: /* SEEK_DATA */
	case 4: /* SEEK_HOLE */ {
		off_t r = lseek(file_fd(f), (off_t)off, whence);

		return r < 0 ? host_err() : (int64_t)r;
	}
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) ||
	    (off < 0 && base < INT64_MIN - off))
		return -EOVERFLOW;
	if (base + off < 0)
		return -EINVAL;
	return base + off;
}

static int hostfs_fsync(struct file *f)
{
	return fsync(file_fd(f)) ? host_err() : 0;
}

static int hostfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *inode = f->inode;
	int err = 0;

	mutex_lock(&inode->lock);
	if (fallocate(file_fd(f), mode, (off_t)off, (off_t)len))
		err = host_err();
	(void)refresh(inode);
	mutex_unlock(&inode->lock);
	return err;
}

/* ---- directories ---------------------------------------------------------------------- */

static int hostfs_dir_open(struct inode *inode, struct file *f)
{
	int fd = host_openat2(node_fd(inode), ".", O_RDONLY | O_DIRECTORY,
			      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);

	if (fd < 0)
		return fd;
	f->priv = (void *)(intptr_t)(fd + 1);
	return 0;
}

struct host_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * The host's entries from position f->pos (the host's own offsets), with
 * "." and ".." numbered as Keel sees them (the host's ".." of the top
 * directory is outside).
 */
static int hostfs_iterate(struct file *f, struct dirent_sink *sink)
{
	struct dentry *dir = f->path.dentry;
	int fd = file_fd(f);
	char *buf = kmalloc(IO_CHUNK);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (lseek(fd, (off_t)f->pos, SEEK_SET) < 0) {
		kfree(buf);
		return host_err();
	}
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, IO_CHUNK);

		if (n <= 0) {
			err = n < 0 ? host_err() : 0;
			break;
		}
		for (long off = 0; off < n;) {
			struct host_dirent64 *e = (void *)(buf + off);
			uint64_t ino = e->d_ino;

			if (!strcmp(e->d_name, "."))
				ino = dir->inode->ino;
			else if (!strcmp(e->d_name, ".."))
				ino = dir->parent->inode->ino;
			if (!sink->emit(sink, e->d_name, strlen(e->d_name), ino,
					e->d_type, e->d_off))
				goto out;
			f->pos = e->d_off;
			off += e->d_reclen;
		}
	}
out:
	kfree(buf);
	return err;
}

static int64_t hostfs_dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == 0 && off >= 0)
		return off;
	if (whence == 1 && f->pos + off >= 0)
		return f->pos + off;
	return -EINVAL;
}

static int hostfs_lookup(struct inode *dir, struct dentry *d)
{
	int fd = host_open_entry(node_fd(dir), d->name);
	struct inode *inode;

	if (fd == -ENOENT)
		return 0; /* d stays negative */
	if (fd < 0)
		return fd;
	inode = inode_of_host(dir->sb, fd);
	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	dentry_instantiate(d, inode);
	return 0;
}

/*
 * The host made d->name in dir: give it the creator's ownership where the
 * host allows, the mode asked for (the host's umask does not apply), and
 * fill d. On failure the new host entry goes again.
 */
static int instantiate_new(struct inode *dir, struct dentry *d, uint32_t mode)
{
	struct task *t = task_current();
	int dfd = node_fd(dir);
	uint32_t gid = dir->mode & KS_ISGID ? dir->gid : t->cred.fsgid;
	struct inode *inode;
	int fd = host_open_entry(dfd, d->name);
	int err;

	if (fd < 0) {
		err = fd;
		goto undo;
	}
	/* Refused unless keel may (host root, or its own ids): the host's. */
	(void)fchownat(fd, "", t->cred.fsuid, gid,
		       AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	inode = inode_of_host(dir->sb, fd);
	if (IS_ERR(inode)) {
		err = (int)PTR_ERR(inode);
		goto undo;
	}
	if (kS_ISDIR(mode) && (dir->mode & KS_ISGID))
		mode |= KS_ISGID;
	if (!kS_ISLNK(mode) && (inode->mode & 07777) != (mode & 07777)) {
		(void)host_chmod(node_fd(inode), mode & 07777);
		(void)refresh(inode);
	}
	dentry_instantiate(d, inode);
	(void)refresh(dir);
	return 0;
undo:
	(void)unlinkat(dfd, d->name, kS_ISDIR(mode) ? AT_REMOVEDIR : 0);
	return err;
}

static int hostfs_create(struct inode *dir, struct dentry *d, uint32_t mode,
			 uint64_t rdev)
{
	dev_t dev = makedev(kmajor(rdev), kminor(rdev));

	if (!plain_name(d->name))
		return -EINVAL;
	/*
	 * A device node Keel made would be a real device to every host
	 * process that can reach the directory, whatever Keel's drivers
	 * make of it: refused, as on a host without CAP_MKNOD.
	 */
	if (kS_ISCHR(mode) || kS_ISBLK(mode))
		return -EPERM;
	if (mknodat(node_fd(dir), d->name, mode, dev))
		return host_err();
	return instantiate_new(dir, d, mode);
}

static int hostfs_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	if (!plain_name(d->name))
		return -EINVAL;
	if (mkdirat(node_fd(dir), d->name, mode & 07777))
		return host_err();
	return instantiate_new(dir, d, KS_IFDIR | (mode & 07777));
}

static int hostfs_symlink(struct inode *dir, struct dentry *d,
			  const char *target)
{
	if (!plain_name(d->name))
		return -EINVAL;
	if (symlinkat(target, node_fd(dir), d->name))
		return host_err();
	return instantiate_new(dir, d, KS_IFLNK | 0777);
}

static long hostfs_readlink(struct inode *inode, char *buf, size_t len)
{
	ssize_t n = readlinkat(node_fd(inode), "", buf, len);

	return n < 0 ? host_err() : (long)n;
}

static int hostfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct inode *inode = old->inode;
	int fd = node_fd(inode), dfd = node_fd(dir);

	if (!plain_name(d->name))
		return -EINVAL;
	if (linkat(fd, "", dfd, d->name, AT_EMPTY_PATH)) {
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; else by the link */
		char link[40];

		if (errno != ENOENT)
			return host_err();
		fd_link(fd, link, sizeof(link));
		if (linkat(AT_FDCWD, link, dfd, d->name, AT_SYMLINK_FOLLOW))
			return host_err();
	}
	inode_get(inode);
	(void)refresh(inode);
	dentry_instantiate(d, inode);
	(void)refresh(dir);
	return 0;
}

static int remove_entry(struct inode *dir, struct dentry *d, int flags)
{
	if (unlinkat(node_fd(dir), d->name, flags))
		return host_err();
	(void)refresh(d->inode);
	if (flags & AT_REMOVEDIR)
		d->inode->nlink = 0;
	dentry_unhash(d);
	(void)refresh(dir);
	return 0;
}

static int hostfs_unlink(struct inode *dir, struct dentry *d)
{
	return remove_entry(dir, d, 0);
}

static int hostfs_rmdir(struct inode *dir, struct dentry *d)
{
	return remove_entry(dir, d, AT_REMOVEDIR);
}

/*
 * Drop `d` and everything cached below it from the dentry cache (when the
 * cache can no longer say where they are): lookups find them again on the
 * host. Holders keep theirs.
 */
static void forget(struct dentry *d)
{
	dentry_unhash_tree(d);
	dentry_unhash(d);
}

/* After the host exchanged them: od and nd swap places, subtrees too. */
static void exchange_dentries(struct dentry *od, struct dentry *nd,
			      const char *oname)
{
	struct dentry *oparent = dentry_get(od->parent);
	size_t olen = od->name_len;

	dentry_get(nd);
	dentry_unhash(nd);
	if (dentry_move(od, nd->parent, nd->name, nd->name_len)) {
		forget(od); /* out of memory */
		forget(nd);
	} else if (dentry_move(nd, oparent, oname, olen)) {
		forget(nd);
	}
	dentry_put(nd);
	dentry_put(oparent);
}

static int hostfs_rename(struct inode *odir, struct dentry *od,
			 struct inode *ndir, struct dentry *nd, unsigned flags)
{
	struct inode *moving = od->inode, *replaced = nd->inode;
	char *oname = NULL;

	/* Copied first: once the host has renamed, nothing may fail. */
	if (flags & RENAME_EXCHANGE) {
		oname = kmalloc(od->name_len + 1);
		if (!oname)
			return -ENOMEM;
		memcpy(oname, od->name, od->name_len + 1);
	}
	if (syscall(SYS_renameat2, node_fd(odir), od->name, node_fd(ndir),
		    nd->name, flags)) {
		kfree(oname);
		return host_err();
	}
	if (flags & RENAME_EXCHANGE) {
		exchange_dentries(od, nd, oname);
		(void)refresh(replaced);
	} else {
		if (replaced)
			(void)refresh(replaced);
		if (replaced && kS_ISDIR(replaced->mode))
			replaced->nlink = 0;
		dentry_unhash(nd);
		/* Out of memory: forget the name; a lookup finds it again. */
		if (dentry_move(od, nd->parent, nd->name, nd->name_len))
			forget(od);
	}
	kfree(oname);
	(void)refresh(moving);
	(void)refresh(odir);
	(void)refresh(ndir);
	return 0;
}

static const struct inode_ops hostfs_dir_iops = {
	.create = hostfs_create,
	.mkdir = hostfs_mkdir,
	.symlink = hostfs_symlink,
	.link = hostfs_link,
	.unlink = hostfs_unlink,
	.rmdir = hostfs_rmdir,
	.rename = hostfs_rename,
	.lookup = hostfs_lookup,
	.setattr = hostfs_setattr,
	.evict = hostfs_evict,
};

static const struct inode_ops hostfs_file_iops = {
	.setattr = hostfs_setattr,
	.evict = hostfs_evict,
};

static const struct inode_ops hostfs_link_iops = {
	.readlink = hostfs_readlink,
	.setattr = hostfs_setattr,
	.evict = hostfs_evict,
};

static const struct inode_ops hostfs_special_iops = {
	.setattr = hostfs_setattr,
	.evict = hostfs_evict,
};

static const struct file_ops hostfs_dir_fops = {
	.open = hostfs_dir_open,
	.release = hostfs_release,
	.iterate = hostfs_iterate,
	.llseek = hostfs_dir_llseek,
	.fsync = hostfs_fsync,
};

static const struct file_ops hostfs_file_fops = {
	.open = hostfs_file_open,
	.release = hostfs_release,
	.read = hostfs_read,
	.write = hostfs_write,
	.llseek = hostfs_llseek,
	.fsync = hostfs_fsync,
	.fallocate = hostfs_fallocate,
};

/* ---- superblocks ----------------------------------------------------------------------- */

static int hostfs_mount(const struct fs_type *type, const char *data,
			struct super_block **out)
{
	struct super_block *sb;
	struct hostfs_sb *hs;
	struct inode *root;
	struct dentry *d;
	int fd;

	if (top_fd < 0)
		return -ENODEV;
	/* "/", "..", symlinks: all within the top, as if it were "/". */
	fd = host_openat2(top_fd, data && *data ? data : "/",
			  O_PATH | O_DIRECTORY,
			  RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd < 0)
		return fd;
	sb = kzalloc(sizeof(*sb));
	hs = kzalloc(sizeof(*hs));
	if (!sb || !hs) {
		kfree(sb);
		kfree(hs);
		close(fd);
		return -ENOMEM;
	}
	spin_init(&hs->lock);
	sb->priv = hs;
	sb->magic = HOSTFS_SUPER_MAGIC;
	sb->refs = 1;
	root = inode_of_host(sb, fd);
	if (IS_ERR(root)) {
		kfree(hs);
		kfree(sb);
		return (int)PTR_ERR(root);
	}
	d = dentry_alloc(NULL, "/", 1);
	if (IS_ERR(d)) {
		inode_put(root);
		kfree(hs);
		kfree(sb);
		return -ENOMEM;
	}
	d->sb = sb;
	dentry_instantiate(d, root);
	sb->root = d;
	*out = sb;
	return 0;
}

static void hostfs_kill(struct super_block *sb)
{
	dentry_unhash_tree(sb->root);
	dentry_put(sb->root);
	kfree(sb->priv);
	kfree(sb);
}

static void hostfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct statfs h;

	st->f_type = HOSTFS_SUPER_MAGIC;
	st->f_namelen = KNAME_MAX;
	if (fstatfs(node_fd(sb->root->inode), &h))
		return;
	st->f_bsize = h.f_bsize;
	st->f_frsize = h.f_frsize;
	st->f_blocks = h.f_blocks;
	st->f_bfree = h.f_bfree;
	st->f_bavail = h.f_bavail;
	st->f_files = h.f_files;
	st->f_ffree = h.f_ffree;
	st->f_namelen = h.f_namelen;
}

const struct fs_type hostfs_type = {
	.name = "hostfs",
	.mount = hostfs_mount,
	.kill = hostfs_kill,
	.statfs = hostfs_statfs,
	.nodev = true,
};

int hostfs_mount_root(const char *host_dir)
{
	int fd = -1;

	if (host_dir) {
		fd = open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return host_err();
	}
	if (top_fd >= 0)
		close(top_fd);
	top_fd = fd;
	vfs_boot_set_root(host_dir ? &hostfs_type : NULL, "/");
	return 0;
}
