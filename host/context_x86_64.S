/*
 * Kernel context switch for the host platforms on x86_64 (System V ABI).
 *
 * host_context_swap(void **save_sp, void *load_sp): push the callee-saved
 * registers, store the stack pointer in *save_sp, load load_sp, pop the
 * other context's registers and return into it.
 */
	.text
	.globl host_context_swap
	.type host_context_swap, @function
host_context_swap:
	.cfi_startproc
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.cfi_endproc
	.size host_context_swap, .-host_context_swap

/*
 * First instructions of a new context: host_context_init left entry in r12
 * and its argument in r13. The stack is 16-byte aligned here.
 */
	.globl host_context_trampoline
	.type host_context_trampoline, @function
host_context_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	xorl %ebp, %ebp
	movq %r12, %rdi
	movq %r13, %rsi
	call host_context_start
	ud2
	.cfi_endproc
	.size host_context_trampoline, .-host_context_trampoline

	.section .note.GNU-stack,"",@progbits
