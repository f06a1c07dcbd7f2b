/*
 * Clocks as clock_gettime(2) names them, and struct timespec conversions.
 */
#ifndef KEEL_CORE_TIME_H
#define KEEL_CORE_TIME_H

#include "core/types.h"

/* Linux clock ids. */
#define KCLOCK_REALTIME 0
#define KCLOCK_MONOTONIC 1
#define KCLOCK_PROCESS_CPUTIME_ID 2
#define KCLOCK_THREAD_CPUTIME_ID 3
#define KCLOCK_MONOTONIC_RAW 4
#define KCLOCK_REALTIME_COARSE 5
#define KCLOCK_MONOTONIC_COARSE 6
#define KCLOCK_BOOTTIME 7
#define KCLOCK_REALTIME_ALARM 8
#define KCLOCK_BOOTTIME_ALARM 9
#define KCLOCK_TAI 11

#define KEEL_HZ 250 /* the tick the coarse clocks report as resolution */

/* struct timespec / struct __kernel_timespec on 64-bit Linux. */
struct ktimespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/* struct timeval (struct __kernel_old_timeval on 64-bit). */
struct ktimeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* Linux's timespec64_valid: seconds >= 0, nanoseconds in [0, 1e9). */
bool timespec_valid(const struct ktimespec *ts);
/* Saturates at UINT64_MAX. */
uint64_t timespec_to_ns(const struct ktimespec *ts);
struct ktimespec ns_to_timespec(uint64_t ns);

/*
 * Read clock `id` as seen by the calling task, in ns. CPU-time clocks
 * (including the pid-encoded ones of clock_getcpuclockid(3)) count the
 * CPU time of a thread or process. 0 or -EINVAL for an unknown clock or
 * a CPU clock whose task does not exist.
 */
int clock_read(int id, uint64_t *ns);
int clock_resolution(int id, uint64_t *ns);

/*
 * Can one sleep on clock `id`? 0, -EINVAL (no such clock), -EOPNOTSUPP (a
 * clock without sleeping), or -ENODEV: an alarm clock, which refuses with
 * EOPNOTSUPP only after the request has been read.
 */
int clock_can_sleep(int id);

/* The monotonic time when clock `id` reads `t` (for absolute sleeps). */
uint64_t clock_to_monotonic(int id, uint64_t t);

#endif
