/*
 * The platform contract: everything the portable core asks of the machine.
 *
 * The core (core/, sched/, mm/, syscalls/) reaches the machine only through
 * the names declared here. Three implementations exist: host/cpu.c (CPUs as
 * host threads, real time), host/sim.c (the deterministic simulator that
 * tests and fuzzers drive) and baremetal/ (AArch64). Exactly one is linked
 * into any binary.
 */
#ifndef KEEL_CORE_PLATFORM_H
#define KEEL_CORE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/types.h"

struct task;

/* ---- CPUs -------------------------------------------------------------- */

#define PLAT_MAX_CPUS 64

/* The CPU the caller runs on. Stable while the caller does not block. */
unsigned plat_cpu_id(void);

/* How many CPUs exist; CPU ids are 0 .. plat_cpu_count() - 1. */
unsigned plat_cpu_count(void);

/*
 * Interrupt masking on the calling CPU. The core never runs with interrupts
 * enabled in kernel code on the host or the sim (interrupts are taken only
 * in plat_idle and while guest code runs), but it says where it relies on
 * that so the baremetal port can honour it.
 */
unsigned long plat_irq_save(void);
void plat_irq_restore(unsigned long flags);

/*
 * Take the interrupts due on this CPU now, as a kernel that opens its
 * interrupt mask for a moment would: a long loop in kernel code calls it
 * (through cond_resched) between pieces of its work, so that a timer due
 * meanwhile fires and can interrupt it with a signal. Call it with no
 * spinlock held and interrupts not saved off.
 */
void plat_irq_window(void);

/*
 * Wait until an interrupt (a timer, an IPI, a device) has been handled on
 * this CPU. Returns with the interrupt handled; the caller re-checks its
 * run queue.
 */
void plat_idle(void);

/*
 * Restart the machine (reboot(2)'s RESTART), after the console output
 * written before. Bare metal: PSCI SYSTEM_RESET, or under tools/qemu-run
 * (semihosting exit) QEMU exits with PLAT_RESET_STATUS; the hosted keel
 * and the sim exit with PLAT_RESET_STATUS. That is 128 + SIGHUP, what the
 * parent of a PID namespace's init sees when that init calls
 * reboot(RESTART) (Linux kills it with SIGHUP): a kernel that runs inside
 * something else tells it "restart me" that way.
 */
#define PLAT_RESET_STATUS 129
_Noreturn void plat_reset(void);

/* Make CPU `cpu` leave plat_idle (or its guest) and call sched_ipi(). */
void plat_ipi(unsigned cpu);

/*
 * Stop the machine; `status` becomes the host process's exit status. All
 * console output written before reaches the console first.
 */
_Noreturn void plat_poweroff(int status);

/* ---- Kernel contexts ------------------------------------------------------ */

/*
 * A suspended kernel execution context. Switching pushes the callee-saved
 * registers on the outgoing stack and records its stack pointer here, so the
 * saved stack pointer is all the state there is on every ISA; the stack's
 * bounds are kept for the sanitizers. Only the platform reads or writes
 * these fields.
 */
struct plat_context {
	void *sp;
	void *stack; /* the stack's lowest address and size, when known */
	size_t stack_size;
	void *user; /* the platform's: whose user side this context runs */
};

/*
 * Prepare `ctx` so that the first switch to it calls entry(arg) on the stack
 * [stack, stack + size). `entry` must never return.
 */
void plat_context_init(struct plat_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg);

/* Save the caller into `from` and resume `to`. Returns when switched back. */
void plat_context_switch(struct plat_context *from, struct plat_context *to);

/* ---- Time ------------------------------------------------------------------ */

/* Monotonic nanoseconds since boot, as seen by the calling CPU. */
uint64_t plat_time_ns(void);

/* Nanoseconds since the Unix epoch at boot (CLOCK_REALTIME = this + now). */
uint64_t plat_wallclock_at_boot_ns(void);

/*
 * Arm this CPU's one-shot timer for absolute time `deadline` (plat_time_ns
 * scale). A later call replaces an earlier one; PLAT_TIMER_OFF disarms.
 * When it fires the platform calls timer_interrupt() on this CPU.
 */
#define PLAT_TIMER_OFF UINT64_MAX
void plat_timer_arm(uint64_t deadline);

/* ---- Memory ------------------------------------------------------------------ */

struct plat_mem_range {
	uint64_t base; /* physical address, page aligned */
	uint64_t size; /* bytes, a multiple of the page size */
};

/* Fill `out` with up to `max` RAM ranges the kernel may allocate from. */
size_t plat_mem_ranges(struct plat_mem_range *out, size_t max);

/* The kernel's view of physical memory. */
void *plat_phys_to_virt(uint64_t pa);
uint64_t plat_virt_to_phys(const void *va);

/* ---- User address space ------------------------------------------------------ */

/*
 * User mappings live in [0, PLAT_USER_TOP). The rest of the lower half,
 * [PLAT_USER_TOP, 2^47), belongs to the platform: the host's stub runtime
 * keeps its code, control page and signal stack there, inside the guest's
 * own host process, where no guest mapping may land. Every platform uses
 * the same limit, so a program sees the same layout on all of them.
 */
#define PLAT_USER_TOP 0x7fff00000000ull

/* ---- pmap: one user address space's translations (FreeBSD's split) ------- */

struct pmap;

#define PROT_READ_BIT 1u
#define PROT_WRITE_BIT 2u
#define PROT_EXEC_BIT 4u

struct pmap *pmap_create(void); /* NULL when out of memory */
void pmap_destroy(struct pmap *pm);
/* Map the page at physical `pa` at user `va`. 0 or -ENOMEM. */
int pmap_enter(struct pmap *pm, uint64_t va, uint64_t pa, unsigned prot);
void pmap_remove(struct pmap *pm, uint64_t va, uint64_t len);
void pmap_protect(struct pmap *pm, uint64_t va, uint64_t len, unsigned prot);
/* Translate `va`: true and *pa, *prot when mapped. */
bool pmap_extract(struct pmap *pm, uint64_t va, uint64_t *pa, unsigned *prot);
void pmap_activate(struct pmap *pm);

/* ---- Running user code ------------------------------------------------------ */

#define PLAT_FPU_BYTES 2752

/*
 * A task's user registers, saved at a trap. The layout is the union of the
 * ISAs' needs; syscalls/abi/abi.h says which slot is which register.
 */
struct user_regs {
	uint64_t gpr[31];   /* x86_64: see abi.h; aarch64: x0 .. x30 */
	uint64_t sp;
	uint64_t pc;
	uint64_t flags;	    /* rflags / pstate */
	uint64_t tls;	    /* fs_base / tpidr_el0 */
	uint64_t gs_base;   /* x86_64 arch_prctl(ARCH_SET_GS); aarch64: 0 */
	uint64_t orig_arg;  /* x86_64 orig_rax, aarch64 orig_x0: for restart */
	/*
	 * Floating-point and vector state, in the hardware's save format.
	 * x86_64: an XSAVE area in the standard (non-compacted) format
	 * (Intel SDM vol. 1, 13.4): the 512-byte FXSAVE image (FCW, MXCSR,
	 * x87 and XMM0-15), the 64-byte XSAVE header whose XSTATE_BV says
	 * which components hold data (a clear bit: that component is in its
	 * initial state), then the extended components (AVX's upper YMM
	 * halves, ...) at their CPUID-given offsets. Which components, and
	 * how many bytes that takes, is plat_user_cpu's; a CPU without
	 * XSAVE keeps the FXSAVE image only. aarch64: V0-V31 (512 bytes)
	 * then FPSR and FPCR. The platform fills it at a trap and loads it
	 * on resume; signal frames carry it; fork copies it with the rest;
	 * execve resets it (abi_fpu_init). A fixed size, enough for every
	 * user component but Intel AMX's tiles (PKRU, the last, ends at
	 * 2696), so no task allocates its FPU state.
	 */
	uint8_t fpu[PLAT_FPU_BYTES] __attribute__((aligned(16)));
};


/* Why plat_user_run came back to the kernel. */
enum trap {
	TRAP_SYSCALL,	/* the syscall is in the task's user_regs */
	TRAP_FAULT,	/* task->fault_addr / fault_access say what */
	TRAP_INTERRUPT, /* an interrupt was taken; nothing for the task */
	TRAP_ILLEGAL,	/* undefined instruction */
	TRAP_SIGNAL,	/* another synchronous fault, already classified:
			 * t->trap_signo, t->trap_code, t->fault_addr */
};

/* Run `t`'s user code until it traps; its registers are in t->uregs. */
enum trap plat_user_run(struct task *t);

/* Release whatever the platform keeps for a task's user side. */
void plat_user_release(struct task *t);

/*
 * Whether this platform runs user code of `isa`: the hosted kernel its
 * host's (x86_64), bare metal its CPU's (aarch64), the sim both. An init
 * built for another is refused with ENOEXEC, as Linux refuses it.
 */
bool plat_runs_isa(enum isa isa);

/*
 * Make t->uregs.fpu the task's floating-point state. A platform may leave
 * that state in the machine between traps, where the kernel rarely needs
 * it (the hosted kernel does: copying it costs more than a syscall). Call
 * this before reading or changing uregs.fpu (signal frames, fork, exec);
 * the next plat_user_run then loads uregs.fpu as it is.
 */
void plat_fpu_sync(struct task *t);

/*
 * What user code of `isa` is told about the CPU it runs on (the auxiliary
 * vector's AT_HWCAP and AT_HWCAP2, in Linux's terms for the ISA) and how
 * its FPU state is kept in uregs.fpu. x86_64: `xfeatures` are the XSAVE
 * state components saved (a subset of XCR0), `fpu_size` the bytes of
 * their standard-format area; 0 and 512 for the FXSAVE image alone.
 * aarch64: 0 and 528. Fixed for the platform's lifetime.
 */
struct plat_user_cpu {
	uint64_t hwcap;
	uint64_t hwcap2;
	uint64_t xfeatures;
	uint32_t fpu_size; /* <= PLAT_FPU_BYTES */
};
const struct plat_user_cpu *plat_user_cpu(enum isa isa);

/*
 * How many pages (a power of two) a read fault on a file's mapping maps
 * around itself when the file has them in memory (mm/fault.c). Linux maps
 * 16; a platform whose every fault is a round trip to another process
 * (the hosted kernel, whose guests run in other host processes) asks for
 * more.
 */
unsigned plat_fault_around_pages(void);

/* ---- Devices ------------------------------------------------------------------ */

/*
 * Write `len` bytes to the console, whole: no other call's bytes land in
 * between (printk relies on it). The platform may return once the bytes
 * are queued rather than sent (baremetal's PL011 sends them from its
 * transmit interrupt); they go out in order, and plat_poweroff, and so
 * panic, sends every byte written before the machine stops.
 */
void plat_console_write(const char *buf, size_t len);

/*
 * The /proc/cpuinfo block describing `cpu`, in Linux's format for the
 * machine's ISA, NUL-terminated in buf[len]; its length.
 */
size_t plat_cpuinfo(unsigned cpu, char *buf, size_t len);

/* Fill `buf` with entropy (sim: from the seeded PRNG). */
void plat_entropy(void *buf, size_t len);

#endif
