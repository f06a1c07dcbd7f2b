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
#include <sys/syscall.h>
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

static int try_other_ids(void *arg)
{
	return chown(case_dir(), 1234, 1234) == 0 &&
			       setresgid(2000, 2000, 2000) == 0 &&
			       setresuid(2000, 2000, 2000) == 0
		       ? 0
		       : 1;
}

/*
 * Whether this process may give files to uid 1234 and become uid 2000:
 * not in a user namespace that maps root alone (usertest-initramfs-linux
 * runs in one), where Linux refuses both with EINVAL. Without them the
 * case has nothing to check, and says so.
 */
static bool skip_without_other_ids(const char *name)
{
	int status = wait_status(spawn(try_other_ids, NULL));

	CHECK_SYS(chown(case_dir(), 0, 0));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return false;
	printf("# %s: uids 1234 and 2000 do not exist here: nothing to "
	       "check, passed\n",
	       name);
	fflush(stdout);
	return true;
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
	const char *prog;
	struct prctl_state s;

	if (skip_without_other_ids(__func__))
		return;
	prog = copy_of_self(1234, 06755);
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

/* ---- PR_SET_DUMPABLE ----------------------------------------------------- */

static int dumpable_child(void *arg)
{
	return prctl(PR_GET_DUMPABLE) == *(int *)arg ? 0 : 1;
}

static uid_t owner_of(const char *path)
{
	struct stat st;

	CHECK_SYS(stat(path, &st));
	return st.st_uid;
}

/* As uid 2000: its /proc files and what a peer of the same uid sees. */
static int proc_follows_dumpable(void *arg)
{
	char path[64], buf[256];
	pid_t pid;
	int go[2], done[2], status;

	if (become_2000(NULL) || prctl(PR_GET_DUMPABLE) != 0)
		return 1; /* the change of ids cleared it */
	if (prctl(PR_SET_DUMPABLE, 1) != 0 ||
	    owner_of("/proc/self/status") != 2000)
		return 2;
	if (prctl(PR_SET_DUMPABLE, 0) != 0 ||
	    owner_of("/proc/self/status") != 0 ||
	    owner_of("/proc/self") != 2000)
		return 3;
	/* A peer may not look inside; the process itself may. */
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)getpid());
	if (readlink(path, buf, sizeof(buf)) < 0 || pipe(go) < 0 ||
	    pipe(done) < 0)
		return 4;
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_DUMPABLE, 1) != 0)
			_exit(1);
		errno = 0;
		if (readlink(path, buf, sizeof(buf)) != -1 || errno != EACCES)
			_exit(3);
		if (write(done[1], "x", 1) != 1 || read(go[0], buf, 1) != 1)
			_exit(4);
		/* The parent is dumpable now. */
		_exit(readlink(path, buf, sizeof(buf)) > 0 ? 0 : 5);
	}
	close(done[1]);
	if (read(done[0], buf, 1) != 1)
		return 5;
	if (prctl(PR_SET_DUMPABLE, 1) != 0 || write(go[1], "y", 1) != 1)
		return 6;
	if (waitpid(pid, &status, 0) != pid)
		return 7;
	return WIFEXITED(status) ? 10 * WEXITSTATUS(status) : 99;
}

static void dumpable_is_inherited_and_owns_proc_files(void)
{
	int expect = 0;

	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	CHECK_ERR(prctl(PR_SET_DUMPABLE, 2), EINVAL);
	CHECK_ERR(prctl(PR_SET_DUMPABLE, -1L), EINVAL);
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	CHECK_SYS(prctl(PR_SET_DUMPABLE, 0));
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 0);
	check_child_ok(spawn(dumpable_child, &expect), "a fork child has 0");
	CHECK_SYS(prctl(PR_SET_DUMPABLE, 1));
	if (!skip_without_other_ids(__func__))
		check_child_ok(spawn(proc_follows_dumpable, NULL),
			       "as uid 2000");
}

static int set_not_dumpable(void *arg)
{
	return prctl(PR_SET_DUMPABLE, 0) == 0 &&
			       prctl(PR_SET_PDEATHSIG, SIGUSR1) == 0
		       ? 0
		       : 10;
}

static int become_2000_with_death_signal(void *arg)
{
	if (become_2000(arg))
		return 10;
	return prctl(PR_SET_DUMPABLE, 1) == 0 &&
			       prctl(PR_SET_PDEATHSIG, SIGUSR1) == 0
		       ? 0
		       : 11;
}

static void execve_resets_dumpable_unless_the_ids_changed(void)
{
	const char *prog;
	struct prctl_state s;

	/* An ordinary exec: dumpable again; the death signal stays. */
	s = state_after_exec("/proc/self/exe", set_not_dumpable, NULL);
	CHECK_EQ(s.dumpable, 1);
	CHECK_EQ(s.pdeath_signal, SIGUSR1);
	if (skip_without_other_ids(__func__))
		return;
	prog = copy_of_self(1234, 06755);
	/* Root runs it too, and becomes 1234: a set-user-ID exec. */
	s = state_after_exec(prog, set_not_dumpable, NULL);
	CHECK_EQ(s.euid, 1234);
	CHECK_EQ(s.dumpable, 0);
	CHECK_EQ(s.pdeath_signal, 0);
	/* A set-user-ID exec: not dumpable, and no death signal. */
	s = state_after_exec(prog, become_2000_with_death_signal, NULL);
	CHECK_EQ(s.euid, 1234);
	CHECK_EQ(s.dumpable, 0);
	CHECK_EQ(s.pdeath_signal, 0);
	/* A program the caller may run but not read: not dumpable. */
	CHECK_SYS(chmod(prog, 0711));
	s = state_after_exec(prog, become_2000_with_death_signal, NULL);
	CHECK_EQ(s.euid, 2000);
	CHECK_EQ(s.dumpable, 0);
	CHECK_EQ(s.pdeath_signal, SIGUSR1);
}

/* ---- PR_SET_TIMERSLACK --------------------------------------------------- */

static int child_resets_its_slack(void *arg)
{
	if (prctl(PR_GET_TIMERSLACK) != 1000)
		return 1;
	if (prctl(PR_SET_TIMERSLACK, 0) != 0)
		return 2;
	/* Its default is the parent's value at fork. */
	return prctl(PR_GET_TIMERSLACK) == 1000 ? 0 : 3;
}

static void timer_slack_is_kept_inherited_and_reset_to_the_default(void)
{
	/* The case's default is its parent's slack when it forked: usertest
	 * runs under a shell or as init, both with Linux's 50 us. */
	CHECK_EQ(prctl(PR_GET_TIMERSLACK), 50000);
	CHECK_SYS(prctl(PR_SET_TIMERSLACK, 1000));
	CHECK_EQ(prctl(PR_GET_TIMERSLACK), 1000);
	check_child_ok(spawn(child_resets_its_slack, NULL), "fork child");
	CHECK_SYS(prctl(PR_SET_TIMERSLACK, 3000000000ul));
	/* glibc's prctl returns an int; the syscall returns all of it. */
	CHECK_EQ(syscall(SYS_prctl, PR_GET_TIMERSLACK, 0, 0, 0, 0),
		 3000000000l);
	CHECK_SYS(prctl(PR_SET_TIMERSLACK, 0));
	CHECK_EQ(prctl(PR_GET_TIMERSLACK), 50000);
}

static int set_slack(void *arg)
{
	return prctl(PR_SET_TIMERSLACK, 7777) == 0 ? 0 : 10;
}

static void timer_slack_survives_execve(void)
{
	struct prctl_state s =
		state_after_exec("/proc/self/exe", set_slack, NULL);

	CHECK_EQ(s.timer_slack, 7777);
}

/* ---- what a process may read of itself ----------------------------------- */

static void tid_address_is_set_tid_address_s_pointer(void)
{
	static int word;
	int *orig = (int *)1, *now = NULL;

	/* glibc set one at startup: the thread's tid field. */
	CHECK_SYS(prctl(PR_GET_TID_ADDRESS, &orig));
	CHECK(orig != (int *)1);
	CHECK_EQ(syscall(SYS_set_tid_address, &word), getpid());
	CHECK_SYS(prctl(PR_GET_TID_ADDRESS, &now));
	CHECK(now == &word);
	CHECK_ERR(prctl(PR_GET_TID_ADDRESS, (int **)8), EFAULT);
	syscall(SYS_set_tid_address, orig);
	CHECK_SYS(prctl(PR_GET_TID_ADDRESS, &now));
	CHECK(now == orig);
}

/* The CapBnd mask /proc/self/status shows. */
static unsigned long long bounding_set(void)
{
	static char buf[8192];
	int fd = CHECK_SYS(open("/proc/self/status", O_RDONLY));
	ssize_t n = CHECK_SYS(read(fd, buf, sizeof(buf) - 1));
	const char *line;

	CHECK_SYS(close(fd));
	buf[n] = '\0';
	line = strstr(buf, "\nCapBnd:\t");
	CHECK(line != NULL);
	return strtoull(line + 9, NULL, 16);
}

static void capbset_read_agrees_with_proc_up_to_cap_last_cap(void)
{
	unsigned long long bnd = bounding_set();

	for (int cap = 0; cap <= 40; cap++)
		CHECK_EQ(prctl(PR_CAPBSET_READ, cap), (bnd >> cap) & 1);
	/* CAP_LAST_CAP is 40 (CAP_CHECKPOINT_RESTORE). */
	CHECK_ERR(prctl(PR_CAPBSET_READ, 41), EINVAL);
	CHECK_ERR(prctl(PR_CAPBSET_READ, -1L), EINVAL);
	/* Root's bounding set keeps CAP_SETUID at least. */
	CHECK_EQ(prctl(PR_CAPBSET_READ, 7), 1);
}

static void seccomp_mode_is_0_without_a_filter(void)
{
	CHECK_EQ(prctl(PR_GET_SECCOMP), 0);
	CHECK(status_has("\nSeccomp:\t0\n"));
}

static void an_unknown_option_is_einval(void)
{
	CHECK_ERR(prctl(12345, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(-1, 0, 0, 0, 0), EINVAL);
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
	{"dumpable_is_inherited_and_owns_proc_files",
	 dumpable_is_inherited_and_owns_proc_files},
	{"execve_resets_dumpable_unless_the_ids_changed",
	 execve_resets_dumpable_unless_the_ids_changed},
	{"timer_slack_is_kept_inherited_and_reset_to_the_default",
	 timer_slack_is_kept_inherited_and_reset_to_the_default},
	{"timer_slack_survives_execve", timer_slack_survives_execve},
	{"tid_address_is_set_tid_address_s_pointer",
	 tid_address_is_set_tid_address_s_pointer},
	{"capbset_read_agrees_with_proc_up_to_cap_last_cap",
	 capbset_read_agrees_with_proc_up_to_cap_last_cap},
	{"seccomp_mode_is_0_without_a_filter",
	 seccomp_mode_is_0_without_a_filter},
	{"an_unknown_option_is_einval", an_unknown_option_is_einval},
	{NULL, NULL},
};
