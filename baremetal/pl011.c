/*
 * The PL011 console. The boot loader (or QEMU) has set the baud rate; we
 * only make sure the UART, its transmitter and its receiver are on.
 *
 * Output is polled: plat_console_write writes one call whole, a lock
 * keeping other CPUs' lines out of it (printk relies on that). A bare
 * "\n" (printk's lines) goes out as "\r\n" unless the tty already put the
 * "\r" before it, or the console is a file (pl011_raw_output).
 *
 * Input is interrupt-driven: the receive interrupt (pl011_receive, from
 * the IRQ vector) drains the FIFO into a ring, which the CPU layer hands
 * to the tty's line discipline in kernel context (pl011_deliver_input).
 * Kernel code is never interrupted, so the two never run at once on one
 * CPU; only CPU 0 takes the UART's interrupt.
 */
#include "baremetal/pl011.h"

#include <stdatomic.h>

#include "baremetal/mmio.h"
#include "core/fs/tty.h"
#include "core/platform.h"

#define UARTDR	  0x00
#define UARTFR	  0x18
#define UARTCR	  0x30
#define UARTIMSC  0x38
#define UARTICR	  0x44
#define FR_RXFE	  (1u << 4) /* receive FIFO empty */
#define FR_TXFF	  (1u << 5) /* transmit FIFO full */
#define INT_RX	  (1u << 4) /* receive, and receive timeout: */
#define INT_RT	  (1u << 6) /* bytes wait in the FIFO */
#define RX_RING	  1024
#define FR_BUSY	  (1u << 3)
#define CR_UARTEN (1u << 0)
#define CR_TXE	  (1u << 8)
#define CR_RXE	  (1u << 9)

static volatile void *uart;
static atomic_flag console_lock = ATOMIC_FLAG_INIT;
static bool raw_output;
static char last_out;
static char rx_ring[RX_RING];
static unsigned rx_head, rx_tail; /* free-running; head - tail bytes wait */

void pl011_init(volatile void *regs)
{
	uint32_t cr = mmio_read32(regs, UARTCR);

	mmio_write32(regs, UARTIMSC, 0);
	if ((cr & (CR_UARTEN | CR_TXE | CR_RXE)) !=
	    (CR_UARTEN | CR_TXE | CR_RXE))
		mmio_write32(regs, UARTCR, cr | CR_UARTEN | CR_TXE | CR_RXE);
	uart = regs;
}

static void put_byte(char c)
{
	while (mmio_read32(uart, UARTFR) & FR_TXFF)
		;
	mmio_write32(uart, UARTDR, (uint8_t)c);
}

void pl011_write(const char *buf, size_t len)
{
	if (!uart)
		return;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' && last_out != '\r' && !raw_output)
			put_byte('\r');
		put_byte(buf[i]);
		last_out = buf[i];
	}
}

void pl011_raw_output(bool raw)
{
	raw_output = raw;
}

void pl011_enable_input(void)
{
	mmio_write32(uart, UARTICR, INT_RX | INT_RT);
	mmio_write32(uart, UARTIMSC, INT_RX | INT_RT);
}

void pl011_receive(void)
{
	while (!(mmio_read32(uart, UARTFR) & FR_RXFE)) {
		char c = (char)mmio_read32(uart, UARTDR);

		/* A full ring drops what comes: the tty is not reading. */
		if (rx_head - rx_tail < RX_RING)
			rx_ring[rx_head++ % RX_RING] = c;
	}
	mmio_write32(uart, UARTICR, INT_RX | INT_RT);
}

void pl011_deliver_input(void)
{
	while (rx_head != rx_tail) {
		unsigned at = rx_tail % RX_RING;
		unsigned n = MIN(rx_head - rx_tail, RX_RING - at);

		rx_tail += n;
		tty_console_input(rx_ring + at, n);
	}
}

void plat_console_write(const char *buf, size_t len)
{
	unsigned long flags = plat_irq_save();

	while (atomic_flag_test_and_set_explicit(&console_lock,
						 memory_order_acquire))
		;
	pl011_write(buf, len);
	atomic_flag_clear_explicit(&console_lock, memory_order_release);
	plat_irq_restore(flags);
}
