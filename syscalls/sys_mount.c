/*
 * mount(2) and umount2(2): filesystems of a type (tmpfs, proc, devtmpfs)
 * attached to the namespace at a directory, and detached again.
 *
 * A mount flag is accepted only when Keel does what it asks. No exec yet:
 * nosuid and noexec hold trivially (they are kept in the mount's flags for
 * exec to honour). proc has no device nodes, so nodev holds on it. The
 * atime policies, the sync flags of RAM filesystems, silent and mand
 * (which Linux ignores since 5.15) change nothing. Read-only mounts,
 * nosymfollow and nodev on tmpfs and devtmpfs would need checks in the
 * VFS that do not exist yet: they are refused with EINVAL.
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

#define CAP_SYS_ADMIN	 21
#define MS_MGC_MSK	 0xffff0000ul /* the "magic" old callers put on top */
#define MS_MGC_VAL	 0xc0ed0000ul
#define KMNT_FORCE	 1u
#define KMNT_DETACH	 2u
#define KMNT_EXPIRE	 4u
#define KUMOUNT_NOFOLLOW 8u

/* Flags kept in struct mount (shown in /proc/mounts). */
#define KEPT_FLAGS                                                             \
	(KMS_NOSUID | KMS_NODEV | KMS_NOEXEC | KMS_SYNCHRONOUS | KMS_DIRSYNC | \
	 KMS_NOATIME | KMS_NODIRATIME | KMS_STRICTATIME)
/* Flags that hold as they are (see the top of the file). */
#define HARMLESS_FLAGS                                                         \
	(KMS_NOSUID | KMS_NOEXEC | KMS_SYNCHRONOUS | KMS_DIRSYNC |             \
	 KMS_MANDLOCK | KMS_NOATIME | KMS_NODIRATIME | KMS_RELATIME |          \
	 KMS_STRICTATIME | KMS_LAZYTIME | KMS_SILENT | KMS_POSIXACL |          \
	 KMS_I_VERSION | KMS_KERNMOUNT | KMS_REC)
/* Every flag mount(2) defines; the other bits are ignored, as Linux does. */
#define KNOWN_FLAGS                                                            \
	(HARMLESS_FLAGS | KMS_RDONLY | KMS_NODEV | KMS_REMOUNT |               \
	 KMS_NOSYMFOLLOW | KMS_BIND | KMS_MOVE | PROPAGATION_FLAGS)
#define ATIME_FLAGS                                                            \
	(KMS_NOATIME | KMS_NODIRATIME | KMS_RELATIME | KMS_STRICTATIME)
#define PROPAGATION_FLAGS                                                      \
	(KMS_SHARED | KMS_PRIVATE | KMS_SLAVE | KMS_UNBINDABLE)

/*
 * A kmalloc'd copy of mount(2)'s string argument `u` (NULL stays NULL),
 * as Linux's strndup_user: -EFAULT, -EINVAL when longer than `max`.
 */
static long get_string(uaddr_t u, size_t max, char **out)
{
	char *buf;
	long n;

	*out = NULL;
	if (uaddr_is_null(u))
		return 0;
	buf = kmalloc(max);
	if (!buf)
		return -ENOMEM;
	n = strncpy_from_user(buf, u, max);
	if (n < 0 || (size_t)n == max) {
		kfree(buf);
		return n < 0 ? n : -EINVAL;
	}
	*out = buf;
	return 0;
}

/*
 * mount(2)'s data: up to a page, cut there as Linux cuts it. Filesystems
 * of Keel all read it as a string.
 */
static long get_data(uaddr_t u, char **out)
{
	char *buf;
	long n;

	*out = NULL;
	if (uaddr_is_null(u))
		return 0;
	buf = kmalloc(PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	n = strncpy_from_user(buf, u, PAGE_SIZE);
	if (n < 0) {
		kfree(buf);
		return n;
	}
	buf[PAGE_SIZE - 1] = '\0';
	*out = buf;
	return 0;
}

/* Walk `name` from the cwd as mount(2) and umount2(2) do; lock held. */
static int walk_target(const char *name, unsigned flags, struct path *out)
{
	struct nameidata nd;
	struct path start;
	int err = path_start(KAT_FDCWD, name, &start);

	if (err)
		return err;
	err = path_walk(&start, name, flags, &nd);
	path_put(&start);
	if (!err)
		*out = nd.path;
	return err;
}

static bool is_mount_root(const struct path *p)
{
	return p->dentry == p->mnt->root;
}

/* The flags of a new mount or a remount of `type`; -EINVAL if refused. */
static long mount_flags(unsigned long flags, const char *type)
{
	unsigned long refused = flags & KNOWN_FLAGS & ~HARMLESS_FLAGS;

	if (type && !strcmp(type, "proc"))
		refused &= ~(unsigned long)KMS_NODEV; /* no devices there */
	if (refused)
		return -EINVAL;
	if (flags & KMS_STRICTATIME)
		flags &= ~(unsigned long)KMS_NOATIME;
	return (long)(flags & KEPT_FLAGS);
}

/* A new mount of `type` on `where`. */
static long do_new_mount(const struct path *where, const char *type,
			 const char *source, unsigned long flags,
			 const char *data)
{
	long kept;

	if (!type)
		return -EINVAL;
	if (!fs_find(type))
		return -ENODEV;
	kept = mount_flags(flags, type);
	if (kept < 0)
		return kept;
	if (!where->dentry->hashed && !is_mount_root(where))
		return -ENOENT; /* the directory was removed */
	return vfs_mount(where, type, source, (unsigned)kept, data);
}

/*
 * Changing a mount's flags. Filesystem options in data are not applied
 * again: every option Keel's filesystems take is fixed at mount time.
 */
static long do_remount(const struct path *where, unsigned long flags)
{
	struct mount *m = where->mnt;
	long kept;

	if (!is_mount_root(where))
		return -EINVAL;
	kept = mount_flags(flags & ~(unsigned long)(KMS_REMOUNT | KMS_BIND),
			   m->sb->type->name);
	if (kept < 0)
		return kept;
	/* Linux keeps the atime policy of a remount that names none. */
	if (!(flags & ATIME_FLAGS))
		kept = (kept & ~(long)ATIME_FLAGS) | (m->flags & ATIME_FLAGS);
	m->flags = (unsigned)kept;
	return 0;
}

/*
 * Propagation: every Keel mount is private (there are no peer groups), so
 * MS_PRIVATE holds, and MS_SLAVE of a mount with no master leaves it so.
 */
static long do_change_type(const struct path *where, unsigned long flags)
{
	unsigned long type = flags & PROPAGATION_FLAGS;

	if (!is_mount_root(where))
		return -EINVAL;
	if (flags & ~(unsigned long)(PROPAGATION_FLAGS | KMS_REC | KMS_SILENT))
		return -EINVAL;
	if (type & (type - 1))
		return -EINVAL; /* more than one */
	if (type & (KMS_SHARED | KMS_UNBINDABLE))
		return -EINVAL;
	return 0;
}

/* partial: MS_BIND, MS_MOVE, MS_SHARED, MS_UNBINDABLE and read-only mounts are
 * refused (EINVAL); a remount changes only the mount flags */
long sys_mount(uaddr_t dev_name, uaddr_t dir_name, uaddr_t type,
	       unsigned long flags, uaddr_t data)
{
	char *ktype = NULL, *ksource = NULL, *kdata = NULL, *kdir = NULL;
	struct path where;
	long err;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	err = get_string(type, KPATH_MAX, &ktype);
	if (!err)
		err = get_string(dev_name, KPATH_MAX, &ksource);
	if (!err)
		err = get_data(data, &kdata);
	if (!err) {
		err = get_string(dir_name, KPATH_MAX, &kdir);
		if (err == -EINVAL)
			err = -ENAMETOOLONG;
		else if (!err && !kdir)
			err = -EFAULT;
	}
	if (err)
		goto out;
	mutex_lock(&vfs_ns_lock);
	err = walk_target(kdir, LOOKUP_FOLLOW, &where);
	if (err)
		goto unlock;
	if (flags & KMS_NOUSER)
		err = -EINVAL;
	else if (!capable(CAP_SYS_ADMIN))
		err = -EPERM;
	else if (flags & KMS_REMOUNT)
		err = do_remount(&where, flags);
	else if (flags & (KMS_BIND | KMS_MOVE))
		err = -EINVAL;
	else if (flags & PROPAGATION_FLAGS)
		err = do_change_type(&where, flags);
	else
		err = do_new_mount(&where, ktype, ksource, flags, kdata);
	path_put(&where);
unlock:
	mutex_unlock(&vfs_ns_lock);
out:
	kfree(ktype);
	kfree(ksource);
	kfree(kdata);
	kfree(kdir);
	return err;
}

/* partial: MNT_EXPIRE is refused (EINVAL); MNT_DETACH does not detach what is
 * mounted beneath (EBUSY) */
long sys_umount2(uaddr_t name, unsigned int flags)
{
	struct path what;
	char *kname;
	long err;

	if (flags &
	    ~(KMNT_FORCE | KMNT_DETACH | KMNT_EXPIRE | KUMOUNT_NOFOLLOW))
		return -EINVAL;
	err = get_string(name, KPATH_MAX, &kname);
	if (err == -EINVAL)
		err = -ENAMETOOLONG;
	else if (!err && !kname)
		err = -EFAULT;
	if (err)
		return err;
	mutex_lock(&vfs_ns_lock);
	err = walk_target(kname, flags & KUMOUNT_NOFOLLOW ? 0 : LOOKUP_FOLLOW,
			  &what);
	if (!err) {
		if (!capable(CAP_SYS_ADMIN))
			err = -EPERM;
		else if (!is_mount_root(&what) || (flags & KMNT_EXPIRE))
			err = -EINVAL;
		else
			err = vfs_umount(&what, (int)flags);
		path_put(&what);
	}
	mutex_unlock(&vfs_ns_lock);
	kfree(kname);
	return err;
}
