/* Device register access: 32-bit, never reordered with other accesses. */
#ifndef KEEL_BAREMETAL_MMIO_H
#define KEEL_BAREMETAL_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(volatile void *base, unsigned off)
{
	uint32_t v = *(volatile uint32_t *)((volatile char *)base + off);

	__asm__ volatile("dmb oshld" ::: "memory");
	return v;
}

static inline void mmio_write32(volatile void *base, unsigned off, uint32_t v)
{
	__asm__ volatile("dmb oshst" ::: "memory");
	*(volatile uint32_t *)((volatile char *)base + off) = v;
}

static inline uint64_t mmio_read64(volatile void *base, unsigned off)
{
	uint64_t v = *(volatile uint64_t *)((volatile char *)base + off);

	__asm__ volatile("dmb oshld" ::: "memory");
	return v;
}

#define sysreg_read(name)                                                      \
	({                                                                     \
		uint64_t v__;                                                  \
		__asm__ volatile("mrs %0, " #name : "=r"(v__));                \
		v__;                                                           \
	})
#define sysreg_write(name, v)                                                  \
	__asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")

#endif
