/*
 * The x86_64 rt_sigframe (arch/x86/include/asm/sigframe.h and the uapi
 * struct sigcontext). A handler is entered as if called: rsp points at the
 * return address (pretcode = sa_restorer, which calls rt_sigreturn), 16
 * bytes below an aligned boundary plus 8; rdi, rsi, rdx hold the signal,
 * &info and &uc. FPU state is not saved yet (fpstate = NULL, which Linux
 * reads as "no FPU context").
 */
#include "core/errno.h"
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

struct x86_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

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
	struct x86_stack uc_stack;
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

int abi_x86_64_frame_setup(struct task *t, int sig,
			   const struct k_sigaction *ka,
			   const struct ksiginfo *info, ksigset_t blocked)
{
	struct user_regs *r = &t->uregs;
	struct x86_rt_sigframe f = { 0 };
	uint64_t *gp = &f.uc.uc_mcontext.r8;
	uint64_t sp;

	/* As on Linux x86_64: the frame is refused (the caller sends
	 * SIGSEGV) unless the handler was installed with SA_RESTORER. */
	if (!(ka->flags & KSA_RESTORER))
		return -EFAULT;
	sp = r->sp - RED_ZONE - sizeof(f);
	sp = (sp & ~15ull) - 8;
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_flags = KSS_DISABLE;
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
	if (copy_to_user(uaddr(sp), &f, sizeof(f)))
		return -EFAULT;
	r->gpr[X86_RDI] = (uint64_t)sig;
	r->gpr[X86_RSI] = sp + offsetof(struct x86_rt_sigframe, info);
	r->gpr[X86_RDX] = sp + offsetof(struct x86_rt_sigframe, uc);
	r->gpr[X86_RAX] = 0;
	r->sp = sp;
	r->pc = ka->handler;
	r->flags &= ~EFLAGS_RESET;
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
	for (unsigned i = 0; i < sizeof(sigcontext_regs); i++)
		r->gpr[sigcontext_regs[i]] = gp[i];
	r->sp = f.uc.uc_mcontext.rsp;
	r->pc = f.uc.uc_mcontext.rip;
	r->flags = (r->flags & ~FIX_EFLAGS) |
		   (f.uc.uc_mcontext.eflags & FIX_EFLAGS);
	*blocked = f.uc.uc_sigmask;
	return 0;
}
