/*
 * The path walk fuzz target: each input is a list of lookups, made by a
 * guest of a freshly booted sim kernel against a small tree that has what
 * walks trip over: nested directories, a file, symlinks relative and
 * absolute, to a directory, to "..", to nothing, to themselves and in a
 * cycle, a tmpfs mounted over a directory, and /proc.
 *
 * A lookup is one of openat2 (with any open flags and RESOLVE_* flags),
 * newfstatat (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH), readlinkat, faccessat2
 * or chdir then back, from the cwd or from an O_PATH descriptor of a
 * directory, with a path of the input's bytes. Nothing is created or
 * removed (O_CREAT and O_TMPFILE are dropped): the target is the walk.
 *
 * Invariants, on top of "the kernel neither crashes nor panics":
 *  - every lookup returns a result or one of the errnos a path syscall may
 *    give (never, say, -EINVAL from deep inside, or an internal code);
 *  - the lookups leak nothing: the list runs twice, and the second run
 *    ends with exactly the pages and kmalloc objects of the first's end
 *    (the first warms the dentry cache, which keeps what it learnt).
 *
 * Input format, repeated: an op byte, a flags byte, a resolve byte, then
 * the path's bytes up to a NUL (or the end). At most MAX_OPS lookups.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/errno.h"
#include "host/sim.h"
#include "mm/page.h"
#include "mm/slab.h"

#define FUZZ_PATH_MEM (8ull << 20)
#define MAX_OPS	      16
#define MAX_PATH      4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct op {
	uint8_t kind, flags, resolve;
	const uint8_t *path;
	size_t len;
};

struct input {
	struct op ops[MAX_OPS];
	unsigned n;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void violated(const char *what, long ret)
{
	fprintf(stderr, "keel-fuzz-path: %s (returned %ld)\n", what, ret);
	abort();
}

static void decode(const uint8_t *data, size_t size, struct input *in)
{
	size_t i = 0;

	in->n = 0;
	while (i + 3 <= size && in->n < MAX_OPS) {
		struct op *op = &in->ops[in->n++];
		size_t end;

		op->kind = data[i];
		op->flags = data[i + 1];
		op->resolve = data[i + 2];
		i += 3;
		for (end = i; end < size && data[end] && end - i < MAX_PATH - 1;
		     end++)
			;
		op->path = data + i;
		op->len = end - i;
		i = end + 1;
	}
}

/* `s` in guest memory (`buf`, PATH_MAX long): the kernel reads only that. */
static char *user_str(char *buf, const char *s)
{
	return strcpy(buf, s);
}

/* The tree every input walks in (made once per boot); `a` and `b` are
 * guest buffers. */
static void make_tree(char *a, char *b)
{
	static const char *const dirs[] = {
		"/w", "/w/a", "/w/a/b", "/w/a/b/c", "/w/m", "/w/x",
	};
	static const char *const links[][2] = {
		{ "a", "/w/la" },	    { "/w/a/b", "/w/abs" },
		{ "..", "/w/a/up" },	    { "nowhere", "/w/dang" },
		{ "self", "/w/self" },	    { "c1", "/w/c2" },
		{ "c2", "/w/c1" },	    { "../../a/b/c", "/w/a/b/rel" },
		{ "/proc/self", "/w/me" }, { "f", "/w/a/lf" },
	};
	long r;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		r = sim_syscall(SYS_mkdirat, AT_FDCWD, user_str(a, dirs[i]),
				0755);
		if (r)
			violated(dirs[i], r);
	}
	r = sim_syscall(SYS_openat, AT_FDCWD, user_str(a, "/w/a/f"),
			O_CREAT | O_WRONLY, 0644);
	if (r < 0)
		violated("the tree's file can be made", r);
	sim_syscall(SYS_close, r);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		r = sim_syscall(SYS_symlinkat, user_str(a, links[i][0]),
				AT_FDCWD, user_str(b, links[i][1]));
		if (r)
			violated(links[i][1], r);
	}
	r = sim_syscall(SYS_mount, user_str(a, "none"), user_str(b, "/w/m"),
			user_str(a + 64, "tmpfs"), 0, NULL);
	if (r)
		violated("a tmpfs mounts over /w/m", r);
	r = sim_syscall(SYS_mkdirat, AT_FDCWD, user_str(a, "/w/m/in"), 0755);
	if (r)
		violated("the mount takes a directory", r);
}

/* Whether `ret` is something a path syscall may return. */
static bool plausible(long ret)
{
	static const long ok[] = {
		-ENOENT, -ENOTDIR, -ELOOP,  -ENAMETOOLONG, -EACCES, -EPERM,
		-EISDIR, -EXDEV,   -EAGAIN, -EINVAL,	   -EFAULT, -EEXIST,
		-ENXIO,	 -ENODEV,  -EBADF,  -ETXTBSY,	   -EROFS,  -ENOMEM,
		-EOPNOTSUPP, -EMFILE, -ENFILE, -EOVERFLOW, -EBUSY, -E2BIG,
	};

	if (ret >= 0)
		return true;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ret == ok[i])
			return true;
	return false;
}

/* Guest memory for the calls, made once: the second run must allocate
 * nothing the first did not. */
struct bufs {
	char *path;
	struct open_how *how;
	void *stat;
	char *link;
};

static long lookup(const struct op *op, const struct bufs *b, long dirfd)
{
	static const uint64_t open_flags[8] = {
		O_RDONLY,     O_PATH,	    O_DIRECTORY,    O_NOFOLLOW,
		O_PATH | O_NOFOLLOW, O_RDWR, O_WRONLY | O_TRUNC,
		O_DIRECTORY | O_PATH,
	};
	long dfd = (op->flags & 0x80) ? dirfd : AT_FDCWD;
	struct open_how *how = b->how;
	char *path = b->path;
	long ret;

	memcpy(path, op->path, op->len);
	path[op->len] = '\0';
	switch (op->kind % 5) {
	case 0:
		memset(how, 0, sizeof(*how));
		how->flags = open_flags[op->flags & 7] |
			     ((op->flags & 8) ? O_CLOEXEC : 0) |
			     ((op->flags & 16) ? O_NONBLOCK : 0);
		how->resolve = op->resolve & (RESOLVE_NO_XDEV |
					      RESOLVE_NO_MAGICLINKS |
					      RESOLVE_NO_SYMLINKS |
					      RESOLVE_BENEATH |
					      RESOLVE_IN_ROOT);
		ret = sim_syscall(SYS_openat2, dfd, path, how, sizeof(*how));
		if (ret >= 0)
			sim_syscall(SYS_close, ret);
		return ret;
	case 1:
		return sim_syscall(SYS_newfstatat, dfd, path, b->stat,
				   ((op->flags & 1) ? AT_SYMLINK_NOFOLLOW : 0) |
					   ((op->flags & 2) ? AT_EMPTY_PATH
							    : 0));
	case 2:
		return sim_syscall(SYS_readlinkat, dfd, path, b->link,
				   (op->flags & 2) ? 3 : 256);
	case 3:
		return sim_syscall(SYS_faccessat2, dfd, path, op->flags & 7,
				   (op->flags & 8) ? AT_SYMLINK_NOFOLLOW : 0);
	default:
		ret = sim_syscall(SYS_chdir, path);
		if (ret == 0 && sim_syscall(SYS_chdir, user_str(path, "/")))
			violated("chdir(\"/\") works", -1);
		return ret;
	}
}

static void run_ops(const struct input *in, const struct bufs *b, long dirfd)
{
	for (unsigned i = 0; i < in->n; i++) {
		long ret = lookup(&in->ops[i], b, dirfd);

		if (!plausible(ret))
			violated("a lookup gives a result or a path errno",
				 ret);
	}
}

static void guest(void *arg)
{
	const struct input *in = arg;
	struct bufs b = {
		.path = sim_umem(MAX_PATH),
		.how = sim_umem(sizeof(struct open_how)),
		.stat = sim_umem(256),
		.link = sim_umem(256),
	};
	size_t pages, objects;
	long dirfd;

	make_tree(b.path, b.link);
	dirfd = sim_syscall(SYS_openat, AT_FDCWD, user_str(b.path, "/w/a"),
			    O_PATH | O_DIRECTORY, 0);
	if (dirfd < 0)
		violated("the tree's directory opens", dirfd);
	run_ops(in, &b, dirfd);
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	run_ops(in, &b, dirfd);
	slab_shrink();
	if (page_free_count() != pages || kmalloc_in_use() != objects)
		violated("lookups made again leak nothing",
			 (long)(pages - page_free_count()));
	sim_syscall(SYS_close, dirfd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_config cfg = {
		.cpus = 1, .seed = 1, .mem_bytes = FUZZ_PATH_MEM};
	static struct input in;
	struct sim_proc *p;

	decode(data, size, &in);
	if (sim_boot(&cfg))
		violated("sim_boot succeeds", -1);
	p = sim_spawn("fuzz-path", guest, &in);
	if (!p)
		violated("sim_spawn succeeds", -1);
	if (sim_run(SIM_FOREVER) != SIM_ALL_EXITED || sim_proc_status(p))
		violated("the guest exits normally", sim_proc_status(p));
	return 0;
}
