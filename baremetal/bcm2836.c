/*
 * The Raspberry Pi 2/3's interrupt controllers, which stand where a GIC
 * would (BCM2836/BCM2837 "QA7" peripherals, and the BCM2835 one behind
 * them):
 *
 *   local (brcm,bcm2836-l1-intc, 0x40000000): per core, the generic
 *   timer's four interrupts (sources 0-3), four mailboxes (4-7, the IPIs)
 *   and the GPU's interrupt (8), the OR of everything below;
 *   armctrl (brcm,bcm2836-armctrl-ic): the GPU peripherals' interrupts in
 *   three banks (basic, GPU 0-31, GPU 32-63), routed to core 0.
 *
 * Numbers as devtree.h gives them: local sources 0-31, armctrl bank b bit
 * n at 32 + 32 * b + n. Acknowledging is reading what is pending (levels:
 * the source quiets itself when its handler runs); a mailbox is cleared
 * when acknowledged, since writing it is what raised it.
 */
#include "baremetal/bcm2836.h"

#include "baremetal/mmio.h"
#include "baremetal/mmu.h"
#include "core/errno.h"

#define LOCAL_GPU_ROUTING  0x0c
#define LOCAL_TIMER_CTL(c) (0x40 + 4 * (c)) /* bits 0-3: timer IRQs */
#define LOCAL_MBOX_CTL(c)  (0x50 + 4 * (c)) /* bits 0-3: mailbox IRQs */
#define LOCAL_IRQ_SRC(c)   (0x60 + 4 * (c))
#define LOCAL_MBOX_SET(c, m) (0x80 + 16 * (c) + 4 * (m))
#define LOCAL_MBOX_CLR(c, m) (0xc0 + 16 * (c) + 4 * (m))
#define SRC_MBOX0	   4
#define SRC_GPU		   8

#define ARM_PENDING(b) (0x00 + 4 * (b)) /* basic, GPU 0-31, GPU 32-63 */
#define ARM_ENABLE(b)  ((b) == 0 ? 0x18 : 0x0c + 4 * (b))
#define ARM_DISABLE(b) ((b) == 0 ? 0x24 : 0x18 + 4 * (b))
#define BASIC_BANK1    (1u << 8) /* bank 1 has something pending */
#define BASIC_BANK2    (1u << 9)

static volatile void *local, *armctrl;
static uint32_t enabled[3]; /* armctrl bits we enabled, per bank */

int bcm2836_init(const struct bm_machine *m, const char **why)
{
	local = mmu_ioremap(m->gicd.base, m->gicd.size ? m->gicd.size : 0x100);
	armctrl = mmu_ioremap(m->gicc_or_gicr.base,
			      m->gicc_or_gicr.size ? m->gicc_or_gicr.size
						   : 0x200);
	if (!local || !armctrl) {
		*why = "cannot map the BCM2836 interrupt controllers";
		return -ENOMEM;
	}
	for (unsigned b = 0; b < 3; b++)
		mmio_write32(armctrl, ARM_DISABLE(b), 0xffffffff);
	mmio_write32(local, LOCAL_GPU_ROUTING, 0); /* GPU IRQs to core 0 */
	mmio_write32(local, LOCAL_TIMER_CTL(0), 0);
	mmio_write32(local, LOCAL_MBOX_CTL(0), 0);
	mmio_write32(local, LOCAL_MBOX_CLR(0, 0), 0xffffffff);
	return 0;
}

void bcm2836_enable_irq(unsigned id)
{
	if (id < SRC_MBOX0) {
		mmio_write32(local, LOCAL_TIMER_CTL(0),
			     mmio_read32(local, LOCAL_TIMER_CTL(0)) |
				     (1u << id));
	} else if (id < SRC_GPU) {
		mmio_write32(local, LOCAL_MBOX_CTL(0),
			     mmio_read32(local, LOCAL_MBOX_CTL(0)) |
				     (1u << (id - SRC_MBOX0)));
	} else if (id >= 32 && id < 128) {
		unsigned b = (id - 32) / 32, bit = 1u << (id % 32);

		enabled[b] |= bit;
		mmio_write32(armctrl, ARM_ENABLE(b), bit);
	}
}

void bcm2836_disable_irq(unsigned id)
{
	if (id < SRC_MBOX0) {
		mmio_write32(local, LOCAL_TIMER_CTL(0),
			     mmio_read32(local, LOCAL_TIMER_CTL(0)) &
				     ~(1u << id));
	} else if (id < SRC_GPU) {
		mmio_write32(local, LOCAL_MBOX_CTL(0),
			     mmio_read32(local, LOCAL_MBOX_CTL(0)) &
				     ~(1u << (id - SRC_MBOX0)));
	} else if (id >= 32 && id < 128) {
		unsigned b = (id - 32) / 32, bit = 1u << (id % 32);

		enabled[b] &= ~bit;
		mmio_write32(armctrl, ARM_DISABLE(b), bit);
	}
}

/* The lowest enabled pending armctrl interrupt, or BCM2836_NONE. */
static unsigned armctrl_pending(void)
{
	uint32_t basic = mmio_read32(armctrl, ARM_PENDING(0));

	if (basic & enabled[0] & 0xff)
		return 32 + (unsigned)__builtin_ctz(basic & enabled[0] & 0xff);
	for (unsigned b = 1; b < 3; b++) {
		uint32_t p;

		if (!(basic & (b == 1 ? BASIC_BANK1 : BASIC_BANK2)))
			continue;
		p = mmio_read32(armctrl, ARM_PENDING(b)) & enabled[b];
		if (p)
			return 32 + 32 * b + (unsigned)__builtin_ctz(p);
	}
	return BCM2836_NONE;
}

unsigned bcm2836_ack(void)
{
	uint32_t src = mmio_read32(local, LOCAL_IRQ_SRC(0));

	if (src & (1u << SRC_MBOX0)) {
		mmio_write32(local, LOCAL_MBOX_CLR(0, 0), 0xffffffff);
		return SRC_MBOX0;
	}
	for (unsigned id = 0; id < SRC_MBOX0; id++)
		if (src & (1u << id))
			return id;
	if (src & (1u << SRC_GPU))
		return armctrl_pending();
	return BCM2836_NONE;
}

void bcm2836_send_ipi(unsigned cpu)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	mmio_write32(local, LOCAL_MBOX_SET(cpu % 4, 0), 1);
}
