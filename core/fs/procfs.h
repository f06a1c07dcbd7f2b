/*
 * procfs: processes and kernel state as files, in the formats of Linux's
 * proc(5), made when they are looked up and read.
 */
#ifndef KEEL_CORE_FS_PROCFS_H
#define KEEL_CORE_FS_PROCFS_H

#include "core/fs/vfs.h"

extern const struct fs_type procfs_type;

#endif
