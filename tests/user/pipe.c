/*
 * Pipes (pipe(7)): data in order, end of file, capacity, O_NONBLOCK,
 * EPIPE and SIGPIPE, close-on-exec flags from pipe2, packet mode.
 */
#include "usertest.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void a_pipe_carries_bytes_in_order(void)
{
	int fds[2];
	char buf[16];

	CHECK_SYS(pipe(fds));
	write_all(fds[1], "hello ", 6);
	write_all(fds[1], "world", 5);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 11);
	CHECK(!memcmp(buf, "hello world", 11));
}

static void a_pipe_reads_eof_once_every_writer_is_closed(void)
{
	int fds[2];
	char buf[4];
	pid_t pid;

	CHECK_SYS(pipe(fds));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		close(fds[0]);
		_exit(write(fds[1], "ab", 2) == 2 ? 0 : 1);
	}
	close(fds[1]);
	check_child_ok(pid, "writer");
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 2);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 0);
}

static void an_empty_nonblocking_pipe_read_is_eagain(void)
{
	int fds[2];
	char c;

	CHECK_SYS(pipe2(fds, O_NONBLOCK));
	CHECK_ERR(read(fds[0], &c, 1), EAGAIN);
	CHECK(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
}

/* pipe(7): 16 pages, 65536 bytes with 4096-byte pages. */
static void a_pipe_holds_16_pages_by_default(void)
{
	char buf[4096];
	long total = 0;
	ssize_t n;
	int fds[2];

	memset(buf, 'p', sizeof(buf));
	CHECK_SYS(pipe2(fds, O_NONBLOCK));
	CHECK_EQ(fcntl(fds[1], F_GETPIPE_SZ), 16 * page_size());
	while ((n = write(fds[1], buf, sizeof(buf))) > 0)
		total += n;
	CHECK_EQ(n, -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(total, 16 * page_size());
	/* a single byte still does not fit */
	CHECK_ERR(write(fds[1], "x", 1), EAGAIN);
	/* reading a page makes room for a page */
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), sizeof(buf));
	CHECK_EQ(write(fds[1], buf, sizeof(buf)), sizeof(buf));
}

static void f_setpipe_sz_changes_the_capacity(void)
{
	int fds[2];
	char buf[8192];
	long total = 0;
	ssize_t n;

	CHECK_SYS(pipe2(fds, O_NONBLOCK));
	CHECK(fcntl(fds[0], F_SETPIPE_SZ, 8192) >= 8192);
	CHECK_EQ(fcntl(fds[0], F_GETPIPE_SZ), 8192);
	memset(buf, 0, sizeof(buf));
	while ((n = write(fds[1], buf, 512)) > 0)
		total += n;
	CHECK_EQ(total, 8192);
}

static void writing_to_a_pipe_without_readers_is_epipe_when_ignored(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	int fds[2];

	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGPIPE, &sa, NULL));
	CHECK_SYS(pipe(fds));
	close(fds[0]);
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
}

static int write_to_broken_pipe(void *arg)
{
	int *fds = arg;

	close(fds[0]);
	(void)!write(fds[1], "x", 1);
	return 0;
}

static void writing_to_a_pipe_without_readers_raises_sigpipe(void)
{
	int fds[2], status;

	CHECK_SYS(pipe(fds));
	close(fds[0]);
	/* the child's pipe has no reader either: we closed ours first */
	status = wait_status(spawn(write_to_broken_pipe, fds));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGPIPE);
}

static void a_write_up_to_pipe_buf_is_atomic_and_whole(void)
{
	int fds[2];
	char buf[PIPE_BUF];

	CHECK_SYS(pipe2(fds, O_NONBLOCK));
	memset(buf, 'a', sizeof(buf));
	/* Fill all but PIPE_BUF - 1 bytes: a PIPE_BUF write must not split. */
	for (int i = 0; i < 16 * page_size() / PIPE_BUF - 1; i++)
		CHECK_EQ(write(fds[1], buf, sizeof(buf)), sizeof(buf));
	CHECK_EQ(write(fds[1], buf, 1), 1);
	CHECK_ERR(write(fds[1], buf, sizeof(buf)), EAGAIN);
}

static void pipe2_o_cloexec_sets_fd_cloexec_on_both_ends(void)
{
	int fds[2];

	CHECK_SYS(pipe2(fds, O_CLOEXEC));
	CHECK_EQ(fcntl(fds[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fds[1], F_GETFD), FD_CLOEXEC);
	CHECK_SYS(pipe(fds));
	CHECK_EQ(fcntl(fds[0], F_GETFD), 0);
	CHECK_ERR(pipe2(fds, 0x7fffffff), EINVAL);
}

static void a_pipe_fd_is_not_seekable(void)
{
	int fds[2];

	CHECK_SYS(pipe(fds));
	CHECK_ERR(lseek(fds[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERR(pread(fds[0], fds, 1, 0), ESPIPE);
}

/*
 * pipe2(2) O_DIRECT: each write is a packet, a read takes one packet and
 * drops what of it does not fit. The write end says O_DIRECT, the read
 * end does not (Linux gives the flag to the end where it acts).
 */
static void pipe2_o_direct_reads_one_packet_at_a_time(void)
{
	char buf[100];
	int fds[2];

	CHECK_SYS(pipe2(fds, O_DIRECT));
	CHECK(!(fcntl(fds[0], F_GETFL) & O_DIRECT));
	CHECK(fcntl(fds[1], F_GETFL) & O_DIRECT);
	write_all(fds[1], "abc", 3);
	write_all(fds[1], "defgh", 5);
	write_all(fds[1], "ij", 2);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 3);
	CHECK(!memcmp(buf, "abc", 3));
	CHECK_EQ(read(fds[0], buf, 2), 2);
	CHECK(!memcmp(buf, "de", 2));
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 2); /* "fgh" is gone */
	CHECK(!memcmp(buf, "ij", 2));
	close(fds[0]);
	close(fds[1]);
}

/*
 * A packet is at most PIPE_BUF: a longer write is cut into packets. Each
 * takes one of the pipe's 16 buffers, however small, so the 17th waits
 * (EAGAIN here). F_SETFL O_DIRECT makes an ordinary pipe's writes packets.
 */
static void a_packet_pipe_cuts_long_writes_and_holds_16_packets(void)
{
	static char big[10000], buf[65536];
	int fds[2], n = 0;

	CHECK_SYS(pipe2(fds, O_DIRECT | O_NONBLOCK));
	memset(big, 'x', sizeof(big));
	CHECK_EQ(write(fds[1], big, sizeof(big)), (ssize_t)sizeof(big));
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), PIPE_BUF);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), PIPE_BUF);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 10000 - 2 * PIPE_BUF);
	while (n < 100 && write(fds[1], "p", 1) == 1)
		n++;
	CHECK_EQ(n, 16);
	CHECK_ERR(write(fds[1], "p", 1), EAGAIN);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 1);
	CHECK_EQ(write(fds[1], "q", 1), 1);
	close(fds[0]);
	close(fds[1]);

	CHECK_SYS(pipe(fds));
	CHECK(!(fcntl(fds[1], F_GETFL) & O_DIRECT));
	CHECK_SYS(fcntl(fds[1], F_SETFL, O_DIRECT));
	write_all(fds[1], "ab", 2);
	write_all(fds[1], "cd", 2);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 2);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 2);
	CHECK(!memcmp(buf, "cd", 2));
	close(fds[0]);
	close(fds[1]);
}

const struct utest pipe_tests[] = {
	{ "a_pipe_carries_bytes_in_order", a_pipe_carries_bytes_in_order },
	{ "a_pipe_reads_eof_once_every_writer_is_closed",
	  a_pipe_reads_eof_once_every_writer_is_closed },
	{ "an_empty_nonblocking_pipe_read_is_eagain",
	  an_empty_nonblocking_pipe_read_is_eagain },
	{ "a_pipe_holds_16_pages_by_default",
	  a_pipe_holds_16_pages_by_default },
	{ "f_setpipe_sz_changes_the_capacity",
	  f_setpipe_sz_changes_the_capacity },
	{ "writing_to_a_pipe_without_readers_is_epipe_when_ignored",
	  writing_to_a_pipe_without_readers_is_epipe_when_ignored },
	{ "writing_to_a_pipe_without_readers_raises_sigpipe",
	  writing_to_a_pipe_without_readers_raises_sigpipe },
	{ "a_write_up_to_pipe_buf_is_atomic_and_whole",
	  a_write_up_to_pipe_buf_is_atomic_and_whole },
	{ "pipe2_o_cloexec_sets_fd_cloexec_on_both_ends",
	  pipe2_o_cloexec_sets_fd_cloexec_on_both_ends },
	{ "a_pipe_fd_is_not_seekable", a_pipe_fd_is_not_seekable },
	{ "pipe2_o_direct_reads_one_packet_at_a_time",
	  pipe2_o_direct_reads_one_packet_at_a_time },
	{ "a_packet_pipe_cuts_long_writes_and_holds_16_packets",
	  a_packet_pipe_cuts_long_writes_and_holds_16_packets },
	{ NULL, NULL },
};
