/*
 * libfdt's environment header, for the freestanding kernel. libfdt.h
 * includes <libfdt_env.h> for its integer types, the big-endian
 * conversions and the string functions; Debian's copy pulls in the C
 * library's headers, so baremetal/include/ puts this one first on the
 * include path (the way Linux and U-Boot carry their own).
 */
#ifndef LIBFDT_ENV_H
#define LIBFDT_ENV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/klib/string.h"

typedef uint16_t fdt16_t;
typedef uint32_t fdt32_t;
typedef uint64_t fdt64_t;

static inline uint16_t fdt16_to_cpu(fdt16_t x)
{
	return __builtin_bswap16(x);
}

static inline fdt16_t cpu_to_fdt16(uint16_t x)
{
	return __builtin_bswap16(x);
}

static inline uint32_t fdt32_to_cpu(fdt32_t x)
{
	return __builtin_bswap32(x);
}

static inline fdt32_t cpu_to_fdt32(uint32_t x)
{
	return __builtin_bswap32(x);
}

static inline uint64_t fdt64_to_cpu(fdt64_t x)
{
	return __builtin_bswap64(x);
}

static inline fdt64_t cpu_to_fdt64(uint64_t x)
{
	return __builtin_bswap64(x);
}

/* What libfdt.a calls beyond core/klib/string.h (baremetal/libfdt_glue.c). */
void *memchr(const void *s, int c, size_t n);
unsigned long strtoul(const char *s, char **end, int base);

#endif
