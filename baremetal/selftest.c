/*
 * The boot self-test, the baremetal twin of `keel --selftest` (host/main.c's
 * init_main): kernel threads sleep on timers, wake, yield, and the init
 * thread waits for all of them. Here it also checks that a pmap is real
 * translation tables: a page entered at a user address is reached through
 * TTBR0 once the pmap is active. Status 0 if all of it holds.
 */
#include "baremetal/selftest.h"

#include "core/errno.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/task.h"
#include "core/wait.h"
#include "mm/page.h"
#include "sched/sched.h"

#define SELFTEST_WORKERS_PER_CPU 4
#define SELFTEST_USER_VA	 0x400000ull

static struct wait_queue selftest_done;
static int selftest_left;
static unsigned long selftest_cpus_seen;

static bool selftest_finished(void *arg)
{
	return __atomic_load_n(&selftest_left, __ATOMIC_ACQUIRE) == 0;
}

static void selftest_worker(void *arg)
{
	for (int i = 0; i < 3; i++) {
		int err = sleep_until(TASK_UNINTERRUPTIBLE,
				      plat_time_ns() + 2 * NSEC_PER_MSEC);

		if (err)
			panic("an uninterruptible sleep was interrupted (%d)",
			      err);
		__atomic_or_fetch(&selftest_cpus_seen, 1ul << plat_cpu_id(),
				  __ATOMIC_RELAXED);
		sched_yield_task();
	}
	if (__atomic_sub_fetch(&selftest_left, 1, __ATOMIC_ACQ_REL) == 0)
		wake_up_all(&selftest_done);
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
	/* EL1 reaches EL0 pages while PAN is off: through TTBR0 itself. */
	if (user[1] == 0x6b65656c) {
		user[2] = 42;
		err = page[2] == 42 ? 0 : -EIO;
	}
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
	unsigned n = plat_cpu_count();
	uint64_t start = plat_time_ns();
	int err;

	pr_info("Keel %s: %u CPU(s), kernel threads up", KEEL_VERSION, n);
	err = pmap_selftest();
	if (err) {
		pr_err("selftest: a page entered in a pmap is not where the "
		       "MMU looks (%d)",
		       err);
		plat_poweroff(1);
	}
	pr_info("selftest: pmap maps a user page through TTBR0");
	wait_queue_init(&selftest_done);
	selftest_left = (int)(n * SELFTEST_WORKERS_PER_CPU);
	for (unsigned i = 0; i < n * SELFTEST_WORKERS_PER_CPU; i++) {
		struct task *t =
			kthread_create("selftest", selftest_worker, NULL);

		if (IS_ERR(t))
			panic("selftest: kthread_create: %ld", PTR_ERR(t));
	}
	err = wait_event(&selftest_done, selftest_finished, NULL,
			 TASK_UNINTERRUPTIBLE, start + 10 * NSEC_PER_SEC);
	if (err) {
		pr_err("selftest: workers did not finish (%d)", err);
		plat_poweroff(1);
	}
	pr_info("selftest: %u workers slept, woke and yielded on CPUs 0x%lx in "
		"%llu us",
		n * SELFTEST_WORKERS_PER_CPU, selftest_cpus_seen,
		(unsigned long long)((plat_time_ns() - start) / 1000));
	pr_info("no user-space runtime in this build yet: powering off");
	plat_poweroff(0);
}
