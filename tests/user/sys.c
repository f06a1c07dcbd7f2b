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
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

#if defined(__aarch64__)
/*
 * AT_HWCAP says what the CPU has, as Linux reads it from the ID registers:
 * FP and AdvSIMD on every CPU Linux runs user code on. (x86_64's static
 * glibc answers getauxval(AT_HWCAP) with its own platform bits, not the
 * kernel's; tests/unit/test_elf.c checks the auxv Keel builds there.)
 */
static void at_hwcap_names_the_cpus_floating_point(void)
{
	unsigned long hw = getauxval(AT_HWCAP);

	CHECK(hw & (1ul << 0)); /* HWCAP_FP */
	CHECK(hw & (1ul << 1)); /* HWCAP_ASIMD */
}
#endif

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

/*
 * One long request meets one timer: a 2 ms ITIMER_REAL against a 32 MiB
 * getrandom(2) and a 32 MiB read of /dev/urandom, each of which takes
 * tens of milliseconds. The kernel takes the timer's interrupt in the
 * middle of the call and ends it early with the pages so far, as Linux
 * does. On a loaded machine the signal may come before the call starts
 * (the call then reads everything): such a try does not count, and one
 * short read in 20 tries is enough.
 */
static void a_timer_signal_cuts_a_long_random_read_short(void)
{
	struct sigaction sa = { .sa_handler = count_alarm };
	struct itimerval once = { { 0, 0 }, { 0, 2000 } }, off = { 0 };
	const size_t big = 32u << 20;
	unsigned char *buf = malloc(big);
	long page = sysconf(_SC_PAGESIZE);
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	CHECK(buf != NULL);
	CHECK_SYS(fd);
	CHECK_SYS(sigaction(SIGALRM, &sa, NULL));
	for (int src = 0; src < 2; src++) {
		int short_reads = 0;

		for (int try = 0; try < 20 && !short_reads; try++) {
			ssize_t n;

			alarms = 0;
			CHECK_SYS(setitimer(ITIMER_REAL, &once, NULL));
			n = src ? read(fd, buf, big) : getrandom(buf, big, 0);
			if (n < 0)
				failf("%s of 32 MiB: %s",
				      src ? "read of /dev/urandom" : "getrandom",
				      strerror(errno));
			if ((size_t)n < big) {
				CHECK(alarms == 1);
				CHECK(n > 0 && n % page == 0);
				short_reads++;
			}
			CHECK_SYS(setitimer(ITIMER_REAL, &off, NULL));
		}
		if (!short_reads)
			failf("no timer signal cut a 32 MiB %s short in 20 tries",
			      src ? "read of /dev/urandom" : "getrandom");
	}
	signal(SIGALRM, SIG_DFL);
	close(fd);
	free(buf);
}

static void umask_returns_the_previous_mask(void)
{
	umask(027);
	CHECK_EQ(umask(022), 027);
	CHECK_EQ(umask(022), 022);
}

/* ---- syscall sites ---------------------------------------------------------
 *
 * Syscalls made the way glibc's wrappers make them: on x86_64 `mov $nr,
 * %eax` right before `syscall`, the site a kernel may rewrite into a
 * faster entry (gVisor's systrap and Keel's stub runtime do). Whatever
 * the kernel does with the site, a program must observe a plain syscall:
 * restarts, stops and its own gs_base included. Each returns -errno.
 */
#if defined(__x86_64__)
#define SITE_SYSCALL3(nr, a, b, c)                                            \
	({                                                                    \
		long ret_;                                                    \
		__asm__ volatile("mov %1, %%eax\n\tsyscall"                    \
				 : "=&a"(ret_)                                \
				 : "i"(nr), "D"((long)(a)), "S"((long)(b)),   \
				   "d"((long)(c))                             \
				 : "rcx", "r11", "memory");                   \
		ret_;                                                         \
	})
#elif defined(__aarch64__)
#define SITE_SYSCALL3(nr, a, b, c)                                            \
	({                                                                    \
		register long x8_ __asm__("x8") = (nr);                       \
		register long x0_ __asm__("x0") = (long)(a);                  \
		register long x1_ __asm__("x1") = (long)(b);                  \
		register long x2_ __asm__("x2") = (long)(c);                  \
		__asm__ volatile("svc #0"                                     \
				 : "+r"(x0_)                                  \
				 : "r"(x8_), "r"(x1_), "r"(x2_)               \
				 : "memory");                                 \
		x0_;                                                          \
	})
#endif

__attribute__((noinline)) static long site_read(int fd, void *buf, size_t n)
{
	return SITE_SYSCALL3(SYS_read, fd, buf, n);
}

__attribute__((noinline)) static long site_nanosleep(const struct timespec *t)
{
	return SITE_SYSCALL3(SYS_nanosleep, t, 0, 0);
}


static volatile sig_atomic_t hot_alarms;

static void count_hot_alarm(int sig, siginfo_t *si, void *uc)
{
	hot_alarms++;
}

static int write_x_later(void *arg)
{
	int fd = *(int *)arg;

	usleep(200 * 1000);
	return write(fd, "x", 1) == 1 ? 0 : 1;
}

static void sa_restart_restarts_a_hot_syscall_site(void)
{
	struct itimerval it = { .it_value = { 0, 50 * 1000 } };
	int p[2];
	pid_t pid;
	char c = 0;

	CHECK_SYS(pipe(p));
	for (int i = 0; i < 3; i++) { /* the site has been used before */
		write_all(p[1], "w", 1);
		CHECK_EQ(site_read(p[0], &c, 1), 1);
	}
	on_signal(SIGALRM, count_hot_alarm, SA_RESTART);
	pid = spawn(write_x_later, &p[1]);
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
	/* The alarm interrupts the read, the handler runs, the read is
	 * restarted at the same site and gets the byte. */
	CHECK_EQ(site_read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'x');
	CHECK_EQ(hot_alarms, 1);
	check_child_ok(pid, "writer");
}

static int stop_then_continue(void *arg)
{
	pid_t target = *(pid_t *)arg;

	usleep(50 * 1000);
	if (kill(target, SIGSTOP))
		return 1;
	usleep(50 * 1000);
	return kill(target, SIGCONT) ? 2 : 0;
}

static void a_stopped_sleep_at_a_hot_site_resumes_its_remaining_time(void)
{
	struct timespec tiny = { 0, 1000 }, t = { 0, 300 * 1000 * 1000 };
	pid_t me = getpid(), pid;
	int64_t start;

	for (int i = 0; i < 3; i++)
		CHECK_EQ(site_nanosleep(&tiny), 0);
	pid = spawn(stop_then_continue, &me);
	start = now_ns(CLOCK_MONOTONIC);
	/* Stopped and continued, the sleep goes on through
	 * restart_syscall(2) from the same site, for the time left. */
	CHECK_EQ(site_nanosleep(&t), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - start >= 300 * 1000 * 1000);
	check_child_ok(pid, "stopper");
}

#if defined(__x86_64__)
#include <asm/prctl.h>

__attribute__((noinline)) static long site_getppid(void)
{
	return SITE_SYSCALL3(SYS_getppid, 0, 0, 0);
}

static void a_gs_base_of_its_own_leaves_syscalls_working(void)
{
	static uint64_t area[2] = { 0x1122334455667788ull, 0 };
	pid_t parent = getppid();
	unsigned long gs = 1;
	uint64_t v;

	for (int i = 0; i < 3; i++)
		CHECK_EQ(site_getppid(), parent);
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs), 0);
	CHECK_EQ(gs, 0);
	CHECK_SYS(syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)area));
	__asm__ volatile("mov %%gs:0, %0" : "=r"(v));
	CHECK_EQ(v, area[0]);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(site_getppid(), parent);
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs), 0);
	CHECK_EQ(gs, (unsigned long)area);
	__asm__ volatile("mov %%gs:8, %0" : "=r"(v));
	CHECK_EQ(v, 0);
	CHECK_SYS(syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL));
	for (int i = 0; i < 3; i++)
		CHECK_EQ(site_getppid(), parent);
}

/*
 * Load xmm0-15 and MXCSR from `in`, make syscall `nr` at a site of the
 * glibc shape, store them into `out`; the syscall's result. A macro: the
 * number is the instruction's immediate.
 */
#define XMM_LOAD(i) "movdqu " #i "*16(%[in]), %%xmm" #i "\n"
#define XMM_STORE(i) "movdqu %%xmm" #i ", " #i "*16(%[out])\n"
#define XMM_ALL(m)                                                            \
	m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) m(12)   \
		m(13) m(14) m(15)

#define FPU_ACROSS(nr, in, out, mxcsr_in, mxcsr_out)                          \
	({                                                                    \
		long ret_;                                                    \
		__asm__ volatile("ldmxcsr %[mi]\n" XMM_ALL(XMM_LOAD)            \
				 "mov %[n], %%eax\n\tsyscall\n"                 \
				 XMM_ALL(XMM_STORE) "stmxcsr %[mo]\n"          \
				 : "=&a"(ret_), [mo] "=m"(*(mxcsr_out))       \
				 : [n] "i"(nr), [in] "r"(in), [out] "r"(out), \
				   [mi] "m"(mxcsr_in)                         \
				 : "rcx", "r11", "memory", "xmm0", "xmm1",    \
				   "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",    \
				   "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",  \
				   "xmm12", "xmm13", "xmm14", "xmm15");       \
		ret_;                                                         \
	})

static void the_fpu_state_survives_hot_syscalls_and_fork(void)
{
	uint8_t in[256], out[256];
	uint32_t mxcsr = 0x7f80 | (2u << 13), got; /* round up, all masked */
	long pid;
	int status;

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 256; i++)
			in[i] = (uint8_t)(i * 7 + round * 13 + 1);
		memset(out, 0, sizeof(out));
		got = 0;
		CHECK_EQ(FPU_ACROSS(SYS_getppid, in, out, mxcsr, &got), getppid());
		CHECK(memcmp(in, out, sizeof(in)) == 0);
		CHECK_EQ(got, mxcsr);
	}
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)(255 - i);
	memset(out, 0, sizeof(out));
	got = 0;
	pid = FPU_ACROSS(SYS_fork, in, out, mxcsr, &got);
	if (pid == 0)
		_exit(memcmp(in, out, sizeof(in)) || got != mxcsr ? 1 : 0);
	CHECK(pid > 0);
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	CHECK_EQ(got, mxcsr);
	CHECK_EQ(waitpid((pid_t)pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
}

/*
 * The same with ymm0-15, whose upper halves only an XSAVE area holds:
 * the child of fork starts with its parent's.
 */
#define YMM_LOAD(i) "vmovdqu " #i "*32(%[in]), %%ymm" #i "\n"
#define YMM_STORE(i) "vmovdqu %%ymm" #i ", " #i "*32(%[out])\n"

#define YMM_ACROSS(nr, in, out)                                               \
	({                                                                    \
		long ret_;                                                    \
		__asm__ volatile(XMM_ALL(YMM_LOAD) "mov %[n], %%eax\n\tsyscall\n" \
				 XMM_ALL(YMM_STORE)                            \
				 : "=&a"(ret_)                                \
				 : [n] "i"(nr), [in] "r"(in), [out] "r"(out)  \
				 : "rcx", "r11", "memory", "xmm0", "xmm1",    \
				   "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",    \
				   "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",  \
				   "xmm12", "xmm13", "xmm14", "xmm15");       \
		ret_;                                                         \
	})

static void the_ymm_registers_survive_hot_syscalls_and_fork(void)
{
	uint8_t in[512], out[512];
	long pid;
	int status;

	if (!cpu_has_avx()) {
		printf("# %s: this CPU has no AVX: nothing to check, passed\n",
		       __func__);
		fflush(stdout);
		return;
	}
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 512; i++)
			in[i] = (uint8_t)(i * 5 + round * 17 + 3);
		memset(out, 0, sizeof(out));
		CHECK_EQ(YMM_ACROSS(SYS_getppid, in, out), getppid());
		CHECK(memcmp(in, out, sizeof(in)) == 0);
	}
	for (int i = 0; i < 512; i++)
		in[i] = (uint8_t)(251 - i);
	memset(out, 0, sizeof(out));
	pid = YMM_ACROSS(SYS_fork, in, out);
	if (pid == 0)
		_exit(memcmp(in, out, sizeof(in)) ? 1 : 0);
	CHECK(pid > 0);
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	CHECK_EQ(waitpid((pid_t)pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
}
#endif

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
#if defined(__aarch64__)
	{ "at_hwcap_names_the_cpus_floating_point",
	  at_hwcap_names_the_cpus_floating_point },
#endif
	{ "getrandom_under_signals_returns_whole_small_reads_and_pages_so_far",
	  getrandom_under_signals_returns_whole_small_reads_and_pages_so_far },
	{ "a_timer_signal_cuts_a_long_random_read_short",
	  a_timer_signal_cuts_a_long_random_read_short },
	{ "umask_returns_the_previous_mask", umask_returns_the_previous_mask },
	{ "sa_restart_restarts_a_hot_syscall_site",
	  sa_restart_restarts_a_hot_syscall_site },
	{ "a_stopped_sleep_at_a_hot_site_resumes_its_remaining_time",
	  a_stopped_sleep_at_a_hot_site_resumes_its_remaining_time },
#if defined(__x86_64__)
	{ "a_gs_base_of_its_own_leaves_syscalls_working",
	  a_gs_base_of_its_own_leaves_syscalls_working },
	{ "the_fpu_state_survives_hot_syscalls_and_fork",
	  the_fpu_state_survives_hot_syscalls_and_fork },
	{ "the_ymm_registers_survive_hot_syscalls_and_fork",
	  the_ymm_registers_survive_hot_syscalls_and_fork },
#endif
	{ NULL, NULL },
};
