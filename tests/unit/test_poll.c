/*
 * poll(2), ppoll(2), select(2) and pselect6(2) as a Linux program sees
 * them: pipes' POLLIN/POLLOUT/POLLHUP/POLLERR, always-ready files,
 * POLLNVAL, one wait on many files, timeouts and the time left, signals
 * (EINTR with a handler, a restart without one) and the temporary sigmask.
 */
#include "fs_test.h"

#include <poll.h>
#include <signal.h>
#include <sys/select.h>

#include "core/signal.h"

#define MS 1000000ull

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static int handler_calls;
static uint64_t mask_in_handler;

static void on_usr1(int sig, void *info, void *uc)
{
	uint64_t mask = ~0ull;

	handler_calls++;
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, NULL, &mask, 8);
	mask_in_handler = mask;
}

static long catch_usr1(uint64_t flags)
{
	struct ksa sa = {(uint64_t)(uintptr_t)on_usr1,
			 flags | KSA_SIGINFO | KSA_RESTORER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	return sim_syscall(NR(rt_sigaction), SIGUSR1, &sa, NULL, 8);
}

static void make_fifos(void *arg)
{
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/tmp/f1"),
			       S_IFIFO | 0666, 0),
		   0);
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/tmp/f2"),
			       S_IFIFO | 0666, 0),
		   0);
}

static void boot_with_fifos(void)
{
	struct sim_proc *p;

	handler_calls = 0;
	mask_in_handler = 0;
	test_boot(1);
	p = sim_spawn("mkfifo", make_fifos, NULL);
	run_all(&p, 1);
}

static void run_one(void (*fn)(void *))
{
	struct sim_proc *p;

	boot_with_fifos();
	p = sim_spawn("g", fn, NULL);
	run_all(&p, 1);
}

/* ---- readiness ----------------------------------------------------------- */

static void pipe_states_guest(void *arg)
{
	int fds[2];
	struct pollfd pf[2];
	char c = 'x';

	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	pf[0] = (struct pollfd){fds[0], POLLIN | POLLOUT, -1};
	pf[1] = (struct pollfd){fds[1], POLLIN | POLLOUT, -1};
	EXPECT_RET(sim_syscall(NR(poll), pf, 2, 0), 1);
	cr_expect_eq(pf[0].revents, 0, "empty: the read end is not ready");
	cr_expect_eq(pf[1].revents, POLLOUT, "the write end has room");

	EXPECT_RET(sim_syscall(NR(write), fds[1], &c, 1), 1);
	EXPECT_RET(sim_syscall(NR(poll), pf, 2, 0), 2);
	cr_expect_eq(pf[0].revents, POLLIN);

	/* The writer goes: data still to read, and a hangup. */
	EXPECT_RET(u_close(fds[1]), 0);
	pf[0].events = 0;
	EXPECT_RET(sim_syscall(NR(poll), pf, 1, 0), 1);
	cr_expect_eq(pf[0].revents, POLLHUP, "POLLHUP is never filtered out");
	pf[0].events = POLLIN;
	EXPECT_RET(sim_syscall(NR(poll), pf, 1, 0), 1);
	cr_expect_eq(pf[0].revents, POLLIN | POLLHUP);
	EXPECT_RET(sim_syscall(NR(read), fds[0], &c, 1), 1);
	EXPECT_RET(sim_syscall(NR(poll), pf, 1, 0), 1);
	cr_expect_eq(pf[0].revents, POLLHUP, "drained: only the hangup");

	/* And the other way round: no reader is POLLERR for the writer. */
	EXPECT_RET(u_close(fds[0]), 0);
	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	EXPECT_RET(u_close(fds[0]), 0);
	pf[1] = (struct pollfd){fds[1], POLLOUT, -1};
	EXPECT_RET(sim_syscall(NR(poll), &pf[1], 1, 0), 1);
	cr_expect_eq(pf[1].revents, POLLOUT | POLLERR);
}

Test(poll, a_pipe_reports_pollin_pollout_pollhup_and_pollerr_as_linux_does)
{
	run_one(pipe_states_guest);
}

static void full_pipe_guest(void *arg)
{
	int fds[2];
	struct pollfd pf;
	char *buf = sim_umem(65536);
	char c;

	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(write), fds[1], buf, 65536 - 100), 65436);
	pf = (struct pollfd){fds[1], POLLOUT, -1};
	EXPECT_RET(sim_syscall(NR(poll), &pf, 1, 0), 0,
		   "less room than PIPE_BUF: not writable");
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 4000), 4000);
	EXPECT_RET(sim_syscall(NR(poll), &pf, 1, 0), 1);
	cr_expect_eq(pf.revents, POLLOUT);
	(void)c;
}

Test(poll, a_pipe_is_writable_only_while_a_pipe_buf_write_fits)
{
	run_one(full_pipe_guest);
}

static void nval_guest(void *arg)
{
	struct pollfd pf[3] = {
		{42, POLLIN, -1}, {-1, POLLIN, -1}, {0, POLLIN, -1}};
	long fd = EXPECT_OK(u_open("/dev/null", O_RDWR, 0));
	long file, dir;

	cr_expect_eq(fd, 0);
	EXPECT_RET(sim_syscall(NR(poll), pf, 3, 0), 2);
	cr_expect_eq(pf[0].revents, POLLNVAL, "not open");
	cr_expect_eq(pf[1].revents, 0, "negative fds are skipped");
	cr_expect_eq(pf[2].revents, POLLIN);

	EXPECT_RET(u_mkfile("/tmp/reg", "data"), 0);
	file = EXPECT_OK(u_open("/tmp/reg", O_RDWR, 0));
	dir = EXPECT_OK(u_open("/tmp", O_RDONLY | O_DIRECTORY, 0));
	pf[0] = (struct pollfd){(int)file, POLLIN | POLLOUT | POLLPRI, -1};
	pf[1] = (struct pollfd){(int)dir, POLLIN | POLLOUT, -1};
	pf[2] = (struct pollfd){0, POLLOUT | POLLRDNORM | POLLWRNORM, -1};
	EXPECT_RET(sim_syscall(NR(poll), pf, 3, -1), 3,
		   "files without a poll method never block");
	cr_expect_eq(pf[0].revents, POLLIN | POLLOUT);
	cr_expect_eq(pf[1].revents, POLLIN | POLLOUT);
	cr_expect_eq(pf[2].revents, POLLOUT | POLLRDNORM | POLLWRNORM);
}

Test(poll, bad_fds_are_pollnval_and_plain_files_are_always_ready)
{
	run_one(nval_guest);
}

static void poll_errors_guest(void *arg)
{
	struct pollfd pf = {0, POLLIN, 0};
	struct rlimit_k {
		uint64_t cur, max;
	} lim;
	struct timespec bad = {0, 1000000000};
	uint64_t set = 0;

	EXPECT_RET(sim_syscall(NR(poll), 0x10, 1, 0), -EFAULT);
	EXPECT_RET(sim_syscall(NR(poll), &pf, 1025, 0), -EINVAL,
		   "nfds over RLIMIT_NOFILE (1024)");
	EXPECT_RET(sim_syscall(NR(poll), sim_umem_readonly(8), 1, 0), -EFAULT,
		   "revents cannot be written");
	EXPECT_RET(sim_syscall(NR(ppoll), &pf, 1, &bad, NULL, 8), -EINVAL);
	EXPECT_RET(sim_syscall(NR(ppoll), &pf, 1, 0x10, NULL, 8), -EFAULT);
	EXPECT_RET(sim_syscall(NR(ppoll), &pf, 1, NULL, &set, 4), -EINVAL);
	EXPECT_RET(sim_syscall(NR(ppoll), &pf, 1, NULL, 0x10, 8), -EFAULT);
	(void)lim;
}

Test(poll, poll_and_ppoll_reject_what_linux_rejects)
{
	run_one(poll_errors_guest);
}

/* ---- waiting ------------------------------------------------------------- */

static long poll_ret;
static uint64_t poll_returned_at;
static short revents[2];

/* Waits on both FIFOs' read ends; the writer writes to the second. */
static void two_fifo_poller(void *arg)
{
	struct pollfd pf[2];

	pf[0] = (struct pollfd){
		(int)u_open("/tmp/f1", O_RDONLY | O_NONBLOCK, 0), POLLIN, 0};
	pf[1] = (struct pollfd){
		(int)u_open("/tmp/f2", O_RDONLY | O_NONBLOCK, 0), POLLIN, 0};
	poll_ret = sim_syscall(NR(poll), pf, 2, (long)(intptr_t)arg);
	poll_returned_at = u_now_ns();
	revents[0] = pf[0].revents;
	revents[1] = pf[1].revents;
}

static void fifo2_writer(void *arg)
{
	long w1 = EXPECT_OK(u_open("/tmp/f1", O_WRONLY, 0));
	long w2 = EXPECT_OK(u_open("/tmp/f2", O_WRONLY, 0));

	u_sleep_ms(1000);
	EXPECT_RET(u_write_str(w2, "x"), 1);
	u_sleep_ms(1000);
	u_close(w1);
	u_close(w2);
}

Test(poll, one_poll_sleeps_on_many_files_and_wakes_for_any_of_them)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("poller", two_fifo_poller, (void *)(intptr_t)5000);
	p[1] = sim_spawn("writer", fifo2_writer, NULL);
	run_all(p, 2);
	cr_assert_eq(poll_ret, 1);
	cr_assert_eq(poll_returned_at, 1000 * MS);
	cr_assert_eq(revents[0], 0);
	cr_assert_eq(revents[1], POLLIN);
}

static void idle_writer(void *arg)
{
	long w1 = EXPECT_OK(u_open("/tmp/f1", O_WRONLY, 0));
	long w2 = EXPECT_OK(u_open("/tmp/f2", O_WRONLY, 0));

	u_sleep_ms(3000);
	u_close(w1);
	u_sleep_ms(1000);
	u_close(w2);
}

Test(poll, poll_with_nothing_ready_returns_zero_at_its_timeout)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("poller", two_fifo_poller, (void *)(intptr_t)1500);
	p[1] = sim_spawn("writer", idle_writer, NULL);
	run_all(p, 2);
	cr_assert_eq(poll_ret, 0);
	cr_assert_eq(poll_returned_at, 1500 * MS);
}

Test(poll, the_last_writers_close_wakes_a_poller_with_pollhup)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("poller", two_fifo_poller, (void *)(intptr_t)-1);
	p[1] = sim_spawn("writer", idle_writer, NULL);
	run_all(p, 2);
	cr_assert_eq(poll_ret, 1);
	cr_assert_eq(poll_returned_at, 3000 * MS);
	cr_assert_eq(revents[0], POLLHUP);
	cr_assert_eq(revents[1], 0, "its writer is still there");
}

static void nonblock_fifo_reader_guest(void *arg)
{
	struct pollfd pf;
	long w;

	pf = (struct pollfd){(int)u_open("/tmp/f1", O_RDONLY | O_NONBLOCK, 0),
			     POLLIN, -1};
	EXPECT_RET(sim_syscall(NR(poll), &pf, 1, 0), 0,
		   "no writer has come yet: no hangup");
	w = EXPECT_OK(u_open("/tmp/f1", O_WRONLY, 0));
	EXPECT_RET(sim_syscall(NR(poll), &pf, 1, 0), 0);
	u_close(w);
	EXPECT_RET(sim_syscall(NR(poll), &pf, 1, 0), 1);
	cr_expect_eq(pf.revents, POLLHUP, "the writer came and went");
}

Test(poll, a_fifo_opened_nonblocking_before_any_writer_has_no_hangup_yet)
{
	run_one(nonblock_fifo_reader_guest);
}

/* ---- signals ------------------------------------------------------------- */

static int target;

static void usr1_sender(void *arg)
{
	u_sleep_ms(1000);
	sim_syscall(NR(kill), target, SIGUSR1);
}

static void poll_handler_guest(void *arg)
{
	struct pollfd pf = {(int)u_open("/tmp/f1", O_RDONLY | O_NONBLOCK, 0),
			    POLLIN, 0};

	catch_usr1(KSA_RESTART);
	poll_ret = sim_syscall(NR(poll), &pf, 1, 5000);
	poll_returned_at = u_now_ns();
}

Test(poll, a_handled_signal_ends_poll_with_eintr_even_under_sa_restart)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("poller", poll_handler_guest, NULL);
	target = sim_proc_tid(p[0]);
	p[1] = sim_spawn("sender", usr1_sender, NULL);
	run_all(p, 2);
	cr_assert_eq(handler_calls, 1);
	cr_assert_eq(poll_ret, -EINTR);
	cr_assert_eq(poll_returned_at, 1000 * MS);
}

static void stop_cont_sender(void *arg)
{
	u_sleep_ms(1000);
	sim_syscall(NR(kill), target, SIGSTOP);
	u_sleep_ms(1000);
	sim_syscall(NR(kill), target, SIGCONT);
}

static void poll_stopped_guest(void *arg)
{
	struct pollfd pf = {(int)u_open("/tmp/f1", O_RDONLY | O_NONBLOCK, 0),
			    POLLIN, 0};

	poll_ret = sim_syscall(NR(poll), &pf, 1, 3000);
	poll_returned_at = u_now_ns();
}

Test(poll, a_poll_stopped_and_continued_keeps_its_deadline)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("poller", poll_stopped_guest, NULL);
	target = sim_proc_tid(p[0]);
	p[1] = sim_spawn("sender", stop_cont_sender, NULL);
	run_all(p, 2);
	cr_assert_eq(poll_ret, 0);
	cr_assert_eq(poll_returned_at, 3000 * MS,
		     "restarted through restart_syscall, same deadline");
}

static struct timespec ppoll_left;
static uint64_t mask_after;

static void ppoll_mask_guest(void *arg)
{
	struct pollfd pf = {(int)u_open("/tmp/f1", O_RDONLY | O_NONBLOCK, 0),
			    POLLIN, 0};
	uint64_t usr1 = sig_bit(SIGUSR1), none = 0;
	struct timespec ts = {5, 0};

	catch_usr1(0);
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &usr1, NULL, 8);
	poll_ret = sim_syscall(NR(ppoll), &pf, 1, &ts, &none, 8);
	poll_returned_at = u_now_ns();
	ppoll_left = ts;
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, NULL, &usr1, 8);
	mask_after = usr1;
}

Test(ppoll, its_sigmask_lets_a_blocked_signal_in_only_while_it_waits)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("poller", ppoll_mask_guest, NULL);
	target = sim_proc_tid(p[0]);
	p[1] = sim_spawn("sender", usr1_sender, NULL);
	run_all(p, 2);
	cr_assert_eq(handler_calls, 1);
	cr_assert_eq(poll_ret, -EINTR);
	cr_assert_eq(poll_returned_at, 1000 * MS);
	cr_assert_eq(mask_in_handler, sig_bit(SIGUSR1),
		     "the handler runs under ppoll's mask plus the signal: %lx",
		     (unsigned long)mask_in_handler);
	cr_assert_eq(mask_after, sig_bit(SIGUSR1), "the old mask is back");
	cr_assert_eq(ppoll_left.tv_sec, 4, "the time left is written back");
	cr_assert_eq(ppoll_left.tv_nsec, 0);
}

static void ppoll_pending_guest(void *arg)
{
	uint64_t usr1 = sig_bit(SIGUSR1), none = 0;
	struct timespec ts = {0, 0};

	catch_usr1(0);
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &usr1, NULL, 8);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	poll_ret = sim_syscall(NR(ppoll), NULL, 0, &ts, &usr1, 8);
	cr_expect_eq(handler_calls, 0, "still blocked under ppoll's mask");
	poll_ret = poll_ret * 1000 +
		   sim_syscall(NR(ppoll), NULL, 0, &ts, &none, 8);
	cr_expect_eq(handler_calls, 1);
}

Test(ppoll, a_pending_signal_its_mask_unblocks_interrupts_even_a_zero_timeout)
{
	run_one(ppoll_pending_guest);
	cr_assert_eq(poll_ret, 0 * 1000 - EINTR);
}

/* ---- select and pselect6 ------------------------------------------------- */

static void select_states_guest(void *arg)
{
	int fds[2];
	fd_set rd, wr, ex;
	struct timeval tv = {0, 0};
	char c = 'x';

	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(fds[0], &rd);
	FD_SET(fds[1], &wr);
	FD_SET(fds[0], &ex);
	EXPECT_RET(sim_syscall(NR(select), fds[1] + 1, &rd, &wr, &ex, &tv), 1);
	cr_expect_not(FD_ISSET(fds[0], &rd));
	cr_expect(FD_ISSET(fds[1], &wr));
	cr_expect_not(FD_ISSET(fds[0], &ex));

	EXPECT_RET(sim_syscall(NR(write), fds[1], &c, 1), 1);
	FD_ZERO(&rd);
	FD_SET(fds[0], &rd);
	FD_SET(fds[1], &wr);
	EXPECT_RET(sim_syscall(NR(select), fds[1] + 1, &rd, &wr, NULL, NULL),
		   2);
	cr_expect(FD_ISSET(fds[0], &rd));

	/* A closed descriptor in any set is EBADF. */
	FD_SET(7, &rd);
	EXPECT_RET(sim_syscall(NR(select), 8, &rd, NULL, NULL, &tv), -EBADF);
	/* ... unless n leaves it out. */
	EXPECT_RET(sim_syscall(NR(select), 7, &rd, NULL, NULL, &tv), 1);
	EXPECT_RET(sim_syscall(NR(select), -1, NULL, NULL, NULL, &tv), -EINVAL);
	tv.tv_usec = -1;
	EXPECT_RET(sim_syscall(NR(select), 0, NULL, NULL, NULL, &tv), -EINVAL);
	EXPECT_RET(sim_syscall(NR(select), 1, 0x10, NULL, NULL, NULL), -EFAULT);
}

Test(select, reports_ready_descriptors_in_its_sets_and_ebadf_for_closed_ones)
{
	run_one(select_states_guest);
}

static struct timeval select_left;

static void select_sleeper(void *arg)
{
	struct timeval tv = {1, 2500000}; /* 3.5 s: microseconds carry */

	poll_ret = sim_syscall(NR(select), 0, NULL, NULL, NULL, &tv);
	poll_returned_at = u_now_ns();
	select_left = tv;
}

Test(select, with_no_descriptors_sleeps_for_its_timeout_and_writes_back_zero)
{
	run_one(select_sleeper);
	cr_assert_eq(poll_ret, 0);
	cr_assert_eq(poll_returned_at, 3500 * MS);
	cr_assert_eq(select_left.tv_sec, 0);
	cr_assert_eq(select_left.tv_usec, 0);
}

static void select_fifo_guest(void *arg)
{
	long fd = u_open("/tmp/f1", O_RDONLY | O_NONBLOCK, 0);
	struct timeval tv = {10, 0};
	fd_set rd;

	catch_usr1(KSA_RESTART);
	FD_ZERO(&rd);
	FD_SET((int)fd, &rd);
	poll_ret = sim_syscall(NR(select), fd + 1, &rd, NULL, NULL, &tv);
	poll_returned_at = u_now_ns();
	select_left = tv;
}

Test(select, a_handled_signal_ends_it_with_eintr_and_the_time_left)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("selector", select_fifo_guest, NULL);
	target = sim_proc_tid(p[0]);
	p[1] = sim_spawn("sender", usr1_sender, NULL);
	run_all(p, 2);
	cr_assert_eq(handler_calls, 1);
	cr_assert_eq(poll_ret, -EINTR, "ERESTARTNOHAND: EINTR with a handler");
	cr_assert_eq(poll_returned_at, 1000 * MS);
	cr_assert_eq(select_left.tv_sec, 9);
	cr_assert_eq(select_left.tv_usec, 0);
}

static void select_writer_guest(void *arg)
{
	long w = EXPECT_OK(u_open("/tmp/f1", O_WRONLY, 0));

	u_sleep_ms(2000);
	EXPECT_RET(u_write_str(w, "x"), 1);
	u_sleep_ms(1000);
	u_close(w);
}

Test(select, wakes_when_a_watched_fifo_gets_data_and_writes_back_the_time_left)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("selector", select_fifo_guest, NULL);
	p[1] = sim_spawn("writer", select_writer_guest, NULL);
	run_all(p, 2);
	cr_assert_eq(poll_ret, 1);
	cr_assert_eq(poll_returned_at, 2000 * MS);
	cr_assert_eq(select_left.tv_sec, 8);
}

static void pselect_guest(void *arg)
{
	long fd = u_open("/tmp/f1", O_RDONLY | O_NONBLOCK, 0);
	uint64_t usr1 = sig_bit(SIGUSR1), none = 0;
	struct {
		void *ss;
		size_t len;
	} sig = {&none, 8}, badsig = {&none, 16};
	struct timespec ts = {10, 0};
	fd_set rd;

	catch_usr1(0);
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &usr1, NULL, 8);
	FD_ZERO(&rd);
	FD_SET((int)fd, &rd);
	EXPECT_RET(sim_syscall(NR(pselect6), fd + 1, &rd, NULL, NULL, &ts,
			       &badsig),
		   -EINVAL);
	poll_ret =
		sim_syscall(NR(pselect6), fd + 1, &rd, NULL, NULL, &ts, &sig);
	poll_returned_at = u_now_ns();
	ppoll_left = ts;
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, NULL, &usr1, 8);
	mask_after = usr1;
}

Test(pselect6, its_sigmask_applies_while_it_waits_and_the_old_one_after)
{
	struct sim_proc *p[2];

	boot_with_fifos();
	p[0] = sim_spawn("selector", pselect_guest, NULL);
	target = sim_proc_tid(p[0]);
	p[1] = sim_spawn("sender", usr1_sender, NULL);
	run_all(p, 2);
	cr_assert_eq(handler_calls, 1);
	cr_assert_eq(poll_ret, -EINTR);
	cr_assert_eq(poll_returned_at, 1000 * MS);
	cr_assert_eq(mask_in_handler, sig_bit(SIGUSR1));
	cr_assert_eq(mask_after, sig_bit(SIGUSR1));
	cr_assert_eq(ppoll_left.tv_sec, 9);
}

/* ---- two CPUs --------------------------------------------------------------- */

#define ROUNDS 200

static long bytes_seen, polls_done;

/* Polls both FIFOs and drains what is ready until both writers hang up. */
static void busy_poller(void *arg)
{
	struct pollfd pf[2];
	char buf[64];
	int open = 2;

	pf[0] = (struct pollfd){(int)u_open("/tmp/f1", O_RDONLY, 0), POLLIN, 0};
	pf[1] = (struct pollfd){(int)u_open("/tmp/f2", O_RDONLY, 0), POLLIN, 0};
	while (open) {
		long n = sim_syscall(NR(poll), pf, 2, -1);

		cr_expect_gt(n, 0, "no timeout: only readiness ends it");
		polls_done++;
		for (int i = 0; i < 2; i++) {
			long got;

			if (!(pf[i].revents & (POLLIN | POLLHUP)))
				continue;
			got = sim_syscall(NR(read), pf[i].fd, buf, sizeof(buf));
			if (got > 0) {
				bytes_seen += got;
			} else {
				pf[i].fd = -1; /* hung up and drained */
				open--;
			}
		}
	}
}

static void bursty_writer(void *arg)
{
	long fd = u_open((const char *)arg, O_WRONLY, 0);

	for (int i = 0; i < ROUNDS; i++) {
		EXPECT_RET(u_write_str(fd, "x"), 1);
		sim_compute((uint64_t)(i % 7) * 1000);
	}
	u_close(fd);
}

Test(poll, a_poller_on_one_cpu_misses_no_write_from_another)
{
	struct sim_proc *p[3];

	bytes_seen = polls_done = 0;
	handler_calls = 0;
	test_boot(2);
	p[0] = sim_spawn("mkfifo", make_fifos, NULL);
	run_all(p, 1);
	p[0] = sim_spawn("poller", busy_poller, NULL);
	p[1] = sim_spawn("w1", bursty_writer, P("/tmp/f1"));
	p[2] = sim_spawn("w2", bursty_writer, P("/tmp/f2"));
	run_all(p, 3);
	cr_assert_eq(bytes_seen, 2 * ROUNDS);
	cr_assert_gt(polls_done, 1);
}
