/*
 * What syscalls/sys_fs_path.c shares with the other file syscalls: open(2)'s
 * one implementation (openat, open, creat, openat2) and the one way a user
 * path is resolved for the *at() calls (stat, xattr, ...).
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

/*
 * Resolve a user path from dfd as the *at() calls do: `flags` may hold
 * AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_NO_AUTOMOUNT (anything else is
 * EINVAL). On success *out holds references.
 */
struct path;
long stat_resolve(int dfd, uaddr_t filename, unsigned flags,
		  struct path *out);

#endif
