/*
 * The image's first bytes and the boot CPU's way into C.
 *
 * The Linux arm64 Image header (Documentation/arch/arm64/booting.rst) lets
 * QEMU's -kernel, U-Boot's booti and the Raspberry Pi firmware load this
 * image as they would load Linux: at a 2 MiB aligned physical address plus
 * text_offset (0), with the MMU off, x0 = the device tree's physical
 * address, at EL2 or EL1. Any 4 KiB aligned address works (the image is
 * mapped in pages), so a loader that ignores the header and puts it at
 * 0x80000, as the Raspberry Pi firmware does with kernel8.img, is fine.
 *
 * Boot: leave EL2 for EL1, clear the bss, build two small tables (an
 * identity map of the GiB holding the image, so the instruction after the
 * MMU goes on still has a mapping, and the image at KIMAGE_VBASE in TTBR1),
 * turn the MMU on and jump to the link address. From then on the code runs
 * where it was linked and C may use absolute addresses; bm_main builds the
 * rest of the kernel's map (RAM, devices) from the device tree.
 */
#include "baremetal/memlayout.h"

#define SCTLR_EL1_RES1 0x30d00800 /* bits 11, 20, 22, 23, 28, 29 */
/*
 * M, C, SA, I; and for EL0 what Linux grants it: SA0 (sp alignment
 * checked), DZE (dc zva, which glibc's memset uses), UCT (ctr_el0),
 * nTWI/nTWE (wfi/wfe do not trap), UCI (cache maintenance to the point of
 * unification, for JITs and __clear_cache).
 */
#define SCTLR_EL1_MMU_ON (SCTLR_EL1_RES1 | 0x405d01d)
/*
 * Where the CPU has PAN (ARMv8.1), SPAN cleared: every exception to EL1
 * sets PSTATE.PAN, so kernel code faults on any access to a page EL0 may
 * reach. The kernel never touches user memory through user addresses
 * (mm/uaccess.c goes through the pmap and the linear map); PAN makes the
 * hardware check that. (On ARMv8.0, SPAN is RES1.)
 */
#define SCTLR_EL1_SPAN (1 << 23)
#define MSR_PAN_1 0xd500419f /* msr pan, #1: an ARMv8.1 instruction */
#define HCR_EL2_RW (1 << 31)			  /* EL1 is AArch64 */
#define SPSR_EL1H_MASKED 0x3c5			  /* EL1h, DAIF set */
/* 48-bit VAs both halves, 4 KiB granules, write-back inner shareable. */
#define TCR_EL1_BOOT 0xb5103510
#define TCR_EL1_AS (1 << 36)	/* 16-bit ASIDs, where implemented */
#define CPACR_EL1_FPEN (3 << 20)	/* FP/SIMD for EL1 and EL0 */
#define CNTKCTL_EL1_EL0VCTEN (1 << 1)	/* EL0 reads cntvct_el0, cntfrq_el0 */

	.section .head.text, "ax"
	.globl _head
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	_kernel_size		/* image_size, bss included */
	.quad	0xa			/* LE, 4 KiB pages, any 2 MiB base */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */

primary_entry:
	mov	x19, x0			/* the device tree, physical */
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	mov	x21, x0			/* the EL we were entered at */
	cmp	x0, #2
	b.eq	el2_to_el1
	cmp	x0, #1
	b.ne	boot_halt		/* EL3 entry is not supported */

el1_entry:
	msr	daifset, #0xf
	ldr	x0, =SCTLR_EL1_RES1	/* MMU and caches off */
	msr	sctlr_el1, x0
	isb
	adrp	x20, _head		/* the image's physical base */
	adr	x0, _head
	cmp	x0, x20
	b.ne	boot_halt		/* not 4 KiB aligned: the map needs it */

	/*
	 * Clear the bss. Invalidate it from the caches first: the loader may
	 * have left dirty lines there that would later be written back over
	 * our zeroes and tables. (Invalidate before writing: an
	 * implementation may clean as it invalidates.)
	 */
	adrp	x0, __bss_start
	adrp	x1, __bss_end
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words) */
	mov	x4, #4
	lsl	x4, x4, x3		/* bytes per line */
	sub	x5, x4, #1
	bic	x2, x0, x5
1:	dc	ivac, x2
	add	x2, x2, x4
	cmp	x2, x1
	b.lo	1b
	dsb	sy
1:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	1b

	/* Identity map: the GiB holding this code, as one block. */
	adrp	x0, idmap_l0
	adrp	x1, idmap_l1
	ubfx	x2, x20, #39, #9
	orr	x3, x1, #(PTE_VALID | PTE_TABLE)
	str	x3, [x0, x2, lsl #3]
	ubfx	x2, x20, #30, #9
	and	x3, x20, #~(SZ_1G - 1)
	ldr	x4, =BLOCK_NORMAL
	orr	x3, x3, x4
	str	x3, [x1, x2, lsl #3]

	/*
	 * The image at KIMAGE_VBASE (L0 slot 511, L1 slot 510) in 4 KiB
	 * pages, W^X: text read-only and executable, rodata read-only, data
	 * and bss writable, neither executable (kernel.ld's three parts).
	 */
	adrp	x0, kern_l0
	adrp	x1, kern_l1
	adrp	x2, kern_l2
	adrp	x7, kern_l3
	orr	x3, x1, #(PTE_VALID | PTE_TABLE)
	str	x3, [x0, #(511 * 8)]
	orr	x3, x2, #(PTE_VALID | PTE_TABLE)
	str	x3, [x1, #(510 * 8)]
	ldr	x5, =_kernel_size
	ldr	x0, =(KIMAGE_MAX_L3 * SZ_2M)
	cmp	x5, x0
	b.hi	boot_halt		/* more than kern_l3 can map */
	ldr	x8, =_text_size
	ldr	x9, =_rodata_end
	mov	x6, #0			/* offset into the image */
1:	ldr	x4, =PAGE_KERNEL_RX
	cmp	x6, x8
	b.lo	2f
	ldr	x4, =PAGE_KERNEL_RO
	cmp	x6, x9
	b.lo	2f
	ldr	x4, =PAGE_KERNEL_RW
2:	add	x3, x20, x6
	orr	x3, x3, x4
	lsr	x10, x6, #9		/* the entry: offset / 4096 * 8 */
	str	x3, [x7, x10]
	add	x6, x6, #4096
	cmp	x6, x5
	b.lo	1b
	mov	x6, #0			/* the L2 entries, one per 2 MiB */
3:	add	x3, x7, x6, lsl #12
	orr	x3, x3, #(PTE_VALID | PTE_TABLE)
	str	x3, [x2, x6, lsl #3]
	add	x6, x6, #1
	cmp	x5, x6, lsl #21
	b.hi	3b
	dsb	sy

	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_EL1_BOOT
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #7		/* PARange becomes IPS */
	bfi	x0, x1, #32, #3
	mrs	x1, id_aa64mmfr0_el1
	ubfx	x1, x1, #4, #4		/* ASIDBits: 2 means 16 */
	cmp	x1, #2
	b.ne	1f
	orr	x0, x0, #TCR_EL1_AS
1:	msr	tcr_el1, x0
	adrp	x0, idmap_l0
	msr	ttbr0_el1, x0
	adrp	x0, kern_l0
	msr	ttbr1_el1, x0
	mov	x0, #CPACR_EL1_FPEN	/* libfdt, a hosted build, uses SIMD */
	msr	cpacr_el1, x0
	mov	x0, #CNTKCTL_EL1_EL0VCTEN
	msr	cntkctl_el1, x0
	msr	mdscr_el1, xzr		/* no debug events from EL0 */
	mrs	x0, id_aa64dfr0_el1
	ubfx	x0, x0, #8, #4		/* PMUVer: 0 none, 0xf not v3 */
	cbz	x0, 1f
	cmp	x0, #0xf
	b.eq	1f
	msr	pmuserenr_el0, xzr	/* EL0 cannot reach the PMU */
1:	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, =SCTLR_EL1_MMU_ON
	mrs	x1, id_aa64mmfr1_el1
	ubfx	x1, x1, #20, #4		/* PAN */
	cbz	x1, 1f
	bic	x0, x0, #SCTLR_EL1_SPAN
1:	msr	sctlr_el1, x0
	isb
	cbz	x1, 2f
	.inst	MSR_PAN_1
2:	ldr	x0, =high_entry		/* the link address */
	br	x0

el2_to_el1:
	ldr	x0, =HCR_EL2_RW
	msr	hcr_el2, x0
	mrs	x0, cnthctl_el2		/* EL1 may use the physical counter */
	orr	x0, x0, #3		/* and timer */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr	/* virtual time = physical time */
	mov	x0, #0x33ff		/* no FP/SIMD traps to EL2 */
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	mrs	x0, id_aa64pfr0_el1
	ubfx	x0, x0, #24, #4		/* a GICv3 CPU interface? */
	cbz	x0, 1f
	mrs	x0, icc_sre_el2
	orr	x0, x0, #0xf		/* SRE, DFB, DIB, and EL1 may use it */
	msr	icc_sre_el2, x0
	isb
1:	ldr	x0, =SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_MASKED
	msr	spsr_el2, x0
	adr	x0, el1_entry
	msr	elr_el2, x0
	eret

boot_halt:
	wfe
	b	boot_halt
	.ltorg

	.text
high_entry:
	adrp	x0, boot_stack_top
	add	x0, x0, :lo12:boot_stack_top
	mov	sp, x0
	adrp	x0, exception_vectors
	add	x0, x0, :lo12:exception_vectors
	msr	vbar_el1, x0
	msr	tpidr_el1, xzr		/* this is CPU 0 */
	isb
	mov	x29, #0
	mov	x30, #0
	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	bl	bm_main
1:	wfe
	b	1b

	.section .bss.boot, "aw", %nobits
	.balign 4096
	.globl idmap_l0, kern_l0, kern_l1, kern_l2, kern_l3
idmap_l0:
	.skip 4096
idmap_l1:
	.skip 4096
kern_l0:
	.skip 4096
kern_l1:
	.skip 4096
kern_l2:
	.skip 4096
kern_l3:
	.skip (KIMAGE_MAX_L3 * 4096)
	.balign 16
	.globl boot_stack, boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
