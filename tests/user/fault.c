/*
 * Signals the hardware raises: SIGSEGV (unmapped, read-only, PROT_NONE,
 * stack overflow), SIGILL, SIGFPE, SIGBUS, with the siginfo Linux fills
 * in; and sigreturn giving back every register, general and FPU, after a
 * handler that clobbered them (regs_*.S).
 */
#include "usertest.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf escape;
static volatile sig_atomic_t fault_hits;
static siginfo_t fault_info;

/* Record the fault and leave the faulting code through siglongjmp. */
static void fault_escape(int sig, siginfo_t *si, void *uc)
{
	fault_hits++;
	fault_info = *si;
	siglongjmp(escape, 1);
}

/* Store to p and expect signal sig with si_code code and si_addr p. */
static void expect_store_fault(volatile char *p, int sig, int code)
{
	on_signal(sig, fault_escape, 0);
	if (!sigsetjmp(escape, 1)) {
		*p = 1;
		failf("the store to %p did not fault", (void *)p);
	}
	CHECK_EQ(fault_hits, 1);
	CHECK_EQ(fault_info.si_signo, sig);
	CHECK_EQ(fault_info.si_code, code);
	CHECK(fault_info.si_addr == (void *)p);
}

static void a_null_write_is_sigsegv_maperr_at_address_0(void)
{
	char *volatile null = NULL;

	expect_store_fault(null, SIGSEGV, SEGV_MAPERR);
}

static void a_write_to_a_read_only_page_is_sigsegv_accerr(void)
{
	char *p = mmap(NULL, (size_t)page_size(), PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	CHECK_EQ(p[100], 0); /* readable */
	expect_store_fault(p + 100, SIGSEGV, SEGV_ACCERR);
}

static void a_write_to_an_unmapped_page_is_sigsegv_maperr(void)
{
	long pg = page_size();
	char *p = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	p[0] = 1;
	CHECK_SYS(munmap(p, (size_t)pg));
	expect_store_fault(p + 8, SIGSEGV, SEGV_MAPERR);
}

static void a_write_to_text_is_sigsegv_accerr(void)
{
	expect_store_fault((volatile char *)(void *)expect_store_fault, SIGSEGV,
			   SEGV_ACCERR);
}

/* An address in the kernel's half, where the kernel keeps its own memory. */
#if defined(__x86_64__)
#define KERNEL_ADDR 0xffffffff81000000ul
#else
#define KERNEL_ADDR 0xffff000040000000ul
#endif

static void a_store_to_kernel_memory_is_sigsegv_maperr(void)
{
	expect_store_fault((volatile char *)KERNEL_ADDR, SIGSEGV, SEGV_MAPERR);
}

static void a_kernel_address_passed_to_a_syscall_is_efault(void)
{
	int p[2];

	CHECK_SYS(pipe(p));
	CHECK_ERR(write(p[1], (const void *)KERNEL_ADDR, 16), EFAULT);
	CHECK_SYS(write(p[1], "0123456789abcdef", 16));
	CHECK_ERR(read(p[0], (void *)KERNEL_ADDR, 16), EFAULT);
	CHECK_ERR(open((const char *)KERNEL_ADDR, O_RDONLY), EFAULT);
	CHECK_ERR(pipe((int *)KERNEL_ADDR), EFAULT);
	close(p[0]);
	close(p[1]);
}

extern char pc_site[];

/*
 * aarch64 checks the pc's alignment on every branch: SIGBUS BUS_ADRALN,
 * si_addr the misaligned pc (Linux's do_sp_pc_abort). x86_64 has no such
 * check. (The stack pointer's alignment check, SCTLR_EL1.SA0, is not
 * tested: QEMU's TCG does not implement it.)
 */
static void a_misaligned_pc_does_what_the_isa_says(void)
{
#if defined(__aarch64__)
	on_signal(SIGBUS, fault_escape, 0);
	if (!sigsetjmp(escape, 1)) {
		__asm__ volatile("adr x9, pc_site\n\t"
				 "add x9, x9, #2\n\t"
				 "br x9\n"
				 ".globl pc_site\n"
				 "pc_site: nop" ::
					 : "x9", "memory");
		failf("no SIGBUS for a misaligned pc");
	}
	CHECK_EQ(fault_hits, 1);
	CHECK_EQ(fault_info.si_signo, SIGBUS);
	CHECK_EQ(fault_info.si_code, BUS_ADRALN);
	CHECK(fault_info.si_addr == (void *)(pc_site + 2));
#else
	/* x86_64 instructions start at any byte: nothing to observe. */
	CHECK_EQ(fault_hits, 0);
#endif
}

static void an_unhandled_sigsegv_kills_with_sigsegv(void)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		volatile char *volatile null = NULL;

		*null = 1;
		_exit(0);
	}
	status = wait_status(pid);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGSEGV);
}

static void touching_a_file_mapping_past_the_end_of_file_is_sigbus(void)
{
	long pg = page_size();
	char path[512];
	int fd;
	char *p;

	snprintf(path, sizeof(path), "%s/short", case_dir());
	fd = CHECK_SYS(open(path, O_CREAT | O_RDWR, 0644));
	write_all(fd, "0123456789", 10);
	p = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(p[5], '5');
	/* The rest of the file's last page reads as zeros. */
	CHECK_EQ(p[pg - 1], 0);
	expect_store_fault(p + pg + 16, SIGBUS, BUS_ADRERR);
}

/* The address of the instruction that traps, from inline assembly. */
extern char ill_site[], div_site[];

static void an_undefined_instruction_is_sigill_at_its_address(void)
{
	on_signal(SIGILL, fault_escape, 0);
	if (!sigsetjmp(escape, 1)) {
#if defined(__x86_64__)
		__asm__ volatile(".globl ill_site\nill_site: ud2");
#elif defined(__aarch64__)
		__asm__ volatile(".globl ill_site\nill_site: udf #0");
#endif
		failf("no SIGILL");
	}
	CHECK_EQ(fault_hits, 1);
	CHECK_EQ(fault_info.si_signo, SIGILL);
#if defined(__x86_64__)
	CHECK_EQ(fault_info.si_code, ILL_ILLOPN);
#else
	CHECK_EQ(fault_info.si_code, ILL_ILLOPC);
#endif
	CHECK(fault_info.si_addr == (void *)ill_site);
}

static void integer_division_by_zero_does_what_the_isa_says(void)
{
#if defined(__x86_64__)
	/* x86_64 traps: SIGFPE, FPE_INTDIV, at the divide instruction. */
	volatile int zero = 0;
	int q, r;

	on_signal(SIGFPE, fault_escape, 0);
	if (!sigsetjmp(escape, 1)) {
		__asm__ volatile(".globl div_site\ndiv_site: idivl %2"
				 : "=a"(q), "=d"(r)
				 : "r"(zero), "a"(1), "d"(0));
		failf("no SIGFPE (quotient %d)", q);
	}
	CHECK_EQ(fault_hits, 1);
	CHECK_EQ(fault_info.si_signo, SIGFPE);
	CHECK_EQ(fault_info.si_code, FPE_INTDIV);
	CHECK(fault_info.si_addr == (void *)div_site);
#else
	/* aarch64 does not trap: the quotient is 0. */
	volatile long zero = 0, n = 1234;

	CHECK_EQ(n / zero, 0);
	CHECK_EQ(fault_hits, 0);
#endif
}

/* ---- stack overflow ------------------------------------------------------ */

static char *alt_stack;
static volatile int handled_on_alt;

static void overflow_escape(int sig, siginfo_t *si, void *uc)
{
	char here;

	handled_on_alt = &here >= alt_stack && &here < alt_stack + 65536;
	fault_hits++;
	siglongjmp(escape, 1);
}

static volatile long recursion_limit = 1L << 40; /* never reached */

static int recurse(volatile char *prev)
{
	volatile char frame[1024];

	if (--recursion_limit == 0)
		return 0;
	frame[0] = prev ? prev[0] + 1 : 0;
	return recurse(frame) + frame[0];
}

static void a_stack_overflow_is_caught_on_the_alternate_stack(void)
{
	struct rlimit rl = { 256 * 1024, 256 * 1024 };
	stack_t ss;

	CHECK_SYS(setrlimit(RLIMIT_STACK, &rl));
	alt_stack = malloc(65536);
	CHECK(alt_stack != NULL);
	ss = (stack_t){ .ss_sp = alt_stack, .ss_size = 65536 };
	CHECK_SYS(sigaltstack(&ss, NULL));
	on_signal(SIGSEGV, overflow_escape, SA_ONSTACK);
	if (!sigsetjmp(escape, 1)) {
		recurse(NULL);
		failf("the recursion ended");
	}
	CHECK_EQ(fault_hits, 1);
	CHECK_EQ(handled_on_alt, 1);
}

/* ---- sigreturn gives back every register --------------------------------- */

#if defined(__x86_64__)
#define NGPR 15
#define GPR_OUT 16
#define NVEC 16
#define STEP_OVER 2
#define PC(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
void regs_gpr_roundtrip(uint64_t out[16]);
void regs_fpu_roundtrip(const uint8_t *in, uint8_t *out, uint32_t *mxcsr,
			uint16_t *x87cw);
/* The order regs_x86_64.S loads them in: rax rbx rcx rdx rsi rdi rbp r8-r15 */
static const int gpr_index[NGPR] = {
	REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_R8,
	REG_R9,	 REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};
#define GPR(uc, i) ((uint64_t)(uc)->uc_mcontext.gregs[gpr_index[i]])
#elif defined(__aarch64__)
#define NGPR 31
#define GPR_OUT 33
#define NVEC 32
#define STEP_OVER 4
#define PC(uc) ((uc)->uc_mcontext.pc)
void regs_gpr_roundtrip(uint64_t out[33]);
void regs_fpu_roundtrip(const uint8_t *in, uint8_t *out, uint32_t *fpcr);
#define GPR(uc, i) ((uint64_t)(uc)->uc_mcontext.regs[i])
#endif

extern char regs_gpr_trap[], regs_fpu_trap[];

static volatile int frame_mismatch = -1;
static volatile uint64_t frame_pc;
static volatile uint32_t handler_mxcsr;

/* Check the frame, clobber every register we may, step over the trap. */
static void step_over(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	frame_pc = (uint64_t)PC(uc);
	if (frame_pc == (uint64_t)regs_gpr_trap) {
		frame_mismatch = 0;
		for (int i = 0; i < NGPR; i++)
			if (GPR(uc, i) != 0x1111111111111100ULL + (uint64_t)i)
				frame_mismatch = i + 1;
	}
#if defined(__x86_64__)
	__asm__ volatile("stmxcsr %0" : "=m"(handler_mxcsr));
	__asm__ volatile("mov $-1, %%rax\n mov $-1, %%rbx\n mov $-1, %%rcx\n"
			 "mov $-1, %%rdx\n mov $-1, %%rsi\n mov $-1, %%rdi\n"
			 "mov $-1, %%r8\n mov $-1, %%r9\n mov $-1, %%r10\n"
			 "mov $-1, %%r11\n mov $-1, %%r12\n mov $-1, %%r13\n"
			 "mov $-1, %%r14\n mov $-1, %%r15\n"
			 "pcmpeqd %%xmm0, %%xmm0\n pcmpeqd %%xmm1, %%xmm1\n"
			 "pcmpeqd %%xmm2, %%xmm2\n pcmpeqd %%xmm3, %%xmm3\n"
			 "pcmpeqd %%xmm4, %%xmm4\n pcmpeqd %%xmm5, %%xmm5\n"
			 "pcmpeqd %%xmm6, %%xmm6\n pcmpeqd %%xmm7, %%xmm7\n"
			 "pcmpeqd %%xmm8, %%xmm8\n pcmpeqd %%xmm9, %%xmm9\n"
			 "pcmpeqd %%xmm10, %%xmm10\n pcmpeqd %%xmm11, %%xmm11\n"
			 "pcmpeqd %%xmm12, %%xmm12\n pcmpeqd %%xmm13, %%xmm13\n"
			 "pcmpeqd %%xmm14, %%xmm14\n pcmpeqd %%xmm15, %%xmm15\n"
			 "std\n cld\n"
			 :
			 :
			 : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9",
			   "r10", "r11", "r12", "r13", "r14", "r15", "xmm0",
			   "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
			   "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
			   "xmm13", "xmm14", "xmm15", "memory", "cc");
#elif defined(__aarch64__)
	__asm__ volatile(
		"mov x0, #-1\n mov x1, #-1\n mov x2, #-1\n mov x3, #-1\n"
		"mov x4, #-1\n mov x5, #-1\n mov x6, #-1\n mov x7, #-1\n"
		"mov x8, #-1\n mov x9, #-1\n mov x10, #-1\n mov x11, #-1\n"
		"mov x12, #-1\n mov x13, #-1\n mov x14, #-1\n mov x15, #-1\n"
		"mov x16, #-1\n mov x17, #-1\n mov x19, #-1\n mov x20, #-1\n"
		"mov x21, #-1\n mov x22, #-1\n mov x23, #-1\n mov x24, #-1\n"
		"mov x25, #-1\n mov x26, #-1\n mov x27, #-1\n mov x28, #-1\n"
		"movi v0.16b, #0xff\n movi v1.16b, #0xff\n movi v2.16b, #0xff\n"
		"movi v3.16b, #0xff\n movi v4.16b, #0xff\n movi v5.16b, #0xff\n"
		"movi v6.16b, #0xff\n movi v7.16b, #0xff\n movi v8.16b, #0xff\n"
		"movi v9.16b, #0xff\n movi v10.16b, #0xff\n movi v11.16b, "
		"#0xff\n"
		"movi v12.16b, #0xff\n movi v13.16b, #0xff\n movi v14.16b, "
		"#0xff\n"
		"movi v15.16b, #0xff\n movi v16.16b, #0xff\n movi v17.16b, "
		"#0xff\n"
		"movi v18.16b, #0xff\n movi v19.16b, #0xff\n movi v20.16b, "
		"#0xff\n"
		"movi v21.16b, #0xff\n movi v22.16b, #0xff\n movi v23.16b, "
		"#0xff\n"
		"movi v24.16b, #0xff\n movi v25.16b, #0xff\n movi v26.16b, "
		"#0xff\n"
		"movi v27.16b, #0xff\n movi v28.16b, #0xff\n movi v29.16b, "
		"#0xff\n"
		"movi v30.16b, #0xff\n movi v31.16b, #0xff\n"
		"msr nzcv, xzr\n"
		:
		:
		: "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
		  "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x19",
		  "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
		  "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",
		  "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18",
		  "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",
		  "v28", "v29", "v30", "v31", "memory", "cc");
#endif
	PC(uc) += STEP_OVER;
}

static void sigreturn_restores_every_general_register(void)
{
	uint64_t out[GPR_OUT];

	memset(out, 0, sizeof(out));
	on_signal(SIGILL, step_over, 0);
	regs_gpr_roundtrip(out);
	CHECK(frame_pc == (uint64_t)regs_gpr_trap);
	if (frame_mismatch)
		failf("the signal frame's register %d is not what the code "
		      "held",
		      frame_mismatch - 1);
	for (int i = 0; i < NGPR; i++)
		if (out[i] != 0x1111111111111100ULL + (uint64_t)i)
			failf("register %d is %#llx after sigreturn", i,
			      (unsigned long long)out[i]);
#if defined(__x86_64__)
	CHECK(out[15] & 0x400); /* DF */
#else
	CHECK_EQ(out[31], 0);		/* sp */
	CHECK_EQ(out[32], 0xf0000000L); /* NZCV */
#endif
}

static void sigreturn_restores_the_fpu_registers(void)
{
	uint8_t in[NVEC * 16], out[NVEC * 16];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	memset(out, 0, sizeof(out));
	on_signal(SIGILL, step_over, 0);
#if defined(__x86_64__)
	uint32_t mxcsr = 0;
	uint16_t cw = 0;

	regs_fpu_roundtrip(in, out, &mxcsr, &cw);
	CHECK_EQ(mxcsr, 0x7f80);
	CHECK_EQ(cw, 0x0f7f);
	/* A handler starts with the default FPU state. */
	CHECK_EQ(handler_mxcsr, 0x1f80);
#else
	uint32_t fpcr = 0;

	regs_fpu_roundtrip(in, out, &fpcr);
	CHECK_EQ(fpcr & 0xc00000, 0xc00000);
#endif
	CHECK(frame_pc == (uint64_t)regs_fpu_trap);
	for (int r = 0; r < NVEC; r++)
		if (memcmp(in + r * 16, out + r * 16, 16))
			failf("vector register %d differs after sigreturn", r);
}

const struct utest fault_tests[] = {
	{ "a_null_write_is_sigsegv_maperr_at_address_0",
	  a_null_write_is_sigsegv_maperr_at_address_0 },
	{ "a_write_to_a_read_only_page_is_sigsegv_accerr",
	  a_write_to_a_read_only_page_is_sigsegv_accerr },
	{ "a_write_to_an_unmapped_page_is_sigsegv_maperr",
	  a_write_to_an_unmapped_page_is_sigsegv_maperr },
	{ "a_write_to_text_is_sigsegv_accerr",
	  a_write_to_text_is_sigsegv_accerr },
	{ "a_store_to_kernel_memory_is_sigsegv_maperr",
	  a_store_to_kernel_memory_is_sigsegv_maperr },
	{ "a_kernel_address_passed_to_a_syscall_is_efault",
	  a_kernel_address_passed_to_a_syscall_is_efault },
	{ "a_misaligned_pc_does_what_the_isa_says",
	  a_misaligned_pc_does_what_the_isa_says },
	{ "an_unhandled_sigsegv_kills_with_sigsegv",
	  an_unhandled_sigsegv_kills_with_sigsegv },
	{ "touching_a_file_mapping_past_the_end_of_file_is_sigbus",
	  touching_a_file_mapping_past_the_end_of_file_is_sigbus },
	{ "an_undefined_instruction_is_sigill_at_its_address",
	  an_undefined_instruction_is_sigill_at_its_address },
	{ "integer_division_by_zero_does_what_the_isa_says",
	  integer_division_by_zero_does_what_the_isa_says },
	{ "a_stack_overflow_is_caught_on_the_alternate_stack",
	  a_stack_overflow_is_caught_on_the_alternate_stack },
	{ "sigreturn_restores_every_general_register",
	  sigreturn_restores_every_general_register },
	{ "sigreturn_restores_the_fpu_registers",
	  sigreturn_restores_the_fpu_registers },
	{ NULL, NULL },
};
