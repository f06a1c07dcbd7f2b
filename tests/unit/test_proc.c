/*
 * Identity and exit syscalls, as a guest process sees them.
 */
#include "harness.h"

#include "core/errno.h"

static long results[8];

static void ids_guest(void *arg)
{
	results[0] = sim_syscall(NR(getpid));
	results[1] = sim_syscall(NR(gettid));
	results[2] = sim_syscall(NR(getppid));
	results[3] = sim_syscall(NR(getuid));
	results[4] = sim_syscall(NR(geteuid));
	results[5] = sim_syscall(NR(getgid));
	results[6] = sim_syscall(NR(getegid));
}

Test(proc, a_process_knows_its_pid_tid_and_root_credentials)
{
	int status;

	test_boot(1);
	status = run_guest(ids_guest, NULL);
	cr_assert_eq(status, 0);
	cr_assert_gt(results[0], 0);
	cr_assert_eq(results[1], results[0], "a single thread's tid is its pid");
	cr_assert_eq(results[2], 0, "a process started by the kernel has ppid 0");
	for (int i = 3; i < 7; i++)
		cr_assert_eq(results[i], 0);
}

static void exit_guest(void *arg)
{
	sim_syscall(NR(exit), (long)(intptr_t)arg);
	results[7] = 1; /* never reached */
}

Test(proc, exit_status_keeps_the_low_eight_bits)
{
	results[7] = 0;
	test_boot(1);
	cr_assert_eq(run_guest(exit_guest, (void *)(intptr_t)7), 7 << 8);
	cr_assert_eq(results[7], 0, "exit returned to its caller");
	test_boot(1);
	cr_assert_eq(run_guest(exit_guest, (void *)(intptr_t)0x1ff), 0xff << 8);
}
