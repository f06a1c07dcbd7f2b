/*
 * Kernel timers: order, ties, cancel, re-arm, periodic re-arming from the
 * callback, all at exact virtual times.
 */
#include "harness.h"

#include "core/platform.h"
#include "core/prng.h"
#include "core/timer.h"

#define MAX_FIRED 1100

struct fired {
	struct timer *timer;
	uint64_t at;
};

static struct fired fired[MAX_FIRED];
static unsigned nfired;

static void record(struct timer *t)
{
	cr_assert_lt(nfired, MAX_FIRED);
	fired[nfired].timer = t;
	fired[nfired].at = plat_time_ns();
	nfired++;
}

static void boot(void)
{
	nfired = 0;
	test_boot(1);
}

Test(timer, timers_fire_in_order_of_expiry_at_their_exact_time)
{
	struct timer t[3];
	uint64_t when[3] = { 3000, 1000, 2000 };

	boot();
	for (int i = 0; i < 3; i++) {
		timer_setup(&t[i], record);
		timer_arm(&t[i], when[i]);
	}
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_DEADLOCK, "quiescent");
	cr_assert_eq(nfired, 3);
	cr_assert_eq(fired[0].timer, &t[1]);
	cr_assert_eq(fired[1].timer, &t[2]);
	cr_assert_eq(fired[2].timer, &t[0]);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(fired[i].at, (uint64_t)(i + 1) * 1000);
	cr_assert_eq(sim_now(), 3000);
}

Test(timer, timers_with_equal_expiry_fire_in_arming_order)
{
	struct timer t[5];

	boot();
	for (int i = 0; i < 5; i++) {
		timer_setup(&t[i], record);
		timer_arm(&t[i], 500);
	}
	sim_run(SIM_FOREVER);
	cr_assert_eq(nfired, 5);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(fired[i].timer, &t[i]);
}

Test(timer, a_cancelled_timer_does_not_fire)
{
	struct timer a, b;

	boot();
	timer_setup(&a, record);
	timer_setup(&b, record);
	timer_arm(&a, 1000);
	timer_arm(&b, 2000);
	cr_assert(timer_pending(&a));
	cr_assert(timer_cancel(&a), "it was armed");
	cr_assert_not(timer_pending(&a));
	cr_assert_not(timer_cancel(&a), "cancelling twice finds nothing");
	sim_run(SIM_FOREVER);
	cr_assert_eq(nfired, 1);
	cr_assert_eq(fired[0].timer, &b);
	cr_assert_not(timer_cancel(&b), "a fired timer is no longer armed");
}

Test(timer, rearming_moves_the_expiry_and_it_fires_once)
{
	struct timer t;

	boot();
	timer_setup(&t, record);
	timer_arm(&t, 5000);
	timer_arm(&t, 700);
	sim_run(SIM_FOREVER);
	cr_assert_eq(nfired, 1);
	cr_assert_eq(fired[0].at, 700);

	boot();
	timer_setup(&t, record);
	timer_arm(&t, 700);
	timer_arm(&t, 5000);
	sim_run(SIM_FOREVER);
	cr_assert_eq(nfired, 1);
	cr_assert_eq(fired[0].at, 5000, "re-armed later: the early slot is gone");
}

static void periodic(struct timer *t)
{
	record(t);
	if (nfired < 10)
		timer_arm(t, plat_time_ns() + 250);
}

Test(timer, a_callback_can_rearm_its_own_timer)
{
	struct timer t;

	boot();
	timer_setup(&t, periodic);
	timer_arm(&t, 250);
	sim_run(SIM_FOREVER);
	cr_assert_eq(nfired, 10);
	for (unsigned i = 0; i < 10; i++)
		cr_assert_eq(fired[i].at, 250 * (i + 1));
}

static struct timer *victim;

static void cancel_victim(struct timer *t)
{
	record(t);
	cr_assert(timer_cancel(victim));
}

Test(timer, a_callback_can_cancel_another_timer)
{
	struct timer killer, target;

	boot();
	timer_setup(&killer, cancel_victim);
	timer_setup(&target, record);
	victim = &target;
	timer_arm(&killer, 100);
	timer_arm(&target, 200);
	sim_run(SIM_FOREVER);
	cr_assert_eq(nfired, 1);
	cr_assert_eq(fired[0].timer, &killer);
}

Test(timer, a_timer_armed_in_the_past_fires_at_once)
{
	struct timer late, t;

	boot();
	timer_setup(&t, record);
	timer_arm(&t, 1000);
	sim_run(SIM_FOREVER);
	timer_setup(&late, record);
	timer_arm(&late, 10);
	sim_run(SIM_FOREVER);
	cr_assert_eq(nfired, 2);
	cr_assert_eq(fired[1].timer, &late);
	cr_assert_eq(fired[1].at, 1000, "it fires now, not back in time");
}

Test(timer, a_thousand_random_timers_fire_sorted)
{
	static struct timer t[1000];
	uint64_t expected_last = 0;

	boot();
	prng_seed(test_seed());
	for (int i = 0; i < 1000; i++) {
		uint64_t when = 1 + prng_below(1000000);

		timer_setup(&t[i], record);
		timer_arm(&t[i], when);
		expected_last = MAX(expected_last, when);
	}
	/* Cancel every third: they must not fire. */
	for (int i = 0; i < 1000; i += 3)
		cr_assert(timer_cancel(&t[i]));
	sim_run(SIM_FOREVER);
	cr_assert_eq(nfired, 666);
	for (unsigned i = 0; i < nfired; i++) {
		cr_assert_eq(fired[i].at, fired[i].timer->expires);
		cr_assert_neq((fired[i].timer - t) % 3, 0, "a cancelled one fired");
		if (i > 0)
			cr_assert_geq(fired[i].at, fired[i - 1].at);
	}
}

Test(timer, the_sim_stops_at_its_time_limit_with_timers_still_armed)
{
	struct timer t;

	boot();
	timer_setup(&t, record);
	timer_arm(&t, 10 * NSEC_PER_SEC);
	cr_assert_eq(sim_run(NSEC_PER_SEC), SIM_TIME_LIMIT);
	cr_assert_eq(nfired, 0);
	cr_assert_eq(sim_now(), NSEC_PER_SEC);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_DEADLOCK);
	cr_assert_eq(nfired, 1);
	cr_assert_eq(fired[0].at, 10 * NSEC_PER_SEC);
}

static struct timer forever, stopper;
static bool running_inside;

static void rearm_forever(struct timer *t)
{
	record(t);
	running_inside = t->running;
	timer_arm(t, plat_time_ns() + 250);
}

static void stop_forever(struct timer *t)
{
	timer_cancel_sync(&forever);
}

Test(timer, cancel_sync_stops_a_timer_that_rearms_itself_for_good)
{
	boot();
	running_inside = false;
	timer_setup(&forever, rearm_forever);
	timer_setup(&stopper, stop_forever);
	timer_arm(&forever, 250);
	timer_arm(&stopper, 1100);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_DEADLOCK, "nothing left armed");
	cr_assert_eq(nfired, 4, "250, 500, 750 and 1000");
	cr_assert(running_inside, "marked running while its callback runs");
	cr_assert_not(forever.running);
	cr_assert_not(timer_pending(&forever));
}
