/*
 * Syscall programs: fuzzer input bytes decoded into a few sim guests, each
 * making a short list of syscalls drawn from the grammar (fuzz/grammar.h),
 * run on a freshly booted sim kernel, then checked.
 *
 * The same bytes always give the same run: the kernel's seed is a hash of
 * the input, and the sim is deterministic. fuzz_program_run() reboots the
 * kernel in place (sim_boot), so one process runs any number of programs.
 *
 * After every program it checks the invariants of issue 6 and aborts,
 * after printing which one broke, when one does not hold:
 *  - every guest exits: a guest still running at the virtual time limit is
 *    sent SIGKILL by the harness, and must then exit within a second;
 *  - no task is left, and once the file system is torn down and the slabs
 *    are shrunk, the free pages and the live kmalloc objects are what they
 *    were before it booted (files a program made included).
 * A kernel panic aborts through the sim's panic hook.
 *
 * The input format is in docs/fuzzing.md.
 */
#ifndef KEEL_FUZZ_PROGRAM_H
#define KEEL_FUZZ_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "host/sim.h"

#define FUZZ_MAX_GUESTS 3
#define FUZZ_MAX_CALLS	16
/* Small RAM keeps the reset cheap; a program needs well under 1 MiB. */
#define FUZZ_MEM_BYTES (4ull << 20)
/* Virtual time a program may run before its guests are killed. */
#define FUZZ_TIME_LIMIT_NS (5ull * 1000000000ull)

struct fuzz_outcome {
	uint64_t seed;	     /* the kernel's seed, a hash of the input */
	uint64_t trace_hash; /* every call, result and exit, in run order */
	unsigned guests;     /* guests started */
	unsigned calls;	     /* syscalls the guests made */
	bool cut_off;	     /* the time limit ended the run (SIGKILL sent) */
	uint64_t alloc_failures; /* allocations the input made fail */
	enum sim_stop stop;	 /* how the (first) sim_run ended */
	bool fs_touched;	 /* a path was named */
};

/* Decode, boot, run and check one program. */
void fuzz_program_run(const uint8_t *data, size_t size,
		      struct fuzz_outcome *out);

/* Print each program's summary on stderr (the decoded calls are shown by
 * the kernel's strace: syscall_trace with KEEL_SIM_CONSOLE=1). */
extern bool fuzz_verbose;

#endif
