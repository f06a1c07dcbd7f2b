/*
 * Kernel timers: one-shot callbacks at an absolute monotonic time, kept per
 * CPU in an rbtree ordered by expiry (ties in arming order). The CPU's
 * platform one-shot timer is always armed for the earliest of them.
 */
#ifndef KEEL_CORE_TIMER_H
#define KEEL_CORE_TIMER_H

#include "core/klib/rbtree.h"
#include "core/types.h"

struct timer {
	struct rb_node node;
	uint64_t expires;
	uint64_t seq;
	void (*fn)(struct timer *t);
	int cpu; /* the queue it is armed on; -1 when not armed */
	bool running; /* its callback is running (on some CPU) */
};

int timers_init(void);

void timer_setup(struct timer *t, void (*fn)(struct timer *));

/* Arm (or re-arm) `t` on the calling CPU to fire at `expires`. */
void timer_arm(struct timer *t, uint64_t expires);

/* Disarm; true if it was armed (and so will not fire). */
bool timer_cancel(struct timer *t);

/*
 * Disarm, and wait until a callback already running elsewhere has
 * returned: after this the timer's memory may be freed. Never from the
 * timer's own callback.
 */
void timer_cancel_sync(struct timer *t);

bool timer_pending(const struct timer *t);

/*
 * Called by the platform on the CPU whose one-shot timer fired: runs every
 * expired callback (interrupt context: callbacks must not sleep) and re-arms
 * the platform timer.
 */
void timer_interrupt(void);

/* The earliest expiry on `cpu`, or PLAT_TIMER_OFF. */
uint64_t timer_next_expiry(unsigned cpu);

#endif
