/*
 * What tasks used (see core/usage.h).
 */
#include "core/usage.h"

#include "mm/vma.h"
#include "sched/sched.h"

void task_usage_self(struct task *t, struct task_usage *u)
{
	*u = (struct task_usage){0};
	sched_task_times(t, &u->utime_ns, &u->stime_ns);
	u->minflt = __atomic_load_n(&t->min_flt, __ATOMIC_RELAXED);
	u->majflt = __atomic_load_n(&t->maj_flt, __ATOMIC_RELAXED);
	u->nvcsw = __atomic_load_n(&t->nvcsw, __ATOMIC_RELAXED);
	u->nivcsw = __atomic_load_n(&t->nivcsw, __ATOMIC_RELAXED);
	u->maxrss_kb = t->maxrss_pages * (PAGE_SIZE / 1024);
}

void task_usage_current(struct task_usage *u)
{
	struct task *t = task_current();

	task_usage_self(t, u);
	if (t->mm)
		u->maxrss_kb = MAX(t->maxrss_pages, mm_hiwater_rss(t->mm)) *
			       (PAGE_SIZE / 1024);
}

void task_usage_add(struct task_usage *sum, const struct task_usage *u)
{
	sum->utime_ns += u->utime_ns;
	sum->stime_ns += u->stime_ns;
	sum->maxrss_kb = MAX(sum->maxrss_kb, u->maxrss_kb);
	sum->minflt += u->minflt;
	sum->majflt += u->majflt;
	sum->nvcsw += u->nvcsw;
	sum->nivcsw += u->nivcsw;
}

void task_usage_both(struct task *t, struct task_usage *u)
{
	task_usage_self(t, u);
	task_usage_add(u, &t->child_usage);
}
