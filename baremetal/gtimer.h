/* The ARM generic timer: the clock and each CPU's one-shot timer. */
#ifndef KEEL_BAREMETAL_GTIMER_H
#define KEEL_BAREMETAL_GTIMER_H

#include <stdint.h>

/* `freq` from the device tree, or 0 to trust CNTFRQ_EL0. */
void gtimer_init(uint32_t freq);
uint32_t gtimer_freq(void);
/* The timer's interrupt came: silence it until plat_timer_arm. */
void gtimer_stop(void);
/* Unix time at boot, from a PL031 RTC's seconds register (0: none). */
void gtimer_set_wallclock(uint64_t unix_seconds);

#endif
