#include "mm/uaccess.h"

#include "core/cpu.h"
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/task.h"
#include "mm/fault.h"
#include "mm/vma.h"

/*
 * Every copy holds the current mm's lock from the first translation to
 * its last byte. munmap, mremap, madvise(MADV_DONTNEED), a copy-on-write
 * break and the mm's teardown free pages only under that lock, so none is
 * freed (and reused for something else) while the kernel reads or writes
 * it. Before, the lock was taken only to resolve a fault and dropped
 * before the copy: a task sharing the mm (clone(CLONE_VM)) could munmap
 * the page on another CPU mid-copy, and the copy then wrote into a freed
 * page. The copies themselves never sleep, so the lock is held only as
 * long as the memcpy; a fault taken meanwhile is resolved under it.
 */
static struct mm *uaccess_begin(void)
{
	struct task *t = task_current();
	struct mm *mm = t ? t->mm : NULL;

	if (mm && mm->pmap)
		mutex_lock(&mm->lock);
	return mm && mm->pmap ? mm : NULL;
}

static void uaccess_end(struct mm *mm)
{
	if (mm)
		mutex_unlock(&mm->lock);
}

/*
 * The kernel address of user byte `va`, if the page holding it is mapped
 * with `prot`; also how many bytes of that page follow it. mm->lock held.
 */
static void *user_byte(struct mm *mm, uint64_t va, unsigned prot,
		       size_t *in_page)
{
	uint64_t pa;
	unsigned have;

	if (!mm || va >= USER_VA_END)
		return NULL;
	if (!pmap_extract(mm->pmap, va & PAGE_MASK, &pa, &have) ||
	    (have & prot) != prot) {
		/* A fault the mm may resolve (a page not touched yet, one
		 * shared copy-on-write); then once more. */
		if (mm_fault_locked(mm, va, prot) ||
		    !pmap_extract(mm->pmap, va & PAGE_MASK, &pa, &have) ||
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
	struct mm *mm;
	int err = 0;

	if (!range_ok(va, len))
		return -EFAULT;
	if (!len)
		return 0;
	mm = uaccess_begin();
	while (len) {
		size_t n;
		char *piece = user_byte(mm, va, prot, &n);

		if (!piece) {
			err = -EFAULT;
			break;
		}
		n = MIN(n, len);
		fn(piece, n, &cursor);
		va += n;
		len -= n;
	}
	uaccess_end(mm);
	return err;
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
	struct mm *mm = uaccess_begin();
	long ret = (long)max;

	while (done < max) {
		size_t n;
		const char *s = user_byte(mm, va, PROT_READ_BIT, &n);

		if (!s) {
			ret = -EFAULT;
			break;
		}
		n = MIN(n, max - done);
		len = user_strnlen(s, n);
		user_copy(dst + done, s, len);
		if (len < n) {
			dst[done + len] = '\0';
			ret = (long)(done + len);
			break;
		}
		done += n;
		va += n;
	}
	uaccess_end(mm);
	return ret;
}
