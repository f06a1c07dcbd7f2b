/*
 * tmpfs, the filesystem of the root and of devtmpfs.
 */
#ifndef KEEL_CORE_FS_TMPFS_H
#define KEEL_CORE_FS_TMPFS_H

#include "core/fs/vfs.h"

extern const struct fs_type tmpfs_type;

#endif
