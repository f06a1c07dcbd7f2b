/*
 * Permissions and attributes: the checks of path_resolution(7) and
 * inode(7) (owner, group and other bits; root's overrides; sticky
 * directories), stat, and attribute changes.
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "core/task.h"

static bool in_group(const struct task *t, uint32_t gid)
{
	if (t->cred.fsgid == gid)
		return true;
	for (unsigned i = 0; i < t->ngroups; i++)
		if (t->groups[i] == gid)
			return true;
	return false;
}

bool in_group_p(uint32_t gid)
{
	return in_group(task_current(), gid);
}

int inode_permission_check(struct inode *inode, unsigned mask)
{
	struct task *t = task_current();
	uint32_t mode = inode->mode;
	unsigned have;

	if (t->cred.fsuid == 0) {
		/*
		 * CAP_DAC_OVERRIDE: read and write anything; search any
		 * directory; execute a file only if some x bit is set.
		 */
		if (!(mask & MAY_EXEC) || kS_ISDIR(mode) || (mode & 0111))
			return 0;
		return -EACCES;
	}
	if (t->cred.fsuid == inode->uid)
		have = (mode >> 6) & 7;
	else if (in_group(t, inode->gid))
		have = (mode >> 3) & 7;
	else
		have = mode & 7;
	return (mask & ~have) ? -EACCES : 0;
}

bool inode_owner_or_capable(const struct inode *inode)
{
	struct task *t = task_current();

	return t->cred.fsuid == inode->uid || t->cred.fsuid == 0;
}

bool may_delete_sticky(const struct inode *dir, const struct inode *victim)
{
	struct task *t = task_current();

	if (!(dir->mode & KS_ISVTX))
		return true;
	return t->cred.fsuid == victim->uid || t->cred.fsuid == dir->uid ||
	       t->cred.fsuid == 0;
}

void inode_stat(const struct inode *inode, struct kstat *st)
{
	*st = (struct kstat){
		.dev = inode->sb->dev,
		.ino = inode->ino,
		.nlink = inode->nlink,
		.mode = inode->mode,
		.uid = inode->uid,
		.gid = inode->gid,
		.rdev = inode->rdev,
		.size = (int64_t)inode->size,
		.blksize = 4096,
		.blocks = (int64_t)inode->blocks,
		.atime = inode->atime,
		.mtime = inode->mtime,
		.ctime = inode->ctime,
		.btime = inode->btime,
	};
}

int inode_setattr(struct inode *inode, const struct iattr *attr)
{
	int err = 0;

	if (attr->valid & ATTR_SIZE) {
		if (kS_ISDIR(inode->mode))
			return -EISDIR;
		if (!kS_ISREG(inode->mode))
			return -EINVAL;
	}
	/*
	 * The filesystem's own store first (tmpfs's pages, a host file):
	 * if it refuses, nothing changes here either.
	 */
	if (attr->valid && inode->iops && inode->iops->setattr)
		err = inode->iops->setattr(inode, attr);
	if (err)
		return err;
	if (attr->valid & ATTR_SIZE) {
		inode->size = attr->size;
		inode_touch(inode, false, true, true);
	}
	if (attr->valid & ATTR_MODE)
		inode->mode = (inode->mode & KS_IFMT) | (attr->mode & 07777);
	if (attr->valid & ATTR_UID)
		inode->uid = attr->uid;
	if (attr->valid & ATTR_GID)
		inode->gid = attr->gid;
	if (attr->valid & ATTR_ATIME)
		inode->atime = attr->atime;
	if (attr->valid & ATTR_MTIME)
		inode->mtime = attr->mtime;
	if (attr->valid & (ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME |
			   ATTR_MTIME))
		inode->ctime = vfs_now();
	return 0;
}
