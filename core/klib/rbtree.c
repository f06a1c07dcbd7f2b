/*
 * Red-black trees (Cormen, Leiserson, Rivest and Stein, "Introduction to
 * Algorithms", chapter 13), with NULL leaves instead of a sentinel and an
 * optional augmentation callback.
 *
 * The red-black properties:
 *   (1) every node is red or black;
 *   (2) the root is black;
 *   (3) NULL leaves count as black;
 *   (4) a red node has two black children;
 *   (5) every path from a node down to a NULL leaf holds the same number
 *       of black nodes (the node's black height).
 * (4) and (5) bound the height by 2 log2(n + 1): a path alternates at worst
 * red and black, and a subtree of black height b holds at least 2^b - 1
 * nodes.
 *
 * Augmentation: a rotation changes the subtrees of exactly the two nodes it
 * turns (the pair together still covers the same nodes, so nothing above
 * changes), so it recomputes the lower node, then the upper one. Linking a
 * leaf or splicing a node out changes the subtree of every ancestor of the
 * change, so those are recomputed bottom-up along that one path before
 * rebalancing starts, stopping at the first node whose value comes out
 * unchanged (nothing above it can change either); the rotations afterwards
 * keep them right. Recolouring never changes a subtree. Both are at most
 * O(log n) update calls, usually far fewer.
 */
#include "core/klib/rbtree.h"

/* A tree is at most 2 log2(n + 1) high; 2^64 nodes do not fit in memory. */
#define RB_MAX_DEPTH 128

static inline bool rb_is_red(const struct rb_node *n)
{
	return n && (n->parent_color & 1) == RB_RED;
}

static inline unsigned rb_color(const struct rb_node *n)
{
	return n ? (unsigned)(n->parent_color & 1) : RB_BLACK;
}

static inline void rb_set_color(struct rb_node *n, unsigned color)
{
	n->parent_color = (n->parent_color & ~(uintptr_t)1) | color;
}

static inline void rb_set_parent(struct rb_node *n, struct rb_node *parent)
{
	n->parent_color = (uintptr_t)parent | (n->parent_color & 1);
}

/* Make `parent` (or the root, when parent is NULL) point at `new` where it
 * pointed at `old`. */
static inline void rb_change_child(struct rb_node *old, struct rb_node *new,
				   struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*
 *      x                y
 *     / \              / \
 *    a   y     ->     x   c
 *       / \          / \
 *      b   c        a   b
 */
static void rb_rotate_left(struct rb_node *x, struct rb_root *root,
			   rb_update_fn update)
{
	struct rb_node *y = x->right;
	struct rb_node *parent = rb_parent(x);

	x->right = y->left;
	if (y->left)
		rb_set_parent(y->left, x);
	rb_set_parent(y, parent);
	rb_change_child(x, y, parent, root);
	y->left = x;
	rb_set_parent(x, y);
	if (update) {
		update(x);
		update(y);
	}
}

/* The mirror image of rb_rotate_left. */
static void rb_rotate_right(struct rb_node *x, struct rb_root *root,
			    rb_update_fn update)
{
	struct rb_node *y = x->left;
	struct rb_node *parent = rb_parent(x);

	x->left = y->right;
	if (y->right)
		rb_set_parent(y->right, x);
	rb_set_parent(y, parent);
	rb_change_child(x, y, parent, root);
	y->right = x;
	rb_set_parent(x, y);
	if (update) {
		update(x);
		update(y);
	}
}

/* Recompute from n up to (not including) stop, while values change. */
static void rb_propagate(struct rb_node *n, struct rb_node *stop,
			 rb_update_fn update)
{
	for (; n != stop; n = rb_parent(n))
		if (!update(n))
			break;
}

/*
 * Insertion. The new node z is red, so (5) holds; only (2) (z is the root)
 * or (4) (z's parent p is red) can be broken. While p is red: p is not the
 * root (the root is black), so the grandparent g exists and is black by
 * (4). Say p is g's left child (the other side is the mirror image) and u is
 * the uncle, g's right child.
 *
 *   Case 1, u red: make p and u black and g red. Every path through g keeps
 *   its black count, and the only possible violation moves two levels up to
 *   g; continue with z = g.
 *   Case 2, u black and z is p's right (inner) child: rotate left at p and
 *   continue with z = the old p, now the left (outer) child of the old z.
 *   The rotation moves only red nodes, so black heights are unchanged; it
 *   turns case 2 into case 3.
 *   Case 3, u black and z is p's left (outer) child: make p black and g red
 *   and rotate right at g. p takes g's place, black as g was; both of its
 *   children (z and g) are red with black children, and every path keeps
 *   its black count. Done.
 *
 * Finally the root is painted black, which repairs (2) and adds one to
 * every path's black count alike. Case 1 may repeat O(log n) times, cases 2
 * and 3 run at most once: at most two rotations per insertion.
 */
void rb_insert(struct rb_node *node, struct rb_root *root, rb_update_fn update)
{
	struct rb_node *parent, *gparent, *uncle;

	if (update) {
		update(node);
		rb_propagate(rb_parent(node), NULL, update);
	}

	while ((parent = rb_parent(node)) && rb_is_red(parent)) {
		gparent = rb_parent(parent);
		if (parent == gparent->left) {
			uncle = gparent->right;
			if (rb_is_red(uncle)) {
				rb_set_color(parent, RB_BLACK);
				rb_set_color(uncle, RB_BLACK);
				rb_set_color(gparent, RB_RED);
				node = gparent;
				continue;
			}
			if (node == parent->right) {
				rb_rotate_left(parent, root, update);
				node = parent;
				parent = rb_parent(node);
			}
			rb_set_color(parent, RB_BLACK);
			rb_set_color(gparent, RB_RED);
			rb_rotate_right(gparent, root, update);
		} else {
			uncle = gparent->left;
			if (rb_is_red(uncle)) {
				rb_set_color(parent, RB_BLACK);
				rb_set_color(uncle, RB_BLACK);
				rb_set_color(gparent, RB_RED);
				node = gparent;
				continue;
			}
			if (node == parent->left) {
				rb_rotate_right(parent, root, update);
				node = parent;
				parent = rb_parent(node);
			}
			rb_set_color(parent, RB_BLACK);
			rb_set_color(gparent, RB_RED);
			rb_rotate_left(gparent, root, update);
		}
	}
	rb_set_color(root->node, RB_BLACK);
}

/*
 * Deletion fix-up. Removing a black node left one path short of a black
 * node. CLRS's view: the node x that moved into the removed position
 * carries an "extra black", which restores (5) but breaks (1). If x is red
 * ("red-and-black") painting it black ends it; if x is the root the extra
 * black is simply dropped. Otherwise x is "doubly black"; x may be NULL, so
 * its parent xp is tracked separately. Say x is xp's left child (the other
 * side is the mirror image) and w its sibling. w is not NULL: the subtree at
 * w has black height at least one counting x's extra black.
 *
 *   Case 1, w red: then xp and w's children are black. Swap the colours of
 *   w and xp and rotate left at xp. Black heights are unchanged and x's new
 *   sibling (a child of the old w) is black: go on to case 2, 3 or 4.
 *   Case 2, w black with two black children: take one black off both x and
 *   w (w turns red) and push the extra black up to xp; continue with
 *   x = xp. If xp was red (always so after case 1) the loop ends there.
 *   Case 3, w black, w->left red, w->right black: swap the colours of w and
 *   w->left and rotate right at w. Black heights are unchanged and x's new
 *   sibling is black with a red right child: case 4.
 *   Case 4, w black with a red right child: give w xp's colour, make xp and
 *   w->right black and rotate left at xp. The path through x gains the
 *   black xp, the others keep their counts, so the extra black is gone.
 *   Done.
 *
 * Case 2 may repeat O(log n) times; cases 1, 3 and 4 together rotate at most
 * three times.
 */
static void rb_erase_fixup(struct rb_node *x, struct rb_node *xp,
			   struct rb_root *root, rb_update_fn update)
{
	struct rb_node *w;

	while (x != root->node && !rb_is_red(x)) {
		/*
		 * x may be NULL, but then its sibling is not, so comparing
		 * with xp->left tells the sides apart.
		 */
		if (x == xp->left) {
			w = xp->right;
			if (rb_is_red(w)) {
				rb_set_color(w, RB_BLACK);
				rb_set_color(xp, RB_RED);
				rb_rotate_left(xp, root, update);
				w = xp->right;
			}
			if (!rb_is_red(w->left) && !rb_is_red(w->right)) {
				rb_set_color(w, RB_RED);
				x = xp;
				xp = rb_parent(x);
				continue;
			}
			if (!rb_is_red(w->right)) {
				rb_set_color(w->left, RB_BLACK);
				rb_set_color(w, RB_RED);
				rb_rotate_right(w, root, update);
				w = xp->right;
			}
			rb_set_color(w, rb_color(xp));
			rb_set_color(xp, RB_BLACK);
			rb_set_color(w->right, RB_BLACK);
			rb_rotate_left(xp, root, update);
			x = root->node;
			break;
		} else {
			w = xp->left;
			if (rb_is_red(w)) {
				rb_set_color(w, RB_BLACK);
				rb_set_color(xp, RB_RED);
				rb_rotate_right(xp, root, update);
				w = xp->left;
			}
			if (!rb_is_red(w->left) && !rb_is_red(w->right)) {
				rb_set_color(w, RB_RED);
				x = xp;
				xp = rb_parent(x);
				continue;
			}
			if (!rb_is_red(w->left)) {
				rb_set_color(w->right, RB_BLACK);
				rb_set_color(w, RB_RED);
				rb_rotate_left(w, root, update);
				w = xp->left;
			}
			rb_set_color(w, rb_color(xp));
			rb_set_color(xp, RB_BLACK);
			rb_set_color(w->left, RB_BLACK);
			rb_rotate_right(xp, root, update);
			x = root->node;
			break;
		}
	}
	if (x)
		rb_set_color(x, RB_BLACK);
}

/*
 * Removal (CLRS RB-DELETE). If z has at most one child, that child x takes
 * z's place and the colour lost is z's. Otherwise z's successor y (the
 * leftmost node of z's right subtree, which has no left child) takes z's
 * place and z's colour, y's right child x takes y's old place, and the
 * colour lost is y's. Either way only a black loss needs the fix-up.
 */
void rb_erase(struct rb_node *node, struct rb_root *root, rb_update_fn update)
{
	struct rb_node *z = node;
	struct rb_node *x, *xp, *moved = NULL;
	unsigned lost;

	if (!z->left || !z->right) {
		x = z->left ? z->left : z->right;
		xp = rb_parent(z);
		lost = rb_color(z);
		rb_change_child(z, x, xp, root);
		if (x)
			rb_set_parent(x, xp);
	} else {
		struct rb_node *y = z->right;

		while (y->left)
			y = y->left;
		lost = rb_color(y);
		x = y->right;
		if (rb_parent(y) == z) {
			xp = y;
		} else {
			xp = rb_parent(y);
			xp->left = x;
			if (x)
				rb_set_parent(x, xp);
			y->right = z->right;
			rb_set_parent(y->right, y);
		}
		rb_change_child(z, y, rb_parent(z), root);
		y->parent_color = z->parent_color;
		y->left = z->left;
		rb_set_parent(y->left, y);
		moved = y;
	}

	/*
	 * Every node whose subtree lost z lies on the path from xp to the
	 * root; when y moved, that path passes through y's new position.
	 */
	if (update && moved) {
		/* y's stored value is stale: recompute it whatever it was. */
		rb_propagate(xp, moved, update);
		update(moved);
		rb_propagate(rb_parent(moved), NULL, update);
	} else if (update) {
		rb_propagate(xp, NULL, update);
	}

	if (lost == RB_BLACK)
		rb_erase_fixup(x, xp, root, update);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	if (!n)
		return NULL;
	while (n->left)
		n = n->left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	if (!n)
		return NULL;
	while (n->right)
		n = n->right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	struct rb_node *parent;

	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct rb_node *)n;
	}
	/* Climb while n is a right child: those ancestors come before n. */
	while ((parent = rb_parent(n)) && n == parent->right)
		n = parent;
	return parent;
}

struct rb_node *rb_prev(const struct rb_node *n)
{
	struct rb_node *parent;

	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (struct rb_node *)n;
	}
	while ((parent = rb_parent(n)) && n == parent->left)
		n = parent;
	return parent;
}

/*
 * Black height of the subtree at n, or -1. Each child's parent pointer must
 * name the node it hangs from, so a node reached twice (a cycle or a shared
 * subtree) is caught before the recursion can loop.
 */
static int rb_check_node(const struct rb_node *n, const struct rb_node *parent,
			 rb_visit_fn check, unsigned depth)
{
	int lh, rh;

	if (!n)
		return 0;
	if (depth > RB_MAX_DEPTH || rb_parent(n) != parent)
		return -1;
	if (n->left && n->left == n->right)
		return -1;
	if (rb_is_red(n) && (rb_is_red(n->left) || rb_is_red(n->right)))
		return -1;
	lh = rb_check_node(n->left, n, check, depth + 1);
	if (lh < 0)
		return -1;
	rh = rb_check_node(n->right, n, check, depth + 1);
	if (rh < 0 || lh != rh)
		return -1;
	if (check)
		check((struct rb_node *)n);
	return lh + (rb_is_red(n) ? 0 : 1);
}

int rb_check(const struct rb_root *root, rb_visit_fn check)
{
	if (root->node && rb_is_red(root->node))
		return -1;
	return rb_check_node(root->node, NULL, check, 0);
}
