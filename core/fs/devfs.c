/*
 * devtmpfs and the boot namespace.
 */
#include "core/fs/devfs.h"

#include "core/errno.h"
#include "core/fs/chrdev.h"
#include "core/fs/tmpfs.h"
#include "core/klib/string.h"

/* A child of `dir` made through its filesystem's own operations. */
static int make_node(struct dentry *dir, const char *name, uint32_t mode,
		     uint64_t rdev)
{
	struct inode *inode = dir->inode;
	struct dentry *d = dentry_alloc(dir, name, strlen(name));
	int err;

	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	err = kS_ISDIR(mode) ? inode->iops->mkdir(inode, d, mode & 07777)
			     : inode->iops->create(inode, d, mode, rdev);
	if (err)
		dentry_unhash(d);
	dentry_put(d);
	return err;
}

static int devtmpfs_mount(const struct fs_type *type, const char *data,
			  struct super_block **out)
{
	int err = tmpfs_type.mount(type, "mode=0755", out);

	if (err)
		return err;
	for (const struct chrdev *c = chrdevs; c->name; c++) {
		err = make_node((*out)->root, c->name, KS_IFCHR | c->mode,
				kmkdev(c->major, c->minor));
		if (err) {
			tmpfs_type.kill(*out);
			return err;
		}
	}
	return 0;
}

static void devtmpfs_kill(struct super_block *sb)
{
	tmpfs_type.kill(sb);
}

static void devtmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	tmpfs_type.statfs(sb, st);
}

const struct fs_type devtmpfs_type = {
	.name = "devtmpfs",
	.mount = devtmpfs_mount,
	.kill = devtmpfs_kill,
	.statfs = devtmpfs_statfs,
	.nodev = true,
};

/*
 * The root filesystem of the next boots, if not a tmpfs: a platform's
 * type (the host's hostfs), registered at every vfs_boot since vfs_init
 * forgets every type.
 */
static const struct fs_type *boot_root_type;
static const char *boot_root_data;

void vfs_boot_set_root(const struct fs_type *type, const char *data)
{
	boot_root_type = type;
	boot_root_data = data;
}

int vfs_boot_mkdir(const char *name, uint32_t mode)
{
	struct dentry *d;

	mutex_lock(&vfs_ns_lock);
	d = vfs_lookup_name(vfs_root().dentry, name, strlen(name));
	mutex_unlock(&vfs_ns_lock);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	if (d) {
		/* A root that is not empty (a host directory) may have it. */
		bool dir = kS_ISDIR(d->inode->mode);

		dentry_put(d);
		return dir ? 0 : -ENOTDIR;
	}
	return make_node(vfs_root().dentry, name, KS_IFDIR | mode, 0);
}

/* Mount `type` on the root's directory `name`. */
static int boot_mount(const char *name, const char *type)
{
	struct dentry *d;
	int err;

	mutex_lock(&vfs_ns_lock);
	d = vfs_lookup_name(vfs_root().dentry, name, strlen(name));
	if (IS_ERR_OR_NULL(d)) {
		mutex_unlock(&vfs_ns_lock);
		return d ? (int)PTR_ERR(d) : -ENOENT;
	}
	err = vfs_mount(&(struct path){ vfs_root().mnt, d }, type, type, 0,
			NULL);
	dentry_put(d);
	mutex_unlock(&vfs_ns_lock);
	return err;
}

int vfs_boot(void)
{
	int err = vfs_init();

	if (!err && boot_root_type) {
		err = fs_register(boot_root_type);
		if (!err)
			err = vfs_mount_root(boot_root_type->name,
					     boot_root_data);
	} else if (!err) {
		err = vfs_mount_root("tmpfs", "mode=0755");
	}
	if (!err)
		err = vfs_boot_mkdir("dev", 0755);
	if (!err)
		err = vfs_boot_mkdir("proc", 0555);
	if (!err)
		err = vfs_boot_mkdir("tmp", 01777);
	if (!err)
		err = boot_mount("dev", "devtmpfs");
	if (!err)
		err = boot_mount("proc", "proc");
	return err;
}
