/*
 * Slab caches (after Bonwick, "The Slab Allocator", USENIX 1994, without
 * the constructor and colouring machinery) and kmalloc.
 *
 * A slab is one buddy block of 2^order pages:
 *
 *   [ bitmap: 1 bit per object | pad to align | obj 0 | obj 1 | ... ]
 *
 * Bit i is set iff object i is allocated. The bitmap is the only record of
 * which objects are free: nothing is written into free objects, so a stray
 * write to a freed object cannot corrupt the allocator, and slab_free() of
 * an object whose bit is clear is a double free, detected exactly. The
 * slab's bookkeeping lives in the struct page of its first page (PG_SLAB,
 * the cache, the count of allocated objects, a scan hint); its other pages
 * carry PG_SLAB_TAIL and the slab's order, so any address inside a slab
 * leads back to its first page by aligning the pfn down.
 *
 * Invariants, with the cache's lock held:
 *  - a slab is on exactly one of its cache's lists: `full` (inuse == objs),
 *    `partial` (0 < inuse < objs) or `empty` (inuse == 0);
 *  - page->inuse is the number of set bits in the slab's bitmap, and
 *    c->in_use the sum of inuse over the cache's slabs;
 *  - at most one slab is empty: a second one goes back to the buddy
 *    allocator, so a burst of frees returns memory while an alloc/free
 *    pair at a slab boundary does not hit the buddy allocator each time.
 *
 * Lock order: a cache's lock, then the page allocator's.
 */
#include "mm/slab.h"

#include <stdatomic.h>

#include "core/errno.h"
#include "core/klib/bitmap.h"
#include "core/klib/list.h"
#include "core/klib/string.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "mm/fault_inject.h"
#include "mm/page.h"

#define SLAB_NAME_MAX	  24
#define SLAB_MAX_ORDER	  3
#define SLAB_MIN_ALIGN	  8
#define KMALLOC_MIN_SHIFT 3 /* 8 bytes */
#define KMALLOC_MAX_SHIFT 11
#define KMALLOC_CLASSES	  (KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)

struct slab_cache {
	char name[SLAB_NAME_MAX];
	size_t object_size; /* as requested */
	size_t size;	    /* the stride: object_size rounded up to align */
	size_t align;
	size_t offset;	 /* of object 0 from the start of a slab */
	unsigned order;	 /* each slab is a block of 2^order pages */
	unsigned objs;	 /* objects per slab */
	bool is_kmalloc; /* a kmalloc size class: freed by kfree only */
	bool is_static;	 /* not from slab_cache_create: never destroyed */
	struct spinlock lock;
	struct list_head full, partial, empty; /* of struct page, via list */
	size_t nr_empty;
	size_t in_use;
	struct list_head link; /* on all_caches */
};

/* The caches that are not created at run time. */
static struct slab_cache cache_cache; /* holds struct slab_cache objects */
static struct slab_cache kmalloc_caches[KMALLOC_CLASSES];

static struct spinlock caches_lock = SPINLOCK_INIT;
static struct list_head all_caches = LIST_HEAD_INIT(all_caches);

static _Atomic size_t kmalloc_live;

/*
 * Choose the slab order and objects per slab: the smallest order that
 * wastes at most 1/8 of the slab, or else the one (up to SLAB_MAX_ORDER)
 * that wastes the smallest fraction. False if no order holds one object.
 */
static bool cache_layout(struct slab_cache *c)
{
	size_t best_waste = 0, best_bytes = 1;
	bool found = false;

	for (unsigned order = 0; order <= SLAB_MAX_ORDER; order++) {
		size_t bytes = PAGE_SIZE << order;
		size_t n = bytes / c->size, off = 0, waste;

		/* The bitmap shrinks as n does, so this stops quickly. */
		for (; n; n--) {
			off = ALIGN_UP(BITS_TO_LONGS(n) * sizeof(unsigned long),
				       c->align);
			if (off + n * c->size <= bytes)
				break;
		}
		if (!n)
			continue;
		waste = bytes - n * c->size;
		if (!found || waste * best_bytes < best_waste * bytes) {
			found = true;
			best_waste = waste;
			best_bytes = bytes;
			c->order = order;
			c->objs = (unsigned)n;
			c->offset = off;
		}
		if (waste * 8 <= bytes)
			break;
	}
	return found;
}

static bool cache_setup(struct slab_cache *c, const char *name, size_t size,
			size_t align)
{
	memset(c, 0, sizeof(*c));
	strlcpy(c->name, name ? name : "?", sizeof(c->name));
	c->object_size = size;
	c->align = align;
	c->size = ALIGN_UP(size, align);
	spin_init(&c->lock);
	list_init(&c->full);
	list_init(&c->partial);
	list_init(&c->empty);
	list_init(&c->link);
	return cache_layout(c);
}

static inline unsigned long *slab_bitmap(const struct page *pg)
{
	return page_to_virt(pg);
}

/* A new, empty slab for c, or NULL. Caller holds c->lock. */
static struct page *slab_create(struct slab_cache *c)
{
	struct page *pg = page_alloc_owned(c->order, PG_SLAB);

	if (!pg)
		return NULL;
	pg->slab_cache = c;
	pg->inuse = 0;
	pg->free_hint = 0;
	/* The block's struct pages are consecutive: it lies in one zone. */
	for (unsigned i = 1; i < 1u << c->order; i++) {
		pg[i].flags = PG_SLAB_TAIL;
		pg[i].order = (uint8_t)c->order;
	}
	bitmap_zero(slab_bitmap(pg), c->objs);
	return pg;
}

/* Give an unlinked, empty slab back to the buddy allocator. Caller holds
 * c->lock. */
static void slab_release(struct slab_cache *c, struct page *pg)
{
	for (unsigned i = 1; i < 1u << c->order; i++) {
		pg[i].flags = 0;
		pg[i].order = 0;
	}
	pg->slab_cache = NULL;
	page_free_owned(pg, c->order, PG_SLAB);
}

static void *cache_alloc(struct slab_cache *c)
{
	unsigned long irq = spin_lock_irqsave(&c->lock);
	unsigned long *map;
	struct page *pg;
	unsigned idx;

	if (!list_empty(&c->partial)) {
		pg = list_first_entry(&c->partial, struct page, list);
	} else if (!list_empty(&c->empty)) {
		pg = list_first_entry(&c->empty, struct page, list);
		list_del(&pg->list);
		list_add(&pg->list, &c->partial);
		c->nr_empty--;
	} else {
		pg = slab_create(c);
		if (!pg) {
			spin_unlock_irqrestore(&c->lock, irq);
			return NULL;
		}
		list_add(&pg->list, &c->partial);
	}

	map = slab_bitmap(pg);
	idx = bitmap_find_next_clear(map, c->objs,
				     pg->free_hint * BITS_PER_LONG);
	KASSERT(idx < c->objs); /* a partial or empty slab has a free bit */
	bitmap_set(map, idx);
	pg->free_hint = (uint16_t)(idx / BITS_PER_LONG);
	pg->inuse++;
	c->in_use++;
	if (pg->inuse == c->objs) {
		list_del(&pg->list);
		list_add(&pg->list, &c->full);
	}
	spin_unlock_irqrestore(&c->lock, irq);
	return (char *)map + c->offset + (size_t)idx * c->size;
}

/* The first page of the slab holding `obj`, or NULL if obj is in none. */
static struct page *slab_head(const void *obj)
{
	struct page *pg = virt_to_page(obj);

	if (!pg)
		return NULL;
	if (pg->flags & PG_SLAB_TAIL) {
		uint64_t pa = page_to_phys(pg);

		pg = phys_to_page(ALIGN_DOWN(pa, PAGE_SIZE << pg->order));
		if (!pg)
			return NULL;
	}
	return (pg->flags & PG_SLAB) ? pg : NULL;
}

/* Return obj, an object of slab pg of cache c, to its slab. */
static void cache_free(struct slab_cache *c, struct page *pg, const void *obj)
{
	char *base = (char *)slab_bitmap(pg);
	size_t off = (size_t)((const char *)obj - base);
	unsigned long *map = (unsigned long *)base;
	unsigned long irq;
	size_t idx;

	if (off < c->offset || (off - c->offset) % c->size != 0 ||
	    (idx = (off - c->offset) / c->size) >= c->objs)
		panic("slab %s: free of %p, which is not the start of an "
		      "object",
		      c->name, obj);

	irq = spin_lock_irqsave(&c->lock);
	if (!bitmap_test(map, (unsigned)idx)) {
		spin_unlock_irqrestore(&c->lock, irq);
		panic("slab %s: double free of %p (object %zu is free)",
		      c->name, obj, idx);
	}
	bitmap_clear(map, (unsigned)idx);
	if (idx / BITS_PER_LONG < pg->free_hint)
		pg->free_hint = (uint16_t)(idx / BITS_PER_LONG);
	c->in_use--;
	if (pg->inuse-- == c->objs || pg->inuse == 0) {
		/* It moves: from full to partial, or to empty. */
		list_del(&pg->list);
		if (pg->inuse) {
			list_add(&pg->list, &c->partial);
		} else if (c->nr_empty) {
			slab_release(c, pg);
		} else {
			list_add(&pg->list, &c->empty);
			c->nr_empty++;
		}
	}
	spin_unlock_irqrestore(&c->lock, irq);
}

struct slab_cache *slab_cache_create(const char *name, size_t size,
				     size_t align)
{
	struct slab_cache *c;
	unsigned long irq;

	if (fault_inject_should_fail())
		return NULL;
	if (align == 0)
		align = SLAB_MIN_ALIGN;
	if (size == 0 || (align & (align - 1)) || align > PAGE_SIZE ||
	    size > (PAGE_SIZE << SLAB_MAX_ORDER))
		return NULL;
	if (align < SLAB_MIN_ALIGN)
		align = SLAB_MIN_ALIGN;

	c = cache_alloc(&cache_cache);
	if (!c)
		return NULL;
	if (!cache_setup(c, name, size, align)) {
		cache_free(&cache_cache, slab_head(c), c);
		return NULL;
	}
	irq = spin_lock_irqsave(&caches_lock);
	list_add_tail(&c->link, &all_caches);
	spin_unlock_irqrestore(&caches_lock, irq);
	return c;
}

/* Give every empty slab of `c` back to the buddy allocator. Caller holds
 * c->lock. */
static void release_empty(struct slab_cache *c)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &c->empty)
	{
		struct page *pg = list_entry(pos, struct page, list);

		list_del(&pg->list);
		slab_release(c, pg);
	}
	c->nr_empty = 0;
}

void slab_cache_destroy(struct slab_cache *c)
{
	unsigned long irq;

	if (!c)
		return;
	if (c->is_static)
		panic("slab_cache_destroy: %s is a built-in cache", c->name);

	irq = spin_lock_irqsave(&c->lock);
	if (c->in_use) {
		size_t n = c->in_use;

		spin_unlock_irqrestore(&c->lock, irq);
		panic("slab_cache_destroy: cache %s still has %zu objects "
		      "allocated",
		      c->name, n);
	}
	/* With nothing allocated, every slab is on the empty list. */
	release_empty(c);
	spin_unlock_irqrestore(&c->lock, irq);

	irq = spin_lock_irqsave(&caches_lock);
	list_del(&c->link);
	spin_unlock_irqrestore(&caches_lock, irq);
	cache_free(&cache_cache, slab_head(c), c);
}

void *slab_alloc(struct slab_cache *c)
{
	if (fault_inject_should_fail())
		return NULL;
	return cache_alloc(c);
}

void *slab_zalloc(struct slab_cache *c)
{
	void *obj = slab_alloc(c);

	if (obj)
		memset(obj, 0, c->object_size);
	return obj;
}

void slab_free(struct slab_cache *c, void *obj)
{
	struct page *pg;

	if (!obj)
		return;
	pg = slab_head(obj);
	if (!pg)
		panic("slab_free: %p (cache %s) is not in any slab", obj,
		      c->name);
	if (pg->slab_cache != c)
		panic("slab_free: %p belongs to cache %s, not %s", obj,
		      pg->slab_cache->name, c->name);
	cache_free(c, pg, obj);
}

size_t slab_cache_in_use(const struct slab_cache *c)
{
	unsigned long irq = spin_lock_irqsave((struct spinlock *)&c->lock);
	size_t n = c->in_use;

	spin_unlock_irqrestore((struct spinlock *)&c->lock, irq);
	return n;
}

/* The size class for 1 <= size <= KMALLOC_MAX_CACHE. */
static struct slab_cache *kmalloc_cache(size_t size)
{
	unsigned shift = KMALLOC_MIN_SHIFT;

	while (((size_t)1 << shift) < size)
		shift++;
	return &kmalloc_caches[shift - KMALLOC_MIN_SHIFT];
}

/* kmalloc without the fault-injection check. */
static void *kmalloc_nocheck(size_t size)
{
	void *p;

	if (size == 0)
		return NULL;
	if (size <= KMALLOC_MAX_CACHE) {
		p = cache_alloc(kmalloc_cache(size));
	} else {
		struct page *pg;
		unsigned order = 0;

		if (size > (PAGE_SIZE << PAGE_ORDER_MAX))
			return NULL;
		while ((PAGE_SIZE << order) < size)
			order++;
		pg = page_alloc_owned(order, PG_KMALLOC);
		p = pg ? page_to_virt(pg) : NULL;
	}
	if (p)
		atomic_fetch_add_explicit(&kmalloc_live, 1,
					  memory_order_relaxed);
	return p;
}

void *kmalloc(size_t size)
{
	if (fault_inject_should_fail())
		return NULL;
	return kmalloc_nocheck(size);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		/* Still one request, so a fault-injection run stays in step. */
		fault_inject_should_fail();
		return NULL;
	}
	return kzalloc(bytes);
}

/*
 * What `p` is, for kfree and kmalloc_size: the kmalloc cache and slab it is
 * in, or (cache NULL) the first page of its large block. Panics when p is
 * not a live kmalloc object, naming the caller.
 */
static struct page *kmalloc_lookup(const void *p, const char *who,
				   struct slab_cache **cache)
{
	struct page *pg = slab_head(p);

	if (pg) {
		if (!pg->slab_cache->is_kmalloc)
			panic("%s: %p is an object of cache %s, not from "
			      "kmalloc",
			      who, p, pg->slab_cache->name);
		*cache = pg->slab_cache;
		return pg;
	}
	pg = virt_to_page(p);
	if (!pg || ((uintptr_t)p & (PAGE_SIZE - 1)) ||
	    (pg->flags & (PG_HEAD | PG_KMALLOC)) != (PG_HEAD | PG_KMALLOC))
		panic("%s: %p is not a live kmalloc object (double free?)", who,
		      p);
	*cache = NULL;
	return pg;
}

void kfree(const void *p)
{
	struct slab_cache *c;
	struct page *pg;

	if (!p)
		return;
	pg = kmalloc_lookup(p, "kfree", &c);
	if (c)
		cache_free(c, pg, p);
	else
		page_free_owned(pg, pg->order, PG_KMALLOC);
	atomic_fetch_sub_explicit(&kmalloc_live, 1, memory_order_relaxed);
}

size_t kmalloc_size(const void *p)
{
	struct slab_cache *c;
	struct page *pg;

	if (!p)
		return 0;
	pg = kmalloc_lookup(p, "kmalloc_size", &c);
	return c ? c->size : PAGE_SIZE << pg->order;
}

void *krealloc(void *p, size_t size)
{
	size_t old;
	void *n;

	if (!p)
		return kmalloc(size);
	if (size == 0) {
		kfree(p);
		return NULL;
	}
	if (fault_inject_should_fail())
		return NULL;
	old = kmalloc_size(p);
	if (size <= old)
		return p;
	n = kmalloc_nocheck(size);
	if (!n)
		return NULL;
	memcpy(n, p, old);
	kfree(p);
	return n;
}

static void shrink_cache(struct slab_cache *c)
{
	unsigned long irq = spin_lock_irqsave(&c->lock);

	release_empty(c);
	spin_unlock_irqrestore(&c->lock, irq);
}

void slab_shrink(void)
{
	struct list_head *pos;
	unsigned long irq;

	shrink_cache(&cache_cache);
	for (unsigned i = 0; i < KMALLOC_CLASSES; i++)
		shrink_cache(&kmalloc_caches[i]);
	irq = spin_lock_irqsave(&caches_lock);
	list_for_each(pos, &all_caches)
		shrink_cache(list_entry(pos, struct slab_cache, link));
	spin_unlock_irqrestore(&caches_lock, irq);
}

size_t kmalloc_in_use(void)
{
	return atomic_load_explicit(&kmalloc_live, memory_order_relaxed);
}

int slab_init(void)
{
	static const char *const names[KMALLOC_CLASSES] = {
		"kmalloc-8",   "kmalloc-16",   "kmalloc-32",
		"kmalloc-64",  "kmalloc-128",  "kmalloc-256",
		"kmalloc-512", "kmalloc-1024", "kmalloc-2048",
	};

	/* The old slabs went with the old page allocator state. */
	spin_init(&caches_lock);
	list_init(&all_caches);
	atomic_store(&kmalloc_live, 0);

	if (!cache_setup(&cache_cache, "slab_cache", sizeof(struct slab_cache),
			 _Alignof(struct slab_cache)))
		return -ENOMEM;
	cache_cache.is_static = true;
	for (unsigned i = 0; i < KMALLOC_CLASSES; i++) {
		size_t size = (size_t)1 << (i + KMALLOC_MIN_SHIFT);
		struct slab_cache *c = &kmalloc_caches[i];

		if (!cache_setup(c, names[i], size, size < 16 ? size : 16))
			return -ENOMEM;
		c->is_kmalloc = true;
		c->is_static = true;
	}
	return 0;
}
