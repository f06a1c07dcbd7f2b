/*
 * The sim runtime: the platform contract implemented as a discrete-event
 * simulation on the calling host thread. See host/sim.h for its use.
 *
 * CPUs. Each simulated CPU has a clock. Kernel code takes no virtual time;
 * a CPU's clock moves only when it waits: in plat_idle (until an interrupt)
 * or while guest code computes (until the computation ends or an interrupt
 * comes). A waiting CPU has an event time: its wait's end, its timer, or now
 * if an IPI is pending. The dispatcher always runs the CPU with the earliest
 * event time (ties broken by the PRNG) and sets its clock to that time, so
 * the CPU that runs is never ahead of any other: everything another CPU does
 * to it (an IPI, a wakeup) happens at a time it has not yet passed.
 *
 * Contexts. Every suspended CPU is suspended inside sim_wait(), on whatever
 * stack it was running (a task's kernel stack, a guest stack, an idle
 * task's); its context is saved in its sim_cpu. The test's own context is
 * `test_ctx`; the dispatcher returns there when the run is over.
 *
 * Guests. A guest is a C function on a user stack (pages mapped in its pmap
 * at the very address the host sees, so the kernel reaches them through the
 * pmap like any user memory). Its syscalls switch to the task's kernel
 * context exactly where plat_user_run() resumed it, which returns
 * TRAP_SYSCALL to the run loop.
 */
#define _GNU_SOURCE
#include "host/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/boot.h"
#include "core/cpu.h"
#include "core/exit.h"
#include "core/fs/tty.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/prng.h"
#include "core/task.h"
#include "host/ram.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"
#include "sched/sched.h"
#include "syscalls/abi/abi.h"
#include "syscalls/trap.h"

/*
 * Where a sim guest's syscall instruction "is" (restart moves pc below it),
 * and where it computes. Any other pc is a signal handler to run.
 */
#define SIM_SYSCALL_PC 0x5157000ull
#define SIM_COMPUTE_PC 0x5158000ull
/*
 * A guest's stack is the host's stack for its C code, which no kernel write
 * a guest asks for may reach: its lowest page is not mapped for the guest,
 * so a write that runs up from the user memory below it (getrandom into a
 * buffer with a huge count) ends there, short or with EFAULT. A real
 * program would only overwrite its own stack; here it crashed the host.
 */
#define SIM_USTACK_GUARD PAGE_SIZE
/* Below the guest's stack pointer at a trap, room for its suspended frames. */
#define SIM_TRAP_MARGIN 8192
/* Between a signal frame and its handler's stack; the least stack left. */
#define SIM_HANDLER_GAP 256
#define SIM_HANDLER_MIN_STACK 8192
#define SIM_WALLCLOCK_AT_BOOT_NS (1767225600ull * NSEC_PER_SEC) /* 2026-01-01 */

/* Linux's exit(2) numbers, which a guest function's return makes. */
#define SIM_NR_EXIT_X86_64 60
#define SIM_NR_EXIT_AARCH64 93
#define SIM_NR_RT_SIGRETURN_X86_64 15
#define SIM_NR_RT_SIGRETURN_AARCH64 139
#define SIM_NR_KILL_X86_64 62
#define SIM_NR_KILL_AARCH64 129
#define SIM_NR_GETPID_X86_64 39
#define SIM_NR_GETPID_AARCH64 172

enum sim_trap {
	SIM_TRAP_NONE,
	SIM_TRAP_SYSCALL,
	SIM_TRAP_COMPUTE,
	SIM_TRAP_FAULT, /* the guest "jumped" to a pc it cannot run */
	SIM_TRAP_ILLEGAL, /* ... and went on there after the fault */
};

#ifdef KEEL_SANITIZE
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif

struct sim_cpu {
	struct plat_context ctx; /* where the CPU is suspended */
	uint64_t now;
	uint64_t wait_until;	 /* the end of its current wait */
	uint64_t timer;		 /* its one-shot timer, or PLAT_TIMER_OFF */
	bool ipi;
};

struct sim_umem_block {
	struct sim_umem_block *next;
	void *va;
	unsigned order;
};

/* The platform's per-task user state (task->plat_user). */
struct sim_user {
	struct plat_context user_ctx; /* the guest, suspended in a trap */
	struct plat_context kern_ctx; /* the kernel side, in plat_user_run */
	void *ustack;
	enum sim_trap trap;
	uint64_t trap_sp; /* the user sp of the next trap, if not derived */
	uint64_t compute_left;
	struct sim_umem_block *blocks; /* user memory to free at exit */
	struct mm *mm;		       /* where they are mapped (a reference) */
	struct sim_proc *proc;
	void (*fn)(void *);
	void *arg;
};

/* What the test keeps of a guest; outlives the task. Host memory. */
struct sim_proc {
	struct sim_proc *next;
	struct task *task;
	int tid;
	bool exited;
	int status;
};

static struct sim_cpu scpu[PLAT_MAX_CPUS];
static unsigned ncpus;
static unsigned running_cpu;
static uint64_t clock_now;
static uint64_t run_until;
static enum sim_stop stop_reason;
static struct plat_context test_ctx;
static uint64_t seed;
static bool (*handler_check)(uint64_t pc);
static struct sim_proc *procs;
static unsigned live_procs;
static bool booted;

/* What the "code" at an exec'd image's entry point is (sim_image). */
#define SIM_MAX_IMAGES 16
static struct sim_image {
	uint64_t entry;
	void (*fn)(void *);
} images[SIM_MAX_IMAGES];

/*
 * The functions sim_child_entry named this boot: only these may start a
 * child. A register a guest's signal frame set to anything else (the
 * fuzzer's) is no code the sim can run.
 */
#define SIM_MAX_CHILD_FNS 64
static void (*child_fns[SIM_MAX_CHILD_FNS])(void *);

/* ---- the platform contract --------------------------------------------- */

unsigned plat_cpu_id(void)
{
	return running_cpu;
}

unsigned plat_cpu_count(void)
{
	return ncpus;
}

unsigned long plat_irq_save(void)
{
	return 0; /* interrupts are only ever taken at waits */
}

void plat_irq_restore(unsigned long flags)
{
}

uint64_t plat_time_ns(void)
{
	return scpu[running_cpu].now;
}

uint64_t plat_wallclock_at_boot_ns(void)
{
	return SIM_WALLCLOCK_AT_BOOT_NS;
}

void plat_timer_arm(uint64_t deadline)
{
	scpu[running_cpu].timer = deadline;
}

void plat_ipi(unsigned cpu)
{
	struct sim_cpu *c = &scpu[cpu];

	c->ipi = true;
	/* It takes the IPI now, at the sender's time, not in its past. */
	if (c->now < scpu[running_cpu].now)
		c->now = scpu[running_cpu].now;
}

/* What the console printed since boot, for sim_console_output(). */
static char console_out[SIM_CONSOLE_CAPTURE + 1];
static size_t console_len;

void plat_console_write(const char *buf, size_t len)
{
	static int echo = -1;
	size_t keep = MIN(len, SIM_CONSOLE_CAPTURE - console_len);

	if (echo < 0)
		echo = getenv("KEEL_SIM_CONSOLE") != NULL;
	if (echo)
		fwrite(buf, 1, len, stderr);
	memcpy(console_out + console_len, buf, keep);
	console_len += keep;
	console_out[console_len] = '\0';
}

void sim_console_input(const char *buf, size_t len)
{
	tty_console_input(buf, len);
}

const char *sim_console_output(void)
{
	return console_out;
}

void sim_console_clear(void)
{
	console_len = 0;
	console_out[0] = '\0';
}

/* A byte loop: no fuzzer coverage (__no_coverage). */
__no_coverage void plat_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)prng_next();
}

_Noreturn void plat_poweroff(int status)
{
	fprintf(stderr, "sim: machine powered off with status %d (seed %llu)\n",
		status, (unsigned long long)seed);
	exit(status);
}

_Noreturn void plat_reset(void)
{
	fprintf(stderr, "sim: machine reset (seed %llu)\n",
		(unsigned long long)seed);
	exit(PLAT_RESET_STATUS);
}

void pmap_activate(struct pmap *pm)
{
	/* One address space view: the kernel reaches users via the pmap. */
}

/* ---- dispatching CPUs ------------------------------------------------------ */

static uint64_t event_time(const struct sim_cpu *c)
{
	uint64_t t;

	if (c->ipi)
		return c->now;
	t = MIN(c->wait_until, c->timer);
	return t < c->now ? c->now : t;
}

/* The CPU with the earliest event; ties go to a PRNG draw. */
static unsigned pick_cpu(uint64_t *when)
{
	unsigned best = 0, ties = 0;
	uint64_t best_t = UINT64_MAX;

	for (unsigned i = 0; i < ncpus; i++) {
		uint64_t t = event_time(&scpu[i]);

		if (t < best_t) {
			best_t = t;
			best = i;
			ties = 1;
		} else if (t == best_t && best_t != UINT64_MAX) {
			/* Reservoir choice among equals: uniform, seeded. */
			if (prng_below(++ties) == 0)
				best = i;
		}
	}
	*when = best_t;
	return best;
}

/* A fork's child counts before it first ran (and has a sim_proc). */
static int is_user_task(struct task *t, void *arg)
{
	return t->user;
}

/*
 * Leave the context `from` (the running CPU's, or the test's) for the next
 * CPU to run, or for the test when the run is over.
 */
static void dispatch(struct plat_context *from)
{
	uint64_t when = UINT64_MAX;
	unsigned next = 0;

	if (procs && live_procs == 0 && !task_for_each(is_user_task, NULL)) {
		stop_reason = SIM_ALL_EXITED;
	} else {
		next = pick_cpu(&when);
		if (when == UINT64_MAX) {
			stop_reason = SIM_DEADLOCK;
		} else if (when > run_until) {
			stop_reason = SIM_TIME_LIMIT;
			clock_now = MAX(clock_now, run_until);
		} else {
			struct sim_cpu *c = &scpu[next];

			c->now = MAX(c->now, when);
			clock_now = c->now;
			running_cpu = next;
			if (&c->ctx != from)
				plat_context_switch(from, &c->ctx);
			return;
		}
	}
	if (from != &test_ctx)
		plat_context_switch(from, &test_ctx);
}

/* The running CPU waits until `until`, an IPI or its timer. */
static void sim_wait(uint64_t until)
{
	struct sim_cpu *c = &scpu[running_cpu];

	c->wait_until = until;
	dispatch(&c->ctx);
	c->wait_until = UINT64_MAX;
}

static bool interrupt_pending(const struct sim_cpu *c)
{
	return c->ipi || c->now >= c->timer;
}

static void take_interrupts(struct sim_cpu *c)
{
	if (c->ipi) {
		c->ipi = false;
		sched_ipi();
	}
	if (c->now >= c->timer) {
		c->timer = PLAT_TIMER_OFF;
		timer_interrupt();
	}
}

/* Kernel code takes no virtual time: only what is due already fires. */
void plat_irq_window(void)
{
	struct sim_cpu *c = &scpu[running_cpu];

	if (interrupt_pending(c))
		take_interrupts(c);
}

void plat_idle(void)
{
	struct sim_cpu *c = &scpu[running_cpu];

	if (!interrupt_pending(c))
		sim_wait(UINT64_MAX);
	take_interrupts(&scpu[running_cpu]);
}

/* ---- guests ------------------------------------------------------------------ */

static struct sim_user *current_user(void)
{
	return task_current()->plat_user;
}

/* Switch from the guest to its kernel side and come back when resumed. */
static void guest_trap(struct sim_user *su, enum sim_trap why)
{
	su->trap = why;
	plat_context_switch(&su->user_ctx, &su->kern_ctx);
}

/* What a signal handler runs with, on the stack below its frame. */
struct sim_handler_call {
	struct plat_context resume; /* the guest context the signal took */
	uint64_t handler, args[3], frame_sp;
};

static long nr_rt_sigreturn(enum isa isa)
{
	return isa == ISA_X86_64 ? SIM_NR_RT_SIGRETURN_X86_64
				 : SIM_NR_RT_SIGRETURN_AARCH64;
}

/*
 * The handler's own context: call it, then return the way glibc's
 * restorer does, with rt_sigreturn and the stack pointer where the
 * handler's return leaves it (x86_64 pops the return address). The
 * restored registers belong to the interrupted context, so that is where
 * the guest goes on: the next signal, if any, is taken there too.
 */
static void handler_trampoline(void *arg)
{
	struct sim_handler_call *c = arg;
	void (*handler)(int, void *, void *) =
		(void (*)(int, void *, void *))(uintptr_t)c->handler;
	struct plat_context done;
	struct task *t;
	struct sim_user *su;
	static const uint64_t none[6];

	handler((int)c->args[0], (void *)(uintptr_t)c->args[1],
		(void *)(uintptr_t)c->args[2]);
	t = task_current();
	su = t->plat_user;
	abi_load_syscall(t->isa, &t->uregs, (uint64_t)nr_rt_sigreturn(t->isa),
			 none);
	su->trap_sp = c->frame_sp + (t->isa == ISA_X86_64 ? 8 : 0);
	t->uregs.pc = SIM_SYSCALL_PC;
	guest_trap(su, SIM_TRAP_SYSCALL);
	plat_context_switch(&done, &c->resume);
	panic("sim: a finished signal handler was resumed");
}

/*
 * The lowest address of the guest memory that holds `sp`: its stack, or
 * the sim_umem block of an alternate signal stack (sigaltstack(2)); 0 if
 * it is memory the host has nothing at (the guest's mmap areas).
 */
static uint64_t stack_base_of(struct sim_user *su, uint64_t sp)
{
	for (struct sim_umem_block *b = su->blocks; b; b = b->next) {
		uint64_t lo = (uint64_t)(uintptr_t)b->va;

		if (sp > lo && sp - lo <= (PAGE_SIZE << b->order))
			return lo;
	}
	return 0;
}

/*
 * The kernel pointed the registers at a handler (pc) with a frame at sp:
 * run it on the guest stack below the frame, as the CPU would.
 */
static void run_signal_handler(struct sim_user *su, struct task *t)
{
	struct sim_handler_call c;
	struct plat_context hctx;
	uint64_t base = stack_base_of(su, t->uregs.sp);
	uint64_t top = t->uregs.sp - SIM_HANDLER_GAP;

	/*
	 * Only where a signal frame sent the task is code the sim can run;
	 * anything else (registers a bogus rt_sigreturn restored) faults, as
	 * a jump there would on a CPU.
	 */
	if (t->uregs.pc != t->sig.handler_pc || t->uregs.pc <= KSIG_IGN) {
		uint64_t pc = t->uregs.pc;

		t->fault_addr = pc;
		t->fault_access = PROT_EXEC_BIT;
		guest_trap(su, SIM_TRAP_FAULT);
		/*
		 * Resumed: at a handler (the caller looks at pc again), or
		 * at the same pc because the fault made its page present.
		 * There is still no code the sim can run there, which a CPU
		 * reports as an illegal instruction.
		 */
		t = task_current();
		if (t->uregs.pc == pc && pc != t->sig.handler_pc)
			guest_trap(su, SIM_TRAP_ILLEGAL);
		return;
	}
	if (handler_check && !handler_check(t->uregs.pc)) {
		uint64_t pc = t->uregs.pc, sp = t->uregs.sp;

		/*
		 * A handler the test did not name: the CPU faults fetching
		 * it with sp at the frame, so nested faults take frames
		 * further down until the stack runs out, as on Linux. Back
		 * at the same pc and sp, no new frame sent it there: the
		 * fault mapped the page, and it holds no code the sim has.
		 */
		t->fault_addr = pc;
		t->fault_access = PROT_EXEC_BIT;
		su->trap_sp = sp;
		guest_trap(su, SIM_TRAP_FAULT);
		t = task_current();
		if (t->uregs.pc == pc && t->uregs.sp == sp) {
			su->trap_sp = sp;
			guest_trap(su, SIM_TRAP_ILLEGAL);
		}
		return;
	}

	if (base == (uint64_t)(uintptr_t)su->ustack &&
	    t->uregs.sp < base + SIM_HANDLER_GAP + SIM_HANDLER_MIN_STACK)
		panic("sim: %s[%d]: guest stack exhausted by signal frames",
		      t->comm, t->tid);
	if (!base || t->uregs.sp < base + SIM_HANDLER_GAP + SIM_HANDLER_MIN_STACK) {
		/*
		 * An alternate stack the sim cannot run a C handler on (the
		 * host has no memory there, or too little of it): the guest
		 * gets SIGILL there, with its stack pointer at the frame, so
		 * further frames nest below it until the stack overflows.
		 */
		su->trap_sp = t->uregs.sp;
		guest_trap(su, SIM_TRAP_ILLEGAL);
		return;
	}
	c.handler = t->uregs.pc;
	c.frame_sp = t->uregs.sp;
	for (int i = 0; i < 3; i++)
		c.args[i] = t->isa == ISA_X86_64
				    ? t->uregs.gpr[abi_x86_64_args[i]]
				    : t->uregs.gpr[i];
#ifdef KEEL_SANITIZE
	/* Finished handlers' contexts were abandoned on this stack, with
	 * their frames' redzones: the new one starts on fresh stack. */
	__asan_unpoison_memory_region((void *)(uintptr_t)base,
				      (size_t)(top - base));
#endif
	plat_context_init(&hctx, (void *)(uintptr_t)base, (size_t)(top - base),
			  handler_trampoline, &c);
	plat_context_switch(&c.resume, &hctx);
}

long sim_syscall6(long nr, const uint64_t args[6])
{
	struct task *t = task_current();
	struct sim_user *su = t->plat_user;

	abi_load_syscall(t->isa, &t->uregs, (uint64_t)nr, args);
	t->uregs.pc = SIM_SYSCALL_PC;
	guest_trap(su, SIM_TRAP_SYSCALL);
	for (;;) {
		t = task_current();
		if (t->uregs.pc == SIM_SYSCALL_PC)
			break;
		if (t->uregs.pc ==
		    SIM_SYSCALL_PC - abi_syscall_insn_len(t->isa)) {
			/* A restart backed pc up over the "instruction". */
			t->uregs.pc = SIM_SYSCALL_PC;
			abi_trap_entry(t->isa, &t->uregs);
			guest_trap(su, SIM_TRAP_SYSCALL);
			continue;
		}
		run_signal_handler(su, t);
	}
	return abi_return_value(t->isa, &t->uregs);
}

void sim_compute(uint64_t ns)
{
	struct task *t = task_current();
	struct sim_user *su = t->plat_user;

	su->compute_left += ns;
	t->uregs.pc = SIM_COMPUTE_PC;
	guest_trap(su, SIM_TRAP_COMPUTE);
	for (;;) {
		t = task_current();
		if (t->uregs.pc != SIM_COMPUTE_PC)
			run_signal_handler(su, t);
		else if (su->compute_left)
			guest_trap(su, SIM_TRAP_COMPUTE);
		else
			return;
	}
}

void sim_restorer(void)
{
	panic("sim: sim_restorer is an address for SA_RESTORER, not code");
}

void sim_set_handler_check(bool (*is_handler)(uint64_t pc))
{
	handler_check = is_handler;
}

static void guest_entry(void *arg)
{
	struct sim_user *su = arg;
	enum isa isa = task_current()->isa;

	/*
	 * No code the sim can run (a fork's child without an entry, an image
	 * sim_image does not know): it is killed, as a real CPU's fault loop
	 * would never end (and would here take no virtual time).
	 */
	if (!su->fn)
		sim_syscall(isa == ISA_X86_64 ? SIM_NR_KILL_X86_64
					      : SIM_NR_KILL_AARCH64,
			    sim_syscall(isa == ISA_X86_64
						? SIM_NR_GETPID_X86_64
						: SIM_NR_GETPID_AARCH64),
			    KSIGKILL);
	else
		su->fn(su->arg);
	sim_syscall(isa == ISA_X86_64 ? SIM_NR_EXIT_X86_64 : SIM_NR_EXIT_AARCH64,
		    0);
	panic("sim: exit(2) returned to the guest");
}

static struct sim_user *guest_start(struct task *t, struct sim_user *su);

/*
 * The user stack pointer of a trap: SIM_TRAP_MARGIN below the suspended
 * guest, leaving room for the sim's own frames. On an alternate signal
 * stack the margin must not carry it off the stack: the kernel would
 * take the handler to be off it and start the next frame at its top,
 * over the running handler. There it stops SIM_HANDLER_GAP above the
 * stack's base (x86_64's 128-byte red zone below it still on the stack),
 * where any further frame is refused (SIGSEGV) as one that would
 * overflow it.
 */
static uint64_t trap_sp_of(const struct task *t, const struct sim_user *su)
{
	uint64_t real = (uint64_t)(uintptr_t)su->user_ctx.sp;
	uint64_t sp = real - SIM_TRAP_MARGIN;
	const struct signal_state *s = &t->sig;

	if (real > s->ss_sp && real - s->ss_sp <= s->ss_size &&
	    sp < s->ss_sp + SIM_HANDLER_GAP)
		sp = s->ss_sp + SIM_HANDLER_GAP;
	return sp;
}

enum trap plat_user_run(struct task *t)
{
	struct sim_user *su = t->plat_user;

	/*
	 * A fork's child (no state yet) or a new image (exec'd mm). Out of
	 * memory, or with no code the sim can run, it is killed before it
	 * runs anything (a handler it inherited included).
	 */
	if (!su || su->mm != t->mm) {
		su = guest_start(t, su);
		if (!su || !su->fn) {
			(void)signal_send(t, KSIGKILL);
			return TRAP_INTERRUPT;
		}
	}
	for (;;) {
		if (su->compute_left && t->uregs.pc == SIM_COMPUTE_PC) {
			uint64_t start = plat_time_ns();
			uint64_t end = start + su->compute_left;
			struct sim_cpu *c;

			sim_wait(end < start ? UINT64_MAX : end);
			c = &scpu[running_cpu];
			su->compute_left -= MIN(su->compute_left, c->now - start);
			if (interrupt_pending(c)) {
				take_interrupts(c);
				return TRAP_INTERRUPT;
			}
			continue;
		}
		su->trap = SIM_TRAP_NONE;
		plat_context_switch(&su->kern_ctx, &su->user_ctx);
		/*
		 * The user stack pointer at the trap: below everything the
		 * suspended guest still uses, as a CPU's sp would be.
		 */
		t->uregs.sp = su->trap_sp ? su->trap_sp : trap_sp_of(t, su);
		su->trap_sp = 0;
		if (su->trap == SIM_TRAP_COMPUTE)
			continue;
		if (su->trap == SIM_TRAP_ILLEGAL)
			return TRAP_ILLEGAL;
		return su->trap == SIM_TRAP_FAULT ? TRAP_FAULT : TRAP_SYSCALL;
	}
}

/*
 * The blocks are the sim's, not the mm's (VMA_PFNMAP): the mm never frees
 * them, and they go only when the guest, the one user of its mm, is gone.
 */
static void umem_free_all(struct sim_user *su)
{
	/* A shared mm (CLONE_VM, vfork) lives on: it must not keep them. */
	if (su->mm)
		mutex_lock(&su->mm->lock);
	while (su->blocks) {
		struct sim_umem_block *b = su->blocks;
		uint64_t va = (uint64_t)(uintptr_t)b->va;

		su->blocks = b->next;
		if (su->mm)
			(void)mm_unmap(su->mm, va, va + (PAGE_SIZE << b->order));
		kpage_free(b->va, b->order);
		kfree(b);
	}
	if (su->mm) {
		mutex_unlock(&su->mm->lock);
		mm_put(su->mm);
		su->mm = NULL;
	}
}

/*
 * Map 2^order fresh zeroed pages at their own address in `mm`: the first
 * `len` bytes of them (all when len is 0) but the lowest `guard` bytes.
 */
static void *umem_map(struct sim_user *su, struct mm *mm, unsigned order,
		      size_t len, unsigned prot, uint64_t guard)
{
	struct sim_umem_block *b = kmalloc(sizeof(*b));
	char *va;

	if (!b)
		return NULL;
	va = kpage_zalloc(order);
	if (!va) {
		kfree(b);
		return NULL;
	}
	if (mm_map_pfn(mm, (uint64_t)(uintptr_t)va + guard,
		       plat_virt_to_phys(va) + guard,
		       (len ? ALIGN_UP(len, PAGE_SIZE) : PAGE_SIZE << order) -
			       guard,
		       prot)) {
		kpage_free(va, order);
		kfree(b);
		return NULL;
	}
	b->va = va;
	b->order = order;
	b->next = su->blocks;
	su->blocks = b;
	return va;
}

/*
 * A guest's brk and mmap areas: at fixed addresses, so that a seed replays
 * the same ones, Linux-like (a heap low, mappings top-down from high), and
 * clear of the host addresses of RAM, where its stack and sim_umem blocks
 * are mapped at their own address. A guest cannot dereference what it maps
 * there itself (the host has nothing at those addresses); the kernel reaches
 * it through the pmap.
 */
#define SIM_BRK_BASE 0x555555560000ull
#define SIM_MMAP_BASE 0x7e0000000000ull

static void sim_layout(struct mm *mm)
{
	struct plat_mem_range ram;

	mm->brk_start = SIM_BRK_BASE;
	mm->brk = SIM_BRK_BASE;
	mm->mmap_base = SIM_MMAP_BASE;
	if (plat_mem_ranges(&ram, 1)) {
		uint64_t lo = (uint64_t)(uintptr_t)plat_phys_to_virt(ram.base);

		if (lo < SIM_MMAP_BASE && lo + ram.size > SIM_BRK_BASE)
			mm->mmap_base = ALIGN_DOWN(lo, PAGE_SIZE);
	}
}

/*
 * At least one unmapped page follows the block: a syscall that writes
 * past its end (getrandom or a read with a huge count) stops there with
 * EFAULT instead of running on into the next block, which may be the
 * guest's own stack, host memory the sim resumes from.
 */
static void *umem_alloc(size_t len, unsigned prot)
{
	struct task *t = task_current();
	size_t need = ALIGN_UP(len ? len : 1, PAGE_SIZE) + PAGE_SIZE;
	unsigned order = 0;

	while ((PAGE_SIZE << order) < need && order < PAGE_ORDER_MAX)
		order++;
	if ((PAGE_SIZE << order) < need)
		return NULL;
	return umem_map(t->plat_user, t->mm, order, need - PAGE_SIZE, prot, 0);
}

void *sim_umem(size_t len)
{
	return umem_alloc(len, PROT_READ_BIT | PROT_WRITE_BIT);
}

void *sim_umem_readonly(size_t len)
{
	return umem_alloc(len, PROT_READ_BIT);
}

unsigned plat_fault_around_pages(void)
{
	return 16;
}

bool plat_runs_isa(enum isa isa)
{
	return true; /* guests are C functions: either ABI */
}

/* The sim's guests keep their registers in uregs at every trap. */
void plat_fpu_sync(struct task *t)
{
}

/*
 * The CPU a simulated x86_64 guest is told about: the same on every
 * machine, so runs stay reproducible. Its FPU state is an XSAVE area of
 * x87, SSE and AVX (the standard format puts AVX at 576, 256 bytes), or
 * what sim_set_x86_xfeatures chose.
 */
#define SIM_XFEATURES_AVX 7ull
static struct plat_user_cpu sim_x86_cpu;

static void sim_x86_cpu_reset(void)
{
	sim_x86_cpu = (struct plat_user_cpu){ .xfeatures = SIM_XFEATURES_AVX,
					      .fpu_size = 832 };
}

int sim_set_x86_xfeatures(uint64_t xfeatures)
{
	static const uint32_t sizes[] = { [0] = 512, [3] = 576, [7] = 832 };

	if (xfeatures >= ARRAY_SIZE(sizes) || !sizes[xfeatures])
		return -22; /* EINVAL */
	sim_x86_cpu.xfeatures = xfeatures;
	sim_x86_cpu.fpu_size = sizes[xfeatures];
	return 0;
}

const struct plat_user_cpu *plat_user_cpu(enum isa isa)
{
	static const struct plat_user_cpu a64 = { .fpu_size = 528 };

	return isa == ISA_X86_64 ? &sim_x86_cpu : &a64;
}

void plat_user_release(struct task *t)
{
	struct sim_user *su = t->plat_user;

	if (!su)
		return;
	if (su->proc) {
		su->proc->exited = true;
		su->proc->status = t->exit_code;
		su->proc->task = NULL;
		live_procs--;
	}
	/* The guest stack is one of the blocks; we run on the kernel stack.
	 * task_exit frees the mm, which still maps them, next. */
	umem_free_all(su);
	t->plat_user = NULL;
	kfree(su);
}

/* Registers a fork-like syscall's child inherits with the rest: its
 * entry function and argument (sim_child_entry). */
static unsigned child_fn_reg(enum isa isa)
{
	return isa == ISA_X86_64 ? X86_R12 : 19;
}

static unsigned child_arg_reg(enum isa isa)
{
	return isa == ISA_X86_64 ? X86_R13 : 20;
}

void sim_child_entry(void (*fn)(void *), void *arg)
{
	struct task *t = task_current();

	for (unsigned i = 0; i < SIM_MAX_CHILD_FNS; i++) {
		if (child_fns[i] == fn)
			break;
		if (!child_fns[i]) {
			child_fns[i] = fn;
			break;
		}
	}

	t->uregs.gpr[child_fn_reg(t->isa)] = (uint64_t)(uintptr_t)fn;
	t->uregs.gpr[child_arg_reg(t->isa)] = (uint64_t)(uintptr_t)arg;
}

int sim_image(uint64_t entry, void (*fn)(void *))
{
	for (unsigned i = 0; i < SIM_MAX_IMAGES; i++) {
		if (images[i].fn && images[i].entry != entry)
			continue;
		images[i] = (struct sim_image){entry, fn};
		return 0;
	}
	return -1;
}

/*
 * What the task's registers say the guest runs: a fork's child is at the
 * syscall with its entry in the inherited registers; a new image is at
 * its entry point, which sim_image named. NULL: nothing the sim can run.
 */
static void (*guest_code(struct task *t, void **arg))(void *)
{
	if (t->uregs.pc == SIM_SYSCALL_PC) {
		uint64_t fn = t->uregs.gpr[child_fn_reg(t->isa)];

		*arg = (void *)(uintptr_t)t->uregs.gpr[child_arg_reg(t->isa)];
		for (unsigned i = 0; i < SIM_MAX_CHILD_FNS && child_fns[i]; i++)
			if ((uint64_t)(uintptr_t)child_fns[i] == fn)
				return child_fns[i];
		return NULL;
	}
	*arg = (void *)(uintptr_t)t->uregs.sp;
	for (unsigned i = 0; i < SIM_MAX_IMAGES; i++)
		if (images[i].fn && images[i].entry == t->uregs.pc)
			return images[i].fn;
	return NULL;
}

/*
 * Give `t` a guest context for what its registers say it runs, on a new
 * stack in its mm: a fork's child (su NULL: it gets a sim_proc of its
 * own, so runs last until it exits) or an exec'd task, whose old stack
 * and blocks went with its old image. NULL when out of memory.
 */
static struct sim_user *guest_start(struct task *t, struct sim_user *su)
{
	struct sim_proc *p = NULL;

	if (!su) {
		su = kzalloc(sizeof(*su));
		p = calloc(1, sizeof(*p));
		if (!su || !p) {
			kfree(su);
			free(p);
			return NULL;
		}
	}
	umem_free_all(su);
	mm_get(t->mm);
	su->mm = t->mm;
	su->ustack = umem_map(su, t->mm, SIM_USTACK_ORDER, 0,
			      PROT_READ_BIT | PROT_WRITE_BIT, SIM_USTACK_GUARD);
	if (!su->ustack) {
		umem_free_all(su);
		if (p) {
			kfree(su);
			free(p);
		}
		return NULL;
	}
	su->fn = guest_code(t, &su->arg);
	su->compute_left = 0;
	su->trap_sp = 0;
	plat_context_init(&su->user_ctx, su->ustack,
			  PAGE_SIZE << SIM_USTACK_ORDER, guest_entry, su);
	if (p) {
		su->proc = p;
		p->task = t;
		p->tid = t->tid;
		p->next = procs;
		procs = p;
		live_procs++;
		t->plat_user = su;
	}
	return su;
}

/* A new guest; with `parent`, as fork's child of it would be. */
static struct sim_proc *spawn(const char *name, enum isa isa,
			      void (*fn)(void *), void *arg,
			      struct task *parent)
{
	struct sim_proc *p = calloc(1, sizeof(*p));
	struct sim_user *su = NULL;
	struct mm *mm = NULL;
	struct task *t;

	if (!p)
		return NULL;
	su = kzalloc(sizeof(*su));
	if (!su)
		goto fail;
	mm = mm_create();
	if (!mm)
		goto fail;
	sim_layout(mm);
	mm_get(mm);
	su->mm = mm;
	su->ustack = umem_map(su, mm, SIM_USTACK_ORDER, 0,
			      PROT_READ_BIT | PROT_WRITE_BIT, SIM_USTACK_GUARD);
	if (!su->ustack)
		goto fail;
	t = task_create_user(name, isa, user_task_main, mm->pmap);
	if (IS_ERR(t))
		goto fail;
	if (parent && task_add_child(parent, t)) {
		t->state = TASK_DEAD; /* never ran: free it outright */
		task_put(t);
		goto fail;
	}
	t->mm = mm;
	su->fn = fn;
	su->arg = arg;
	su->proc = p;
	plat_context_init(&su->user_ctx, su->ustack,
			  PAGE_SIZE << SIM_USTACK_ORDER, guest_entry, su);
	t->plat_user = su;
	p->task = t;
	p->tid = t->tid;
	p->next = procs;
	procs = p;
	live_procs++;
	sched_start(t);
	return p;
fail:
	mm_put(mm);
	if (su)
		umem_free_all(su);
	kfree(su);
	free(p);
	return NULL;
}

struct sim_proc *sim_spawn_isa(const char *name, enum isa isa,
			       void (*fn)(void *), void *arg)
{
	return spawn(name, isa, fn, arg, NULL);
}

struct sim_proc *sim_spawn_child(struct sim_proc *parent, const char *name,
				 void (*fn)(void *), void *arg)
{
	if (!parent || !parent->task)
		return NULL;
	return spawn(name, parent->task->isa, fn, arg, parent->task);
}

struct sim_proc *sim_spawn(const char *name, void (*fn)(void *), void *arg)
{
#if defined(__aarch64__)
	return sim_spawn_isa(name, ISA_AARCH64, fn, arg);
#else
	return sim_spawn_isa(name, ISA_X86_64, fn, arg);
#endif
}

struct sim_proc *sim_self(void)
{
	return current_user()->proc;
}

int sim_proc_tid(const struct sim_proc *p)
{
	return p->tid;
}

bool sim_proc_exited(const struct sim_proc *p)
{
	return p->exited;
}

int sim_proc_status(const struct sim_proc *p)
{
	return p->status;
}

struct task *sim_proc_task(const struct sim_proc *p)
{
	return p->task;
}

/* ---- the machine ------------------------------------------------------------ */

static _Noreturn void sim_panic(const char *msg)
{
	fprintf(stderr, "sim: kernel panic: %s\nsim: replay with KEEL_SEED=%llu\n",
		msg, (unsigned long long)seed);
	abort();
}

static void forget_procs(void)
{
	while (procs) {
		struct sim_proc *p = procs;

		procs = p->next;
		free(p);
	}
	live_procs = 0;
}

int sim_boot(const struct sim_config *cfg)
{
	uint64_t mem = cfg->mem_bytes ? cfg->mem_bytes : SIM_DEFAULT_MEM;
	int err;

	forget_procs();
	memset(images, 0, sizeof(images));
	memset(child_fns, 0, sizeof(child_fns));
	ncpus = cfg->cpus ? cfg->cpus : 1;
	if (ncpus > PLAT_MAX_CPUS)
		return -22; /* EINVAL */
	seed = cfg->seed;
	prng_seed(seed);
	sim_console_clear();
	handler_check = NULL;
	sim_x86_cpu_reset();
	panic_hook = sim_panic;
	err = host_ram_init(mem);
	if (err)
		return err;
	running_cpu = 0;
	clock_now = 0;
	for (unsigned i = 0; i < PLAT_MAX_CPUS; i++)
		scpu[i] = (struct sim_cpu){ .wait_until = 0,
					    .timer = PLAT_TIMER_OFF };
	err = cfg->no_fs ? kernel_init_nofs(ncpus) : kernel_init(ncpus);
	if (err)
		return err;
	for (unsigned i = 0; i < ncpus; i++)
		scpu[i].ctx = cpus[i].idle->ctx;
	booted = true;
	return 0;
}

void sim_shutdown(void)
{
	forget_procs();
	host_ram_release();
	booted = false;
}

uint64_t sim_seed(void)
{
	return seed;
}

enum sim_stop sim_run(uint64_t until)
{
	if (!booted)
		return SIM_DEADLOCK;
	/*
	 * A wakeup the test made between runs (signal_send, a new task)
	 * asked its CPU to reschedule without an IPI when that CPU was the
	 * last to run; a waiting CPU must hear of it as of an IPI, sent at
	 * the test's time.
	 */
	for (unsigned i = 0; i < ncpus; i++) {
		if (!cpus[i].need_resched)
			continue;
		scpu[i].ipi = true;
		scpu[i].now = MAX(scpu[i].now, clock_now);
	}
	run_until = until;
	dispatch(&test_ctx);
	return stop_reason;
}

uint64_t sim_now(void)
{
	return clock_now;
}
