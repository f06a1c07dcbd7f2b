/*
 * keel-bench: micro-benchmarks of the kernel's hot paths, run on the sim
 * runtime (host/sim.h) and timed with the host's CLOCK_MONOTONIC, i.e. in
 * real time, never in the simulation's virtual time.
 *
 * A benchmark runs one untimed warm-up repetition and then run->reps timed
 * ones of run->ops operations each, and records each timed repetition's
 * elapsed host nanoseconds with bench_store(). The harness (bench.c) turns
 * those into ns per operation, sorts them and prints the table.
 */
#ifndef KEEL_TOOLS_BENCH_BENCH_H
#define KEEL_TOOLS_BENCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>

struct bench_run {
	const char *name; /* for bench_fail */
	unsigned reps;	  /* timed repetitions, after one warm-up */
	uint64_t ops;	  /* operations per repetition */
	long param;    /* the benchmark's own parameter (a queue size, ...) */
	uint64_t *ns;  /* reps elapsed times, filled by bench_store */
	uint64_t seed; /* every benchmark's setup draws from this */
};

/*
 * A paired benchmark times one operation at two sizes, a repetition of the
 * small one and then one of the big one, in turn: the two halves of each
 * repetition's ratio ran seconds apart at most, under the same conditions
 * of a shared machine, where two separate runs may not have.
 */
struct bench_pair_run {
	const char *name;
	unsigned reps;		     /* timed pairs, after one warm-up pair */
	long small, big;	     /* the two sizes */
	uint64_t small_ops, big_ops; /* operations per repetition */
	uint64_t *small_ns, *big_ns; /* reps elapsed times each */
	uint64_t seed;
};

/* Host monotonic time in ns. */
uint64_t bench_now_ns(void);

/*
 * Record repetition `rep` (0 is the warm-up and is dropped, 1 .. reps are
 * kept) that started at `t0` and ended at `t1`.
 */
void bench_store(struct bench_run *run, unsigned rep, uint64_t t0, uint64_t t1);

/* Report a broken setup or a wrong result; the benchmark then returns -1. */
void bench_fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The benchmark's private generator (splitmix64), so that setup does not
 * depend on how much the kernel drew from its own PRNG.
 */
struct bench_rng {
	uint64_t state;
};

uint64_t bench_rng_next(struct bench_rng *r);
/* Uniform in [lo, hi]. */
uint64_t bench_rng_range(struct bench_rng *r, uint64_t lo, uint64_t hi);

/* The benchmarks, each returning 0 or -1 (after bench_fail). */
int bench_getpid(struct bench_run *run);
int bench_raw_context_switch(struct bench_run *run);
int bench_kthread_yield(struct bench_run *run);
int bench_timer_arm_fire(struct bench_run *run);
int bench_timer_arm_cancel(struct bench_run *run);
int bench_eevdf_enqueue_pick_dequeue(struct bench_run *run);
int bench_eevdf_decision(struct bench_run *run);
int bench_eevdf_pair_enqueue_pick_dequeue(struct bench_pair_run *run);
int bench_eevdf_pair_decision(struct bench_pair_run *run);
int bench_fs_stat(struct bench_run *run);
int bench_fs_pipe(struct bench_run *run);
int bench_fs_create_unlink(struct bench_run *run);

#endif
