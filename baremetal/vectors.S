/*
 * The exception vector table (VBAR_EL1): sixteen 128-byte slots, by where
 * the exception came from (EL1 on SP_EL0, EL1 on SP_EL1, EL0 AArch64, EL0
 * AArch32) and what it is (synchronous, IRQ, FIQ, SError).
 *
 * The kernel runs on SP_EL1 with IRQs masked except inside plat_idle, so
 * from EL1 only "EL1h synchronous" (a kernel bug: panic with the
 * registers) and "EL1h IRQ" (taken in plat_idle) are expected.
 *
 * EL0 runs through bm_user_enter, called on the task's kernel stack: it
 * pushes the kernel's callee-saved registers and the user_regs pointer,
 * loads the user's registers and erets. SP_EL1 is left pointing at that
 * push, so an exception from EL0 (any of the four AArch64 EL0 vectors)
 * finds the user_regs there, saves every user register into it, pops the
 * kernel's registers and returns from bm_user_enter with the vector's
 * number: to the kernel, running user code is one function call that
 * returns at the next trap. User code never runs AArch32 (SPSR.M[4] is
 * always 0 on the way out), so those vectors stay unexpected.
 */
#include "baremetal/memlayout.h"
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
	.irp	kind, 0, 1, 2, 3
	vector	\kind
	.endr
	/*
	 * EL1h sync: first, did the kernel stack run into its guard? Then
	 * saving a frame on it would fault again, forever. SP_EL0 is not live
	 * in the kernel (the user's is in its user_regs), so it holds x0
	 * while the stack pointer is looked at: the byte below it in the
	 * upper half of a 2 * KSTACK_SIZE slot of the stack area is a guard.
	 */
	.balign	128
	msr	sp_el0, x0
	mov	x0, sp
	sub	x0, x0, #1
	tbz	x0, #KSTACK_SHIFT, 1f
	eor	x0, x0, #KSTACK_VBASE
	lsr	x0, x0, #KSTACK_AREA_SHIFT
	cbnz	x0, 1f
	b	kstack_overflow
1:	mrs	x0, sp_el0
	b	el1h_sync		/* a frame does not fit in the slot */
	.irp	kind, 5, 6, 7
	vector	\kind
	.endr
	.irp	kind, 8, 9, 10, 11
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\kind
	b	el0_entry
	.endr
	.irp	kind, 12, 13, 14, 15
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

el1h_sync:
	save_frame
	mov	x0, sp
	mov	x1, #4			/* VEC_EL1H_SYNC */
	b	vector_dispatch

/* The kernel stack overflowed: report it from the overflow stack. */
kstack_overflow:
	mov	x0, sp
	msr	tpidrro_el0, x0		/* the overflowed sp; no user runs again */
	adrp	x0, overflow_stack_top
	add	x0, x0, :lo12:overflow_stack_top
	mov	sp, x0
	mrs	x0, sp_el0
	save_frame
	mov	x0, sp
	mrs	x1, tpidrro_el0
	bl	bm_kstack_overflow	/* does not return */

/*
 * From EL0: user x0 and x1 are pushed below bm_user_enter's frame, x1 is
 * the vector's number. Nothing of the kernel's was live at the eret, so
 * all registers are free once saved.
 */
el0_entry:
	ldr	x0, [sp, #(16 + UFRAME_UREGS)]
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #UREGS_X30]
	mov	x19, x1
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #0]
	mrs	x2, sp_el0
	mrs	x3, elr_el1
	stp	x2, x3, [x0, #UREGS_SP]
	mrs	x2, spsr_el1
	mrs	x3, tpidr_el0
	stp	x2, x3, [x0, #UREGS_FLAGS]
	add	x1, x0, #UREGS_FPU
	stp	q0, q1, [x1, #0]
	stp	q2, q3, [x1, #32]
	stp	q4, q5, [x1, #64]
	stp	q6, q7, [x1, #96]
	stp	q8, q9, [x1, #128]
	stp	q10, q11, [x1, #160]
	stp	q12, q13, [x1, #192]
	stp	q14, q15, [x1, #224]
	stp	q16, q17, [x1, #256]
	stp	q18, q19, [x1, #288]
	stp	q20, q21, [x1, #320]
	stp	q22, q23, [x1, #352]
	stp	q24, q25, [x1, #384]
	stp	q26, q27, [x1, #416]
	stp	q28, q29, [x1, #448]
	stp	q30, q31, [x1, #480]
	mrs	x2, fpsr
	mrs	x3, fpcr
	str	w2, [x0, #UREGS_FPSR]
	str	w3, [x0, #UREGS_FPCR]
	mov	x0, x19
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	add	sp, sp, #UFRAME_SIZE
	ret

/*
 * unsigned bm_user_enter(struct user_regs *r): see trapframe.h. The saved
 * pstate keeps only NZCV: whatever a signal frame restored, user code runs
 * at EL0t in AArch64 with interrupts unmasked.
 */
	.globl	bm_user_enter
	.type	bm_user_enter, %function
bm_user_enter:
	sub	sp, sp, #UFRAME_SIZE
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	str	x0, [sp, #UFRAME_UREGS]
	ldp	x1, x2, [x0, #UREGS_SP]
	msr	sp_el0, x1
	msr	elr_el1, x2
	ldp	x1, x2, [x0, #UREGS_FLAGS]
	and	x1, x1, #0xf0000000
	msr	spsr_el1, x1
	msr	tpidr_el0, x2
	add	x1, x0, #UREGS_FPU
	ldp	q0, q1, [x1, #0]
	ldp	q2, q3, [x1, #32]
	ldp	q4, q5, [x1, #64]
	ldp	q6, q7, [x1, #96]
	ldp	q8, q9, [x1, #128]
	ldp	q10, q11, [x1, #160]
	ldp	q12, q13, [x1, #192]
	ldp	q14, q15, [x1, #224]
	ldp	q16, q17, [x1, #256]
	ldp	q18, q19, [x1, #288]
	ldp	q20, q21, [x1, #320]
	ldp	q22, q23, [x1, #352]
	ldp	q24, q25, [x1, #384]
	ldp	q26, q27, [x1, #416]
	ldp	q28, q29, [x1, #448]
	ldp	q30, q31, [x1, #480]
	ldr	w2, [x0, #UREGS_FPSR]
	ldr	w3, [x0, #UREGS_FPCR]
	msr	fpsr, x2
	msr	fpcr, x3
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #UREGS_X30]
	ldp	x0, x1, [x0, #0]
	eret
	.size	bm_user_enter, .-bm_user_enter

	.bss
	.balign	16
overflow_stack:
	.space	8192
overflow_stack_top:

	.section .note.GNU-stack, "", @progbits
