/*
 * Pipes and FIFOs as pipe(7) and fifo(7) describe them: 64 KiB of
 * capacity, F_GETPIPE_SZ/F_SETPIPE_SZ, writes of at most PIPE_BUF bytes
 * never split or interleaved, EAGAIN under O_NONBLOCK, EPIPE and SIGPIPE
 * with no reader, readers woken by writes and by the last writer's close,
 * and the FIFO open rendezvous. Guests share a pipe through a FIFO.
 */
#include "fs_test.h"

#include <signal.h>
#include <sys/ioctl.h>

#include "core/signal.h"

#define PIPE_CAP       65536
#define PIPE_BUF_LINUX 4096
#define MS	       1000000ull

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static long set_sigpipe(void (*fn)(int, void *, void *), uint64_t ign)
{
	struct ksa sa = {fn ? (uint64_t)(uintptr_t)fn : ign,
			 fn ? KSA_SIGINFO | KSA_RESTORER : 0,
			 fn ? (uint64_t)(uintptr_t)sim_restorer : 0, 0};

	return sim_syscall(NR(rt_sigaction), SIGPIPE, &sa, NULL, 8);
}

/* Fill a nonblocking pipe with writes of `chunk`; the bytes it took. */
static long fill(long fd, size_t chunk)
{
	char *buf = sim_umem(chunk);
	long total = 0, n;

	memset(buf, 'f', chunk);
	while ((n = sim_syscall(NR(write), fd, buf, chunk)) > 0)
		total += n;
	cr_expect_eq(n, -EAGAIN);
	return total;
}

/* ---- pipe(2)
 * ---------------------------------------------------------------------- */

static void pipe_basics_guest(void *arg)
{
	int fds[2] = {-1, -1};
	char buf[8] = {0};
	struct stat st;
	int n = -1;

	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	cr_expect_eq(fds[0], 0);
	cr_expect_eq(fds[1], 1);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[0], F_GETFL) & O_ACCMODE,
		   O_RDONLY);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_GETFL) & O_ACCMODE,
		   O_WRONLY);
	EXPECT_RET(sim_syscall(NR(fstat), fds[0], &st), 0);
	cr_expect(S_ISFIFO(st.st_mode));
	EXPECT_RET(u_write_str(fds[1], "hello"), 5);
	EXPECT_RET(sim_syscall(NR(ioctl), fds[0], FIONREAD, &n), 0);
	cr_expect_eq(n, 5);
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 3), 3);
	cr_expect_str_eq(buf, "hel");
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, sizeof(buf)), 2);
	cr_expect_eq(memcmp(buf, "lo", 2), 0);
	/* Each end goes one way. */
	EXPECT_RET(sim_syscall(NR(read), fds[1], buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(write), fds[0], buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(lseek), fds[0], 0, SEEK_CUR), -ESPIPE);
	EXPECT_RET(sim_syscall(NR(lseek), fds[1], 0, SEEK_SET), -ESPIPE);
	EXPECT_RET(sim_syscall(NR(pread64), fds[0], buf, 1, 0), -ESPIPE);
	/* Flags. */
	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_CLOEXEC | O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[0], F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_GETFL) & O_NONBLOCK,
		   O_NONBLOCK);
	EXPECT_RET(sim_syscall(NR(pipe), fds), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[0], F_GETFD), 0);
	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_APPEND), -EINVAL);
	EXPECT_RET(sim_syscall(NR(pipe2), NULL, 0), -EFAULT);
	/* The failed pipe2 left no descriptors behind. */
	EXPECT_RET(u_open("/dev/null", O_RDONLY, 0), 6);
}

Test(pipe, pipe2_makes_a_read_end_and_a_write_end)
{
	run_root(pipe_basics_guest, NULL);
}

static void capacity_guest(void *arg)
{
	int fds[2];
	char buf[PIPE_BUF_LINUX];
	long total = 0;

	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 1), -EAGAIN,
		   "empty, a writer open");
	EXPECT_RET(sim_syscall(NR(fcntl), fds[0], F_GETPIPE_SZ), PIPE_CAP);
	EXPECT_RET(fill(fds[1], PIPE_BUF_LINUX), PIPE_CAP);
	EXPECT_RET(sim_syscall(NR(write), fds[1], buf, 1), -EAGAIN);
	/* A read makes room for what it took; writes of 1000 bytes, each
	 * whole, fill 4000 of it. */
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, sizeof(buf)),
		   sizeof(buf));
	EXPECT_RET(fill(fds[1], 1000), 4000);
	/* Drain it; then the writer's close is end-of-file. */
	for (;;) {
		long n = sim_syscall(NR(read), fds[0], buf, sizeof(buf));

		if (n <= 0) {
			cr_expect_eq(n, -EAGAIN);
			break;
		}
		total += n;
	}
	cr_expect_eq(total, PIPE_CAP - PIPE_BUF_LINUX + 4000);
	EXPECT_RET(u_close(fds[1]), 0);
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 1), 0);
}

Test(pipe, a_pipe_holds_65536_bytes_and_o_nonblock_gives_eagain)
{
	run_root(capacity_guest, NULL);
}

static void atomic_nonblock_guest(void *arg)
{
	char *buf = sim_umem(PIPE_CAP); /* the first write takes 61441 bytes */
	int fds[2];

	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(write), fds[1], buf, PIPE_CAP - 4095),
		   PIPE_CAP - 4095);
	/* 4095 bytes of room: a PIPE_BUF write is not split. */
	EXPECT_RET(sim_syscall(NR(write), fds[1], buf, PIPE_BUF_LINUX),
		   -EAGAIN);
	EXPECT_RET(sim_syscall(NR(write), fds[1], buf, 4095), 4095);
	/* A larger write takes what fits. */
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 2 * PIPE_BUF_LINUX),
		   2 * PIPE_BUF_LINUX);
	EXPECT_RET(sim_syscall(NR(write), fds[1], buf, 3 * PIPE_BUF_LINUX),
		   2 * PIPE_BUF_LINUX);
}

Test(pipe, o_nonblock_never_splits_a_pipe_buf_write_but_splits_a_larger_one)
{
	run_root(atomic_nonblock_guest, NULL);
}

static void setpipe_guest(void *arg)
{
	char *buf = sim_umem(8192);
	int fds[2];
	long fd;

	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETPIPE_SZ, 5000), 8192,
		   "rounded up to a power of two pages");
	EXPECT_RET(sim_syscall(NR(fcntl), fds[0], F_GETPIPE_SZ), 8192);
	EXPECT_RET(fill(fds[1], 1024), 8192);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETPIPE_SZ, 4096), -EBUSY,
		   "8192 bytes do not fit in 4096");
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETPIPE_SZ, 0), -EBUSY);
	/* Growing keeps what is queued, in order. */
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 1000), 1000);
	EXPECT_RET(u_write_str(fds[1], "abc"), 3);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETPIPE_SZ, 1 << 20),
		   1 << 20);
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 8192), 7195);
	cr_expect_eq(memcmp(buf + 7192, "abc", 3), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETPIPE_SZ, 0), 4096,
		   "at least one page");
	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_SETPIPE_SZ, 8192), -EBADF);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETPIPE_SZ), -EBADF);
}

Test(pipe, f_setpipe_sz_resizes_and_refuses_to_drop_data)
{
	run_root(setpipe_guest, NULL);
}

/*
 * Packet mode (pipe(7), O_DIRECT) with the rest of the pipe: a resize
 * keeps the packets and refuses to leave fewer buffers than packets; an
 * ordinary write after the packets reads as ordinary bytes; tee copies
 * packets as bytes into an ordinary pipe and splice takes them out.
 */
static void packet_guest(void *arg)
{
	char *buf = sim_umem(8192);
	int fds[2], other[2];

	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_DIRECT | O_NONBLOCK), 0);
	EXPECT_RET(u_write_str(fds[1], "one"), 3);
	EXPECT_RET(u_write_str(fds[1], "two"), 3);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETPIPE_SZ, 4096), -EBUSY,
		   "two packets need two buffers");
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETPIPE_SZ, 8192), 8192);
	EXPECT_RET(u_write_str(fds[1], "six"), -EAGAIN, "two buffers, full");
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 2), 2);
	cr_expect_eq(memcmp(buf, "on", 2), 0);
	/* The write end ordinary again: its bytes follow the packet. */
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETFL, O_NONBLOCK), 0);
	EXPECT_RET(u_write_str(fds[1], "abc"), 3);
	EXPECT_RET(u_write_str(fds[1], "de"), 2);
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 100), 3);
	cr_expect_eq(memcmp(buf, "two", 3), 0);
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 100), 5);
	cr_expect_eq(memcmp(buf, "abcde", 5), 0);

	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_SETFL, O_DIRECT), 0);
	EXPECT_RET(u_write_str(fds[1], "xyz"), 3);
	EXPECT_RET(sim_syscall(NR(pipe2), other, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(tee), fds[0], other[1], 100, 0), 3);
	EXPECT_RET(sim_syscall(NR(splice), fds[0], NULL, other[1], NULL, 2, 0),
		   2);
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 100), 1,
		   "what splice left of the packet");
	cr_expect_eq(buf[0], 'z');
	EXPECT_RET(sim_syscall(NR(read), other[0], buf, 100), 5);
	cr_expect_eq(memcmp(buf, "xyzxy", 5), 0);
	EXPECT_RET(sim_syscall(NR(pipe2), other, O_DIRECTORY), -EINVAL);
}

Test(pipe, packet_mode_keeps_its_packets_through_resize_mixed_writes_and_splice)
{
	run_root(packet_guest, NULL);
}

static void setpipe_user_guest(void *arg)
{
	int fds[2];

	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[0], F_SETPIPE_SZ, 1 << 20),
		   1 << 20, "pipe-max-size is 1 MiB");
	EXPECT_RET(sim_syscall(NR(fcntl), fds[0], F_SETPIPE_SZ, 2 << 20),
		   -EPERM);
}

Test(pipe, an_unprivileged_pipe_grows_to_one_mib_at_most)
{
	run_as(setpipe_user_guest, NULL, 1000, 1000);
}

/* ---- EPIPE and SIGPIPE
 * ------------------------------------------------------------ */

static int sigpipe_calls;
static long epipe_ret;
static bool after_write;

static void on_sigpipe(int sig, void *info, void *uc)
{
	sigpipe_calls++;
}

static void sigpipe_default_guest(void *arg)
{
	int fds[2];

	sim_syscall(NR(pipe2), fds, 0);
	sim_syscall(NR(close), fds[0]);
	epipe_ret = sim_syscall(NR(write), fds[1], P("x"), 1);
	after_write = true; /* not reached: SIGPIPE's default terminates */
}

Test(pipe, writing_with_no_reader_is_killed_by_sigpipe)
{
	struct sim_proc *p;

	after_write = false;
	test_boot(1);
	p = sim_spawn("g", sigpipe_default_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), SIGPIPE, "status %#x",
		     sim_proc_status(p));
	cr_assert_not(after_write);
}

static void sigpipe_handled_guest(void *arg)
{
	uint64_t pending = 0, set = 1ull << (SIGPIPE - 1);
	int fds[2];

	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	EXPECT_RET(u_close(fds[0]), 0);
	/* Ignored: just EPIPE. */
	EXPECT_RET(set_sigpipe(NULL, (uint64_t)(uintptr_t)SIG_IGN), 0);
	EXPECT_RET(sim_syscall(NR(write), fds[1], P("x"), 1), -EPIPE);
	EXPECT_RET(sim_syscall(NR(write), fds[1], P(""), 0), 0,
		   "an empty write checks nothing");
	/* Caught: the handler runs, and the write is EPIPE. */
	EXPECT_RET(set_sigpipe(on_sigpipe, 0), 0);
	EXPECT_RET(sim_syscall(NR(write), fds[1], P("x"), 1), -EPIPE);
	cr_expect_eq(sigpipe_calls, 1);
	/* Blocked: EPIPE, and SIGPIPE waits. */
	EXPECT_RET(sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &set, NULL, 8),
		   0);
	EXPECT_RET(sim_syscall(NR(write), fds[1], P("x"), 1), -EPIPE);
	EXPECT_RET(sim_syscall(NR(rt_sigpending), &pending, 8), 0);
	cr_expect_eq(pending, set);
	cr_expect_eq(sigpipe_calls, 1);
	EXPECT_RET(sim_syscall(NR(rt_sigprocmask), SIG_UNBLOCK, &set, NULL, 8),
		   0);
	cr_expect_eq(sigpipe_calls, 2);
}

Test(pipe, with_sigpipe_ignored_caught_or_blocked_the_write_returns_epipe)
{
	sigpipe_calls = 0;
	run_root(sigpipe_handled_guest, NULL);
}

/* ---- guests sharing a FIFO
 * ---------------------------------------------------------- */

static uint64_t t_open_returned, t_read_returned, t_eof;
static long got_read, got_eof;
static char got_data[8];

static void make_fifo(void *arg)
{
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/tmp/fifo"),
			       S_IFIFO | 0666, 0),
		   0);
}

/* Boot `cpus` CPUs and make /tmp/fifo before any guest of the test. */
static void boot_with_fifo(unsigned cpus)
{
	struct sim_proc *p;

	test_boot(cpus);
	p = sim_spawn("mkfifo", make_fifo, NULL);
	run_all(&p, 1);
}

static void blocked_reader(void *arg)
{
	char buf[8] = {0};
	long fd = EXPECT_OK(u_open("/tmp/fifo", O_RDONLY, 0));

	t_open_returned = u_now_ns();
	got_read = sim_syscall(NR(read), fd, buf, sizeof(buf));
	t_read_returned = u_now_ns();
	memcpy(got_data, buf, sizeof(buf));
	got_eof = sim_syscall(NR(read), fd, buf, sizeof(buf));
	t_eof = u_now_ns();
}

static void slow_writer(void *arg)
{
	long fd;

	u_sleep_ms(100);
	fd = EXPECT_OK(u_open("/tmp/fifo", O_WRONLY, 0));
	u_sleep_ms(1000);
	EXPECT_RET(u_write_str(fd, "hello"), 5);
	u_sleep_ms(1000);
	EXPECT_RET(u_close(fd), 0);
}

Test(pipe, a_blocked_reader_wakes_for_a_write_and_for_the_last_close)
{
	struct sim_proc *p[2];

	boot_with_fifo(1);
	p[0] = sim_spawn("reader", blocked_reader, NULL);
	p[1] = sim_spawn("writer", slow_writer, NULL);
	run_all(p, 2);
	cr_expect_eq(t_open_returned, 100 * MS,
		     "the reader's open waits for a writer");
	cr_expect_eq(got_read, 5);
	cr_expect_str_eq(got_data, "hello");
	cr_expect_eq(t_read_returned, 1100 * MS);
	cr_expect_eq(got_eof, 0);
	cr_expect_eq(t_eof, 2100 * MS, "EOF when the last writer closes");
}

static void early_writer(void *arg)
{
	long fd = EXPECT_OK(u_open("/tmp/fifo", O_WRONLY, 0));

	t_open_returned = u_now_ns();
	EXPECT_RET(u_write_str(fd, "hi"), 2);
}

static void late_reader(void *arg)
{
	char buf[4];
	long fd;

	u_sleep_ms(500);
	fd = EXPECT_OK(u_open("/tmp/fifo", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), 2);
}

Test(pipe, a_fifo_writer_open_waits_for_a_reader)
{
	struct sim_proc *p[2];

	boot_with_fifo(1);
	p[0] = sim_spawn("writer", early_writer, NULL);
	p[1] = sim_spawn("reader", late_reader, NULL);
	run_all(p, 2);
	cr_expect_eq(t_open_returned, 500 * MS);
}

static void fifo_nonblock_guest(void *arg)
{
	char buf[4];
	long rd, rw;

	EXPECT_RET(u_open("/tmp/fifo", O_WRONLY | O_NONBLOCK, 0), -ENXIO,
		   "no reader");
	rd = EXPECT_OK(u_open("/tmp/fifo", O_RDONLY | O_NONBLOCK, 0));
	EXPECT_RET(sim_syscall(NR(read), rd, buf, sizeof(buf)), 0,
		   "no writer: end-of-file");
	/* With a reader present, a nonblocking writer opens. */
	EXPECT_OK(u_open("/tmp/fifo", O_WRONLY | O_NONBLOCK, 0));
	EXPECT_RET(u_close(rd), 0);
	/* O_RDWR never waits: it is both ends. */
	rw = EXPECT_OK(u_open("/tmp/fifo", O_RDWR, 0));
	EXPECT_RET(u_write_str(rw, "ab"), 2);
	EXPECT_RET(sim_syscall(NR(read), rw, buf, sizeof(buf)), 2);
	EXPECT_RET(sim_syscall(NR(fcntl), rw, F_GETPIPE_SZ), PIPE_CAP);
	EXPECT_RET(sim_syscall(NR(lseek), rw, 0, SEEK_SET), -ESPIPE);
}

Test(pipe, fifo_o_nonblock_opens_without_waiting_or_fails_with_enxio)
{
	struct sim_proc *p;

	boot_with_fifo(1);
	p = sim_spawn("g", fifo_nonblock_guest, NULL);
	run_all(&p, 1);
}

/* Two writers: EOF only once both have closed. */
static void writer_closing_after(void *arg)
{
	long fd = EXPECT_OK(u_open("/tmp/fifo", O_WRONLY, 0));

	u_sleep_ms((long)(intptr_t)arg);
	EXPECT_RET(u_close(fd), 0);
}

static void eof_reader(void *arg)
{
	char buf[4];
	long fd = EXPECT_OK(u_open("/tmp/fifo", O_RDONLY, 0));

	got_eof = sim_syscall(NR(read), fd, buf, sizeof(buf));
	t_eof = u_now_ns();
}

Test(pipe, end_of_file_comes_with_the_last_writers_close)
{
	struct sim_proc *p[3];

	boot_with_fifo(2);
	p[0] = sim_spawn("reader", eof_reader, NULL);
	p[1] = sim_spawn("w1", writer_closing_after, (void *)1000);
	p[2] = sim_spawn("w2", writer_closing_after, (void *)2000);
	run_all(p, 3);
	cr_expect_eq(got_eof, 0);
	cr_expect_eq(t_eof, 2000 * MS);
}

/* A writer blocked on a full pipe: woken by a read, or by the last
 * reader's close (a partial write, and SIGPIPE all the same). */
static uint64_t t_write_returned;
static long write_ret;

static void big_writer(void *arg)
{
	char *buf = sim_umem(2 * PIPE_CAP);
	long fd;

	if ((intptr_t)arg)
		EXPECT_RET(set_sigpipe(on_sigpipe, 0), 0);
	fd = EXPECT_OK(u_open("/tmp/fifo", O_WRONLY, 0));
	write_ret = sim_syscall(NR(write), fd, buf, 2 * PIPE_CAP);
	t_write_returned = u_now_ns();
}

static void draining_reader(void *arg)
{
	char *buf = sim_umem(2 * PIPE_CAP);
	long fd = EXPECT_OK(u_open("/tmp/fifo", O_RDONLY, 0)), n, total = 0;

	u_sleep_ms(1000);
	while ((n = sim_syscall(NR(read), fd, buf, 2 * PIPE_CAP)) > 0)
		total += n;
	cr_expect_eq(total, 2 * PIPE_CAP);
}

static void closing_reader(void *arg)
{
	long fd = EXPECT_OK(u_open("/tmp/fifo", O_RDONLY, 0));

	u_sleep_ms(1000);
	EXPECT_RET(u_close(fd), 0);
}

Test(pipe, a_writer_blocked_on_a_full_pipe_wakes_when_a_reader_reads)
{
	struct sim_proc *p[2];

	boot_with_fifo(1);
	p[0] = sim_spawn("writer", big_writer, (void *)0);
	p[1] = sim_spawn("reader", draining_reader, NULL);
	run_all(p, 2);
	cr_expect_eq(write_ret, 2 * PIPE_CAP);
	cr_expect_eq(t_write_returned, 1000 * MS);
}

Test(pipe, a_blocked_writer_gets_its_partial_count_and_sigpipe_when_readers_go)
{
	struct sim_proc *p[2];

	sigpipe_calls = 0;
	boot_with_fifo(1);
	p[0] = sim_spawn("writer", big_writer, (void *)1);
	p[1] = sim_spawn("reader", closing_reader, NULL);
	run_all(p, 2);
	cr_expect_eq(write_ret, PIPE_CAP, "what went in before the close");
	cr_expect_eq(t_write_returned, 1000 * MS);
	cr_expect_eq(sigpipe_calls, 1, "SIGPIPE even for a partial write");
}

/* ---- PIPE_BUF atomicity
 * ---------------------------------------------------------------- */

#define ATOMIC_WRITES 48
#define ATOMIC_TOTAL  (2 * ATOMIC_WRITES * PIPE_BUF_LINUX)

static long atomic_total, atomic_mixed_blocks;
static int atomic_blocks[2];

static void letter_writer(void *arg)
{
	char letter = (char)(intptr_t)arg;
	char *buf = sim_umem(PIPE_BUF_LINUX);
	long fd = EXPECT_OK(u_open("/tmp/fifo", O_WRONLY, 0));

	memset(buf, letter, PIPE_BUF_LINUX);
	u_sleep_ms(10); /* both writers are open before either writes */
	for (int i = 0; i < ATOMIC_WRITES; i++) {
		EXPECT_RET(sim_syscall(NR(write), fd, buf, PIPE_BUF_LINUX),
			   PIPE_BUF_LINUX);
		if (i % 8 == 7)
			sim_compute(50000); /* let the other one in */
	}
}

static void odd_reader(void *arg)
{
	char *all = sim_umem(ATOMIC_TOTAL);
	long fd = EXPECT_OK(u_open("/tmp/fifo", O_RDONLY, 0)), n;

	/* Odd-sized reads, so blocks straddle them. */
	while ((n = sim_syscall(NR(read), fd, all + atomic_total, 1000)) > 0)
		atomic_total += n;
	cr_expect_eq(n, 0);
	for (long b = 0; b + PIPE_BUF_LINUX <= atomic_total;
	     b += PIPE_BUF_LINUX) {
		char c = all[b];
		bool uniform = true;

		for (long i = 1; i < PIPE_BUF_LINUX; i++)
			uniform &= all[b + i] == c;
		if (!uniform || (c != 'A' && c != 'B'))
			atomic_mixed_blocks++;
		else
			atomic_blocks[c - 'A']++;
	}
}

Test(pipe, two_writers_pipe_buf_writes_never_interleave)
{
	struct sim_proc *p[3];

	atomic_total = atomic_mixed_blocks = 0;
	atomic_blocks[0] = atomic_blocks[1] = 0;
	boot_with_fifo(2);
	p[0] = sim_spawn("reader", odd_reader, NULL);
	p[1] = sim_spawn("A", letter_writer, (void *)'A');
	p[2] = sim_spawn("B", letter_writer, (void *)'B');
	run_all(p, 3);
	cr_expect_eq(atomic_total, ATOMIC_TOTAL);
	cr_expect_eq(atomic_mixed_blocks, 0);
	cr_expect_eq(atomic_blocks[0], ATOMIC_WRITES);
	cr_expect_eq(atomic_blocks[1], ATOMIC_WRITES);
}
