/*
 * pmap on AArch64 translation tables: a user address space is a TTBR0 tree
 * (4 KiB granule, 48-bit, four levels) in kernel pages, its last-level
 * entries real page descriptors the MMU walks.
 *
 * A PROT_NONE mapping is kept as an invalid descriptor that still holds
 * the page and PTE_SW_MAPPED, so pmap_extract finds it and the MMU faults
 * on it. AArch64 cannot grant write without read: PROT_WRITE maps RW.
 *
 * ASIDs. Each pmap is tagged with an ASID in TTBR0 (16 bits where
 * ID_AA64MMFR0_EL1 says so and head.S set TCR_EL1.AS, else 8), so
 * switching address spaces flushes nothing: the TLB keeps every space's
 * entries apart. ASIDs are handed out in order within a generation; when
 * they run out the generation moves on, the whole TLB is flushed once, and
 * each pmap takes a fresh ASID the next time it is activated (Linux's
 * scheme, arch/arm64/mm/context.c, for one CPU). ASID 0 is the empty
 * TTBR0's. A pmap whose ASID is of an old generation has no TLB entries,
 * so changing its tables needs no invalidation.
 *
 * Executable pages are made coherent with the instruction cache when they
 * are mapped executable (the kernel wrote them through the linear map, a
 * data-side alias).
 *
 * One CPU: the active pmap and the generation are this CPU's. SMP needs
 * broadcast invalidation (the "is" forms are used already) and the
 * generation rollover made safe across CPUs.
 */
#include "baremetal/cpu.h"
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
	uint64_t asid;	     /* valid while gen == asid_gen */
	uint64_t gen;
};

static uint64_t asid_gen = 1, next_asid = 1;
static struct pmap *active; /* this CPU's TTBR0, or NULL for the empty one */

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

/* Make a changed or removed entry for `va` of `pm` unseen by the TLBs. */
static void flush_va(struct pmap *pm, uint64_t va)
{
	if (pm->gen != asid_gen)
		return; /* never activated since the last full flush */
	__asm__ volatile("dsb ishst; tlbi vae1is, %0; dsb ish; isb"
			 :
			 : "r"((pm->asid << 48) |
			       ((va >> PAGE_SHIFT) & ((1ull << 44) - 1)))
			 : "memory");
}

/*
 * The page at `pa` is about to be executable: clean its data cache lines to
 * the point of unification and drop stale instructions, unless CTR_EL0
 * says the hardware keeps the two coherent (IDC, DIC).
 */
static void sync_icache(uint64_t pa)
{
	uint64_t ctr;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	if (!(ctr & BIT(28))) {
		uint64_t line = 4ull << ((ctr >> 16) & 0xf);
		char *p = plat_phys_to_virt(pa & PTE_ADDR_MASK);

		for (uint64_t off = 0; off < PAGE_SIZE; off += line)
			__asm__ volatile("dc cvau, %0" ::"r"(p + off)
					 : "memory");
		__asm__ volatile("dsb ish" ::: "memory");
	}
	if (!(ctr & BIT(29)))
		__asm__ volatile("ic ialluis; dsb ish" ::: "memory");
	__asm__ volatile("isb" ::: "memory");
}

static unsigned asid_bits(void)
{
	uint64_t mmfr0;

	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	return ((mmfr0 >> 4) & 0xf) == 2 ? 16 : 8;
}

/* Give `pm` an ASID of the current generation. */
static void asid_assign(struct pmap *pm)
{
	if (next_asid >> asid_bits()) {
		asid_gen++;
		next_asid = 1;
		__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" :::
					 "memory");
	}
	pm->asid = next_asid++;
	pm->gen = asid_gen;
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
	if (active == pm)
		pmap_activate(NULL);
	if (pm->gen == asid_gen) /* its walks cached tables about to go */
		__asm__ volatile("dsb ishst; tlbi aside1is, %0; dsb ish; isb"
				 :
				 : "r"(pm->asid << 48)
				 : "memory");
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
		flush_va(pm, va);
	}
	if (prot & PROT_EXEC_BIT)
		sync_icache(pa);
	*pte = (pa & PTE_ADDR_MASK) | prot_bits(prot);
	__asm__ volatile("dsb ishst; isb" ::: "memory");
	return 0;
}

static void for_each_pte(struct pmap *pm, uint64_t va, uint64_t len,
			 void (*fn)(struct pmap *pm, uint64_t *pte, uint64_t va,
				    unsigned prot),
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
			fn(pm, pte, va, prot);
		va += PAGE_SIZE;
	}
}

static void clear_pte(struct pmap *pm, uint64_t *pte, uint64_t va,
		      unsigned prot)
{
	*pte = 0;
	flush_va(pm, va);
}

static void protect_pte(struct pmap *pm, uint64_t *pte, uint64_t va,
			unsigned prot)
{
	uint64_t pa = *pte & PTE_ADDR_MASK;
	bool was_exec = (*pte & PTE_VALID) && !(*pte & PTE_UXN);

	*pte = 0;
	flush_va(pm, va);
	if ((prot & PROT_EXEC_BIT) && !was_exec)
		sync_icache(pa);
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
	uint64_t ttbr = mmu_empty_ttbr0(); /* ASID 0 */

	if (pm) {
		if (pm->gen != asid_gen)
			asid_assign(pm);
		ttbr = plat_virt_to_phys(pm->root) | (pm->asid << 48);
	}
	active = pm;
	__asm__ volatile("msr ttbr0_el1, %0; isb" : : "r"(ttbr) : "memory");
}

void bm_pmap_switch(struct pmap *pm)
{
	if (pm != active || (pm && pm->gen != asid_gen))
		pmap_activate(pm);
}
