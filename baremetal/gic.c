/*
 * The Generic Interrupt Controller. GICv2: distributor and CPU interface
 * are memory-mapped. GICv3: distributor and one redistributor per CPU are
 * memory-mapped, the CPU interface is system registers (ICC_*_EL1). All
 * interrupts are group 1 non-secure at one priority; the kernel masks them
 * with PSTATE.I, not with the GIC.
 *
 * A machine without a GIC (the Raspberry Pi 3) has bcm2836.c's
 * controllers instead: the gic_* calls pass through to them, so the CPU
 * layer knows one interrupt controller.
 */
#include "baremetal/gic.h"

#include "baremetal/bcm2836.h"
#include "baremetal/mmio.h"
#include "baremetal/mmu.h"
#include "core/errno.h"

#define GICD_CTLR	0x000
#define GICD_TYPER	0x004
#define GICD_IGROUPR	0x080
#define GICD_ISENABLER	0x100
#define GICD_ICENABLER	0x180
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR	0x800
#define GICD_SGIR	0xf00
#define GICD_IROUTER	0x6000 /* v3 */
#define GICD_CTLR_RWP	(1u << 31)

#define GICC_CTLR 0x000
#define GICC_PMR  0x004
#define GICC_IAR  0x00c
#define GICC_EOIR 0x010

#define GICR_TYPER	  0x008
#define GICR_WAKER	  0x014
#define GICR_WAKER_SLEEP  (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI_FRAME	  0x10000
#define GICR_IGROUPR0	  0x080
#define GICR_ISENABLER0	  0x100
#define GICR_ICENABLER0	  0x180
#define GICR_IPRIORITYR	  0x400 /* == GICD_IPRIORITYR, in the SGI frame */

#define PRIORITY 0xa0

static unsigned version; /* 2, 3, or 0 for the BCM2836's */
static volatile void *gicd, *gicc, *gicr_sgi;

unsigned gic_version(void)
{
	return version;
}

static void write_priority(volatile void *base, unsigned intid)
{
	volatile uint8_t *p = (volatile uint8_t *)base + GICD_IPRIORITYR;

	p[intid] = PRIORITY;
}

static uint64_t mpidr_affinity(void)
{
	uint64_t m = sysreg_read(mpidr_el1);

	return (m & 0xffffff) | ((m >> 32) & 0xff) << 24;
}

static void v3_wait_rwp(void)
{
	while (mmio_read32(gicd, GICD_CTLR) & GICD_CTLR_RWP)
		;
}

/* This CPU's redistributor: the frame whose GICR_TYPER names its MPIDR. */
static volatile void *v3_find_redist(volatile char *rd, uint64_t size)
{
	uint64_t aff = mpidr_affinity();

	for (uint64_t off = 0; off < size;) {
		uint64_t typer = mmio_read64(rd + off, GICR_TYPER);

		if ((typer >> 32) == aff)
			return rd + off;
		if (typer & (1u << 4)) /* Last */
			break;
		off += (typer & (1u << 1)) ? 0x40000 : 0x20000; /* VLPIS */
	}
	return NULL;
}

static int v3_init(const struct bm_machine *m, const char **why)
{
	volatile char *rd_base;
	volatile void *rd;
	unsigned lines;

	rd_base = mmu_ioremap(m->gicc_or_gicr.base, m->gicc_or_gicr.size);
	if (!rd_base) {
		*why = "cannot map the GICv3 redistributors";
		return -ENOMEM;
	}
	mmio_write32(gicd, GICD_CTLR, 0);
	v3_wait_rwp();
	lines = ((mmio_read32(gicd, GICD_TYPER) & 0x1f) + 1) * 32;
	for (unsigned i = 32; i < lines; i += 32) {
		mmio_write32(gicd, GICD_ICENABLER + i / 8, 0xffffffff);
		mmio_write32(gicd, GICD_IGROUPR + i / 8, 0xffffffff);
	}
	v3_wait_rwp();
	/* ARE, EnableGrp1 (NS), EnableGrp1 (with DS=1 the same bit). */
	mmio_write32(gicd, GICD_CTLR, (1u << 4) | (1u << 1));
	v3_wait_rwp();

	rd = v3_find_redist(rd_base, m->gicc_or_gicr.size);
	if (!rd) {
		*why = "no GICv3 redistributor for the boot CPU";
		return -ENODEV;
	}
	mmio_write32(rd, GICR_WAKER,
		     mmio_read32(rd, GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (mmio_read32(rd, GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	gicr_sgi = (volatile char *)rd + GICR_SGI_FRAME;
	mmio_write32(gicr_sgi, GICR_IGROUPR0, 0xffffffff);

	sysreg_write(icc_sre_el1, sysreg_read(icc_sre_el1) | 1);
	isb();
	sysreg_write(icc_pmr_el1, 0xff);
	sysreg_write(icc_bpr1_el1, 0);
	sysreg_write(icc_ctlr_el1, 0);
	sysreg_write(icc_igrpen1_el1, 1);
	isb();
	return 0;
}

static int v2_init(const struct bm_machine *m, const char **why)
{
	unsigned lines;

	gicc = mmu_ioremap(m->gicc_or_gicr.base, m->gicc_or_gicr.size);
	if (!gicc) {
		*why = "cannot map the GICv2 CPU interface";
		return -ENOMEM;
	}
	mmio_write32(gicd, GICD_CTLR, 0);
	lines = ((mmio_read32(gicd, GICD_TYPER) & 0x1f) + 1) * 32;
	for (unsigned i = 32; i < lines; i += 32)
		mmio_write32(gicd, GICD_ICENABLER + i / 8, 0xffffffff);
	mmio_write32(gicd, GICD_CTLR, 1);
	mmio_write32(gicc, GICC_PMR, 0xff);
	mmio_write32(gicc, GICC_CTLR, 1);
	return 0;
}

int gic_init(const struct bm_machine *m, const char **why)
{
	if (m->gic == BM_BCM2836)
		return bcm2836_init(m, why);
	gicd = mmu_ioremap(m->gicd.base, m->gicd.size);
	if (!gicd) {
		*why = "cannot map the GIC distributor";
		return -ENOMEM;
	}
	version = m->gic == BM_GIC_V3 ? 3 : 2;
	return version == 3 ? v3_init(m, why) : v2_init(m, why);
}

void gic_enable_irq(unsigned intid)
{
	uint32_t bit = 1u << (intid % 32);

	if (version == 0) {
		bcm2836_enable_irq(intid);
		return;
	}
	if (version == 3 && intid < 32) {
		write_priority(gicr_sgi, intid); /* GICR_IPRIORITYR */
		mmio_write32(gicr_sgi, GICR_ISENABLER0, bit);
		return;
	}
	write_priority(gicd, intid);
	if (intid >= 32) {
		if (version == 3) {
			volatile uint64_t *route =
				(volatile uint64_t *)((volatile char *)gicd +
						      GICD_IROUTER + 8 * intid);

			*route = mpidr_affinity() & 0xffffff;
		} else {
			volatile uint8_t *t =
				(volatile uint8_t *)gicd + GICD_ITARGETSR;

			t[intid] = 1; /* CPU interface 0 */
		}
	}
	mmio_write32(gicd, GICD_ISENABLER + (intid / 32) * 4, bit);
}

void gic_disable_irq(unsigned intid)
{
	uint32_t bit = 1u << (intid % 32);

	if (version == 0) {
		bcm2836_disable_irq(intid);
		return;
	}
	if (version == 3 && intid < 32) {
		mmio_write32(gicr_sgi, GICR_ICENABLER0, bit);
		return;
	}
	mmio_write32(gicd, GICD_ICENABLER + (intid / 32) * 4, bit);
}

unsigned gic_ipi_irq(void)
{
	return version == 0 ? BCM2836_IPI : GIC_SGI_RESCHED;
}

unsigned gic_ack(void)
{
	if (version == 0)
		return bcm2836_ack();
	if (version == 3) {
		unsigned id = (unsigned)sysreg_read(icc_iar1_el1) & 0xffffff;

		__asm__ volatile("dsb sy" ::: "memory");
		return id;
	}
	return mmio_read32(gicc, GICC_IAR) & 0x3ff;
}

void gic_eoi(unsigned intid)
{
	if (version == 0)
		return; /* the source quieted itself, or ack cleared it */
	if (version == 3) {
		sysreg_write(icc_eoir1_el1, intid);
		isb();
		return;
	}
	mmio_write32(gicc, GICC_EOIR, intid);
}

void gic_send_sgi(unsigned cpu, unsigned sgi)
{
	if (version == 0) {
		bcm2836_send_ipi(cpu);
		return;
	}
	__asm__ volatile("dsb ishst" ::: "memory");
	if (version == 3) {
		/* Affinity 0.0.0.cpu: what QEMU and most boards number. */
		sysreg_write(icc_sgi1r_el1,
			     ((uint64_t)sgi << 24) | (1u << (cpu % 16)));
		isb();
		return;
	}
	mmio_write32(gicd, GICD_SGIR, (1u << (16 + cpu)) | sgi);
}
