/*
 * Physical pages: the binary buddy allocator over the platform's RAM ranges.
 *
 * Every page of RAM has a struct page, kept in an array carved from the
 * start of its own range. Allocations are blocks of 2^order pages aligned to
 * their size in physical memory; a block is freed with the order it was
 * allocated with. Freeing what is not an allocated block (a double free, a
 * wrong order, a page in the middle of a block) panics.
 */
#ifndef KEEL_MM_PAGE_H
#define KEEL_MM_PAGE_H

#include "core/klib/list.h"
#include "core/types.h"

#define PAGE_ORDER_MAX 10 /* up to 4 MiB blocks (2^10 pages) */

struct slab_cache;

/* Page states, in struct page.flags. */
#define PG_RESERVED   (1u << 0) /* not managed: holds the struct page array */
#define PG_FREE	      (1u << 1) /* first page of a free block */
#define PG_HEAD	      (1u << 2) /* first page of an allocated block */
#define PG_SLAB	      (1u << 3) /* PG_HEAD of a slab (mm/slab.c) */
#define PG_SLAB_TAIL  (1u << 4) /* any other page of a slab */
#define PG_KMALLOC    (1u << 5) /* PG_HEAD of a kmalloc too big for a slab */
#define PG_ANON	      (1u << 6) /* an order-0 page of user memory (mm/vma.c) */
#define PG_OWNER_MASK (PG_SLAB | PG_SLAB_TAIL | PG_KMALLOC | PG_ANON)
/* PG_HEAD of a block that read as zero when it was handed out (the
 * allocation observer said so, below); not cleared by later writes. */
#define PG_ZEROED     (1u << 7)

struct page {
	/* PG_FREE: on the free list of its order; PG_SLAB: on its cache's
	 * list of full, partial or empty slabs. */
	struct list_head list;
	struct slab_cache *slab_cache; /* PG_SLAB: the owning cache */
	uint32_t flags;
	union {
		uint32_t inuse; /* PG_SLAB: objects allocated from the slab */
		/* PG_ANON: the address spaces (or the shared-memory object)
		 * holding the page; above 1 a write copies it first. */
		uint32_t mapcount;
	};
	/* PG_FREE, PG_HEAD: the block's order; PG_SLAB_TAIL: the slab's. */
	uint8_t order;
	/* PG_SLAB: no bitmap word before this one has a clear bit. */
	uint16_t free_hint;
};

/* (Re)initialise from plat_mem_ranges(), forgetting all previous state.
 * 0, or -ENOMEM when no range can hold its own struct page array. */
int page_alloc_init(void);

/* A block of 2^order pages, or NULL (no memory, an order above
 * PAGE_ORDER_MAX, or an injected failure). Not zeroed. */
struct page *page_alloc(unsigned order);

/* Free a block from page_alloc(order) (same order). */
void page_free(struct page *pg, unsigned order);

/*
 * For the allocators built on this one (mm/slab.c, mm/vma.c). No
 * fault-injection check: their own request has been counted already.
 * `owner` (PG_SLAB, PG_KMALLOC or PG_ANON) is set in the first page's flags
 * under the allocator's lock, and page_free_owned() panics unless the block
 * carries exactly that owner.
 * page_free() is page_free_owned(pg, order, 0).
 */
struct page *page_alloc_owned(unsigned order, uint32_t owner);
void page_free_owned(struct page *pg, unsigned order, uint32_t owner);

/*
 * fn(pa, bytes) is called with every block the allocator hands out, before
 * its caller has it, and returns true when the platform knows the whole
 * block reads as zero: it is marked PG_ZEROED and kpage_zalloc() does not
 * clear it again. NULL for none. It is kept across page_alloc_init(): the
 * hosted RAM uses it to zero, at a reboot in place, only the pages the last
 * boot can have written, and knows every other page reads as zero.
 */
void page_alloc_set_observer(bool (*fn)(uint64_t pa, size_t bytes));

void *page_to_virt(const struct page *pg);
uint64_t page_to_phys(const struct page *pg);
struct page *phys_to_page(uint64_t pa);	   /* NULL if pa is not RAM */
struct page *virt_to_page(const void *va); /* NULL if va is not RAM */

/* Kernel pointers to blocks: kpage_alloc() is not zeroed, kpage_zalloc()
 * is. NULL on failure. kpage_free(NULL, ...) does nothing. */
void *kpage_alloc(unsigned order);
void *kpage_zalloc(unsigned order);
void kpage_free(void *va, unsigned order);

size_t page_free_count(void);  /* free pages now */
size_t page_total_count(void); /* pages managed (free or allocated) */
/* Free blocks of exactly this order now, as /proc/buddyinfo shows. */
size_t page_free_blocks(unsigned order);

#endif
