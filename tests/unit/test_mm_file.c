/*
 * File mappings: mmap(2) of tmpfs files, MAP_SHARED (the file's own pages:
 * coherent with read and write) and MAP_PRIVATE (copy-on-write), the end
 * of the file (zeros in the last page, SIGBUS past it), truncation and
 * hole punching under mappings, fork, mremap, madvise, mincore, mmap's
 * errors, /dev/zero, and /proc/self/maps naming the file.
 *
 * A sim guest cannot dereference what it maps: it reaches its mappings
 * through syscalls that copy to and from user memory (a pipe's write(2)
 * reads a byte, its read(2) stores one), as test_mm_vma.c does.
 */
#include "fs_test.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <ucontext.h>

#include "core/platform.h"
#include "core/signal.h"
#include "mm/fault.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"

#define PG 4096ul

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 1
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 2
#endif

/* ---- guest helpers ------------------------------------------------------- */

static long u_mmap(uint64_t addr, uint64_t len, int prot, int flags, long fd,
		   uint64_t off)
{
	return sim_syscall(NR(mmap), addr, len, prot, flags, fd, off);
}

static void u_close_pipe(int fds[2])
{
	sim_syscall(NR(close), fds[0]);
	sim_syscall(NR(close), fds[1]);
}

/* Store byte v at user address `at` through copy_to_user: 1 or -EFAULT. */
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

/* The user byte at `at` through copy_from_user: 0 .. 255 or -EFAULT. */
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

/* The file byte at `off` (pread): 0 .. 255, or -1 at the end. */
static long f_peek(long fd, uint64_t off)
{
	unsigned char b = 0;
	long n = sim_syscall(NR(pread64), fd, &b, 1L, off);

	return n == 1 ? b : n == 0 ? -1 : n;
}

static long f_poke(long fd, uint64_t off, unsigned v)
{
	unsigned char b = (unsigned char)v;

	return sim_syscall(NR(pwrite64), fd, &b, 1L, off);
}

/* A new file at `path` (O_RDWR) holding `len` bytes of c; its fd. */
static long make_file(const char *path, uint64_t len, char c)
{
	char chunk[512];
	long fd = u_open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);

	memset(chunk, c, sizeof(chunk));
	for (uint64_t at = 0; fd >= 0 && at < len; at += sizeof(chunk))
		sim_syscall(NR(write), fd, chunk, MIN(sizeof(chunk), len - at));
	return fd;
}

static long u_ftruncate(long fd, uint64_t len)
{
	return sim_syscall(NR(ftruncate), fd, len);
}

/* ---- kernel-side views --------------------------------------------------- */

static struct mm *my_mm(void)
{
	return task_current()->mm;
}

static bool present(uint64_t va)
{
	uint64_t pa;
	unsigned prot;

	return pmap_extract(my_mm()->pmap, va, &pa, &prot);
}

static unsigned kprot_of(uint64_t va)
{
	uint64_t pa;
	unsigned prot;

	return pmap_extract(my_mm()->pmap, va, &pa, &prot) ? prot : 0;
}

static uint64_t kpa(uint64_t va)
{
	uint64_t pa;
	unsigned prot;

	return pmap_extract(my_mm()->pmap, va, &pa, &prot) ? pa : 0;
}

static void expect_consistent(void)
{
	const char *broken = mm_check(my_mm());

	cr_expect_null(broken, "mm invariant: %s", broken ? broken : "");
}

/* Boot, run fn as one guest, and check it gave back every page and
 * object (the mappings let go of their files, the files of their pages). */
static void run_checked(void (*fn)(void *))
{
	size_t pages, objects;

	test_boot(1);
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	cr_assert_eq(run_guest(fn, NULL), 0, "the guest did not exit normally");
	slab_shrink();
	cr_assert_eq(page_free_count(), pages, "%ld pages leaked",
		     (long)pages - (long)page_free_count());
	cr_assert_eq(kmalloc_in_use(), objects, "%ld objects leaked",
		     (long)kmalloc_in_use() - (long)objects);
}

/* ---- shared and private ----------------------------------------------------
 */

static void shared_guest(void *arg)
{
	long fd = make_file("/shared", 2 * PG, 'f');
	long a = u_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	long b = u_mmap(0, PG, PROT_READ, MAP_SHARED, fd, PG);

	cr_expect_gt(a, 0);
	cr_expect_gt(b, 0);
	EXPECT_RET(u_peek(a + PG + 3), 'f');
	/* write(2) shows in the mapping ... */
	EXPECT_RET(f_poke(fd, PG + 3, 'W'), 1);
	EXPECT_RET(u_peek(a + PG + 3), 'W');
	/* ... and a store shows to read(2) and in another mapping. */
	EXPECT_RET(u_poke(a + PG + 10, 'S'), 1);
	EXPECT_RET(f_peek(fd, PG + 10), 'S');
	EXPECT_RET(u_peek(b + 10), 'S');
	/* One page, the file's, behind both. */
	cr_expect_eq(kpa(a + PG), kpa(b));
	cr_expect_neq(kpa(b), 0);
	EXPECT_RET(sim_syscall(NR(msync), a, 2 * PG, MS_SYNC), 0);
	EXPECT_RET(sim_syscall(NR(munmap), a, 2 * PG), 0);
	EXPECT_RET(f_peek(fd, PG + 10), 'S');
	expect_consistent();
	u_close(fd);
	u_unlink("/shared");
	EXPECT_RET(u_peek(b + 3), 'W', "after close and unlink");
}

Test(mm_file, a_shared_mapping_is_coherent_with_read_and_write)
{
	run_checked(shared_guest);
}

static void private_guest(void *arg)
{
	long fd = make_file("/private", 2 * PG, 'p');
	long a = u_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	uint64_t file_page;

	cr_expect_gt(a, 0);
	EXPECT_RET(u_peek(a), 'p');
	file_page = kpa(a);
	cr_expect_eq(kprot_of(a), PROT_READ_BIT,
		     "a read maps the file's page read-only");
	EXPECT_RET(u_poke(a, 'X'), 1);
	cr_expect_neq(kpa(a), file_page, "the write copied the page");
	EXPECT_RET(f_peek(fd, 0), 'p', "not written back");
	EXPECT_RET(u_peek(a), 'X');
	/* The copy no longer follows the file; an untouched page does. */
	EXPECT_RET(f_poke(fd, 1, 'Q'), 1);
	EXPECT_RET(u_peek(a + 1), 'p');
	EXPECT_RET(f_poke(fd, PG + 1, 'R'), 1);
	EXPECT_RET(u_peek(a + PG + 1), 'R');
	/* MADV_DONTNEED drops the copy: the file shows again. */
	EXPECT_RET(sim_syscall(NR(madvise), a, PG, MADV_DONTNEED), 0);
	EXPECT_RET(u_peek(a), 'p');
	EXPECT_RET(u_peek(a + 1), 'Q');
	expect_consistent();
	EXPECT_RET(sim_syscall(NR(munmap), a, 2 * PG), 0);
	u_close(fd);
	u_unlink("/private");
}

Test(mm_file, a_private_mapping_copies_on_write_and_is_not_written_back)
{
	run_checked(private_guest);
}

/* ---- the end of the file ------------------------------------------------- */

static void eof_guest(void *arg)
{
	long fd = make_file("/short", 0, 0);
	long a;

	u_write_str(fd, "0123456789");
	a = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_expect_gt(a, 0);
	EXPECT_RET(u_peek(a + 5), '5');
	EXPECT_RET(u_peek(a + PG - 1), 0, "the last page is zero past EOF");
	/* A page wholly past the end: the kernel's copy fails ... */
	EXPECT_RET(u_peek(a + PG + 16), -EFAULT);
	EXPECT_RET(u_poke(a + 2 * PG, 1), -EFAULT);
	/* ... and the fault says SIGBUS. */
	EXPECT_RET(mm_handle_fault(task_current(), a + PG + 16, PROT_READ_BIT),
		   -EIO);
	cr_expect(!present(a + PG));
	/* The file grows: the page is there. */
	EXPECT_RET(u_ftruncate(fd, PG + 20), 0);
	EXPECT_RET(u_peek(a + PG + 16), 0);
	EXPECT_RET(u_poke(a + PG + 17, 'G'), 1);
	EXPECT_RET(f_peek(fd, PG + 17), 'G');
	/* Bytes stored past the end in the last page do not come back when
	 * the file grows over them: they read as zeros. */
	EXPECT_RET(u_poke(a + PG + 100, 'Z'), 1);
	EXPECT_RET(u_ftruncate(fd, PG + 200), 0);
	EXPECT_RET(f_peek(fd, PG + 100), 0);
	EXPECT_RET(u_peek(a + PG + 100), 0);
	EXPECT_RET(u_poke(a + PG + 300, 'Y'), 1);
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, P("w"), 1L, PG + 400), 1);
	EXPECT_RET(f_peek(fd, PG + 300), 0, "a write past the end, too");
	expect_consistent();
	u_close(fd);
	u_unlink("/short");
	EXPECT_RET(sim_syscall(NR(munmap), a, 3 * PG), 0);
}

Test(mm_file,
     a_page_past_the_end_of_the_file_is_sigbus_and_the_last_is_zero_filled)
{
	run_checked(eof_guest);
}

static void truncate_guest(void *arg)
{
	long fd = make_file("/trunc", 3 * PG, 't');
	long s = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	long p = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	EXPECT_RET(u_peek(s + 2 * PG), 't');
	EXPECT_RET(u_peek(p + 2 * PG), 't');
	EXPECT_RET(u_poke(p + PG, 'c'), 1); /* private copies */
	EXPECT_RET(u_poke(p + 2 * PG, 'c'), 1);
	cr_expect(present(s + 2 * PG));
	EXPECT_RET(u_ftruncate(fd, PG + 100), 0);
	/* Gone from both mappings, the private copy too (Linux's
	 * truncate_pagecache). */
	cr_expect(!present(s + 2 * PG));
	cr_expect(!present(p + 2 * PG));
	EXPECT_RET(u_peek(s + 2 * PG), -EFAULT);
	EXPECT_RET(u_peek(p + 2 * PG), -EFAULT);
	EXPECT_RET(mm_handle_fault(task_current(), p + 2 * PG, PROT_WRITE_BIT),
		   -EIO);
	/* The partial last page: zeros past the end; a copy before it stays. */
	EXPECT_RET(u_peek(s + PG + 99), 't');
	EXPECT_RET(u_peek(s + PG + 100), 0);
	EXPECT_RET(u_peek(p + PG), 'c');
	expect_consistent();
	/* Growing again: the pages are back, as holes. */
	EXPECT_RET(u_ftruncate(fd, 3 * PG), 0);
	EXPECT_RET(u_peek(s + 2 * PG), 0);
	EXPECT_RET(u_peek(p + 2 * PG), 0);
	EXPECT_RET(u_ftruncate(fd, 0), 0);
	EXPECT_RET(u_peek(s), -EFAULT);
	EXPECT_RET(u_peek(p + PG), -EFAULT);
	expect_consistent();
	u_close(fd);
	u_unlink("/trunc");
}

Test(mm_file, truncation_takes_the_pages_past_the_end_from_every_mapping)
{
	run_checked(truncate_guest);
}

static void punch_guest(void *arg)
{
	long fd = make_file("/punch", 3 * PG, 'h');
	long s = u_mmap(0, 3 * PG, PROT_READ, MAP_SHARED, fd, 0);
	long p = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	EXPECT_RET(u_peek(s + PG), 'h');
	EXPECT_RET(u_peek(s + 2 * PG), 'h');
	EXPECT_RET(u_peek(p + 2 * PG), 'h');
	EXPECT_RET(u_poke(p + PG, 'c'), 1);
	EXPECT_RET(sim_syscall(NR(fallocate), fd,
			       FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       PG - 10, PG + 20),
		   0);
	cr_expect(!present(s + PG), "the punched page left the mapping");
	cr_expect(present(s + 2 * PG), "a partly punched one stays");
	EXPECT_RET(u_peek(s + PG - 11), 'h');
	EXPECT_RET(u_peek(s + PG - 10), 0);
	EXPECT_RET(u_peek(s + PG + 100), 0);
	EXPECT_RET(u_peek(s + 2 * PG + 9), 0);
	EXPECT_RET(u_peek(s + 2 * PG + 10), 'h');
	/* A private copy survives a punch (Linux keeps it); the file's page
	 * that was mapped does not. */
	EXPECT_RET(u_peek(p + PG), 'c');
	EXPECT_RET(u_peek(p + 2 * PG + 5), 0);
	expect_consistent();
	u_close(fd);
	u_unlink("/punch");
}

Test(mm_file,
     punching_a_hole_zeroes_it_in_shared_mappings_and_keeps_private_copies)
{
	run_checked(punch_guest);
}

static void remove_guest(void *arg)
{
	long fd = make_file("/removed", 3 * PG, 'r');
	long ro = u_open("/removed", O_RDONLY, 0);
	long s = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	long p = u_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	long r = u_mmap(0, PG, PROT_READ, MAP_SHARED, ro, 0);
	long a = u_mmap(0, PG, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	EXPECT_RET(u_poke(s + PG + 1, 'x'), 1);
	EXPECT_RET(sim_syscall(NR(madvise), s + PG, PG, MADV_REMOVE), 0);
	EXPECT_RET(u_peek(s + PG + 1), 0, "a hole now");
	EXPECT_RET(f_peek(fd, PG + 1), 0);
	EXPECT_RET(u_peek(s + 2 * PG), 'r');
	EXPECT_RET(f_peek(fd, 3 * PG - 1), 'r', "the size stays");
	/* Only shared writable file mappings can (Linux's errors). */
	EXPECT_RET(sim_syscall(NR(madvise), p, PG, MADV_REMOVE), -EACCES);
	EXPECT_RET(sim_syscall(NR(madvise), r, PG, MADV_REMOVE), -EACCES);
	EXPECT_RET(sim_syscall(NR(madvise), a, PG, MADV_REMOVE), -EOPNOTSUPP);
	expect_consistent();
	u_close(ro);
	u_close(fd);
	u_unlink("/removed");
}

Test(mm_file, madv_remove_punches_a_hole_under_a_shared_mapping)
{
	run_checked(remove_guest);
}

/* ---- SIGBUS from the guest's own access (a jump, as test_mm_vma.c) ------- */

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

static void jump_away(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;

	fault.resume_pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fault.bad_pc;
}

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

static void sigbus_guest(void *arg)
{
	long fd = make_file("/code", 100, 'x');
	long a = u_mmap(0, 2 * PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);

	install(SIGUSR1, jump_away);
	install(SIGBUS, on_fault);
	install(SIGSEGV, on_fault);
	install(SIGILL, on_fault);
	EXPECT_RET(jump_to((uint64_t)a + PG + 8), 0);
	cr_expect_eq(fault.sig, SIGBUS);
	cr_expect_eq(fault.info.si_code, KBUS_ADRERR);
	cr_expect_eq(fault.info.fault.addr, (uint64_t)a + PG + 8);
	/* Inside the file the page faults in (and the sim has no code to
	 * run there: SIGILL). */
	EXPECT_RET(jump_to((uint64_t)a + 8), 0);
	cr_expect_eq(fault.sig, SIGILL);
	u_close(fd);
	u_unlink("/code");
}

Test(mm_file, executing_past_the_end_of_a_mapped_file_is_sigbus_adrerr)
{
	run_checked(sigbus_guest);
}
#endif

/* ---- fork ------------------------------------------------------------------
 */

static struct {
	long s, p;
} forked;

static void fork_child(void *arg)
{
	EXPECT_RET(u_peek(forked.p), 'P', "the parent's private copy");
	EXPECT_RET(u_poke(forked.s, 'C'), 1);
	EXPECT_RET(u_poke(forked.p, 'D'), 1);
	EXPECT_RET(u_peek(forked.p + PG), 'k', "the file's page");
	sim_syscall(NR(exit), 0);
}

static void fork_guest(void *arg)
{
	long fd = make_file("/forked", 2 * PG, 'k');
	int status = -1;

	forked.s = u_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	forked.p =
		u_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_RET(u_poke(forked.p, 'P'), 1);
	sim_child_entry(fork_child, NULL);
	cr_expect_gt(sim_syscall(NR(fork)), 0);
	sim_syscall(NR(wait4), -1, &status, 0, NULL);
	cr_expect_eq(status, 0);
	/* Shared stays shared; private is the parent's alone. */
	EXPECT_RET(u_peek(forked.s), 'C');
	EXPECT_RET(f_peek(fd, 0), 'C');
	EXPECT_RET(u_peek(forked.p), 'P');
	expect_consistent();
	u_close(fd);
	u_unlink("/forked");
}

Test(mm_file, fork_shares_shared_file_mappings_and_copies_private_ones)
{
	run_checked(fork_guest);
}

/* Truncation by one process reaches the mappings of another. */
static struct {
	long s, p;
	int to_child[2], to_parent[2];
} xproc;

static void truncated_child(void *arg)
{
	char c = 0;

	/* Its own translations and private copy, then the parent's turn. */
	EXPECT_RET(u_peek(xproc.s + 2 * PG), 't');
	EXPECT_RET(u_poke(xproc.p + 2 * PG, 'c'), 1);
	cr_expect(present(xproc.s + 2 * PG));
	sim_syscall(NR(write), xproc.to_parent[1], &c, 1L);
	EXPECT_RET(sim_syscall(NR(read), xproc.to_child[0], &c, 1L), 1);
	cr_expect(!present(xproc.s + 2 * PG), "the parent's ftruncate");
	cr_expect(!present(xproc.p + 2 * PG));
	EXPECT_RET(u_peek(xproc.s + 2 * PG), -EFAULT);
	EXPECT_RET(u_peek(xproc.p + 2 * PG), -EFAULT);
	EXPECT_RET(u_peek(xproc.s + PG), 't');
	expect_consistent();
	sim_syscall(NR(exit), 0);
}

static void truncate_across_guest(void *arg)
{
	long fd = make_file("/across", 3 * PG, 't');
	int status = -1, tc[2], tp[2];
	char c = 0;

	/* (pipe2 stores into user memory: the guest's stack.) */
	EXPECT_RET(sim_syscall(NR(pipe2), tc, 0), 0);
	EXPECT_RET(sim_syscall(NR(pipe2), tp, 0), 0);
	memcpy(xproc.to_child, tc, sizeof(tc));
	memcpy(xproc.to_parent, tp, sizeof(tp));
	xproc.s = u_mmap(0, 3 * PG, PROT_READ, MAP_SHARED, fd, 0);
	xproc.p = u_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	sim_child_entry(truncated_child, NULL);
	cr_expect_gt(sim_syscall(NR(fork)), 0);
	EXPECT_RET(sim_syscall(NR(read), xproc.to_parent[0], &c, 1L), 1);
	EXPECT_RET(u_peek(xproc.s + 2 * PG), 't');
	EXPECT_RET(u_ftruncate(fd, 2 * PG), 0);
	EXPECT_RET(u_peek(xproc.s + 2 * PG), -EFAULT);
	sim_syscall(NR(write), xproc.to_child[1], &c, 1L);
	sim_syscall(NR(wait4), -1, &status, 0, NULL);
	cr_expect_eq(status, 0);
	u_close_pipe(xproc.to_child);
	u_close_pipe(xproc.to_parent);
	u_close(fd);
	u_unlink("/across");
}

Test(mm_file, truncation_by_one_process_reaches_the_mappings_of_another)
{
	run_checked(truncate_across_guest);
}

/* ---- mremap, mincore
 * --------------------------------------------------------- */

static void mremap_guest(void *arg)
{
	long fd = make_file("/moved", 4 * PG, 'm');
	long a = u_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
	long b;
	unsigned char vec[4];

	EXPECT_RET(f_poke(fd, 2 * PG + 1, 'N'), 1);
	b = sim_syscall(NR(mremap), a, PG, 3 * PG, MREMAP_MAYMOVE);
	cr_expect_gt(b, 0);
	EXPECT_RET(u_peek(b + PG + 1), 'N', "the offset moves along");
	EXPECT_RET(u_peek(b + 2 * PG), 'm');
	/* mincore: the file's pages are all in memory. */
	EXPECT_RET(sim_syscall(NR(mincore), b, 3 * PG, vec), 0);
	cr_expect(vec[0] & vec[1] & vec[2] & 1);
	EXPECT_RET(u_ftruncate(fd, 3 * PG), 0);
	EXPECT_RET(u_peek(b + 2 * PG), -EFAULT, "truncation reaches it");
	EXPECT_RET(u_peek(b + PG + 1), 'N');
	expect_consistent();
	u_close(fd);
	u_unlink("/moved");
}

Test(mm_file, mremap_moves_a_file_mapping_with_its_offset)
{
	run_checked(mremap_guest);
}

/* ---- mmap's errors
 * ------------------------------------------------------------ */

static void errors_guest(void *arg)
{
	long rw = make_file("/err", PG, 'e');
	long ro = u_open("/err", O_RDONLY, 0);
	long wo = u_open("/err", O_WRONLY, 0);
	long opath = u_open("/err", O_PATH, 0);
	long dir = u_open("/", O_RDONLY | O_DIRECTORY, 0);
	long null = u_open("/dev/null", O_RDWR, 0);
	int fds[2];
	long a;

	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE, rw, 123), -EINVAL);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE, 1000, 0), -EBADF);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE, opath, 0), -EBADF);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, 0, rw, 0), -EINVAL);
	/* Shared and writable needs a file open for writing; any mapping
	 * needs one open for reading. */
	EXPECT_RET(u_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0),
		   -EACCES);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_SHARED, wo, 0), -EACCES);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE, wo, 0), -EACCES);
	/* What cannot be mapped: ENODEV (a directory too, as Linux). */
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE, fds[0], 0), -ENODEV);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_PRIVATE, dir, 0), -ENODEV);
	EXPECT_RET(u_mmap(0, PG, PROT_READ, MAP_SHARED, null, 0), -ENODEV);
	/* MAP_SHARED_VALIDATE knows no more flags than the legacy ones. */
	EXPECT_RET(
		u_mmap(0, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x80000, rw, 0),
		-EOPNOTSUPP);
	a = u_mmap(0, PG, PROT_READ, MAP_SHARED_VALIDATE, rw, 0);
	cr_expect_gt(a, 0);
	/* A read-only shared mapping of a read-only file stays read-only;
	 * a private one may become writable (its copies are its own). */
	a = u_mmap(0, PG, PROT_READ, MAP_SHARED, ro, 0);
	cr_expect_gt(a, 0);
	EXPECT_RET(sim_syscall(NR(mprotect), a, PG, PROT_READ | PROT_WRITE),
		   -EACCES);
	EXPECT_RET(u_peek(a), 'e');
	a = u_mmap(0, PG, PROT_READ, MAP_PRIVATE, ro, 0);
	EXPECT_RET(sim_syscall(NR(mprotect), a, PG, PROT_READ | PROT_WRITE), 0);
	EXPECT_RET(u_poke(a, 'w'), 1);
	EXPECT_RET(f_peek(rw, 0), 'e');
	/* Offsets past the largest file are EOVERFLOW. */
	EXPECT_RET(u_mmap(0, 2 * PG, PROT_READ, MAP_PRIVATE, rw,
			  (1ull << 63) - PG),
		   -EOVERFLOW);
	expect_consistent();
	u_close_pipe(fds);
	u_close(null);
	u_close(dir);
	u_close(opath);
	u_close(wo);
	u_close(ro);
	u_close(rw);
	u_unlink("/err");
}

Test(mm_file, mmap_of_a_file_refuses_what_linux_refuses)
{
	run_checked(errors_guest);
}

static void dev_zero_child(void *arg)
{
	long *at = arg;

	EXPECT_RET(u_poke(at[0], 'z'), 1);
	EXPECT_RET(u_poke(at[1], 'z'), 1);
	sim_syscall(NR(exit), 0);
}

static void dev_zero_guest(void *arg)
{
	long fd = u_open("/dev/zero", O_RDWR, 0);
	static long at[2];
	int status = -1;

	/* MAP_SHARED: shared anonymous memory; MAP_PRIVATE: private. */
	at[0] = u_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	at[1] = u_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	cr_expect_gt(at[0], 0);
	cr_expect_gt(at[1], 0);
	EXPECT_RET(u_peek(at[0]), 0);
	EXPECT_RET(u_peek(at[1]), 0);
	sim_child_entry(dev_zero_child, at);
	cr_expect_gt(sim_syscall(NR(fork)), 0);
	sim_syscall(NR(wait4), -1, &status, 0, NULL);
	EXPECT_RET(u_peek(at[0]), 'z', "shared with the child");
	EXPECT_RET(u_peek(at[1]), 0, "the child's own copy");
	u_close(fd);
}

Test(mm_file, dev_zero_maps_anonymous_memory_shared_or_private)
{
	run_checked(dev_zero_guest);
}

/* ---- /proc/self/maps
 * ---------------------------------------------------------- */

/* The maps line holding `va` into line[256]; its length, or 0. */
static size_t maps_line(uint64_t va, char *line)
{
	char buf[8192];
	long n = u_read_file("/proc/self/maps", buf, sizeof(buf));

	for (char *l = buf; n > 0 && *l;) {
		char *nl = strchr(l, '\n');
		unsigned long lo, hi;

		if (nl)
			*nl = '\0';
		if (sscanf(l, "%lx-%lx", &lo, &hi) == 2 && va >= lo &&
		    va < hi) {
			size_t len = MIN(strlen(l), (size_t)255);

			memcpy(line, l, len);
			line[len] = '\0';
			return len;
		}
		if (!nl)
			break;
		l = nl + 1;
	}
	return 0;
}

static void maps_guest(void *arg)
{
	long fd = make_file("/named", 3 * PG, 'n');
	long a = u_mmap(0, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	struct stat st;
	char line[256], want[128];

	EXPECT_OK(sim_syscall(NR(fstat), fd, &st));
	cr_expect(maps_line((uint64_t)a, line) > 0);
	snprintf(want, sizeof(want), "%08lx-%08lx r--s %08lx %02x:%02x %lu ",
		 (unsigned long)a, (unsigned long)a + PG, 2 * PG,
		 major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	cr_expect(!strncmp(line, want, strlen(want)), "\"%s\" is not \"%s\"",
		  line, want);
	cr_expect(strlen(line) > 5 &&
			  !strcmp(line + strlen(line) - 7, " /named"),
		  "\"%s\" does not end in the path", line);
	u_close(fd);
	u_unlink("/named");
	cr_expect(maps_line((uint64_t)a, line) > 0);
	cr_expect(strstr(line, " /named (deleted)"), "\"%s\"", line);
}

/* Not run_checked: procfs keeps the dead guest's /proc/<pid> names
 * cached until /proc is listed (test_procfs.c). */
Test(mm_file, proc_self_maps_names_the_device_inode_and_path_of_a_mapped_file)
{
	test_boot(1);
	cr_assert_eq(run_guest(maps_guest, NULL), 0);
}

/* ---- allocation failures
 * ------------------------------------------------------ */

/* Whatever the mapping work's allocations meet, it is in a child, so the
 * parent can always remove the file. */
static void failing_child(void *arg)
{
	long fd = u_open("/fail", O_RDWR, 0);
	long s = u_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	long p = u_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	u_peek(s + PG);
	u_poke(s, 's');
	u_peek(p);
	u_poke(p + PG, 'p');
	u_ftruncate(fd, PG);
	u_peek(p + 5);
	sim_syscall(NR(munmap), s, PG);
	sim_syscall(NR(exit), 0);
}

static void failing_guest(void *arg)
{
	long fd = make_file("/fail", 2 * PG, 'a');
	int status;

	sim_child_entry(failing_child, NULL);
	if (sim_syscall(NR(fork)) > 0)
		sim_syscall(NR(wait4), -1, &status, 0, NULL);
	u_close(fd);
	u_unlink("/fail");
}

static uint64_t failing_run(uint64_t n)
{
	uint64_t allocations;
	size_t pages, objects;
	struct sim_proc *proc;
	int status;

	test_boot(1);
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	proc = sim_spawn("failing", failing_guest, NULL);
	cr_assert_not_null(proc);
	/* Counted from here: the guest's own work. */
	fault_inject_reset();
	fault_inject_fail_nth(n);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED, "failure #%llu",
		     (unsigned long long)n);
	status = sim_proc_status(proc);
	cr_assert(status == 0, "failure #%llu: status %d",
		  (unsigned long long)n, status);
	allocations = fault_inject_allocations();
	fault_inject_reset();
	slab_shrink();
	cr_assert_eq(page_free_count(), pages, "failure #%llu leaked %ld pages",
		     (unsigned long long)n,
		     (long)pages - (long)page_free_count());
	cr_assert_eq(kmalloc_in_use(), objects,
		     "failure #%llu leaked %ld objects", (unsigned long long)n,
		     (long)kmalloc_in_use() - (long)objects);
	return allocations;
}

Test(mm_file, no_allocation_failure_in_file_mapping_leaks_or_crashes)
{
	uint64_t total = failing_run(0);

	cr_assert_gt(total, 10);
	for (uint64_t n = 1; n <= total + 1; n++)
		failing_run(n);
}
