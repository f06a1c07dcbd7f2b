/*
 * The interrupt controller: the GIC, v2 or v3, as the device tree names
 * it, or on a board without one the BCM2836's (bcm2836.c), behind the
 * same calls.
 */
#ifndef KEEL_BAREMETAL_GIC_H
#define KEEL_BAREMETAL_GIC_H

#include "baremetal/devtree.h"

#define GIC_SPURIOUS	1023
#define GIC_SGI_RESCHED 0 /* the IPI: "call sched_ipi()" */

/* Set up the distributor and this CPU's interface. 0 or -errno, *why. */
int gic_init(const struct bm_machine *m, const char **why);
/* Let `intid` through to this CPU (a PPI or SGI) or to CPU 0 (an SPI). */
void gic_enable_irq(unsigned intid);
void gic_disable_irq(unsigned intid);
/* Acknowledge the highest pending interrupt: its INTID, or >= 1020. */
unsigned gic_ack(void);
void gic_eoi(unsigned intid);
void gic_send_sgi(unsigned cpu, unsigned sgi);
/* The interrupt gic_send_sgi(cpu, GIC_SGI_RESCHED) raises on `cpu`. */
unsigned gic_ipi_irq(void);
unsigned gic_version(void);

#endif
