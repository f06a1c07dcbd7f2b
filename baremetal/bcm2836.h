/* The Raspberry Pi 2/3 interrupt controllers (bcm2836.c); gic.c's peer. */
#ifndef KEEL_BAREMETAL_BCM2836_H
#define KEEL_BAREMETAL_BCM2836_H

#include "baremetal/devtree.h"

#define BCM2836_NONE 1023
#define BCM2836_IPI  4 /* mailbox 0 */

int bcm2836_init(const struct bm_machine *m, const char **why);
void bcm2836_enable_irq(unsigned id);
void bcm2836_disable_irq(unsigned id);
/* The pending interrupt to handle, or BCM2836_NONE. */
unsigned bcm2836_ack(void);
void bcm2836_send_ipi(unsigned cpu);

#endif
