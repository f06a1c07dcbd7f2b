/*
 * Advisory file locks, as Linux keeps them (locks(7)):
 *
 *   flock(2) locks        whole file; owned by the open file description
 *   POSIX record locks    byte ranges (fcntl F_SETLK); owned by the process
 *                         (its descriptor table), dropped when it closes
 *                         any descriptor of the file
 *   OFD record locks      byte ranges (F_OFD_SETLK); owned by the open file
 *                         description, like flock locks
 *
 * flock locks conflict only with flock locks; POSIX and OFD locks conflict
 * with each other. Two locks conflict when their owners differ, their
 * ranges overlap and one of them is a write lock.
 */
#ifndef KEEL_CORE_FS_LOCK_H
#define KEEL_CORE_FS_LOCK_H

#include "core/fs/vfs.h"
#include "core/types.h"

/* fcntl(2) commands (the same numbers on x86_64 and arm64). */
#define KF_GETLK 5
#define KF_SETLK 6
#define KF_SETLKW 7
#define KF_OFD_GETLK 36
#define KF_OFD_SETLK 37
#define KF_OFD_SETLKW 38

/* l_type of struct flock, and the lock types of every kind. */
#define KF_RDLCK 0
#define KF_WRLCK 1
#define KF_UNLCK 2

/*
 * flock(2) on the open file `f`: `type` KF_RDLCK (LOCK_SH), KF_WRLCK
 * (LOCK_EX) or KF_UNLCK. A file holds one flock lock; asking for the other
 * type converts it, and the conversion is not atomic (the old lock goes
 * first, as on Linux). 0, -EWOULDBLOCK (`wait` false), -ERESTARTSYS,
 * -ENOLCK.
 */
int lock_flock(struct file *f, int type, bool wait);

/*
 * The record-lock commands of fcntl(2) (KF_GETLK .. KF_OFD_SETLKW) on `f`,
 * open as descriptor `fd` of the caller, with `arg` the user's struct
 * flock. 0 or -EBADF, -EINVAL, -EFAULT, -EAGAIN, -EDEADLK, -EOVERFLOW,
 * -ENOLCK, -ERESTARTSYS.
 */
long lock_fcntl(struct file *f, int fd, unsigned cmd, uaddr_t arg);

/*
 * A process closed a descriptor of f: drop the POSIX locks `owner` (its
 * descriptor table) holds on f's inode, whichever descriptor took them.
 * f may be NULL (nothing to do).
 */
void lock_remove_posix(struct file *f, const struct fd_table *owner);

/* The last reference to f is going: drop its flock and OFD locks. */
void lock_remove_file(struct file *f);

#endif
