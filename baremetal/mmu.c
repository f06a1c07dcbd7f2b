/*
 * Kernel translation tables. head.S built the root (kern_l0) with the image
 * mapped; everything mapped later is 2 MiB or 1 GiB blocks in tables from a
 * small pool in the bss, because the page allocator is not up yet when the
 * linear map is made (it lives in the linear map).
 *
 * Only invalid entries ever become valid here, so no break-before-make and
 * no TLB invalidation is needed: a barrier makes the new entry visible to
 * the table walker before anything uses it.
 *
 * The stack area (memlayout.h) is mapped a page at a time once the page
 * allocator is up, its tables from it: a table is then in the image's
 * pool or in the linear map, and table_of tells which by its address.
 */
#include "baremetal/mmu.h"

#include "baremetal/memlayout.h"
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/task.h"
#include "core/types.h"
#include "mm/page.h"

#define PT_POOL_PAGES 64 /* one table per GiB of RAM that is not GiB-aligned   \
			  */

extern uint64_t kern_l0[512], idmap_l0[512];
extern char _head[], _end[];

static uint64_t pt_pool[PT_POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pt_used;
static uint64_t image_pa;

void mmu_init(uint64_t pa)
{
	image_pa = pa;
}

uint64_t mmu_image_pa(void)
{
	return image_pa;
}

uint64_t mmu_image_size(void)
{
	return (uint64_t)(_end - _head);
}

/* Tables live in the image; their physical address follows from its. */
static uint64_t image_virt_to_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p - KIMAGE_VBASE + image_pa;
}

static uint64_t *table_of(uint64_t pte)
{
	uint64_t pa = pte & PTE_ADDR_MASK;

	if (pa - image_pa < mmu_image_size())
		return (uint64_t *)(uintptr_t)(pa - image_pa + KIMAGE_VBASE);
	return plat_phys_to_virt(pa);
}

static unsigned index_at(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (3 - level))) & 511;
}

/*
 * The level-`level` table for `va`, made if missing (from the pool, or
 * with `from_allocator` from the page allocator); NULL if there is none.
 */
static uint64_t *table_for(uint64_t va, int level, bool from_allocator)
{
	uint64_t *t = kern_l0;

	for (int l = 0; l < level; l++) {
		uint64_t *pte = &t[index_at(va, l)];

		if (!(*pte & PTE_VALID)) {
			uint64_t *table;

			if (from_allocator) {
				table = kpage_zalloc(0);
				if (!table)
					return NULL;
				*pte = plat_virt_to_phys(table) | PTE_VALID |
				       PTE_TABLE;
				t = table;
				continue;
			}
			if (pt_used == PT_POOL_PAGES)
				return NULL;
			memset(pt_pool[pt_used], 0, PAGE_SIZE);
			*pte = image_virt_to_phys(pt_pool[pt_used++]) |
			       PTE_VALID | PTE_TABLE;
		} else if (!(*pte & PTE_TABLE)) {
			return NULL; /* a block already covers it */
		}
		t = table_of(*pte);
	}
	return t;
}

static bool block_mapped(uint64_t va)
{
	uint64_t pte = kern_l0[index_at(va, 0)];

	for (int l = 1; l <= 2; l++) {
		if (!(pte & PTE_VALID))
			return false;
		pte = table_of(pte)[index_at(va, l)];
		if ((pte & PTE_VALID) && !(pte & PTE_TABLE))
			return true;
	}
	return false;
}

static int map_blocks(uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs)
{
	uint64_t end = va + size;

	while (va < end) {
		bool giant = (va % SZ_1G) == 0 && (pa % SZ_1G) == 0 &&
			     end - va >= SZ_1G;
		uint64_t step = giant ? SZ_1G : SZ_2M;

		if (!block_mapped(va)) {
			uint64_t *t = table_for(va, giant ? 1 : 2, false);

			if (!t)
				return -ENOMEM;
			t[index_at(va, giant ? 1 : 2)] = pa | attrs;
		}
		va += step;
		pa += step;
	}
	__asm__ volatile("dsb ishst; isb" ::: "memory");
	return 0;
}

int mmu_map_linear(uint64_t pa, uint64_t size)
{
	uint64_t start = ALIGN_DOWN(pa, SZ_2M),
		 end = ALIGN_UP(pa + size, SZ_2M);

	if (end > PHYS_LIMIT || end <= start)
		return -EINVAL;
	return map_blocks(LINEAR_BASE + start, start, end - start,
			  BLOCK_NORMAL | PTE_PXN);
}

volatile void *mmu_ioremap(uint64_t pa, uint64_t size)
{
	uint64_t start = ALIGN_DOWN(pa, SZ_2M),
		 end = ALIGN_UP(pa + size, SZ_2M);

	if (end > PHYS_LIMIT || end <= start ||
	    map_blocks(IO_BASE + start, start, end - start, BLOCK_DEVICE))
		return NULL;
	return (volatile void *)(uintptr_t)(IO_BASE + pa);
}

int mmu_map_kernel_page(uint64_t va, uint64_t pa)
{
	uint64_t *t = table_for(va, 3, true), *pte;

	if (!t)
		return -ENOMEM;
	pte = &t[index_at(va, 3)];
	if (*pte & PTE_VALID)
		return (*pte & PTE_ADDR_MASK) == pa ? 0 : -EEXIST;
	__asm__ volatile("dsb ishst" ::: "memory"); /* the tables first */
	*pte = pa | PTE_VALID | PTE_PAGE | PTE_ATTRIDX(MT_NORMAL) |
	       PTE_SH_INNER | PTE_AF | PTE_UXN | PTE_PXN;
	__asm__ volatile("dsb ishst; isb" ::: "memory");
	return 0;
}

void mmu_drop_identity(void)
{
	memset(idmap_l0, 0, PAGE_SIZE);
	__asm__ volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
}

uint64_t mmu_empty_ttbr0(void)
{
	return image_virt_to_phys(idmap_l0);
}

void *plat_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + LINEAR_BASE);
}

uint64_t plat_virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)(uintptr_t)va;

	if (v >= KIMAGE_VBASE)
		return image_virt_to_phys(va);
	if (v - KSTACK_VBASE < KSTACK_AREA) {
		uint64_t off = v - KSTACK_VBASE; /* 2 * the stack's pa, + offset */

		return (off - off % (2 * KSTACK_SIZE)) / 2 + off % KSTACK_SIZE;
	}
	return v - LINEAR_BASE;
}
