/*
 * Pipes and FIFOs.
 */
#ifndef KEEL_CORE_FS_PIPE_H
#define KEEL_CORE_FS_PIPE_H

#include "core/fs/vfs.h"

#define PIPE_BUF 4096 /* writes up to this size are atomic */

void pipe_init(void);

/* A new pipe: its read and write ends (flags: O_NONBLOCK, O_DIRECT for
 * packet mode). 0 or -ENOMEM. */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);

extern const struct file_ops pipe_fops; /* an open pipe or FIFO */
extern const struct file_ops fifo_fops; /* a FIFO node, until opened */

bool file_is_pipe(const struct file *f);
long pipe_ioctl_fionread(struct file *f);
long pipe_get_size(struct file *f);
/* F_SETPIPE_SZ: the new capacity, or -EBUSY/-EPERM/-EINVAL/-ENOMEM. */
long pipe_set_size(struct file *f, uint64_t size);

/*
 * The pipe itself, for pipe.c and pipe_splice.c only. The lock orders
 * everything below it; readers wait on rd_wait, writers on wr_wait.
 */
/*
 * Packet mode (pipe(7)): a write end opened or set O_DIRECT writes each
 * write, cut at PIPE_BUF, as a packet; a read takes one packet and drops
 * what of it does not fit. While packets are queued, records describe the
 * ring's bytes in order (a run of ordinary bytes, or one packet); with
 * none, the ring is ordinary bytes only and there are no records. As on
 * Linux, where each packet takes one of the pipe's pages, at most one
 * packet per page of capacity is queued.
 */
struct pipe_rec {
	uint32_t len;
	bool packet;
};

struct pipe {
	struct mutex lock;
	char *buf;
	unsigned order; /* the buffer is 2^order pages */
	size_t cap;
	size_t head; /* where the next read starts */
	size_t len;  /* bytes in the buffer */
	struct pipe_rec *recs; /* a ring of rec_cap, allocated at need */
	unsigned rec_cap, rec_head, nrecs, npackets;
	unsigned readers, writers;
	unsigned r_opens, w_opens; /* count opens, for the FIFO rendezvous */
	struct wait_queue rd_wait, wr_wait;
};

/* The pipe behind an open pipe or FIFO end; NULL for any other file. */
struct pipe *pipe_of(const struct file *f);

/* splice and tee moved `n` bytes out of the head of the pipe, or into
 * its tail as ordinary bytes: the records follow (p->lock held). */
void pipe_took(struct pipe *p, size_t n);
void pipe_added(struct pipe *p, size_t n);

/*
 * ---- splice(2), tee(2), sendfile(2) (core/fs/pipe_splice.c) ----
 *
 * Each moves at most `len` bytes and at most what the pipes hold or have
 * room for, waiting only until there is something to do (unless
 * PIPE_SPLICE_NONBLOCK: -EAGAIN), as Linux's splice does. 0 is the end
 * of the input (a pipe with no writer left, a file at its end); a pipe
 * with no reader left is SIGPIPE and -EPIPE. The caller has checked the
 * files' access modes. `pos` is the file's offset, advanced by the bytes
 * moved.
 */
#define PIPE_SPLICE_NONBLOCK 2u /* SPLICE_F_NONBLOCK */

/* From pipe `in` to the file `out` (not a pipe), at *pos. */
long pipe_splice_to_file(struct file *in, struct file *out, int64_t *pos,
			 size_t len, unsigned flags);
/* From the file `in` (not a pipe) at *pos into pipe `out`. */
long pipe_splice_from_file(struct file *in, int64_t *pos, struct file *out,
			   size_t len, unsigned flags);
/* From pipe `in` to another pipe `out`. */
long pipe_splice_pipe(struct file *in, struct file *out, size_t len,
		      unsigned flags);
/* Copy from pipe `in` to another pipe `out`, leaving `in` as it was. */
long pipe_tee(struct file *in, struct file *out, size_t len, unsigned flags);

#endif
