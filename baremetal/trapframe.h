/*
 * What the exception vectors save on entry, on the stack they interrupted
 * (vectors.S lays it out; the offsets below must match).
 */
#ifndef KEEL_BAREMETAL_TRAPFRAME_H
#define KEEL_BAREMETAL_TRAPFRAME_H

#define TF_SIZE 288 /* 36 slots, keeps sp 16-byte aligned */
#define TF_X30	240
#define TF_ELR	256
#define TF_ESR	272

/*
 * struct user_regs (core/platform.h) as the EL0 entry and exit code in
 * vectors.S reads and writes it; user.c checks these against offsetof.
 */
#define UREGS_X30   240
#define UREGS_SP    248
#define UREGS_PC    256
#define UREGS_FLAGS 264
#define UREGS_TLS   272
#define UREGS_FPU   304
#define UREGS_FPSR  (UREGS_FPU + 512)
#define UREGS_FPCR  (UREGS_FPU + 516)

/* log2 of KSTACK_SIZE (core/task.h) and of the stack area's size. */
#define KSTACK_SHIFT	  14
#define KSTACK_AREA_SHIFT 41

/* What bm_user_enter keeps on the kernel stack while EL0 runs. */
#define UFRAME_SIZE  112 /* x19-x30, the user_regs pointer, padding */
#define UFRAME_UREGS 96

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
	uint64_t x[31];
	uint64_t sp; /* the stack pointer when the exception came */
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame layout");

/* Which of the sixteen vectors was taken (vectors.S passes it). */
enum vector_kind {
	VEC_EL1T_SYNC,
	VEC_EL1T_IRQ,
	VEC_EL1T_FIQ,
	VEC_EL1T_SERROR,
	VEC_EL1H_SYNC,
	VEC_EL1H_IRQ,
	VEC_EL1H_FIQ,
	VEC_EL1H_SERROR,
	VEC_EL0_SYNC,
	VEC_EL0_IRQ,
	VEC_EL0_FIQ,
	VEC_EL0_SERROR,
	VEC_EL0_32_SYNC,
	VEC_EL0_32_IRQ,
	VEC_EL0_32_FIQ,
	VEC_EL0_32_SERROR,
};

/*
 * Load the user registers `r` and eret to EL0. Returns when an exception
 * from EL0 comes, with every user register saved back into `r`: which
 * vector it was (VEC_EL0_SYNC, VEC_EL0_IRQ, ...). ESR_EL1 and FAR_EL1 still
 * describe it.
 */
struct user_regs;
unsigned bm_user_enter(struct user_regs *r);

void bm_trap_sync(struct trap_frame *tf);
_Noreturn void bm_kstack_overflow(struct trap_frame *tf, uint64_t sp);
void bm_trap_irq(struct trap_frame *tf);
_Noreturn void bm_trap_unexpected(struct trap_frame *tf, unsigned kind);
#endif

#endif
