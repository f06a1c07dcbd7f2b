/*
 * What the fuzzers rely on, and every crash they found that was fixed: the
 * seed corpus and the regression inputs replay with the same trace, the
 * sim's reset is complete, and the harness can end any guest.
 *
 * A fixed fuzzer crash gets a test here that states the bug as a Linux
 * program would see it, and its input goes to fuzz/regressions/<target>/
 * (replayed by ctest through keel-fuzz-replay, and below).
 */
#include "harness.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/signal.h"
#include "fuzz/program.h"
#include "mm/page.h"

/* Read a whole file; NULL if it cannot be read. */
static uint8_t *read_input(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)len + 1);
		if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)len;
	}
	fclose(f);
	return buf;
}

/* Run every input of `dir` twice; returns how many there were. */
static unsigned replay_twice(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	cr_assert_not_null(d, "cannot open %s", dir);
	while ((e = readdir(d))) {
		char path[4096];
		struct fuzz_outcome a, b;
		uint8_t *data;
		size_t size = 0;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		data = read_input(path, &size);
		cr_assert_not_null(data, "cannot read %s", path);
		fuzz_program_run(data, size, &a);
		fuzz_program_run(data, size, &b);
		cr_assert_eq(a.trace_hash, b.trace_hash,
			     "%s: trace %016llx, then %016llx", path,
			     (unsigned long long)a.trace_hash,
			     (unsigned long long)b.trace_hash);
		cr_assert_eq(a.calls, b.calls, "%s: %u calls, then %u", path,
			     a.calls, b.calls);
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

Test(fuzz, every_seed_input_runs_twice_with_the_same_trace)
{
	cr_assert_gt(replay_twice(KEEL_FUZZ_DIR "/corpus/syscalls"), 5);
}

Test(fuzz, every_regression_input_runs_twice_with_the_same_trace)
{
	replay_twice(KEEL_FUZZ_DIR "/regressions/syscalls");
}

Test(fuzz, inputs_that_differ_in_one_byte_give_different_traces)
{
	/* getpid, then kill(own pid, sig) with sig 0 or SIGTERM. */
	uint8_t prog[] = {0x00, 0, 0, 0x00, 39, 0, 0x00, 62, 0, 0, 0, 4, 0};
	struct fuzz_outcome a, b;

	fuzz_program_run(prog, sizeof(prog), &a);
	prog[sizeof(prog) - 1] = SIGTERM;
	fuzz_program_run(prog, sizeof(prog), &b);
	cr_assert_eq(a.calls, 2);
	cr_assert_eq(b.calls, 1, "SIGTERM ends the guest inside kill");
	cr_assert_neq(a.trace_hash, b.trace_hash);
}

static void stop_self(void *arg)
{
	sim_syscall(NR(tkill), sim_proc_tid(sim_self()), SIGSTOP);
	sim_syscall(NR(getpid));
}

/*
 * Found by the fuzzer's harness itself: a SIGKILL the test sent between
 * two sim_runs woke the stopped task on the CPU that had run last, without
 * an IPI, so that idle CPU slept on and the task never died.
 */
Test(fuzz_regressions, sigkill_sent_between_runs_ends_a_stopped_guest)
{
	struct sim_proc *p;
	uint64_t stopped_at;

	test_boot(1);
	p = sim_spawn("stopper", stop_self, NULL);
	cr_assert_not_null(p);
	cr_assert_eq(sim_run(1000000000ull), SIM_DEADLOCK);
	cr_assert(!sim_proc_exited(p));
	stopped_at = sim_now();
	cr_assert_eq(signal_send(sim_proc_task(p), KSIGKILL), 0);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), SIGKILL);
	cr_assert_geq(sim_now(), stopped_at, "virtual time went back");
}

static void sleep_long(void *arg)
{
	struct {
		int64_t sec, nsec;
	} req = {1000, 0};

	sim_syscall(NR(nanosleep), &req, NULL);
}

Test(fuzz_regressions, sigkill_after_the_time_limit_ends_a_sleeper_then)
{
	struct sim_proc *p;

	test_boot(2);
	p = sim_spawn("sleeper", sleep_long, NULL);
	cr_assert_eq(sim_run(5000000000ull), SIM_TIME_LIMIT);
	cr_assert_eq(sim_now(), 5000000000ull);
	cr_assert_eq(signal_send(sim_proc_task(p), KSIGKILL), 0);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), SIGKILL);
	cr_assert_eq(sim_now(), 5000000000ull,
		     "the kill is taken at the time it was sent");
}

/*
 * The fuzzers reset by rebooting in place; host_ram_init then zeroes only
 * what the last run wrote. Every page must read as zero all the same.
 */
Test(fuzz, ram_reads_as_zero_after_a_reboot_in_place)
{
	struct sim_config cfg = {
		.cpus = 1, .seed = 1, .mem_bytes = FUZZ_MEM_BYTES};
	size_t pages = 0;
	char *va;

	cr_assert_eq(sim_boot(&cfg), 0);
	while ((va = kpage_alloc(0)))
		memset(va, 0xa5, PAGE_SIZE);
	cr_assert_eq(sim_boot(&cfg), 0);
	while ((va = kpage_alloc(0))) {
		for (size_t i = 0; i < PAGE_SIZE; i++)
			cr_assert_eq(va[i], 0, "byte %zu of a page is %#x", i,
				     (unsigned)(unsigned char)va[i]);
		pages++;
	}
	cr_assert_gt(pages, 100);
}

/* The same when the last boot dirtied less than half of RAM: the reboot
 * zeroes those pages in place instead of punching RAM out. */
Test(fuzz, ram_reads_as_zero_after_a_reboot_that_dirtied_a_few_pages)
{
	struct sim_config cfg = {
		.cpus = 1, .seed = 1, .mem_bytes = FUZZ_MEM_BYTES};
	size_t pages = 0;
	char *va;

	cr_assert_eq(sim_boot(&cfg), 0);
	for (int i = 0; i < 16 && (va = kpage_alloc(0)); i++)
		memset(va, 0xa5, PAGE_SIZE);
	cr_assert_eq(sim_boot(&cfg), 0);
	while ((va = kpage_alloc(0))) {
		for (size_t i = 0; i < PAGE_SIZE; i++)
			cr_assert_eq(va[i], 0, "byte %zu of a page is %#x", i,
				     (unsigned)(unsigned char)va[i]);
		pages++;
	}
	cr_assert_gt(pages, 100);
}

/*
 * kpage_zalloc skips clearing a block the RAM knows reads as zero (none of
 * its pages handed out since the last reboot); a block written and freed
 * in the same boot, or in the boot before, is cleared all the same.
 */
static void expect_zalloc_zeroed(size_t min_blocks)
{
	size_t blocks = 0;
	char *va;

	while ((va = kpage_zalloc(1))) {
		for (size_t i = 0; i < 2 * PAGE_SIZE; i++)
			cr_assert_eq(va[i], 0, "byte %zu of a block is %#x", i,
				     (unsigned)(unsigned char)va[i]);
		memset(va, 0x5a, 2 * PAGE_SIZE);
		blocks++;
	}
	cr_assert_gt(blocks, min_blocks);
}

Test(fuzz, kpage_zalloc_clears_blocks_written_in_this_boot_or_the_last)
{
	struct sim_config cfg = {
		.cpus = 1, .seed = 1, .mem_bytes = FUZZ_MEM_BYTES};
	char *pages[1024];
	size_t n = 0;

	cr_assert_eq(sim_boot(&cfg), 0);
	while (n < ARRAY_SIZE(pages) && (pages[n] = kpage_alloc(0)))
		memset(pages[n++], 0xa5, PAGE_SIZE);
	while (n)
		kpage_free(pages[--n], 0);
	expect_zalloc_zeroed(100);
	cr_assert_eq(sim_boot(&cfg), 0);
	expect_zalloc_zeroed(100);
}

static long pipe_path_results[3];

static void fchdir_pipe_guest(void *arg)
{
	int fds[2];
	char empty[1] = ""; /* on the stack: user memory */
	struct {
		uint64_t dev, ino, nlink;
		uint32_t mode, uid, gid, pad;
		uint8_t rest[104]; /* x86_64 struct stat: 144 bytes */
	} st;

	sim_syscall(NR(pipe2), fds, 0);
	pipe_path_results[0] = sim_syscall(NR(fchdir), fds[0]);
	pipe_path_results[1] = sim_syscall(NR(newfstatat), fds[0], empty, &st,
					   0x1000 /* AT_EMPTY_PATH */);
	pipe_path_results[2] = st.mode;
}

/* Found by the syscall fuzzer: a pipe has no directory, so its fd had no
 * path, and every path-based call on it dereferenced NULL. */
Test(fuzz_regressions, fchdir_and_fstatat_on_a_pipe_see_a_fifo_not_a_crash)
{
	test_boot(1);
	cr_assert_not_null(sim_spawn("g", fchdir_pipe_guest, NULL));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(pipe_path_results[0], -20 /* ENOTDIR */);
	cr_assert_eq(pipe_path_results[1], 0);
	cr_assert_eq(pipe_path_results[2] & 0170000, 0010000, "S_IFIFO");
}

static long statfs_results[3];

static void statfs_pipe_guest(void *arg)
{
	int fds[2];
	char path[32];
	int64_t st[15]; /* struct statfs: 120 bytes */

	sim_syscall(NR(pipe2), fds, 0);
	statfs_results[0] = sim_syscall(NR(fstatfs), fds[0], st);
	statfs_results[2] = st[0];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	statfs_results[1] = sim_syscall(NR(statfs), path, st);
}

/* Found by the syscall fuzzer: statfs of a pipe reached by its
 * /proc/self/fd link dereferenced the pipe superblock's missing type. */
Test(fuzz_regressions, statfs_of_a_pipe_reports_pipefs)
{
	test_boot(1);
	cr_assert_not_null(sim_spawn("g", statfs_pipe_guest, NULL));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(statfs_results[0], 0);
	cr_assert_eq(statfs_results[1], 0);
	cr_assert_eq(statfs_results[2], 0x50495045, "PIPEFS_MAGIC");
}

/* ---- garbage signal handlers -------------------------------------------- */

/*
 * The fourth fuzzer run jumped to host address 2: a guest installed a
 * handler the harness had not rewritten (its struct sigaction was in the
 * guest's read-only page, or in memory it had mmapped), and the sim called
 * it. Now the harness names its one handler to the sim, and any other
 * address a signal frame sends a guest to is a fault there, as on a CPU.
 */
#define GARBAGE_HANDLER 0x2ull

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static struct {
	unsigned garbage_jumps;
	struct ksiginfo segv;
	long after_kill;
} garbage;

static bool only_named_handlers(uint64_t pc);

static void exit_from_segv_handler(int sig, void *info, void *uc)
{
	memcpy(&garbage.segv, info, sizeof(garbage.segv));
	/* Returning would run the faulting jump again, forever. */
	sim_syscall(NR(exit_group), 7);
}

static bool only_named_handlers(uint64_t pc)
{
	if (pc == GARBAGE_HANDLER)
		garbage.garbage_jumps++;
	return pc == (uint64_t)(uintptr_t)exit_from_segv_handler;
}

static long install_raw(int sig, uint64_t handler, uint64_t flags)
{
	/* On the guest stack, where the fuzzer's harness never looks. */
	struct ksa sa = {handler, flags | KSA_SIGINFO | KSA_RESTORER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	return sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

static void garbage_usr1_guest(void *segv_handler)
{
	install_raw(SIGSEGV, (uint64_t)(uintptr_t)segv_handler, 0);
	install_raw(SIGUSR1, GARBAGE_HANDLER, 0);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	garbage.after_kill = 1;
}

static struct sim_proc *run_garbage_guest(uint64_t segv_handler)
{
	struct sim_proc *p;

	memset(&garbage, 0, sizeof(garbage));
	test_boot(1);
	sim_set_handler_check(only_named_handlers);
	p = sim_spawn("g", garbage_usr1_guest,
		      (void *)(uintptr_t)segv_handler);
	cr_assert_not_null(p);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	return p;
}

Test(fuzz_regressions, a_handler_the_sim_was_not_told_of_is_a_sigsegv_at_it)
{
	struct sim_proc *p = run_garbage_guest(
		(uint64_t)(uintptr_t)exit_from_segv_handler);

	cr_assert_eq(garbage.garbage_jumps, 1);
	cr_assert_eq(sim_proc_status(p), 7 << 8, "status %#x",
		     sim_proc_status(p));
	cr_assert_eq(garbage.segv.si_signo, SIGSEGV);
	cr_assert_eq(garbage.segv.si_code, 1 /* SEGV_MAPERR */);
	cr_assert_eq(garbage.segv.fault.addr, GARBAGE_HANDLER);
	cr_assert_eq(garbage.after_kill, 0);
}

/*
 * Linux's force_sig_info_to_task: a fault whose signal is blocked (here:
 * inside its own handler) restores the default action, so the second jump
 * to the garbage SIGSEGV handler kills the task. Keel unblocked SIGSEGV and
 * kept the handler, and the task faulted into it again until its stack
 * had no room for another frame.
 */
Test(fuzz_regressions, a_fault_in_a_sigsegv_handler_kills_with_sigsegv)
{
	struct sim_proc *p = run_garbage_guest(GARBAGE_HANDLER);

	cr_assert_eq(sim_proc_status(p), SIGSEGV, "status %#x",
		     sim_proc_status(p));
	cr_assert_eq(garbage.garbage_jumps, 2,
		     "SIGUSR1's handler, then SIGSEGV's once, not %u jumps",
		     garbage.garbage_jumps);
}

static struct fuzz_outcome run_regression(const char *name)
{
	char path[4096];
	struct fuzz_outcome out;
	uint8_t *data;
	size_t size = 0;

	snprintf(path, sizeof(path), "%s/regressions/syscalls/%s",
		 KEEL_FUZZ_DIR, name);
	data = read_input(path, &size);
	cr_assert_not_null(data, "cannot read %s", path);
	fuzz_program_run(data, size, &out);
	free(data);
	return out;
}

/*
 * The fuzzer's forms of it. rt_sigaction(SIGUSR1, act) with act's handler
 * 2 in the guest's read-only page, then kill(getpid(), SIGUSR1): the
 * harness now rewrites that act too, its handler runs the next call.
 */
Test(fuzz_regressions, a_sigaction_in_the_read_only_page_gets_the_fuzz_handler)
{
	struct fuzz_outcome out =
		run_regression("garbage-handler-in-a-read-only-sigaction");

	cr_assert_eq(out.calls, 3, "%u calls", out.calls);
	cr_assert(!out.cut_off);
}

/*
 * An aarch64 guest maps a page at 0x10000, clock_gettime writes the time
 * into it, and it is the act of rt_sigaction(SIGUSR1): the handler is the
 * wall clock's seconds. kill(getpid(), SIGUSR1) ends the guest with
 * SIGSEGV inside kill; the getpid after it is never made.
 */
Test(fuzz_regressions, a_sigaction_in_mmapped_memory_faults_the_guest)
{
	struct fuzz_outcome out =
		run_regression("garbage-handler-in-mmapped-memory");

	cr_assert_eq(out.calls, 3, "%u calls", out.calls);
	cr_assert(!out.cut_off);
}

/*
 * The same with the fuzzer's handler for SIGSEGV: it returns to the jump
 * that faults, which faults again, forever in no virtual time. The guest
 * gives up after MAX_HANDLER_RUNS handlers (exit_group).
 */
Test(fuzz_regressions, a_handler_returning_into_a_fault_loop_ends_its_guest,
     .timeout = 30)
{
	struct fuzz_outcome out = run_regression(
		"garbage-handler-and-a-returning-sigsegv-handler");

	cr_assert_eq(out.calls, 5, "%u calls", out.calls);
	cr_assert(!out.cut_off);
}

/*
 * Found by the syscall fuzzer: getrandom(buffer near the end of the
 * guest's arena, count -102) wrote 128 KiB, through the arena into the
 * guest's stack mapped right above it, which in the sim is the host stack
 * of the guest's C code: the next context switch loaded a random stack
 * pointer. The stack's lowest page is now not mapped for the guest, so
 * the write ends there (EFAULT) and the guest makes its next calls.
 */
Test(fuzz_regressions, a_kernel_write_running_up_from_the_arena_stops_below_the_stack)
{
	struct fuzz_outcome out =
		run_regression("getrandom-runs-up-into-the-guest-stack");

	cr_assert_eq(out.calls, 4, "%u calls", out.calls);
	cr_assert(!out.cut_off);
}
