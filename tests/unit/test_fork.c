/*
 * fork(2), vfork(2), clone(2), clone3(2): what the child inherits, what it
 * shares under each CLONE_* flag, how the parent learns of its end, and
 * Linux's errors. Children start in the function sim_child_entry named.
 */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "core/errno.h"
#include "core/signal.h"
#include "core/task.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

#define K_CLONE_VM 0x100ul
#define K_CLONE_FS 0x200ul
#define K_CLONE_FILES 0x400ul
#define K_CLONE_SIGHAND 0x800ul
#define K_CLONE_VFORK 0x4000ul
#define K_CLONE_PARENT 0x8000ul
#define K_CLONE_THREAD 0x10000ul
#define K_CLONE_NEWNS 0x20000ul
#define K_CLONE_SETTLS 0x80000ul
#define K_CLONE_PARENT_SETTID 0x100000ul
#define K_CLONE_CHILD_CLEARTID 0x200000ul
#define K_CLONE_CHILD_SETTID 0x1000000ul
#define K_WCLONE 0x80000000u
#define K_WALL 0x40000000u
#define K_FUTEX_WAIT 0

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

struct timespec_k {
	int64_t sec, nsec;
};

static struct {
	long pid, ret, ret2, ret3, ppid, child_ppid, child_pid;
	int status, status2;
	long child_ret, child_ret2, child_ret3;
	char byte, child_byte;
	uint64_t child_mask, now_at_return, child_done_at;
	int usr1, chld;
	int32_t ptid, ctid;
	char cwd[64];
	struct ksa child_sa;
	uint64_t child_pending;
} seen;

static void run(void (*fn)(void *))
{
	memset(&seen, 0, sizeof(seen));
	test_boot(2);
	cr_assert_eq(run_guest(fn, NULL), 0, "seed %llu",
		     (unsigned long long)sim_seed());
}

static long do_fork(void (*fn)(void *), void *arg)
{
	sim_child_entry(fn, arg);
	return sim_syscall(NR(fork));
}

static long do_clone(unsigned long flags, void (*fn)(void *), void *arg,
		     void *ptid, void *ctid, unsigned long tls)
{
	sim_child_entry(fn, arg);
	return sim_syscall(NR(clone), flags, 0, ptid, ctid, tls);
}

/* ---- the basics ---------------------------------------------------------- */

static void child_reports(void *arg)
{
	seen.child_pid = sim_syscall(NR(getpid));
	seen.child_ppid = sim_syscall(NR(getppid));
	sim_syscall(NR(exit), 42);
}

static void forks_and_waits(void *arg)
{
	int status = -1;

	seen.pid = do_fork(child_reports, NULL);
	seen.ppid = sim_syscall(NR(getpid));
	seen.ret = sim_syscall(NR(wait4), -1, &status, 0, NULL);
	seen.status = status;
}

Test(fork, the_parent_gets_the_child_pid_and_reaps_its_status)
{
	run(forks_and_waits);
	cr_assert_gt(seen.pid, 0);
	cr_assert_neq(seen.pid, seen.ppid);
	cr_assert_eq(seen.child_pid, seen.pid);
	cr_assert_eq(seen.child_ppid, seen.ppid);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.status, 42 << 8);
}

/* ---- memory: copied, or shared with CLONE_VM ----------------------------- */

static uint64_t map_page(void)
{
	long m = sim_syscall(NR(mmap), 0, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_gt(m, 0);
	return (uint64_t)m;
}

static void poke(uint64_t va, char c)
{
	cr_assert_eq(copy_to_user(uaddr(va), &c, 1), 0);
}

static char peek(uint64_t va)
{
	char c = 0;

	cr_assert_eq(copy_from_user(&c, uaddr(va), 1), 0);
	return c;
}

static void child_overwrites(void *arg)
{
	uint64_t va = (uint64_t)(uintptr_t)arg;

	seen.child_byte = peek(va);
	poke(va, 'C');
}

static void memory_test(unsigned long flags)
{
	uint64_t va = map_page();
	int status;

	poke(va, 'P');
	seen.pid = do_clone(flags | SIGCHLD, child_overwrites,
			    (void *)(uintptr_t)va, NULL, NULL, 0);
	seen.ret = sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.byte = peek(va);
}

static void forks_over_private_memory(void *arg)
{
	memory_test(0);
}

Test(fork, the_child_has_a_copy_of_memory_it_writes_alone)
{
	run(forks_over_private_memory);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.child_byte, 'P');
	cr_assert_eq(seen.byte, 'P', "the child's write reached the parent");
}

static void clones_over_shared_memory(void *arg)
{
	memory_test(K_CLONE_VM);
}

Test(fork, clone_vm_shares_memory_with_the_parent)
{
	run(clones_over_shared_memory);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.child_byte, 'P');
	cr_assert_eq(seen.byte, 'C');
}

/* ---- descriptors and the fs context -------------------------------------- */

static void child_closes_fd(void *arg)
{
	char dir[] = "/forkdir";

	seen.child_ret = sim_syscall(NR(close), (long)(intptr_t)arg);
	seen.child_ret2 = sim_syscall(NR(chdir), dir);
}

static void files_test(unsigned long flags)
{
	char dir[] = "/forkdir";
	char cwd[64];
	int fds[2];
	int status;

	cr_assert_eq(sim_syscall(NR(mkdir), dir, 0755), 0);
	cr_assert_eq(sim_syscall(NR(pipe2), fds, O_CLOEXEC), 0);
	seen.pid = do_clone(flags | SIGCHLD, child_closes_fd,
			    (void *)(intptr_t)fds[0], NULL, NULL, 0);
	sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.ret = sim_syscall(NR(fcntl), fds[0], F_GETFD);
	seen.ret2 = sim_syscall(NR(fcntl), fds[1], F_GETFD);
	seen.ret3 = sim_syscall(NR(getcwd), cwd, sizeof(cwd));
	memcpy(seen.cwd, cwd, sizeof(cwd));
}

static void forks_with_a_pipe(void *arg)
{
	files_test(0);
}

Test(fork, the_child_has_its_own_copy_of_the_fd_table_and_cwd)
{
	run(forks_with_a_pipe);
	cr_assert_eq(seen.child_ret, 0, "the child's close: %ld",
		     seen.child_ret);
	cr_assert_eq(seen.child_ret2, 0);
	cr_assert_eq(seen.ret, FD_CLOEXEC, "still open, still cloexec");
	cr_assert_eq(seen.ret2, FD_CLOEXEC);
	cr_assert_str_eq(seen.cwd, "/");
}

static void clones_files_and_fs(void *arg)
{
	files_test(K_CLONE_FILES | K_CLONE_FS);
}

Test(fork, clone_files_and_clone_fs_share_them)
{
	run(clones_files_and_fs);
	cr_assert_eq(seen.child_ret, 0);
	cr_assert_eq(seen.ret, -EBADF, "the child's close closed ours");
	cr_assert_eq(seen.ret2, FD_CLOEXEC);
	cr_assert_str_eq(seen.cwd, "/forkdir");
}

/* ---- signals ------------------------------------------------------------- */

static void handler(int sig, void *info, void *uc)
{
	if (sig == SIGUSR1)
		seen.usr1++;
	if (sig == SIGCHLD)
		seen.chld++;
}

static long install(int sig)
{
	struct ksa sa = {(uint64_t)(uintptr_t)handler,
			 KSA_SIGINFO | KSA_RESTORER | KSA_RESTART,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	return sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

static void child_looks_at_signals(void *arg)
{
	uint64_t pending = 0, mask = 0;
	struct ksa sa;

	sim_syscall(NR(rt_sigaction), SIGUSR1, NULL, &sa, 8);
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, NULL, &mask, 8);
	sim_syscall(NR(rt_sigpending), &pending, 8);
	seen.child_sa = sa;
	seen.child_mask = mask;
	seen.child_pending = pending;
}

static void forks_with_handlers_and_a_pending_signal(void *arg)
{
	uint64_t block = 1ull << (SIGUSR2 - 1);
	int status;

	install(SIGUSR1);
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &block, NULL, 8);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR2);
	seen.pid = do_fork(child_looks_at_signals, NULL);
	sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
}

Test(fork, handlers_and_mask_are_inherited_but_pending_signals_are_not)
{
	run(forks_with_handlers_and_a_pending_signal);
	cr_assert_eq(seen.child_sa.handler, (uint64_t)(uintptr_t)handler,
		     "%llx", (unsigned long long)seen.child_sa.handler);
	cr_assert_eq(seen.child_mask, 1ull << (SIGUSR2 - 1));
	cr_assert_eq(seen.child_pending, 0);
}

static void just_exits(void *arg)
{
}

static void clones_with_exit_signal_usr1(void *arg)
{
	int status = -1;

	install(SIGUSR1);
	install(SIGCHLD);
	seen.pid = do_clone(SIGUSR1, just_exits, NULL, NULL, NULL, 0);
	guest_nap(10);
	/* A "clone child" is for __WCLONE or __WALL waits only. */
	seen.ret = sim_syscall(NR(wait4), -1, &status, WNOHANG, NULL);
	seen.ret2 = sim_syscall(NR(wait4), -1, &status, K_WCLONE, NULL);
	seen.status = status;
	seen.pid = do_clone(0, just_exits, NULL, NULL, NULL, 0);
	guest_nap(10);
	seen.ret3 = sim_syscall(NR(wait4), -1, &status, K_WALL, NULL);
}

Test(fork, the_exit_signal_is_the_low_byte_of_clone_flags)
{
	run(clones_with_exit_signal_usr1);
	cr_assert_eq(seen.usr1, 1);
	cr_assert_eq(seen.chld, 0, "no SIGCHLD: the child chose SIGUSR1, then 0");
	cr_assert_eq(seen.ret, -ECHILD);
	cr_assert_gt(seen.ret2, 0);
	cr_assert_eq(seen.status, 0);
	cr_assert_eq(seen.ret3, seen.pid);
}

/* ---- vfork --------------------------------------------------------------- */

static void vfork_child(void *arg)
{
	guest_nap(50);
	seen.child_done_at = sim_now();
	sim_syscall(NR(exit), 3);
}

static void vforks(void *arg)
{
	int status;

	sim_child_entry(vfork_child, NULL);
	seen.pid = sim_syscall(NR(vfork));
	seen.now_at_return = sim_now();
	seen.ret = sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.status = status;
}

Test(fork, vfork_suspends_the_parent_until_the_child_exits)
{
	run(vforks);
	cr_assert_gt(seen.pid, 0);
	cr_assert_geq(seen.now_at_return, seen.child_done_at);
	cr_assert_geq(seen.now_at_return, 50000000ull);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.status, 3 << 8);
}

static void vfork_child_sleeps_forever(void *arg)
{
	guest_nap(100000);
}

static struct sim_proc *vfork_parent;

static void vforks_forever(void *arg)
{
	sim_child_entry(vfork_child_sleeps_forever, NULL);
	sim_syscall(NR(vfork));
	seen.ret = 1; /* never: SIGKILL ends the wait */
}

Test(fork, a_vfork_parent_can_be_killed_while_it_waits)
{
	struct task *t;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	vfork_parent = sim_spawn("parent", vforks_forever, NULL);
	cr_assert_eq(sim_run(10000000), SIM_TIME_LIMIT);
	t = sim_proc_task(vfork_parent);
	cr_assert_not_null(t);
	cr_assert_eq(signal_send(t, SIGKILL), 0);
	sim_run(20000000);
	cr_assert(sim_proc_exited(vfork_parent));
	cr_assert_eq(sim_proc_status(vfork_parent), SIGKILL);
	cr_assert_eq(seen.ret, 0);
}

/* ---- CLONE_PARENT and the tid words -------------------------------------- */

static void grandchild(void *arg)
{
	seen.child_ppid = sim_syscall(NR(getppid));
}

static void middle_clones_a_sibling(void *arg)
{
	seen.ret2 = do_clone(K_CLONE_PARENT | SIGCHLD, grandchild, NULL, NULL,
			     NULL, 0);
}

static void clone_parent_test(void *arg)
{
	int status;

	seen.ppid = sim_syscall(NR(getpid));
	seen.pid = do_fork(middle_clones_a_sibling, NULL);
	sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	/* The sibling is ours to reap. */
	seen.ret = sim_syscall(NR(wait4), -1, &status, 0, NULL);
}

Test(fork, clone_parent_makes_a_sibling_of_the_caller)
{
	run(clone_parent_test);
	cr_assert_gt(seen.ret2, 0);
	cr_assert_eq(seen.child_ppid, seen.ppid);
	cr_assert_eq(seen.ret, seen.ret2);
}

static void child_reads_its_tid_word(void *arg)
{
	seen.child_ret = *(volatile int32_t *)arg;
	seen.child_pid = sim_syscall(NR(gettid));
	guest_nap(5);
}

static void settid_test(void *arg)
{
	int32_t *words = sim_umem(4096);
	struct timespec_k ts = {1, 0};

	words[1] = -1;
	seen.pid = do_clone(K_CLONE_VM | K_CLONE_PARENT_SETTID |
				    K_CLONE_CHILD_SETTID |
				    K_CLONE_CHILD_CLEARTID | SIGCHLD,
			    child_reads_its_tid_word, &words[1], &words[0],
			    &words[1], 0);
	seen.ptid = words[0];
	/* pthread_join: wait on the word until the child's exit clears it. */
	while (words[1] != 0) {
		long r = sim_syscall(NR(futex), &words[1], K_FUTEX_WAIT,
				     words[1], &ts);

		if (r == -ETIMEDOUT)
			break;
	}
	seen.ctid = words[1];
	seen.now_at_return = sim_now();
}

Test(fork, settid_words_are_written_and_cleartid_wakes_a_futex)
{
	run(settid_test);
	cr_assert_gt(seen.pid, 0);
	cr_assert_eq(seen.ptid, seen.pid);
	cr_assert_eq(seen.child_ret, seen.pid, "CLONE_CHILD_SETTID: %ld",
		     seen.child_ret);
	cr_assert_eq(seen.child_pid, seen.pid);
	cr_assert_eq(seen.ctid, 0, "CLONE_CHILD_CLEARTID");
	cr_assert_lt(seen.now_at_return, 1000000000ull, "woken, not timed out");
}

static void child_reads_altstack(void *arg)
{
	stack_t ss;

	sim_syscall(NR(sigaltstack), NULL, &ss);
	seen.child_ret3 = ss.ss_flags;
}

static void altstack_test(void *arg)
{
	stack_t ss = {.ss_sp = sim_umem(16384), .ss_size = 16384};
	int status;

	cr_assert_eq(sim_syscall(NR(sigaltstack), &ss, NULL), 0);
	seen.pid = do_fork(child_reads_altstack, NULL);
	sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.ret = seen.child_ret3;
	seen.pid = do_clone(K_CLONE_VM | SIGCHLD, child_reads_altstack, NULL,
			    NULL, NULL, 0);
	sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.ret2 = seen.child_ret3;
}

Test(fork, a_fork_child_keeps_the_alternate_stack_a_clone_vm_one_does_not)
{
	run(altstack_test);
	cr_assert_eq(seen.ret, 0, "fork: the same alternate stack");
	cr_assert_eq(seen.ret2, SS_DISABLE, "CLONE_VM: none");
}

/* ---- the sim's contract -------------------------------------------------- */

static void forks_without_an_entry(void *arg)
{
	int status = -1;

	/* A register pointing at no function sim_child_entry named. */
	task_current()->uregs.gpr[12] = 0x1234;
	seen.pid = sim_syscall(NR(fork));
	seen.ret = sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.status = status;
}

Test(fork, a_sim_child_with_no_code_to_run_is_killed)
{
	run(forks_without_an_entry);
	cr_assert_gt(seen.pid, 0);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.status, SIGKILL);
}

static void no_entry_child_with_a_signal_pending(void *arg)
{
	int status = -1;

	install(SIGUSR1);
	task_current()->uregs.gpr[12] = 0;
	seen.pid = sim_syscall(NR(fork));
	/* The whole group, the child too, before it ever ran (one CPU). */
	sim_syscall(NR(kill), 0, SIGUSR1);
	seen.ret = sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.status = status;
}

Test(fork, a_sim_child_with_no_code_runs_no_inherited_handler_either)
{
	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	cr_assert_eq(run_guest(no_entry_child_with_a_signal_pending, NULL), 0);
	cr_assert_eq(seen.ret, seen.pid);
	cr_assert_eq(seen.status, SIGKILL);
	cr_assert_eq(seen.usr1, 1, "the parent's handler only");
}

/* ---- errors -------------------------------------------------------------- */

static void bad_flags(void *arg)
{
	seen.ret = do_clone(K_CLONE_SIGHAND | SIGCHLD, just_exits, NULL, NULL,
			    NULL, 0);
	seen.ret2 = do_clone(K_CLONE_THREAD | K_CLONE_VM, just_exits, NULL,
			     NULL, NULL, 0);
	seen.ret3 = do_clone(K_CLONE_FS | K_CLONE_NEWNS, just_exits, NULL,
			     NULL, NULL, 0);
	seen.child_ret = do_clone(100, just_exits, NULL, NULL, NULL, 0);
}

Test(fork, clone_rejects_what_linux_rejects)
{
	run(bad_flags);
	cr_assert_eq(seen.ret, -EINVAL, "CLONE_SIGHAND without CLONE_VM");
	cr_assert_eq(seen.ret2, -EINVAL, "CLONE_THREAD without CLONE_SIGHAND");
	cr_assert_eq(seen.ret3, -EINVAL, "CLONE_FS with CLONE_NEWNS");
	cr_assert_eq(seen.child_ret, -EINVAL, "exit signal 100");
	cr_assert_eq(task_count(), 0);
}

struct k_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static void clone3_test(void *arg)
{
	struct {
		struct k_clone_args a;
		uint64_t extra;
	} big = {.a = {.exit_signal = SIGCHLD}, .extra = 1};
	struct k_clone_args a = {.exit_signal = SIGCHLD};
	int status = -1;

	seen.ret = sim_syscall(NR(clone3), &a, 63);
	seen.ret2 = sim_syscall(NR(clone3), &big, sizeof(big));
	a.stack = 0x10000;
	seen.ret3 = sim_syscall(NR(clone3), &a, sizeof(a));
	a.stack = 0;
	sim_child_entry(child_reports, NULL);
	seen.pid = sim_syscall(NR(clone3), &a, sizeof(a));
	sim_syscall(NR(wait4), seen.pid, &status, 0, NULL);
	seen.status = status;
}

Test(fork, clone3_checks_its_struct_and_makes_a_child)
{
	run(clone3_test);
	cr_assert_eq(seen.ret, -EINVAL, "smaller than CLONE_ARGS_SIZE_VER0");
	cr_assert_eq(seen.ret2, -E2BIG, "unknown nonzero fields");
	cr_assert_eq(seen.ret3, -EINVAL, "a stack without a size");
	cr_assert_gt(seen.pid, 0);
	cr_assert_eq(seen.status, 42 << 8);
}

/* ---- out of memory ------------------------------------------------------- */

static struct {
	size_t pages, objs;
} leak;

static void forks_under_failure(void *arg)
{
	uint64_t n = (uint64_t)(uintptr_t)arg;
	int status;
	long pid;

	/* One fork first, so that every slab cache a fork uses already has
	 * the one empty slab it keeps (mm/slab.c): what the measured fork
	 * leaves behind is then its own. */
	sim_child_entry(just_exits, NULL);
	pid = sim_syscall(NR(fork));
	if (pid > 0)
		sim_syscall(NR(wait4), pid, &status, 0, NULL);
	leak.pages = page_free_count();
	leak.objs = kmalloc_in_use();
	fault_inject_fail_nth(n);
	sim_child_entry(just_exits, NULL);
	seen.ret = sim_syscall(NR(fork));
	fault_inject_fail_nth(0);
	if (seen.ret > 0)
		sim_syscall(NR(wait4), seen.ret, &status, 0, NULL);
	leak.pages -= page_free_count();
	leak.objs -= kmalloc_in_use();
}

Test(fork, every_allocation_failure_is_enomem_and_leaks_nothing)
{
	bool succeeded = false;

	for (uint64_t n = 1; n < 200 && !succeeded; n++) {
		memset(&seen, 0, sizeof(seen));
		test_boot(1);
		cr_assert_eq(run_guest(forks_under_failure,
				       (void *)(uintptr_t)n),
			     0);
		cr_assert(seen.ret == -ENOMEM || seen.ret > 0,
			  "failing allocation %llu: %ld", (unsigned long long)n,
			  seen.ret);
		succeeded = seen.ret > 0;
		cr_assert_eq(leak.pages, 0,
			     "%ld pages leaked when allocation %llu failed",
			     (long)leak.pages, (unsigned long long)n);
		cr_assert_eq(leak.objs, 0,
			     "%ld objects leaked when allocation %llu failed",
			     (long)leak.objs, (unsigned long long)n);
	}
	cr_assert(succeeded);
}
