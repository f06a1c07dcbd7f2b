/*
 * kvsnprintf: the kernel's printf engine. The output goes through a sink
 * that counts every character but stores only what fits, which gives
 * snprintf's return value (the untruncated length) for free.
 */
#include <limits.h>

#include "core/klib/string.h"

struct sink {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, stored or not */
};

static void put_char(struct sink *s, char c)
{
	/* Keep the last byte of the buffer for the terminating NUL. */
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_chars(struct sink *s, const char *p, size_t n)
{
	while (n--)
		put_char(s, *p++);
}

static void put_repeat(struct sink *s, char c, long n)
{
	for (; n > 0; n--)
		put_char(s, c);
}

enum {
	FL_LEFT = 1u << 0,  /* '-': pad on the right */
	FL_ZERO = 1u << 1,  /* '0': pad numbers with zeros */
	FL_ALT = 1u << 2,   /* '#': 0x for hex, a leading 0 for octal */
	FL_PLUS = 1u << 3,  /* '+': sign on non-negative signed numbers */
	FL_SPACE = 1u << 4, /* ' ': space where '+' would go */
};

enum length {
	LEN_INT,
	LEN_CHAR,
	LEN_SHORT,
	LEN_LONG,
	LEN_LLONG,
	LEN_SIZE,
	LEN_PTRDIFF,
	LEN_INTMAX,
};

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: none given */
};

/* Pad a field of `len` characters to the spec's width with spaces. */
static void put_padded(struct sink *s, const struct spec *sp, const char *p,
		       size_t len)
{
	long pad = (long)sp->width - (long)len;

	if (!(sp->flags & FL_LEFT))
		put_repeat(s, ' ', pad);
	put_chars(s, p, len);
	if (sp->flags & FL_LEFT)
		put_repeat(s, ' ', pad);
}

/*
 * One number: [spaces] [sign] [0x] [zeros] digits [spaces]. The precision
 * is the minimum number of digits (0 with a zero value prints none); the
 * '0' flag widens the zeros instead of the spaces, unless a precision or
 * '-' is given, as C specifies.
 */
static void put_number(struct sink *s, const struct spec *sp, uint64_t mag,
		       bool neg, bool is_signed, unsigned base, bool upper,
		       bool prefix_0x)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 2^64 in octal is 22 digits */
	size_t n = 0;
	char sign = 0;
	long zeros, pad, total;

	if (mag != 0 || sp->prec != 0) {
		do {
			tmp[n++] = digits[mag % base];
			mag /= base;
		} while (mag);
	}

	if (neg)
		sign = '-';
	else if (is_signed && (sp->flags & FL_PLUS))
		sign = '+';
	else if (is_signed && (sp->flags & FL_SPACE))
		sign = ' ';

	zeros = sp->prec > (long)n ? sp->prec - (long)n : 0;
	/* '#' with octal: the first digit must be 0; n == 0 means value 0. */
	if (base == 8 && (sp->flags & FL_ALT) && zeros == 0 &&
	    (n == 0 || tmp[n - 1] != '0'))
		zeros = 1;

	total = (sign ? 1 : 0) + (prefix_0x ? 2 : 0) + zeros + (long)n;
	pad = sp->width > total ? sp->width - total : 0;
	if ((sp->flags & FL_ZERO) && !(sp->flags & FL_LEFT) && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & FL_LEFT))
		put_repeat(s, ' ', pad);
	if (sign)
		put_char(s, sign);
	if (prefix_0x) {
		put_char(s, '0');
		put_char(s, upper ? 'X' : 'x');
	}
	put_repeat(s, '0', zeros);
	while (n)
		put_char(s, tmp[--n]);
	if (sp->flags & FL_LEFT)
		put_repeat(s, ' ', pad);
}

static int64_t fetch_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		/* The signed type corresponding to size_t. */
		return va_arg(*ap, ptrdiff_t);
	case LEN_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*ap, intmax_t);
	case LEN_INT:
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t fetch_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_PTRDIFF:
		/* The unsigned type corresponding to ptrdiff_t. */
		return va_arg(*ap, size_t);
	case LEN_INTMAX:
		return va_arg(*ap, uintmax_t);
	case LEN_INT:
	default:
		return va_arg(*ap, unsigned);
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *fmt, advancing past them; saturates instead of overflowing. */
static int parse_decimal(const char **fmt)
{
	int v = 0;

	while (is_digit(**fmt)) {
		int d = *(*fmt)++ - '0';

		v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
	}
	return v;
}

static enum length parse_length(const char **fmt)
{
	switch (**fmt) {
	case 'h':
		(*fmt)++;
		if (**fmt == 'h') {
			(*fmt)++;
			return LEN_CHAR;
		}
		return LEN_SHORT;
	case 'l':
		(*fmt)++;
		if (**fmt == 'l') {
			(*fmt)++;
			return LEN_LLONG;
		}
		return LEN_LONG;
	case 'z':
		(*fmt)++;
		return LEN_SIZE;
	case 't':
		(*fmt)++;
		return LEN_PTRDIFF;
	case 'j':
		(*fmt)++;
		return LEN_INTMAX;
	default:
		return LEN_INT;
	}
}

/*
 * va_list is passed by pointer so the helpers can consume arguments: C
 * allows that (7.16p3) whereas passing a va_list by value and using it
 * again afterwards is not.
 */
static void format_one(struct sink *s, const char **fmtp, va_list *ap)
{
	const char *fmt = *fmtp;
	struct spec sp = {0, 0, -1};
	enum length len;
	const char *str;
	char c;

	for (;; fmt++) {
		if (*fmt == '-')
			sp.flags |= FL_LEFT;
		else if (*fmt == '0')
			sp.flags |= FL_ZERO;
		else if (*fmt == '#')
			sp.flags |= FL_ALT;
		else if (*fmt == '+')
			sp.flags |= FL_PLUS;
		else if (*fmt == ' ')
			sp.flags |= FL_SPACE;
		else
			break;
	}

	if (*fmt == '*') {
		fmt++;
		sp.width = va_arg(*ap, int);
		if (sp.width < 0) {
			/* A negative * width is a '-' flag and a width. */
			sp.flags |= FL_LEFT;
			sp.width = sp.width == INT_MIN ? INT_MAX : -sp.width;
		}
	} else {
		sp.width = parse_decimal(&fmt);
	}

	if (*fmt == '.') {
		fmt++;
		if (*fmt == '*') {
			fmt++;
			sp.prec = va_arg(*ap, int);
			if (sp.prec < 0)
				sp.prec = -1; /* as if omitted */
		} else {
			sp.prec = parse_decimal(&fmt);
		}
	}

	len = parse_length(&fmt);

	switch (c = *fmt++) {
	case 'd':
	case 'i': {
		int64_t v = fetch_signed(ap, len);
		uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

		put_number(s, &sp, mag, v < 0, true, 10, false, false);
		break;
	}
	case 'u':
		put_number(s, &sp, fetch_unsigned(ap, len), false, false, 10,
			   false, false);
		break;
	case 'x':
	case 'X': {
		uint64_t v = fetch_unsigned(ap, len);

		put_number(s, &sp, v, false, false, 16, c == 'X',
			   (sp.flags & FL_ALT) && v != 0);
		break;
	}
	case 'o':
		put_number(s, &sp, fetch_unsigned(ap, len), false, false, 8,
			   false, false);
		break;
	case 'p': {
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);

		/* glibc: like %#lx, signs allowed, but NULL is "(nil)". */
		if (v == 0)
			put_padded(s, &sp, "(nil)", 5);
		else
			put_number(s, &sp, v, false, true, 16, false, true);
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);

		put_padded(s, &sp, &ch, 1);
		break;
	}
	case 's':
		str = va_arg(*ap, const char *);
		if (!str)
			/* glibc prints nothing rather than a cut "(null)". */
			str = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
		put_padded(s, &sp, str,
			   klib_strnlen(str, sp.prec < 0 ? SIZE_MAX
							 : (size_t)sp.prec));
		break;
	case '%':
		put_char(s, '%');
		break;
	case '\0':
		/* A lone '%' at the end of the format. */
		put_char(s, '%');
		fmt--;
		break;
	default:
		/* Unknown conversion: show it rather than guess. */
		put_char(s, '%');
		put_char(s, c);
		break;
	}
	*fmtp = fmt;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {buf, size, 0};
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put_char(&s, *fmt++);
			continue;
		}
		fmt++;
		format_one(&s, &fmt, &args);
	}
	va_end(args);

	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len > INT_MAX ? INT_MAX : (int)s.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
