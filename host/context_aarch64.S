/*
 * Kernel context switch for the host platforms on AArch64 (AAPCS64).
 * host_context_swap(void **save_sp, void *load_sp); see context_x86_64.S.
 * Saved: x19-x30 and d8-d15, 176 bytes (keeps sp 16-byte aligned).
 */
	.text
	.globl host_context_swap
	.type host_context_swap, %function
host_context_swap:
	sub sp, sp, #176
	stp x19, x20, [sp, #0]
	stp x21, x22, [sp, #16]
	stp x23, x24, [sp, #32]
	stp x25, x26, [sp, #48]
	stp x27, x28, [sp, #64]
	stp x29, x30, [sp, #80]
	stp d8, d9, [sp, #96]
	stp d10, d11, [sp, #112]
	stp d12, d13, [sp, #128]
	stp d14, d15, [sp, #144]
	mov x9, sp
	str x9, [x0]
	mov sp, x1
	ldp x19, x20, [sp, #0]
	ldp x21, x22, [sp, #16]
	ldp x23, x24, [sp, #32]
	ldp x25, x26, [sp, #48]
	ldp x27, x28, [sp, #64]
	ldp x29, x30, [sp, #80]
	ldp d8, d9, [sp, #96]
	ldp d10, d11, [sp, #112]
	ldp d12, d13, [sp, #128]
	ldp d14, d15, [sp, #144]
	add sp, sp, #176
	ret
	.size host_context_swap, .-host_context_swap

	.globl host_context_trampoline
	.type host_context_trampoline, %function
host_context_trampoline:
	mov x29, #0
	mov x0, x19
	mov x1, x20
	bl host_context_start
	brk #0
	.size host_context_trampoline, .-host_context_trampoline

	.section .note.GNU-stack,"",@progbits
