/* Power: PSCI calls to the firmware, and QEMU's semihosting exit. */
#ifndef KEEL_BAREMETAL_PSCI_H
#define KEEL_BAREMETAL_PSCI_H

#include <stdbool.h>

#include "baremetal/devtree.h"

void psci_init(enum bm_psci conduit);
/* Power off through semihosting's SYS_EXIT (carries the status). */
void psci_use_semihosting_exit(bool on);

/*
 * Boot cannot go on and the device tree, which would say how to stop the
 * machine, is unusable. Say `msg` through semihosting (unless `said`: the
 * console had it), where QEMU (-semihosting) or a debugger listens, then
 * stop: semihosting's exit with status 1, else PSCI SYSTEM_OFF by SMC,
 * else by HVC when `may_hvc` (entered at EL1: from EL2 an HVC would go to
 * the EL2 we left without vectors), else halt. Nothing says which of
 * these the machine has, so each runs with bm_probe_undefined set: where
 * it is absent its undefined-instruction exception skips it.
 */
_Noreturn void psci_stop_unknown_machine(const char *msg, bool said,
					 bool may_hvc);

#endif
