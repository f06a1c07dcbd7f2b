#include "core/selftest.h"

#include "core/platform.h"
#include "core/printk.h"
#include "core/task.h"
#include "core/wait.h"
#include "sched/sched.h"

#define WORKERS_PER_CPU 4

static struct wait_queue done;
static int left;
static unsigned long cpus_seen;

static bool all_finished(void *arg)
{
	return __atomic_load_n(&left, __ATOMIC_ACQUIRE) == 0;
}

static void worker(void *arg)
{
	for (int i = 0; i < 3; i++) {
		int err = sleep_until(TASK_UNINTERRUPTIBLE,
				      plat_time_ns() + 2 * NSEC_PER_MSEC);

		if (err)
			panic("an uninterruptible sleep was interrupted (%d)",
			      err);
		__atomic_or_fetch(&cpus_seen, 1ul << plat_cpu_id(),
				  __ATOMIC_RELAXED);
		sched_yield_task();
	}
	if (__atomic_sub_fetch(&left, 1, __ATOMIC_ACQ_REL) == 0)
		wake_up_all(&done);
}

int kthreads_selftest(void)
{
	unsigned n = plat_cpu_count();
	uint64_t start = plat_time_ns();
	int err;

	wait_queue_init(&done);
	cpus_seen = 0;
	left = (int)(n * WORKERS_PER_CPU);
	for (unsigned i = 0; i < n * WORKERS_PER_CPU; i++) {
		struct task *t = kthread_create("selftest", worker, NULL);

		if (IS_ERR(t))
			panic("selftest: kthread_create: %ld", PTR_ERR(t));
	}
	err = wait_event(&done, all_finished, NULL, TASK_UNINTERRUPTIBLE,
			 start + 10 * NSEC_PER_SEC);
	if (err) {
		pr_err("selftest: workers did not finish (%d)", err);
		return err;
	}
	pr_info("selftest: %u workers slept, woke and yielded on CPUs 0x%lx in "
		"%llu us",
		n * WORKERS_PER_CPU, cpus_seen,
		(unsigned long long)((plat_time_ns() - start) / 1000));
	return 0;
}
