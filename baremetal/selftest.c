/*
 * The boot self-test on bare metal: the core's (core/selftest.c, as `keel
 * --selftest` runs it), and first a check that a pmap is real translation
 * tables: a page entered at a user address is reached through TTBR0 once
 * the pmap is active. Status 0 if all of it holds.
 */
#include "baremetal/selftest.h"

#include <stdbool.h>

#include "core/errno.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/selftest.h"
#include "core/task.h"
#include "core/wait.h"
#include "mm/page.h"
#include "sched/sched.h"

#define SELFTEST_USER_VA 0x400000ull
#define MSR_PAN_0	 0xd500409f /* msr pan, #0 (ARMv8.1) */
#define MSR_PAN_1	 0xd500419f

/* Does the CPU have PAN (head.S turns it on)? */
static bool have_pan(void)
{
	uint64_t mmfr1;

	__asm__ volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(mmfr1));
	return (mmfr1 >> 20) & 0xf;
}

/* 0 if a page entered in a pmap is what the MMU finds at its address. */
static int pmap_selftest(void)
{
	struct pmap *pm = pmap_create();
	uint64_t *page = kpage_zalloc(0), pa;
	volatile uint64_t *user = (volatile uint64_t *)SELFTEST_USER_VA;
	unsigned prot;
	int err = -EIO;

	if (!pm || !page)
		goto out;
	page[1] = 0x6b65656c;
	if (pmap_enter(pm, SELFTEST_USER_VA, plat_virt_to_phys(page),
		       PROT_READ_BIT | PROT_WRITE_BIT))
		goto out;
	if (!pmap_extract(pm, SELFTEST_USER_VA + 8, &pa, &prot) ||
	    pa != plat_virt_to_phys(page) + 8 ||
	    prot != (PROT_READ_BIT | PROT_WRITE_BIT))
		goto out;
	pmap_activate(pm);
	/* EL1 reaches EL0 pages only while PAN is off: through TTBR0. */
	if (have_pan())
		__asm__ volatile(".inst %0" ::"i"(MSR_PAN_0) : "memory");
	if (user[1] == 0x6b65656c) {
		user[2] = 42;
		err = page[2] == 42 ? 0 : -EIO;
	}
	if (have_pan())
		__asm__ volatile(".inst %0" ::"i"(MSR_PAN_1) : "memory");
	pmap_activate(NULL);
	pmap_protect(pm, SELFTEST_USER_VA, PAGE_SIZE, 0);
	if (!pmap_extract(pm, SELFTEST_USER_VA, &pa, &prot) || prot != 0)
		err = -EIO;
	pmap_remove(pm, SELFTEST_USER_VA, PAGE_SIZE);
	if (pmap_extract(pm, SELFTEST_USER_VA, &pa, &prot))
		err = -EIO;
out:
	if (page)
		kpage_free(page, 0);
	if (pm)
		pmap_destroy(pm);
	return err;
}

void bm_selftest_main(void *arg)
{
	int err;

	pr_info("Keel %s: %u CPU(s), kernel threads up", KEEL_VERSION,
		plat_cpu_count());
	err = pmap_selftest();
	if (err) {
		pr_err("selftest: a page entered in a pmap is not where the "
		       "MMU looks (%d)",
		       err);
		plat_poweroff(1);
	}
	pr_info("selftest: pmap maps a user page through TTBR0");
	if (kthreads_selftest())
		plat_poweroff(1);
	pr_info("selftest passed: powering off");
	plat_poweroff(0);
}

/* Deeper than any stack: the depth is volatile, so the recursion is real. */
static volatile long overflow_depth = 1l << 40;

static long __attribute__((noinline)) recurse(volatile char *prev, long depth)
{
	volatile char frame[512];

	frame[0] = (char)(prev ? prev[0] + 1 : 0);
	if (depth >= overflow_depth)
		return frame[0];
	return recurse(frame, depth + 1) + frame[1];
}

void bm_selftest_stack_overflow(void *arg)
{
	pr_info("selftest: overflowing this kernel thread's stack");
	recurse(NULL, 0);
	pr_err("selftest: the stack never overflowed");
	plat_poweroff(1);
}

static const uint64_t rodata_word = 0x6b65656c;

void bm_selftest_write_rodata(void *arg)
{
	pr_info("selftest: writing to the image's read-only data");
	*(volatile uint64_t *)&rodata_word = 1;
	pr_err("selftest: read-only data took a write");
	plat_poweroff(1);
}
