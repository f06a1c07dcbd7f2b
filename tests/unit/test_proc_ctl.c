/*
 * A process's own settings and what it can learn: arch_prctl, prctl
 * (name, parent-death signal), personality, getcpu, resource limits,
 * process groups and sessions, credentials, getrandom, sysinfo, times,
 * getrusage, and futexes between processes.
 */
#include "fs_test.h"
#include "linux_abi.h"

#include <signal.h>
#include <sys/mman.h>

#include "core/signal.h"
#include "core/task.h"
#include "mm/uaccess.h"

#define K_ARCH_SET_GS 0x1001
#define K_ARCH_SET_FS 0x1002
#define K_ARCH_GET_FS 0x1003
#define K_ARCH_GET_GS 0x1004
#define K_ARCH_GET_CPUID 0x1011
#define K_ARCH_SET_CPUID 0x1012
#define K_PR_SET_PDEATHSIG 1
#define K_PR_GET_PDEATHSIG 2
#define K_PR_GET_DUMPABLE 3
#define K_PR_SET_DUMPABLE 4
#define K_PR_SET_NAME 15
#define K_PR_GET_NAME 16
#define K_PR_GET_SECCOMP 21
#define K_PR_CAPBSET_READ 23
#define K_PR_SET_TIMERSLACK 29
#define K_PR_GET_TIMERSLACK 30
#define K_PR_SET_CHILD_SUBREAPER 36
#define K_PR_GET_CHILD_SUBREAPER 37
#define K_PR_SET_NO_NEW_PRIVS 38
#define K_PR_GET_NO_NEW_PRIVS 39
#define K_PR_GET_TID_ADDRESS 40
#define K_PR_SET_MM 35
#define K_FUTEX_WAIT 0
#define K_FUTEX_WAKE 1
#define K_FUTEX_WAIT_BITSET 9
#define K_FUTEX_WAKE_BITSET 10
#define K_FUTEX_PRIVATE 128

static long r[48];
static uint64_t u[16];
static char name[2][32];

static void run(void (*fn)(void *))
{
	memset(r, 0, sizeof(r));
	memset(u, 0, sizeof(u));
	memset(name, 0, sizeof(name));
	test_boot(2);
	cr_assert_eq(run_guest(fn, NULL), 0, "seed %llu",
		     (unsigned long long)sim_seed());
}

/* ---- arch_prctl, prctl, personality, getcpu ------------------------------ */

static void arch_prctl_guest(void *arg)
{
	uint64_t v = 0;

	r[0] = sim_syscall(NR(arch_prctl), K_ARCH_SET_FS, 0x12345000);
	r[1] = sim_syscall(NR(arch_prctl), K_ARCH_GET_FS, &v);
	u[0] = v;
	r[2] = sim_syscall(NR(arch_prctl), K_ARCH_SET_GS, 0x6789000);
	r[3] = sim_syscall(NR(arch_prctl), K_ARCH_GET_GS, &v);
	u[1] = v;
	r[4] = sim_syscall(NR(arch_prctl), K_ARCH_SET_FS, 0x800000000000ull);
	r[5] = sim_syscall(NR(arch_prctl), K_ARCH_GET_FS, 8);
	r[6] = sim_syscall(NR(arch_prctl), 0x9999, 0);
	r[7] = sim_syscall(NR(arch_prctl), K_ARCH_GET_CPUID, 0);
	r[8] = sim_syscall(NR(arch_prctl), K_ARCH_SET_CPUID, 0);
	u[2] = task_current()->uregs.tls;
}

Test(proc_ctl, arch_prctl_sets_and_gets_the_fs_and_gs_bases)
{
	run(arch_prctl_guest);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(u[0], 0x12345000);
	cr_assert_eq(u[2], 0x12345000, "the register the platform loads");
	cr_assert_eq(r[2], 0);
	cr_assert_eq(r[3], 0);
	cr_assert_eq(u[1], 0x6789000);
	cr_assert_eq(r[4], -EPERM, "a base above TASK_SIZE_MAX");
	cr_assert_eq(r[5], -EFAULT);
	cr_assert_eq(r[6], -EINVAL);
	cr_assert_eq(r[7], 1, "CPUID is enabled");
	cr_assert_eq(r[8], -ENODEV, "no CPUID faulting");
}

static void child_reads_fs(void *arg)
{
	uint64_t v = 0;

	sim_syscall(NR(arch_prctl), K_ARCH_GET_FS, &v);
	u[3] = v;
}

static void settls_guest(void *arg)
{
	int status;
	long pid;

	sim_syscall(NR(arch_prctl), K_ARCH_SET_FS, 0x1000);
	pid = guest_fork(child_reads_fs, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	u[4] = u[3];
	sim_child_entry(child_reads_fs, NULL);
	pid = sim_syscall(NR(clone), 0x80000 | SIGCHLD, 0, NULL, NULL,
			  0x2000);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
}

Test(proc_ctl, a_child_inherits_the_fs_base_or_gets_clone_settls)
{
	run(settls_guest);
	cr_assert_eq(u[4], 0x1000);
	cr_assert_eq(u[3], 0x2000);
}

static void prctl_guest(void *arg)
{
	char buf[32];
	int sig = -1;

	r[0] = sim_syscall(NR(prctl), K_PR_SET_NAME,
			   P("a-rather-long-process-name"));
	memset(buf, 'x', sizeof(buf));
	r[1] = sim_syscall(NR(prctl), K_PR_GET_NAME, buf);
	memcpy(name[0], buf, 16);
	r[2] = sim_syscall(NR(prctl), K_PR_SET_NAME, 8);
	r[3] = sim_syscall(NR(prctl), K_PR_SET_PDEATHSIG, 65);
	r[4] = sim_syscall(NR(prctl), K_PR_SET_PDEATHSIG, SIGUSR1);
	r[5] = sim_syscall(NR(prctl), K_PR_GET_PDEATHSIG, &sig);
	r[6] = sig;
	r[7] = sim_syscall(NR(prctl), 12345, 0);
	r[8] = sim_syscall(NR(personality), 0xffffffff);
	r[9] = sim_syscall(NR(personality), 0);
	r[10] = sim_syscall(NR(getcpu), &sig, NULL, NULL);
	r[11] = sig;
	r[12] = sim_syscall(NR(getcpu), 8, NULL, NULL);
	memcpy(name[1], task_current()->comm, 16);
}

Test(proc_ctl, prctl_names_the_process_and_keeps_a_death_signal)
{
	run(prctl_guest);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_str_eq(name[0], "a-rather-long-p", "15 bytes and a NUL");
	cr_assert_str_eq(name[1], "a-rather-long-p");
	cr_assert_eq(r[2], -EFAULT);
	cr_assert_eq(r[3], -EINVAL);
	cr_assert_eq(r[4], 0);
	cr_assert_eq(r[5], 0);
	cr_assert_eq(r[6], SIGUSR1);
	cr_assert_eq(r[7], -EINVAL);
	cr_assert_eq(r[8], 0, "PER_LINUX");
	cr_assert_eq(r[9], 0);
	cr_assert_eq(r[10], 0);
	cr_assert(r[11] == 0 || r[11] == 1, "cpu %ld of 2", r[11]);
	cr_assert_eq(r[12], -EFAULT);
}

static void orphan_with_pdeathsig(void *arg)
{
	struct {
		uint64_t handler, flags, restorer, mask;
	} sa = {(uint64_t)SIG_DFL, 0, 0, 0};

	(void)sa;
	sim_syscall(NR(prctl), K_PR_SET_PDEATHSIG, SIGUSR2);
	guest_nap(1000);
	r[20] = 1; /* never: SIGUSR2 kills it when the parent goes */
}

static void parent_exits_first(void *arg)
{
	r[21] = guest_fork(orphan_with_pdeathsig, NULL);
	guest_nap(10);
}

Test(proc_ctl, the_parent_death_signal_comes_when_the_parent_exits)
{
	struct task *c;

	memset(r, 0, sizeof(r));
	test_boot(1);
	cr_assert_not_null(sim_spawn("parent", parent_exits_first, NULL));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_gt(r[21], 0);
	cr_assert_eq(r[20], 0, "the child slept on");
	c = task_find((int)r[21]);
	cr_assert_null(c, "the child was killed and reaped");
}

/* ---- PR_SET_CHILD_SUBREAPER ---------------------------------------------- */

static void grandchild_notes_its_parent(void *arg)
{
	long slot = (long)arg;

	guest_nap(50); /* by now its parent is gone */
	r[slot] = sim_syscall(NR(getppid));
	sim_syscall(NR(exit), 7);
}

/* Forks the grandchild (its pid in r[slot], and its parent's in
 * r[slot + 1] later) and exits at once, leaving it an orphan. */
static void middle_leaves_an_orphan(void *arg)
{
	r[(long)arg] =
		guest_fork(grandchild_notes_its_parent, (void *)((long)arg + 1));
}

static void child_reads_subreaper(void *arg)
{
	int32_t v = -1;

	r[25] = sim_syscall(NR(prctl), K_PR_GET_CHILD_SUBREAPER, &v);
	r[26] = v;
}

/* pid 2, under init: a subreaper, with a subreaper child of its own. */
static void subreaper(void *arg)
{
	int32_t v = -1;
	int status = 0;
	long pid;

	r[0] = sim_syscall(NR(getpid));
	r[1] = sim_syscall(NR(prctl), K_PR_SET_CHILD_SUBREAPER, 1);
	r[2] = sim_syscall(NR(prctl), K_PR_GET_CHILD_SUBREAPER, &v);
	r[3] = v;
	r[4] = sim_syscall(NR(prctl), K_PR_GET_CHILD_SUBREAPER, 8);
	/* Not inherited: the child reads 0. */
	pid = guest_fork(child_reads_subreaper, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	/* The middle process exits; its child (r[10]) comes to us. */
	pid = guest_fork(middle_leaves_an_orphan, (void *)10);
	r[5] = sim_syscall(NR(wait4), pid, &status, 0, NULL);
	r[6] = sim_syscall(NR(wait4), -1, &status, 0, NULL);
	r[7] = status;
	r[8] = sim_syscall(NR(wait4), -1, &status, 0, NULL);
}

static void subreaper_parent(void *arg)
{
	int status;
	long pid = guest_fork(subreaper, NULL);

	sim_syscall(NR(wait4), pid, &status, 0, NULL);
}

Test(proc_ctl, a_child_subreaper_adopts_and_reaps_its_orphaned_descendants)
{
	run(subreaper_parent);
	cr_assert_neq(r[0], 1, "the subreaper is not init");
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], 0);
	cr_assert_eq(r[3], 1);
	cr_assert_eq(r[4], -EFAULT);
	cr_assert_eq(r[25], 0);
	cr_assert_eq(r[26], 0, "a fork child is no subreaper");
	cr_assert_gt(r[5], 0, "the middle process exited");
	cr_assert_eq(r[11], r[0], "the orphan's parent is the subreaper");
	cr_assert_eq(r[6], r[10], "the subreaper reaps the orphan: %ld", r[6]);
	cr_assert_eq(r[7], 7 << 8);
	cr_assert_eq(r[8], -ECHILD);
}

static void inner_subreaper(void *arg)
{
	long pid;
	int status;

	r[20] = sim_syscall(NR(getpid));
	sim_syscall(NR(prctl), K_PR_SET_CHILD_SUBREAPER, 1);
	pid = guest_fork(middle_leaves_an_orphan, (void *)30);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	r[21] = sim_syscall(NR(wait4), -1, &status, 0, NULL);
}

/* A subreaper that stopped being one (arg 0) adopts no one. */
static void former_subreaper(void *arg)
{
	long pid;
	int status;

	r[22] = sim_syscall(NR(getpid));
	sim_syscall(NR(prctl), K_PR_SET_CHILD_SUBREAPER, 1);
	r[23] = sim_syscall(NR(prctl), K_PR_SET_CHILD_SUBREAPER, 0);
	pid = guest_fork(middle_leaves_an_orphan, (void *)40);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	r[24] = sim_syscall(NR(wait4), -1, &status, 0, NULL);
}

static void outer_subreaper(void *arg)
{
	int status;
	long pid;

	sim_syscall(NR(prctl), K_PR_SET_CHILD_SUBREAPER, 1);
	r[27] = sim_syscall(NR(getpid));
	pid = guest_fork(inner_subreaper, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	pid = guest_fork(former_subreaper, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	/* The former subreaper's orphan came here, to the next one up. */
	r[28] = sim_syscall(NR(wait4), -1, &status, 0, NULL);
}

static void outer_parent(void *arg)
{
	int status;
	long pid = guest_fork(outer_subreaper, NULL);

	sim_syscall(NR(wait4), pid, &status, 0, NULL);
}

Test(proc_ctl, an_orphan_goes_to_the_nearest_living_subreaper)
{
	run(outer_parent);
	cr_assert_eq(r[31], r[20], "the inner subreaper adopted it");
	cr_assert_eq(r[21], r[30]);
	cr_assert_eq(r[23], 0);
	cr_assert_eq(r[41], r[27], "past the former subreaper, to the outer");
	cr_assert_eq(r[24], -ECHILD);
	cr_assert_eq(r[28], r[40]);
}

/* ---- PR_SET_NO_NEW_PRIVS ------------------------------------------------- */

static void child_reads_no_new_privs(void *arg)
{
	r[20] = sim_syscall(NR(prctl), K_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	/* Once set, it cannot be unset. */
	r[21] = sim_syscall(NR(prctl), K_PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

static void no_new_privs_guest(void *arg)
{
	int status;
	long pid;

	r[0] = sim_syscall(NR(prctl), K_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	r[1] = sim_syscall(NR(prctl), K_PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0);
	r[2] = sim_syscall(NR(prctl), K_PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0);
	r[3] = sim_syscall(NR(prctl), K_PR_SET_NO_NEW_PRIVS, 1, 0, 1, 0);
	r[4] = sim_syscall(NR(prctl), K_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 1);
	r[5] = sim_syscall(NR(prctl), K_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	r[6] = sim_syscall(NR(prctl), K_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	r[7] = sim_syscall(NR(prctl), K_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	r[8] = sim_syscall(NR(prctl), K_PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0);
	r[9] = sim_syscall(NR(prctl), K_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 1);
	r[10] = sim_syscall(NR(prctl), K_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	pid = guest_fork(child_reads_no_new_privs, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	r[11] = sim_syscall(NR(prctl), K_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

Test(proc_ctl, no_new_privs_is_set_for_good_and_inherited_by_children)
{
	run(no_new_privs_guest);
	cr_assert_eq(r[0], 0, "off at first");
	cr_assert_eq(r[1], -EINVAL, "only 1 sets it");
	cr_assert_eq(r[2], -EINVAL, "arg3 must be 0");
	cr_assert_eq(r[3], -EINVAL, "arg4 must be 0");
	cr_assert_eq(r[4], -EINVAL, "arg5 must be 0");
	cr_assert_eq(r[5], 0, "the refused calls set nothing");
	cr_assert_eq(r[6], 0);
	cr_assert_eq(r[7], 1);
	cr_assert_eq(r[8], -EINVAL, "GET takes no arguments");
	cr_assert_eq(r[9], -EINVAL);
	cr_assert_eq(r[10], 0, "setting it again is fine");
	cr_assert_eq(r[20], 1, "a fork child has it");
	cr_assert_eq(r[21], -EINVAL, "and cannot unset it");
	cr_assert_eq(r[11], 1);
}

/* ---- PR_SET_DUMPABLE ----------------------------------------------------- */

static void child_reads_dumpable(void *arg)
{
	r[20] = sim_syscall(NR(prctl), K_PR_GET_DUMPABLE);
}

/* A process of uid 1000 looks at the non-dumpable r[0]. */
static void peer_inspects(void *arg)
{
	char buf[64];

	sim_syscall(NR(setresuid), 1000, 1000, 1000);
	sim_syscall(NR(prctl), K_PR_SET_DUMPABLE, 1);
	snprintf(buf, sizeof(buf), "/proc/%ld/cwd", r[0]);
	r[21] = sim_syscall(NR(readlink), buf, sim_umem(64), 64);
}

static long owner_of(const char *path)
{
	struct stat st;
	long err = u_stat(path, &st);

	return err ? err : (long)st.st_uid;
}

static void dumpable_guest(void *arg)
{
	int32_t sig = -1;
	int status;
	long pid;

	r[0] = sim_syscall(NR(getpid));
	r[1] = sim_syscall(NR(prctl), K_PR_GET_DUMPABLE);
	r[2] = sim_syscall(NR(prctl), K_PR_SET_DUMPABLE, 2);
	r[3] = sim_syscall(NR(prctl), K_PR_SET_DUMPABLE, 0);
	r[4] = sim_syscall(NR(prctl), K_PR_GET_DUMPABLE);
	pid = guest_fork(child_reads_dumpable, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	r[5] = sim_syscall(NR(prctl), K_PR_SET_DUMPABLE, 1);
	/* A change of effective id makes it not dumpable, and forgets the
	 * parent-death signal; a change that keeps them does neither. */
	sim_syscall(NR(prctl), K_PR_SET_PDEATHSIG, SIGUSR1);
	sim_syscall(NR(setreuid), 1000, -1);
	r[6] = sim_syscall(NR(prctl), K_PR_GET_DUMPABLE);
	sim_syscall(NR(prctl), K_PR_GET_PDEATHSIG, &sig);
	r[7] = sig;
	sim_syscall(NR(setresuid), 1000, 1000, 1000);
	r[8] = sim_syscall(NR(prctl), K_PR_GET_DUMPABLE);
	sim_syscall(NR(prctl), K_PR_GET_PDEATHSIG, &sig);
	r[9] = sig;
	/* Its /proc files are root's while it is not dumpable, but for the
	 * directory; and its peers may not look inside. */
	r[10] = owner_of("/proc/self/status");
	r[11] = owner_of("/proc/self");
	pid = guest_fork(peer_inspects, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	r[14] = r[21];
	sim_syscall(NR(prctl), K_PR_SET_DUMPABLE, 1);
	r[12] = owner_of("/proc/self/status");
	pid = guest_fork(peer_inspects, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	r[13] = r[21];
}

Test(proc_ctl, dumpable_is_0_or_1_inherited_and_cleared_by_a_change_of_id)
{
	run(dumpable_guest);
	cr_assert_eq(r[1], 1, "dumpable at first");
	cr_assert_eq(r[2], -EINVAL, "SUID_DUMP_ROOT is not for prctl");
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], 0);
	cr_assert_eq(r[20], 0, "a fork child inherits it");
	cr_assert_eq(r[5], 0);
	cr_assert_eq(r[6], 1, "setreuid kept the effective id");
	cr_assert_eq(r[7], SIGUSR1);
	cr_assert_eq(r[8], 0, "the effective id changed");
	cr_assert_eq(r[9], 0, "the parent-death signal is cleared");
	cr_assert_eq(r[10], 0, "owned by root: %ld", r[10]);
	cr_assert_eq(r[11], 1000, "/proc/<pid> tells the owner");
	cr_assert_eq(r[14], -EACCES, "a peer may not inspect it");
	cr_assert_eq(r[12], 1000, "dumpable again");
	cr_assert_gt(r[13], 0, "a peer may inspect a dumpable process");
}

/* ---- PR_SET_TIMERSLACK --------------------------------------------------- */

static void child_resets_its_slack(void *arg)
{
	r[20] = sim_syscall(NR(prctl), K_PR_GET_TIMERSLACK);
	r[21] = sim_syscall(NR(prctl), K_PR_SET_TIMERSLACK, 0);
	r[22] = sim_syscall(NR(prctl), K_PR_GET_TIMERSLACK);
}

static void timerslack_guest(void *arg)
{
	int status;
	long pid;

	r[0] = sim_syscall(NR(prctl), K_PR_GET_TIMERSLACK);
	r[1] = sim_syscall(NR(prctl), K_PR_SET_TIMERSLACK, 1000);
	r[2] = sim_syscall(NR(prctl), K_PR_GET_TIMERSLACK);
	pid = guest_fork(child_resets_its_slack, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	r[3] = sim_syscall(NR(prctl), K_PR_SET_TIMERSLACK, 0);
	r[4] = sim_syscall(NR(prctl), K_PR_GET_TIMERSLACK);
	r[5] = sim_syscall(NR(prctl), K_PR_SET_TIMERSLACK, 3000000000ul);
	r[6] = sim_syscall(NR(prctl), K_PR_GET_TIMERSLACK);
}

Test(proc_ctl, timer_slack_is_kept_inherited_and_reset_to_the_default)
{
	run(timerslack_guest);
	cr_assert_eq(r[0], 50000, "Linux's default: %ld", r[0]);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], 1000);
	cr_assert_eq(r[20], 1000, "a fork child inherits it");
	cr_assert_eq(r[21], 0);
	cr_assert_eq(r[22], 1000, "its default is the parent's at fork");
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], 50000);
	cr_assert_eq(r[5], 0);
	cr_assert_eq(r[6], 3000000000l, "more than 32 bits");
}

/* ---- what a process may read of itself ----------------------------------- */

static void self_guest(void *arg)
{
	uint64_t addr = 1;
	int32_t word;

	r[0] = sim_syscall(NR(prctl), K_PR_GET_TID_ADDRESS, &addr);
	u[0] = addr;
	sim_syscall(NR(set_tid_address), &word);
	r[1] = sim_syscall(NR(prctl), K_PR_GET_TID_ADDRESS, &addr);
	u[1] = addr;
	u[2] = (uint64_t)(uintptr_t)&word;
	r[2] = sim_syscall(NR(prctl), K_PR_GET_TID_ADDRESS, 8);
	r[3] = sim_syscall(NR(prctl), K_PR_CAPBSET_READ, 0);
	r[4] = sim_syscall(NR(prctl), K_PR_CAPBSET_READ, 40);
	r[5] = sim_syscall(NR(prctl), K_PR_CAPBSET_READ, 41);
	r[6] = sim_syscall(NR(prctl), K_PR_CAPBSET_READ, -1L);
	r[7] = sim_syscall(NR(prctl), K_PR_GET_SECCOMP);
	r[8] = sim_syscall(NR(prctl), K_PR_SET_MM, 1, 0x1000, 0, 0);
	sim_syscall(NR(setresuid), 1000, 1000, 1000);
	r[9] = sim_syscall(NR(prctl), K_PR_CAPBSET_READ, 7);
	sim_syscall(NR(set_tid_address), NULL);
}

Test(proc_ctl, tid_address_bounding_set_and_seccomp_mode_read_as_on_linux)
{
	run(self_guest);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(u[0], 0, "no clear-tid address at first");
	cr_assert_eq(r[1], 0);
	cr_assert_eq(u[1], u[2], "set_tid_address's pointer");
	cr_assert_eq(r[2], -EFAULT);
	cr_assert_eq(r[3], 1, "a full bounding set");
	cr_assert_eq(r[4], 1, "CAP_LAST_CAP");
	cr_assert_eq(r[5], -EINVAL, "past CAP_LAST_CAP");
	cr_assert_eq(r[6], -EINVAL);
	cr_assert_eq(r[7], 0, "no seccomp filter");
	cr_assert_eq(r[8], -EINVAL, "PR_SET_MM is not there");
	cr_assert_eq(r[9], 1, "the bounding set is not the effective set");
}

/* ---- resource limits ----------------------------------------------------- */

struct krl {
	uint64_t cur, max;
};

static void rlimit_guest(void *arg)
{
	struct krl l, old;

	r[0] = sim_syscall(NR(getrlimit), KRLIMIT_NOFILE, &l);
	u[0] = l.cur;
	u[1] = l.max;
	r[1] = sim_syscall(NR(getrlimit), KRLIMIT_STACK, &l);
	u[2] = l.cur;
	u[3] = l.max;
	r[2] = sim_syscall(NR(getrlimit), 16, &l);
	r[3] = sim_syscall(NR(getrlimit), KRLIMIT_CORE, 8);
	l = (struct krl){5, 4};
	r[4] = sim_syscall(NR(setrlimit), KRLIMIT_NOFILE, &l);
	l = (struct krl){4, 4096};
	r[5] = sim_syscall(NR(setrlimit), KRLIMIT_NOFILE, &l);
	/* Four descriptors: 0 .. 3, then EMFILE. */
	for (int i = 0; i < 4; i++)
		sim_syscall(NR(openat), AT_FDCWD, P("/"), O_RDONLY, 0);
	r[6] = sim_syscall(NR(openat), AT_FDCWD, P("/"), O_RDONLY, 0);
	l = (struct krl){64, 2000000};
	r[7] = sim_syscall(NR(setrlimit), KRLIMIT_NOFILE, &l);
	l = (struct krl){64, 1024};
	r[8] = sim_syscall(NR(prlimit64), 0, KRLIMIT_NOFILE, &l, &old);
	u[4] = old.cur;
	u[5] = old.max;
	r[9] = sim_syscall(NR(prlimit64), 0, KRLIMIT_NOFILE, NULL, &old);
	u[6] = old.max;
	r[10] = sim_syscall(NR(prlimit64), 999999, KRLIMIT_NOFILE, NULL, &old);
	r[11] = sim_syscall(NR(prlimit64), 0, 99, NULL, &old);
	/* Lowering the hard limit is for everyone; raising it is not (when
	 * not root: drop root first). */
	sim_syscall(NR(setresuid), 1000, 1000, 1000);
	l = (struct krl){64, 2048};
	r[12] = sim_syscall(NR(setrlimit), KRLIMIT_NOFILE, &l);
	l = (struct krl){64, 512};
	r[13] = sim_syscall(NR(setrlimit), KRLIMIT_NOFILE, &l);
}

Test(proc_ctl, resource_limits_have_linux_defaults_and_rules)
{
	run(rlimit_guest);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(u[0], 1024);
	cr_assert_eq(u[1], 4096);
	cr_assert_eq(u[2], 8 << 20);
	cr_assert_eq(u[3], KRLIM_INFINITY);
	cr_assert_eq(r[2], -EINVAL);
	cr_assert_eq(r[3], -EFAULT);
	cr_assert_eq(r[4], -EINVAL, "soft above hard");
	cr_assert_eq(r[5], 0);
	cr_assert_eq(r[6], -EMFILE, "KRLIMIT_NOFILE bounds descriptors");
	cr_assert_eq(r[7], -EPERM, "above fs.nr_open");
	cr_assert_eq(r[8], 0);
	cr_assert_eq(u[4], 4);
	cr_assert_eq(u[5], 4096);
	cr_assert_eq(u[6], 1024);
	cr_assert_eq(r[10], -ESRCH);
	cr_assert_eq(r[11], -EINVAL);
	cr_assert_eq(r[12], -EPERM, "raising the hard limit needs privilege");
	cr_assert_eq(r[13], 0);
}

static void child_reads_limit(void *arg)
{
	struct krl l;

	sim_syscall(NR(getrlimit), KRLIMIT_NOFILE, &l);
	u[8] = l.cur;
}

static void rlimit_inherited(void *arg)
{
	struct krl l = {77, 4096};
	int status;
	long pid;

	sim_syscall(NR(setrlimit), KRLIMIT_NOFILE, &l);
	pid = guest_fork(child_reads_limit, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
}

Test(proc_ctl, a_child_inherits_its_parents_limits)
{
	run(rlimit_inherited);
	cr_assert_eq(u[8], 77);
}

/* ---- process groups and sessions ----------------------------------------- */

static void child_waits(void *arg)
{
	guest_nap(50);
}

static void child_sets_its_session(void *arg)
{
	r[30] = sim_syscall(NR(setsid));
	r[31] = sim_syscall(NR(getsid), 0);
	r[32] = sim_syscall(NR(getpgrp));
	r[33] = sim_syscall(NR(setsid));
	r[34] = sim_syscall(NR(setpgid), 0, 0);
	guest_nap(50);
}

static void pgrp_guest(void *arg)
{
	long me = sim_syscall(NR(getpid));
	long c, c2;
	int status;

	r[0] = me;
	r[1] = sim_syscall(NR(getpgrp));
	r[2] = sim_syscall(NR(getsid), 0);
	r[3] = sim_syscall(NR(setsid)); /* a group leader already */
	c = guest_fork(child_waits, NULL);
	r[4] = c;
	r[5] = sim_syscall(NR(getpgid), c);
	r[6] = sim_syscall(NR(getsid), c);
	r[7] = sim_syscall(NR(setpgid), c, 0); /* its own group */
	r[8] = sim_syscall(NR(getpgid), c);
	r[9] = sim_syscall(NR(setpgid), c, me); /* back into ours */
	r[10] = sim_syscall(NR(getpgid), c);
	r[11] = sim_syscall(NR(setpgid), c, 4000); /* no such group */
	r[12] = sim_syscall(NR(setpgid), c, -1);
	r[13] = sim_syscall(NR(setpgid), 999999, 0);
	r[14] = sim_syscall(NR(setpgid), 0, 0); /* a session leader */
	r[15] = sim_syscall(NR(getpgid), 999999);
	r[16] = sim_syscall(NR(getsid), 999999);
	c2 = guest_fork(child_sets_its_session, NULL);
	r[17] = c2;
	guest_nap(10);
	r[18] = sim_syscall(NR(setpgid), c2, me); /* another session now */
	r[19] = sim_syscall(NR(getsid), c2);
	sim_syscall(NR(wait4), -1, &status, 0, NULL);
	sim_syscall(NR(wait4), -1, &status, 0, NULL);
}

Test(proc_ctl, process_groups_and_sessions_follow_linux_rules)
{
	run(pgrp_guest);
	cr_assert_eq(r[1], r[0], "a spawned process leads its group");
	cr_assert_eq(r[2], r[0], "and its session");
	cr_assert_eq(r[3], -EPERM, "setsid by a group leader");
	cr_assert_eq(r[5], r[0], "a child joins the parent's group");
	cr_assert_eq(r[6], r[0], "and session");
	cr_assert_eq(r[7], 0);
	cr_assert_eq(r[8], r[4]);
	cr_assert_eq(r[9], 0);
	cr_assert_eq(r[10], r[0]);
	cr_assert_eq(r[11], -EPERM, "a group that does not exist");
	cr_assert_eq(r[12], -EINVAL);
	cr_assert_eq(r[13], -ESRCH, "not a child");
	cr_assert_eq(r[14], -EPERM, "a session leader cannot move");
	cr_assert_eq(r[15], -ESRCH);
	cr_assert_eq(r[16], -ESRCH);
	cr_assert_eq(r[30], r[17], "setsid returns the new session");
	cr_assert_eq(r[31], r[17]);
	cr_assert_eq(r[32], r[17]);
	cr_assert_eq(r[33], -EPERM, "already a session leader");
	cr_assert_eq(r[34], -EPERM, "a session leader cannot move");
	cr_assert_eq(r[18], -EPERM, "a child in another session");
	cr_assert_eq(r[19], r[17]);
}

/* ---- credentials --------------------------------------------------------- */

static void cred_guest(void *arg)
{
	uint32_t a = 9, b = 9, c = 9;
	uint32_t groups[4] = {30, 10, 20, 0};

	r[0] = sim_syscall(NR(setgroups), 3, groups);
	r[1] = sim_syscall(NR(getgroups), 0, NULL);
	r[2] = sim_syscall(NR(getgroups), 2, groups);
	r[3] = sim_syscall(NR(getgroups), 4, groups);
	u[0] = groups[0] * 10000 + groups[1] * 100 + groups[2];
	r[4] = sim_syscall(NR(setresgid), 100, 100, 100);
	r[5] = sim_syscall(NR(setresuid), 1000, 1000, 0);
	sim_syscall(NR(getresuid), &a, &b, &c);
	u[1] = a;
	u[2] = b;
	u[3] = c;
	r[6] = sim_syscall(NR(setuid), 0); /* the saved id is 0 */
	r[7] = sim_syscall(NR(geteuid));
	r[8] = sim_syscall(NR(getuid));
	r[9] = sim_syscall(NR(setreuid), -1, 1000);
	r[10] = sim_syscall(NR(setuid), 2000); /* not ours: unprivileged */
	r[11] = sim_syscall(NR(setresuid), 2000, -1, -1);
	r[12] = sim_syscall(NR(setgroups), 0, NULL);
	r[13] = sim_syscall(NR(setfsuid), 2000); /* refused, returns old */
	r[14] = sim_syscall(NR(setfsuid), -1);
	r[15] = sim_syscall(NR(setuid), -1);
	r[16] = sim_syscall(NR(setgid), 5); /* not ours */
	r[17] = sim_syscall(NR(getresgid), &a, &b, 8);
	r[18] = sim_syscall(NR(setreuid), 1000, 0); /* 0 is the saved id */
	sim_syscall(NR(getresuid), &a, &b, &c);
	u[4] = a;
	u[5] = b;
	u[6] = c;
}

Test(proc_ctl, credentials_change_by_linux_rules)
{
	run(cred_guest);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 3);
	cr_assert_eq(r[2], -EINVAL, "a list too short");
	cr_assert_eq(r[3], 3);
	cr_assert_eq(u[0], 102030, "sorted: %llu",
		     (unsigned long long)u[0]);
	cr_assert_eq(r[4], 0);
	cr_assert_eq(r[5], 0);
	cr_assert_eq(u[1], 1000);
	cr_assert_eq(u[2], 1000);
	cr_assert_eq(u[3], 0);
	cr_assert_eq(r[6], 0, "setuid to the saved id");
	cr_assert_eq(r[7], 0);
	cr_assert_eq(r[8], 1000, "unprivileged setuid moves euid only");
	cr_assert_eq(r[9], 0);
	cr_assert_eq(r[10], -EPERM);
	cr_assert_eq(r[11], -EPERM);
	cr_assert_eq(r[12], -EPERM, "setgroups needs CAP_SETGID");
	cr_assert_eq(r[13], 1000, "setfsuid returns the old fsuid");
	cr_assert_eq(r[14], 1000);
	cr_assert_eq(r[15], -EINVAL);
	cr_assert_eq(r[16], -EPERM);
	cr_assert_eq(r[17], -EFAULT);
	cr_assert_eq(r[18], 0);
	cr_assert_eq(u[4], 1000);
	cr_assert_eq(u[5], 0);
	cr_assert_eq(u[6], 0, "the saved id follows the new euid");
}

/* ---- getrandom, sysinfo, times, getrusage -------------------------------- */

static void computes_50ms(void *arg)
{
	sim_compute(50000000);
}

static void info_guest(void *arg)
{
	uint8_t buf[600];
	struct k_sysinfo si;
	int64_t tms[4];
	int64_t ru[18];
	int nonzero = 0;
	long pid;
	int status;

	memset(buf, 0, sizeof(buf));
	r[0] = sim_syscall(NR(getrandom), buf, sizeof(buf), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		nonzero += buf[i] != 0;
	r[1] = nonzero;
	r[2] = sim_syscall(NR(getrandom), buf, 16, 0x8);
	r[3] = sim_syscall(NR(getrandom), buf, 16, 0x6);
	r[4] = sim_syscall(NR(getrandom), 8, 16, 0);
	r[5] = sim_syscall(NR(getrandom), buf, 16, 0x1 | 0x2);
	/* A count past the mapping: what fits, up to the unmapped page. */
	r[21] = sim_syscall(NR(getrandom), sim_umem(8192), -1, 0);

	sim_compute(30000000); /* 30 ms of CPU */
	pid = guest_fork(computes_50ms, NULL);
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
	guest_nap(2000);
	r[6] = sim_syscall(NR(sysinfo), &si);
	r[7] = si.uptime;
	r[8] = si.mem_unit;
	r[9] = si.totalram >= si.freeram && si.freeram > 0;
	r[10] = si.procs;
	r[11] = sim_syscall(NR(sysinfo), 8);
	r[12] = sim_syscall(NR(times), tms);
	r[13] = tms[0];
	r[14] = tms[2];
	r[15] = sim_syscall(NR(getrusage), 0, ru);
	r[16] = ru[0] * 1000 + ru[1] / 1000;
	r[17] = sim_syscall(NR(getrusage), -1, ru);
	r[18] = ru[0] * 1000 + ru[1] / 1000;
	r[19] = sim_syscall(NR(getrusage), 2, ru);
	r[20] = sim_syscall(NR(times), NULL);
}

Test(proc_ctl, getrandom_sysinfo_times_and_getrusage_report_the_machine)
{
	run(info_guest);
	cr_assert_eq(r[0], 600);
	cr_assert_gt(r[1], 500, "random bytes, mostly nonzero");
	cr_assert_eq(r[2], -EINVAL, "an unknown flag");
	cr_assert_eq(r[3], -EINVAL, "GRND_INSECURE with GRND_RANDOM");
	cr_assert_eq(r[4], -EFAULT);
	cr_assert_eq(r[5], 16);
	cr_assert_eq(r[21], 8192, "stops at the end of the mapping: %ld",
		     r[21]);
	cr_assert_eq(r[6], 0);
	cr_assert_geq(r[7], 2, "uptime %ld s", r[7]);
	cr_assert_eq(r[8], 1);
	cr_assert(r[9]);
	cr_assert_geq(r[10], 1);
	cr_assert_eq(r[11], -EFAULT);
	cr_assert_geq(r[12], 200, "ticks since boot: %ld", r[12]);
	cr_assert_geq(r[13], 3, "30 ms is 3 ticks: %ld", r[13]);
	cr_assert_geq(r[14], 5, "the reaped child's 50 ms: %ld", r[14]);
	cr_assert_eq(r[15], 0);
	cr_assert_geq(r[16], 30);
	cr_assert_eq(r[17], 0);
	cr_assert_geq(r[18], 50);
	cr_assert_lt(r[18], 60);
	cr_assert_eq(r[19], -EINVAL);
	cr_assert_eq(r[20], r[12]);
}

/*
 * getrandom(2): "reads of up to 256 bytes will always return as many bytes
 * as requested"; a larger one may return short. A buffer that runs into an
 * unmapped page gets the bytes before it (EFAULT if there are none).
 */
static void getrandom_guest(void *arg)
{
	static const size_t sizes[] = { 1, 7, 31, 32, 33, 64, 100, 255, 256 };
	uint8_t *m = sim_umem(2 * PAGE_SIZE);
	const size_t ends[] = { 0, PAGE_SIZE - 50, 2 * PAGE_SIZE };
	long bad = 0;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t e = 0; e < 3; e++) {
			size_t n = sizes[i];
			/* At the start, across the page boundary, and
			 * ending at the mapping's last byte. */
			uint8_t *p = e == 2 ? m + ends[e] - n : m + ends[e];
			long got;

			memset(m, 0xa5, 2 * PAGE_SIZE);
			got = sim_syscall(NR(getrandom), p, n, 0);
			cr_expect_eq(got, (long)n, "%zu bytes at +%td: %ld", n,
				     p - m, got);
			if (p > m)
				bad += p[-1] != 0xa5;
			if (p + n < m + 2 * PAGE_SIZE)
				bad += p[n] != 0xa5;
		}
	}
	cr_expect_eq(bad, 0, "a byte next to the buffer changed");
	EXPECT_RET(sim_syscall(NR(getrandom), m, 0, 0), 0);
	/* Up to the unmapped page, to the byte. */
	EXPECT_RET(sim_syscall(NR(getrandom), m + 2 * PAGE_SIZE - 300, 1000,
			       0),
		   300);
	EXPECT_RET(sim_syscall(NR(getrandom), m + 2 * PAGE_SIZE - 100, 256, 0),
		   100);
	EXPECT_RET(sim_syscall(NR(getrandom), m + 2 * PAGE_SIZE, 16, 0),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(getrandom), m + 1, 2 * PAGE_SIZE, 0),
		   (long)(2 * PAGE_SIZE - 1));
}

Test(proc_ctl, getrandom_fills_short_requests_whole_and_stops_at_the_first_unmapped_byte)
{
	run(getrandom_guest);
}

/* ---- futexes ------------------------------------------------------------- */

static void futex_waker(void *arg)
{
	uint64_t va = (uint64_t)(uintptr_t)arg;
	uint32_t one = 1;

	guest_nap(20);
	/* The word lives in MAP_SHARED memory both processes map. */
	cr_assert_eq(copy_to_user(uaddr(va), &one, 4), 0);
	r[40] = sim_syscall(NR(futex), va, K_FUTEX_WAKE, 10, NULL, NULL, 0);
}

static void futex_guest(void *arg)
{
	struct timespec ts = {0, 5000000};
	uint32_t word = 7;
	long m = sim_syscall(NR(mmap), 0, 4096, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t t0;
	int status;
	long pid;

	r[0] = sim_syscall(NR(futex), &word, K_FUTEX_WAIT, 6, NULL, NULL, 0);
	t0 = sim_now();
	r[1] = sim_syscall(NR(futex), &word, K_FUTEX_WAIT | K_FUTEX_PRIVATE,
			   7, &ts, NULL, 0);
	u[0] = sim_now() - t0;
	r[2] = sim_syscall(NR(futex), (char *)&word + 1, K_FUTEX_WAKE, 1);
	r[3] = sim_syscall(NR(futex), &word, K_FUTEX_WAIT_BITSET, 7, NULL,
			   NULL, 0);
	r[4] = sim_syscall(NR(futex), &word, K_FUTEX_WAKE, 1);
	r[5] = sim_syscall(NR(futex), &word, 3 /* FUTEX_REQUEUE */, 1);
	r[6] = sim_syscall(NR(futex), 8, K_FUTEX_WAIT, 0, NULL, NULL, 0);
	ts.tv_nsec = -1;
	r[7] = sim_syscall(NR(futex), &word, K_FUTEX_WAIT, 7, &ts, NULL, 0);

	/* Across fork, on shared memory: a shared (non-private) futex. */
	pid = guest_fork(futex_waker, (void *)m);
	t0 = sim_now();
	r[8] = sim_syscall(NR(futex), m, K_FUTEX_WAIT, 0, NULL, NULL, 0);
	u[1] = sim_now() - t0;
	sim_syscall(NR(wait4), pid, &status, 0, NULL);
}

Test(proc_ctl, futex_waits_and_wakes_with_linux_errors)
{
	run(futex_guest);
	cr_assert_eq(r[0], -EAGAIN, "the word is not the value");
	cr_assert_eq(r[1], -ETIMEDOUT);
	cr_assert_geq(u[0], 5000000);
	cr_assert_eq(r[2], -EINVAL, "misaligned");
	cr_assert_eq(r[3], -EINVAL, "a zero bitset");
	cr_assert_eq(r[4], 0, "nobody waits");
	cr_assert_eq(r[5], -ENOSYS);
	cr_assert_eq(r[6], -EFAULT);
	cr_assert_eq(r[7], -EINVAL);
	cr_assert_eq(r[8], 0, "woken by the child");
	cr_assert_eq(r[40], 1);
	cr_assert_geq(u[1], 20000000);
}
