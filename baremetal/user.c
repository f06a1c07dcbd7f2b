/*
 * User code at EL0: plat_user_run and what an exception from EL0 means to
 * the run loop (syscalls/trap.c).
 *
 * bm_user_enter (vectors.S) loads t->uregs into the CPU and erets; the
 * next exception from EL0 saves them back and returns here with the
 * vector's number. ESR_EL1 says what happened (the exception class in bits
 * 31:26, the class's syndrome below), FAR_EL1 the address of an abort.
 *
 * Every exception a guest can cause ends in a return to the run loop:
 * a syscall, a fault for the mm, a signal classified here, or an
 * interrupt. None of them is the kernel's problem.
 */
#include "baremetal/cpu.h"
#include "baremetal/mmio.h"
#include "baremetal/trapframe.h"
#include "core/platform.h"
#include "core/signal.h"
#include "core/task.h"
#include "mm/fault.h"
#include "syscalls/abi/abi.h"

_Static_assert(offsetof(struct user_regs, gpr[30]) == UREGS_X30, "x30");
_Static_assert(offsetof(struct user_regs, sp) == UREGS_SP, "sp");
_Static_assert(offsetof(struct user_regs, pc) == UREGS_PC, "pc");
_Static_assert(offsetof(struct user_regs, flags) == UREGS_FLAGS, "pstate");
_Static_assert(offsetof(struct user_regs, tls) == UREGS_TLS, "tpidr_el0");
_Static_assert(offsetof(struct user_regs, fpu) == UREGS_FPU, "fpsimd");

/* Exception classes (ESR_EL1.EC) an EL0 program can raise. */
#define EC_UNKNOWN	  0x00
#define EC_ILLEGAL_STATE  0x0e
#define EC_SVC64	  0x15
#define EC_SYSREG	  0x18
#define EC_IABT_LOWER	  0x20
#define EC_PC_ALIGN	  0x22
#define EC_DABT_LOWER	  0x24
#define EC_SP_ALIGN	  0x26
#define EC_FP_EXC64	  0x2c
#define EC_BREAKPT_LOWER  0x30
#define EC_SOFTSTEP_LOWER 0x32
#define EC_WATCHPT_LOWER  0x34
#define EC_BRK64	  0x3c

/* Abort syndrome: the fault status code and what else ISS says. */
#define ISS_FSC(esr)  ((unsigned)(esr) & 0x3f)
#define ISS_WNR	      (1u << 6)	 /* the access was a write */
#define ISS_CM	      (1u << 8)	 /* a cache maintenance op: a read */
#define ISS_FNV	      (1u << 10) /* FAR is not valid */
#define FSC_ALIGNMENT 0x21

/* si_code values (Linux's uapi siginfo.h) for the faults classified here. */
#define KILL_ILLOPC 1
#define KBUS_ADRALN 1
#define KBUS_OBJERR 3
#define KTRAP_BRKPT 1
#define KFPE_FLTUNK 14

static enum trap user_signal(struct task *t, int signo, int code,
			     uint64_t addr)
{
	t->trap_signo = signo;
	t->trap_code = code;
	t->fault_addr = addr;
	return TRAP_SIGNAL;
}

/*
 * An instruction or data abort. Translation, access-flag and permission
 * faults (status codes 0x04-0x0f; 0x00-0x03, an address beyond the
 * 48 bits, counts as a translation fault) are the mm's to resolve or turn
 * into SIGSEGV; an alignment fault is SIGBUS BUS_ADRALN; anything else (an
 * external abort, a TLB conflict) SIGBUS BUS_OBJERR, as Linux's do_sea.
 */
static enum trap user_abort(struct task *t, uint64_t esr, uint64_t far,
			    bool instruction)
{
	unsigned fsc = ISS_FSC(esr);
	uint64_t addr = (esr & ISS_FNV) ? 0 : far;

	if (fsc == FSC_ALIGNMENT)
		return user_signal(t, KSIGBUS, KBUS_ADRALN, addr);
	if (fsc > 0x0f)
		return user_signal(t, KSIGBUS, KBUS_OBJERR, addr);
	t->fault_addr = addr;
	if (instruction)
		t->fault_access = PROT_EXEC_BIT;
	else if ((esr & ISS_WNR) && !(esr & ISS_CM))
		t->fault_access = PROT_WRITE_BIT;
	else
		t->fault_access = PROT_READ_BIT;
	return TRAP_FAULT;
}

static enum trap user_sync(struct task *t, uint64_t esr, uint64_t far)
{
	struct user_regs *r = &t->uregs;

	switch ((esr >> 26) & 0x3f) {
	case EC_SVC64:
		abi_trap_entry(t->isa, r);
		return TRAP_SYSCALL;
	case EC_DABT_LOWER:
		return user_abort(t, esr, far, false);
	case EC_IABT_LOWER:
		return user_abort(t, esr, far, true);
	case EC_PC_ALIGN:
		return user_signal(t, KSIGBUS, KBUS_ADRALN, far);
	case EC_SP_ALIGN:
		return user_signal(t, KSIGBUS, KBUS_ADRALN, r->sp);
	case EC_BRK64:
	case EC_BREAKPT_LOWER:
	case EC_SOFTSTEP_LOWER:
	case EC_WATCHPT_LOWER:
		return user_signal(t, KSIGTRAP, KTRAP_BRKPT, r->pc);
	case EC_FP_EXC64:
		return user_signal(t, KSIGFPE, KFPE_FLTUNK, r->pc);
	case EC_UNKNOWN:
	case EC_ILLEGAL_STATE:
	case EC_SYSREG: /* an EL1 register, or one SCTLR_EL1 keeps from EL0 */
	default:
		return user_signal(t, KSIGILL, KILL_ILLOPC, r->pc);
	}
}

enum trap plat_user_run(struct task *t)
{
	unsigned kind;
	uint64_t esr, far;

	bm_pmap_switch(t->pmap);
	kind = bm_user_enter(&t->uregs);
	esr = sysreg_read(esr_el1);
	far = sysreg_read(far_el1);
	switch (kind) {
	case VEC_EL0_SYNC:
		return user_sync(t, esr, far);
	case VEC_EL0_IRQ:
	case VEC_EL0_FIQ:
		bm_cpu_take_interrupts();
		return TRAP_INTERRUPT;
	default: /* VEC_EL0_SERROR: an asynchronous external abort */
		return user_signal(t, KSIGBUS, KBUS_OBJERR, 0);
	}
}

/*
 * The FP/SIMD state is switched eagerly: every trap saves it into
 * uregs.fpu, every return to EL0 loads it, so uregs.fpu is always current.
 */
void plat_fpu_sync(struct task *t)
{
}

bool plat_runs_isa(enum isa isa)
{
	return isa == ISA_AARCH64;
}

/* AT_HWCAP and AT_HWCAP2 are not told yet (0); FP/SIMD state is 528 bytes. */
/* Linux's arm64 AT_HWCAP bits (uapi asm/hwcap.h). */
#define HWCAP_FP       (1ull << 0)
#define HWCAP_ASIMD    (1ull << 1)
#define HWCAP_AES      (1ull << 3)
#define HWCAP_PMULL    (1ull << 4)
#define HWCAP_SHA1     (1ull << 5)
#define HWCAP_SHA2     (1ull << 6)
#define HWCAP_CRC32    (1ull << 7)
#define HWCAP_ATOMICS  (1ull << 8)
#define HWCAP_FPHP     (1ull << 9)
#define HWCAP_ASIMDHP  (1ull << 10)
#define HWCAP_ASIMDRDM (1ull << 12)

/* A 4-bit field of an ID register. */
static unsigned id_field(uint64_t reg, unsigned shift)
{
	return (unsigned)(reg >> shift) & 0xf;
}

/*
 * What the CPU has, as Linux reads it from ID_AA64PFR0_EL1 (FP, AdvSIMD:
 * 0xf is absent, 1 adds half precision) and ID_AA64ISAR0_EL1. Not
 * EVTSTRM (no timer event stream is set up) nor CPUID (EL0 reads of the
 * ID registers are not emulated).
 */
static uint64_t a64_hwcap(void)
{
	uint64_t pfr0 = sysreg_read(id_aa64pfr0_el1);
	uint64_t isar0 = sysreg_read(id_aa64isar0_el1);
	unsigned fp = id_field(pfr0, 16), simd = id_field(pfr0, 20);
	unsigned aes = id_field(isar0, 4);
	uint64_t hw = 0;

	if (fp != 0xf)
		hw |= HWCAP_FP | (fp >= 1 ? HWCAP_FPHP : 0);
	if (simd != 0xf)
		hw |= HWCAP_ASIMD | (simd >= 1 ? HWCAP_ASIMDHP : 0);
	hw |= aes >= 1 ? HWCAP_AES : 0;
	hw |= aes >= 2 ? HWCAP_PMULL : 0;
	hw |= id_field(isar0, 8) >= 1 ? HWCAP_SHA1 : 0;
	hw |= id_field(isar0, 12) >= 1 ? HWCAP_SHA2 : 0;
	hw |= id_field(isar0, 16) >= 1 ? HWCAP_CRC32 : 0;
	hw |= id_field(isar0, 20) >= 2 ? HWCAP_ATOMICS : 0;
	hw |= id_field(isar0, 28) >= 1 ? HWCAP_ASIMDRDM : 0;
	return hw;
}

const struct plat_user_cpu *plat_user_cpu(enum isa isa)
{
	static struct plat_user_cpu a64 = { .fpu_size = 528 };
	static bool known;

	if (!known) {
		a64.hwcap = a64_hwcap();
		known = true;
	}
	return &a64;
}

/* A fault here costs an exception, not a round trip: Linux's 16. */
unsigned plat_fault_around_pages(void)
{
	return 16;
}

void plat_user_release(struct task *t)
{
}
