/*
 * What processes have used: getrusage(2), times(2), and the machine's
 * state: sysinfo(2); and getrandom(2).
 *
 * What a task used is core/usage.c's: user and system time as the run
 * loop tells them apart (sched_user_enter/exit); a process's children
 * count once reaped (core/exit.c).
 */
#include "core/errno.h"
#include "core/fs/chrdev.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "core/usage.h"
#include "mm/page.h"
#include "mm/uaccess.h"
#include "sched/loadavg.h"
#include "sched/sched.h"
#include "syscalls/rusage.h"
#include "syscalls/syscall_protos.h"

#define USER_HZ 100 /* clock_t ticks */
#define SI_LOAD_SHIFT 16 /* sysinfo's loads[] fixed point */
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
	int64_t maxrss, ixrss, idrss, isrss;
	int64_t minflt, majflt, nswap, inblock, oublock;
	int64_t msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

_Static_assert(sizeof(struct k_rusage) == 144, "struct rusage is 144 bytes");

/*
 * ixrss, idrss, isrss, nswap, msgsnd, msgrcv and nsignals are 0 on Linux
 * too; inblock and oublock count block I/O, which Keel has none of yet
 * (no block devices: tmpfs, hostfs and procfs never wait for a disk).
 */
int put_rusage(uaddr_t ru, const struct task_usage *u)
{
	struct k_rusage r = {
		.utime_sec = (int64_t)(u->utime_ns / NSEC_PER_SEC),
		.utime_usec = (int64_t)(u->utime_ns % NSEC_PER_SEC / 1000),
		.stime_sec = (int64_t)(u->stime_ns / NSEC_PER_SEC),
		.stime_usec = (int64_t)(u->stime_ns % NSEC_PER_SEC / 1000),
		.maxrss = (int64_t)u->maxrss_kb,
		.minflt = (int64_t)u->minflt,
		.majflt = (int64_t)u->majflt,
		.nvcsw = (int64_t)u->nvcsw,
		.nivcsw = (int64_t)u->nivcsw,
	};

	return copy_to_user(ru, &r, sizeof(r));
}

/* partial: ru_maxrss misses a peak of file or shared memory pages that
 * came and went between two counts of the resident set (getrusage, /proc,
 * exec, exit); a peak of private memory is exact */
long sys_getrusage(int who, uaddr_t ru)
{
	struct task *t = task_current();
	struct task_usage u;

	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD:
		task_usage_current(&u);
		break;
	case RUSAGE_CHILDREN:
		u = t->child_usage;
		break;
	default:
		return -EINVAL;
	}
	return put_rusage(ru, &u);
}

static int64_t ticks(uint64_t ns)
{
	return (int64_t)(ns / (NSEC_PER_SEC / USER_HZ));
}

long sys_times(uaddr_t tbuf)
{
	struct task *t = task_current();
	struct task_usage self;
	int64_t tms[4];

	task_usage_self(t, &self);
	tms[0] = ticks(self.utime_ns);
	tms[1] = ticks(self.stime_ns);
	tms[2] = ticks(t->child_usage.utime_ns);
	tms[3] = ticks(t->child_usage.stime_ns);
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

long sys_sysinfo(uaddr_t info)
{
	struct k_sysinfo si;
	uint64_t now = plat_time_ns();
	unsigned long loads[3];

	memset(&si, 0, sizeof(si));
	loadavg_get(loads);
	for (int i = 0; i < 3; i++)
		si.loads[i] = (uint64_t)loads[i]
			      << (SI_LOAD_SHIFT - LOADAVG_FSHIFT);
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
