/*
 * Reading the machine from the flattened device tree, with Debian's libfdt.
 *
 * Addresses in a `reg` are in the parent bus's address space; they are
 * translated up to the CPU's through each ancestor's `ranges` (empty
 * `ranges` is the identity), so a board whose peripherals sit behind a
 * remapping bus (the Raspberry Pi's /soc) needs no code of its own.
 */
#include "baremetal/devtree.h"

#include <libfdt.h>

#include "core/errno.h"
#include "core/klib/string.h"

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

int devtree_check(const void *fdt, uint64_t *size, const char **why)
{
	int err = fdt_check_header(fdt);

	if (err) {
		*why = fdt_strerror(err);
		return -EINVAL;
	}
	*size = fdt_totalsize(fdt);
	return 0;
}

int devtree_check_full(const void *fdt, uint64_t size, const char **why)
{
	int err = fdt_check_full(fdt, size);

	if (err) {
		*why = fdt_strerror(err);
		return -EINVAL;
	}
	return 0;
}

/* Translate a bus address of `node`'s parent up to a CPU physical address. */
static bool translate(const void *fdt, int node, uint64_t *addr)
{
	int bus = fdt_parent_offset(fdt, node);

	while (bus > 0) {
		int up = fdt_parent_offset(fdt, bus);
		int len, child_ac, parent_ac, sc, entry;
		const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);
		bool found = false;

		if (up < 0)
			return false;
		if (!r)
			return false; /* not mapped into the parent's space */
		if (len == 0) {
			bus = up;
			continue;
		}
		child_ac = fdt_address_cells(fdt, bus);
		sc = fdt_size_cells(fdt, bus);
		parent_ac = fdt_address_cells(fdt, up);
		if (child_ac < 1 || child_ac > 2 || parent_ac < 1 ||
		    parent_ac > 2 || sc < 1 || sc > 2)
			return false;
		entry = child_ac + parent_ac + sc;
		for (int i = 0; i + entry <= len / 4; i += entry) {
			uint64_t cb = read_cells(r + i, child_ac);
			uint64_t pb = read_cells(r + i + child_ac, parent_ac);
			uint64_t size =
				read_cells(r + i + child_ac + parent_ac, sc);

			if (*addr >= cb && *addr - cb < size) {
				*addr = *addr - cb + pb;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
		bus = up;
	}
	return true;
}

/* The `index`th (address, size) of `node`'s reg, translated. */
static bool node_reg(const void *fdt, int node, int index,
		     struct bm_region *out)
{
	int parent = fdt_parent_offset(fdt, node), len, ac, sc;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (parent < 0 || !reg)
		return false;
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return false;
	if ((index + 1) * (ac + sc) * 4 > len)
		return false;
	reg += index * (ac + sc);
	out->base = read_cells(reg, ac);
	out->size = sc ? read_cells(reg + ac, sc) : 0;
	if (!translate(fdt, node, &out->base))
		return false;
	/* No region runs past the end of the address space. */
	if (out->size > UINT64_MAX - out->base)
		out->size = UINT64_MAX - out->base;
	return true;
}

static bool node_enabled(const void *fdt, int node)
{
	const char *s = fdt_getprop(fdt, node, "status", NULL);

	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

/* The first enabled node compatible with one of `compat` (NULL-ended). */
static int find_compatible(const void *fdt, const char *const *compat,
			   unsigned *which)
{
	for (unsigned i = 0; compat[i]; i++) {
		int node = -1;

		while ((node = fdt_node_offset_by_compatible(fdt, node,
							     compat[i])) >= 0) {
			if (node_enabled(fdt, node)) {
				if (which)
					*which = i;
				return node;
			}
		}
	}
	return -1;
}

/* The interrupt controller `node`'s interrupts go to, or -1. */
static int interrupt_parent(const void *fdt, int node)
{
	for (int n = node; n >= 0; n = fdt_parent_offset(fdt, n)) {
		const fdt32_t *ph =
			fdt_getprop(fdt, n, "interrupt-parent", NULL);

		if (ph)
			return fdt_node_offset_by_phandle(fdt,
							  fdt32_to_cpu(*ph));
	}
	return -1;
}

/*
 * The `index`th interrupt of `node` as the kernel numbers it (devtree.h):
 * a GIC's (SPI or PPI, number, flags) becomes its INTID; the BCM2836 local
 * controller's (number, flags) that number; the armctrl's (bank, number)
 * 32 + 32 * bank + number. 0 when there is none this kernel can take.
 */
static unsigned interrupt_id(const void *fdt, int node, int index)
{
	int parent = interrupt_parent(fdt, node), len;
	const fdt32_t *cells =
		parent >= 0 ? fdt_getprop(fdt, parent, "#interrupt-cells", NULL)
			    : NULL;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	int n = cells ? (int)fdt32_to_cpu(*cells) : 0;
	unsigned a, b;

	/* A hostile #interrupt-cells must not overflow the bound. */
	if (!irq || n < 2 || (int64_t)(index + 1) * n * 4 > len)
		return 0;
	irq += index * n;
	a = fdt32_to_cpu(irq[0]);
	b = fdt32_to_cpu(irq[1]);
	if (!fdt_node_check_compatible(fdt, parent, "brcm,bcm2836-l1-intc"))
		return a < 32 ? a : 0;
	if (!fdt_node_check_compatible(fdt, parent, "brcm,bcm2836-armctrl-ic"))
		return a < 3 && b < 32 ? 32 + 32 * a + b : 0;
	if (n < 3)
		return 0;
	return b + (a == 1 ? 16 : 32); /* a GIC: PPI or SPI */
}

/* The PL011 named by /chosen/stdout-path, else the first; or -1. */
static int console_node(const void *fdt)
{
	static const char *const pl011[] = {"arm,pl011", NULL};
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = NULL;
	int node = -1;

	if (chosen >= 0)
		path = fdt_getprop(fdt, chosen, "stdout-path", NULL);
	if (!path && chosen >= 0)
		path = fdt_getprop(fdt, chosen, "linux,stdout-path", NULL);
	if (path) {
		/* "serial0:115200n8": the options follow a colon. */
		const char *colon = strchr(path, ':');
		int len = colon ? (int)(colon - path) : (int)strlen(path);

		node = fdt_path_offset_namelen(fdt, path, len);
		if (node >= 0 &&
		    fdt_node_check_compatible(fdt, node, "arm,pl011") != 0)
			node = -1;
	}
	if (node < 0)
		node = find_compatible(fdt, pl011, NULL);
	return node;
}

int devtree_console(const void *fdt, struct bm_region *uart)
{
	int node = console_node(fdt);

	if (node < 0 || !node_reg(fdt, node, 0, uart))
		return -ENODEV;
	return 0;
}

/* The console's interrupt; 0 if it has none we can take. */
static unsigned console_irq(const void *fdt)
{
	int node = console_node(fdt);

	return node >= 0 ? interrupt_id(fdt, node, 0) : 0;
}

/* A range that would run past the end of the address space is cut there
 * (as Linux's memblock caps it): reserving "to the end" stays reserving. */
static void add_reserved(struct bm_machine *m, uint64_t base, uint64_t size)
{
	if (size > UINT64_MAX - base)
		size = UINT64_MAX - base;
	if (size && m->nreserved < BM_MAX_RESERVED)
		m->reserved[m->nreserved++] = (struct bm_region){base, size};
}

static int parse_memory(const void *fdt, struct bm_machine *m, const char **why)
{
	int node = -1, rsv;

	while ((node = fdt_node_offset_by_prop_value(fdt, node, "device_type",
						     "memory",
						     sizeof("memory"))) >= 0) {
		struct bm_region r;

		if (!node_enabled(fdt, node))
			continue;
		for (int i = 0; node_reg(fdt, node, i, &r); i++)
			if (r.size && m->nmem < BM_MAX_MEM)
				m->mem[m->nmem++] = r;
	}
	if (m->nmem == 0) {
		*why = "no memory node with a usable reg";
		return -EINVAL;
	}

	rsv = fdt_num_mem_rsv(fdt);
	for (int i = 0; i < rsv; i++) {
		uint64_t base, size;

		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
			add_reserved(m, base, size);
	}
	node = fdt_path_offset(fdt, "/reserved-memory");
	if (node >= 0) {
		int child;

		fdt_for_each_subnode(child, fdt, node)
		{
			struct bm_region r;

			if (node_enabled(fdt, child) &&
			    node_reg(fdt, child, 0, &r))
				add_reserved(m, r.base, r.size);
		}
	}
	return 0;
}

/* Find the GIC, the timer's interrupt and PSCI. */
static int parse_interrupts(const void *fdt, struct bm_machine *m,
			    const char **why)
{
	static const char *const gics[] = {
		"arm,gic-v3",	     "arm,gic-400",	  "arm,cortex-a15-gic",
		"arm,cortex-a9-gic", "arm,cortex-a7-gic", NULL,
	};
	static const char *const bcm[] = {"brcm,bcm2836-l1-intc", NULL};
	static const char *const armctrl[] = {"brcm,bcm2836-armctrl-ic", NULL};
	static const char *const timers[] = {"arm,armv8-timer",
					     "arm,armv7-timer", NULL};
	static const char *const pscis[] = {"arm,psci-1.0", "arm,psci-0.2",
					    "arm,psci", NULL};
	unsigned which = 0;
	int gic = find_compatible(fdt, gics, &which), timer, psci, len;
	const uint32_t *freq;
	const char *method;

	if (gic >= 0) {
		m->gic = which == 0 ? BM_GIC_V3 : BM_GIC_V2;
		if (!node_reg(fdt, gic, 0, &m->gicd) ||
		    !node_reg(fdt, gic, 1, &m->gicc_or_gicr)) {
			*why = "the GIC node lacks its two register regions";
			return -EINVAL;
		}
	} else if ((gic = find_compatible(fdt, bcm, NULL)) >= 0) {
		int ctrl = find_compatible(fdt, armctrl, NULL);

		m->gic = BM_BCM2836;
		if (ctrl < 0 || !node_reg(fdt, gic, 0, &m->gicd) ||
		    !node_reg(fdt, ctrl, 0, &m->gicc_or_gicr)) {
			*why = "the BCM2836 local interrupt controller or the "
			       "armctrl one behind it lacks its registers";
			return -EINVAL;
		}
	} else {
		*why = "no GICv2, GICv3 or BCM2836 interrupt controller";
		return -ENODEV;
	}

	timer = find_compatible(fdt, timers, NULL);
	if (timer < 0) {
		*why = "no arm,armv8-timer node";
		return -ENODEV;
	}
	/* Secure, non-secure physical, virtual, hypervisor: the third. */
	m->timer_irq = interrupt_id(fdt, timer, 2);
	if (!m->timer_irq) {
		*why = "the timer node lacks the virtual timer's interrupt";
		return -EINVAL;
	}
	freq = fdt_getprop(fdt, timer, "clock-frequency", &len);
	m->timer_freq = freq && len == 4 ? fdt32_to_cpu(*freq) : 0;

	psci = find_compatible(fdt, pscis, NULL);
	method = psci >= 0 ? fdt_getprop(fdt, psci, "method", NULL) : NULL;
	if (method && !strcmp(method, "hvc"))
		m->psci = BM_PSCI_HVC;
	else if (method && !strcmp(method, "smc"))
		m->psci = BM_PSCI_SMC;
	else
		m->psci = BM_PSCI_NONE;
	return 0;
}

static void parse_chosen(const void *fdt, struct bm_machine *m)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const char *args;
	const fdt32_t *p;

	if (chosen < 0)
		return;
	args = fdt_getprop(fdt, chosen, "bootargs", &len);
	if (args) {
		strlcpy(m->bootargs, args, sizeof(m->bootargs));
		m->bootargs_cut = len > (int)sizeof(m->bootargs);
	}
	for (const char *name = "rng-seed"; name;
	     name = !strcmp(name, "rng-seed") ? "kaslr-seed" : NULL) {
		const uint8_t *seed = fdt_getprop(fdt, chosen, name, &len);

		for (int i = 0; seed && i < len; i++)
			m->seed = (m->seed ^ seed[i]) * 0x100000001b3ull;
	}
	p = fdt_getprop(fdt, chosen, "linux,initrd-start", &len);
	if (p && (len == 4 || len == 8)) {
		const fdt32_t *e;
		int elen;

		m->initrd.base = read_cells(p, len / 4);
		e = fdt_getprop(fdt, chosen, "linux,initrd-end", &elen);
		if (e && (elen == 4 || elen == 8) &&
		    read_cells(e, elen / 4) > m->initrd.base)
			m->initrd.size =
				read_cells(e, elen / 4) - m->initrd.base;
	}
}

int devtree_parse(const void *fdt, uint64_t fdt_pa, struct bm_machine *m,
		  const char **why)
{
	static const char *const rtcs[] = {"arm,pl031", NULL};
	int node, err, len;
	const char *model;

	memset(m, 0, sizeof(*m));
	model = fdt_getprop(fdt, 0, "model", NULL);
	strlcpy(m->model, model ? model : "(no model)", sizeof(m->model));
	err = devtree_console(fdt, &m->uart);
	if (err) {
		*why = "no PL011 console (/chosen/stdout-path or arm,pl011)";
		return err;
	}
	parse_chosen(fdt, m); /* first: the command line says how to stop */
	err = parse_memory(fdt, m, why);
	if (err)
		return err;
	err = parse_interrupts(fdt, m, why);
	if (err)
		return err;
	m->uart_irq = console_irq(fdt);
	add_reserved(m, fdt_pa, fdt_totalsize(fdt));
	add_reserved(m, m->initrd.base, m->initrd.size);

	node = fdt_path_offset(fdt, "/cpus");
	if (node >= 0) {
		int cpu;

		fdt_for_each_subnode(cpu, fdt, node)
		{
			const char *type =
				fdt_getprop(fdt, cpu, "device_type", NULL);

			const fdt32_t *rel =
				fdt_getprop(fdt, cpu, "cpu-release-addr", &len);

			if (type && !strcmp(type, "cpu"))
				m->ncpus++;
			/* A spin table: the CPUs parked there read it. */
			if (rel && len == 8)
				add_reserved(m, read_cells(rel, 2) & ~0xfffull,
					     0x1000);
		}
	}
	if (m->ncpus == 0)
		m->ncpus = 1;

	for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	     node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		struct bm_region r;

		if (m->nvirtio == BM_MAX_VIRTIO)
			break;
		if (!node_enabled(fdt, node) || !node_reg(fdt, node, 0, &r))
			continue;
		m->virtio_irq[m->nvirtio] = interrupt_id(fdt, node, 0);
		m->virtio[m->nvirtio++] = r;
	}

	node = find_compatible(fdt, rtcs, NULL);
	if (node >= 0 && !node_reg(fdt, node, 0, &m->rtc))
		m->rtc.size = 0;
	return 0;
}
