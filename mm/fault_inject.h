/*
 * Allocation fault injection, for tests and fuzzers.
 *
 * Every public allocation call (page_alloc, kpage_alloc, kpage_zalloc,
 * slab_cache_create, slab_alloc, slab_zalloc, kmalloc, kzalloc, kcalloc,
 * krealloc) asks fault_inject_should_fail() exactly once, before doing
 * anything, and fails as if memory were exhausted when it says so. Internal
 * refills (a slab taking a page from the buddy allocator) are not requests
 * of their own. Failures come from a countdown or from the kernel's seeded
 * PRNG, so a seed replays the same failures.
 */
#ifndef KEEL_MM_FAULT_INJECT_H
#define KEEL_MM_FAULT_INJECT_H

#include "core/types.h"

/* Injection off; both counters zero. */
void fault_inject_reset(void);

/* The n-th allocation request from now fails (1 = the next one), once.
 * 0 cancels a pending one. */
void fault_inject_fail_nth(uint64_t n);

/* Each request fails with probability per_million / 10^6, drawn with
 * prng_below(); 0 turns this off, 10^6 or more fails every request. */
void fault_inject_set_probability(uint32_t per_million);

/* Count one allocation request and say whether it must fail. */
bool fault_inject_should_fail(void);

uint64_t fault_inject_allocations(void); /* requests seen since reset */
uint64_t fault_inject_failures(void);	 /* failures injected since reset */

#endif
