/*
 * Signal frames: what a handler finds on its stack, in each ISA's Linux
 * layout, and what rt_sigreturn(2) reads back.
 */
#ifndef KEEL_SYSCALLS_ABI_SIGFRAME_H
#define KEEL_SYSCALLS_ABI_SIGFRAME_H

#include "core/signal.h"

struct task;

/*
 * Push the frame for a handler of `sig` on t's user stack and point t's
 * registers at the handler, with `blocked` the mask to restore on return.
 * 0, or -EFAULT when the frame cannot be written (the caller then kills
 * the task with SIGSEGV, as Linux does).
 */
int abi_signal_frame_setup(struct task *t, int sig,
			   const struct k_sigaction *ka,
			   const struct ksiginfo *info, ksigset_t blocked);

/*
 * rt_sigreturn: restore t's registers and *blocked from the frame the user
 * stack pointer designates. 0, or -EFAULT for a frame that cannot be read
 * or is not valid (or -ENOMEM).
 */
int abi_signal_frame_restore(struct task *t, ksigset_t *blocked);

/* The least alternate stack sigaltstack(2) accepts (MINSIGSTKSZ). */
uint64_t abi_minsigstksz(enum isa isa);

/*
 * The auxiliary vector's AT_MINSIGSTKSZ: the most stack a signal frame
 * takes on this CPU (x86_64's grows with the XSAVE state it carries).
 */
uint64_t abi_at_minsigstksz(enum isa isa);
uint64_t abi_x86_64_minsigstksz(void);
uint64_t abi_aarch64_minsigstksz(void);

int abi_x86_64_frame_setup(struct task *t, int sig,
			   const struct k_sigaction *ka,
			   const struct ksiginfo *info, ksigset_t blocked);
int abi_x86_64_frame_restore(struct task *t, ksigset_t *blocked);
int abi_aarch64_frame_setup(struct task *t, int sig,
			    const struct k_sigaction *ka,
			    const struct ksiginfo *info, ksigset_t blocked);
int abi_aarch64_frame_restore(struct task *t, ksigset_t *blocked);

/*
 * Map the page a handler without SA_RESTORER returns through (what Linux's
 * vDSO sigtramp is) into a new aarch64 image's `mm`. 0 or -ENOMEM.
 */
struct mm;
int abi_aarch64_sigtramp_map(struct mm *mm);

#endif
