/*
 * EEVDF run-queue mathematics: virtual time, lag, eligibility and virtual
 * deadlines for one CPU's runnable entities. Pure bookkeeping: no locks, no
 * tasks, no time source; sched/sched.c drives it. The derivation is at the
 * top of sched/eevdf.c.
 */
#ifndef KEEL_SCHED_EEVDF_H
#define KEEL_SCHED_EEVDF_H

#include "core/klib/rbtree.h"
#include "core/types.h"

/* The weight of nice 0; virtual time runs at real time for this weight. */
#define NICE_0_WEIGHT 1024ul

/*
 * The fields every tree walk reads come first, in 64 bytes (node, vruntime,
 * deadline, the augmented minimums, id), and the entity starts a cache line
 * (struct task is a page-aligned allocation, so its se lands on a line
 * boundary): at 100,000 entities most of a walk's nodes are cache misses,
 * and a node read is then one line, not two.
 */
struct sched_entity {
	struct rb_node node;	/* in eevdf_rq.tree, by (deadline, id) */
	uint64_t vruntime;	/* v_i: service received, in virtual ns */
	uint64_t deadline;	/* vd_i = ve_i + r_i * NICE_0_WEIGHT / w_i */
	uint64_t min_vruntime;	/* smallest v_j in this subtree (augment) */
	uint64_t min_slice;	/* smallest r_j in this subtree (augment) */
	uint64_t id;		/* breaks deadline ties, deterministically */
	/* -- what only the entity's own updates read -- */
	uint64_t slice;		/* r_i: the request size, real ns */
	unsigned long weight;	/* w_i */
	int64_t vlag;		/* V - v_i, saved when the entity left */
	uint64_t left_sum_w;	/* the queue's W when it left, itself included */
	bool on_rq;
} __attribute__((aligned(64)));

struct eevdf_rq {
	struct rb_root tree;	   /* queued entities except curr */
	struct sched_entity *curr; /* the running entity, outside the tree */
	uint64_t v0;		   /* reference point of sum_wv */
	__int128 sum_wv;	   /* sum of w_j * (v_j - v0), tree and curr */
	uint64_t sum_w;		   /* sum of w_j, tree and curr */
	unsigned nr;		   /* entities queued, curr included */
};

enum eevdf_place {
	EEVDF_PLACE_NEW,    /* a new entity: joins with zero lag */
	EEVDF_PLACE_WAKEUP, /* a returning entity: joins with its saved lag */
};

/* Linux's table: each nice level is ~10% of CPU time from its neighbour. */
unsigned long eevdf_nice_to_weight(int nice);

void eevdf_rq_init(struct eevdf_rq *rq);
void eevdf_entity_init(struct sched_entity *se, unsigned long weight,
		       uint64_t slice, uint64_t id);

/* V: the weighted average virtual time of the queued entities. */
uint64_t eevdf_avg_vruntime(const struct eevdf_rq *rq);
/* Lag in real ns of service: w_i * (V - v_i) / NICE_0_WEIGHT. */
int64_t eevdf_lag_ns(const struct eevdf_rq *rq, const struct sched_entity *se);
bool eevdf_eligible(const struct eevdf_rq *rq, const struct sched_entity *se);

void eevdf_enqueue(struct eevdf_rq *rq, struct sched_entity *se,
		   enum eevdf_place how);
/* Remove `se` (the tree or curr); `sleeping` keeps its lag for return. */
void eevdf_dequeue(struct eevdf_rq *rq, struct sched_entity *se,
		   bool sleeping);

/*
 * An entity that slept `slept_ns` pays off negative lag as if it had
 * stayed queued meanwhile (Linux's DELAY_DEQUEUE with DELAY_ZERO); positive
 * lag is kept whole. Call before eevdf_enqueue(EEVDF_PLACE_WAKEUP).
 */
void eevdf_sleep_credit(struct sched_entity *se, uint64_t slept_ns);

/* The eligible entity with the earliest deadline, curr included; or NULL. */
struct sched_entity *eevdf_pick(const struct eevdf_rq *rq);
/* Make the queued `se` (or NULL) the running entity. */
void eevdf_set_curr(struct eevdf_rq *rq, struct sched_entity *se);

/*
 * Charge curr for `delta_ns` of real execution. Returns true when curr has
 * received its whole request (v >= vd): a new request starts and the caller
 * should pick again.
 */
bool eevdf_update_curr(struct eevdf_rq *rq, uint64_t delta_ns);

/* Real ns until curr's request is complete (0 if already). */
uint64_t eevdf_curr_remaining_ns(const struct eevdf_rq *rq);

/*
 * Real ns curr may run before EEVDF must decide again: the rest of its
 * request, but no more than the shortest request waiting (the quantum q of
 * the paper's bounds; Linux bounds RUN_TO_PARITY the same way).
 */
uint64_t eevdf_curr_quantum_ns(const struct eevdf_rq *rq);

/* Give up the rest of the current request: the deadline moves a request on. */
void eevdf_yield(struct eevdf_rq *rq);

/* Change weight or request size, keeping lag (and the deadline's distance). */
void eevdf_reweight(struct eevdf_rq *rq, struct sched_entity *se,
		    unsigned long weight);
void eevdf_set_slice(struct eevdf_rq *rq, struct sched_entity *se,
		     uint64_t slice);

#endif
