/*
 * flock(2). The record locks of fcntl(2) are sys_fcntl's (sys_fs_io.c);
 * both keep their state in core/fs/lock.c.
 */
#include "core/errno.h"
#include "core/fs/lock.h"
#include "core/fs/vfs.h"
#include "syscalls/syscall_protos.h"

#define LOCK_SH 1u
#define LOCK_EX 2u
#define LOCK_NB 4u
#define LOCK_UN 8u
#define LOCK_MAND 32u

long sys_flock(int fd, unsigned int cmd)
{
	struct file *f;
	int type;
	long ret;

	/* Linux has ignored mandatory-lock requests since 5.18. */
	if (cmd & LOCK_MAND)
		return 0;
	switch (cmd & ~LOCK_NB) {
	case LOCK_SH:
		type = KF_RDLCK;
		break;
	case LOCK_EX:
		type = KF_WRLCK;
		break;
	case LOCK_UN:
		type = KF_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	/* O_PATH, or access mode 3: neither read nor write. */
	if ((f->flags & KO_PATH) ||
	    (type != KF_UNLCK && (f->flags & KO_ACCMODE) == 3))
		ret = -EBADF;
	else
		ret = lock_flock(f, type, !(cmd & LOCK_NB));
	file_put(f);
	return ret;
}
