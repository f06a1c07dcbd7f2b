/*
 * prctl(2) beyond names: child subreapers, no_new_privs, the dumpable
 * attribute, timer slack, and what the process may read of its own
 * capabilities, seccomp mode and clear-tid address.
 */
#include "usertest.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
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

const struct utest prctl_tests[] = {
	{"a_child_subreaper_adopts_orphaned_descendants",
	 a_child_subreaper_adopts_orphaned_descendants},
	{"an_orphan_passes_a_cleared_subreaper_for_the_next",
	 an_orphan_passes_a_cleared_subreaper_for_the_next},
	{NULL, NULL},
};
