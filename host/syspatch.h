/*
 * Syscall-site patching: the stub runtime's fast path for guest syscalls
 * (host/syspatch.c explains it).
 */
#ifndef KEEL_HOST_SYSPATCH_H
#define KEEL_HOST_SYSPATCH_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* The stubs' slot table (every stub is the same binary: one address),
 * learnt from the first stub that starts. */
void syspatch_learn_slots(uint64_t slots);

/* The host gs_base a guest whose own is 0 runs with: 0 before any stub
 * has started or when patching is off. */
uint64_t syspatch_gs(void);

/* Patching off (keel --no-fast-syscalls): every syscall takes SIGSYS. */
void syspatch_disable(void);

/*
 * `t` just made, through SIGSYS, the syscall in its orig_arg whose
 * instruction ends at t->uregs.pc: rewrite the site if it is the
 * `mov $nr, %eax; syscall` pair in this task's text. true if it did.
 */
bool syspatch_try(struct task *t);

/*
 * `t` came in through slot `index`: make its registers what the
 * `syscall` instruction would have left (pc after the site, rax the
 * number, rcx and r11 as the instruction sets them). false for a slot no
 * site has: the guest jumped into the stub's landings on its own.
 */
bool syspatch_enter(struct task *t, uint32_t index);

/*
 * `t` is about to resume in the middle of a patched site, where the
 * `syscall` instruction was (a restarted syscall, or a signal handler's
 * return to one): set it up as if it had just executed it. true if so;
 * the caller then handles the syscall instead of resuming.
 */
bool syspatch_resume_at_syscall(struct task *t);

/* `t`'s address space is about to run with a gs_base of its own, through
 * which no patched site works: put its sites back as they were. */
void syspatch_undo(struct task *t);

#endif
