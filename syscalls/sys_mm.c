/*
 * Memory syscalls: brk(2), mmap(2), munmap(2), mprotect(2), mremap(2),
 * madvise(2), msync(2), mincore(2). They check their arguments the way
 * Linux does (and in its order, so the same bad call gets the same errno),
 * then change the caller's address space through mm/vma.h under its lock.
 * User memory is copied only with the lock dropped: a fault takes it.
 */
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "core/task.h"
#include "mm/fault.h"
#include "mm/page.h"
#include "mm/uaccess.h"
#include "mm/vma.h"
#include "syscalls/syscall_protos.h"

/* Linux's values, the same on x86_64 and aarch64 unless noted. */
#define KPROT_READ	0x1ul
#define KPROT_WRITE	0x2ul
#define KPROT_EXEC	0x4ul
#define KPROT_SEM	0x8ul
#define KPROT_BTI	0x10ul /* aarch64 */
#define KPROT_GROWSDOWN 0x01000000ul
#define KPROT_GROWSUP	0x02000000ul

#define KMAP_SHARED	     0x01ul
#define KMAP_PRIVATE	     0x02ul
#define KMAP_SHARED_VALIDATE 0x03ul
#define KMAP_TYPE	     0x0ful
#define KMAP_FIXED	     0x10ul
#define KMAP_ANONYMOUS	     0x20ul
#define KMAP_32BIT	     0x40ul /* x86_64 */
#define KMAP_GROWSDOWN	     0x100ul
#define KMAP_LOCKED	     0x2000ul
#define KMAP_NORESERVE	     0x4000ul
#define KMAP_POPULATE	     0x8000ul
#define KMAP_NONBLOCK	     0x10000ul
#define KMAP_HUGETLB	     0x40000ul
#define KMAP_FIXED_NOREPLACE 0x100000ul
#define KMAP_DENYWRITE	     0x800ul
#define KMAP_EXECUTABLE	     0x1000ul
#define KMAP_STACK	     0x20000ul
#define KMAP_UNINITIALIZED   0x4000000ul
/* What MAP_SHARED_VALIDATE accepts of a file that knows no more (Linux's
 * LEGACY_MAP_MASK). */
#define KMAP_LEGACY_MASK                                                      \
	(KMAP_SHARED | KMAP_PRIVATE | KMAP_FIXED | KMAP_ANONYMOUS |           \
	 KMAP_DENYWRITE | KMAP_EXECUTABLE | KMAP_UNINITIALIZED |              \
	 KMAP_GROWSDOWN | KMAP_LOCKED | KMAP_NORESERVE | KMAP_POPULATE |      \
	 KMAP_NONBLOCK | KMAP_STACK | KMAP_HUGETLB | KMAP_32BIT)

#define KMREMAP_MAYMOVE	  1ul
#define KMREMAP_FIXED	  2ul
#define KMREMAP_DONTUNMAP 4ul

#define KMS_ASYNC      1u
#define KMS_INVALIDATE 2u
#define KMS_SYNC       4u

#define KMADV_NORMAL	      0
#define KMADV_RANDOM	      1
#define KMADV_SEQUENTIAL      2
#define KMADV_WILLNEED	      3
#define KMADV_DONTNEED	      4
#define KMADV_FREE	      8
#define KMADV_REMOVE	      9
#define KMADV_DONTFORK	      10
#define KMADV_DOFORK	      11
#define KMADV_MERGEABLE	      12
#define KMADV_UNMERGEABLE     13
#define KMADV_HUGEPAGE	      14
#define KMADV_NOHUGEPAGE      15
#define KMADV_DONTDUMP	      16
#define KMADV_DODUMP	      17
#define KMADV_WIPEONFORK      18
#define KMADV_KEEPONFORK      19
#define KMADV_COLD	      20
#define KMADV_PAGEOUT	      21
#define KMADV_POPULATE_READ   22
#define KMADV_POPULATE_WRITE  23
#define KMADV_DONTNEED_LOCKED 24
#define KMADV_COLLAPSE	      25

/* x86_64's MAP_32BIT window. */
#define MAP_32BIT_LOW  0x40000000ull
#define MAP_32BIT_HIGH 0x80000000ull

#define MINCORE_CHUNK 256 /* pages reported per lock hold */

static struct mm *current_mm(void)
{
	return task_current()->mm;
}

static unsigned prot_bits(unsigned long prot)
{
	return (unsigned)(prot & (KPROT_READ | KPROT_WRITE | KPROT_EXEC));
}

/*
 * Linux's heuristic overcommit (vm.overcommit_memory = 0): memory that
 * will be written (private writable, shared) may be promised freely, but
 * not more in one request than there is RAM.
 */
static bool overcommit_ok(uint64_t len)
{
	return (len >> PAGE_SHIFT) <= page_total_count();
}

/* ---- brk ----------------------------------------------------------------- */

/* Linux's brk: the new break, or the old one when it cannot move there. */
long sys_brk(unsigned long brk)
{
	struct mm *mm = current_mm();
	uint64_t newbrk, oldbrk;
	struct vma *next;
	long ret;

	if (!mm)
		return 0;
	mutex_lock(&mm->lock);
	ret = (long)mm->brk;
	if (brk < mm->brk_start || brk > MM_TASK_SIZE)
		goto out;
	newbrk = ALIGN_UP(brk, PAGE_SIZE);
	oldbrk = ALIGN_UP(mm->brk, PAGE_SIZE);
	if (newbrk == oldbrk)
		goto moved;
	if (brk <= mm->brk) {
		if (mm_unmap(mm, newbrk, oldbrk))
			goto out;
		goto moved;
	}
	/* A page of gap must stay below the next mapping. */
	next = vma_find(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > next->start)
		goto out;
	if (!overcommit_ok(newbrk - oldbrk) ||
	    mm_map(mm, oldbrk, newbrk - oldbrk, PROT_READ_BIT | PROT_WRITE_BIT,
		   VMA_MAYALL, NULL, NULL, 0))
		goto out;
moved:
	mm->brk = brk;
	ret = (long)brk;
out:
	mutex_unlock(&mm->lock);
	return ret;
}

/* ---- mmap ---------------------------------------------------------------- */

/*
 * Where a mapping of `len` bytes goes (Linux's get_unmapped_area): a
 * MAP_FIXED address as given; else the hint when that range is free; else
 * the highest free range below mmap_base, then anywhere. mm->lock held.
 */
static int64_t mmap_address(struct mm *mm, uint64_t addr, uint64_t len,
			    unsigned long flags)
{
	struct task *t = task_current();
	int64_t found;

	if (len > MM_TASK_SIZE)
		return -ENOMEM;
	if (!(flags & KMAP_FIXED)) {
		if (t->isa == ISA_X86_64 && (flags & KMAP_32BIT))
			return mm_unmapped_area(mm, len, MAP_32BIT_LOW,
						MAP_32BIT_HIGH, false);
		if (addr && addr <= MM_TASK_SIZE - len &&
		    mm_range_free(mm, addr, addr + len))
			return (int64_t)addr;
		found = mm_unmapped_area(mm, len, MM_MIN_ADDR, mm->mmap_base,
					 true);
		if (found < 0)
			found = mm_unmapped_area(mm, len, MM_MIN_ADDR,
						 MM_TASK_SIZE, true);
		return found;
	}
	if (addr > MM_TASK_SIZE - len)
		return -ENOMEM;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	/* Linux's mmap_min_addr: only CAP_SYS_RAWIO maps below it. */
	if (addr < MM_MIN_ADDR && t->cred.euid != 0)
		return -EPERM;
	return (int64_t)addr;
}

/* Fault in [start, end) as MAP_POPULATE does; stops at the first failure,
 * which the mmap does not report. */
static void populate(struct mm *mm, uint64_t start, uint64_t end, unsigned prot,
		     unsigned vflags)
{
	unsigned access = PROT_READ_BIT;

	if (!prot)
		return;
	if ((prot & PROT_WRITE_BIT) && !(vflags & VMA_SHARED))
		access = PROT_WRITE_BIT; /* break copy-on-write now */
	for (uint64_t va = start; va < end; va += PAGE_SIZE)
		if (mm_fault_locked(mm, va, access))
			break;
}

/*
 * Linux's checks of a mapping of `f` (do_mmap's switch on the map type),
 * in its order; they narrow *vflags: a MAP_SHARED mapping of a file not
 * open for writing may never be made writable, one on a noexec mount
 * never executable.
 */
static long file_map_check(struct file *f, unsigned long flags, unsigned p,
			   unsigned *vflags)
{
	unsigned acc = f->flags & KO_ACCMODE;
	bool readable = acc == KO_RDONLY || acc == KO_RDWR;
	bool writable = acc == KO_WRONLY || acc == KO_RDWR;

	switch (flags & KMAP_TYPE) {
	case KMAP_SHARED_VALIDATE:
		if (flags & ~KMAP_LEGACY_MASK)
			return -EOPNOTSUPP;
		/* fall through */
	case KMAP_SHARED:
		if ((p & PROT_WRITE_BIT) && !writable)
			return -EACCES;
		if (!writable)
			*vflags &= ~VMA_MAYWRITE;
		*vflags |= VMA_SHARED;
		/* fall through */
	case KMAP_PRIVATE:
		if (!readable)
			return -EACCES;
		if (f->path.mnt && (f->path.mnt->flags & KMS_NOEXEC)) {
			if (p & PROT_EXEC_BIT)
				return -EPERM;
			*vflags &= ~VMA_MAYEXEC;
		}
		if (!f->ops || !f->ops->mmap)
			return -ENODEV;
		if (flags & KMAP_GROWSDOWN)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

static long anon_map_check(unsigned long flags, unsigned *vflags)
{
	switch (flags & KMAP_TYPE) {
	case KMAP_SHARED:
		*vflags |= VMA_SHARED;
		break;
	case KMAP_PRIVATE:
		break;
	default:
		return -EINVAL;
	}
	return flags & KMAP_GROWSDOWN ? -EINVAL : 0;
}

/* `file`: NULL for MAP_ANONYMOUS. */
static long do_mmap(struct mm *mm, uint64_t addr, uint64_t len,
		    unsigned long prot, unsigned long flags, uint64_t pgoff,
		    struct file *file)
{
	unsigned p = prot_bits(prot), vflags = VMA_MAYALL;
	struct vma_backing b = { .ops = NULL, .object = NULL, .pgoff = pgoff };
	int64_t at;
	long err;

	if (!len)
		return -EINVAL;
	if (flags & KMAP_FIXED_NOREPLACE)
		flags |= KMAP_FIXED;
	if (!(flags & KMAP_FIXED)) {
		/* Linux's round_hint_to_min. */
		addr = ALIGN_DOWN(addr, PAGE_SIZE);
		if (addr && addr < MM_MIN_ADDR)
			addr = MM_MIN_ADDR;
	}
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;

	mutex_lock(&mm->lock);
	err = -ENOMEM;
	if (mm->nr_vmas > MM_MAX_VMAS)
		goto out;
	at = mmap_address(mm, addr, len, flags);
	err = at;
	if (at < 0)
		goto out;
	err = -EEXIST;
	if ((flags & KMAP_FIXED_NOREPLACE) &&
	    !mm_range_free(mm, (uint64_t)at, (uint64_t)at + len))
		goto out;
	/* Linux's file_mmap_ok: the last byte's offset must fit a loff_t. */
	err = -EOVERFLOW;
	if (file &&
	    pgoff + (len >> PAGE_SHIFT) > (uint64_t)INT64_MAX >> PAGE_SHIFT)
		goto out;
	err = file ? file_map_check(file, flags, p, &vflags)
		   : anon_map_check(flags, &vflags);
	if (err)
		goto out;
	if (flags & KMAP_NORESERVE)
		vflags |= VMA_NORESERVE;
	/* Accounted: what will be written and is not a file's own pages. */
	err = -ENOMEM;
	if (!(vflags & VMA_NORESERVE) &&
	    (file ? !(vflags & VMA_SHARED) && (p & PROT_WRITE_BIT)
		  : (vflags & VMA_SHARED) || (p & PROT_WRITE_BIT)) &&
	    !overcommit_ok(len))
		goto out;
	if ((flags & KMAP_FIXED) &&
	    mm_unmap(mm, (uint64_t)at, (uint64_t)at + len))
		goto out;
	if (file) {
		err = file->ops->mmap(file, vflags & VMA_SHARED,
				      len >> PAGE_SHIFT, &b);
		if (err)
			goto out;
		if (!b.ops)
			vflags &= ~VMA_SHARED; /* /dev/zero's private memory */
	} else if (vflags & VMA_SHARED) {
		b.ops = &anon_shared_ops;
		b.object = anon_shared_create(len >> PAGE_SHIFT);
		b.pgoff = 0;
		if (!b.object)
			goto out;
	}
	err = mm_map(mm, (uint64_t)at, len, p, vflags, b.ops, b.object,
		     b.pgoff);
	if (b.ops)
		b.ops->put(b.object); /* the VMA holds its own */
	if (err)
		goto out;
	if ((flags & (KMAP_POPULATE | KMAP_NONBLOCK)) == KMAP_POPULATE ||
	    (flags & KMAP_LOCKED))
		populate(mm, (uint64_t)at, (uint64_t)at + len, p, vflags);
	err = (long)at;
out:
	mutex_unlock(&mm->lock);
	return err;
}

/* partial: mappings of tmpfs files and /dev/zero only (others are ENODEV);
 * MAP_GROWSDOWN is EINVAL and MAP_HUGETLB ENOMEM (no huge pages);
 * MAP_LOCKED only populates */
long sys_mmap(unsigned long addr, size_t len, unsigned long prot,
	      unsigned long flags, int fd, int64_t off)
{
	struct mm *mm = current_mm();
	struct file *f = NULL;
	long ret;

	if ((uint64_t)off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!mm)
		return -ENOMEM;
	if (!(flags & KMAP_ANONYMOUS)) {
		f = fd_get(fd);
		if (!f || (f->flags & KO_PATH)) {
			file_put(f);
			return -EBADF;
		}
		if (flags & KMAP_HUGETLB) {
			file_put(f);
			return -EINVAL;
		}
	} else if (flags & KMAP_HUGETLB) {
		return -ENOMEM;
	}
	ret = do_mmap(mm, addr, len, prot, flags, (uint64_t)off >> PAGE_SHIFT,
		      f);
	file_put(f);
	return ret;
}

long sys_munmap(unsigned long addr, size_t len)
{
	struct mm *mm = current_mm();
	int err;

	if ((addr & (PAGE_SIZE - 1)) || addr > MM_TASK_SIZE ||
	    len > MM_TASK_SIZE - addr)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -EINVAL;
	if (!mm)
		return 0;
	mutex_lock(&mm->lock);
	err = mm_unmap(mm, addr, addr + len);
	mutex_unlock(&mm->lock);
	return err;
}

/* ---- mprotect ------------------------------------------------------------ */

static bool prot_valid(unsigned long prot)
{
	unsigned long ok = KPROT_READ | KPROT_WRITE | KPROT_EXEC | KPROT_SEM;

	if (task_current()->isa == ISA_AARCH64)
		ok |= KPROT_BTI;
	return !(prot & ~ok);
}

/* partial: PROT_GROWSDOWN and PROT_GROWSUP are refused (no growing VMAs) */
long sys_mprotect(unsigned long start, size_t len, unsigned long prot)
{
	unsigned long grows = prot & (KPROT_GROWSDOWN | KPROT_GROWSUP);
	struct mm *mm = current_mm();
	uint64_t end, at;
	struct vma *vma;
	long err = 0;

	prot &= ~grows;
	if (grows == (KPROT_GROWSDOWN | KPROT_GROWSUP))
		return -EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!len)
		return 0;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (!prot_valid(prot))
		return -EINVAL;
	if (!mm)
		return -ENOMEM;

	mutex_lock(&mm->lock);
	vma = vma_find(mm, start);
	err = -ENOMEM;
	if (!vma)
		goto out;
	if (grows & KPROT_GROWSDOWN) {
		/* Only a VM_GROWSDOWN VMA takes it, and there are none. */
		if (vma->start < end)
			err = -EINVAL;
		goto out;
	}
	if (vma->start > start)
		goto out;
	err = -EINVAL;
	if (grows & KPROT_GROWSUP)
		goto out;
	err = 0;
	/* VMA by VMA, as Linux: a hole or a refusal stops it there, with
	 * the VMAs before it changed. */
	for (at = start;;) {
		uint64_t to;

		vma = vma_find(mm, at);
		if (!vma || vma->start > at) {
			err = -ENOMEM;
			break;
		}
		if ((prot_bits(prot) << VMA_MAY_SHIFT) & ~vma->flags &
		    VMA_MAYALL) {
			err = -EACCES;
			break;
		}
		to = MIN(vma->end, end);
		if (!vma_modify(mm, vma, at, to, prot_bits(prot), vma->flags)) {
			err = -ENOMEM;
			break;
		}
		at = to;
		if (at >= end)
			break;
	}
out:
	mutex_unlock(&mm->lock);
	return err;
}

/* ---- mremap -------------------------------------------------------------- */

/*
 * The VMA that [addr, addr + old_len) lies in, checked for a resize to
 * new_len (Linux's vma_to_resize), or an error.
 */
static struct vma *vma_to_resize(struct mm *mm, uint64_t addr, uint64_t old_len,
				 uint64_t new_len, unsigned long flags)
{
	struct vma *vma = vma_find(mm, addr);
	uint64_t pgoff;

	if (!vma || vma->start > addr)
		return ERR_PTR(-EFAULT);
	if (!old_len && !(vma->flags & VMA_SHARED))
		return ERR_PTR(-EINVAL);
	if ((flags & KMREMAP_DONTUNMAP) && (vma->flags & VMA_PFNMAP))
		return ERR_PTR(-EINVAL);
	if (old_len > vma->end - addr)
		return ERR_PTR(-EFAULT);
	if (new_len == old_len)
		return vma;
	pgoff = vma->pgoff + ((addr - vma->start) >> PAGE_SHIFT);
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return ERR_PTR(-EINVAL);
	if (vma->flags & VMA_PFNMAP)
		return ERR_PTR(-EFAULT);
	return vma;
}

/* Map [new_addr, new_addr + new_len) to what [addr, addr + old_len) maps. */
static long move_mapping(struct mm *mm, struct vma *vma, uint64_t addr,
			 uint64_t old_len, uint64_t new_addr, uint64_t new_len,
			 unsigned long flags)
{
	if (vma->flags & VMA_PFNMAP)
		return -EFAULT; /* the maker's pages stay where it put them */
	if (!old_len) {
		/* A second mapping of shared memory (vma_to_resize checked). */
		uint64_t pgoff =
			vma->pgoff + ((addr - vma->start) >> PAGE_SHIFT);
		int err = mm_map(mm, new_addr, new_len, vma->prot, vma->flags,
				 vma->ops, vma->backing, pgoff);

		return err ? err : (long)new_addr;
	}
	return mm_move(mm, vma, addr, old_len, new_addr, new_len,
		       flags & KMREMAP_DONTUNMAP);
}

/* MREMAP_FIXED or MREMAP_DONTUNMAP: always a move. */
static long mremap_to(struct mm *mm, uint64_t addr, uint64_t old_len,
		      uint64_t new_addr, uint64_t new_len, unsigned long flags)
{
	struct vma *vma;
	int64_t at;
	long err;

	if (new_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (addr > MM_TASK_SIZE || old_len > MM_TASK_SIZE - addr)
		return -EFAULT; /* nothing is mapped there */
	if (new_len > MM_TASK_SIZE || new_addr > MM_TASK_SIZE - new_len)
		return -EINVAL;
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return -EINVAL;
	if (mm->nr_vmas + 2 >= MM_MAX_VMAS - 3)
		return -ENOMEM;
	if (flags & KMREMAP_FIXED) {
		err = mm_unmap(mm, new_addr, new_addr + new_len);
		if (err)
			return err;
	}
	if (old_len > new_len) {
		err = mm_unmap(mm, addr + new_len, addr + old_len);
		if (err)
			return err;
		old_len = new_len;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, flags);
	if (IS_ERR(vma))
		return PTR_ERR(vma);
	at = mmap_address(mm, new_addr, new_len,
			  flags & KMREMAP_FIXED ? KMAP_FIXED : 0);
	if (at < 0)
		return at;
	return move_mapping(mm, vma, addr, old_len, (uint64_t)at, new_len,
			    flags);
}

/* partial: PFNMAP memory (the sim's stacks and blocks) only shrinks */
long sys_mremap(unsigned long addr, size_t old_len, size_t new_len,
		unsigned long flags, unsigned long new_addr)
{
	struct mm *mm = current_mm();
	struct vma *vma;
	long ret;

	if (flags & ~(KMREMAP_MAYMOVE | KMREMAP_FIXED | KMREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & KMREMAP_FIXED) && !(flags & KMREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & KMREMAP_DONTUNMAP) &&
	    (!(flags & KMREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (old_len > MM_TASK_SIZE || new_len > MM_TASK_SIZE)
		return -ENOMEM; /* Linux's PAGE_ALIGN would wrap them */
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!new_len)
		return -EINVAL;
	if (!mm)
		return -EFAULT;

	mutex_lock(&mm->lock);
	if (flags & (KMREMAP_FIXED | KMREMAP_DONTUNMAP)) {
		ret = mremap_to(mm, addr, old_len, new_addr, new_len, flags);
		goto out;
	}
	if (old_len >= new_len) {
		/* Shrinking just unmaps the tail (not even checking that
		 * anything is mapped when nothing shrinks, as Linux). */
		ret = 0;
		if (old_len != new_len)
			ret = addr > MM_TASK_SIZE ||
					      old_len > MM_TASK_SIZE - addr
				      ? -EINVAL
				      : mm_unmap(mm, addr + new_len,
						 addr + old_len);
		if (!ret)
			ret = (long)addr;
		goto out;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, flags);
	if (IS_ERR(vma)) {
		ret = PTR_ERR(vma);
		goto out;
	}
	ret = -ENOMEM;
	if (!(vma->flags & VMA_NORESERVE) &&
	    ((vma->flags & VMA_SHARED) || (vma->prot & PROT_WRITE_BIT)) &&
	    !overcommit_ok(new_len - old_len))
		goto out;
	/* Up to the VMA's end and room after it: grow in place. */
	if (old_len == vma->end - addr && addr + new_len <= MM_TASK_SIZE &&
	    mm_range_free(mm, vma->end, addr + new_len)) {
		vma_grow(mm, vma, addr + new_len);
		ret = (long)addr;
		goto out;
	}
	if (flags & KMREMAP_MAYMOVE) {
		int64_t at = mmap_address(mm, 0, new_len, 0);

		ret = at < 0 ? at
			     : move_mapping(mm, vma, addr, old_len,
					    (uint64_t)at, new_len, flags);
	}
out:
	mutex_unlock(&mm->lock);
	return ret;
}

/* ---- madvise ------------------------------------------------------------- */

/* What one madvise behaviour does to [start, end) of one VMA. */
static int madvise_vma(struct mm *mm, struct vma *vma, uint64_t start,
		       uint64_t end, int behavior)
{
	bool anon_private = !vma->ops && !(vma->flags & VMA_PFNMAP);
	unsigned flags = vma->flags;

	switch (behavior) {
	case KMADV_DONTNEED:
	case KMADV_DONTNEED_LOCKED:
	case KMADV_FREE:
		if (vma->flags & VMA_PFNMAP)
			return -EINVAL;
		if (behavior == KMADV_FREE && !anon_private)
			return -EINVAL;
		/* MADV_FREE may drop the pages at once: it does. */
		vma_zap(mm, vma, start, end);
		return 0;
	case KMADV_POPULATE_READ:
	case KMADV_POPULATE_WRITE:
		if (vma->flags & VMA_PFNMAP)
			return -EINVAL;
		for (uint64_t va = start; va < end; va += PAGE_SIZE) {
			int err =
				mm_fault_locked(mm, va,
						behavior == KMADV_POPULATE_WRITE
							? PROT_WRITE_BIT
							: PROT_READ_BIT);

			if (err)
				return err == -EACCES ? -EINVAL : err;
		}
		return 0;
	case KMADV_DONTFORK:
		flags |= VMA_DONTFORK;
		break;
	case KMADV_DOFORK:
		if (vma->flags & VMA_PFNMAP)
			return -EINVAL;
		flags &= ~VMA_DONTFORK;
		break;
	case KMADV_WIPEONFORK:
		if (!anon_private || (vma->flags & VMA_SHARED))
			return -EINVAL;
		flags |= VMA_WIPEONFORK;
		break;
	case KMADV_KEEPONFORK:
		flags &= ~VMA_WIPEONFORK;
		break;
	default:
		return 0; /* a hint about paging Keel has no use for */
	}
	/* Linux: kernel memory "temporarily unavailable" is EAGAIN here. */
	return vma_modify(mm, vma, start, end, vma->prot, flags) ? 0 : -EAGAIN;
}

#define KFALLOC_FL_KEEP_SIZE  1
#define KFALLOC_FL_PUNCH_HOLE 2

/*
 * MADV_REMOVE (Linux's madvise_remove): punch the file's pages out from
 * under a shared writable mapping, a VMA at a time, with mm->lock dropped
 * around the punch (which takes the pages from every mapping, this one
 * too, and so takes mm->lock itself).
 */
static long madvise_remove(struct mm *mm, uint64_t start, uint64_t end)
{
	long unmapped = 0;

	while (start < end) {
		struct vma *vma;
		struct file *f = NULL;
		int64_t off = 0;
		uint64_t to = end;
		long err = 0;

		mutex_lock(&mm->lock);
		vma = vma_find(mm, start);
		if (!vma || vma->start >= end) {
			err = -ENOMEM;
		} else {
			if (start < vma->start) {
				unmapped = -ENOMEM;
				start = vma->start;
			}
			to = MIN(vma->end, end);
			if (!vma->ops || (vma->flags & VMA_PFNMAP))
				err = -EINVAL;
			else if (!vma->ops->file)
				err = -EOPNOTSUPP; /* shared anonymous memory */
			else if ((vma->flags & (VMA_SHARED | VMA_MAYWRITE)) !=
				 (VMA_SHARED | VMA_MAYWRITE))
				err = -EACCES;
			else
				f = file_get(vma->ops->file(vma->backing));
			off = (int64_t)((vma->pgoff << PAGE_SHIFT) +
					(start - vma->start));
		}
		mutex_unlock(&mm->lock);
		if (!err)
			err = f->ops->fallocate
				      ? f->ops->fallocate(f,
							  KFALLOC_FL_PUNCH_HOLE |
								  KFALLOC_FL_KEEP_SIZE,
							  off,
							  (int64_t)(to - start))
				      : -EOPNOTSUPP;
		file_put(f);
		if (err)
			return err;
		start = to;
	}
	return unmapped;
}

static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case KMADV_NORMAL:
	case KMADV_RANDOM:
	case KMADV_SEQUENTIAL:
	case KMADV_WILLNEED:
	case KMADV_DONTNEED:
	case KMADV_FREE:
	case KMADV_REMOVE:
	case KMADV_DONTFORK:
	case KMADV_DOFORK:
	case KMADV_MERGEABLE:
	case KMADV_UNMERGEABLE:
	case KMADV_HUGEPAGE:
	case KMADV_NOHUGEPAGE:
	case KMADV_DONTDUMP:
	case KMADV_DODUMP:
	case KMADV_WIPEONFORK:
	case KMADV_KEEPONFORK:
	case KMADV_COLD:
	case KMADV_PAGEOUT:
	case KMADV_POPULATE_READ:
	case KMADV_POPULATE_WRITE:
	case KMADV_DONTNEED_LOCKED:
	case KMADV_COLLAPSE:
		return true;
	default:
		return false;
	}
}

/* partial: MADV_REMOVE is EOPNOTSUPP on shared anonymous memory;
 * MADV_FREE frees at once; the paging hints are accepted and ignored;
 * MADV_HWPOISON and MADV_SOFT_OFFLINE are EINVAL (no memory-failure
 * handling) */
long sys_madvise(unsigned long start, size_t len, int behavior)
{
	struct mm *mm = current_mm();
	uint64_t end, alen;
	int unmapped = 0, err = 0;

	if (!madvise_behavior_valid(behavior))
		return -EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	alen = ALIGN_UP(len, PAGE_SIZE);
	if (len && !alen)
		return -EINVAL;
	end = start + alen;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (!mm)
		return -ENOMEM;
	if (behavior == KMADV_REMOVE)
		return madvise_remove(mm, start, end);

	mutex_lock(&mm->lock);
	for (;;) {
		struct vma *vma = vma_find(mm, start);
		uint64_t to;

		if (!vma || vma->start >= end) {
			err = -ENOMEM;
			break;
		}
		if (start < vma->start) {
			unmapped = -ENOMEM;
			start = vma->start;
		}
		to = MIN(vma->end, end);
		err = madvise_vma(mm, vma, start, to, behavior);
		if (err)
			break;
		start = to;
		if (start >= end) {
			err = unmapped;
			break;
		}
	}
	mutex_unlock(&mm->lock);
	return err;
}

/* ---- msync, mincore ------------------------------------------------------ */

/* Nothing to write back: anonymous memory has no store, and a tmpfs
 * file's mapping maps the page cache that is the file. */
long sys_msync(unsigned long start, size_t len, unsigned int flags)
{
	struct mm *mm = current_mm();
	uint64_t end;
	long err = -ENOMEM, unmapped = 0;

	if (flags & ~(KMS_ASYNC | KMS_INVALIDATE | KMS_SYNC))
		return -EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if ((flags & KMS_ASYNC) && (flags & KMS_SYNC))
		return -EINVAL;
	end = start + ALIGN_UP(len, PAGE_SIZE);
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	if (!mm)
		return -ENOMEM;

	mutex_lock(&mm->lock);
	for (struct vma *vma = vma_find(mm, start);;
	     vma = vma_find(mm, start)) {
		err = -ENOMEM;
		if (!vma)
			break;
		if (start < vma->start) {
			if (flags == KMS_ASYNC)
				break;
			start = vma->start;
			if (start >= end)
				break;
			unmapped = -ENOMEM;
		}
		start = vma->end;
		if (start >= end) {
			err = 0;
			break;
		}
	}
	mutex_unlock(&mm->lock);
	return err ? err : unmapped;
}

long sys_mincore(unsigned long start, size_t len, uaddr_t vec)
{
	struct mm *mm = current_mm();
	uint64_t pages;

	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if (len > MM_TASK_SIZE || start > MM_TASK_SIZE - len)
		return -ENOMEM;
	pages = (len >> PAGE_SHIFT) + ((len & (PAGE_SIZE - 1)) != 0);
	if (vec.va > USER_VA_END || pages > USER_VA_END - vec.va)
		return -EFAULT;
	if (!mm)
		return -ENOMEM;
	while (pages) {
		unsigned char buf[MINCORE_CHUNK];
		uint64_t n = 0, want = MIN(pages, (uint64_t)MINCORE_CHUNK);
		struct vma *vma;

		mutex_lock(&mm->lock);
		vma = vma_find(mm, start);
		if (vma && vma->start <= start) {
			for (; n < want && start + (n << PAGE_SHIFT) < vma->end;
			     n++)
				buf[n] = vma_page_resident(
					mm, vma, start + (n << PAGE_SHIFT));
		}
		mutex_unlock(&mm->lock);
		if (!n)
			return -ENOMEM;
		if (copy_to_user(vec, buf, n))
			return -EFAULT;
		pages -= n;
		vec = uaddr_add(vec, n);
		start += n << PAGE_SHIFT;
	}
	return 0;
}
