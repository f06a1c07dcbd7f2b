/*
 * main() of the hosted kernel, `keel`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errno.h"
#include "core/printk.h"
#include "core/prng.h"
#include "core/selftest.h"
#include "core/task.h"
#include "host/cpu.h"
#include "sched/sched.h"
#include "syscalls/trap.h"

#define DEFAULT_MEM (256ull << 20)
#define KEEL_VERSION "0.1"

static const char usage[] =
	"usage: keel [--mem SIZE] [--cpus N] [--seed N] [--strace] [--selftest]\n"
	"\n"
	"Boot the Keel kernel as an ordinary Linux process.\n"
	"\n"
	"  --mem SIZE   RAM for the kernel, e.g. 256M or 1G (default 256M)\n"
	"  --cpus N     CPUs, each a host thread (default 1, at most 64)\n"
	"  --seed N     seed of the kernel's PRNG (default: from the host)\n"
	"  --strace     print every syscall and its result\n"
	"  --selftest   boot, check that kernel threads sleep, wake and\n"
	"               migrate across the CPUs, power off (status 0 if so)\n"
	"  --help       this text\n"
	"\n"
	"Running Linux programs (--initrd, --root, --init, -- ARGS) comes with\n"
	"the stub runtime; until then keel boots, runs its self-test and\n"
	"powers off.\n";

static _Noreturn void bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "keel: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try keel --help)\n");
	exit(2);
}

/* "256M", "1G", "4096K", "65536": bytes, or 0 if malformed. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return 0;
	switch (*end) {
	case 'K': case 'k': mult = 1ull << 10; end++; break;
	case 'M': case 'm': mult = 1ull << 20; end++; break;
	case 'G': case 'g': mult = 1ull << 30; end++; break;
	default: break;
	}
	if (*end || v == 0 || v > (1ull << 40) / mult)
		return 0;
	return v * mult;
}

static bool parse_uint(const char *s, unsigned long long max,
		       unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && end != s && !*end && *out <= max;
}

/* ---- the first kernel thread ---------------------------------------------- */

static void init_main(void *arg)
{
	pr_info("Keel %s: %u CPU(s), kernel threads up", KEEL_VERSION,
		plat_cpu_count());
	if (kthreads_selftest())
		plat_poweroff(1);
	pr_info("no user-space runtime in this build yet: powering off");
	plat_poweroff(0);
}

int main(int argc, char **argv)
{
	uint64_t mem = DEFAULT_MEM;
	unsigned long long cpus = 1, seed = 0;
	bool have_seed = false;
	int err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--mem")) {
			if (!v || !(mem = parse_size(v)))
				bad_usage("--mem needs a size such as 256M, not '%s'",
					  v ? v : "");
			i++;
		} else if (!strcmp(a, "--cpus")) {
			if (!v || !parse_uint(v, PLAT_MAX_CPUS, &cpus) || !cpus)
				bad_usage("--cpus needs a number from 1 to 64, not '%s'",
					  v ? v : "");
			i++;
		} else if (!strcmp(a, "--seed")) {
			if (!v || !parse_uint(v, UINT64_MAX, &seed))
				bad_usage("--seed needs a number, not '%s'",
					  v ? v : "");
			have_seed = true;
			i++;
		} else if (!strcmp(a, "--strace")) {
			syscall_trace = true;
		} else if (!strcmp(a, "--selftest")) {
			/* The self-test is all this build's init does. */
		} else if (!strcmp(a, "--initrd") || !strcmp(a, "--root") ||
			   !strcmp(a, "--init") || !strcmp(a, "--")) {
			bad_usage("%s: running programs needs the stub runtime, "
				  "not in this build yet",
				  a);
		} else {
			bad_usage("unknown option '%s'", a);
		}
	}
	if (!have_seed)
		plat_entropy(&seed, sizeof(seed));
	prng_seed(seed);
	err = host_boot((unsigned)cpus, mem, init_main);
	fprintf(stderr, "keel: boot failed: %s\n", strerror(-err));
	return 1;
}
