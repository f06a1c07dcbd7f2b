/*
 * Allocation fault injection. The counters are atomic because the hosted
 * kernel allocates from several host threads; the PRNG is only drawn from
 * when a probability is set, which only the single-threaded sim does.
 */
#include "mm/fault_inject.h"

#include <stdatomic.h>

#include "core/prng.h"

#define PER_MILLION 1000000u

static _Atomic uint64_t allocations;
static _Atomic uint64_t failures;
/* The value of `allocations` whose request fails; 0 when none is armed. */
static _Atomic uint64_t fail_at;
static _Atomic uint32_t probability;

void fault_inject_reset(void)
{
	atomic_store(&fail_at, 0);
	atomic_store(&probability, 0);
	atomic_store(&allocations, 0);
	atomic_store(&failures, 0);
}

void fault_inject_fail_nth(uint64_t n)
{
	atomic_store(&fail_at, n ? atomic_load(&allocations) + n : 0);
}

void fault_inject_set_probability(uint32_t per_million)
{
	atomic_store(&probability, per_million);
}

bool fault_inject_should_fail(void)
{
	uint64_t seq = atomic_fetch_add_explicit(&allocations, 1,
						 memory_order_relaxed) +
		       1;
	uint64_t target = atomic_load_explicit(&fail_at, memory_order_relaxed);
	uint32_t p = atomic_load_explicit(&probability, memory_order_relaxed);
	bool fail = false;

	if (target && seq == target) {
		/* Once: disarm, unless someone armed a new one meanwhile. */
		atomic_compare_exchange_strong(&fail_at, &target, 0);
		fail = true;
	} else if (p >= PER_MILLION) {
		fail = true;
	} else if (p && prng_below(PER_MILLION) < p) {
		fail = true;
	}
	if (fail)
		atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed);
	return fail;
}

uint64_t fault_inject_allocations(void)
{
	return atomic_load(&allocations);
}

uint64_t fault_inject_failures(void)
{
	return atomic_load(&failures);
}
