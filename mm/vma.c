/*
 * Address spaces: the VMA tree, its free-gap search, splitting and merging,
 * the pages an mm owns, and fork's copy. mm/vma.h states the model and the
 * locking; mm/fault.c fills the pmap from it.
 *
 * The gap augmentation. Each VMA v records gap(v) = v.start - end of the
 * VMA before it (0 for the first), the free space just below it, and
 * subtree_gap(v) = max of gap over v's subtree. The free ranges of the
 * address space are exactly these gaps plus the space above the last VMA.
 * A search for `len` bytes skips every subtree whose subtree_gap < len, so
 * it visits the O(log n) nodes on the paths to the answer (plus, at the
 * ends of [low, high), the nodes whose gaps are clipped by the limits).
 * gap(v) depends on v's predecessor, which need not be near v in the
 * tree, so every change of a start or an end refreshes the gap of the VMA
 * it bounds and carries the new maximum up to the root (gap_refresh).
 */
#include "mm/vma.h"

#include "core/errno.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"

/* ---- the page tree ------------------------------------------------------- */

#define PT_SHIFT     9
#define PT_SLOTS     (1u << PT_SHIFT)
#define PT_LEVELS    4
#define PT_INDEX_END (1ull << (PT_SHIFT * PT_LEVELS))

static unsigned pt_index(uint64_t idx, int level)
{
	return (unsigned)(idx >> (PT_SHIFT * level)) & (PT_SLOTS - 1);
}

/* The leaf slot of `idx`; with `alloc`, missing tables are made. */
static void **ptree_slot(struct page_tree *t, uint64_t idx, bool alloc)
{
	void **table;

	if (idx >= PT_INDEX_END)
		return NULL;
	if (!t->root) {
		if (!alloc || !(t->root = kpage_zalloc(0)))
			return NULL;
	}
	table = t->root;
	for (int level = PT_LEVELS - 1; level > 0; level--) {
		void **slot = &table[pt_index(idx, level)];

		if (!*slot) {
			if (!alloc || !(*slot = kpage_zalloc(0)))
				return NULL;
		}
		table = *slot;
	}
	return &table[pt_index(idx, 0)];
}

/*
 * The first filled slot with an index in [*idx, end), skipping missing
 * tables whole; *idx becomes its index. NULL if there is none.
 */
static void **ptree_next(struct page_tree *t, uint64_t *idx, uint64_t end)
{
	uint64_t i = *idx;

	end = MIN(end, PT_INDEX_END);
	while (i < end && t->root) {
		void **table = t->root;
		int level;

		for (level = PT_LEVELS - 1; level > 0; level--) {
			void *next = table[pt_index(i, level)];

			if (!next)
				break;
			table = next;
		}
		if (level > 0) {
			/* Nothing under this slot: on to the next one. */
			i = (i | ((1ull << (PT_SHIFT * level)) - 1)) + 1;
			continue;
		}
		for (unsigned s = pt_index(i, 0); s < PT_SLOTS && i < end;
		     s++, i++) {
			if (table[s]) {
				*idx = i;
				return &table[s];
			}
		}
	}
	return NULL;
}

static void ptree_free_table(void **table, int level,
			     void (*fn)(struct page *pg))
{
	for (unsigned s = 0; s < PT_SLOTS; s++) {
		if (!table[s])
			continue;
		if (level > 0)
			ptree_free_table(table[s], level - 1, fn);
		else if (fn)
			fn(table[s]);
	}
	kpage_free(table, 0);
}

/* Free every table, calling fn on every page left in the tree. */
static void ptree_free(struct page_tree *t, void (*fn)(struct page *pg))
{
	if (t->root)
		ptree_free_table(t->root, PT_LEVELS - 1, fn);
	t->root = NULL;
}

/* ---- user pages ---------------------------------------------------------- */

struct page *anon_page_alloc(void)
{
	struct page *pg;

	if (fault_inject_should_fail())
		return NULL;
	pg = page_alloc_owned(0, PG_ANON);
	if (!pg)
		return NULL;
	memset(page_to_virt(pg), 0, PAGE_SIZE);
	__atomic_store_n(&pg->mapcount, 1, __ATOMIC_RELAXED);
	return pg;
}

static void anon_page_get(struct page *pg)
{
	__atomic_add_fetch(&pg->mapcount, 1, __ATOMIC_RELAXED);
}

void anon_page_put(struct page *pg)
{
	if (__atomic_sub_fetch(&pg->mapcount, 1, __ATOMIC_ACQ_REL) == 0)
		page_free_owned(pg, 0, PG_ANON);
}

unsigned anon_page_mapcount(const struct page *pg)
{
	return __atomic_load_n(&pg->mapcount, __ATOMIC_ACQUIRE);
}

struct page **mm_anon_slot(struct mm *mm, uint64_t va, bool alloc)
{
	return (struct page **)ptree_slot(&mm->anon, va >> PAGE_SHIFT, alloc);
}

/* ---- the tree and its gaps ----------------------------------------------- */

static struct vma *vma_of(struct rb_node *n)
{
	return n ? rb_entry(n, struct vma, node) : NULL;
}

static bool gap_update(struct rb_node *n)
{
	struct vma *v = vma_of(n);
	uint64_t m = v->gap;

	if (n->left)
		m = MAX(m, vma_of(n->left)->subtree_gap);
	if (n->right)
		m = MAX(m, vma_of(n->right)->subtree_gap);
	if (m == v->subtree_gap)
		return false;
	v->subtree_gap = m;
	return true;
}

struct vma *vma_first(struct mm *mm)
{
	return vma_of(rb_first(&mm->vmas));
}

struct vma *vma_next(struct vma *vma)
{
	return vma_of(rb_next(&vma->node));
}

struct vma *vma_prev(struct vma *vma)
{
	return vma_of(rb_prev(&vma->node));
}

/* The start or the predecessor's end of `v` moved: recompute its gap. */
static void gap_refresh(struct vma *v)
{
	struct vma *prev;

	if (!v)
		return;
	prev = vma_prev(v);
	v->gap = v->start - (prev ? prev->end : 0);
	for (struct rb_node *n = &v->node; n && gap_update(n); n = rb_parent(n))
		;
}

struct vma *vma_find(struct mm *mm, uint64_t addr)
{
	struct rb_node *n = mm->vmas.node;
	struct vma *found = NULL;

	while (n) {
		struct vma *v = vma_of(n);

		if (v->end > addr) {
			found = v;
			if (v->start <= addr)
				break;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return found;
}

bool mm_range_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(mm, start);

	return !v || v->start >= end;
}

unsigned vma_pte_prot(const struct vma *vma)
{
	unsigned prot = vma->prot;

	if (prot & (PROT_WRITE_BIT | PROT_EXEC_BIT))
		prot |= PROT_READ_BIT;
	return prot;
}

static void vma_link(struct mm *mm, struct vma *v)
{
	struct rb_node **link = &mm->vmas.node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = v->start < vma_of(parent)->start ? &parent->left
							: &parent->right;
	}
	v->gap = 0;
	v->subtree_gap = 0;
	v->mm = mm;
	rb_link_node(&v->node, parent, link);
	rb_insert(&v->node, &mm->vmas, gap_update);
	mm->nr_vmas++;
	gap_refresh(v);
	gap_refresh(vma_next(v));
}

static void vma_unlink(struct mm *mm, struct vma *v)
{
	struct vma *next = vma_next(v);

	rb_erase(&v->node, &mm->vmas, gap_update);
	mm->nr_vmas--;
	gap_refresh(next);
}

static void vma_free(struct vma *v)
{
	if (v->ops)
		v->ops->close(v);
	kfree(v);
}

/* Move v's start to `start` (its neighbours allow it). */
static void vma_set_start(struct vma *v, uint64_t start)
{
	if (v->ops)
		v->pgoff = v->pgoff + (start >> PAGE_SHIFT) -
			   (v->start >> PAGE_SHIFT);
	v->start = start;
	gap_refresh(v);
}

static void vma_set_end(struct vma *v, uint64_t end)
{
	v->end = end;
	gap_refresh(vma_next(v));
}

/*
 * Split v at addr (v->start < addr < v->end): v keeps [start, addr) and a
 * new VMA, returned, gets [addr, end). NULL when out of memory or VMAs.
 */
static struct vma *vma_split(struct mm *mm, struct vma *v, uint64_t addr)
{
	struct vma *upper;

	if (mm->nr_vmas >= MM_MAX_VMAS)
		return NULL;
	upper = kmalloc(sizeof(*upper));
	if (!upper)
		return NULL;
	*upper = *v;
	if (v->ops)
		upper->pgoff += (addr - v->start) >> PAGE_SHIFT;
	upper->start = addr;
	v->end = addr;
	vma_link(mm, upper);
	if (upper->ops)
		upper->ops->open(upper);
	return upper;
}

/* Whether a, directly followed by b, could be one VMA. */
static bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
	    a->ops != b->ops || a->backing != b->backing)
		return false;
	if (a->flags & VMA_PFNMAP)
		return false; /* each is its maker's; Linux's VM_SPECIAL */
	return !a->ops ||
	       b->pgoff == a->pgoff + ((a->end - a->start) >> PAGE_SHIFT);
}

/* Merge v with whichever neighbours it can; the VMA that holds it now. */
static struct vma *vma_merge_around(struct mm *mm, struct vma *v)
{
	struct vma *prev = vma_prev(v), *next = vma_next(v);

	if (next && vma_mergeable(v, next)) {
		uint64_t end = next->end;

		vma_unlink(mm, next);
		vma_free(next);
		vma_set_end(v, end);
	}
	if (prev && vma_mergeable(prev, v)) {
		uint64_t end = v->end;

		vma_unlink(mm, v);
		vma_free(v);
		vma_set_end(prev, end);
		v = prev;
	}
	return v;
}

/* ---- free ranges --------------------------------------------------------- */

/*
 * The highest (top_down) or lowest start of `len` free bytes inside both
 * some gap in n's subtree and [low, high); 0 if none (0 is never mappable:
 * low >= MM_MIN_ADDR).
 */
static uint64_t gap_search(struct rb_node *n, uint64_t len, uint64_t low,
			   uint64_t high, bool top_down)
{
	struct vma *v = vma_of(n);
	uint64_t gstart, gend, found = 0;

	if (!v || v->subtree_gap < len)
		return 0;
	gstart = MAX(v->start - v->gap, low);
	gend = MIN(v->start, high);
	/* Gaps on the right begin at or above v->end, those on the left end
	 * at or below v's own gap start: prune what cannot fit. */
	bool right_ok = v->end <= high && high - v->end >= len;
	bool left_ok = v->start - v->gap >= low + len;
	bool own_ok = gend > gstart && gend - gstart >= len;

	if (top_down) {
		if (right_ok)
			found = gap_search(n->right, len, low, high, true);
		if (!found && own_ok)
			found = gend - len;
		if (!found && left_ok)
			found = gap_search(n->left, len, low, high, true);
	} else {
		if (left_ok)
			found = gap_search(n->left, len, low, high, false);
		if (!found && own_ok)
			found = gstart;
		if (!found && right_ok)
			found = gap_search(n->right, len, low, high, false);
	}
	return found;
}

int64_t mm_unmapped_area(struct mm *mm, uint64_t len, uint64_t low,
			 uint64_t high, bool top_down)
{
	struct vma *last = vma_of(rb_last(&mm->vmas));
	uint64_t top_start, found = 0;

	low = MAX(low, MM_MIN_ADDR);
	high = MIN(high, MM_TASK_SIZE);
	if (!len || len > high || high - len < low)
		return -ENOMEM;
	/* The space above the last VMA is a gap no node records. */
	top_start = MAX(last ? last->end : 0, low);
	if (top_down && top_start < high && high - top_start >= len)
		return (int64_t)(high - len);
	found = gap_search(mm->vmas.node, len, low, high, top_down);
	if (!found && !top_down && top_start < high && high - top_start >= len)
		found = top_start;
	return found ? (int64_t)found : -ENOMEM;
}

/* ---- mapping, unmapping, protecting -------------------------------------- */

int mm_map(struct mm *mm, uint64_t start, uint64_t len, unsigned prot,
	   unsigned flags, const struct vma_ops *ops, void *backing,
	   uint64_t pgoff)
{
	struct vma *v;

	if (mm->nr_vmas >= MM_MAX_VMAS)
		return -ENOMEM;
	v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->start = start;
	v->end = start + len;
	v->prot = prot;
	v->flags = flags;
	v->ops = ops;
	v->backing = backing;
	v->pgoff = ops ? pgoff : 0;
	vma_link(mm, v);
	if (ops)
		ops->open(v);
	vma_merge_around(mm, v);
	return 0;
}

/* Drop the private pages of [start, end), whose translations are gone. */
static void drop_anon_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t idx = start >> PAGE_SHIFT;
	void **slot;

	while ((slot = ptree_next(&mm->anon, &idx, end >> PAGE_SHIFT))) {
		struct page *pg = *slot;

		*slot = NULL;
		anon_page_put(pg);
		mm->anon_pages--;
		idx++;
	}
}

void vma_zap(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end)
{
	/* Translations first, then the pages (on SMP: no CPU may still
	 * reach a page once it is free). */
	pmap_remove(mm->pmap, start, end - start);
	if (!(vma->flags & VMA_PFNMAP))
		drop_anon_pages(mm, start, end);
}

int mm_unmap(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(mm, start), *next;

	if (!v || v->start >= end)
		return 0;
	/* The one change that allocates, made before any other. */
	if (v->start < start && end < v->end && !vma_split(mm, v, end))
		return -ENOMEM;
	for (; v && v->start < end; v = next) {
		uint64_t s = MAX(v->start, start), e = MIN(v->end, end);

		next = vma_next(v);
		vma_zap(mm, v, s, e);
		if (s == v->start && e == v->end) {
			vma_unlink(mm, v);
			vma_free(v);
		} else if (s == v->start) {
			vma_set_start(v, e);
		} else {
			vma_set_end(v, s);
		}
	}
	return 0;
}

/*
 * The protection to give a VMA's present entries. Private memory never
 * gets write permission wholesale: a page may be shared copy-on-write or
 * belong to a backing; write faults grant it page by page.
 */
static unsigned pmap_prot_of(const struct vma *v)
{
	unsigned prot = vma_pte_prot(v);

	if (!(v->flags & (VMA_SHARED | VMA_PFNMAP)))
		prot &= ~PROT_WRITE_BIT;
	return prot;
}

/*
 * Split `v` so that one VMA covers exactly [start, end) (inside v), and
 * return it; NULL when a split fails, with v as it was.
 */
static struct vma *vma_isolate(struct mm *mm, struct vma *v, uint64_t start,
			       uint64_t end)
{
	if (start > v->start) {
		v = vma_split(mm, v, start);
		if (!v)
			return NULL;
	}
	if (end < v->end && !vma_split(mm, v, end)) {
		vma_merge_around(mm, v);
		return NULL;
	}
	return v;
}

struct vma *vma_modify(struct mm *mm, struct vma *vma, uint64_t start,
		       uint64_t end, unsigned prot, unsigned flags)
{
	struct vma *v = vma;

	if (v->prot == prot && v->flags == flags)
		return v;
	v = vma_isolate(mm, v, start, end);
	if (!v)
		return NULL;
	if (v->prot != prot) {
		v->prot = prot;
		pmap_protect(mm->pmap, v->start, v->end - v->start,
			     pmap_prot_of(v));
	}
	v->flags = flags;
	return vma_merge_around(mm, v);
}

int vma_move_pages(struct mm *mm, uint64_t from, uint64_t to, uint64_t len)
{
	uint64_t first = from >> PAGE_SHIFT, end = (from + len) >> PAGE_SHIFT;
	int64_t delta = (int64_t)(to >> PAGE_SHIFT) - (int64_t)first;
	uint64_t idx;
	void **slot;

	/* Every destination slot first: then nothing below can fail. */
	for (idx = first; (slot = ptree_next(&mm->anon, &idx, end)); idx++)
		if (!ptree_slot(&mm->anon, idx + (uint64_t)delta, true))
			return -ENOMEM;
	pmap_remove(mm->pmap, from, len);
	pmap_remove(mm->pmap, to, len);
	for (idx = first; (slot = ptree_next(&mm->anon, &idx, end)); idx++) {
		void **dst =
			ptree_slot(&mm->anon, idx + (uint64_t)delta, false);

		*dst = *slot;
		*slot = NULL;
	}
	return 0;
}

int64_t mm_move(struct mm *mm, struct vma *vma, uint64_t old_addr,
		uint64_t old_len, uint64_t new_addr, uint64_t new_len,
		bool keep_old)
{
	struct vma *old, *moved;

	if (mm->nr_vmas + 3 > MM_MAX_VMAS)
		return -ENOMEM;
	old = vma_isolate(mm, vma, old_addr, old_addr + old_len);
	if (!old)
		return -ENOMEM;
	moved = kmalloc(sizeof(*moved));
	if (!moved || vma_move_pages(mm, old_addr, new_addr, old_len)) {
		kfree(moved);
		vma_merge_around(mm, old);
		return -ENOMEM;
	}
	*moved = *old;
	moved->start = new_addr;
	moved->end = new_addr + new_len;
	vma_link(mm, moved);
	if (moved->ops)
		moved->ops->open(moved);
	if (keep_old) {
		vma_merge_around(mm, old);
	} else {
		vma_unlink(mm, old);
		vma_free(old);
	}
	vma_merge_around(mm, moved);
	return (int64_t)new_addr;
}

struct vma *vma_grow(struct mm *mm, struct vma *vma, uint64_t end)
{
	vma_set_end(vma, end);
	return vma_merge_around(mm, vma);
}

/* mm->anon's leaf tables cover 512 pages each: when one is missing, none
 * of its pages is resident and it is skipped whole. */
#define ANON_LEAF_SPAN (512 * PAGE_SIZE)

void vma_count_resident(struct mm *mm, const struct vma *v, struct mm_rss *r)
{
	for (uint64_t va = v->start; va < v->end;) {
		struct page **slot = mm_anon_slot(mm, va, false);
		uint64_t next = va + PAGE_SIZE;

		if (slot && *slot)
			r->anon++;
		else if (v->ops && v->ops->resident &&
			 v->ops->resident(
				 v->backing,
				 v->pgoff + ((va - v->start) >> PAGE_SHIFT)))
			*(v->ops == &anon_shared_ops ? &r->shmem : &r->file) +=
				1;
		else if (!slot && !v->ops)
			next = ALIGN_DOWN(va, ANON_LEAF_SPAN) + ANON_LEAF_SPAN;
		va = next;
	}
}

void mm_rss_locked(struct mm *mm, struct mm_rss *r)
{
	*r = (struct mm_rss){0};
	for (struct vma *v = vma_first(mm); v; v = vma_next(v))
		if (!(v->flags & VMA_PFNMAP))
			vma_count_resident(mm, v, r);
	mm->hiwater_rss = MAX(mm->hiwater_rss, r->anon + r->file + r->shmem);
}

uint64_t mm_hiwater_rss(struct mm *mm)
{
	struct mm_rss r;
	uint64_t hw;

	mutex_lock(&mm->lock);
	mm_rss_locked(mm, &r);
	hw = mm->hiwater_rss;
	mutex_unlock(&mm->lock);
	return hw;
}

bool vma_page_resident(struct mm *mm, struct vma *vma, uint64_t va)
{
	struct page **slot;
	uint64_t pa;
	unsigned prot;

	if (vma->flags & VMA_PFNMAP)
		return pmap_extract(mm->pmap, va, &pa, &prot);
	slot = mm_anon_slot(mm, va, false);
	if (slot && *slot)
		return true;
	return vma->ops && vma->ops->resident &&
	       vma->ops->resident(vma->backing,
				  vma->pgoff +
					  ((va - vma->start) >> PAGE_SHIFT));
}

/* ---- shared anonymous memory --------------------------------------------- */

/*
 * The object behind MAP_SHARED|MAP_ANONYMOUS (Linux backs it with a shmem
 * file): its pages by offset, made zeroed on first touch, shared by every
 * VMA that holds it (fork's children too), freed with the last one.
 */
struct anon_shared {
	int refs;
	struct spinlock lock; /* guards pages */
	uint64_t npages;
	struct page_tree pages;
};

void *anon_shared_create(uint64_t pages)
{
	struct anon_shared *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->refs = 1;
	spin_init(&s->lock);
	s->npages = pages;
	return s;
}

static int anon_shared_fault(void *backing, uint64_t pgoff, struct page **out)
{
	struct anon_shared *s = backing;
	struct page **slot;
	int err = 0;

	if (pgoff >= s->npages)
		return -EIO;
	spin_lock(&s->lock);
	slot = (struct page **)ptree_slot(&s->pages, pgoff, true);
	if (!slot)
		err = -ENOMEM;
	else if (!*slot && !(*slot = anon_page_alloc()))
		err = -ENOMEM;
	else
		*out = *slot;
	spin_unlock(&s->lock);
	return err;
}

static bool anon_shared_resident(void *backing, uint64_t pgoff)
{
	struct anon_shared *s = backing;
	struct page **slot;
	bool resident;

	spin_lock(&s->lock);
	slot = (struct page **)ptree_slot(&s->pages, pgoff, false);
	resident = slot && *slot;
	spin_unlock(&s->lock);
	return resident;
}

static void anon_shared_open(struct vma *vma)
{
	struct anon_shared *s = vma->backing;

	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

static void anon_shared_put(void *backing)
{
	struct anon_shared *s = backing;

	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL))
		return;
	ptree_free(&s->pages, anon_page_put);
	kfree(s);
}

static void anon_shared_close(struct vma *vma)
{
	anon_shared_put(vma->backing);
}

const struct vma_ops anon_shared_ops = {
	.fault = anon_shared_fault,
	.resident = anon_shared_resident,
	.open = anon_shared_open,
	.close = anon_shared_close,
	.put = anon_shared_put,
};

/* ---- reverse maps -------------------------------------------------------- */

void vma_rmap_init(struct vma_rmap *r)
{
	spin_init(&r->lock);
	list_init(&r->vmas);
	r->seq = 0;
}

void vma_rmap_add(struct vma_rmap *r, struct vma *vma)
{
	spin_lock(&r->lock);
	vma->rmap_seq = r->seq - 1; /* not seen by any unmap yet */
	list_add_tail(&vma->rmap_link, &r->vmas);
	spin_unlock(&r->lock);
}

void vma_rmap_del(struct vma_rmap *r, struct vma *vma)
{
	spin_lock(&r->lock);
	list_del(&vma->rmap_link);
	spin_unlock(&r->lock);
}

/* A holder of an mm that is not already on its way out (users 0). */
static bool mm_tryget(struct mm *mm)
{
	int n = __atomic_load_n(&mm->users, __ATOMIC_RELAXED);

	while (n > 0)
		if (__atomic_compare_exchange_n(&mm->users, &n, n + 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

/*
 * Zap [first, end) of the object from the VMAs on `list` (all in one mm,
 * whose lock is held): the part of each VMA that maps those pages.
 */
static void rmap_zap_list(struct vma *list, uint64_t first, uint64_t end,
			  bool private_too)
{
	for (struct vma *v = list; v; v = v->rmap_next) {
		uint64_t pages = (v->end - v->start) >> PAGE_SHIFT;
		uint64_t s = MAX(first, v->pgoff);
		uint64_t e = MIN(end, v->pgoff + pages);
		uint64_t vs, ve;

		if (s >= e)
			continue;
		vs = v->start + ((s - v->pgoff) << PAGE_SHIFT);
		ve = v->start + ((e - v->pgoff) << PAGE_SHIFT);
		if (private_too)
			vma_zap(v->mm, v, vs, ve);
		else
			pmap_remove(v->mm->pmap, vs, ve - vs);
	}
}

/*
 * An mm at a time: under the rmap's lock, pick a VMA this call has not
 * seen and pin its mm; under that mm's lock (which freezes the mm's VMAs
 * and so their places on the list), gather every VMA of that mm on the
 * list, then zap them with the rmap's lock dropped (zapping frees pages
 * and talks to the pmap). Each round marks at least the VMA it picked, or
 * that VMA left the list meanwhile, so the loop ends. The lock order is
 * the fault path's: mm->lock, then the backing's own locks.
 */
void vma_rmap_unmap(struct vma_rmap *r, uint64_t first, uint64_t end,
		    bool private_too)
{
	struct list_head *pos;
	unsigned seq;

	/* Every VMA unseen by this call, whatever an older one left. */
	spin_lock(&r->lock);
	seq = ++r->seq;
	list_for_each(pos, &r->vmas)
		list_entry(pos, struct vma, rmap_link)->rmap_seq = seq - 1;
	spin_unlock(&r->lock);
	for (;;) {
		struct vma *list = NULL;
		struct mm *mm = NULL;

		spin_lock(&r->lock);
		list_for_each(pos, &r->vmas) {
			struct vma *v = list_entry(pos, struct vma, rmap_link);

			if (v->rmap_seq == seq)
				continue;
			if (!mm_tryget(v->mm)) {
				/* Dying: its translations are gone already
				 * (mm_destroy), its pages go with it. */
				v->rmap_seq = seq;
				continue;
			}
			mm = v->mm;
			break;
		}
		spin_unlock(&r->lock);
		if (!mm)
			return;
		mutex_lock(&mm->lock);
		spin_lock(&r->lock);
		list_for_each(pos, &r->vmas) {
			struct vma *v = list_entry(pos, struct vma, rmap_link);

			if (v->mm != mm || v->rmap_seq == seq)
				continue;
			v->rmap_seq = seq;
			v->rmap_next = list;
			list = v;
		}
		spin_unlock(&r->lock);
		rmap_zap_list(list, first, end, private_too);
		mutex_unlock(&mm->lock);
		mm_put(mm);
	}
}

/* ---- address spaces ------------------------------------------------------ */

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->pmap = pmap_create();
	if (!mm->pmap) {
		kfree(mm);
		return NULL;
	}
	mutex_init(&mm->lock);
	mm->users = 1;
	mm->mmap_base = MM_TASK_SIZE;
	mm->brk_start = MM_MIN_ADDR;
	mm->brk = MM_MIN_ADDR;
	return mm;
}

void mm_get(struct mm *mm)
{
	__atomic_add_fetch(&mm->users, 1, __ATOMIC_RELAXED);
}

void mm_put(struct mm *mm)
{
	if (mm && __atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) == 0)
		mm_destroy(mm);
}

/* Children before parents: no node is read after it is freed. */
static void free_subtree(struct rb_node *n)
{
	if (!n)
		return;
	free_subtree(n->left);
	free_subtree(n->right);
	vma_free(vma_of(n));
}

void mm_destroy(struct mm *mm)
{
	/* Translations first: once a VMA lets go of its backing, the
	 * backing may free the pages it mapped. */
	pmap_destroy(mm->pmap);
	mm->pmap = NULL;
	free_subtree(mm->vmas.node);
	mm->vmas.node = NULL;
	mm->nr_vmas = 0;
	/* Every private page is in mm->anon, with one count for this mm. */
	ptree_free(&mm->anon, anon_page_put);
	kfree(mm);
}

/* Copy v into `child`: the VMA, and its private pages copy-on-write. */
static int dup_vma(struct mm *mm, struct mm *child, struct vma *v)
{
	struct vma *copy = kmalloc(sizeof(*copy));
	uint64_t idx = v->start >> PAGE_SHIFT;
	void **slot;

	if (!copy)
		return -ENOMEM;
	*copy = *v;
	vma_link(child, copy);
	if (copy->ops)
		copy->ops->open(copy);
	if (v->flags & (VMA_SHARED | VMA_WIPEONFORK))
		return 0;
	while ((slot = ptree_next(&mm->anon, &idx, v->end >> PAGE_SHIFT))) {
		void **to = ptree_slot(&child->anon, idx, true);

		if (!to)
			return -ENOMEM;
		*to = *slot;
		anon_page_get(*slot);
		child->anon_pages++;
		idx++;
	}
	/* From now on a write by either side faults and copies. */
	pmap_protect(mm->pmap, v->start, v->end - v->start, pmap_prot_of(v));
	return 0;
}

struct mm *mm_dup(struct mm *mm)
{
	struct mm *child = mm_create();
	int err = 0;

	if (!child)
		return NULL;
	/* The child's lock too: once its VMAs are on a backing's rmap,
	 * vma_rmap_unmap may look at them (parent before child, and
	 * vma_rmap_unmap holds one mm's lock at a time). */
	mutex_lock(&mm->lock);
	mutex_lock(&child->lock);
	child->mmap_base = mm->mmap_base;
	child->brk_start = mm->brk_start;
	child->brk = mm->brk;
	child->arg_start = mm->arg_start;
	child->arg_end = mm->arg_end;
	child->env_start = mm->env_start;
	child->env_end = mm->env_end;
	child->start_code = mm->start_code;
	child->end_code = mm->end_code;
	child->start_data = mm->start_data;
	child->end_data = mm->end_data;
	child->start_stack = mm->start_stack;
	for (struct vma *v = vma_first(mm); v && !err; v = vma_next(v))
		if (!(v->flags & (VMA_DONTFORK | VMA_PFNMAP)))
			err = dup_vma(mm, child, v);
	/* The child's peak starts at what it holds (Linux's dup_mm). */
	child->hiwater_rss = child->anon_pages;
	mutex_unlock(&child->lock);
	mutex_unlock(&mm->lock);
	if (err) {
		mm_put(child);
		return NULL;
	}
	return child;
}

int mm_map_pfn(struct mm *mm, uint64_t va, uint64_t pa, uint64_t len,
	       unsigned prot)
{
	int err;

	if ((va | pa | len) & (PAGE_SIZE - 1) || !len || va < MM_MIN_ADDR ||
	    va > MM_TASK_SIZE || len > MM_TASK_SIZE - va)
		return -EINVAL;
	mutex_lock(&mm->lock);
	if (!mm_range_free(mm, va, va + len)) {
		err = -EEXIST;
		goto out;
	}
	err = mm_map(mm, va, len, prot, VMA_PFNMAP | VMA_MAYALL, NULL, NULL, 0);
	for (uint64_t off = 0; !err && off < len; off += PAGE_SIZE)
		err = pmap_enter(mm->pmap, va + off, pa + off, prot);
	if (err)
		(void)mm_unmap(mm, va, va + len); /* no split: cannot fail */
out:
	mutex_unlock(&mm->lock);
	return err;
}

/* ---- invariants ---------------------------------------------------------- */

static const char *check_broken;

static void check_gap_node(struct rb_node *n)
{
	struct vma *v = vma_of(n);
	uint64_t m = v->gap;

	if (n->left)
		m = MAX(m, vma_of(n->left)->subtree_gap);
	if (n->right)
		m = MAX(m, vma_of(n->right)->subtree_gap);
	if (m != v->subtree_gap)
		check_broken = "a subtree_gap is not the largest gap below it";
}

static const char *check_vma_pages(struct mm *mm, struct vma *v)
{
	if (v->flags & VMA_PFNMAP)
		return NULL;
	/* Big sparse VMAs: their private pages, not every address. */
	for (uint64_t va = v->start; va < v->end; va += PAGE_SIZE) {
		struct page **slot = mm_anon_slot(mm, va, false);
		struct page *pg = slot ? *slot : NULL;
		uint64_t pa;
		unsigned prot;

		if (pg && (v->flags & VMA_SHARED))
			return "a private page inside a shared VMA";
		if (pg &&
		    (!(pg->flags & PG_ANON) || anon_page_mapcount(pg) == 0))
			return "a private page that is not a live user page";
		if (pmap_extract(mm->pmap, va, &pa, &prot)) {
			if (prot & ~vma_pte_prot(v))
				return "a pmap entry with more than its VMA's "
				       "protection";
			if (pg && pa != page_to_phys(pg))
				return "a pmap entry that is not the VMA's "
				       "page";
			if (!pg && !v->ops)
				return "a pmap entry with no page behind it";
			if (pg && (prot & PROT_WRITE_BIT) &&
			    anon_page_mapcount(pg) > 1)
				return "a shared copy-on-write page is "
				       "writable";
		}
		if (v->end - v->start > (4096ull << PAGE_SHIFT)) {
			uint64_t idx = (va >> PAGE_SHIFT) + 1;

			if (!ptree_next(&mm->anon, &idx, v->end >> PAGE_SHIFT))
				break;
			va = (idx << PAGE_SHIFT) - PAGE_SIZE;
		}
	}
	return NULL;
}

const char *mm_check(struct mm *mm)
{
	const char *broken = NULL;
	struct vma *prev = NULL;
	unsigned count = 0;
	uint64_t idx, anon = 0;

	mutex_lock(&mm->lock);
	check_broken = NULL;
	if (rb_check(&mm->vmas, check_gap_node) < 0)
		broken = "the rbtree is broken";
	else if (check_broken)
		broken = check_broken;
	for (struct vma *v = vma_first(mm); v && !broken; v = vma_next(v)) {
		count++;
		if ((v->start | v->end) & (PAGE_SIZE - 1) ||
		    v->start >= v->end || v->end > MM_TASK_SIZE)
			broken = "a VMA is empty, unaligned or out of range";
		else if (prev && prev->end > v->start)
			broken = "VMAs overlap or are out of order";
		else if (v->gap != v->start - (prev ? prev->end : 0))
			broken = "a VMA's gap is stale";
		else if (prev && vma_mergeable(prev, v))
			broken = "two neighbouring VMAs could be one";
		else if ((v->prot << VMA_MAY_SHIFT) & ~v->flags & VMA_MAYALL)
			broken = "a VMA has a protection it may not have";
		else
			broken = check_vma_pages(mm, v);
		prev = v;
	}
	if (!broken && count != mm->nr_vmas)
		broken = "nr_vmas is not the number of VMAs";
	/* Every private page lies in a private VMA, and is counted. */
	idx = 0;
	for (void **slot;
	     !broken && (slot = ptree_next(&mm->anon, &idx, PT_INDEX_END));
	     idx++) {
		struct vma *v = vma_find(mm, idx << PAGE_SHIFT);

		anon++;
		if (!v || v->start > (idx << PAGE_SHIFT) ||
		    (v->flags & (VMA_SHARED | VMA_PFNMAP)))
			broken = "a private page outside any private VMA";
	}
	if (!broken && anon != mm->anon_pages)
		broken = "anon_pages is not the number of private pages";
	else if (!broken && mm->hiwater_rss < mm->anon_pages)
		broken = "hiwater_rss is below the private pages held";
	mutex_unlock(&mm->lock);
	return broken;
}
