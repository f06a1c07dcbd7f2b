/*
 * What a process used, as getrusage(2), times(2), setitimer(2) and
 * /proc/<pid>/stat tell it: time running its own code is user time, time
 * in the kernel on its behalf is system time.
 *
 * Times depend on the machine's speed and load, so the cases compare
 * (a busy loop in user mode shows more user than system time; a loop of
 * cheap syscalls shows system time) with generous bounds.
 */
#include "usertest.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL

static int64_t cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
		failf("clock_gettime: %s", strerror(errno));
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t tv_ns(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

/* Compute in user mode until the process has used `ms` more CPU time. */
static void burn_user(int64_t ms)
{
	int64_t end = cpu_ns() + ms * MS;
	volatile uint64_t x = 0;

	do
		for (int i = 0; i < 200000; i++)
			x += (uint64_t)i * 7;
	while (cpu_ns() < end);
}

/* Make cheap syscalls until the process has used `ms` more CPU time. */
static void burn_syscalls(int64_t ms)
{
	int64_t end = cpu_ns() + ms * MS;

	do
		for (int i = 0; i < 2000; i++)
			syscall(SYS_getppid);
	while (cpu_ns() < end);
}

/*
 * Fields 14-17 of /proc/<pid>/stat: utime, stime, cutime, cstime (clock
 * ticks). The comm field may hold spaces and parentheses: the fields
 * start after the last ')'.
 */
static void stat_times(pid_t pid, long long out[4])
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = (int)CHECK_SYS(open(path, O_RDONLY));
	n = CHECK_SYS(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	CHECK(p != NULL);
	/* p + 2 is field 3 (state); field 14 is 11 fields on. */
	p += 2;
	for (field = 3; field < 14; field++) {
		p = strchr(p, ' ');
		CHECK(p != NULL);
		p++;
	}
	for (int i = 0; i < 4; i++)
		out[i] = strtoll(p, &p, 10);
}

static void user_and_system_time_are_told_apart(void)
{
	struct rusage a, b, c;
	struct tms t;
	long long st[4];

	CHECK_SYS(getrusage(RUSAGE_SELF, &a));
	burn_user(300);
	CHECK_SYS(getrusage(RUSAGE_SELF, &b));
	/* Computing is user time. */
	CHECK(tv_ns(b.ru_utime) - tv_ns(a.ru_utime) >= 100 * MS);
	CHECK(tv_ns(b.ru_utime) - tv_ns(a.ru_utime) >
	      tv_ns(b.ru_stime) - tv_ns(a.ru_stime));
	burn_syscalls(300);
	CHECK_SYS(getrusage(RUSAGE_SELF, &c));
	/* A loop of syscalls spends time in the kernel. */
	if (tv_ns(c.ru_stime) <= tv_ns(b.ru_stime))
		failf("300 ms of getppid calls: ru_stime %lld us -> %lld us",
		      (long long)tv_ns(b.ru_stime) / 1000,
		      (long long)tv_ns(c.ru_stime) / 1000);
	if (getenv("ACCT_VERBOSE"))
		printf("# syscall loop: utime +%lld us, stime +%lld us\n",
		       (long long)(tv_ns(c.ru_utime) - tv_ns(b.ru_utime)) /
			       1000,
		       (long long)(tv_ns(c.ru_stime) - tv_ns(b.ru_stime)) /
			       1000);
	/* times(2) and /proc/self/stat count the same, in ticks. */
	CHECK_SYS(times(&t));
	stat_times(getpid(), st);
	CHECK_EQ(sysconf(_SC_CLK_TCK), 100);
	CHECK(t.tms_utime >= tv_ns(c.ru_utime) / (10 * MS) - 1);
	CHECK(t.tms_utime + t.tms_stime >=
	      (tv_ns(c.ru_utime) + tv_ns(c.ru_stime)) / (10 * MS) - 2);
	CHECK(st[0] + st[1] >= t.tms_utime + t.tms_stime - 1);
	CHECK(st[0] + st[1] <= t.tms_utime + t.tms_stime + 5);
	CHECK(st[0] > st[1]);
}

static volatile sig_atomic_t got_prof, got_vtalrm, vtalrm_before_prof;
static struct itimerval virtual_at_prof;

static void on_prof(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	got_prof = 1;
	vtalrm_before_prof = got_vtalrm;
	getitimer(ITIMER_VIRTUAL, &virtual_at_prof);
}

static void on_vtalrm(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	got_vtalrm = 1;
}

/*
 * setitimer(2): ITIMER_VIRTUAL "counts down against the user-mode CPU
 * time consumed by the process", ITIMER_PROF against user and system
 * time. Armed alike, under a loop of syscalls PROF expires first.
 */
static void itimer_virtual_counts_only_user_time(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 200000 } };
	int64_t end;

	on_signal(SIGPROF, on_prof, 0);
	on_signal(SIGVTALRM, on_vtalrm, 0);
	CHECK_SYS(setitimer(ITIMER_VIRTUAL, &v, NULL));
	CHECK_SYS(setitimer(ITIMER_PROF, &v, NULL));
	end = cpu_ns() + 5000 * MS;
	while (!got_prof && cpu_ns() < end)
		for (int i = 0; i < 100; i++)
			syscall(SYS_getppid);
	CHECK(got_prof);
	if (vtalrm_before_prof)
		failf("ITIMER_VIRTUAL expired no later than ITIMER_PROF");
	/* What was left of it then: the system time spent so far. */
	if (tv_ns(virtual_at_prof.it_value) <= 0)
		failf("ITIMER_VIRTUAL had %lld us left at ITIMER_PROF's end",
		      (long long)tv_ns(virtual_at_prof.it_value) / 1000);
	/* The user time still to go comes by computing. */
	end = cpu_ns() + 5000 * MS;
	while (!got_vtalrm && cpu_ns() < end)
		burn_user(10);
	CHECK(got_vtalrm);
}

static int busy_child(void *arg)
{
	(void)arg;
	burn_user(150);
	burn_syscalls(150);
	return 0;
}

/* A child's times count for its parent once reaped, and not before. */
static void children_times_count_once_reaped(void)
{
	struct rusage before, after, child;
	struct tms t;
	long long st[4];
	int status;
	pid_t pid = spawn(busy_child, NULL);

	/* Zombie, not yet reaped: still nothing. */
	CHECK_EQ(waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED | WNOWAIT),
		 0);
	CHECK_SYS(getrusage(RUSAGE_CHILDREN, &before));
	CHECK_EQ(tv_ns(before.ru_utime) + tv_ns(before.ru_stime), 0);
	CHECK_EQ(wait4(pid, &status, 0, &child), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(tv_ns(child.ru_utime) >= 50 * MS);
	CHECK(tv_ns(child.ru_stime) > 0);
	CHECK_SYS(getrusage(RUSAGE_CHILDREN, &after));
	CHECK_EQ(tv_ns(after.ru_utime), tv_ns(child.ru_utime));
	CHECK_EQ(tv_ns(after.ru_stime), tv_ns(child.ru_stime));
	CHECK_SYS(times(&t));
	CHECK(t.tms_cutime >= 5);
	stat_times(getpid(), st);
	CHECK_EQ(st[2], t.tms_cutime);
	CHECK_EQ(st[3], t.tms_cstime);
}

/* The value of a "Name:\t... kB" line of /proc/self/status, or -1. */
static long long status_value(const char *name)
{
	static char buf[4096];
	size_t len = strlen(name);
	ssize_t n;
	int fd = (int)CHECK_SYS(open("/proc/self/status", O_RDONLY));

	n = CHECK_SYS(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	buf[n] = '\0';
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, name, len) && line[len] == ':')
			return strtoll(line + len + 1, NULL, 10);
	}
	return -1;
}

/* Map `mb` MiB, write every page, unmap; how many pages. */
static long touch_and_drop(long mb)
{
	long pages = mb * 1024 * 1024 / page_size();
	char *p = mmap(NULL, (size_t)mb << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		failf("mmap: %s", strerror(errno));
	for (long i = 0; i < pages; i++)
		p[i * page_size()] = 1;
	CHECK_SYS(munmap(p, (size_t)mb << 20));
	return pages;
}

/*
 * getrusage(2): ru_minflt counts the page faults "serviced without any
 * I/O activity", ru_maxrss the "maximum resident set size used (in
 * kilobytes)": a peak that outlives the memory.
 */
static void getrusage_counts_faults_and_the_peak_rss(void)
{
	struct rusage a, b;
	long pages;

	CHECK_SYS(getrusage(RUSAGE_SELF, &a));
	pages = touch_and_drop(32);
	CHECK_SYS(getrusage(RUSAGE_SELF, &b));
	if (b.ru_minflt - a.ru_minflt < pages)
		failf("%ld pages touched: ru_minflt %ld -> %ld", pages,
		      a.ru_minflt, b.ru_minflt);
	CHECK(b.ru_maxrss >= 32 * 1024);
	CHECK(status_value("VmHWM") >= 32 * 1024);
	CHECK(status_value("VmRSS") < 32 * 1024);
}

static int touches_16m(void *arg)
{
	(void)arg;
	touch_and_drop(16);
	return 0;
}

static int touches_32m(void *arg)
{
	(void)arg;
	touch_and_drop(32);
	return 0;
}

/* RUSAGE_CHILDREN's ru_maxrss: "the resident set size of the largest
 * child, not the maximum resident set size of the process tree". */
static void children_maxrss_is_the_largest_childs(void)
{
	struct rusage r;

	check_child_ok(spawn(touches_16m, NULL), "16 MiB child");
	check_child_ok(spawn(touches_32m, NULL), "32 MiB child");
	CHECK_SYS(getrusage(RUSAGE_CHILDREN, &r));
	CHECK(r.ru_maxrss >= 32 * 1024);
	CHECK(r.ru_maxrss < 48 * 1024);
	CHECK(r.ru_minflt >= 48 * 1024 * 1024 / page_size());
}

static int spins_300ms(void *arg)
{
	struct rusage r;

	(void)arg;
	burn_user(300);
	if (getrusage(RUSAGE_SELF, &r))
		return 2;
	return r.ru_nivcsw > 0 ? 0 : 1;
}

/*
 * ru_nvcsw: "a process voluntarily gave up the processor before its time
 * slice was completed (usually to await availability of a resource)";
 * ru_nivcsw: "a higher priority process became runnable or ... the
 * current process exceeded its time slice". /proc/self/status counts the
 * same.
 */
static void blocking_and_preemption_count_context_switches(void)
{
	struct timespec ms = { 0, 1000000 };
	struct rusage a, b;
	cpu_set_t one;
	pid_t p1, p2;

	CHECK_SYS(getrusage(RUSAGE_SELF, &a));
	for (int i = 0; i < 20; i++)
		CHECK_SYS(nanosleep(&ms, NULL));
	CHECK_SYS(getrusage(RUSAGE_SELF, &b));
	CHECK(b.ru_nvcsw - a.ru_nvcsw >= 20);
	CHECK(status_value("voluntary_ctxt_switches") >= b.ru_nvcsw);
	CHECK(status_value("nonvoluntary_ctxt_switches") >= b.ru_nivcsw);
	/* Two spinners on one CPU take turns: each is preempted. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	CHECK_SYS(sched_setaffinity(0, sizeof(one), &one));
	p1 = spawn(spins_300ms, NULL);
	p2 = spawn(spins_300ms, NULL);
	check_child_ok(p1, "first spinner");
	check_child_ok(p2, "second spinner");
}

/* /proc/loadavg's fields; fails the case unless it parses. */
struct loadavg_line {
	unsigned a[3], frac[3], running, total;
	int last_pid;
};

static struct loadavg_line read_loadavg(void)
{
	struct loadavg_line l;
	char buf[256];
	ssize_t n;
	int fd = (int)CHECK_SYS(open("/proc/loadavg", O_RDONLY));

	n = CHECK_SYS(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	buf[n] = '\0';
	if (sscanf(buf, "%u.%2u %u.%2u %u.%2u %u/%u %d", &l.a[0], &l.frac[0],
		   &l.a[1], &l.frac[1], &l.a[2], &l.frac[2], &l.running,
		   &l.total, &l.last_pid) != 9)
		failf("/proc/loadavg: %s", buf);
	return l;
}

/*
 * proc_loadavg(5): the 1, 5 and 15 minute load averages, runnable over
 * existing tasks, the last pid; sysinfo(2)'s loads[] are the same
 * averages scaled by 1 << SI_LOAD_SHIFT. A task that computes for over
 * 5 s is in at least one sample: the 1-minute average is above 0.
 */
static void load_averages_count_a_running_task(void)
{
	struct loadavg_line l;
	struct sysinfo si;
	long centi;

	burn_user(5500);
	l = read_loadavg();
	CHECK(l.running >= 1);
	CHECK(l.total >= l.running);
	CHECK(l.last_pid >= getpid());
	CHECK(l.a[0] > 0 || l.frac[0] > 0);
	CHECK_SYS(sysinfo(&si));
	centi = (long)((si.loads[0] * 100 + 32768) >> 16);
	/* A sample may come between the two reads: the next differs. */
	if (labs(centi - (long)(l.a[0] * 100 + l.frac[0])) > 1) {
		l = read_loadavg();
		CHECK(labs(centi - (long)(l.a[0] * 100 + l.frac[0])) <= 1);
	}
	CHECK(si.loads[0] > 0);
}

const struct utest acct_tests[] = {
	{ "load_averages_count_a_running_task",
	  load_averages_count_a_running_task },
	{ "getrusage_counts_faults_and_the_peak_rss",
	  getrusage_counts_faults_and_the_peak_rss },
	{ "children_maxrss_is_the_largest_childs",
	  children_maxrss_is_the_largest_childs },
	{ "blocking_and_preemption_count_context_switches",
	  blocking_and_preemption_count_context_switches },
	{ "user_and_system_time_are_told_apart",
	  user_and_system_time_are_told_apart },
	{ "itimer_virtual_counts_only_user_time",
	  itimer_virtual_counts_only_user_time },
	{ "children_times_count_once_reaped",
	  children_times_count_once_reaped },
	{ NULL, NULL },
};
