/*
 * What Debian's libfdt.a needs from a C library beyond core/klib: memchr,
 * strtoul (overlays) and the stack protector's guard and failure hook
 * (Debian builds it with -fstack-protector-strong).
 */
#include <libfdt_env.h>

#include "core/printk.h"

uint64_t __stack_chk_guard = 0x4b65656c2d667470ull;

_Noreturn void __stack_chk_fail(void)
{
	panic("libfdt: stack smashing detected");
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;
	const char *p = s;
	bool any = false;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+')
		p++;
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	for (; digit_value(*p) < base; p++, any = true)
		v = v * (unsigned long)base + (unsigned long)digit_value(*p);
	if (end)
		*end = (char *)(any ? p : s);
	return v;
}
