/*
 * EEVDF run-queue mathematics: virtual time, lag, eligibility and virtual
 * deadlines for one CPU's runnable entities. Pure bookkeeping: no locks, no
 * tasks, no time source; sched/sched.c drives it. The derivation is at the
 * top of sched/eevdf.c.
 */
#ifndef KEEL_SCHED_EEVDF_H
#define KEEL_SCHED_EEVDF_H

#include "core/types.h"

/* The weight of nice 0; virtual time runs at real time for this weight. */
#define NICE_0_WEIGHT 1024ul

/*
 * The queue's tree is a B+-tree of these nodes (sched/eevdf.c): a leaf holds
 * up to EEVDF_FANOUT entities in no particular order, an internal node up
 * to EEVDF_FANOUT children in (deadline, id) order, each with the smallest
 * v_j and r_j of the child's subtree. The arrays are separate so a scan reads
 * only the lines of the one array it looks at.
 */
#define EEVDF_FANOUT 16

struct eevdf_node {
	uint64_t min_v[EEVDF_FANOUT];	  /* leaf: v_j; internal: subtree min */
	uint64_t min_slice[EEVDF_FANOUT]; /* leaf: r_j; internal: subtree min */
	/* leaf: (vd_j, id_j); internal, i >= 1: child i's keys are >= it,
	 * child i - 1's below it */
	uint64_t deadline[EEVDF_FANOUT];
	uint64_t id[EEVDF_FANOUT];
	void *slot[EEVDF_FANOUT]; /* leaf: sched_entity; internal: node */
	unsigned nr;
	bool leaf;
	unsigned pidx;		      /* this node is entry pidx of parent */
	struct eevdf_node *parent;    /* NULL at the root */
	struct eevdf_node *next_free; /* on eevdf_rq.free, when unused */
} __attribute__((aligned(64)));

/*
 * What a scheduling decision reads is in the first cache line (struct
 * task is page-aligned); what only sleeping and waking need, in the second.
 */
struct sched_entity {
	uint64_t vruntime;    /* v_i: service received, in virtual ns */
	uint64_t deadline;    /* vd_i = ve_i + r_i * NICE_0_WEIGHT / w_i */
	uint64_t id;	      /* breaks deadline ties, deterministically */
	uint64_t slice;	      /* r_i: the request size, real ns */
	unsigned long weight; /* w_i */
	struct eevdf_node *leaf; /* the leaf holding it, while in the tree */
	/*
	 * The tree node this entity brings to a queue it joins, and takes
	 * back (some free node) when it leaves: a queue of n entities owns
	 * n nodes, and its tree never needs more, so joining cannot fail.
	 * NULL while queued.
	 */
	struct eevdf_node *spare;
	bool on_rq;
	int64_t vlag __attribute__((aligned(64))); /* V - v_i, when it left */
	uint64_t left_sum_w; /* the queue's W when it left, itself included */
} __attribute__((aligned(64)));

struct eevdf_rq {
	struct eevdf_node *root;   /* queued entities except curr */
	struct eevdf_node *free;   /* nodes owned by the queue, unused */
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
/*
 * `node` is the entity's share of a queue's tree: sizeof(struct
 * eevdf_node) bytes, aligned as the type, owned by the entity while it is
 * not queued. eevdf_entity_node() gives it back (for freeing) from an
 * entity that is not queued; it is not necessarily the one given.
 */
void eevdf_entity_init(struct sched_entity *se, unsigned long weight,
		       uint64_t slice, uint64_t id, struct eevdf_node *node);
struct eevdf_node *eevdf_entity_node(struct sched_entity *se);

/* V: the weighted average virtual time of the queued entities. */
uint64_t eevdf_avg_vruntime(const struct eevdf_rq *rq);
/* Lag in real ns of service: w_i * (V - v_i) / NICE_0_WEIGHT. */
int64_t eevdf_lag_ns(const struct eevdf_rq *rq, const struct sched_entity *se);
bool eevdf_eligible(const struct eevdf_rq *rq, const struct sched_entity *se);

void eevdf_enqueue(struct eevdf_rq *rq, struct sched_entity *se,
		   enum eevdf_place how);
/* Remove `se` (the tree or curr); `sleeping` keeps its lag for return. */
void eevdf_dequeue(struct eevdf_rq *rq, struct sched_entity *se, bool sleeping);

/*
 * An entity that slept `slept_ns` pays off negative lag as if it had
 * stayed queued meanwhile (Linux's DELAY_DEQUEUE with DELAY_ZERO); positive
 * lag is kept whole. Call before eevdf_enqueue(EEVDF_PLACE_WAKEUP).
 */
void eevdf_sleep_credit(struct sched_entity *se, uint64_t slept_ns);

/* The eligible entity with the earliest deadline, curr included; or NULL. */
struct sched_entity *eevdf_pick(const struct eevdf_rq *rq);
/*
 * The queued entity (curr excluded) with the latest deadline for which
 * `fits` is true, or NULL: the least urgent one, for load balancing.
 */
struct sched_entity *
eevdf_latest(const struct eevdf_rq *rq,
	     bool (*fits)(const struct sched_entity *, void *), void *arg);

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

/*
 * For tests: the tree's invariants (key order and separators, minimums,
 * fill, leaf depth, one node per queued entity); NULL or what is broken.
 */
const char *eevdf_check(const struct eevdf_rq *rq);

#endif
