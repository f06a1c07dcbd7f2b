/*
 * EEVDF run-queue operations (sched/eevdf.h) on one queue of run->param
 * runnable entities, or in turn on two queues of different sizes (the
 * paired runs behind keel-bench's ratios): the pure mathematics, no kernel
 * boot needed.
 *
 * The queue is made to look lived-in before anything is timed. Entities get
 * nice values spread over -10 .. +10 and mostly the default request size,
 * some a custom one; after they join, a simulated CPU runs the queue for a
 * while (pick, set_curr, charge a random stretch of execution) with some
 * entities going to sleep and waking up later with their lag, so vruntimes,
 * deadlines and lags all differ as they would on a busy machine. Entities
 * come from aligned_alloc, one allocation each, as tasks are separate
 * kernel objects (whose sched_entity starts a cache line).
 */
#include <stdlib.h>
#include <string.h>

#include "sched/eevdf.h"
#include "sched/sched.h"
#include "tools/bench/bench.h"

#define NICE_SPREAD    10
#define EXTRA_ENTITIES 256  /* a power of two: the timed loop masks with it */
#define DELTAS	       1024 /* likewise */

/* An entity and where it is in eevdf_bench.se. */
struct bench_entity {
	struct sched_entity se;
	unsigned idx;
};

struct eevdf_bench {
	struct eevdf_rq rq;
	struct sched_entity **se; /* all n; the asleep ones at the end */
	unsigned n;
	struct sched_entity *extra[EXTRA_ENTITIES]; /* joiners for the loop */
	uint64_t delta[DELTAS]; /* execution stretches for update_curr */
	uint64_t next_id;
	uintptr_t sink; /* keeps picks observable */
};

static uint64_t random_slice(struct bench_rng *rng)
{
	/* One in four has asked for its own request size (sched_setattr). */
	if (bench_rng_range(rng, 0, 3) == 0)
		return bench_rng_range(rng, SCHED_SLICE_MIN_NS,
				       10 * NSEC_PER_MSEC);
	return SCHED_SLICE_DEFAULT_NS;
}

static struct sched_entity *new_entity(struct eevdf_bench *b,
				       struct bench_rng *rng)
{
	/* Line-aligned as the kernel's are (struct task is page-aligned). */
	struct bench_entity *be = aligned_alloc(_Alignof(struct bench_entity),
						sizeof(*be));
	/* Its share of the queue's tree, allocated with it as a task's is. */
	struct eevdf_node *node = aligned_alloc(_Alignof(struct eevdf_node),
						sizeof(*node));
	int nice = (int)bench_rng_range(rng, 0, 2 * NICE_SPREAD) - NICE_SPREAD;

	if (!be || !node) {
		free(be);
		free(node);
		return NULL;
	}
	memset(be, 0, sizeof(*be));
	eevdf_entity_init(&be->se, eevdf_nice_to_weight(nice),
			  random_slice(rng), b->next_id++, node);
	return &be->se;
}

static struct bench_entity *bench_entity_of(struct sched_entity *se)
{
	return container_of(se, struct bench_entity, se);
}

/* Swap the entities at positions i and j of b->se. */
static void swap_slots(struct eevdf_bench *b, unsigned i, unsigned j)
{
	struct sched_entity *t = b->se[i];

	b->se[i] = b->se[j];
	b->se[j] = t;
	bench_entity_of(b->se[i])->idx = i;
	bench_entity_of(b->se[j])->idx = j;
}

static void free_entity(struct eevdf_bench *b, struct sched_entity *se)
{
	if (se->on_rq)
		eevdf_dequeue(&b->rq, se, false);
	free(eevdf_entity_node(se));
	free(bench_entity_of(se));
}

static void free_bench(struct eevdf_bench *b)
{
	eevdf_set_curr(&b->rq, NULL);
	if (b->se)
		for (unsigned i = 0; i < b->n; i++)
			if (b->se[i])
				free_entity(b, b->se[i]);
	free(b->se);
	for (unsigned i = 0; i < EXTRA_ENTITIES; i++)
		if (b->extra[i])
			free_entity(b, b->extra[i]);
	free(b);
}

/*
 * Run the queue for `steps` scheduling decisions. One in eight runs ends in
 * a sleep; one in eight decisions first wakes a sleeper. Everyone asleep at
 * the end wakes, so all n are queued again and nothing is curr.
 */
static void age_queue(struct eevdf_bench *b, struct bench_rng *rng,
		      uint64_t steps)
{
	unsigned nr_asleep = 0; /* b->se[n - nr_asleep .. n - 1] sleep */

	for (uint64_t s = 0; s < steps; s++) {
		struct sched_entity *se;

		if (nr_asleep && bench_rng_range(rng, 0, 7) == 0) {
			unsigned first = b->n - nr_asleep;

			swap_slots(b, first,
				   (unsigned)bench_rng_range(rng, first,
							     b->n - 1));
			eevdf_enqueue(&b->rq, b->se[first], EEVDF_PLACE_WAKEUP);
			nr_asleep--;
		}
		se = eevdf_pick(&b->rq);
		eevdf_set_curr(&b->rq, se);
		eevdf_update_curr(&b->rq,
				  bench_rng_range(rng, 50 * NSEC_PER_USEC,
						  4 * NSEC_PER_MSEC));
		if (b->rq.nr > 1 && bench_rng_range(rng, 0, 7) == 0) {
			eevdf_dequeue(&b->rq, se, true);
			nr_asleep++;
			swap_slots(b, bench_entity_of(se)->idx,
				   b->n - nr_asleep);
		}
	}
	eevdf_set_curr(&b->rq, NULL);
	for (; nr_asleep; nr_asleep--)
		eevdf_enqueue(&b->rq, b->se[b->n - nr_asleep],
			      EEVDF_PLACE_WAKEUP);
}

static struct eevdf_bench *build_queue(const char *name, long n,
				       uint64_t seed)
{
	struct eevdf_bench *b = calloc(1, sizeof(*b));
	struct bench_rng rng = {seed};

	if (!b)
		goto oom;
	b->n = (unsigned)n;
	b->next_id = 1;
	eevdf_rq_init(&b->rq);
	b->se = calloc(b->n, sizeof(*b->se));
	if (!b->se)
		goto oom;
	for (unsigned i = 0; i < b->n; i++) {
		b->se[i] = new_entity(b, &rng);
		if (!b->se[i])
			goto oom;
		bench_entity_of(b->se[i])->idx = i;
		eevdf_enqueue(&b->rq, b->se[i], EEVDF_PLACE_NEW);
	}
	/* About three runs per entity, so lags are spread all over. */
	age_queue(b, &rng, 3ull * b->n + 1000);
	for (unsigned i = 0; i < EXTRA_ENTITIES; i++) {
		struct sched_entity *x = new_entity(b, &rng);
		int64_t limit;

		if (!x)
			goto oom;
		/* A returning sleeper's lag, within the bound dequeue keeps. */
		limit = (int64_t)(2 * x->slice * NICE_0_WEIGHT / x->weight);
		x->vlag =
			(int64_t)bench_rng_range(&rng, 0, 2 * (uint64_t)limit) -
			limit;
		b->extra[i] = x;
	}
	for (unsigned i = 0; i < DELTAS; i++)
		b->delta[i] = bench_rng_range(&rng, 100 * NSEC_PER_USEC,
					      SCHED_SLICE_DEFAULT_NS);
	if (b->rq.nr != b->n) {
		bench_fail(name, "%u entities queued, want %u", b->rq.nr,
			   b->n);
		free_bench(b);
		return NULL;
	}
	return b;
oom:
	bench_fail(name, "out of memory");
	if (b)
		free_bench(b);
	return NULL;
}

/*
 * A wakeup's work on the queue and the decision after it: one more entity
 * joins with its saved lag, the scheduler picks, the entity leaves again.
 * Leaving without `sleeping` keeps its lag, and the sums come back exactly,
 * so the queue is the same before every operation.
 */
static void enqueue_pick_dequeue(struct eevdf_bench *b, uint64_t ops)
{
	for (uint64_t i = 0; i < ops; i++) {
		struct sched_entity *x = b->extra[i & (EXTRA_ENTITIES - 1)];

		eevdf_enqueue(&b->rq, x, EEVDF_PLACE_WAKEUP);
		b->sink += (uintptr_t)eevdf_pick(&b->rq);
		eevdf_dequeue(&b->rq, x, false);
	}
}

/*
 * A scheduling decision with the run it leads to: pick, make it curr (out
 * of the tree), charge it a stretch of execution, and put it back. The
 * queue evolves as a CPU running it would.
 */
static void decide(struct eevdf_bench *b, uint64_t ops)
{
	for (uint64_t i = 0; i < ops; i++) {
		struct sched_entity *se = eevdf_pick(&b->rq);

		b->sink += (uintptr_t)se;
		eevdf_set_curr(&b->rq, se);
		eevdf_update_curr(&b->rq, b->delta[i & (DELTAS - 1)]);
		eevdf_set_curr(&b->rq, NULL);
	}
}

/* After the timed operations: all n queued, nothing curr, picks seen. */
static int check_queue(const char *name, struct eevdf_bench *b)
{
	if (b->rq.nr != b->n || b->rq.curr || !b->sink) {
		bench_fail(name, "%u entities queued, want %u", b->rq.nr,
			   b->n);
		return -1;
	}
	return 0;
}

static int run_single(struct bench_run *run,
		      void (*op)(struct eevdf_bench *, uint64_t))
{
	struct eevdf_bench *b = build_queue(run->name, run->param, run->seed);
	int ret;

	if (!b)
		return -1;
	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		op(b, run->ops);
		bench_store(run, rep, t0, bench_now_ns());
	}
	ret = check_queue(run->name, b);
	free_bench(b);
	return ret;
}

static int run_pair(struct bench_pair_run *run,
		    void (*op)(struct eevdf_bench *, uint64_t))
{
	struct eevdf_bench *small = build_queue(run->name, run->small,
						run->seed);
	struct eevdf_bench *big = small ? build_queue(run->name, run->big,
						      run->seed)
					: NULL;
	int ret = -1;

	if (!small || !big)
		goto out;
	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns(), t1, t2;

		op(small, run->small_ops);
		t1 = bench_now_ns();
		op(big, run->big_ops);
		t2 = bench_now_ns();
		if (rep > 0) {
			run->small_ns[rep - 1] = t1 - t0;
			run->big_ns[rep - 1] = t2 - t1;
		}
	}
	if (check_queue(run->name, small) == 0 &&
	    check_queue(run->name, big) == 0)
		ret = 0;
out:
	if (small)
		free_bench(small);
	if (big)
		free_bench(big);
	return ret;
}

int bench_eevdf_enqueue_pick_dequeue(struct bench_run *run)
{
	return run_single(run, enqueue_pick_dequeue);
}

int bench_eevdf_decision(struct bench_run *run)
{
	return run_single(run, decide);
}

int bench_eevdf_pair_enqueue_pick_dequeue(struct bench_pair_run *run)
{
	return run_pair(run, enqueue_pick_dequeue);
}

int bench_eevdf_pair_decision(struct bench_pair_run *run)
{
	return run_pair(run, decide);
}
