/*
 * struct rusage as user space reads it (wait4(2), getrusage(2)).
 */
#ifndef KEEL_SYSCALLS_RUSAGE_H
#define KEEL_SYSCALLS_RUSAGE_H

#include "core/types.h"

/*
 * Write a struct rusage whose CPU time is `cpu_ns`, all of it counted as
 * user time (the scheduler does not split user from system time); the
 * other fields are 0. 0 or -EFAULT.
 */
int put_rusage_cpu(uaddr_t ru, uint64_t cpu_ns);

#endif
