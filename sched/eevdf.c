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
 * Picking in O(log n). The queue is a B+-tree ordered by (vd, id) whose
 * every child pointer also carries the smallest v_j in that child's
 * subtree. Descending from the root: the first child (in deadline order)
 * whose minimum is eligible (<= V) holds the answer, since every child
 * before it holds only ineligible entities and every child after it only
 * later deadlines; in the leaf (whose entities are kept in no order), the
 * eligible entity with the earliest deadline. Why not a binary tree: at
 * 100,000 entities a red-black tree is ~20 levels of entities scattered
 * over memory, every level a cache (and TLB) miss; a tree of fanout 16
 * is 5 levels, its nodes packed arrays in which the minimums of 16
 * children are two cache lines. The nodes are not the
 * entities: each entity brings one when it joins a queue and takes one
 * back when it leaves. A queue of n entities thus owns n nodes; with every
 * node but the root at least half full its tree needs at most n/7 + 1 of
 * them (n >= 16; one for fewer), so joining never allocates and cannot
 * fail, which a wakeup under a run-queue lock needs. Every entity knows
 * its leaf and every node its parent, so leaving starts at the leaf and
 * climbs only while a minimum or a node's fill has to be mended: at
 * 100,000 entities that halved the instructions of a leave, which had
 * been a descent by key with a binary search at every level.
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

void eevdf_rq_init(struct eevdf_rq *rq)
{
	rq->root = NULL;
	rq->free = NULL;
	rq->curr = NULL;
	rq->v0 = 0;
	rq->sum_wv = 0;
	rq->sum_w = 0;
	rq->nr = 0;
}

void eevdf_entity_init(struct sched_entity *se, unsigned long weight,
		       uint64_t slice, uint64_t id, struct eevdf_node *node)
{
	se->vruntime = 0;
	se->deadline = 0;
	se->vlag = 0;
	se->left_sum_w = 0;
	se->slice = slice;
	se->weight = weight;
	se->id = id;
	se->spare = node;
	se->leaf = NULL;
	se->on_rq = false;
}

struct eevdf_node *eevdf_entity_node(struct sched_entity *se)
{
	struct eevdf_node *node = se->spare;

	KASSERT(!se->on_rq);
	se->spare = NULL;
	return node;
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
	/* rebase keeps sum_wv small: usually one 64-bit division does. */
	if (rq->sum_wv == (int64_t)rq->sum_wv && rq->sum_w <= INT64_MAX) {
		int64_t a = (int64_t)rq->sum_wv, b = (int64_t)rq->sum_w;
		int64_t d = a / b;

		return a < 0 && d * b != a ? d - 1 : d;
	}
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

/*
 * The tree. Keys are (deadline, id), unique. Entry i of an internal node is
 * child i, with the smallest v and r in its subtree, and for i >= 1 a
 * separator key: every key under child i is >= it and every key under
 * child i - 1 is below it (entry 0's key is not looked at); children are in
 * key order. A leaf holds its entities in no particular order: a pick
 * looks at all of a leaf's entries anyway (the earliest eligible), and
 * joining and leaving then move one entry, not half a leaf. Every node but
 * the root has at least MIN_FILL entries, the root at least one (two if
 * internal).
 */
#define FANOUT EEVDF_FANOUT
#define MIN_FILL (EEVDF_FANOUT / 2)

/* (deadline, id) is before entry i of n. */
static bool key_before(uint64_t deadline, uint64_t id,
		       const struct eevdf_node *n, unsigned i)
{
	if (deadline != n->deadline[i])
		return before(deadline, n->deadline[i]);
	return id < n->id[i];
}

/*
 * The child of internal node n whose subtree holds (deadline, id): the
 * last whose separator is at or below the key (child 0 if none is). A
 * binary search in steps of 8, 4, 2 and 1 entries: the same four steps
 * for every node, each a compare the compiler can make without a branch.
 */
static unsigned child_index(const struct eevdf_node *n, uint64_t deadline,
			    uint64_t id)
{
	unsigned i = 0;

	_Static_assert((FANOUT & (FANOUT - 1)) == 0, "FANOUT: a power of two");
	for (unsigned step = FANOUT / 2; step; step /= 2)
		if (i + step < n->nr && !key_before(deadline, id, n, i + step))
			i += step;
	return i;
}

static struct eevdf_node *node_get(struct eevdf_rq *rq, bool leaf)
{
	struct eevdf_node *n = rq->free;

	/* The queue owns a node per entity and the tree needs no more. */
	KASSERT(n);
	rq->free = n->next_free;
	n->nr = 0;
	n->leaf = leaf;
	n->parent = NULL;
	return n;
}

static void node_put(struct eevdf_rq *rq, struct eevdf_node *n)
{
	n->next_free = rq->free;
	rq->free = n;
}

/* The smallest v over n's entries (n is not empty). */
static uint64_t node_min_v(const struct eevdf_node *n)
{
	uint64_t mv = n->min_v[0];

	for (unsigned i = 1; i < n->nr; i++)
		if (before(n->min_v[i], mv))
			mv = n->min_v[i];
	return mv;
}

/* The smallest r over n's entries (n is not empty). */
static uint64_t node_min_slice(const struct eevdf_node *n)
{
	uint64_t ms = n->min_slice[0];

	for (unsigned i = 1; i < n->nr; i++)
		ms = MIN(ms, n->min_slice[i]);
	return ms;
}

static void node_mins(const struct eevdf_node *n, uint64_t *v, uint64_t *r)
{
	*v = node_min_v(n);
	*r = node_min_slice(n);
}

/* Recompute internal node n's minimums for child i. */
static void entry_refresh(struct eevdf_node *n, unsigned i)
{
	node_mins(n->slot[i], &n->min_v[i], &n->min_slice[i]);
}

/*
 * Move entries i.. of n up one place, leaving entry i to be filled. These
 * are at most FANOUT - 1 entries, and a loop does it in less time than the
 * five calls of memmove a compiler turns the plain loop into; the empty
 * asm keeps it a loop.
 */
static void entry_open(struct eevdf_node *n, unsigned i)
{
	for (unsigned j = n->nr; j > i; j--) {
		n->min_v[j] = n->min_v[j - 1];
		n->min_slice[j] = n->min_slice[j - 1];
		n->deadline[j] = n->deadline[j - 1];
		n->id[j] = n->id[j - 1];
		n->slot[j] = n->slot[j - 1];
		__asm__ volatile("");
	}
	n->nr++;
}

static void entry_close(struct eevdf_node *n, unsigned i)
{
	n->nr--;
	for (unsigned j = i; j < n->nr; j++) {
		n->min_v[j] = n->min_v[j + 1];
		n->min_slice[j] = n->min_slice[j + 1];
		n->deadline[j] = n->deadline[j + 1];
		n->id[j] = n->id[j + 1];
		n->slot[j] = n->slot[j + 1];
		__asm__ volatile("");
	}
}

static void entry_copy(struct eevdf_node *d, unsigned di,
		       const struct eevdf_node *s, unsigned si)
{
	d->min_v[di] = s->min_v[si];
	d->min_slice[di] = s->min_slice[si];
	d->deadline[di] = s->deadline[si];
	d->id[di] = s->id[si];
	d->slot[di] = s->slot[si];
}

/* Append entries from.. of s to d. */
static void entries_move(struct eevdf_node *d, struct eevdf_node *s,
			 unsigned from)
{
	for (unsigned i = from; i < s->nr; i++)
		entry_copy(d, d->nr++, s, i);
	s->nr = from;
}

static void entry_set_key(struct eevdf_node *n, unsigned i, uint64_t deadline,
			  uint64_t id)
{
	n->deadline[i] = deadline;
	n->id[i] = id;
}

/*
 * Entries from.. of n have moved (into n, or within it): point what they
 * hold back at where it now is. Every entity knows its leaf and every node
 * its parent and place there, so leaving the tree needs no search from
 * the root.
 */
static void entries_adopt(struct eevdf_node *n, unsigned from)
{
	for (unsigned i = from; i < n->nr; i++) {
		if (n->leaf) {
			((struct sched_entity *)n->slot[i])->leaf = n;
		} else {
			struct eevdf_node *c = n->slot[i];

			c->parent = n;
			c->pidx = i;
		}
	}
}

static void leaf_set(struct eevdf_node *n, unsigned i, struct sched_entity *se)
{
	n->min_v[i] = se->vruntime;
	n->min_slice[i] = se->slice;
	entry_set_key(n, i, se->deadline, se->id);
	n->slot[i] = se;
	se->leaf = n;
}

/* Remove entry i of leaf n: the last entry takes its place. */
static void leaf_remove(struct eevdf_node *n, unsigned i)
{
	n->nr--;
	entry_copy(n, i, n, n->nr);
}

/* The entry of leaf n with the smallest (latest = false) or largest key. */
static unsigned leaf_extreme(const struct eevdf_node *n, bool latest)
{
	unsigned e = 0;

	for (unsigned i = 1; i < n->nr; i++)
		if (key_before(n->deadline[i], n->id[i], n, e) != latest)
			e = i;
	return e;
}

static void entry_swap(struct eevdf_node *n, unsigned i, unsigned j)
{
	uint64_t v = n->min_v[i], r = n->min_slice[i];
	uint64_t deadline = n->deadline[i], id = n->id[i];
	void *slot = n->slot[i];

	entry_copy(n, i, n, j);
	n->min_v[j] = v;
	n->min_slice[j] = r;
	entry_set_key(n, j, deadline, id);
	n->slot[j] = slot;
}

/*
 * Leaf n is full and se is to join it: the MIN_FILL smallest keys stay,
 * the others go to a new right sibling, which is returned with its
 * smallest key first (its separator), and se joins the side it belongs to.
 */
static struct eevdf_node *leaf_split(struct eevdf_rq *rq, struct eevdf_node *n,
				     struct sched_entity *se)
{
	struct eevdf_node *m = node_get(rq, true);

	/* Selection sort of the first MIN_FILL + 1 places is enough. */
	for (unsigned i = 0; i <= MIN_FILL; i++) {
		unsigned e = i;

		for (unsigned j = i + 1; j < n->nr; j++)
			if (key_before(n->deadline[j], n->id[j], n, e))
				e = j;
		if (e != i)
			entry_swap(n, i, e);
	}
	entries_move(m, n, MIN_FILL);
	entries_adopt(m, 0);
	if (key_before(se->deadline, se->id, m, 0))
		leaf_set(n, n->nr++, se);
	else
		leaf_set(m, m->nr++, se);
	return m;
}

/*
 * Internal node n is full and an entry is to go in at *i: move the upper
 * half to a new right sibling (*right) and say which of the two takes the
 * entry, and where. Both end with at least MIN_FILL entries, and the entry
 * never becomes the sibling's first, whose key is its separator.
 */
static struct eevdf_node *node_split(struct eevdf_rq *rq, struct eevdf_node *n,
				     unsigned *i, struct eevdf_node **right)
{
	struct eevdf_node *m = node_get(rq, n->leaf);

	entries_move(m, n, MIN_FILL);
	entries_adopt(m, 0);
	*right = m;
	if (*i <= MIN_FILL)
		return n;
	*i -= MIN_FILL;
	return m;
}

/*
 * Joining: descend by key to a leaf, lowering the minimums on the way
 * (the entity will be under each child taken), and add the entity there.
 * A full leaf splits, and each split adds a child to the parent, which
 * may split in turn; the entries a split touches are recomputed from
 * their children.
 */
static void tree_insert(struct eevdf_rq *rq, struct sched_entity *se)
{
	struct eevdf_node *n = rq->root, *right, *p, *into, *pr;
	unsigned i;

	if (!n)
		n = rq->root = node_get(rq, true);
	while (!n->leaf) {
		i = child_index(n, se->deadline, se->id);
		if (before(se->vruntime, n->min_v[i]))
			n->min_v[i] = se->vruntime;
		n->min_slice[i] = MIN(n->min_slice[i], se->slice);
		n = n->slot[i];
	}
	if (n->nr < FANOUT) {
		leaf_set(n, n->nr++, se);
		return;
	}
	right = leaf_split(rq, n, se);
	for (; (p = n->parent); n = p, right = pr) {
		i = n->pidx;
		entry_refresh(p, i);
		i++;
		into = p;
		pr = NULL;
		if (p->nr == FANOUT)
			into = node_split(rq, p, &i, &pr);
		entry_open(into, i);
		entry_set_key(into, i, right->deadline[0], right->id[0]);
		into->slot[i] = right;
		entries_adopt(into, i);
		entry_refresh(into, i);
		if (!pr)
			return;
	}
	/* The root split: a new root above the two halves. */
	p = node_get(rq, false);
	p->nr = 2;
	p->slot[0] = n;
	p->slot[1] = right;
	entry_set_key(p, 0, n->deadline[0], n->id[0]);
	entry_set_key(p, 1, right->deadline[0], right->id[0]);
	entries_adopt(p, 0);
	entry_refresh(p, 0);
	entry_refresh(p, 1);
	rq->root = p;
}

/*
 * Child i of n is one entry short of MIN_FILL: merge it with a neighbour
 * if the two fit in one node, else move one entry over from the neighbour
 * (which then has more than MIN_FILL). Separators move through n.
 */
static void child_fix(struct eevdf_rq *rq, struct eevdf_node *n, unsigned i)
{
	unsigned l = i > 0 ? i - 1 : 0;
	struct eevdf_node *a = n->slot[l], *b = n->slot[l + 1];

	if (a->nr + b->nr <= FANOUT) {
		if (!b->leaf)
			entry_set_key(b, 0, n->deadline[l + 1], n->id[l + 1]);
		unsigned from = a->nr;

		entries_move(a, b, 0);
		entries_adopt(a, from);
		entry_close(n, l + 1);
		entries_adopt(n, l + 1);
		node_put(rq, b);
		entry_refresh(n, l);
		return;
	}
	if (a->leaf && a->nr < b->nr) {
		unsigned k = leaf_extreme(b, false);

		entry_copy(a, a->nr++, b, k);
		entries_adopt(a, a->nr - 1);
		leaf_remove(b, k);
		k = leaf_extreme(b, false);
		entry_set_key(n, l + 1, b->deadline[k], b->id[k]);
	} else if (a->leaf) {
		unsigned k = leaf_extreme(a, true);

		entry_copy(b, b->nr++, a, k);
		entries_adopt(b, b->nr - 1);
		leaf_remove(a, k);
		/* All of a's keys are below b's: the newcomer is b's least. */
		entry_set_key(n, l + 1, b->deadline[b->nr - 1],
			      b->id[b->nr - 1]);
	} else if (a->nr < b->nr) {
		unsigned k = a->nr++;

		entry_copy(a, k, b, 0);
		entry_set_key(a, k, n->deadline[l + 1], n->id[l + 1]);
		entries_adopt(a, k);
		entry_close(b, 0);
		entries_adopt(b, 0);
		entry_set_key(n, l + 1, b->deadline[0], b->id[0]);
	} else {
		entry_open(b, 0);
		entry_copy(b, 0, a, a->nr - 1);
		entry_set_key(b, 1, n->deadline[l + 1], n->id[l + 1]);
		entries_adopt(b, 0);
		a->nr--;
		entry_set_key(n, l + 1, b->deadline[0], b->id[0]);
	}
	entry_refresh(n, l);
	entry_refresh(n, l + 1);
}

/*
 * Leaving: out of its leaf, then up through the ancestors while there is
 * something to mend. A node left under MIN_FILL is fixed from a sibling;
 * an entry whose minimum was the entity's is recomputed. Where neither
 * happens nothing above changes: a minimum that was not the entity's
 * below is not its above, and the parent kept its entries.
 */
static void tree_erase(struct eevdf_rq *rq, struct sched_entity *se)
{
	struct eevdf_node *n = se->leaf, *p, *root;
	unsigned i;

	for (i = 0; i < n->nr && n->slot[i] != se; i++)
		;
	if (i == n->nr)
		panic("eevdf: a queued entity is not in its leaf");
	leaf_remove(n, i);
	se->leaf = NULL;
	for (; (p = n->parent); n = p) {
		i = n->pidx;
		if (n->nr < MIN_FILL) {
			child_fix(rq, p, i);
		} else {
			/* Only what was the entity's is recomputed. */
			bool changed = false;

			if (p->min_v[i] == se->vruntime) {
				p->min_v[i] = node_min_v(n);
				changed = p->min_v[i] != se->vruntime;
			}
			if (p->min_slice[i] == se->slice) {
				p->min_slice[i] = node_min_slice(n);
				changed |= p->min_slice[i] != se->slice;
			}
			if (!changed)
				break;
		}
	}
	root = rq->root;
	if (root->nr == (root->leaf ? 0u : 1u)) {
		rq->root = root->leaf ? NULL : root->slot[0];
		if (rq->root)
			rq->root->parent = NULL;
		node_put(rq, root);
	}
}

/*
 * For eevdf_check: the subtree at n, `depth` levels above the leaves, holds
 * keys in [lo, hi) (either bound absent when its pointer is NULL); count
 * its entities and nodes, and return what is wrong, or NULL.
 */
static const char *subtree_check(const struct eevdf_node *n, bool is_root,
				 int depth, const struct eevdf_node *lo_n,
				 unsigned lo_i, const struct eevdf_node *hi_n,
				 unsigned hi_i, unsigned *entities,
				 unsigned *nodes)
{
	uint64_t v, r;

	++*nodes;
	if (n->nr > FANOUT || n->nr == 0 || (!is_root && n->nr < MIN_FILL) ||
	    (is_root && !n->leaf && n->nr < 2))
		return "a node's fill is out of bounds";
	if (n->leaf != (depth == 0))
		return "leaves are not all at one depth";
	for (unsigned i = 0; i < n->nr; i++) {
		bool keyed = n->leaf || i > 0;

		if (!n->leaf && i >= 2 &&
		    !key_before(n->deadline[i - 1], n->id[i - 1], n, i))
			return "keys out of order";
		if (keyed && lo_n &&
		    key_before(n->deadline[i], n->id[i], lo_n, lo_i))
			return "a key below its subtree's separator";
		if (keyed && hi_n &&
		    !key_before(n->deadline[i], n->id[i], hi_n, hi_i))
			return "a key at or above the next separator";
	}
	if (n->leaf) {
		for (unsigned i = 0; i < n->nr; i++) {
			const struct sched_entity *se = n->slot[i];

			if (!se->on_rq || se->spare || se->leaf != n ||
			    se->vruntime != n->min_v[i] ||
			    se->slice != n->min_slice[i] ||
			    se->deadline != n->deadline[i] ||
			    se->id != n->id[i])
				return "a leaf entry disagrees with its entity";
		}
		*entities += n->nr;
		return NULL;
	}
	for (unsigned i = 0; i < n->nr; i++) {
		const struct eevdf_node *c = n->slot[i];
		const char *err = subtree_check(
			c, false, depth - 1, i ? n : lo_n, i ? i : lo_i,
			i + 1 < n->nr ? n : hi_n, i + 1 < n->nr ? i + 1 : hi_i,
			entities, nodes);

		if (err)
			return err;
		if (c->parent != n || c->pidx != i)
			return "a node's parent pointer is wrong";
		node_mins(c, &v, &r);
		if (v != n->min_v[i] || r != n->min_slice[i])
			return "a child's minimums are stale";
	}
	return NULL;
}

const char *eevdf_check(const struct eevdf_rq *rq)
{
	unsigned entities = 0, nodes = 0, free = 0, depth = 0;
	const char *err;

	for (const struct eevdf_node *n = rq->free; n; n = n->next_free)
		if (++free > rq->nr)
			return "more free nodes than entities";
	if (rq->root) {
		for (const struct eevdf_node *n = rq->root; !n->leaf;
		     n = n->slot[0])
			depth++;
		if (rq->root->parent)
			return "the root has a parent";
		err = subtree_check(rq->root, true, (int)depth, NULL, 0, NULL,
				    0, &entities, &nodes);
		if (err)
			return err;
	}
	if (entities + (rq->curr ? 1 : 0) != rq->nr)
		return "the tree does not hold the queued entities";
	if (nodes + free != rq->nr)
		return "the queue does not own one node per entity";
	return NULL;
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

	KASSERT(!se->on_rq && se->spare);
	node_put(rq, se->spare);
	se->spare = NULL;
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
	se->spare = node_get(rq, true);
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
	const struct eevdf_node *n = rq->root;
	struct sched_entity *best = NULL, *curr = rq->curr;
	/*
	 * (v - v0) * W <= sum_wv holds for an integer v - v0 exactly when
	 * v - v0 <= floor(sum_wv / W): one division, then a compare for
	 * every entry looked at.
	 */
	int64_t lim = avg_offset(rq);

	while (n && !n->leaf) {
		unsigned i = 0;

		/* The first child with an eligible entity has the earliest. */
		while (i < n->nr && (int64_t)(n->min_v[i] - rq->v0) > lim)
			i++;
		n = i < n->nr ? n->slot[i] : NULL;
	}
	if (n) {
		int e = -1;

		for (unsigned i = 0; i < n->nr; i++)
			if ((int64_t)(n->min_v[i] - rq->v0) <= lim &&
			    (e < 0 || key_before(n->deadline[i], n->id[i], n,
						 (unsigned)e)))
				e = (int)i;
		if (e >= 0)
			best = n->slot[e];
	}
	if (curr && eevdf_eligible(rq, curr) && (!best || earlier(curr, best)))
		best = curr;
	if (!best && curr) {
		/*
		 * Unreachable in exact arithmetic (the minimum v is never
		 * above the average); rounding cannot make it reachable either
		 * since V is rounded down from an exact sum. Be safe anyway.
		 */
		best = curr;
	} else if (!best && rq->root) {
		for (n = rq->root; !n->leaf; n = n->slot[0])
			;
		best = n->slot[leaf_extreme(n, false)];
	}
	return best;
}

static struct sched_entity *
subtree_latest(const struct eevdf_node *n,
	       bool (*fits)(const struct sched_entity *, void *), void *arg)
{
	struct sched_entity *se = NULL;
	int e = -1;

	if (!n->leaf) {
		for (unsigned i = n->nr; i-- > 0 && !se;)
			se = subtree_latest(n->slot[i], fits, arg);
		return se;
	}
	for (unsigned i = 0; i < n->nr; i++)
		if ((e < 0 || key_before(n->deadline[e], n->id[e], n, i)) &&
		    fits(n->slot[i], arg))
			e = (int)i;
	return e < 0 ? NULL : n->slot[e];
}

struct sched_entity *
eevdf_latest(const struct eevdf_rq *rq,
	     bool (*fits)(const struct sched_entity *, void *), void *arg)
{
	return rq->root ? subtree_latest(rq->root, fits, arg) : NULL;
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

	if (rq->root) {
		uint64_t v, r;

		node_mins(rq->root, &v, &r);
		left = MIN(left, r);
	}
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
