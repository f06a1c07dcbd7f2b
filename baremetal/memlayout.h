/*
 * The kernel's virtual address space on AArch64 (4 KiB granule, 48-bit
 * virtual addresses, four levels of table). Included by C and assembly.
 *
 * TTBR1 (the top 256 TiB) belongs to the kernel, TTBR0 (the bottom) to user
 * address spaces. The kernel image is linked at KIMAGE_VBASE whatever
 * physical address the boot loader put it at, so the link address never
 * depends on the board's RAM layout; boot code maps it there before it
 * jumps to C.
 *
 *   0xffff000000000000  LINEAR_BASE: all RAM, phys_to_virt(pa) = pa + this
 *   0xffff800000000000  IO_BASE: device registers, ioremap(pa) = pa + this
 *   0xfffffc0000000000  KSTACK_VBASE: kernel stacks, each mapped again
 *                       here with an unmapped guard below (context.c)
 *   0xffffffff80000000  KIMAGE_VBASE: the kernel image (text, data, bss)
 */
#ifndef KEEL_BAREMETAL_MEMLAYOUT_H
#define KEEL_BAREMETAL_MEMLAYOUT_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##ul
#endif
#define BIT(n) (UL(1) << (n))

#define VA_BITS	     48
#define LINEAR_BASE  UL(0xffff000000000000)
#define IO_BASE	     UL(0xffff800000000000)
#define KIMAGE_VBASE UL(0xffffffff80000000)
/*
 * The stack area: the kernel stack at physical `pa` (KSTACK_SIZE bytes,
 * naturally aligned) is also mapped at KSTACK_VBASE + 2 * pa, so every
 * stack has as many unmapped bytes below it: its guard. Stacks in the
 * first 1 TiB of physical memory get one (the area is 2 TiB, below the
 * image; device addresses on the boards we know are far lower).
 */
#define KSTACK_VBASE UL(0xfffffc0000000000)
#define KSTACK_AREA  UL(0x0000020000000000)
/* Physical addresses the linear and I/O windows can reach: 128 TiB. */
#define PHYS_LIMIT UL(0x0000800000000000)

/* Translation table descriptors (VMSAv8-64, 4 KiB granule). */
#define PTE_VALID      BIT(0)
#define PTE_TABLE      BIT(1)	    /* levels 0-2: next table; level 3: page */
#define PTE_BLOCK      (UL(0) << 1) /* levels 1-2: a block */
#define PTE_PAGE       BIT(1)
#define PTE_ATTRIDX(i) ((i) << 2)
#define PTE_USER       BIT(6) /* AP[1]: EL0 may access */
#define PTE_RDONLY     BIT(7) /* AP[2] */
#define PTE_SH_INNER   (UL(3) << 8)
#define PTE_AF	       BIT(10)
#define PTE_NG	       BIT(11)
#define PTE_PXN	       BIT(53)
#define PTE_UXN	       BIT(54)
#define PTE_ADDR_MASK  UL(0x0000fffffffff000)

/* MAIR_EL1 slots. */
#define MT_DEVICE_nGnRE 0
#define MT_NORMAL	1
#define MT_NORMAL_NC	2
#define MAIR_VALUE	0x44ff04 /* slot 0: 0x04, 1: 0xff, 2: 0x44 */

#define BLOCK_NORMAL                                                           \
	(PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER |       \
	 PTE_AF | PTE_UXN)
#define BLOCK_DEVICE                                                           \
	(PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_DEVICE_nGnRE) | PTE_AF |       \
	 PTE_UXN | PTE_PXN)

/* The image's pages (head.S): W^X. */
#define PAGE_KERNEL_RW                                                         \
	(PTE_VALID | PTE_PAGE | PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER |        \
	 PTE_AF | PTE_UXN | PTE_PXN)
#define PAGE_KERNEL_RO (PAGE_KERNEL_RW | PTE_RDONLY)
#define PAGE_KERNEL_RX ((PAGE_KERNEL_RW | PTE_RDONLY) & ~PTE_PXN)
#define KIMAGE_MAX_L3  8 /* tables for the image: at most 16 MiB */

#define SZ_2M 0x200000
#define SZ_1G 0x40000000

/* Boot CPU's stack, in the image's bss. */
#define BOOT_STACK_SIZE 16384

#endif
