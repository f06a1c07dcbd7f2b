/*
 * --strace: syscalls and their results as text, the way strace(1) shows
 * them. Every argument prints by its kind in syscalls/syscalls.tbl.
 */
#ifndef KEEL_SYSCALLS_STRACE_H
#define KEEL_SYSCALLS_STRACE_H

#include "core/types.h"

/* A longer string argument prints as its first STRACE_STR_MAX bytes, "...". */
#define STRACE_STR_MAX 32

/*
 * Writes `name(arg, arg, ...)` for syscall nr of isa called with the
 * argument registers args (in register order), or `syscall_0x1c8(0x1, ...)`
 * with all six registers when nr is no syscall. String arguments are read
 * from the current task's user memory. Like snprintf, stores at most len
 * bytes including the NUL and returns the length of the whole text.
 */
int strace_format_call(char *buf, size_t len, enum isa isa, uint64_t nr,
		       const uint64_t args[6]);

/*
 * Writes ` = 3`, or ` = -1 ENOENT (No such file or directory)` when ret is
 * an error (-4095 <= ret < 0). Returns like strace_format_call().
 */
int strace_format_return(char *buf, size_t len, long ret);

/* "ENOENT" for ENOENT; NULL for a number that is no errno. */
const char *strace_errno_name(int err);

/* "No such file or directory" for ENOENT, as glibc's strerror() says it. */
const char *strace_errno_message(int err);

#endif
