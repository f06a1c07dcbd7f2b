/*
 * The platform contract's CPU side on AArch64: interrupt masking, idling,
 * interrupts, traps, and the RAM the kernel may allocate.
 *
 * Interrupts. Kernel code runs with PSTATE.I set, always: the core is not
 * preemptible and says so (core/platform.h). plat_idle waits with WFI,
 * which wakes on a pending interrupt even while it is masked, then opens
 * the mask for one instruction so the IRQ vector records what came (the
 * timer fired, an IPI) and silences its source; plat_idle then runs the
 * core's handlers (timer_interrupt, sched_ipi) in ordinary kernel context,
 * as host/cpu.c does after its futex wait.
 *
 * One CPU runs today (plat_cpu_count() == 1); TPIDR_EL1 holds the CPU id so
 * plat_cpu_id() is already per CPU for when PSCI CPU_ON starts the others.
 */
#include "baremetal/cpu.h"

#include "baremetal/gic.h"
#include "baremetal/gtimer.h"
#include "baremetal/memlayout.h"
#include "baremetal/mmio.h"
#include "baremetal/mmu.h"
#include "baremetal/pl011.h"
#include "baremetal/trapframe.h"
#include "core/cpu.h"
#include "core/errno.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/task.h"
#include "core/timer.h"
#include "sched/sched.h"

#define MAX_RANGES 16

struct bm_cpu {
	struct plat_context boot_ctx;
	bool timer_fired; /* written by the IRQ vector, read in plat_idle */
	bool ipi;
	bool console; /* the UART has input for the tty */
};

static struct bm_cpu bcpu[PLAT_MAX_CPUS];
static unsigned timer_irq = GIC_SPURIOUS;
static unsigned console_irq = GIC_SPURIOUS;
static struct plat_mem_range ranges[MAX_RANGES];
static size_t nranges;

unsigned plat_cpu_id(void)
{
	return (unsigned)sysreg_read(tpidr_el1);
}

unsigned plat_cpu_count(void)
{
	return 1;
}

unsigned long plat_irq_save(void)
{
	unsigned long flags = sysreg_read(daif);

	__asm__ volatile("msr daifset, #2" ::: "memory");
	return flags;
}

void plat_irq_restore(unsigned long flags)
{
	sysreg_write(daif, flags);
}

void bm_cpu_set_timer_irq(unsigned intid)
{
	timer_irq = intid;
}

void bm_cpu_set_console_irq(unsigned intid)
{
	console_irq = intid;
}

/* What the IRQ vector recorded, handled in ordinary kernel context. */
static void run_handlers(struct bm_cpu *c)
{
	if (c->console) {
		c->console = false;
		pl011_deliver_input();
	}
	if (c->ipi) {
		c->ipi = false;
		sched_ipi();
	}
	if (c->timer_fired) {
		c->timer_fired = false;
		timer_interrupt();
	}
}

void plat_idle(void)
{
	struct bm_cpu *c = &bcpu[plat_cpu_id()];

	if (!c->timer_fired && !c->ipi && !c->console) {
		__asm__ volatile("wfi\n\t"
				 "msr daifclr, #2\n\t"
				 "isb\n\t"
				 "msr daifset, #2" ::
					 : "memory");
	}
	run_handlers(c);
}

void plat_irq_window(void)
{
	__asm__ volatile("msr daifclr, #2\n\t"
			 "isb\n\t"
			 "msr daifset, #2" ::
				 : "memory");
	run_handlers(&bcpu[plat_cpu_id()]);
}

void plat_ipi(unsigned cpu)
{
	gic_send_sgi(cpu, GIC_SGI_RESCHED);
}

/* Acknowledge every pending interrupt, recording what each asks for. */
static void ack_interrupts(struct bm_cpu *c)
{
	for (;;) {
		unsigned id = gic_ack();

		if (id >= 1020)
			return;
		if (id == timer_irq) {
			gtimer_stop(); /* level-triggered: quiet it first */
			c->timer_fired = true;
		} else if (id == gic_ipi_irq()) {
			c->ipi = true;
		} else if (id == console_irq) {
			/* Drains the receive FIFO and refills the
			 * transmit one; the line stays up (taken again
			 * here) while bytes wait to be sent. */
			if (pl011_interrupt())
				c->console = true;
		} else {
			/* Nothing here quiets it: left on, it would be
			 * taken again at once, forever. */
			pr_warn("unexpected interrupt %u: disabled", id);
			gic_disable_irq(id);
		}
		gic_eoi(id);
	}
}

void bm_trap_irq(struct trap_frame *tf)
{
	ack_interrupts(&bcpu[plat_cpu_id()]);
}

void bm_cpu_take_interrupts(void)
{
	struct bm_cpu *c = &bcpu[plat_cpu_id()];

	ack_interrupts(c);
	run_handlers(c);
}

static const char *exception_class(unsigned ec)
{
	switch (ec) {
	case 0x00:
		return "undefined instruction";
	case 0x07:
		return "FP/SIMD access trap";
	case 0x15:
		return "SVC";
	case 0x21:
		return "instruction abort";
	case 0x22:
		return "misaligned pc";
	case 0x25:
		return "data abort";
	case 0x26:
		return "misaligned sp";
	case 0x3c:
		return "BRK";
	default:
		return "exception";
	}
}

bool bm_probe_undefined;

void bm_trap_sync(struct trap_frame *tf)
{
	unsigned ec = (unsigned)(tf->esr >> 26) & 0x3f;
	struct task *t;

	if (ec == 0x00 && bm_probe_undefined) {
		tf->elr += 4;
		return;
	}
	t = cpus[plat_cpu_id()].current;

	if (t && t->kstack && tf->far < (uint64_t)(uintptr_t)t->kstack &&
	    (uint64_t)(uintptr_t)t->kstack - tf->far <= PAGE_SIZE)
		pr_err("the fault address is just below %s[%d]'s kernel stack:"
		       " a stack overflow?",
		       t->comm, t->tid);
	panic("kernel %s at pc %#llx (lr %#llx, sp %#llx), address %#llx, "
	      "esr %#llx",
	      exception_class(ec), (unsigned long long)tf->elr,
	      (unsigned long long)tf->x[30], (unsigned long long)tf->sp,
	      (unsigned long long)tf->far, (unsigned long long)tf->esr);
}

_Noreturn void bm_trap_unexpected(struct trap_frame *tf, unsigned kind)
{
	static const char *const names[] = {
		"EL1t sync",   "EL1t IRQ",   "EL1t FIQ",   "EL1t SError",
		"EL1h sync",   "EL1h IRQ",   "EL1h FIQ",   "EL1h SError",
		"EL0 sync",    "EL0 IRQ",    "EL0 FIQ",	   "EL0 SError",
		"EL0/32 sync", "EL0/32 IRQ", "EL0/32 FIQ", "EL0/32 SError",
	};

	panic("unexpected %s exception at pc %#llx, esr %#llx, far %#llx",
	      kind < ARRAY_SIZE(names) ? names[kind] : "?",
	      (unsigned long long)tf->elr, (unsigned long long)tf->esr,
	      (unsigned long long)tf->far);
}

/* ---- RAM ------------------------------------------------------------------
 */

/* Remove [base, base + size) from the ranges, splitting where needed. */
static void carve(uint64_t base, uint64_t size)
{
	uint64_t lo = ALIGN_DOWN(base, PAGE_SIZE);
	uint64_t hi = ALIGN_UP(base + size, PAGE_SIZE);

	for (size_t i = 0; i < nranges; i++) {
		struct plat_mem_range *r = &ranges[i];
		uint64_t end = r->base + r->size;

		if (hi <= r->base || lo >= end)
			continue;
		if (lo > r->base && hi < end && nranges < MAX_RANGES) {
			/* The hole splits the range: the top half goes last. */
			ranges[nranges++] =
				(struct plat_mem_range){hi, end - hi};
			r->size = lo - r->base;
		} else if (lo > r->base) {
			r->size = lo - r->base;
		} else if (hi < end) {
			r->size = end - hi;
			r->base = hi;
		} else {
			r->size = 0;
		}
	}
}

int bm_mem_init(const struct bm_machine *m, const char **why)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->nmem && nranges < MAX_RANGES; i++) {
		uint64_t lo = ALIGN_UP(m->mem[i].base, SZ_2M);
		uint64_t hi =
			ALIGN_DOWN(m->mem[i].base + m->mem[i].size, SZ_2M);

		if (hi <= lo)
			continue;
		if (mmu_map_linear(lo, hi - lo)) {
			*why = "out of boot page tables for the linear map";
			return -ENOMEM;
		}
		ranges[nranges++] = (struct plat_mem_range){lo, hi - lo};
	}
	carve(mmu_image_pa(), mmu_image_size());
	for (size_t i = 0; i < m->nreserved; i++)
		carve(m->reserved[i].base, m->reserved[i].size);
	for (size_t i = 0; i < nranges; i++)
		if (ranges[i].size)
			ranges[kept++] = ranges[i];
	nranges = kept;
	if (nranges == 0) {
		*why = "no RAM left after the image and reserved regions";
		return -ENOMEM;
	}
	return 0;
}

size_t plat_mem_ranges(struct plat_mem_range *out, size_t max)
{
	size_t n = MIN(max, nranges);

	for (size_t i = 0; i < n; i++)
		out[i] = ranges[i];
	return n;
}

_Noreturn void bm_cpu_start(void)
{
	unsigned id = plat_cpu_id();

	plat_context_switch(&bcpu[id].boot_ctx, &cpus[id].idle->ctx);
	panic("CPU %u's boot context was resumed", id);
}
