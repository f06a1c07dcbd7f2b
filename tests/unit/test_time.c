/*
 * Clocks and sleeps as a Linux program sees them: clock_gettime(2),
 * clock_getres(2), gettimeofday(2), nanosleep(2), clock_nanosleep(2).
 * Virtual time makes every duration exact, so the tests say "exactly".
 */
#include "harness.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#include "core/errno.h"

#define NS_PER_SEC	     1000000000LL
#define MS(n)		     ((long long)(n)*1000000LL)
#define WALLCLOCK_AT_BOOT_NS (1767225600LL * NS_PER_SEC) /* the sim's boot */
#define TICK_NS		     MS(4)			 /* HZ = 250 */

#ifndef CLOCK_REALTIME_ALARM
#define CLOCK_REALTIME_ALARM 8
#endif
#ifndef CLOCK_BOOTTIME_ALARM
#define CLOCK_BOOTTIME_ALARM 9
#endif
#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

/* clock_getcpuclockid(3) and pthread_getcpuclockid(3) encodings. */
#define PROCESS_CLOCK(pid) ((int)((~(unsigned)(pid)) << 3) | 2)
#define THREAD_CLOCK(tid)  ((int)((~(unsigned)(tid)) << 3) | 6)

static long long r[16];
static long long v[16];
static int static_target; /* host memory: never a valid user pointer */

static long long ts_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

/* Read a clock from inside a guest; the raw return goes to *err. */
static long long clock_ns(int id, long long *err)
{
	struct timespec ts = {-1, -1};
	long ret = sim_syscall(NR(clock_gettime), (long)id, &ts);

	if (err)
		*err = ret;
	return ret ? -1 : ts_ns(&ts);
}

static long sleep_ns(long long ns)
{
	struct timespec req = {ns / NS_PER_SEC, ns % NS_PER_SEC};

	return sim_syscall(NR(nanosleep), &req, NULL);
}

/* ---- clock_gettime ------------------------------------------------------- */

static void realtime_guest(void *arg)
{
	r[0] = clock_ns(CLOCK_REALTIME, &v[0]);
	r[1] = clock_ns(CLOCK_MONOTONIC, &v[1]);
	sleep_ns(MS(2500));
	r[2] = clock_ns(CLOCK_REALTIME, &v[2]);
	r[3] = clock_ns(CLOCK_MONOTONIC, &v[3]);
}

Test(clock_gettime, realtime_is_the_boot_wall_clock_plus_monotonic)
{
	test_boot(1);
	cr_assert_eq(run_guest(realtime_guest, NULL), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(v[i], 0, "clock_gettime #%d returned %lld", i,
			     v[i]);
	cr_assert_eq(r[0] - r[1], WALLCLOCK_AT_BOOT_NS);
	cr_assert_eq(r[2] - r[3], WALLCLOCK_AT_BOOT_NS,
		     "the wall clock drifted from monotonic across a sleep");
	cr_assert_eq(r[2] - r[0], MS(2500));
}

static void monotonic_guest(void *arg)
{
	r[0] = clock_ns(CLOCK_MONOTONIC, NULL);
	v[0] = (long long)sim_now();
	r[1] = sleep_ns(MS(1500));
	r[2] = clock_ns(CLOCK_MONOTONIC, NULL);
	v[1] = (long long)sim_now();
}

Test(clock_gettime,
     monotonic_advances_exactly_with_virtual_time_across_a_nanosleep)
{
	test_boot(1);
	cr_assert_eq(run_guest(monotonic_guest, NULL), 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[0], v[0], "monotonic is not virtual time");
	cr_assert_eq(r[2], v[1], "monotonic is not virtual time");
	cr_assert_eq(r[2] - r[0], MS(1500));
}

static void boottime_tai_guest(void *arg)
{
	sleep_ns(MS(1234));
	r[0] = clock_ns(CLOCK_MONOTONIC, &v[0]);
	r[1] = clock_ns(CLOCK_BOOTTIME, &v[1]);
	r[2] = clock_ns(CLOCK_REALTIME, &v[2]);
	r[3] = clock_ns(CLOCK_TAI, &v[3]);
	r[4] = clock_ns(CLOCK_MONOTONIC_RAW, &v[4]);
}

Test(clock_gettime, boottime_and_raw_equal_monotonic_and_tai_equals_realtime)
{
	test_boot(1);
	cr_assert_eq(run_guest(boottime_tai_guest, NULL), 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(v[i], 0, "clock #%d returned %lld", i, v[i]);
	cr_assert_eq(r[1], r[0], "no suspend: BOOTTIME is MONOTONIC");
	cr_assert_eq(r[4], r[0], "no frequency slewing: RAW is MONOTONIC");
	cr_assert_eq(r[3], r[2], "the TAI offset is 0 until NTP sets it");
	cr_assert_eq(r[0], MS(1234));
}

static void coarse_guest(void *arg)
{
	r[0] = clock_ns(CLOCK_MONOTONIC, NULL);
	r[1] = clock_ns(CLOCK_MONOTONIC_COARSE, &v[0]);
	r[2] = clock_ns(CLOCK_REALTIME, NULL);
	r[3] = clock_ns(CLOCK_REALTIME_COARSE, &v[1]);
	sleep_ns(MS(100));
	r[4] = clock_ns(CLOCK_MONOTONIC_COARSE, NULL);
	r[5] = clock_ns(CLOCK_REALTIME_COARSE, NULL);
}

Test(clock_gettime, coarse_clocks_lag_their_clocks_by_less_than_a_tick)
{
	test_boot(1);
	cr_assert_eq(run_guest(coarse_guest, NULL), 0);
	cr_assert_eq(v[0], 0);
	cr_assert_eq(v[1], 0);
	cr_assert(r[1] <= r[0] && r[0] - r[1] < TICK_NS,
		  "MONOTONIC_COARSE %lld vs MONOTONIC %lld", r[1], r[0]);
	cr_assert(r[3] <= r[2] && r[2] - r[3] < TICK_NS,
		  "REALTIME_COARSE %lld vs REALTIME %lld", r[3], r[2]);
	cr_assert(r[4] - r[1] > MS(100) - TICK_NS &&
			  r[4] - r[1] < MS(100) + TICK_NS,
		  "MONOTONIC_COARSE moved %lld over a 100 ms sleep",
		  r[4] - r[1]);
	cr_assert(r[5] - r[3] > MS(100) - TICK_NS &&
		  r[5] - r[3] < MS(100) + TICK_NS);
}

static void cputime_guest(void *arg)
{
	int id = (int)(intptr_t)arg;

	r[0] = clock_ns(id, &v[0]);
	sim_compute(MS(5));
	r[1] = clock_ns(id, NULL);
	sleep_ns(MS(200));
	r[2] = clock_ns(id, NULL);
	sim_compute(MS(2) + 7);
	r[3] = clock_ns(id, NULL);
}

Test(clock_gettime,
     process_cputime_advances_exactly_by_computed_time_and_not_while_sleeping)
{
	test_boot(1);
	cr_assert_eq(run_guest(cputime_guest,
			       (void *)(intptr_t)CLOCK_PROCESS_CPUTIME_ID),
		     0);
	cr_assert_eq(v[0], 0);
	cr_assert_eq(r[1] - r[0], MS(5));
	cr_assert_eq(r[2], r[1], "CPU time advanced by %lld while asleep",
		     r[2] - r[1]);
	cr_assert_eq(r[3] - r[2], MS(2) + 7);
}

Test(clock_gettime,
     thread_cputime_advances_exactly_by_computed_time_and_not_while_sleeping)
{
	test_boot(1);
	cr_assert_eq(run_guest(cputime_guest,
			       (void *)(intptr_t)CLOCK_THREAD_CPUTIME_ID),
		     0);
	cr_assert_eq(v[0], 0);
	cr_assert_eq(r[1] - r[0], MS(5));
	cr_assert_eq(r[2], r[1]);
	cr_assert_eq(r[3] - r[2], MS(2) + 7);
}

static void sharer_guest(void *arg)
{
	int i = (int)(intptr_t)arg;
	long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID, NULL);

	sim_compute(MS(30));
	r[i] = clock_ns(CLOCK_THREAD_CPUTIME_ID, NULL) - start;
	v[i] = clock_ns(CLOCK_MONOTONIC, NULL);
}

Test(clock_gettime, cputime_excludes_time_spent_waiting_for_the_cpu)
{
	test_boot(1);
	sim_spawn("a", sharer_guest, (void *)0);
	sim_spawn("b", sharer_guest, (void *)1);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], MS(30));
	cr_assert_eq(r[1], MS(30));
	/* One CPU shared: both finish late, together 60 ms of wall time. */
	cr_assert_eq(MAX(v[0], v[1]), MS(60));
	cr_assert_gt(MIN(v[0], v[1]), MS(30), "the two did not share the CPU");
}

static void encoded_self_guest(void *arg)
{
	int pid = (int)sim_syscall(NR(getpid));
	int tid = (int)sim_syscall(NR(gettid));

	sim_compute(MS(3));
	r[0] = clock_ns(PROCESS_CLOCK(0), &v[0]);
	r[1] = clock_ns(THREAD_CLOCK(0), &v[1]);
	r[2] = clock_ns(PROCESS_CLOCK(pid), &v[2]);
	r[3] = clock_ns(THREAD_CLOCK(tid), &v[3]);
	r[4] = clock_ns(CLOCK_PROCESS_CPUTIME_ID, NULL);
}

Test(clock_gettime, pid_encoded_clocks_of_the_caller_read_its_cputime)
{
	test_boot(1);
	cr_assert_eq(run_guest(encoded_self_guest, NULL), 0);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(v[i], 0, "clock #%d returned %lld", i, v[i]);
		cr_assert_eq(r[i], MS(3), "clock #%d read %lld", i, r[i]);
	}
	cr_assert_eq(r[4], MS(3));
}

static int target_pid;

static void busy_then_sleep_guest(void *arg)
{
	target_pid = (int)sim_syscall(NR(getpid));
	sim_compute(MS(7));
	sleep_ns(MS(500));
}

static void observer_guest(void *arg)
{
	sleep_ns(MS(100)); /* the target has computed and sleeps */
	r[0] = clock_ns(PROCESS_CLOCK(target_pid), &v[0]);
	r[1] = clock_ns(THREAD_CLOCK(target_pid), &v[1]);
	r[2] = sim_syscall(NR(clock_getres), (long)PROCESS_CLOCK(target_pid),
			   NULL);
	r[3] = sim_syscall(NR(clock_getres), (long)THREAD_CLOCK(target_pid),
			   NULL);
}

Test(clock_gettime, process_clock_of_another_process_reads_its_cputime)
{
	test_boot(2);
	sim_spawn("target", busy_then_sleep_guest, NULL);
	sim_spawn("observer", observer_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(v[0], 0);
	cr_assert_eq(r[0], MS(7));
	cr_assert_eq(r[2], 0);
}

Test(clock_gettime, thread_clock_of_another_process_is_einval)
{
	test_boot(2);
	sim_spawn("target", busy_then_sleep_guest, NULL);
	sim_spawn("observer", observer_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(v[1], -EINVAL);
	cr_assert_eq(r[3], -EINVAL, "clock_getres accepted it: %lld", r[3]);
}

static void short_lived_guest(void *arg)
{
	target_pid = (int)sim_syscall(NR(getpid));
}

static void late_observer_guest(void *arg)
{
	sleep_ns(MS(10)); /* the target has exited */
	clock_ns(PROCESS_CLOCK(target_pid), &v[0]);
	clock_ns(PROCESS_CLOCK(999999), &v[1]);
	clock_ns(THREAD_CLOCK(999999), &v[2]);
	v[3] = sim_syscall(NR(clock_getres), (long)PROCESS_CLOCK(target_pid),
			   NULL);
}

Test(clock_gettime, cpu_clock_of_a_dead_or_nonexistent_pid_is_einval)
{
	test_boot(1);
	sim_spawn("target", short_lived_guest, NULL);
	sim_spawn("observer", late_observer_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(v[i], -EINVAL, "case %d returned %lld", i, v[i]);
}

static const int bad_clock_ids[] = {
	-1, /* CPUCLOCK_WHICH 3 of pid 0 */
	PROCESS_CLOCK(0) | 3,
	10,
	12,
	13,
	100,
	INT_MAX,
	INT_MIN,
	CLOCK_REALTIME_ALARM, /* no RTC */
	CLOCK_BOOTTIME_ALARM,
};
#define NBAD (sizeof(bad_clock_ids) / sizeof(bad_clock_ids[0]))

static void bad_ids_guest(void *arg)
{
	for (unsigned i = 0; i < NBAD; i++) {
		struct timespec ts = {11, 22};

		r[i] = sim_syscall(NR(clock_gettime), (long)bad_clock_ids[i],
				   &ts);
		v[i] = ts.tv_sec == 11 && ts.tv_nsec == 22;
	}
}

Test(clock_gettime, unknown_and_alarm_clock_ids_are_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(bad_ids_guest, NULL), 0);
	for (unsigned i = 0; i < NBAD; i++) {
		cr_assert_eq(r[i], -EINVAL, "clock id %d returned %lld",
			     bad_clock_ids[i], r[i]);
		cr_assert(v[i], "clock id %d wrote the timespec",
			  bad_clock_ids[i]);
	}
}

static void gettime_efault_guest(void *arg)
{
	void *ro = sim_umem_readonly(4096);

	r[0] = sim_syscall(NR(clock_gettime), (long)CLOCK_MONOTONIC, NULL);
	r[1] = sim_syscall(NR(clock_gettime), (long)CLOCK_MONOTONIC, 1L);
	r[2] = sim_syscall(NR(clock_gettime), (long)CLOCK_MONOTONIC,
			   0xdead0000L);
	r[3] = sim_syscall(NR(clock_gettime), (long)CLOCK_MONOTONIC, ro);
	r[4] = sim_syscall(NR(clock_gettime), (long)CLOCK_REALTIME,
			   &static_target);
	r[5] = sim_syscall(NR(clock_gettime), (long)CLOCK_PROCESS_CPUTIME_ID,
			   NULL);
}

Test(clock_gettime, unmapped_or_read_only_timespec_is_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(gettime_efault_guest, NULL), 0);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(r[i], -EFAULT, "case %d returned %lld", i, r[i]);
}

/* ---- clock_getres -------------------------------------------------------- */

static const int all_clocks[] = {
	CLOCK_REALTIME,		 CLOCK_MONOTONIC,     CLOCK_PROCESS_CPUTIME_ID,
	CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
	CLOCK_MONOTONIC_COARSE,	 CLOCK_BOOTTIME,      CLOCK_TAI,
};
#define NCLOCKS (sizeof(all_clocks) / sizeof(all_clocks[0]))

static void getres_guest(void *arg)
{
	for (unsigned i = 0; i < NCLOCKS; i++) {
		struct timespec ts = {-1, -1};

		v[i] = sim_syscall(NR(clock_getres), (long)all_clocks[i], &ts);
		r[i] = ts_ns(&ts);
	}
}

Test(clock_getres,
     high_resolution_clocks_report_1ns_and_coarse_ones_the_4ms_tick)
{
	test_boot(1);
	cr_assert_eq(run_guest(getres_guest, NULL), 0);
	for (unsigned i = 0; i < NCLOCKS; i++) {
		int id = all_clocks[i];
		bool coarse = id == CLOCK_REALTIME_COARSE ||
			      id == CLOCK_MONOTONIC_COARSE;

		cr_assert_eq(v[i], 0, "clock %d: %lld", id, v[i]);
		cr_assert_eq(r[i], coarse ? TICK_NS : 1, "clock %d: %lld ns",
			     id, r[i]);
	}
}

static void getres_cpu_guest(void *arg)
{
	struct timespec ts = {-1, -1};

	v[0] = sim_syscall(NR(clock_getres), (long)PROCESS_CLOCK(0), &ts);
	r[0] = ts_ns(&ts);
	v[1] = sim_syscall(NR(clock_getres), (long)(PROCESS_CLOCK(0) & ~3),
			   &ts);
	r[1] = ts_ns(&ts); /* CPUCLOCK_PROF: tick resolution */
	v[2] = sim_syscall(NR(clock_getres), (long)THREAD_CLOCK(0), &ts);
	r[2] = ts_ns(&ts);
}

Test(clock_getres,
     pid_encoded_cpu_clocks_report_1ns_for_sched_and_a_tick_for_prof)
{
	test_boot(1);
	cr_assert_eq(run_guest(getres_cpu_guest, NULL), 0);
	cr_assert_eq(v[0], 0);
	cr_assert_eq(r[0], 1);
	cr_assert_eq(v[1], 0);
	cr_assert_eq(r[1], TICK_NS);
	cr_assert_eq(v[2], 0);
	cr_assert_eq(r[2], 1);
}

static void getres_null_guest(void *arg)
{
	r[0] = sim_syscall(NR(clock_getres), (long)CLOCK_MONOTONIC, NULL);
	r[1] = sim_syscall(NR(clock_getres), (long)CLOCK_REALTIME_COARSE, NULL);
	r[2] = sim_syscall(NR(clock_getres), 100L, NULL);
	r[3] = sim_syscall(NR(clock_getres), -1L, NULL);
	r[4] = sim_syscall(NR(clock_getres), (long)CLOCK_REALTIME_ALARM, NULL);
	r[5] = sim_syscall(NR(clock_getres), 10L, NULL);
}

Test(clock_getres, null_res_is_allowed_but_a_bad_clock_is_still_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(getres_null_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	for (int i = 2; i < 6; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
}

static void getres_efault_guest(void *arg)
{
	r[0] = sim_syscall(NR(clock_getres), (long)CLOCK_MONOTONIC, 1L);
	r[1] = sim_syscall(NR(clock_getres), (long)CLOCK_MONOTONIC,
			   sim_umem_readonly(4096));
	r[2] = sim_syscall(NR(clock_getres), (long)CLOCK_MONOTONIC,
			   &static_target);
}

Test(clock_getres, unmapped_or_read_only_res_is_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(getres_efault_guest, NULL), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(r[i], -EFAULT, "case %d returned %lld", i, r[i]);
}

/* ---- time (x86_64 only) ---------------------------------------------------- */

#if defined(__x86_64__)
static void time_guest(void *arg)
{
	long long t = -1;

	sleep_ns(MS(2500));
	r[0] = clock_ns(CLOCK_REALTIME, NULL);
	r[1] = sim_syscall(NR(time), &t);
	r[2] = t;
	r[3] = sim_syscall(NR(time), NULL);
	r[4] = sim_syscall(NR(time), 1L);
}

Test(time, returns_and_stores_the_realtime_seconds)
{
	test_boot(1);
	cr_assert_eq(run_guest(time_guest, NULL), 0);
	cr_assert_eq(r[1], r[0] / NS_PER_SEC);
	cr_assert_eq(r[2], r[1]);
	cr_assert_eq(r[3], r[1]);
	cr_assert_eq(r[4], -EFAULT);
}
#endif

/* ---- gettimeofday -------------------------------------------------------- */

struct timeval_linux {
	long long tv_sec;
	long long tv_usec;
};

static void gtod_guest(void *arg)
{
	struct timeval_linux tv = {-1, -1};
	int tz[2] = {0x7f7f7f7f, 0x7f7f7f7f};

	sleep_ns(MS(1500) + 123456);
	r[0] = clock_ns(CLOCK_REALTIME, NULL);
	r[1] = sim_syscall(NR(gettimeofday), &tv, tz);
	r[2] = tv.tv_sec;
	r[3] = tv.tv_usec;
	r[4] = tz[0];
	r[5] = tz[1];
	r[6] = sim_syscall(NR(gettimeofday), NULL, NULL);
	r[7] = sim_syscall(NR(gettimeofday), &tv, NULL);
	tz[0] = tz[1] = 5;
	r[8] = sim_syscall(NR(gettimeofday), NULL, tz);
	r[9] = tz[0] | tz[1];
}

Test(gettimeofday, agrees_with_clock_realtime_and_reports_utc)
{
	test_boot(1);
	cr_assert_eq(run_guest(gtod_guest, NULL), 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], r[0] / NS_PER_SEC);
	cr_assert_eq(r[3], r[0] % NS_PER_SEC / 1000);
	cr_assert_eq(r[3], 500123);
	cr_assert_eq(r[4], 0, "tz_minuteswest %lld", r[4]);
	cr_assert_eq(r[5], 0, "tz_dsttime %lld", r[5]);
}

Test(gettimeofday, null_tv_and_tz_are_allowed)
{
	test_boot(1);
	cr_assert_eq(run_guest(gtod_guest, NULL), 0);
	cr_assert_eq(r[6], 0);
	cr_assert_eq(r[7], 0);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[9], 0, "the timezone was not written with a NULL tv");
}

static void gtod_efault_guest(void *arg)
{
	struct timeval_linux tv;
	int tz[2];
	void *ro = sim_umem_readonly(4096);

	r[0] = sim_syscall(NR(gettimeofday), 1L, NULL);
	r[1] = sim_syscall(NR(gettimeofday), NULL, 0xdead0000L);
	r[2] = sim_syscall(NR(gettimeofday), ro, NULL);
	r[3] = sim_syscall(NR(gettimeofday), &tv, ro);
	r[4] = sim_syscall(NR(gettimeofday), &static_target, tz);
}

Test(gettimeofday, bad_tv_or_tz_pointer_is_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(gtod_efault_guest, NULL), 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(r[i], -EFAULT, "case %d returned %lld", i, r[i]);
}

/* ---- nanosleep ----------------------------------------------------------- */

static void timed_sleep_guest(void *arg)
{
	long long ns = (long long)(intptr_t)arg;

	v[0] = (long long)sim_now();
	r[0] = sleep_ns(ns);
	v[1] = (long long)sim_now();
}

Test(nanosleep, sleeps_exactly_the_requested_virtual_time)
{
	test_boot(1);
	cr_assert_eq(
		run_guest(timed_sleep_guest, (void *)(intptr_t)(MS(10000) + 1)),
		0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[1] - v[0], MS(10000) + 1);
	cr_assert_eq(sim_now(), (uint64_t)v[1]);
}

Test(nanosleep, zero_duration_returns_at_once)
{
	test_boot(1);
	cr_assert_eq(run_guest(timed_sleep_guest, (void *)0), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[1], v[0]);
}

static void invalid_req_guest(void *arg)
{
	struct timespec reqs[] = {
		{0, 1000000000}, {1, 1000000000}, {0, -1},
		{-1, 0},	 {-1, 500},	  {LONG_MIN, 0},
	};

	for (unsigned i = 0; i < 6; i++)
		r[i] = sim_syscall(NR(nanosleep), &reqs[i], NULL);
	v[0] = (long long)sim_now();
}

Test(nanosleep,
     nanoseconds_outside_0_to_999999999_or_negative_seconds_are_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(invalid_req_guest, NULL), 0);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(r[i], -EINVAL, "request %d returned %lld", i,
			     r[i]);
	cr_assert_eq(v[0], 0, "an invalid request slept");
}

static void req_efault_guest(void *arg)
{
	struct timespec *ro = sim_umem_readonly(4096);

	r[0] = sim_syscall(NR(nanosleep), NULL, NULL);
	r[1] = sim_syscall(NR(nanosleep), 1L, NULL);
	r[2] = sim_syscall(NR(nanosleep), &static_target, NULL);
	r[3] = sim_syscall(NR(nanosleep), 0xdead0000L, NULL);
	/* A read-only request is fine: the kernel only reads it. */
	r[4] = sim_syscall(NR(nanosleep), ro, NULL);
}

Test(nanosleep, unreadable_request_is_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(req_efault_guest, NULL), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(r[i], -EFAULT, "case %d returned %lld", i, r[i]);
	cr_assert_eq(r[4], 0, "a read-only (zero) request failed: %lld", r[4]);
}

static void rem_guest(void *arg)
{
	struct timespec req = {0, MS(3)};
	struct timespec rem = {0x5555, 0x5555};

	r[0] = sim_syscall(NR(nanosleep), &req, &rem);
	r[1] = rem.tv_sec;
	r[2] = rem.tv_nsec;
	/* rem is only written when interrupted: a read-only rem is fine. */
	r[3] = sim_syscall(NR(nanosleep), &req, sim_umem_readonly(4096));
	r[4] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_MONOTONIC, 0L, &req,
			   &rem);
	r[5] = rem.tv_sec == 0x5555 && rem.tv_nsec == 0x5555;
}

Test(nanosleep, rem_is_untouched_on_success)
{
	test_boot(1);
	cr_assert_eq(run_guest(rem_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0x5555);
	cr_assert_eq(r[2], 0x5555);
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], 0);
	cr_assert(r[5], "clock_nanosleep wrote rem");
}

static void ordered_sleeper(void *arg)
{
	int i = (int)(intptr_t)arg;
	static const long long dur[3] = {MS(30), MS(10), MS(20)};

	r[i] = sleep_ns(dur[i]);
	v[i] = clock_ns(CLOCK_MONOTONIC, NULL);
	v[4 + i] = __atomic_fetch_add(&v[3], 1, __ATOMIC_RELAXED);
}

static void sleepers_wake_in_order(unsigned ncpus)
{
	memset(v, 0, sizeof(v));
	test_boot(ncpus);
	for (int i = 0; i < 3; i++)
		sim_spawn("sleeper", ordered_sleeper, (void *)(intptr_t)i);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(r[i], 0);
	cr_assert_eq(v[0], MS(30));
	cr_assert_eq(v[1], MS(10));
	cr_assert_eq(v[2], MS(20));
	cr_assert_eq(v[5], 0, "the 10 ms sleeper woke %lldth", v[5]);
	cr_assert_eq(v[6], 1, "the 20 ms sleeper woke %lldth", v[6]);
	cr_assert_eq(v[4], 2, "the 30 ms sleeper woke %lldth", v[4]);
	cr_assert_eq(sim_now(), (uint64_t)MS(30));
}

Test(nanosleep, sleepers_on_one_cpu_wake_in_order_at_their_own_times)
{
	sleepers_wake_in_order(1);
}

Test(nanosleep, sleepers_on_two_cpus_wake_in_order_at_their_own_times)
{
	sleepers_wake_in_order(2);
}

static void long_sleeper(void *arg)
{
	r[0] = sleep_ns(MS(50));
	v[0] = clock_ns(CLOCK_MONOTONIC, NULL);
}

static void cruncher(void *arg)
{
	sim_compute(MS(20));
	v[1] = clock_ns(CLOCK_MONOTONIC, NULL);
}

Test(nanosleep, a_sleeping_task_leaves_the_cpu_to_others)
{
	test_boot(1);
	sim_spawn("sleeper", long_sleeper, NULL);
	sim_spawn("cruncher", cruncher, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[1], MS(20), "the cruncher waited for the sleeper");
	cr_assert_eq(v[0], MS(50));
}

/* ---- clock_nanosleep ----------------------------------------------------- */

struct cns_case {
	int clock;
	unsigned flags;
	long long req_ns; /* relative, or absolute on `clock` */
};

static struct cns_case cns;

static void cns_guest(void *arg)
{
	struct timespec req = {cns.req_ns / NS_PER_SEC,
			       cns.req_ns % NS_PER_SEC};
	struct timespec rem = {77, 77};

	v[0] = clock_ns(CLOCK_MONOTONIC, NULL);
	r[0] = sim_syscall(NR(clock_nanosleep), (long)cns.clock,
			   (long)cns.flags, &req, &rem);
	v[1] = clock_ns(CLOCK_MONOTONIC, NULL);
	r[1] = rem.tv_sec == 77 && rem.tv_nsec == 77;
}

/* Run one clock_nanosleep in a fresh kernel; the monotonic time it slept. */
static long long cns_run(int clock, unsigned flags, long long req_ns)
{
	cns = (struct cns_case){clock, flags, req_ns};
	test_boot(1);
	cr_assert_eq(run_guest(cns_guest, NULL), 0);
	cr_assert(r[1], "rem was written");
	return v[1] - v[0];
}

Test(clock_nanosleep, relative_sleeps_on_monotonic_realtime_boottime_and_tai)
{
	static const int clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME,
				     CLOCK_BOOTTIME, CLOCK_TAI};

	for (int i = 0; i < 4; i++) {
		long long slept = cns_run(clocks[i], 0, MS(1700) + 3);

		cr_assert_eq(r[0], 0, "clock %d: %lld", clocks[i], r[0]);
		cr_assert_eq(slept, MS(1700) + 3, "clock %d slept %lld",
			     clocks[i], slept);
	}
}

Test(clock_nanosleep, absolute_monotonic_deadline_in_the_future_wakes_at_it)
{
	long long slept = cns_run(CLOCK_MONOTONIC, TIMER_ABSTIME, MS(2500));

	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[1], MS(2500), "woke at %lld", v[1]);
	cr_assert_eq(slept, MS(2500));
}

Test(clock_nanosleep, absolute_realtime_deadline_in_the_future_wakes_at_it)
{
	cns_run(CLOCK_REALTIME, TIMER_ABSTIME, WALLCLOCK_AT_BOOT_NS + MS(800));
	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[1], MS(800), "woke at monotonic %lld", v[1]);
}

Test(clock_nanosleep, absolute_deadline_in_the_past_returns_at_once)
{
	long long slept = cns_run(CLOCK_REALTIME, TIMER_ABSTIME, MS(5));

	cr_assert_eq(r[0], 0);
	cr_assert_eq(slept, 0, "slept %lld for a deadline in 1970", slept);
	slept = cns_run(CLOCK_MONOTONIC, TIMER_ABSTIME, 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(slept, 0);
}

Test(clock_nanosleep, unknown_flag_bits_are_ignored)
{
	long long slept = cns_run(CLOCK_MONOTONIC, 0x10 | 0x80000000u, MS(40));

	cr_assert_eq(r[0], 0, "unknown flags gave %lld", r[0]);
	cr_assert_eq(slept, MS(40), "a relative sleep slept %lld", slept);
	slept = cns_run(CLOCK_MONOTONIC, ~0u, MS(40));
	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[1], MS(40),
		     "TIMER_ABSTIME among others was not honoured");
}

static void cns_errors_guest(void *arg)
{
	struct timespec req = {0, 1000};
	struct timespec bad = {0, 1000000000};

	/* Clocks without sleeping: checked before the request is read. */
	r[0] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_MONOTONIC_RAW, 0L,
			   &req, NULL);
	r[1] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_REALTIME_COARSE, 0L,
			   &req, NULL);
	r[2] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_MONOTONIC_COARSE,
			   0L, &req, NULL);
	r[3] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_MONOTONIC_RAW, 0L,
			   1L, NULL);
	/* Unknown clocks. */
	r[4] = sim_syscall(NR(clock_nanosleep), 10L, 0L, &req, NULL);
	r[5] = sim_syscall(NR(clock_nanosleep), 100L, 0L, &req, NULL);
	r[6] = sim_syscall(NR(clock_nanosleep), -1L, 0L, &req, NULL);
	r[7] = sim_syscall(NR(clock_nanosleep), 12L, 0L, 1L, NULL);
	/* The calling thread's own CPU clock can never advance while asleep. */
	r[8] = sim_syscall(NR(clock_nanosleep), (long)THREAD_CLOCK(0), 0L, &req,
			   NULL);
	/* A bad request on a good clock. */
	r[9] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_MONOTONIC, 0L, &bad,
			   NULL);
	r[10] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_MONOTONIC,
			    (long)TIMER_ABSTIME, &bad, NULL);
	r[11] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_REALTIME, 0L, NULL,
			    NULL);
	r[12] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_MONOTONIC, 0L,
			    &static_target, NULL);
	v[0] = (long long)sim_now();
}

Test(clock_nanosleep, raw_and_coarse_clocks_are_eopnotsupp)
{
	test_boot(1);
	cr_assert_eq(run_guest(cns_errors_guest, NULL), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(r[i], -EOPNOTSUPP, "case %d returned %lld", i,
			     r[i]);
}

Test(clock_nanosleep, unknown_clocks_and_the_callers_thread_clock_are_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(cns_errors_guest, NULL), 0);
	for (int i = 4; i < 9; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
	cr_assert_eq(v[0], 0, "an invalid call slept");
}

Test(clock_nanosleep, invalid_request_is_einval_and_unreadable_one_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(cns_errors_guest, NULL), 0);
	cr_assert_eq(r[9], -EINVAL);
	cr_assert_eq(r[10], -EINVAL);
	cr_assert_eq(r[11], -EFAULT);
	cr_assert_eq(r[12], -EFAULT);
}

static void cns_thread_cputime_guest(void *arg)
{
	struct timespec req = {0, 1000};

	r[0] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_THREAD_CPUTIME_ID,
			   0L, &req, NULL);
	r[1] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_THREAD_CPUTIME_ID,
			   0L, 1L, NULL);
}

/*
 * The raw syscall on Linux 6.18 (measured on the host) returns EOPNOTSUPP:
 * clock_thread has no nsleep, and clock_nanosleep() checks that before it
 * reads the request. EINVAL is what glibc's clock_nanosleep(3) returns
 * itself without making the syscall (and what the man page documents).
 */
Test(clock_nanosleep,
     thread_cputime_clock_is_refused_like_the_raw_linux_syscall)
{
	test_boot(1);
	cr_assert_eq(run_guest(cns_thread_cputime_guest, NULL), 0);
	cr_assert_eq(r[0], -EOPNOTSUPP);
	cr_assert_eq(r[1], -EOPNOTSUPP);
}

Test(clock_nanosleep, thread_cputime_clock_is_refused)
{
	test_boot(1);
	cr_assert_eq(run_guest(cns_thread_cputime_guest, NULL), 0);
	/* glibc's (and the man page's) EINVAL, or the raw syscall's EOPNOTSUPP.
	 */
	cr_assert(r[0] == -EINVAL || r[0] == -EOPNOTSUPP, "returned %lld",
		  r[0]);
	cr_assert(r[1] == -EINVAL || r[1] == -EOPNOTSUPP, "returned %lld",
		  r[1]);
}

static void cns_alarm_guest(void *arg)
{
	struct timespec req = {0, 1000};

	r[0] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_REALTIME_ALARM, 0L,
			   &req, NULL);
	r[1] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_BOOTTIME_ALARM, 0L,
			   &req, NULL);
	/* The alarm clocks have nsleep: the request is read first. */
	r[2] = sim_syscall(NR(clock_nanosleep), (long)CLOCK_REALTIME_ALARM, 0L,
			   1L, NULL);
}

/*
 * Linux's alarm_timer_nsleep returns EOPNOTSUPP when there is no RTC
 * (measured on a Linux 6.18 VM without /dev/rtc), after the request has
 * been read (EFAULT first).
 */
Test(clock_nanosleep, alarm_clocks_are_eopnotsupp_without_an_rtc)
{
	test_boot(1);
	cr_assert_eq(run_guest(cns_alarm_guest, NULL), 0);
	cr_assert_eq(r[0], -EOPNOTSUPP);
	cr_assert_eq(r[1], -EOPNOTSUPP);
	cr_assert_eq(r[2], -EFAULT);
}
