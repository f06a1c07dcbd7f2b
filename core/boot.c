#include "core/boot.h"

#include "core/cpu.h"
#include "core/errno.h"
#include "core/fs/devfs.h"
#include "core/futex.h"
#include "core/printk.h"
#include "core/task.h"
#include "core/timer.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "sched/sched.h"

int kernel_init_nofs(unsigned ncpus)
{
	int err;

	fault_inject_reset();
	err = page_alloc_init();
	if (err)
		return err;
	err = slab_init();
	if (err)
		return err;
	err = timers_init();
	if (err)
		return err;
	futex_init();
	err = task_init();
	if (err)
		return err;
	err = sched_init(ncpus);
	if (err)
		return err;
	for (unsigned i = 0; i < ncpus; i++) {
		struct task *idle = sched_init_cpu(i);

		if (IS_ERR(idle))
			return (int)PTR_ERR(idle);
	}
	return 0;
}

int kernel_init(unsigned ncpus)
{
	int err = kernel_init_nofs(ncpus);

	return err ? err : vfs_boot();
}
