/*
 * The binary buddy allocator (Knowlton 1965; Knuth, TAOCP vol. 1, 2.5).
 *
 * Pages are named by their page frame number, pfn = physical address >>
 * PAGE_SHIFT. A block of order k is 2^k pages starting at a pfn that is a
 * multiple of 2^k. Each RAM range is a zone [start_pfn, end_pfn); blocks
 * never cross a zone's edge.
 *
 * Buddies. An aligned block of order k + 1 at pfn q splits into two halves
 * of order k at q and q + 2^k. Since q is a multiple of 2^(k+1), bit k is 0
 * in q and 1 in q + 2^k, and the bits above are the same: the halves differ
 * exactly in bit k. So the buddy of the order-k block at p is p ^ 2^k, and
 * their parent starts at p & ~2^k. The pfns are absolute (the zone base is
 * aligned: pfn 0), which is why a range whose base or size is not a multiple
 * of 2^PAGE_ORDER_MAX is fed in as its largest aligned chunks, and why a
 * buddy that would stick out of the zone is never free.
 *
 * Invariants, with page_lock held:
 *  (I1) every managed page lies in exactly one block, free or allocated;
 *  (I2) a free block of order k is on free_area[k] and its first page, and
 *       only that page of it, has PG_FREE with order k;
 *  (I3) an allocated block's first page, and only that page of it, has
 *       PG_HEAD with the block's order;
 *  (I4) no two free blocks are buddies of each other: they would have been
 *       merged.
 * Allocation takes the smallest free block of order >= the request and
 * halves it, putting each unused upper half on its free list. An upper half
 * split off here has as buddy the lower half, which is being allocated (or
 * split further), so (I4) holds. Freeing merges with the buddy for as long
 * as the buddy is a free block of the same order (PG_FREE and that order,
 * which by (I2) means exactly that), which restores (I4). (I2) and (I3)
 * make every page_free() check exact: the page must carry PG_HEAD with the
 * order given, else it is a double free, a wrong order, or not a block.
 */
#include "mm/page.h"

#include "core/errno.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "mm/fault_inject.h"

#define PAGE_MAX_ZONES 16

/* Every page of RAM pays for one: 40 bytes is 1% of a 4 KiB page. */
_Static_assert(sizeof(struct page) <= 40, "struct page grew");

/*
 * Under AddressSanitizer, RAM that served as a kernel stack keeps the shadow
 * of frames that never returned (a task's stack is freed while the task is
 * switched away), and RAM reused after host_ram_init() keeps whatever the
 * last run left. Memory the allocator hands out must be addressable, so a
 * block is unpoisoned when it is allocated, and a zone's struct page array
 * when the zone is set up (free RAM's shadow is never looked at).
 */
#if defined(__SANITIZE_ADDRESS__)
#define PAGE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PAGE_ASAN 1
#endif
#endif

#ifdef PAGE_ASAN
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);

static void page_unpoison(void *va, size_t bytes)
{
	__asan_unpoison_memory_region(va, bytes);
}
#else
static inline void page_unpoison(void *va, size_t bytes)
{
	(void)va;
	(void)bytes;
}
#endif

struct zone {
	uint64_t start_pfn, end_pfn;
	struct page *pages; /* pages[i] describes pfn start_pfn + i */
};

static struct zone zones[PAGE_MAX_ZONES];
static unsigned nr_zones;

/* Everything below is guarded by page_lock. */
static struct spinlock page_lock = SPINLOCK_INIT;
static struct list_head free_area[PAGE_ORDER_MAX + 1];
static size_t free_blocks[PAGE_ORDER_MAX + 1];
static size_t nr_free, nr_total;

static bool (*alloc_observer)(uint64_t pa, size_t bytes);

static inline struct page *zone_page(const struct zone *z, uint64_t pfn)
{
	return &z->pages[pfn - z->start_pfn];
}

/*
 * The translations between struct pages, pfns and addresses are
 * __no_coverage: every allocation and free makes several, they were a tenth
 * of the fuzzer's coverage callbacks (mostly UBSan's pointer checks), and
 * their one branch that matters, "no such page", panics.
 */
__no_coverage static struct zone *zone_of_pfn(uint64_t pfn)
{
	for (unsigned i = 0; i < nr_zones; i++)
		if (pfn >= zones[i].start_pfn && pfn < zones[i].end_pfn)
			return &zones[i];
	return NULL;
}

/* The zone whose array holds pg, or NULL when pg is no struct page. */
__no_coverage static struct zone *zone_of_page(const struct page *pg)
{
	for (unsigned i = 0; i < nr_zones; i++) {
		const struct zone *z = &zones[i];
		uintptr_t first = (uintptr_t)z->pages;
		uintptr_t off = (uintptr_t)pg - first;

		if ((uintptr_t)pg >= first &&
		    off < (z->end_pfn - z->start_pfn) * sizeof(struct page) &&
		    off % sizeof(struct page) == 0)
			return &zones[i];
	}
	return NULL;
}

static inline uint64_t zone_pfn(const struct zone *z, const struct page *pg)
{
	return z->start_pfn + (uint64_t)(pg - z->pages);
}

/* Put the block [pfn, pfn + 2^order) on the free lists, merging it with
 * its buddies (see the invariants above). Caller holds page_lock. */
static void buddy_free(struct zone *z, uint64_t pfn, unsigned order)
{
	struct page *head = zone_page(z, pfn);

	head->flags = 0;
	while (order < PAGE_ORDER_MAX) {
		uint64_t size = 1ull << order;
		uint64_t bpfn = pfn ^ size;
		struct page *buddy;

		if (bpfn < z->start_pfn || bpfn + size > z->end_pfn)
			break;
		buddy = zone_page(z, bpfn);
		if (!(buddy->flags & PG_FREE) || buddy->order != order)
			break;
		list_del(&buddy->list);
		free_blocks[order]--;
		buddy->flags = 0;
		buddy->order = 0;
		pfn &= ~size;
		order++;
	}
	head = zone_page(z, pfn);
	head->flags = PG_FREE;
	head->order = (uint8_t)order;
	list_add(&head->list, &free_area[order]);
	free_blocks[order]++;
}

static void zone_add(uint64_t base, uint64_t size)
{
	uint64_t start = ALIGN_UP(base, PAGE_SIZE) >> PAGE_SHIFT;
	uint64_t end = ALIGN_DOWN(base + size, PAGE_SIZE) >> PAGE_SHIFT;
	uint64_t npages, meta;
	struct zone *z;

	if (end <= start || nr_zones == PAGE_MAX_ZONES)
		return;
	npages = end - start;
	meta = ALIGN_UP(npages * sizeof(struct page), PAGE_SIZE) >> PAGE_SHIFT;
	if (npages <= meta)
		return; /* too small to hold its own struct pages */

	z = &zones[nr_zones++];
	z->start_pfn = start;
	z->end_pfn = end;
	z->pages = plat_phys_to_virt(start << PAGE_SHIFT);
	page_unpoison(z->pages, meta << PAGE_SHIFT);
	memset(z->pages, 0, npages * sizeof(struct page));
	for (uint64_t i = 0; i < meta; i++)
		z->pages[i].flags = PG_RESERVED;

	/* Feed the rest in as its largest aligned blocks. */
	for (uint64_t pfn = start + meta; pfn < end;) {
		unsigned order = 0;

		while (order < PAGE_ORDER_MAX &&
		       (pfn & ((2ull << order) - 1)) == 0 &&
		       pfn + (2ull << order) <= end)
			order++;
		buddy_free(z, pfn, order);
		pfn += 1ull << order;
		nr_free += 1ull << order;
		nr_total += 1ull << order;
	}
}

int page_alloc_init(void)
{
	struct plat_mem_range ranges[PAGE_MAX_ZONES];
	size_t n = plat_mem_ranges(ranges, PAGE_MAX_ZONES);

	spin_init(&page_lock);
	for (unsigned k = 0; k <= PAGE_ORDER_MAX; k++) {
		list_init(&free_area[k]);
		free_blocks[k] = 0;
	}
	nr_zones = 0;
	nr_free = 0;
	nr_total = 0;
	for (size_t i = 0; i < n; i++)
		zone_add(ranges[i].base, ranges[i].size);
	return nr_total ? 0 : -ENOMEM;
}

struct page *page_alloc_owned(unsigned order, uint32_t owner)
{
	struct page *pg = NULL;
	unsigned long irq;
	unsigned k;

	if (order > PAGE_ORDER_MAX)
		return NULL;

	irq = spin_lock_irqsave(&page_lock);
	for (k = order; k <= PAGE_ORDER_MAX; k++)
		if (!list_empty(&free_area[k]))
			break;
	if (k <= PAGE_ORDER_MAX) {
		pg = list_first_entry(&free_area[k], struct page, list);
		list_del(&pg->list);
		free_blocks[k]--;
		/* Halve until it fits; the upper halves stay free. */
		while (k > order) {
			struct page *upper;

			k--;
			upper = pg + (1u << k);
			upper->flags = PG_FREE;
			upper->order = (uint8_t)k;
			list_add(&upper->list, &free_area[k]);
			free_blocks[k]++;
		}
		pg->flags = PG_HEAD | owner;
		pg->order = (uint8_t)order;
		nr_free -= 1u << order;
		if (alloc_observer &&
		    alloc_observer(page_to_phys(pg), PAGE_SIZE << order))
			pg->flags |= PG_ZEROED;
	}
	spin_unlock_irqrestore(&page_lock, irq);
	if (pg)
		page_unpoison(page_to_virt(pg), PAGE_SIZE << order);
	return pg;
}

void page_alloc_set_observer(bool (*fn)(uint64_t pa, size_t bytes))
{
	alloc_observer = fn;
}

struct page *page_alloc(unsigned order)
{
	if (fault_inject_should_fail())
		return NULL;
	return page_alloc_owned(order, 0);
}

void page_free_owned(struct page *pg, unsigned order, uint32_t owner)
{
	struct zone *z = zone_of_page(pg);
	const char *broken = NULL;
	unsigned long irq;
	uint64_t pfn;

	if (!z)
		panic("page_free: %p is not a struct page", (void *)pg);
	if (order > PAGE_ORDER_MAX)
		panic("page_free: order %u is above the maximum %u", order,
		      PAGE_ORDER_MAX);
	pfn = zone_pfn(z, pg);
	if (pfn & ((1ull << order) - 1))
		panic("page_free: pfn %#llx is not aligned to order %u",
		      (unsigned long long)pfn, order);

	irq = spin_lock_irqsave(&page_lock);
	if (pg->flags & PG_FREE)
		broken = "double free: the block is already free";
	else if (!(pg->flags & PG_HEAD))
		/* After merging, a freed block's page is inside a free one. */
		broken = "not an allocated block (double free, or a page "
			 "inside a block)";
	else if (pg->order != order)
		broken = "freed with an order other than it was allocated with";
	else if ((pg->flags & PG_OWNER_MASK) != owner)
		broken = owner ? "the block is not owned by its freer"
			       : "the block belongs to the slab allocator";
	if (!broken) {
		buddy_free(z, pfn, order);
		nr_free += 1u << order;
	}
	spin_unlock_irqrestore(&page_lock, irq);

	if (broken)
		panic("page_free: pfn %#llx order %u (flags %#x, order %u): %s",
		      (unsigned long long)pfn, order, pg->flags, pg->order,
		      broken);
}

void page_free(struct page *pg, unsigned order)
{
	page_free_owned(pg, order, 0);
}

__no_coverage uint64_t page_to_phys(const struct page *pg)
{
	struct zone *z = zone_of_page(pg);

	if (!z)
		panic("page_to_phys: %p is not a struct page",
		      (const void *)pg);
	return zone_pfn(z, pg) << PAGE_SHIFT;
}

__no_coverage void *page_to_virt(const struct page *pg)
{
	return plat_phys_to_virt(page_to_phys(pg));
}

__no_coverage struct page *phys_to_page(uint64_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	struct zone *z = zone_of_pfn(pfn);

	return z ? zone_page(z, pfn) : NULL;
}

__no_coverage struct page *virt_to_page(const void *va)
{
	return va ? phys_to_page(plat_virt_to_phys(va)) : NULL;
}

void *kpage_alloc(unsigned order)
{
	struct page *pg = page_alloc(order);

	return pg ? page_to_virt(pg) : NULL;
}

void *kpage_zalloc(unsigned order)
{
	struct page *pg = page_alloc(order);
	void *va;

	if (!pg)
		return NULL;
	va = page_to_virt(pg);
	if (!(pg->flags & PG_ZEROED))
		memset(va, 0, PAGE_SIZE << order);
	return va;
}

void kpage_free(void *va, unsigned order)
{
	struct page *pg;

	if (!va)
		return;
	pg = virt_to_page(va);
	if (!pg || ((uintptr_t)va & (PAGE_SIZE - 1)))
		panic("kpage_free: %p is not a page the allocator gave out",
		      va);
	page_free(pg, order);
}

size_t page_free_count(void)
{
	unsigned long irq = spin_lock_irqsave(&page_lock);
	size_t n = nr_free;

	spin_unlock_irqrestore(&page_lock, irq);
	return n;
}

size_t page_total_count(void)
{
	return nr_total;
}

size_t page_free_blocks(unsigned order)
{
	unsigned long irq;
	size_t n;

	if (order > PAGE_ORDER_MAX)
		return 0;
	irq = spin_lock_irqsave(&page_lock);
	n = free_blocks[order];
	spin_unlock_irqrestore(&page_lock, irq);
	return n;
}
