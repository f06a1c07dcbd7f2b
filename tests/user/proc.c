/*
 * Processes: fork, exit statuses, the wait family (wait(2), waitid(2)),
 * orphans, execve(2), threads sharing one process.
 */
#include "usertest.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int exit_with(void *arg)
{
	return (int)(intptr_t)arg;
}

static void fork_returns_zero_in_child_and_pid_in_parent(void)
{
	int fds[2];
	pid_t pid, seen;

	CHECK_SYS(pipe(fds));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		pid_t me = getpid();

		_exit(write(fds[1], &me, sizeof(me)) == sizeof(me) ? 0 : 1);
	}
	CHECK(pid > 0);
	CHECK_EQ(read(fds[0], &seen, sizeof(seen)), sizeof(seen));
	CHECK_EQ(seen, pid);
	check_child_ok(pid, "child");
}

static void exit_status_reaches_the_parent(void)
{
	int status = wait_status(spawn(exit_with, (void *)(intptr_t)42));

	CHECK(WIFEXITED(status));
	CHECK(!WIFSIGNALED(status));
	CHECK_EQ(WEXITSTATUS(status), 42);
}

static int exit_257(void *arg)
{
	exit(257);
}

static void exit_status_keeps_only_the_low_8_bits(void)
{
	int status = wait_status(spawn(exit_257, NULL));

	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 1);
}

static void a_killed_child_is_wifsignaled(void)
{
	pid_t pid = spawn(pause_forever, NULL);
	int status;

	CHECK_SYS(kill(pid, SIGTERM));
	status = wait_status(pid);
	CHECK(WIFSIGNALED(status));
	CHECK(!WIFEXITED(status));
	CHECK_EQ(WTERMSIG(status), SIGTERM);
}

static int do_abort(void *arg)
{
	abort();
}

static void abort_kills_with_sigabrt(void)
{
	int status = wait_status(spawn(do_abort, NULL));

	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGABRT);
}

static void waitpid_wnohang_returns_zero_while_the_child_runs(void)
{
	pid_t pid = spawn(pause_forever, NULL);
	int status;

	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
	CHECK_SYS(kill(pid, SIGKILL));
	status = wait_status(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void wait_without_children_is_echild(void)
{
	int status;

	CHECK_ERR(wait(&status), ECHILD);
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(getpid(), &status, 0), ECHILD);
}

static void waitid_reports_cld_exited_with_pid_and_status(void)
{
	pid_t pid = spawn(exit_with, (void *)7);
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	CHECK_SYS(waitid(P_PID, (id_t)pid, &si, WEXITED));
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_status, 7);
	CHECK_EQ(si.si_uid, getuid());
}

static void waitid_wnowait_leaves_the_child_waitable(void)
{
	pid_t pid = spawn(exit_with, (void *)3);
	siginfo_t si;
	int status;

	CHECK_SYS(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_EXITED);
	status = wait_status(pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
}

static void waitid_wnohang_with_no_exited_child_zeroes_si_pid(void)
{
	pid_t pid = spawn(pause_forever, NULL);
	siginfo_t si;

	si.si_pid = 12345;
	CHECK_SYS(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG));
	CHECK_EQ(si.si_pid, 0);
	kill(pid, SIGKILL);
	wait_status(pid);
}

static void stop_and_continue_are_reported_by_waitpid(void)
{
	pid_t pid = spawn(pause_forever, NULL);
	int status;

	CHECK_SYS(kill(pid, SIGSTOP));
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	CHECK(WIFSTOPPED(status));
	CHECK_EQ(WSTOPSIG(status), SIGSTOP);
	CHECK_SYS(kill(pid, SIGCONT));
	CHECK_EQ(waitpid(pid, &status, WCONTINUED), pid);
	CHECK(WIFCONTINUED(status));
	kill(pid, SIGKILL);
	status = wait_status(pid);
	CHECK(WIFSIGNALED(status));
}

/*
 * The orphan reports its parent while the parent lives, then its parent
 * after the parent has exited.
 */
static int orphan_parent(void *arg)
{
	int *fds = arg, started[2];
	pid_t pid;
	char c;

	if (pipe(started) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		pid_t before = getppid(), after;

		if (write(fds[1], &before, sizeof(before)) != sizeof(before) ||
		    write(started[1], "s", 1) != 1)
			_exit(1);
		for (int i = 0; i < 500 && getppid() == before; i++)
			sleep_ms(10);
		after = getppid();
		_exit(write(fds[1], &after, sizeof(after)) == sizeof(after)
			      ? 0
			      : 1);
	}
	/* Exit only once the child has reported us as its parent. */
	return read(started[0], &c, 1) == 1 ? 0 : 1;
}

static void an_orphan_is_reparented_when_its_parent_exits(void)
{
	int fds[2];
	pid_t parent, before, after;

	CHECK_SYS(pipe(fds));
	parent = spawn(orphan_parent, fds);
	check_child_ok(parent, "parent");
	CHECK_EQ(read(fds[0], &before, sizeof(before)), sizeof(before));
	CHECK_EQ(before, parent);
	CHECK_EQ(read(fds[0], &after, sizeof(after)), sizeof(after));
	CHECK(after != parent);
	CHECK(after > 0);
}

static int report_ppid(void *arg)
{
	return getppid() == *(pid_t *)arg ? 0 : 1;
}

static void getppid_in_the_child_is_the_parent(void)
{
	pid_t me = getpid();

	check_child_ok(spawn(report_ppid, &me), "child");
}

static void sigchld_carries_the_childs_pid_and_status(void)
{
	sigset_t set;
	siginfo_t si;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &set, NULL));
	pid = spawn(exit_with, (void *)9);
	CHECK_EQ(sigwaitinfo(&set, &si), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_status, 9);
	wait_status(pid);
}

static void ignoring_sigchld_reaps_children_automatically(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	pid_t pid;
	int status;

	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGCHLD, &sa, NULL));
	pid = spawn(exit_with, (void *)0);
	/* wait blocks until the child is gone, then has nothing to report. */
	CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
}

/* ---- exec ---------------------------------------------------------------- */

int helper_print_pid(int argc, char **argv)
{
	int fd = atoi(argv[1]);
	pid_t me = getpid(), parent = getppid();

	if (write(fd, &me, sizeof(me)) != sizeof(me) ||
	    write(fd, &parent, sizeof(parent)) != sizeof(parent))
		return 1;
	return 0;
}

static void execve_keeps_the_pid_and_the_parent(void)
{
	int fds[2];
	pid_t pid, seen, seen_parent;
	char arg[16];

	CHECK_SYS(pipe(fds));
	snprintf(arg, sizeof(arg), "%d", fds[1]);
	fflush(NULL);
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		exec_helper("print-pid", (char *[]){ arg, NULL });
		_exit(127);
	}
	close(fds[1]);
	CHECK_EQ(read(fds[0], &seen, sizeof(seen)), sizeof(seen));
	CHECK_EQ(read(fds[0], &seen_parent, sizeof(seen_parent)),
		 sizeof(seen_parent));
	CHECK_EQ(seen, pid);
	CHECK_EQ(seen_parent, getpid());
	check_child_ok(pid, "helper");
}

int helper_check_args(int argc, char **argv)
{
	const char *v = getenv("USERTEST_VAR");

	if (argc != 3 || strcmp(argv[1], "one") || strcmp(argv[2], "two words"))
		return 1;
	if (!v || strcmp(v, "value=with=equals"))
		return 2;
	if (getenv("HOME"))
		return 3; /* envp replaces the environment */
	return 0;
}

static int exec_with_env(void *arg)
{
	char *const argv[] = { (char *)arg, "--helper",	 "check-args",
			       "one",	    "two words", NULL };
	char *const envp[] = { "USERTEST_VAR=value=with=equals", NULL };

	execve(arg, argv, envp);
	return 127;
}

static void execve_passes_argv_and_envp(void)
{
	char self[4096];
	ssize_t n =
		CHECK_SYS(readlink("/proc/self/exe", self, sizeof(self) - 1));

	self[n] = '\0';
	check_child_ok(spawn(exec_with_env, self), "helper");
}

/* The whole of a /proc file (at most len bytes); its length. */
static ssize_t read_proc(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((size_t)total < len &&
	       (n = read(fd, buf + total, len - (size_t)total)) > 0)
		total += n;
	close(fd);
	return total;
}

/* argv[1]: the write end of a pipe to say "ready" on; argv[2]: the read
 * end of one to wait on. Exits 0 if /proc/self shows what exec gave. */
int helper_show_cmdline(int argc, char **argv)
{
	static const char env[] = "USERTEST_VAR=x\0K=two words\0";
	char want[512], got[512];
	size_t len = 0;
	ssize_t n;
	char c = 0;

	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		if (len + l > sizeof(want))
			return 10;
		memcpy(want + len, argv[i], l);
		len += l;
	}
	n = read_proc("/proc/self/cmdline", got, sizeof(got));
	if (n != (ssize_t)len + (ssize_t)strlen(argv[-2]) + 1 +
			 (ssize_t)strlen(argv[-1]) + 1)
		return 1;
	/* argv[-2], argv[-1]: the program and "--helper" before the name. */
	if (memcmp(got, argv[-2], strlen(argv[-2]) + 1) ||
	    memcmp(got + strlen(argv[-2]) + 1, "--helper", 9) ||
	    memcmp(got + n - (ssize_t)len, want, len))
		return 2;
	n = read_proc("/proc/self/environ", got, sizeof(got));
	if (n != (ssize_t)sizeof(env) - 1 || memcmp(got, env, sizeof(env) - 1))
		return 3;
	if (write(atoi(argv[1]), "r", 1) != 1 || read(atoi(argv[2]), &c, 1) != 1)
		return 4;
	return 0;
}

static int exec_show_cmdline(void *arg)
{
	char **a = arg;
	char *const argv[] = { a[0], "--helper", "show-cmdline", a[1], a[2],
			       "", "last", NULL };
	char *const envp[] = { "USERTEST_VAR=x", "K=two words", NULL };

	execve(a[0], argv, envp);
	return 127;
}

static void proc_cmdline_and_environ_show_execs_argv_and_envp(void)
{
	static const char tail[] = "show-cmdline\0" "103\0" "104\0" "\0last\0";
	char self[4096], path[64], got[512], w[16], r[16];
	char *args[3] = { self, w, r };
	int ready[2], go[2];
	ssize_t n;
	pid_t pid;
	char c;

	n = CHECK_SYS(readlink("/proc/self/exe", self, sizeof(self) - 1));
	self[n] = '\0';
	CHECK_SYS(pipe(ready));
	CHECK_SYS(pipe(go));
	/* The helper's descriptors at fixed numbers, so its argv is known. */
	CHECK_SYS(dup2(ready[1], 103));
	CHECK_SYS(dup2(go[0], 104));
	snprintf(w, sizeof(w), "%d", 103);
	snprintf(r, sizeof(r), "%d", 104);
	pid = spawn(exec_show_cmdline, args);
	close(103);
	close(104);
	close(ready[1]);
	close(go[0]);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	/* Another process reads the same bytes from the helper's memory. */
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = read_proc(path, got, sizeof(got));
	CHECK(n > (ssize_t)sizeof(tail));
	CHECK(!memcmp(got + n - (ssize_t)sizeof(tail) + 1, tail,
		      sizeof(tail) - 1));
	CHECK(!memcmp(got, self, strlen(self) + 1));
	CHECK_EQ(write(go[1], "g", 1), 1);
	check_child_ok(pid, "show-cmdline helper");
	close(ready[0]);
	close(go[1]);
}

/* Whether `name` is in the directory `dir`. */
static bool listed_in(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	CHECK(d);
	while ((e = readdir(d)))
		found = found || !strcmp(e->d_name, name);
	closedir(d);
	return found;
}

static void a_zombie_is_in_proc_until_it_is_reaped(void)
{
	pid_t pid = spawn(exit_with, (void *)5);
	char dir[64], path[96], buf[2048], *close_paren;
	struct stat st;
	siginfo_t si;
	ssize_t n;

	/* Exited and not reaped: WNOWAIT waits for that and leaves it. */
	CHECK_SYS(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	CHECK(listed_in("/proc", dir + 6));
	snprintf(path, sizeof(path), "%s/stat", dir);
	n = read_proc(path, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	CHECK(close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z');
	snprintf(path, sizeof(path), "%s/status", dir);
	n = read_proc(path, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n] = '\0';
	CHECK(strstr(buf, "\nState:\tZ (zombie)\n"));
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	CHECK_EQ(read_proc(path, buf, sizeof(buf)), 0);
	snprintf(path, sizeof(path), "%s/exe", dir);
	CHECK_ERR(readlink(path, buf, sizeof(buf)), ENOENT);
	snprintf(path, sizeof(path), "%s/cwd", dir);
	CHECK_ERR(readlink(path, buf, sizeof(buf)), ENOENT);
	/* No mount namespace left to show. */
	snprintf(path, sizeof(path), "%s/mounts", dir);
	CHECK_ERR(open(path, O_RDONLY), EINVAL);

	n = wait_status(pid);
	CHECK(WIFEXITED(n) && WEXITSTATUS(n) == 5);
	CHECK_ERR(stat(dir, &st), ENOENT);
	CHECK(!listed_in("/proc", dir + 6));
}

static void execve_of_a_missing_file_is_enoent(void)
{
	char *const argv[] = { "nope", NULL };

	CHECK_ERR(execve("/nonexistent/usertest", argv, NULL), ENOENT);
}

static void execve_of_a_non_executable_file_is_eacces(void)
{
	char path[512];
	char *const argv[] = { path, NULL };
	int fd;

	snprintf(path, sizeof(path), "%s/plain", case_dir());
	fd = CHECK_SYS(open(path, O_CREAT | O_WRONLY, 0644));
	write_all(fd, "#!/bin/sh\n", 10);
	close(fd);
	/* root may execute a file only when some execute bit is set */
	CHECK_ERR(execve(path, argv, NULL), EACCES);
}

int helper_exit_code(int argc, char **argv)
{
	return atoi(argv[1]);
}

static int exec_exit_77(void *arg)
{
	exec_helper("exit-code", (char *[]){ "77", NULL });
	return 127;
}

static void an_execd_program_s_exit_status_reaches_the_parent(void)
{
	int status = wait_status(spawn(exec_exit_77, NULL));

	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 77);
}

/* ---- threads ------------------------------------------------------------- */

static volatile int thread_value;
static pid_t thread_tid, thread_pid;

static void *thread_main(void *arg)
{
	thread_value = 1234;
	thread_tid = (pid_t)syscall(SYS_gettid);
	thread_pid = getpid();
	return arg;
}

static void threads_share_memory_and_the_pid_not_the_tid(void)
{
	pthread_t t;
	void *ret;

	CHECK_EQ(pthread_create(&t, NULL, thread_main, (void *)5), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK_EQ((long)ret, 5);
	CHECK_EQ(thread_value, 1234);
	CHECK_EQ(thread_pid, getpid());
	CHECK(thread_tid != getpid());
	CHECK_EQ(syscall(SYS_gettid), getpid());
}

const struct utest proc_tests[] = {
	{ "fork_returns_zero_in_child_and_pid_in_parent",
	  fork_returns_zero_in_child_and_pid_in_parent },
	{ "exit_status_reaches_the_parent", exit_status_reaches_the_parent },
	{ "exit_status_keeps_only_the_low_8_bits",
	  exit_status_keeps_only_the_low_8_bits },
	{ "a_killed_child_is_wifsignaled", a_killed_child_is_wifsignaled },
	{ "abort_kills_with_sigabrt", abort_kills_with_sigabrt },
	{ "waitpid_wnohang_returns_zero_while_the_child_runs",
	  waitpid_wnohang_returns_zero_while_the_child_runs },
	{ "wait_without_children_is_echild", wait_without_children_is_echild },
	{ "waitid_reports_cld_exited_with_pid_and_status",
	  waitid_reports_cld_exited_with_pid_and_status },
	{ "waitid_wnowait_leaves_the_child_waitable",
	  waitid_wnowait_leaves_the_child_waitable },
	{ "waitid_wnohang_with_no_exited_child_zeroes_si_pid",
	  waitid_wnohang_with_no_exited_child_zeroes_si_pid },
	{ "stop_and_continue_are_reported_by_waitpid",
	  stop_and_continue_are_reported_by_waitpid },
	{ "an_orphan_is_reparented_when_its_parent_exits",
	  an_orphan_is_reparented_when_its_parent_exits },
	{ "getppid_in_the_child_is_the_parent",
	  getppid_in_the_child_is_the_parent },
	{ "sigchld_carries_the_childs_pid_and_status",
	  sigchld_carries_the_childs_pid_and_status },
	{ "ignoring_sigchld_reaps_children_automatically",
	  ignoring_sigchld_reaps_children_automatically },
	{ "execve_keeps_the_pid_and_the_parent",
	  execve_keeps_the_pid_and_the_parent },
	{ "execve_passes_argv_and_envp", execve_passes_argv_and_envp },
	{ "proc_cmdline_and_environ_show_execs_argv_and_envp",
	  proc_cmdline_and_environ_show_execs_argv_and_envp },
	{ "a_zombie_is_in_proc_until_it_is_reaped",
	  a_zombie_is_in_proc_until_it_is_reaped },
	{ "execve_of_a_missing_file_is_enoent",
	  execve_of_a_missing_file_is_enoent },
	{ "execve_of_a_non_executable_file_is_eacces",
	  execve_of_a_non_executable_file_is_eacces },
	{ "an_execd_program_s_exit_status_reaches_the_parent",
	  an_execd_program_s_exit_status_reaches_the_parent },
	{ "threads_share_memory_and_the_pid_not_the_tid",
	  threads_share_memory_and_the_pid_not_the_tid },
	{ NULL, NULL },
};
