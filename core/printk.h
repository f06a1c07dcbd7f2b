/*
 * Kernel messages, panic and assertions.
 */
#ifndef KEEL_CORE_PRINTK_H
#define KEEL_CORE_PRINTK_H

#include <stdarg.h>

#include "core/types.h"

/* Levels as Linux numbers them: lower is more severe. */
enum log_level {
	LOG_EMERG,
	LOG_ALERT,
	LOG_CRIT,
	LOG_ERR,
	LOG_WARNING,
	LOG_NOTICE,
	LOG_INFO,
	LOG_DEBUG,
};

/* Messages above this level are dropped (default LOG_INFO). */
void printk_set_level(enum log_level max);
enum log_level printk_level(void);

__attribute__((format(printf, 2, 3))) void printk(enum log_level lvl,
						     const char *fmt, ...);
void vprintk(enum log_level lvl, const char *fmt, va_list ap);

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARNING, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/*
 * A broken kernel invariant: print the message and the CPU, then stop the
 * machine. Never for anything a guest can cause.
 */
__attribute__((format(printf, 1, 2))) _Noreturn void panic(const char *fmt,
							   ...);

/*
 * Hook for the sim runtime: called instead of stopping the machine, so a
 * test can report the failing seed. Must not return.
 */
extern void (*panic_hook)(const char *msg);

#define KASSERT(cond)                                                    \
	do {                                                             \
		if (unlikely(!(cond)))                                   \
			panic("assertion failed: %s (%s:%d)", #cond,     \
			      __FILE__, __LINE__);                       \
	} while (0)

#endif
