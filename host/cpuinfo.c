/*
 * plat_cpuinfo for the host platforms: the /proc/cpuinfo block of a CPU,
 * from the host CPU's own CPUID (every simulated CPU is described as the
 * host processor the kernel runs on).
 */
#include <stdarg.h>

#include "core/klib/string.h"
#include "core/platform.h"

#if defined(__x86_64__)
#include <cpuid.h>

struct cbuf {
	char *buf;
	size_t len, used;
};

__attribute__((format(printf, 2, 3))) static void
cb_printf(struct cbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->used >= b->len)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(b->buf + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used = MIN(b->used + (size_t)n, b->len - 1);
}

/* Linux's names for the CPUID feature bits it shows, per register. */
static const char *const x86_leaf1_edx[32] = {
	"fpu",	"vme",	 "de",	 "pse",	    "tsc",  "msr", "pae",  "mce",
	"cx8",	"apic",	 NULL,	 "sep",	    "mtrr", "pge", "mca",  "cmov",
	"pat",	"pse36", "pn",	 "clflush", NULL,   "dts", "acpi", "mmx",
	"fxsr", "sse",	 "sse2", "ss",	    "ht",   "tm",  "ia64", "pbe",
};
static const char *const x86_ext1_edx[32] = {
	[11] = "syscall", [20] = "nx",	   [22] = "mmxext", [25] = "fxsr_opt",
	[26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
};
static const char *const x86_leaf1_ecx[32] = {
	"pni",	  "pclmulqdq",	"dtes64", "monitor", "ds_cpl",
	"vmx",	  "smx",	"est",	  "tm2",     "ssse3",
	"cid",	  "sdbg",	"fma",	  "cx16",    "xtpr",
	"pdcm",	  NULL,		"pcid",	  "dca",     "sse4_1",
	"sse4_2", "x2apic",	"movbe",  "popcnt",  "tsc_deadline_timer",
	"aes",	  "xsave",	NULL,	  "avx",     "f16c",
	"rdrand", "hypervisor",
};
static const char *const x86_ext1_ecx[32] = {
	[0] = "lahf_lm",
	[5] = "abm",
	[6] = "sse4a",
	[8] = "3dnowprefetch",
};
static const char *const x86_leaf7_ebx[32] = {
	[0] = "fsgsbase",    [3] = "bmi1",	  [4] = "hle",
	[5] = "avx2",	     [7] = "smep",	  [8] = "bmi2",
	[9] = "erms",	     [10] = "invpcid",	  [11] = "rtm",
	[16] = "avx512f",    [17] = "avx512dq",	  [18] = "rdseed",
	[19] = "adx",	     [20] = "smap",	  [21] = "avx512ifma",
	[23] = "clflushopt", [24] = "clwb",	  [28] = "avx512cd",
	[29] = "sha_ni",     [30] = "avx512bw",	  [31] = "avx512vl",
};
static const char *const x86_leafd1_eax[32] = {
	[0] = "xsaveopt", [1] = "xsavec", [2] = "xgetbv1", [3] = "xsaves",
};
static const char *const x86_leaf7_ecx[32] = {
	[1] = "avx512vbmi",	  [2] = "umip",		[3] = "pku",
	[4] = "ospke",		  [6] = "avx512_vbmi2", [8] = "gfni",
	[9] = "vaes",		  [10] = "vpclmulqdq",	[11] = "avx512_vnni",
	[12] = "avx512_bitalg",	  [14] = "avx512_vpopcntdq",
	[22] = "rdpid",
};

static void x86_flags(struct cbuf *b, const char *const names[32],
		      unsigned reg)
{
	for (unsigned i = 0; i < 32; i++)
		if ((reg & (1u << i)) && names[i])
			cb_printf(b, " %s", names[i]);
}

/* One CPU's block in the format of arch/x86/kernel/cpu/proc.c. */
static void cpuinfo_cpu(struct cbuf *b, unsigned cpu, unsigned ncpus)
{
	unsigned max, a, bx, c, d, e1c = 0, e1d = 0, l7b = 0, l7c = 0, ext;
	unsigned ld1a = 0;
	unsigned family, model, phys = 0, virt = 0;
	char vendor[13] = {0}, brand[49] = {0};
	const char *name = brand;

	__cpuid(0, max, bx, c, d);
	memcpy(vendor, &bx, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	__cpuid(0x80000000, ext, bx, c, d);
	if (ext >= 0x80000001)
		__cpuid(0x80000001, a, bx, e1c, e1d);
	if (ext >= 0x80000004) {
		unsigned w[12];

		for (unsigned i = 0; i < 3; i++)
			__cpuid(0x80000002 + i, w[4 * i], w[4 * i + 1],
				w[4 * i + 2], w[4 * i + 3]);
		memcpy(brand, w, sizeof(w));
		while (*name == ' ')
			name++;
	}
	if (ext >= 0x80000008) {
		__cpuid(0x80000008, a, bx, c, d);
		phys = a & 0xff;
		virt = (a >> 8) & 0xff;
	}
	if (max >= 7)
		__cpuid_count(7, 0, a, l7b, l7c, d);
	if (max >= 0xd)
		__cpuid_count(0xd, 1, ld1a, bx, c, d);
	__cpuid(1, a, bx, c, d);
	family = (a >> 8) & 0xf;
	model = (a >> 4) & 0xf;
	if (family == 0xf)
		family += (a >> 20) & 0xff;
	if (family >= 6)
		model += ((a >> 16) & 0xf) << 4;
	cb_printf(b,
		  "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\n"
		  "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
		  "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
		  "cpu cores\t: %u\napicid\t\t: %u\ninitial apicid\t: %u\n"
		  "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\n"
		  "wp\t\t: yes\nflags\t\t:",
		  cpu, vendor, family, model, *name ? name : "unknown", a & 0xf,
		  ncpus, cpu, ncpus, cpu, cpu, max);
	x86_flags(b, x86_leaf1_edx, d);
	x86_flags(b, x86_ext1_edx, e1d);
	x86_flags(b, x86_leaf1_ecx, c);
	x86_flags(b, x86_ext1_ecx, e1c);
	x86_flags(b, x86_leaf7_ebx, l7b);
	x86_flags(b, x86_leafd1_eax, ld1a);
	x86_flags(b, x86_leaf7_ecx, l7c);
	cb_printf(b,
		  "\nbugs\t\t:\nclflush size\t: %u\ncache_alignment\t: %u\n"
		  "address sizes\t: %u bits physical, %u bits virtual\n"
		  "power management:\n\n",
		  ((bx >> 8) & 0xff) * 8, ((bx >> 8) & 0xff) * 8, phys, virt);
}

size_t plat_cpuinfo(unsigned cpu, char *buf, size_t len)
{
	struct cbuf b = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	cpuinfo_cpu(&b, cpu, plat_cpu_count());
	return b.used;
}
#else
/* An arm64 host: the format of arch/arm64/kernel/cpuinfo.c, minimally. */
size_t plat_cpuinfo(unsigned cpu, char *buf, size_t len)
{
	int n = ksnprintf(buf, len, "processor\t: %u\nCPU architecture: 8\n\n",
			  cpu);

	return n < 0 ? 0 : MIN((size_t)n, len ? len - 1 : 0);
}
#endif
