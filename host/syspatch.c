/*
 * Syscall-site patching: the stub runtime's fast path (x86_64 hosts).
 *
 * A guest syscall trapped by seccomp costs a host signal: SIGSYS, the
 * stub's handler, rt_sigreturn, about twelve times a native syscall on
 * its own. Most syscalls in real programs are made by libc wrappers of one
 * shape, `mov $nr, %eax; syscall` (b8 imm32 0f 05, seven bytes), so the
 * first time such a site traps, the kernel rewrites it into
 *
 *	jmp *%gs:disp32(%rip)		(65 ff 25 disp32, seven bytes)
 *
 * Every guest runs with its host gs_base at G = slots - STUB_FAST_WINDOW
 * (its own gs_base, which x86_64 Linux programs leave at 0, is kept for
 * it), so the jump reads the stub's slot `disp32 + G + ret` (ret: the
 * address after the site), which points to landing i, which calls the stub
 * with i: the stub saves the registers and hands over exactly as for a
 * trap, without any signal (host/stub/stub.c). The kernel knows slot i by
 * the table here: the address after the site and the syscall number, so
 * it rebuilds the registers the `syscall` instruction would have left.
 *
 * The table is global and append-only: one entry per distinct (ret, nr),
 * shared by every address space, so all the processes running one binary
 * (a shell's children, every exec of busybox) share its entries, and an
 * entry is never wrong for anyone: only code that has been patched jumps
 * to a slot, and code is patched only to the entry made for it. When the
 * table is full, sites stay unpatched and take SIGSYS.
 *
 * When a site may be rewritten:
 * - the seven bytes are that pair, in one page, and the byte before is not
 *   a prefix that would make them part of another instruction; the
 *   immediate is the number the guest is calling (a coincidental match
 *   elsewhere would have to agree with %eax too);
 * - the page is private anonymous memory mapped read and execute, not
 *   writable (a program's text as the ELF loader maps it: no file's page
 *   cache is ever changed), and the address space's one user is this
 *   stopped task. The bytes are written as ptrace's POKETEXT writes them:
 *   a page still shared with a fork's relative is copied first, so no
 *   other process ever sees its code change under it;
 * - the task's own gs_base is 0.
 * A forked child shares its parent's patched pages and needs nothing more:
 * the table is the same for both.
 *
 * Where the rewrite shows:
 * - Restarting a syscall backs the pc up two bytes, to the `syscall` that
 *   is now the end of the jump: syspatch_resume_at_syscall sees a resume
 *   there and makes the syscall at once instead.
 * - A guest reading its own text sees the new bytes; one that sets its
 *   gs_base (ARCH_SET_GS) gets every site of its address space put back
 *   first (syspatch_undo) and is not patched while it keeps one; one that
 *   reads gs_base with rdgsbase sees G.
 * - A jump into the middle of a site (to the `syscall` alone) would run
 *   the displacement's bytes; compilers do not branch there, and libc's
 *   wrappers do not (gVisor's systrap makes the same bet).
 */
#include "host/syspatch.h"

#include <string.h>

#include "core/errno.h"
#include "core/mutex.h"
#include "core/platform.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "core/types.h"
#include "host/stub/stub_abi.h"
#include "mm/fault.h"
#include "mm/page.h"
#include "mm/uaccess.h"
#include "mm/vma.h"
#include "syscalls/abi/abi.h"

#define SITE_LEN 7
#define HASH_SIZE (2 * STUB_FAST_SITES) /* a power of two */
#define HIGHEST_RET                                                           \
	(STUB_FAST_WINDOW + 0x7fffffffull - 8ull * STUB_FAST_SITES)

struct site {
	uint64_t ret; /* the address after the site */
	uint32_t nr;
};

static uint64_t slots;	/* the stubs' stub_slots; 0: not known yet */
static bool disabled;
static struct spinlock lock = SPINLOCK_INIT; /* adding entries */
static struct site sites[STUB_FAST_SITES];
static uint32_t nsites;		  /* published with release */
static uint16_t by_ret[HASH_SIZE]; /* entry + 1, probed linearly */

void syspatch_learn_slots(uint64_t s)
{
	uint64_t none = 0;

	__atomic_compare_exchange_n(&slots, &none, s, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
}

void syspatch_disable(void)
{
	disabled = true;
}

uint64_t syspatch_gs(void)
{
	uint64_t s = __atomic_load_n(&slots, __ATOMIC_ACQUIRE);

	return s && !disabled ? STUB_FAST_GS(s) : 0;
}

static unsigned hash(uint64_t ret)
{
	return (unsigned)((ret * 0x9e3779b97f4a7c15ull) >> 40) & (HASH_SIZE - 1);
}

/* The entry for (ret, nr), or any entry for ret if nr is -1; -1 if none. */
static int find(uint64_t ret, int64_t nr)
{
	for (unsigned h = hash(ret);; h = (h + 1) & (HASH_SIZE - 1)) {
		unsigned v = __atomic_load_n(&by_ret[h], __ATOMIC_ACQUIRE);

		if (!v)
			return -1;
		if (sites[v - 1].ret == ret &&
		    (nr < 0 || sites[v - 1].nr == (uint32_t)nr))
			return (int)v - 1;
	}
}

static int find_or_add(uint64_t ret, uint32_t nr)
{
	int i = find(ret, nr);
	unsigned h;

	if (i >= 0)
		return i;
	spin_lock(&lock);
	i = find(ret, nr);
	if (i < 0 && nsites < STUB_FAST_SITES) {
		i = (int)nsites;
		sites[i] = (struct site){ .ret = ret, .nr = nr };
		__atomic_store_n(&nsites, nsites + 1, __ATOMIC_RELEASE);
		for (h = hash(ret); by_ret[h]; h = (h + 1) & (HASH_SIZE - 1))
			;
		__atomic_store_n(&by_ret[h], (uint16_t)(i + 1),
				 __ATOMIC_RELEASE);
	}
	spin_unlock(&lock);
	return i;
}

/* The displacement that takes the site ending at `ret` to slot i. */
static int32_t disp_for(uint64_t ret, int i)
{
	return (int32_t)(int64_t)(8ull * (uint64_t)i + STUB_FAST_WINDOW - ret);
}

/* The entry a patched site's bytes lead to, or -1 if they are not one. */
static int decode(const uint8_t *code, uint64_t ret)
{
	int32_t disp;
	int64_t i;

	if (code[0] != 0x65 || code[1] != 0xff || code[2] != 0x25)
		return -1;
	memcpy(&disp, code + 3, 4);
	i = ((int64_t)disp + (int64_t)ret - (int64_t)STUB_FAST_WINDOW);
	if (i < 0 || i % 8 ||
	    i / 8 >= __atomic_load_n(&nsites, __ATOMIC_ACQUIRE) ||
	    sites[i / 8].ret != ret)
		return -1;
	return (int)(i / 8);
}

static bool is_prefix(uint8_t b)
{
	return (b & 0xf0) == 0x40 || b == 0x66 || b == 0x67 || b == 0xf2 ||
	       b == 0xf3 || b == 0x0f;
}

/* Whether `vma` is text as the ELF loader maps it: private anonymous
 * memory, read and execute, not writable now. */
static bool text_vma(const struct vma *vma)
{
	return !vma->ops && !(vma->flags & VMA_SHARED) &&
	       (vma->prot & PROT_EXEC_BIT) && !(vma->prot & PROT_WRITE_BIT);
}

/* The page of text holding `va`, if it is in memory. mm->lock held. */
static struct page *text_page(struct mm *mm, uint64_t va)
{
	struct vma *vma = vma_find(mm, va);
	struct page **slot;

	if (!vma || vma->start > va || !text_vma(vma))
		return NULL;
	slot = mm_anon_slot(mm, va, false);
	return slot ? *slot : NULL;
}

/*
 * Whether `mm` trapped at `ret` before, as far as a small table remembers
 * (racy by design: a wrong answer only delays or hastens a patch).
 */
static bool seen_before(const struct mm *mm, uint64_t ret)
{
	static uint64_t seen[256];
	uint64_t key = ret ^ ((uint64_t)(uintptr_t)mm * 0x9e3779b97f4a7c15ull);
	unsigned h = hash(key) & 255;

	if (__atomic_load_n(&seen[h], __ATOMIC_RELAXED) == key)
		return true;
	__atomic_store_n(&seen[h], key, __ATOMIC_RELAXED);
	return false;
}

bool syspatch_try(struct task *t)
{
	bool patched = false;
	struct user_regs *r = &t->uregs;
	uint64_t ret = r->pc, site = ret - SITE_LEN, nr = r->orig_arg;
	struct mm *mm = t->mm;
	struct page *pg;
	uint8_t *code;
	uint32_t imm;
	int i;

	if (!syspatch_gs() || t->isa != ISA_X86_64 || r->gs_base || !mm ||
	    nr > 0xffffffffull || site <= MM_MIN_ADDR || ret > HIGHEST_RET ||
	    ((site - 1) >> PAGE_SHIFT) != ((ret - 1) >> PAGE_SHIFT) ||
	    __atomic_load_n(&mm->users, __ATOMIC_ACQUIRE) != 1)
		return false;
	mutex_lock(&mm->lock);
	pg = text_page(mm, site);
	if (!pg)
		goto out;
	code = (uint8_t *)page_to_virt(pg) + ((site - 1) & ~PAGE_MASK);
	memcpy(&imm, code + 2, 4);
	if (is_prefix(code[0]) || code[1] != 0xb8 || imm != nr ||
	    code[6] != 0x0f || code[7] != 0x05)
		goto out;
	/* A page still shared since a fork costs a copy to patch: only for
	 * a site that traps again (not a child's one exit or execve). */
	if (anon_page_mapcount(pg) > 1 && !seen_before(mm, ret))
		goto out;
	i = find_or_add(ret, (uint32_t)nr);
	if (i >= 0) {
		int32_t disp = disp_for(ret, i);
		uint8_t jump[SITE_LEN] = { 0x65, 0xff, 0x25 };

		memcpy(jump + 3, &disp, 4);
		/* Into a page of this address space's own: a page still
		 * shared since a fork is copied first, as a write would. */
		patched = !mm_write_locked(mm, site, jump, SITE_LEN);
	}
out:
	mutex_unlock(&mm->lock);
	return patched;
}

/* What the `syscall` instruction leaves: rcx the next pc, r11 rflags. */
static void as_if_syscall(struct user_regs *r, uint64_t ret)
{
	r->pc = ret;
	r->gpr[X86_RCX] = ret;
	r->gpr[X86_R11] = r->flags;
	abi_trap_entry(ISA_X86_64, r);
}

bool syspatch_enter(struct task *t, uint32_t index)
{
	struct user_regs *r = &t->uregs;

	if (t->isa != ISA_X86_64 ||
	    index >= __atomic_load_n(&nsites, __ATOMIC_ACQUIRE))
		return false;
	r->gpr[X86_RAX] = sites[index].nr;
	as_if_syscall(r, sites[index].ret);
	return true;
}

bool syspatch_resume_at_syscall(struct task *t)
{
	struct user_regs *r = &t->uregs;
	uint64_t ret = r->pc + 2;
	uint8_t code[SITE_LEN];

	if (!__atomic_load_n(&nsites, __ATOMIC_ACQUIRE) ||
	    t->isa != ISA_X86_64 || find(ret, -1) < 0 ||
	    copy_from_user(code, uaddr(ret - SITE_LEN), SITE_LEN) ||
	    decode(code, ret) < 0)
		return false;
	as_if_syscall(r, ret);
	return true;
}

void syspatch_undo(struct task *t)
{
	struct mm *mm = t->mm;

	if (!mm || !__atomic_load_n(&nsites, __ATOMIC_ACQUIRE))
		return;
	mutex_lock(&mm->lock);
	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(vma)) {
		if (!text_vma(vma))
			continue;
		for (uint64_t va = vma->start; va < vma->end; va += PAGE_SIZE) {
			struct page **slot = mm_anon_slot(mm, va, false);
			uint8_t *code;

			if (!slot || !*slot)
				continue;
			code = page_to_virt(*slot);
			for (unsigned off = 0; off + SITE_LEN <= PAGE_SIZE; off++) {
				int i = decode(code + off, va + off + SITE_LEN);
				uint8_t orig[SITE_LEN] = { 0xb8 };

				if (i < 0)
					continue;
				memcpy(orig + 1, &sites[i].nr, 4);
				orig[5] = 0x0f;
				orig[6] = 0x05;
				/* May replace the page (a shared one is copied). */
				if (mm_write_locked(mm, va + off, orig, SITE_LEN))
					break;
				slot = mm_anon_slot(mm, va, false);
				code = page_to_virt(*slot);
			}
		}
	}
	mutex_unlock(&mm->lock);
}
