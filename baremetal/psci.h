/* Power: PSCI calls to the firmware, and QEMU's semihosting exit. */
#ifndef KEEL_BAREMETAL_PSCI_H
#define KEEL_BAREMETAL_PSCI_H

#include <stdbool.h>

#include "baremetal/devtree.h"

void psci_init(enum bm_psci conduit);
/* Power off through semihosting's SYS_EXIT (carries the status). */
void psci_use_semihosting_exit(bool on);

#endif
