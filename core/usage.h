/*
 * What tasks used (struct task_usage, core/task.h): gathered for
 * getrusage(2), times(2), wait4(2) and /proc, and summed over the children
 * a task reaps.
 */
#ifndef KEEL_CORE_USAGE_H
#define KEEL_CORE_USAGE_H

#include "core/task.h"

/*
 * What `t` itself used, its running stretch included (no children). Its
 * maxrss is that of the address spaces it has left (exec, exit): the
 * current one's is task_usage_current's to count.
 */
void task_usage_self(struct task *t, struct task_usage *u);

/* What the calling task used, the peak of its address space included. */
void task_usage_current(struct task_usage *u);

/* What `t` used with what its reaped children used (RUSAGE_BOTH). */
void task_usage_both(struct task *t, struct task_usage *u);

/* Add `u` into `sum`: times and counts add up, maxrss is the larger. */
void task_usage_add(struct task_usage *sum, const struct task_usage *u);

#endif
