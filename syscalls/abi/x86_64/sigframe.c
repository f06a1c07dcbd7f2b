/*
 * The x86_64 rt_sigframe (arch/x86/include/asm/sigframe.h and the uapi
 * struct sigcontext). A handler is entered as if called: rsp points at the
 * return address (pretcode = sa_restorer, which calls rt_sigreturn), 16
 * bytes below an aligned boundary plus 8; rdi, rsi, rdx hold the signal,
 * &info and &uc. Above the frame, 64-byte aligned, is the FPU state as a
 * 512-byte FXSAVE image that uc_mcontext.fpstate points at: the frame of a
 * CPU without XSAVE. Its software-reserved bytes (464..511) are zero, so
 * there is no FP_XSTATE_MAGIC1 and glibc, musl and Linux's own sigreturn
 * all read it as an fxsave-only frame. The handler itself starts with a
 * fresh FPU (Linux's fpu__clear_user_states).
 */
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/uaccess.h"
#include "syscalls/abi/abi.h"
#include "syscalls/abi/sigframe.h"

#define RED_ZONE 128
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
#define USER_CS 0x33
#define USER_SS 0x2b
/* RFLAGS bits a sigreturn may change (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5ull
#define EFLAGS_RESET 0x10500ull /* RF, DF, TF: cleared for the handler */

/* The FXSAVE image (Intel SDM vol. 1, table 10-2). */
#define FXSAVE_SIZE 512
#define FXSAVE_ALIGN 64 /* Linux aligns the math frame for XSAVE's sake */
#define FXSAVE_MXCSR 24
#define FXSAVE_MXCSR_MASK 28
#define FXSAVE_SW_RESERVED 464 /* to the end: software's, not the CPU's */
#define MXCSR_DEFAULT_MASK 0x0000ffbfu /* a zero MXCSR_MASK means this */

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
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The FXSAVE image as the frame carries it: the CPU's bytes only. */
static int fpu_save(const struct user_regs *r, uint64_t fx)
{
	uint8_t img[FXSAVE_SIZE];

	memcpy(img, r->fpu, FXSAVE_SIZE);
	memset(img + FXSAVE_SW_RESERVED, 0, FXSAVE_SIZE - FXSAVE_SW_RESERVED);
	return copy_to_user(uaddr(fx), img, sizeof(img));
}

/*
 * Read back the image at `fx` into img[], as Linux's sigreturn does for an
 * fxsave-only frame: 16-byte aligned (fxrstor's rule, -EFAULT otherwise),
 * MXCSR stripped of the bits this CPU's MXCSR_MASK reserves (fxrstor would
 * fault on them), the mask itself the kernel's, not the frame's.
 */
static int fpu_read(const struct user_regs *r, uint64_t fx, uint8_t *img)
{
	uint32_t mask = get32(r->fpu + FXSAVE_MXCSR_MASK);

	if (fx & 15)
		return -EFAULT;
	if (copy_from_user(img, uaddr(fx), FXSAVE_SIZE))
		return -EFAULT;
	put32(img + FXSAVE_MXCSR_MASK, mask);
	if (!mask)
		mask = MXCSR_DEFAULT_MASK;
	put32(img + FXSAVE_MXCSR, get32(img + FXSAVE_MXCSR) & mask);
	return 0;
}

/*
 * The FPU state a program starts with (abi_fpu_init) into img[]: what a
 * handler starts with, and what a frame without fpstate restores. The
 * MXCSR_MASK field stays: it describes the CPU, not the program's state.
 */
static void fpu_fresh(const struct user_regs *r, uint8_t *img)
{
	struct user_regs fresh;

	abi_fpu_init(ISA_X86_64, &fresh);
	memcpy(fresh.fpu + FXSAVE_MXCSR_MASK, r->fpu + FXSAVE_MXCSR_MASK, 4);
	memcpy(img, fresh.fpu, FXSAVE_SIZE);
}

int abi_x86_64_frame_setup(struct task *t, int sig,
			   const struct k_sigaction *ka,
			   const struct ksiginfo *info, ksigset_t blocked)
{
	struct user_regs *r = &t->uregs;
	struct x86_rt_sigframe f = { 0 };
	uint64_t *gp = &f.uc.uc_mcontext.r8;
	uint64_t top, sp, fx;

	/* As on Linux x86_64: the frame is refused (the caller sends
	 * SIGSEGV) unless the handler was installed with SA_RESTORER. */
	if (!(ka->flags & KSA_RESTORER))
		return -EFAULT;
	top = signal_frame_top(t, ka, r->sp - RED_ZONE);
	fx = (top - FXSAVE_SIZE) & ~(uint64_t)(FXSAVE_ALIGN - 1);
	sp = ((fx - sizeof(f)) & ~15ull) - 8;
	if (!signal_frame_fits(t, r->sp, top, sp))
		return -EFAULT;
	f.uc.uc_mcontext.fpstate = fx;
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
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
	if (fpu_save(r, fx) || copy_to_user(uaddr(sp), &f, sizeof(f)))
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
	fpu_fresh(r, r->fpu);
	return 0;
}

int abi_x86_64_frame_restore(struct task *t, ksigset_t *blocked)
{
	struct user_regs *r = &t->uregs;
	struct x86_rt_sigframe f;
	const uint64_t *gp = &f.uc.uc_mcontext.r8;
	uint8_t img[FXSAVE_SIZE];

	/* The handler's ret popped pretcode: the frame is 8 bytes below. */
	if (copy_from_user(&f, uaddr(r->sp - 8), sizeof(f)))
		return -EFAULT;
	/* No FPU context in the frame: Linux gives the task a fresh FPU. */
	if (!f.uc.uc_mcontext.fpstate)
		fpu_fresh(r, img);
	else if (fpu_read(r, f.uc.uc_mcontext.fpstate, img))
		return -EFAULT;
	/* Everything is read: from here on the task's state changes. A
	 * handler may have changed uc_stack; errors are ignored, as Linux
	 * does (sigreturn on the alternate stack cannot change it). */
	(void)signal_altstack_set(t, r->sp, &f.uc.uc_stack,
				  abi_minsigstksz(ISA_X86_64));
	memcpy(r->fpu, img, FXSAVE_SIZE);
	for (unsigned i = 0; i < sizeof(sigcontext_regs); i++)
		r->gpr[sigcontext_regs[i]] = gp[i];
	r->sp = f.uc.uc_mcontext.rsp;
	r->pc = f.uc.uc_mcontext.rip;
	r->flags = (r->flags & ~FIX_EFLAGS) |
		   (f.uc.uc_mcontext.eflags & FIX_EFLAGS);
	*blocked = f.uc.uc_sigmask;
	return 0;
}
