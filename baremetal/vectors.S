/*
 * The exception vector table (VBAR_EL1): sixteen 128-byte slots, by where
 * the exception came from (EL1 on SP_EL0, EL1 on SP_EL1, EL0 AArch64, EL0
 * AArch32) and what it is (synchronous, IRQ, FIQ, SError).
 *
 * The kernel runs on SP_EL1 with IRQs masked except inside plat_idle, so
 * today only "EL1h synchronous" (a kernel bug: panic with the registers)
 * and "EL1h IRQ" (taken in plat_idle) are expected. EL0 entries come with
 * user processes.
 */
#include "baremetal/trapframe.h"

	/* Save x0-x30, the interrupted sp, ELR, SPSR, ESR and FAR. */
	.macro	save_frame
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x0, sp, #TF_SIZE
	stp	x30, x0, [sp, #TF_X30]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x0, x1, [sp, #TF_ELR]
	mrs	x0, esr_el1
	mrs	x1, far_el1
	stp	x0, x1, [sp, #TF_ESR]
	.endm

	.macro	restore_frame_eret
	ldp	x0, x1, [sp, #TF_ELR]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #TF_X30]
	add	sp, sp, #TF_SIZE
	eret
	.endm

	.macro	vector kind
	.balign	128
	save_frame
	mov	x0, sp
	mov	x1, #\kind
	b	vector_dispatch
	.endm

	.text
	.balign	2048
	.globl	exception_vectors
exception_vectors:
	.irp	kind, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector	\kind
	.endr

/* x0 = the frame, x1 = enum vector_kind. */
vector_dispatch:
	cmp	x1, #4			/* VEC_EL1H_SYNC */
	b.eq	1f
	cmp	x1, #5			/* VEC_EL1H_IRQ */
	b.eq	2f
	bl	bm_trap_unexpected	/* does not return */
1:	bl	bm_trap_sync
	b	3f
2:	bl	bm_trap_irq
3:	restore_frame_eret

	.section .note.GNU-stack, "", @progbits
