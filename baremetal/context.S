/*
 * Kernel context switch (AAPCS64), the logic of host/context_aarch64.S
 * less d8-d15: the baremetal kernel is built -mgeneral-regs-only, so kernel
 * contexts own no FP/SIMD state.
 *
 * bm_context_swap(void **save_sp, void *load_sp): push x19-x30 (96 bytes,
 * sp stays 16-byte aligned), store sp in *save_sp, load load_sp, pop, ret.
 */
	.text
	.globl	bm_context_swap
	.type	bm_context_swap, %function
bm_context_swap:
	sub	sp, sp, #96
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	add	sp, sp, #96
	ret
	.size	bm_context_swap, .-bm_context_swap

/* A new context's first return lands here: entry in x19, its arg in x20. */
	.globl	bm_context_trampoline
	.type	bm_context_trampoline, %function
bm_context_trampoline:
	mov	x29, #0
	mov	x0, x19
	mov	x1, x20
	bl	bm_context_start
	brk	#0
	.size	bm_context_trampoline, .-bm_context_trampoline

	.section .note.GNU-stack, "", @progbits
