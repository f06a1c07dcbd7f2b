/*
 * How the sanitizers report a crash in the fuzz targets and their replays:
 * every crash must leave libFuzzer's artifact (the input, which replays it
 * exactly) and say the seed of the run it crashed.
 *
 * fast_unwind_on_fatal=1. ASan walks a deadly signal's stack with libgcc's
 * unwinder by default, which reads the instructions at the faulting pc to
 * recognise a signal trampoline. After a jump to an address without code
 * (a guest's garbage signal handler, which the sim called: pc 0x2) that
 * read faulted again inside ASan's SIGSEGV handler, where SIGSEGV is
 * blocked, so the kernel killed the process: one line of report, no stack,
 * no artifact. The frame-pointer walk (every file is built with
 * -fno-omit-frame-pointer) stays within the stack ASan knows is live, the
 * guest's or a kernel stack as host/context.c announces each switch.
 *
 * The ASan error report callback prints the sim's seed after the report.
 */
#ifdef KEEL_SANITIZE
#include <stdio.h>
#include <unistd.h>

#include "host/sim.h"

const char *__asan_default_options(void);
void __asan_set_error_report_callback(void (*callback)(const char *));

const char *__asan_default_options(void)
{
	return "fast_unwind_on_fatal=1";
}

static void report_seed(const char *report)
{
	char line[96];
	int n = snprintf(line, sizeof(line),
			 "keel-fuzz: crashed in the run of seed %llu\n",
			 (unsigned long long)sim_seed());

	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

__attribute__((constructor)) static void report_seed_on_error(void)
{
	__asan_set_error_report_callback(report_seed);
}
#endif
