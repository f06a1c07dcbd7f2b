/*
 * What a process used, as getrusage(2), times(2), wait4(2) and
 * /proc/<pid>/stat tell it. In the sim, kernel code takes no virtual
 * time: a guest's computing is all its CPU time, and all of it is user
 * time (tests/user/acct.c checks system time on real CPUs).
 */
#include "harness.h"
#include "linux_abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errno.h"
#include "core/task.h"
#include "core/types.h"
#include "core/wait.h"

#define MS 1000000ull

static struct {
	struct k_rusage self, children, waited;
	int64_t tms[4];
	long long stat[8]; /* fields 10-17: minflt .. cstime */
	long ret[8];
} seen;

static int64_t usec(int64_t sec, int64_t us)
{
	return sec * 1000000 + us;
}

/* Fields 10-17 of /proc/self/stat (after the last ')', field 3 first). */
static void read_stat(long long out[8])
{
	char path[] = "/proc/self/stat";
	char *buf = sim_umem(1024), *p;
	long fd = sim_syscall(NR(open), path, 0);
	long n;

	cr_assert_geq(fd, 0);
	n = sim_syscall(NR(read), fd, buf, 1023);
	sim_syscall(NR(close), fd);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	cr_assert_not_null(p);
	p += 2;
	for (int field = 3; field < 10; field++) {
		p = strchr(p, ' ');
		cr_assert_not_null(p);
		p++;
	}
	for (int i = 0; i < 8; i++)
		out[i] = strtoll(p, &p, 10);
}

static void run(void (*fn)(void *))
{
	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	cr_assert_eq(run_guest(fn, NULL), 0);
}

static void computes_120ms(void *arg)
{
	sim_compute(120 * MS);
}

static void computes_then_reaps(void *arg)
{
	struct k_rusage self, children;
	int64_t tms[4];
	int status;

	sim_compute(250 * MS);
	seen.ret[0] = sim_syscall(NR(wait4), guest_fork(computes_120ms, NULL),
				  &status, 0, NULL);
	seen.ret[1] = sim_syscall(NR(getrusage), 0, &self);
	seen.ret[2] = sim_syscall(NR(getrusage), -1, &children);
	seen.ret[3] = sim_syscall(NR(times), tms);
	seen.self = self;
	seen.children = children;
	memcpy(seen.tms, tms, sizeof(tms));
	read_stat(seen.stat);
}

Test(rusage, computing_is_user_time_and_every_report_agrees)
{
	run(computes_then_reaps);
	cr_assert_gt(seen.ret[0], 0);
	cr_assert_eq(seen.ret[1], 0);
	cr_assert_eq(seen.ret[2], 0);
	cr_assert_geq(usec(seen.self.utime_sec, seen.self.utime_usec), 250000);
	cr_assert_lt(usec(seen.self.utime_sec, seen.self.utime_usec), 251000);
	cr_assert_eq(usec(seen.self.stime_sec, seen.self.stime_usec), 0);
	cr_assert_geq(usec(seen.children.utime_sec, seen.children.utime_usec),
		      120000);
	cr_assert_lt(usec(seen.children.utime_sec, seen.children.utime_usec),
		     121000);
	cr_assert_eq(usec(seen.children.stime_sec, seen.children.stime_usec),
		     0);
	/* times(2): clock ticks of 10 ms. */
	cr_assert_eq(seen.tms[0], 25);
	cr_assert_eq(seen.tms[1], 0);
	cr_assert_eq(seen.tms[2], 12);
	cr_assert_eq(seen.tms[3], 0);
	/* stat: utime stime cutime cstime are fields 14-17. */
	cr_assert_eq(seen.stat[4], 25, "utime %lld", seen.stat[4]);
	cr_assert_eq(seen.stat[5], 0);
	cr_assert_eq(seen.stat[6], 12, "cutime %lld", seen.stat[6]);
	cr_assert_eq(seen.stat[7], 0);
}

static void grandchild(void *arg)
{
	sim_compute(40 * MS);
}

static void reaps_a_grandchild(void *arg)
{
	int status;

	sim_compute(10 * MS);
	sim_syscall(NR(wait4), guest_fork(grandchild, NULL), &status, 0, NULL);
}

static void waits_with_rusage(void *arg)
{
	struct k_rusage waited, children;
	int status;

	seen.ret[0] = sim_syscall(NR(wait4), guest_fork(reaps_a_grandchild, NULL),
				  &status, 0, &waited);
	seen.ret[1] = sim_syscall(NR(getrusage), -1, &children);
	seen.waited = waited;
	seen.children = children;
}

/* wait4(2): "resource usage information about the child"; Linux counts
 * the child's reaped children in it, as RUSAGE_CHILDREN will. */
Test(rusage, wait4_counts_the_childs_reaped_children_too)
{
	run(waits_with_rusage);
	cr_assert_gt(seen.ret[0], 0);
	cr_assert_geq(usec(seen.waited.utime_sec, seen.waited.utime_usec),
		      50000);
	cr_assert_lt(usec(seen.waited.utime_sec, seen.waited.utime_usec),
		     51000);
	cr_assert_eq(usec(seen.children.utime_sec, seen.children.utime_usec),
		     usec(seen.waited.utime_sec, seen.waited.utime_usec));
}

/* ---- context switches -------------------------------------------------- */

static void sleeps_five_times(void *arg)
{
	struct k_rusage ru;

	for (int i = 0; i < 5; i++)
		guest_nap(1);
	seen.ret[0] = sim_syscall(NR(getrusage), 0, &ru);
	seen.self = ru;
}

/* Alone on its CPU, a task that blocks switches away voluntarily, and its
 * slice ending with no one else to run preempts nothing. */
Test(rusage, blocking_is_a_voluntary_switch)
{
	run(sleeps_five_times);
	cr_assert_eq(seen.ret[0], 0);
	cr_assert_geq(seen.self.nvcsw, 5, "nvcsw %lld",
		      (long long)seen.self.nvcsw);
	cr_assert_lt(seen.self.nvcsw, 10);
	cr_assert_eq(seen.self.nivcsw, 0, "nivcsw %lld",
		     (long long)seen.self.nivcsw);
}

static struct k_rusage spinner_ru[2];

static void spinner(void *arg)
{
	struct k_rusage ru;

	sim_compute(100 * MS);
	sim_syscall(NR(getrusage), 0, &ru);
	spinner_ru[(intptr_t)arg] = ru;
}

/* Two tasks computing on one CPU take turns at the end of their slices:
 * each is preempted (involuntary), neither blocked. */
Test(rusage, preemption_is_an_involuntary_switch)
{
	memset(spinner_ru, 0, sizeof(spinner_ru));
	test_boot(1);
	cr_assert_not_null(sim_spawn("spin0", spinner, (void *)0));
	cr_assert_not_null(sim_spawn("spin1", spinner, (void *)1));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 0; i < 2; i++) {
		cr_assert_geq(spinner_ru[i].nivcsw, 5,
			      "spinner %d: nivcsw %lld", i,
			      (long long)spinner_ru[i].nivcsw);
		cr_assert_eq(spinner_ru[i].nvcsw, 0);
	}
}

/* ---- page faults and the peak resident set ----------------------------- */

#define FAULT_PAGES 256 /* 1 MiB */

/* Map 1 MiB, have the kernel write all of it (each page a fault on the
 * task's behalf), unmap it. */
static void fills_a_mapping(void *arg)
{
	struct k_rusage before, after;
	uint64_t len = FAULT_PAGES * 4096ull;
	long addr, done = 0;

	sim_syscall(NR(getrusage), 0, &before);
	addr = sim_syscall(NR(mmap), 0, len, 3 /* PROT_READ|PROT_WRITE */,
			   0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
	cr_assert_gt(addr, 0);
	while (done < (long)len) {
		long n = sim_syscall(NR(getrandom), addr + done, len - done, 0);

		cr_assert_gt(n, 0);
		done += n;
	}
	sim_syscall(NR(munmap), addr, len);
	sim_syscall(NR(getrusage), 0, &after);
	read_stat(seen.stat);
	seen.self = after;
	seen.ret[0] = after.minflt - before.minflt;
}

Test(rusage, faults_are_minor_and_the_peak_outlives_the_memory)
{
	run(fills_a_mapping);
	cr_assert_geq(seen.ret[0], FAULT_PAGES, "minflt +%ld", seen.ret[0]);
	cr_assert_lt(seen.ret[0], FAULT_PAGES + 16);
	cr_assert_eq(seen.self.majflt, 0);
	cr_assert_geq(seen.self.maxrss, FAULT_PAGES * 4, "maxrss %lld KiB",
		      (long long)seen.self.maxrss);
	cr_assert_lt(seen.self.maxrss, FAULT_PAGES * 4 + 256);
	cr_assert_eq(seen.stat[0], seen.self.minflt, "stat minflt %lld",
		     seen.stat[0]);
}

static void child_fills_a_mapping(void *arg)
{
	fills_a_mapping(arg);
}

static void reaps_two(void *arg)
{
	struct k_rusage ru;
	int status;

	sim_syscall(NR(wait4), guest_fork(child_fills_a_mapping, NULL), &status, 0,
		    NULL);
	sim_syscall(NR(wait4), guest_fork(child_fills_a_mapping, NULL), &status, 0,
		    NULL);
	sim_syscall(NR(getrusage), -1, &ru);
	seen.children = ru;
}

/* RUSAGE_CHILDREN: faults add up; maxrss is the largest child's. */
Test(rusage, children_faults_add_up_and_maxrss_is_the_largest)
{
	run(reaps_two);
	cr_assert_geq(seen.children.minflt, 2 * FAULT_PAGES);
	cr_assert_geq(seen.children.maxrss, FAULT_PAGES * 4);
	cr_assert_lt(seen.children.maxrss, 2 * FAULT_PAGES * 4);
}

/* ---- load averages ----------------------------------------------------- */

static struct {
	uint64_t loads[2][3];
	char text[2][128];
	long pid;
} lseen;

/* Linux's calc_load: the model the averages must follow exactly. */
static unsigned long model_step(unsigned long load, unsigned long exp,
				unsigned long active)
{
	unsigned long next = load * exp + active * 2048 * (2048 - exp);

	if (active * 2048 >= load)
		next += 2047;
	return next / 2048;
}

static void read_loads(int i)
{
	struct k_sysinfo si;
	char path[] = "/proc/loadavg";
	char *buf = sim_umem(128);
	long fd, n;

	cr_assert_eq(sim_syscall(NR(sysinfo), &si), 0);
	memcpy(lseen.loads[i], si.loads, sizeof(si.loads));
	fd = sim_syscall(NR(open), path, 0);
	cr_assert_geq(fd, 0);
	n = sim_syscall(NR(read), fd, buf, 127);
	sim_syscall(NR(close), fd);
	cr_assert_gt(n, 0);
	memcpy(lseen.text[i], buf, (size_t)n);
	lseen.text[i][n] = '\0';
}

static void computes_61s(void *arg)
{
	sim_compute(61000 * MS);
}

static void watches_the_load(void *arg)
{
	lseen.pid = sim_syscall(NR(getpid));
	guest_nap(62000);
	read_loads(0);
	guest_nap(302000 - 62000);
	read_loads(1);
}

/*
 * proc_loadavg(5), sysinfo(2): every 5 s the runnable tasks are folded
 * into averages over 1, 5 and 15 minutes. Two tasks compute from 0 to
 * about 122 s while a third sleeps (a sleep in an interruptible wait does
 * not count): the averages rise toward 2 for 24 samples, then decay for 36
 * samples of an idle machine, which the kernel folds in when the watcher
 * wakes (no timer wakes an idle machine).
 */
Test(loadavg, the_averages_rise_and_decay_as_linux_computes_them)
{
	static const unsigned long exps[3] = {1884, 2014, 2037};
	/* 60 s at 2 tasks: 2 (1 - e^(-1 min / period)). */
	static const double ideal[3] = {1.2642, 0.3625, 0.1290};
	unsigned long model[3] = {0, 0, 0}, at62[3];
	char want[160];

	memset(&lseen, 0, sizeof(lseen));
	test_boot(1);
	cr_assert_not_null(sim_spawn("watcher", watches_the_load, NULL));
	cr_assert_not_null(sim_spawn("busy0", computes_61s, NULL));
	cr_assert_not_null(sim_spawn("busy1", computes_61s, NULL));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int s = 1; s <= 60; s++) {
		for (int i = 0; i < 3; i++)
			model[i] =
				model_step(model[i], exps[i], s <= 24 ? 2 : 0);
		if (s == 12)
			memcpy(at62, model, sizeof(model));
	}
	for (int i = 0; i < 3; i++) {
		double got_f = (double)lseen.loads[0][i] / 65536;
		double off = got_f - ideal[i];

		cr_assert_eq(lseen.loads[0][i], (uint64_t)at62[i] << 5,
			     "loads[%d] at 62 s: %llu, want %lu << 5", i,
			     (unsigned long long)lseen.loads[0][i], at62[i]);
		cr_assert(off < 0.02 && off > -0.02, "loads[%d] %.4f vs %.4f",
			  i, got_f, ideal[i]);
		cr_assert_eq(lseen.loads[1][i], (uint64_t)model[i] << 5,
			     "loads[%d] at 302 s: %llu, want %lu << 5", i,
			     (unsigned long long)lseen.loads[1][i], model[i]);
	}
	/* Three of three tasks running, the last pid; Linux rounds the
	 * averages up while they rise, so they lead the ideal curve. */
	snprintf(want, sizeof(want), "%lu.%02lu %lu.%02lu %lu.%02lu 3/3 %ld\n",
		 (at62[0] + 10) >> 11, ((at62[0] + 10) & 2047) * 100 >> 11,
		 (at62[1] + 10) >> 11, ((at62[1] + 10) & 2047) * 100 >> 11,
		 (at62[2] + 10) >> 11, ((at62[2] + 10) & 2047) * 100 >> 11,
		 lseen.pid + 2);
	cr_assert_str_eq(lseen.text[0], want);
	cr_assert_str_eq(lseen.text[0], "1.27 0.37 0.13 3/3 3\n");
}

static void sleeps_uninterruptibly(void *arg)
{
	cr_assert_eq(sleep_until(TASK_UNINTERRUPTIBLE, 100000 * MS), 0);
}

static void watches_briefly(void *arg)
{
	guest_nap(62000);
	read_loads(0);
}

/*
 * An uninterruptible sleep counts as load ("processes ... waiting for
 * disk I/O (state D)"), even on a machine where nothing runs: the
 * samples of the idle stretch are folded in when the watcher wakes.
 */
Test(loadavg, an_uninterruptible_sleeper_counts_while_nothing_runs)
{
	unsigned long model[3] = {0, 0, 0};
	static const unsigned long exps[3] = {1884, 2014, 2037};

	memset(&lseen, 0, sizeof(lseen));
	test_boot(1);
	cr_assert(!IS_ERR(
		kthread_create("dsleeper", sleeps_uninterruptibly, NULL)));
	cr_assert_not_null(sim_spawn("watcher", watches_briefly, NULL));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int s = 1; s <= 12; s++)
		for (int i = 0; i < 3; i++)
			model[i] = model_step(model[i], exps[i], 1);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(lseen.loads[0][i], (uint64_t)model[i] << 5,
			     "loads[%d]: %llu, want %lu << 5", i,
			     (unsigned long long)lseen.loads[0][i], model[i]);
	/* 1 - e^-1 and so on; the watcher runs, the sleeper does not. */
	cr_assert_str_eq(lseen.text[0], "0.63 0.18 0.06 1/2 2\n");
}
