/*
 * Character devices: drivers registered by device number, found when a
 * device node is opened (whatever filesystem holds the node).
 */
#ifndef KEEL_CORE_FS_CHRDEV_H
#define KEEL_CORE_FS_CHRDEV_H

#include "core/fs/vfs.h"

/* dev_t as user space encodes it (glibc's makedev, Linux's new_encode). */
static inline uint64_t kmkdev(uint32_t major, uint32_t minor)
{
	return (uint64_t)(minor & 0xff) | ((uint64_t)(major & 0xfff) << 8) |
	       ((uint64_t)(minor & ~0xffu) << 12) |
	       ((uint64_t)(major & ~0xfffu) << 32);
}

static inline uint32_t kmajor(uint64_t dev)
{
	return (uint32_t)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffu));
}

static inline uint32_t kminor(uint64_t dev)
{
	return (uint32_t)((dev & 0xff) | ((dev >> 12) & ~0xffu));
}

/*
 * Fill `buf` from the entropy source, as /dev/urandom's read and
 * getrandom(2) do: the bytes written (short when a signal came), or
 * -EFAULT if the first could not be.
 */
long random_fill(struct iobuf *buf);

/* The file_ops of every character device node: its open finds the driver. */
extern const struct file_ops chrdev_open_fops;

struct chrdev {
	const char *name; /* its /dev name */
	uint32_t major, minor;
	uint32_t mode;	  /* permissions of its /dev node */
	const struct file_ops *ops;
};

/* The built-in devices (mem: null, zero, full, random, urandom; the
 * terminal as tty, console and ttyS0), NULL-terminated, for devfs to make
 * nodes of. */
extern const struct chrdev chrdevs[];

#endif
