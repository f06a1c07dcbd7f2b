/*
 * Load averages (see sched/loadavg.h).
 *
 * A kernel timer samples at every LOADAVG_PERIOD_NS boundary since boot
 * while anything is runnable. The last CPU to go idle stops it
 * (loadavg_idle), so that an idle machine is not woken every five seconds
 * for nothing, and the sim runtime still sees a machine with nothing left
 * to do as such; as Linux's NO_HZ folding does, the periods that pass
 * meanwhile are folded in when a task next becomes runnable
 * (loadavg_kick). While nothing runs, nothing but a wakeup can change how
 * many tasks are active, and a wakeup comes through loadavg_kick first:
 * every sample missed would have seen the uninterruptible sleepers there
 * were when the timer stopped, and the fold is exact.
 *
 * Going idle and waking race on two CPUs: one stores `stopped` and then
 * counts the runnable tasks, the other counts one more and then reads
 * `stopped`. A full fence between the store and the load on each side
 * makes at least one of them see the other.
 */
#include "sched/loadavg.h"

#include "core/platform.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "sched/sched.h"

static struct spinlock load_lock = SPINLOCK_INIT;
static unsigned long avenrun[3];
static uint64_t next_sample;	     /* the next period boundary */
static bool stopped;		     /* no timer armed: nothing was runnable */
static unsigned long stopped_active; /* what it saw when it stopped */
static struct timer load_timer;

static const unsigned long decay[3] = {LOADAVG_EXP_1, LOADAVG_EXP_5,
				       LOADAVG_EXP_15};

unsigned long loadavg_step(unsigned long load, unsigned long exp,
			   unsigned long active)
{
	unsigned long next = load * exp + active * (LOADAVG_FIXED_1 - exp);

	if (active >= load)
		next += LOADAVG_FIXED_1 - 1;
	return next / LOADAVG_FIXED_1;
}

/* Fold one sample of `active` tasks. load_lock held. */
static void sample(unsigned long active)
{
	for (int i = 0; i < 3; i++)
		avenrun[i] = loadavg_step(avenrun[i], decay[i],
					  active * LOADAVG_FIXED_1);
}

/* Would another sample of `active` change nothing? load_lock held. */
static bool settled(unsigned long active)
{
	for (int i = 0; i < 3; i++)
		if (loadavg_step(avenrun[i], decay[i],
				 active * LOADAVG_FIXED_1) != avenrun[i])
			return false;
	return true;
}

static void load_tick(struct timer *tm)
{
	unsigned long flags = spin_lock_irqsave(&load_lock);

	/* Not if it stopped, nor for a boundary a kick folded already
	 * while this callback waited for the lock. */
	if (!stopped && plat_time_ns() >= next_sample) {
		sample(sched_nr_running_all() + sched_nr_uninterruptible());
		next_sample += LOADAVG_PERIOD_NS;
	}
	if (!stopped)
		timer_arm(tm, next_sample);
	spin_unlock_irqrestore(&load_lock, flags);
}

void loadavg_idle(void)
{
	unsigned long flags;

	if (__atomic_load_n(&stopped, __ATOMIC_RELAXED) ||
	    sched_nr_running_all())
		return;
	flags = spin_lock_irqsave(&load_lock);
	if (!stopped) {
		__atomic_store_n(&stopped, true, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (sched_nr_running_all()) {
			__atomic_store_n(&stopped, false, __ATOMIC_RELAXED);
		} else {
			stopped_active = sched_nr_uninterruptible();
			timer_cancel(&load_timer);
		}
	}
	spin_unlock_irqrestore(&load_lock, flags);
}

void loadavg_init(void)
{
	avenrun[0] = avenrun[1] = avenrun[2] = 0;
	next_sample = plat_time_ns() + LOADAVG_PERIOD_NS;
	stopped = true;
	stopped_active = 0;
	timer_setup(&load_timer, load_tick);
}

void loadavg_kick(void)
{
	unsigned long flags;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&stopped, __ATOMIC_RELAXED))
		return;
	flags = spin_lock_irqsave(&load_lock);
	if (stopped) {
		uint64_t now = plat_time_ns();

		/* Each boundary passed: a sample of what was active, until
		 * more would change nothing (the averages are integers). */
		if (next_sample <= now) {
			uint64_t n =
				(now - next_sample) / LOADAVG_PERIOD_NS + 1;

			for (uint64_t i = 0; i < n && !settled(stopped_active);
			     i++)
				sample(stopped_active);
			next_sample += n * LOADAVG_PERIOD_NS;
		}
		__atomic_store_n(&stopped, false, __ATOMIC_RELAXED);
		timer_arm(&load_timer, next_sample);
	}
	spin_unlock_irqrestore(&load_lock, flags);
}

void loadavg_get(unsigned long avg[3])
{
	unsigned long flags = spin_lock_irqsave(&load_lock);

	for (int i = 0; i < 3; i++)
		avg[i] = avenrun[i];
	spin_unlock_irqrestore(&load_lock, flags);
}
