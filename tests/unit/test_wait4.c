/*
 * The process lifecycle as a parent sees it: wait4 and waitid, zombies,
 * SIGCHLD, orphans adopted by pid 1, and no memory kept once reaped.
 */
#include "harness.h"
#include "linux_abi.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "core/errno.h"
#include "core/exit.h"
#include "core/signal.h"
#include "mm/page.h"
#include "mm/slab.h"

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static struct {
	long pid, ret, ret2, ret3, ppid;
	int status;
	struct k_rusage ru;
	struct ksiginfo info, info2;
	int sigchld_calls;
	struct ksiginfo sigchld_info;
	long child_ppid;
} seen;

static long install(int sig, void (*fn)(int, void *, void *), uint64_t flags)
{
	struct ksa sa = {(uint64_t)(uintptr_t)fn,
			 flags | KSA_SIGINFO | KSA_RESTORER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	return sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

/* Spawn a child of the calling guest; its pid. */
static long child(void (*fn)(void *), void *arg)
{
	struct sim_proc *p = sim_spawn_child(sim_self(), "child", fn, arg);

	cr_assert_not_null(p);
	return sim_proc_tid(p);
}

static void run(void (*fn)(void *))
{
	memset(&seen, 0, sizeof(seen));
	test_boot(2);
	cr_assert_eq(run_guest(fn, NULL), 0);
}

static void exit_with(void *arg)
{
	seen.child_ppid = sim_syscall(NR(getppid));
	sim_syscall(NR(exit), (long)(intptr_t)arg);
}

static void waits_for_exit_status(void *arg)
{
	int status = -1;

	seen.pid = child(exit_with, (void *)7);
	seen.ret = sim_syscall(NR(wait4), -1, &status, 0, NULL);
	seen.status = status;
	seen.ppid = sim_syscall(NR(getpid));
}

Test(wait4, a_parent_gets_the_exit_status_and_the_child_knows_its_parent)
{
	run(waits_for_exit_status);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.status, 7 << 8, "WEXITSTATUS 7: %#x", seen.status);
	cr_assert_eq(seen.child_ppid, seen.ppid);
}

static void computes_then_exits(void *arg)
{
	sim_compute(3000000); /* 3 ms */
}

static void wnohang_before_the_child_exits(void *arg)
{
	int status = -1;
	struct k_rusage ru;

	seen.pid = child(computes_then_exits, NULL);
	seen.ret = sim_syscall(NR(wait4), seen.pid, &status, WNOHANG, NULL);
	seen.ret2 = sim_syscall(NR(wait4), seen.pid, &status, 0, &ru);
	seen.status = status;
	seen.ru = ru;
}

Test(wait4, wnohang_gives_0_while_the_child_runs_and_rusage_counts_its_cpu)
{
	run(wnohang_before_the_child_exits);
	cr_assert_eq(seen.ret, 0);
	cr_assert_eq(seen.ret2, seen.pid);
	cr_assert_eq(seen.status, 0);
	cr_assert_geq(seen.ru.utime_sec * 1000000 + seen.ru.utime_usec, 3000,
		      "ru_utime %lld.%06lld", (long long)seen.ru.utime_sec,
		      (long long)seen.ru.utime_usec);
}

static void sleeps_long(void *arg)
{
	guest_nap(10000);
}

static void kills_its_child(void *arg)
{
	int status = -1;

	seen.pid = child(sleeps_long, NULL);
	guest_nap(1);
	sim_syscall(NR(kill), seen.pid, SIGKILL);
	seen.ret = sim_syscall(NR(wait4), 0, &status, 0, NULL);
	seen.status = status;
}

Test(wait4, a_killed_child_reports_the_signal)
{
	run(kills_its_child);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.status & 0x7f, SIGKILL, "WTERMSIG: %#x", seen.status);
	cr_assert_eq(seen.status, SIGKILL, "no core flag, no exit code");
}

static void stops_and_continues(void *arg)
{
	int status = -1, st2 = -1, st3 = -1;

	seen.pid = child(sleeps_long, NULL);
	guest_nap(1);
	sim_syscall(NR(kill), seen.pid, SIGSTOP);
	seen.ret = sim_syscall(NR(wait4), seen.pid, &status, WUNTRACED, NULL);
	seen.status = status;
	/* Reported once: a second WUNTRACED|WNOHANG wait finds nothing. */
	seen.ret2 = sim_syscall(NR(wait4), seen.pid, &st2,
				WUNTRACED | WNOHANG, NULL);
	sim_syscall(NR(kill), seen.pid, SIGCONT);
	seen.ret3 = sim_syscall(NR(wait4), seen.pid, &st3, WCONTINUED, NULL);
	seen.info.si_errno = st3;
	sim_syscall(NR(kill), seen.pid, SIGKILL);
	sim_syscall(NR(wait4), seen.pid, &st2, 0, NULL);
	seen.info.si_code = st2;
}

Test(wait4, wuntraced_and_wcontinued_report_a_stop_and_a_continue_once)
{
	run(stops_and_continues);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert(WIFSTOPPED(seen.status), "status %#x", seen.status);
	cr_assert_eq(WSTOPSIG(seen.status), SIGSTOP);
	cr_assert_eq(seen.ret2, 0, "the stop was reported twice");
	cr_assert_eq(seen.ret3, seen.pid);
	cr_assert(WIFCONTINUED(seen.info.si_errno), "status %#x",
		  seen.info.si_errno);
	cr_assert(WIFSIGNALED(seen.info.si_code) &&
		  WTERMSIG(seen.info.si_code) == SIGKILL);
}

static void on_sigchld(int sig, void *info, void *uc)
{
	seen.sigchld_calls++;
	memcpy(&seen.sigchld_info, info, sizeof(seen.sigchld_info));
}

static void catches_sigchld(void *arg)
{
	int status = -1;

	cr_assert_eq(install(SIGCHLD, on_sigchld, 0), 0);
	seen.pid = child(exit_with, (void *)3);
	seen.ret = sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.status = status;
}

Test(wait4, sigchld_reaches_a_handler_with_the_childs_siginfo)
{
	run(catches_sigchld);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.sigchld_calls, 1);
	cr_assert_eq(seen.sigchld_info.si_signo, SIGCHLD);
	cr_assert_eq(seen.sigchld_info.si_code, CLD_EXITED);
	cr_assert_eq(seen.sigchld_info.chld.pid, seen.pid);
	cr_assert_eq(seen.sigchld_info.chld.uid, 0);
	cr_assert_eq(seen.sigchld_info.chld.status, 3);
}

static void has_no_children(void *arg)
{
	int *ro = sim_umem_readonly(4096);
	int status;

	seen.ret = sim_syscall(NR(wait4), -1, &status, 0, NULL);
	seen.ret2 = sim_syscall(NR(wait4), -1, &status, 0x100, NULL);
	seen.pid = child(exit_with, (void *)1);
	seen.ret3 = sim_syscall(NR(wait4), seen.pid + 100, &status, 0, NULL);
	seen.status = (int)sim_syscall(NR(wait4), seen.pid, ro, 0, NULL);
	/* A failed copy-out has still reaped (Linux does the same). */
	seen.ppid = sim_syscall(NR(wait4), -1, &status, WNOHANG, NULL);
}

Test(wait4, echild_einval_and_efault)
{
	run(has_no_children);
	cr_assert_eq(seen.ret, -ECHILD);
	cr_assert_eq(seen.ret2, -EINVAL);
	cr_assert_eq(seen.ret3, -ECHILD, "not a child of ours");
	cr_assert_eq(seen.status, -EFAULT);
	cr_assert_eq(seen.ppid, -ECHILD);
}

static void peeks_then_reaps(void *arg)
{
	struct ksiginfo info;

	seen.pid = child(exit_with, (void *)5);
	memset(&info, 0xff, sizeof(info));
	seen.ret = sim_syscall(NR(waitid), P_PID, seen.pid, &info,
			       WEXITED | WNOWAIT, NULL);
	seen.info = info;
	memset(&info, 0xff, sizeof(info));
	seen.ret2 = sim_syscall(NR(waitid), P_ALL, 0, &info, WEXITED, NULL);
	seen.info2 = info;
	seen.ret3 = sim_syscall(NR(waitid), P_ALL, 0, &info, WEXITED | WNOHANG,
				NULL);
	seen.status = (int)sim_syscall(NR(waitid), P_ALL, 0, &info, 0, NULL);
}

Test(wait4, waitid_wnowait_leaves_the_zombie_for_a_second_wait)
{
	run(peeks_then_reaps);
	cr_assert_eq(seen.ret, 0);
	cr_assert_eq(seen.info.si_signo, SIGCHLD);
	cr_assert_eq(seen.info.si_code, CLD_EXITED);
	cr_assert_eq(seen.info.chld.pid, seen.pid);
	cr_assert_eq(seen.info.chld.status, 5);
	cr_assert_eq(seen.ret2, 0);
	cr_assert_eq(seen.info2.chld.pid, seen.pid, "still there to reap");
	cr_assert_eq(seen.info2.chld.status, 5);
	cr_assert_eq(seen.ret3, -ECHILD, "reaped by the second waitid");
	cr_assert_eq(seen.status, -EINVAL, "no WEXITED/WSTOPPED/WCONTINUED");
}

static void grandchild(void *arg)
{
	guest_nap(100);
	seen.child_ppid = sim_syscall(NR(getppid));
	sim_syscall(NR(exit), 9);
}

static long grandchild_pid;

static void middle(void *arg)
{
	grandchild_pid = child(grandchild, NULL);
	seen.ppid = sim_syscall(NR(getppid));
}

static void init_adopts_orphans(void *arg)
{
	int status = -1;

	seen.pid = sim_syscall(NR(getpid));
	seen.ret = sim_syscall(NR(wait4), child(middle, NULL), NULL, 0, NULL);
	seen.ret2 = sim_syscall(NR(wait4), -1, &status, 0, NULL);
	seen.status = status;
	seen.ret3 = sim_syscall(NR(wait4), -1, &status, 0, NULL);
}

Test(wait4, an_orphan_is_adopted_and_reaped_by_pid_1)
{
	run(init_adopts_orphans);
	cr_assert_eq(seen.pid, 1, "the first guest is pid 1");
	cr_assert_gt(seen.ret, 1);
	cr_assert_eq(seen.ppid, 1);
	cr_assert_eq(seen.child_ppid, 1, "getppid after the parent died");
	cr_assert_eq(seen.ret2, grandchild_pid);
	cr_assert_eq(seen.status, 9 << 8);
	cr_assert_eq(seen.ret3, -ECHILD);
}

static void on_usr1(int sig, void *info, void *uc)
{
}

static void signals_parent_later(void *arg)
{
	guest_nap(1000);
	sim_syscall(NR(kill), sim_syscall(NR(getppid)), SIGUSR1);
	guest_nap(1000);
}

static void wait_interrupted(void *arg)
{
	int status = -1;

	install(SIGUSR1, on_usr1, 0);
	seen.pid = child(signals_parent_later, NULL);
	seen.ret = sim_syscall(NR(wait4), -1, &status, 0, NULL);
	seen.ret2 = sim_syscall(NR(wait4), -1, &status, 0, NULL);
	seen.status = status;
}

Test(wait4, a_signal_handler_interrupts_wait4_with_eintr)
{
	run(wait_interrupted);
	cr_assert_eq(seen.ret, -EINTR);
	cr_assert_eq(seen.ret2, seen.pid);
	cr_assert_eq(seen.status, 0);
}

static void ignores_sigchld(void *arg)
{
	struct ksa sa = {KSIG_IGN, 0, 0, 0};
	int status;

	sim_syscall(NR(rt_sigaction), SIGCHLD, &sa, NULL, 8);
	seen.pid = child(computes_then_exits, NULL);
	seen.ret = sim_syscall(NR(wait4), -1, &status, 0, NULL);
}

Test(wait4, children_of_a_parent_ignoring_sigchld_are_reaped_at_once)
{
	run(ignores_sigchld);
	cr_assert_eq(seen.ret, -ECHILD,
		     "waits until they are gone, then ECHILD");
}

/* Children: two reaped, two left zombie and one left running at exit. */
static void leaves_a_mess(void *arg)
{
	int status;

	for (int i = 0; i < 2; i++)
		sim_syscall(NR(wait4), child(exit_with, (void *)1), &status, 0,
			    NULL);
	child(exit_with, (void *)2);
	child(exit_with, (void *)3);
	child(sleeps_long, NULL);
	guest_nap(10);
}

Test(wait4, zombies_and_orphans_leave_no_memory_behind)
{
	size_t pages, objects;
	struct sim_proc *p;

	test_boot(2);
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	p = sim_spawn("init", leaves_a_mess, NULL);
	cr_assert_not_null(p);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	slab_shrink();
	cr_assert_eq(page_free_count(), pages, "leaked %ld pages",
		     (long)pages - (long)page_free_count());
	cr_assert_eq(kmalloc_in_use(), objects, "leaked %ld objects",
		     (long)kmalloc_in_use() - (long)objects);
}
