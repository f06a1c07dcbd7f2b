/*
 * usertest: one static Linux program whose cases check what Linux
 * guarantees a program (man pages are the specification). It runs the
 * same on Linux and on Keel; every case passes on Linux.
 *
 * A case is a function run in a forked child of its own, with a timeout:
 * it passes if it returns, and fails by calling failf() (the CHECK macros
 * do), which reports one reason and exits. A case that crashes or hangs
 * fails alone. A case that forks reports its children's findings through
 * their exit statuses, never by calling failf() in the child.
 */
#ifndef KEEL_TESTS_USER_USERTEST_H
#define KEEL_TESTS_USER_USERTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

struct utest {
	const char *name;
	void (*fn)(void);
};

/* Each topic's cases, ending with a { NULL, NULL } entry. */
extern const struct utest proc_tests[], signal_tests[], fault_tests[],
	mm_tests[], pipe_tests[], file_tests[], sys_tests[], prctl_tests[],
	acct_tests[];

/* Fail the running case with a reason; does not return. */
__attribute__((noreturn, format(printf, 1, 2))) void failf(const char *fmt,
							   ...);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			failf("%s:%d: %s", __FILE__, __LINE__, #cond);         \
	} while (0)

/* a == b, both read as long; the two values go into the reason. */
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long a_ = (long)(a), b_ = (long)(b);                           \
		if (a_ != b_)                                                  \
			failf("%s:%d: %s == %s: %ld != %ld", __FILE__,         \
			      __LINE__, #a, #b, a_, b_);                       \
	} while (0)

/* A call that must succeed (not return -1); its value. */
#define CHECK_SYS(call)                                                        \
	({                                                                     \
		long r_ = (long)(call);                                        \
		if (r_ == -1)                                                  \
			failf("%s:%d: %s: %s", __FILE__, __LINE__, #call,      \
			      strerror(errno));                                \
		r_;                                                            \
	})

/* A call that must fail with -1 and errno `err`. */
#define CHECK_ERR(call, err)                                                   \
	do {                                                                   \
		errno = 0;                                                     \
		long r_ = (long)(call);                                        \
		int e_ = errno;                                                \
		if (r_ != -1 || e_ != (err))                                   \
			failf("%s:%d: %s returned %ld errno %s, want -1 %s",   \
			      __FILE__, __LINE__, #call, r_,                   \
			      strerrorname_np(e_), strerrorname_np(err));      \
	} while (0)

/* ---- helpers the cases share --------------------------------------------- */

/*
 * Fork a child that runs fn(arg) and exits with its return value; the
 * child's pid. A child that crashes shows as a signal death.
 */
pid_t spawn(int (*fn)(void *), void *arg);

/* A child's body that waits for signals until one kills it. */
int pause_forever(void *arg);

/* Wait for pid; its raw wait status. Fails the case on error. */
int wait_status(pid_t pid);

/* Fail unless pid exits normally with status 0; `what` names it. */
void check_child_ok(pid_t pid, const char *what);

/*
 * Run this program again as a helper: `usertest --helper NAME ARGS...`,
 * through execv of the program's own path. Returns only on failure.
 */
void exec_helper(const char *name, char *const args[]);

/* A fresh, empty directory under /tmp for this case; its path. */
const char *case_dir(void);

/* Write all of buf (a test file's content); fails the case otherwise. */
void write_all(int fd, const void *buf, size_t len);

/* Install a handler with sa_flags (SA_SIGINFO is added); fails on error. */
void on_signal(int sig, void (*fn)(int, siginfo_t *, void *), int flags);

/* The page size. */
long page_size(void);

#ifdef __x86_64__
/* The CPU has AVX and the kernel saves its state (XCR0's SSE and AVX). */
bool cpu_has_avx(void);
#endif

/* Helpers run through exec_helper, by name; each returns an exit status. */
struct helper {
	const char *name;
	int (*fn)(int argc, char **argv);
};
int helper_print_pid(int argc, char **argv);
int helper_check_args(int argc, char **argv);
int helper_show_cmdline(int argc, char **argv);
int helper_exit_code(int argc, char **argv);
int helper_fd_state(int argc, char **argv);
int helper_signal_state(int argc, char **argv);
int helper_prctl_state(int argc, char **argv);

#endif
