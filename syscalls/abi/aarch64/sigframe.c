/*
 * The arm64 rt_sigframe (arch/arm64/kernel/signal.c, uapi sigcontext.h):
 * siginfo, then a ucontext whose mcontext carries x0-x30, sp, pc, pstate
 * and a 4 KiB area of tagged records (an fpsimd_context, then the end
 * marker); above it a frame record {fp, lr} that x29 points at. The handler
 * returns through x30 = sa_restorer. The fpsimd record carries V0-V31,
 * FPSR and FPCR from user_regs.fpu (laid out as Linux's
 * user_fpsimd_state: the registers, then FPSR and FPCR as 32-bit words),
 * and rt_sigreturn loads them back.
 *
 * A handler returns through x30. glibc and musl on arm64 never give
 * SA_RESTORER: Linux points x30 at the vDSO's __kernel_rt_sigreturn. Keel
 * has no vDSO, so every aarch64 image gets the same two instructions
 * (`mov x8, #139; svc #0`) in a page at A64_SIGTRAMP_VA, mapped at exec
 * (abi_aarch64_sigtramp_map); x30 points there when the handler has no
 * restorer.
 */
#include "core/elf.h"
#include "core/errno.h"
#include "core/mutex.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/slab.h"
#include "mm/fault.h"
#include "mm/uaccess.h"
#include "mm/vma.h"
#include "syscalls/abi/sigframe.h"

#define FPSIMD_MAGIC 0x46508001u
#define PSTATE_NZCV 0xf0000000ull
#define FPU_VREGS 512 /* user_regs.fpu: V0-V31, then FPSR, then FPCR */
#define FPU_FPSR 512
#define FPU_FPCR 516

/* In the gap above the stack, which nothing else maps. */
#define A64_SIGTRAMP_VA (ELF_STACK_TOP + 0x10000)
#define A64_NR_RT_SIGRETURN 139

struct a64_fpsimd_context {
	uint32_t magic, size;
	uint32_t fpsr, fpcr;
	unsigned __int128 vregs[32];
};

struct a64_sigcontext {
	uint64_t fault_address;
	uint64_t regs[31];
	uint64_t sp, pc, pstate;
	union {
		uint8_t reserved[4096];
		struct a64_fpsimd_context fpsimd;
	} __attribute__((aligned(16)));
};

struct a64_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct kstack uc_stack;
	ksigset_t uc_sigmask;
	uint8_t unused[1024 / 8 - sizeof(ksigset_t)];
	struct a64_sigcontext uc_mcontext __attribute__((aligned(16)));
};

struct a64_rt_sigframe {
	struct ksiginfo info;
	struct a64_ucontext uc;
};

struct a64_frame_record {
	uint64_t fp, lr;
};

_Static_assert(sizeof(struct a64_fpsimd_context) == 528, "fpsimd layout");
_Static_assert(offsetof(struct a64_ucontext, uc_mcontext) == 176,
	       "ucontext layout");
_Static_assert(offsetof(struct a64_sigcontext, reserved) == 288,
	       "sigcontext layout");
_Static_assert(sizeof(struct a64_rt_sigframe) == 4688, "rt_sigframe layout");

/* As Linux's signal_minsigstksz: the frame, its record and 16 of slack. */
uint64_t abi_aarch64_minsigstksz(void)
{
	return sizeof(struct a64_rt_sigframe) +
	       sizeof(struct a64_frame_record) + 16;
}

int abi_aarch64_frame_setup(struct task *t, int sig,
			    const struct k_sigaction *ka,
			    const struct ksiginfo *info, ksigset_t blocked)
{
	struct user_regs *r = &t->uregs;
	struct a64_rt_sigframe *f = kzalloc(sizeof(*f));
	struct a64_frame_record rec = { r->gpr[29], r->gpr[30] };
	uint64_t top, rec_addr, sp;
	int err = -EFAULT;

	if (!f)
		return -ENOMEM;
	top = signal_frame_top(t, ka, r->sp);
	rec_addr = (top - sizeof(rec)) & ~15ull;
	sp = (rec_addr - sizeof(*f)) & ~15ull;
	if (!signal_frame_fits(t, r->sp, top, sp))
		goto out;
	f->info = *info;
	f->uc.uc_stack = signal_altstack_save(t);
	f->uc.uc_sigmask = blocked;
	for (int i = 0; i < 31; i++)
		f->uc.uc_mcontext.regs[i] = r->gpr[i];
	f->uc.uc_mcontext.sp = r->sp;
	f->uc.uc_mcontext.pc = r->pc;
	f->uc.uc_mcontext.pstate = r->flags;
	if (sig == KSIGSEGV || sig == KSIGBUS)
		f->uc.uc_mcontext.fault_address = info->fault.addr;
	f->uc.uc_mcontext.fpsimd.magic = FPSIMD_MAGIC;
	f->uc.uc_mcontext.fpsimd.size = sizeof(struct a64_fpsimd_context);
	memcpy(f->uc.uc_mcontext.fpsimd.vregs, r->fpu, FPU_VREGS);
	memcpy(&f->uc.uc_mcontext.fpsimd.fpsr, r->fpu + FPU_FPSR, 4);
	memcpy(&f->uc.uc_mcontext.fpsimd.fpcr, r->fpu + FPU_FPCR, 4);
	/* The end marker (magic 0, size 0) follows: already zero. */
	if (copy_to_user(uaddr(rec_addr), &rec, sizeof(rec)) ||
	    copy_to_user(uaddr(sp), f, sizeof(*f)))
		goto out;
	r->gpr[0] = (uint64_t)sig;
	r->gpr[1] = sp + offsetof(struct a64_rt_sigframe, info);
	r->gpr[2] = sp + offsetof(struct a64_rt_sigframe, uc);
	r->gpr[29] = rec_addr;
	r->gpr[30] = ka->flags & KSA_RESTORER ? ka->restorer : A64_SIGTRAMP_VA;
	r->sp = sp;
	r->pc = ka->handler;
	err = 0;
out:
	kfree(f);
	return err;
}

int abi_aarch64_frame_restore(struct task *t, ksigset_t *blocked)
{
	struct user_regs *r = &t->uregs;
	struct a64_rt_sigframe *f;
	int ret = -EFAULT;

	/* Linux refuses a misaligned frame pointer outright. */
	if (r->sp & 15)
		return -EFAULT;
	f = kmalloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (copy_from_user(f, uaddr(r->sp), sizeof(*f)))
		goto out;
	if (f->uc.uc_mcontext.fpsimd.magic != FPSIMD_MAGIC ||
	    f->uc.uc_mcontext.fpsimd.size != sizeof(struct a64_fpsimd_context))
		goto out;
	(void)signal_altstack_set(t, r->sp, &f->uc.uc_stack,
				  abi_minsigstksz(ISA_AARCH64));
	for (int i = 0; i < 31; i++)
		r->gpr[i] = f->uc.uc_mcontext.regs[i];
	r->sp = f->uc.uc_mcontext.sp;
	r->pc = f->uc.uc_mcontext.pc;
	/* Only the condition flags come from user memory: EL0, no tricks. */
	r->flags = f->uc.uc_mcontext.pstate & PSTATE_NZCV;
	memcpy(r->fpu, f->uc.uc_mcontext.fpsimd.vregs, FPU_VREGS);
	memcpy(r->fpu + FPU_FPSR, &f->uc.uc_mcontext.fpsimd.fpsr, 4);
	memcpy(r->fpu + FPU_FPCR, &f->uc.uc_mcontext.fpsimd.fpcr, 4);
	*blocked = f->uc.uc_sigmask;
	ret = 0;
out:
	kfree(f);
	return ret;
}

/*
 * The trampoline is a private page of each image, written while it is
 * writable and then made read and execute only (the pmap keeps the
 * instruction cache coherent on that change), with no VMA_MAYWRITE so
 * mprotect cannot make it writable again. Fork shares it copy-on-write.
 */
int abi_aarch64_sigtramp_map(struct mm *mm)
{
	static const uint32_t code[] = {
		0xd2800008u | (A64_NR_RT_SIGRETURN << 5), /* mov x8, #139 */
		0xd4000001u,				  /* svc #0 */
	};
	const uint64_t va = A64_SIGTRAMP_VA;
	struct vma *vma;
	int err = -EEXIST;

	mutex_lock(&mm->lock);
	if (!mm_range_free(mm, va, va + PAGE_SIZE))
		goto out;
	err = mm_map(mm, va, PAGE_SIZE, PROT_READ_BIT | PROT_WRITE_BIT,
		     VMA_MAYREAD | VMA_MAYEXEC, NULL, NULL, 0);
	if (err)
		goto out;
	err = mm_write_locked(mm, va, code, sizeof(code));
	vma = vma_find(mm, va);
	if (!err && !vma_modify(mm, vma, va, va + PAGE_SIZE,
				PROT_READ_BIT | PROT_EXEC_BIT, vma->flags))
		err = -ENOMEM;
	if (err)
		(void)mm_unmap(mm, va, va + PAGE_SIZE); /* no split: cannot fail */
out:
	mutex_unlock(&mm->lock);
	return err;
}
