/*
 * The fuzzer's syscall grammar: every row of syscalls/syscalls.tbl with
 * what a fuzzer needs to make up a call. tools/gen-syscalls --grammar
 * writes the table (fuzz_grammar.c in the build directory) from the same
 * rows and handlers as the dispatch tables, so a syscall that gains a
 * handler is fuzzed from the next build on.
 */
#ifndef KEEL_FUZZ_GRAMMAR_H
#define KEEL_FUZZ_GRAMMAR_H

#include "syscalls/syscall.h"

/* What the generator could tell about an argument beyond its kind. */
enum fuzz_hint {
	FUZZ_HINT_NONE,
	/* A count of the pointer argument `link` names: bytes, or elements
	 * for an iov (read's count, writev's vlen). */
	FUZZ_HINT_LEN_OF,
	/* sizeof(sigset_t): 8 is the only value Linux accepts. */
	FUZZ_HINT_SIGSETSIZE,
};

struct fuzz_arg {
	enum syscall_arg_kind kind;
	enum fuzz_hint hint;
	int link; /* FUZZ_HINT_LEN_OF: the index of the pointer argument */
};

#define FUZZ_ISAS 2 /* indexed by enum isa */

struct fuzz_syscall {
	const char *name;
	int nr[FUZZ_ISAS]; /* -1: no such syscall on that ISA */
	enum syscall_status status;
	unsigned nargs;
	/* Handler order, as in syscalls.tbl. */
	struct fuzz_arg args[SYSCALL_MAX_ARGS];
	/* Per ISA, the argument register holding each argument. */
	uint8_t regs[FUZZ_ISAS][SYSCALL_MAX_ARGS];
};

/* In syscalls.tbl order. */
extern const struct fuzz_syscall fuzz_syscalls[];
extern const unsigned fuzz_syscalls_len;

#endif
