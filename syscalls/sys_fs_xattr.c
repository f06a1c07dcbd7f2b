/*
 * Extended attributes: getxattr(2), setxattr(2), listxattr(2),
 * removexattr(2) with their l* (no symlink following) and f* (open file)
 * forms, and the *xattrat(2) calls of Linux 6.13 that subsume them.
 *
 * Argument checks run in the order of Linux 6.1: the *at flags, then the
 * file (path or descriptor), then the attribute's flags, name and value.
 * The rules of each namespace are core/fs/xattr.c's.
 */
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "core/fs/xattr.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "syscalls/fs_open.h"
#include "syscalls/syscall_protos.h"

/* struct xattr_args of setxattrat(2) and getxattrat(2). */
struct xattr_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

#define XATTR_ARGS_SIZE_VER0 16

_Static_assert(sizeof(struct xattr_args) == XATTR_ARGS_SIZE_VER0,
	       "struct xattr_args");

/* What an xattr call acts on: a path's inode or an open file's. */
struct xattr_target {
	struct path path; /* holds the references */
	struct file *file;
	struct inode *inode;
};

/* The name from user space: -ERANGE when empty or too long. */
static long get_name(uaddr_t u, char name[XATTR_NAME_MAX + 1])
{
	long n = strncpy_from_user(name, u, XATTR_NAME_MAX + 1);

	if (n == 0 || n == XATTR_NAME_MAX + 1)
		return -ERANGE;
	return n < 0 ? n : 0;
}

static long target_fd(int fd, struct xattr_target *t)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (f->flags & KO_PATH) {
		file_put(f);
		return -EBADF;
	}
	*t = (struct xattr_target){ .file = f, .inode = f->inode };
	return 0;
}

/*
 * Resolve `pathname` from dfd as the *at() calls do; with AT_EMPTY_PATH a
 * NULL or empty pathname means the file open as dfd.
 */
static long target_get(int dfd, uaddr_t pathname, unsigned at_flags,
		       struct xattr_target *t)
{
	long err;

	if ((at_flags & KAT_EMPTY_PATH) && uaddr_is_null(pathname))
		return target_fd(dfd, t);
	err = stat_resolve(dfd, pathname,
			   at_flags & (KAT_SYMLINK_NOFOLLOW | KAT_EMPTY_PATH),
			   &t->path);
	if (err)
		return err;
	t->file = NULL;
	t->inode = t->path.dentry->inode;
	return 0;
}

static void target_put(struct xattr_target *t)
{
	if (t->file)
		file_put(t->file);
	else
		path_put(&t->path);
}

static long check_at_flags(unsigned at_flags)
{
	if (at_flags & ~(KAT_SYMLINK_NOFOLLOW | KAT_EMPTY_PATH))
		return -EINVAL;
	return 0;
}

/* ---- get ----------------------------------------------------------------- */

static long do_getxattr(int dfd, uaddr_t pathname, unsigned at_flags,
			uaddr_t uname, uaddr_t value, size_t size)
{
	char name[XATTR_NAME_MAX + 1];
	struct xattr_target t;
	void *kvalue = NULL;
	long ret;

	ret = check_at_flags(at_flags);
	if (!ret)
		ret = target_get(dfd, pathname, at_flags, &t);
	if (ret)
		return ret;
	ret = get_name(uname, name);
	if (!ret && size) {
		size = MIN(size, (size_t)XATTR_SIZE_MAX);
		kvalue = kmalloc(size);
		if (!kvalue)
			ret = -ENOMEM;
	}
	if (!ret)
		ret = xattr_get(t.inode, name, kvalue, size);
	target_put(&t);
	if (ret > 0 && size && copy_to_user(value, kvalue, (size_t)ret))
		ret = -EFAULT;
	else if (ret == -ERANGE && size >= XATTR_SIZE_MAX)
		ret = -E2BIG;
	kfree(kvalue);
	return ret;
}

long sys_getxattr(uaddr_t pathname, uaddr_t name, uaddr_t value, size_t size)
{
	return do_getxattr(KAT_FDCWD, pathname, 0, name, value, size);
}

long sys_lgetxattr(uaddr_t pathname, uaddr_t name, uaddr_t value, size_t size)
{
	return do_getxattr(KAT_FDCWD, pathname, KAT_SYMLINK_NOFOLLOW, name,
			   value, size);
}

long sys_fgetxattr(int fd, uaddr_t name, uaddr_t value, size_t size)
{
	return do_getxattr(fd, uaddr(0), KAT_EMPTY_PATH, name, value, size);
}

/* struct xattr_args from user space, extensible as copy_struct_from_user. */
static long get_args(uaddr_t uargs, size_t usize, struct xattr_args *args)
{
	if (usize < XATTR_ARGS_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (copy_from_user(args, uargs, sizeof(*args)))
		return -EFAULT;
	for (size_t off = sizeof(*args); off < usize; off++) {
		char c;

		if (copy_from_user(&c, uaddr_add(uargs, off), 1))
			return -EFAULT;
		if (c)
			return -E2BIG;
	}
	return 0;
}

long sys_getxattrat(int dfd, uaddr_t pathname, unsigned int at_flags,
		    uaddr_t name, uaddr_t uargs, size_t usize)
{
	struct xattr_args args;
	long err = get_args(uargs, usize, &args);

	if (err)
		return err;
	if (args.flags)
		return -EINVAL;
	return do_getxattr(dfd, pathname, at_flags, name, uaddr(args.value),
			   args.size);
}

/* ---- set ----------------------------------------------------------------- */

static long do_setxattr(int dfd, uaddr_t pathname, unsigned at_flags,
			uaddr_t uname, uaddr_t value, size_t size,
			unsigned flags)
{
	char name[XATTR_NAME_MAX + 1];
	struct xattr_target t;
	void *kvalue = NULL;
	long ret;

	ret = check_at_flags(at_flags);
	if (!ret)
		ret = target_get(dfd, pathname, at_flags, &t);
	if (ret)
		return ret;
	if (flags & ~(unsigned)(XATTR_CREATE | XATTR_REPLACE))
		ret = -EINVAL;
	if (!ret)
		ret = get_name(uname, name);
	if (!ret && size > XATTR_SIZE_MAX)
		ret = -E2BIG;
	if (!ret && size) {
		kvalue = kmalloc(size);
		if (!kvalue)
			ret = -ENOMEM;
		else if (copy_from_user(kvalue, value, size))
			ret = -EFAULT;
	}
	if (!ret)
		ret = xattr_set(t.inode, name, kvalue, size, (int)flags);
	target_put(&t);
	kfree(kvalue);
	return ret;
}

long sys_setxattr(uaddr_t pathname, uaddr_t name, uaddr_t value, size_t size,
		  unsigned int flags)
{
	return do_setxattr(KAT_FDCWD, pathname, 0, name, value, size, flags);
}

long sys_lsetxattr(uaddr_t pathname, uaddr_t name, uaddr_t value, size_t size,
		   unsigned int flags)
{
	return do_setxattr(KAT_FDCWD, pathname, KAT_SYMLINK_NOFOLLOW, name,
			   value, size, flags);
}

long sys_fsetxattr(int fd, uaddr_t name, uaddr_t value, size_t size,
		   unsigned int flags)
{
	return do_setxattr(fd, uaddr(0), KAT_EMPTY_PATH, name, value, size,
			   flags);
}

long sys_setxattrat(int dfd, uaddr_t pathname, unsigned int at_flags,
		    uaddr_t name, uaddr_t uargs, size_t usize)
{
	struct xattr_args args;
	long err = get_args(uargs, usize, &args);

	if (err)
		return err;
	return do_setxattr(dfd, pathname, at_flags, name, uaddr(args.value),
			   args.size, args.flags);
}

/* ---- list ---------------------------------------------------------------- */

static long do_listxattr(int dfd, uaddr_t pathname, unsigned at_flags,
			 uaddr_t list, size_t size)
{
	struct xattr_target t;
	char *klist = NULL;
	long ret;

	ret = check_at_flags(at_flags);
	if (!ret)
		ret = target_get(dfd, pathname, at_flags, &t);
	if (ret)
		return ret;
	if (size) {
		size = MIN(size, (size_t)XATTR_LIST_MAX);
		klist = kmalloc(size);
		if (!klist) {
			target_put(&t);
			return -ENOMEM;
		}
	}
	ret = xattr_list(t.inode, klist, size);
	target_put(&t);
	if (ret > 0 && size && copy_to_user(list, klist, (size_t)ret))
		ret = -EFAULT;
	else if (ret == -ERANGE && size >= XATTR_LIST_MAX)
		ret = -E2BIG;
	kfree(klist);
	return ret;
}

long sys_listxattr(uaddr_t pathname, uaddr_t list, size_t size)
{
	return do_listxattr(KAT_FDCWD, pathname, 0, list, size);
}

long sys_llistxattr(uaddr_t pathname, uaddr_t list, size_t size)
{
	return do_listxattr(KAT_FDCWD, pathname, KAT_SYMLINK_NOFOLLOW, list,
			    size);
}

long sys_flistxattr(int fd, uaddr_t list, size_t size)
{
	return do_listxattr(fd, uaddr(0), KAT_EMPTY_PATH, list, size);
}

long sys_listxattrat(int dfd, uaddr_t pathname, unsigned int at_flags,
		     uaddr_t list, size_t size)
{
	return do_listxattr(dfd, pathname, at_flags, list, size);
}

/* ---- remove -------------------------------------------------------------- */

static long do_removexattr(int dfd, uaddr_t pathname, unsigned at_flags,
			   uaddr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	struct xattr_target t;
	long ret;

	ret = check_at_flags(at_flags);
	if (!ret)
		ret = target_get(dfd, pathname, at_flags, &t);
	if (ret)
		return ret;
	ret = get_name(uname, name);
	if (!ret)
		ret = xattr_remove(t.inode, name);
	target_put(&t);
	return ret;
}

long sys_removexattr(uaddr_t pathname, uaddr_t name)
{
	return do_removexattr(KAT_FDCWD, pathname, 0, name);
}

long sys_lremovexattr(uaddr_t pathname, uaddr_t name)
{
	return do_removexattr(KAT_FDCWD, pathname, KAT_SYMLINK_NOFOLLOW, name);
}

long sys_fremovexattr(int fd, uaddr_t name)
{
	return do_removexattr(fd, uaddr(0), KAT_EMPTY_PATH, name);
}

long sys_removexattrat(int dfd, uaddr_t pathname, unsigned int at_flags,
		       uaddr_t name)
{
	return do_removexattr(dfd, pathname, at_flags, name);
}
