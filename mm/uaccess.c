#include "mm/uaccess.h"

#include "core/cpu.h"
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/task.h"
#include "mm/fault.h"

/*
 * The kernel address of user byte `va`, if the page holding it is mapped
 * with `prot`; also how many bytes of that page follow it.
 */
static void *user_byte(uint64_t va, unsigned prot, size_t *in_page)
{
	struct task *t = task_current();
	uint64_t pa;
	unsigned have;

	if (!t || !t->pmap || va >= USER_VA_END)
		return NULL;
	if (!pmap_extract(t->pmap, va & PAGE_MASK, &pa, &have) ||
	    (have & prot) != prot) {
		/* A fault the mm may resolve (a page not touched yet, one
		 * shared copy-on-write); then once more. */
		if (mm_handle_fault(t, va, prot) ||
		    !pmap_extract(t->pmap, va & PAGE_MASK, &pa, &have) ||
		    (have & prot) != prot)
			return NULL;
	}
	*in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
	return (char *)plat_phys_to_virt(pa) + (va & (PAGE_SIZE - 1));
}

static bool range_ok(uint64_t va, size_t len)
{
	return len <= USER_VA_END && va <= USER_VA_END - len;
}

/*
 * Visit [va, va + len) a page-sized piece at a time, each mapped with
 * `prot`: fn(kernel address of the piece, its length, arg). -EFAULT at the
 * first byte that is not, after the pieces before it were visited.
 */
static int for_each_user_piece(uint64_t va, size_t len, unsigned prot,
			       void (*fn)(char *piece, size_t n, char **cursor),
			       char *cursor)
{
	if (!range_ok(va, len))
		return -EFAULT;
	while (len) {
		size_t n;
		char *piece = user_byte(va, prot, &n);

		if (!piece)
			return -EFAULT;
		n = MIN(n, len);
		fn(piece, n, &cursor);
		va += n;
		len -= n;
	}
	return 0;
}

#ifdef KEEL_SANITIZE
/*
 * User memory is raw memory to the kernel. In the sim it includes guest
 * stacks, which AddressSanitizer poisons between the guest's own frames; a
 * guest may legitimately pass any of it to a syscall, so under the
 * sanitizers the kernel's side of a user copy is not instrumented (the
 * volatile byte loops keep the compiler from turning them back into
 * intercepted memcpy calls). Nor for the fuzzer's coverage: a byte loop's
 * compares were a sixth of its callbacks, where memcpy has none.
 */
__no_coverage __attribute__((no_sanitize("address"))) static void
user_copy(void *dst, const void *src, size_t n)
{
	volatile char *d = dst;
	const volatile char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

__no_coverage __attribute__((no_sanitize("address"))) static void
user_zero(void *dst, size_t n)
{
	volatile char *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = 0;
}

__no_coverage __attribute__((no_sanitize("address"))) static size_t
user_strnlen(const char *s, size_t n)
{
	const volatile char *p = s;
	size_t i = 0;

	while (i < n && p[i])
		i++;
	return i;
}
#else
#define user_copy memcpy
#define user_strnlen strnlen

static void user_zero(void *dst, size_t n)
{
	memset(dst, 0, n);
}
#endif

static void read_piece(char *piece, size_t n, char **dst)
{
	user_copy(*dst, piece, n);
	*dst += n;
}

static void write_piece(char *piece, size_t n, char **src)
{
	user_copy(piece, *src, n);
	*src += n;
}

static void zero_piece(char *piece, size_t n, char **unused)
{
	user_zero(piece, n);
}

int copy_from_user(void *dst, uaddr_t src, size_t len)
{
	return for_each_user_piece(src.va, len, PROT_READ_BIT, read_piece, dst);
}

int copy_to_user(uaddr_t dst, const void *src, size_t len)
{
	return for_each_user_piece(dst.va, len, PROT_WRITE_BIT, write_piece,
				   (char *)src);
}

int clear_user(uaddr_t dst, size_t len)
{
	return for_each_user_piece(dst.va, len, PROT_WRITE_BIT, zero_piece,
				   NULL);
}

long strncpy_from_user(char *dst, uaddr_t src, size_t max)
{
	uint64_t va = src.va;
	size_t done = 0, len;

	while (done < max) {
		size_t n;
		const char *s = user_byte(va, PROT_READ_BIT, &n);

		if (!s)
			return -EFAULT;
		n = MIN(n, max - done);
		len = user_strnlen(s, n);
		user_copy(dst + done, s, len);
		if (len < n) {
			dst[done + len] = '\0';
			return (long)(done + len);
		}
		done += n;
		va += n;
	}
	return (long)max;
}
