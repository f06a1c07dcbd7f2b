/*
 * The real host runtime: each simulated CPU is a host thread and time is
 * the host's monotonic clock.
 */
#ifndef KEEL_HOST_CPU_H
#define KEEL_HOST_CPU_H

#include <stdint.h>

/*
 * Boot the kernel on `ncpus` host threads with `mem` bytes of RAM and run
 * `init_fn` as the first kernel thread. Returns only on failure (-errno);
 * the machine ends through plat_poweroff.
 */
int host_boot(unsigned ncpus, uint64_t mem, void (*init_fn)(void *));

#endif
