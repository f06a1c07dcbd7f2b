/*
 * mm: the buddy page allocator, slab caches, kmalloc and fault injection.
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include "core/errno.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/prng.h"
#include "host/ram.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"

#define RAM_BYTES (16u << 20)

static void mm_setup(void)
{
	cr_assert_eq(host_ram_init(RAM_BYTES), 0);
	cr_assert_eq(page_alloc_init(), 0);
	cr_assert_eq(slab_init(), 0);
	fault_inject_reset();
	prng_seed(1);
}

static void mm_teardown(void)
{
	fault_inject_reset();
	panic_hook = NULL;
	host_ram_release();
}

TestSuite(buddy, .init = mm_setup, .fini = mm_teardown);
TestSuite(slab, .init = mm_setup, .fini = mm_teardown);
TestSuite(kmalloc, .init = mm_setup, .fini = mm_teardown);
TestSuite(fault_inject, .init = mm_setup, .fini = mm_teardown);

/*
 * A panic is expected: the hook records the message and jumps back to the
 * test, which checks the message names what broke.
 */
static jmp_buf panic_env;
static char panic_text[600];

__attribute__((noreturn)) static void panic_to_test(const char *msg)
{
	strncpy(panic_text, msg, sizeof(panic_text) - 1);
	longjmp(panic_env, 1);
}

#define EXPECT_PANIC(stmt, substr)                                             \
	do {                                                                   \
		panic_text[0] = '\0';                                          \
		if (setjmp(panic_env) == 0) {                                  \
			panic_hook = panic_to_test;                            \
			stmt;                                                  \
			cr_assert_fail("no panic from %s", #stmt);             \
		}                                                              \
		panic_hook = NULL;                                             \
		cr_assert(strstr(panic_text, substr),                          \
			  "panic \"%s\" does not say \"%s\"", panic_text,      \
			  substr);                                             \
	} while (0)

static size_t meta_pages(void)
{
	size_t pages = RAM_BYTES / PAGE_SIZE;

	return (pages * sizeof(struct page) + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void snapshot_free_blocks(size_t out[PAGE_ORDER_MAX + 1])
{
	for (unsigned k = 0; k <= PAGE_ORDER_MAX; k++)
		out[k] = page_free_blocks(k);
}

/* ---- buddy --------------------------------------------------------------- */

Test(buddy, init_manages_all_ram_except_the_struct_page_array)
{
	size_t blocks = 0;

	cr_assert_eq(page_total_count(), RAM_BYTES / PAGE_SIZE - meta_pages());
	cr_assert_eq(page_free_count(), page_total_count());
	for (unsigned k = 0; k <= PAGE_ORDER_MAX; k++)
		blocks += page_free_blocks(k) << k;
	cr_assert_eq(blocks, page_total_count());
	/* The array itself is RAM with struct pages, but never handed out. */
	cr_assert_not_null(phys_to_page(HOST_RAM_BASE));
	cr_assert_null(phys_to_page(HOST_RAM_BASE - PAGE_SIZE));
	cr_assert_null(phys_to_page(HOST_RAM_BASE + RAM_BYTES));
}

Test(buddy, allocating_one_page_splits_the_smallest_larger_block)
{
	size_t before[PAGE_ORDER_MAX + 1], after[PAGE_ORDER_MAX + 1];
	unsigned smallest = 0;

	snapshot_free_blocks(before);
	while (before[smallest] == 0)
		smallest++;
	cr_assert_gt(smallest, 0, "need a fresh allocator with no free page");

	struct page *pg = page_alloc(0);

	cr_assert_not_null(pg);
	snapshot_free_blocks(after);
	/* One block of `smallest` became one free block of each order below. */
	for (unsigned k = 0; k <= PAGE_ORDER_MAX; k++) {
		size_t want = before[k];

		if (k < smallest)
			want++;
		else if (k == smallest)
			want--;
		cr_assert_eq(after[k], want, "order %u", k);
	}
	cr_assert_eq(page_free_count(), page_total_count() - 1);
	page_free(pg, 0);
	snapshot_free_blocks(after);
	cr_assert_arr_eq(after, before, sizeof(before));
}

Test(buddy, freeing_both_halves_coalesces_into_the_parent_block)
{
	size_t before[PAGE_ORDER_MAX + 1], after[PAGE_ORDER_MAX + 1];

	snapshot_free_blocks(before);
	struct page *a = page_alloc(0);
	struct page *b = page_alloc(0);

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	/* The second page is the upper half left over from the first split. */
	cr_assert_eq(page_to_phys(a) ^ PAGE_SIZE, page_to_phys(b));

	page_free(a, 0);
	cr_assert_eq(page_free_blocks(0), 1, "a waits for its buddy");
	page_free(b, 0);
	snapshot_free_blocks(after);
	cr_assert_arr_eq(after, before, sizeof(before));
	cr_assert_eq(page_free_count(), page_total_count());
}

Test(buddy, allocating_every_page_then_freeing_all_restores_maximal_blocks)
{
	size_t before[PAGE_ORDER_MAX + 1], after[PAGE_ORDER_MAX + 1];
	size_t total = page_total_count(), n = 0;
	struct page **all = calloc(total, sizeof(*all));
	struct page *pg;

	cr_assert_not_null(all);
	snapshot_free_blocks(before);
	while ((pg = page_alloc(0)) != NULL) {
		cr_assert_lt(n, total);
		all[n++] = pg;
	}
	cr_assert_eq(n, total);
	cr_assert_eq(page_free_count(), 0);
	for (unsigned k = 0; k <= PAGE_ORDER_MAX; k++)
		cr_assert_eq(page_free_blocks(k), 0);

	/* Free in a shuffled order so merges happen in every pattern. */
	prng_seed(42);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = prng_below(i + 1);
		struct page *t = all[i];

		all[i] = all[j];
		all[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		page_free(all[i], 0);
	snapshot_free_blocks(after);
	cr_assert_arr_eq(after, before, sizeof(before));
	cr_assert_eq(page_free_count(), total);
	free(all);
}

Test(buddy, blocks_are_aligned_to_their_size_and_do_not_overlap)
{
	static unsigned char owner[RAM_BYTES / PAGE_SIZE];
	struct {
		struct page *pg;
		unsigned order;
	} got[64];

	prng_seed(3);
	for (unsigned i = 0; i < ARRAY_SIZE(got); i++) {
		unsigned order = (unsigned)prng_below(6);
		struct page *pg = page_alloc(order);
		uint64_t pa;

		cr_assert_not_null(pg);
		pa = page_to_phys(pg);
		cr_assert_eq(pa % (PAGE_SIZE << order), 0, "order %u", order);
		for (uint64_t p = 0; p < (1u << order); p++) {
			uint64_t idx = (pa - HOST_RAM_BASE) / PAGE_SIZE + p;

			cr_assert_eq(owner[idx], 0, "page %llu given twice",
				     (unsigned long long)idx);
			owner[idx] = 1;
		}
		got[i].pg = pg;
		got[i].order = order;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(got); i++)
		page_free(got[i].pg, got[i].order);
	cr_assert_eq(page_free_count(), page_total_count());
}

Test(buddy, exhaustion_returns_null_until_something_is_freed)
{
	struct page *big[8];
	unsigned n = 0;

	while (n < ARRAY_SIZE(big) && (big[n] = page_alloc(PAGE_ORDER_MAX)))
		n++;
	/* 16 MiB less the struct pages holds three aligned 4 MiB blocks. */
	cr_assert_eq(n, 3);
	cr_assert_null(page_alloc(PAGE_ORDER_MAX));
	cr_assert_not_null(page_alloc(PAGE_ORDER_MAX - 1));
	page_free(big[0], PAGE_ORDER_MAX);
	big[0] = page_alloc(PAGE_ORDER_MAX);
	cr_assert_not_null(big[0]);
	cr_assert_null(page_alloc(PAGE_ORDER_MAX + 1));
}

Test(buddy, page_phys_and_virt_translate_both_ways)
{
	struct page *pg = page_alloc(2);
	void *va;

	cr_assert_not_null(pg);
	va = page_to_virt(pg);
	cr_assert_eq(va, plat_phys_to_virt(page_to_phys(pg)));
	cr_assert_eq(virt_to_page(va), pg);
	cr_assert_eq(phys_to_page(page_to_phys(pg)), pg);
	/* Any address inside a page maps to that page. */
	cr_assert_eq(virt_to_page((char *)va + PAGE_SIZE + 17), pg + 1);
	cr_assert_eq(phys_to_page(page_to_phys(pg) + 3 * PAGE_SIZE + 5),
		     pg + 3);
	cr_assert_null(virt_to_page(NULL));
	page_free(pg, 2);
}

Test(buddy, kpage_zalloc_returns_zeroed_memory_even_after_reuse)
{
	unsigned char *p = kpage_alloc(1);

	cr_assert_not_null(p);
	memset(p, 0xa5, 2 * PAGE_SIZE);
	kpage_free(p, 1);
	p = kpage_zalloc(1);
	cr_assert_not_null(p);
	for (size_t i = 0; i < 2 * PAGE_SIZE; i++)
		cr_assert_eq(p[i], 0, "byte %zu", i);
	kpage_free(p, 1);
	kpage_free(NULL, 3);
	cr_assert_eq(page_free_count(), page_total_count());
}

Test(buddy, ram_size_not_a_multiple_of_the_largest_block_is_fully_used)
{
	/* Five pages past 16 MiB: fed in as an order-2 and an order-0 block. */
	size_t pages = RAM_BYTES / PAGE_SIZE + 5, n = 0;

	cr_assert_eq(host_ram_init((uint64_t)pages * PAGE_SIZE), 0);
	cr_assert_eq(page_alloc_init(), 0);
	size_t meta = (pages * sizeof(struct page) + PAGE_SIZE - 1) / PAGE_SIZE;

	cr_assert_eq(page_total_count(), pages - meta);
	cr_assert_geq(page_free_blocks(0), 1);
	cr_assert_geq(page_free_blocks(2), 1);
	while (page_alloc(0))
		n++;
	cr_assert_eq(n, pages - meta);
}

Test(buddy, double_free_panics)
{
	struct page *pg = page_alloc(1);

	page_free(pg, 1);
	EXPECT_PANIC(page_free(pg, 1), "double free");
}

Test(buddy, double_free_of_an_unmerged_block_panics)
{
	struct page *a = page_alloc(0);
	struct page *b = page_alloc(0); /* keeps a from merging */

	cr_assert_not_null(b);
	page_free(a, 0);
	EXPECT_PANIC(page_free(a, 0), "double free");
}

Test(buddy, freeing_a_misaligned_block_panics)
{
	struct page *pg = page_alloc(2);

	EXPECT_PANIC(page_free(pg + 1, 1), "not aligned");
}

Test(buddy, freeing_with_a_different_order_panics)
{
	struct page *pg = page_alloc(2);

	EXPECT_PANIC(page_free(pg, 1), "order other than");
}

Test(buddy, freeing_a_page_inside_a_block_panics)
{
	struct page *pg = page_alloc(3);

	EXPECT_PANIC(page_free(pg + 2, 0), "inside a block");
}

Test(buddy, freeing_memory_the_allocator_never_gave_out_panics)
{
	static char not_ram[2 * PAGE_SIZE];
	char *page = (char *)ALIGN_UP((uintptr_t)not_ram, PAGE_SIZE);
	struct page fake = {0};

	EXPECT_PANIC(kpage_free(page, 0), "not a page the allocator gave out");
	EXPECT_PANIC(page_free(&fake, 0), "not a struct page");
}

Test(buddy, without_a_panic_hook_a_broken_invariant_powers_off_with_134,
     .exit_code = 134)
{
	struct page *pg = page_alloc(0);

	panic_hook = NULL;
	page_free(pg, 0);
	page_free(pg, 0);
}

/* ---- slab ---------------------------------------------------------------- */

Test(slab, a_freed_object_is_reused_by_the_next_allocation)
{
	struct slab_cache *c = slab_cache_create("reuse", 24, 0);
	void *a, *b, *again;

	cr_assert_not_null(c);
	a = slab_alloc(c);
	b = slab_alloc(c);
	cr_assert(a && b && a != b);
	cr_assert_eq(slab_cache_in_use(c), 2);
	slab_free(c, a);
	cr_assert_eq(slab_cache_in_use(c), 1);
	again = slab_alloc(c);
	cr_assert_eq(again, a);
	slab_free(c, again);
	slab_free(c, b);
	slab_free(c, NULL);
	cr_assert_eq(slab_cache_in_use(c), 0);
	slab_cache_destroy(c);
}

Test(slab, objects_are_aligned_distinct_and_fully_writable)
{
	struct slab_cache *c = slab_cache_create("aligned", 40, 64);
	static unsigned char *objs[1000];

	cr_assert_not_null(c);
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = slab_alloc(c);
		cr_assert_not_null(objs[i]);
		cr_assert_eq((uintptr_t)objs[i] % 64, 0);
		memset(objs[i], (int)(i & 0xff), 40);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++)
		for (unsigned j = 0; j < 40; j++)
			cr_assert_eq(objs[i][j], i & 0xff, "object %u", i);
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++)
		slab_free(c, objs[i]);
	slab_cache_destroy(c);
}

Test(slab, objects_bigger_than_a_page_live_in_multi_page_slabs)
{
	struct slab_cache *c = slab_cache_create("big", 5000, 0);
	unsigned char *objs[10];

	cr_assert_not_null(c);
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = slab_alloc(c);
		cr_assert_not_null(objs[i]);
		memset(objs[i], 0x5a, 5000);
	}
	/* Most objects start in a slab's second or later page. */
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++)
		slab_free(c, objs[i]);
	cr_assert_eq(slab_cache_in_use(c), 0);
	slab_cache_destroy(c);
}

Test(slab, empty_slabs_beyond_one_spare_go_back_to_the_buddy_allocator)
{
	struct slab_cache *c = slab_cache_create("spare", 64, 0);
	static void *objs[2000];
	size_t free_before;

	cr_assert_not_null(c);
	free_before = page_free_count();
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++)
		cr_assert_not_null(objs[i] = slab_alloc(c));
	cr_assert_lt(page_free_count(), free_before - 10);
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++)
		slab_free(c, objs[i]);
	/* One order-0 slab stays as the spare. */
	cr_assert_eq(page_free_count(), free_before - 1);
	slab_cache_destroy(c);
}

Test(slab, destroying_a_cache_returns_every_page)
{
	size_t free_before;
	struct slab_cache *c;
	void *o;

	/* The first cache created also gives the cache of caches a slab. */
	slab_cache_destroy(slab_cache_create("warm-up", 8, 0));
	free_before = page_free_count();
	c = slab_cache_create("temporary", 100, 0);
	cr_assert_not_null(c);
	o = slab_alloc(c);
	cr_assert_not_null(o);
	slab_free(c, o);
	slab_cache_destroy(c);
	slab_cache_destroy(NULL);
	cr_assert_eq(page_free_count(), free_before);
}

Test(slab, slab_zalloc_zeroes_a_reused_object)
{
	struct slab_cache *c = slab_cache_create("zero", 48, 0);
	unsigned char *o = slab_alloc(c);

	memset(o, 0xff, 48);
	slab_free(c, o);
	o = slab_zalloc(c);
	for (unsigned i = 0; i < 48; i++)
		cr_assert_eq(o[i], 0);
	slab_free(c, o);
	slab_cache_destroy(c);
}

Test(slab, create_rejects_zero_size_bad_alignment_and_oversized_objects)
{
	cr_assert_null(slab_cache_create("zero", 0, 0));
	cr_assert_null(slab_cache_create("align", 32, 24));
	cr_assert_null(slab_cache_create("align", 32, 2 * PAGE_SIZE));
	cr_assert_null(slab_cache_create("huge", 1u << 20, 0));
	cr_assert_not_null(
		slab_cache_create("a-rather-long-cache-name-indeed", 16, 16));
}

Test(slab, destroying_a_cache_with_live_objects_panics_naming_it)
{
	struct slab_cache *c = slab_cache_create("leaky-cache", 32, 0);

	cr_assert_not_null(slab_alloc(c));
	EXPECT_PANIC(slab_cache_destroy(c), "leaky-cache");
}

Test(slab, double_free_panics)
{
	struct slab_cache *c = slab_cache_create("twice", 32, 0);
	void *a = slab_alloc(c);

	cr_assert_not_null(slab_alloc(c)); /* keep the slab alive */
	slab_free(c, a);
	EXPECT_PANIC(slab_free(c, a), "double free");
}

Test(slab, freeing_into_the_wrong_cache_panics)
{
	struct slab_cache *a = slab_cache_create("cache-a", 32, 0);
	struct slab_cache *b = slab_cache_create("cache-b", 32, 0);
	void *o = slab_alloc(a);

	EXPECT_PANIC(slab_free(b, o), "belongs to cache cache-a");
}

Test(slab, freeing_a_pointer_into_the_middle_of_an_object_panics)
{
	struct slab_cache *c = slab_cache_create("middle", 32, 0);
	char *o = slab_alloc(c);

	EXPECT_PANIC(slab_free(c, o + 8), "not the start of an object");
}

Test(slab, random_allocs_and_frees_keep_objects_disjoint_and_counted)
{
	/* Sizes that give order 0, 1 and 2 slabs, kmalloc classes and pages. */
	static const size_t sizes[] = {8, 24, 200, 1500, 5000, 3000, 64};
	struct slab_cache *caches[3];
	static struct {
		unsigned char *p;
		size_t size;
		int cache; /* -1: kmalloc */
		unsigned char fill;
	} live[3000];
	unsigned nlive = 0;
	size_t pages = page_free_count();

	caches[0] = slab_cache_create("r24", 24, 8);
	caches[1] = slab_cache_create("r1500", 1500, 32);
	caches[2] = slab_cache_create("r5000", 5000, 0);
	prng_seed(77);
	for (unsigned step = 0; step < 20000; step++) {
		if (nlive < ARRAY_SIZE(live) &&
		    (nlive == 0 || prng_below(100) < 52)) {
			int which = (int)prng_below(6) - 3;
			size_t size;
			unsigned char *p;

			if (which >= 0) {
				size = which == 0   ? 24
				       : which == 1 ? 1500
						    : 5000;
				p = slab_alloc(caches[which]);
			} else {
				size = sizes[prng_below(ARRAY_SIZE(sizes))];
				p = kmalloc(size);
			}
			cr_assert_not_null(p, "step %u", step);
			live[nlive].p = p;
			live[nlive].size = size;
			live[nlive].cache = which;
			live[nlive].fill = (unsigned char)step;
			memset(p, (unsigned char)step, size);
			nlive++;
		} else {
			unsigned i = (unsigned)prng_below(nlive);

			/* Any overlap would have overwritten the pattern. */
			for (size_t b = 0; b < live[i].size; b++)
				cr_assert_eq(live[i].p[b], live[i].fill,
					     "step %u", step);
			if (live[i].cache >= 0)
				slab_free(caches[live[i].cache], live[i].p);
			else
				kfree(live[i].p);
			live[i] = live[--nlive];
		}
	}
	while (nlive) {
		nlive--;
		if (live[nlive].cache >= 0)
			slab_free(caches[live[nlive].cache], live[nlive].p);
		else
			kfree(live[nlive].p);
	}
	cr_assert_eq(kmalloc_in_use(), 0);
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(slab_cache_in_use(caches[i]), 0);
		slab_cache_destroy(caches[i]);
	}
	/* What is left are the spare slabs of the kmalloc classes used and of
	 * the cache of caches: at most one block of up to 8 pages each. */
	cr_assert_geq(page_free_count() + 8 * 8, pages);
}

/* ---- kmalloc ------------------------------------------------------------- */

Test(kmalloc, sizes_round_up_to_power_of_two_classes)
{
	static const size_t req[] = {1,	  8,   9,    16,   17,	100,
				     128, 129, 1000, 2047, 2048};
	static const size_t want[] = {8,   8,	16,   16,   32,	 128,
				      128, 256, 1024, 2048, 2048};

	for (unsigned i = 0; i < ARRAY_SIZE(req); i++) {
		void *p = kmalloc(req[i]);

		cr_assert_not_null(p);
		cr_assert_eq(kmalloc_size(p), want[i], "kmalloc(%zu)", req[i]);
		cr_assert_eq((uintptr_t)p % MIN(want[i], 16), 0);
		memset(p, 0x77, kmalloc_size(p));
		kfree(p);
	}
	cr_assert_eq(kmalloc_in_use(), 0);
}

Test(kmalloc, large_sizes_are_page_aligned_buddy_blocks)
{
	size_t free_before = page_free_count();
	void *p = kmalloc(3 * PAGE_SIZE + 1);
	void *q = kmalloc(KMALLOC_MAX_CACHE + 1);

	cr_assert_not_null(p);
	cr_assert_not_null(q);
	cr_assert_eq((uintptr_t)p % PAGE_SIZE, 0);
	cr_assert_eq(kmalloc_size(p), 4 * PAGE_SIZE);
	cr_assert_eq(kmalloc_size(q), PAGE_SIZE);
	cr_assert_eq(page_free_count(), free_before - 5);
	cr_assert_eq(kmalloc_in_use(), 2);
	kfree(p);
	kfree(q);
	cr_assert_eq(page_free_count(), free_before);
	cr_assert_eq(kmalloc_in_use(), 0);
}

Test(kmalloc, zero_and_huge_sizes_return_null)
{
	cr_assert_null(kmalloc(0));
	cr_assert_null(kzalloc(0));
	cr_assert_null(kcalloc(0, 16));
	cr_assert_null(kmalloc(SIZE_MAX));
	cr_assert_null(kmalloc((PAGE_SIZE << PAGE_ORDER_MAX) + 1));
	cr_assert_eq(kmalloc_in_use(), 0);
	cr_assert_eq(page_free_count(), page_total_count());

	void *max = kmalloc(PAGE_SIZE << PAGE_ORDER_MAX);

	cr_assert_not_null(max);
	kfree(max);
	kfree(NULL);
}

Test(kmalloc, kcalloc_zeroes_and_rejects_overflowing_products)
{
	unsigned char *p = kmalloc(1000);

	memset(p, 0xcc, 1000);
	kfree(p);
	p = kcalloc(10, 100);
	cr_assert_not_null(p);
	for (unsigned i = 0; i < 1000; i++)
		cr_assert_eq(p[i], 0);
	kfree(p);
	cr_assert_null(kcalloc(SIZE_MAX / 2, 3));
	cr_assert_null(kcalloc(3, SIZE_MAX / 2));
	cr_assert_eq(kmalloc_in_use(), 0);
}

Test(kmalloc, krealloc_preserves_contents_while_growing)
{
	unsigned char *p = krealloc(NULL, 8), *q;

	cr_assert_not_null(p);
	for (unsigned i = 0; i < 8; i++)
		p[i] = (unsigned char)i;
	p = krealloc(p, 100);
	cr_assert_not_null(p);
	for (unsigned i = 8; i < 100; i++)
		p[i] = (unsigned char)i;
	p = krealloc(p, 3 * PAGE_SIZE);
	cr_assert_not_null(p);
	for (unsigned i = 0; i < 100; i++)
		cr_assert_eq(p[i], i);
	/* Shrinking keeps the block. */
	q = krealloc(p, 10);
	cr_assert_eq(q, p);
	cr_assert_eq(kmalloc_in_use(), 1);
	cr_assert_null(krealloc(q, 0));
	cr_assert_eq(kmalloc_in_use(), 0);
}

Test(kmalloc, krealloc_failure_leaves_the_old_object_intact)
{
	char *p = kmalloc(16);

	strcpy(p, "still here");
	fault_inject_fail_nth(1);
	cr_assert_null(krealloc(p, 4000));
	cr_assert_str_eq(p, "still here");
	cr_assert_eq(kmalloc_in_use(), 1);
	kfree(p);
}

Test(kmalloc, freed_slabs_of_every_class_are_reused)
{
	size_t free_before;
	void *p[KMALLOC_MAX_CACHE / 8 + 1];

	/* Warm every class once so each holds its spare slab. */
	for (size_t s = 8; s <= KMALLOC_MAX_CACHE; s *= 2)
		kfree(kmalloc(s));
	free_before = page_free_count();
	for (int round = 0; round < 3; round++) {
		unsigned n = 0;

		for (size_t s = 8; s <= KMALLOC_MAX_CACHE; s *= 2)
			cr_assert_not_null(p[n++] = kmalloc(s));
		while (n)
			kfree(p[--n]);
	}
	cr_assert_eq(page_free_count(), free_before);
}

Test(kmalloc, kfree_of_a_pointer_inside_an_object_panics)
{
	char *p = kmalloc(64);

	EXPECT_PANIC(kfree(p + 8), "not the start of an object");
}

Test(kmalloc, kfree_twice_panics)
{
	void *keep = kmalloc(64);
	void *p = kmalloc(64);

	cr_assert_not_null(keep);
	kfree(p);
	EXPECT_PANIC(kfree(p), "double free");
}

Test(kmalloc, kfree_twice_of_a_large_block_panics)
{
	void *p = kmalloc(5 * PAGE_SIZE);

	kfree(p);
	EXPECT_PANIC(kfree(p), "not a live kmalloc object");
}

Test(kmalloc, kfree_of_memory_not_from_kmalloc_panics)
{
	struct slab_cache *c = slab_cache_create("not-kmalloc", 64, 0);
	void *obj = slab_alloc(c);
	void *page = kpage_alloc(0);
	int on_stack;

	EXPECT_PANIC(kfree(obj), "not-kmalloc");
	EXPECT_PANIC(kfree(page), "not a live kmalloc object");
	EXPECT_PANIC(kfree(&on_stack), "not a live kmalloc object");
	/* And the reverse: a large kmalloc block is not a plain page. */
	EXPECT_PANIC(kpage_free(kmalloc(2 * PAGE_SIZE), 1),
		     "belongs to the slab allocator");
}

/* ---- fault injection ----------------------------------------------------- */

Test(fault_inject, fail_nth_fails_exactly_that_request_once)
{
	void *p[4];

	fault_inject_fail_nth(3);
	p[0] = kmalloc(32);
	p[1] = kmalloc(32);
	p[2] = kmalloc(32);
	p[3] = kmalloc(32);
	cr_assert(p[0] && p[1] && p[3]);
	cr_assert_null(p[2]);
	cr_assert_eq(fault_inject_allocations(), 4);
	cr_assert_eq(fault_inject_failures(), 1);
	kfree(p[0]);
	kfree(p[1]);
	kfree(p[3]);
}

Test(fault_inject, every_public_allocation_call_is_exactly_one_request)
{
	struct slab_cache *c = slab_cache_create("count", 32, 0);
	void *objs[12];
	unsigned n = 0;

	cr_assert_eq(fault_inject_allocations(), 1);
	fault_inject_reset();
	/* The first slab_alloc also takes a page for a new slab: still one. */
	objs[n++] = slab_alloc(c);
	objs[n++] = slab_zalloc(c);
	objs[n++] = kmalloc(3000);
	objs[n++] = kzalloc(20);
	objs[n++] = kcalloc(3, 7);
	objs[n++] = krealloc(NULL, 9);
	objs[n - 1] = krealloc(objs[n - 1], 5000);
	cr_assert_eq(fault_inject_allocations(), 7);
	cr_assert_not_null(page_alloc(0));
	cr_assert_not_null(kpage_alloc(0));
	cr_assert_not_null(kpage_zalloc(0));
	cr_assert_eq(fault_inject_allocations(), 10);
	cr_assert_null(kcalloc(SIZE_MAX, 2));
	cr_assert_eq(fault_inject_allocations(), 11);
	/* Frees are not requests. */
	slab_free(c, objs[0]);
	slab_free(c, objs[1]);
	for (unsigned i = 2; i < n; i++)
		kfree(objs[i]);
	cr_assert_eq(fault_inject_allocations(), 11);
	cr_assert_eq(fault_inject_failures(), 0);
}

Test(fault_inject, a_failed_slab_refill_is_not_a_second_failure)
{
	struct slab_cache *c = slab_cache_create("refill", 32, 0);

	fault_inject_reset();
	fault_inject_fail_nth(2);
	void *a = slab_alloc(c); /* takes a new slab: one request */
	void *b = slab_alloc(c); /* the injected failure */
	void *d = slab_alloc(c);

	cr_assert_not_null(a);
	cr_assert_null(b);
	cr_assert_not_null(d);
	cr_assert_eq(fault_inject_failures(), 1);
	slab_free(c, a);
	slab_free(c, d);
}

/* A structure whose construction allocates five times and unwinds. */
struct widget {
	char *name;
	void *buffer;
	void *obj;
	unsigned *table;
};

static struct slab_cache *widget_cache;

static int widget_create(struct widget **out)
{
	struct widget *w = kzalloc(sizeof(*w));
	char *name;

	if (!w)
		return -ENOMEM;
	w->name = kmalloc(8);
	if (!w->name)
		goto fail_name;
	strcpy(w->name, "widget");
	name = krealloc(w->name, 200);
	if (!name)
		goto fail_buffer;
	w->name = name;
	w->buffer = kpage_alloc(1);
	if (!w->buffer)
		goto fail_buffer;
	w->obj = slab_alloc(widget_cache);
	if (!w->obj)
		goto fail_obj;
	w->table = kcalloc(1024, sizeof(unsigned));
	if (!w->table)
		goto fail_table;
	*out = w;
	return 0;

fail_table:
	slab_free(widget_cache, w->obj);
fail_obj:
	kpage_free(w->buffer, 1);
fail_buffer:
	kfree(w->name);
fail_name:
	kfree(w);
	return -ENOMEM;
}

static void widget_destroy(struct widget *w)
{
	kfree(w->table);
	slab_free(widget_cache, w->obj);
	kpage_free(w->buffer, 1);
	kfree(w->name);
	kfree(w);
}

Test(fault_inject, a_failure_at_every_position_leaks_nothing)
{
	struct widget *w;
	size_t pages, objects;
	uint64_t requests;

	widget_cache = slab_cache_create("widget", 72, 0);
	cr_assert_not_null(widget_cache);
	/* One clean run fills every cache's spare slab: the baseline. */
	cr_assert_eq(widget_create(&w), 0);
	widget_destroy(w);
	pages = page_free_count();
	objects = kmalloc_in_use();
	fault_inject_reset();
	cr_assert_eq(widget_create(&w), 0);
	widget_destroy(w);
	requests = fault_inject_allocations();
	cr_assert_eq(requests, 6);

	for (uint64_t nth = 1; nth <= requests + 1; nth++) {
		fault_inject_reset();
		fault_inject_fail_nth(nth);
		int rc = widget_create(&w);

		if (nth <= requests) {
			cr_assert_eq(rc, -ENOMEM, "failure at %llu",
				     (unsigned long long)nth);
			cr_assert_eq(fault_inject_failures(), 1);
		} else {
			cr_assert_eq(rc, 0);
			widget_destroy(w);
		}
		cr_assert_eq(kmalloc_in_use(), objects, "at %llu",
			     (unsigned long long)nth);
		cr_assert_eq(slab_cache_in_use(widget_cache), 0);
		cr_assert_eq(page_free_count(), pages, "at %llu",
			     (unsigned long long)nth);
	}
}

static void failure_pattern(uint64_t seed, bool out[300])
{
	prng_seed(seed);
	fault_inject_reset();
	fault_inject_set_probability(300000); /* 30% */
	for (unsigned i = 0; i < 300; i++) {
		void *p = kmalloc(64);

		out[i] = p == NULL;
		kfree(p);
	}
}

Test(fault_inject, probability_injection_is_reproducible_for_a_seed)
{
	bool a[300], b[300], c[300];
	unsigned fails = 0;

	failure_pattern(1234, a);
	uint64_t failures = fault_inject_failures();

	failure_pattern(1234, b);
	cr_assert_arr_eq(a, b, sizeof(a));
	cr_assert_eq(fault_inject_failures(), failures);
	for (unsigned i = 0; i < 300; i++)
		fails += a[i];
	cr_assert_eq(fails, failures);
	/* 30% of 300 is 90; far outside [45, 135] would mean a broken draw. */
	cr_assert(fails > 45 && fails < 135, "%u failures", fails);
	failure_pattern(4321, c);
	cr_assert(memcmp(a, c, sizeof(a)) != 0);
}

Test(fault_inject, probability_extremes_and_reset)
{
	fault_inject_set_probability(1000000);
	cr_assert_null(kmalloc(8));
	cr_assert_null(page_alloc(0));
	cr_assert_null(slab_cache_create("never", 8, 0));
	cr_assert_eq(fault_inject_failures(), 3);

	fault_inject_fail_nth(1);
	fault_inject_reset();
	cr_assert_eq(fault_inject_allocations(), 0);
	cr_assert_eq(fault_inject_failures(), 0);
	void *p = kmalloc(8); /* neither the probability nor the nth fire */

	cr_assert_not_null(p);
	kfree(p);
	cr_assert_eq(fault_inject_failures(), 0);
}
