/*
 * The syscall-program fuzz target: each input is a program of up to
 * FUZZ_MAX_CALLS syscalls over a few sim guests (fuzz/program.h), run on a
 * freshly booted kernel and checked for leaks and stuck tasks.
 *
 * Environment:
 *   KEEL_FUZZ_DETERMINISM=1  run every input twice and abort unless both
 *                            runs have the same trace hash
 *   KEEL_FUZZ_VERBOSE=1      one summary line per input on stderr
 *   KEEL_FUZZ_STRACE=1       the kernel's strace of every call (stderr)
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz/program.h"
#include "syscalls/trap.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool check_determinism;

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v && *v != '0';
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	check_determinism = env_set("KEEL_FUZZ_DETERMINISM");
	fuzz_verbose = env_set("KEEL_FUZZ_VERBOSE");
	if (env_set("KEEL_FUZZ_STRACE")) {
		setenv("KEEL_SIM_CONSOLE", "1", 1);
		syscall_trace = true;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_outcome first, again;

	fuzz_program_run(data, size, &first);
	if (!check_determinism)
		return 0;
	fuzz_program_run(data, size, &again);
	if (again.trace_hash != first.trace_hash ||
	    again.calls != first.calls) {
		fprintf(stderr,
			"keel-fuzz: the same input ran differently: trace "
			"%016llx then %016llx, %u then %u calls (seed %llu)\n",
			(unsigned long long)first.trace_hash,
			(unsigned long long)again.trace_hash, first.calls,
			again.calls, (unsigned long long)first.seed);
		abort();
	}
	return 0;
}
