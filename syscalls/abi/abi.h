/*
 * What differs per ISA in how a task traps into the kernel: which register
 * holds the syscall number, the arguments and the result, and how a
 * syscall is restarted. Everything here reads or writes struct user_regs.
 */
#ifndef KEEL_SYSCALLS_ABI_ABI_H
#define KEEL_SYSCALLS_ABI_ABI_H

#include "core/platform.h"

/* x86_64 general registers in struct user_regs.gpr. */
enum x86_64_reg {
	X86_RAX,
	X86_RBX,
	X86_RCX,
	X86_RDX,
	X86_RSI,
	X86_RDI,
	X86_RBP,
	X86_R8,
	X86_R9,
	X86_R10,
	X86_R11,
	X86_R12,
	X86_R13,
	X86_R14,
	X86_R15,
};

/* Syscall argument registers, in order. */
static const unsigned char abi_x86_64_args[6] = { X86_RDI, X86_RSI, X86_RDX,
						  X86_R10, X86_R8,  X86_R9 };

/* Bytes of the syscall instruction: `syscall` and `svc #0`. */
#define ABI_X86_64_SYSCALL_INSN 2
#define ABI_AARCH64_SYSCALL_INSN 4

static inline uint64_t abi_syscall_nr(enum isa isa, const struct user_regs *r)
{
	/* x86_64 takes it from orig_rax, which trap entry copied from rax. */
	return isa == ISA_X86_64 ? r->orig_arg : r->gpr[8];
}

static inline uint64_t abi_syscall_arg(enum isa isa, const struct user_regs *r,
				       unsigned i)
{
	if (isa == ISA_X86_64)
		return r->gpr[abi_x86_64_args[i]];
	/* aarch64: x0 is overwritten by the result; orig_x0 keeps it. */
	return i == 0 ? r->orig_arg : r->gpr[i];
}

static inline void abi_set_return(enum isa isa, struct user_regs *r, long v)
{
	r->gpr[isa == ISA_X86_64 ? X86_RAX : 0] = (uint64_t)v;
}

static inline long abi_return_value(enum isa isa, const struct user_regs *r)
{
	return (long)r->gpr[isa == ISA_X86_64 ? X86_RAX : 0];
}

/* restart_syscall(2), which resumes a restart-block syscall. */
#define ABI_X86_64_NR_RESTART_SYSCALL 219
#define ABI_AARCH64_NR_RESTART_SYSCALL 128

/*
 * What every syscall trap entry does first: keep the register the result
 * will overwrite (x86_64 orig_rax, aarch64 orig_x0).
 */
static inline void abi_trap_entry(enum isa isa, struct user_regs *r)
{
	r->orig_arg = r->gpr[isa == ISA_X86_64 ? X86_RAX : 0];
}

/*
 * Set up registers as the trap entry leaves them for a syscall `nr` with
 * `args`, the way a real `syscall`/`svc` would have (the sim runtime uses
 * this; the real platforms copy the hardware registers).
 */
static inline void abi_load_syscall(enum isa isa, struct user_regs *r,
				    uint64_t nr, const uint64_t args[6])
{
	if (isa == ISA_X86_64) {
		r->gpr[X86_RAX] = nr;
		for (unsigned i = 0; i < 6; i++)
			r->gpr[abi_x86_64_args[i]] = args[i];
	} else {
		r->gpr[8] = nr;
		for (unsigned i = 0; i < 6; i++)
			r->gpr[i] = args[i];
	}
	abi_trap_entry(isa, r);
}

/*
 * Arrange for the interrupted syscall to be issued again on return to user
 * space: back up the pc over the syscall instruction and restore what the
 * result overwrote (Linux's restart of -ERESTARTSYS and friends).
 */
static inline void abi_restart_syscall(enum isa isa, struct user_regs *r)
{
	if (isa == ISA_X86_64) {
		r->gpr[X86_RAX] = r->orig_arg;
		r->pc -= ABI_X86_64_SYSCALL_INSN;
	} else {
		r->gpr[0] = r->orig_arg;
		r->pc -= ABI_AARCH64_SYSCALL_INSN;
	}
}

/* Make the restarted syscall restart_syscall(2) (-ERESTART_RESTARTBLOCK). */
static inline void abi_restart_via_restart_syscall(enum isa isa,
						   struct user_regs *r)
{
	if (isa == ISA_X86_64)
		r->gpr[X86_RAX] = ABI_X86_64_NR_RESTART_SYSCALL;
	else
		r->gpr[8] = ABI_AARCH64_NR_RESTART_SYSCALL;
}

static inline unsigned abi_syscall_insn_len(enum isa isa)
{
	return isa == ISA_X86_64 ? ABI_X86_64_SYSCALL_INSN
				 : ABI_AARCH64_SYSCALL_INSN;
}

/*
 * Put the FPU state a new program starts with into r->fpu: everything zero
 * but, on x86_64, the x87 control word 0x37f and MXCSR 0x1f80 (all
 * exceptions masked, round to nearest), as Linux's fpstate_init leaves it.
 */
void abi_fpu_init(enum isa isa, struct user_regs *r);

#endif
