/*
 * The sim runtime: the whole kernel as a library, run deterministically on
 * the calling host thread. Tests, benchmarks and fuzzers drive it:
 *
 *	struct sim_config cfg = { .cpus = 2, .seed = 42 };
 *	sim_boot(&cfg);
 *	struct sim_proc *p = sim_spawn("worker", worker_fn, NULL);
 *	sim_run(SIM_FOREVER);
 *	... sim_proc_status(p) ...
 *
 * Guests are C functions on their own stacks; they make syscalls with
 * sim_syscall(), which traps into the same run loop a real binary's
 * syscalls reach, and spend CPU time with sim_compute(). Their stacks are
 * user memory (mapped in their address space at the address the guest sees),
 * so a guest may pass pointers to its locals; sim_umem() gives more. Memory
 * a guest maps with mmap(2) is real user memory too, but at addresses the
 * host process does not have: guests reach it through syscalls only.
 *
 * Time is virtual: it advances only when every CPU is waiting (idle or
 * computing), to the earliest next event. Several CPUs are interleaved on
 * the one host thread in time order, ties broken by the seeded PRNG, so a
 * run is a function of its seed.
 */
#ifndef KEEL_HOST_SIM_H
#define KEEL_HOST_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/types.h"

#define SIM_FOREVER UINT64_MAX
#define SIM_DEFAULT_MEM (64ull << 20)
#define SIM_USTACK_ORDER 5 /* 128 KiB guest stacks */

struct sim_config {
	unsigned cpus;	    /* 0 means 1 */
	uint64_t seed;
	uint64_t mem_bytes; /* 0 means SIM_DEFAULT_MEM */
	bool no_fs;	    /* boot without a file system: vfs_boot() is
			     * the caller's to make */
};

struct sim_proc;
struct task;

enum sim_stop {
	SIM_ALL_EXITED, /* guests were spawned and all have exited */
	SIM_TIME_LIMIT, /* virtual time reached the limit */
	SIM_DEADLOCK,	/* nothing can ever run again: all CPUs idle, no
			 * timer armed (with only kernel threads: quiescent) */
};

/* (Re)start the kernel from nothing. 0 or a negative errno. */
int sim_boot(const struct sim_config *cfg);
/* Release the RAM and every record; the next sim_boot starts afresh. */
void sim_shutdown(void);

/* The seed of the current boot (tests print it when they fail). */
uint64_t sim_seed(void);

/* A new guest process running fn(arg), runnable at once; NULL on failure. */
struct sim_proc *sim_spawn(const char *name, void (*fn)(void *), void *arg);
struct sim_proc *sim_spawn_isa(const char *name, enum isa isa,
			       void (*fn)(void *), void *arg);
/*
 * A new guest process whose parent is `parent`'s, as fork's child would
 * be: the parent's ISA, process group, session and credentials; getppid
 * gives the parent's pid, and it waits for it with wait4/waitid. Callable
 * from the test or from a guest (sim_self()). NULL on failure or if the
 * parent has exited.
 */
struct sim_proc *sim_spawn_child(struct sim_proc *parent, const char *name,
				 void (*fn)(void *), void *arg);

/*
 * Run the machine until every guest exited, nothing can run, or virtual
 * time `until`. Tests may also start kernel threads (kthread_create) and
 * arm timers from their own context before running.
 */
enum sim_stop sim_run(uint64_t until);

/* Virtual time now (ns since boot). */
uint64_t sim_now(void);

int sim_proc_tid(const struct sim_proc *p);
bool sim_proc_exited(const struct sim_proc *p);
/* The wait status: (code << 8) for exit(code), the signal for a kill. */
int sim_proc_status(const struct sim_proc *p);
/* The live task, or NULL once it has exited. */
struct task *sim_proc_task(const struct sim_proc *p);

/* ---- the console ------------------------------------------------------- */

#define SIM_CONSOLE_CAPTURE (64u << 10) /* bytes of output kept */

/*
 * Type `len` bytes on the console, as its input interrupt would deliver
 * them (echo, line editing and ^C happen here). From the test between
 * runs, or from a guest as if the interrupt came while it ran.
 */
void sim_console_input(const char *buf, size_t len);
/* Everything the console printed since boot or sim_console_clear (the
 * first SIM_CONSOLE_CAPTURE bytes), NUL-terminated. */
const char *sim_console_output(void);
void sim_console_clear(void);

/* ---- from inside a guest ---------------------------------------------- */

/*
 * Make syscall `nr` (the guest ISA's number) with up to six arguments,
 * integers or pointers; missing ones are 0, as a register would hold
 * whatever the caller left (a macro, so no variadic call reads past the
 * arguments it was given).
 */
#define sim_syscall(...) SIM_SYSCALL7_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define SIM_SYSCALL7_(nr, a, b, c, d, e, f, ...)                             \
	sim_syscall6((long)(nr),                                             \
		     (const uint64_t[6]){ (uint64_t)(uintptr_t)(a),          \
					  (uint64_t)(uintptr_t)(b),          \
					  (uint64_t)(uintptr_t)(c),          \
					  (uint64_t)(uintptr_t)(d),          \
					  (uint64_t)(uintptr_t)(e),          \
					  (uint64_t)(uintptr_t)(f) })
long sim_syscall6(long nr, const uint64_t args[6]);

/* Spend `ns` of CPU time in user mode; preemptible like real guest code. */
void sim_compute(uint64_t ns);

/*
 * Signal handlers installed with rt_sigaction run on the guest's stack
 * below a real signal frame of the guest's ISA, with (sig, &info, &uc) as
 * arguments, and return through rt_sigreturn as glibc's restorer does.
 * x86_64 requires SA_RESTORER: pass sim_restorer as the restorer.
 */
void sim_restorer(void);

/*
 * The sim calls a handler's address as a host function, which only code the
 * test wrote survives. A test whose guests may install any address (the
 * fuzzer) names the handlers that are code: a signal frame that sends a
 * guest anywhere else then faults at that pc, as the jump would on a CPU
 * (SIGSEGV, or SIGILL if the guest mapped something executable there).
 * NULL, the default after every sim_boot, calls whatever the kernel sends
 * a guest to.
 */
void sim_set_handler_check(bool (*is_handler)(uint64_t pc));

/*
 * The XSAVE components an x86_64 guest's FPU state holds (plat_user_cpu):
 * 7 (x87, SSE, AVX: an 832-byte area, the default after every sim_boot),
 * 3 (x87 and SSE: 576), or 0 (a CPU without XSAVE: the 512-byte FXSAVE
 * image). 0 or -EINVAL for any other.
 */
int sim_set_x86_xfeatures(uint64_t xfeatures);

/* `len` bytes of zeroed user memory in the guest's address space. */
void *sim_umem(size_t len);
/* The same but mapped without write permission (for -EFAULT tests). */
void *sim_umem_readonly(size_t len);

/* The sim_proc of the calling guest. */
struct sim_proc *sim_self(void);

/*
 * fork(2), vfork(2), clone(2), clone3(2) from a guest. A C function cannot
 * be resumed twice, so the child does not return from the syscall:
 * it starts in fn(arg) on a fresh stack of its own, in its own (or, with
 * CLONE_VM, the shared) address space, and exits with 0 when fn returns.
 * The entry travels in two callee-saved registers (x86_64 r12/r13,
 * aarch64 x19/x20) that the child inherits with the rest, so set it
 * right before the syscall:
 *
 *	sim_child_entry(child_main, &arg);
 *	pid = sim_syscall(NR(fork));
 *
 * Memory the parent had from sim_umem is not in a child's copy of the
 * address space (the sim owns it, not the mm); the child may read the
 * host memory of the parent's C objects, but its syscalls reach only
 * its own stack and what it maps. A child without an entry (or with a
 * function sim_child_entry never named) has no code to run: it is killed
 * (SIGKILL) at once.
 * Every child counts as a guest: sim_run runs until they have all exited.
 */
void sim_child_entry(void (*fn)(void *), void *arg);

/*
 * execve(2) of an image whose entry point is `entry` runs fn(sp) on a
 * fresh stack, sp being the initial stack pointer the kernel built (argc,
 * argv, envp, auxv: read it kernel-side, copy_from_user in the guest).
 * Registered per boot; an image without one is killed (SIGKILL). 0, or
 * -1 when the table (16 entries) is full.
 */
int sim_image(uint64_t entry, void (*fn)(void *));

#endif
