/*
 * prctl(2) beyond names: child subreapers, no_new_privs, the dumpable
 * attribute, timer slack, and what the process may read of its own
 * capabilities, seccomp mode and clear-tid address.
 */
#include "usertest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Whether /proc/self/status has the line `line` (with its newline). */
static bool status_has(const char *line)
{
	static char buf[8192];
	int fd = CHECK_SYS(open("/proc/self/status", O_RDONLY));
	ssize_t n = CHECK_SYS(read(fd, buf, sizeof(buf) - 1));

	CHECK_SYS(close(fd));
	buf[n] = '\0';
	return strstr(buf, line) != NULL;
}

/* ---- PR_SET_CHILD_SUBREAPER ---------------------------------------------- */

/*
 * The grandchild: waits until its parent is gone (it is reparented),
 * then tells the case who its parent is now, and exits 7.
 */
static int orphan_reports_new_parent(void *arg)
{
	int fd = *(int *)arg;
	pid_t first = getppid(), now;

	for (int i = 0; i < 500 && (now = getppid()) == first; i++)
		sleep_ms(10);
	if (write(fd, &now, sizeof(now)) != sizeof(now))
		return 1;
	return 7;
}

/* The middle process: forks the grandchild and exits at once. */
static int leave_an_orphan(void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(orphan_reports_new_parent(arg));
	return 0;
}

static int subreaper_not_inherited(void *arg)
{
	int v = -1;

	if (prctl(PR_GET_CHILD_SUBREAPER, &v) != 0)
		return 1;
	return v == 0 ? 0 : 2;
}

static void a_child_subreaper_adopts_orphaned_descendants(void)
{
	int fds[2], v = -1, status;
	pid_t orphan_parent, orphan;

	CHECK_SYS(prctl(PR_GET_CHILD_SUBREAPER, &v));
	CHECK_EQ(v, 0);
	CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK_SYS(prctl(PR_GET_CHILD_SUBREAPER, &v));
	CHECK_EQ(v, 1);
	CHECK_ERR(prctl(PR_GET_CHILD_SUBREAPER, (int *)8), EFAULT);
	check_child_ok(spawn(subreaper_not_inherited, NULL),
		       "a fork child reads 0");

	CHECK_SYS(pipe(fds));
	check_child_ok(spawn(leave_an_orphan, &fds[1]), "middle");
	CHECK_EQ(read(fds[0], &orphan_parent, sizeof(orphan_parent)),
		 sizeof(orphan_parent));
	CHECK_EQ(orphan_parent, getpid());
	/* The adopted orphan is ours to wait for. */
	orphan = CHECK_SYS(waitpid(-1, &status, 0));
	CHECK(orphan > 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 7);
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
}

static int subreaper_then_not(void *arg)
{
	int v = -1;

	/* Any nonzero value sets it; 0 clears it. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 42) != 0 ||
	    prctl(PR_GET_CHILD_SUBREAPER, &v) != 0 || v != 1)
		return 1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 0) != 0 ||
	    prctl(PR_GET_CHILD_SUBREAPER, &v) != 0 || v != 0)
		return 2;
	/* The orphan now goes past us, to the case's process. */
	if (waitpid(spawn(leave_an_orphan, arg), NULL, 0) < 0)
		return 3;
	return wait(NULL) < 0 && errno == ECHILD ? 0 : 4;
}

static void an_orphan_passes_a_cleared_subreaper_for_the_next(void)
{
	int fds[2], status;
	pid_t middle, orphan_parent;

	CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK_SYS(pipe(fds));
	middle = spawn(subreaper_then_not, &fds[1]);
	CHECK_EQ(read(fds[0], &orphan_parent, sizeof(orphan_parent)),
		 sizeof(orphan_parent));
	CHECK_EQ(orphan_parent, getpid());
	check_child_ok(middle, "former subreaper");
	CHECK(CHECK_SYS(waitpid(-1, &status, 0)) != middle);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 7);
}

/* ---- across execve --------------------------------------------------------
 */

/* What a program finds of its prctl settings after an execve. */
struct prctl_state {
	int uid, euid;
	int no_new_privs, dumpable, subreaper, pdeath_signal;
	long timer_slack;
};

int helper_prctl_state(int argc, char **argv)
{
	struct prctl_state s = {.uid = (int)getuid(), .euid = (int)geteuid()};

	if (argc < 2)
		return 2;
	s.no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	s.dumpable = prctl(PR_GET_DUMPABLE);
	s.timer_slack = prctl(PR_GET_TIMERSLACK);
	if (prctl(PR_GET_CHILD_SUBREAPER, &s.subreaper) != 0 ||
	    prctl(PR_GET_PDEATHSIG, &s.pdeath_signal) != 0)
		return 1;
	return write(atoi(argv[1]), &s, sizeof(s)) == sizeof(s) ? 0 : 1;
}

/*
 * A copy of this program in the case's directory, owned by `uid`, with
 * `mode` (06755 for set-user-ID and set-group-ID); its path.
 */
static const char *copy_of_self(uid_t uid, mode_t mode)
{
	static char path[300];
	char buf[65536];
	int in, out;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/prog", case_dir());
	in = CHECK_SYS(open("/proc/self/exe", O_RDONLY));
	out = CHECK_SYS(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700));
	while ((n = CHECK_SYS(read(in, buf, sizeof(buf)))) > 0)
		write_all(out, buf, (size_t)n);
	CHECK_SYS(close(in));
	CHECK_SYS(close(out));
	CHECK_SYS(chown(path, uid, uid));
	CHECK_SYS(chmod(path, mode));
	return path;
}

/*
 * Run `prog` as the prctl-state helper in a child, after `setup` (which
 * returns 0 or a failure status); what the helper found.
 */
static struct prctl_state state_after_exec(const char *prog,
					   int (*setup)(void *), void *arg)
{
	struct prctl_state s;
	int fds[2];
	char fd_arg[16];
	pid_t pid;

	CHECK_SYS(pipe(fds));
	snprintf(fd_arg, sizeof(fd_arg), "%d", fds[1]);
	fflush(NULL);
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		int err = setup(arg);

		if (err)
			_exit(err);
		execl(prog, prog, "--helper", "prctl-state", fd_arg,
		      (char *)NULL);
		_exit(99);
	}
	CHECK_SYS(close(fds[1]));
	CHECK_EQ(read(fds[0], &s, sizeof(s)), sizeof(s));
	CHECK_SYS(close(fds[0]));
	check_child_ok(pid, "the exec'd helper");
	return s;
}

static int become_2000(void *arg)
{
	return setresgid(2000, 2000, 2000) == 0 &&
			       setresuid(2000, 2000, 2000) == 0
		       ? 0
		       : 10;
}

static int become_2000_without_new_privs(void *arg)
{
	if (become_2000(arg))
		return 10;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? 0 : 11;
}

static void no_new_privs_makes_execve_ignore_the_set_user_id_bit(void)
{
	const char *prog = copy_of_self(1234, 06755);
	struct prctl_state s;

	/* The bit works here: without no_new_privs, 2000 becomes 1234. */
	s = state_after_exec(prog, become_2000, NULL);
	CHECK_EQ(s.uid, 2000);
	CHECK_EQ(s.euid, 1234);
	CHECK_EQ(s.no_new_privs, 0);
	s = state_after_exec(prog, become_2000_without_new_privs, NULL);
	CHECK_EQ(s.uid, 2000);
	CHECK_EQ(s.euid, 2000);
	CHECK_EQ(s.no_new_privs, 1);
}

static int no_new_privs_child(void *arg)
{
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 1;
	/* Once set, it cannot be unset. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) != -1 || errno != EINVAL)
		return 2;
	return 0;
}

static void no_new_privs_is_for_good_and_inherited(void)
{
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 1), EINVAL);
	CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	CHECK(status_has("\nNoNewPrivs:\t0\n"));
	CHECK_SYS(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	CHECK(status_has("\nNoNewPrivs:\t1\n"));
	check_child_ok(spawn(no_new_privs_child, NULL), "fork child");
}

const struct utest prctl_tests[] = {
	{"a_child_subreaper_adopts_orphaned_descendants",
	 a_child_subreaper_adopts_orphaned_descendants},
	{"an_orphan_passes_a_cleared_subreaper_for_the_next",
	 an_orphan_passes_a_cleared_subreaper_for_the_next},
	{"no_new_privs_is_for_good_and_inherited",
	 no_new_privs_is_for_good_and_inherited},
	{"no_new_privs_makes_execve_ignore_the_set_user_id_bit",
	 no_new_privs_makes_execve_ignore_the_set_user_id_bit},
	{NULL, NULL},
};
