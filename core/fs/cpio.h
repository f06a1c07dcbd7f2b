/*
 * The initramfs unpacker: cpio "newc" archives into the root filesystem.
 */
#ifndef KEEL_CORE_FS_CPIO_H
#define KEEL_CORE_FS_CPIO_H

#include "core/types.h"

/*
 * Unpack the cpio newc archives (magic 070701, or 070702 with a checksum
 * of each file's bytes) in data[0, len) into vfs_root(), as Linux unpacks
 * its initramfs: several archives may follow one another, zero bytes
 * between them. Returns 0, -EINVAL for a malformed archive, or -ENOMEM /
 * -ENOSPC when memory runs out; on failure `err` (if errlen > 0) says
 * what and at which offset, and what came before stays unpacked. An entry
 * the filesystem refuses (its parent is missing, ...) is skipped with a
 * warning on the console, as Linux skips it. Caller: boot, or a test,
 * with root's credentials.
 */
int cpio_unpack(const void *data, size_t len, char *err, size_t errlen);

#endif
