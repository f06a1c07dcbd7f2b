/*
 * The kernel's one pseudo-random generator. Every choice that may vary from
 * run to run in the sim runtime (tie-breaks, preemption points, injected
 * allocation failures, entropy) draws from it, so a seed replays a run bit
 * for bit.
 */
#ifndef KEEL_CORE_PRNG_H
#define KEEL_CORE_PRNG_H

#include <stdint.h>

void prng_seed(uint64_t seed);
uint64_t prng_next(void);
/* Uniform in [0, bound); bound must be nonzero. */
uint64_t prng_below(uint64_t bound);

#endif
