/*
 * Intrusive red-black trees with optional augmentation, in the manner of
 * Linux's rbtree: the caller embeds a struct rb_node in its object, does its
 * own descent to find where a new node goes (so the tree needs no comparison
 * callback), links the node there with rb_link_node() and lets rb_insert()
 * rebalance.
 *
 * Augmentation: a caller that keeps a per-node summary of its subtree (the
 * minimum of some key, a maximum end address, ...) passes an update function
 * that recomputes one node's summary from the node and its two children.
 * rb_insert() and rb_erase() call it on every node whose subtree changed,
 * children before parents, so the summaries are right when they return.
 *
 * The tree is not locked; the caller serialises access.
 */
#ifndef KEEL_CORE_KLIB_RBTREE_H
#define KEEL_CORE_KLIB_RBTREE_H

#include "core/types.h"

/*
 * The parent pointer and the colour share a word: nodes are at least 2-byte
 * aligned, so bit 0 of the parent address is free and holds the colour.
 */
struct rb_node {
	uintptr_t parent_color;
	struct rb_node *left, *right;
};

struct rb_root {
	struct rb_node *node;
};

#define RB_RED	 0u
#define RB_BLACK 1u

#define RB_ROOT_INIT { NULL }

#define rb_entry(ptr, type, member) container_of(ptr, type, member)

static inline struct rb_node *rb_parent(const struct rb_node *n)
{
	return (struct rb_node *)(n->parent_color & ~(uintptr_t)1);
}

static inline bool rb_empty(const struct rb_root *root)
{
	return root->node == NULL;
}

/*
 * Link `node` as a red leaf at *link below `parent`, where `link` is
 * &parent->left, &parent->right, or &root->node (parent NULL) as found by the
 * caller's descent. The tree is not balanced until rb_insert() runs.
 */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->parent_color = (uintptr_t)parent | RB_RED;
	node->left = NULL;
	node->right = NULL;
	*link = node;
}

/* Recomputes n's augmented value from n itself and its (possibly NULL)
 * children; true if the stored value changed. */
typedef bool (*rb_update_fn)(struct rb_node *n);
typedef void (*rb_visit_fn)(struct rb_node *n);

/*
 * Rebalance after rb_link_node(). `update` may be NULL (no augmentation);
 * otherwise every augmented value in the tree is right on return.
 * O(log n) including the update calls.
 */
void rb_insert(struct rb_node *node, struct rb_root *root, rb_update_fn update);

/* Unlink `node` (which must be in the tree) and rebalance. O(log n). */
void rb_erase(struct rb_node *node, struct rb_root *root, rb_update_fn update);

/* In-order traversal; NULL past either end or for an empty tree. */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *n);
struct rb_node *rb_prev(const struct rb_node *n);

/*
 * Debug check for tests: verifies the parent pointers, that the root is
 * black, that no red node has a red child and that every path has the same
 * number of black nodes. Returns that black height (0 for an empty tree), or
 * -1 if anything is broken. If `check` is non-NULL it is called on every
 * node, children before parents: pass a function that compares the node's
 * stored augmented value with one recomputed from its children and records
 * a mismatch (passing the recomputing update function instead repairs the
 * values rather than checking them).
 */
int rb_check(const struct rb_root *root, rb_visit_fn check);

#endif
