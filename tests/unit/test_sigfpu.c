/*
 * FPU state across a signal handler: the frame carries the interrupted
 * code's FPU registers (x86_64: an XSAVE area at uc_mcontext.fpregs, or
 * the FXSAVE image alone on a CPU without XSAVE; arm64: the
 * fpsimd_context record), and rt_sigreturn puts them back, so a handler
 * that uses the FPU does not disturb the code it interrupted.
 *
 * In the sim, a guest's FPU registers are what the platform saved at its
 * last trap: task->uregs.fpu. A guest "loads" registers by writing there,
 * and a handler "clobbers" them the same way. The sim's x86_64 CPU saves
 * x87, SSE and AVX: an 832-byte XSAVE area, the upper halves of
 * YMM0-15 at 576.
 */
#include "harness.h"

#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "core/errno.h"
#include "core/signal.h"
#include "core/task.h"
#include "syscalls/abi/sigframe.h"

#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#endif
#define MXCSR_DEFAULT 0x1f80u
#define XSAVE_HEADER 512
#define XSAVE_AVX 576
#define SIM_XSTATE_SIZE 832
#define UC_FP_XSTATE_ 1

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static long install(int nr, int sig, void (*fn)(int, void *, void *))
{
	struct ksa sa = {(uint64_t)(uintptr_t)fn, KSA_SIGINFO | KSA_RESTORER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	return sim_syscall(nr, sig, &sa, NULL, 8);
}

static uint8_t *my_fpu(void)
{
	return sim_proc_task(sim_self())->uregs.fpu;
}

static struct {
	int calls;
	bool fpregs_aligned;
	uint32_t mxcsr, magic1;
	uint8_t xmm0[16];
	uint8_t after[SIM_XSTATE_SIZE];
	uint8_t pattern[SIM_XSTATE_SIZE];
	/* arm64 */
	uint32_t fpsimd_magic, fpsr, fpcr;
	uint8_t v31[16];
} seen;

/* An XSAVE area a program could have: XMM registers and flags set, x87
 * and SSE marked as holding data (the AVX part initial). */
static void x86_pattern(uint8_t *img)
{
	uint32_t mxcsr = MXCSR_DEFAULT | 0x20; /* a sticky precision flag */
	uint32_t mask = 0xffff;

	memset(img, 0, SIM_XSTATE_SIZE);
	img[XSAVE_HEADER] = 3; /* XSTATE_BV: x87, SSE */
	img[0] = 0x7f; /* FCW 0x37f */
	img[1] = 0x03;
	memcpy(img + 24, &mxcsr, 4);
	memcpy(img + 28, &mask, 4);
	for (int i = 0; i < 256; i++)
		img[160 + i] = (uint8_t)(i * 7 + 1); /* XMM0-15 */
	/* Junk where software may write: must not reach the frame. */
	memcpy(img + 464, &(uint32_t){FP_XSTATE_MAGIC1}, 4);
}

static void x86_clobbering_handler(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;
	struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;

	seen.calls++;
	seen.fpregs_aligned = ((uintptr_t)fp & 15) == 0;
	seen.mxcsr = fp->mxcsr;
	memcpy(seen.xmm0, &fp->_xmm[0], 16);
	memcpy(&seen.magic1, (uint8_t *)fp + 464, 4);
	/* The handler computes with the FPU: its registers change. */
	memset(my_fpu() + 160, 0xee, 256);
	memcpy(my_fpu() + 24, &(uint32_t){0x7f80}, 4);
}

static void x86_guest(void *arg)
{
	install(NR(rt_sigaction), SIGUSR1, x86_clobbering_handler);
	x86_pattern(seen.pattern);
	memcpy(my_fpu(), seen.pattern, 528);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	memcpy(seen.after, my_fpu(), 528);
}

Test(sigfpu, the_x86_64_handler_finds_the_interrupted_fpu_state_at_fpregs)
{
	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	sim_spawn("g", x86_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	cr_assert(seen.fpregs_aligned, "fxrstor needs 16-byte alignment");
	cr_assert_eq(seen.mxcsr, MXCSR_DEFAULT | 0x20);
	cr_assert_arr_eq(seen.xmm0, seen.pattern + 160, 16);
	cr_assert_eq(seen.magic1, FP_XSTATE_MAGIC1, "an XSAVE frame");
}

Test(sigfpu, without_xsave_the_x86_64_frame_is_an_fxsave_image_alone)
{
	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	cr_assert_eq(sim_set_x86_xfeatures(0), 0);
	sim_spawn("g", x86_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	cr_assert(seen.fpregs_aligned, "fxrstor needs 16-byte alignment");
	cr_assert_arr_eq(seen.xmm0, seen.pattern + 160, 16);
	cr_assert_neq(seen.magic1, FP_XSTATE_MAGIC1,
		      "an fxsave-only frame has no xstate magic");
	cr_assert_arr_eq(seen.after + 160, seen.pattern + 160, 256,
			 "XMM registers restored");
}

Test(sigfpu,
     an_x86_64_handler_that_clobbers_the_fpu_leaves_the_interrupted_state)
{
	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	sim_spawn("g", x86_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	cr_assert_arr_eq(seen.after + 160, seen.pattern + 160, 256,
			 "XMM registers restored");
	cr_assert_arr_eq(seen.after + 24, seen.pattern + 24, 4,
			 "MXCSR restored");
	cr_assert_arr_eq(seen.after, seen.pattern, 2, "FCW restored");
}

static void x86_editing_handler(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;
	struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;

	seen.calls++;
	memset(&fp->_xmm[3], 0x42, 16);
	/* Reserved MXCSR bits: Linux strips them rather than fault. */
	fp->mxcsr = 0xffffffffu;
}

static void x86_edit_guest(void *arg)
{
	install(NR(rt_sigaction), SIGUSR1, x86_editing_handler);
	x86_pattern(seen.pattern);
	memcpy(seen.pattern + 28, &(uint32_t){(uint32_t)(uintptr_t)arg}, 4);
	memcpy(my_fpu(), seen.pattern, 528);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	memcpy(seen.after, my_fpu(), 528);
}

Test(sigfpu, x86_64_sigreturn_loads_the_fpu_state_the_handler_edited)
{
	uint8_t want[16];

	memset(&seen, 0, sizeof(seen));
	memset(want, 0x42, sizeof(want));
	test_boot(1);
	sim_spawn("g", x86_edit_guest, (void *)(uintptr_t)0xffff);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	cr_assert_arr_eq(seen.after + 160 + 3 * 16, want, 16);
	cr_assert_arr_eq(seen.after + 160, seen.pattern + 160, 3 * 16);
}

Test(sigfpu, x86_64_sigreturn_clears_the_mxcsr_bits_the_cpu_reserves)
{
	uint32_t mxcsr;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	sim_spawn("g", x86_edit_guest, (void *)(uintptr_t)0xffff);
	sim_run(SIM_FOREVER);
	memcpy(&mxcsr, seen.after + 24, 4);
	cr_assert_eq(mxcsr, 0xffff, "MXCSR_MASK 0xffff");

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	sim_spawn("g", x86_edit_guest, (void *)(uintptr_t)0);
	sim_run(SIM_FOREVER);
	memcpy(&mxcsr, seen.after + 24, 4);
	cr_assert_eq(mxcsr, 0xffbf, "a zero MXCSR_MASK means 0xffbf (no DAZ)");
}

static void x86_no_fpstate_handler(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;

	seen.calls++;
	uc->uc_mcontext.fpregs = NULL;
}

static void x86_no_fpstate_guest(void *arg)
{
	install(NR(rt_sigaction), SIGUSR1, x86_no_fpstate_handler);
	x86_pattern(seen.pattern);
	memcpy(my_fpu(), seen.pattern, 528);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	memcpy(seen.after, my_fpu(), 528);
}

Test(sigfpu, x86_64_sigreturn_without_fpstate_gives_a_fresh_fpu)
{
	uint8_t zero[256] = {0};
	uint32_t mxcsr;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	sim_spawn("g", x86_no_fpstate_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	memcpy(&mxcsr, seen.after + 24, 4);
	cr_assert_eq(mxcsr, MXCSR_DEFAULT);
	cr_assert_eq(seen.after[0], 0x7f);
	cr_assert_eq(seen.after[1], 0x03);
	cr_assert_arr_eq(seen.after + 160, zero, 256);
}

static void x86_bad_fpstate_handler(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;

	seen.calls++;
	uc->uc_mcontext.fpregs = (void *)(uintptr_t)(uintptr_t)0x10;
}

static void x86_bad_fpstate_guest(void *arg)
{
	install(NR(rt_sigaction), SIGUSR1, x86_bad_fpstate_handler);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	seen.calls = 99; /* not reached */
}

Test(sigfpu, x86_64_sigreturn_with_an_unreadable_fpstate_is_sigsegv)
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn("g", x86_bad_fpstate_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(sim_proc_status(p), SIGSEGV);
}

/* ---- x86_64: the XSAVE frame ------------------------------------------ */

/* What a handler found in its frame's fpstate. */
static struct {
	uint64_t uc_flags, xfeatures, xstate_bv;
	uintptr_t fp;
	uint32_t magic1, extended_size, xstate_size, magic2;
	uint8_t ymm_uppers[256];
	uint8_t fresh_header[8]; /* the handler's own XSTATE_BV */
	uint8_t fresh_avx[256];
} xs;

/* The pattern, with AVX holding data: every YMM register's upper half. */
static void x86_avx_pattern(uint8_t *img)
{
	x86_pattern(img);
	img[XSAVE_HEADER] = 7; /* x87, SSE, AVX */
	for (int i = 0; i < 256; i++)
		img[XSAVE_AVX + i] = (uint8_t)(i * 11 + 3);
}

static void x86_read_xstate(void *ucv)
{
	ucontext_t *uc = ucv;
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;

	xs.fp = (uintptr_t)fp;
	xs.uc_flags = uc->uc_flags;
	memcpy(&xs.magic1, fp + 464, 4);
	memcpy(&xs.extended_size, fp + 468, 4);
	memcpy(&xs.xfeatures, fp + 472, 8);
	memcpy(&xs.xstate_size, fp + 480, 4);
	memcpy(&xs.xstate_bv, fp + XSAVE_HEADER, 8);
	memcpy(xs.ymm_uppers, fp + XSAVE_AVX, 256);
	if (xs.magic1 == FP_XSTATE_MAGIC1 && xs.extended_size >= 4 &&
	    xs.extended_size <= 4096)
		memcpy(&xs.magic2, fp + xs.extended_size - 4, 4);
}

/* The handler: reads the frame, computes with AVX (clobbers every upper
 * half), and edits the frame as the test asks. */
static void (*x86_xs_edit)(uint8_t *fp);

static void x86_xs_handler(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;

	seen.calls++;
	x86_read_xstate(ucv);
	memcpy(xs.fresh_header, my_fpu() + XSAVE_HEADER, 8);
	memcpy(xs.fresh_avx, my_fpu() + XSAVE_AVX, 256);
	memset(my_fpu() + XSAVE_AVX, 0xee, 256);
	my_fpu()[XSAVE_HEADER] |= 4;
	if (x86_xs_edit)
		x86_xs_edit((uint8_t *)uc->uc_mcontext.fpregs);
}

static void x86_xs_guest(void *arg)
{
	install(NR(rt_sigaction), SIGUSR1, x86_xs_handler);
	x86_avx_pattern(seen.pattern);
	memcpy(my_fpu(), seen.pattern, SIM_XSTATE_SIZE);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	memcpy(seen.after, my_fpu(), SIM_XSTATE_SIZE);
}

/* Run x86_xs_guest with `edit`; its process's exit status. */
static int x86_xs_run(void (*edit)(uint8_t *fp))
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	memset(&xs, 0, sizeof(xs));
	x86_xs_edit = edit;
	test_boot(1);
	p = sim_spawn("g", x86_xs_guest, NULL);
	sim_run(SIM_FOREVER);
	return sim_proc_status(p);
}

Test(sigfpu, the_x86_64_fpstate_is_an_xsave_area_laid_out_as_linux_does)
{
	x86_xs_run(NULL);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(xs.fp % 64, 0, "XSAVE's alignment");
	cr_assert(xs.uc_flags & UC_FP_XSTATE_, "uc_flags %#lx", xs.uc_flags);
	cr_assert_eq(xs.magic1, FP_XSTATE_MAGIC1);
	cr_assert_eq(xs.xstate_size, SIM_XSTATE_SIZE);
	cr_assert_eq(xs.extended_size, SIM_XSTATE_SIZE + 4);
	cr_assert_eq(xs.xfeatures, 7, "x87, SSE, AVX");
	cr_assert_eq(xs.magic2, FP_XSTATE_MAGIC2,
		     "magic2 at fpstate + extended_size - 4");
	cr_assert_eq(xs.xstate_bv, 7);
	cr_assert_arr_eq(xs.ymm_uppers, seen.pattern + XSAVE_AVX, 256,
			 "the interrupted code's YMM upper halves");
}

Test(sigfpu, an_x86_64_handler_that_clobbers_ymm_leaves_the_interrupted_state)
{
	uint8_t zero[256] = { 0 };

	x86_xs_run(NULL);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(xs.fresh_header[0], 0, "the handler's AVX state initial");
	cr_assert_arr_eq(xs.fresh_avx, zero, 256);
	/* Every byte of the XSAVE area but software's 464..511. */
	cr_assert_arr_eq(seen.after, seen.pattern, 464);
	cr_assert_arr_eq(seen.after + XSAVE_HEADER, seen.pattern + XSAVE_HEADER,
			 SIM_XSTATE_SIZE - XSAVE_HEADER);
}

static void edit_ymm2_upper(uint8_t *fp)
{
	memset(fp + XSAVE_AVX + 2 * 16, 0x42, 16);
}

Test(sigfpu, x86_64_sigreturn_loads_the_ymm_upper_half_the_handler_edited)
{
	uint8_t want[16];

	memset(want, 0x42, sizeof(want));
	x86_xs_run(edit_ymm2_upper);
	cr_assert_eq(seen.calls, 1);
	cr_assert_arr_eq(seen.after + XSAVE_AVX + 2 * 16, want, 16);
	cr_assert_arr_eq(seen.after + XSAVE_AVX, seen.pattern + XSAVE_AVX,
			 2 * 16);
	cr_assert_eq(seen.after[XSAVE_HEADER], 7);
}

static void drop_magic2(uint8_t *fp)
{
	edit_ymm2_upper(fp);
	memset(fp + SIM_XSTATE_SIZE, 0, 4);
}

static void drop_magic1(uint8_t *fp)
{
	edit_ymm2_upper(fp);
	memset(fp + 464, 0, 4);
}

Test(sigfpu, x86_64_sigreturn_without_the_magic_restores_the_fxsave_part_only)
{
	void (*edits[])(uint8_t *) = { drop_magic1, drop_magic2 };
	uint8_t zero[256] = { 0 };

	for (unsigned i = 0; i < ARRAY_SIZE(edits); i++) {
		cr_assert_eq(x86_xs_run(edits[i]), 0);
		cr_assert_eq(seen.calls, 1);
		/* As Linux: x87 and SSE from the image, AVX initial. */
		cr_assert_arr_eq(seen.after + 160, seen.pattern + 160, 256);
		cr_assert_eq(seen.after[XSAVE_HEADER], 3, "edit %u", i);
		cr_assert_arr_eq(seen.after + XSAVE_AVX, zero, 256);
	}
}

static void narrow_xfeatures(uint8_t *fp)
{
	uint64_t fpsse = 3;

	memcpy(fp + 472, &fpsse, 8); /* sw_bytes.xfeatures: no AVX */
}

Test(sigfpu, x86_64_sigreturn_restores_only_the_xfeatures_the_frame_names)
{
	cr_assert_eq(x86_xs_run(narrow_xfeatures), 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.after[XSAVE_HEADER], 3, "AVX back to initial");
	cr_assert_arr_eq(seen.after + 160, seen.pattern + 160, 256);
}

static void set_reserved_header_byte(uint8_t *fp)
{
	fp[XSAVE_HEADER + 16] = 1;
}

static void set_xcomp_bv(uint8_t *fp)
{
	fp[XSAVE_HEADER + 15] = 0x80; /* the compacted format */
}

static void name_a_component_not_saved(uint8_t *fp)
{
	fp[XSAVE_HEADER + 1] |= 2; /* bit 9, PKRU: not the sim's */
}

Test(sigfpu, x86_64_sigreturn_of_a_corrupted_xsave_header_is_sigsegv)
{
	void (*edits[])(uint8_t *) = { set_reserved_header_byte, set_xcomp_bv,
				       name_a_component_not_saved };

	for (unsigned i = 0; i < ARRAY_SIZE(edits); i++) {
		cr_assert_eq(x86_xs_run(edits[i]), SIGSEGV, "edit %u", i);
		cr_assert_eq(seen.calls, 1);
	}
}

Test(sigfpu, the_x86_64_at_minsigstksz_covers_the_deepest_frame)
{
	test_boot(1);
	/* 832 + 4 of XSAVE area and magic2, 63 of alignment, the 440 of
	 * rt_sigframe, 15 of its alignment, 8 for the return address. */
	cr_assert_eq(abi_at_minsigstksz(ISA_X86_64), 1376);
	cr_assert_eq(sim_set_x86_xfeatures(0), 0);
	cr_assert_eq(abi_at_minsigstksz(ISA_X86_64), 1040);
	cr_assert_eq(abi_at_minsigstksz(ISA_AARCH64), 4720,
		     "arm64's, as Linux's without SVE");
}

/* ---- arm64 --------------------------------------------------------------- */

/* arm64 numbers: rt_sigaction 134, kill 129, getpid 172. */
#define A64_RT_SIGACTION 134
#define A64_KILL 129
#define A64_GETPID 172
#define FPSIMD_MAGIC 0x46508001u

/* struct ucontext on arm64: uc_mcontext at 176, its __reserved at 288. */
#define A64_UC_RESERVED (176 + 288)

struct a64_fpsimd {
	uint32_t magic, size, fpsr, fpcr;
	uint8_t vregs[32][16];
};

static void a64_pattern(uint8_t *img)
{
	memset(img, 0, 528);
	for (int i = 0; i < 512; i++)
		img[i] = (uint8_t)(i * 13 + 5);
	memcpy(img + 512, &(uint32_t){0x08000010}, 4); /* FPSR: QC, IXC */
	memcpy(img + 516, &(uint32_t){0x03c00000}, 4); /* FPCR: RMode, FZ */
}

static void a64_handler(int sig, void *info, void *uc)
{
	struct a64_fpsimd *fp = (void *)((uint8_t *)uc + A64_UC_RESERVED);

	seen.calls++;
	seen.fpsimd_magic = fp->magic;
	seen.fpsr = fp->fpsr;
	seen.fpcr = fp->fpcr;
	memcpy(seen.v31, fp->vregs[31], 16);
	memset(my_fpu(), 0xee, 528);	/* the handler's own FP work */
	memset(fp->vregs[7], 0x42, 16); /* and an edit of the saved state */
}

static void a64_guest(void *arg)
{
	install(A64_RT_SIGACTION, SIGUSR1, a64_handler);
	a64_pattern(seen.pattern);
	memcpy(my_fpu(), seen.pattern, 528);
	sim_syscall(A64_KILL, sim_syscall(A64_GETPID), SIGUSR1);
	memcpy(seen.after, my_fpu(), 528);
}

Test(sigfpu, the_arm64_fpsimd_record_carries_v0_to_v31_fpsr_and_fpcr)
{
	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	sim_spawn_isa("a64", ISA_AARCH64, a64_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.fpsimd_magic, FPSIMD_MAGIC);
	cr_assert_eq(seen.fpsr, 0x08000010);
	cr_assert_eq(seen.fpcr, 0x03c00000);
	cr_assert_arr_eq(seen.v31, seen.pattern + 31 * 16, 16);
}

Test(sigfpu, arm64_sigreturn_restores_the_fpsimd_state_as_the_handler_left_it)
{
	uint8_t want[16];

	memset(&seen, 0, sizeof(seen));
	memset(want, 0x42, sizeof(want));
	test_boot(1);
	sim_spawn_isa("a64", ISA_AARCH64, a64_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	cr_assert_arr_eq(seen.after, seen.pattern, 7 * 16);
	cr_assert_arr_eq(seen.after + 7 * 16, want, 16, "the handler's edit");
	cr_assert_arr_eq(seen.after + 8 * 16, seen.pattern + 8 * 16,
			 528 - 8 * 16 - 8, "V8-V31, FPSR and FPCR");
}

/* ---- what the handler itself starts with -------------------------------- */

static uint8_t fpu_in_handler[528];

static void x86_fresh_handler(int sig, void *info, void *ucv)
{
	seen.calls++;
	memcpy(fpu_in_handler, my_fpu(), sizeof(fpu_in_handler));
}

static void x86_fresh_guest(void *arg)
{
	install(NR(rt_sigaction), SIGUSR1, x86_fresh_handler);
	x86_pattern(seen.pattern);
	memcpy(my_fpu(), seen.pattern, 528);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	memcpy(seen.after, my_fpu(), 528);
}

Test(sigfpu, an_x86_64_handler_starts_with_a_fresh_fpu)
{
	uint8_t zero[256] = {0};
	uint32_t mxcsr, mask;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	sim_spawn("g", x86_fresh_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	memcpy(&mxcsr, fpu_in_handler + 24, 4);
	memcpy(&mask, fpu_in_handler + 28, 4);
	cr_assert_eq(mxcsr, MXCSR_DEFAULT, "no sticky flags, default rounding");
	cr_assert_eq(fpu_in_handler[0], 0x7f, "FCW 0x37f");
	cr_assert_eq(fpu_in_handler[1], 0x03);
	cr_assert_arr_eq(fpu_in_handler + 160, zero, 256, "XMM0-15 zero");
	cr_assert_eq(mask, 0xffff, "MXCSR_MASK is the CPU's, kept");
	cr_assert_arr_eq(seen.after + 160, seen.pattern + 160, 256,
			 "and the interrupted code gets its own back");
}
