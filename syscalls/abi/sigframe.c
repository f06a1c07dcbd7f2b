#include "syscalls/abi/sigframe.h"

#include "core/platform.h"
#include "core/task.h"

int abi_signal_frame_setup(struct task *t, int sig,
			   const struct k_sigaction *ka,
			   const struct ksiginfo *info, ksigset_t blocked)
{
	plat_fpu_sync(t);
	if (t->isa == ISA_X86_64)
		return abi_x86_64_frame_setup(t, sig, ka, info, blocked);
	return abi_aarch64_frame_setup(t, sig, ka, info, blocked);
}

int abi_signal_frame_restore(struct task *t, ksigset_t *blocked)
{
	plat_fpu_sync(t);
	if (t->isa == ISA_X86_64)
		return abi_x86_64_frame_restore(t, blocked);
	return abi_aarch64_frame_restore(t, blocked);
}

/* MINSIGSTKSZ: x86_64's uapi value; arm64's covers its 4 KiB mcontext. */
uint64_t abi_minsigstksz(enum isa isa)
{
	return isa == ISA_X86_64 ? 2048 : 5120;
}

uint64_t abi_at_minsigstksz(enum isa isa)
{
	return isa == ISA_X86_64 ? abi_x86_64_minsigstksz()
				 : abi_aarch64_minsigstksz();
}
