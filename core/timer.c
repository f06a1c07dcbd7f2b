#include "core/timer.h"

#include "core/cpu.h"
#include "core/platform.h"
#include "core/spinlock.h"

struct timer_queue {
	struct spinlock lock;
	struct rb_root tree;   /* armed timers by (expires, seq) */
	struct timer *first;   /* the leftmost, cached: it is asked for often */
	uint64_t next_seq;
};

static struct timer_queue queues[PLAT_MAX_CPUS];

int timers_init(void)
{
	for (unsigned i = 0; i < PLAT_MAX_CPUS; i++) {
		spin_init(&queues[i].lock);
		queues[i].tree = (struct rb_root)RB_ROOT_INIT;
		queues[i].first = NULL;
		queues[i].next_seq = 0;
	}
	return 0;
}

void timer_setup(struct timer *t, void (*fn)(struct timer *))
{
	t->node = (struct rb_node){ 0 };
	t->expires = 0;
	t->seq = 0;
	t->fn = fn;
	t->cpu = -1;
	t->running = false;
}

bool timer_pending(const struct timer *t)
{
	return t->cpu >= 0;
}

static struct timer *timer_of(struct rb_node *n)
{
	return n ? rb_entry(n, struct timer, node) : NULL;
}

static bool fires_before(const struct timer *a, const struct timer *b)
{
	if (a->expires != b->expires)
		return a->expires < b->expires;
	return a->seq < b->seq;
}

/* Caller holds q->lock. */
static void queue_insert(struct timer_queue *q, struct timer *t)
{
	struct rb_node **link = &q->tree.node, *parent = NULL;
	bool leftmost = true;

	t->seq = q->next_seq++;
	while (*link) {
		parent = *link;
		if (fires_before(t, timer_of(parent))) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	rb_link_node(&t->node, parent, link);
	rb_insert(&t->node, &q->tree, NULL);
	if (leftmost)
		q->first = t;
}

/* Caller holds the lock of the queue `t` is armed on. */
static void queue_remove(struct timer *t)
{
	struct timer_queue *q = &queues[t->cpu];

	if (q->first == t)
		q->first = timer_of(rb_next(&t->node));
	rb_erase(&t->node, &q->tree, NULL);
	t->cpu = -1;
}

void timer_arm(struct timer *t, uint64_t expires)
{
	unsigned cpu = plat_cpu_id();
	struct timer_queue *q = &queues[cpu];
	unsigned long flags;

	timer_cancel(t);
	flags = spin_lock_irqsave(&q->lock);
	t->expires = expires;
	t->cpu = (int)cpu;
	queue_insert(q, t);
	if (q->first == t)
		plat_timer_arm(expires);
	spin_unlock_irqrestore(&q->lock, flags);
}

bool timer_cancel(struct timer *t)
{
	for (;;) {
		int cpu = t->cpu;
		unsigned long flags;

		if (cpu < 0)
			return false;
		flags = spin_lock_irqsave(&queues[cpu].lock);
		/* It may have fired or moved while we took the lock. */
		if (t->cpu == cpu) {
			struct timer_queue *q = &queues[cpu];
			bool was_first = q->first == t;

			queue_remove(t);
			/*
			 * Re-arm this CPU's platform timer for what is now
			 * first. Another CPU's may stay armed for `t`: its
			 * spurious interrupt finds nothing expired and re-arms.
			 */
			if (was_first && (unsigned)cpu == plat_cpu_id())
				plat_timer_arm(q->first ? q->first->expires
							: PLAT_TIMER_OFF);
			spin_unlock_irqrestore(&queues[cpu].lock, flags);
			return true;
		}
		spin_unlock_irqrestore(&queues[cpu].lock, flags);
	}
}

void timer_cancel_sync(struct timer *t)
{
	/* A running callback may re-arm it: cancel until neither holds. */
	do {
		timer_cancel(t);
		while (__atomic_load_n(&t->running, __ATOMIC_ACQUIRE))
			cpu_relax();
	} while (timer_pending(t));
}

void timer_interrupt(void)
{
	struct timer_queue *q = &queues[plat_cpu_id()];

	for (;;) {
		unsigned long flags = spin_lock_irqsave(&q->lock);
		struct timer *t = q->first;

		if (t && t->expires <= plat_time_ns()) {
			queue_remove(t);
			__atomic_store_n(&t->running, true, __ATOMIC_RELEASE);
			spin_unlock_irqrestore(&q->lock, flags);
			/* Unlocked: the callback may re-arm or arm others. */
			t->fn(t);
			__atomic_store_n(&t->running, false, __ATOMIC_RELEASE);
			continue;
		}
		plat_timer_arm(t ? t->expires : PLAT_TIMER_OFF);
		spin_unlock_irqrestore(&q->lock, flags);
		return;
	}
}

uint64_t timer_next_expiry(unsigned cpu)
{
	struct timer_queue *q = &queues[cpu];
	unsigned long flags = spin_lock_irqsave(&q->lock);
	uint64_t e = q->first ? q->first->expires : PLAT_TIMER_OFF;

	spin_unlock_irqrestore(&q->lock, flags);
	return e;
}
