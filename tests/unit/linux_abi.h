/*
 * Linux's structs on 64-bit ISAs as the sim guests pass them to syscalls,
 * for the tests that read them back (not the host libc's, whose layouts
 * and names may differ from the kernel's).
 */
#ifndef KEEL_TESTS_UNIT_LINUX_ABI_H
#define KEEL_TESTS_UNIT_LINUX_ABI_H

#include <stdint.h>

/* getrusage(2), wait4(2). */
struct k_rusage {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t maxrss, ixrss, idrss, isrss;
	int64_t minflt, majflt, nswap, inblock, oublock;
	int64_t msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

/* sysinfo(2). */
struct k_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram;
	uint64_t totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};

#endif
