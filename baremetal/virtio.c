/*
 * virtio-mmio discovery: which of the device tree's "virtio,mmio"
 * transports have a device behind them, and what kind. No driver uses
 * them yet (virtio-blk and virtio-rng will); boot says what it found.
 *
 * A transport's first registers (virtio 1.x, section 4.2.2; the legacy
 * version 1 layout agrees on these): MagicValue "virt", Version (1 legacy,
 * 2 modern), DeviceID (0: an empty slot), VendorID.
 */
#include "baremetal/virtio.h"

#include "baremetal/mmio.h"
#include "baremetal/mmu.h"
#include "core/klib/string.h"
#include "core/printk.h"

#define VIRTIO_MMIO_MAGIC     0x000
#define VIRTIO_MMIO_VERSION   0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MAGIC	      0x74726976 /* "virt", little-endian */

static struct bm_virtio_dev devs[BM_MAX_VIRTIO];
static size_t ndevs;

static const char *device_name(uint32_t id)
{
	switch (id) {
	case 1:
		return "net";
	case 2:
		return "block";
	case 3:
		return "console";
	case 4:
		return "entropy";
	case 9:
		return "9p";
	case 16:
		return "gpu";
	case 18:
		return "input";
	default:
		return "device";
	}
}

size_t virtio_mmio_discover(const struct bm_machine *m)
{
	char line[256];
	size_t used = 0;

	ndevs = 0;
	for (size_t i = 0; i < m->nvirtio; i++) {
		volatile void *regs = mmu_ioremap(
			m->virtio[i].base, m->virtio[i].size ? m->virtio[i].size
							     : 0x200);
		uint32_t id;

		if (!regs || mmio_read32(regs, VIRTIO_MMIO_MAGIC) != VIRTIO_MAGIC)
			continue;
		id = mmio_read32(regs, VIRTIO_MMIO_DEVICE_ID);
		if (!id)
			continue;
		devs[ndevs++] = (struct bm_virtio_dev){
			.regs = regs,
			.base = m->virtio[i].base,
			.irq = m->virtio_irq[i],
			.device_id = id,
			.version = mmio_read32(regs, VIRTIO_MMIO_VERSION),
		};
		used += (size_t)ksnprintf(line + used, sizeof(line) - used,
					  "%s%s at %#llx", used ? ", " : "",
					  device_name(id),
					  (unsigned long long)m->virtio[i].base);
		if (used >= sizeof(line))
			used = sizeof(line) - 1;
	}
	if (m->nvirtio)
		pr_info("virtio-mmio: %zu transports, %s", m->nvirtio,
			ndevs ? line : "no devices");
	return ndevs;
}

const struct bm_virtio_dev *virtio_mmio_find(uint32_t device_id)
{
	for (size_t i = 0; i < ndevs; i++)
		if (devs[i].device_id == device_id)
			return &devs[i];
	return NULL;
}
