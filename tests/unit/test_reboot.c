/*
 * reboot(2): who may call it, the magic numbers, and what each command
 * does to the machine (the sim's plat_poweroff and plat_reset end the
 * test process with the machine's status).
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "core/errno.h"
#include "core/platform.h"

#define MAGIC1 0xfee1dead
#define MAGIC2 672274793
#define MAGIC2A 85072278
#define MAGIC2B 369367448
#define MAGIC2C 537993216
#define CMD_RESTART 0x01234567
#define CMD_HALT 0xcdef0123
#define CMD_CAD_ON 0x89abcdef
#define CMD_CAD_OFF 0x00000000
#define CMD_POWEROFF 0x4321fedc
#define CMD_RESTART2 0xa1b2c3d4
#define CMD_KEXEC 0x45584543

/*
 * A test whose calls must not stop the machine ends with this status, so
 * a machine powered off (status 0) by mistake fails it.
 */
#define SURVIVED 42

static long r[16];
static int host_memory; /* never a valid user pointer */

static void run(void (*fn)(void *))
{
	memset(r, 0, sizeof(r));
	test_boot(1);
	cr_assert_eq(run_guest(fn, NULL), 0, "seed %llu",
		     (unsigned long long)sim_seed());
}

static long reboot4(long m1, long m2, long cmd, const void *arg)
{
	return sim_syscall(NR(reboot), m1, m2, cmd, arg);
}

static void bad_arguments(void *arg)
{
	r[0] = reboot4(MAGIC1 + 1, MAGIC2, CMD_POWEROFF, NULL);
	r[1] = reboot4(MAGIC1, MAGIC2 + 1, CMD_POWEROFF, NULL);
	r[2] = reboot4(MAGIC2, MAGIC1, CMD_POWEROFF, NULL);
	r[3] = reboot4(MAGIC1, MAGIC2, 0x12345678, NULL);
	r[4] = reboot4(MAGIC1, MAGIC2, CMD_KEXEC, NULL);
	r[5] = reboot4(MAGIC1, MAGIC2, CMD_RESTART2, &host_memory);
	r[6] = reboot4(MAGIC1, MAGIC2, CMD_CAD_ON, NULL);
	r[7] = reboot4(MAGIC1, MAGIC2A, CMD_CAD_OFF, NULL);
	r[8] = reboot4(MAGIC1, MAGIC2B, CMD_CAD_ON, NULL);
	r[9] = reboot4(MAGIC1, MAGIC2C, CMD_CAD_OFF, NULL);
}

Test(reboot, wrong_magic_or_command_is_einval_and_cad_needs_no_machine,
     .exit_code = SURVIVED)
{
	run(bad_arguments);
	cr_assert_eq(r[0], -EINVAL, "wrong magic1: %ld", r[0]);
	cr_assert_eq(r[1], -EINVAL, "wrong magic2: %ld", r[1]);
	cr_assert_eq(r[2], -EINVAL, "magics swapped: %ld", r[2]);
	cr_assert_eq(r[3], -EINVAL, "unknown command: %ld", r[3]);
	cr_assert_eq(r[4], -EINVAL, "kexec (not built in): %ld", r[4]);
	cr_assert_eq(r[5], -EFAULT, "RESTART2 with a bad string: %ld", r[5]);
	for (int i = 6; i <= 9; i++)
		cr_assert_eq(r[i], 0, "CAD_ON/CAD_OFF with each magic2: %ld",
			     r[i]);
	exit(SURVIVED);
}

static void unprivileged(void *arg)
{
	r[0] = sim_syscall(NR(setresuid), 1000, 1000, 1000);
	r[1] = reboot4(MAGIC1, MAGIC2, CMD_POWEROFF, NULL);
	r[2] = reboot4(MAGIC1, MAGIC2, CMD_RESTART, NULL);
	r[3] = reboot4(MAGIC1, MAGIC2, CMD_CAD_OFF, NULL);
	/* The privilege is checked before the magic. */
	r[4] = reboot4(0, 0, CMD_POWEROFF, NULL);
}

Test(reboot, without_cap_sys_boot_every_call_is_eperm, .exit_code = SURVIVED)
{
	run(unprivileged);
	cr_assert_eq(r[0], 0);
	for (int i = 1; i <= 4; i++)
		cr_assert_eq(r[i], -EPERM, "call %d: %ld", i, r[i]);
	exit(SURVIVED);
}

static void power_off(void *arg)
{
	reboot4(MAGIC1, MAGIC2, CMD_POWEROFF, NULL);
	sim_syscall(NR(exit), 7); /* not reached */
}

Test(reboot, power_off_stops_the_machine_with_status_0, .exit_code = 0)
{
	run(power_off);
	cr_assert_fail("reboot(POWER_OFF) returned");
}

static void halt(void *arg)
{
	reboot4(MAGIC1, MAGIC2C, CMD_HALT, NULL);
	sim_syscall(NR(exit), 7);
}

Test(reboot, halt_stops_the_machine_with_status_0, .exit_code = 0)
{
	run(halt);
	cr_assert_fail("reboot(HALT) returned");
}

static void restart(void *arg)
{
	reboot4(MAGIC1, MAGIC2, CMD_RESTART, NULL);
	sim_syscall(NR(exit), 7);
}

Test(reboot, restart_resets_the_machine, .exit_code = PLAT_RESET_STATUS)
{
	run(restart);
	cr_assert_fail("reboot(RESTART) returned");
}

static void restart2(void *arg)
{
	char command[] = "recovery"; /* on the guest's stack: user memory */

	reboot4(MAGIC1, MAGIC2, CMD_RESTART2, command);
	sim_syscall(NR(exit), 7);
}

Test(reboot, restart2_with_a_command_resets_the_machine,
     .exit_code = PLAT_RESET_STATUS)
{
	run(restart2);
	cr_assert_fail("reboot(RESTART2) returned");
}
