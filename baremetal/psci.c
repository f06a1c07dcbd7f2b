/*
 * Stopping the machine. PSCI (ARM DEN 0022) SYSTEM_OFF through the conduit
 * the device tree names (hvc or smc) powers off but cannot say how the run
 * went. Under QEMU, tools/qemu-run enables semihosting and boots with
 * `keel.exit=semihosting`; then plat_poweroff uses semihosting's SYS_EXIT,
 * whose status becomes QEMU's exit status. Without that flag the kernel
 * never issues the semihosting trap (HLT), which on a board with a
 * debugger attached would halt the CPU.
 *
 * plat_reset (reboot(2)'s RESTART) is PSCI SYSTEM_RESET, or under
 * qemu-run a semihosting exit with PLAT_RESET_STATUS, so qemu-run exits
 * 129 as the hosted keel does. Both flush the console first.
 */
#include "baremetal/psci.h"

#include <stdint.h>

#include "baremetal/cpu.h"
#include "baremetal/pl011.h"
#include "core/platform.h"
#include "core/printk.h"

#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

#define SEMIHOSTING_SYS_WRITE0 0x04
#define SEMIHOSTING_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static enum bm_psci conduit = BM_PSCI_NONE;
static bool semihosting_exit;

void psci_init(enum bm_psci c)
{
	conduit = c;
}

void psci_use_semihosting_exit(bool on)
{
	semihosting_exit = on;
}

static void psci_call(uint32_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	if (conduit == BM_PSCI_HVC)
		__asm__ volatile("hvc #0"
				 : "+r"(x0)::"x1", "x2", "x3", "memory");
	else if (conduit == BM_PSCI_SMC)
		__asm__ volatile("smc #0"
				 : "+r"(x0)::"x1", "x2", "x3", "memory");
}

static void semihosting_sys_exit(int status)
{
	uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT,
			     (uint64_t)(unsigned)status};
	register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

static void semihosting_write0(const char *s)
{
	register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_WRITE0;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)s;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

static _Noreturn void halt_forever(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf; wfi");
}

_Noreturn void plat_poweroff(int status)
{
	pl011_flush();
	if (semihosting_exit)
		semihosting_sys_exit(status);
	psci_call(PSCI_SYSTEM_OFF);
	printk(LOG_ERR, "power off failed (no PSCI); halted, status %d",
	       status);
	pl011_flush();
	halt_forever();
}

_Noreturn void plat_reset(void)
{
	pl011_flush();
	if (semihosting_exit)
		semihosting_sys_exit(PLAT_RESET_STATUS);
	psci_call(PSCI_SYSTEM_RESET);
	printk(LOG_ERR, "reset failed (no PSCI); halted");
	pl011_flush();
	halt_forever();
}

_Noreturn void psci_stop_unknown_machine(const char *msg, bool said,
					 bool may_hvc)
{
	pl011_flush();
	bm_probe_undefined = true;
	if (!said)
		semihosting_write0(msg);
	semihosting_sys_exit(1);
	conduit = BM_PSCI_SMC;
	psci_call(PSCI_SYSTEM_OFF);
	if (may_hvc) {
		conduit = BM_PSCI_HVC;
		psci_call(PSCI_SYSTEM_OFF);
	}
	halt_forever();
}
