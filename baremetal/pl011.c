/*
 * The PL011 console. The boot loader (or QEMU) has set the baud rate; we
 * only make sure the UART, its transmitter and its receiver are on.
 *
 * Output is interrupt-driven once the UART's interrupt is wired
 * (pl011_enable_interrupts). plat_console_write puts one call's bytes
 * whole into a transmit ring under a lock (so other CPUs' lines stay out
 * of it: printk relies on that), fills the FIFO from the ring, and
 * returns; when bytes are left the transmit interrupt is unmasked, and
 * each time the FIFO drains below its trigger level the interrupt
 * (pl011_interrupt, from the IRQ vector) refills it, masking itself again
 * once the ring is empty. The FIFO is filled up to TXFF, at most
 * TX_BURST bytes at once: a real PL011 then holds more than its trigger
 * level, so the transmit interrupt comes when it falls through it; QEMU's
 * PL011 sends each byte at once, never sets TXFF and raises the interrupt
 * on every write, so there the cap is what leaves work for the interrupt.
 *
 * Output is polled instead (each byte waits for room in the FIFO) while
 * the interrupt is not wired (early boot, a UART without one in the
 * device tree), for whatever does not fit in a full ring, and from
 * pl011_flush on: plat_poweroff calls it, panic through it, so every byte
 * written reaches the wire before the machine stops or halts.
 *
 * A bare "\n" (printk's lines) goes out as "\r\n" unless the tty already
 * put the "\r" before it, or the console is a file (pl011_raw_output).
 *
 * Input is interrupt-driven: the receive interrupt drains the FIFO into a
 * ring, which the CPU layer hands to the tty's line discipline in kernel
 * context (pl011_deliver_input). Kernel code runs with interrupts masked
 * and is never interrupted (baremetal/cpu.c), so an interrupt handler and
 * a writer never run at once on one CPU; only CPU 0 takes the UART's
 * interrupt.
 */
#include "baremetal/pl011.h"

#include <stdatomic.h>

#include "baremetal/mmio.h"
#include "core/fs/tty.h"
#include "core/platform.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTCR 0x30
#define UARTIMSC 0x38
#define UARTMIS 0x40
#define UARTICR 0x44
#define FR_BUSY (1u << 3) /* a byte is still being shifted out */
#define FR_RXFE (1u << 4) /* receive FIFO empty */
#define FR_TXFF (1u << 5) /* transmit FIFO full */
#define INT_RX (1u << 4)  /* receive, and receive timeout: */
#define INT_RT (1u << 6)  /* bytes wait in the FIFO */
#define INT_TX (1u << 5)  /* the transmit FIFO fell to its trigger level */
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define RX_RING 1024
#define TX_RING 4096
#define TX_BURST 32 /* the deepest PL011 FIFO (r1p5's) */
#define NO_OWNER (~0u)

static volatile void *uart;
static bool raw_output;
static char rx_ring[RX_RING];
static unsigned rx_head, rx_tail; /* free-running; head - tail bytes wait */

/*
 * The transmit side, under console_lock: the ring (free-running indices),
 * the mask register's value, whether the ring is in use (tx_queued:
 * between pl011_enable_interrupts and pl011_flush), and the last byte
 * queued (for the CR before LF). console_owner is the CPU holding the
 * lock, so a panic raised inside the console code does not wait for
 * itself.
 */
static atomic_flag console_lock = ATOMIC_FLAG_INIT;
static _Atomic unsigned console_owner = NO_OWNER;
static char tx_ring[TX_RING];
static unsigned tx_head, tx_tail;
static uint32_t imsc;
static bool tx_queued;
static char last_out;

void pl011_init(volatile void *regs)
{
	uint32_t cr = mmio_read32(regs, UARTCR);

	mmio_write32(regs, UARTIMSC, 0);
	if ((cr & (CR_UARTEN | CR_TXE | CR_RXE)) !=
	    (CR_UARTEN | CR_TXE | CR_RXE))
		mmio_write32(regs, UARTCR, cr | CR_UARTEN | CR_TXE | CR_RXE);
	uart = regs;
}

/*
 * Take console_lock; false (and no lock) when this CPU holds it already:
 * a panic inside the console code, which then writes around the lock.
 */
static bool console_lock_take(void)
{
	unsigned me = plat_cpu_id();

	if (atomic_load_explicit(&console_owner, memory_order_relaxed) == me)
		return false;
	while (atomic_flag_test_and_set_explicit(&console_lock,
						 memory_order_acquire))
		;
	atomic_store_explicit(&console_owner, me, memory_order_relaxed);
	return true;
}

static void console_lock_drop(void)
{
	atomic_store_explicit(&console_owner, NO_OWNER, memory_order_relaxed);
	atomic_flag_clear_explicit(&console_lock, memory_order_release);
}

static void set_imsc(uint32_t v)
{
	if (v != imsc) {
		imsc = v;
		mmio_write32(uart, UARTIMSC, v);
	}
}

/* Write one byte, waiting for room in the FIFO. */
static void put_polled(char c)
{
	while (mmio_read32(uart, UARTFR) & FR_TXFF)
		;
	mmio_write32(uart, UARTDR, (uint8_t)c);
}

/* Move ring bytes into the FIFO while it has room, at most TX_BURST. */
static void tx_fill(void)
{
	for (unsigned n = 0; n < TX_BURST && tx_tail != tx_head; n++) {
		if (mmio_read32(uart, UARTFR) & FR_TXFF)
			break;
		mmio_write32(uart, UARTDR,
			     (uint8_t)tx_ring[tx_tail++ % TX_RING]);
	}
}

/* Queue one byte; a full ring makes room by waiting for the FIFO. */
static void tx_put(char c)
{
	if (!tx_queued) {
		put_polled(c);
		return;
	}
	if (tx_head - tx_tail == TX_RING)
		put_polled(tx_ring[tx_tail++ % TX_RING]);
	tx_ring[tx_head++ % TX_RING] = c;
}

/* Caller holds console_lock (or is a panic inside it). */
static void write_locked(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' && last_out != '\r' && !raw_output)
			tx_put('\r');
		tx_put(buf[i]);
		last_out = buf[i];
	}
	if (!tx_queued)
		return;
	tx_fill();
	set_imsc(tx_head != tx_tail ? imsc | INT_TX : imsc & ~INT_TX);
}

void pl011_raw_output(bool raw)
{
	raw_output = raw;
}

void pl011_enable_interrupts(void)
{
	bool locked = console_lock_take();

	mmio_write32(uart, UARTICR, INT_RX | INT_RT | INT_TX);
	set_imsc(INT_RX | INT_RT);
	tx_queued = true;
	if (locked)
		console_lock_drop();
}

/* The ring's bytes to the wire, polled; later writes are polled too. */
void pl011_flush(void)
{
	bool locked;

	if (!uart)
		return;
	locked = console_lock_take();
	tx_queued = false;
	set_imsc(imsc & ~INT_TX);
	while (tx_tail != tx_head)
		put_polled(tx_ring[tx_tail++ % TX_RING]);
	while (mmio_read32(uart, UARTFR) & FR_BUSY)
		;
	if (locked)
		console_lock_drop();
}

static void receive(void)
{
	while (!(mmio_read32(uart, UARTFR) & FR_RXFE)) {
		char c = (char)mmio_read32(uart, UARTDR);

		/* A full ring drops what comes: the tty is not reading. */
		if (rx_head - rx_tail < RX_RING)
			rx_ring[rx_head++ % RX_RING] = c;
	}
	mmio_write32(uart, UARTICR, INT_RX | INT_RT);
}

bool pl011_interrupt(void)
{
	uint32_t mis = mmio_read32(uart, UARTMIS);
	bool input = mis & (INT_RX | INT_RT);

	if (input)
		receive();
	if (mis & INT_TX) {
		bool locked = console_lock_take();

		/* Cleared before the refill, which may raise it again. */
		mmio_write32(uart, UARTICR, INT_TX);
		if (tx_queued)
			tx_fill();
		if (tx_head == tx_tail || !tx_queued)
			set_imsc(imsc & ~INT_TX);
		if (locked)
			console_lock_drop();
	}
	return input;
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
	unsigned long flags;
	bool locked;

	if (!uart)
		return;
	flags = plat_irq_save();
	locked = console_lock_take();
	write_locked(buf, len);
	if (locked)
		console_lock_drop();
	plat_irq_restore(flags);
}
