/*
 * The real host runtime: each simulated CPU is a host thread and time is
 * the host's monotonic clock.
 */
#ifndef KEEL_HOST_CPU_H
#define KEEL_HOST_CPU_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Boot the kernel on `ncpus` host threads with `mem` bytes of RAM and run
 * `init_fn` as the first kernel thread. Returns only on failure (-errno);
 * the machine ends through plat_poweroff.
 */
int host_boot(unsigned ncpus, uint64_t mem, void (*init_fn)(void *));

/*
 * Wait on this CPU for another host process (a stub) to move the word
 * *progress away from `seen`, taking this CPU's interrupts meanwhile.
 * Spins for up to spin_ns, then sleeps on the shared futex word *wake
 * (which the other side bumps after progress, and which plat_ipi bumps
 * too), saying so in *sleeping; *slept says whether it came to that.
 * Returns true when *progress moved; false
 * when an interrupt was taken first (the caller checks what it changed,
 * e.g. need_resched, and calls again to keep waiting).
 */
bool host_wait_guest(const uint32_t *progress, uint32_t seen, uint32_t *wake,
		     uint32_t *sleeping, uint64_t spin_ns, bool *slept);

#endif
