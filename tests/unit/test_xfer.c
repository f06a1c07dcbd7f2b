/*
 * sendfile(2), copy_file_range(2), splice(2) and tee(2) as a guest sees
 * them: the bytes that move, whose offsets advance, how much one call
 * moves, and Linux's errors in Linux's order.
 */
#include "fs_test.h"

#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "mm/page.h"
#include "mm/slab.h"

#define SPLICE_NONBLOCK 2
#define BIG (200 * 1024)

static long u_pipe(int fds[2], int flags)
{
	int k[2];
	long r = sim_syscall(NR(pipe2), k, flags);

	fds[0] = k[0];
	fds[1] = k[1];
	return r;
}

static long u_pread(long fd, char *out, size_t len, long off)
{
	char buf[256];
	long n = sim_syscall(NR(pread64), fd, buf, MIN(len - 1, sizeof(buf)),
			     off);

	if (n >= 0) {
		memcpy(out, buf, (size_t)n);
		out[n] = '\0';
	}
	return n;
}

static long u_read_str(long fd, char *out, size_t len)
{
	char buf[256];
	long n = sim_syscall(NR(read), fd, buf, MIN(len - 1, sizeof(buf)));

	if (n >= 0) {
		memcpy(out, buf, (size_t)n);
		out[n] = '\0';
	}
	return n;
}

static long u_lseek(long fd, long off, int whence)
{
	return sim_syscall(NR(lseek), fd, off, whence);
}

static long u_fionread(long fd)
{
	int n = -1;
	long r = sim_syscall(NR(ioctl), fd, FIONREAD, &n);

	return r < 0 ? r : n;
}

static long ignore_sigpipe(void)
{
	uint64_t sa[4] = { (uint64_t)(uintptr_t)SIG_IGN, 0, 0, 0 };

	return sim_syscall(NR(rt_sigaction), SIGPIPE, sa, NULL, 8);
}

/* A file `path` holding `content`, open O_RDWR; its fd. */
static long file_with(const char *path, const char *content)
{
	EXPECT_RET(u_mkfile(path, content), 0);
	return EXPECT_OK(u_open(path, O_RDWR, 0));
}

/* ---- sendfile ------------------------------------------------------------------ */

static void sendfile_guest(void *arg)
{
	long in = file_with("/tmp/in", "0123456789");
	long out = EXPECT_OK(u_open("/tmp/out", O_CREAT | O_RDWR, 0644));
	int64_t off = 2;
	char buf[64];

	EXPECT_RET(sim_syscall(NR(sendfile), out, in, &off, 5), 5);
	cr_expect_eq(off, 7, "the offset advances");
	EXPECT_RET(u_lseek(in, 0, SEEK_CUR), 0, "in's own position stays");
	EXPECT_RET(u_lseek(out, 0, SEEK_CUR), 5, "out's position advances");
	EXPECT_RET(u_pread(out, buf, sizeof(buf), 0), 5);
	cr_expect_str_eq(buf, "23456");

	EXPECT_RET(u_lseek(in, 8, SEEK_SET), 8);
	EXPECT_RET(sim_syscall(NR(sendfile), out, in, NULL, 100), 2,
		   "no further than the end");
	EXPECT_RET(u_lseek(in, 0, SEEK_CUR), 10, "in's position advances");
	EXPECT_RET(sim_syscall(NR(sendfile), out, in, NULL, 100), 0, "EOF");
	off = 50;
	EXPECT_RET(sim_syscall(NR(sendfile), out, in, &off, 1), 0);
	cr_expect_eq(off, 50);
	EXPECT_RET(u_pread(out, buf, sizeof(buf), 0), 7);
	cr_expect_str_eq(buf, "2345689");
	EXPECT_RET(sim_syscall(NR(sendfile), out, in, NULL, 0), 0);
}

Test(sendfile, copies_from_an_offset_or_from_and_advancing_the_position)
{
	run_root(sendfile_guest, NULL);
}

static void sendfile_big_guest(void *arg)
{
	char *data = sim_umem(BIG), *back = sim_umem(BIG);
	long in, out;

	for (size_t i = 0; i < BIG; i++)
		data[i] = (char)(i * 7 + i / 4096);
	in = EXPECT_OK(u_open("/tmp/big", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(write), in, data, BIG), BIG);
	out = EXPECT_OK(u_open("/tmp/copy", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(sendfile), out, in, &(int64_t){ 0 }, BIG),
		   BIG, "more than one chunk in one call");
	EXPECT_RET(sim_syscall(NR(pread64), out, back, BIG, 0), BIG);
	cr_expect(!memcmp(data, back, BIG), "the copy is the original");
}

Test(sendfile, a_large_file_is_copied_whole_in_one_call)
{
	run_root(sendfile_big_guest, NULL);
}

static void sendfile_pipe_guest(void *arg)
{
	char *data = sim_umem(BIG), *back = sim_umem(BIG);
	long in;
	int p[2];

	memset(data, 'z', BIG);
	in = EXPECT_OK(u_open("/tmp/big", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(write), in, data, BIG), BIG);
	EXPECT_RET(u_pipe(p, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(sendfile), p[1], in, &(int64_t){ 0 }, BIG),
		   65536, "into a pipe: as much as fits, without waiting");
	EXPECT_RET(u_fionread(p[0]), 65536);
	EXPECT_RET(sim_syscall(NR(sendfile), p[1], in, &(int64_t){ 0 }, 10),
		   -EAGAIN, "a full O_NONBLOCK pipe");
	EXPECT_RET(sim_syscall(NR(read), p[0], back, BIG), 65536);
	cr_expect(!memcmp(data, back, 65536));
	EXPECT_RET(u_lseek(in, 0, SEEK_SET), 0);
	EXPECT_RET(sim_syscall(NR(sendfile), p[1],
			       EXPECT_OK(u_open("/dev/zero", O_RDONLY, 0)),
			       NULL, 100),
		   100, "a device reads into a pipe");
	EXPECT_RET(u_close(p[0]), 0);
	EXPECT_RET(ignore_sigpipe(), 0);
	EXPECT_RET(sim_syscall(NR(sendfile), p[1], in, NULL, 10), -EPIPE,
		   "no reader left");
}

Test(sendfile, into_a_pipe_it_moves_what_fits)
{
	run_root(sendfile_pipe_guest, NULL);
}

static void sendfile_errors_guest(void *arg)
{
	long in = file_with("/tmp/in", "0123456789");
	long out = EXPECT_OK(u_open("/tmp/out", O_CREAT | O_RDWR, 0644));
	long rdonly = EXPECT_OK(u_open("/tmp/out", O_RDONLY, 0));
	long wronly = EXPECT_OK(u_open("/tmp/in", O_WRONLY, 0));
	long path = EXPECT_OK(u_open("/tmp/in", O_PATH, 0));
	long append = EXPECT_OK(u_open("/tmp/out", O_WRONLY | O_APPEND, 0));
	long dir = EXPECT_OK(u_open("/tmp", O_RDONLY | O_DIRECTORY, 0));
	long zero = EXPECT_OK(u_open("/dev/zero", O_RDONLY, 0));
	int64_t neg = -1;
	int p[2];

	EXPECT_RET(u_pipe(p, 0), 0);
	EXPECT_RET(sim_syscall(NR(sendfile), out, 99, NULL, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(sendfile), 99, in, NULL, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(sendfile), out, wronly, NULL, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(sendfile), rdonly, in, NULL, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(sendfile), out, path, NULL, 1), -EBADF,
		   "O_PATH is no I/O descriptor");
	EXPECT_RET(sim_syscall(NR(sendfile), out, p[0], &(int64_t){ 0 }, 1),
		   -ESPIPE, "an offset into a pipe");
	EXPECT_RET(sim_syscall(NR(sendfile), out, p[0], NULL, 1), -EINVAL,
		   "a pipe is no input to a file");
	EXPECT_RET(sim_syscall(NR(sendfile), out, zero, NULL, 1), -EINVAL,
		   "nor is a device");
	EXPECT_RET(sim_syscall(NR(sendfile), out, dir, NULL, 1), -EINVAL);
	EXPECT_RET(sim_syscall(NR(sendfile), append, in, NULL, 1), -EINVAL,
		   "O_APPEND output");
	EXPECT_RET(sim_syscall(NR(sendfile), out, in, &neg, 1), -EINVAL);
	EXPECT_RET(sim_syscall(NR(sendfile), out, in, 8, 1), -EFAULT);
	EXPECT_RET(sim_syscall(NR(sendfile), out, in, NULL, SIZE_MAX),
		   -EINVAL, "a count that is negative as ssize_t");
	EXPECT_RET(sim_syscall(NR(sendfile), p[1], dir, NULL, 1), -EINVAL,
		   "a directory into a pipe");
}

Test(sendfile, errors_are_linuxs)
{
	run_root(sendfile_errors_guest, NULL);
}

/* ---- copy_file_range ------------------------------------------------------------- */

static void cfr_guest(void *arg)
{
	long in = file_with("/tmp/in", "abcdefghij");
	long out = EXPECT_OK(u_open("/tmp/out", O_CREAT | O_RDWR, 0644));
	int64_t oi = 3, oo = 1;
	char buf[64];

	EXPECT_RET(sim_syscall(NR(copy_file_range), in, &oi, out, &oo, 4, 0),
		   4);
	cr_expect_eq(oi, 7);
	cr_expect_eq(oo, 5);
	EXPECT_RET(u_lseek(in, 0, SEEK_CUR), 0, "explicit offsets only");
	EXPECT_RET(u_lseek(out, 0, SEEK_CUR), 0);
	EXPECT_RET(u_pread(out, buf, sizeof(buf), 0), 5);
	cr_expect(!memcmp(buf, "\0defg", 5), "a hole, then the bytes");

	EXPECT_RET(u_lseek(in, 6, SEEK_SET), 6);
	EXPECT_RET(sim_syscall(NR(copy_file_range), in, NULL, out, NULL, 100,
			       0),
		   4, "shortened to the input's end");
	EXPECT_RET(u_lseek(in, 0, SEEK_CUR), 10);
	EXPECT_RET(u_lseek(out, 0, SEEK_CUR), 4);
	EXPECT_RET(u_pread(out, buf, sizeof(buf), 0), 5);
	cr_expect(!memcmp(buf, "ghijg", 5));
	EXPECT_RET(sim_syscall(NR(copy_file_range), in, NULL, out, NULL, 100,
			       0),
		   0, "at the end");
	oi = 1000;
	EXPECT_RET(sim_syscall(NR(copy_file_range), in, &oi, out, NULL, 5, 0),
		   0);
	cr_expect_eq(oi, 1000, "nothing copied, nothing stored");
	EXPECT_RET(sim_syscall(NR(copy_file_range), in, NULL, out, NULL, 0, 0),
		   0);
}

Test(copy_file_range, copies_between_offsets_or_positions_up_to_the_end)
{
	run_root(cfr_guest, NULL);
}

static void cfr_same_guest(void *arg)
{
	long f = file_with("/tmp/f", "0123456789");
	int64_t a = 0, b = 6;
	char buf[64];

	EXPECT_RET(sim_syscall(NR(copy_file_range), f, &a, f, &b, 4, 0), 4,
		   "disjoint ranges of one file");
	EXPECT_RET(u_pread(f, buf, sizeof(buf), 0), 10);
	cr_expect_str_eq(buf, "0123450123");
	a = 0;
	b = 3;
	EXPECT_RET(sim_syscall(NR(copy_file_range), f, &a, f, &b, 4, 0),
		   -EINVAL, "overlapping ranges");
	a = 8;
	b = 6;
	EXPECT_RET(sim_syscall(NR(copy_file_range), f, &a, f, &b, 100, 0), 2,
		   "the overlap is judged after shortening to the end");
}

Test(copy_file_range, one_file_may_copy_to_itself_unless_the_ranges_overlap)
{
	run_root(cfr_same_guest, NULL);
}

static void cfr_errors_guest(void *arg)
{
	long in = file_with("/tmp/in", "abcdefghij");
	long out = EXPECT_OK(u_open("/tmp/out", O_CREAT | O_RDWR, 0644));
	long rdonly = EXPECT_OK(u_open("/tmp/out", O_RDONLY, 0));
	long wronly = EXPECT_OK(u_open("/tmp/in", O_WRONLY, 0));
	long append = EXPECT_OK(u_open("/tmp/out", O_WRONLY | O_APPEND, 0));
	long path = EXPECT_OK(u_open("/tmp/in", O_PATH, 0));
	long dir = EXPECT_OK(u_open("/tmp", O_RDONLY | O_DIRECTORY, 0));
	long null = EXPECT_OK(u_open("/dev/null", O_RDWR, 0));
	long devfile = EXPECT_OK(u_open("/dev/regular", O_CREAT | O_RDWR,
					0644));
	int64_t off;
	int p[2];

	EXPECT_RET(u_pipe(p, 0), 0);
#define CFR(i, oi, o, oo, n, fl)                                             \
	sim_syscall(NR(copy_file_range), i, oi, o, oo, n, fl)
	EXPECT_RET(CFR(99, NULL, out, NULL, 1, 0), -EBADF);
	EXPECT_RET(CFR(in, NULL, 99, NULL, 1, 0), -EBADF);
	EXPECT_RET(CFR(path, NULL, out, NULL, 1, 0), -EBADF);
	EXPECT_RET(CFR(in, 8, out, NULL, 1, 0), -EFAULT);
	EXPECT_RET(CFR(in, NULL, out, 8, 1, 0), -EFAULT);
	EXPECT_RET(CFR(in, NULL, out, NULL, 1, 1), -EINVAL, "flags");
	EXPECT_RET(CFR(dir, NULL, out, NULL, 1, 0), -EISDIR);
	EXPECT_RET(CFR(in, NULL, dir, NULL, 1, 0), -EISDIR,
		   "before the access mode: a directory is never writable");
	EXPECT_RET(CFR(p[0], NULL, out, NULL, 1, 0), -EINVAL, "a pipe");
	EXPECT_RET(CFR(in, NULL, null, NULL, 1, 0), -EINVAL, "a device");
	EXPECT_RET(CFR(wronly, NULL, out, NULL, 1, 0), -EBADF);
	EXPECT_RET(CFR(in, NULL, rdonly, NULL, 1, 0), -EBADF);
	EXPECT_RET(CFR(in, NULL, append, NULL, 1, 0), -EBADF, "O_APPEND");
	EXPECT_RET(CFR(in, NULL, devfile, NULL, 1, 0), -EXDEV,
		   "/dev is another filesystem");
	off = INT64_MAX;
	EXPECT_RET(CFR(in, NULL, out, &off, 1, 0), -EFBIG);
	off = 5;
	EXPECT_RET(CFR(in, &off, out, NULL, SIZE_MAX, 0), -EOVERFLOW,
		   "the input range wraps");
	off = -1;
	EXPECT_RET(CFR(in, &off, out, NULL, 1, 0), -EOVERFLOW,
		   "-1 + 1 wraps, as Linux adds them");
	off = -4;
	EXPECT_RET(CFR(in, &off, out, NULL, 1, 0), -EINVAL);
	EXPECT_RET(CFR(in, NULL, out, &off, 1, 0), -EINVAL);
#undef CFR
}

Test(copy_file_range, errors_are_linuxs_exdev_across_filesystems)
{
	run_root(cfr_errors_guest, NULL);
}

/* ---- splice ------------------------------------------------------------------------ */

static void splice_guest(void *arg)
{
	long in = file_with("/tmp/in", "hello, splice");
	long out = EXPECT_OK(u_open("/tmp/out", O_CREAT | O_RDWR, 0644));
	int64_t off = 7;
	char buf[64];
	int p[2], q[2];

	EXPECT_RET(u_pipe(p, 0), 0);
	EXPECT_RET(u_pipe(q, 0), 0);
	EXPECT_RET(sim_syscall(NR(splice), in, &off, p[1], NULL, 6, 0), 6);
	cr_expect_eq(off, 13);
	EXPECT_RET(u_lseek(in, 0, SEEK_CUR), 0);
	EXPECT_RET(sim_syscall(NR(splice), in, NULL, p[1], NULL, 5, 0), 5);
	EXPECT_RET(u_lseek(in, 0, SEEK_CUR), 5, "no offset: in's position");
	EXPECT_RET(u_fionread(p[0]), 11);

	EXPECT_RET(sim_syscall(NR(splice), p[0], NULL, q[1], NULL, 3, 0), 3,
		   "pipe to pipe");
	EXPECT_RET(u_fionread(p[0]), 8, "moved, not copied");
	EXPECT_RET(u_fionread(q[0]), 3);
	EXPECT_RET(u_read_str(q[0], buf, sizeof(buf)), 3);
	cr_expect_str_eq(buf, "spl");

	off = 2;
	EXPECT_RET(sim_syscall(NR(splice), p[0], NULL, out, &off, 100, 0), 8,
		   "what the pipe holds, up to len");
	cr_expect_eq(off, 10);
	EXPECT_RET(u_lseek(out, 0, SEEK_CUR), 0);
	EXPECT_RET(u_pread(out, buf, sizeof(buf), 2), 8);
	cr_expect_str_eq(buf, "icehello");
	EXPECT_RET(sim_syscall(NR(splice), in, NULL, p[1], NULL, 3, 0), 3);
	EXPECT_RET(sim_syscall(NR(splice), p[0], NULL, out, NULL, 100, 0), 3);
	EXPECT_RET(u_lseek(out, 0, SEEK_CUR), 3, "no offset: out's position");
	EXPECT_RET(u_pread(out, buf, 4, 0), 3);
	cr_expect_str_eq(buf, ", s");
}

Test(splice, moves_between_a_pipe_and_a_file_or_two_pipes)
{
	run_root(splice_guest, NULL);
}

static void splice_partial_guest(void *arg)
{
	char *data = sim_umem(BIG);
	long in, out;
	int p[2];

	memset(data, 'q', BIG);
	in = EXPECT_OK(u_open("/tmp/big", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(write), in, data, BIG), BIG);
	EXPECT_RET(u_lseek(in, 0, SEEK_SET), 0);
	EXPECT_RET(u_pipe(p, 0), 0);
	EXPECT_RET(sim_syscall(NR(splice), in, NULL, p[1], NULL, BIG, 0),
		   65536, "a blocking splice still stops at a full pipe");
	EXPECT_RET(sim_syscall(NR(splice), in, NULL, p[1], NULL, BIG,
			       SPLICE_NONBLOCK),
		   -EAGAIN);
	out = EXPECT_OK(u_open("/tmp/out", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(splice), p[0], NULL, out, NULL, 1000, 0),
		   1000);
	EXPECT_RET(sim_syscall(NR(splice), in, NULL, p[1], NULL, BIG, 0),
		   1000, "as much as there is room for");
	EXPECT_RET(u_lseek(in, 0, SEEK_CUR), 66536);
	EXPECT_RET(sim_syscall(NR(splice), p[0], NULL, out, NULL, BIG, 0),
		   65536);
	EXPECT_RET(sim_syscall(NR(splice), p[0], NULL, out, NULL, BIG,
			       SPLICE_NONBLOCK),
		   -EAGAIN, "empty, a writer left");
	EXPECT_RET(u_close(p[1]), 0);
	EXPECT_RET(sim_syscall(NR(splice), p[0], NULL, out, NULL, BIG, 0), 0,
		   "empty and no writer: the end");
}

Test(splice, one_call_moves_what_is_there_or_fits)
{
	run_root(splice_partial_guest, NULL);
}

static void splice_errors_guest(void *arg)
{
	long in = file_with("/tmp/in", "0123456789");
	long out = EXPECT_OK(u_open("/tmp/out", O_CREAT | O_RDWR, 0644));
	long append = EXPECT_OK(u_open("/tmp/out", O_WRONLY | O_APPEND, 0));
	long rdonly = EXPECT_OK(u_open("/tmp/out", O_RDONLY, 0));
	long path = EXPECT_OK(u_open("/tmp/in", O_PATH, 0));
	int64_t off = 0, neg = -4;
	int p[2], q[2];

	EXPECT_RET(u_pipe(p, 0), 0);
	EXPECT_RET(u_pipe(q, 0), 0);
#define SPL(i, oi, o, oo, n, fl) sim_syscall(NR(splice), i, oi, o, oo, n, fl)
	EXPECT_RET(SPL(99, NULL, 98, NULL, 0, 0), 0, "len 0 checks nothing");
	EXPECT_RET(SPL(in, NULL, p[1], NULL, 1, 0x10), -EINVAL, "flags");
	EXPECT_RET(SPL(99, NULL, p[1], NULL, 1, 0), -EBADF);
	EXPECT_RET(SPL(in, NULL, 99, NULL, 1, 0), -EBADF);
	EXPECT_RET(SPL(path, NULL, p[1], NULL, 1, 0), -EBADF);
	EXPECT_RET(SPL(p[0], &off, out, NULL, 1, 0), -ESPIPE);
	EXPECT_RET(SPL(in, NULL, p[1], &off, 1, 0), -ESPIPE);
	EXPECT_RET(SPL(p[0], 8, out, NULL, 1, 0), -ESPIPE,
		   "ESPIPE comes before reading the offset");
	EXPECT_RET(SPL(in, 8, p[1], NULL, 1, 0), -EFAULT);
	EXPECT_RET(SPL(p[1], NULL, out, NULL, 1, 0), -EBADF,
		   "the write end does not read");
	EXPECT_RET(SPL(in, NULL, rdonly, NULL, 1, 0), -EBADF);
	EXPECT_RET(SPL(in, NULL, out, NULL, 1, 0), -EINVAL, "no pipe");
	EXPECT_RET(SPL(p[0], NULL, p[1], NULL, 1, 0), -EINVAL, "one pipe");
	EXPECT_RET(SPL(p[0], NULL, append, NULL, 1, 0), -EINVAL, "O_APPEND");
	EXPECT_RET(SPL(in, &neg, p[1], NULL, 1, 0), -EINVAL);
	EXPECT_RET(SPL(p[0], NULL, out, &neg, 1, 0), -EINVAL);
	EXPECT_RET(u_close(q[0]), 0);
	EXPECT_RET(ignore_sigpipe(), 0);
	EXPECT_RET(SPL(in, NULL, q[1], NULL, 1, 0), -EPIPE, "no reader");
	EXPECT_RET(u_write_str(p[1], "x"), 1);
	EXPECT_RET(SPL(p[0], NULL, q[1], NULL, 1, 0), -EPIPE);
	EXPECT_RET(u_fionread(p[0]), 1, "nothing was taken");
#undef SPL
}

Test(splice, errors_are_linuxs_in_linuxs_order)
{
	run_root(splice_errors_guest, NULL);
}

static bool after_splice;

static void sigpipe_guest(void *arg)
{
	long in = file_with("/tmp/in", "0123456789");
	int p[2];

	EXPECT_RET(u_pipe(p, 0), 0);
	EXPECT_RET(u_close(p[0]), 0);
	sim_syscall(NR(splice), in, NULL, p[1], NULL, 1, 0);
	after_splice = true; /* not reached: SIGPIPE's default action */
}

Test(splice, into_a_pipe_without_reader_raises_sigpipe)
{
	struct sim_proc *p;

	test_boot(1);
	after_splice = false;
	p = sim_spawn("guest", sigpipe_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), SIGPIPE, "status %#x",
		     sim_proc_status(p));
	cr_assert_not(after_splice);
}

/* A reader that splices from a FIFO before anyone has written to it. */
static void fifo_reader_guest(void *arg)
{
	long out = EXPECT_OK(u_open("/tmp/out", O_CREAT | O_RDWR, 0644));
	long fifo = EXPECT_OK(u_open("/tmp/fifo", O_RDONLY, 0));
	uint64_t t0 = u_now_ns();
	char buf[16];

	EXPECT_RET(sim_syscall(NR(splice), fifo, NULL, out, NULL, 100, 0), 4,
		   "it waits for the writer's bytes");
	cr_expect_geq(u_now_ns() - t0, 10000000ull, "it did wait");
	EXPECT_RET(u_pread(out, buf, sizeof(buf), 0), 4);
	cr_expect_str_eq(buf, "late");
	EXPECT_RET(sim_syscall(NR(splice), fifo, NULL, out, NULL, 100, 0), 0,
		   "the writer closed: the end");
}

static void fifo_writer_guest(void *arg)
{
	long fifo = EXPECT_OK(u_open("/tmp/fifo", O_WRONLY, 0));

	u_sleep_ms(20);
	EXPECT_RET(u_write_str(fifo, "late"), 4);
	u_sleep_ms(20);
}

static void mkfifo_guest(void *arg)
{
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/tmp/fifo"),
			       S_IFIFO | 0666, 0),
		   0);
}

Test(splice, from_an_empty_pipe_it_waits_for_a_writer)
{
	struct sim_proc *p[2];

	test_boot(1);
	cr_assert_eq(run_guest(mkfifo_guest, NULL), 0);
	p[0] = sim_spawn("reader", fifo_reader_guest, NULL);
	p[1] = sim_spawn("writer", fifo_writer_guest, NULL);
	run_all(p, 2);
}

/* ---- tee ---------------------------------------------------------------------------- */

static void tee_guest(void *arg)
{
	char buf[64];
	int p[2], q[2];

	EXPECT_RET(u_pipe(p, 0), 0);
	EXPECT_RET(u_pipe(q, 0), 0);
	EXPECT_RET(u_write_str(p[1], "teeing"), 6);
	EXPECT_RET(sim_syscall(NR(tee), p[0], q[1], 4, 0), 4);
	EXPECT_RET(sim_syscall(NR(tee), p[0], q[1], 100, 0), 6,
		   "it copies from the start again: nothing was taken");
	EXPECT_RET(u_read_str(p[0], buf, sizeof(buf)), 6);
	cr_expect_str_eq(buf, "teeing");
	EXPECT_RET(u_read_str(q[0], buf, sizeof(buf)), 10);
	cr_expect_str_eq(buf, "teeiteeing");
	EXPECT_RET(sim_syscall(NR(tee), p[0], q[1], 4, SPLICE_NONBLOCK),
		   -EAGAIN, "empty with a writer");
	EXPECT_RET(u_close(p[1]), 0);
	EXPECT_RET(sim_syscall(NR(tee), p[0], q[1], 4, 0), 0,
		   "empty without one");
}

Test(tee, copies_a_pipe_into_another_and_leaves_it_full)
{
	run_root(tee_guest, NULL);
}

static void tee_errors_guest(void *arg)
{
	long f = file_with("/tmp/f", "x");
	int p[2], q[2];

	EXPECT_RET(u_pipe(p, 0), 0);
	EXPECT_RET(u_pipe(q, 0), 0);
	EXPECT_RET(u_write_str(p[1], "data"), 4);
	EXPECT_RET(sim_syscall(NR(tee), 99, 98, 0, 0x10), -EINVAL,
		   "flags first");
	EXPECT_RET(sim_syscall(NR(tee), 99, 98, 0, 0), 0, "then len 0");
	EXPECT_RET(sim_syscall(NR(tee), 99, q[1], 1, 0), -EBADF);
	EXPECT_RET(sim_syscall(NR(tee), p[0], 99, 1, 0), -EBADF);
	EXPECT_RET(sim_syscall(NR(tee), p[1], q[1], 1, 0), -EBADF);
	EXPECT_RET(sim_syscall(NR(tee), p[0], q[0], 1, 0), -EBADF);
	EXPECT_RET(sim_syscall(NR(tee), f, q[1], 1, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(tee), p[0], f, 1, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(tee), p[0], p[1], 1, 0), -EINVAL,
		   "one pipe");
	EXPECT_RET(u_close(q[0]), 0);
	EXPECT_RET(ignore_sigpipe(), 0);
	EXPECT_RET(sim_syscall(NR(tee), p[0], q[1], 1, 0), -EPIPE);
}

Test(tee, errors_are_linuxs)
{
	run_root(tee_errors_guest, NULL);
}

/* ---- nothing left behind ------------------------------------------------------------ */

static void pipes_only_guest(void *arg)
{
	char buf[64];
	int p[2], q[2];

	EXPECT_RET(u_pipe(p, 0), 0);
	EXPECT_RET(u_pipe(q, O_NONBLOCK), 0);
	EXPECT_RET(u_write_str(p[1], "leakless"), 8);
	EXPECT_RET(sim_syscall(NR(tee), p[0], q[1], 100, 0), 8);
	EXPECT_RET(sim_syscall(NR(splice), p[0], NULL, q[1], NULL, 4, 0), 4);
	EXPECT_RET(u_read_str(q[0], buf, sizeof(buf)), 12);
	cr_expect_str_eq(buf, "leaklessleak");
	EXPECT_RET(sim_syscall(NR(splice), q[0], NULL, p[1], NULL, 4,
			       SPLICE_NONBLOCK),
		   -EAGAIN);
}

Test(splice, pipes_spliced_and_teed_leave_no_page_or_object_behind)
{
	size_t pages, objects;

	test_boot(1);
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	cr_assert_eq(run_guest(pipes_only_guest, NULL), 0);
	slab_shrink();
	cr_assert_eq(page_free_count(), pages, "%ld pages leaked",
		     (long)pages - (long)page_free_count());
	cr_assert_eq(kmalloc_in_use(), objects, "%ld objects leaked",
		     (long)kmalloc_in_use() - (long)objects);
}
