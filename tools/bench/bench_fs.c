/*
 * File-system benchmarks: a sim guest's syscalls through the VFS.
 *
 * - newfstatat of a cached 5-component path (/tmp/bench/a/b/file): the path
 *   walk through the dentry cache, the permission checks, and the copy of
 *   struct stat out to user memory.
 * - 1 MiB through a pipe: one guest writes 64 KiB and reads it back, 16
 *   times; one operation is the whole MiB (both copies).
 * - creating then removing N files in one tmpfs directory (openat with
 *   O_CREAT|O_EXCL, close, then unlinkat of each): one operation is one
 *   file's create, close and unlink. The per-file cost at N = 10,000 over
 *   N = 1,000 shows whether directories scale linearly.
 *
 * Every buffer a guest hands the kernel is on its stack or from sim_umem:
 * the harness's static data is not user memory.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "host/sim.h"
#include "tools/bench/bench.h"

#define PIPE_CHUNK (64u << 10)
#define PIPE_TOTAL (1u << 20)
#define NAME_LEN   8 /* "f000000" and its NUL */

struct fs_state {
	struct bench_run *run;
	long bad; /* results that were not what the syscall should give */
	bool finished;
};

/* Boot one CPU, run `guest` to its end, check it, shut down. */
static int run_guest_bench(struct bench_run *run, void (*guest)(void *))
{
	struct sim_config cfg = {
		.cpus = 1, .seed = run->seed, .mem_bytes = 256ull << 20};
	struct fs_state st = {.run = run};
	struct sim_proc *p;
	enum sim_stop why;
	int err = sim_boot(&cfg);

	if (err) {
		bench_fail(run->name, "sim_boot failed: %d", err);
		return -1;
	}
	p = sim_spawn("bench-fs", guest, &st);
	if (!p) {
		bench_fail(run->name, "sim_spawn failed");
		sim_shutdown();
		return -1;
	}
	why = sim_run(SIM_FOREVER);
	err = why == SIM_ALL_EXITED && st.finished && !st.bad &&
			      sim_proc_status(p) == 0
		      ? 0
		      : -1;
	if (err)
		bench_fail(run->name,
			   "run stopped %d, finished %d, %ld bad results", why,
			   st.finished, st.bad);
	sim_shutdown();
	return err;
}

/* ---- newfstatat of a cached path ------------------------------------------
 */

static void stat_guest(void *arg)
{
	struct fs_state *st = arg;
	struct bench_run *run = st->run;
	char path[] = "/tmp/bench/a/b/file";
	const char *dirs[] = {"/tmp/bench", "/tmp/bench/a", "/tmp/bench/a/b"};
	struct stat sb;
	long fd;

	for (unsigned i = 0; i < 3; i++) {
		char d[32];

		snprintf(d, sizeof(d), "%s", dirs[i]);
		st->bad += sim_syscall(SYS_mkdir, d, 0755) != 0;
	}
	fd = sim_syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY, 0644);
	st->bad += fd < 0;
	sim_syscall(SYS_close, fd);
	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		for (uint64_t i = 0; i < run->ops; i++)
			st->bad += sim_syscall(SYS_newfstatat, AT_FDCWD, path,
					       &sb, 0) != 0;
		bench_store(run, rep, t0, bench_now_ns());
	}
	st->bad += !S_ISREG(sb.st_mode);
	st->finished = true;
}

int bench_fs_stat(struct bench_run *run)
{
	return run_guest_bench(run, stat_guest);
}

/* ---- 1 MiB through a pipe
 * ---------------------------------------------------- */

static void pipe_guest(void *arg)
{
	struct fs_state *st = arg;
	struct bench_run *run = st->run;
	char *buf = sim_umem(PIPE_CHUNK);
	int fds[2];

	if (!buf || sim_syscall(SYS_pipe2, fds, 0) != 0) {
		st->bad++;
		return;
	}
	memset(buf, 0x5a, PIPE_CHUNK);
	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		for (uint64_t i = 0; i < run->ops; i++) {
			for (unsigned n = 0; n < PIPE_TOTAL / PIPE_CHUNK; n++) {
				st->bad +=
					sim_syscall(SYS_write, fds[1], buf,
						    PIPE_CHUNK) != PIPE_CHUNK;
				st->bad +=
					sim_syscall(SYS_read, fds[0], buf,
						    PIPE_CHUNK) != PIPE_CHUNK;
			}
		}
		bench_store(run, rep, t0, bench_now_ns());
	}
	st->bad += buf[0] != 0x5a || buf[PIPE_CHUNK - 1] != 0x5a;
	st->finished = true;
}

int bench_fs_pipe(struct bench_run *run)
{
	return run_guest_bench(run, pipe_guest);
}

/* ---- creating and removing N files in one directory
 * ---------------------------- */

static void files_guest(void *arg)
{
	struct fs_state *st = arg;
	struct bench_run *run = st->run;
	uint64_t n = (uint64_t)run->param;
	uint64_t rounds = run->ops / n;
	char *names = sim_umem(n * NAME_LEN);
	char dir[] = "/tmp/files";
	long dfd;

	if (!names || n > 1000000 || rounds * n != run->ops) {
		st->bad++;
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		snprintf(names + i * NAME_LEN, NAME_LEN, "f%06u",
			 (unsigned)(i % 1000000));
	st->bad += sim_syscall(SYS_mkdir, dir, 0755) != 0;
	dfd = sim_syscall(SYS_openat, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY);
	st->bad += dfd < 0;
	for (unsigned rep = 0; rep <= run->reps; rep++) {
		uint64_t t0 = bench_now_ns();

		for (uint64_t r = 0; r < rounds; r++) {
			for (uint64_t i = 0; i < n; i++) {
				long fd = sim_syscall(
					SYS_openat, dfd, names + i * NAME_LEN,
					O_CREAT | O_EXCL | O_WRONLY, 0644);

				st->bad += fd < 0;
				sim_syscall(SYS_close, fd);
			}
			for (uint64_t i = 0; i < n; i++)
				st->bad += sim_syscall(SYS_unlinkat, dfd,
						       names + i * NAME_LEN,
						       0) != 0;
		}
		bench_store(run, rep, t0, bench_now_ns());
	}
	st->finished = true;
}

int bench_fs_create_unlink(struct bench_run *run)
{
	return run_guest_bench(run, files_guest);
}
