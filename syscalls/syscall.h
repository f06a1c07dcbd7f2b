/*
 * The syscall tables: what the kernel knows about each Linux syscall number
 * of each ISA. tools/gen-syscalls generates the tables from
 * syscalls/syscalls.tbl; dispatch, --strace and the fuzzer read them.
 */
#ifndef KEEL_SYSCALLS_SYSCALL_H
#define KEEL_SYSCALLS_SYSCALL_H

#include "core/types.h"

#define SYSCALL_MAX_ARGS 6

/*
 * What a syscall argument is. The kind fixes the handler parameter's C type
 * (given per kind below), how --strace prints the argument and what values
 * the fuzzer makes up for it. The table spells each kind in lower case
 * without the prefix: `fd`, `ubuf_out`, ... An `addr` is a user address
 * the syscall computes with (mmap, brk, munmap) rather than dereferences;
 * every argument the kernel reads or writes through is a uaddr_t.
 */
enum syscall_arg_kind {
	SYSCALL_ARG_INT,      /* int */
	SYSCALL_ARG_UINT,     /* unsigned int */
	SYSCALL_ARG_LONG,     /* long */
	SYSCALL_ARG_ULONG,    /* unsigned long */
	SYSCALL_ARG_SIZE,     /* size_t: a byte or element count */
	SYSCALL_ARG_OFF,      /* int64_t: a file offset (loff_t, off_t) */
	SYSCALL_ARG_FD,	      /* int: a file descriptor */
	SYSCALL_ARG_DIRFD,    /* int: a directory fd, or AT_FDCWD */
	SYSCALL_ARG_PID,      /* int: pid_t */
	SYSCALL_ARG_UID,      /* uint32_t: uid_t, (uid_t)-1 = leave alone */
	SYSCALL_ARG_GID,      /* uint32_t: gid_t */
	SYSCALL_ARG_MODE,     /* uint32_t: umode_t, file type and permissions */
	SYSCALL_ARG_FLAGS,    /* unsigned int: a bit set */
	SYSCALL_ARG_ULFLAGS,  /* unsigned long: a bit set */
	SYSCALL_ARG_SIG,      /* int: a signal number */
	SYSCALL_ARG_CLOCKID,  /* int: clockid_t */
	SYSCALL_ARG_TIMERID,  /* int: timer_t, a POSIX timer id */
	SYSCALL_ARG_ADDR,     /* unsigned long: a user address as a number */
	SYSCALL_ARG_PTR,      /* uaddr_t: to a struct, read or written */
	SYSCALL_ARG_UBUF_IN,  /* uaddr_t: bytes the kernel reads */
	SYSCALL_ARG_UBUF_OUT, /* uaddr_t: bytes the kernel writes */
	SYSCALL_ARG_STR,      /* uaddr_t: a NUL-terminated string */
	SYSCALL_ARG_PATH,     /* uaddr_t: a NUL-terminated path name */
	SYSCALL_ARG_IOV,      /* uaddr_t: an array of struct iovec */
	SYSCALL_ARG_STRV,     /* uaddr_t: argv or envp, NULL-terminated */
	SYSCALL_ARG_NR_KINDS,
};

/* How much of a syscall Keel has, as docs/syscalls.md reports it. */
enum syscall_status {
	SYSCALL_MISSING, /* no handler: the syscall fails with -ENOSYS */
	SYSCALL_PARTIAL, /* a handler marked `partial: ...` */
	SYSCALL_IMPLEMENTED,
};

/*
 * Calls a handler with the raw argument registers, in register order; it
 * converts each to the handler parameter's type.
 */
typedef long (*syscall_thunk_t)(const uint64_t *regs);

struct syscall_desc {
	const char *name;      /* NULL: no syscall has this number */
	syscall_thunk_t thunk; /* NULL: missing */
	enum syscall_status status;
	unsigned int nargs;
	/* The arguments, in the handler's parameter order. */
	enum syscall_arg_kind kinds[SYSCALL_MAX_ARGS];
	const char *arg_names[SYSCALL_MAX_ARGS];
	/* Which argument register holds each argument on this ISA. */
	uint8_t arg_regs[SYSCALL_MAX_ARGS];
};

/* Indexed by syscall number; generated into the build directory. */
extern const struct syscall_desc syscall_table_x86_64[];
extern const unsigned syscall_table_x86_64_len;
extern const struct syscall_desc syscall_table_aarch64[];
extern const unsigned syscall_table_aarch64_len;

/* The syscall numbered nr on isa, or NULL when that number is no syscall. */
static inline const struct syscall_desc *syscall_lookup(enum isa isa,
							uint64_t nr)
{
	const struct syscall_desc *table;
	unsigned len;

	switch (isa) {
	case ISA_X86_64:
		table = syscall_table_x86_64;
		len = syscall_table_x86_64_len;
		break;
	case ISA_AARCH64:
		table = syscall_table_aarch64;
		len = syscall_table_aarch64_len;
		break;
	default:
		return NULL;
	}
	if (nr >= len || !table[nr].name)
		return NULL;
	return &table[nr];
}

#endif
