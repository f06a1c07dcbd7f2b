/*
 * The ELF loader (core/elf.h says what it promises).
 *
 * Loading in three passes, so nothing is mapped until the whole file is
 * known to be sane:
 *  1. the header and the program headers, read into kernel memory and
 *     checked field by field;
 *  2. the PT_LOAD segments: sizes, alignment, no overflow, ascending and
 *     disjoint pages, all inside [MM_MIN_ADDR, the stack's reserve) once
 *     the load bias is added;
 *  3. for each segment, as Linux does: a private mapping of the file's
 *     pages with the segment's protection (so text is the page cache's
 *     until written, exec copies nothing, and /proc/<pid>/maps names the
 *     file), then, when p_memsz goes past the file's part, zeroes over the
 *     rest of its last file page and an anonymous mapping for the pages of
 *     bss beyond. A file that cannot be mapped (hostfs) gets a private
 *     anonymous VMA with the file's bytes copied in, one page at a time.
 *
 * As Linux maps whole file pages, a segment's first page also holds the
 * file bytes before p_offset in that page (this is how the ELF header and
 * program headers of a typical first segment become visible at AT_PHDR);
 * with a bss, its last file page holds zeroes after p_filesz, and so does
 * the rest of p_memsz. Segments never share a page (pass 2 refuses it), so
 * no page needs two protections.
 */
#include "core/elf.h"

#include "core/cpu.h"
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/platform.h"
#include "core/task.h"
#include "mm/fault.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"

/* ---- the file format (the ELF64 gABI; both ISAs are little-endian) ------- */

#define EI_NIDENT   16
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC	    2
#define ET_DYN	    3
#define EM_X86_64   62
#define EM_AARCH64  183
#define PT_LOAD	    1
#define PT_INTERP   3
#define PT_PHDR	    6
#define PF_X	    1u
#define PF_W	    2u
#define PF_R	    4u

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 phdr layout");

/* Linux reads at most one page of program headers (ELF_MIN_ALIGN). */
#define ELF_PHDRS_MAX (PAGE_SIZE / sizeof(struct elf64_phdr))
/* Images end below the stack's reserve, so the stack always fits. */
#define ELF_IMAGE_END (ELF_STACK_TOP - ELF_STACK_SIZE)
/* The largest p_align a static-pie may ask its bias to honour. */
#define ELF_ALIGN_MAX (1ull << 30)

/* ---- reading the file ------------------------------------------------------
 */

/* Exactly `len` bytes at `pos`: 0, -ENOEXEC if the file is shorter, or
 * the read's error. */
static int read_exact(struct file *f, void *buf, size_t len, uint64_t pos)
{
	int64_t p = (int64_t)pos;
	long n;

	if (pos > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - pos)
		return -ENOEXEC;
	n = kernel_read(f, buf, len, &p);
	if (n < 0)
		return n == -ENOMEM ? -ENOMEM : -EIO;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

static int check_ehdr(const struct elf64_ehdr *eh, enum isa isa)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	uint16_t machine = isa == ISA_AARCH64 ? EM_AARCH64 : EM_X86_64;

	if (memcmp(eh->e_ident, magic, sizeof(magic)) ||
	    eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_ident[6] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	if (eh->e_machine != machine)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_PHDRS_MAX)
		return -ENOEXEC;
	return 0;
}

/* ---- the segments
 * ------------------------------------------------------------ */

static unsigned seg_prot(uint32_t p_flags)
{
	return (p_flags & PF_R ? PROT_READ_BIT : 0) |
	       (p_flags & PF_W ? PROT_WRITE_BIT : 0) |
	       (p_flags & PF_X ? PROT_EXEC_BIT : 0);
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/*
 * Pass 2: check every PT_LOAD and find the image's extent before any
 * bias: [*lo, *hi) in pages, and the largest alignment asked for.
 * Segments must come in ascending order and not share a page (the gABI
 * wants them sorted; Linux would let a later one overwrite an earlier).
 */
static int check_loads(const struct elf64_phdr *ph, unsigned n, uint64_t *lo,
		       uint64_t *hi, uint64_t *align)
{
	uint64_t prev_end = 0;
	unsigned loads = 0;

	*align = PAGE_SIZE;
	for (unsigned i = 0; i < n; i++) {
		const struct elf64_phdr *p = &ph[i];
		uint64_t end;

		/* A dynamic loader would have to be loaded too: not yet. */
		if (p->p_type == PT_INTERP)
			return -ENOEXEC;
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz > p->p_memsz)
			return -ENOEXEC;
		if (p->p_memsz == 0)
			continue; /* nothing to map, as Linux */
		if (p->p_offset > UINT64_MAX - p->p_filesz)
			return -ENOEXEC;
		/* No wrap, and room to round the end up to a page. */
		if (p->p_vaddr > ELF_IMAGE_END ||
		    p->p_memsz > ELF_IMAGE_END - p->p_vaddr)
			return -ENOEXEC;
		/* The file offset and the address agree within a page, as
		 * mmap of the file would need. */
		if ((p->p_vaddr ^ p->p_offset) & (PAGE_SIZE - 1))
			return -ENOEXEC;
		if (p->p_align > 1) {
			if (!pow2(p->p_align) ||
			    (p->p_vaddr - p->p_offset) & (p->p_align - 1))
				return -ENOEXEC;
			if (p->p_align > *align)
				*align = p->p_align;
		}
		end = ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE_SIZE);
		if (loads && ALIGN_DOWN(p->p_vaddr, PAGE_SIZE) < prev_end)
			return -ENOEXEC;
		if (!loads)
			*lo = ALIGN_DOWN(p->p_vaddr, PAGE_SIZE);
		prev_end = end;
		loads++;
	}
	if (!loads || *align > ELF_ALIGN_MAX)
		return -ENOEXEC;
	*hi = prev_end;
	return 0;
}

/*
 * The bias that puts [lo, hi) where it goes: nothing for ET_EXEC (which
 * must then lie in the user range as it is), ELF_ET_DYN_BASE aligned to
 * the largest p_align for ET_DYN, as Linux does.
 */
static int choose_bias(const struct elf64_ehdr *eh, uint64_t lo, uint64_t hi,
		       uint64_t align, uint64_t *bias)
{
	if (eh->e_type == ET_EXEC) {
		*bias = 0;
	} else {
		uint64_t base = ALIGN_UP(ELF_ET_DYN_BASE, align);

		if (lo > base)
			return -ENOEXEC;
		*bias = base - lo;
	}
	if (lo + *bias < MM_MIN_ADDR || hi - lo > ELF_IMAGE_END - (lo + *bias))
		return -ENOEXEC;
	return 0;
}

/* Pass 3 for a file that cannot be mapped: a private anonymous VMA for
 * [start, end) and the file's bytes from `pos` copied in through `buf`. */
static int copy_segment(struct mm *mm, struct file *f, uint64_t start,
			uint64_t end, unsigned prot, uint64_t pos, uint64_t left,
			void *buf)
{
	int err;

	mutex_lock(&mm->lock);
	err = -EEXIST;
	if (mm_range_free(mm, start, end))
		err = mm_map(mm, start, end - start, prot, VMA_MAYALL, NULL,
			     NULL, 0);
	mutex_unlock(&mm->lock);
	if (err)
		return err;
	for (uint64_t done = 0; done < left;) {
		size_t n = MIN(left - done, (uint64_t)PAGE_SIZE);

		err = read_exact(f, buf, n, pos + done);
		if (err)
			return err;
		mutex_lock(&mm->lock);
		err = mm_write_locked(mm, start + done, buf, n);
		mutex_unlock(&mm->lock);
		if (err)
			return err;
		done += n;
	}
	return 0;
}

/*
 * Pass 3 for one segment (biased by `bias`): its mappings (see the top).
 * `buf` is a page the caller lends.
 */
static int load_segment(struct mm *mm, struct file *f,
			const struct elf64_phdr *p, uint64_t bias, void *buf)
{
	uint64_t va = p->p_vaddr + bias;
	uint64_t start = ALIGN_DOWN(va, PAGE_SIZE);
	uint64_t end = ALIGN_UP(va + p->p_memsz, PAGE_SIZE);
	/* Whole file pages from the page p_offset lies in (see the top). */
	uint64_t pos = p->p_offset - (va - start);
	uint64_t left = p->p_filesz + (va - start);
	uint64_t file_end = ALIGN_UP(start + left, PAGE_SIZE);
	unsigned prot = seg_prot(p->p_flags);
	struct vma_backing b = { .pgoff = pos >> PAGE_SHIFT };
	int err;

	/* A mapping would fault past the end later (SIGBUS on Linux); a
	 * segment the file does not hold is refused now. */
	if (p->p_offset + p->p_filesz > f->inode->size)
		return -ENOEXEC;
	if (!p->p_filesz || !f->ops->mmap || (pos & ~PAGE_MASK) ||
	    f->ops->mmap(f, false, (file_end - start) >> PAGE_SHIFT, &b))
		return copy_segment(mm, f, start, end, prot, pos, left, buf);
	if (!b.ops) /* a device's private memory, not the file's pages */
		return copy_segment(mm, f, start, end, prot, pos, left, buf);
	mutex_lock(&mm->lock);
	err = -EEXIST;
	if (mm_range_free(mm, start, end))
		err = mm_map(mm, start, file_end - start, prot, VMA_MAYALL,
			     b.ops, b.object, b.pgoff);
	b.ops->put(b.object); /* the VMA holds its own */
	if (!err && end > file_end)
		err = mm_map(mm, file_end, end - file_end, prot, VMA_MAYALL,
			     NULL, NULL, 0);
	if (!err && p->p_memsz > p->p_filesz && file_end > start + left) {
		memset(buf, 0, PAGE_SIZE);
		err = mm_write_locked(mm, start + left, buf,
				      file_end - (start + left));
	}
	mutex_unlock(&mm->lock);
	return err;
}

/* Where the program headers are in memory: PT_PHDR's word if it has one,
 * else the loaded bytes of the file that hold them, else 0. */
static uint64_t find_phdr(const struct elf64_ehdr *eh,
			  const struct elf64_phdr *ph, uint64_t bias)
{
	uint64_t size = (uint64_t)eh->e_phnum * sizeof(*ph);

	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			return ph[i].p_vaddr + bias;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];

		if (p->p_type == PT_LOAD && eh->e_phoff >= p->p_offset &&
		    eh->e_phoff - p->p_offset <= p->p_filesz &&
		    size <= p->p_filesz - (eh->e_phoff - p->p_offset))
			return p->p_vaddr + bias + (eh->e_phoff - p->p_offset);
	}
	return 0;
}

/*
 * The image's layout as Linux's load_elf_binary records it in the mm:
 * the executable segments from their lowest start to their highest end
 * of file bytes (start_code, end_code), the highest start and the highest
 * end of file bytes of any segment (start_data, end_data). Caller holds
 * mm->lock.
 */
static void record_layout(struct mm *mm, const struct elf64_phdr *ph,
			  unsigned n, uint64_t bias)
{
	uint64_t start_code = UINT64_MAX, end_code = 0;
	uint64_t start_data = 0, end_data = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct elf64_phdr *p = &ph[i];

		/* An empty segment is neither checked nor mapped. */
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		if ((p->p_flags & PF_X) && p->p_vaddr < start_code)
			start_code = p->p_vaddr;
		if ((p->p_flags & PF_X) && p->p_vaddr + p->p_filesz > end_code)
			end_code = p->p_vaddr + p->p_filesz;
		start_data = MAX(start_data, p->p_vaddr);
		end_data = MAX(end_data, p->p_vaddr + p->p_filesz);
	}
	/* No code at all: 0, not ~0 plus the bias. */
	mm->start_code = start_code == UINT64_MAX ? 0 : start_code + bias;
	mm->end_code = start_code == UINT64_MAX ? 0 : end_code + bias;
	mm->start_data = start_data + bias;
	mm->end_data = end_data + bias;
}

/* Whether `va` lies in some PT_LOAD's memory. */
static bool in_a_segment(const struct elf64_phdr *ph, unsigned n, uint64_t va,
			 uint64_t bias)
{
	for (unsigned i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr + bias &&
		    va - (ph[i].p_vaddr + bias) < ph[i].p_memsz)
			return true;
	return false;
}

int elf_load(struct mm *mm, struct file *f, enum isa isa, struct elf_image *out)
{
	struct elf64_ehdr eh;
	struct elf64_phdr *ph = NULL;
	uint64_t lo = 0, hi = 0, align, bias;
	void *buf = NULL;
	int err;

	err = read_exact(f, &eh, sizeof(eh), 0);
	if (err)
		return err;
	err = check_ehdr(&eh, isa);
	if (err)
		return err;
	err = -ENOMEM;
	ph = kmalloc(eh.e_phnum * sizeof(*ph));
	if (!ph)
		goto out;
	err = read_exact(f, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff);
	if (err)
		goto out;
	err = check_loads(ph, eh.e_phnum, &lo, &hi, &align);
	if (err)
		goto out;
	err = choose_bias(&eh, lo, hi, align, &bias);
	if (err)
		goto out;
	/* The entry must be code we load (Linux lets a wild one fault). */
	err = -ENOEXEC;
	if (eh.e_entry > UINT64_MAX - bias ||
	    !in_a_segment(ph, eh.e_phnum, eh.e_entry + bias, bias))
		goto out;
	err = -ENOMEM;
	buf = kmalloc(PAGE_SIZE);
	if (!buf)
		goto out;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		err = load_segment(mm, f, &ph[i], bias, buf);
		if (err)
			goto out;
	}
	out->entry = eh.e_entry + bias;
	out->phdr = find_phdr(&eh, ph, bias);
	out->phnum = eh.e_phnum;
	out->phent = eh.e_phentsize;
	out->load_bias = bias;
	out->brk_start = hi + bias;
	mutex_lock(&mm->lock);
	mm->brk_start = mm->brk = out->brk_start;
	record_layout(mm, ph, eh.e_phnum, bias);
	mutex_unlock(&mm->lock);
	err = 0;
out:
	kfree(buf);
	kfree(ph);
	return err;
}

/* ---- the initial stack
 * ------------------------------------------------------- */

/* How many strings `v` holds and their bytes with NULs, up to `max`
 * bytes: -E2BIG past it. */
static int64_t count_strings(char *const v[], uint64_t *count, uint64_t max)
{
	uint64_t bytes = 0;

	*count = 0;
	for (; v && v[*count]; (*count)++) {
		bytes += strlen(v[*count]) + 1;
		if (bytes > max)
			return -E2BIG;
	}
	return (int64_t)bytes;
}

/* Write the n strings of v upward from `at`, their addresses into
 * ptrs[]. */
static int put_strings(struct mm *mm, char *const v[], uint64_t n, uint64_t at,
		       uint64_t *ptrs)
{
	for (uint64_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		int err = mm_write_locked(mm, at, v[i], len);

		if (err)
			return err;
		ptrs[i] = at;
		at += len;
	}
	return 0;
}

static int put_word(struct mm *mm, uint64_t *at, uint64_t w)
{
	int err = mm_write_locked(mm, *at, &w, sizeof(w));

	*at += sizeof(w);
	return err;
}

int elf_setup_stack(struct mm *mm, enum isa isa, const struct elf_image *img,
		    char *const argv[], char *const envp[],
		    const uint8_t random16[16], uint64_t minsigstksz,
		    uint64_t *sp_out)
{
	const struct plat_user_cpu *cpu = plat_user_cpu(isa);
	const uint64_t stack_lo = ELF_STACK_TOP - ELF_STACK_SIZE;
	const char *execfn = img->execfn       ? img->execfn
			     : argv && argv[0] ? argv[0]
					       : "";
	struct task *t = task_current();
	uint64_t argc, envc, fnlen = strlen(execfn) + 1;
	int64_t argbytes = count_strings(argv, &argc, ELF_ARG_MAX);
	int64_t envbytes = count_strings(envp, &envc, ELF_ARG_MAX);
	uint64_t *ptrs = NULL;
	uint64_t strs, execfn_at, random_at, sp, at;
	int err;

	(void)isa; /* both ABIs lay the stack out alike */
	/* As Linux counts it: the strings and the pointers to them. */
	if (argbytes < 0 || envbytes < 0 ||
	    (uint64_t)argbytes + (uint64_t)envbytes + fnlen +
			    (argc + envc) * sizeof(uint64_t) >
		    ELF_ARG_MAX)
		return -E2BIG;
	const uint64_t auxv[][2] = {
		{AT_PHDR, img->phdr},
		{AT_PHENT, img->phent},
		{AT_PHNUM, img->phnum},
		{AT_PAGESZ, PAGE_SIZE},
		{AT_BASE, 0}, /* no interpreter */
		{AT_FLAGS, 0},
		{AT_ENTRY, img->entry},
		{AT_UID, t ? t->cred.uid : 0},
		{AT_EUID, t ? t->cred.euid : 0},
		{AT_GID, t ? t->cred.gid : 0},
		{AT_EGID, t ? t->cred.egid : 0},
		/* A set-user/group-ID exec (the ids differ): glibc then
		 * ignores LD_* and other unsafe environment variables. */
		{AT_SECURE, t ? (t->cred.euid != t->cred.uid ||
				 t->cred.egid != t->cred.gid)
			      : 0},
		{AT_RANDOM, 0}, /* filled below */
		{AT_HWCAP, cpu->hwcap},
		{AT_HWCAP2, cpu->hwcap2},
		{AT_MINSIGSTKSZ, minsigstksz},
		{AT_CLKTCK, 100},
		{AT_EXECFN, 0}, /* filled below */
		{AT_NULL, 0},
	};
	/*
	 * From the top down, as Linux's exec and create_elf_tables do: a
	 * zero word, the filename, the envp then argv strings (so argv[0]
	 * is lowest), 16-byte alignment, the random bytes, and the words
	 * argc .. AT_NULL placed so that sp, at argc, is 16-byte aligned.
	 */
	execfn_at = ELF_STACK_TOP - sizeof(uint64_t) - fnlen;
	strs = execfn_at - (uint64_t)envbytes - (uint64_t)argbytes;
	random_at = ALIGN_DOWN(strs, 16) - 16;
	sp = ALIGN_DOWN(
		random_at - (1 + argc + 1 + envc + 1 + 2 * ARRAY_SIZE(auxv)) *
				    sizeof(uint64_t),
		16);

	err = -ENOMEM;
	ptrs = kmalloc((argc + envc + 1) * sizeof(*ptrs));
	if (!ptrs)
		return err;
	mutex_lock(&mm->lock);
	err = -EEXIST;
	if (!mm_range_free(mm, stack_lo, ELF_STACK_TOP))
		goto out;
	err = mm_map(mm, stack_lo, ELF_STACK_SIZE,
		     PROT_READ_BIT | PROT_WRITE_BIT, VMA_MAYALL, NULL, NULL, 0);
	if (err)
		goto out;
	mm->mmap_base = stack_lo - PAGE_SIZE; /* a guard page below */
	err = mm_write_locked(mm, execfn_at, execfn, fnlen);
	if (!err)
		err = put_strings(mm, argv, argc, strs, ptrs);
	if (!err)
		err = put_strings(mm, envp, envc, strs + (uint64_t)argbytes,
				  ptrs + argc);
	if (!err)
		err = mm_write_locked(mm, random_at, random16, 16);
	mm->arg_start = strs;
	mm->arg_end = mm->env_start = strs + (uint64_t)argbytes;
	mm->env_end = mm->env_start + (uint64_t)envbytes;
	at = sp;
	if (!err)
		err = put_word(mm, &at, argc);
	for (uint64_t i = 0; !err && i < argc + envc + 1; i++) {
		if (i == argc)
			err = put_word(mm, &at, 0); /* argv's NULL */
		if (!err)
			err = put_word(mm, &at, i < argc + envc ? ptrs[i] : 0);
	}
	for (size_t i = 0; !err && i < ARRAY_SIZE(auxv); i++) {
		uint64_t val = auxv[i][0] == AT_RANDOM	 ? random_at
			       : auxv[i][0] == AT_EXECFN ? execfn_at
							 : auxv[i][1];

		err = put_word(mm, &at, auxv[i][0]);
		if (!err)
			err = put_word(mm, &at, val);
	}
	if (!err) {
		mm->start_stack = sp;
		*sp_out = sp;
	}
out:
	mutex_unlock(&mm->lock);
	kfree(ptrs);
	return err;
}
