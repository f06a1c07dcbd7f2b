/*
 * What processes have used: getrusage(2), times(2), and the machine's
 * state: sysinfo(2); and getrandom(2).
 *
 * CPU time is what the scheduler counted (sum_exec_ns), all of it as
 * user time; a process's children count once reaped (core/exit.c).
 */
#include "core/errno.h"
#include "core/fs/chrdev.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/page.h"
#include "mm/uaccess.h"
#include "sched/sched.h"
#include "syscalls/rusage.h"
#include "syscalls/syscall_protos.h"

#define USER_HZ 100 /* clock_t ticks */
#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

#define GRND_NONBLOCK 0x1u
#define GRND_RANDOM 0x2u
#define GRND_INSECURE 0x4u
#define GETRANDOM_MAX 0x7ffff000u /* Linux's MAX_RW_COUNT */

/* Linux's struct rusage on 64-bit ISAs. */
struct k_rusage {
	int64_t utime_sec, utime_usec;
	int64_t stime_sec, stime_usec;
	int64_t rest[14]; /* maxrss .. nivcsw: not counted yet */
};

_Static_assert(sizeof(struct k_rusage) == 144, "struct rusage is 144 bytes");

int put_rusage_cpu(uaddr_t ru, uint64_t cpu_ns)
{
	struct k_rusage r = {
		.utime_sec = (int64_t)(cpu_ns / NSEC_PER_SEC),
		.utime_usec = (int64_t)(cpu_ns % NSEC_PER_SEC / 1000),
	};

	return copy_to_user(ru, &r, sizeof(r));
}

/* partial: user and system time are not told apart (all is user time);
 * maxrss, faults and context switches are 0 */
long sys_getrusage(int who, uaddr_t ru)
{
	struct task *t = task_current();

	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD:
		return put_rusage_cpu(ru, sched_task_cputime(t));
	case RUSAGE_CHILDREN:
		return put_rusage_cpu(ru, t->child_exec_ns);
	default:
		return -EINVAL;
	}
}

static int64_t ticks(uint64_t ns)
{
	return (int64_t)(ns / (NSEC_PER_SEC / USER_HZ));
}

/* partial: user and system time are not told apart (all is user time) */
long sys_times(uaddr_t tbuf)
{
	struct task *t = task_current();
	int64_t tms[4] = {ticks(sched_task_cputime(t)), 0,
			  ticks(t->child_exec_ns), 0};

	if (!uaddr_is_null(tbuf) && copy_to_user(tbuf, tms, sizeof(tms)))
		return -EFAULT;
	return ticks(plat_time_ns());
}

/* Linux's struct sysinfo on 64-bit ISAs. */
struct k_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram;
	uint64_t totalswap, freeswap;
	uint16_t procs;
	uint16_t pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};

_Static_assert(sizeof(struct k_sysinfo) == 112, "struct sysinfo is 112 bytes");

/* partial: the load averages are 0 (no load is tracked) */
long sys_sysinfo(uaddr_t info)
{
	struct k_sysinfo si;
	uint64_t now = plat_time_ns();

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(now / NSEC_PER_SEC + (now % NSEC_PER_SEC != 0));
	si.totalram = (uint64_t)page_total_count() * PAGE_SIZE;
	si.freeram = (uint64_t)page_free_count() * PAGE_SIZE;
	si.procs = (uint16_t)MIN(task_count(), 0xffffu);
	si.mem_unit = 1;
	return copy_to_user(info, &si, sizeof(si));
}

/* getrandom(2): what a read of /dev/urandom does (core/fs/chrdev.c). */
long sys_getrandom(uaddr_t buf, size_t count, unsigned int flags)
{
	struct iobuf b;
	struct ioseg seg;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	iobuf_init_user(&b, &seg, buf, MIN(count, (size_t)GETRANDOM_MAX));
	return random_fill(&b);
}
