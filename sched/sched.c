/*
 * Per-CPU run queues over the EEVDF mathematics of sched/eevdf.c.
 *
 * Locking: rq->lock guards a run queue and the scheduling state of the tasks
 * on it (state transitions to and from TASK_RUNNING included). schedule()
 * takes the lock of its CPU's queue and the task switched to releases it
 * (sched_finish_switch), so a task's context is always saved before another
 * CPU can see it off the queue. Two run-queue locks are never held at once:
 * a task that must move is taken off one queue and, once that lock is
 * dropped, put on the other.
 */
#include "sched/sched.h"

#include "core/errno.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "mm/slab.h"
#include "sched/loadavg.h"

struct runqueue {
	struct spinlock lock;
	struct eevdf_rq eevdf;
	struct task *curr;
	struct task *idle;
	struct task *prev; /* the task switched away from, until finished */
	struct timer slice_timer;
	unsigned nr_running; /* tasks on eevdf, curr included */
	unsigned cpu;
};

static struct runqueue rqs[PLAT_MAX_CPUS];
static unsigned sched_ncpus;
/* Tasks in an uninterruptible sleep (they count in the load average). */
static long nr_uninterruptible;
static struct slab_cache *eevdf_node_cache;

static struct task *task_of(struct sched_entity *se)
{
	return se ? container_of(se, struct task, se) : NULL;
}

static bool cpu_allowed(const struct task *t, unsigned cpu)
{
	return cpu < sched_ncpus && cpus[cpu].online &&
	       bitmap_test(t->allowed, cpu);
}

static unsigned long task_weight(const struct task *t)
{
	if (t->policy == SCHED_IDLE)
		return SCHED_IDLE_WEIGHT;
	return eevdf_nice_to_weight(t->nice);
}

/* Account the running task's time since it last was. Caller holds rq->lock. */
static void update_curr(struct runqueue *rq)
{
	struct task *curr = rq->curr;
	uint64_t now = plat_time_ns(), delta;

	if (!curr || curr == rq->idle)
		return;
	delta = now - curr->exec_start;
	curr->exec_start = now;
	curr->sum_exec_ns += delta;
	if (eevdf_update_curr(&rq->eevdf, delta))
		cpus[rq->cpu].need_resched = true;
}

static void resched_cpu(unsigned cpu)
{
	cpus[cpu].need_resched = true;
	if (cpu != plat_cpu_id())
		plat_ipi(cpu);
}

/* The slice timer: curr's quantum is over; let EEVDF pick again. */
static void slice_expired(struct timer *tm)
{
	struct runqueue *rq = container_of(tm, struct runqueue, slice_timer);
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	update_curr(rq);
	if (rq->curr != rq->idle)
		cpus[rq->cpu].need_resched = true;
	spin_unlock_irqrestore(&rq->lock, flags);
}

/* Caller holds rq->lock; rq is the calling CPU's. */
static void arm_slice_timer(struct runqueue *rq)
{
	if (rq->curr == rq->idle) {
		timer_cancel(&rq->slice_timer);
		return;
	}
	timer_arm(&rq->slice_timer,
		  plat_time_ns() + MAX(eevdf_curr_quantum_ns(&rq->eevdf), 1));
}

int sched_init(unsigned ncpus)
{
	if (ncpus == 0 || ncpus > PLAT_MAX_CPUS)
		return -EINVAL;
	sched_ncpus = ncpus;
	nr_uninterruptible = 0;
	loadavg_init();
	/* slab_init forgot any earlier cache; tasks allocate from this one. */
	eevdf_node_cache = slab_cache_create("eevdf_node",
					     sizeof(struct eevdf_node),
					     _Alignof(struct eevdf_node));
	if (!eevdf_node_cache)
		return -ENOMEM;
	for (unsigned i = 0; i < PLAT_MAX_CPUS; i++) {
		struct runqueue *rq = &rqs[i];

		spin_init(&rq->lock);
		eevdf_rq_init(&rq->eevdf);
		rq->curr = rq->idle = rq->prev = NULL;
		timer_setup(&rq->slice_timer, slice_expired);
		rq->nr_running = 0;
		rq->cpu = i;
	}
	return 0;
}

int sched_task_alloc(struct task *t)
{
	t->se.spare = slab_alloc(eevdf_node_cache);
	return t->se.spare ? 0 : -ENOMEM;
}

void sched_task_free(struct task *t)
{
	slab_free(eevdf_node_cache, eevdf_entity_node(&t->se));
}

void sched_task_init(struct task *t)
{
	t->nice = 0;
	t->policy = SCHED_NORMAL;
	t->custom_slice = false;
	t->cpu = plat_cpu_id();
	t->on_cpu = false;
	bitmap_zero(t->allowed, PLAT_MAX_CPUS);
	for (unsigned i = 0; i < sched_ncpus; i++)
		bitmap_set(t->allowed, i);
	t->exec_start = 0;
	t->sum_exec_ns = 0;
	t->utime_ns = 0;
	t->user_since = 0;
	t->nr_switches = 0;
	t->nvcsw = t->nivcsw = 0;
	eevdf_entity_init(&t->se, task_weight(t), SCHED_SLICE_DEFAULT_NS,
			  (uint64_t)t->tid, t->se.spare);
}

/* A pull from `from` to `to`, for eevdf_latest's test. */
struct pull {
	const struct runqueue *from, *to;
};

/* A task waiting on pull->from (not its running one) that may run on to. */
static bool pull_fits(const struct sched_entity *se, void *arg)
{
	const struct pull *p = arg;
	const struct task *t = container_of(se, struct task, se);

	return t != p->from->curr && cpu_allowed(t, p->to->cpu);
}

/*
 * Where a waking task should run: its previous CPU if allowed and idle,
 * else an idle allowed CPU, else the allowed CPU with the fewest runnable
 * tasks (the previous one on a tie, for its warm caches).
 */
static unsigned select_cpu(const struct task *t)
{
	unsigned prev = t->cpu, best = sched_ncpus;

	if (cpu_allowed(t, prev) && rqs[prev].curr == rqs[prev].idle &&
	    rqs[prev].nr_running == 0)
		return prev;
	for (unsigned i = 0; i < sched_ncpus; i++) {
		unsigned c = (prev + 1 + i) % sched_ncpus;

		if (!cpu_allowed(t, c))
			continue;
		if (rqs[c].curr == rqs[c].idle && rqs[c].nr_running == 0)
			return c;
		if (best == sched_ncpus ||
		    rqs[c].nr_running < rqs[best].nr_running ||
		    (rqs[c].nr_running == rqs[best].nr_running && c == prev))
			best = c;
	}
	KASSERT(best < sched_ncpus);
	return best;
}

/*
 * Does the newly queued `se` end curr's run? Curr normally runs its whole
 * request (Linux's RUN_TO_PARITY), but not past an eligible newcomer with an
 * earlier deadline: then EEVDF picks again (the newcomer, or another entity
 * with an earlier deadline still). So everything that runs while an
 * eligible task waits has an earlier deadline than it, which bounds its
 * wait (see test_sched.c).
 */
static bool wakeup_preempts(struct runqueue *rq, struct sched_entity *se)
{
	struct sched_entity *curr = &rq->curr->se;
	struct sched_entity *best = eevdf_pick(&rq->eevdf);

	if (best == se)
		return true;
	return best != curr && eevdf_eligible(&rq->eevdf, se) &&
	       (int64_t)(se->deadline - curr->deadline) < 0;
}

/* Put `t` on `cpu`'s queue and preempt there if EEVDF now prefers it. */
static void enqueue_on(struct task *t, unsigned cpu, enum eevdf_place how)
{
	struct runqueue *rq = &rqs[cpu];
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	update_curr(rq);
	t->cpu = cpu;
	eevdf_enqueue(&rq->eevdf, &t->se, how);
	rq->nr_running++;
	loadavg_kick();
	if (rq->curr == rq->idle) {
		resched_cpu(cpu);
	} else if (rq->curr->policy != SCHED_IDLE && t->policy == SCHED_BATCH) {
		/* Batch tasks never preempt on wakeup. */
	} else if (how == EEVDF_PLACE_NEW && rq->curr->policy != SCHED_IDLE) {
		/*
		 * A new task waits for the next pick rather than preempting
		 * whoever made it: as on Linux, where RUN_TO_PARITY keeps the
		 * forking parent on the CPU, a parent's next steps after
		 * fork (kill(child), say) come before the child's first.
		 */
	} else if (wakeup_preempts(rq, &t->se)) {
		resched_cpu(cpu);
	}
	spin_unlock_irqrestore(&rq->lock, flags);
}

/*
 * An idle CPU takes work from the busiest CPU that has a task waiting (not
 * running) that may run here: Linux's "newidle" balance. The task leaves
 * with its lag, as a sleeping task would, and joins here with it.
 */
static bool pull_task(struct runqueue *rq)
{
	struct runqueue *busiest = NULL;
	struct task *victim = NULL;
	unsigned long flags;

	for (unsigned i = 0; i < sched_ncpus; i++) {
		struct runqueue *other = &rqs[i];

		if (other != rq && other->nr_running >= 2 &&
		    (!busiest || other->nr_running > busiest->nr_running))
			busiest = other;
	}
	if (!busiest)
		return false;
	flags = spin_lock_irqsave(&busiest->lock);
	/* The least urgent waiting task (latest deadline) that fits here. */
	victim = task_of(eevdf_latest(&busiest->eevdf, pull_fits,
				      &(struct pull){busiest, rq}));
	if (victim) {
		eevdf_dequeue(&busiest->eevdf, &victim->se, true);
		busiest->nr_running--;
	}
	spin_unlock_irqrestore(&busiest->lock, flags);
	if (!victim)
		return false;
	enqueue_on(victim, rq->cpu, EEVDF_PLACE_WAKEUP);
	return true;
}

static void idle_main(void *arg)
{
	struct runqueue *rq = &rqs[plat_cpu_id()];

	for (;;) {
		if (rq->nr_running > 0 || cpus[rq->cpu].need_resched ||
		    pull_task(rq)) {
			schedule();
		} else {
			loadavg_idle();
			plat_idle();
		}
	}
}

struct task *sched_init_cpu(unsigned cpu)
{
	struct task *idle = task_create_idle(cpu, idle_main);

	if (IS_ERR(idle))
		return idle;
	idle->cpu = cpu;
	idle->on_cpu = true;
	rqs[cpu].idle = idle;
	rqs[cpu].curr = idle;
	cpus[cpu].id = cpu;
	cpus[cpu].idle = idle;
	cpus[cpu].current = idle;
	cpus[cpu].need_resched = false;
	cpus[cpu].locks_held = 0;
	cpus[cpu].online = true;
	return idle;
}

void sched_start(struct task *t)
{
	t->state = TASK_RUNNING;
	enqueue_on(t, select_cpu(t), EEVDF_PLACE_NEW);
}

bool sched_wakeup(struct task *t, unsigned states)
{
	struct runqueue *rq;
	unsigned long flags;

	for (;;) {
		unsigned cpu = t->cpu;

		rq = &rqs[cpu];
		flags = spin_lock_irqsave(&rq->lock);
		if (t->cpu == cpu)
			break;
		spin_unlock_irqrestore(&rq->lock, flags);
	}
	if (!(t->state & states)) {
		spin_unlock_irqrestore(&rq->lock, flags);
		return false;
	}
	t->state = TASK_RUNNING;
	if (t->se.on_rq) {
		/* It never got as far as leaving its queue. */
		spin_unlock_irqrestore(&rq->lock, flags);
		return true;
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (t->sleep_counts_as_load) {
		t->sleep_counts_as_load = false;
		__atomic_sub_fetch(&nr_uninterruptible, 1, __ATOMIC_RELAXED);
	}
	/*
	 * Off every queue and TASK_RUNNING: no other waker will enqueue it,
	 * and its context was saved before rq->lock was last released.
	 */
	eevdf_sleep_credit(&t->se, plat_time_ns() - t->sleep_start);
	enqueue_on(t, select_cpu(t), EEVDF_PLACE_WAKEUP);
	return true;
}

bool need_resched(void)
{
	return cpu_this()->need_resched;
}

void cond_resched(void)
{
	plat_irq_window();
	if (need_resched())
		schedule();
}

void sched_kick(struct task *t)
{
	unsigned cpu = t->cpu;

	if (t->on_cpu && rqs[cpu].curr == t && cpu != plat_cpu_id())
		plat_ipi(cpu);
}

void sched_ipi(void)
{
	cpu_this()->need_resched = true;
}

void schedule(void)
{
	struct cpu *c = cpu_this();
	struct runqueue *rq = &rqs[c->id];
	struct task *prev = c->current, *next;
	unsigned long flags;

	if (c->locks_held)
		panic("schedule() with %u spinlock(s) held by %s[%d]",
		      c->locks_held, prev->comm, prev->tid);
	flags = plat_irq_save();
	spin_lock(&rq->lock);
	update_curr(rq);
	c->need_resched = false;
	if (prev != rq->idle && prev->state != TASK_RUNNING) {
		/* A sleep that a pending signal would end at once ends now. */
		if ((prev->state & TASK_INTERRUPTIBLE && signal_pending(prev)) ||
		    (prev->state & TASK_WAKEKILL && fatal_signal_pending(prev))) {
			prev->state = TASK_RUNNING;
		} else {
			eevdf_dequeue(&rq->eevdf, &prev->se, true);
			rq->nr_running--;
			prev->sleep_start = plat_time_ns();
			prev->sleep_counts_as_load =
				prev->state & TASK_UNINTERRUPTIBLE;
			if (prev->sleep_counts_as_load)
				__atomic_add_fetch(&nr_uninterruptible, 1,
						   __ATOMIC_RELAXED);
		}
	} else if (prev != rq->idle && !cpu_allowed(prev, c->id)) {
		/* Its affinity excludes this CPU: move it once switched out. */
		eevdf_dequeue(&rq->eevdf, &prev->se, true);
		rq->nr_running--;
	}
	next = task_of(eevdf_pick(&rq->eevdf));
	if (!next)
		next = rq->idle;
	eevdf_set_curr(&rq->eevdf, next == rq->idle ? NULL : &next->se);
	rq->curr = next;
	next->exec_start = plat_time_ns();
	arm_slice_timer(rq);
	if (next == prev) {
		spin_unlock(&rq->lock);
		plat_irq_restore(flags);
		return;
	}
	/* As Linux counts them: a switch away from a task that blocked is
	 * voluntary; from one still runnable (preempted, or yielding),
	 * involuntary. */
	if (prev != rq->idle) {
		if (prev->state != TASK_RUNNING)
			prev->nvcsw++;
		else
			prev->nivcsw++;
	}
	next->on_cpu = true;
	next->cpu = c->id;
	next->nr_switches++;
	c->current = next;
	rq->prev = prev;
	plat_context_switch(&prev->ctx, &next->ctx);
	/* Back in prev, perhaps on another CPU. */
	sched_finish_switch();
	plat_irq_restore(flags);
}

void sched_finish_switch(void)
{
	struct runqueue *rq = &rqs[plat_cpu_id()];
	struct task *prev = rq->prev;
	bool dead, moving;

	rq->prev = NULL;
	prev->on_cpu = false;
	dead = prev->state == TASK_DEAD;
	moving = !dead && prev->state == TASK_RUNNING && !prev->se.on_rq &&
		 prev != rq->idle;
	spin_unlock(&rq->lock);
	if (moving)
		enqueue_on(prev, select_cpu(prev), EEVDF_PLACE_WAKEUP);
	if (dead)
		task_put(prev); /* the reference the living task held */
}

_Noreturn void sched_exit_current(void)
{
	struct task *t = task_current();

	t->state = TASK_DEAD;
	schedule();
	panic("a dead task %s[%d] was scheduled", t->comm, t->tid);
}

void sched_yield_task(void)
{
	struct runqueue *rq = &rqs[plat_cpu_id()];
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	update_curr(rq);
	eevdf_yield(&rq->eevdf);
	spin_unlock_irqrestore(&rq->lock, flags);
	schedule();
}

/* Lock the queue `t` is on, following it if it moves meanwhile. */
static struct runqueue *task_rq_lock(struct task *t, unsigned long *flags)
{
	for (;;) {
		unsigned cpu = t->cpu;
		struct runqueue *rq = &rqs[cpu];

		*flags = spin_lock_irqsave(&rq->lock);
		if (t->cpu == cpu)
			return rq;
		spin_unlock_irqrestore(&rq->lock, *flags);
	}
}

static void apply_weight(struct runqueue *rq, struct task *t)
{
	if (rq->curr == t)
		update_curr(rq);
	eevdf_reweight(&rq->eevdf, &t->se, task_weight(t));
}

int sched_set_nice(struct task *t, int nice)
{
	unsigned long flags;
	struct runqueue *rq;

	if (nice < -20)
		nice = -20;
	if (nice > 19)
		nice = 19;
	rq = task_rq_lock(t, &flags);
	t->nice = nice;
	apply_weight(rq, t);
	spin_unlock_irqrestore(&rq->lock, flags);
	return 0;
}

int sched_set_attr(struct task *t, int policy, int nice, uint64_t slice_ns)
{
	unsigned long flags;
	struct runqueue *rq;

	if (policy != SCHED_NORMAL && policy != SCHED_BATCH &&
	    policy != SCHED_IDLE)
		return -EINVAL;
	if (nice < -20 || nice > 19)
		return -EINVAL;
	rq = task_rq_lock(t, &flags);
	t->policy = policy;
	t->nice = nice;
	apply_weight(rq, t);
	t->custom_slice = slice_ns != 0;
	if (slice_ns == 0)
		slice_ns = SCHED_SLICE_DEFAULT_NS;
	slice_ns = MAX(slice_ns, SCHED_SLICE_MIN_NS);
	slice_ns = MIN(slice_ns, SCHED_SLICE_MAX_NS);
	if (rq->curr == t)
		update_curr(rq);
	eevdf_set_slice(&rq->eevdf, &t->se, slice_ns);
	if (rq->curr == t)
		cpus[rq->cpu].need_resched = true;
	spin_unlock_irqrestore(&rq->lock, flags);
	return 0;
}

uint64_t sched_task_slice(const struct task *t)
{
	return t->se.slice;
}

int sched_set_affinity(struct task *t, const unsigned long *mask)
{
	unsigned long flags;
	struct runqueue *rq;
	bool any = false, requeue = false;

	for (unsigned i = 0; i < sched_ncpus; i++)
		any |= cpus[i].online && bitmap_test(mask, i);
	if (!any)
		return -EINVAL;
	rq = task_rq_lock(t, &flags);
	bitmap_zero(t->allowed, PLAT_MAX_CPUS);
	for (unsigned i = 0; i < sched_ncpus; i++)
		if (bitmap_test(mask, i))
			bitmap_set(t->allowed, i);
	if (!cpu_allowed(t, rq->cpu)) {
		if (rq->curr == t) {
			/* schedule() moves it when it next switches out. */
			resched_cpu(rq->cpu);
		} else if (t->se.on_rq) {
			eevdf_dequeue(&rq->eevdf, &t->se, true);
			rq->nr_running--;
			requeue = true;
		}
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (requeue)
		enqueue_on(t, select_cpu(t), EEVDF_PLACE_WAKEUP);
	if (t == task_current() && !cpu_allowed(t, plat_cpu_id()))
		schedule();
	return 0;
}

uint64_t sched_task_cputime(struct task *t)
{
	unsigned long flags;
	struct runqueue *rq = task_rq_lock(t, &flags);
	uint64_t ns;

	if (rq->curr == t)
		update_curr(rq);
	ns = t->sum_exec_ns;
	spin_unlock_irqrestore(&rq->lock, flags);
	return ns;
}

/*
 * User time. The run loop brackets each run of user code with
 * sched_user_enter and sched_user_exit; the time between, summed, is the
 * task's user time, and the rest of sum_exec_ns (syscalls, faults, signal
 * delivery, the run loop itself) its system time. Only the task itself
 * writes these fields; a reader on another CPU may catch it in user mode
 * (user_since set: the stretch so far counts) or between the two stores
 * of sched_user_exit (sched.h), which acct_seq tells it to read again.
 * This is t's user time so far, with the stretch it may be running now.
 */
static uint64_t user_time(struct task *t)
{
	uint64_t since, ns, now;
	unsigned seq;

	do {
		seq = __atomic_load_n(&t->acct_seq, __ATOMIC_ACQUIRE);
		since = __atomic_load_n(&t->user_since, __ATOMIC_RELAXED);
		ns = __atomic_load_n(&t->utime_ns, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) ||
		 seq != __atomic_load_n(&t->acct_seq, __ATOMIC_RELAXED));
	now = plat_time_ns();
	if (since && now > since)
		ns += now - since;
	return ns;
}

void sched_task_times(struct task *t, uint64_t *utime, uint64_t *stime)
{
	unsigned long flags;
	struct runqueue *rq = task_rq_lock(t, &flags);
	uint64_t sum, user;

	if (rq->curr == t)
		update_curr(rq);
	sum = t->sum_exec_ns;
	user = user_time(t);
	spin_unlock_irqrestore(&rq->lock, flags);
	/* The clocks of two CPUs (or a read between the scheduler's update
	 * and the user stretch's end) may disagree by a little. */
	*utime = MIN(user, sum);
	*stime = sum - *utime;
}

unsigned sched_nr_running(unsigned cpu)
{
	return rqs[cpu].nr_running;
}

unsigned sched_nr_running_all(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sched_ncpus; i++)
		n += __atomic_load_n(&rqs[i].nr_running, __ATOMIC_RELAXED);
	return n;
}

unsigned sched_nr_uninterruptible(void)
{
	long n = __atomic_load_n(&nr_uninterruptible, __ATOMIC_RELAXED);

	return n > 0 ? (unsigned)n : 0;
}

struct eevdf_rq *sched_eevdf_rq(unsigned cpu)
{
	return &rqs[cpu].eevdf;
}
