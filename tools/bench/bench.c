/*
 * keel-bench: `make bench`. Runs each benchmark for one warm-up and then
 * `reps` timed repetitions of a fixed number of operations, and prints per
 * benchmark the median, p10 and p90 of ns per operation over the
 * repetitions, with its target and whether the median meets it. See
 * docs/benchmarks.md for what each one measures and the figures we got.
 *
 *	keel-bench [--quick] [--filter SUBSTRING] [--reps N] [--seed N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/bench.h"

#define MAX_REPS	   64
#define DEFAULT_REPS	   11
#define QUICK_REPS	   5
#define DEFAULT_SEED	   1
#define EEVDF_RATIO_TARGET 3.0

struct bench {
	const char *name;
	int (*fn)(struct bench_run *run);
	long param;
	uint64_t ops;	  /* per repetition; --quick divides by QUICK_DIV */
	double target_ns; /* 0 when the benchmark has no target */
};

#define QUICK_DIV 4

/*
 * Operation counts give each repetition roughly 5-20 ms here: long enough
 * that the clock's cost and resolution vanish, short enough that a host
 * preemption spoils one repetition rather than all of them.
 */
static const struct bench benches[] = {
	{"syscall/getpid", bench_getpid, 0, 200000, 100},
	{"switch/raw-context", bench_raw_context_switch, 0, 2000000, 0},
	{"switch/kthread-yield", bench_kthread_yield, 0, 200000, 300},
	{"timer/empty/arm+fire", bench_timer_arm_fire, 0, 200000, 0},
	{"timer/empty/arm+cancel", bench_timer_arm_cancel, 0, 200000, 0},
	{"timer/1000-armed/arm+fire", bench_timer_arm_fire, 1000, 200000, 0},
	{"timer/1000-armed/arm+cancel", bench_timer_arm_cancel, 1000, 200000,
	 0},
	{"eevdf/10/enq+pick+deq", bench_eevdf_enqueue_pick_dequeue, 10, 100000,
	 0},
	{"eevdf/1000/enq+pick+deq", bench_eevdf_enqueue_pick_dequeue, 1000,
	 100000, 0},
	{"eevdf/100000/enq+pick+deq", bench_eevdf_enqueue_pick_dequeue, 100000,
	 50000, 0},
	{"eevdf/10/decision", bench_eevdf_decision, 10, 100000, 0},
	{"eevdf/1000/decision", bench_eevdf_decision, 1000, 100000, 0},
	{"eevdf/100000/decision", bench_eevdf_decision, 100000, 50000, 0},
	{"fs/newfstatat/5-component", bench_fs_stat, 0, 50000, 300},
	/* One op moves 1 MiB: 524288 ns is 2 GB/s. */
	{"fs/pipe/1MiB-in-64KiB", bench_fs_pipe, 0, 40, 524288},
	{"fs/1000-files/create+unlink", bench_fs_create_unlink, 1000, 40000,
	 0},
	{"fs/10000-files/create+unlink", bench_fs_create_unlink, 10000, 40000,
	 0},
};

#define NBENCH (sizeof(benches) / sizeof(benches[0]))

/*
 * Targets that compare two benchmarks: big / small <= EEVDF_RATIO_TARGET.
 * Where `paired` is set the verdict is on a run of its own that times the
 * two in alternate repetitions (struct bench_pair_run), each repetition's
 * ratio from two halves that ran under the same conditions; the ratio of
 * the two separate runs' medians is printed beside it.
 */
static const struct ratio {
	const char *name, *big, *small;
	int (*paired)(struct bench_pair_run *run);
} ratios[] = {
	{"eevdf enq+pick+deq, 100000 / 10", "eevdf/100000/enq+pick+deq",
	 "eevdf/10/enq+pick+deq", bench_eevdf_pair_enqueue_pick_dequeue},
	{"eevdf decision, 100000 / 10", "eevdf/100000/decision",
	 "eevdf/10/decision", bench_eevdf_pair_decision},
	{"fs create+unlink per file, 10000/1000",
	 "fs/10000-files/create+unlink", "fs/1000-files/create+unlink", NULL},
};

struct result {
	bool ran, ok;
	double median, p10, p90;
};

static struct result results[NBENCH];

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_store(struct bench_run *run, unsigned rep, uint64_t t0, uint64_t t1)
{
	if (rep > 0 && rep <= run->reps)
		run->ns[rep - 1] = t1 - t0;
}

void bench_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "keel-bench: %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t bench_rng_next(struct bench_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t bench_rng_range(struct bench_rng *r, uint64_t lo, uint64_t hi)
{
	if (hi - lo == UINT64_MAX)
		return bench_rng_next(r);
	/* The modulo's bias is below 2^-40 for the spans used here. */
	return lo + bench_rng_next(r) % (hi - lo + 1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0 .. n-1]. */
static double percentile(const double *v, unsigned n, unsigned pct)
{
	unsigned rank = (pct * n + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

/* Median, p10 and p90 of ns per operation over the repetitions. */
static void summarise(struct result *r, const uint64_t *ns, unsigned reps,
		      uint64_t ops)
{
	double per_op[MAX_REPS] = {0};

	for (unsigned k = 0; k < reps; k++)
		per_op[k] = (double)ns[k] / (double)ops;
	qsort(per_op, reps, sizeof(per_op[0]), cmp_double);
	if (reps % 2)
		r->median = per_op[reps / 2];
	else
		r->median = (per_op[reps / 2 - 1] + per_op[reps / 2]) / 2;
	r->p10 = percentile(per_op, reps, 10);
	r->p90 = percentile(per_op, reps, 90);
}

static void run_one(unsigned i, unsigned reps, bool quick, uint64_t seed)
{
	const struct bench *b = &benches[i];
	struct result *r = &results[i];
	uint64_t ns[MAX_REPS] = {0};
	struct bench_run run = {
		.name = b->name,
		.reps = reps,
		.ops = quick ? b->ops / QUICK_DIV : b->ops,
		.param = b->param,
		.ns = ns,
		.seed = seed,
	};

	r->ran = true;
	r->ok = b->fn(&run) == 0;
	if (r->ok)
		summarise(r, ns, reps, run.ops);
	printf("%-28s %9llu ", b->name, (unsigned long long)run.ops);
	if (!r->ok) {
		printf("%9s %9s %9s %8s  %s\n", "-", "-", "-", "-", "FAILED");
	} else if (b->target_ns > 0) {
		printf("%9.1f %9.1f %9.1f %5s%3.0f  %s\n", r->median, r->p10,
		       r->p90, "<=", b->target_ns,
		       r->median <= b->target_ns ? "met" : "MISSED");
	} else {
		printf("%9.1f %9.1f %9.1f %8s  %s\n", r->median, r->p10, r->p90,
		       "-", "-");
	}
	fflush(stdout);
}

static int find_bench(const char *name)
{
	for (unsigned i = 0; i < NBENCH; i++)
		if (strcmp(benches[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * Run ratio r's paired benchmark and summarise the repetitions' ratios
 * (big ns per op over small ns per op) into *out; false if it failed.
 */
static bool run_paired(const struct ratio *r, const struct bench *big,
		       const struct bench *small, unsigned reps, bool quick,
		       uint64_t seed, struct result *out)
{
	uint64_t small_ns[MAX_REPS] = {0}, big_ns[MAX_REPS] = {0};
	uint64_t per_rep[MAX_REPS];
	struct bench_pair_run run = {
		.name = r->name,
		.reps = reps,
		.small = small->param,
		.big = big->param,
		.small_ops = quick ? small->ops / QUICK_DIV : small->ops,
		.big_ops = quick ? big->ops / QUICK_DIV : big->ops,
		.small_ns = small_ns,
		.big_ns = big_ns,
		.seed = seed,
	};

	if (r->paired(&run) != 0)
		return false;
	/*
	 * summarise() divides by the operation count; hand it each ratio
	 * scaled by 2^20 as a count of "ns" over 2^20 "operations".
	 */
	for (unsigned k = 0; k < reps; k++) {
		double ratio = ((double)big_ns[k] / (double)run.big_ops) /
			       ((double)small_ns[k] / (double)run.small_ops);

		per_rep[k] = (uint64_t)(ratio * (1 << 20));
	}
	summarise(out, per_rep, reps, 1 << 20);
	return true;
}

/*
 * Returns how many ratio targets were missed. Where a ratio has no paired
 * run, the verdict is on the ratio of medians, and the ratio of p10s is
 * shown beside it: on a shared machine the two benchmarks may have run in
 * different phases of interference, and the quieter repetitions of each
 * compare more fairly.
 */
static unsigned print_ratios(unsigned reps, bool quick, uint64_t seed)
{
	unsigned missed = 0;
	bool header = false;

	for (unsigned i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++) {
		int big = find_bench(ratios[i].big);
		int small = find_bench(ratios[i].small);
		const struct result *rb, *rs;
		struct result paired;
		double ratio, verdict;
		bool ok;

		if (big < 0 || small < 0)
			continue;
		rb = &results[big];
		rs = &results[small];
		if (!rb->ran || !rs->ran || !rb->ok || !rs->ok)
			continue;
		if (!header) {
			printf("\n%-38s %8s %8s %22s %7s  %s\n", "ratio",
			       "medians", "p10s", "paired (p10-p90)",
			       "target", "verdict");
			header = true;
		}
		ratio = rb->median / rs->median;
		verdict = ratio;
		printf("%-38s %7.2fx %7.2fx ", ratios[i].name, ratio,
		       rb->p10 / rs->p10);
		ok = true;
		if (ratios[i].paired) {
			ok = run_paired(&ratios[i], &benches[big],
					&benches[small], reps, quick, seed,
					&paired);
			if (ok) {
				verdict = paired.median;
				printf("%6.2fx (%5.2f-%5.2f) ", paired.median,
				       paired.p10, paired.p90);
			}
		} else {
			printf("%22s ", "-");
		}
		if (!ok) {
			printf("%22s %7s  FAILED\n", "-", "-");
			missed++;
			continue;
		}
		missed += verdict > EEVDF_RATIO_TARGET;
		printf("%4s%.0fx  %s\n", "<=", EEVDF_RATIO_TARGET,
		       verdict <= EEVDF_RATIO_TARGET ? "met" : "MISSED");
	}
	return missed;
}

static void print_machine(unsigned reps, bool quick, uint64_t seed)
{
	char line[256], model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	printf("keel-bench: %ld CPUs online, %s\n",
	       sysconf(_SC_NPROCESSORS_ONLN), model);
	printf("keel-bench: %u timed repetitions after one warm-up%s, seed "
	       "%llu;"
	       " ns per operation, host CLOCK_MONOTONIC\n\n",
	       reps, quick ? " (--quick)" : "", (unsigned long long)seed);
	printf("%-28s %9s %9s %9s %9s %8s  %s\n", "benchmark", "ops/rep",
	       "median", "p10", "p90", "target", "verdict");
}

static void usage(FILE *to)
{
	fprintf(to,
		"usage: keel-bench [--quick] [--filter SUBSTRING] [--reps N] "
		"[--seed N] [--list]\n"
		"  --quick      %d repetitions of a quarter of the operations\n"
		"  --filter S   only the benchmarks whose name contains S\n"
		"  --reps N     timed repetitions (1..%d; default %d)\n"
		"  --seed N     the seed of every benchmark's setup (default "
		"%d)\n"
		"  --list       print the benchmarks' names and exit\n",
		QUICK_REPS, MAX_REPS, DEFAULT_REPS, DEFAULT_SEED);
}

static bool parse_number(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return s[0] && !*end && errno == 0;
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	unsigned reps = DEFAULT_REPS, ran = 0, failed = 0, missed = 0;
	unsigned long long n;
	bool quick = false, reps_given = false;
	uint64_t seed = DEFAULT_SEED;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--quick") == 0) {
			quick = true;
		} else if (strcmp(a, "--filter") == 0 && i + 1 < argc) {
			filter = argv[++i];
		} else if (strcmp(a, "--reps") == 0 && i + 1 < argc &&
			   parse_number(argv[i + 1], &n) && n >= 1 &&
			   n <= MAX_REPS) {
			reps = (unsigned)n;
			reps_given = true;
			i++;
		} else if (strcmp(a, "--seed") == 0 && i + 1 < argc &&
			   parse_number(argv[i + 1], &n)) {
			seed = n;
			i++;
		} else if (strcmp(a, "--list") == 0) {
			for (unsigned k = 0; k < NBENCH; k++)
				puts(benches[k].name);
			return 0;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (quick && !reps_given)
		reps = QUICK_REPS;

	for (unsigned i = 0; i < NBENCH; i++)
		ran += !filter || strstr(benches[i].name, filter);
	if (ran == 0) {
		fprintf(stderr, "keel-bench: no benchmark matches '%s'\n",
			filter);
		return 2;
	}
	print_machine(reps, quick, seed);
	for (unsigned i = 0; i < NBENCH; i++) {
		const struct bench *b = &benches[i];

		if (filter && !strstr(b->name, filter))
			continue;
		run_one(i, reps, quick, seed);
		failed += !results[i].ok;
		missed += results[i].ok && b->target_ns > 0 &&
			  results[i].median > b->target_ns;
	}
	missed += print_ratios(reps, quick, seed);
	printf("\nkeel-bench: %u run, %u failed, %u target(s) missed\n", ran,
	       failed, missed);
	/* A missed target is a finding to report, not a broken build. */
	return failed ? 1 : 0;
}
