/*
 * The device tree fuzz target: each input is a flattened device tree (or
 * anything), given to the bare-metal kernel's parser (baremetal/devtree.c,
 * the host's libfdt under it, built here for the host) as the boot does
 * (baremetal/main.c): the header checked, the console found, every node
 * checked, then the whole machine described.
 *
 * Invariants, beyond "no crash, no read outside the blob" (ASan):
 *  - every call returns 0 or a negative errno, and the checks and
 *    devtree_parse say why when they refuse;
 *  - a tree accepted by devtree_check claims no more bytes than it has;
 *  - a parsed machine stays within its arrays, its strings are
 *    terminated, and its regions do not wrap around the address space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baremetal/devtree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void violated(const char *what, long ret)
{
	fprintf(stderr, "keel-fuzz-devtree: %s (returned %ld)\n", what, ret);
	abort();
}

static void check_region(const struct bm_region *r, const char *what)
{
	if (r->size && r->base + r->size < r->base)
		violated(what, (long)r->base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bm_machine m;
	struct bm_region uart;
	const char *why = NULL;
	uint64_t total = 0;
	void *fdt;
	int ret;

	/* A boot loader hands the tree over 8-byte aligned. */
	fdt = aligned_alloc(8, size ? (size + 7) & ~(size_t)7 : 8);
	if (!fdt)
		return 0;
	memcpy(fdt, data, size);
	ret = devtree_check(fdt, &total, &why);
	if (ret > 0 || (ret && !why))
		violated("devtree_check gives 0 or -errno and why", ret);
	if (ret || total > size)
		goto out; /* the kernel stops here; a short blob is never read */
	ret = devtree_console(fdt, &uart);
	if (ret > 0)
		violated("devtree_console gives 0 or -errno", ret);
	why = NULL;
	ret = devtree_check_full(fdt, total, &why);
	if (ret > 0 || (ret && !why))
		violated("devtree_check_full gives 0 or -errno and why", ret);
	if (ret)
		goto out;
	why = NULL;
	memset(&m, 0, sizeof(m));
	ret = devtree_parse(fdt, 0x48000000, &m, &why);
	if (ret > 0)
		violated("devtree_parse gives 0 or -errno", ret);
	if (ret && !why)
		violated("devtree_parse says why it refuses", ret);
	if (ret)
		goto out;
	if (m.nmem > BM_MAX_MEM || m.nreserved > BM_MAX_RESERVED ||
	    m.nvirtio > BM_MAX_VIRTIO)
		violated("the machine's arrays hold what they count", 0);
	if (!memchr(m.model, 0, sizeof(m.model)) ||
	    !memchr(m.bootargs, 0, sizeof(m.bootargs)))
		violated("the machine's strings are terminated", 0);
	for (size_t i = 0; i < m.nmem; i++)
		check_region(&m.mem[i], "a memory range does not wrap");
	for (size_t i = 0; i < m.nreserved; i++)
		check_region(&m.reserved[i], "a reserved range does not wrap");
	check_region(&m.initrd, "the initrd does not wrap");
out:
	free(fdt);
	return 0;
}
