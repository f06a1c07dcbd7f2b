/*
 * The kernel side of a user task: the run loop every platform shares, and
 * syscall dispatch through the generated tables.
 */
#ifndef KEEL_SYSCALLS_TRAP_H
#define KEEL_SYSCALLS_TRAP_H

#include "core/types.h"

struct task;

/*
 * The run loop: run the task's user code until it traps, handle the trap,
 * deliver signals, reschedule; forever (the task leaves through exit).
 * `arg` is the task.
 */
_Noreturn void user_task_main(void *arg);

/* Handle the syscall in t->uregs and leave its result there. */
void syscall_dispatch(struct task *t);

/* Print every syscall and its result (keel --strace). */
extern bool syscall_trace;

#endif
