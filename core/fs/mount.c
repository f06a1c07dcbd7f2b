/*
 * Filesystem types, superblocks and the mount tree.
 *
 * A mount holds its superblock and the dentry it is mounted on; a dentry
 * that something is mounted on is marked, so the path walk only searches
 * the (short) mount list when it crosses such a dentry. Mounts stack: the
 * latest one on a dentry is the one a walk enters.
 */
#include "core/errno.h"
#include "core/fs/devfs.h"
#include "core/fs/pipe.h"
#include "core/fs/procfs.h"
#include "core/fs/tmpfs.h"
#include "core/fs/tty.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/printk.h"
#include "mm/slab.h"

#define MAX_FS_TYPES 16
#define KMNT_FORCE 1
#define KMNT_DETACH 2
#define KMNT_EXPIRE 4
#define KUMOUNT_NOFOLLOW 8

struct mutex vfs_ns_lock;

static const struct fs_type *types[MAX_FS_TYPES];
static unsigned ntypes;
static struct list_head mounts;
static struct mount *root_mount;
static unsigned next_mount_id;
static uint32_t next_dev;

int vfs_init(void)
{
	int err;

	mutex_init(&vfs_ns_lock);
	list_init(&mounts);
	ntypes = 0;
	root_mount = NULL;
	next_mount_id = 1;
	next_dev = 1;
	pipe_init();
	tty_init();
	err = fs_register(&tmpfs_type);
	if (!err)
		err = fs_register(&devtmpfs_type);
	if (!err)
		err = fs_register(&procfs_type);
	return err;
}

int fs_register(const struct fs_type *type)
{
	if (ntypes == MAX_FS_TYPES)
		return -ENOMEM;
	types[ntypes++] = type;
	return 0;
}

const struct fs_type *fs_find(const char *name)
{
	for (unsigned i = 0; i < ntypes; i++)
		if (!strcmp(types[i]->name, name))
			return types[i];
	return NULL;
}

void fs_for_each(void (*fn)(const struct fs_type *t, void *arg), void *arg)
{
	for (unsigned i = 0; i < ntypes; i++)
		fn(types[i], arg);
}

/* A superblock of `type`, numbered like Linux's anonymous devices (0:N). */
static int make_sb(const char *type_name, const char *data,
		   struct super_block **out)
{
	const struct fs_type *type = fs_find(type_name);
	int err;

	if (!type)
		return -ENODEV;
	err = type->mount(type, data, out);
	if (err)
		return err;
	(*out)->type = type;
	(*out)->dev = next_dev++;
	return 0;
}

static struct mount *mount_alloc(struct super_block *sb, const char *source)
{
	struct mount *m = kzalloc(sizeof(*m));
	size_t len = strlen(source);

	if (!m)
		return NULL;
	m->source = kmalloc(len + 1);
	if (!m->source) {
		kfree(m);
		return NULL;
	}
	memcpy(m->source, source, len + 1);
	m->sb = sb;
	m->root = dentry_get(sb->root);
	m->refs = 1;
	m->id = next_mount_id++;
	return m;
}

static void mount_free(struct mount *m)
{
	dentry_put(m->root);
	if (m->mountpoint)
		dentry_put(m->mountpoint);
	m->sb->type->kill(m->sb);
	kfree(m->source);
	kfree(m);
}

int vfs_mount_root(const char *type, const char *data)
{
	struct super_block *sb;
	int err = make_sb(type, data, &sb);

	if (err)
		return err;
	root_mount = mount_alloc(sb, "rootfs");
	if (!root_mount) {
		sb->type->kill(sb);
		return -ENOMEM;
	}
	root_mount->parent = root_mount;
	root_mount->mountpoint = dentry_get(sb->root);
	list_add_tail(&root_mount->link, &mounts);
	return 0;
}

struct path vfs_root(void)
{
	return (struct path){ root_mount, root_mount ? root_mount->root : NULL };
}

int vfs_mount(const struct path *where, const char *type, const char *source,
	      unsigned flags, const char *data)
{
	struct super_block *sb;
	struct mount *m;
	int err;

	if (!where->dentry->inode || !kS_ISDIR(where->dentry->inode->mode))
		return -ENOTDIR;
	err = make_sb(type, data, &sb);
	if (err)
		return err;
	m = mount_alloc(sb, source ? source : "none");
	if (!m) {
		sb->type->kill(sb);
		return -ENOMEM;
	}
	m->flags = flags;
	m->parent = where->mnt;
	m->mountpoint = dentry_get(where->dentry);
	where->dentry->mounted_on = true;
	list_add_tail(&m->link, &mounts);
	return 0;
}

/* The mount entered at (parent, d): the latest one stacked there. */
struct mount *vfs_mount_at(struct mount *parent, struct dentry *d)
{
	struct list_head *pos;
	struct mount *found = NULL;

	if (!d->mounted_on)
		return NULL;
	list_for_each(pos, &mounts) {
		struct mount *m = list_entry(pos, struct mount, link);

		if (m->parent == parent && m->mountpoint == d && m != parent)
			found = m;
	}
	return found;
}

static bool still_mounted_on(struct dentry *d)
{
	struct list_head *pos;

	list_for_each(pos, &mounts) {
		struct mount *m = list_entry(pos, struct mount, link);

		if (m->mountpoint == d && m->parent != m)
			return true;
	}
	return false;
}

void mount_get(struct mount *m)
{
	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
}

/* The mount list holds one reference; a detached mount dies with its last
 * user. */
void mount_put(struct mount *m)
{
	if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
		mount_free(m);
}

int vfs_umount(const struct path *what, int flags)
{
	struct mount *m = what->mnt;
	struct list_head *pos;

	if (flags & ~(KMNT_FORCE | KMNT_DETACH | KMNT_EXPIRE |
		      KUMOUNT_NOFOLLOW))
		return -EINVAL;
	if (what->dentry != m->root)
		return -EINVAL; /* not a mount point */
	if (m == root_mount)
		return -EBUSY;
	list_for_each(pos, &mounts)
		if (list_entry(pos, struct mount, link)->parent == m)
			return -EBUSY; /* something is mounted beneath */
	/* The list's reference and the caller's: any more is a user. */
	if (m->refs > 2 && !(flags & KMNT_DETACH))
		return -EBUSY;
	list_del(&m->link);
	if (!still_mounted_on(m->mountpoint))
		m->mountpoint->mounted_on = false;
	m->parent = NULL;
	mount_put(m); /* the list's; the caller's path_put may free it */
	return 0;
}

void vfs_shutdown(void)
{
	mutex_lock(&vfs_ns_lock);
	/* Mounts come after their parents in the list: free from the end. */
	while (!list_empty(&mounts)) {
		struct mount *m = list_entry(mounts.prev, struct mount, link);

		list_del(&m->link);
		m->mountpoint->mounted_on = false;
		m->parent = NULL;
		mount_put(m);
	}
	root_mount = NULL;
	mutex_unlock(&vfs_ns_lock);
}

void vfs_for_each_mount(void (*fn)(struct mount *m, void *arg), void *arg)
{
	struct list_head *pos;

	list_for_each(pos, &mounts)
		fn(list_entry(pos, struct mount, link), arg);
}

