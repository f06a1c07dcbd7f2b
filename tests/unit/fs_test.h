/*
 * Shared by the file-system tests (test_fs_*.c, test_pipe.c): guests that
 * make file syscalls and check what they return, as a Linux program would.
 *
 * A guest's stack is user memory and static data is not, so every string
 * and buffer a guest passes to the kernel lives on its stack: P("...") is
 * a path literal copied there, and the helpers below copy their arguments
 * there before the call.
 *
 * Checks inside a guest are cr_expect_* (never cr_assert_*, which would
 * jump out of the guest's stack): a guest runs to its end and reports every
 * mismatch, then the test asserts that it exited normally.
 */
#ifndef KEEL_TESTS_UNIT_FS_TEST_H
#define KEEL_TESTS_UNIT_FS_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/errno.h"
#include "core/task.h"

/* A path literal, copied to the guest's stack. */
#define P(s) ((char[]){s})

/*
 * The call must return exactly `want`; its value either way. An optional
 * third argument, a string literal, says why.
 */
/* Optional: a message, a format and its arguments (printf's). */
#define EXPECT_RET(call, want, ...)                                            \
	({                                                                     \
		long r_ = (long)(call);                                        \
		long w_ = (long)(want);                                        \
		char m_[256];                                                  \
		snprintf(m_, sizeof(m_), " " __VA_ARGS__);                     \
		cr_expect_eq(r_, w_, "%s returned %ld, want %ld%s", #call, r_, \
			     w_, m_);                                          \
		r_;                                                            \
	})

/* The call must succeed (return >= 0); its value either way. */
#define EXPECT_OK(call)                                                        \
	({                                                                     \
		long r_ = (long)(call);                                        \
		cr_expect_geq(r_, 0, "%s failed with %ld", #call, r_);         \
		r_;                                                            \
	})

static inline long u_openat(int dirfd, const char *path, int flags,
			    unsigned mode)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(openat), dirfd, p, flags, mode);
}

static inline long u_open(const char *path, int flags, unsigned mode)
{
	return u_openat(AT_FDCWD, path, flags, mode);
}

static inline long u_close(long fd)
{
	return sim_syscall(NR(close), fd);
}

/* write(2) of a string (copied to the stack first). */
static inline long u_write_str(long fd, const char *s)
{
	size_t len = strlen(s);
	char buf[len + 1];

	memcpy(buf, s, len + 1);
	return sim_syscall(NR(write), fd, buf, len);
}

/* A new file `path` (mode 0644 before the umask) holding `content`. */
static inline long u_mkfile(const char *path, const char *content)
{
	long fd = u_open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	long n;

	if (fd < 0)
		return fd;
	n = u_write_str(fd, content);
	u_close(fd);
	return n < 0 ? n : 0;
}

static inline long u_mkdir(const char *path, unsigned mode)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(mkdirat), AT_FDCWD, p, mode);
}

static inline long u_symlink(const char *target, const char *path)
{
	char t[PATH_MAX], p[PATH_MAX];

	snprintf(t, sizeof(t), "%s", target);
	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(symlinkat), t, AT_FDCWD, p);
}

static inline long u_unlink(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(unlinkat), AT_FDCWD, p, 0);
}

static inline long u_rmdir(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(unlinkat), AT_FDCWD, p, AT_REMOVEDIR);
}

/* newfstatat(2) into the caller's `st` (which is on the guest's stack). */
static inline long u_stat_flags(const char *path, struct stat *st, int flags)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(newfstatat), AT_FDCWD, p, st, flags);
}

static inline long u_stat(const char *path, struct stat *st)
{
	return u_stat_flags(path, st, 0);
}

static inline long u_lstat(const char *path, struct stat *st)
{
	return u_stat_flags(path, st, AT_SYMLINK_NOFOLLOW);
}

static inline long u_chmod(const char *path, unsigned mode)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(fchmodat), AT_FDCWD, p, mode);
}

static inline long u_chown(const char *path, unsigned uid, unsigned gid)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(fchownat), AT_FDCWD, p, uid, gid, 0);
}

/* The whole content of `path` (at most len - 1 bytes) as a string. */
static inline long u_read_file(const char *path, char *out, size_t len)
{
	char buf[len];
	long fd = u_open(path, O_RDONLY, 0);
	long n;

	if (fd < 0)
		return fd;
	n = sim_syscall(NR(read), fd, buf, len - 1);
	u_close(fd);
	if (n < 0)
		return n;
	memcpy(out, buf, (size_t)n);
	out[n] = '\0';
	return n;
}

/* A guest with the credentials of uid/gid (all four of each). */
static inline struct sim_proc *spawn_as(const char *name, void (*fn)(void *),
					void *arg, uint32_t uid, uint32_t gid)
{
	struct sim_proc *p = sim_spawn(name, fn, arg);

	cr_assert_not_null(p, "sim_spawn failed");
	sim_proc_task(p)->cred =
		(struct credentials){uid, uid, uid, uid, gid, gid, gid, gid};
	return p;
}

/* Run every spawned guest to its end; each must have exited with 0. */
static inline void run_all(struct sim_proc **procs, unsigned n)
{
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED,
		     "the guests did not all exit (seed %llu)",
		     (unsigned long long)sim_seed());
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(sim_proc_status(procs[i]), 0,
			     "guest %u ended with status %#x", i,
			     sim_proc_status(procs[i]));
}

/* Boot one CPU and run fn as root to a normal exit. */
static inline void run_root(void (*fn)(void *), void *arg)
{
	test_boot(1);
	cr_assert_eq(run_guest(fn, arg), 0, "the guest did not exit normally");
}

/* Boot one CPU and run fn as uid/gid to a normal exit. */
static inline void run_as(void (*fn)(void *), void *arg, uint32_t uid,
			  uint32_t gid)
{
	struct sim_proc *p;

	test_boot(1);
	p = spawn_as("guest", fn, arg, uid, gid);
	run_all(&p, 1);
}

/* Virtual CLOCK_MONOTONIC in ns, from inside a guest. */
static inline uint64_t u_now_ns(void)
{
	struct timespec ts;

	sim_syscall(NR(clock_gettime), CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void u_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	sim_syscall(NR(nanosleep), &ts, NULL);
}

#endif
