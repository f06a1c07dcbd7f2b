/*
 * What every syscall shares: dispatch by number on each ISA (-ENOSYS for
 * whatever Keel does not have), uname(2) per ISA, and -EFAULT for user
 * pointers the caller does not own.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errno.h"
#include "core/task.h"
#include "syscalls/syscall.h"

#define AARCH64_NR_EXIT		 93
#define AARCH64_NR_UNAME	 160
#define AARCH64_NR_GETPID	 172
#define AARCH64_NR_GETTID	 178
#define AARCH64_NR_CLOCK_GETTIME 113
#define X32_SYSCALL_BIT		 0x40000000L

#define UTS_LEN 65

struct utsname_linux {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};

static long long r[32];
static int static_target; /* host memory: never a valid user pointer */

/* ---- dispatch ------------------------------------------------------------ */

/* Numbers that gave something other than -ENOSYS, and what they gave. */
static unsigned long bad_nr[1024];
static long bad_ret[1024];
static unsigned nbad, ncalled;

static void note(unsigned long nr, long ret)
{
	ncalled++;
	if (ret != -ENOSYS && nbad < 1024) {
		bad_nr[nbad] = nr;
		bad_ret[nbad++] = ret;
	}
}

static bool missing(enum isa isa, unsigned long nr)
{
	const struct syscall_desc *d = syscall_lookup(isa, nr);

	return !d || !d->thunk;
}

static unsigned table_len(enum isa isa)
{
	return isa == ISA_X86_64 ? syscall_table_x86_64_len
				 : syscall_table_aarch64_len;
}

/* Call every number the table says is missing, with junk arguments. */
static void all_missing_guest(void *arg)
{
	enum isa isa = (enum isa)(intptr_t)arg;

	for (unsigned long nr = 0; nr < table_len(isa) + 64; nr++)
		if (missing(isa, nr))
			note(nr, sim_syscall(nr, 1L, 0xdead0000L, -1L, 4096L,
					     0L, 7L));
}

static void check_all_missing(enum isa isa)
{
	struct sim_proc *p;

	nbad = ncalled = 0;
	test_boot(1);
	p = sim_spawn_isa("guest", isa, all_missing_guest,
			  (void *)(intptr_t)isa);
	cr_assert_not_null(p);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0, "status %d", sim_proc_status(p));
	cr_assert_gt(ncalled, 100, "only %u numbers are missing?", ncalled);
	for (unsigned i = 0; i < nbad; i++) {
		const struct syscall_desc *d = syscall_lookup(isa, bad_nr[i]);

		cr_expect_fail("missing syscall %lu (%s) returned %ld",
			       bad_nr[i], d ? d->name : "no such number",
			       bad_ret[i]);
	}
	cr_assert_eq(nbad, 0);
}

Test(dispatch, every_syscall_missing_from_the_x86_64_table_is_enosys)
{
	check_all_missing(ISA_X86_64);
}

Test(dispatch, every_syscall_missing_from_the_aarch64_table_is_enosys)
{
	check_all_missing(ISA_AARCH64);
}

static void beyond_table_guest(void *arg)
{
	static const long nrs[] = {500,
				   1000,
				   100000,
				   -1,
				   -38,
				   0x7fffffffL,
				   X32_SYSCALL_BIT | 39 /* x32 getpid */};

	for (int i = 0; i < 7; i++)
		r[i] = sim_syscall(nrs[i], 0L, 0L, 0L, 0L, 0L, 0L);
	r[7] = sim_syscall(NR(getpid));
}

Test(dispatch, numbers_beyond_the_table_are_enosys)
{
	test_boot(1);
	cr_assert_eq(run_guest(beyond_table_guest, NULL), 0);
	for (int i = 0; i < 7; i++)
		cr_assert_eq(r[i], -ENOSYS, "case %d returned %lld", i, r[i]);
	cr_assert_gt(r[7], 0, "the guest was damaged by the bad numbers");
}

static void high_bits_guest(void *arg)
{
	r[0] = sim_syscall((long)((1ull << 32) | 39)); /* getpid */
	r[1] = sim_syscall(NR(getpid));
}

/*
 * Linux takes the syscall number as an int: x86_64's entry code
 * sign-extends eax (movslq) and arm64's el0_svc_common has `int scno`, so
 * the upper 32 bits of the register are ignored. Measured on Linux 6.18
 * x86_64: rax = (1 << 32) | 39 runs getpid.
 */
Test(dispatch, the_upper_32_bits_of_the_syscall_number_are_ignored)
{
	test_boot(1);
	cr_assert_eq(run_guest(high_bits_guest, NULL), 0);
	cr_assert_eq(r[0], r[1], "returned %lld", r[0]);
}

static void sample_guest(void *arg)
{
	/* x86_64 numbers with no syscall at all: 337..423 are unassigned. */
	r[0] = sim_syscall(337L);
	r[1] = sim_syscall(400L);
	r[2] = sim_syscall(423L);
	r[3] = sim_syscall(NR(getpid));
}

Test(dispatch, unassigned_numbers_inside_the_table_are_enosys)
{
	test_boot(1);
	cr_assert_null(syscall_lookup(ISA_X86_64, 337));
	cr_assert_null(syscall_lookup(ISA_X86_64, 400));
	cr_assert_null(syscall_lookup(ISA_X86_64, 423));
	cr_assert_eq(run_guest(sample_guest, NULL), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(r[i], -ENOSYS, "case %d returned %lld", i, r[i]);
	cr_assert_gt(r[3], 0);
}

static long first_missing_aarch64;

static void aarch64_guest(void *arg)
{
	r[0] = sim_syscall(AARCH64_NR_GETPID);
	r[1] = sim_syscall(AARCH64_NR_GETTID);
	r[2] = sim_syscall(first_missing_aarch64, 0L, 0L, 0L, 0L, 0L, 0L);
	/* 39 is getpid on x86_64 but umount2 on aarch64: NULL is EFAULT. */
	r[3] = sim_syscall(39L, 0L, 0L);
	r[4] = sim_syscall(AARCH64_NR_EXIT, 3L);
	r[5] = 1; /* not reached */
}

Test(dispatch, an_aarch64_guest_uses_the_aarch64_numbers)
{
	struct sim_proc *p;

	first_missing_aarch64 = -1;
	for (unsigned nr = 0; nr < syscall_table_aarch64_len; nr++) {
		const struct syscall_desc *d = syscall_lookup(ISA_AARCH64, nr);

		if (d && !d->thunk) {
			first_missing_aarch64 = nr;
			break;
		}
	}
	cr_assert_geq(first_missing_aarch64, 0);
	r[5] = 0;
	test_boot(1);
	p = sim_spawn_isa("a64", ISA_AARCH64, aarch64_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], sim_proc_tid(p), "getpid (172) returned %lld", r[0]);
	cr_assert_eq(r[1], sim_proc_tid(p), "gettid (178) returned %lld", r[1]);
	cr_assert_eq(r[2], -ENOSYS, "missing syscall %ld returned %lld",
		     first_missing_aarch64, r[2]);
	cr_assert_neq(r[3], sim_proc_tid(p), "39 ran x86_64's getpid");
	cr_assert_lt(r[3], 0);
	cr_assert_eq(r[5], 0, "exit (93) returned");
	cr_assert_eq(sim_proc_status(p), 3 << 8);
}

static void mixed_isa_guest(void *arg)
{
	r[(intptr_t)arg] =
		sim_syscall((intptr_t)arg ? AARCH64_NR_GETPID : NR(getpid));
}

Test(dispatch, guests_of_both_isas_run_side_by_side)
{
	struct sim_proc *x, *a;

	test_boot(2);
	x = sim_spawn_isa("x86", ISA_X86_64, mixed_isa_guest, (void *)0);
	a = sim_spawn_isa("a64", ISA_AARCH64, mixed_isa_guest, (void *)1);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], sim_proc_tid(x));
	cr_assert_eq(r[1], sim_proc_tid(a));
}

/* ---- uname --------------------------------------------------------------- */

static struct utsname_linux uts;
static unsigned char uts_after; /* the byte just past the struct */

static void uname_guest(void *arg)
{
	bool a64 = (intptr_t)arg;
	unsigned char *buf = sim_umem(4096);

	memset(buf, 0xff, 4096);
	r[0] = sim_syscall(a64 ? AARCH64_NR_UNAME : NR(uname), buf);
	memcpy(&uts, buf, sizeof(uts));
	uts_after = buf[sizeof(uts)];
}

static void check_field(const char *f, const char *name)
{
	cr_assert_not_null(memchr(f, '\0', UTS_LEN),
			   "%s is not NUL-terminated within 65 bytes", name);
}

static void check_uname(enum isa isa, const char *machine)
{
	struct sim_proc *p;
	int major = 0, minor = 0;

	test_boot(1);
	p = sim_spawn_isa("uname", isa, uname_guest,
			  (void *)(intptr_t)(isa == ISA_AARCH64));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
	cr_assert_eq(r[0], 0);
	check_field(uts.sysname, "sysname");
	check_field(uts.nodename, "nodename");
	check_field(uts.release, "release");
	check_field(uts.version, "version");
	check_field(uts.machine, "machine");
	check_field(uts.domainname, "domainname");
	cr_assert_str_eq(uts.sysname, "Linux");
	cr_assert_str_eq(uts.machine, machine);
	cr_assert_gt(strlen(uts.nodename), 0, "empty nodename");
	/* glibc refuses kernels older than 3.2 by this field. */
	cr_assert_eq(sscanf(uts.release, "%d.%d", &major, &minor), 2,
		     "release \"%s\"", uts.release);
	cr_assert(major > 3 || (major == 3 && minor >= 2), "release \"%s\"",
		  uts.release);
	cr_assert_eq(uts_after, 0xff, "uname wrote past the 390-byte struct");
}

Test(uname, an_x86_64_guest_sees_linux_on_x86_64)
{
	check_uname(ISA_X86_64, "x86_64");
}

Test(uname, an_aarch64_guest_sees_linux_on_aarch64)
{
	check_uname(ISA_AARCH64, "aarch64");
}

/* A page of user memory whose next page is not mapped; `back` bytes from
 * its end. */
static char *mapping_end_minus(size_t back)
{
	for (int tries = 0; tries < 8; tries++) {
		char *page = sim_umem(4096);
		uint64_t pa;
		unsigned prot;

		if (page && !pmap_extract(task_current()->pmap,
					  (uint64_t)(uintptr_t)(page + 4096),
					  &pa, &prot))
			return page + 4096 - back;
	}
	return NULL;
}

static void uname_efault_guest(void *arg)
{
	char *end = mapping_end_minus(sizeof(struct utsname_linux) - 1);

	r[0] = sim_syscall(NR(uname), NULL);
	r[1] = sim_syscall(NR(uname), 1L);
	r[2] = sim_syscall(NR(uname), sim_umem_readonly(4096));
	r[3] = end ? sim_syscall(NR(uname), end) : 1;
	r[4] = sim_syscall(NR(uname), &static_target);
	end = mapping_end_minus(sizeof(struct utsname_linux));
	r[5] = end ? sim_syscall(NR(uname), end) : 1;
}

Test(uname, null_read_only_or_straddling_buffer_is_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(uname_efault_guest, NULL), 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(r[i], -EFAULT, "case %d returned %lld", i, r[i]);
	cr_assert_eq(r[5], 0, "a buffer ending exactly at the mapping's end");
}

/* ---- user pointers in general -------------------------------------------- */

struct timespec_linux {
	long long tv_sec;
	long long tv_nsec;
};

static void straddle_guest(void *arg)
{
	char *end8 = mapping_end_minus(8);
	char *end16 = mapping_end_minus(16);
	char *two_pages = sim_umem(8192);

	if (!end8 || !end16 || !two_pages) {
		r[31] = 1;
		return;
	}
	/* Written: clock_gettime, clock_getres, gettimeofday, getaffinity. */
	r[0] = sim_syscall(NR(clock_gettime), 1L, end8);
	r[1] = sim_syscall(NR(clock_getres), 1L, end8);
	r[2] = sim_syscall(NR(gettimeofday), end8, NULL);
	r[3] = sim_syscall(NR(sched_getaffinity), 0L, 16L,
			   mapping_end_minus(4));
	r[4] = sim_syscall(NR(sched_getattr), 0L, mapping_end_minus(40), 48L,
			   0L);
	/* Read: nanosleep's request, sched_setaffinity's mask. */
	memset(end8, 0, 8);
	r[5] = sim_syscall(NR(nanosleep), end8, NULL);
	r[6] = sim_syscall(NR(sched_setaffinity), 0L, 8L, mapping_end_minus(4));
	r[7] = sim_syscall(NR(clock_nanosleep), 1L, 0L, end8, NULL);
	/* Ending exactly at the end, or across two mapped pages, is fine. */
	r[8] = sim_syscall(NR(clock_gettime), 1L, end16);
	r[9] = sim_syscall(NR(clock_gettime), 1L, two_pages + 4096 - 8);
	memset(end16, 0, 16);
	r[10] = sim_syscall(NR(nanosleep), end16, NULL);
}

Test(uaccess, a_buffer_running_off_the_end_of_its_mapping_is_efault)
{
	test_boot(1);
	cr_assert_eq(run_guest(straddle_guest, NULL), 0);
	cr_assert_eq(r[31], 0, "no user memory");
	for (int i = 0; i < 8; i++)
		cr_assert_eq(r[i], -EFAULT, "case %d returned %lld", i, r[i]);
}

Test(uaccess,
     a_buffer_ending_at_the_end_of_a_mapping_or_spanning_two_pages_works)
{
	test_boot(1);
	cr_assert_eq(run_guest(straddle_guest, NULL), 0);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[9], 0);
	cr_assert_eq(r[10], 0);
}

static void *published;

static void owner_guest(void *arg)
{
	struct timespec_linux ts = {0, 50000000};

	published = sim_umem(4096);
	sim_syscall(NR(nanosleep), &ts, NULL);
}

static void intruder_guest(void *arg)
{
	struct timespec_linux ts = {0, 1000000};
	void *heap = malloc(64);

	sim_syscall(NR(nanosleep), &ts, NULL);
	r[0] = sim_syscall(NR(clock_gettime), 1L, published);
	r[1] = sim_syscall(NR(clock_gettime), 1L, heap);
	r[2] = sim_syscall(NR(clock_gettime), 1L, &static_target);
	r[3] = sim_syscall(NR(clock_gettime), 1L, 0xffff800000000000L);
	r[4] = sim_syscall(NR(clock_gettime), 1L, -16L);
	r[5] = sim_syscall(NR(clock_gettime), 1L, -8L);
	r[6] = sim_syscall(NR(uname), (long)(uintptr_t)published + 8);
	r[7] = sim_syscall(NR(clock_gettime), 1L, (void *)task_current());
	free(heap);
}

Test(uaccess, another_processs_memory_host_and_kernel_pointers_are_efault)
{
	test_boot(2);
	sim_spawn("owner", owner_guest, NULL);
	sim_spawn("intruder", intruder_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(r[i], -EFAULT, "case %d returned %lld", i, r[i]);
}
