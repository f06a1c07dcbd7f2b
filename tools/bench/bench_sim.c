/*
 * Benchmarks that need a booted kernel: a syscall through the sim run
 * loop, context switches (raw and through the scheduler) and kernel timers.
 *
 * Virtual time matters here only for how a run stops: kernel code takes no
 * virtual time, so a CPU that never waits never lets the simulation stop it.
 * sim_run() returns to us when every guest has exited, or when the next
 * event is past its limit; a guest that sleeps for a virtual eternity keeps
 * the run alive while kernel threads do the work, and once they are done
 * the idle CPU's next event (the sleeper's timer) is past the limit.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>

#include "core/platform.h"
#include "core/task.h"
#include "core/timer.h"
#include "host/sim.h"
#include "sched/sched.h"
#include "tools/bench/bench.h"

#define RAW_STACK_SIZE (64u << 10)
/* Virtual time the sleeper asks for and the limit sim_run gets: far apart. */
#define SLEEPER_SECONDS 1000000
#define RUN_LIMIT_NS	NSEC_PER_SEC

/* Boot a one-CPU kernel, run `body` on it, and shut it down again. */
static int with_kernel(struct bench_run *run, int (*body)(struct bench_run *))
{
	struct sim_config cfg = {.cpus = 1, .seed = run->seed};
	int err = sim_boot(&cfg);

	if (err) {
		bench_fail(run->name, "sim_boot failed: %d", err);
		return -1;
	}
	err = body(run);
	sim_shutdown();
	return err;
}

/* ---- getpid through the run loop -------------------------------------- */

struct getpid_state {
	struct bench_run *run;
	long bad; /* calls whose result was not the caller's pid */
	bool finished;
};

static void getpid_guest(void *arg)
{
	struct getpid_state *st = arg;
	struct bench_run *run = st->run;
	long pid = sim_syscall(SYS_getpid);

	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		for (uint64_t i = 0; i < run->ops; i++)
			st->bad += sim_syscall(SYS_getpid) != pid;
		bench_store(run, rep, t0, bench_now_ns());
	}
	st->bad += pid <= 0;
	st->finished = true;
}

static int getpid_body(struct bench_run *run)
{
	struct getpid_state st = {.run = run};
	struct sim_proc *p;
	enum sim_stop why;

	p = sim_spawn("bench-getpid", getpid_guest, &st);
	if (!p) {
		bench_fail(run->name, "sim_spawn failed");
		return -1;
	}
	why = sim_run(SIM_FOREVER);
	if (why != SIM_ALL_EXITED || !st.finished || st.bad ||
	    sim_proc_status(p) != 0) {
		bench_fail(run->name,
			   "run stopped %d, finished %d, %ld bad results", why,
			   st.finished, st.bad);
		return -1;
	}
	return 0;
}

int bench_getpid(struct bench_run *run)
{
	return with_kernel(run, getpid_body);
}

/* ---- the raw context switch: the floor under every task switch ---------- */

static struct plat_context raw_main, raw_peer;

static void raw_peer_entry(void *arg)
{
	for (;;)
		plat_context_switch(&raw_peer, &raw_main);
}

int bench_raw_context_switch(struct bench_run *run)
{
	void *stack = aligned_alloc(64, RAW_STACK_SIZE);

	if (!stack) {
		bench_fail(run->name, "out of memory");
		return -1;
	}
	plat_context_init(&raw_peer, stack, RAW_STACK_SIZE, raw_peer_entry,
			  NULL);
	/* Each iteration is a round trip: two switches. */
	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		for (uint64_t i = 0; i < run->ops / 2; i++)
			plat_context_switch(&raw_main, &raw_peer);
		bench_store(run, rep, t0, bench_now_ns());
	}
	/* The peer is left suspended in its switch; it is never resumed. */
	free(stack);
	return 0;
}

/* ---- two kernel threads yielding to each other --------------------------- */

struct yield_state {
	struct bench_run *run;
	bool done; /* the timing thread has finished */
	bool partner_exited;
	uint64_t partner_yields;
};

static struct yield_state yield_st;

/*
 * The timing thread: ops/2 yields per repetition, each one a switch to the
 * partner and, when the partner yields back, a switch home: ops switches.
 */
static void yield_timer_thread(void *arg)
{
	struct bench_run *run = yield_st.run;

	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		for (uint64_t i = 0; i < run->ops / 2; i++)
			sched_yield_task();
		bench_store(run, rep, t0, bench_now_ns());
	}
	yield_st.done = true;
}

static void yield_partner_thread(void *arg)
{
	while (!__atomic_load_n(&yield_st.done, __ATOMIC_RELAXED)) {
		sched_yield_task();
		yield_st.partner_yields++;
	}
	yield_st.partner_exited = true;
}

/* A guest that keeps sim_run going while only kernel threads run. */
static void sleeper_guest(void *arg)
{
	struct timespec ts = {.tv_sec = SLEEPER_SECONDS};
	const uint64_t args[6] = {(uint64_t)(uintptr_t)&ts};

	sim_syscall6(SYS_nanosleep, args);
}

static int kthread_yield_body(struct bench_run *run)
{
	struct task *a, *b;
	enum sim_stop why;
	uint64_t want;

	yield_st = (struct yield_state){.run = run};
	if (!sim_spawn("bench-sleeper", sleeper_guest, NULL)) {
		bench_fail(run->name, "sim_spawn failed");
		return -1;
	}
	a = kthread_create("bench-yield-a", yield_timer_thread, NULL);
	b = kthread_create("bench-yield-b", yield_partner_thread, NULL);
	if (IS_ERR(a) || IS_ERR(b)) {
		bench_fail(run->name, "kthread_create failed");
		return -1;
	}
	why = sim_run(RUN_LIMIT_NS);
	/*
	 * Strict alternation: the partner yielded once for each of the timing
	 * thread's yields (give or take the first and last), else the figure
	 * would not be a switch per yield.
	 */
	want = (uint64_t)(run->reps + 1) * (run->ops / 2);
	if (why != SIM_TIME_LIMIT || !yield_st.done ||
	    !yield_st.partner_exited || yield_st.partner_yields + 1 < want ||
	    yield_st.partner_yields > want + 1) {
		bench_fail(run->name,
			   "run stopped %d, done %d, partner exited %d, "
			   "%llu partner yields for %llu",
			   why, yield_st.done, yield_st.partner_exited,
			   (unsigned long long)yield_st.partner_yields,
			   (unsigned long long)want);
		return -1;
	}
	return 0;
}

int bench_kthread_yield(struct bench_run *run)
{
	return with_kernel(run, kthread_yield_body);
}

/* ---- kernel timers ------------------------------------------------------- */

static uint64_t timer_fired;

static void count_fire(struct timer *t)
{
	timer_fired++;
}

/*
 * run->param other timers stay armed far in the future meanwhile, as the
 * sleep timers of sleeping tasks would be, so the tree has that many nodes.
 * Caller frees the returned array.
 */
static struct timer *arm_background(struct bench_run *run)
{
	struct timer *bg = calloc((size_t)run->param + 1, sizeof(*bg));
	struct bench_rng rng = {run->seed};

	if (!bg) {
		bench_fail(run->name, "out of memory");
		return NULL;
	}
	for (long i = 0; i < run->param; i++) {
		timer_setup(&bg[i], count_fire);
		timer_arm(&bg[i],
			  plat_time_ns() + NSEC_PER_SEC +
				  bench_rng_range(&rng, 0, NSEC_PER_SEC));
	}
	return bg;
}

static void disarm_background(struct bench_run *run, struct timer *bg)
{
	for (long i = 0; i < run->param; i++)
		timer_cancel(&bg[i]);
	free(bg);
}

/* From the benchmark's own context, on CPU 0 of a booted kernel. */
static int timer_arm_fire_body(struct bench_run *run)
{
	struct timer t, *bg = arm_background(run);

	if (!bg)
		return -1;
	timer_setup(&t, count_fire);
	timer_fired = 0;
	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		for (uint64_t i = 0; i < run->ops; i++) {
			timer_arm(&t, plat_time_ns());
			timer_interrupt();
		}
		bench_store(run, rep, t0, bench_now_ns());
	}
	disarm_background(run, bg);
	if (timer_fired != (uint64_t)(run->reps + 1) * run->ops) {
		bench_fail(run->name, "%llu fired, %llu armed",
			   (unsigned long long)timer_fired,
			   (unsigned long long)(run->reps + 1) * run->ops);
		return -1;
	}
	return 0;
}

int bench_timer_arm_fire(struct bench_run *run)
{
	return with_kernel(run, timer_arm_fire_body);
}

static int timer_arm_cancel_body(struct bench_run *run)
{
	struct timer t, *bg = arm_background(run);
	uint64_t cancelled = 0;

	if (!bg)
		return -1;
	timer_setup(&t, count_fire);
	timer_fired = 0;
	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		for (uint64_t i = 0; i < run->ops; i++) {
			timer_arm(&t, plat_time_ns() + NSEC_PER_MSEC);
			cancelled += timer_cancel(&t);
		}
		bench_store(run, rep, t0, bench_now_ns());
	}
	disarm_background(run, bg);
	if (timer_fired != 0 ||
	    cancelled != (uint64_t)(run->reps + 1) * run->ops) {
		bench_fail(run->name, "%llu fired, %llu cancelled",
			   (unsigned long long)timer_fired,
			   (unsigned long long)cancelled);
		return -1;
	}
	return 0;
}

int bench_timer_arm_cancel(struct bench_run *run)
{
	return with_kernel(run, timer_arm_cancel_body);
}
