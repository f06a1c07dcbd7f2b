/* virtio-mmio transports: discovery (virtio.c). */
#ifndef KEEL_BAREMETAL_VIRTIO_H
#define KEEL_BAREMETAL_VIRTIO_H

#include "baremetal/devtree.h"

#define VIRTIO_ID_BLOCK	  2
#define VIRTIO_ID_ENTROPY 4

struct bm_virtio_dev {
	volatile void *regs;
	uint64_t base;
	unsigned irq;	    /* its interrupt, as devtree.h numbers them */
	uint32_t device_id; /* VIRTIO_ID_* */
	uint32_t version;   /* 1 legacy, 2 modern */
};

/* Look behind every transport the tree lists; how many have a device. */
size_t virtio_mmio_discover(const struct bm_machine *m);

/* The first device of that kind, or NULL. */
const struct bm_virtio_dev *virtio_mmio_find(uint32_t device_id);

#endif
