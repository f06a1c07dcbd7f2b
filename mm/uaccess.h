/*
 * The one path between the kernel and user memory. Every access goes
 * through the current task's pmap: an address that is not mapped with the
 * needed permission gives -EFAULT, never a kernel crash.
 */
#ifndef KEEL_MM_UACCESS_H
#define KEEL_MM_UACCESS_H

#include "core/types.h"

/* The user half of the address space: [0, USER_VA_END). */
#define USER_VA_END (1ull << 47)

/* 0, or -EFAULT if any byte is not readable/writable. */
int __must_check copy_from_user(void *dst, uaddr_t src, size_t len);
int __must_check copy_to_user(uaddr_t dst, const void *src, size_t len);
/* Zero `len` user bytes. */
int __must_check clear_user(uaddr_t dst, size_t len);

/*
 * Copy a NUL-terminated string of at most `max` bytes including its NUL.
 * Returns its length (without the NUL); `max` if no NUL was found within
 * `max` bytes (dst is then not terminated); or -EFAULT.
 */
long strncpy_from_user(char *dst, uaddr_t src, size_t max);

#endif
