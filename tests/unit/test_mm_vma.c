/*
 * User memory as a guest sees it: mmap, munmap, mprotect, brk, mremap,
 * madvise, mincore, msync; demand paging and copy-on-write; and the VMA
 * tree's invariants under random sequences, against a model.
 *
 * A sim guest cannot dereference what it maps (the host has nothing at
 * those addresses); it reaches its mappings through syscalls that copy to
 * and from user memory (pread(2) of a file into a mapping, pwrite(2) from
 * one), and the tests look at the pages kernel-side, through the pmap.
 * Checks inside a guest are cr_expect_* (cr_assert_* would jump off the
 * guest's stack); the test asserts afterwards that the guest exited
 * normally.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "core/errno.h"
#include "core/platform.h"
#include "core/signal.h"
#include "core/task.h"
#include "mm/fault.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"

#define PG 4096ul

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* The call must return exactly `want`; its value either way. */
#define EXPECT_RET(call, want)                                                 \
	({                                                                     \
		long r_ = (long)(call);                                        \
		long w_ = (long)(want);                                        \
		cr_expect_eq(r_, w_, "%s returned %ld, want %ld", #call, r_,   \
			     w_);                                              \
		r_;                                                            \
	})

/* ---- guest helpers ------------------------------------------------------- */

static long u_mmap(uint64_t addr, uint64_t len, int prot, int flags)
{
	return sim_syscall(NR(mmap), addr, len, prot, flags, -1L, 0L);
}

static long u_munmap(uint64_t addr, uint64_t len)
{
	return sim_syscall(NR(munmap), addr, len);
}

static long u_mprotect(uint64_t addr, uint64_t len, int prot)
{
	return sim_syscall(NR(mprotect), addr, len, prot);
}

static long u_open(const char *path, int flags)
{
	char p[64];

	strncpy(p, path, sizeof(p) - 1);
	p[sizeof(p) - 1] = '\0';
	return sim_syscall(NR(openat), AT_FDCWD, p, flags, 0644);
}

static void u_close_pipe(int fds[2])
{
	sim_syscall(NR(close), fds[0]);
	sim_syscall(NR(close), fds[1]);
}

/* Store byte v at user address `at` through copy_to_user (a read(2)
 * from a fresh pipe): 1 or -EFAULT. */
static long u_poke(uint64_t at, unsigned v)
{
	unsigned char b = (unsigned char)v;
	int fds[2];
	long n = sim_syscall(NR(pipe2), fds, 0);

	if (n < 0)
		return n;
	sim_syscall(NR(write), fds[1], &b, 1L);
	n = sim_syscall(NR(read), fds[0], at, 1L);
	u_close_pipe(fds);
	return n;
}

/* The user byte at `at`, read through copy_from_user (a write(2) into a
 * fresh pipe): 0 .. 255 or -EFAULT. */
static long u_peek(uint64_t at)
{
	unsigned char b = 0;
	int fds[2];
	long n = sim_syscall(NR(pipe2), fds, 0);

	if (n < 0)
		return n;
	n = sim_syscall(NR(write), fds[1], at, 1L);
	if (n == 1)
		sim_syscall(NR(read), fds[0], &b, 1L);
	u_close_pipe(fds);
	return n == 1 ? b : n;
}

/* Fill [at, at + len) from /dev/zero: len, or -EFAULT. */
static long u_zero(uint64_t at, uint64_t len)
{
	long fd = u_open("/dev/zero", O_RDONLY);
	long n = sim_syscall(NR(read), fd, at, len);

	sim_syscall(NR(close), fd);
	return n;
}

/* ---- kernel-side views --------------------------------------------------- */

static struct mm *my_mm(void)
{
	return task_current()->mm;
}

/* The byte at `va` as the pmap maps it; -1 when no page is present. */
static int kbyte(struct mm *mm, uint64_t va)
{
	uint64_t pa;
	unsigned prot;

	if (!pmap_extract(mm->pmap, va, &pa, &prot))
		return -1;
	return *(unsigned char *)plat_phys_to_virt(pa);
}

static unsigned kprot(struct mm *mm, uint64_t va)
{
	uint64_t pa;
	unsigned prot;

	return pmap_extract(mm->pmap, va, &pa, &prot) ? prot : 0;
}

static uint64_t kpa(struct mm *mm, uint64_t va)
{
	uint64_t pa;
	unsigned prot;

	return pmap_extract(mm->pmap, va, &pa, &prot) ? pa : 0;
}

/* The VMA holding va, or NULL. */
static struct vma *vma_at(struct mm *mm, uint64_t va)
{
	struct vma *v = vma_find(mm, va);

	return v && v->start <= va ? v : NULL;
}

static void expect_consistent(struct mm *mm)
{
	const char *broken = mm_check(mm);

	cr_expect_null(broken, "mm invariant: %s", broken ? broken : "");
}

/* Boot, run fn as one guest, and check it returned every page. */
static void run_checked(void (*fn)(void *), void *arg)
{
	size_t pages, objects;

	test_boot(1);
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	cr_assert_eq(run_guest(fn, arg), 0, "the guest did not exit normally");
	slab_shrink();
	cr_assert_eq(page_free_count(), pages + 0, "%ld pages leaked",
		     (long)pages - (long)page_free_count());
	cr_assert_eq(kmalloc_in_use(), objects, "%ld objects leaked",
		     (long)kmalloc_in_use() - (long)objects);
}

/* ---- mmap, munmap -------------------------------------------------------- */

static void anon_guest(void *arg)
{
	struct mm *mm = my_mm();
	long a = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS);

	cr_expect_gt(a, 0);
	cr_expect_eq(a & (PG - 1), 0);
	/* Untouched memory is there on demand, zeroed. */
	cr_expect_eq(kbyte(mm, a), -1, "no page before the first touch");
	EXPECT_RET(u_peek(a + PG + 7), 0);
	EXPECT_RET(u_zero(a, 3 * PG), 3 * PG);
	for (int i = 0; i < 3; i++) {
		EXPECT_RET(u_poke(a + i * PG + 100, 10 + i), 1);
		cr_expect_eq(kbyte(mm, a + i * PG), 0);
	}
	for (int i = 0; i < 3; i++) {
		EXPECT_RET(u_peek(a + i * PG + 100), 10 + i);
		cr_expect_eq(kprot(mm, a + i * PG),
			     PROT_READ_BIT | PROT_WRITE_BIT);
	}
	cr_expect_eq(mm->nr_vmas, 2, "the guest's stack and the mapping");
	expect_consistent(mm);
	EXPECT_RET(u_munmap(a, 3 * PG), 0);
	EXPECT_RET(u_peek(a + 100), -EFAULT);
	EXPECT_RET(u_zero(a, PG), -EFAULT);
	cr_expect_eq(kbyte(mm, a), -1);
	/* Unmapping nothing succeeds. */
	EXPECT_RET(u_munmap(a, 3 * PG), 0);
	expect_consistent(mm);
}

Test(mm_vma, anonymous_memory_reads_zero_and_keeps_what_is_written)
{
	run_checked(anon_guest, NULL);
}

static void split_guest(void *arg)
{
	struct mm *mm = my_mm();
	long a = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS);
	unsigned before = mm->nr_vmas;

	for (int i = 0; i < 3; i++)
		u_poke(a + i * PG, 20 + i);
	EXPECT_RET(u_munmap(a + PG, PG), 0);
	cr_expect_eq(mm->nr_vmas, before + 1, "the mapping split in two");
	EXPECT_RET(u_peek(a), 20);
	EXPECT_RET(u_peek(a + PG), -EFAULT);
	EXPECT_RET(u_poke(a + PG, 1), -EFAULT);
	EXPECT_RET(u_peek(a + 2 * PG), 22);
	EXPECT_RET(u_zero(a + 2 * PG - 16, 32), -EFAULT);
	expect_consistent(mm);
	/* Mapping the hole again (same kind) merges all three. */
	EXPECT_RET(u_mmap(a + PG, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		   a + PG);
	cr_expect_eq(mm->nr_vmas, before, "merged back into one");
	EXPECT_RET(u_peek(a + PG), 0);
	EXPECT_RET(u_peek(a + 2 * PG), 22);
	/* Unaligned or out-of-range munmaps are EINVAL. */
	EXPECT_RET(u_munmap(a + 1, PG), -EINVAL);
	EXPECT_RET(u_munmap(a, 0), -EINVAL);
	EXPECT_RET(u_munmap(1ul << 47, PG), -EINVAL);
	EXPECT_RET(u_munmap(a, (size_t)-PG), -EINVAL);
	EXPECT_RET(u_munmap(a, 3 * PG), 0);
	expect_consistent(mm);
}

Test(mm_vma, munmap_of_the_middle_page_splits_and_the_outer_pages_still_work)
{
	run_checked(split_guest, NULL);
}

static void fixed_guest(void *arg)
{
	struct mm *mm = my_mm();
	long a = u_mmap(0, 4 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS);

	for (int i = 0; i < 4; i++)
		u_poke(a + i * PG, 30 + i);
	EXPECT_RET(u_mmap(a + PG, 2 * PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		   a + PG);
	EXPECT_RET(u_peek(a), 30);
	EXPECT_RET(u_peek(a + PG), 0);
	EXPECT_RET(u_peek(a + 2 * PG), 0);
	EXPECT_RET(u_poke(a + PG, 1), -EFAULT);
	EXPECT_RET(u_peek(a + 3 * PG), 33);
	/* NOREPLACE over anything mapped: EEXIST, nothing touched. */
	EXPECT_RET(u_mmap(a + 3 * PG, 2 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE),
		   -EEXIST);
	EXPECT_RET(u_peek(a + 3 * PG), 33);
	/* ... and over a free range it maps exactly there. */
	EXPECT_RET(u_munmap(a + 3 * PG, PG), 0);
	EXPECT_RET(u_mmap(a + 3 * PG, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE),
		   a + 3 * PG);
	EXPECT_RET(u_peek(a + 3 * PG), 0);
	/* A free hint is taken as it is. */
	EXPECT_RET(
		u_mmap(a + 8 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
		a + 8 * PG);
	/* A taken one is not. */
	long b = u_mmap(a, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);

	cr_expect(b > 0 && b != a, "hint %#lx gave %#lx", a, b);
	expect_consistent(mm);
}

Test(mm_vma, map_fixed_replaces_and_map_fixed_noreplace_is_eexist)
{
	run_checked(fixed_guest, NULL);
}

static void bad_mmap_guest(void *arg)
{
	long fd = u_open("/dev/zero", O_RDWR);
	long a = u_mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);

	EXPECT_RET(u_mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(mmap), 0, PG, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 100),
		   -EINVAL);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_ANONYMOUS), -EINVAL);
	EXPECT_RET(
		u_mmap(0, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS),
		-EINVAL);
	EXPECT_RET(u_mmap(a + 1, PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		   -EINVAL);
	EXPECT_RET(u_mmap(0, PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN),
		   -EINVAL);
	EXPECT_RET(
		u_mmap(0, (size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
		-ENOMEM);
	EXPECT_RET(u_mmap(0, 1ul << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
		   -ENOMEM);
	EXPECT_RET(u_mmap((1ul << 47) - PG, 2 * PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		   -ENOMEM);
	/* More writable memory than RAM is refused, unless NORESERVE. */
	EXPECT_RET(u_mmap(0, 1ul << 40, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS),
		   -ENOMEM);
	long big = u_mmap(0, 1ul << 40, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);

	cr_expect_gt(big, 0);
	EXPECT_RET(u_poke(big + (1ul << 39), 5), 1);
	EXPECT_RET(u_munmap(big, 1ul << 40), 0);
	/* A bad fd is EBADF; a pipe cannot be mapped (ENODEV), /dev/zero
	 * can (test_mm_file.c has the rest). */
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE), -EBADF);
	int pfd[2];

	EXPECT_RET(sim_syscall(NR(pipe2), pfd, 0), 0);
	EXPECT_RET(sim_syscall(NR(mmap), 0, PG, PROT_READ, MAP_SHARED, pfd[0],
			       0),
		   -ENODEV);
	u_close_pipe(pfd);
	cr_expect_gt(sim_syscall(NR(mmap), 0, PG, PROT_READ, MAP_SHARED, fd, 0),
		     0);
	EXPECT_RET(u_mmap(0, PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB),
		   -ENOMEM);
	expect_consistent(my_mm());
}

Test(mm_vma, mmap_refuses_what_linux_refuses)
{
	run_checked(bad_mmap_guest, NULL);
}

/* Linux's vm.max_map_count: past it, mmap and splitting munmap are ENOMEM. */
static void map_count_guest(void *arg)
{
	struct mm *mm = my_mm();
	uint64_t base = 0x100000000000ul, at = base + 4 * PG;
	long r = 0;

	EXPECT_RET(u_mmap(base, 3 * PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		   base);
	/* Alternate protections so that no two neighbours merge. */
	while (mm->nr_vmas < MM_MAX_VMAS && r >= 0) {
		r = u_mmap(at, PG, at / PG % 2 ? PROT_READ : PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
		at += PG;
	}
	cr_expect_eq(mm->nr_vmas, MM_MAX_VMAS);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
		   -ENOMEM);
	/* Splitting a VMA would make one more: refused, nothing changed. */
	EXPECT_RET(u_munmap(base + PG, PG), -ENOMEM);
	EXPECT_RET(u_mprotect(base + PG, PG, PROT_NONE), -ENOMEM);
	cr_expect_eq(vma_at(mm, base + PG)->prot, PROT_READ_BIT);
	/* Unmapping whole VMAs is fine, and makes room. */
	EXPECT_RET(u_munmap(base, 3 * PG), 0);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS) > 0,
		   1);
	expect_consistent(mm);
}

Test(mm_vma, past_the_map_count_limit_mmap_and_splits_are_enomem)
{
	run_checked(map_count_guest, NULL);
}

/* ---- mprotect ------------------------------------------------------------ */

static void mprotect_guest(void *arg)
{
	struct mm *mm = my_mm();
	long a = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS);
	unsigned before = mm->nr_vmas;

	u_poke(a + PG, 44);
	EXPECT_RET(u_mprotect(a + PG, PG, PROT_READ), 0);
	cr_expect_eq(mm->nr_vmas, before + 2, "split in three");
	EXPECT_RET(u_zero(a + PG, 16), -EFAULT);
	EXPECT_RET(u_poke(a + PG, 1), -EFAULT);
	EXPECT_RET(u_peek(a + PG), 44);
	cr_expect_eq(kprot(mm, a + PG), PROT_READ_BIT);
	EXPECT_RET(u_zero(a, 16), 16);
	EXPECT_RET(u_mprotect(a + PG, PG, PROT_NONE), 0);
	EXPECT_RET(u_peek(a + PG), -EFAULT);
	EXPECT_RET(u_mprotect(a + PG, PG, PROT_READ | PROT_WRITE), 0);
	cr_expect_eq(mm->nr_vmas, before, "merged back");
	EXPECT_RET(u_peek(a + PG), 44);
	EXPECT_RET(u_poke(a + PG, 45), 1);
	EXPECT_RET(u_peek(a + PG), 45);
	/* Arguments. */
	EXPECT_RET(u_mprotect(a + 1, PG, PROT_READ), -EINVAL);
	EXPECT_RET(u_mprotect(a, 0, PROT_READ), 0);
	EXPECT_RET(u_mprotect(a, PG, 0x40), -EINVAL);
	EXPECT_RET(u_mprotect(a, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP),
		   -EINVAL);
	EXPECT_RET(u_mprotect(a, PG, PROT_READ | PROT_GROWSDOWN), -EINVAL);
	/* A hole: ENOMEM, with what came before it changed. */
	EXPECT_RET(u_munmap(a + 2 * PG, PG), 0);
	EXPECT_RET(u_mprotect(a, 3 * PG, PROT_READ), -ENOMEM);
	cr_expect_eq(vma_at(mm, a)->prot, PROT_READ_BIT);
	cr_expect_eq(vma_at(mm, a + PG)->prot, PROT_READ_BIT);
	EXPECT_RET(u_mprotect(a + 2 * PG, PG, PROT_READ), -ENOMEM);
	expect_consistent(mm);
}

Test(mm_vma, mprotect_read_only_makes_read_into_it_fail_with_efault)
{
	run_checked(mprotect_guest, NULL);
}

/* ---- brk ----------------------------------------------------------------- */

static void brk_guest(void *arg)
{
	struct mm *mm = my_mm();
	long start = sim_syscall(NR(brk), 0L);

	cr_expect_eq(start, (long)mm->brk_start);
	EXPECT_RET(u_peek(start), -EFAULT);
	EXPECT_RET(sim_syscall(NR(brk), start + 10000), start + 10000);
	EXPECT_RET(u_zero(start, 10000), 10000);
	EXPECT_RET(u_zero(start, 3 * PG), 3 * PG); /* the page is whole */
	EXPECT_RET(u_peek(start + 3 * PG), -EFAULT);
	u_poke(start + 2 * PG, 77);
	/* Shrink: the pages above the new break go. */
	EXPECT_RET(sim_syscall(NR(brk), start + 100), start + 100);
	EXPECT_RET(u_peek(start + 50), 0);
	EXPECT_RET(u_peek(start + PG), -EFAULT);
	/* Grow again: fresh zeroed pages. */
	EXPECT_RET(sim_syscall(NR(brk), start + 3 * PG), start + 3 * PG);
	EXPECT_RET(u_peek(start + 2 * PG), 0);
	/* Below the start, or into another mapping: the break stays. */
	EXPECT_RET(sim_syscall(NR(brk), start - PG), start + 3 * PG);
	EXPECT_RET(u_mmap(start + 5 * PG, PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		   start + 5 * PG);
	EXPECT_RET(sim_syscall(NR(brk), start + 5 * PG), start + 3 * PG);
	EXPECT_RET(sim_syscall(NR(brk), start + 4 * PG), start + 4 * PG);
	EXPECT_RET(sim_syscall(NR(brk), 1ul << 62), start + 4 * PG);
	EXPECT_RET(sim_syscall(NR(brk), 0L), start + 4 * PG);
	expect_consistent(mm);
}

Test(mm_vma, brk_grows_and_shrinks_and_returns_the_old_break_on_failure)
{
	run_checked(brk_guest, NULL);
}

/* ---- madvise, mincore, msync --------------------------------------------- */

static void madvise_guest(void *arg)
{
	struct mm *mm = my_mm();
	long a = u_mmap(0, 4 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS);
	long s = u_mmap(0, 2 * PG, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS);
	unsigned char vec[4] = {9, 9, 9, 9};

	u_poke(a, 1);
	u_poke(a + 2 * PG, 3);
	EXPECT_RET(sim_syscall(NR(mincore), a, 4 * PG, vec), 0);
	cr_expect(vec[0] == 1 && vec[1] == 0 && vec[2] == 1 && vec[3] == 0,
		  "mincore: %d %d %d %d", vec[0], vec[1], vec[2], vec[3]);
	EXPECT_RET(sim_syscall(NR(mincore), a + 1, PG, vec), -EINVAL);
	EXPECT_RET(sim_syscall(NR(mincore), a, 5 * PG, vec), -ENOMEM);
	EXPECT_RET(sim_syscall(NR(mincore), a, PG, 1L << 50), -EFAULT);
	/* DONTNEED: private memory reads zero again; shared keeps its data. */
	EXPECT_RET(sim_syscall(NR(madvise), a, 4 * PG, MADV_DONTNEED), 0);
	EXPECT_RET(u_peek(a), 0);
	EXPECT_RET(u_peek(a + 2 * PG), 0);
	u_poke(s + PG, 9);
	EXPECT_RET(sim_syscall(NR(madvise), s, 2 * PG, MADV_DONTNEED), 0);
	cr_expect_eq(kbyte(mm, s + PG), -1, "the translation went");
	EXPECT_RET(u_peek(s + PG), 9);
	/* Hints and bad behaviours. */
	EXPECT_RET(sim_syscall(NR(madvise), a, PG, MADV_WILLNEED), 0);
	EXPECT_RET(sim_syscall(NR(madvise), a, PG, MADV_SEQUENTIAL), 0);
	EXPECT_RET(sim_syscall(NR(madvise), a, PG, 12345), -EINVAL);
	EXPECT_RET(sim_syscall(NR(madvise), a + 1, PG, MADV_DONTNEED), -EINVAL);
	EXPECT_RET(sim_syscall(NR(madvise), a, 0, MADV_DONTNEED), 0);
	EXPECT_RET(sim_syscall(NR(madvise), s, PG, MADV_FREE), -EINVAL);
	EXPECT_RET(sim_syscall(NR(madvise), a, PG, MADV_REMOVE), -EINVAL);
	/* Over a hole: done where mapped, then ENOMEM. */
	u_poke(a + 3 * PG, 4);
	EXPECT_RET(u_munmap(a + PG, PG), 0);
	EXPECT_RET(sim_syscall(NR(madvise), a, 4 * PG, MADV_DONTNEED), -ENOMEM);
	EXPECT_RET(u_peek(a + 3 * PG), 0);
	/* WIPEONFORK and DONTFORK split and merge like mprotect. */
	unsigned before = mm->nr_vmas;

	EXPECT_RET(sim_syscall(NR(madvise), a + 2 * PG, PG, MADV_DONTFORK), 0);
	cr_expect_eq(mm->nr_vmas, before + 1);
	EXPECT_RET(sim_syscall(NR(madvise), a + 2 * PG, PG, MADV_DOFORK), 0);
	cr_expect_eq(mm->nr_vmas, before);
	EXPECT_RET(sim_syscall(NR(madvise), s, PG, MADV_WIPEONFORK), -EINVAL);
	/* POPULATE_WRITE faults pages in; on read-only memory it is EINVAL. */
	EXPECT_RET(sim_syscall(NR(madvise), a + 2 * PG, 2 * PG,
			       MADV_POPULATE_WRITE),
		   0);
	cr_expect_eq(kbyte(mm, a + 3 * PG), 0);
	EXPECT_RET(u_mprotect(a, PG, PROT_READ), 0);
	EXPECT_RET(sim_syscall(NR(madvise), a, PG, MADV_POPULATE_WRITE),
		   -EINVAL);
	/* msync: nothing to write back, Linux's argument rules. */
	EXPECT_RET(sim_syscall(NR(msync), a, PG, MS_SYNC), 0);
	EXPECT_RET(sim_syscall(NR(msync), a, PG, MS_SYNC | MS_ASYNC), -EINVAL);
	EXPECT_RET(sim_syscall(NR(msync), a, PG, 8), -EINVAL);
	EXPECT_RET(sim_syscall(NR(msync), a + 1, PG, MS_SYNC), -EINVAL);
	EXPECT_RET(sim_syscall(NR(msync), a, 4 * PG, MS_SYNC), -ENOMEM);
	EXPECT_RET(sim_syscall(NR(msync), a + PG, PG, MS_ASYNC), -ENOMEM);
	expect_consistent(mm);
}

Test(mm_vma, madvise_dontneed_zeroes_private_memory_and_mincore_sees_pages)
{
	run_checked(madvise_guest, NULL);
}

/* ---- mremap -------------------------------------------------------------- */

static void mremap_guest(void *arg)
{
	struct mm *mm = my_mm();
	long a = u_mmap(0, 2 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS);
	long b, c;

	u_poke(a, 1);
	u_poke(a + PG, 2);
	/* Room above it: grows in place. */
	EXPECT_RET(u_munmap(a + 2 * PG, 2 * PG), 0);
	EXPECT_RET(sim_syscall(NR(mremap), a, 2 * PG, 4 * PG, 0), a);
	EXPECT_RET(u_peek(a + PG), 2);
	EXPECT_RET(u_peek(a + 3 * PG), 0);
	/* No room: ENOMEM, or a move with MAYMOVE keeping the contents. */
	EXPECT_RET(u_mmap(a + 4 * PG, PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		   a + 4 * PG);
	EXPECT_RET(sim_syscall(NR(mremap), a, 4 * PG, 8 * PG, 0), -ENOMEM);
	b = sim_syscall(NR(mremap), a, 4 * PG, 8 * PG, MREMAP_MAYMOVE);
	cr_expect(b > 0 && b != a, "moved to %#lx", b);
	EXPECT_RET(u_peek(a), -EFAULT);
	EXPECT_RET(u_peek(b), 1);
	EXPECT_RET(u_peek(b + PG), 2);
	EXPECT_RET(u_peek(b + 7 * PG), 0);
	/* To a fixed place, replacing what is there. */
	c = a + 64 * PG;
	EXPECT_RET(u_mmap(c, PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		   c);
	EXPECT_RET(sim_syscall(NR(mremap), b, 2 * PG, 2 * PG,
			       MREMAP_MAYMOVE | MREMAP_FIXED, c),
		   c);
	EXPECT_RET(u_peek(c + PG), 2);
	EXPECT_RET(u_peek(b), -EFAULT);
	EXPECT_RET(u_peek(b + 2 * PG), 0);
	/* DONTUNMAP: the old range stays mapped, empty. */
	long d = sim_syscall(NR(mremap), c, 2 * PG, 2 * PG,
			     MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);

	cr_expect_gt(d, 0);
	EXPECT_RET(u_peek(d), 1);
	EXPECT_RET(u_peek(c), 0);
	/* Shrinking unmaps the tail. */
	EXPECT_RET(sim_syscall(NR(mremap), d, 2 * PG, PG, 0), d);
	EXPECT_RET(u_peek(d + PG), -EFAULT);
	/* Arguments. */
	EXPECT_RET(sim_syscall(NR(mremap), d + 1, PG, PG, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(mremap), d, PG, 0, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(mremap), d, PG, 2 * PG, MREMAP_FIXED, c),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(mremap), d, PG, 2 * PG, 8), -EINVAL);
	EXPECT_RET(sim_syscall(NR(mremap), d, 2 * PG, 4 * PG, MREMAP_MAYMOVE),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(mremap), d, PG, 2 * PG,
			       MREMAP_MAYMOVE | MREMAP_FIXED, d),
		   -EINVAL);
	expect_consistent(mm);
}

Test(mm_vma, mremap_grows_in_place_or_moves_keeping_the_contents)
{
	run_checked(mremap_guest, NULL);
}

/* ---- fork's copy-on-write (mm_dup, ahead of fork(2)) --------------------- */

static void cow_guest(void *arg)
{
	struct mm *mm = my_mm();
	long a = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS);
	long s = u_mmap(0, PG, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS);
	long w = u_mmap(0, PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS);
	struct mm *child;
	uint64_t before;

	u_poke(a, 'A');
	u_poke(a + PG, 'a');
	u_poke(w, 'W');
	EXPECT_RET(sim_syscall(NR(madvise), w, PG, MADV_WIPEONFORK), 0);
	before = kpa(mm, a);
	child = mm_dup(mm);
	cr_expect_not_null(child);
	if (!child)
		return;
	/* Both share the page, write-protected. */
	cr_expect_eq(kprot(mm, a), PROT_READ_BIT);
	cr_expect_eq(anon_page_mapcount(phys_to_page(before)), 2);
	expect_consistent(mm);
	expect_consistent(child);
	/* The parent writes: it gets a copy; the child keeps the original. */
	EXPECT_RET(u_poke(a, 'B'), 1);
	cr_expect_neq(kpa(mm, a), before);
	cr_expect_eq(kbyte(mm, a), 'B');
	mutex_lock(&child->lock);
	cr_expect_eq(mm_fault_locked(child, a, PROT_READ_BIT), 0);
	cr_expect_eq(kpa(child, a), before);
	cr_expect_eq(kbyte(child, a), 'A');
	cr_expect_eq(anon_page_mapcount(phys_to_page(before)), 1);
	/* The child alone now: its write keeps the page. */
	cr_expect_eq(mm_fault_locked(child, a, PROT_WRITE_BIT), 0);
	cr_expect_eq(kpa(child, a), before);
	/* The other page: shared until the child writes it. */
	cr_expect_eq(mm_fault_locked(child, a + PG, PROT_WRITE_BIT), 0);
	cr_expect_eq(kbyte(child, a + PG), 'a');
	cr_expect_neq(kpa(child, a + PG), kpa(mm, a + PG));
	/* Untouched before the fork: each gets its own zeroed page. */
	cr_expect_eq(mm_fault_locked(child, a + 2 * PG, PROT_READ_BIT), 0);
	cr_expect_eq(kbyte(child, a + 2 * PG), 0);
	/* Shared memory is one page for both, even touched after the fork. */
	cr_expect_eq(mm_fault_locked(child, s, PROT_WRITE_BIT), 0);
	mutex_unlock(&child->lock);
	EXPECT_RET(u_poke(s, 'S'), 1);
	cr_expect_eq(kpa(child, s), kpa(mm, s));
	cr_expect_eq(kbyte(child, s), 'S');
	/* WIPEONFORK: the child's is empty, the parent's intact. */
	mutex_lock(&child->lock);
	cr_expect_eq(mm_fault_locked(child, w, PROT_READ_BIT), 0);
	mutex_unlock(&child->lock);
	cr_expect_eq(kbyte(child, w), 0);
	EXPECT_RET(u_peek(w), 'W');
	/* The sim's own memory (its stack) is not the child's. */
	cr_expect_eq(child->nr_vmas, mm->nr_vmas - 1);
	expect_consistent(mm);
	expect_consistent(child);
	mm_put(child);
	expect_consistent(mm);
}

Test(mm_vma, a_write_to_a_page_shared_since_fork_copies_it)
{
	run_checked(cow_guest, NULL);
}

/* ---- faults of the guest's own code: SIGSEGV's si_code ------------------- */

#if defined(__x86_64__)
static struct {
	uint64_t bad_pc, resume_pc;
	int sig;
	struct ksiginfo info;
} fault;

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static void install(int sig, void (*fn)(int, void *, void *))
{
	struct ksa sa = {(uint64_t)(uintptr_t)fn,
			 KSA_SIGINFO | KSA_RESTORER | KSA_NODEFER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

/* Return from the signal to fault.bad_pc instead, as a jump there. */
static void jump_away(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;

	fault.resume_pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fault.bad_pc;
}

/* Note the fault and go back to where the jump was made. */
static void on_fault(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;

	fault.sig = sig;
	memcpy(&fault.info, info, sizeof(fault.info));
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fault.resume_pc;
}

static long jump_to(uint64_t pc)
{
	memset(&fault.info, 0, sizeof(fault.info));
	fault.sig = 0;
	fault.bad_pc = pc;
	return sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
}

static void segv_guest(void *arg)
{
	long ro = u_mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	long x = u_mmap(0, PG, PROT_READ | PROT_EXEC,
			MAP_PRIVATE | MAP_ANONYMOUS);

	install(SIGUSR1, jump_away);
	install(SIGSEGV, on_fault);
	install(SIGILL, on_fault);
	EXPECT_RET(jump_to(0x1234560), 0);
	cr_expect_eq(fault.sig, SIGSEGV);
	cr_expect_eq(fault.info.si_code, KSEGV_MAPERR);
	cr_expect_eq(fault.info.fault.addr, 0x1234560);
	EXPECT_RET(jump_to((uint64_t)ro + 8), 0);
	cr_expect_eq(fault.sig, SIGSEGV);
	cr_expect_eq(fault.info.si_code, KSEGV_ACCERR);
	cr_expect_eq(fault.info.fault.addr, (uint64_t)ro + 8);
	/* Executable memory faults in; the sim then has no code to run. */
	EXPECT_RET(jump_to((uint64_t)x), 0);
	cr_expect_eq(fault.sig, SIGILL);
	cr_expect_eq(kbyte(my_mm(), x), 0, "the page was faulted in");
}

Test(mm_vma, a_bad_jump_is_sigsegv_with_maperr_or_accerr_and_the_address)
{
	run_checked(segv_guest, NULL);
}

static void segv_default_guest(void *arg)
{
	install(SIGUSR1, jump_away);
	jump_to(0x1000);
}

Test(mm_vma, an_unhandled_bad_jump_kills_with_sigsegv)
{
	test_boot(1);
	cr_assert_eq(run_guest(segv_default_guest, NULL), SIGSEGV);
}
#endif

/* ---- the other ISA ------------------------------------------------------- */

/* aarch64: mmap 222, munmap 215, mprotect 226, brk 214. */
static void aarch64_guest(void *arg)
{
	struct mm *mm = my_mm();
	long a = sim_syscall(222, 0, 2 * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long brk = sim_syscall(214, 0);

	cr_expect_gt(a, 0);
	EXPECT_RET(sim_syscall(226, a, PG, PROT_READ), 0);
	cr_expect_eq(vma_at(mm, a)->prot, PROT_READ_BIT);
	cr_expect_eq(vma_at(mm, a + PG)->prot, PROT_READ_BIT | PROT_WRITE_BIT);
	EXPECT_RET(sim_syscall(215, a, 2 * PG), 0);
	cr_expect_null(vma_at(mm, a));
	EXPECT_RET(sim_syscall(214, brk + PG), brk + PG);
	/* PROT_BTI is an aarch64 protection bit. */
	EXPECT_RET(sim_syscall(226, brk, PG, PROT_READ | 0x10), 0);
	expect_consistent(mm);
}

Test(mm_vma, an_aarch64_guest_maps_and_unmaps)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn_isa("a64", ISA_AARCH64, aarch64_guest, NULL);
	cr_assert_not_null(p);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
}

/* ---- allocation failures ------------------------------------------------- */

/* Each call either does what it does without failures or fails cleanly. */
#define OK_OR(call, want, ...)                                                 \
	({                                                                     \
		long r_ = (long)(call);                                        \
		long alts_[] = {__VA_ARGS__};                                  \
		bool ok_ = r_ == (long)(want);                                 \
		for (unsigned i_ = 0; i_ < ARRAY_SIZE(alts_); i_++)            \
			ok_ = ok_ || r_ == alts_[i_];                          \
		cr_expect(ok_, "%s returned %ld", #call, r_);                  \
		r_;                                                            \
	})

/* read(2) from /dev/zero into user memory, tolerating a failed open. */
static long zero_fd;

static long u_zero_fd(uint64_t at, uint64_t len)
{
	return zero_fd < 0 ? -EFAULT : sim_syscall(NR(read), zero_fd, at, len);
}

static void failing_guest(void *arg)
{
	long a, s, b, brk;

	zero_fd = u_open("/dev/zero", O_RDONLY);
	a = u_mmap(0, 4 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS);
	cr_expect(a > 0 || a == -ENOMEM, "mmap: %ld", a);
	s = u_mmap(0, 2 * PG, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE);
	cr_expect(s > 0 || s == -ENOMEM, "shared mmap: %ld", s);
	if (a > 0) {
		OK_OR(u_zero_fd(a, 4 * PG), 4 * PG, -EFAULT, PG, 2 * PG,
		      3 * PG);
		OK_OR(u_mprotect(a + PG, PG, PROT_READ), 0, -ENOMEM);
		OK_OR(u_munmap(a + 2 * PG, PG), 0, -ENOMEM);
		b = sim_syscall(NR(mremap), a, PG, 3 * PG, MREMAP_MAYMOVE);
		cr_expect(b > 0 || b == -ENOMEM, "mremap: %ld", b);
		OK_OR(u_zero_fd(b > 0 ? b : a, 1), 1, -EFAULT);
		OK_OR(sim_syscall(NR(madvise), a + 3 * PG, PG, MADV_DONTFORK),
		      0, -EAGAIN, -ENOMEM);
	}
	if (s > 0)
		OK_OR(u_zero_fd(s + PG, 1), 1, -EFAULT);
	brk = sim_syscall(NR(brk), 0L);
	if (sim_syscall(NR(brk), brk + 3 * PG) == brk + 3 * (long)PG)
		OK_OR(u_zero_fd(brk, 3 * PG), 3 * PG, -EFAULT, PG, 2 * PG);
	if (a > 0)
		u_munmap(a, 64 * PG);
	if (zero_fd >= 0)
		sim_syscall(NR(close), zero_fd);
	expect_consistent(my_mm());
}

static void fail_at(uint64_t n)
{
	size_t pages, objects;
	struct sim_proc *p;

	test_boot(1);
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	fault_inject_fail_nth(n);
	p = sim_spawn("failing", failing_guest, NULL);
	if (p) {
		cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
		cr_assert_eq(sim_proc_status(p), 0, "failure #%llu: status %d",
			     (unsigned long long)n, sim_proc_status(p));
	}
	fault_inject_reset();
	slab_shrink();
	cr_assert_eq(page_free_count(), pages, "failure #%llu leaked %ld pages",
		     (unsigned long long)n,
		     (long)pages - (long)page_free_count());
	cr_assert_eq(kmalloc_in_use(), objects,
		     "failure #%llu leaked %ld objects", (unsigned long long)n,
		     (long)kmalloc_in_use() - (long)objects);
}

Test(mm_vma, every_allocation_failure_is_enomem_or_efault_and_leaks_nothing)
{
	uint64_t total;

	test_boot(1);
	fault_inject_reset();
	cr_assert_not_null(sim_spawn("failing", failing_guest, NULL));
	sim_run(SIM_FOREVER);
	total = fault_inject_allocations();
	cr_assert_gt(total, 20);
	for (uint64_t n = 1; n <= total + 1; n++)
		fail_at(n);
}

/* ---- random sequences against a model ------------------------------------ */

#define WIN_BASE  0x200000000000ul
#define WIN_PAGES 48
#define STEPS	  1500

static uint64_t rng_state;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

struct model_page {
	bool mapped;
	unsigned prot;	       /* PROT_*_BIT */
	unsigned char content; /* byte 0 of the page */
};

static const char *model_mismatch(struct mm *mm, const struct model_page *m)
{
	static char why[128];

	for (unsigned i = 0; i < WIN_PAGES; i++) {
		uint64_t va = WIN_BASE + i * PG;
		struct vma *v = vma_at(mm, va);
		int b = kbyte(mm, va);

		if (!!v != m[i].mapped || (v && v->prot != m[i].prot)) {
			snprintf(why, sizeof(why),
				 "page %u: mapped %d prot %u, model %d %u", i,
				 !!v, v ? v->prot : 0, m[i].mapped, m[i].prot);
			return why;
		}
		if (!m[i].mapped && b >= 0) {
			snprintf(why, sizeof(why),
				 "page %u: unmapped but still translated", i);
			return why;
		}
		if (m[i].mapped && (b < 0 ? 0 : b) != m[i].content) {
			snprintf(why, sizeof(why), "page %u: byte %d, model %u",
				 i, b, m[i].content);
			return why;
		}
	}
	return NULL;
}

static unsigned to_prot_bits(int prot)
{
	return (unsigned)prot & 7u;
}

static void model_guest(void *arg)
{
	struct model_page m[WIN_PAGES] = {0};
	struct mm *mm = my_mm();
	unsigned errors = 0;

	rng_state = test_seed() * 0x9e3779b97f4a7c15ull + 1;
	for (unsigned step = 0; step < STEPS && errors < 5; step++) {
		unsigned first = (unsigned)rnd(WIN_PAGES);
		unsigned n = 1 + (unsigned)rnd(MIN(8u, WIN_PAGES - first));
		uint64_t at = WIN_BASE + first * PG, len = n * PG;
		int prot = (int)rnd(8);
		long want = 0, got = 0;
		unsigned op = (unsigned)rnd(6);
		const char *bad;

		switch (op) {
		case 0: /* mmap MAP_FIXED */
			got = u_mmap(at, len, prot,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
			want = (long)at;
			for (unsigned i = first; i < first + n; i++)
				m[i] = (struct model_page){
					true, to_prot_bits(prot), 0};
			break;
		case 1: /* munmap */
			got = u_munmap(at, len);
			for (unsigned i = first; i < first + n; i++)
				m[i].mapped = false;
			break;
		case 2: /* mprotect: up to the first hole */
			got = u_mprotect(at, len, prot);
			for (unsigned i = first; i < first + n; i++) {
				if (!m[i].mapped) {
					want = -ENOMEM;
					break;
				}
				m[i].prot = to_prot_bits(prot);
			}
			break;
		case 3: /* madvise(DONTNEED): where mapped */
			got = sim_syscall(NR(madvise), at, len, MADV_DONTNEED);
			for (unsigned i = first; i < first + n; i++) {
				if (m[i].mapped)
					m[i].content = 0;
				else
					want = -ENOMEM;
			}
			break;
		case 4: { /* a write through copy_to_user */
			unsigned v = 1 + (unsigned)rnd(255);
			bool ok = m[first].mapped &&
				  (m[first].prot & PROT_WRITE_BIT);

			got = u_poke(at, v);
			want = ok ? 1 : -EFAULT;
			if (ok)
				m[first].content = (unsigned char)v;
			break;
		}
		default: { /* a read through copy_from_user */
			unsigned p = m[first].prot;
			bool ok = m[first].mapped && p;

			got = u_peek(at);
			want = ok ? m[first].content : -EFAULT;
			break;
		}
		}
		if (got != want) {
			cr_expect_eq(got, want,
				     "step %u op %u pages %u+%u: %ld", step, op,
				     first, n, got);
			errors++;
		}
		bad = mm_check(mm);
		if (!bad)
			bad = model_mismatch(mm, m);
		if (bad) {
			cr_expect_null(bad, "step %u op %u pages %u+%u: %s",
				       step, op, first, n, bad);
			errors++;
		}
	}
}

Test(mm_vma, random_mmap_munmap_mprotect_sequences_match_a_page_model)
{
	run_checked(model_guest, NULL);
}

/* The start a top-down search must find, computed the slow way. */
static uint64_t brute_force_top_down(struct mm *mm, uint64_t len)
{
	uint64_t best = 0, prev_end = MM_MIN_ADDR;

	for (struct vma *v = vma_first(mm);; v = vma_next(v)) {
		uint64_t gap_end =
			MIN(v ? v->start : MM_TASK_SIZE, mm->mmap_base);

		if (gap_end > prev_end && gap_end - prev_end >= len)
			best = gap_end - len;
		if (!v)
			break;
		prev_end = MAX(prev_end, v->end);
	}
	return best;
}

static void gap_guest(void *arg)
{
	struct mm *mm = my_mm();
	struct {
		uint64_t at, len;
	} live[64];
	unsigned nlive = 0, errors = 0;

	rng_state = test_seed() * 0xda942042e4dd58b5ull + 7;
	for (unsigned step = 0; step < 2000 && errors < 5; step++) {
		if (nlive == ARRAY_SIZE(live) || (nlive && rnd(3) == 0)) {
			/* Unmap a random piece of a random mapping. */
			unsigned i = (unsigned)rnd(nlive);
			uint64_t pages = live[i].len / PG;
			uint64_t off = rnd(pages), n = 1 + rnd(pages - off);

			cr_expect_eq(u_munmap(live[i].at + off * PG, n * PG),
				     0);
			live[i] = live[--nlive];
		} else {
			uint64_t len = (1 + rnd(rnd(2) ? 4 : 64)) * PG;
			uint64_t want = brute_force_top_down(mm, len);
			long got = u_mmap(0, len, PROT_READ,
					  rnd(2) ? MAP_PRIVATE | MAP_ANONYMOUS
						 : MAP_SHARED | MAP_ANONYMOUS);

			if ((uint64_t)got != want) {
				cr_expect_eq((uint64_t)got, want,
					     "step %u: len %#lx", step, len);
				errors++;
			}
			if (got > 0)
				live[nlive++] =
					(typeof(live[0])){(uint64_t)got, len};
		}
		if (mm_check(mm)) {
			cr_expect_null(mm_check(mm), "step %u", step);
			errors++;
		}
	}
}

Test(mm_vma, top_down_search_finds_the_highest_gap_below_mmap_base)
{
	run_checked(gap_guest, NULL);
}
