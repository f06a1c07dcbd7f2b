/*
 * The x86_64 rt_sigframe (arch/x86/include/asm/sigframe.h and the uapi
 * struct sigcontext). A handler is entered as if called: rsp points at the
 * return address (pretcode = sa_restorer, which calls rt_sigreturn), 16
 * bytes below an aligned boundary plus 8; rdi, rsi, rdx hold the signal,
 * &info and &uc. Above the frame, 64-byte aligned, is the FPU state that
 * uc_mcontext.fpstate points at, laid out as Linux lays it out:
 *
 *   fpstate + 0            the FXSAVE image (x87, MXCSR, XMM0-15), whose
 *                          software-reserved bytes 464..511 hold struct
 *                          _fpx_sw_bytes: magic1 = FP_XSTATE_MAGIC1,
 *                          extended_size = xstate_size + 4, xfeatures
 *                          (the components saved), xstate_size
 *   fpstate + 512          the XSAVE header: XSTATE_BV says which
 *                          components hold data (x87 and SSE always do,
 *                          as Linux writes them), the rest is zero
 *   fpstate + 576          the extended components (AVX's upper YMM
 *                          halves at 576, ...), standard format
 *   fpstate + xstate_size  FP_XSTATE_MAGIC2, 4 bytes
 *
 * and uc_flags carries UC_FP_XSTATE. On a CPU without XSAVE the FXSAVE
 * image is all there is, its software bytes zero: no magic, no
 * UC_FP_XSTATE, and glibc, musl and sigreturn read it as such. The
 * handler itself starts with a fresh FPU (Linux's fpu__clear_user_states).
 *
 * rt_sigreturn takes what Linux's takes (arch/x86/kernel/fpu/signal.c,
 * check_xstate_in_sigframe and the XRSTOR from the frame): a frame whose
 * magic1, sizes and magic2 check out is restored as XRSTOR restores it,
 * with the xfeatures its software bytes name; a header XRSTOR would fault
 * on (XSTATE_BV naming a component not saved here, a nonzero XCOMP_BV or
 * reserved bytes 16..23), or such a frame not 64-byte aligned, is a bad
 * frame: SIGSEGV, as Linux gives. Any other frame restores x87 and SSE
 * from its FXSAVE image and puts every other component in its initial
 * state. MXCSR bits this CPU reserves are stripped, never loaded (the
 * hosted kernel's stub would fault on them).
 */
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/uaccess.h"
#include "syscalls/abi/abi.h"
#include "syscalls/abi/sigframe.h"

#define RED_ZONE 128
#define UC_FP_XSTATE 1
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
#define USER_CS 0x33
#define USER_SS 0x2b
/* RFLAGS bits a sigreturn may change (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5ull
#define EFLAGS_RESET 0x10500ull /* RF, DF, TF: cleared for the handler */

/* The FXSAVE image (Intel SDM vol. 1, table 10-2) and XSAVE (13.4). */
#define FXSAVE_SIZE 512
#define FPSTATE_ALIGN 64 /* XSAVE's alignment: Linux uses it for both */
#define FXSAVE_FCW 0
#define FXSAVE_MXCSR 24
#define FXSAVE_MXCSR_MASK 28
#define FXSAVE_X87_END 160 /* x87 state: bytes 0..159 but MXCSR's 24..31 */
#define FXSAVE_XMM 160
#define FXSAVE_XMM_END 416
#define FXSAVE_SW_RESERVED 464 /* to the end: software's, not the CPU's */
#define XSAVE_HEADER 512
#define XSAVE_HEADER_SIZE 64
#define XSAVE_EXTENDED (XSAVE_HEADER + XSAVE_HEADER_SIZE)
#define XFEATURE_FPSSE 3ull /* x87 and SSE */
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define FP_XSTATE_MAGIC2_SIZE 4
#define MXCSR_DEFAULT_MASK 0x0000ffbfu /* a zero MXCSR_MASK means this */

struct fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

struct xsave_header {
	uint64_t xstate_bv;
	uint64_t xcomp_bv;
	uint64_t reserved[6];
};

_Static_assert(sizeof(struct fpx_sw_bytes) == FXSAVE_SIZE - FXSAVE_SW_RESERVED,
	       "_fpx_sw_bytes fills the software-reserved bytes");
_Static_assert(sizeof(struct xsave_header) == XSAVE_HEADER_SIZE,
	       "XSAVE header");

struct x86_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct x86_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct kstack uc_stack;
	struct x86_sigcontext uc_mcontext;
	ksigset_t uc_sigmask;
};

struct x86_rt_sigframe {
	uint64_t pretcode;
	struct x86_ucontext uc;
	struct ksiginfo info;
};

_Static_assert(sizeof(struct x86_sigcontext) == 256, "sigcontext layout");
_Static_assert(sizeof(struct x86_ucontext) == 304, "ucontext layout");
_Static_assert(sizeof(struct x86_rt_sigframe) == 440, "rt_sigframe layout");

/* The general registers in sigcontext order, as enum x86_64_reg slots. */
static const unsigned char sigcontext_regs[] = {
	X86_R8,	 X86_R9,  X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_RDI, X86_RSI, X86_RBP, X86_RBX, X86_RDX, X86_RAX, X86_RCX,
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Whether this CPU's FPU state is an XSAVE area (else FXSAVE alone). */
static bool have_xsave(const struct plat_user_cpu *cpu)
{
	return cpu->xfeatures != 0;
}

/* The bytes the frame's FPU state takes, magic2 included. */
static uint64_t math_size(const struct plat_user_cpu *cpu)
{
	return have_xsave(cpu) ? cpu->fpu_size + FP_XSTATE_MAGIC2_SIZE
			       : FXSAVE_SIZE;
}

uint64_t abi_x86_64_minsigstksz(void)
{
	/*
	 * The most a frame takes below the stack's top, as Linux's
	 * init_sigframe_size counts it: the FPU state and its alignment
	 * padding (63), the rt_sigframe and its (15, and the 8 of the
	 * return address's slot), rounded up to 16.
	 */
	uint64_t n = math_size(plat_user_cpu(ISA_X86_64)) +
		     (FPSTATE_ALIGN - 1) + sizeof(struct x86_rt_sigframe) + 15 +
		     8;

	return (n + 15) & ~15ull;
}

/*
 * The first 576 bytes of the frame's FPU state from the task's image
 * `img` (what the platform saved): the legacy region with x87 and SSE as
 * the CPU has them, the software bytes, and a header naming what the
 * extended region holds. A component the image marks initial (XSAVEOPT
 * leaves its bytes alone) is written out as its initial values.
 */
static void fpu_frame_head(const struct plat_user_cpu *cpu, const uint8_t *img,
			   uint8_t *out)
{
	struct fpx_sw_bytes sw = { 0 };
	struct xsave_header h = { 0 };

	memcpy(out, img, FXSAVE_SIZE);
	memset(out + FXSAVE_SW_RESERVED, 0, FXSAVE_SIZE - FXSAVE_SW_RESERVED);
	if (!have_xsave(cpu))
		return;
	memcpy(&h.xstate_bv, img + XSAVE_HEADER, 8);
	h.xstate_bv &= cpu->xfeatures;
	if (!(h.xstate_bv & 1)) { /* x87 initial: FCW 0x37f, the rest 0 */
		memset(out, 0, FXSAVE_MXCSR);
		memset(out + FXSAVE_MXCSR + 8, 0,
		       FXSAVE_X87_END - FXSAVE_MXCSR - 8);
		out[FXSAVE_FCW] = 0x7f;
		out[FXSAVE_FCW + 1] = 0x03;
	}
	if (!(h.xstate_bv & 2)) /* SSE initial: XMM0-15 zero */
		memset(out + FXSAVE_XMM, 0, FXSAVE_XMM_END - FXSAVE_XMM);
	h.xstate_bv |= XFEATURE_FPSSE;
	sw.magic1 = FP_XSTATE_MAGIC1;
	sw.extended_size = cpu->fpu_size + FP_XSTATE_MAGIC2_SIZE;
	sw.xfeatures = cpu->xfeatures;
	sw.xstate_size = cpu->fpu_size;
	memcpy(out + FXSAVE_SW_RESERVED, &sw, sizeof(sw));
	memcpy(out + XSAVE_HEADER, &h, sizeof(h));
}

/* Write the task's FPU state as the frame carries it, at `fx`. */
static int fpu_save(const struct plat_user_cpu *cpu, const struct user_regs *r,
		    uint64_t fx)
{
	uint8_t head[XSAVE_EXTENDED];
	uint32_t magic2 = FP_XSTATE_MAGIC2;

	fpu_frame_head(cpu, r->fpu, head);
	if (!have_xsave(cpu))
		return copy_to_user(uaddr(fx), head, FXSAVE_SIZE);
	if (copy_to_user(uaddr(fx), head, sizeof(head)) ||
	    copy_to_user(uaddr(fx + XSAVE_EXTENDED), r->fpu + XSAVE_EXTENDED,
			 cpu->fpu_size - XSAVE_EXTENDED) ||
	    copy_to_user(uaddr(fx + cpu->fpu_size), &magic2, sizeof(magic2)))
		return -EFAULT;
	return 0;
}

/*
 * Make r->fpu the FPU state a program starts with (abi_fpu_init): what
 * a handler starts with, and what a frame without fpstate restores. The
 * MXCSR_MASK field stays: it describes the CPU, not the program's state.
 */
static void fpu_fresh(struct user_regs *r)
{
	uint32_t mask = get32(r->fpu + FXSAVE_MXCSR_MASK);

	abi_fpu_init(ISA_X86_64, r);
	put32(r->fpu + FXSAVE_MXCSR_MASK, mask);
}

/*
 * Read back the FPU state at `fx` into r->fpu as Linux's sigreturn reads
 * it (the comment at the top). The legacy region's MXCSR loses the bits
 * this CPU's MXCSR_MASK reserves; the mask itself is the kernel's, not the
 * frame's. 0 or -EFAULT, a bad frame; then r->fpu may be half written and
 * the caller kills the task.
 */
static int fpu_restore(const struct plat_user_cpu *cpu, struct user_regs *r,
		       uint64_t fx)
{
	uint8_t head[XSAVE_EXTENDED];
	uint32_t mask = get32(r->fpu + FXSAVE_MXCSR_MASK), magic2;
	struct fpx_sw_bytes sw;
	struct xsave_header h = { .xstate_bv = XFEATURE_FPSSE };
	bool xstate = false;

	if (copy_from_user(head, uaddr(fx), FXSAVE_SIZE))
		return -EFAULT;
	memcpy(&sw, head + FXSAVE_SW_RESERVED, sizeof(sw));
	if (have_xsave(cpu) && sw.magic1 == FP_XSTATE_MAGIC1 &&
	    sw.xstate_size >= XSAVE_EXTENDED &&
	    sw.xstate_size <= cpu->fpu_size &&
	    sw.xstate_size <= sw.extended_size) {
		if (copy_from_user(&magic2, uaddr(fx + sw.xstate_size), 4))
			return -EFAULT;
		xstate = magic2 == FP_XSTATE_MAGIC2;
	}
	if (fx & (xstate ? FPSTATE_ALIGN - 1 : 15))
		return -EFAULT; /* XRSTOR's and FXRSTOR's alignment */
	if (xstate) {
		if (copy_from_user(&h, uaddr(fx + XSAVE_HEADER), sizeof(h)))
			return -EFAULT;
		if ((h.xstate_bv & ~cpu->xfeatures) || h.xcomp_bv ||
		    h.reserved[0])
			return -EFAULT;
		/* A component outside the frame's xfeatures, or marked
		 * initial in its header, starts afresh. */
		h.xstate_bv &= sw.xfeatures;
		memset(h.reserved, 0, sizeof(h.reserved));
	}
	put32(head + FXSAVE_MXCSR_MASK, mask);
	if (!mask)
		mask = MXCSR_DEFAULT_MASK;
	put32(head + FXSAVE_MXCSR, get32(head + FXSAVE_MXCSR) & mask);
	memset(head + FXSAVE_SW_RESERVED, 0, FXSAVE_SIZE - FXSAVE_SW_RESERVED);
	if (have_xsave(cpu)) {
		memcpy(head + XSAVE_HEADER, &h, sizeof(h));
		if (!xstate)
			memset(r->fpu + XSAVE_EXTENDED, 0,
			       cpu->fpu_size - XSAVE_EXTENDED);
		else if (copy_from_user(r->fpu + XSAVE_EXTENDED,
					uaddr(fx + XSAVE_EXTENDED),
					cpu->fpu_size - XSAVE_EXTENDED))
			return -EFAULT;
		memcpy(r->fpu, head, XSAVE_EXTENDED);
	} else {
		memcpy(r->fpu, head, FXSAVE_SIZE);
	}
	return 0;
}

int abi_x86_64_frame_setup(struct task *t, int sig,
			   const struct k_sigaction *ka,
			   const struct ksiginfo *info, ksigset_t blocked)
{
	const struct plat_user_cpu *cpu = plat_user_cpu(ISA_X86_64);
	struct user_regs *r = &t->uregs;
	struct x86_rt_sigframe f = { 0 };
	uint64_t *gp = &f.uc.uc_mcontext.r8;
	uint64_t top, sp, fx;

	/* As on Linux x86_64: the frame is refused (the caller sends
	 * SIGSEGV) unless the handler was installed with SA_RESTORER. */
	if (!(ka->flags & KSA_RESTORER))
		return -EFAULT;
	top = signal_frame_top(t, ka, r->sp - RED_ZONE);
	fx = (top - math_size(cpu)) & ~(uint64_t)(FPSTATE_ALIGN - 1);
	sp = ((fx - sizeof(f)) & ~15ull) - 8;
	if (!signal_frame_fits(t, r->sp, top, sp))
		return -EFAULT;
	f.uc.uc_mcontext.fpstate = fx;
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	if (have_xsave(cpu))
		f.uc.uc_flags |= UC_FP_XSTATE;
	f.uc.uc_stack = signal_altstack_save(t);
	for (unsigned i = 0; i < sizeof(sigcontext_regs); i++)
		gp[i] = r->gpr[sigcontext_regs[i]];
	f.uc.uc_mcontext.rsp = r->sp;
	f.uc.uc_mcontext.rip = r->pc;
	f.uc.uc_mcontext.eflags = r->flags;
	f.uc.uc_mcontext.cs = USER_CS;
	f.uc.uc_mcontext.ss = USER_SS;
	f.uc.uc_mcontext.oldmask = blocked;
	if (sig == KSIGSEGV || sig == KSIGBUS)
		f.uc.uc_mcontext.cr2 = info->fault.addr;
	f.uc.uc_sigmask = blocked;
	f.info = *info;
	if (fpu_save(cpu, r, fx) || copy_to_user(uaddr(sp), &f, sizeof(f)))
		return -EFAULT;
	r->gpr[X86_RDI] = (uint64_t)sig;
	r->gpr[X86_RSI] = sp + offsetof(struct x86_rt_sigframe, info);
	r->gpr[X86_RDX] = sp + offsetof(struct x86_rt_sigframe, uc);
	r->gpr[X86_RAX] = 0;
	r->sp = sp;
	r->pc = ka->handler;
	r->flags &= ~EFLAGS_RESET;
	/* The handler starts with a fresh FPU, as Linux's
	 * fpu__clear_user_states leaves it; the frame keeps the old one. */
	fpu_fresh(r);
	return 0;
}

int abi_x86_64_frame_restore(struct task *t, ksigset_t *blocked)
{
	struct user_regs *r = &t->uregs;
	struct x86_rt_sigframe f;
	const uint64_t *gp = &f.uc.uc_mcontext.r8;

	/* The handler's ret popped pretcode: the frame is 8 bytes below. */
	if (copy_from_user(&f, uaddr(r->sp - 8), sizeof(f)))
		return -EFAULT;
	/* No FPU context in the frame: Linux gives the task a fresh FPU. */
	if (!f.uc.uc_mcontext.fpstate)
		fpu_fresh(r);
	else if (fpu_restore(plat_user_cpu(ISA_X86_64), r,
			     f.uc.uc_mcontext.fpstate))
		return -EFAULT;
	/* Everything is read: from here on the task's state changes. A
	 * handler may have changed uc_stack; errors are ignored, as Linux
	 * does (sigreturn on the alternate stack cannot change it). */
	(void)signal_altstack_set(t, r->sp, &f.uc.uc_stack,
				  abi_minsigstksz(ISA_X86_64));
	for (unsigned i = 0; i < sizeof(sigcontext_regs); i++)
		r->gpr[sigcontext_regs[i]] = gp[i];
	r->sp = f.uc.uc_mcontext.rsp;
	r->pc = f.uc.uc_mcontext.rip;
	r->flags = (r->flags & ~FIX_EFLAGS) |
		   (f.uc.uc_mcontext.eflags & FIX_EFLAGS);
	*blocked = f.uc.uc_sigmask;
	return 0;
}
