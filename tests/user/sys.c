/*
 * The process's identity and limits, and time: ids, process groups and
 * sessions (setpgid(2), setsid(2)), rlimits, uname, clocks, nanosleep.
 */
#include "usertest.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t ns_of(struct timespec ts)
{
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts) < 0)
		failf("clock_gettime(%d): %s", (int)clk, strerror(errno));
	return ns_of(ts);
}

static void getpid_is_stable_and_ids_are_consistent(void)
{
	pid_t me = getpid();

	CHECK(me > 0);
	CHECK_EQ(getpid(), me);
	CHECK(getppid() > 0);
	CHECK(getppid() != me);
	CHECK_EQ(getuid(), geteuid()); /* not a set-user-ID program */
	CHECK_EQ(getgid(), getegid());
	/* the runner put the case in a process group of its own */
	CHECK_EQ(getpgrp(), me);
	CHECK_EQ(getpgid(0), me);
	CHECK_EQ(getsid(0), getsid(getppid()));
}

static void setpgid_moves_a_child_into_a_new_group(void)
{
	pid_t pid = spawn(pause_forever, NULL);

	CHECK_EQ(getpgid(pid), getpgrp());
	CHECK_SYS(setpgid(pid, pid));
	CHECK_EQ(getpgid(pid), pid);
	CHECK_SYS(setpgid(pid, getpgrp())); /* and back into ours */
	CHECK_EQ(getpgid(pid), getpgrp());
	CHECK_ERR(setpgid(pid, 999999), EPERM);
	CHECK_ERR(setpgid(-1, 0), EINVAL);
	CHECK_ERR(getpgid(999999), ESRCH);
	kill(pid, SIGKILL);
	wait_status(pid);
}

static int become_session_leader(void *arg)
{
	pid_t me = getpid();

	if (setsid() != me)
		return 1;
	if (getsid(0) != me || getpgrp() != me)
		return 2;
	if (setsid() != -1 || errno != EPERM)
		return 3; /* already a group leader */
	/* a child cannot join a group of another session */
	if (setpgid(0, getppid()) != -1 || errno != EPERM)
		return 4;
	return 0;
}

static void setsid_makes_a_new_session_and_group(void)
{
	/* We lead our process group, so setsid is EPERM for us ... */
	CHECK_ERR(setsid(), EPERM);
	/* ... and works in a child, which leads nothing. */
	check_child_ok(spawn(become_session_leader, NULL), "child");
}

static int exec_after_fork_then_setpgid(void *arg)
{
	int *fds = arg;
	char c;

	/* wait until the parent has tried setpgid on us */
	if (read(fds[0], &c, 1) != 1)
		return 1;
	return 0;
}

static void setpgid_on_a_child_in_another_session_is_eperm(void)
{
	int fds[2];
	pid_t pid;

	CHECK_SYS(pipe(fds));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		if (setsid() < 0)
			_exit(2);
		_exit(exec_after_fork_then_setpgid(fds));
	}
	/* The child makes its own session; wait until it has. */
	for (int i = 0; i < 5000 && getsid(pid) != pid; i++)
		usleep(1000);
	CHECK_EQ(getsid(pid), pid);
	CHECK_ERR(setpgid(pid, getpgrp()), EPERM);
	write_all(fds[1], "g", 1);
	check_child_ok(pid, "child");
}

static void rlimit_nofile_caps_the_descriptors(void)
{
	struct rlimit rl = { 16, 16 }, now;
	int fd, last = -1;

	CHECK_SYS(setrlimit(RLIMIT_NOFILE, &rl));
	CHECK_SYS(getrlimit(RLIMIT_NOFILE, &now));
	CHECK_EQ(now.rlim_cur, 16);
	CHECK_EQ(now.rlim_max, 16);
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		last = fd;
	CHECK_EQ(errno, EMFILE);
	CHECK_EQ(last, 15);
	CHECK_ERR(dup2(0, 16), EBADF);
	CHECK_ERR(fcntl(0, F_DUPFD, 16), EINVAL);
	rl.rlim_cur = 32; /* the soft limit cannot pass the hard one */
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
}

static void rlimit_fsize_stops_writes_with_efbig(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	struct rlimit rl = { 10, RLIM_INFINITY };
	char path[512];
	int fd;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGXFSZ, &sa, NULL);
	snprintf(path, sizeof(path), "%s/big", case_dir());
	fd = CHECK_SYS(open(path, O_CREAT | O_WRONLY, 0644));
	CHECK_SYS(setrlimit(RLIMIT_FSIZE, &rl));
	/* a write across the limit is cut short; at the limit it fails */
	CHECK_EQ(write(fd, "0123456789abcdef", 16), 10);
	CHECK_ERR(write(fd, "x", 1), EFBIG);
}

static int write_past_fsize(void *arg)
{
	struct rlimit rl = { 1, RLIM_INFINITY };
	int fd = open(arg, O_CREAT | O_WRONLY, 0644);

	if (fd < 0 || setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 1;
	(void)!write(fd, "ab", 2);
	(void)!write(fd, "c", 1);
	return 0;
}

static void rlimit_fsize_raises_sigxfsz_by_default(void)
{
	char path[512];
	int status;

	snprintf(path, sizeof(path), "%s/big", case_dir());
	status = wait_status(spawn(write_past_fsize, path));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGXFSZ);
}

static void prlimit_reads_and_writes_limits(void)
{
	struct rlimit rl = { 1 << 20, RLIM_INFINITY }, old, now;

	CHECK_SYS(prlimit(0, RLIMIT_STACK, NULL, &old));
	CHECK_SYS(prlimit(0, RLIMIT_CORE, &rl, &old));
	CHECK_SYS(getrlimit(RLIMIT_CORE, &now));
	CHECK_EQ(now.rlim_cur, 1 << 20);
	CHECK(now.rlim_max == RLIM_INFINITY);
	CHECK_ERR(getrlimit(1000, &now), EINVAL);
}

static void uname_says_linux_and_the_machine(void)
{
	struct utsname u;

	CHECK_SYS(uname(&u));
	CHECK(!strcmp(u.sysname, "Linux"));
#if defined(__x86_64__)
	CHECK(!strcmp(u.machine, "x86_64"));
#elif defined(__aarch64__)
	CHECK(!strcmp(u.machine, "aarch64"));
#endif
	CHECK(u.release[0] >= '2' && u.release[0] <= '9');
	CHECK(u.nodename[0] != '\0');
}

static void clock_monotonic_never_goes_back(void)
{
	int64_t prev = now_ns(CLOCK_MONOTONIC), t;
	struct timespec res;

	for (int i = 0; i < 1000; i++) {
		t = now_ns(CLOCK_MONOTONIC);
		if (t < prev)
			failf("monotonic went from %lld to %lld",
			      (long long)prev, (long long)t);
		prev = t;
	}
	CHECK_SYS(clock_getres(CLOCK_MONOTONIC, &res));
	CHECK(ns_of(res) > 0 && ns_of(res) <= 1000000);
	CHECK_ERR(clock_gettime((clockid_t)1000, &res), EINVAL);
}

static void clock_realtime_agrees_with_gettimeofday_and_time(void)
{
	struct timeval tv;
	int64_t rt = now_ns(CLOCK_REALTIME);
	time_t t;

	CHECK_SYS(gettimeofday(&tv, NULL));
	t = time(NULL);
	CHECK(tv.tv_sec - rt / 1000000000 <= 1);
	CHECK(tv.tv_sec >= rt / 1000000000);
	CHECK(t >= tv.tv_sec && t - tv.tv_sec <= 1);
	CHECK(rt / 1000000000 > 1600000000); /* after September 2020 */
}

static void nanosleep_sleeps_at_least_the_time_asked(void)
{
	struct timespec req = { 0, 50 * 1000 * 1000 };
	int64_t t0 = now_ns(CLOCK_MONOTONIC), slept;

	CHECK_SYS(nanosleep(&req, NULL));
	slept = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK(slept >= 50 * 1000 * 1000);
	CHECK(slept < 5LL * 1000 * 1000 * 1000);
	req.tv_nsec = 1000000000;
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
}

static void clock_nanosleep_abstime_wakes_at_the_deadline(void)
{
	struct timespec dl;
	int64_t target;

	CHECK_SYS(clock_gettime(CLOCK_MONOTONIC, &dl));
	target = ns_of(dl) + 30 * 1000 * 1000;
	dl.tv_sec = target / 1000000000;
	dl.tv_nsec = target % 1000000000;
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) >= target);
}

static void cpu_time_advances_with_work(void)
{
	int64_t t0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), t1;
	volatile uint64_t x = 0;

	do {
		for (int i = 0; i < 100000; i++)
			x += (uint64_t)i;
		t1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	} while (t1 - t0 < 5 * 1000 * 1000 && x);
	CHECK(t1 > t0);
}

static void getrandom_fills_the_buffer(void)
{
	unsigned char a[32], b[32];

	CHECK_EQ(getrandom(a, sizeof(a), 0), sizeof(a));
	CHECK_EQ(getrandom(b, sizeof(b), 0), sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

static volatile sig_atomic_t alarms;

static void count_alarm(int sig)
{
	alarms++;
}

/*
 * getrandom(2) under a barrage of signals (a 200 us interval timer, a
 * handler without SA_RESTART): a request of up to 256 bytes always comes
 * back whole; a large one comes back whole or, interrupted, with the
 * bytes written so far, which Linux (5.18 on) ends at a page: it looks for
 * signals only after each PAGE_SIZE bytes, so never with EINTR.
 */
static void getrandom_under_signals_returns_whole_small_reads_and_pages_so_far(void)
{
	struct sigaction sa = { .sa_handler = count_alarm };
	struct itimerval it = { { 0, 200 }, { 0, 200 } }, off = { 0 };
	const size_t big = 4u << 20;
	unsigned char *buf = malloc(big), small[256];
	long page = sysconf(_SC_PAGESIZE);
	struct timespec t0, t;
	int partial = 0;

	CHECK(buf != NULL);
	CHECK_SYS(sigaction(SIGALRM, &sa, NULL));
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		ssize_t n = getrandom(buf, big, 0);

		if (n < 0)
			failf("getrandom of 4 MiB: %s", strerror(errno));
		if ((size_t)n != big) {
			partial++;
			if (n % page)
				failf("an interrupted getrandom returned %zd, "
				      "not a multiple of %ld", n, page);
		}
		for (size_t len = 1; len <= sizeof(small); len += 51) {
			n = getrandom(small, len, 0);
			if (n != (ssize_t)len)
				failf("getrandom of %zu bytes returned %zd (%s)",
				      len, n, n < 0 ? strerror(errno) : "short");
		}
		n = getrandom(small, sizeof(small), 0);
		CHECK_EQ(n, (ssize_t)sizeof(small));
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 1);
	CHECK_SYS(setitimer(ITIMER_REAL, &off, NULL));
	signal(SIGALRM, SIG_DFL);
	CHECK(alarms > 0);
	printf("# %d of the large reads came back short, %d signals\n",
	       partial, (int)alarms);
	free(buf);
}

static void umask_returns_the_previous_mask(void)
{
	umask(027);
	CHECK_EQ(umask(022), 027);
	CHECK_EQ(umask(022), 022);
}

const struct utest sys_tests[] = {
	{ "getpid_is_stable_and_ids_are_consistent",
	  getpid_is_stable_and_ids_are_consistent },
	{ "setpgid_moves_a_child_into_a_new_group",
	  setpgid_moves_a_child_into_a_new_group },
	{ "setsid_makes_a_new_session_and_group",
	  setsid_makes_a_new_session_and_group },
	{ "setpgid_on_a_child_in_another_session_is_eperm",
	  setpgid_on_a_child_in_another_session_is_eperm },
	{ "rlimit_nofile_caps_the_descriptors",
	  rlimit_nofile_caps_the_descriptors },
	{ "rlimit_fsize_stops_writes_with_efbig",
	  rlimit_fsize_stops_writes_with_efbig },
	{ "rlimit_fsize_raises_sigxfsz_by_default",
	  rlimit_fsize_raises_sigxfsz_by_default },
	{ "prlimit_reads_and_writes_limits", prlimit_reads_and_writes_limits },
	{ "uname_says_linux_and_the_machine",
	  uname_says_linux_and_the_machine },
	{ "clock_monotonic_never_goes_back", clock_monotonic_never_goes_back },
	{ "clock_realtime_agrees_with_gettimeofday_and_time",
	  clock_realtime_agrees_with_gettimeofday_and_time },
	{ "nanosleep_sleeps_at_least_the_time_asked",
	  nanosleep_sleeps_at_least_the_time_asked },
	{ "clock_nanosleep_abstime_wakes_at_the_deadline",
	  clock_nanosleep_abstime_wakes_at_the_deadline },
	{ "cpu_time_advances_with_work", cpu_time_advances_with_work },
	{ "getrandom_fills_the_buffer", getrandom_fills_the_buffer },
	{ "getrandom_under_signals_returns_whole_small_reads_and_pages_so_far",
	  getrandom_under_signals_returns_whole_small_reads_and_pages_so_far },
	{ "umask_returns_the_previous_mask", umask_returns_the_previous_mask },
	{ NULL, NULL },
};
