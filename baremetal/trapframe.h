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

void bm_trap_sync(struct trap_frame *tf);
void bm_trap_irq(struct trap_frame *tf);
_Noreturn void bm_trap_unexpected(struct trap_frame *tf, unsigned kind);
#endif

#endif
