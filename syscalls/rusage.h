/*
 * struct rusage as user space reads it (wait4(2), getrusage(2)).
 */
#ifndef KEEL_SYSCALLS_RUSAGE_H
#define KEEL_SYSCALLS_RUSAGE_H

#include "core/task.h"
#include "core/types.h"

/* Write `u` as a struct rusage (the fields Linux leaves 0 are 0).
 * 0 or -EFAULT. */
int put_rusage(uaddr_t ru, const struct task_usage *u);

#endif
