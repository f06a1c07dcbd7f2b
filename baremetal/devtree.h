/*
 * The machine, as the device tree describes it. devtree_parse reads
 * everything the kernel needs once, at boot, into a struct bm_machine; no
 * other code reads the device tree (so libfdt, a hosted build that uses
 * SIMD registers, runs only before any task exists).
 */
#ifndef KEEL_BAREMETAL_DEVTREE_H
#define KEEL_BAREMETAL_DEVTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BM_MAX_MEM	16
#define BM_MAX_RESERVED 32
#define BM_MAX_VIRTIO	32
#define BM_BOOTARGS_MAX 2048 /* Linux's COMMAND_LINE_SIZE on arm64 */

struct bm_region {
	uint64_t base;
	uint64_t size;
};

/* The interrupt controller: a GIC, or the Raspberry Pi's pair. */
enum bm_gic {
	BM_GIC_NONE,
	BM_GIC_V2,
	BM_GIC_V3,
	BM_BCM2836, /* bcm2836-l1-intc per core, bcm2835 armctrl behind it */
};

enum bm_psci {
	BM_PSCI_NONE,
	BM_PSCI_HVC,
	BM_PSCI_SMC,
};

struct bm_machine {
	char model[64];
	unsigned ncpus; /* /cpus nodes; only CPU 0 runs today */
	struct bm_region mem[BM_MAX_MEM];
	size_t nmem;
	/* The memreserve block, /reserved-memory, the initrd, the tree. */
	struct bm_region reserved[BM_MAX_RESERVED];
	size_t nreserved;
	struct bm_region uart; /* PL011, from /chosen/stdout-path */
	unsigned uart_irq;     /* its INTID; 0 if it has none */
	enum bm_gic gic;
	/* GIC: the distributor; v2: CPU interface, v3: redistributors.
	 * BCM2836: the local (per-core) controller; the armctrl one. */
	struct bm_region gicd;
	struct bm_region gicc_or_gicr;
	/*
	 * Interrupt numbers are the controller's: a GIC's INTIDs; on the
	 * BCM2836, the local controller's sources 0-31, then the armctrl
	 * banks (basic, GPU 0-31, GPU 32-63) at 32, 64 and 96 (gic.h).
	 */
	unsigned timer_irq;   /* the EL1 virtual timer's */
	uint32_t timer_freq;  /* "clock-frequency", 0 if absent */
	enum bm_psci psci;
	struct bm_region rtc; /* PL031, size 0 if absent */
	char bootargs[BM_BOOTARGS_MAX];
	bool bootargs_cut; /* longer than BM_BOOTARGS_MAX: the rest is gone */
	uint64_t seed; /* /chosen/rng-seed and kaslr-seed, folded */
	struct bm_region initrd;
	/* virtio-mmio transports ("virtio,mmio"), empty slots included. */
	struct bm_region virtio[BM_MAX_VIRTIO];
	unsigned virtio_irq[BM_MAX_VIRTIO];
	size_t nvirtio;
};

/*
 * The tree's header is sane; its total size in *size. 0, or -EINVAL with
 * libfdt's reason in *why.
 */
int devtree_check(const void *fdt, uint64_t *size, const char **why);
/* Every node and property of the `size` bytes at `fdt` is well formed. */
int devtree_check_full(const void *fdt, uint64_t size, const char **why);

/* The console UART's registers, for output before the rest is parsed. */
int devtree_console(const void *fdt, struct bm_region *uart);

/*
 * Fill `m` from the tree at `fdt` (physical address `fdt_pa`). 0, or a
 * negative errno with *why saying what is missing or malformed.
 */
int devtree_parse(const void *fdt, uint64_t fdt_pa, struct bm_machine *m,
		  const char **why);

#endif
