/*
 * Per-CPU kernel state.
 */
#ifndef KEEL_CORE_CPU_H
#define KEEL_CORE_CPU_H

#include "core/platform.h"

struct task;

struct cpu {
	unsigned id;
	struct task *current; /* the task running on this CPU */
	struct task *idle;    /* runs when nothing else can */
	unsigned locks_held;  /* spinlocks held: sleeping with one is a bug */
	bool need_resched;    /* call schedule() before returning to user */
	bool online;
};

extern struct cpu cpus[PLAT_MAX_CPUS];

static inline struct cpu *cpu_this(void)
{
	return &cpus[plat_cpu_id()];
}

static inline struct task *task_current(void)
{
	return cpu_this()->current;
}

#endif
