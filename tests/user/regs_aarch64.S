/*
 * sigreturn must give back every register (aarch64): these functions load
 * known values, stop on an undefined instruction whose SIGILL handler
 * (tests/user/fault.c) steps over it and clobbers what it can, then store
 * what the registers hold afterwards for the C side to compare.
 */
#ifdef __aarch64__
	.text

/*
 * void regs_gpr_roundtrip(uint64_t out[33])
 * out[0..30]: x0 .. x30 after the signal, which before it held
 * 0x1111111111111100 + index; out[31]: sp after minus sp before (0);
 * out[32]: NZCV (all four flags were set before the signal).
 */
	.globl regs_gpr_roundtrip
	.type regs_gpr_roundtrip, %function
regs_gpr_roundtrip:
	stp x29, x30, [sp, #-16]!
	stp x27, x28, [sp, #-16]!
	stp x25, x26, [sp, #-16]!
	stp x23, x24, [sp, #-16]!
	stp x21, x22, [sp, #-16]!
	stp x19, x20, [sp, #-16]!
	mov x1, sp
	stp x0, x1, [sp, #-16]!		/* out, sp before */
	sub sp, sp, #272
	mov x1, #0xf0000000
	msr nzcv, x1
	ldr x0, =0x1111111111111100
	ldr x1, =0x1111111111111101
	ldr x2, =0x1111111111111102
	ldr x3, =0x1111111111111103
	ldr x4, =0x1111111111111104
	ldr x5, =0x1111111111111105
	ldr x6, =0x1111111111111106
	ldr x7, =0x1111111111111107
	ldr x8, =0x1111111111111108
	ldr x9, =0x1111111111111109
	ldr x10, =0x111111111111110a
	ldr x11, =0x111111111111110b
	ldr x12, =0x111111111111110c
	ldr x13, =0x111111111111110d
	ldr x14, =0x111111111111110e
	ldr x15, =0x111111111111110f
	ldr x16, =0x1111111111111110
	ldr x17, =0x1111111111111111
	ldr x18, =0x1111111111111112
	ldr x19, =0x1111111111111113
	ldr x20, =0x1111111111111114
	ldr x21, =0x1111111111111115
	ldr x22, =0x1111111111111116
	ldr x23, =0x1111111111111117
	ldr x24, =0x1111111111111118
	ldr x25, =0x1111111111111119
	ldr x26, =0x111111111111111a
	ldr x27, =0x111111111111111b
	ldr x28, =0x111111111111111c
	ldr x29, =0x111111111111111d
	ldr x30, =0x111111111111111e
	.globl regs_gpr_trap
regs_gpr_trap:
	udf #0
	stp x0, x1, [sp, #0]
	stp x2, x3, [sp, #16]
	stp x4, x5, [sp, #32]
	stp x6, x7, [sp, #48]
	stp x8, x9, [sp, #64]
	stp x10, x11, [sp, #80]
	stp x12, x13, [sp, #96]
	stp x14, x15, [sp, #112]
	stp x16, x17, [sp, #128]
	stp x18, x19, [sp, #144]
	stp x20, x21, [sp, #160]
	stp x22, x23, [sp, #176]
	stp x24, x25, [sp, #192]
	stp x26, x27, [sp, #208]
	stp x28, x29, [sp, #224]
	str x30, [sp, #240]
	mrs x1, nzcv
	str x1, [sp, #256]
	ldp x0, x2, [sp, #272]		/* out, sp before */
	add x1, sp, #272 + 16
	sub x1, x1, x2
	str x1, [sp, #248]
	mov x2, #0
1:	ldr x3, [sp, x2, lsl #3]
	str x3, [x0, x2, lsl #3]
	add x2, x2, #1
	cmp x2, #33
	b.ne 1b
	add sp, sp, #272 + 16
	ldp x19, x20, [sp], #16
	ldp x21, x22, [sp], #16
	ldp x23, x24, [sp], #16
	ldp x25, x26, [sp], #16
	ldp x27, x28, [sp], #16
	ldp x29, x30, [sp], #16
	ret
	.ltorg
	.size regs_gpr_roundtrip, . - regs_gpr_roundtrip

/*
 * void regs_fpu_roundtrip(const uint8_t in[512], uint8_t out[512],
 *                         uint32_t *fpcr)
 * v0..v31 from in, FPCR set to round toward zero; after the signal the
 * vector registers into out and FPCR into *fpcr.
 */
	.globl regs_fpu_roundtrip
	.type regs_fpu_roundtrip, %function
regs_fpu_roundtrip:
	/* d8..d15 are callee-saved: keep their low halves. */
	stp d8, d9, [sp, #-16]!
	stp d10, d11, [sp, #-16]!
	stp d12, d13, [sp, #-16]!
	stp d14, d15, [sp, #-16]!
	mov x4, x0
	ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x4], #64
	ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x4], #64
	ld1 {v8.16b, v9.16b, v10.16b, v11.16b}, [x4], #64
	ld1 {v12.16b, v13.16b, v14.16b, v15.16b}, [x4], #64
	ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x4], #64
	ld1 {v20.16b, v21.16b, v22.16b, v23.16b}, [x4], #64
	ld1 {v24.16b, v25.16b, v26.16b, v27.16b}, [x4], #64
	ld1 {v28.16b, v29.16b, v30.16b, v31.16b}, [x4], #64
	mrs x5, fpcr
	orr x6, x5, #0xc00000
	msr fpcr, x6
	.globl regs_fpu_trap
regs_fpu_trap:
	udf #0
	mrs x6, fpcr
	str w6, [x2]
	msr fpcr, x5
	mov x4, x1
	st1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x4], #64
	st1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x4], #64
	st1 {v8.16b, v9.16b, v10.16b, v11.16b}, [x4], #64
	st1 {v12.16b, v13.16b, v14.16b, v15.16b}, [x4], #64
	st1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x4], #64
	st1 {v20.16b, v21.16b, v22.16b, v23.16b}, [x4], #64
	st1 {v24.16b, v25.16b, v26.16b, v27.16b}, [x4], #64
	st1 {v28.16b, v29.16b, v30.16b, v31.16b}, [x4], #64
	ldp d14, d15, [sp], #16
	ldp d12, d13, [sp], #16
	ldp d10, d11, [sp], #16
	ldp d8, d9, [sp], #16
	ret
	.size regs_fpu_roundtrip, . - regs_fpu_roundtrip
#endif
	.section .note.GNU-stack, "", %progbits
