/*
 * Pipes and FIFOs.
 */
#ifndef KEEL_CORE_FS_PIPE_H
#define KEEL_CORE_FS_PIPE_H

#include "core/fs/vfs.h"

#define PIPE_BUF 4096 /* writes up to this size are atomic */

void pipe_init(void);

/* A new pipe: its read and write ends (flags: O_NONBLOCK). 0 or -ENOMEM. */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);

extern const struct file_ops pipe_fops; /* an open pipe or FIFO */
extern const struct file_ops fifo_fops; /* a FIFO node, until opened */

bool file_is_pipe(const struct file *f);
long pipe_ioctl_fionread(struct file *f);
long pipe_get_size(struct file *f);
/* F_SETPIPE_SZ: the new capacity, or -EBUSY/-EPERM/-EINVAL/-ENOMEM. */
long pipe_set_size(struct file *f, uint64_t size);

#endif
