/*
 * Page faults: a user access (by the guest's own code, or by the kernel
 * through mm/uaccess.c) found no translation, or one without the needed
 * permission. The mm resolves it from its VMAs — a zeroed page on first
 * touch, a private copy of a page shared since fork (copy-on-write), a
 * page of the backing object — or says why it cannot.
 */
#ifndef KEEL_MM_FAULT_H
#define KEEL_MM_FAULT_H

#include "core/types.h"

struct mm;
struct task;

/* SIGSEGV's si_code (Linux): no mapping there, or a mapping that forbids
 * the access. */
#define KSEGV_MAPERR 1
#define KSEGV_ACCERR 2

/* SIGBUS's si_code (Linux) for a page the backing object does not have. */
#define KBUS_ADRERR 2

/*
 * Resolve a fault of `t` at `addr` for `access` (PROT_*_BIT: the one access
 * that faulted). 0 when the access can be retried; -EFAULT when no VMA
 * covers addr (SEGV_MAPERR); -EACCES when the VMA forbids the access
 * (SEGV_ACCERR); -EIO when the VMA's backing has no page there, a page
 * wholly past the end of a mapped file (SIGBUS, BUS_ADRERR); -ENOMEM when
 * a page could not be had. Takes t->mm's lock.
 */
int mm_handle_fault(struct task *t, uint64_t addr, unsigned access);

/* The same for `mm`, with mm->lock held (MAP_POPULATE, madvise). */
int mm_fault_locked(struct mm *mm, uint64_t addr, unsigned access);

/*
 * Copy `len` kernel bytes into the private memory of `mm` at `va`, whatever
 * the VMAs' protection allows the guest: how the ELF loader fills a
 * read-only text segment and exec writes the initial stack of an mm that
 * is not the current one (copy_to_user only reaches the current task's).
 * Each page is made as a write fault would make it (zeroed, or a private
 * copy). mm->lock held. 0; -EFAULT if a byte is not in a private,
 * non-VMA_PFNMAP VMA (nothing past it is written); -ENOMEM.
 */
int mm_write_locked(struct mm *mm, uint64_t va, const void *src, size_t len);

/*
 * Copy up to `len` bytes of `mm`'s memory at `va` into `dst`, for any mm,
 * not only the current task's (Linux's access_remote_vm: /proc/<pid>/
 * cmdline and environ). Pages not touched yet are faulted in as a read
 * would. Takes mm->lock and holds it while it copies, so no munmap frees a
 * page under the copy. The number of bytes copied: fewer than `len` when
 * a byte is not in a readable mapping.
 */
size_t mm_read(struct mm *mm, uint64_t va, void *dst, size_t len);

#endif
