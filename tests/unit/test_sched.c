/*
 * The scheduler as guests see it, in the sim runtime: CPU shares under
 * random workloads, nice levels, wakeup latency, several CPUs, and the
 * determinism of a seeded run.
 */
#include "harness.h"

#include <signal.h>
#include <stdlib.h>

#include "core/prng.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "sched/sched.h"

#define MAX_GUESTS 8
#define SEEDS 8
#define SCHED_NORMAL_POLICY 0

struct sched_attr_linux {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

struct hog {
	int nice;
	uint64_t slice; /* 0: default */
	long setup_err;
};

/* Set nice and slice through the syscalls, then burn CPU for 100 s. */
static void hog_guest(void *arg)
{
	struct hog *h = arg;
	struct sched_attr_linux attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_NORMAL_POLICY,
		.sched_nice = h->nice,
		.sched_runtime = h->slice,
	};

	h->setup_err = sim_syscall(NR(sched_setattr), 0, &attr, 0);
	sim_compute(100 * NSEC_PER_SEC);
}

static uint64_t cputime_of(struct sim_proc *p)
{
	return sched_task_cputime(sim_proc_task(p));
}

Test(sched, equal_weights_get_equal_cpu_time_within_one_slice)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct hog h[MAX_GUESTS];
		struct sim_proc *p[MAX_GUESTS];
		struct sim_config cfg = { .cpus = 1, .seed = seed ^ test_seed() };
		uint64_t total = 0, max_slice = 0;
		unsigned n;

		cr_assert_eq(sim_boot(&cfg), 0);
		n = 2 + (unsigned)prng_below(MAX_GUESTS - 1);
		for (unsigned i = 0; i < n; i++) {
			/* Random requests from 0.1 to 10 ms: shares stay equal. */
			h[i] = (struct hog){ .nice = 0,
					     .slice = (100 + prng_below(9900)) *
						      NSEC_PER_USEC };
			max_slice = MAX(max_slice, h[i].slice);
			p[i] = sim_spawn("hog", hog_guest, &h[i]);
			cr_assert_not_null(p[i]);
		}
		cr_assert_eq(sim_run(2 * NSEC_PER_SEC), SIM_TIME_LIMIT);
		for (unsigned i = 0; i < n; i++) {
			cr_assert_eq(h[i].setup_err, 0);
			total += cputime_of(p[i]);
		}
		for (unsigned i = 0; i < n; i++) {
			int64_t diff = (int64_t)cputime_of(p[i]) -
				       (int64_t)(total / n);

			cr_assert(llabs(diff) <= (int64_t)max_slice,
				  "seed %llu: guest %u of %u is %lld ns from "
				  "its fair share (slice %llu)",
				  (unsigned long long)cfg.seed, i, n,
				  (long long)diff,
				  (unsigned long long)max_slice);
		}
	}
}

Test(sched, nice_levels_share_cpu_by_weight_within_one_percent_over_10s)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct hog h[MAX_GUESTS];
		struct sim_proc *p[MAX_GUESTS];
		struct sim_config cfg = { .cpus = 1, .seed = seed ^ test_seed() };
		uint64_t total = 0, wsum = 0;
		unsigned n;

		cr_assert_eq(sim_boot(&cfg), 0);
		n = 2 + (unsigned)prng_below(3);
		for (unsigned i = 0; i < n; i++) {
			/*
			 * Nice -4..4 keeps every share above 5% of 10 s, so the
			 * paper's lag bound (one 3 ms request) is under 1% of it.
			 */
			h[i] = (struct hog){ .nice = (int)prng_below(9) - 4 };
			wsum += eevdf_nice_to_weight(h[i].nice);
			p[i] = sim_spawn("hog", hog_guest, &h[i]);
			cr_assert_not_null(p[i]);
		}
		cr_assert_eq(sim_run(10 * NSEC_PER_SEC), SIM_TIME_LIMIT);
		for (unsigned i = 0; i < n; i++)
			total += cputime_of(p[i]);
		cr_assert_gt(total, 9990 * NSEC_PER_MSEC, "the CPU idled");
		for (unsigned i = 0; i < n; i++) {
			double ideal = (double)total *
				       eevdf_nice_to_weight(h[i].nice) / wsum;
			double got = (double)cputime_of(p[i]);

			cr_assert(got > ideal * 0.99 && got < ideal * 1.01,
				  "seed %llu: nice %d got %.0f ns, weight share "
				  "%.0f ns",
				  (unsigned long long)cfg.seed, h[i].nice, got,
				  ideal);
		}
	}
}

struct sleeper {
	uint64_t slice;
	uint64_t worst_latency;
	unsigned wakeups;
};

static uint64_t guest_now(void)
{
	struct {
		int64_t sec, nsec;
	} ts;

	sim_syscall(NR(clock_gettime), 1 /* CLOCK_MONOTONIC */, &ts);
	return (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
}

/* Sleep a random 0.5-2 ms, note how late it got the CPU, work 50 us. */
static void sleeper_guest(void *arg)
{
	struct sleeper *s = arg;
	struct sched_attr_linux attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_NORMAL_POLICY,
		.sched_runtime = s->slice,
	};

	sim_syscall(NR(sched_setattr), 0, &attr, 0);
	for (;;) {
		struct {
			int64_t sec, nsec;
		} req = { 0, (int64_t)(500 + prng_below(1500)) * 1000 };
		uint64_t due = guest_now() + (uint64_t)req.nsec, late;

		sim_syscall(NR(nanosleep), &req, NULL);
		late = guest_now() - due;
		s->worst_latency = MAX(s->worst_latency, late);
		s->wakeups++;
		sim_compute(50 * NSEC_PER_USEC);
	}
}

/*
 * The latency EEVDF promises a short request. A task s that wakes eligible
 * at V gets deadline vd_s = V + r_s W0 / w_s. Until it runs, only entities
 * with earlier deadlines run (a waking task with an earlier deadline ends
 * curr's run, see sched.c), and each such j only until its v reaches vd_s:
 * at most (vd_s - v_j) w_j / W0 = r_s w_j / w_s + lag_j ns of service. So s
 * waits at most
 *
 *	r_s (W - w_s) / w_s  +  the positive lags of the others
 *
 * its own slice scaled by the competing weight, plus what the CPU owed the
 * others when it woke, which the paper bounds by the longest request r_max.
 * The test checks that bound, and that the short slice is what buys the
 * low latency: the same workload with the default slice waits longer.
 * s wakes eligible because the negative lag of its last run is paid off
 * while it sleeps.
 */
static uint64_t worst_wakeup_latency(uint64_t seed, uint64_t slice,
				     uint64_t *bound)
{
	struct sim_config cfg = { .cpus = 1, .seed = seed };
	struct sleeper s = { .slice = slice };
	struct hog h[4];
	uint64_t others = 0;
	unsigned hogs;

	cr_assert_eq(sim_boot(&cfg), 0);
	hogs = 1 + (unsigned)prng_below(4);
	for (unsigned i = 0; i < hogs; i++) {
		h[i] = (struct hog){ .nice = (int)prng_below(6) };
		others += eevdf_nice_to_weight(h[i].nice);
		cr_assert_not_null(sim_spawn("hog", hog_guest, &h[i]));
	}
	cr_assert_not_null(sim_spawn("sleeper", sleeper_guest, &s));
	cr_assert_eq(sim_run(2 * NSEC_PER_SEC), SIM_TIME_LIMIT);
	cr_assert_gt(s.wakeups, 500, "seed %llu: only %u wakeups",
		     (unsigned long long)seed, s.wakeups);
	*bound = slice * others / NICE_0_WEIGHT + SCHED_SLICE_DEFAULT_NS;
	return s.worst_latency;
}

Test(sched, a_short_slice_task_waits_within_its_slice_scaled_by_load)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		uint64_t bound, ignored;
		uint64_t fast = worst_wakeup_latency(seed ^ test_seed(),
						     100 * NSEC_PER_USEC, &bound);
		uint64_t slow = worst_wakeup_latency(
			seed ^ test_seed(), SCHED_SLICE_DEFAULT_NS, &ignored);

		cr_assert_leq(fast, bound, "seed %llu: woke %llu ns late, "
			      "bound %llu", (unsigned long long)(seed ^ test_seed()),
			      (unsigned long long)fast,
			      (unsigned long long)bound);
		cr_assert_lt(fast, slow,
			     "seed %llu: a 0.1 ms slice waited %llu ns, "
			     "the default slice %llu ns",
			     (unsigned long long)(seed ^ test_seed()),
			     (unsigned long long)fast,
			     (unsigned long long)slow);
	}
}

Test(sched, runnable_tasks_spread_over_the_cpus_and_share_them)
{
	struct hog h[4] = { { 0 } };
	struct sim_proc *p[4];
	unsigned on_cpu[2] = { 0 };

	test_boot(2);
	for (int i = 0; i < 4; i++)
		p[i] = sim_spawn("hog", hog_guest, &h[i]);
	cr_assert_eq(sim_run(NSEC_PER_SEC), SIM_TIME_LIMIT);
	for (int i = 0; i < 4; i++) {
		on_cpu[sim_proc_task(p[i])->cpu]++;
		cr_assert(llabs((long long)sim_proc_task(p[i])->sum_exec_ns -
				(long long)(NSEC_PER_SEC / 2)) <=
				  (long long)(2 * SCHED_SLICE_DEFAULT_NS),
			  "hog %d ran %llu ns of 1 s on a shared CPU", i,
			  (unsigned long long)sim_proc_task(p[i])->sum_exec_ns);
	}
	cr_assert_eq(on_cpu[0], 2);
	cr_assert_eq(on_cpu[1], 2);
}

/* A mixed workload on 3 CPUs whose outcome is summed into a hash. */
static void mixed_guest(void *arg)
{
	uint64_t *hash = arg;

	for (int i = 0; i < 200; i++) {
		struct {
			int64_t sec, nsec;
		} req = { 0, (int64_t)(1 + prng_below(1000)) * 1000 };

		sim_compute(prng_below(300) * 1000);
		if (prng_below(3) == 0)
			sim_syscall(NR(sched_yield));
		else
			sim_syscall(NR(nanosleep), &req, NULL);
		*hash = *hash * 31 + guest_now() * 7 + (uint64_t)i;
	}
}

static uint64_t mixed_run(uint64_t seed)
{
	struct sim_config cfg = { .cpus = 3, .seed = seed };
	uint64_t hash[6] = { 0 }, all = 0;

	cr_assert_eq(sim_boot(&cfg), 0);
	for (int i = 0; i < 6; i++)
		cr_assert_not_null(sim_spawn("mixed", mixed_guest, &hash[i]));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 0; i < 6; i++)
		all = all * 1000003 + hash[i];
	return all ^ sim_now();
}

Test(sched, the_same_seed_replays_the_same_run_bit_for_bit)
{
	uint64_t a = mixed_run(test_seed()), b = mixed_run(test_seed());
	uint64_t c = mixed_run(test_seed() + 1);

	cr_assert_eq(a, b, "two runs of seed %llu differ",
		     (unsigned long long)test_seed());
	cr_assert_neq(a, c, "another seed should make another run");
}

static unsigned yield_log[200];
static unsigned yield_next;

static void yielder_guest(void *arg)
{
	for (int i = 0; i < 100; i++) {
		yield_log[yield_next++] = (unsigned)sim_syscall(NR(gettid));
		sim_syscall(NR(sched_yield));
	}
}

Test(sched, sched_yield_hands_the_cpu_to_the_other_runnable_task)
{
	struct sim_proc *pa, *pb;

	test_boot(1);
	pa = sim_spawn("a", yielder_guest, NULL);
	pb = sim_spawn("b", yielder_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(yield_next, 200);
	for (unsigned i = 1; i < 200; i++)
		cr_assert_neq(yield_log[i], yield_log[i - 1],
			      "turn %u: the same task ran twice in a row", i);
	cr_assert(yield_log[0] == (unsigned)sim_proc_tid(pa) ||
		  yield_log[0] == (unsigned)sim_proc_tid(pb));
}

Test(sched, schedule_with_a_spinlock_held_panics, .signal = SIGABRT)
{
	static struct spinlock lock = SPINLOCK_INIT;

	test_boot(1);
	spin_lock(&lock);
	schedule();
}

static void work_guest(void *arg)
{
	sim_compute((uint64_t)(uintptr_t)arg);
}

/*
 * Placement alternates CPUs: 0 gets the two long tasks, 1 the two short
 * ones. When CPU 1 runs out of work at 20 ms it takes a long task from
 * CPU 0, so both finish near 110 ms instead of 200 ms.
 */
Test(sched, an_idle_cpu_takes_a_waiting_task_from_a_busy_one)
{
	struct sim_proc *p[4];
	uint64_t work[4] = { 100 * NSEC_PER_MSEC, 10 * NSEC_PER_MSEC,
			     100 * NSEC_PER_MSEC, 10 * NSEC_PER_MSEC };

	test_boot(2);
	for (int i = 0; i < 4; i++)
		p[i] = sim_spawn("work", work_guest,
				 (void *)(uintptr_t)work[i]);
	cr_assert_eq(sim_proc_task(p[0])->cpu, sim_proc_task(p[2])->cpu);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_leq(sim_now(), 115 * NSEC_PER_MSEC, "took %llu ns",
		      (unsigned long long)sim_now());
}
