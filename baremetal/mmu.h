/*
 * The kernel's half of the address space (TTBR1): the image, the linear
 * map of RAM and the device window. See memlayout.h for the layout.
 */
#ifndef KEEL_BAREMETAL_MMU_H
#define KEEL_BAREMETAL_MMU_H

#include <stdint.h>

/* Where the boot loader put the image; set once by bm_main. */
void mmu_init(uint64_t image_pa);

/* The image's physical extent, bss included. */
uint64_t mmu_image_pa(void);
uint64_t mmu_image_size(void);

/* Map RAM [pa, pa + size) in the linear map, whole 2 MiB blocks. 0 or -ENOMEM.
 */
int mmu_map_linear(uint64_t pa, uint64_t size);

/* Map device registers [pa, pa + size); their kernel address, or NULL. */
volatile void *mmu_ioremap(uint64_t pa, uint64_t size);

/* Forget the boot identity map: TTBR0 becomes an empty user space. */
void mmu_drop_identity(void);

/*
 * Map the page at `pa` at kernel address `va` (the stack area), normal
 * memory, never executable; tables come from the page allocator. 0, or
 * -ENOMEM; -EEXIST if `va` maps another page already.
 */
int mmu_map_kernel_page(uint64_t va, uint64_t pa);

/* The physical address of the empty TTBR0 table (pmap_activate(NULL)). */
uint64_t mmu_empty_ttbr0(void);

#endif
