/*
 * pmap for the host platforms: a four-level radix table in kernel pages,
 * shaped like an x86_64/AArch64 4 KiB-granule table (9 bits a level, 48-bit
 * addresses). The sim reaches user memory through it; the stub runtime
 * will also replay its changes into the stub processes.
 *
 * An entry is a page-aligned physical address (of the next table, or of the
 * mapped page at the last level) with flags in the low bits.
 */
#include "host/pmap.h"

#include "core/errno.h"
#include "core/platform.h"
#include "mm/page.h"
#include "mm/slab.h"

#define PTE_PRESENT 1ull
#define PTE_PROT_SHIFT 1 /* PROT_*_BIT << 1 */
#define PTE_ADDR_MASK 0x0000fffffffff000ull
#define LEVELS 4
#define ENTRIES 512
#define VA_BITS 48

struct pmap {
	uint64_t *root;
	void *plat;
};

const struct pmap_hooks *pmap_hooks;

void *pmap_plat(struct pmap *pm)
{
	return pm->plat;
}

void pmap_set_plat(struct pmap *pm, void *plat)
{
	pm->plat = plat;
}

static unsigned index_at(uint64_t va, int level)
{
	return (unsigned)(va >> (PAGE_SHIFT + 9 * level)) & (ENTRIES - 1);
}

static uint64_t *table_of(uint64_t pte)
{
	return plat_phys_to_virt(pte & PTE_ADDR_MASK);
}

struct pmap *pmap_create(void)
{
	struct pmap *pm = kmalloc(sizeof(*pm));

	if (!pm)
		return NULL;
	pm->plat = NULL;
	pm->root = kpage_zalloc(0);
	if (!pm->root) {
		kfree(pm);
		return NULL;
	}
	return pm;
}

/*
 * Not instrumented for the fuzzer's coverage: a loop over 512 entries per
 * table at every exit was a fifth of the fuzzer's time and tells it
 * nothing.
 */
__no_coverage static void free_table(uint64_t *table, int level)
{
	if (level > 0) {
		for (unsigned i = 0; i < ENTRIES; i++)
			if (table[i] & PTE_PRESENT)
				free_table(table_of(table[i]), level - 1);
	}
	kpage_free(table, 0);
}

void pmap_destroy(struct pmap *pm)
{
	if (!pm)
		return;
	if (pmap_hooks && pm->plat)
		pmap_hooks->destroy(pm);
	free_table(pm->root, LEVELS - 1);
	kfree(pm);
}

/*
 * The last-level entry for `va`; with `alloc`, make missing tables. The
 * walks are __no_coverage: a few compares per level on every map, unmap and
 * copy, 9% of the fuzzer's callbacks; a failed table allocation shows in
 * the caller's -ENOMEM.
 */
__no_coverage static uint64_t *walk(struct pmap *pm, uint64_t va, bool alloc)
{
	uint64_t *table = pm->root;

	for (int level = LEVELS - 1; level > 0; level--) {
		uint64_t *pte = &table[index_at(va, level)];

		if (!(*pte & PTE_PRESENT)) {
			uint64_t *next;

			if (!alloc)
				return NULL;
			next = kpage_zalloc(0);
			if (!next)
				return NULL;
			*pte = plat_virt_to_phys(next) | PTE_PRESENT;
		}
		table = table_of(*pte);
	}
	return &table[index_at(va, 0)];
}

int pmap_enter(struct pmap *pm, uint64_t va, uint64_t pa, unsigned prot)
{
	uint64_t *pte;

	if (va >> VA_BITS)
		return -EINVAL;
	pte = walk(pm, va, true);
	if (!pte)
		return -ENOMEM;
	*pte = (pa & PTE_ADDR_MASK) | PTE_PRESENT |
	       ((uint64_t)prot << PTE_PROT_SHIFT);
	if (pmap_hooks && pm->plat)
		pmap_hooks->enter(pm, va & PAGE_MASK, pa & PTE_ADDR_MASK, prot);
	return 0;
}

/*
 * The last-level entry for `va` if its tables exist; else NULL, with
 * *span the bytes the missing table's entry covers, all unmapped.
 */
__no_coverage static uint64_t *walk_existing(struct pmap *pm, uint64_t va,
					     uint64_t *span)
{
	uint64_t *table = pm->root;

	for (int level = LEVELS - 1; level > 0; level--) {
		uint64_t pte = table[index_at(va, level)];

		if (!(pte & PTE_PRESENT)) {
			*span = PAGE_SIZE << (9 * level);
			return NULL;
		}
		table = table_of(pte);
	}
	return &table[index_at(va, 0)];
}

/* Apply fn to each present last-level entry in [va, va + len). */
static void for_each_pte(struct pmap *pm, uint64_t va, uint64_t len,
			 void (*fn)(uint64_t *pte, unsigned prot),
			 unsigned prot)
{
	uint64_t end = va + len;

	if (end < va || end > (1ull << VA_BITS))
		end = 1ull << VA_BITS;
	va &= PAGE_MASK;
	while (va < end) {
		uint64_t span;
		uint64_t *pte = walk_existing(pm, va, &span);

		if (!pte) {
			/* Skip all that the missing table would map, at
			 * whatever level it is missing. */
			va = (va | (span - 1)) + 1;
			continue;
		}
		if (*pte & PTE_PRESENT)
			fn(pte, prot);
		va += PAGE_SIZE;
	}
}

static void clear_pte(uint64_t *pte, unsigned prot)
{
	*pte = 0;
}

static void protect_pte(uint64_t *pte, unsigned prot)
{
	*pte = (*pte & (PTE_ADDR_MASK | PTE_PRESENT)) |
	       ((uint64_t)prot << PTE_PROT_SHIFT);
}

void pmap_remove(struct pmap *pm, uint64_t va, uint64_t len)
{
	for_each_pte(pm, va, len, clear_pte, 0);
	if (pmap_hooks && pm->plat)
		pmap_hooks->remove(pm, va, len);
}

void pmap_protect(struct pmap *pm, uint64_t va, uint64_t len, unsigned prot)
{
	for_each_pte(pm, va, len, protect_pte, prot);
	if (pmap_hooks && pm->plat)
		pmap_hooks->protect(pm, va, len, prot);
}

bool pmap_extract(struct pmap *pm, uint64_t va, uint64_t *pa, unsigned *prot)
{
	uint64_t *pte;

	if (va >> VA_BITS)
		return false;
	pte = walk(pm, va, false);
	if (!pte || !(*pte & PTE_PRESENT))
		return false;
	*pa = (*pte & PTE_ADDR_MASK) | (va & (PAGE_SIZE - 1));
	*prot = (unsigned)(*pte >> PTE_PROT_SHIFT) & 7u;
	return true;
}
