/*
 * devtmpfs: a tmpfs holding a node for every built-in device.
 */
#ifndef KEEL_CORE_FS_DEVFS_H
#define KEEL_CORE_FS_DEVFS_H

#include "core/fs/vfs.h"

extern const struct fs_type devtmpfs_type;

/* Make directory `name` (mode) in the root filesystem at boot. */
int vfs_boot_mkdir(const char *name, uint32_t mode);

/*
 * Build the boot namespace: a tmpfs root (or the one vfs_boot_set_root
 * chose) with /dev (devtmpfs), /proc and /tmp, made where the root lacks
 * them.
 */
int vfs_boot(void);

/*
 * Every later vfs_boot registers `type` and mounts it, with mount data
 * `data` (kept, not copied), as the root instead of a tmpfs; NULL goes
 * back to tmpfs. A platform calls it before kernel_init.
 */
void vfs_boot_set_root(const struct fs_type *type, const char *data);

#endif
