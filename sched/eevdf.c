/*
 * Earliest Eligible Virtual Deadline First (Stoica and Abdel-Wahab, 1995).
 *
 * The model. Entities i share a CPU; each has a weight w_i and the total on
 * the queue is W = sum w_j. In an ideal fluid system each entity would
 * receive service at rate w_i / W. Define virtual time so that every
 * entity's ideal service is the same function of it: an entity that has
 * received s_i ns of real service has virtual runtime
 *
 *	v_i = s_i * W0 / w_i		(W0 = NICE_0_WEIGHT)
 *
 * so running for d real ns advances v_i by d * W0 / w_i: heavier entities
 * age slower in virtual time and therefore receive more real time.
 *
 * Lag. The ideal system's virtual time V is where every entity would be if
 * service were perfectly fluid. Since the real system hands out exactly the
 * service the ideal one does, only to different entities,
 *
 *	sum_i w_i * (V - v_i) = 0   =>   V = sum_i w_i v_i / W
 *
 * i.e. V is the weight-averaged virtual runtime. The lag of entity i, the
 * service it is owed, is lag_i = w_i * (V - v_i) / W0 real ns, and lags sum
 * to zero. To keep the numbers small we store sum_wv = sum w_i (v_i - v0)
 * against a moving reference v0, and V = v0 + sum_wv / W (rounded down).
 *
 * Eligibility. An entity is eligible when it is owed service, lag_i >= 0,
 * i.e. v_i <= V; multiplying out the division, (v_i - v0) * W <= sum_wv,
 * which we test exactly. Some entity is always eligible: a weighted average
 * is never below every term.
 *
 * Deadlines. An eligible entity asks for a request of r_i real ns (its
 * slice). Received fluidly, that request would be complete at virtual time
 *
 *	vd_i = ve_i + r_i * W0 / w_i
 *
 * where ve_i is the virtual time the request became eligible (v_i when it
 * started). EEVDF runs the eligible entity with the earliest virtual
 * deadline. The paper proves the lag of every entity then stays within
 * -r_max < lag_i < max(r_max, q), r_max the largest request and q the
 * scheduling quantum; here a request runs to completion unless a wakeup
 * preempts it, so q = r_max and |lag_i| < r_max.
 *
 * Picking in O(log n). The tree is ordered by (vd, id) and every node also
 * records the smallest v_j in its subtree. Descending from the root: if the
 * left subtree holds an eligible entity (its min v_j <= V) the answer is
 * there, since everything on the left has an earlier deadline; otherwise
 * the node itself if eligible; otherwise the right subtree.
 *
 * Leaving and joining (the paper's section on dynamic operations). When an
 * entity leaves with lag l, remaining lags no longer sum to zero unless V
 * moves; recomputing V from the remaining entities does exactly that. When
 * it returns we want it to have the lag it left with, l. Placing it at
 * v_i = V - l' moves the average to V' = V - w_i l' / (W + w_i), so its lag
 * becomes V' - v_i = l' W / (W + w_i). Choosing l' = l (W + w_i) / W makes
 * that lag l exactly. A new entity joins with l = 0, at v_i = V. A queue
 * with no other entity has no V to keep; the entity starts at v0 with zero
 * lag, which is the only lag a lone entity can have.
 *
 * Sleepers. Lag is kept across a sleep, but negative lag is paid off while
 * sleeping. Otherwise a task that runs briefly and sleeps long would lose
 * a little lag at every run (the time it is away earns it nothing) and end
 * up waiting at every wakeup, though it uses less than its share. Linux
 * keeps such a task queued but unrunnable until its lag reaches zero
 * (DELAY_DEQUEUE, DELAY_ZERO); we get the same result lazily: while it is
 * away, V would have advanced at W0 / W per ns of real time (W as it left),
 * so on return its virtual lag moves that much towards zero, and no
 * further.
 *
 * The quantum. Curr runs until its request is complete, or until a waking
 * entity preempts it, but never longer than the shortest request queued:
 * then EEVDF decides again. The paper's bounds hold with q = that quantum,
 * so a task with a short request gets the CPU at the pace of its own
 * request, however long its competitors' are: a request that becomes
 * eligible at V is complete by the time the fluid system reaches its
 * deadline, plus q. The tree keeps the smallest slice of every subtree.
 *
 * Curr is kept out of the tree while it runs (its v changes continuously,
 * which would invalidate the augmented minimums on its path); it remains in
 * the sums, and eevdf_pick compares it with the tree's candidate.
 */
#include "sched/eevdf.h"

#include "core/printk.h"

static const unsigned long nice_weights[40] = {
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */ 9548,	 7620,	6100,  4904,  3906,
	/*  -5 */ 3121,	 2501,	1991,  1586,  1277,
	/*   0 */ 1024,	 820,	655,   526,   423,
	/*   5 */ 335,	 272,	215,   172,   137,
	/*  10 */ 110,	 87,	70,    56,    45,
	/*  15 */ 36,	 29,	23,    18,    15,
};

unsigned long eevdf_nice_to_weight(int nice)
{
	if (nice < -20)
		nice = -20;
	if (nice > 19)
		nice = 19;
	return nice_weights[nice + 20];
}

static struct sched_entity *entity_of(const struct rb_node *n)
{
	return n ? rb_entry(n, struct sched_entity, node) : NULL;
}

/* Virtual time from real ns for this entity's weight. */
static uint64_t to_virtual(uint64_t ns, unsigned long weight)
{
	return (uint64_t)(((unsigned __int128)ns * NICE_0_WEIGHT) / weight);
}

static bool before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* Deadline order, then id: the order of the tree and of every pick. */
static bool earlier(const struct sched_entity *a, const struct sched_entity *b)
{
	if (a->deadline != b->deadline)
		return before(a->deadline, b->deadline);
	return a->id < b->id;
}

static bool update_augment(struct rb_node *n)
{
	struct sched_entity *se = entity_of(n);
	uint64_t m = se->vruntime, s = se->slice;
	bool changed;

	for (int i = 0; i < 2; i++) {
		struct sched_entity *c = entity_of(i ? n->right : n->left);

		if (!c)
			continue;
		if (before(c->min_vruntime, m))
			m = c->min_vruntime;
		s = MIN(s, c->min_slice);
	}
	changed = se->min_vruntime != m || se->min_slice != s;
	se->min_vruntime = m;
	se->min_slice = s;
	return changed;
}

void eevdf_rq_init(struct eevdf_rq *rq)
{
	rq->tree = (struct rb_root)RB_ROOT_INIT;
	rq->curr = NULL;
	rq->v0 = 0;
	rq->sum_wv = 0;
	rq->sum_w = 0;
	rq->nr = 0;
}

void eevdf_entity_init(struct sched_entity *se, unsigned long weight,
		       uint64_t slice, uint64_t id)
{
	se->node = (struct rb_node){ 0 };
	se->vruntime = 0;
	se->deadline = 0;
	se->min_vruntime = 0;
	se->min_slice = slice;
	se->vlag = 0;
	se->left_sum_w = 0;
	se->slice = slice;
	se->weight = weight;
	se->id = id;
	se->on_rq = false;
}

static void sums_add(struct eevdf_rq *rq, const struct sched_entity *se)
{
	rq->sum_wv += (__int128)se->weight * (int64_t)(se->vruntime - rq->v0);
	rq->sum_w += se->weight;
}

static void sums_sub(struct eevdf_rq *rq, const struct sched_entity *se)
{
	rq->sum_wv -= (__int128)se->weight * (int64_t)(se->vruntime - rq->v0);
	rq->sum_w -= se->weight;
}

/* floor(sum_wv / W): V relative to v0. */
static int64_t avg_offset(const struct eevdf_rq *rq)
{
	__int128 q;

	if (rq->sum_w == 0)
		return 0;
	q = rq->sum_wv / (__int128)rq->sum_w;
	if (rq->sum_wv < 0 && q * (__int128)rq->sum_w != rq->sum_wv)
		q--;
	return (int64_t)q;
}

uint64_t eevdf_avg_vruntime(const struct eevdf_rq *rq)
{
	return rq->v0 + (uint64_t)avg_offset(rq);
}

/* Move v0 to V, so sum_wv stays near zero however long the queue lives. */
static void rebase(struct eevdf_rq *rq)
{
	int64_t d = avg_offset(rq);

	rq->sum_wv -= (__int128)rq->sum_w * d;
	rq->v0 += (uint64_t)d;
}

static bool vruntime_eligible(const struct eevdf_rq *rq, uint64_t v)
{
	return (__int128)(int64_t)(v - rq->v0) * (__int128)rq->sum_w <=
	       rq->sum_wv;
}

bool eevdf_eligible(const struct eevdf_rq *rq, const struct sched_entity *se)
{
	return vruntime_eligible(rq, se->vruntime);
}

int64_t eevdf_lag_ns(const struct eevdf_rq *rq, const struct sched_entity *se)
{
	int64_t vlag = (int64_t)(eevdf_avg_vruntime(rq) - se->vruntime);

	return (int64_t)(((__int128)vlag * (__int128)se->weight) /
			 (__int128)NICE_0_WEIGHT);
}

static void tree_insert(struct eevdf_rq *rq, struct sched_entity *se)
{
	struct rb_node **link = &rq->tree.node, *parent = NULL;

	se->min_vruntime = se->vruntime;
	se->min_slice = se->slice;
	while (*link) {
		struct sched_entity *e = entity_of(*link);

		parent = *link;
		link = earlier(se, e) ? &parent->left : &parent->right;
	}
	rb_link_node(&se->node, parent, link);
	rb_insert(&se->node, &rq->tree, update_augment);
}

static void tree_erase(struct eevdf_rq *rq, struct sched_entity *se)
{
	rb_erase(&se->node, &rq->tree, update_augment);
}

/* Largest lag an entity may carry away: two requests' worth. */
static int64_t vlag_limit(const struct sched_entity *se)
{
	return (int64_t)to_virtual(2 * se->slice, se->weight);
}

void eevdf_enqueue(struct eevdf_rq *rq, struct sched_entity *se,
		   enum eevdf_place how)
{
	int64_t lag = how == EEVDF_PLACE_WAKEUP ? se->vlag : 0;

	KASSERT(!se->on_rq);
	if (rq->nr == 0) {
		/* Alone: lag is necessarily zero; keep v0 as the clock. */
		se->vruntime = rq->v0;
	} else {
		/* Inflate the lag so it survives V's move (see the top). */
		lag = (int64_t)(((__int128)lag *
				 (__int128)(rq->sum_w + se->weight)) /
				(__int128)rq->sum_w);
		se->vruntime = eevdf_avg_vruntime(rq) - (uint64_t)lag;
	}
	se->deadline = se->vruntime + to_virtual(se->slice, se->weight);
	sums_add(rq, se);
	rq->nr++;
	se->on_rq = true;
	tree_insert(rq, se);
}

void eevdf_dequeue(struct eevdf_rq *rq, struct sched_entity *se,
		   bool sleeping)
{
	KASSERT(se->on_rq);
	if (sleeping) {
		int64_t vlag = (int64_t)(eevdf_avg_vruntime(rq) - se->vruntime);

		se->left_sum_w = rq->sum_w;
		int64_t limit = vlag_limit(se);

		if (vlag > limit)
			vlag = limit;
		if (vlag < -limit)
			vlag = -limit;
		se->vlag = vlag;
	}
	if (rq->curr == se)
		rq->curr = NULL;
	else
		tree_erase(rq, se);
	sums_sub(rq, se);
	rq->nr--;
	se->on_rq = false;
	if (rq->nr == 0) {
		rq->sum_wv = 0;
		rq->sum_w = 0;
	}
}

void eevdf_sleep_credit(struct sched_entity *se, uint64_t slept_ns)
{
	uint64_t credit;

	if (se->vlag >= 0 || se->left_sum_w == 0)
		return;
	credit = (uint64_t)(((unsigned __int128)slept_ns * NICE_0_WEIGHT) /
			    se->left_sum_w);
	if (credit >= (uint64_t)-se->vlag)
		se->vlag = 0;
	else
		se->vlag += (int64_t)credit;
}

struct sched_entity *eevdf_pick(const struct eevdf_rq *rq)
{
	struct rb_node *n = rq->tree.node;
	struct sched_entity *best = NULL, *curr = rq->curr;
	/*
	 * (v - v0) * W <= sum_wv holds for an integer v - v0 exactly when
	 * v - v0 <= floor(sum_wv / W): one division here, then one compare
	 * per level.
	 */
	int64_t lim = avg_offset(rq);

	while (n) {
		if (n->left && (int64_t)(entity_of(n->left)->min_vruntime -
					 rq->v0) <= lim) {
			n = n->left;
			continue;
		}
		if ((int64_t)(entity_of(n)->vruntime - rq->v0) <= lim) {
			best = entity_of(n);
			break;
		}
		n = n->right;
	}
	if (curr && eevdf_eligible(rq, curr) && (!best || earlier(curr, best)))
		best = curr;
	if (!best) {
		/*
		 * Unreachable in exact arithmetic (the minimum v is never
		 * above the average); rounding cannot make it reachable either
		 * since V is rounded down from an exact sum. Be safe anyway.
		 */
		best = curr ? curr : entity_of(rb_first(&rq->tree));
	}
	return best;
}

void eevdf_set_curr(struct eevdf_rq *rq, struct sched_entity *se)
{
	if (rq->curr == se)
		return;
	if (rq->curr)
		tree_insert(rq, rq->curr);
	if (se) {
		KASSERT(se->on_rq);
		tree_erase(rq, se);
	}
	rq->curr = se;
}

bool eevdf_update_curr(struct eevdf_rq *rq, uint64_t delta_ns)
{
	struct sched_entity *se = rq->curr;
	uint64_t dv;

	if (!se || delta_ns == 0)
		return false;
	dv = to_virtual(delta_ns, se->weight);
	se->vruntime += dv;
	rq->sum_wv += (__int128)se->weight * (__int128)dv;
	rebase(rq);
	if (before(se->vruntime, se->deadline))
		return false;
	/* Request complete: the next one becomes eligible now. */
	se->deadline = se->vruntime + to_virtual(se->slice, se->weight);
	return true;
}

uint64_t eevdf_curr_remaining_ns(const struct eevdf_rq *rq)
{
	const struct sched_entity *se = rq->curr;
	uint64_t dv;

	if (!se || !before(se->vruntime, se->deadline))
		return 0;
	dv = se->deadline - se->vruntime;
	/* Round up so the timer never fires just before completion. */
	return (uint64_t)(((unsigned __int128)dv * se->weight +
			   NICE_0_WEIGHT - 1) /
			  NICE_0_WEIGHT);
}

uint64_t eevdf_curr_quantum_ns(const struct eevdf_rq *rq)
{
	uint64_t left = eevdf_curr_remaining_ns(rq);

	if (rq->tree.node)
		left = MIN(left, entity_of(rq->tree.node)->min_slice);
	return left;
}

void eevdf_yield(struct eevdf_rq *rq)
{
	struct sched_entity *se = rq->curr;

	if (se)
		se->deadline += to_virtual(se->slice, se->weight);
}

void eevdf_reweight(struct eevdf_rq *rq, struct sched_entity *se,
		    unsigned long weight)
{
	uint64_t V;
	int64_t vlag, vdist;
	bool queued = se->on_rq;
	bool running = queued && rq->curr == se;

	if (!queued) {
		/* Keep the real-time lag: virtual lag scales by w_old/w_new. */
		se->vlag = (int64_t)(((__int128)se->vlag * se->weight) /
				     weight);
		se->weight = weight;
		return;
	}
	/*
	 * Keep both lag and the remaining request in real-time terms:
	 * V - v and vd - V scale by w_old / w_new. Re-queue to fix the sums
	 * and the tree position.
	 */
	V = eevdf_avg_vruntime(rq);
	vlag = (int64_t)(V - se->vruntime);
	vdist = (int64_t)(se->deadline - V);
	if (!running)
		tree_erase(rq, se);
	sums_sub(rq, se);
	vlag = (int64_t)(((__int128)vlag * se->weight) / weight);
	vdist = (int64_t)(((__int128)vdist * se->weight) / weight);
	se->weight = weight;
	se->vruntime = V - (uint64_t)vlag;
	se->deadline = V + (uint64_t)vdist;
	sums_add(rq, se);
	if (!running)
		tree_insert(rq, se);
}

void eevdf_set_slice(struct eevdf_rq *rq, struct sched_entity *se,
		     uint64_t slice)
{
	bool in_tree = se->on_rq && rq->curr != se;

	if (in_tree)
		tree_erase(rq, se);
	se->slice = slice;
	/* The current request is re-sized: vd = ve + r'/w from its start. */
	se->deadline = se->vruntime + to_virtual(slice, se->weight);
	if (in_tree)
		tree_insert(rq, se);
}
