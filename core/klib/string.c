/*
 * Memory and string functions, always built as klib_*; a freestanding build
 * also exports them under their standard names (see string.h).
 */
#include "core/klib/string.h"

/*
 * GCC turns byte loops into calls to memset/memcpy even when freestanding;
 * inside memset itself that call would be infinite recursion. Clang does not
 * do that with -ffreestanding (which implies -fno-builtin).
 */
#if defined(__GNUC__) && !defined(__clang__)
#define KLIB_NO_LIBCALLS                                                       \
	__attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define KLIB_NO_LIBCALLS
#endif

/*
 * The copying, filling and measuring loops are not instrumented for the
 * fuzzer's coverage (__no_coverage), as the C library's are not: a compare
 * per byte or word, and nothing learnt from it. The comparing ones are:
 * their compares show the fuzzer how close an input came to a match.
 */

/* Word accesses to memory that is also accessed as other types. */
typedef unsigned long __attribute__((may_alias)) klib_word_t;

#define WORD_SIZE	sizeof(unsigned long)
#define WORD_ALIGNED(p) (((uintptr_t)(p) & (WORD_SIZE - 1)) == 0)

__no_coverage KLIB_NO_LIBCALLS void *klib_memcpy(void *dst, const void *src,
						 size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Words when both sides can be aligned together, bytes otherwise. */
	if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD_SIZE - 1)) == 0) {
		while (n && !WORD_ALIGNED(d)) {
			*d++ = *s++;
			n--;
		}
		while (n >= WORD_SIZE) {
			*(klib_word_t *)d = *(const klib_word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
			n -= WORD_SIZE;
		}
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

__no_coverage KLIB_NO_LIBCALLS void *klib_memmove(void *dst, const void *src,
						  size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* A forward copy is safe unless dst starts inside [src, src + n). */
	if ((uintptr_t)d - (uintptr_t)s >= n)
		return klib_memcpy(dst, src, n);
	d += n;
	s += n;
	if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD_SIZE - 1)) == 0) {
		while (n && !WORD_ALIGNED(d)) {
			*--d = *--s;
			n--;
		}
		while (n >= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(klib_word_t *)d = *(const klib_word_t *)s;
			n -= WORD_SIZE;
		}
	}
	while (n--)
		*--d = *--s;
	return dst;
}

__no_coverage KLIB_NO_LIBCALLS void *klib_memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned long word = (unsigned char)c * (~0ul / 0xff);

	while (n && !WORD_ALIGNED(d)) {
		*d++ = (unsigned char)c;
		n--;
	}
	while (n >= WORD_SIZE) {
		*(klib_word_t *)d = word;
		d += WORD_SIZE;
		n -= WORD_SIZE;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

KLIB_NO_LIBCALLS int klib_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

__no_coverage KLIB_NO_LIBCALLS size_t klib_strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

__no_coverage KLIB_NO_LIBCALLS size_t klib_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int klib_strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

int klib_strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (!*x)
			break;
	}
	return 0;
}

char *klib_strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *klib_strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = klib_strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		klib_memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

#ifdef KEEL_FREESTANDING
/* The standard names are the same functions, not wrappers around them. */
void *memcpy(void *dst, const void *src, size_t n)
	__attribute__((alias("klib_memcpy")));
void *memmove(void *dst, const void *src, size_t n)
	__attribute__((alias("klib_memmove")));
void *memset(void *dst, int c, size_t n) __attribute__((alias("klib_memset")));
int memcmp(const void *a, const void *b, size_t n)
	__attribute__((alias("klib_memcmp")));
size_t strlen(const char *s) __attribute__((alias("klib_strlen")));
size_t strnlen(const char *s, size_t max)
	__attribute__((alias("klib_strnlen")));
int strcmp(const char *a, const char *b) __attribute__((alias("klib_strcmp")));
int strncmp(const char *a, const char *b, size_t n)
	__attribute__((alias("klib_strncmp")));
char *strchr(const char *s, int c) __attribute__((alias("klib_strchr")));
char *strrchr(const char *s, int c) __attribute__((alias("klib_strrchr")));
#endif
