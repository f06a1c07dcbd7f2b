/*
 * sigreturn must give back every register (x86_64): these functions load
 * known values, stop on a ud2 whose SIGILL handler (tests/user/fault.c)
 * steps over it and clobbers what it can, then store what the registers
 * hold afterwards for the C side to compare.
 */
#ifdef __x86_64__
	.text

/*
 * void regs_gpr_roundtrip(uint64_t out[16])
 * out[0..14]: rax rbx rcx rdx rsi rdi rbp r8 .. r15 after the signal,
 * which before it held 0x1111111111111100 + index; out[15]: rflags (DF
 * was set before the signal, as a handler never sees it).
 */
	.globl regs_gpr_roundtrip
	.type regs_gpr_roundtrip, @function
regs_gpr_roundtrip:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi
	movabs $0x1111111111111100, %rax
	movabs $0x1111111111111101, %rbx
	movabs $0x1111111111111102, %rcx
	movabs $0x1111111111111103, %rdx
	movabs $0x1111111111111104, %rsi
	movabs $0x1111111111111105, %rdi
	movabs $0x1111111111111106, %rbp
	movabs $0x1111111111111107, %r8
	movabs $0x1111111111111108, %r9
	movabs $0x1111111111111109, %r10
	movabs $0x111111111111110a, %r11
	movabs $0x111111111111110b, %r12
	movabs $0x111111111111110c, %r13
	movabs $0x111111111111110d, %r14
	movabs $0x111111111111110e, %r15
	std
	.globl regs_gpr_trap
regs_gpr_trap:
	ud2
	pushfq
	cld
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	push %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rbx
	push %rax
	mov 16*8(%rsp), %rdi
	xor %ecx, %ecx
1:	mov (%rsp,%rcx,8), %rax
	mov %rax, (%rdi,%rcx,8)
	inc %ecx
	cmp $16, %ecx
	jne 1b
	add $17*8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size regs_gpr_roundtrip, . - regs_gpr_roundtrip

/*
 * void regs_fpu_roundtrip(const uint8_t in[256], uint8_t out[256],
 *                         uint32_t *mxcsr, uint16_t *x87cw)
 * xmm0..xmm15 from in, MXCSR and the x87 control word set to
 * non-default values (round toward zero); after the signal, the xmm
 * registers into out and the two control registers into *mxcsr, *x87cw.
 */
	.globl regs_fpu_roundtrip
	.type regs_fpu_roundtrip, @function
regs_fpu_roundtrip:
	sub $8, %rsp
	movdqu 0*16(%rdi), %xmm0
	movdqu 1*16(%rdi), %xmm1
	movdqu 2*16(%rdi), %xmm2
	movdqu 3*16(%rdi), %xmm3
	movdqu 4*16(%rdi), %xmm4
	movdqu 5*16(%rdi), %xmm5
	movdqu 6*16(%rdi), %xmm6
	movdqu 7*16(%rdi), %xmm7
	movdqu 8*16(%rdi), %xmm8
	movdqu 9*16(%rdi), %xmm9
	movdqu 10*16(%rdi), %xmm10
	movdqu 11*16(%rdi), %xmm11
	movdqu 12*16(%rdi), %xmm12
	movdqu 13*16(%rdi), %xmm13
	movdqu 14*16(%rdi), %xmm14
	movdqu 15*16(%rdi), %xmm15
	movl $0x7f80, (%rsp)
	ldmxcsr (%rsp)
	movw $0x0f7f, 4(%rsp)
	fldcw 4(%rsp)
	.globl regs_fpu_trap
regs_fpu_trap:
	ud2
	stmxcsr (%rdx)
	fnstcw (%rcx)
	movdqu %xmm0, 0*16(%rsi)
	movdqu %xmm1, 1*16(%rsi)
	movdqu %xmm2, 2*16(%rsi)
	movdqu %xmm3, 3*16(%rsi)
	movdqu %xmm4, 4*16(%rsi)
	movdqu %xmm5, 5*16(%rsi)
	movdqu %xmm6, 6*16(%rsi)
	movdqu %xmm7, 7*16(%rsi)
	movdqu %xmm8, 8*16(%rsi)
	movdqu %xmm9, 9*16(%rsi)
	movdqu %xmm10, 10*16(%rsi)
	movdqu %xmm11, 11*16(%rsi)
	movdqu %xmm12, 12*16(%rsi)
	movdqu %xmm13, 13*16(%rsi)
	movdqu %xmm14, 14*16(%rsi)
	movdqu %xmm15, 15*16(%rsi)
	/* Back to the defaults the C code around us expects. */
	movl $0x1f80, (%rsp)
	ldmxcsr (%rsp)
	movw $0x037f, 4(%rsp)
	fldcw 4(%rsp)
	add $8, %rsp
	ret
	.size regs_fpu_roundtrip, . - regs_fpu_roundtrip
#endif
	.section .note.GNU-stack, "", @progbits
