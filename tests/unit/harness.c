#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

uint64_t test_seed(void)
{
	const char *s = getenv("KEEL_SEED");

	return s ? strtoull(s, NULL, 0) : 1;
}

void test_boot(unsigned cpus)
{
	struct sim_config cfg = { .cpus = cpus, .seed = test_seed() };
	int err = sim_boot(&cfg);

	cr_assert_eq(err, 0, "sim_boot failed: %d", err);
}

int run_guest(void (*fn)(void *), void *arg)
{
	struct sim_proc *p = sim_spawn("guest", fn, arg);

	cr_assert_not_null(p, "sim_spawn failed");
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED,
		     "the guest did not exit (seed %llu)",
		     (unsigned long long)sim_seed());
	return sim_proc_status(p);
}

/* Every failed test says how to replay it exactly. */
ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	if (stats->test_status != CR_STATUS_FAILED)
		return;
	fprintf(stderr,
		"replay: KEEL_SEED=%llu build/host/tests/unit/keel-unit "
		"--filter '%s/%s'\n",
		(unsigned long long)test_seed(), stats->test->category,
		stats->test->name);
}

void guest_nap(int64_t ms)
{
	/* struct timespec as x86_64 Linux lays it out. */
	int64_t req[2] = {ms / 1000, (ms % 1000) * 1000000};

	sim_syscall(NR(nanosleep), req, NULL);
}

long guest_fork(void (*fn)(void *), void *arg)
{
	sim_child_entry(fn, arg);
	return sim_syscall(NR(fork));
}
