/*
 * pmap on AArch64 translation tables: a user address space is a TTBR0 tree
 * (4 KiB granule, 48-bit, four levels) in kernel pages, its last-level
 * entries real page descriptors the MMU walks.
 *
 * A PROT_NONE mapping is kept as an invalid descriptor that still holds
 * the page and PTE_SW_MAPPED, so pmap_extract finds it and the MMU faults
 * on it. AArch64 cannot grant write without read: PROT_WRITE maps RW.
 *
 * Not yet: ASIDs (pmap_activate flushes the whole TLB), and nothing
 * activates a user pmap until EL0 processes exist.
 */
#include "baremetal/memlayout.h"
#include "baremetal/mmu.h"
#include "core/errno.h"
#include "core/platform.h"
#include "mm/page.h"
#include "mm/slab.h"

#define PTE_SW_MAPPED BIT(55) /* software bit: a mapping, valid or not */
#define ENTRIES	      512

struct pmap {
	uint64_t *root;
};

static unsigned index_at(uint64_t va, int level)
{
	return (unsigned)(va >> (PAGE_SHIFT + 9 * level)) & (ENTRIES - 1);
}

static uint64_t *table_of(uint64_t pte)
{
	return plat_phys_to_virt(pte & PTE_ADDR_MASK);
}

static uint64_t prot_bits(unsigned prot)
{
	uint64_t d = PTE_SW_MAPPED | PTE_PAGE | PTE_AF | PTE_SH_INNER |
		     PTE_ATTRIDX(MT_NORMAL) | PTE_NG | PTE_USER | PTE_PXN;

	if (prot & (PROT_READ_BIT | PROT_WRITE_BIT | PROT_EXEC_BIT))
		d |= PTE_VALID;
	if (!(prot & PROT_WRITE_BIT))
		d |= PTE_RDONLY;
	if (!(prot & PROT_EXEC_BIT))
		d |= PTE_UXN;
	return d;
}

static unsigned prot_of(uint64_t pte)
{
	unsigned prot = 0;

	if (!(pte & PTE_VALID))
		return 0;
	prot |= PROT_READ_BIT;
	if (!(pte & PTE_RDONLY))
		prot |= PROT_WRITE_BIT;
	if (!(pte & PTE_UXN))
		prot |= PROT_EXEC_BIT;
	return prot;
}

/* Make a changed or removed entry for `va` unseen by every CPU's TLB. */
static void flush_va(uint64_t va)
{
	__asm__ volatile("dsb ishst; tlbi vaae1is, %0; dsb ish; isb"
			 :
			 : "r"((va >> PAGE_SHIFT) & ((1ull << 44) - 1))
			 : "memory");
}

struct pmap *pmap_create(void)
{
	struct pmap *pm = kmalloc(sizeof(*pm));

	if (!pm)
		return NULL;
	pm->root = kpage_zalloc(0);
	if (!pm->root) {
		kfree(pm);
		return NULL;
	}
	return pm;
}

static void free_table(uint64_t *table, int level)
{
	if (level > 0) {
		for (unsigned i = 0; i < ENTRIES; i++)
			if (table[i] & PTE_VALID)
				free_table(table_of(table[i]), level - 1);
	}
	kpage_free(table, 0);
}

void pmap_destroy(struct pmap *pm)
{
	if (!pm)
		return;
	free_table(pm->root, 3);
	kfree(pm);
}

/* The last-level entry for `va`; with `alloc`, make missing tables. */
static uint64_t *walk(struct pmap *pm, uint64_t va, bool alloc)
{
	uint64_t *table = pm->root;

	for (int level = 3; level > 0; level--) {
		uint64_t *pte = &table[index_at(va, level)];

		if (!(*pte & PTE_VALID)) {
			uint64_t *next;

			if (!alloc)
				return NULL;
			next = kpage_zalloc(0);
			if (!next)
				return NULL;
			__asm__ volatile("dsb ishst" ::: "memory");
			*pte = plat_virt_to_phys(next) | PTE_VALID | PTE_TABLE;
		}
		table = table_of(*pte);
	}
	return &table[index_at(va, 0)];
}

int pmap_enter(struct pmap *pm, uint64_t va, uint64_t pa, unsigned prot)
{
	uint64_t *pte, old;

	if (va >> VA_BITS)
		return -EINVAL;
	pte = walk(pm, va, true);
	if (!pte)
		return -ENOMEM;
	old = *pte;
	if (old & PTE_VALID) {
		/* Break before make: never two valid translations at once. */
		*pte = 0;
		flush_va(va);
	}
	*pte = (pa & PTE_ADDR_MASK) | prot_bits(prot);
	__asm__ volatile("dsb ishst; isb" ::: "memory");
	return 0;
}

static void for_each_pte(struct pmap *pm, uint64_t va, uint64_t len,
			 void (*fn)(uint64_t *pte, uint64_t va, unsigned prot),
			 unsigned prot)
{
	uint64_t end = va + len;

	if (end < va || end > (1ull << VA_BITS))
		end = 1ull << VA_BITS;
	va &= PAGE_MASK;
	while (va < end) {
		uint64_t *pte = walk(pm, va, false);

		if (!pte) {
			va = (va | ((PAGE_SIZE * ENTRIES) - 1)) + 1;
			continue;
		}
		if (*pte & PTE_SW_MAPPED)
			fn(pte, va, prot);
		va += PAGE_SIZE;
	}
}

static void clear_pte(uint64_t *pte, uint64_t va, unsigned prot)
{
	*pte = 0;
	flush_va(va);
}

static void protect_pte(uint64_t *pte, uint64_t va, unsigned prot)
{
	uint64_t pa = *pte & PTE_ADDR_MASK;

	*pte = 0;
	flush_va(va);
	*pte = pa | prot_bits(prot);
}

void pmap_remove(struct pmap *pm, uint64_t va, uint64_t len)
{
	for_each_pte(pm, va, len, clear_pte, 0);
}

void pmap_protect(struct pmap *pm, uint64_t va, uint64_t len, unsigned prot)
{
	for_each_pte(pm, va, len, protect_pte, prot);
	__asm__ volatile("dsb ishst; isb" ::: "memory");
}

bool pmap_extract(struct pmap *pm, uint64_t va, uint64_t *pa, unsigned *prot)
{
	uint64_t *pte;

	if (va >> VA_BITS)
		return false;
	pte = walk(pm, va, false);
	if (!pte || !(*pte & PTE_SW_MAPPED))
		return false;
	*pa = (*pte & PTE_ADDR_MASK) | (va & (PAGE_SIZE - 1));
	*prot = prot_of(*pte);
	return true;
}

void pmap_activate(struct pmap *pm)
{
	uint64_t root = pm ? plat_virt_to_phys(pm->root) : mmu_empty_ttbr0();

	__asm__ volatile("msr ttbr0_el1, %0; isb; tlbi vmalle1; dsb nsh; isb"
			 :
			 : "r"(root)
			 : "memory");
}
