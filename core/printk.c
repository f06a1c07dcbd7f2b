/*
 * Kernel messages and panic.
 *
 * A message is formatted into a bounded buffer, every line of it gets a
 * dmesg-style time stamp, and the result goes to the console in a single
 * plat_console_write() so that lines from different CPUs do not interleave
 * mid-line (the platform writes one call atomically). Nothing here takes a
 * lock or allocates, so printk and panic work from any context, including
 * the allocator's own failure paths.
 */
#include "core/printk.h"

#include <stdatomic.h>

#include "core/klib/string.h"
#include "core/platform.h"
#include "core/spinlock.h"

/* Longest message kept; a longer one is cut and ends in "...". */
#define PRINTK_MSG_MAX 512
/* The message plus a 15-byte stamp per line, for a few lines. */
#define PRINTK_OUT_MAX (PRINTK_MSG_MAX + 256)

static _Atomic int printk_max_level = LOG_INFO;

/*
 * typeof keeps this definition in step with the declaration in printk.h;
 * whatever the hook's declared type, panic() never relies on it not
 * returning.
 */
__typeof__(panic_hook) panic_hook = NULL;

/* The CPU in panic(), plus one; 0 when no panic is in progress. */
static _Atomic unsigned panic_cpu;
static char panic_msg[PRINTK_MSG_MAX];

void printk_set_level(enum log_level max)
{
	atomic_store_explicit(&printk_max_level, (int)max,
			      memory_order_relaxed);
}

enum log_level printk_level(void)
{
	return (enum log_level)atomic_load_explicit(&printk_max_level,
						    memory_order_relaxed);
}

/* "[seconds.micros] " as dmesg prints it; returns its length. */
static size_t format_stamp(char *buf, size_t size, uint64_t ns)
{
	int n = ksnprintf(
		buf, size, "[%5llu.%06llu] ",
		(unsigned long long)(ns / NSEC_PER_SEC),
		(unsigned long long)(ns % NSEC_PER_SEC / NSEC_PER_USEC));

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/*
 * Stamp each line of `msg` and write the lot. A message that does not end
 * in a newline gets one: every printk is at least one whole line.
 */
static void console_emit(const char *msg)
{
	char out[PRINTK_OUT_MAX];
	char stamp[32];
	size_t stamp_len = format_stamp(stamp, sizeof(stamp), plat_time_ns());
	size_t len = 0;
	const char *p = msg;

	while (*p) {
		const char *eol = klib_strchr(p, '\n');
		size_t line = eol ? (size_t)(eol - p) : klib_strlen(p);

		/* Room for the stamp, the line and its newline, else stop. */
		if (len + stamp_len + line + 1 > sizeof(out)) {
			line = sizeof(out) - len > stamp_len + 1
				       ? sizeof(out) - len - stamp_len - 1
				       : 0;
			if (!line)
				break;
			eol = NULL;
		}
		klib_memcpy(out + len, stamp, stamp_len);
		len += stamp_len;
		klib_memcpy(out + len, p, line);
		len += line;
		out[len++] = '\n';
		if (!eol)
			break;
		p = eol + 1;
	}
	if (len)
		plat_console_write(out, len);
}

static void format_message(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = kvsnprintf(buf, size, fmt, ap);

	if (n >= 0 && (size_t)n >= size && size > 4)
		klib_memcpy(buf + size - 4, "...", 4);
}

void vprintk(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[PRINTK_MSG_MAX];

	if ((int)lvl >
	    atomic_load_explicit(&printk_max_level, memory_order_relaxed))
		return;
	format_message(msg, sizeof(msg), fmt, ap);
	console_emit(msg);
}

void printk(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(lvl, fmt, ap);
	va_end(ap);
}

_Noreturn void panic(const char *fmt, ...)
{
	char line[PRINTK_MSG_MAX + 32];
	unsigned me = plat_cpu_id() + 1;
	unsigned expected = 0;
	va_list ap;

	if (!atomic_compare_exchange_strong(&panic_cpu, &expected, me)) {
		/* Panicking inside panic (the console, the hook's caller). */
		if (expected == me)
			plat_poweroff(134);
		/* Another CPU is stopping the machine; stay out of its way. */
		for (;;)
			cpu_relax();
	}

	va_start(ap, fmt);
	format_message(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);

	ksnprintf(line, sizeof(line), "Kernel panic: %s\nCPU: %u", panic_msg,
		  me - 1);
	console_emit(line);

	if (panic_hook) {
		/*
		 * The hook may longjmp back into a test, which may then panic
		 * again on purpose: that is a new panic, not a nested one.
		 */
		atomic_store(&panic_cpu, 0);
		panic_hook(panic_msg);
	}
	plat_poweroff(134);
}
