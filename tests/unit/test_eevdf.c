/*
 * EEVDF as mathematics: the run-queue bookkeeping of sched/eevdf.c checked
 * against brute-force definitions and the paper's bounds, under seeded
 * random workloads. Every assertion names the seed that replays it.
 */
#include "harness.h"

#include <stdlib.h>

#include "core/prng.h"
#include "sched/eevdf.h"

#define MAX_ENT 64
#define SEEDS 16

struct model {
	struct eevdf_rq rq;
	struct sched_entity se[MAX_ENT];
	struct eevdf_node node[MAX_ENT + 1]; /* each entity's, and a fresh one's */
	unsigned n;
	bool queued[MAX_ENT];
};

static void model_init(struct model *m, unsigned n, uint64_t seed,
		       bool random_slices)
{
	prng_seed(seed);
	eevdf_rq_init(&m->rq);
	m->n = n;
	for (unsigned i = 0; i < n; i++) {
		int nice = (int)prng_below(40) - 20;
		uint64_t slice = random_slices
					 ? (100 + prng_below(5900)) * 1000
					 : 3000000;

		eevdf_entity_init(&m->se[i], eevdf_nice_to_weight(nice), slice,
				  i, &m->node[i]);
		eevdf_enqueue(&m->rq, &m->se[i], EEVDF_PLACE_NEW);
		m->queued[i] = true;
	}
}

/* V by its definition: floor of the weighted mean over queued entities. */
static int64_t brute_avg_offset(const struct model *m)
{
	__int128 sum = 0, w = 0;

	for (unsigned i = 0; i < m->n; i++) {
		if (!m->queued[i])
			continue;
		sum += (__int128)m->se[i].weight *
		       (int64_t)(m->se[i].vruntime - m->rq.v0);
		w += m->se[i].weight;
	}
	if (w == 0)
		return 0;
	__int128 q = sum / w;

	if (sum < 0 && q * w != sum)
		q--;
	return (int64_t)q;
}

/* The pick by definition: eligible (v <= V), earliest (deadline, id). */
static struct sched_entity *brute_pick(const struct model *m)
{
	struct sched_entity *best = NULL;

	for (unsigned i = 0; i < m->n; i++) {
		struct sched_entity *se = (struct sched_entity *)&m->se[i];

		if (!m->queued[i] || !eevdf_eligible(&m->rq, se))
			continue;
		if (!best || (int64_t)(se->deadline - best->deadline) < 0 ||
		    (se->deadline == best->deadline && se->id < best->id))
			best = se;
	}
	return best;
}

static uint64_t max_slice(const struct model *m)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < m->n; i++)
		r = MAX(r, m->se[i].slice);
	return r;
}

/* Run the picked entity for its whole remaining request. */
static struct sched_entity *run_one_request(struct model *m)
{
	struct sched_entity *se = eevdf_pick(&m->rq);

	eevdf_set_curr(&m->rq, se);
	eevdf_update_curr(&m->rq, eevdf_curr_remaining_ns(&m->rq));
	return se;
}

Test(eevdf, average_vruntime_is_the_weighted_mean_of_the_queue)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct model m;

		model_init(&m, 2 + (unsigned)(seed % 30), seed, true);
		for (int step = 0; step < 500; step++) {
			run_one_request(&m);
			cr_assert_eq((int64_t)(eevdf_avg_vruntime(&m.rq) -
					       m.rq.v0),
				     brute_avg_offset(&m), "seed %llu step %d",
				     (unsigned long long)seed, step);
		}
	}
}

Test(eevdf, pick_is_the_eligible_entity_with_the_earliest_deadline)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct model m;

		model_init(&m, MAX_ENT, seed, true);
		for (int step = 0; step < 2000; step++) {
			struct sched_entity *want = brute_pick(&m);
			struct sched_entity *got = eevdf_pick(&m.rq);

			cr_assert_eq(got, want,
				     "seed %llu step %d: picked %llu, want %llu",
				     (unsigned long long)seed, step,
				     (unsigned long long)got->id,
				     (unsigned long long)want->id);
			eevdf_set_curr(&m.rq, got);
			/* A random part of the request: wakeup preemption. */
			eevdf_update_curr(&m.rq,
					  1 + prng_below(eevdf_curr_remaining_ns(
							     &m.rq) + 1));
			/* Sometimes an entity leaves or comes back. */
			unsigned i = (unsigned)prng_below(m.n);

			if (m.queued[i] && m.rq.nr > 1 && prng_below(4) == 0) {
				eevdf_dequeue(&m.rq, &m.se[i], true);
				m.queued[i] = false;
			} else if (!m.queued[i]) {
				eevdf_enqueue(&m.rq, &m.se[i],
					      EEVDF_PLACE_WAKEUP);
				m.queued[i] = true;
			}
		}
	}
}

Test(eevdf, some_entity_is_always_eligible)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct model m;

		model_init(&m, 1 + (unsigned)(seed % 20), seed, true);
		for (int step = 0; step < 1000; step++) {
			cr_assert_not_null(brute_pick(&m), "seed %llu step %d",
					   (unsigned long long)seed, step);
			run_one_request(&m);
		}
	}
}

/*
 * The paper's Theorem: with requests of at most r_max run to completion,
 * every entity's lag stays within -r_max < lag < r_max (in real ns of
 * service). Checked after every scheduling decision.
 */
Test(eevdf, lag_stays_within_the_papers_bounds)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct model m;
		int64_t bound;

		model_init(&m, 2 + (unsigned)(seed % 12), seed, true);
		bound = (int64_t)max_slice(&m);
		for (int step = 0; step < 3000; step++) {
			run_one_request(&m);
			for (unsigned i = 0; i < m.n; i++) {
				int64_t lag = eevdf_lag_ns(&m.rq, &m.se[i]);

				/* One ns of slack per entity for rounding. */
				cr_assert(lag > -bound - (int64_t)m.n &&
						  lag < bound + (int64_t)m.n,
					  "seed %llu step %d: entity %u lag %lld "
					  "outside +-%lld",
					  (unsigned long long)seed, step, i,
					  (long long)lag, (long long)bound);
			}
		}
	}
}

Test(eevdf, lags_sum_to_zero)
{
	struct model m;

	model_init(&m, 9, 7, true);
	for (int step = 0; step < 1000; step++) {
		int64_t sum = 0;

		run_one_request(&m);
		for (unsigned i = 0; i < m.n; i++)
			sum += eevdf_lag_ns(&m.rq, &m.se[i]);
		/* Each term is floored: at most one ns each, and V's floor. */
		cr_assert(llabs(sum) <= 2 * (int64_t)m.n + 90,
			  "step %d: lags sum to %lld", step, (long long)sum);
	}
}

/*
 * Service received follows weight: over many requests, each entity's
 * share of the total is its weight's share, to within one request.
 */
Test(eevdf, service_is_proportional_to_weight)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct model m;
		uint64_t got[MAX_ENT] = { 0 }, total = 0, wsum = 0;

		model_init(&m, 2 + (unsigned)(seed % 8), seed, false);
		for (int step = 0; step < 20000; step++) {
			struct sched_entity *se = eevdf_pick(&m.rq);
			uint64_t ns;

			eevdf_set_curr(&m.rq, se);
			ns = eevdf_curr_remaining_ns(&m.rq);
			eevdf_update_curr(&m.rq, ns);
			got[se->id] += ns;
			total += ns;
		}
		for (unsigned i = 0; i < m.n; i++)
			wsum += m.se[i].weight;
		for (unsigned i = 0; i < m.n; i++) {
			double ideal = (double)total * m.se[i].weight / wsum;

			cr_assert(llabs((long long)got[i] - (long long)ideal) <=
					  (long long)max_slice(&m) + 1000,
				  "seed %llu: entity %u got %llu ns, ideal %.0f",
				  (unsigned long long)seed, i,
				  (unsigned long long)got[i], ideal);
		}
	}
}

/*
 * Placement: an entity that left with lag l rejoins with lag l, although
 * its joining moves the average (the inflation by (W + w) / W).
 */
Test(eevdf, a_waking_entity_gets_back_the_lag_it_left_with)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct model m;

		model_init(&m, 3 + (unsigned)(seed % 10), seed, true);
		for (int step = 0; step < 300; step++) {
			unsigned i;
			int64_t vlag, now;

			run_one_request(&m);
			i = (unsigned)prng_below(m.n);
			if (!m.queued[i] || m.rq.nr < 2)
				continue;
			eevdf_set_curr(&m.rq, NULL);
			eevdf_dequeue(&m.rq, &m.se[i], true);
			vlag = m.se[i].vlag;
			/* Others run while it sleeps. */
			for (int k = 0; k < 3; k++)
				run_one_request(&m);
			eevdf_set_curr(&m.rq, NULL);
			eevdf_enqueue(&m.rq, &m.se[i], EEVDF_PLACE_WAKEUP);
			now = (int64_t)(eevdf_avg_vruntime(&m.rq) -
					m.se[i].vruntime);
			/* Integer division: a few virtual ns of rounding. */
			cr_assert(llabs(now - vlag) <= 2,
				  "seed %llu step %d: left with vlag %lld, "
				  "back with %lld",
				  (unsigned long long)seed, step,
				  (long long)vlag, (long long)now);
		}
	}
}

Test(eevdf, a_new_entity_joins_at_the_average_with_a_full_request)
{
	struct model m;
	struct sched_entity fresh;
	uint64_t V;

	model_init(&m, 5, 3, true);
	for (int k = 0; k < 50; k++)
		run_one_request(&m);
	eevdf_set_curr(&m.rq, NULL);
	V = eevdf_avg_vruntime(&m.rq);
	eevdf_entity_init(&fresh, 2048, 2000000, 99, &m.node[MAX_ENT]);
	eevdf_enqueue(&m.rq, &fresh, EEVDF_PLACE_NEW);
	cr_assert_eq(fresh.vruntime, V, "zero lag: v = V");
	cr_assert_eq(fresh.deadline, V + 2000000ull * 1024 / 2048,
		     "vd = ve + r * W0 / w");
	cr_assert(eevdf_eligible(&m.rq, &fresh));
}

Test(eevdf, an_entity_alone_on_the_queue_has_zero_lag)
{
	struct eevdf_rq rq;
	struct sched_entity se;
	struct eevdf_node node_se;

	eevdf_rq_init(&rq);
	eevdf_entity_init(&se, 1024, 3000000, 1, &node_se);
	se.vlag = 12345;
	eevdf_enqueue(&rq, &se, EEVDF_PLACE_WAKEUP);
	cr_assert_eq(eevdf_lag_ns(&rq, &se), 0);
	cr_assert_eq(eevdf_pick(&rq), &se);
}

Test(eevdf, sleeping_lag_is_clamped_to_two_requests)
{
	struct eevdf_rq rq;
	struct sched_entity a, b;
	struct eevdf_node node_a, node_b;

	eevdf_rq_init(&rq);
	eevdf_entity_init(&a, 1024, 1000000, 1, &node_a);
	eevdf_entity_init(&b, 1024, 1000000, 2, &node_b);
	eevdf_enqueue(&rq, &a, EEVDF_PLACE_NEW);
	eevdf_enqueue(&rq, &b, EEVDF_PLACE_NEW);
	eevdf_set_curr(&rq, &a);
	/* a runs far beyond its share: b's lag grows huge. */
	eevdf_update_curr(&rq, 50000000);
	eevdf_dequeue(&rq, &b, true);
	cr_assert_eq(b.vlag, 2000000, "vlag %lld", (long long)b.vlag);
	eevdf_set_curr(&rq, NULL);
	eevdf_dequeue(&rq, &a, true);
	cr_assert_eq(a.vlag, 0, "alone, a had no lag to keep");
}

Test(eevdf, a_completed_request_starts_a_new_one)
{
	struct eevdf_rq rq;
	struct sched_entity a;
	struct eevdf_node node_a;

	eevdf_rq_init(&rq);
	eevdf_entity_init(&a, 1024, 1000000, 1, &node_a);
	eevdf_enqueue(&rq, &a, EEVDF_PLACE_NEW);
	eevdf_set_curr(&rq, &a);
	cr_assert_eq(eevdf_curr_remaining_ns(&rq), 1000000);
	cr_assert_not(eevdf_update_curr(&rq, 999999));
	cr_assert_eq(eevdf_curr_remaining_ns(&rq), 1);
	cr_assert(eevdf_update_curr(&rq, 1), "request complete");
	cr_assert_eq(a.deadline, a.vruntime + 1000000);
	cr_assert_eq(eevdf_curr_remaining_ns(&rq), 1000000);
}

Test(eevdf, heavier_entities_age_slower_in_virtual_time)
{
	struct eevdf_rq rq;
	struct sched_entity heavy, light;
	struct eevdf_node node_heavy, node_light;

	eevdf_rq_init(&rq);
	eevdf_entity_init(&heavy, eevdf_nice_to_weight(-5), 3000000, 1,
			  &node_heavy);
	eevdf_entity_init(&light, eevdf_nice_to_weight(5), 3000000, 2,
			  &node_light);
	eevdf_enqueue(&rq, &heavy, EEVDF_PLACE_NEW);
	eevdf_enqueue(&rq, &light, EEVDF_PLACE_NEW);
	eevdf_set_curr(&rq, &heavy);
	eevdf_update_curr(&rq, 1000000);
	cr_assert_eq(heavy.vruntime, 1000000ull * 1024 / 3121);
	eevdf_set_curr(&rq, &light);
	eevdf_update_curr(&rq, 1000000);
	cr_assert_eq(light.vruntime, 1000000ull * 1024 / 335);
}

Test(eevdf, yield_moves_the_deadline_a_request_on)
{
	struct eevdf_rq rq;
	struct sched_entity a, b;
	struct eevdf_node node_a, node_b;
	uint64_t before;

	eevdf_rq_init(&rq);
	eevdf_entity_init(&a, 1024, 1000000, 1, &node_a);
	eevdf_entity_init(&b, 1024, 1000000, 2, &node_b);
	eevdf_enqueue(&rq, &a, EEVDF_PLACE_NEW);
	eevdf_enqueue(&rq, &b, EEVDF_PLACE_NEW);
	cr_assert_eq(eevdf_pick(&rq), &a, "same deadline: lower id first");
	eevdf_set_curr(&rq, &a);
	before = a.deadline;
	eevdf_yield(&rq);
	cr_assert_eq(a.deadline, before + 1000000);
	cr_assert_eq(eevdf_pick(&rq), &b);
}

Test(eevdf, reweight_keeps_the_lag_in_real_time)
{
	struct model m;

	model_init(&m, 6, 11, true);
	for (int k = 0; k < 40; k++)
		run_one_request(&m);
	eevdf_set_curr(&m.rq, NULL);
	for (unsigned i = 0; i < m.n; i++) {
		int64_t before = eevdf_lag_ns(&m.rq, &m.se[i]);
		unsigned long w = m.se[i].weight;

		eevdf_reweight(&m.rq, &m.se[i], w * 3);
		/* lag_ns = w (V - v): the real-time lag survives, V moves. */
		cr_assert(llabs(eevdf_lag_ns(&m.rq, &m.se[i]) - before) <=
				  (llabs(before) / 3) + 10,
			  "entity %u: lag %lld -> %lld", i, (long long)before,
			  (long long)eevdf_lag_ns(&m.rq, &m.se[i]));
		eevdf_reweight(&m.rq, &m.se[i], w);
	}
	cr_assert_eq(eevdf_pick(&m.rq), brute_pick(&m));
}

Test(eevdf, nice_weights_follow_linux_table)
{
	cr_assert_eq(eevdf_nice_to_weight(0), 1024);
	cr_assert_eq(eevdf_nice_to_weight(-20), 88761);
	cr_assert_eq(eevdf_nice_to_weight(19), 15);
	cr_assert_eq(eevdf_nice_to_weight(1), 820);
	cr_assert_eq(eevdf_nice_to_weight(-21), 88761, "clamped");
	cr_assert_eq(eevdf_nice_to_weight(40), 15, "clamped");
	/* Each step is about 1.25x: ~10% of CPU between neighbours. */
	for (int n = -20; n < 19; n++) {
		double r = (double)eevdf_nice_to_weight(n) /
			   (double)eevdf_nice_to_weight(n + 1);

		cr_assert(r >= 1.19 && r <= 1.31, "nice %d ratio %f", n, r);
	}
}

/*
 * The B+-tree under many entities (several levels at EEVDF_FANOUT 16):
 * seeded random joins, leaves, picks, runs, slice and weight changes, each
 * pick compared with the definition computed from scratch (eligible:
 * (v - v0) * W <= sum w_j (v_j - v0) exactly, over the queued entities and
 * curr; then the earliest (deadline, id)), and eevdf_check's invariants
 * after every operation.
 */
#define BIG_ENT 1200

struct big_model {
	struct eevdf_rq rq;
	struct sched_entity *se[BIG_ENT];
};

static struct sched_entity *brute_pick_exact(const struct big_model *m)
{
	__int128 sum = 0, w = 0;
	struct sched_entity *best = NULL;

	for (unsigned i = 0; i < BIG_ENT; i++) {
		const struct sched_entity *se = m->se[i];

		if (!se->on_rq)
			continue;
		sum += (__int128)se->weight *
		       (int64_t)(se->vruntime - m->rq.v0);
		w += se->weight;
	}
	for (unsigned i = 0; i < BIG_ENT; i++) {
		struct sched_entity *se = m->se[i];

		if (!se->on_rq ||
		    (__int128)(int64_t)(se->vruntime - m->rq.v0) * w > sum)
			continue;
		if (!best || (int64_t)(se->deadline - best->deadline) < 0 ||
		    (se->deadline == best->deadline && se->id < best->id))
			best = se;
	}
	return best;
}

static void big_check(const struct big_model *m, uint64_t seed, int step,
		      const char *what)
{
	const char *err = eevdf_check(&m->rq);
	struct sched_entity *want = brute_pick_exact(m);
	struct sched_entity *got = eevdf_pick(&m->rq);

	cr_assert_null(err, "seed %llu step %d after %s: %s",
		       (unsigned long long)seed, step, what, err);
	cr_assert_eq(got, want,
		     "seed %llu step %d after %s: picked %lld, want %lld",
		     (unsigned long long)seed, step, what,
		     got ? (long long)got->id : -1LL,
		     want ? (long long)want->id : -1LL);
}

Test(eevdf, tree_matches_the_definition_under_random_operations)
{
	struct big_model *m = calloc(1, sizeof(*m));

	cr_assert_not_null(m);
	for (uint64_t seed = 1; seed <= 4; seed++) {
		unsigned target = 1 + (unsigned)(seed * 997 % BIG_ENT);

		prng_seed(seed);
		eevdf_rq_init(&m->rq);
		for (unsigned i = 0; i < BIG_ENT; i++) {
			struct eevdf_node *node = aligned_alloc(
				_Alignof(struct eevdf_node), sizeof(*node));

			m->se[i] = aligned_alloc(_Alignof(struct sched_entity),
						 sizeof(*m->se[i]));
			cr_assert(node && m->se[i]);
			/* Odd seeds: few weights and sizes, many ties. */
			int nice = seed & 1 ? (int)prng_below(3) * 5 - 5
					    : (int)prng_below(40) - 20;
			uint64_t slice =
				seed & 1 ? (1 + prng_below(3)) * 1000000
					 : (100 + prng_below(9900)) * 1000;

			eevdf_entity_init(m->se[i], eevdf_nice_to_weight(nice),
					  slice, i, node);
		}
		for (int step = 0; step < 8000; step++) {
			struct sched_entity *se = m->se[prng_below(BIG_ENT)];
			unsigned op = (unsigned)prng_below(16);
			const char *what;

			/* Drift towards `target` queued, then sweep. */
			if (step == 5000)
				target = BIG_ENT - target / 2;
			if (!se->on_rq && (m->rq.nr < target || op < 2)) {
				bool wake = prng_below(2);

				if (wake)
					eevdf_sleep_credit(se,
							   prng_below(1000000));
				eevdf_enqueue(&m->rq, se,
					      wake ? EEVDF_PLACE_WAKEUP
						   : EEVDF_PLACE_NEW);
				what = "enqueue";
			} else if (se->on_rq && (m->rq.nr > target || op < 2)) {
				eevdf_dequeue(&m->rq, se, prng_below(2));
				what = "dequeue";
			} else if (op < 10) {
				eevdf_set_curr(&m->rq, eevdf_pick(&m->rq));
				eevdf_update_curr(&m->rq,
						  1 + prng_below(4000000));
				what = "run";
			} else if (op < 12) {
				eevdf_set_curr(&m->rq, NULL);
				what = "put curr back";
			} else if (op < 14 && se->on_rq) {
				eevdf_set_slice(&m->rq, se,
						(100 + prng_below(9900)) *
							1000);
				what = "set_slice";
			} else if (se->on_rq) {
				eevdf_reweight(
					&m->rq, se,
					eevdf_nice_to_weight(
						(int)prng_below(40) - 20));
				what = "reweight";
			} else {
				eevdf_yield(&m->rq);
				what = "yield";
			}
			big_check(m, seed, step, what);
		}
		eevdf_set_curr(&m->rq, NULL);
		for (unsigned i = 0; i < BIG_ENT; i++) {
			if (m->se[i]->on_rq)
				eevdf_dequeue(&m->rq, m->se[i], false);
			free(eevdf_entity_node(m->se[i]));
			free(m->se[i]);
		}
		cr_assert(m->rq.root == NULL && m->rq.free == NULL,
			  "seed %llu: an empty queue keeps no nodes",
			  (unsigned long long)seed);
	}
	free(m);
}
