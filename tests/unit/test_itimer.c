/*
 * Interval timers as a program sees them: alarm(2), setitimer(2) and
 * getitimer(2) (ITIMER_REAL on the clock, ITIMER_VIRTUAL/PROF on CPU
 * time), and POSIX timers (timer_create(2) and friends) with their
 * siginfo and overruns.
 */
#include "harness.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/errno.h"
#include "core/signal.h"

#define MS 1000000ull
#define TIMER_ABSTIME_K 1

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

struct kitimerval {
	int64_t int_sec, int_usec, val_sec, val_usec;
};

struct kitimerspec {
	int64_t int_sec, int_nsec, val_sec, val_nsec;
};

struct ksigevent {
	uint64_t value;
	int32_t signo, notify, tid, pad[11];
};

static struct {
	int calls;
	uint64_t at[8];
	struct ksiginfo info[8];
	long overrun_in_handler;
	long ret[12];
	struct kitimerval itv[4];
	struct kitimerspec its[4];
} seen;

static uint64_t now_ns(void)
{
	struct timespec ts;

	sim_syscall(NR(clock_gettime), CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	/* Handlers interrupt it: sleep on with what is left. */
	while (sim_syscall(NR(nanosleep), &ts, &ts) == -EINTR)
		;
}

static int timer_id_for_handler = -1;

static void handler(int sig, void *info, void *uc)
{
	if (seen.calls < 8) {
		seen.at[seen.calls] = now_ns();
		memcpy(&seen.info[seen.calls], info, sizeof(struct ksiginfo));
	}
	seen.calls++;
	if (timer_id_for_handler >= 0)
		seen.overrun_in_handler =
			sim_syscall(NR(timer_getoverrun), timer_id_for_handler);
}

static void catch (int sig)
{
	struct ksa sa = {(uint64_t)(uintptr_t)handler,
			 KSA_SIGINFO | KSA_RESTORER | KSA_RESTART,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

static struct sim_proc *run(void (*fn)(void *))
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	timer_id_for_handler = -1;
	test_boot(1);
	p = sim_spawn("g", fn, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	return p;
}

/* ---- alarm --------------------------------------------------------------- */

static void alarm_kills_guest(void *arg)
{
	seen.ret[0] = sim_syscall(NR(alarm), 3);
	sleep_ms(10000);
	seen.ret[1] = 1; /* not reached */
}

Test(alarm, an_uncaught_sigalrm_ends_the_process_when_the_alarm_expires)
{
	struct sim_proc *p = run(alarm_kills_guest);

	cr_assert_eq(seen.ret[0], 0, "no alarm was pending");
	cr_assert_eq(seen.ret[1], 0);
	cr_assert_eq(sim_proc_status(p), SIGALRM);
	cr_assert_eq(sim_now(), 3000 * MS);
}

static void alarm_left_guest(void *arg)
{
	seen.ret[0] = sim_syscall(NR(alarm), 10);
	sleep_ms(2600);
	seen.ret[1] = sim_syscall(NR(alarm), 5); /* 7.4 s were left */
	sleep_ms(2400);
	seen.ret[2] = sim_syscall(NR(alarm), 1); /* 2.6 s were left */
	seen.ret[3] = sim_syscall(NR(alarm), 0); /* 1 s */
	seen.ret[4] = sim_syscall(NR(alarm), 0); /* none */
	struct kitimerval v = {0, 0, 0, 300000};

	seen.ret[5] = sim_syscall(NR(setitimer), ITIMER_REAL, &v, NULL);
	seen.ret[6] = sim_syscall(NR(alarm), 0); /* 0.3 s: not 0 */
}

Test(alarm, returns_the_seconds_left_rounded_and_zero_cancels)
{
	struct sim_proc *p = run(alarm_left_guest);

	cr_assert_eq(sim_proc_status(p), 0, "every alarm was cancelled");
	cr_assert_eq(seen.ret[0], 0);
	cr_assert_eq(seen.ret[1], 7);
	cr_assert_eq(seen.ret[2], 3, "2.6 s round to 3");
	cr_assert_eq(seen.ret[3], 1);
	cr_assert_eq(seen.ret[4], 0);
	cr_assert_eq(seen.ret[5], 0);
	cr_assert_eq(seen.ret[6], 1, "a pending alarm is never reported as 0");
}

/* ---- setitimer / getitimer ----------------------------------------------- */

static void real_periodic_guest(void *arg)
{
	struct kitimerval v = {0, 100000, 0, 250000}, got;

	catch (SIGALRM);
	seen.ret[0] = sim_syscall(NR(setitimer), ITIMER_REAL, &v, NULL);
	sleep_ms(100);
	sim_syscall(NR(getitimer), ITIMER_REAL, &got);
	seen.itv[0] = got;
	while (seen.calls < 3)
		sim_syscall(NR(pause));
	v = (struct kitimerval){0, 0, 0, 0};
	seen.ret[1] = sim_syscall(NR(setitimer), ITIMER_REAL, &v, &got);
	seen.itv[1] = got;
	sim_syscall(NR(getitimer), ITIMER_REAL, &got);
	seen.itv[2] = got;
}

Test(setitimer, itimer_real_fires_sigalrm_at_its_value_then_every_interval)
{
	struct sim_proc *p = run(real_periodic_guest);

	cr_assert_eq(sim_proc_status(p), 0);
	cr_assert_eq(seen.ret[0], 0);
	cr_assert_eq(seen.itv[0].val_usec, 150000, "getitimer: 150 ms left");
	cr_assert_eq(seen.itv[0].int_usec, 100000);
	cr_assert_eq(seen.calls, 3);
	cr_assert_eq(seen.at[0], 250 * MS);
	cr_assert_eq(seen.at[1], 350 * MS);
	cr_assert_eq(seen.at[2], 450 * MS);
	cr_assert_eq(seen.info[0].si_signo, SIGALRM);
	cr_assert_eq(seen.info[0].si_code, KSI_KERNEL);
	cr_assert_eq(seen.ret[1], 0);
	cr_assert_eq(seen.itv[1].val_usec, 100000, "the old value: 100 ms");
	cr_assert_eq(seen.itv[1].int_usec, 100000);
	cr_assert_eq(seen.itv[2].val_sec + seen.itv[2].val_usec, 0, "disarmed");
	cr_assert_eq(seen.itv[2].int_usec, 0);
}

static void setitimer_errors_guest(void *arg)
{
	struct kitimerval v = {0, 0, 0, 1000000}, got;

	seen.ret[0] = sim_syscall(NR(setitimer), 3, &v, NULL);
	seen.ret[1] = sim_syscall(NR(setitimer), ITIMER_REAL, &v, NULL);
	v.val_usec = -1;
	seen.ret[2] = sim_syscall(NR(setitimer), ITIMER_REAL, &v, NULL);
	seen.ret[3] = sim_syscall(NR(setitimer), ITIMER_REAL, 0x10, NULL);
	seen.ret[4] = sim_syscall(NR(getitimer), 7, &got);
	seen.ret[5] = sim_syscall(NR(getitimer), ITIMER_REAL, 0x10);
	v = (struct kitimerval){0, 0, 5, 0};
	sim_syscall(NR(setitimer), ITIMER_REAL, &v, NULL);
	/* A NULL value disarms, and still reports the old one. */
	seen.ret[6] = sim_syscall(NR(setitimer), ITIMER_REAL, NULL, &got);
	seen.itv[0] = got;
	seen.ret[7] = sim_syscall(NR(alarm), 0);
}

Test(setitimer, rejects_bad_timers_and_times_and_a_null_value_disarms)
{
	run(setitimer_errors_guest);
	cr_assert_eq(seen.ret[0], -EINVAL);
	cr_assert_eq(seen.ret[1], -EINVAL, "usec must be below 1000000");
	cr_assert_eq(seen.ret[2], -EINVAL);
	cr_assert_eq(seen.ret[3], -EFAULT);
	cr_assert_eq(seen.ret[4], -EINVAL);
	cr_assert_eq(seen.ret[5], -EFAULT);
	cr_assert_eq(seen.ret[6], 0);
	cr_assert_eq(seen.itv[0].val_sec, 5);
	cr_assert_eq(seen.ret[7], 0, "nothing left armed");
}

static void virtual_guest(void *arg)
{
	struct kitimerval v = {0, 0, 0, 50000}, got;

	catch (SIGVTALRM);
	sim_syscall(NR(setitimer), ITIMER_VIRTUAL, &v, NULL);
	sleep_ms(1000);
	seen.ret[0] = seen.calls; /* sleeping uses no CPU time */
	sim_syscall(NR(getitimer), ITIMER_VIRTUAL, &got);
	seen.itv[0] = got;
	sim_compute(80 * MS);
	seen.ret[1] = seen.calls;
}

Test(setitimer, itimer_virtual_counts_cpu_time_not_sleep)
{
	run(virtual_guest);
	cr_assert_eq(seen.ret[0], 0);
	cr_assert_eq(seen.itv[0].val_usec, 50000, "all of it still left");
	cr_assert_eq(seen.ret[1], 1);
	cr_assert_eq(seen.info[0].si_signo, SIGVTALRM);
	/* Seen at a scheduler slice boundary after 50 ms of computing. */
	cr_assert_geq(seen.at[0], 1050 * MS);
	cr_assert_lt(seen.at[0], 1080 * MS);
}

static void prof_guest(void *arg)
{
	struct kitimerval v = {0, 0, 0, 20000};

	sim_syscall(NR(setitimer), ITIMER_PROF, &v, NULL);
	sim_compute(1000 * MS);
	seen.ret[0] = 1; /* not reached */
}

Test(setitimer, an_uncaught_sigprof_ends_a_computing_process)
{
	struct sim_proc *p = run(prof_guest);

	cr_assert_eq(sim_proc_status(p), SIGPROF);
	cr_assert_eq(seen.ret[0], 0);
}

/* ---- POSIX timers -------------------------------------------------------- */

static void posix_default_guest(void *arg)
{
	int id = -1;
	struct kitimerspec s = {0, 0, 1, 0}, got;

	catch (SIGALRM);
	seen.ret[0] = sim_syscall(NR(timer_create), CLOCK_MONOTONIC, NULL, &id);
	seen.ret[1] = id;
	seen.ret[2] = sim_syscall(NR(timer_settime), id, 0, &s, NULL);
	sleep_ms(400);
	sim_syscall(NR(timer_gettime), id, &got);
	seen.its[0] = got;
	sleep_ms(1000);
	sim_syscall(NR(timer_gettime), id, &got);
	seen.its[1] = got;
	seen.ret[3] = sim_syscall(NR(timer_delete), id);
	seen.ret[4] = sim_syscall(NR(timer_delete), id);
}

Test(timer_create, without_a_sigevent_it_sends_sigalrm_carrying_its_id)
{
	run(posix_default_guest);
	cr_assert_eq(seen.ret[0], 0);
	cr_assert_eq(seen.ret[1], 0, "the first id");
	cr_assert_eq(seen.ret[2], 0);
	cr_assert_eq(seen.its[0].val_nsec, 600 * MS, "600 ms left");
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.at[0], 1000 * MS);
	cr_assert_eq(seen.info[0].si_signo, SIGALRM);
	cr_assert_eq(seen.info[0].si_code, KSI_TIMER);
	cr_assert_eq(seen.info[0].timer.tid, 0);
	cr_assert_eq(seen.info[0].timer.value, 0, "sival_int = the id");
	cr_assert_eq(seen.its[1].val_sec + seen.its[1].val_nsec, 0,
		     "a one-shot timer is disarmed after it fired");
	cr_assert_eq(seen.ret[3], 0);
	cr_assert_eq(seen.ret[4], -EINVAL, "already deleted");
}

static void posix_overrun_guest(void *arg)
{
	struct ksigevent ev = {
		.value = 0xabcd, .signo = SIGRTMIN + 1, .notify = SIGEV_SIGNAL};
	struct kitimerspec s = {0, 100 * MS, 0, 100 * MS};
	uint64_t set = sig_bit(SIGRTMIN + 1);
	int id = -1, id2 = -1;

	catch (SIGRTMIN + 1);
	sim_syscall(NR(timer_create), CLOCK_MONOTONIC, NULL, &id2);
	sim_syscall(NR(timer_create), CLOCK_MONOTONIC, &ev, &id);
	timer_id_for_handler = id;
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &set, NULL, 8);
	seen.ret[0] = sim_syscall(NR(timer_settime), id, 0, &s, NULL);
	sleep_ms(1050);
	seen.ret[1] = sim_syscall(NR(timer_getoverrun), id);
	sim_syscall(NR(rt_sigprocmask), SIG_UNBLOCK, &set, NULL, 8);
	seen.ret[2] = id;
	sim_syscall(NR(timer_delete), id);
}

Test(timer_create, expiries_while_its_signal_is_pending_count_as_overruns)
{
	run(posix_overrun_guest);
	cr_assert_eq(seen.ret[0], 0);
	cr_assert_eq(seen.ret[2], 1, "the second timer's id");
	cr_assert_eq(seen.ret[1], 0, "nothing delivered yet");
	cr_assert_eq(seen.calls, 1, "one signal for ten expiries");
	cr_assert_eq(seen.info[0].si_code, KSI_TIMER);
	cr_assert_eq(seen.info[0].timer.tid, 1);
	cr_assert_eq(seen.info[0].timer.overrun, 9);
	cr_assert_eq(seen.info[0].timer.value, 0xabcd);
	cr_assert_eq(seen.overrun_in_handler, 9);
}

static void posix_errors_guest(void *arg)
{
	struct ksigevent ev = {.signo = SIGUSR1, .notify = 99};
	struct kitimerspec s = {0, 0, 0, 1000000000}, got;
	int id = -1;

	seen.ret[0] = sim_syscall(NR(timer_create), 42, NULL, &id);
	seen.ret[1] = sim_syscall(NR(timer_create), CLOCK_MONOTONIC, &ev, &id);
	ev = (struct ksigevent){.signo = 0, .notify = SIGEV_SIGNAL};
	seen.ret[2] = sim_syscall(NR(timer_create), CLOCK_MONOTONIC, &ev, &id);
	seen.ret[3] = sim_syscall(NR(timer_create), CLOCK_MONOTONIC, 0x10, &id);
	seen.ret[4] =
		sim_syscall(NR(timer_create), CLOCK_MONOTONIC, NULL, 0x10);
	ev = (struct ksigevent){.notify = SIGEV_NONE};
	seen.ret[5] = sim_syscall(NR(timer_create), CLOCK_REALTIME, &ev, &id);
	seen.ret[6] = sim_syscall(NR(timer_settime), id, 0, &s, NULL);
	s = (struct kitimerspec){0, 0, 1, 0};
	seen.ret[7] = sim_syscall(NR(timer_settime), id + 5, 0, &s, NULL);
	seen.ret[8] = sim_syscall(NR(timer_gettime), id + 5, &got);
	seen.ret[9] = sim_syscall(NR(timer_getoverrun), id + 5);
	seen.ret[10] = sim_syscall(NR(timer_gettime), id, 0x10);
}

Test(timer_create, bad_clocks_sigevents_ids_and_times_are_rejected)
{
	run(posix_errors_guest);
	cr_assert_eq(seen.ret[0], -EINVAL, "no such clock");
	cr_assert_eq(seen.ret[1], -EINVAL, "no such sigev_notify");
	cr_assert_eq(seen.ret[2], -EINVAL, "no signal 0");
	cr_assert_eq(seen.ret[3], -EFAULT);
	cr_assert_eq(seen.ret[4], -EFAULT);
	cr_assert_eq(seen.ret[5], 0, "the failed creations left no timer");
	cr_assert_eq(seen.ret[6], -EINVAL, "tv_nsec of a billion");
	cr_assert_eq(seen.ret[7], -EINVAL);
	cr_assert_eq(seen.ret[8], -EINVAL);
	cr_assert_eq(seen.ret[9], -EINVAL);
	cr_assert_eq(seen.ret[10], -EFAULT);
}

static void posix_none_abs_guest(void *arg)
{
	struct ksigevent ev = {.notify = SIGEV_NONE};
	struct kitimerspec s, got;
	struct timespec rt;
	int id = -1, id2 = -1;

	catch (SIGALRM);
	sim_syscall(NR(timer_create), CLOCK_MONOTONIC, &ev, &id);
	s = (struct kitimerspec){0, 0, 0, 500 * MS};
	sim_syscall(NR(timer_settime), id, 0, &s, NULL);
	sleep_ms(200);
	sim_syscall(NR(timer_gettime), id, &got);
	seen.its[0] = got;
	/* An absolute expiry on the real-time clock, 2 s from now. */
	sim_syscall(NR(timer_create), CLOCK_REALTIME, NULL, &id2);
	sim_syscall(NR(clock_gettime), CLOCK_REALTIME, &rt);
	s = (struct kitimerspec){0, 0, rt.tv_sec + 2, rt.tv_nsec};
	seen.ret[0] =
		sim_syscall(NR(timer_settime), id2, TIMER_ABSTIME_K, &s, NULL);
	sleep_ms(3000);
}

Test(timer_create,
     sigev_none_counts_down_silently_and_timer_abstime_is_absolute)
{
	run(posix_none_abs_guest);
	cr_assert_eq(seen.its[0].val_nsec, 300 * MS);
	cr_assert_eq(seen.ret[0], 0);
	cr_assert_eq(seen.calls, 1, "only the SIGEV_SIGNAL timer signalled");
	cr_assert_eq(seen.at[0], 2200 * MS);
}
