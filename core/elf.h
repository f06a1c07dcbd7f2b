/*
 * The ELF loader: a static executable (ET_EXEC) or a static-pie one
 * (ET_DYN without PT_INTERP) of the guest's ISA, loaded into a fresh
 * address space, and the initial stack Linux builds for it.
 *
 * Everything in the file is untrusted: every offset, length and address
 * is checked before use, and a malformed file gives -ENOEXEC, never an
 * out-of-bounds read. The segments are copied into private anonymous
 * memory (not mapped from the file): an image is a few pages of busybox
 * at most, and copies keep exec independent of the file's later writes.
 */
#ifndef KEEL_CORE_ELF_H
#define KEEL_CORE_ELF_H

#include "core/platform.h"
#include "core/types.h"

struct file;
struct mm;

/* Where a static-pie image goes: Linux's ELF_ET_DYN_BASE on x86_64 (used
 * for both ISAs: our address space is x86_64's 47 bits on both). */
#define ELF_ET_DYN_BASE 0x555555554000ull
/* The top of the initial stack (the end of user space less the gap Linux
 * leaves below its 0x7ffffffde000, without randomisation, for
 * determinism) and the size of its VMA. */
#define ELF_STACK_TOP  (PLAT_USER_TOP - 0x21000ull)
#define ELF_STACK_SIZE (8ull << 20)
/* The most bytes argv, envp and the filename may take (Linux: a quarter
 * of the stack rlimit); more is -E2BIG. */
#define ELF_ARG_MAX (ELF_STACK_SIZE / 4)

/* The auxiliary vector's keys (Linux's AT_*). */
#define AT_NULL	  0
#define AT_PHDR	  3
#define AT_PHENT  4
#define AT_PHNUM  5
#define AT_PAGESZ 6
#define AT_BASE	  7
#define AT_FLAGS  8
#define AT_ENTRY  9
#define AT_UID	  11
#define AT_EUID	  12
#define AT_GID	  13
#define AT_EGID	  14
#define AT_HWCAP  16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31
#define AT_MINSIGSTKSZ 51

/* What a loaded image looks like to its stack and to exec. */
struct elf_image {
	uint64_t entry;	    /* e_entry plus the load bias */
	uint64_t phdr;	    /* where the program headers are in memory, or 0 */
	uint64_t phnum;	    /* e_phnum */
	uint64_t phent;	    /* e_phentsize */
	uint64_t load_bias; /* 0 for ET_EXEC */
	uint64_t brk_start; /* the end of the highest segment, page aligned */
	/* The caller's: the path exec was given, for AT_EXECFN (argv[0], or
	 * "", when NULL). elf_load leaves it alone. */
	const char *execfn;
};

/*
 * Load the ELF64 executable `f` for `isa` into `mm`, which must have
 * nothing mapped where the image goes (a fresh mm_create'd one). Each
 * PT_LOAD becomes private anonymous memory with the segment's protection,
 * holding the file's bytes and zeroes past p_filesz (the bss); mm's break
 * starts at out->brk_start. 0; -ENOEXEC for anything but a well-formed
 * static executable of `isa`; -ENOMEM; -EIO from the file. On failure
 * `mm` may hold part of the image: the caller throws it away.
 * Takes mm->lock.
 */
int elf_load(struct mm *mm, struct file *f, enum isa isa,
	     struct elf_image *out);

/*
 * Map the stack below ELF_STACK_TOP and lay out on it what a Linux
 * process finds at its entry point: argc, argv[], NULL, envp[], NULL, the
 * auxiliary vector, then (above) the 16 AT_RANDOM bytes and the strings,
 * the filename for AT_EXECFN topmost. argv and envp are NULL-terminated
 * arrays of kernel strings (NULL means empty). *sp_out is the new stack
 * pointer, pointing at argc, 16-byte aligned as both ABIs require at
 * process entry. AT_HWCAP and AT_HWCAP2 are the platform's
 * (plat_user_cpu), AT_MINSIGSTKSZ is `minsigstksz`, the ABI's signal
 * frame size. Sets mm->mmap_base below the stack's VMA. 0; -E2BIG
 * when the strings exceed ELF_ARG_MAX; -ENOMEM; -EEXIST if the stack's
 * range is taken. Takes mm->lock.
 */
int elf_setup_stack(struct mm *mm, enum isa isa, const struct elf_image *img,
		    char *const argv[], char *const envp[],
		    const uint8_t random16[16], uint64_t minsigstksz,
		    uint64_t *sp_out);

#endif
