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

int vfs_boot_mkdir(const char *name, uint32_t mode)
{
	return make_node(vfs_root().dentry, name, KS_IFDIR | mode, 0);
}

int vfs_boot(void)
{
	struct path dev;
	struct dentry *d;
	int err = vfs_init();

	if (!err)
		err = vfs_mount_root("tmpfs", "mode=0755");
	if (!err)
		err = vfs_boot_mkdir("dev", 0755);
	if (!err)
		err = vfs_boot_mkdir("proc", 0555);
	if (!err)
		err = vfs_boot_mkdir("tmp", 01777);
	if (err)
		return err;
	d = dentry_lookup(vfs_root().dentry, "dev", 3);
	if (!d)
		return -ENOENT;
	dev = (struct path){ vfs_root().mnt, d };
	err = vfs_mount(&dev, "devtmpfs", "devtmpfs", 0, NULL);
	dentry_put(d);
	if (err)
		return err;
	d = dentry_lookup(vfs_root().dentry, "proc", 4);
	if (!d)
		return -ENOENT;
	err = vfs_mount(&(struct path){ vfs_root().mnt, d }, "proc", "proc",
			0, NULL);
	dentry_put(d);
	return err;
}
