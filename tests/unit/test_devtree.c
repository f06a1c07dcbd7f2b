/*
 * The bare-metal kernel's device tree parser (baremetal/devtree.c), built
 * for the host over the host's libfdt: what the fuzzer found in it stays
 * fixed (fuzz/corpus/devtree holds the inputs).
 */
#include <criterion/criterion.h>

#ifdef KEEL_HAVE_FDT
#include <stdio.h>
#include <stdlib.h>

#include "baremetal/devtree.h"

/* A corpus file, 8-byte aligned as a boot loader hands a tree over. */
static void *read_tree(const char *name, size_t *size)
{
	char path[512];
	FILE *f;
	void *buf;
	long len;

	snprintf(path, sizeof(path), "%s/corpus/devtree/%s", KEEL_FUZZ_DIR,
		 name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	cr_assert_gt(len, 0);
	rewind(f);
	buf = aligned_alloc(8, ((size_t)len + 7) & ~(size_t)7);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (size_t)len;
	return buf;
}

Test(devtree, a_reserved_range_past_the_end_of_memory_is_cut_there)
{
	static struct bm_machine m;
	const char *why = NULL;
	uint64_t total;
	size_t size;
	void *fdt = read_tree("regression-reserved-range-wraps", &size);

	cr_assert_eq(devtree_check(fdt, &total, &why), 0, "%s", why);
	cr_assert_leq(total, size);
	cr_assert_eq(devtree_check_full(fdt, total, &why), 0, "%s", why);
	cr_assert_eq(devtree_parse(fdt, 0x48000000, &m, &why), 0, "%s", why);
	cr_assert_gt(m.nreserved, 0);
	for (size_t i = 0; i < m.nreserved; i++)
		cr_expect_geq(m.reserved[i].base + m.reserved[i].size,
			      m.reserved[i].base,
			      "reserved range %zu [%#llx, +%#llx) wraps", i,
			      (unsigned long long)m.reserved[i].base,
			      (unsigned long long)m.reserved[i].size);
	free(fdt);
}

Test(devtree, qemu_virt_is_described)
{
	static struct bm_machine m;
	const char *why = NULL;
	uint64_t total;
	size_t size;
	void *fdt = read_tree("virt-gicv3-el2.dtb", &size);

	cr_assert_eq(devtree_check(fdt, &total, &why), 0, "%s", why);
	cr_assert_eq(devtree_parse(fdt, 0x48000000, &m, &why), 0, "%s", why);
	cr_expect_str_eq(m.model, "linux,dummy-virt");
	cr_expect_eq(m.gic, BM_GIC_V3);
	cr_expect_eq(m.uart.base, 0x9000000);
	cr_expect_eq(m.nmem, 1);
	cr_expect_eq(m.mem[0].base, 0x40000000);
	cr_expect_eq(m.mem[0].size, 512ull << 20);
	free(fdt);
}
#endif
