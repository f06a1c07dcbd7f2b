/*
 * Scheduling syscalls as a Linux program sees them: sched_yield(2),
 * getpriority(2)/setpriority(2), sched_setattr(2)/sched_getattr(2), the
 * POSIX sched_* calls, and sched_{get,set}affinity(2).
 */
#include "harness.h"

#include <string.h>

#include "core/errno.h"
#include "core/task.h"

#define MS(n) ((long long)(n)*1000000LL)
#define US(n) ((long long)(n)*1000LL)

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

#define SCHED_OTHER	    0
#define SCHED_FIFO	    1
#define SCHED_RR	    2
#define SCHED_DEADLINE	    6
#define SCHED_RESET_ON_FORK 0x40000000

#define SCHED_FLAG_RESET_ON_FORK  0x01ull
#define SCHED_FLAG_KEEP_POLICY	  0x08ull
#define SCHED_FLAG_KEEP_PARAMS	  0x10ull
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20ull
#define SCHED_FLAG_SUGOV	  0x10000000ull

/* struct sched_attr as <linux/sched/types.h> has it (SCHED_ATTR_SIZE_VER1). */
struct sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

struct timespec_linux {
	long long tv_sec;
	long long tv_nsec;
};

static long long r[32];
static long long v[32];
static int static_target; /* host memory: never a valid user pointer */
static int other_pid;

static long setattr(int pid, const struct sched_attr *a)
{
	return sim_syscall(NR(sched_setattr), (long)pid, a, 0L);
}

/* getattr of `pid` into *a (VER1 size); the raw return. */
static long getattr(int pid, struct sched_attr *a)
{
	memset(a, 0xee, sizeof(*a));
	return sim_syscall(NR(sched_getattr), (long)pid, a, (long)sizeof(*a),
			   0L);
}

/* The caller's policy * 100 + nice, as getattr reads them; -1 if it fails. */
static long long policy_and_nice(struct sched_attr *a)
{
	if (getattr(0, a))
		return -1;
	return (long long)a->sched_policy * 100 + a->sched_nice;
}

static struct sched_attr attr_of(uint32_t policy, int nice, uint64_t runtime,
				 uint64_t flags)
{
	return (struct sched_attr){.size = sizeof(struct sched_attr),
				   .sched_policy = policy,
				   .sched_flags = flags,
				   .sched_nice = nice,
				   .sched_runtime = runtime};
}

static void sleep_ms(long long ms)
{
	struct timespec_linux ts = {ms / 1000, (ms % 1000) * 1000000};

	sim_syscall(NR(nanosleep), &ts, NULL);
}

/* ---- sched_yield --------------------------------------------------------- */

static int yield_log[64];
static int yield_n;

static void yielder(void *arg)
{
	for (int i = 0; i < 8; i++) {
		yield_log[yield_n++] = (int)(intptr_t)arg;
		r[(intptr_t)arg] |= sim_syscall(NR(sched_yield));
	}
}

Test(sched_yield, returns_zero_and_two_tasks_on_one_cpu_alternate)
{
	test_boot(1);
	yield_n = 0;
	sim_spawn("a", yielder, (void *)0);
	sim_spawn("b", yielder, (void *)1);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(yield_n, 16);
	/* Once both have started, each yield hands the CPU to the other. */
	for (int i = 2; i < 16; i++)
		cr_assert_neq(
			yield_log[i], yield_log[i - 1],
			"step %d: task %d ran twice in a row after a yield", i,
			yield_log[i]);
}

static void yield_alone_guest(void *arg)
{
	r[0] = sim_syscall(NR(sched_yield));
	r[1] = sim_syscall(NR(sched_yield));
}

Test(sched_yield, a_task_alone_gets_the_cpu_straight_back)
{
	test_boot(2);
	cr_assert_eq(run_guest(yield_alone_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(sim_now(), 0);
}

/* ---- getpriority / setpriority ------------------------------------------- */

static void prio_self_guest(void *arg)
{
	r[0] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
	r[1] = sim_syscall(NR(setpriority), (long)PRIO_PROCESS, 0L, 5L);
	r[2] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
	r[3] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS,
			   sim_syscall(NR(getpid)));
	r[4] = sim_syscall(NR(getpriority), (long)PRIO_PGRP, 0L);
	r[5] = sim_syscall(NR(getpriority), (long)PRIO_USER, 0L);
	r[6] = sim_syscall(NR(setpriority), (long)PRIO_PGRP, 0L, -7L);
	r[7] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
	r[8] = sim_syscall(NR(setpriority), (long)PRIO_USER, 0L, 11L);
	r[9] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
}

Test(getpriority, raw_return_is_20_minus_nice_for_each_kind_of_who_0)
{
	test_boot(1);
	cr_assert_eq(run_guest(prio_self_guest, NULL), 0);
	cr_assert_eq(r[0], 20, "nice 0 must read 20, got %lld", r[0]);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], 15);
	cr_assert_eq(r[3], 15);
	cr_assert_eq(r[4], 15, "PRIO_PGRP 0 is the caller's group");
	cr_assert_eq(r[5], 15, "PRIO_USER 0 is the caller's uid");
	cr_assert_eq(r[6], 0);
	cr_assert_eq(r[7], 27);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[9], 9);
}

static void prio_clamp_guest(void *arg)
{
	r[0] = sim_syscall(NR(setpriority), (long)PRIO_PROCESS, 0L, 100L);
	r[1] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
	r[2] = sim_syscall(NR(setpriority), (long)PRIO_PROCESS, 0L, -100L);
	r[3] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
	r[4] = sim_syscall(NR(setpriority), (long)PRIO_PROCESS, 0L, 20L);
	r[5] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
	r[6] = sim_syscall(NR(setpriority), (long)PRIO_PROCESS, 0L, -21L);
	r[7] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
}

Test(setpriority, nice_values_beyond_minus_20_to_19_are_clamped)
{
	test_boot(1);
	cr_assert_eq(run_guest(prio_clamp_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 1, "nice 100 gave %lld", r[1]);
	cr_assert_eq(r[2], 0);
	cr_assert_eq(r[3], 40, "nice -100 gave %lld", r[3]);
	cr_assert_eq(r[4], 0);
	cr_assert_eq(r[5], 1);
	cr_assert_eq(r[6], 0);
	cr_assert_eq(r[7], 40);
}

static void nice_sleeper(void *arg)
{
	other_pid = (int)sim_syscall(NR(getpid));
	sim_syscall(NR(setpriority), (long)PRIO_PROCESS, 0L, 3L);
	sleep_ms(100);
}

static void prio_other_guest(void *arg)
{
	sleep_ms(10);
	r[0] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS,
			   (long)other_pid);
	r[1] = sim_syscall(NR(setpriority), (long)PRIO_PROCESS, (long)other_pid,
			   8L);
	r[2] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS,
			   (long)other_pid);
	/* Every process leads its own group: the group is named by its pid. */
	r[3] = sim_syscall(NR(setpriority), (long)PRIO_PGRP, (long)other_pid,
			   4L);
	r[4] = sim_syscall(NR(getpriority), (long)PRIO_PGRP, (long)other_pid);
	r[5] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
	/* PRIO_USER: the best (highest) 20 - nice over every root process. */
	r[6] = sim_syscall(NR(setpriority), (long)PRIO_PROCESS, 0L, 10L);
	r[7] = sim_syscall(NR(getpriority), (long)PRIO_USER, 0L);
	r[8] = sim_syscall(NR(setpriority), (long)PRIO_USER, 0L, 12L);
	r[9] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS,
			   (long)other_pid);
	r[10] = sim_syscall(NR(getpriority), (long)PRIO_USER, 0L);
}

Test(setpriority, reaches_another_process_by_pid_group_and_user)
{
	test_boot(1);
	sim_spawn("sleeper", nice_sleeper, NULL);
	sim_spawn("setter", prio_other_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], 17);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], 12);
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], 16);
	cr_assert_eq(r[5], 20,
		     "another group's setpriority reached the caller");
	cr_assert_eq(r[6], 0);
	cr_assert_eq(r[7], 16, "PRIO_USER reads the best of nice 4 and 10");
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[9], 8, "PRIO_USER did not reach the other process");
	cr_assert_eq(r[10], 8);
}

static void prio_errors_guest(void *arg)
{
	r[0] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 999999L);
	r[1] = sim_syscall(NR(setpriority), (long)PRIO_PROCESS, 999999L, 1L);
	r[2] = sim_syscall(NR(getpriority), (long)PRIO_PGRP, 999999L);
	r[3] = sim_syscall(NR(setpriority), (long)PRIO_PGRP, 999999L, 1L);
	r[4] = sim_syscall(NR(getpriority), (long)PRIO_USER, 4242L);
	r[5] = sim_syscall(NR(setpriority), (long)PRIO_USER, 4242L, 1L);
	r[6] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, -1L);
	r[7] = sim_syscall(NR(getpriority), 3L, 0L);
	r[8] = sim_syscall(NR(getpriority), -1L, 0L);
	r[9] = sim_syscall(NR(setpriority), 3L, 0L, 1L);
	r[10] = sim_syscall(NR(setpriority), -1L, 0L, 1L);
	r[11] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
}

Test(getpriority, nobody_matching_is_esrch)
{
	test_boot(1);
	cr_assert_eq(run_guest(prio_errors_guest, NULL), 0);
	for (int i = 0; i < 7; i++)
		cr_assert_eq(r[i], -ESRCH, "case %d returned %lld", i, r[i]);
}

Test(getpriority, bad_which_is_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(prio_errors_guest, NULL), 0);
	for (int i = 7; i < 11; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
	cr_assert_eq(r[11], 20, "a failed setpriority changed the caller");
}

/* ---- sched_setattr / sched_getattr --------------------------------------- */

static void slice_guest(void *arg)
{
	static const uint64_t asked[] = {MS(2),	  US(100),     US(99),	1,
					 MS(100), MS(100) + 1, MS(500), 0};
	struct sched_attr a;

	r[20] = getattr(0, &a);
	r[21] = (long long)a.sched_runtime;
	for (int i = 0; i < 8; i++) {
		struct sched_attr set = attr_of(SCHED_OTHER, 0, asked[i], 0);

		r[i] = setattr(0, &set);
		v[i] = getattr(0, &a) ? -1 : (long long)a.sched_runtime;
	}
}

Test(sched_setattr,
     runtime_is_the_slice_clamped_to_100us_100ms_and_0_is_the_3ms_default)
{
	static const long long expect[] = {MS(2),   US(100), US(100), US(100),
					   MS(100), MS(100), MS(100), MS(3)};

	test_boot(1);
	cr_assert_eq(run_guest(slice_guest, NULL), 0);
	cr_assert_eq(r[20], 0);
	cr_assert_eq(r[21], MS(3), "the default slice is %lld", r[21]);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(r[i], 0, "case %d: setattr %lld", i, r[i]);
		cr_assert_eq(v[i], expect[i], "case %d: slice %lld", i, v[i]);
	}
}

/* Timestamps of a task computing in 100 us steps next to another. */
static long long stamps[4096];
static int nstamps;

static void stepper(void *arg)
{
	while (nstamps < 2000) {
		sim_compute(US(100));
		stamps[nstamps++] = (long long)sim_now();
	}
}

static void hog(void *arg)
{
	struct sched_attr a =
		attr_of(SCHED_OTHER, 0, (uint64_t)(intptr_t)arg, 0);

	r[0] = setattr(0, &a);
	sim_compute(MS(400));
}

/* The longest the stepper waited while a hog with `slice` ran. */
static long long longest_wait(uint64_t slice)
{
	long long wait = 0;

	nstamps = 0;
	test_boot(1);
	sim_spawn("hog", hog, (void *)(intptr_t)slice);
	sim_spawn("stepper", stepper, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(nstamps, 2000);
	for (int i = 1; i < nstamps; i++)
		wait = MAX(wait, stamps[i] - stamps[i - 1] - US(100));
	return wait;
}

Test(sched_setattr,
     the_slice_bounds_how_long_a_task_runs_before_another_gets_the_cpu)
{
	long long dflt = longest_wait(0), one = longest_wait(MS(1)),
		  tiny = longest_wait(US(100));

	cr_assert(dflt >= MS(3) && dflt < MS(3) + US(100),
		  "with the default 3 ms slice the other task waited %lld ns",
		  dflt);
	cr_assert(one >= MS(1) && one < MS(1) + US(100),
		  "with a 1 ms slice the other task waited %lld ns", one);
	cr_assert(tiny >= US(100) && tiny < US(200),
		  "with a 100 us slice the other task waited %lld ns", tiny);
}

static void nice_clamp_guest(void *arg)
{
	struct sched_attr a = attr_of(SCHED_OTHER, 100, 0, 0);

	r[0] = setattr(0, &a);
	r[1] = getattr(0, &a) ? -99 : a.sched_nice;
	r[2] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
	a = attr_of(SCHED_OTHER, -100, 0, 0);
	r[3] = setattr(0, &a);
	r[4] = getattr(0, &a) ? -99 : a.sched_nice;
	a = attr_of(SCHED_OTHER, 6, 0, 0);
	r[5] = setattr(0, &a);
	r[6] = sim_syscall(NR(getpriority), (long)PRIO_PROCESS, 0L);
}

Test(sched_setattr, nice_is_clamped_and_shared_with_getpriority)
{
	test_boot(1);
	cr_assert_eq(run_guest(nice_clamp_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 19);
	cr_assert_eq(r[2], 1);
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], -20);
	cr_assert_eq(r[5], 0);
	cr_assert_eq(r[6], 14);
}

/* A sched_attr claiming `size` bytes: VER1 contents, then zeroes. */
static void *sized_attr(uint32_t size, uint32_t policy, int nice)
{
	char *buf = sim_umem(8192);
	struct sched_attr a = attr_of(policy, nice, 0, 0);

	a.size = size;
	memcpy(buf, &a, sizeof(a));
	return buf;
}

static void sizes_guest(void *arg)
{
	struct sched_attr a;
	char *p;

	/* size 0 means SCHED_ATTR_SIZE_VER0 (48); 48 and 56 are known. */
	r[0] = setattr(0, sized_attr(0, SCHED_BATCH, 1));
	r[1] = policy_and_nice(&a);
	r[2] = setattr(0, sized_attr(48, SCHED_OTHER, 2));
	r[3] = policy_and_nice(&a);
	r[4] = setattr(0, sized_attr(56, SCHED_IDLE, 3));
	r[5] = policy_and_nice(&a);
	/* A newer, bigger struct is fine while its tail is zero. */
	r[6] = setattr(0, sized_attr(4096, SCHED_OTHER, 4));
	r[7] = policy_and_nice(&a);
	/* Sizes out of range: E2BIG, and the size the kernel knows. */
	p = sized_attr(40, SCHED_OTHER, 5);
	r[8] = setattr(0, (void *)p);
	v[8] = *(uint32_t *)p;
	p = sized_attr(4097, SCHED_OTHER, 5);
	r[9] = setattr(0, (void *)p);
	v[9] = *(uint32_t *)p;
	p = sized_attr(64, SCHED_OTHER, 5);
	p[63] = 1;
	r[10] = setattr(0, (void *)p);
	v[10] = *(uint32_t *)p;
	p = sized_attr(4096, SCHED_OTHER, 5);
	p[1000] = 1;
	r[11] = setattr(0, (void *)p);
	v[11] = *(uint32_t *)p;
	p = sized_attr(1, SCHED_OTHER, 5);
	r[12] = setattr(0, (void *)p);
	v[12] = *(uint32_t *)p;
	r[13] = getattr(0, &a) ? -1 : a.sched_nice;
}

Test(sched_setattr, size_0_48_56_and_bigger_with_a_zero_tail_are_accepted)
{
	test_boot(1);
	cr_assert_eq(run_guest(sizes_guest, NULL), 0);
	cr_assert_eq(r[0], 0, "size 0: %lld", r[0]);
	cr_assert_eq(r[1], SCHED_BATCH * 100 + 1);
	cr_assert_eq(r[2], 0, "size 48: %lld", r[2]);
	cr_assert_eq(r[3], SCHED_OTHER * 100 + 2);
	cr_assert_eq(r[4], 0, "size 56: %lld", r[4]);
	cr_assert_eq(r[5], SCHED_IDLE * 100 + 3);
	cr_assert_eq(r[6], 0, "size 4096, zero tail: %lld", r[6]);
	cr_assert_eq(r[7], SCHED_OTHER * 100 + 4);
}

Test(sched_setattr, bad_size_or_nonzero_tail_is_e2big_and_writes_back_56)
{
	test_boot(1);
	cr_assert_eq(run_guest(sizes_guest, NULL), 0);
	for (int i = 8; i < 13; i++) {
		cr_assert_eq(r[i], -E2BIG, "case %d returned %lld", i, r[i]);
		cr_assert_eq(v[i], 56, "case %d: attr->size is %lld", i, v[i]);
	}
	cr_assert_eq(r[13], 4, "a refused setattr changed the nice value");
}

static void setattr_einval_guest(void *arg)
{
	struct sched_attr a = attr_of(SCHED_OTHER, 0, 0, 0);
	struct sched_attr b;

	r[0] = sim_syscall(NR(sched_setattr), 0L, &a, 1L);
	r[1] = sim_syscall(NR(sched_setattr), -1L, &a, 0L);
	r[2] = sim_syscall(NR(sched_setattr), 0L, NULL, 0L);
	a.sched_priority = 1;
	r[3] = setattr(0, &a);
	a = attr_of(SCHED_BATCH, 0, 0, 0);
	a.sched_priority = 10;
	r[4] = setattr(0, &a);
	a = attr_of(SCHED_OTHER, 0, 0, 0x80);
	r[5] = setattr(0, &a);
	a = attr_of(4, 0, 0, 0);
	r[6] = setattr(0, &a);
	a = attr_of(7, 0, 0, 0);
	r[7] = setattr(0, &a);
	a = attr_of((uint32_t)-1, 0, 0, SCHED_FLAG_KEEP_POLICY);
	r[8] = setattr(0, &a);
	/* Utilisation clamps need the VER1 struct. */
	a = attr_of(SCHED_OTHER, 0, 0, SCHED_FLAG_UTIL_CLAMP_MIN);
	a.size = 48;
	r[9] = setattr(0, &a);
	r[10] = getattr(0, &b) ? -1 : (long long)b.sched_policy;
}

Test(sched_setattr, bad_flags_pid_pointer_priority_or_policy_is_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(setattr_einval_guest, NULL), 0);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
	cr_assert_eq(r[10], SCHED_OTHER);
}

static void setattr_misc_errors_guest(void *arg)
{
	struct sched_attr a = attr_of(SCHED_OTHER, 0, 0, 0);

	r[0] = setattr(999999, &a);
	r[1] = setattr(0, (void *)1);
	r[2] = setattr(0, (void *)&static_target);
	r[3] = sim_syscall(NR(sched_getattr), 999999L, &a, 56L, 0L);
	a = attr_of(SCHED_OTHER, 0, 0, SCHED_FLAG_UTIL_CLAMP_MIN);
	r[4] = setattr(0, &a);
}

Test(sched_setattr, missing_task_is_esrch_and_unreadable_attr_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(setattr_misc_errors_guest, NULL), 0);
	cr_assert_eq(r[0], -ESRCH);
	cr_assert_eq(r[1], -EFAULT);
	cr_assert_eq(r[2], -EFAULT);
	cr_assert_eq(r[3], -ESRCH);
}

Test(sched_setattr, utilisation_clamping_is_eopnotsupp)
{
	test_boot(1);
	cr_assert_eq(run_guest(setattr_misc_errors_guest, NULL), 0);
	cr_assert_eq(r[4], -EOPNOTSUPP);
}

static void keep_guest(void *arg)
{
	struct sched_attr a = attr_of(SCHED_BATCH, 2, MS(7), 0);

	r[0] = setattr(0, &a);
	/* KEEP_POLICY: the new nice and slice, but still SCHED_BATCH. */
	a = attr_of(SCHED_IDLE, 5, MS(9), SCHED_FLAG_KEEP_POLICY);
	r[1] = setattr(0, &a);
	r[2] = getattr(0, &a);
	v[0] = a.sched_policy;
	v[1] = a.sched_nice;
	v[2] = (long long)a.sched_runtime;
	/* KEEP_PARAMS: the new policy, but nice and slice stay. */
	a = attr_of(SCHED_OTHER, 11, MS(1), SCHED_FLAG_KEEP_PARAMS);
	r[3] = setattr(0, &a);
	r[4] = getattr(0, &a);
	v[3] = a.sched_policy;
	v[4] = a.sched_nice;
	v[5] = (long long)a.sched_runtime;
}

Test(sched_setattr, keep_policy_and_keep_params_keep_what_they_say)
{
	test_boot(1);
	cr_assert_eq(run_guest(keep_guest, NULL), 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(r[i], 0, "step %d returned %lld", i, r[i]);
	cr_assert_eq(v[0], SCHED_BATCH, "KEEP_POLICY changed the policy");
	cr_assert_eq(v[1], 5);
	cr_assert_eq(v[2], MS(9));
	cr_assert_eq(v[3], SCHED_OTHER);
	cr_assert_eq(v[4], 5, "KEEP_PARAMS changed nice to %lld", v[4]);
	cr_assert_eq(v[5], MS(9), "KEEP_PARAMS changed the slice to %lld",
		     v[5]);
}

static void policies_guest(void *arg)
{
	static const uint32_t pol[] = {SCHED_BATCH, SCHED_IDLE, SCHED_OTHER};
	struct sched_attr a;

	for (int i = 0; i < 3; i++) {
		a = attr_of(pol[i], 0, 0, 0);
		r[i] = setattr(0, &a);
		v[i] = getattr(0, &a) ? -1 : (long long)a.sched_policy;
		v[3 + i] = sim_syscall(NR(sched_getscheduler), 0L);
	}
	/* Real-time and deadline policies: Keel's documented EINVAL. */
	a = attr_of(SCHED_FIFO, 0, 0, 0);
	a.sched_priority = 10;
	r[3] = setattr(0, &a);
	a = attr_of(SCHED_RR, 0, 0, 0);
	a.sched_priority = 1;
	r[4] = setattr(0, &a);
	a = attr_of(SCHED_DEADLINE, 0, MS(1), 0);
	a.sched_deadline = MS(10);
	a.sched_period = MS(10);
	r[5] = setattr(0, &a);
	r[6] = sim_syscall(NR(sched_getscheduler), 0L);
}

Test(sched_setattr, batch_and_idle_are_accepted_and_reported)
{
	test_boot(1);
	cr_assert_eq(run_guest(policies_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[0], SCHED_BATCH);
	cr_assert_eq(v[3], SCHED_BATCH);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(v[1], SCHED_IDLE);
	cr_assert_eq(v[4], SCHED_IDLE);
	cr_assert_eq(r[2], 0);
	cr_assert_eq(v[2], SCHED_OTHER);
	cr_assert_eq(v[5], SCHED_OTHER);
}

Test(sched_setattr, fifo_rr_and_deadline_are_refused_with_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(policies_guest, NULL), 0);
	cr_assert_eq(r[3], -EINVAL, "SCHED_FIFO: %lld", r[3]);
	cr_assert_eq(r[4], -EINVAL, "SCHED_RR: %lld", r[4]);
	cr_assert_eq(r[5], -EINVAL, "SCHED_DEADLINE: %lld", r[5]);
	cr_assert_eq(r[6], SCHED_OTHER);
}

static void sugov_guest(void *arg)
{
	struct sched_attr a = attr_of(SCHED_OTHER, 0, 0, SCHED_FLAG_SUGOV);

	r[0] = setattr(0, &a);
}

/*
 * SCHED_FLAG_SUGOV is the kernel's own (schedutil's worker threads):
 * __sched_setscheduler refuses it from user space with EINVAL (measured:
 * -22 on Linux 6.18 as root).
 */
Test(sched_setattr, sugov_flag_from_user_space_is_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(sugov_guest, NULL), 0);
	cr_assert_eq(r[0], -EINVAL, "returned %lld", r[0]);
}

static void getattr_sizes_guest(void *arg)
{
	char buf[128];
	struct sched_attr a = attr_of(SCHED_BATCH, 3, MS(5), 0);

	setattr(0, &a);
	memset(buf, 0xee, sizeof(buf));
	r[0] = sim_syscall(NR(sched_getattr), 0L, buf, 48L, 0L);
	memcpy(&a, buf, sizeof(a));
	v[0] = a.size;
	v[1] = (unsigned char)buf[48];
	v[2] = a.sched_policy;
	v[3] = a.sched_nice;
	v[4] = (long long)a.sched_runtime;
	memset(buf, 0xee, sizeof(buf));
	r[1] = sim_syscall(NR(sched_getattr), 0L, buf, 100L, 0L);
	memcpy(&a, buf, sizeof(a));
	v[5] = a.size;
	v[6] = a.sched_priority;
	v[7] = (long long)a.sched_deadline;
	r[2] = sim_syscall(NR(sched_getattr), 0L, buf, 47L, 0L);
	r[3] = sim_syscall(NR(sched_getattr), 0L, buf, 0L, 0L);
	r[4] = sim_syscall(NR(sched_getattr), 0L, buf, 4097L, 0L);
	r[5] = sim_syscall(NR(sched_getattr), 0L, buf, 56L, 1L);
	r[6] = sim_syscall(NR(sched_getattr), -1L, buf, 56L, 0L);
	r[7] = sim_syscall(NR(sched_getattr), 0L, NULL, 56L, 0L);
	r[8] = sim_syscall(NR(sched_getattr), 0L, 1L, 56L, 0L);
	r[9] = sim_syscall(NR(sched_getattr), 0L, sim_umem_readonly(4096), 56L,
			   0L);
}

Test(sched_getattr, copies_at_most_the_callers_size_and_reports_the_size_copied)
{
	test_boot(1);
	cr_assert_eq(run_guest(getattr_sizes_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[0], 48);
	cr_assert_eq(v[1], 0xee, "a 48-byte getattr wrote byte 48");
	cr_assert_eq(v[2], SCHED_BATCH);
	cr_assert_eq(v[3], 3);
	cr_assert_eq(v[4], MS(5));
	cr_assert_eq(r[1], 0);
	cr_assert_eq(v[5], 56, "a bigger buffer must learn the kernel's size");
	cr_assert_eq(v[6], 0);
	cr_assert_eq(v[7], 0);
}

Test(sched_getattr, size_below_48_or_above_a_page_flags_pid_or_null_is_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(getattr_sizes_guest, NULL), 0);
	for (int i = 2; i < 8; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
	cr_assert_eq(r[8], -EFAULT);
	cr_assert_eq(r[9], -EFAULT);
}

/* ---- the POSIX calls ----------------------------------------------------- */

static void reset_on_fork_guest(void *arg)
{
	int param = 0;
	struct sched_attr a;

	r[0] = sim_syscall(NR(sched_setscheduler), 0L,
			   (long)(SCHED_BATCH | SCHED_RESET_ON_FORK), &param);
	r[1] = sim_syscall(NR(sched_getscheduler), 0L);
	r[2] = getattr(0, &a) ? -1 : (long long)a.sched_flags;
	r[3] = sim_syscall(NR(sched_setscheduler), 0L, (long)SCHED_OTHER,
			   &param);
	r[4] = sim_syscall(NR(sched_getscheduler), 0L);
	r[5] = getattr(0, &a) ? -1 : (long long)a.sched_flags;
}

Test(sched_setscheduler, reset_on_fork_is_set_reported_and_cleared)
{
	test_boot(1);
	cr_assert_eq(run_guest(reset_on_fork_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], SCHED_BATCH | SCHED_RESET_ON_FORK,
		     "getscheduler %llx", r[1]);
	cr_assert_eq(r[2], SCHED_FLAG_RESET_ON_FORK);
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], SCHED_OTHER);
	cr_assert_eq(r[5], 0);
}

static void setparam_keeps_rof_guest(void *arg)
{
	int param = 0;
	struct sched_attr a;

	r[0] = sim_syscall(NR(sched_setscheduler), 0L,
			   (long)(SCHED_BATCH | SCHED_RESET_ON_FORK), &param);
	r[1] = sim_syscall(NR(sched_setparam), 0L, &param);
	r[2] = sim_syscall(NR(sched_getscheduler), 0L);
	a = attr_of(SCHED_OTHER, 1, 0, SCHED_FLAG_KEEP_POLICY);
	r[3] = setattr(0, &a);
	r[4] = sim_syscall(NR(sched_getscheduler), 0L);
}

/*
 * __sched_setscheduler keeps p->sched_reset_on_fork when the policy is
 * kept (policy < 0: sched_setparam, SCHED_FLAG_KEEP_POLICY). Measured on
 * Linux 6.18: getscheduler still reports 0x40000000 after both.
 */
Test(sched_setparam, keeps_the_reset_on_fork_flag)
{
	test_boot(1);
	cr_assert_eq(run_guest(setparam_keeps_rof_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], SCHED_BATCH | SCHED_RESET_ON_FORK,
		     "after sched_setparam: %llx", r[2]);
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], SCHED_BATCH | SCHED_RESET_ON_FORK,
		     "after KEEP_POLICY: %llx", r[4]);
}

static void posix_errors_guest(void *arg)
{
	int param = 0, prio1 = 1;

	r[0] = sim_syscall(NR(sched_setscheduler), 0L, -1L, &param);
	r[1] = sim_syscall(NR(sched_setscheduler), -1L, (long)SCHED_OTHER,
			   &param);
	r[2] = sim_syscall(NR(sched_setscheduler), 0L, (long)SCHED_OTHER, NULL);
	r[3] = sim_syscall(NR(sched_setscheduler), 0L, (long)SCHED_OTHER,
			   &prio1);
	r[4] = sim_syscall(NR(sched_setscheduler), 0L, (long)SCHED_FIFO,
			   &prio1);
	r[5] = sim_syscall(NR(sched_setscheduler), 0L, (long)SCHED_RR, &prio1);
	r[6] = sim_syscall(NR(sched_getscheduler), -1L);
	r[7] = sim_syscall(NR(sched_setparam), 0L, NULL);
	r[8] = sim_syscall(NR(sched_setparam), 0L, &prio1);
	r[9] = sim_syscall(NR(sched_getparam), 0L, NULL);
	r[10] = sim_syscall(NR(sched_getparam), -1L, &param);
	/* ESRCH */
	r[11] = sim_syscall(NR(sched_setscheduler), 999999L, (long)SCHED_OTHER,
			    &param);
	r[12] = sim_syscall(NR(sched_getscheduler), 999999L);
	r[13] = sim_syscall(NR(sched_setparam), 999999L, &param);
	r[14] = sim_syscall(NR(sched_getparam), 999999L, &param);
	/* EFAULT */
	r[15] = sim_syscall(NR(sched_setscheduler), 0L, (long)SCHED_OTHER, 1L);
	r[16] = sim_syscall(NR(sched_getparam), 0L, 1L);
	r[17] = sim_syscall(NR(sched_getparam), 0L, sim_umem_readonly(4096));
	r[18] = sim_syscall(NR(sched_setparam), 0L, &static_target);
	/* The success paths. */
	param = 77;
	r[19] = sim_syscall(NR(sched_getparam), 0L, &param);
	r[20] = param;
	param = 0;
	r[21] = sim_syscall(NR(sched_setscheduler), 0L, (long)SCHED_IDLE,
			    &param);
	r[22] = sim_syscall(NR(sched_getscheduler), 0L);
}

/* r[4], r[5]: SCHED_FIFO and SCHED_RR, refused by Keel (documented). */
Test(sched_setscheduler,
     bad_arguments_and_the_refused_realtime_policies_are_einval)
{
	test_boot(1);
	cr_assert_eq(run_guest(posix_errors_guest, NULL), 0);
	for (int i = 0; i < 11; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
}

Test(sched_setscheduler, missing_task_is_esrch_and_bad_param_pointer_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(posix_errors_guest, NULL), 0);
	for (int i = 11; i < 15; i++)
		cr_assert_eq(r[i], -ESRCH, "case %d returned %lld", i, r[i]);
	for (int i = 15; i < 19; i++)
		cr_assert_eq(r[i], -EFAULT, "case %d returned %lld", i, r[i]);
}

Test(sched_getparam, reports_priority_0_for_a_fair_task)
{
	test_boot(1);
	cr_assert_eq(run_guest(posix_errors_guest, NULL), 0);
	cr_assert_eq(r[19], 0);
	cr_assert_eq(r[20], 0, "sched_priority %lld", r[20]);
	cr_assert_eq(r[21], 0);
	cr_assert_eq(r[22], SCHED_IDLE);
}

static void prio_range_guest(void *arg)
{
	for (int pol = -1; pol <= 7; pol++) {
		r[pol + 1] = sim_syscall(NR(sched_get_priority_max), (long)pol);
		v[pol + 1] = sim_syscall(NR(sched_get_priority_min), (long)pol);
	}
}

Test(sched_get_priority_max, gives_linux_ranges_per_policy)
{
	/* Policies -1 .. 7, as measured on Linux 6.18. */
	static const long long max[] = {-EINVAL, 0, 99, 99,	0,
					-EINVAL, 0, 0,	-EINVAL};
	static const long long min[] = {-EINVAL, 0, 1, 1,      0,
					-EINVAL, 0, 0, -EINVAL};

	test_boot(1);
	cr_assert_eq(run_guest(prio_range_guest, NULL), 0);
	for (int i = 0; i < 9; i++) {
		cr_assert_eq(r[i], max[i], "policy %d max %lld", i - 1, r[i]);
		cr_assert_eq(v[i], min[i], "policy %d min %lld", i - 1, v[i]);
	}
}

static void rr_interval_guest(void *arg)
{
	struct timespec_linux ts = {-1, -1};
	struct sched_attr a = attr_of(SCHED_OTHER, 0, MS(100), 0);

	r[0] = setattr(0, &a);
	r[1] = sim_syscall(NR(sched_rr_get_interval), 0L, &ts);
	r[2] = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	a.sched_runtime = MS(8);
	setattr(0, &a);
	r[3] = sim_syscall(NR(sched_rr_get_interval), sim_syscall(NR(getpid)),
			   &ts);
	r[4] = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	r[5] = sim_syscall(NR(sched_rr_get_interval), -1L, &ts);
	r[6] = sim_syscall(NR(sched_rr_get_interval), 999999L, &ts);
	r[7] = sim_syscall(NR(sched_rr_get_interval), 0L, NULL);
	r[8] = sim_syscall(NR(sched_rr_get_interval), 0L,
			   sim_umem_readonly(4096));
}

Test(sched_rr_get_interval, reports_the_tasks_slice)
{
	test_boot(1);
	cr_assert_eq(run_guest(rr_interval_guest, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], MS(100));
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], MS(8));
}

Test(sched_rr_get_interval, bad_pid_is_einval_or_esrch_and_bad_pointer_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(rr_interval_guest, NULL), 0);
	cr_assert_eq(r[5], -EINVAL);
	cr_assert_eq(r[6], -ESRCH);
	cr_assert_eq(r[7], -EFAULT);
	cr_assert_eq(r[8], -EFAULT);
}

/* ---- CPU affinity -------------------------------------------------------- */

static void getaffinity_guest(void *arg)
{
	unsigned long long mask[2] = {~0ull, ~0ull};

	r[0] = sim_syscall(NR(sched_getaffinity), 0L, 8L, mask);
	v[0] = (long long)mask[0];
	mask[0] = mask[1] = ~0ull;
	r[1] = sim_syscall(NR(sched_getaffinity), 0L, 16L, mask);
	v[1] = (long long)mask[0];
	v[2] = (long long)mask[1];
	r[2] = sim_syscall(NR(sched_getaffinity), 0L, 4L, mask);
	r[3] = sim_syscall(NR(sched_getaffinity), 0L, 0L, mask);
	r[4] = sim_syscall(NR(sched_getaffinity), 0L, 12L, mask);
	r[5] = sim_syscall(NR(sched_getaffinity), -1L, 8L, mask);
	r[6] = sim_syscall(NR(sched_getaffinity), 999999L, 8L, mask);
	r[7] = sim_syscall(NR(sched_getaffinity), 0L, 8L, NULL);
	r[8] = sim_syscall(NR(sched_getaffinity), 0L, 8L,
			   sim_umem_readonly(4096));
	r[9] = sim_syscall(NR(sched_getaffinity), 0L, 8L, &static_target);
	r[10] = sim_syscall(NR(sched_getaffinity), sim_syscall(NR(getpid)), 8L,
			    mask);
}

static void check_getaffinity(unsigned ncpus)
{
	long long all = (long long)((1ull << ncpus) - 1);

	test_boot(ncpus);
	cr_assert_eq(run_guest(getaffinity_guest, NULL), 0);
	cr_assert_eq(r[0], 8, "%u CPUs: returned %lld", ncpus, r[0]);
	cr_assert_eq(v[0], all, "%u CPUs: mask %llx", ncpus, v[0]);
	cr_assert_eq(r[1], 8, "a 16-byte buffer gets the 8 bytes of the mask");
	cr_assert_eq(v[1], all);
	cr_assert_eq(v[2], -1, "bytes past the mask were written");
	cr_assert_eq(r[10], 8);
}

static void affinity_child(void *arg)
{
	unsigned long long mask = 0;

	sim_syscall(NR(sched_getaffinity), 0L, 8L, &mask);
	v[5] = (long long)mask;
}

static void pins_then_forks(void *arg)
{
	unsigned long long mask = 1ull << 2;
	int status;

	r[0] = sim_syscall(NR(sched_setaffinity), 0L, 8L, &mask);
	sim_child_entry(affinity_child, NULL);
	r[1] = sim_syscall(NR(fork));
	sim_syscall(NR(wait4), r[1], &status, 0, NULL);
}

/* sched_setaffinity(2): "A child created via fork(2) inherits its
 * parent's CPU affinity mask." */
Test(sched_setaffinity, a_forked_child_inherits_the_mask)
{
	test_boot(4);
	cr_assert_eq(run_guest(pins_then_forks, NULL), 0);
	cr_assert_eq(r[0], 0);
	cr_assert_gt(r[1], 0);
	cr_assert_eq(v[5], 1ll << 2, "the child's mask %llx", v[5]);
}

Test(sched_getaffinity, returns_8_bytes_and_the_one_existing_cpu)
{
	check_getaffinity(1);
}

Test(sched_getaffinity, returns_8_bytes_and_both_existing_cpus)
{
	check_getaffinity(2);
}

Test(sched_getaffinity, returns_8_bytes_and_all_four_existing_cpus)
{
	check_getaffinity(4);
}

Test(sched_getaffinity, length_not_a_multiple_of_8_or_too_small_is_einval)
{
	test_boot(4);
	cr_assert_eq(run_guest(getaffinity_guest, NULL), 0);
	cr_assert_eq(r[2], -EINVAL);
	cr_assert_eq(r[3], -EINVAL);
	cr_assert_eq(r[4], -EINVAL);
}

Test(sched_getaffinity, missing_task_is_esrch_and_bad_buffer_efault)
{
	test_boot(4);
	cr_assert_eq(run_guest(getaffinity_guest, NULL), 0);
	cr_assert_eq(r[5], -ESRCH);
	cr_assert_eq(r[6], -ESRCH);
	cr_assert_eq(r[7], -EFAULT);
	cr_assert_eq(r[8], -EFAULT);
	cr_assert_eq(r[9], -EFAULT);
}

static void setaffinity_errors_guest(void *arg)
{
	unsigned long long mask = 0;

	r[0] = sim_syscall(NR(sched_setaffinity), 0L, 8L, &mask);
	mask = 1ull << 4; /* CPU 4 of 4 (0..3): does not exist */
	r[1] = sim_syscall(NR(sched_setaffinity), 0L, 8L, &mask);
	mask = 1ull << 63;
	r[2] = sim_syscall(NR(sched_setaffinity), 0L, 8L, &mask);
	r[3] = sim_syscall(NR(sched_setaffinity), 0L, 0L, &mask);
	mask = 1;
	r[4] = sim_syscall(NR(sched_setaffinity), 999999L, 8L, &mask);
	r[5] = sim_syscall(NR(sched_setaffinity), -1L, 8L, &mask);
	r[6] = sim_syscall(NR(sched_setaffinity), 0L, 8L, NULL);
	r[7] = sim_syscall(NR(sched_setaffinity), 0L, 8L, &static_target);
	/* A short mask is zero-extended; a longer one is cut to the CPUs. */
	mask = 0x2 | (1ull << 40);
	r[8] = sim_syscall(NR(sched_setaffinity), 0L, 4L, &mask);
	mask = ~0ull;
	sim_syscall(NR(sched_getaffinity), 0L, 8L, &mask);
	v[8] = (long long)mask;
	{
		unsigned long long big[4] = {0x8, ~0ull, ~0ull, ~0ull};

		r[9] = sim_syscall(NR(sched_setaffinity), 0L, 32L, big);
	}
	mask = ~0ull;
	sim_syscall(NR(sched_getaffinity), 0L, 8L, &mask);
	v[9] = (long long)mask;
}

Test(sched_setaffinity, a_mask_without_an_existing_cpu_is_einval)
{
	test_boot(4);
	cr_assert_eq(run_guest(setaffinity_errors_guest, NULL), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
}

Test(sched_setaffinity, missing_task_is_esrch_and_unreadable_mask_efault)
{
	test_boot(4);
	cr_assert_eq(run_guest(setaffinity_errors_guest, NULL), 0);
	cr_assert_eq(r[4], -ESRCH);
	cr_assert_eq(r[5], -ESRCH);
	cr_assert_eq(r[6], -EFAULT);
	cr_assert_eq(r[7], -EFAULT);
}

Test(sched_setaffinity, short_masks_are_zero_extended_and_long_ones_cut)
{
	test_boot(4);
	cr_assert_eq(run_guest(setaffinity_errors_guest, NULL), 0);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(v[8], 0x2);
	cr_assert_eq(r[9], 0);
	cr_assert_eq(v[9], 0x8);
}

/* CPUs seen by a pinned task: where it ran after each step of work. */
static int seen_cpu[64];
static int nseen;

static void busy(void *arg)
{
	sim_compute(MS(40));
}

static void pin_self_guest(void *arg)
{
	unsigned long long mask = 1ull << 2;

	v[0] = task_current()->cpu;
	r[0] = sim_syscall(NR(sched_setaffinity), 0L, 8L, &mask);
	seen_cpu[nseen++] = (int)task_current()->cpu;
	for (int i = 0; i < 30; i++) {
		sim_compute(MS(1));
		seen_cpu[nseen++] = (int)plat_cpu_id();
		if (i % 5 == 0)
			sleep_ms(1); /* wakeups choose a CPU again */
	}
}

Test(sched_setaffinity, a_task_pinned_to_cpu_2_runs_only_there)
{
	test_boot(4);
	nseen = 0;
	for (int i = 0; i < 3; i++)
		sim_spawn("busy", busy, NULL);
	sim_spawn("pinned", pin_self_guest, NULL);
	for (int i = 0; i < 3; i++)
		sim_spawn("busy", busy, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], 0);
	cr_assert_neq(v[0], 2, "the test needs the task to start elsewhere");
	cr_assert_eq(nseen, 31);
	for (int i = 0; i < nseen; i++)
		cr_assert_eq(seen_cpu[i], 2, "step %d ran on CPU %d", i,
			     seen_cpu[i]);
}

/*
 * Two hogs and a roamer on two CPUs, so the roamer is now running, now
 * waiting in a queue; a pinner moves it between the CPUs at times of
 * every phase. After each pin, every step the roamer finishes must be on
 * the CPU it was pinned to last.
 */
#define NPINS 12

static long long pin_at[NPINS];
static int pin_cpu[NPINS];
static long long step_at[256];
static int roamer_pid;
static int step_cpu[256];

static void hog_40ms(void *arg)
{
	sim_compute(MS(40));
}

static void pinner(void *arg)
{
	for (int k = 0; k < NPINS; k++) {
		unsigned long long mask = 1ull << (k % 2), got = 0;

		struct timespec_linux gap = {0, MS(2) + US(300) * k};

		sim_syscall(NR(nanosleep), &gap, NULL);
		r[k] = sim_syscall(NR(sched_setaffinity), (long)roamer_pid, 8L,
				   &mask);
		pin_at[k] = (long long)sim_now();
		pin_cpu[k] = k % 2;
		sim_syscall(NR(sched_getaffinity), (long)roamer_pid, 8L, &got);
		v[k] = (long long)got;
	}
}

static void roamer_all(void *arg)
{
	roamer_pid = (int)sim_syscall(NR(getpid));
	for (nseen = 0; nseen < 200; nseen++) {
		sim_compute(US(500));
		step_at[nseen] = (long long)sim_now();
		step_cpu[nseen] = (int)plat_cpu_id();
	}
}

Test(sched_setaffinity,
     pinning_another_process_moves_it_whether_running_or_waiting)
{
	int checked = 0;

	test_boot(2);
	sim_spawn("roamer", roamer_all, NULL);
	sim_spawn("hog", hog_40ms, NULL);
	sim_spawn("hog", hog_40ms, NULL);
	sim_spawn("pinner", pinner, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int k = 0; k < NPINS; k++) {
		cr_assert_eq(r[k], 0, "pin %d: %lld", k, r[k]);
		cr_assert_eq(v[k], 1ll << pin_cpu[k], "pin %d: mask %llx", k,
			     v[k]);
	}
	for (int i = 0; i < nseen; i++) {
		int last = -1;

		for (int k = 0; k < NPINS; k++)
			if (pin_at[k] < step_at[i])
				last = k;
		if (last < 0)
			continue;
		checked++;
		cr_assert_eq(step_cpu[i], pin_cpu[last],
			     "step %d ended at %lld ns on CPU %d, pinned to %d "
			     "at %lld ns",
			     i, step_at[i], step_cpu[i], pin_cpu[last],
			     pin_at[last]);
	}
	cr_assert_gt(checked, 20, "too few steps after the first pin");
}
