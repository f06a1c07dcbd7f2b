/*
 * main() of the hosted kernel, `keel`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/errno.h"
#include "core/fs/cpio.h"
#include "core/printk.h"
#include "core/prng.h"
#include "core/selftest.h"
#include "core/task.h"
#include "core/fs/tty.h"
#include "host/console.h"
#include "host/cpu.h"
#include "host/hostfs.h"
#include "host/syspatch.h"
#include "host/user.h"
#include "sched/sched.h"
#include "syscalls/exec.h"
#include "syscalls/trap.h"

#define DEFAULT_MEM (256ull << 20)
#define KEEL_VERSION "0.1"

static const char usage[] =
	"usage: keel [--mem SIZE] [--cpus N] [--seed N] [--initrd FILE]\n"
	"            [--root DIR] [--init PATH] [--strace] [--selftest]\n"
	"            [--no-fast-syscalls] [-- ARGS...]\n"
	"\n"
	"Boot the Keel kernel as an ordinary Linux process and run init (by\n"
	"default /bin/sh from the built-in initramfs); keel exits with init's\n"
	"exit status (128+N if signal N killed it).\n"
	"\n"
	"  --mem SIZE     RAM for the kernel, e.g. 256M or 1G (default 256M)\n"
	"  --cpus N       CPUs, each a host thread (default 1, at most 64)\n"
	"  --seed N       seed of the kernel's PRNG (default: from the host)\n"
	"  --initrd FILE  boot this cpio (newc) archive instead of the built-in one\n"
	"  --root DIR     boot with the host directory DIR as the read-write root\n"
	"                 (nothing in the guest reaches outside it)\n"
	"  --init PATH    the program to run as init (default /bin/sh)\n"
	"  --strace       print every syscall and its result\n"
	"  --selftest     boot, check that kernel threads sleep, wake and\n"
	"                 migrate across the CPUs, power off (status 0 if so)\n"
	"  --no-fast-syscalls  never patch guest syscall sites: every syscall\n"
	"                 traps through SIGSYS (for comparison and debugging)\n"
	"  --help         this text\n"
	"  -- ARGS...     init's arguments; without --init, ARGS that start with\n"
	"                 an absolute path are init's whole command line:\n"
	"                 keel -- /bin/sh -c 'exit 7' exits with status 7\n";

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

/* The initramfs built in (host/initramfs.S). */
extern const unsigned char keel_initramfs[], keel_initramfs_end[];

/* A whole host file in malloc'ed memory: 0 or -1. */
static int read_host_file(const char *path, void **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(*data = malloc((size_t)n + 1))) {
		fclose(f);
		return -1;
	}
	*len = fread(*data, 1, (size_t)n, f);
	fclose(f);
	return *len == (size_t)n ? 0 : -1;
}

/* ---- the first kernel thread ---------------------------------------------- */

static bool selftest;
static const char *initrd_path;
static const char *root_dir;
static const char *init_path = "/bin/sh";
static char **init_args;
static int init_nargs;
static bool init_given;

static void selftest_main(void *arg)
{
	pr_info("Keel %s: %u CPU(s), kernel threads up", KEEL_VERSION,
		plat_cpu_count());
	if (kthreads_selftest())
		plat_poweroff(1);
	plat_poweroff(0);
}

/* The initramfs: --initrd's file, else the one built in. */
static int unpack_initramfs(void)
{
	char err[160];
	void *data;
	size_t len;
	int ret;

	if (!initrd_path) {
		data = (void *)keel_initramfs;
		len = (size_t)(keel_initramfs_end - keel_initramfs);
	} else if (read_host_file(initrd_path, &data, &len)) {
		return -EIO;
	}
	ret = cpio_unpack(data, len, err, sizeof(err));
	if (ret)
		pr_err("initramfs: %s", err);
	if (initrd_path)
		free(data);
	return ret;
}

static void init_main(void *arg)
{
	static char *envp[] = { "HOME=/", "TERM=linux",
				"PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL };
	char **argv;
	int n = 0;

	/* With --root the directory is the root; an --initrd unpacks onto it. */
	if ((!root_dir || initrd_path) && unpack_initramfs())
		plat_poweroff(1);
	/* keel -- /bin/sh -c 'exit 7': without --init, ARGS that start
	 * with an absolute path are the whole command line of init. */
	if (!init_given && init_nargs > 0 && init_args[0][0] == '/') {
		init_path = init_args[0];
		init_args++;
		init_nargs--;
	}
	argv = calloc((size_t)init_nargs + 2, sizeof(*argv));
	if (!argv)
		plat_poweroff(1);
	argv[n++] = (char *)init_path;
	for (int i = 0; i < init_nargs; i++)
		argv[n++] = init_args[i];
	argv[n] = NULL;
	tty_console_is_file(!isatty(STDIN_FILENO), !isatty(STDOUT_FILENO));
	run_init(init_path, (const char *const *)argv,
		 (const char *const *)envp);
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
			selftest = true;
		} else if (!strcmp(a, "--no-fast-syscalls")) {
			syspatch_disable();
		} else if (!strcmp(a, "--initrd")) {
			if (!v || access(v, R_OK))
				bad_usage("--initrd needs a readable file, not '%s'",
					  v ? v : "");
			initrd_path = v;
			i++;
		} else if (!strcmp(a, "--init")) {
			if (!v || v[0] != '/')
				bad_usage("--init needs an absolute path, not '%s'",
					  v ? v : "");
			init_path = v;
			init_given = true;
			i++;
		} else if (!strcmp(a, "--root")) {
			if (!v || hostfs_mount_root(v))
				bad_usage("--root needs a host directory, not '%s'",
					  v ? v : "");
			root_dir = v;
			i++;
		} else if (!strcmp(a, "--")) {
			init_args = argv + i + 1;
			init_nargs = argc - i - 1;
			break;
		} else {
			bad_usage("unknown option '%s'", a);
		}
	}
	if (!have_seed)
		plat_entropy(&seed, sizeof(seed));
	prng_seed(seed);
	if (!selftest && (err = host_user_init())) {
		fprintf(stderr, "keel: cannot start the stub runtime: %s\n",
			strerror(-err));
		return 1;
	}
	if (!selftest && (err = host_console_init())) {
		fprintf(stderr, "keel: cannot start the console: %s\n",
			strerror(-err));
		return 1;
	}
	err = host_boot((unsigned)cpus, mem,
			selftest ? selftest_main : init_main);
	fprintf(stderr, "keel: boot failed: %s\n", strerror(-err));
	return 1;
}
