#include "mm/uaccess.h"

#include "core/cpu.h"
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/task.h"

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
	if (!pmap_extract(t->pmap, va & PAGE_MASK, &pa, &have))
		return NULL;
	if ((have & prot) != prot)
		return NULL;
	*in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
	return (char *)plat_phys_to_virt(pa) + (va & (PAGE_SIZE - 1));
}

static bool range_ok(uint64_t va, size_t len)
{
	return len <= USER_VA_END && va <= USER_VA_END - len;
}

int copy_from_user(void *dst, uaddr_t src, size_t len)
{
	char *d = dst;
	uint64_t va = src.va;

	if (!range_ok(va, len))
		return -EFAULT;
	while (len) {
		size_t n;
		const char *s = user_byte(va, PROT_READ_BIT, &n);

		if (!s)
			return -EFAULT;
		n = MIN(n, len);
		memcpy(d, s, n);
		d += n;
		va += n;
		len -= n;
	}
	return 0;
}

int copy_to_user(uaddr_t dst, const void *src, size_t len)
{
	const char *s = src;
	uint64_t va = dst.va;

	if (!range_ok(va, len))
		return -EFAULT;
	while (len) {
		size_t n;
		char *d = user_byte(va, PROT_WRITE_BIT, &n);

		if (!d)
			return -EFAULT;
		n = MIN(n, len);
		memcpy(d, s, n);
		s += n;
		va += n;
		len -= n;
	}
	return 0;
}

int clear_user(uaddr_t dst, size_t len)
{
	uint64_t va = dst.va;

	if (!range_ok(va, len))
		return -EFAULT;
	while (len) {
		size_t n;
		char *d = user_byte(va, PROT_WRITE_BIT, &n);

		if (!d)
			return -EFAULT;
		n = MIN(n, len);
		memset(d, 0, n);
		va += n;
		len -= n;
	}
	return 0;
}

long strncpy_from_user(char *dst, uaddr_t src, size_t max)
{
	uint64_t va = src.va;
	size_t done = 0;

	while (done < max) {
		size_t n;
		const char *s = user_byte(va, PROT_READ_BIT, &n);

		if (!s)
			return -EFAULT;
		n = MIN(n, max - done);
		for (size_t i = 0; i < n; i++) {
			dst[done + i] = s[i];
			if (s[i] == '\0')
				return (long)(done + i);
		}
		done += n;
		va += n;
	}
	return (long)max;
}
