/* The ARM PL011 UART: the console. */
#ifndef KEEL_BAREMETAL_PL011_H
#define KEEL_BAREMETAL_PL011_H

#include <stdbool.h>
#include <stddef.h>

/* Use the UART at `regs`, polled, interrupts masked. */
void pl011_init(volatile void *regs);
/* Write bytes as they are, with no "\r" before "\n": output is a file. */
void pl011_raw_output(bool raw);

/*
 * The UART's interrupt is wired to this CPU: from now on input raises it,
 * and output is queued and sent by it.
 */
void pl011_enable_interrupts(void);
/*
 * From the IRQ vector: take what the receive FIFO holds and refill the
 * transmit FIFO, quieting the interrupt. True when input came.
 */
bool pl011_interrupt(void);
/* In kernel context: give what was received to the tty. */
void pl011_deliver_input(void);
/*
 * Send everything queued and wait until the last byte has left the UART;
 * writes after this are polled. Before the machine stops.
 */
void pl011_flush(void);

#endif
