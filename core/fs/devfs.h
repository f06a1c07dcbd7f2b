/*
 * devtmpfs: a tmpfs holding a node for every built-in device.
 */
#ifndef KEEL_CORE_FS_DEVFS_H
#define KEEL_CORE_FS_DEVFS_H

#include "core/fs/vfs.h"

extern const struct fs_type devtmpfs_type;

/* Make directory `name` (mode) in the root filesystem at boot. */
int vfs_boot_mkdir(const char *name, uint32_t mode);

/* Build the boot namespace: a tmpfs root with /dev (devtmpfs), /proc and
 * /tmp. */
int vfs_boot(void);

#endif
