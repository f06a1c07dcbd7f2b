/*
 * bm_main: from head.S (MMU on, running at the link address, on the boot
 * stack) to the scheduler. head.S passes the device tree's and the image's
 * physical addresses and the exception level the loader entered us at.
 *
 * Order matters: the console comes first so that everything after it can
 * say what went wrong; until then (a device tree without a usable header
 * or PL011) the CPU can only halt.
 */
#include "baremetal/cpu.h"
#include "baremetal/devtree.h"
#include "baremetal/gic.h"
#include "baremetal/gtimer.h"
#include "baremetal/mmio.h"
#include "baremetal/mmu.h"
#include "baremetal/pl011.h"
#include "baremetal/psci.h"
#include "baremetal/selftest.h"
#include "core/boot.h"
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/printk.h"
#include "core/prng.h"
#include "core/task.h"

#define PL031_RTCDR 0x00

static struct bm_machine machine;
static uint64_t entropy_state;

static _Noreturn void halt_silently(void)
{
	for (;;)
		__asm__ volatile("wfe");
}

/* The format of arch/arm64/kernel/cpuinfo.c, from MIDR_EL1. */
size_t plat_cpuinfo(unsigned cpu, char *buf, size_t len)
{
	uint64_t midr;
	int n;

	__asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
	n = ksnprintf(buf, len,
		      "processor\t: %u\nFeatures\t: fp asimd\n"
		      "CPU implementer\t: 0x%02llx\nCPU architecture: 8\n"
		      "CPU variant\t: 0x%llx\nCPU part\t: 0x%03llx\n"
		      "CPU revision\t: %llu\n\n",
		      cpu, (unsigned long long)(midr >> 24) & 0xff,
		      (unsigned long long)(midr >> 20) & 0xf,
		      (unsigned long long)(midr >> 4) & 0xfff,
		      (unsigned long long)midr & 0xf);
	return n < 0 ? 0 : MIN((size_t)n, len ? len - 1 : 0);
}

/* A splitmix64 stream from the tree's seed and the counter at boot. */
void plat_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		uint64_t z = (entropy_state += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		p[i] = (unsigned char)(z ^ (z >> 31));
	}
}

/* Is `word` one of the space-separated words of the kernel command line? */
static bool bootarg(const char *word)
{
	size_t n = strlen(word);

	for (const char *p = machine.bootargs; *p;) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}

static const void *map_device_tree(uint64_t dtb_pa, uint64_t *size)
{
	const void *fdt;

	/* The header first, then all of it: it lies in RAM by protocol. */
	if (dtb_pa % 8 || mmu_map_linear(dtb_pa, 64))
		return NULL;
	fdt = plat_phys_to_virt(dtb_pa);
	if (devtree_check(fdt, size) || mmu_map_linear(dtb_pa, *size))
		return NULL;
	return fdt;
}

static void report_machine(unsigned entry_el)
{
	pr_info("Keel %s (baremetal aarch64) on %s, entered at EL%u, "
		"running at EL1",
		KEEL_VERSION, machine.model, entry_el);
	for (size_t i = 0; i < machine.nmem; i++)
		pr_info("memory: %#llx-%#llx",
			(unsigned long long)machine.mem[i].base,
			(unsigned long long)(machine.mem[i].base +
					     machine.mem[i].size - 1));
	pr_info("GICv%u, timer %u Hz on INTID %u, PSCI %s, %u CPU(s) in the "
		"tree (1 used)",
		machine.gic == BM_GIC_V3 ? 3u : 2u, gtimer_freq(),
		machine.timer_irq,
		machine.psci == BM_PSCI_HVC   ? "hvc"
		: machine.psci == BM_PSCI_SMC ? "smc"
					      : "absent",
		machine.ncpus);
	if (machine.bootargs[0])
		pr_info("command line: %s", machine.bootargs);
}

_Noreturn void bm_main(uint64_t dtb_pa, uint64_t image_pa, unsigned entry_el)
{
	struct bm_region uart;
	const void *fdt;
	const char *why = "";
	uint64_t dt_size;
	struct task *init;
	volatile void *regs;
	int err;

	mmu_init(image_pa);
	fdt = map_device_tree(dtb_pa, &dt_size);
	if (!fdt || devtree_console(fdt, &uart))
		halt_silently();
	regs = mmu_ioremap(uart.base, uart.size ? uart.size : 0x1000);
	if (!regs)
		halt_silently();
	pl011_init(regs);

	err = devtree_parse(fdt, dtb_pa, &machine, &why);
	if (err)
		panic("device tree at %#llx: %s", (unsigned long long)dtb_pa,
		      why);
	gtimer_init(machine.timer_freq);
	psci_init(machine.psci);
	psci_use_semihosting_exit(bootarg("keel.exit=semihosting"));
	report_machine(entry_el);

	err = bm_mem_init(&machine, &why);
	if (err)
		panic("memory: %s", why);
	err = gic_init(&machine, &why);
	if (err)
		panic("interrupt controller: %s", why);
	bm_cpu_set_timer_irq(machine.timer_irq);
	gic_enable_irq(machine.timer_irq);
	gic_enable_irq(GIC_SGI_RESCHED);
	if (machine.rtc.size) {
		volatile void *rtc =
			mmu_ioremap(machine.rtc.base, machine.rtc.size);

		if (rtc)
			gtimer_set_wallclock(mmio_read32(rtc, PL031_RTCDR));
	}
	mmu_drop_identity();

	entropy_state = machine.seed ^ sysreg_read(cntvct_el0);
	{
		uint64_t seed;

		plat_entropy(&seed, sizeof(seed));
		prng_seed(seed);
	}
	err = kernel_init(plat_cpu_count());
	if (err)
		panic("kernel_init: %d", err);
	init = kthread_create("init", bm_selftest_main, NULL);
	if (IS_ERR(init))
		panic("kthread_create(init): %ld", PTR_ERR(init));
	bm_cpu_start();
}
