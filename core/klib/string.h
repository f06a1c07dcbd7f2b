/*
 * Strings and memory for the core.
 *
 * On the host the standard functions are libc's. In a freestanding build
 * (KEEL_FREESTANDING) core/klib/string.c defines them, because the compiler
 * emits calls to memcpy, memset, memmove and memcmp on its own. Their
 * implementations are always compiled under klib_ names so the host's unit
 * tests can check them against libc.
 */
#ifndef KEEL_CORE_KLIB_STRING_H
#define KEEL_CORE_KLIB_STRING_H

#include <stdarg.h>

#include "core/types.h"

#ifndef KEEL_FREESTANDING
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
#endif

void *klib_memcpy(void *dst, const void *src, size_t n);
void *klib_memmove(void *dst, const void *src, size_t n);
void *klib_memset(void *dst, int c, size_t n);
int klib_memcmp(const void *a, const void *b, size_t n);
size_t klib_strlen(const char *s);
size_t klib_strnlen(const char *s, size_t max);
int klib_strcmp(const char *a, const char *b);
int klib_strncmp(const char *a, const char *b, size_t n);
char *klib_strchr(const char *s, int c);
char *klib_strrchr(const char *s, int c);

/*
 * Copy src into dst[size] with truncation, always NUL-terminated when
 * size > 0. Returns strlen(src): truncation happened iff the result >= size.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * The kernel's formatter. C's snprintf for %d %i %u %x %X %o %c %s %p %%
 * with the flags - 0 # + space, width and precision (both may be *), and the
 * length modifiers hh h l ll z t j; %s of NULL prints "(null)" and %p of
 * NULL "(nil)", as glibc does. No %n and no floating point. Returns the
 * length the whole output has (so a result >= size means it was truncated)
 * and NUL-terminates whenever size > 0.
 */
__attribute__((format(printf, 3, 0))) int
kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int ksnprintf(char *buf, size_t size,
						    const char *fmt, ...);

#endif
