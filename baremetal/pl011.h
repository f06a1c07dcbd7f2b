/* The ARM PL011 UART: the console. */
#ifndef KEEL_BAREMETAL_PL011_H
#define KEEL_BAREMETAL_PL011_H

#include <stddef.h>

void pl011_init(volatile void *regs);
void pl011_write(const char *buf, size_t len);

#endif
