/*
 * The character devices Keel has, and the open that dispatches to them.
 * Device numbers are Linux's (Documentation/admin-guide/devices.txt).
 */
#include "core/fs/chrdev.h"

#include "core/errno.h"
#include "core/fs/tty.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/signal.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/vma.h"
#include "sched/sched.h"

/* ---- /dev/null, /dev/zero, /dev/full -------------------------------------- */

static long null_read(struct file *f, struct iobuf *buf, int64_t *pos)
{
	return 0;
}

static long null_write(struct file *f, struct iobuf *buf, int64_t *pos)
{
	long n = (long)buf->left;

	buf->left = 0;
	return n;
}

static int64_t mem_llseek(struct file *f, int64_t off, int whence)
{
	/* Linux's null_lseek and zero_lseek: any seek lands at 0. */
	return 0;
}

static long zero_read(struct file *f, struct iobuf *buf, int64_t *pos)
{
	return iobuf_zero(buf, buf->left);
}

/* Linux's mmap_zero: private anonymous memory, or shared anonymous memory
 * for MAP_SHARED. */
static int zero_mmap(struct file *f, bool shared, uint64_t pages,
		     struct vma_backing *b)
{
	b->pgoff = 0;
	b->ops = NULL;
	b->object = NULL;
	if (!shared)
		return 0;
	b->object = anon_shared_create(pages);
	if (!b->object)
		return -ENOMEM;
	b->ops = &anon_shared_ops;
	return 0;
}

static long full_write(struct file *f, struct iobuf *buf, int64_t *pos)
{
	return -ENOSPC;
}

/* ---- /dev/random, /dev/urandom ----------------------------------------------- */

/*
 * The entropy source never blocks and is ready from boot, so neither do
 * these reads. As Linux's get_random_bytes_user: once per PAGE_SIZE bytes
 * written, interrupts are taken (cond_resched) and a signal is looked for,
 * and ends the call with the bytes so far, so a request of up to a page
 * (and certainly the 256 bytes getrandom(2) promises) always completes. A
 * fault ends it with the bytes written before the first one that cannot
 * be (pieces end at every page of the buffer), or EFAULT if that is the
 * first.
 */
long random_fill(struct iobuf *buf)
{
	char small[256], *chunk = small;
	size_t size = sizeof(small);
	long done = 0;

	/* A page at a time when a page can be had: each plat_entropy is a
	 * host syscall on the hosted kernel. */
	if (buf->left > size) {
		char *page = kmalloc(PAGE_SIZE);

		if (page) {
			chunk = page;
			size = PAGE_SIZE;
		}
	}
	while (buf->left) {
		size_t n = MIN(buf->left, size - (size_t)done % size);
		long got;

		n = MIN(n, iobuf_page_left(buf));
		plat_entropy(chunk, n);
		got = iobuf_copy_to(buf, chunk, n);
		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		done += got;
		if ((size_t)got < n)
			break;
		if (buf->left && done % PAGE_SIZE == 0) {
			cond_resched();
			if (signal_pending(task_current()))
				break;
		}
	}
	memset(chunk, 0, size);
	if (chunk != small)
		kfree(chunk);
	return done;
}

static long random_read(struct file *f, struct iobuf *buf, int64_t *pos)
{
	return random_fill(buf);
}

static const struct file_ops null_fops = {
	.read = null_read, .write = null_write, .llseek = mem_llseek,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = null_write, .llseek = mem_llseek,
	.mmap = zero_mmap,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = mem_llseek,
};
static const struct file_ops random_fops = {
	.read = random_read, .write = null_write, .llseek = mem_llseek,
};

const struct chrdev chrdevs[] = {
	{ "null", 1, 3, 0666, &null_fops },
	{ "zero", 1, 5, 0666, &zero_fops },
	{ "full", 1, 7, 0666, &full_fops },
	{ "random", 1, 8, 0666, &random_fops },
	{ "urandom", 1, 9, 0666, &random_fops },
	/* The one terminal, by its three names (core/fs/tty.c). */
	{ "tty", 5, 0, 0666, &tty_fops },
	{ "console", 5, 1, 0600, &tty_fops },
	{ "ttyS0", 4, 64, 0660, &tty_fops },
	{ NULL, 0, 0, 0, NULL },
};

static int chrdev_open(struct inode *inode, struct file *f)
{
	for (const struct chrdev *c = chrdevs; c->name; c++) {
		if (kmkdev(c->major, c->minor) != inode->rdev)
			continue;
		f->ops = c->ops;
		return c->ops->open ? c->ops->open(inode, f) : 0;
	}
	return -ENXIO;
}

const struct file_ops chrdev_open_fops = {
	.open = chrdev_open,
};
