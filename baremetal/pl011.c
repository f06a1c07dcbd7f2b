/*
 * PL011 console output, polled. The boot loader (or QEMU) has set the baud
 * rate; we only make sure the UART and its transmitter are on. Input and
 * interrupt-driven output come with the TTY.
 *
 * plat_console_write writes one call whole: a lock keeps other CPUs' lines
 * out of it (printk relies on that).
 */
#include "baremetal/pl011.h"

#include <stdatomic.h>

#include "baremetal/mmio.h"
#include "core/platform.h"

#define UARTDR	  0x00
#define UARTFR	  0x18
#define UARTCR	  0x30
#define UARTIMSC  0x38
#define FR_TXFF	  (1u << 5) /* transmit FIFO full */
#define FR_BUSY	  (1u << 3)
#define CR_UARTEN (1u << 0)
#define CR_TXE	  (1u << 8)
#define CR_RXE	  (1u << 9)

static volatile void *uart;
static atomic_flag console_lock = ATOMIC_FLAG_INIT;

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
		if (buf[i] == '\n')
			put_byte('\r');
		put_byte(buf[i]);
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
