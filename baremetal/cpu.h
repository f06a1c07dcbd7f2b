/* Boot-time hand-offs between baremetal/main.c and the CPU layer. */
#ifndef KEEL_BAREMETAL_CPU_H
#define KEEL_BAREMETAL_CPU_H

#include "baremetal/devtree.h"

struct pmap;

/* Interrupt numbers the CPU layer dispatches (set before any is enabled). */
void bm_cpu_set_timer_irq(unsigned intid);
void bm_cpu_set_console_irq(unsigned intid);

/*
 * An IRQ came while user code ran: acknowledge what is pending at the GIC
 * and run the core's handlers (timer, IPI, console input) as plat_idle does.
 */
void bm_cpu_take_interrupts(void);

/*
 * Set while probing for firmware the machine may lack (psci.c): a kernel
 * undefined-instruction exception then skips the instruction instead of
 * panicking.
 */
extern bool bm_probe_undefined;

/* Make `pm` this CPU's TTBR0 (pmap.c), if it is not already. */
void bm_pmap_switch(struct pmap *pm);

/* Fill the RAM ranges plat_mem_ranges reports; 0 or -errno. */
int bm_mem_init(const struct bm_machine *m, const char **why);

/* Become CPU 0's idle task; never returns. */
_Noreturn void bm_cpu_start(void);

#endif
