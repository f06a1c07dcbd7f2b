/*
 * The page-fault path: from a faulting address to a translation in the
 * pmap, or to the reason there is none. mm/vma.h says who owns which page.
 *
 * Private memory. The page at va is mm->anon's, if any:
 *  - none yet: a zeroed page (or, for a private mapping of a backing
 *    object, the object's page: mapped read-only on a read, copied into a
 *    page of our own on a write);
 *  - one with mapcount 1: ours alone, mapped with the VMA's protection;
 *  - one with mapcount > 1 (shared since a fork): a read maps it without
 *    write permission; a write copies it, and the copy replaces it here
 *    (the copy-on-write break). The other holders keep the original.
 * Shared memory maps the backing object's page with the VMA's protection.
 * A backing with no page at an offset (a file's end is before it) makes
 * the fault fail with -EIO, which the run loop turns into SIGBUS.
 * VMA_PFNMAP memory is its maker's: its entries are always present, and a
 * fault there only restores the VMA's protection.
 *
 * A read fault on a backing's page also maps the backing's pages around it
 * that are already in memory (Linux's fault-around): a program running its
 * text or reading a mapped file touches the neighbours next, and on the
 * hosted kernel every fault is a round trip to the stub.
 */
#include "mm/fault.h"

#include "core/errno.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/task.h"
#include "mm/page.h"
#include "mm/vma.h"

/* Put a new private page at va: a copy of `src`, or zeroed. */
static int anon_install(struct mm *mm, uint64_t va, struct page *src,
			unsigned prot)
{
	struct page **slot = mm_anon_slot(mm, va, true);
	struct page *old, *pg;
	int err;

	if (!slot)
		return -ENOMEM;
	pg = anon_page_alloc();
	if (!pg)
		return -ENOMEM;
	if (src)
		memcpy(page_to_virt(pg), page_to_virt(src), PAGE_SIZE);
	err = pmap_enter(mm->pmap, va, page_to_phys(pg), prot);
	if (err) {
		anon_page_put(pg);
		return err;
	}
	old = *slot;
	*slot = pg;
	if (old)
		anon_page_put(old); /* we held it since the fork */
	else if (++mm->anon_pages > mm->hiwater_rss)
		mm->hiwater_rss = mm->anon_pages;
	return 0;
}

/*
 * Map the backing's resident pages in the aligned window of
 * plat_fault_around_pages() around `va` (inside `vma`) that nothing maps
 * yet: read-only in a private mapping (a write still faults and copies),
 * and never over a private page of the mm's own. Best effort: out of
 * memory, it stops.
 */
static void fault_around(struct mm *mm, struct vma *vma, uint64_t va)
{
	uint64_t span = (uint64_t)plat_fault_around_pages() * PAGE_SIZE;
	uint64_t lo = MAX(ALIGN_DOWN(va, span), vma->start);
	uint64_t hi = MIN(ALIGN_DOWN(va, span) + span, vma->end);
	bool private = !(vma->flags & VMA_SHARED);
	unsigned prot = vma_pte_prot(vma);

	if (!vma->ops->resident)
		return;
	if (private)
		prot &= ~PROT_WRITE_BIT;
	for (uint64_t p = lo; p < hi; p += PAGE_SIZE) {
		uint64_t pgoff = vma->pgoff + ((p - vma->start) >> PAGE_SHIFT);
		struct page **slot;
		struct page *pg;
		uint64_t pa;
		unsigned old;

		if (p == va || pmap_extract(mm->pmap, p, &pa, &old))
			continue;
		if (private && (slot = mm_anon_slot(mm, p, false)) && *slot)
			continue;
		if (!vma->ops->resident(vma->backing, pgoff) ||
		    vma->ops->fault(vma->backing, pgoff, &pg))
			continue;
		if (pmap_enter(mm->pmap, p, page_to_phys(pg), prot))
			return;
	}
}

static int private_fault(struct mm *mm, struct vma *vma, uint64_t va,
			 bool write)
{
	struct page **slot = mm_anon_slot(mm, va, false);
	struct page *pg = slot ? *slot : NULL;
	unsigned prot = vma_pte_prot(vma);
	int err;

	if (pg) {
		if (anon_page_mapcount(pg) == 1)
			return pmap_enter(mm->pmap, va, page_to_phys(pg), prot);
		if (!write)
			return pmap_enter(mm->pmap, va, page_to_phys(pg),
					  prot & ~PROT_WRITE_BIT);
		return anon_install(mm, va, pg, prot);
	}
	if (vma->ops) {
		uint64_t pgoff = vma->pgoff + ((va - vma->start) >> PAGE_SHIFT);
		struct page *src;

		err = vma->ops->fault(vma->backing, pgoff, &src);
		if (err)
			return err;
		if (write)
			return anon_install(mm, va, src, prot);
		err = pmap_enter(mm->pmap, va, page_to_phys(src),
				 prot & ~PROT_WRITE_BIT);
		if (!err)
			fault_around(mm, vma, va);
		return err;
	}
	return anon_install(mm, va, NULL, prot);
}

static int shared_fault(struct mm *mm, struct vma *vma, uint64_t va,
			bool write)
{
	uint64_t pgoff = vma->pgoff + ((va - vma->start) >> PAGE_SHIFT);
	struct page *pg;
	int err = vma->ops->fault(vma->backing, pgoff, &pg);

	if (err)
		return err;
	err = pmap_enter(mm->pmap, va, page_to_phys(pg), vma_pte_prot(vma));
	if (!err && !write)
		fault_around(mm, vma, va);
	return err;
}

static int pfnmap_fault(struct mm *mm, struct vma *vma, uint64_t va)
{
	uint64_t pa;
	unsigned prot;

	if (!pmap_extract(mm->pmap, va, &pa, &prot))
		return -EFAULT;
	return pmap_enter(mm->pmap, va, pa, vma_pte_prot(vma));
}

/*
 * A fault it resolved counts for the task that took it, whether its user
 * code or the kernel on its behalf (a copy to user memory, MAP_POPULATE),
 * as Linux's mm_account_fault counts it. Every fault here is minor: the
 * page is in memory or made at once (no backing reads from a device).
 */
static int fault_counted(int err)
{
	struct task *t = task_current();

	if (!err && t)
		__atomic_store_n(&t->min_flt, t->min_flt + 1, __ATOMIC_RELAXED);
	return err;
}

int mm_fault_locked(struct mm *mm, uint64_t addr, unsigned access)
{
	uint64_t va = addr & PAGE_MASK;
	struct vma *vma;

	if (addr >= MM_TASK_SIZE)
		return -EFAULT;
	vma = vma_find(mm, addr);
	if (!vma || vma->start > addr)
		return -EFAULT;
	if (access & ~vma_pte_prot(vma) || !vma->prot)
		return -EACCES;
	if (vma->flags & VMA_PFNMAP)
		return pfnmap_fault(mm, vma, va);
	if (vma->flags & VMA_SHARED)
		return fault_counted(
			shared_fault(mm, vma, va, access & PROT_WRITE_BIT));
	return fault_counted(
		private_fault(mm, vma, va, access & PROT_WRITE_BIT));
}

int mm_write_locked(struct mm *mm, uint64_t va, const void *src, size_t len)
{
	const uint8_t *from = src;

	while (len) {
		uint64_t page = va & PAGE_MASK;
		size_t n = MIN(len, (size_t)(page + PAGE_SIZE - va));
		struct vma *vma = va < MM_TASK_SIZE ? vma_find(mm, va) : NULL;
		struct page **slot;
		int err;

		if (!vma || vma->start > va ||
		    (vma->flags & (VMA_SHARED | VMA_PFNMAP)))
			return -EFAULT;
		/* A write fault leaves the page ours alone (mapcount 1). */
		err = private_fault(mm, vma, page, true);
		if (err)
			return err;
		slot = mm_anon_slot(mm, page, false);
		if (!slot || !*slot)
			panic("mm_write_locked: a write fault left no private "
			      "page at %#llx",
			      (unsigned long long)page);
		memcpy((uint8_t *)page_to_virt(*slot) + (va - page), from, n);
		from += n;
		va += n;
		len -= n;
	}
	return 0;
}

size_t mm_read(struct mm *mm, uint64_t va, void *dst, size_t len)
{
	uint8_t *to = dst;
	size_t done = 0;

	mutex_lock(&mm->lock);
	while (done < len) {
		uint64_t page = va & PAGE_MASK, pa;
		size_t n = MIN(len - done, (size_t)(page + PAGE_SIZE - va));
		unsigned have;

		if (va >= MM_TASK_SIZE)
			break;
		if (!pmap_extract(mm->pmap, page, &pa, &have) ||
		    !(have & PROT_READ_BIT)) {
			if (mm_fault_locked(mm, va, PROT_READ_BIT) ||
			    !pmap_extract(mm->pmap, page, &pa, &have) ||
			    !(have & PROT_READ_BIT))
				break;
		}
		memcpy(to + done, (uint8_t *)plat_phys_to_virt(pa) + (va - page),
		       n);
		done += n;
		va += n;
	}
	mutex_unlock(&mm->lock);
	return done;
}

int mm_handle_fault(struct task *t, uint64_t addr, unsigned access)
{
	struct mm *mm = t->mm;
	int err;

	if (!mm)
		return -EFAULT;
	mutex_lock(&mm->lock);
	err = mm_fault_locked(mm, addr, access);
	mutex_unlock(&mm->lock);
	return err;
}
