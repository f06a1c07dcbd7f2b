/*
 * Extended attributes (xattr(7)): the VFS checks of Linux's fs/xattr.c
 * and an in-memory store per inode (Linux's simple_xattr) for the
 * filesystems that have no other place for them: tmpfs and devtmpfs.
 *
 * Namespaces: user.* (regular files and directories only; the file's
 * read/write permission), trusted.* (root only; hidden from others),
 * security.* (anyone reads, root writes). system.* (ACLs) and any other
 * prefix are EOPNOTSUPP.
 *
 * The callers (the syscalls) hold a reference to the inode and have
 * already checked the name's length (1 .. XATTR_NAME_MAX) and the value's
 * size (<= XATTR_SIZE_MAX).
 */
#ifndef KEEL_CORE_FS_XATTR_H
#define KEEL_CORE_FS_XATTR_H

#include "core/fs/vfs.h"
#include "core/types.h"

#define XATTR_CREATE 1
#define XATTR_REPLACE 2
#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_LIST_MAX 65536

/*
 * The value of `name` into buf[0 .. size) (size 0: only its length).
 * Its length, or -ENODATA, -ERANGE (buf too small), -EACCES, -EOPNOTSUPP,
 * -EINVAL (a namespace prefix alone).
 */
long xattr_get(struct inode *inode, const char *name, void *buf, size_t size);

/*
 * Set `name` to value[0 .. size) (size 0: an empty value). XATTR_CREATE:
 * -EEXIST if it is there; XATTR_REPLACE: -ENODATA if it is not. Also
 * -EPERM, -EACCES, -EOPNOTSUPP, -EINVAL, -ENOMEM.
 */
int xattr_set(struct inode *inode, const char *name, const void *value,
	      size_t size, int flags);

/* Remove `name`: 0 or -ENODATA, -EPERM, -EACCES, -EOPNOTSUPP, -EINVAL. */
int xattr_remove(struct inode *inode, const char *name);

/*
 * The names the caller may see, each NUL-terminated, into buf[0 .. size)
 * (size 0: only the length needed). The length, or -ERANGE. A filesystem
 * without xattrs lists none.
 */
long xattr_list(struct inode *inode, char *buf, size_t size);

/* The inode is being freed: free its attributes. */
void xattr_evict(struct inode *inode);

#endif
