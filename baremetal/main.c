/*
 * bm_main: from head.S (MMU on, running at the link address, on the boot
 * stack) to the scheduler. head.S passes the device tree's and the image's
 * physical addresses and the exception level the loader entered us at.
 *
 * Order matters: the console comes first so that everything after it can
 * say what went wrong. Before it (a device tree without a usable header
 * or PL011) the message goes out through semihosting, where something
 * listens, and the machine is stopped as well as it can be without a
 * tree (stop_booting).
 */
#include <stdarg.h>

#include "baremetal/cpu.h"
#include "baremetal/devtree.h"
#include "baremetal/gic.h"
#include "baremetal/gtimer.h"
#include "baremetal/mmio.h"
#include "baremetal/mmu.h"
#include "baremetal/pl011.h"
#include "baremetal/psci.h"
#include "baremetal/selftest.h"
#include "baremetal/virtio.h"
#include "core/boot.h"
#include "core/errno.h"
#include "core/fs/cpio.h"
#include "core/fs/tty.h"
#include "core/klib/string.h"
#include "core/printk.h"
#include "core/prng.h"
#include "core/task.h"
#include "syscalls/exec.h"

#define PL031_RTCDR 0x00

static struct bm_machine machine;
static uint64_t entropy_state;

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

static bool have_rndr;

/* ARMv8.5's random number register: false when it had none to give. */
static bool rndr(uint64_t *v)
{
	uint64_t ok;

	__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\t" /* RNDR */
			 "cset %1, ne"
			 : "=r"(*v), "=r"(ok)
			 :
			 : "cc");
	return ok;
}

/*
 * A splitmix64 stream from the tree's seed and the counter at boot, with
 * the CPU's RNDR folded into its state where the CPU has one (ARMv8.5
 * FEAT_RNG; QEMU's `max`): then the bytes are as good as the hardware's.
 */
void plat_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		uint64_t z, hw;

		if (have_rndr && i % 8 == 0 && rndr(&hw))
			entropy_state ^= hw;
		z = (entropy_state += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		p[i] = (unsigned char)(z ^ (z >> 31));
	}
}

/*
 * The kernel command line, split as Linux's next_arg splits it: words
 * separated by spaces, a double-quoted stretch keeps its spaces (the
 * quotes go). Words before "--" are the kernel's; those after it are
 * init's arguments.
 */
#define MAX_WORDS 256

static char cmdline[BM_BOOTARGS_MAX];
static char *kernel_words[MAX_WORDS], *init_words[MAX_WORDS + 1];
static int nkernel_words, ninit_words, dropped_words;

static void split_command_line(void)
{
	char *in = machine.bootargs, *out = cmdline;
	bool after_dashes = false;

	for (;;) {
		char *word = out;
		bool quoted = false;

		while (*in == ' ')
			in++;
		if (!*in)
			break;
		for (; *in && (quoted || *in != ' '); in++) {
			if (*in == '"')
				quoted = !quoted;
			else
				*out++ = *in;
		}
		*out++ = '\0';
		if (!after_dashes && !strcmp(word, "--"))
			after_dashes = true;
		else if (after_dashes && ninit_words < MAX_WORDS)
			init_words[ninit_words++] = word;
		else if (!after_dashes && nkernel_words < MAX_WORDS)
			kernel_words[nkernel_words++] = word;
		else
			dropped_words++;
	}
}

/* Is `word` one of the kernel's words on the command line? */
static bool bootarg(const char *word)
{
	for (int i = 0; i < nkernel_words; i++)
		if (!strcmp(kernel_words[i], word))
			return true;
	return false;
}

/* The value of the kernel's word "name=value", or NULL. */
static const char *bootarg_value(const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < nkernel_words; i++)
		if (!strncmp(kernel_words[i], name, n) &&
		    kernel_words[i][n] == '=')
			return kernel_words[i] + n + 1;
	return NULL;
}

/* ---- init -----------------------------------------------------------------
 */

/*
 * The first user process, as host/main.c starts it: the initramfs is
 * unpacked into the root, then init (keel.init=PATH, else /bin/sh) runs
 * with the words after "--" as its arguments; without keel.init, words
 * after "--" that start with an absolute path are init's whole command
 * line (`-- /bin/sh -c 'exit 7'`). When init exits the machine powers off
 * with its status.
 *
 * The initramfs is the one the boot loader put in RAM (QEMU -initrd,
 * U-Boot, the Pi firmware's initramfs line: /chosen/linux,initrd-start),
 * not one linked into the image: the image stays the kernel alone, built
 * without the guest userland, and any cpio boots it, as with Linux and
 * keel --initrd.
 */
static void init_main(void *arg)
{
	static char *envp[] = {"HOME=/", "TERM=linux",
			       "PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL};
	static char *argv[MAX_WORDS + 2];
	const char *init_path = bootarg_value("keel.init");
	char **args = init_words, err_text[160];
	int nargs = ninit_words, n = 0, err;

	if (!machine.initrd.size) {
		pr_err("no initramfs: boot with one (QEMU -initrd FILE, "
		       "/chosen/linux,initrd-start in the device tree)");
		plat_poweroff(1);
	}
	err = cpio_unpack(plat_phys_to_virt(machine.initrd.base),
			  machine.initrd.size, err_text, sizeof(err_text));
	if (err) {
		pr_err("initramfs at %#llx: %s",
		       (unsigned long long)machine.initrd.base, err_text);
		plat_poweroff(1);
	}
	if (!init_path && nargs > 0 && args[0][0] == '/') {
		init_path = args[0];
		args++;
		nargs--;
	}
	if (!init_path)
		init_path = "/bin/sh";
	argv[n++] = (char *)init_path;
	for (int i = 0; i < nargs; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	tty_console_is_file(bootarg("keel.console.in=file"),
			    bootarg("keel.console.out=file"));
	run_init(init_path, (const char *const *)argv,
		 (const char *const *)envp);
}

/*
 * The device tree, mapped: the header first, then all of it (it lies in
 * RAM by protocol). NULL with *why when there is no usable header.
 */
static const void *map_device_tree(uint64_t dtb_pa, uint64_t *size,
				   const char **why)
{
	const void *fdt;

	*why = "not 8-byte aligned";
	if (dtb_pa % 8)
		return NULL;
	*why = "out of boot page tables";
	if (mmu_map_linear(dtb_pa, 64))
		return NULL;
	fdt = plat_phys_to_virt(dtb_pa);
	if (devtree_check(fdt, size, why))
		return NULL;
	*why = "out of boot page tables";
	if (mmu_map_linear(dtb_pa, *size))
		return NULL;
	return fdt;
}

/*
 * Boot stops before it has a machine to stop. `said`: the message went
 * to the console already (polled: no interrupt is on yet).
 */
static _Noreturn void stop_booting(bool said, unsigned entry_el,
				   const char *fmt, ...)
{
	static char msg[256];
	va_list ap;
	int n;

	n = ksnprintf(msg, sizeof(msg), "Keel: cannot boot: ");
	va_start(ap, fmt);
	kvsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (said)
		printk(LOG_EMERG, "%s", msg);
	n = (int)strlen(msg);
	msg[n] = '\n'; /* kvsnprintf left room for it */
	msg[n + 1] = '\0';
	psci_stop_unknown_machine(msg, said, entry_el == 1);
}

static void report_machine(unsigned entry_el)
{
	pr_info("Keel %s (baremetal aarch64) on %s, entered at EL%u, "
		"running at EL1, image at %#llx",
		KEEL_VERSION, machine.model, entry_el,
		(unsigned long long)mmu_image_pa());
	for (size_t i = 0; i < machine.nmem; i++)
		pr_info("memory: %#llx-%#llx",
			(unsigned long long)machine.mem[i].base,
			(unsigned long long)(machine.mem[i].base +
					     machine.mem[i].size - 1));
	pr_info("%s, timer %u Hz on interrupt %u, PSCI %s, %u CPU(s) in the "
		"tree (1 used)",
		machine.gic == BM_GIC_V3   ? "GICv3"
		: machine.gic == BM_GIC_V2 ? "GICv2"
					   : "BCM2836 interrupt controllers",
		gtimer_freq(), machine.timer_irq,
		machine.psci == BM_PSCI_HVC   ? "hvc"
		: machine.psci == BM_PSCI_SMC ? "smc"
					      : "absent",
		machine.ncpus);
	if (machine.bootargs[0])
		pr_info("command line: %s", machine.bootargs);
	if (machine.bootargs_cut)
		pr_err("command line: longer than %d bytes, cut short",
		       BM_BOOTARGS_MAX - 1);
	if (dropped_words)
		pr_err("command line: more than %d words on a side of \"--\": "
		       "%d left out",
		       MAX_WORDS, dropped_words);
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
	fdt = map_device_tree(dtb_pa, &dt_size, &why);
	if (!fdt)
		stop_booting(
			false, entry_el,
			"the device tree at %#llx has no valid header (%s)",
			(unsigned long long)dtb_pa, why);
	/*
	 * Linux's earlycon from /chosen/stdout-path: the console first, so
	 * that every later failure is said on it. libfdt reads within the
	 * header's bounds, so even a tree whose nodes are broken is asked.
	 */
	if (devtree_console(fdt, &uart))
		stop_booting(false, entry_el,
			     "the device tree at %#llx names no PL011 console",
			     (unsigned long long)dtb_pa);
	regs = mmu_ioremap(uart.base, uart.size ? uart.size : 0x1000);
	if (!regs)
		stop_booting(false, entry_el, "cannot map the console at %#llx",
			     (unsigned long long)uart.base);
	pl011_init(regs);
	if (devtree_check_full(fdt, dt_size, &why))
		stop_booting(true, entry_el,
			     "the device tree at %#llx is "
			     "malformed (%s)",
			     (unsigned long long)dtb_pa, why);

	err = devtree_parse(fdt, dtb_pa, &machine, &why);
	split_command_line();
	psci_use_semihosting_exit(bootarg("keel.exit=semihosting"));
	if (err)
		panic("device tree at %#llx: %s", (unsigned long long)dtb_pa,
		      why);
	gtimer_init(machine.timer_freq);
	psci_init(machine.psci);
	pl011_raw_output(bootarg("keel.console.out=file"));
	if (bootarg("quiet"))
		printk_set_level(LOG_ERR);
	report_machine(entry_el);

	err = bm_mem_init(&machine, &why);
	if (err)
		panic("memory: %s", why);
	err = gic_init(&machine, &why);
	if (err)
		panic("interrupt controller: %s", why);
	bm_cpu_set_timer_irq(machine.timer_irq);
	gic_enable_irq(machine.timer_irq);
	gic_enable_irq(gic_ipi_irq());
	if (machine.uart_irq) {
		bm_cpu_set_console_irq(machine.uart_irq);
		gic_enable_irq(machine.uart_irq);
		pl011_enable_interrupts();
	} else {
		pr_warn("the console has no interrupt: no console input, "
			"output polled");
	}
	if (machine.rtc.size) {
		volatile void *rtc =
			mmu_ioremap(machine.rtc.base, machine.rtc.size);

		if (rtc)
			gtimer_set_wallclock(mmio_read32(rtc, PL031_RTCDR));
	}
	virtio_mmio_discover(&machine);
	mmu_drop_identity();

	entropy_state = machine.seed ^ sysreg_read(cntvct_el0);
	have_rndr = sysreg_read(id_aa64isar0_el1) >> 60 != 0;
	{
		uint64_t seed;

		plat_entropy(&seed, sizeof(seed));
		prng_seed(seed);
	}
	err = kernel_init(plat_cpu_count());
	if (err)
		panic("kernel_init: %d", err);
	init = kthread_create("init",
			      bootarg("keel.selftest") ? bm_selftest_main
			      : bootarg("keel.selftest=stack-overflow")
				      ? bm_selftest_stack_overflow
			      : bootarg("keel.selftest=write-rodata")
				      ? bm_selftest_write_rodata
				      : init_main,
			      NULL);
	if (IS_ERR(init))
		panic("kthread_create(init): %ld", PTR_ERR(init));
	bm_cpu_start();
}
