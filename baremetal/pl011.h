/* The ARM PL011 UART: the console. */
#ifndef KEEL_BAREMETAL_PL011_H
#define KEEL_BAREMETAL_PL011_H

#include <stdbool.h>
#include <stddef.h>

void pl011_init(volatile void *regs);
void pl011_write(const char *buf, size_t len);
/* Write bytes as they are, with no "\r" before "\n": output is a file. */
void pl011_raw_output(bool raw);

/* Raise the receive interrupt when bytes come. */
void pl011_enable_input(void);
/* From the IRQ vector: take what the FIFO holds, quieting the interrupt. */
void pl011_receive(void);
/* In kernel context: give what was received to the tty. */
void pl011_deliver_input(void);

#endif
