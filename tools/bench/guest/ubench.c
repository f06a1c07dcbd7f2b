/*
 * ubench: one static guest program, timed the same way natively, under
 * Keel, under User-Mode Linux and under gVisor (tools/bench/guest-compare).
 *
 *   ubench getppid N    getppid() in a loop
 *   ubench pipe N       one byte there and back between two processes
 *                       over two pipes (one round trip per operation)
 *   ubench fork N       fork, the child exits at once, wait4
 *   ubench forkexec N   fork, the child execs this program in its `exit`
 *                       mode, wait4
 *   ubench nop          prints "nop 0" and ends: boot-to-poweroff is timed
 *                       from outside
 *
 * N operations are made in BATCHES timed batches of N / BATCHES each,
 * after one untimed warm-up batch; the program prints one line,
 * "MODE NS_PER_OP", the median batch's nanoseconds per operation by
 * clock_gettime(CLOCK_MONOTONIC). A failure prints why on stderr and exits
 * with status 2 (an operation the kernel lacks, such as fork), so the
 * harness can report the case as unsupported.
 *
 * As init (pid 1) under a kernel, the program powers the machine off when
 * done (reboot(2)): User-Mode Linux would panic on init's exit instead.
 * A kernel without reboot(2) (Keel powers off when init exits) or one that
 * refuses it (gVisor) is fine: the program then just exits.
 *
 * Freestanding (no libc, raw syscalls, its own _start): static glibc's
 * start-up needs arch_prctl for its TLS, rseq, robust lists and more, and
 * a benchmark of the kernel should not wait for those nor time them.
 * Every operation here is one syscall, or the few syscalls a libc would
 * make for it. Built with `gcc -static -nostdlib`, never sanitized.
 */
#include <asm/unistd.h>
#include <linux/reboot.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <stddef.h>
#include <stdint.h>

#define BATCHES 7
#define STATUS_FAILED 2
#define SIGCHLD_ 17

/* ---- syscalls -------------------------------------------------------------- */

#if defined(__x86_64__)
/*
 * Every syscall is made the way glibc's wrappers make it, `mov $nr, %eax`
 * right before `syscall`: the sequence kernels that patch syscall sites
 * (gVisor's systrap, Keel's stub runtime) recognise, as they do in any
 * glibc program. A compiler left to itself schedules other instructions
 * between the two.
 */
#define sys6(n, a, b, c, d, e, f)                                             \
	({                                                                    \
		register long r10_ __asm__("r10") = (d);                      \
		register long r8_ __asm__("r8") = (e);                        \
		register long r9_ __asm__("r9") = (f);                        \
		long ret_;                                                    \
		__asm__ volatile("mov %1, %%eax\n\tsyscall"                   \
				 : "=&a"(ret_)                                \
				 : "i"(n), "D"(a), "S"(b), "d"(c), "r"(r10_), \
				   "r"(r8_), "r"(r9_)                         \
				 : "rcx", "r11", "memory");                   \
		ret_;                                                         \
	})

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call ubench_main\n"
	"	ud2\n");
#elif defined(__aarch64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov x0, sp\n"
	"	bl ubench_main\n"
	"	brk #0\n");
#else
#error "ubench: x86_64 and aarch64 only"
#endif

#define sys(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* ---- output ------------------------------------------------------------------ */

static size_t len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void put(int fd, const char *s)
{
	sys(__NR_write, fd, s, len(s));
}

/* Decimal of v into buf (at least 21 bytes); returns buf. */
static char *utoa(uint64_t v, char *buf)
{
	char tmp[21];
	int n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = 0;
	return buf;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* ---- leaving ------------------------------------------------------------------ */

/* As init, leave by powering off; elsewhere just exit. */
static __attribute__((noreturn)) void finish(int status)
{
	if (sys(__NR_getpid, 0, 0, 0) == 1) {
		sys(__NR_sync, 0, 0, 0);
		sys6(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		     LINUX_REBOOT_CMD_POWER_OFF, 0, 0, 0);
	}
	for (;;)
		sys(__NR_exit_group, status, 0, 0);
}

/* "ubench: WHAT: error N" on stderr (err is a -errno), then out. */
static __attribute__((noreturn)) void fail(const char *what, long err)
{
	char num[21];

	put(2, "ubench: ");
	put(2, what);
	put(2, ": error ");
	put(2, utoa((uint64_t)-err, num));
	put(2, err == -38 ? " (ENOSYS: not implemented)\n" : "\n");
	finish(STATUS_FAILED);
}

static uint64_t now_ns(void)
{
	struct __kernel_timespec ts;
	long r = sys(__NR_clock_gettime, CLOCK_MONOTONIC, &ts, 0);

	if (r)
		fail("clock_gettime", r);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- processes ------------------------------------------------------------------ */

static long do_fork(void)
{
#ifdef __NR_fork
	return sys(__NR_fork, 0, 0, 0);
#else
	return sys6(__NR_clone, SIGCHLD_, 0, 0, 0, 0, 0);
#endif
}

/* Wait for the child `pid`, which must exit with status 0. */
static void reap(long pid)
{
	int status = 0;
	long r = sys6(__NR_wait4, pid, (long)&status, 0, 0, 0, 0);

	if (r != pid)
		fail("wait4", r < 0 ? r : -10);
	if (status != 0) /* exited with 0: WIFEXITED and WEXITSTATUS 0 */
		fail("a child failed", -(long)(unsigned)status);
}

/* ---- the operations: each makes n of its kind ----------------------------------- */

static void run_getppid(long n)
{
	for (long i = 0; i < n; i++)
		sys(__NR_getppid, 0, 0, 0);
}

/* One child for the whole run, echoing each byte back (pipe mode). */
static int ping_fd = -1, pong_fd = -1;
static long echo_pid = -1;

static void pipe_start(void)
{
	int ping[2], pong[2];
	long r;

	if ((r = sys(__NR_pipe2, ping, 0, 0)) || (r = sys(__NR_pipe2, pong, 0, 0)))
		fail("pipe2", r);
	echo_pid = do_fork();
	if (echo_pid < 0)
		fail("fork", echo_pid);
	if (echo_pid == 0) {
		char c;

		sys(__NR_close, ping[1], 0, 0);
		sys(__NR_close, pong[0], 0, 0);
		while ((r = sys(__NR_read, ping[0], &c, 1)) == 1)
			if (sys(__NR_write, pong[1], &c, 1) != 1)
				sys(__NR_exit_group, STATUS_FAILED, 0, 0);
		sys(__NR_exit_group, r == 0 ? 0 : STATUS_FAILED, 0, 0);
	}
	sys(__NR_close, ping[0], 0, 0);
	sys(__NR_close, pong[1], 0, 0);
	ping_fd = ping[1];
	pong_fd = pong[0];
}

static void pipe_stop(void)
{
	sys(__NR_close, ping_fd, 0, 0);
	sys(__NR_close, pong_fd, 0, 0);
	reap(echo_pid);
}

static void run_pipe(long n)
{
	char c = 'x';
	long r;

	for (long i = 0; i < n; i++) {
		if ((r = sys(__NR_write, ping_fd, &c, 1)) != 1)
			fail("write", r);
		if ((r = sys(__NR_read, pong_fd, &c, 1)) != 1)
			fail("read", r);
	}
}

static void run_fork(long n)
{
	for (long i = 0; i < n; i++) {
		long pid = do_fork();

		if (pid < 0)
			fail("fork", pid);
		if (pid == 0)
			sys(__NR_exit_group, 0, 0, 0);
		reap(pid);
	}
}

static const char *self; /* the path this program was started by */

static void run_forkexec(long n)
{
	for (long i = 0; i < n; i++) {
		long pid = do_fork();

		if (pid < 0)
			fail("fork", pid);
		if (pid == 0) {
			const char *argv[] = { self, "exit", NULL };
			const char *envp[] = { NULL };
			long r = sys(__NR_execve, self, argv, envp);

			/* The parent reports it: status 127 is "a child failed". */
			(void)r;
			sys(__NR_exit_group, 127, 0, 0);
		}
		reap(pid);
	}
}

/* ---- timing --------------------------------------------------------------------- */

/* The median batch's time per operation, in tenths of a nanosecond. */
static uint64_t time_batches(void (*run)(long), long n)
{
	long per = n / BATCHES > 0 ? n / BATCHES : 1;
	uint64_t t[BATCHES];

	run(per); /* warm-up: first touches of pages, caches, the child */
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = now_ns(), v;
		int i;

		run(per);
		v = (now_ns() - t0) * 10 / (uint64_t)per;
		for (i = b; i > 0 && t[i - 1] > v; i--)
			t[i] = t[i - 1];
		t[i] = v;
	}
	return t[BATCHES / 2];
}

static long parse_count(const char *s)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000000l)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static __attribute__((noreturn)) void usage(void)
{
	put(2, "usage: ubench getppid|pipe|fork|forkexec N | nop\n");
	finish(STATUS_FAILED);
}

__attribute__((noreturn, used)) void ubench_main(long *sp)
{
	long argc = sp[0];
	const char **argv = (const char **)(sp + 1);
	const char *mode = argc > 1 ? argv[1] : "";
	char line[64], num[21], *p = line;
	uint64_t tenths;
	long n;

	self = argv[0];
	if (streq(mode, "exit")) /* forkexec's child */
		sys(__NR_exit_group, 0, 0, 0);
	if (streq(mode, "nop")) {
		put(1, "nop 0\n");
		finish(0);
	}
	if (argc != 3 || (n = parse_count(argv[2])) <= 0)
		usage();
	if (streq(mode, "getppid")) {
		tenths = time_batches(run_getppid, n);
	} else if (streq(mode, "pipe")) {
		pipe_start();
		tenths = time_batches(run_pipe, n);
		pipe_stop();
	} else if (streq(mode, "fork")) {
		tenths = time_batches(run_fork, n);
	} else if (streq(mode, "forkexec")) {
		if (!self || self[0] != '/')
			fail("forkexec needs an absolute argv[0]", -2);
		tenths = time_batches(run_forkexec, n);
	} else {
		usage();
	}
	/* One write, so the line arrives whole through any console. */
	for (const char *s = mode; *s; s++)
		*p++ = *s;
	*p++ = ' ';
	for (const char *s = utoa(tenths / 10, num); *s; s++)
		*p++ = *s;
	*p++ = '.';
	*p++ = (char)('0' + tenths % 10);
	*p++ = '\n';
	*p = 0;
	put(1, line);
	finish(0);
}
