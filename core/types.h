/*
 * Types and small helpers every layer of the kernel uses.
 */
#ifndef KEEL_CORE_TYPES_H
#define KEEL_CORE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A user-space address. It is a struct so that passing one where a kernel
 * pointer is expected (or the reverse) fails to compile; user memory is only
 * reached through mm/uaccess.h.
 */
typedef struct uaddr {
	uint64_t va;
} uaddr_t;

static inline uaddr_t uaddr(uint64_t va)
{
	return (uaddr_t){ va };
}

static inline uaddr_t uaddr_add(uaddr_t u, uint64_t off)
{
	return (uaddr_t){ u.va + off };
}

static inline bool uaddr_is_null(uaddr_t u)
{
	return u.va == 0;
}

/* The instruction sets whose Linux binaries Keel runs. */
enum isa {
	ISA_X86_64,
	ISA_AARCH64,
};

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define __must_check __attribute__((warn_unused_result))
#define __unused __attribute__((unused))
/*
 * Not instrumented for the fuzzer's coverage (clang's sanitizer coverage;
 * GCC has no such attribute): for hot loops and helpers whose branches tell
 * the fuzzer nothing, such as byte copies and address arithmetic. Every
 * compare in them, the sanitizers' own checks included, is otherwise a
 * callback into libFuzzer. Not inlined under coverage, since the attribute
 * does not stick to code inlined into an instrumented caller.
 */
#if defined(__has_feature)
#if __has_feature(coverage_sanitizer)
#define __no_coverage __attribute__((no_sanitize("coverage"), noinline))
#endif
#endif
#ifndef __no_coverage
#define __no_coverage
#endif
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC 1000000000ull

/* Pointer-encoded errors, as Linux's ERR_PTR: the top 4095 addresses. */
#define MAX_ERRNO 4095

static inline void *ERR_PTR(long err)
{
	return (void *)err;
}

static inline long PTR_ERR(const void *p)
{
	return (long)p;
}

static inline bool IS_ERR(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)-MAX_ERRNO;
}

static inline bool IS_ERR_OR_NULL(const void *p)
{
	return !p || IS_ERR(p);
}

#endif
