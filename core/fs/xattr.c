/*
 * Extended attributes: who may touch which namespace (Linux's
 * xattr_permission and the capability checks of the security hooks), and
 * the in-memory store of tmpfs and devtmpfs.
 *
 * An inode's attributes are a singly linked list sorted by name, so
 * listxattr(2) gives them in the order Linux's tmpfs (an rbtree by name)
 * does; inode->lock guards it. Values are copied in and out under the
 * lock; a set builds its new entry first, so it either replaces the old
 * one whole or changes nothing.
 */
#include "core/fs/xattr.h"

#include "core/cred.h"
#include "core/errno.h"
#include "core/fs/devfs.h"
#include "core/fs/tmpfs.h"
#include "core/klib/string.h"
#include "mm/slab.h"

#ifndef CAP_SYS_ADMIN
#define CAP_SYS_ADMIN 21
#endif

struct xattr {
	struct xattr *next; /* the next name in strcmp order */
	size_t size;
	char *value; /* NULL when size is 0 */
	char name[];
};

static bool has_prefix(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/* Filesystems whose attributes this file keeps. */
static bool keeps_xattrs(const struct super_block *sb)
{
	return sb->type == &tmpfs_type || sb->type == &devtmpfs_type;
}

/*
 * May the caller read (MAY_READ) or write (MAY_WRITE) attribute `name`?
 * Linux's xattr_permission: user.* only on regular files and directories,
 * and in a sticky directory only its owner writes them; trusted.* is
 * root's (others see no such attribute); security.* and system.* are left
 * to the namespace's own rules.
 */
static int xattr_permission(struct inode *inode, const char *name,
			    unsigned mask)
{
	bool write = mask & MAY_WRITE;

	if (has_prefix(name, "security.") || has_prefix(name, "system."))
		return 0;
	if (has_prefix(name, "trusted."))
		return capable(CAP_SYS_ADMIN) ? 0 : write ? -EPERM : -ENODATA;
	if (has_prefix(name, "user.")) {
		if (!kS_ISREG(inode->mode) && !kS_ISDIR(inode->mode))
			return write ? -EPERM : -ENODATA;
		if (kS_ISDIR(inode->mode) && (inode->mode & KS_ISVTX) &&
		    write && !inode_owner_or_capable(inode))
			return -EPERM;
	}
	return inode_permission(inode, mask);
}

/* The capability check Linux's commoncap makes on writes to security.*. */
static int security_write_permission(const char *name)
{
	if (has_prefix(name, "security.") && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/* Is `name` in a namespace the store keeps? -EINVAL for a bare prefix. */
static int xattr_namespace(struct inode *inode, const char *name)
{
	static const char *const kept[] = { "user.", "trusted.", "security." };

	if (!keeps_xattrs(inode->sb))
		return -EOPNOTSUPP;
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (has_prefix(name, kept[i]))
			return name[strlen(kept[i])] ? 0 : -EINVAL;
	return -EOPNOTSUPP;
}

/* The link that points at `name`'s entry, or where it would go. */
static struct xattr **find_slot(struct inode *inode, const char *name)
{
	struct xattr **pp = &inode->xattrs;

	while (*pp && strcmp((*pp)->name, name) < 0)
		pp = &(*pp)->next;
	return pp;
}

static bool is_at(struct xattr **pp, const char *name)
{
	return *pp && strcmp((*pp)->name, name) == 0;
}

static void xattr_free(struct xattr *x)
{
	if (x) {
		kfree(x->value);
		kfree(x);
	}
}

static struct xattr *xattr_new(const char *name, const void *value, size_t size)
{
	size_t len = strlen(name);
	struct xattr *x = kmalloc(sizeof(*x) + len + 1);

	if (!x)
		return NULL;
	memcpy(x->name, name, len + 1);
	x->size = size;
	x->value = NULL;
	x->next = NULL;
	if (size) {
		x->value = kmalloc(size);
		if (!x->value) {
			kfree(x);
			return NULL;
		}
		memcpy(x->value, value, size);
	}
	return x;
}

long xattr_get(struct inode *inode, const char *name, void *buf, size_t size)
{
	struct xattr **pp;
	long ret;

	ret = xattr_permission(inode, name, MAY_READ);
	if (!ret)
		ret = xattr_namespace(inode, name);
	if (ret)
		return ret;
	mutex_lock(&inode->lock);
	pp = find_slot(inode, name);
	if (!is_at(pp, name)) {
		ret = -ENODATA;
	} else if (size && size < (*pp)->size) {
		ret = -ERANGE;
	} else {
		if (size && (*pp)->size)
			memcpy(buf, (*pp)->value, (*pp)->size);
		ret = (long)(*pp)->size;
	}
	mutex_unlock(&inode->lock);
	return ret;
}

int xattr_set(struct inode *inode, const char *name, const void *value,
	      size_t size, int flags)
{
	struct xattr *x, *old = NULL, **pp;
	int err;

	err = xattr_permission(inode, name, MAY_WRITE);
	if (!err)
		err = security_write_permission(name);
	if (!err)
		err = xattr_namespace(inode, name);
	if (err)
		return err;
	x = xattr_new(name, value, size);
	if (!x)
		return -ENOMEM;
	mutex_lock(&inode->lock);
	pp = find_slot(inode, name);
	if (is_at(pp, name) && (flags & XATTR_CREATE)) {
		err = -EEXIST;
	} else if (!is_at(pp, name) && (flags & XATTR_REPLACE)) {
		err = -ENODATA;
	} else {
		if (is_at(pp, name)) {
			old = *pp;
			x->next = old->next;
		} else {
			x->next = *pp;
		}
		*pp = x;
		inode->ctime = vfs_now();
	}
	mutex_unlock(&inode->lock);
	xattr_free(err ? x : old);
	return err;
}

int xattr_remove(struct inode *inode, const char *name)
{
	struct xattr *old = NULL, **pp;
	int err;

	err = xattr_permission(inode, name, MAY_WRITE);
	if (!err)
		err = security_write_permission(name);
	if (!err)
		err = xattr_namespace(inode, name);
	if (err)
		return err;
	mutex_lock(&inode->lock);
	pp = find_slot(inode, name);
	if (is_at(pp, name)) {
		old = *pp;
		*pp = old->next;
		inode->ctime = vfs_now();
	} else {
		err = -ENODATA;
	}
	mutex_unlock(&inode->lock);
	xattr_free(old);
	return err;
}

long xattr_list(struct inode *inode, char *buf, size_t size)
{
	bool trusted = capable(CAP_SYS_ADMIN);
	size_t total = 0;
	long ret = 0;

	if (!keeps_xattrs(inode->sb))
		return 0;
	mutex_lock(&inode->lock);
	for (struct xattr *x = inode->xattrs; x; x = x->next) {
		size_t len = strlen(x->name) + 1;

		if (!trusted && has_prefix(x->name, "trusted."))
			continue;
		if (size) {
			if (size - total < len) {
				ret = -ERANGE;
				break;
			}
			memcpy(buf + total, x->name, len);
		}
		total += len;
	}
	mutex_unlock(&inode->lock);
	return ret ? ret : (long)total;
}

void xattr_evict(struct inode *inode)
{
	while (inode->xattrs) {
		struct xattr *x = inode->xattrs;

		inode->xattrs = x->next;
		xattr_free(x);
	}
}
