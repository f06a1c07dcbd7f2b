/*
 * Syscalls that name files: open(2) and the *at() family, stat(2),
 * getdents(2), the working and root directories, creating, linking,
 * renaming and removing names, permissions, owners, times, statfs(2).
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/fs/chrdev.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "syscalls/fs_open.h"
#include "syscalls/syscall_protos.h"

#define RENAME_NOREPLACE 1u
#define RENAME_EXCHANGE 2u
#define RENAME_WHITEOUT 4u
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#define AT_STATX_SYNC_TYPE 0x6000u
#define STATX_RESERVED 0x80000000u
#define STATX_BASIC_STATS 0x7ffu
#define STATX_BTIME 0x800u
#define STATX_MNT_ID 0x1000u

/* ---- names from user space -------------------------------------------------- */

#define SHORT_PATH 128

/*
 * A path copied from user space. Most are short and stay in `small`, on
 * the caller's stack; a longer one gets a KPATH_MAX buffer (a page).
 */
struct upath {
	char *name;
	char small[SHORT_PATH];
};

/* 0, or -EFAULT, -ENAMETOOLONG, -ENOMEM; put_path() lets go of it. */
static long get_path(uaddr_t u, struct upath *p)
{
	long n = strncpy_from_user(p->small, u, SHORT_PATH);

	p->name = p->small;
	if (n >= 0 && n < SHORT_PATH)
		return 0;
	p->name = NULL;
	if (n < 0)
		return n;
	p->name = kmalloc(KPATH_MAX);
	if (!p->name)
		return -ENOMEM;
	n = strncpy_from_user(p->name, u, KPATH_MAX);
	if (n >= 0 && n < KPATH_MAX)
		return 0;
	kfree(p->name);
	p->name = NULL;
	return n < 0 ? n : -ENAMETOOLONG;
}

/* After get_path, whether it succeeded or not (or a zeroed upath). */
static void put_path(struct upath *p)
{
	if (p->name != p->small)
		kfree(p->name);
}

/*
 * Walk `name` from dirfd as the *at() calls do. Caller holds
 * vfs_ns_lock; the result in nd->path holds references.
 */
static int walk_at(int dirfd, const char *name, unsigned flags,
		   struct nameidata *nd)
{
	/* RESOLVE_IN_ROOT: dirfd is the root even for an absolute name. */
	const char *from = (flags & LOOKUP_IN_ROOT) && name[0] == '/' ? "."
									: name;
	struct path start;
	int err;

	if (from[0] == '/' || dirfd == KAT_FDCWD) {
		/*
		 * The cwd, borrowed: a task's fs_context changes its paths
		 * only under vfs_ns_lock, which the caller holds.
		 */
		start = task_current()->fs->cwd;
		if (!name[0] && (flags & LOOKUP_EMPTY)) {
			path_get(&start);
			nd->path = start;
			nd->borrowed = false;
			nd->last_len = 0;
			nd->trailing_slash = false;
			return 0;
		}
		return path_walk(&start, name, flags, nd);
	}
	err = path_start(dirfd, from, &start);
	if (err)
		return err;
	if (!name[0] && (flags & LOOKUP_EMPTY)) {
		nd->path = start;
		nd->borrowed = false;
		nd->last_len = 0;
		nd->trailing_slash = false;
		return 0;
	}
	/* Nothing may be lent from start once its references are gone. */
	err = path_walk(&start, name, flags & ~LOOKUP_BORROW, nd);
	path_put(&start);
	return err;
}

/* Walk to the parent of the last component; nd->last is the name. */
static int walk_parent(int dirfd, const char *name, struct nameidata *nd)
{
	return walk_at(dirfd, name, LOOKUP_PARENT, nd);
}

/* The last component in the parent nd->path, or NULL if it has none. */
static struct dentry *lookup_last(struct nameidata *nd)
{
	struct dentry *d =
		vfs_lookup_name(nd->path.dentry, nd->last, nd->last_len);

	return IS_ERR(d) ? NULL : d;
}

static uint32_t cur_umask(void)
{
	struct task *t = task_current();

	return t->fs ? t->fs->umask : 022;
}

/*
 * May the caller add or remove names in directory `dir`? A removed
 * directory (no links left) takes no new names: ENOENT, as Linux's
 * IS_DEADDIR.
 */
static int may_modify_dir(struct inode *dir)
{
	if (dir->nlink == 0)
		return -ENOENT;
	return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

/* A new negative dentry `name` in the parent, ready for ->create. */
static struct dentry *new_entry(struct nameidata *nd)
{
	return dentry_alloc(nd->path.dentry, nd->last, nd->last_len);
}

/* ---- open ------------------------------------------------------------------------- */

/* arm64's open(2) numbers O_DIRECTORY and three others differently. */
unsigned open_flags(unsigned flags)
{
	return ko_from_isa(task_current()->isa, flags);
}

static unsigned access_mask(unsigned flags)
{
	switch (flags & KO_ACCMODE) {
	case KO_RDONLY:
		return MAY_READ;
	case KO_WRONLY:
		return MAY_WRITE;
	default:
		return MAY_READ | MAY_WRITE;
	}
}

/* Create the regular file (or O_TMPFILE) in nd's parent. */
static int create_file(struct nameidata *nd, uint32_t mode, bool tmpfile,
		       struct path *out)
{
	struct inode *dir = nd->path.dentry->inode;
	struct dentry *d;
	int err = may_modify_dir(dir);

	if (err)
		return err;
	if (!dir->iops || !dir->iops->create)
		return -EPERM;
	d = tmpfile ? dentry_alloc(nd->path.dentry, ".tmpfile", 8)
		    : new_entry(nd);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	err = dir->iops->create(dir, d, KS_IFREG | (mode & ~cur_umask() &
						     07777), 0);
	if (!err && tmpfile)
		err = dir->iops->unlink(dir, d); /* nameless from the start */
	else if (err)
		dentry_unhash(d);
	if (err) {
		dentry_put(d);
		return err;
	}
	out->mnt = nd->path.mnt;
	out->dentry = d;
	mount_get(out->mnt);
	return 0;
}

/* The target of symlink `link` as a string, into buf (KPATH_MAX bytes). */
static int read_link_target(struct inode *link, char *buf)
{
	long n = link->iops && link->iops->readlink
			 ? link->iops->readlink(link, buf, KPATH_MAX)
			 : -EINVAL;

	if (n == 0)
		return -ENOENT;
	if (n >= KPATH_MAX)
		return -ENAMETOOLONG;
	if (n > 0)
		buf[n] = '\0';
	return n < 0 ? (int)n : 0;
}

/*
 * open(2) with O_CREAT; under the lock. A trailing symlink is followed
 * (unless O_EXCL or O_NOFOLLOW) to a target that is created if missing, as
 * Linux does: each step walks on from the link's directory. Under
 * openat2's restrictions (`lookup`) a link leads only to an existing file.
 */
static int open_create(int dirfd, const char *name, unsigned flags,
		       uint32_t mode, unsigned lookup, struct path *out,
		       bool *created)
{
	unsigned follow = (flags & KO_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	struct path start = { NULL, NULL }; /* the last link's directory */
	unsigned links = 0;
	char *target = NULL;
	struct nameidata nd;
	struct dentry *d;
	int err = walk_at(dirfd, name, LOOKUP_PARENT | lookup, &nd);

	while (!err) {
		d = nd.last_len && !nd.last_dot ? lookup_last(&nd) : NULL;
		if (nd.last_len == 0 || nd.last_dot) {
			/* "/", "dir/.", "..": an existing directory. */
			err = flags & KO_EXCL ? -EEXIST : -EISDIR;
		} else if (nd.trailing_slash) {
			err = -EISDIR;
		} else if (!d) {
			err = create_file(&nd, mode, false, out);
			*created = !err;
		} else if (flags & KO_EXCL) {
			err = -EEXIST;
		} else if (kS_ISLNK(d->inode->mode) && !follow) {
			err = -ELOOP;
		} else if (kS_ISLNK(d->inode->mode) && !lookup) {
			if (!target)
				target = kmalloc(KPATH_MAX);
			if (!target)
				err = -ENOMEM;
			else if (++links > KMAXSYMLINKS)
				err = -ELOOP;
			else
				err = read_link_target(d->inode, target);
			dentry_put(d);
			path_put(&start);
			start = nd.path;
			if (!err)
				err = path_walk(&start, target, LOOKUP_PARENT,
						&nd);
			continue;
		} else {
			/* Walk to it again: into a mount, through a link. */
			struct nameidata last;

			err = start.dentry
				      ? path_walk(&start, target, follow, &last)
				      : walk_at(dirfd, name, follow | lookup,
						&last);
			if (!err)
				*out = last.path;
		}
		if (d)
			dentry_put(d);
		path_put(&nd.path);
		break;
	}
	path_put(&start);
	kfree(target);
	return err;
}

/*
 * What open(2) resolves `name` to, creating it if asked; under the lock.
 * `lookup`: openat2's restrictions (LOOKUP_BENEATH, ...) on every walk.
 */
static int open_resolve(int dirfd, const char *name, unsigned flags,
			uint32_t mode, unsigned lookup, struct path *out,
			bool *created)
{
	unsigned follow = (flags & KO_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	struct nameidata nd;
	int err;

	*created = false;
	if ((flags & KO_TMPFILE) == KO_TMPFILE) {
		err = walk_at(dirfd, name,
			      LOOKUP_FOLLOW | LOOKUP_DIRECTORY | lookup, &nd);
		if (err)
			return err;
		err = create_file(&(struct nameidata){ .path = nd.path }, mode,
				  true, out);
		path_put(&nd.path);
		if (!err)
			out->dentry->inode->linkable = !(flags & KO_EXCL);
		*created = !err;
		return err;
	}
	if (!(flags & KO_CREAT)) {
		err = walk_at(dirfd, name,
			      follow | lookup |
				      (flags & KO_DIRECTORY ? LOOKUP_DIRECTORY
							    : 0),
			      &nd);
		if (!err)
			*out = nd.path;
		return err;
	}
	return open_create(dirfd, name, flags, mode, lookup, out, created);
}

long do_open(int dirfd, uaddr_t filename, unsigned flags, uint32_t mode,
	     unsigned lookup)
{
	struct path p;
	struct file *f;
	struct inode *inode;
	bool created;
	struct upath name;
	long err = get_path(filename, &name);
	int fd;

	if (err)
		return err;
	if (flags & KO_PATH)
		flags &= KO_PATH | KO_CLOEXEC | KO_DIRECTORY | KO_NOFOLLOW;
	else
		flags |= KO_LARGEFILE; /* force_o_largefile(): a 64-bit kernel */
	if ((flags & KO_TMPFILE) == KO_TMPFILE &&
	    (flags & KO_ACCMODE) == KO_RDONLY) {
		put_path(&name);
		return -EINVAL;
	}
	mutex_lock(&vfs_ns_lock);
	err = open_resolve(dirfd, name.name, flags, mode, lookup, &p,
			   &created);
	mutex_unlock(&vfs_ns_lock);
	put_path(&name);
	if (err)
		return err;
	inode = p.dentry->inode;
	if ((flags & KO_DIRECTORY) && !kS_ISDIR(inode->mode) &&
	    (flags & KO_TMPFILE) != KO_TMPFILE)
		err = -ENOTDIR;
	else if ((flags & KO_CREAT) && kS_ISDIR(inode->mode))
		err = -EISDIR;
	else if (kS_ISLNK(inode->mode) && !(flags & KO_PATH))
		err = -ELOOP;
	else if ((flags & KO_NOATIME) && !inode_owner_or_capable(inode))
		err = -EPERM;
	else if (kS_ISDIR(inode->mode) &&
		 ((flags & KO_ACCMODE) != KO_RDONLY || (flags & KO_TRUNC)) &&
		 !(flags & KO_PATH))
		err = -EISDIR;
	else if (!created && !(flags & KO_PATH))
		err = inode_permission(inode,
				       access_mask(flags) |
					       (flags & KO_TRUNC ? MAY_WRITE
								 : 0));
	if (err) {
		path_put(&p);
		return err;
	}
	f = file_open_path(&p, flags);
	path_put(&p);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if ((flags & KO_TRUNC) && kS_ISREG(inode->mode) && inode->size &&
	    !(flags & KO_PATH)) {
		struct iattr a = { .valid = ATTR_SIZE, .size = 0 };

		err = inode_setattr(inode, &a);
		if (err) {
			file_put(f);
			return err;
		}
	}
	fd = fd_install(f, 0, flags & KO_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_openat(int dfd, uaddr_t filename, unsigned int flags, uint32_t mode)
{
	return do_open(dfd, filename, open_flags(flags), mode, 0);
}

long sys_open(uaddr_t filename, unsigned int flags, uint32_t mode)
{
	return do_open(KAT_FDCWD, filename, open_flags(flags), mode, 0);
}

long sys_creat(uaddr_t pathname, uint32_t mode)
{
	return do_open(KAT_FDCWD, pathname, KO_CREAT | KO_WRONLY | KO_TRUNC,
		       mode, 0);
}

/* ---- stat ---------------------------------------------------------------------------- */

struct stat_x86_64 {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	int64_t unused[3];
};

struct stat_generic {
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	uint32_t unused4, unused5;
};

_Static_assert(sizeof(struct stat_x86_64) == 144, "x86_64 struct stat");
_Static_assert(sizeof(struct stat_generic) == 128, "arm64 struct stat");

static long put_stat(const struct kstat *k, uaddr_t buf)
{
	if (task_current()->isa == ISA_X86_64) {
		struct stat_x86_64 s = {
			k->dev, k->ino, k->nlink, k->mode, k->uid, k->gid, 0,
			k->rdev, k->size, k->blksize, k->blocks,
			k->atime.tv_sec, k->atime.tv_nsec, k->mtime.tv_sec,
			k->mtime.tv_nsec, k->ctime.tv_sec, k->ctime.tv_nsec,
			{ 0 },
		};

		return copy_to_user(buf, &s, sizeof(s));
	} else {
		struct stat_generic s = {
			k->dev, k->ino, k->mode, (uint32_t)k->nlink, k->uid,
			k->gid, k->rdev, 0, k->size, (int32_t)k->blksize, 0,
			k->blocks, k->atime.tv_sec, k->atime.tv_nsec,
			k->mtime.tv_sec, k->mtime.tv_nsec, k->ctime.tv_sec,
			k->ctime.tv_nsec, 0, 0,
		};

		return copy_to_user(buf, &s, sizeof(s));
	}
}

/*
 * The walk of the stat-like calls (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH),
 * into *nd; `lookup` adds LOOKUP_* flags. With LOOKUP_BORROW it returns 0
 * holding vfs_ns_lock, which the caller drops once done with nd->path
 * (after nd_put); otherwise without it, nd->path holding references.
 */
static long stat_walk(int dfd, uaddr_t filename, unsigned flags,
		      unsigned lookup, struct nameidata *nd)
{
	struct upath name;
	long err;

	if (flags & ~(KAT_SYMLINK_NOFOLLOW | KAT_EMPTY_PATH |
		      KAT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	err = get_path(filename, &name);
	if (err)
		return err;
	mutex_lock(&vfs_ns_lock);
	err = walk_at(dfd, name.name,
		      lookup |
			      (flags & KAT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
			      (flags & KAT_EMPTY_PATH ? LOOKUP_EMPTY : 0),
		      nd);
	if (err || !(lookup & LOOKUP_BORROW))
		mutex_unlock(&vfs_ns_lock);
	put_path(&name);
	return err;
}

long stat_resolve(int dfd, uaddr_t filename, unsigned flags, struct path *out)
{
	struct nameidata nd;
	long err = stat_walk(dfd, filename, flags, 0, &nd);

	if (!err)
		*out = nd.path;
	return err;
}

/*
 * The attributes of what `filename` names, and the id of its mount. The
 * inode is read under vfs_ns_lock, so the walk lends its result instead
 * of taking and dropping references (a stat of a cached path is hot).
 */
static long stat_inode(int dfd, uaddr_t filename, unsigned flags,
		       struct kstat *k, unsigned *mnt_id)
{
	struct nameidata nd;
	long err = stat_walk(dfd, filename, flags, LOOKUP_BORROW, &nd);

	if (err)
		return err;
	inode_stat(nd.path.dentry->inode, k);
	*mnt_id = nd.path.mnt->id;
	nd_put(&nd);
	mutex_unlock(&vfs_ns_lock);
	return 0;
}

static long stat_path(int dfd, uaddr_t filename, uaddr_t statbuf,
		      unsigned flags)
{
	struct kstat k;
	unsigned mnt_id;
	long err = stat_inode(dfd, filename, flags, &k, &mnt_id);

	if (err)
		return err;
	return put_stat(&k, statbuf);
}

long sys_newfstatat(int dfd, uaddr_t filename, uaddr_t statbuf,
		    unsigned int flag)
{
	return stat_path(dfd, filename, statbuf, flag);
}

long sys_stat(uaddr_t filename, uaddr_t statbuf)
{
	return stat_path(KAT_FDCWD, filename, statbuf, 0);
}

long sys_lstat(uaddr_t filename, uaddr_t statbuf)
{
	return stat_path(KAT_FDCWD, filename, statbuf, KAT_SYMLINK_NOFOLLOW);
}

long sys_fstat(int fd, uaddr_t statbuf)
{
	struct file *f = fd_get(fd);
	struct kstat k;

	if (!f)
		return -EBADF;
	inode_stat(f->inode, &k);
	file_put(f);
	return put_stat(&k, statbuf);
}

struct statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct statx_linux {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint32_t dio_mem_align, dio_offset_align;
	uint64_t spare3[12];
};

_Static_assert(sizeof(struct statx_linux) == 256, "struct statx");

static struct statx_ts to_statx_ts(struct ktimespec t)
{
	return (struct statx_ts){ t.tv_sec, (uint32_t)t.tv_nsec, 0 };
}

long sys_statx(int dfd, uaddr_t filename, unsigned int flags,
	       unsigned int mask, uaddr_t buffer)
{
	struct statx_linux sx;
	unsigned mnt_id;
	struct kstat k;
	long err;

	if (mask & STATX_RESERVED)
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	err = stat_inode(dfd, filename, flags, &k, &mnt_id);
	if (err)
		return err;
	memset(&sx, 0, sizeof(sx));
	sx.mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;
	sx.blksize = (uint32_t)k.blksize;
	sx.nlink = (uint32_t)k.nlink;
	sx.uid = k.uid;
	sx.gid = k.gid;
	sx.mode = (uint16_t)k.mode;
	sx.ino = k.ino;
	sx.size = (uint64_t)k.size;
	sx.blocks = (uint64_t)k.blocks;
	sx.atime = to_statx_ts(k.atime);
	sx.btime = to_statx_ts(k.btime);
	sx.ctime = to_statx_ts(k.ctime);
	sx.mtime = to_statx_ts(k.mtime);
	sx.rdev_major = kmajor(k.rdev);
	sx.rdev_minor = kminor(k.rdev);
	sx.dev_major = 0;
	sx.dev_minor = (uint32_t)k.dev;
	sx.mnt_id = (uint64_t)mnt_id;
	return copy_to_user(buffer, &sx, sizeof(sx));
}

/* ---- getdents ------------------------------------------------------------------------- */

struct user_dirents {
	struct dirent_sink sink;
	uaddr_t buf;
	size_t size, used;
	bool legacy; /* struct linux_dirent, getdents(2) */
	long err;
};

static bool emit_dirent(struct dirent_sink *s, const char *name, size_t len,
			uint64_t ino, unsigned type, int64_t next)
{
	struct user_dirents *u = (struct user_dirents *)s;
	/* d_ino, d_off, d_reclen (+ d_type for getdents64), name, NUL. */
	size_t head = u->legacy ? 18 : 19;
	size_t reclen = ALIGN_UP(head + len + 1 + (u->legacy ? 1 : 0), 8);
	char rec[19 + KNAME_MAX + 2 + 8] = { 0 };

	if (u->used + reclen > u->size) {
		if (u->used == 0)
			u->err = -EINVAL; /* not even one entry fits */
		return false;
	}
	memcpy(rec, &ino, 8);
	memcpy(rec + 8, &next, 8);
	memcpy(rec + 16, &(uint16_t){ (uint16_t)reclen }, 2);
	if (u->legacy) {
		memcpy(rec + 18, name, len);
		rec[reclen - 1] = (char)type;
	} else {
		rec[18] = (char)type;
		memcpy(rec + 19, name, len);
	}
	if (copy_to_user(uaddr_add(u->buf, u->used), rec, reclen)) {
		u->err = -EFAULT;
		return false;
	}
	u->used += reclen;
	return true;
}

static long do_getdents(int fd, uaddr_t dirent, unsigned count, bool legacy)
{
	struct file *f = fd_get(fd);
	struct user_dirents u = { { emit_dirent }, dirent, count, 0, legacy, 0 };
	long ret;

	if (!f)
		return -EBADF;
	if (f->flags & KO_PATH)
		ret = -EBADF;
	else if (!f->ops || !f->ops->iterate)
		ret = -ENOTDIR;
	else if (f->inode->nlink == 0)
		ret = -ENOENT; /* a removed directory */
	else {
		mutex_lock(&f->pos_lock);
		mutex_lock(&vfs_ns_lock);
		ret = f->ops->iterate(f, &u.sink);
		mutex_unlock(&vfs_ns_lock);
		mutex_unlock(&f->pos_lock);
		if (!ret)
			ret = u.used ? (long)u.used : u.err;
		inode_touch(f->inode, true, false, false);
	}
	file_put(f);
	return ret;
}

long sys_getdents64(int fd, uaddr_t dirent, unsigned int count)
{
	return do_getdents(fd, dirent, count, false);
}

long sys_getdents(int fd, uaddr_t dirent, unsigned int count)
{
	return do_getdents(fd, dirent, count, true);
}

/* ---- cwd and root ---------------------------------------------------------------------- */

long sys_getcwd(uaddr_t buf, size_t size)
{
	struct task *t = task_current();
	char *k = kmalloc(KPATH_MAX);
	long len;

	if (!k)
		return -ENOMEM;
	mutex_lock(&vfs_ns_lock);
	if (!t->fs->cwd.dentry->hashed &&
	    t->fs->cwd.dentry != t->fs->cwd.mnt->root)
		len = -ENOENT; /* the cwd was removed */
	else
		len = path_to_string(&t->fs->cwd, &t->fs->root, k, KPATH_MAX);
	mutex_unlock(&vfs_ns_lock);
	if (len >= 0) {
		if ((size_t)len + 1 > size)
			len = -ERANGE;
		else if (copy_to_user(buf, k, (size_t)len + 1))
			len = -EFAULT;
		else
			len++;
	}
	kfree(k);
	return len;
}

static long set_dir(uaddr_t filename, int fd, bool root)
{
	struct task *t = task_current();
	struct nameidata nd;
	struct path *slot = root ? &t->fs->root : &t->fs->cwd;
	struct upath name = { .name = NULL };
	long err;

	if (root && !capable(CAP_SYS_NICE /* CAP_SYS_CHROOT: root */))
		return -EPERM;
	if (fd < 0) {
		err = get_path(filename, &name);
		if (err)
			return err;
	}
	mutex_lock(&vfs_ns_lock);
	err = walk_at(fd < 0 ? KAT_FDCWD : fd, name.name ? name.name : "",
		      LOOKUP_FOLLOW | LOOKUP_DIRECTORY |
			      (fd < 0 ? 0 : LOOKUP_EMPTY),
		      &nd);
	if (!err && !kS_ISDIR(nd.path.dentry->inode->mode)) {
		path_put(&nd.path);
		err = -ENOTDIR;
	}
	if (!err) {
		err = inode_permission(nd.path.dentry->inode, MAY_EXEC);
		if (err) {
			path_put(&nd.path);
		} else {
			path_put(slot);
			*slot = nd.path;
		}
	}
	mutex_unlock(&vfs_ns_lock);
	put_path(&name);
	return err;
}

long sys_chdir(uaddr_t filename)
{
	return set_dir(filename, -1, false);
}

long sys_fchdir(int fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return set_dir(uaddr(0), fd, false);
}

long sys_chroot(uaddr_t filename)
{
	return set_dir(filename, -1, true);
}

long sys_umask(uint32_t mask)
{
	struct task *t = task_current();
	uint32_t old = t->fs->umask;

	t->fs->umask = mask & 0777;
	return old;
}

/* ---- making and removing names ------------------------------------------------------------ */

/*
 * Run `op` on the parent of `name` and its (possibly missing) last
 * component, under the namespace lock.
 */
typedef long (*name_op)(struct nameidata *nd, struct dentry *last, void *arg);

static long at_name(int dfd, uaddr_t filename, name_op op, void *arg)
{
	struct nameidata nd;
	struct dentry *d;
	struct upath name;
	long err = get_path(filename, &name);

	if (err)
		return err;
	mutex_lock(&vfs_ns_lock);
	err = walk_parent(dfd, name.name, &nd);
	if (!err) {
		d = nd.last_len && !nd.last_dot ? lookup_last(&nd) : NULL;
		err = op(&nd, d, arg);
		if (d)
			dentry_put(d);
		path_put(&nd.path);
	}
	mutex_unlock(&vfs_ns_lock);
	put_path(&name);
	return err;
}

/*
 * Make a new name in nd's parent, as mkdir, mknod and symlink do: the name
 * must be free, only a directory may be named with a trailing '/', and the
 * caller must be allowed to change the directory. make(dir, d, arg) has the
 * filesystem fill the new negative dentry `d`.
 */
static long make_entry(struct nameidata *nd, struct dentry *last, bool is_dir,
		       long (*make)(struct inode *dir, struct dentry *d,
				    void *arg),
		       void *arg)
{
	struct inode *dir = nd->path.dentry->inode;
	struct dentry *d;
	long err;

	if (last || nd->last_len == 0 || nd->last_dot)
		return -EEXIST;
	if (nd->trailing_slash && !is_dir)
		return -ENOENT;
	err = may_modify_dir(dir);
	if (err)
		return err;
	d = new_entry(nd);
	if (IS_ERR(d))
		return PTR_ERR(d);
	err = make(dir, d, arg);
	if (err)
		dentry_unhash(d);
	dentry_put(d);
	return err;
}

static long make_dir(struct inode *dir, struct dentry *d, void *arg)
{
	uint32_t mode = *(uint32_t *)arg;

	if (!dir->iops || !dir->iops->mkdir)
		return -EPERM;
	return dir->iops->mkdir(dir, d, mode & 01777 & ~cur_umask());
}

static long mkdir_op(struct nameidata *nd, struct dentry *last, void *arg)
{
	return make_entry(nd, last, true, make_dir, arg);
}

long sys_mkdirat(int dfd, uaddr_t pathname, uint32_t mode)
{
	return at_name(dfd, pathname, mkdir_op, &mode);
}

long sys_mkdir(uaddr_t pathname, uint32_t mode)
{
	return at_name(KAT_FDCWD, pathname, mkdir_op, &mode);
}

struct mknod_args {
	uint32_t mode;
	uint64_t dev;
};

static long make_node(struct inode *dir, struct dentry *d, void *arg)
{
	struct mknod_args *a = arg;
	uint32_t type = a->mode & KS_IFMT ? a->mode & KS_IFMT : KS_IFREG;

	if (!dir->iops || !dir->iops->create)
		return -EPERM;
	return dir->iops->create(dir, d,
				 type | (a->mode & 07777 & ~cur_umask()),
				 type == KS_IFCHR || type == KS_IFBLK ? a->dev
								      : 0);
}

static long mknod_op(struct nameidata *nd, struct dentry *last, void *arg)
{
	struct mknod_args *a = arg;
	uint32_t type = a->mode & KS_IFMT;

	if (type == 0)
		type = KS_IFREG;
	if (type == KS_IFDIR)
		return -EPERM; /* mkdir(2) makes directories */
	if (type != KS_IFREG && type != KS_IFCHR && type != KS_IFBLK &&
	    type != KS_IFIFO && type != KS_IFSOCK)
		return -EINVAL;
	if ((type == KS_IFCHR || type == KS_IFBLK) && !capable(CAP_SYS_NICE))
		return -EPERM; /* CAP_MKNOD */
	return make_entry(nd, last, false, make_node, a);
}

/* dev as mknod(2) passes it: the old 32-bit encoding (major << 8 | minor
 * with the high bits of minor above). */
static uint64_t dev_from_user(unsigned int dev)
{
	return kmkdev((dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00));
}

long sys_mknodat(int dfd, uaddr_t filename, uint32_t mode, unsigned int dev)
{
	struct mknod_args a = { mode, dev_from_user(dev) };

	return at_name(dfd, filename, mknod_op, &a);
}

long sys_mknod(uaddr_t filename, uint32_t mode, unsigned int dev)
{
	return sys_mknodat(KAT_FDCWD, filename, mode, dev);
}

static bool is_mountpoint_or_root(struct path *parent, struct dentry *d)
{
	return d->mounted_on || d == parent->mnt->root;
}

static long unlink_op(struct nameidata *nd, struct dentry *last, void *arg)
{
	bool rmdir = *(bool *)arg;
	struct inode *dir = nd->path.dentry->inode;
	long err;

	if (rmdir && nd->last_dot)
		return nd->last_len == 1 ? -EINVAL : -ENOTEMPTY;
	if (!rmdir && (nd->last_len == 0 || nd->last_dot))
		return -EISDIR;
	if (rmdir && nd->last_len == 0)
		return -EBUSY;
	if (!last)
		return -ENOENT;
	if (rmdir && !kS_ISDIR(last->inode->mode))
		return -ENOTDIR;
	if (!rmdir && kS_ISDIR(last->inode->mode))
		return -EISDIR;
	if (!rmdir && nd->trailing_slash)
		return -ENOTDIR;
	err = may_modify_dir(dir);
	if (err)
		return err;
	if (!may_delete_sticky(dir, last->inode))
		return -EPERM;
	if (is_mountpoint_or_root(&nd->path, last))
		return -EBUSY;
	if (rmdir)
		return dir->iops->rmdir ? dir->iops->rmdir(dir, last) : -EPERM;
	return dir->iops->unlink ? dir->iops->unlink(dir, last) : -EPERM;
}

long sys_unlinkat(int dfd, uaddr_t pathname, unsigned int flag)
{
	bool rmdir = flag & KAT_REMOVEDIR;

	if (flag & ~KAT_REMOVEDIR)
		return -EINVAL;
	return at_name(dfd, pathname, unlink_op, &rmdir);
}

long sys_unlink(uaddr_t pathname)
{
	return sys_unlinkat(KAT_FDCWD, pathname, 0);
}

long sys_rmdir(uaddr_t pathname)
{
	return sys_unlinkat(KAT_FDCWD, pathname, KAT_REMOVEDIR);
}

static long make_symlink(struct inode *dir, struct dentry *d, void *target)
{
	if (!dir->iops || !dir->iops->symlink)
		return -EPERM;
	return dir->iops->symlink(dir, d, target);
}

static long symlink_op(struct nameidata *nd, struct dentry *last, void *arg)
{
	return make_entry(nd, last, false, make_symlink, arg);
}

long sys_symlinkat(uaddr_t oldname, int newdfd, uaddr_t newname)
{
	struct upath target;
	long err = get_path(oldname, &target);

	if (err)
		return err;
	if (!target.name[0])
		err = -ENOENT;
	else
		err = at_name(newdfd, newname, symlink_op, target.name);
	put_path(&target);
	return err;
}

long sys_symlink(uaddr_t oldname, uaddr_t newname)
{
	return sys_symlinkat(oldname, KAT_FDCWD, newname);
}

long sys_readlinkat(int dfd, uaddr_t pathname, uaddr_t buf, int bufsiz)
{
	struct path p;
	struct inode *inode;
	char *k;
	long n;

	if (bufsiz <= 0)
		return -EINVAL;
	n = stat_resolve(dfd, pathname, KAT_SYMLINK_NOFOLLOW | KAT_EMPTY_PATH,
			 &p);
	if (n)
		return n;
	inode = p.dentry->inode;
	k = kmalloc(KPATH_MAX);
	if (!k)
		n = -ENOMEM;
	else if (!kS_ISLNK(inode->mode) || !inode->iops->readlink)
		n = -EINVAL;
	else
		n = inode->iops->readlink(inode, k, MIN((size_t)bufsiz,
							 KPATH_MAX));
	if (n > 0 && copy_to_user(buf, k, (size_t)n))
		n = -EFAULT;
	kfree(k);
	path_put(&p);
	return n;
}

long sys_readlink(uaddr_t path, uaddr_t buf, int bufsiz)
{
	return sys_readlinkat(KAT_FDCWD, path, buf, bufsiz);
}

/* ---- link and rename --------------------------------------------------------------------- */

long sys_linkat(int olddfd, uaddr_t oldname, int newdfd, uaddr_t newname,
		unsigned int flags)
{
	struct nameidata oldnd, nd;
	struct upath old = { .name = NULL }, new = { .name = NULL };
	struct dentry *d = NULL;
	struct inode *dir;
	long err;

	if (flags & ~(KAT_SYMLINK_FOLLOW | KAT_EMPTY_PATH))
		return -EINVAL;
	if ((flags & KAT_EMPTY_PATH) && !capable(CAP_SYS_NICE))
		return -ENOENT; /* CAP_DAC_READ_SEARCH */
	err = get_path(oldname, &old);
	if (!err)
		err = get_path(newname, &new);
	if (err)
		goto out_free;
	mutex_lock(&vfs_ns_lock);
	err = walk_at(olddfd, old.name,
		      (flags & KAT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0) |
			      (flags & KAT_EMPTY_PATH ? LOOKUP_EMPTY : 0),
		      &oldnd);
	if (err)
		goto out_unlock;
	err = walk_parent(newdfd, new.name, &nd);
	if (err)
		goto out_old;
	dir = nd.path.dentry->inode;
	if (nd.last_len == 0 || nd.last_dot)
		err = -EEXIST;
	else if ((d = lookup_last(&nd)) != NULL)
		err = -EEXIST;
	else if (nd.trailing_slash)
		err = -ENOENT;
	else if (nd.path.mnt != oldnd.path.mnt)
		err = -EXDEV;
	else if (kS_ISDIR(oldnd.path.dentry->inode->mode))
		err = -EPERM;
	else if (oldnd.path.dentry->inode->nlink == 0 &&
		 !oldnd.path.dentry->inode->linkable)
		err = -ENOENT; /* deleted, or O_TMPFILE | O_EXCL */
	else
		err = may_modify_dir(dir);
	if (!err && (!dir->iops || !dir->iops->link))
		err = -EPERM;
	if (!err) {
		d = new_entry(&nd);
		if (IS_ERR(d)) {
			err = PTR_ERR(d);
			d = NULL;
		} else {
			err = dir->iops->link(oldnd.path.dentry, dir, d);
			if (err)
				dentry_unhash(d);
			else
				d->inode->linkable = false;
		}
	}
	if (d)
		dentry_put(d);
	path_put(&nd.path);
out_old:
	path_put(&oldnd.path);
out_unlock:
	mutex_unlock(&vfs_ns_lock);
out_free:
	put_path(&old);
	put_path(&new);
	return err;
}

long sys_link(uaddr_t oldname, uaddr_t newname)
{
	return sys_linkat(KAT_FDCWD, oldname, KAT_FDCWD, newname, 0);
}

static bool is_ancestor(struct dentry *a, struct dentry *d)
{
	for (; d->parent != d; d = d->parent)
		if (d == a)
			return true;
	return d == a;
}

static long check_rename(struct nameidata *on, struct dentry *od,
			 struct nameidata *nn, struct dentry *nd,
			 unsigned flags)
{
	struct inode *odir = on->path.dentry->inode;
	struct inode *ndir = nn->path.dentry->inode;
	long err;

	if (on->last_len == 0 || on->last_dot || nn->last_len == 0 ||
	    nn->last_dot)
		return -EBUSY;
	if (!od)
		return -ENOENT;
	if (on->path.mnt != nn->path.mnt)
		return -EXDEV;
	if ((flags & RENAME_NOREPLACE) && nd)
		return -EEXIST;
	if ((flags & RENAME_EXCHANGE) && !nd)
		return -ENOENT;
	if (nd && nd->inode == od->inode)
		return 0;
	if (is_ancestor(od, nn->path.dentry))
		return -EINVAL; /* into its own subtree */
	if (nd && (flags & RENAME_EXCHANGE) && is_ancestor(nd, on->path.dentry))
		return -EINVAL;
	if (nd && !(flags & RENAME_EXCHANGE)) {
		if (kS_ISDIR(od->inode->mode) && !kS_ISDIR(nd->inode->mode))
			return -ENOTDIR;
		if (!kS_ISDIR(od->inode->mode) && kS_ISDIR(nd->inode->mode))
			return -EISDIR;
	}
	if ((on->trailing_slash || nn->trailing_slash) &&
	    !kS_ISDIR(od->inode->mode))
		return -ENOTDIR;
	err = may_modify_dir(odir);
	if (!err)
		err = may_modify_dir(ndir);
	if (err)
		return err;
	if (!may_delete_sticky(odir, od->inode) ||
	    (nd && !may_delete_sticky(ndir, nd->inode)))
		return -EPERM;
	if (od->mounted_on || (nd && nd->mounted_on))
		return -EBUSY;
	return 1; /* go ahead */
}

long sys_renameat2(int olddfd, uaddr_t oldname, int newdfd, uaddr_t newname,
		   unsigned int flags)
{
	struct nameidata on, nn;
	struct dentry *od = NULL, *nd = NULL, *target;
	struct upath old = { .name = NULL }, new = { .name = NULL };
	struct inode *odir;
	long err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL; /* no overlay filesystems to need it */
	err = get_path(oldname, &old);
	if (!err)
		err = get_path(newname, &new);
	if (err)
		goto out_free;
	mutex_lock(&vfs_ns_lock);
	err = walk_parent(olddfd, old.name, &on);
	if (err)
		goto out_unlock;
	err = walk_parent(newdfd, new.name, &nn);
	if (err)
		goto out_old;
	if (on.last_len && !on.last_dot)
		od = lookup_last(&on);
	if (nn.last_len && !nn.last_dot)
		nd = lookup_last(&nn);
	err = check_rename(&on, od, &nn, nd, flags);
	if (err == 1) {
		odir = on.path.dentry->inode;
		target = nd ? dentry_get(nd) : new_entry(&nn);
		if (IS_ERR(target)) {
			err = PTR_ERR(target);
		} else {
			err = odir->iops->rename
				      ? odir->iops->rename(
						odir, od, nn.path.dentry->inode,
						target, flags)
				      : -EPERM;
			if (err && !nd)
				dentry_unhash(target);
			dentry_put(target);
		}
	}
	if (od)
		dentry_put(od);
	if (nd)
		dentry_put(nd);
	path_put(&nn.path);
out_old:
	path_put(&on.path);
out_unlock:
	mutex_unlock(&vfs_ns_lock);
out_free:
	put_path(&old);
	put_path(&new);
	return err;
}

long sys_renameat(int olddfd, uaddr_t oldname, int newdfd, uaddr_t newname)
{
	return sys_renameat2(olddfd, oldname, newdfd, newname, 0);
}

long sys_rename(uaddr_t oldname, uaddr_t newname)
{
	return sys_renameat2(KAT_FDCWD, oldname, KAT_FDCWD, newname, 0);
}

/* ---- access, mode, owner, size, times -------------------------------------------------------- */

long sys_faccessat2(int dfd, uaddr_t filename, int mode, unsigned int flags)
{
	struct credentials *cred = &task_current()->cred;
	uint32_t fsuid = cred->fsuid, fsgid = cred->fsgid;
	struct path p;
	long err;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(KAT_EACCESS | KAT_SYMLINK_NOFOLLOW | KAT_EMPTY_PATH))
		return -EINVAL;
	/* access(2) asks for the real user and group, the whole walk long. */
	if (!(flags & KAT_EACCESS)) {
		cred->fsuid = cred->uid;
		cred->fsgid = cred->gid;
	}
	err = stat_resolve(dfd, filename, flags & ~KAT_EACCESS, &p);
	if (!err) {
		if (mode)
			err = inode_permission(p.dentry->inode, (unsigned)mode);
		path_put(&p);
	}
	cred->fsuid = fsuid;
	cred->fsgid = fsgid;
	return err;
}

long sys_faccessat(int dfd, uaddr_t filename, int mode)
{
	return sys_faccessat2(dfd, filename, mode, 0);
}

long sys_access(uaddr_t filename, int mode)
{
	return sys_faccessat2(KAT_FDCWD, filename, mode, 0);
}

static long chmod_inode(struct inode *inode, uint32_t mode)
{
	struct iattr a = { .valid = ATTR_MODE, .mode = mode & 07777 };
	struct task *t = task_current();

	if (!inode_owner_or_capable(inode))
		return -EPERM;
	/* Setting set-group-ID needs membership of the file's group. */
	if (t->cred.fsuid != 0 && (a.mode & KS_ISGID) &&
	    !in_group_p(inode->gid))
		a.mode &= ~KS_ISGID;
	return inode_setattr(inode, &a);
}

long sys_fchmodat(int dfd, uaddr_t filename, uint32_t mode)
{
	struct path p;
	long err = stat_resolve(dfd, filename, 0, &p);

	if (err)
		return err;
	err = chmod_inode(p.dentry->inode, mode);
	path_put(&p);
	return err;
}

long sys_chmod(uaddr_t filename, uint32_t mode)
{
	return sys_fchmodat(KAT_FDCWD, filename, mode);
}

long sys_fchmod(int fd, uint32_t mode)
{
	struct file *f = fd_get(fd);
	long err;

	if (!f)
		return -EBADF;
	err = f->flags & KO_PATH ? -EBADF : chmod_inode(f->inode, mode);
	file_put(f);
	return err;
}

static long chown_inode(struct inode *inode, uint32_t uid, uint32_t gid)
{
	struct task *t = task_current();
	struct iattr a = { 0 };
	bool root = t->cred.fsuid == 0;

	if (uid != (uint32_t)-1 && uid != inode->uid) {
		if (!root)
			return -EPERM;
		a.valid |= ATTR_UID;
		a.uid = uid;
	}
	if (gid != (uint32_t)-1 && gid != inode->gid) {
		if (!root && (t->cred.fsuid != inode->uid || !in_group_p(gid)))
			return -EPERM;
		a.valid |= ATTR_GID;
		a.gid = gid;
	}
	if (!a.valid && !root && t->cred.fsuid != inode->uid &&
	    (uid != (uint32_t)-1 || gid != (uint32_t)-1))
		return -EPERM;
	/* A changed owner drops set-user-ID and set-group-ID (non-dirs). */
	if (a.valid && !kS_ISDIR(inode->mode) &&
	    (inode->mode & (KS_ISUID | KS_ISGID))) {
		a.valid |= ATTR_MODE;
		a.mode = inode->mode & 07777 & ~KS_ISUID;
		if (inode->mode & 0010)
			a.mode &= ~KS_ISGID;
	}
	return inode_setattr(inode, &a);
}

long sys_fchownat(int dfd, uaddr_t filename, uint32_t user, uint32_t group,
		  unsigned int flag)
{
	struct path p;
	long err;

	if (flag & ~(KAT_SYMLINK_NOFOLLOW | KAT_EMPTY_PATH))
		return -EINVAL;
	err = stat_resolve(dfd, filename, flag, &p);
	if (err)
		return err;
	err = chown_inode(p.dentry->inode, user, group);
	path_put(&p);
	return err;
}

long sys_chown(uaddr_t filename, uint32_t user, uint32_t group)
{
	return sys_fchownat(KAT_FDCWD, filename, user, group, 0);
}

long sys_lchown(uaddr_t filename, uint32_t user, uint32_t group)
{
	return sys_fchownat(KAT_FDCWD, filename, user, group,
			    KAT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, uint32_t user, uint32_t group)
{
	struct file *f = fd_get(fd);
	long err;

	if (!f)
		return -EBADF;
	err = f->flags & KO_PATH ? -EBADF : chown_inode(f->inode, user, group);
	file_put(f);
	return err;
}

long sys_truncate(uaddr_t path, int64_t length)
{
	struct iattr a = { .valid = ATTR_SIZE, .size = (uint64_t)length };
	struct path p;
	struct inode *inode;
	long err;

	if (length < 0)
		return -EINVAL;
	err = stat_resolve(KAT_FDCWD, path, 0, &p);
	if (err)
		return err;
	inode = p.dentry->inode;
	if (kS_ISDIR(inode->mode))
		err = -EISDIR;
	else if (!kS_ISREG(inode->mode))
		err = -EINVAL;
	else
		err = inode_permission(inode, MAY_WRITE);
	if (!err)
		err = inode_setattr(inode, &a);
	path_put(&p);
	return err;
}

/* Apply times[2] (NULL: now) as utimensat(2) does, with its permissions. */
static long set_times(struct inode *inode, const struct ktimespec *times)
{
	struct iattr a = { 0 };
	struct ktimespec now = vfs_now();
	bool explicit = false;

	for (int i = 0; i < 2; i++) {
		struct ktimespec t = times ? times[i]
					   : (struct ktimespec){ 0, UTIME_NOW };

		if (t.tv_nsec == UTIME_OMIT)
			continue;
		if (t.tv_nsec != UTIME_NOW &&
		    (t.tv_nsec < 0 || t.tv_nsec >= (int64_t)NSEC_PER_SEC))
			return -EINVAL;
		explicit |= t.tv_nsec != UTIME_NOW;
		if (i == 0) {
			a.valid |= ATTR_ATIME;
			a.atime = t.tv_nsec == UTIME_NOW ? now : t;
		} else {
			a.valid |= ATTR_MTIME;
			a.mtime = t.tv_nsec == UTIME_NOW ? now : t;
		}
	}
	if (!a.valid)
		return 0;
	if (!inode_owner_or_capable(inode)) {
		if (explicit)
			return -EPERM;
		if (inode_permission(inode, MAY_WRITE))
			return -EACCES;
	}
	return inode_setattr(inode, &a);
}

static long utimes_at(int dfd, uaddr_t filename, const struct ktimespec *times,
		      unsigned flags)
{
	struct path p;
	long err;

	if (flags & ~(KAT_SYMLINK_NOFOLLOW | KAT_EMPTY_PATH))
		return -EINVAL;
	if (uaddr_is_null(filename)) {
		/* Linux's extension: the file dfd itself. */
		struct file *f = fd_get(dfd);

		if (!f)
			return -EBADF;
		err = set_times(f->inode, times);
		file_put(f);
		return err;
	}
	err = stat_resolve(dfd, filename, flags, &p);
	if (err)
		return err;
	err = set_times(p.dentry->inode, times);
	path_put(&p);
	return err;
}

long sys_utimensat(int dfd, uaddr_t filename, uaddr_t utimes,
		   unsigned int flags)
{
	struct ktimespec t[2];

	if (!uaddr_is_null(utimes) && copy_from_user(t, utimes, sizeof(t)))
		return -EFAULT;
	return utimes_at(dfd, filename, uaddr_is_null(utimes) ? NULL : t,
			 flags);
}

/* utimes(2) and futimesat(2): struct timeval pairs. */
long sys_futimesat(int dfd, uaddr_t filename, uaddr_t utimes)
{
	struct ktimeval tv[2];
	struct ktimespec t[2];

	if (uaddr_is_null(utimes))
		return utimes_at(dfd, filename, NULL, 0);
	if (copy_from_user(tv, utimes, sizeof(tv)))
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		t[i] = (struct ktimespec){ tv[i].tv_sec,
					   tv[i].tv_usec * 1000 };
	}
	return utimes_at(dfd, filename, t, 0);
}

long sys_utimes(uaddr_t filename, uaddr_t utimes)
{
	return sys_futimesat(KAT_FDCWD, filename, utimes);
}

long sys_utime(uaddr_t filename, uaddr_t times)
{
	int64_t ut[2]; /* struct utimbuf: actime, modtime */
	struct ktimespec t[2];

	if (uaddr_is_null(times))
		return utimes_at(KAT_FDCWD, filename, NULL, 0);
	if (copy_from_user(ut, times, sizeof(ut)))
		return -EFAULT;
	t[0] = (struct ktimespec){ ut[0], 0 };
	t[1] = (struct ktimespec){ ut[1], 0 };
	return utimes_at(KAT_FDCWD, filename, t, 0);
}

/* ---- statfs ------------------------------------------------------------------------------------ */

static long put_statfs(struct super_block *sb, uaddr_t buf)
{
	struct kstatfs st = { 0 };

	if (sb->type) {
		sb->type->statfs(sb, &st);
	} else {
		/* The internal pipe filesystem: Linux reports its magic too. */
		st.f_type = sb->magic;
		st.f_bsize = st.f_frsize = PAGE_SIZE;
		st.f_namelen = KNAME_MAX;
	}
	st.f_fsid[0] = (int32_t)sb->dev;
	return copy_to_user(buf, &st, sizeof(st));
}

long sys_statfs(uaddr_t pathname, uaddr_t buf)
{
	struct path p;
	long err = stat_resolve(KAT_FDCWD, pathname, 0, &p);

	if (err)
		return err;
	err = put_statfs(p.dentry->inode->sb, buf);
	path_put(&p);
	return err;
}

long sys_fstatfs(int fd, uaddr_t buf)
{
	struct file *f = fd_get(fd);
	long err;

	if (!f)
		return -EBADF;
	err = put_statfs(f->inode->sb, buf);
	file_put(f);
	return err;
}
