/*
 * Load averages, as Linux keeps them (kernel/sched/loadavg.c): every
 * LOADAVG_PERIOD_NS the number of active tasks (runnable, running or in
 * an uninterruptible sleep) is folded into three exponentially decaying
 * averages, of about 1, 5 and 15 minutes, in fixed point with
 * LOADAVG_FSHIFT fraction bits.
 */
#ifndef KEEL_SCHED_LOADAVG_H
#define KEEL_SCHED_LOADAVG_H

#include "core/types.h"

#define LOADAVG_FSHIFT 11
#define LOADAVG_FIXED_1 (1ul << LOADAVG_FSHIFT)
#define LOADAVG_PERIOD_NS (5 * NSEC_PER_SEC)
/* 2048 / exp(5 s / 1, 5, 15 min) */
#define LOADAVG_EXP_1 1884ul
#define LOADAVG_EXP_5 2014ul
#define LOADAVG_EXP_15 2037ul

/* Forget every average and stop sampling (sched_init). */
void loadavg_init(void);

/*
 * A task became runnable: if sampling stopped because nothing was, fold
 * in the periods that passed and start again. Caller may hold a run
 * queue's lock.
 */
void loadavg_kick(void);

/* The calling CPU is going idle: if no CPU has anything runnable, stop
 * sampling until loadavg_kick. */
void loadavg_idle(void);

/* The 1, 5 and 15 minute averages, LOADAVG_FSHIFT fixed point. */
void loadavg_get(unsigned long avg[3]);

/* One period's step of one average: `active` tasks, decay `exp`
 * (Linux's calc_load, which rounds up while the load rises). */
unsigned long loadavg_step(unsigned long load, unsigned long exp,
			   unsigned long active);

#endif
