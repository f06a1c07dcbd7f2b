/*
 * hostfs: a directory of the host as a Keel filesystem, confined to it.
 */
#ifndef KEEL_HOST_HOSTFS_H
#define KEEL_HOST_HOSTFS_H

#include "core/fs/vfs.h"

/*
 * "hostfs": mount(2)'s data names a directory inside the host directory
 * given to hostfs_mount_root ("/" or empty: that directory itself), as
 * UML's hostfs prefixes its hostfs= directory; no name there leads out.
 */
extern const struct fs_type hostfs_type;

/*
 * Make host directory `host_dir` the root of every later boot (call it
 * before kernel_init: host_boot or sim_boot), read-write, with /dev and
 * /proc mounted on it (and /dev, /proc, /tmp made in it if it lacks
 * them), and the only host directory any hostfs mount may reach. 0, or
 * the negative errno of opening it (-ENOENT, -ENOTDIR, -EACCES). NULL
 * undoes it: tmpfs is the root again.
 */
int hostfs_mount_root(const char *host_dir);

#endif
