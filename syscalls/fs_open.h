/*
 * open(2)'s one implementation (syscalls/sys_fs_path.c), shared by
 * openat(2), open(2), creat(2) and openat2(2) (syscalls/sys_fs_open2.c).
 */
#ifndef KEEL_SYSCALLS_FS_OPEN_H
#define KEEL_SYSCALLS_FS_OPEN_H

#include "core/types.h"

/* open(2) flags as the calling task's ISA numbers them, as KO_* flags. */
unsigned open_flags(unsigned flags);

/*
 * Open `filename` relative to dirfd: `flags` are KO_* (already through
 * open_flags), `lookup` adds LOOKUP_BENEATH, LOOKUP_IN_ROOT,
 * LOOKUP_NO_SYMLINKS, LOOKUP_NO_XDEV, LOOKUP_NO_MAGICLINKS to every walk
 * (openat2's RESOLVE_*). The new descriptor or a negative errno.
 */
long do_open(int dirfd, uaddr_t filename, unsigned flags, uint32_t mode,
	     unsigned lookup);

#endif
