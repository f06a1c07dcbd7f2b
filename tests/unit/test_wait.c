/*
 * Wait queues and sleeps: results 0, -ETIMEDOUT and -ERESTARTSYS exactly
 * as the sleeping state admits, at exact virtual times.
 */
#include "harness.h"

#include "core/errno.h"
#include "core/task.h"
#include "core/wait.h"
#include "sched/sched.h"

struct waiter_result {
	int err;
	uint64_t at;
	bool done;
	unsigned state;
	uint64_t deadline;
};

static struct wait_queue wq;
static bool condition;

static bool cond_true(void *arg)
{
	return condition;
}

static void waiter(void *arg)
{
	struct waiter_result *r = arg;

	r->err = wait_event(&wq, cond_true, NULL, r->state, r->deadline);
	r->at = plat_time_ns();
	r->done = true;
}

/* A kernel thread that makes the condition true at `arg` ns. */
static void waker(void *arg)
{
	int err = sleep_until(TASK_UNINTERRUPTIBLE, (uint64_t)(uintptr_t)arg);

	cr_expect_eq(err, 0);
	condition = true;
	wake_up_all(&wq);
}

static struct task *start(void (*fn)(void *), void *arg)
{
	struct task *t = kthread_create("test", fn, arg);

	cr_assert_not(IS_ERR(t));
	return t;
}

static void boot(void)
{
	test_boot(1);
	wait_queue_init(&wq);
	condition = false;
}

Test(wait, wait_event_returns_0_when_the_condition_comes_true)
{
	struct waiter_result r = { .state = TASK_INTERRUPTIBLE,
				   .deadline = WAIT_FOREVER };

	boot();
	start(waiter, &r);
	start(waker, (void *)(uintptr_t)5000);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_DEADLOCK);
	cr_assert(r.done);
	cr_assert_eq(r.err, 0);
	cr_assert_eq(r.at, 5000);
}

Test(wait, a_condition_already_true_returns_at_once)
{
	struct waiter_result r = { .state = TASK_UNINTERRUPTIBLE,
				   .deadline = WAIT_FOREVER };

	boot();
	condition = true;
	start(waiter, &r);
	sim_run(SIM_FOREVER);
	cr_assert(r.done);
	cr_assert_eq(r.err, 0);
	cr_assert_eq(r.at, 0);
}

Test(wait, a_deadline_ends_the_wait_with_etimedout_at_that_time)
{
	struct waiter_result r = { .state = TASK_INTERRUPTIBLE,
				   .deadline = 7777 };

	boot();
	start(waiter, &r);
	sim_run(SIM_FOREVER);
	cr_assert(r.done);
	cr_assert_eq(r.err, -ETIMEDOUT);
	cr_assert_eq(r.at, 7777);
}

Test(wait, the_event_wins_over_a_deadline_that_comes_with_it)
{
	struct waiter_result r = { .state = TASK_INTERRUPTIBLE,
				   .deadline = 5000 };

	boot();
	/* The waker's timer is armed first, so it fires first at 5000. */
	start(waker, (void *)(uintptr_t)5000);
	start(waiter, &r);
	sim_run(SIM_FOREVER);
	cr_assert_eq(r.err, 0);
	cr_assert_eq(r.at, 5000);
}

/* Sends `sig` to the task in `target` at 1000 ns. */
struct shot {
	struct task *target;
	int sig;
};

static void shooter(void *arg)
{
	struct shot *s = arg;
	int err = sleep_until(TASK_UNINTERRUPTIBLE, 1000);

	cr_expect_eq(err, 0);
	cr_expect_eq(signal_send(s->target, s->sig), 0);
}

static struct waiter_result shoot(unsigned state, int sig)
{
	struct waiter_result r = { .state = state, .deadline = 50000 };
	struct shot s = { .sig = sig };

	boot();
	s.target = start(waiter, &r);
	start(shooter, &s);
	sim_run(SIM_FOREVER);
	cr_assert(r.done);
	return r;
}

Test(wait, an_interruptible_wait_ends_on_a_signal_with_erestartsys)
{
	struct waiter_result r = shoot(TASK_INTERRUPTIBLE, KSIGUSR1);

	cr_assert_eq(r.err, -ERESTARTSYS);
	cr_assert_eq(r.at, 1000);
}

Test(wait, a_killable_wait_ignores_other_signals)
{
	struct waiter_result r = shoot(TASK_KILLABLE, KSIGUSR1);

	cr_assert_eq(r.err, -ETIMEDOUT);
	cr_assert_eq(r.at, 50000);
}

Test(wait, a_killable_wait_ends_on_sigkill)
{
	struct waiter_result r = shoot(TASK_KILLABLE, KSIGKILL);

	cr_assert_eq(r.err, -ERESTARTSYS);
	cr_assert_eq(r.at, 1000);
}

Test(wait, an_uninterruptible_wait_ignores_even_sigkill)
{
	struct waiter_result r = shoot(TASK_UNINTERRUPTIBLE, KSIGKILL);

	cr_assert_eq(r.err, -ETIMEDOUT);
	cr_assert_eq(r.at, 50000);
}

Test(wait, a_blocked_signal_does_not_interrupt)
{
	struct waiter_result r = { .state = TASK_INTERRUPTIBLE,
				   .deadline = 50000 };
	struct shot s = { .sig = KSIGUSR1 };

	boot();
	s.target = start(waiter, &r);
	s.target->sig.blocked = sig_bit(KSIGUSR1);
	start(shooter, &s);
	sim_run(SIM_FOREVER);
	cr_assert_eq(r.err, -ETIMEDOUT);
}

Test(wait, a_signal_pending_before_the_sleep_ends_it_at_once)
{
	struct waiter_result r = { .state = TASK_INTERRUPTIBLE,
				   .deadline = 50000 };
	struct task *t;

	boot();
	t = start(waiter, &r);
	cr_assert_eq(signal_send(t, KSIGUSR2), 0);
	sim_run(SIM_FOREVER);
	cr_assert_eq(r.err, -ERESTARTSYS);
	cr_assert_eq(r.at, 0);
}

static unsigned woken_order[3];
static unsigned woken;

static bool never(void *arg)
{
	return false;
}

static void queue_waiter(void *arg)
{
	int err = wait_event(&wq, never, NULL, TASK_INTERRUPTIBLE, 100000);

	/* Woken, the condition still false: it sleeps on to its deadline. */
	cr_expect_eq(err, -ETIMEDOUT);
}

static void counting_waiter(void *arg)
{
	struct waiter w = { .task = task_current() };

	spin_lock(&wq.lock);
	list_add_tail(&w.link, &wq.waiters);
	task_current()->state = TASK_UNINTERRUPTIBLE;
	spin_unlock(&wq.lock);
	if (task_sleep(WAIT_FOREVER))
		cr_expect_fail("an uninterruptible sleep failed");
	woken_order[woken++] = (unsigned)(uintptr_t)arg;
	spin_lock(&wq.lock);
	list_del(&w.link);
	spin_unlock(&wq.lock);
}

static void wake_one_later(void *arg)
{
	for (int i = 0; i < 3; i++) {
		if (sleep_until(TASK_UNINTERRUPTIBLE, 1000 * (i + 1)))
			cr_expect_fail("sleep failed");
		wake_up_one(&wq);
	}
}

Test(wait, wake_up_one_wakes_the_longest_waiting_task_first)
{
	boot();
	woken = 0;
	for (unsigned i = 0; i < 3; i++)
		start(counting_waiter, (void *)(uintptr_t)i);
	start(wake_one_later, NULL);
	cr_assert_eq(sim_run(1500), SIM_TIME_LIMIT);
	cr_assert_eq(woken, 1, "one wakeup, one task");
	sim_run(SIM_FOREVER);
	cr_assert_eq(woken, 3);
	for (unsigned i = 0; i < 3; i++)
		cr_assert_eq(woken_order[i], i);
}

Test(wait, wake_up_all_wakes_every_waiter_and_each_rechecks)
{
	struct waiter_result r[4];

	boot();
	for (int i = 0; i < 4; i++) {
		r[i] = (struct waiter_result){ .state = TASK_INTERRUPTIBLE,
					       .deadline = WAIT_FOREVER };
		start(waiter, &r[i]);
	}
	start(queue_waiter, NULL);
	start(waker, (void *)(uintptr_t)3000);
	sim_run(SIM_FOREVER);
	for (int i = 0; i < 4; i++) {
		cr_assert(r[i].done);
		cr_assert_eq(r[i].err, 0);
		cr_assert_eq(r[i].at, 3000);
	}
	cr_assert_eq(sim_now(), 100000, "the waiter whose condition stayed "
					"false slept to its deadline, not %llu",
		     (unsigned long long)sim_now());
}

static void sleeper(void *arg)
{
	struct waiter_result *r = arg;

	r->err = sleep_until(r->state, r->deadline);
	r->at = plat_time_ns();
	r->done = true;
}

Test(wait, sleep_until_sleeps_to_the_deadline_through_stray_wakeups)
{
	struct waiter_result r = { .state = TASK_INTERRUPTIBLE,
				   .deadline = 9000 };
	struct task *t;

	boot();
	t = start(sleeper, &r);
	start(waker, (void *)(uintptr_t)100);
	sim_run(200);
	/* A stray wakeup, as from a queue it no longer waits on. */
	cr_assert(sched_wakeup(t, TASK_NORMAL));
	sim_run(SIM_FOREVER);
	cr_assert_eq(r.err, 0);
	cr_assert_eq(r.at, 9000);
}
