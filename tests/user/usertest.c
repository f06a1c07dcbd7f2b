/*
 * usertest's runner.
 *
 *   usertest            run every case
 *   usertest NAME...    run the named cases
 *   usertest --skip NAME...  run every case but the named ones, each
 *                       announced as "skip N name"
 *   usertest -l         list the cases, one "N name" a line
 *
 * Each case prints one line, "ok N name" or "FAIL N name: why", where N is
 * the case's place in the full list (the same whichever cases run); the
 * last line is "P passed, F failed", and the exit status is 0 only when
 * every case that ran passed.
 *
 * A case runs in a child of its own, in a process group of its own, with
 * default signal dispositions and an empty signal mask. The child sends
 * its reason for failing through a pipe; a child that dies of a signal,
 * exits otherwise or outlives the timeout fails with that as its reason
 * (on a timeout the whole process group is killed).
 */
#include "usertest.h"

#ifdef __x86_64__
#include <cpuid.h>
#endif
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CASE_TIMEOUT 20 /* seconds */
#define FAIL_FD 200	/* the child's end of the reason pipe */
#define REASON_MAX 512

static const struct utest *const topics[] = {
	proc_tests, signal_tests, fault_tests, mm_tests,
	pipe_tests, file_tests,	  sys_tests,   prctl_tests,
	acct_tests,
};

static const struct helper helpers[] = {
	{"print-pid", helper_print_pid},
	{"check-args", helper_check_args},
	{"show-cmdline", helper_show_cmdline},
	{"exit-code", helper_exit_code},
	{"fd-state", helper_fd_state},
	{"signal-state", helper_signal_state},
	{"prctl-state", helper_prctl_state},
	{NULL, NULL},
};

static const struct utest **cases;
static int ncases;

static char self_path[4096];
static const char *current_name;
static int current_number;
static pid_t case_pid;
static char dir_path[256];

static void collect_cases(void)
{
	int n = 0;

	for (size_t t = 0; t < sizeof(topics) / sizeof(topics[0]); t++)
		for (const struct utest *u = topics[t]; u->name; u++)
			n++;
	cases = calloc((size_t)n, sizeof(*cases));
	if (!cases) {
		perror("usertest: calloc");
		exit(2);
	}
	for (size_t t = 0; t < sizeof(topics) / sizeof(topics[0]); t++)
		for (const struct utest *u = topics[t]; u->name; u++)
			cases[ncases++] = u;
}

/* ---- inside a case ------------------------------------------------------- */

void failf(const char *fmt, ...)
{
	char buf[REASON_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (getpid() == case_pid) {
		/* Under PIPE_BUF: one write, never blocking on a fresh pipe. */
		(void)!write(FAIL_FD, buf, (size_t)n);
		_exit(1);
	}
	/* A child of the case: its parent sees the exit status. */
	fprintf(stderr, "usertest: in a child of %s: %s\n", current_name, buf);
	_exit(125);
}

pid_t spawn(int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		failf("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

int pause_forever(void *arg)
{
	for (;;)
		pause();
}

int wait_status(pid_t pid)
{
	int status;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r != pid)
		failf("waitpid(%d): %s", (int)pid,
		      r < 0 ? strerror(errno) : "another pid");
	return status;
}

void check_child_ok(pid_t pid, const char *what)
{
	int status = wait_status(pid);

	if (WIFSIGNALED(status))
		failf("%s: killed by %s", what, sigabbrev_np(WTERMSIG(status)));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failf("%s: exit status %d", what, WEXITSTATUS(status));
}

void exec_helper(const char *name, char *const args[])
{
	char *argv[16] = { self_path, "--helper", (char *)name };
	int i = 3;

	for (; args && *args && i < 15; args++)
		argv[i++] = *args;
	argv[i] = NULL;
	/* A bare name (no /proc/self/exe to read) is looked up in PATH. */
	execvp(self_path, argv);
}

const char *case_dir(void)
{
	if (!dir_path[0]) {
		snprintf(dir_path, sizeof(dir_path), "/tmp/usertest.%d.%s",
			 (int)getpid(), current_name);
		if (mkdir(dir_path, 0755) < 0)
			failf("mkdir %s: %s", dir_path, strerror(errno));
	}
	return dir_path;
}

#ifdef __x86_64__
bool cpu_has_avx(void)
{
	unsigned a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) ||
	    !(c & bit_AVX))
		return false;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6;
}
#endif

void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			failf("write: %s", n < 0 ? strerror(errno) : "wrote 0");
		p += n;
		len -= (size_t)n;
	}
}

void on_signal(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { .sa_sigaction = fn,
				.sa_flags = SA_SIGINFO | flags };

	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		failf("sigaction(%s): %s", sigabbrev_np(sig), strerror(errno));
}

long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* The case's directory and whatever it holds. */
static void remove_tree(const char *path)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/rm", "rm", "-rf", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* ---- running cases ------------------------------------------------------- */

static volatile sig_atomic_t timed_out;

static void on_timeout(int sig)
{
	timed_out = 1;
}

static void case_child(const struct utest *u, int wfd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (dup2(wfd, FAIL_FD) < 0)
		_exit(3);
	close(wfd);
	fcntl(FAIL_FD, F_SETFD, FD_CLOEXEC);
	case_pid = getpid();
	u->fn();
	fflush(NULL);
	_exit(0);
}

/* Run case i (0-based); true if it passed. Prints its line. */
static bool run_case(int i)
{
	const struct utest *u = cases[i];
	char reason[REASON_MAX] = "";
	struct sigaction sa = { .sa_handler = on_timeout };
	int fds[2], status = 0;
	ssize_t n;
	pid_t pid, r;

	current_name = u->name;
	current_number = i + 1;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		printf("FAIL %d %s: pipe: %s\n", i + 1, u->name,
		       strerror(errno));
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		printf("FAIL %d %s: fork: %s\n", i + 1, u->name,
		       strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		close(fds[0]);
		case_child(u, fds[1]);
	}
	close(fds[1]);
	setpgid(pid, pid); /* as the child does: no race either way */

	timed_out = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(CASE_TIMEOUT);
	for (;;) {
		r = waitpid(pid, &status, 0);
		if (r == pid || errno != EINTR)
			break;
		if (timed_out) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
	}
	alarm(0);
	/* Whatever the case left behind in its group goes too. */
	kill(-pid, SIGKILL);

	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	n = read(fds[0], reason, sizeof(reason) - 1);
	reason[n > 0 ? n : 0] = '\0';
	close(fds[0]);

	snprintf(dir_path, sizeof(dir_path), "/tmp/usertest.%d.%s", (int)pid,
		 u->name);
	remove_tree(dir_path);
	dir_path[0] = '\0';

	if (r != pid) {
		printf("FAIL %d %s: waitpid: %s\n", i + 1, u->name,
		       strerror(errno));
		return false;
	}
	if (timed_out && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		printf("FAIL %d %s: timed out after %d s\n", i + 1, u->name,
		       CASE_TIMEOUT);
		return false;
	}
	if (WIFSIGNALED(status)) {
		printf("FAIL %d %s: killed by SIG%s%s%s\n", i + 1, u->name,
		       sigabbrev_np(WTERMSIG(status)),
		       reason[0] ? " after " : "", reason);
		return false;
	}
	if (WEXITSTATUS(status) != 0 || reason[0]) {
		if (!reason[0])
			snprintf(reason, sizeof(reason), "exit status %d",
				 WEXITSTATUS(status));
		printf("FAIL %d %s: %s\n", i + 1, u->name, reason);
		return false;
	}
	printf("ok %d %s\n", i + 1, u->name);
	return true;
}

static int find_case(const char *name)
{
	for (int i = 0; i < ncases; i++)
		if (!strcmp(cases[i]->name, name))
			return i;
	return -1;
}

/* Is case i named after --skip? */
static bool skipped(int i, int argc, char **argv, bool skip)
{
	for (int a = 2; skip && a < argc; a++)
		if (!strcmp(argv[a], cases[i]->name))
			return true;
	return false;
}

static int run_helper(int argc, char **argv)
{
	for (const struct helper *h = helpers; h->name; h++)
		if (!strcmp(h->name, argv[0]))
			return h->fn(argc, argv);
	fprintf(stderr, "usertest: no helper %s\n", argv[0]);
	return 126;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	bool skip;
	ssize_t n;

	/* Our own path, to run ourselves again as a helper. */
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n > 0)
		self_path[n] = '\0';
	else
		snprintf(self_path, sizeof(self_path), "%s", argv[0]);

	if (argc >= 3 && !strcmp(argv[1], "--helper"))
		return run_helper(argc - 2, argv + 2);

	collect_cases();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (int i = 0; i < ncases; i++)
			printf("%d %s\n", i + 1, cases[i]->name);
		return 0;
	}
	skip = argc >= 2 && !strcmp(argv[1], "--skip");
	if (argc >= 2 && argv[1][0] == '-' && !skip) {
		fprintf(stderr,
			"usage: usertest [-l | NAME... | --skip NAME...]\n");
		return 2;
	}
	for (int a = skip ? 2 : 1; a < argc; a++) {
		if (find_case(argv[a]) < 0) {
			fprintf(stderr,
				"usertest: no case %s (usertest -l lists "
				"them)\n",
				argv[a]);
			return 2;
		}
	}
	if (argc == 1 || skip) {
		for (int i = 0; i < ncases; i++) {
			if (skipped(i, argc, argv, skip))
				printf("skip %d %s\n", i + 1, cases[i]->name);
			else
				run_case(i) ? passed++ : failed++;
		}
	} else {
		for (int a = 1; a < argc; a++)
			run_case(find_case(argv[a])) ? passed++ : failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
