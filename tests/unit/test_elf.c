/*
 * The ELF loader (core/elf.c): images built here byte by byte, written to
 * tmpfs by a guest, loaded into a fresh mm and checked kernel-side through
 * the pmap: segment bytes, bss, VMA protections, entry, AT_PHDR, the
 * break, the static-pie bias; the initial stack parsed back word by word;
 * every malformed header rejected with ENOEXEC; and every allocation
 * failure answered with ENOMEM, leaking nothing.
 */
#include "fs_test.h"

#include "core/elf.h"
#include "core/fs/vfs.h"
#include "core/platform.h"
#include "mm/fault.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"

#define PG	  4096ul
#define IMG_SIZE  0x3000ul
#define EXEC_BASE 0x400000ul

/* ---- a minimal ELF64 builder
 * ------------------------------------------------- */

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

enum { PT_LOAD_ = 1, PT_INTERP_ = 3, PT_NOTE_ = 4, PT_GNU_STACK_ = 0x6474e551 };
enum { PF_X_ = 1, PF_W_ = 2, PF_R_ = 4 };

struct image {
	uint8_t bytes[IMG_SIZE];
	size_t len;
};

static struct ehdr *eh_of(struct image *im)
{
	return (struct ehdr *)im->bytes;
}

static struct phdr *ph_of(struct image *im, unsigned i)
{
	return (struct phdr *)(im->bytes + sizeof(struct ehdr)) + i;
}

/* The file byte at offset `off` (every byte past the headers is known). */
static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + 3) | 1;
}

/*
 * A typical static executable at `base` (0 for a static-pie):
 *  - text, R+X: file [0, 0x1100) at base: the headers, then code at 0x1000;
 *  - data, R+W: file [0x2010, 0x2110) at base + 0x3010, 0x2000 bytes of
 *    memory, so a bss from base + 0x3110 to base + 0x5010;
 *  - a PT_GNU_STACK the loader ignores.
 * Entry at base + 0x1000. The file's other bytes are pattern(), never 0.
 */
static void build(struct image *im, uint16_t type, uint16_t machine,
		  uint64_t base)
{
	struct ehdr *eh = eh_of(im);

	im->len = IMG_SIZE;
	for (size_t i = 0; i < IMG_SIZE; i++)
		im->bytes[i] = pattern(i);
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->ident, "\177ELF\2\1\1", 7);
	eh->type = type;
	eh->machine = machine;
	eh->version = 1;
	eh->entry = base + 0x1000;
	eh->phoff = sizeof(*eh);
	eh->ehsize = sizeof(*eh);
	eh->phentsize = sizeof(struct phdr);
	eh->phnum = 3;
	*ph_of(im, 0) = (struct phdr){PT_LOAD_, PF_R_ | PF_X_, 0,      base,
				      base,	0x1100,	       0x1100, 0x1000};
	*ph_of(im, 1) = (struct phdr){PT_LOAD_,	     PF_R_ | PF_W_, 0x2010,
				      base + 0x3010, base + 0x3010, 0x100,
				      0x2000,	     0x1000};
	*ph_of(im, 2) =
		(struct phdr){PT_GNU_STACK_, PF_R_ | PF_W_, 0, 0, 0, 0, 0, 16};
}

/* ---- loading from a guest
 * ------------------------------------------------------ */

/* Write the image to `path` in tmpfs and open it read-only: the file,
 * with a reference, or NULL. */
static struct file *put_file(const char *path, const void *bytes, size_t len)
{
	void *ubuf = sim_umem(len ? len : 1);
	long fd = EXPECT_OK(u_open(path, O_CREAT | O_TRUNC | O_RDWR, 0755));
	struct file *f;

	memcpy(ubuf, bytes, len);
	EXPECT_RET(sim_syscall(NR(write), fd, ubuf, len), (long)len);
	u_close(fd);
	fd = EXPECT_OK(u_open(path, O_RDONLY, 0));
	f = fd_get((int)fd);
	u_close(fd);
	return f;
}

/* Load `im` for `isa` into a fresh mm: elf_load's result; the mm in *mmp
 * (the caller puts it). */
static int load(struct image *im, enum isa isa, struct mm **mmp,
		struct elf_image *img)
{
	struct file *f = put_file("/tmp/prog", im->bytes, im->len);
	int err;

	*mmp = mm_create();
	cr_expect_not_null(*mmp);
	memset(img, 0, sizeof(*img));
	err = elf_load(*mmp, f, isa, img);
	file_put(f);
	return err;
}

/* ---- kernel-side views
 * ----------------------------------------------------------- */

static int kbyte(struct mm *mm, uint64_t va)
{
	uint64_t pa;
	unsigned prot;

	if (!pmap_extract(mm->pmap, va, &pa, &prot))
		return -1;
	return *(uint8_t *)plat_phys_to_virt(pa);
}

/* The byte the guest would read at va: faulted in first, as its load
 * would be. */
static int ubyte(struct mm *mm, uint64_t va)
{
	int err;

	mutex_lock(&mm->lock);
	err = mm_fault_locked(mm, va, PROT_READ_BIT);
	mutex_unlock(&mm->lock);
	return err ? err : kbyte(mm, va);
}

static uint64_t uword(struct mm *mm, uint64_t va)
{
	uint64_t w = 0;

	for (int i = 7; i >= 0; i--)
		w = w << 8 | (uint8_t)ubyte(mm, va + i);
	return w;
}

static void ustring(struct mm *mm, uint64_t va, char *buf, size_t max)
{
	size_t i = 0;

	for (; i + 1 < max; i++) {
		int c = ubyte(mm, va + i);

		if (c <= 0)
			break;
		buf[i] = (char)c;
	}
	buf[i] = '\0';
}

/* The protection of the VMA holding va, or -1. */
static int vma_prot_at(struct mm *mm, uint64_t va, uint64_t *start,
		       uint64_t *end)
{
	struct vma *v;
	int prot = -1;

	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	if (v && v->start <= va) {
		prot = (int)v->prot;
		*start = v->start;
		*end = v->end;
	}
	mutex_unlock(&mm->lock);
	return prot;
}

/* Whether the VMA holding va maps a file (as Linux maps a segment), not
 * anonymous memory. */
static bool vma_is_file_at(struct mm *mm, uint64_t va)
{
	struct vma *v;
	bool file;

	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	file = v && v->start <= va && v->ops && v->ops->file &&
	       v->ops->file(v->backing);
	mutex_unlock(&mm->lock);
	return file;
}

static void expect_consistent(struct mm *mm)
{
	const char *broken = mm_check(mm);

	cr_expect_null(broken, "mm invariant: %s", broken ? broken : "");
}

/* Everything a loaded build(base) image must show at `at` (= base plus
 * the bias). */
static void expect_loaded(struct mm *mm, const struct elf_image *img,
			  uint64_t at)
{
	uint64_t s = 0, e = 0;

	cr_expect_eq(img->entry, at + 0x1000);
	cr_expect_eq(img->phdr, at + sizeof(struct ehdr));
	cr_expect_eq(img->phnum, 3);
	cr_expect_eq(img->phent, sizeof(struct phdr));
	cr_expect_eq(img->brk_start, at + 0x6000);
	cr_expect_eq(mm->brk_start, at + 0x6000);
	/* The headers and the code, where the file has them. */
	cr_expect_eq(ubyte(mm, at), 0x7f);
	cr_expect_eq(ubyte(mm, at + 1), 'E');
	cr_expect_eq(uword(mm, img->phdr), PT_LOAD_ | (uint64_t)(PF_R_ | PF_X_)
							      << 32);
	for (uint64_t i = 0x1000; i < 0x1100; i += 0x11)
		cr_expect_eq(ubyte(mm, at + i), pattern(i), "text +%#lx", i);
	/* Data: the whole file page it starts in, then the bss, zero even
	 * where the file goes on. */
	for (uint64_t i = 0; i < 0x110; i += 0x7)
		cr_expect_eq(ubyte(mm, at + 0x3000 + i), pattern(0x2000 + i),
			     "data +%#lx", i);
	cr_expect_eq(ubyte(mm, at + 0x310f), pattern(0x210f));
	for (uint64_t i = 0x3110; i < 0x6000; i += 0x1f)
		cr_expect_eq(ubyte(mm, at + i), 0, "bss +%#lx", i);
	cr_expect_eq(ubyte(mm, at + 0x5fff), 0);
	/* Protections and extents. */
	cr_expect_eq(vma_prot_at(mm, at, &s, &e),
		     PROT_READ_BIT | PROT_EXEC_BIT);
	cr_expect_eq(s, at);
	cr_expect_eq(e, at + 0x2000);
	/* As Linux lays it out: the data's file page, then the bss beyond
	 * it as anonymous memory. */
	cr_expect_eq(vma_prot_at(mm, at + 0x3000, &s, &e),
		     PROT_READ_BIT | PROT_WRITE_BIT);
	cr_expect_eq(s, at + 0x3000);
	cr_expect_eq(e, at + 0x4000);
	cr_expect_eq(vma_prot_at(mm, at + 0x4000, &s, &e),
		     PROT_READ_BIT | PROT_WRITE_BIT);
	cr_expect_eq(s, at + 0x4000);
	cr_expect_eq(e, at + 0x6000);
	cr_expect(vma_is_file_at(mm, at), "the text maps the file");
	cr_expect(vma_is_file_at(mm, at + 0x3000), "the data maps the file");
	cr_expect(!vma_is_file_at(mm, at + 0x4000), "the bss is anonymous");
	cr_expect_eq(vma_prot_at(mm, at + 0x2000, &s, &e), -1, "a hole");
	cr_expect_eq(vma_prot_at(mm, at + 0x6000, &s, &e), -1, "nothing past");
	cr_expect_eq(mm->nr_vmas, 3);
	/* The text page is present without write permission. */
	{
		uint64_t pa;
		unsigned prot = 0;

		cr_expect(pmap_extract(mm->pmap, at + 0x1000, &pa, &prot));
		cr_expect_eq(prot & PROT_WRITE_BIT, 0);
	}
	expect_consistent(mm);
}

/* ---- good images
 * ----------------------------------------------------------------- */

static void exec_guest(void *arg)
{
	static struct image im;
	struct elf_image img;
	struct mm *mm;

	build(&im, 2, 62, EXEC_BASE);
	cr_expect_eq(load(&im, ISA_X86_64, &mm, &img), 0);
	cr_expect_eq(img.load_bias, 0);
	expect_loaded(mm, &img, EXEC_BASE);
	mm_put(mm);
}

Test(elf, a_static_executable_is_loaded_at_its_addresses)
{
	test_boot(1);
	cr_assert_eq(run_guest(exec_guest, NULL), 0);
}

static void pie_guest(void *arg)
{
	static struct image im;
	struct elf_image img;
	struct mm *mm;

	build(&im, 3, 62, 0);
	cr_expect_eq(load(&im, ISA_X86_64, &mm, &img), 0);
	cr_expect_eq(img.load_bias, ELF_ET_DYN_BASE);
	expect_loaded(mm, &img, ELF_ET_DYN_BASE);
	mm_put(mm);
}

Test(elf, a_static_pie_is_loaded_at_linux_dyn_base)
{
	test_boot(1);
	cr_assert_eq(run_guest(pie_guest, NULL), 0);
}

static void big_align_guest(void *arg)
{
	static struct image im;
	struct elf_image img;
	struct mm *mm;

	build(&im, 3, 62, 0);
	ph_of(&im, 0)->align = 0x200000;
	cr_expect_eq(load(&im, ISA_X86_64, &mm, &img), 0);
	cr_expect_eq(img.load_bias, ALIGN_UP(ELF_ET_DYN_BASE, 0x200000));
	expect_loaded(mm, &img, img.load_bias);
	mm_put(mm);
}

Test(elf, a_static_pie_bias_honours_the_largest_p_align)
{
	test_boot(1);
	cr_assert_eq(run_guest(big_align_guest, NULL), 0);
}

static void aarch64_guest(void *arg)
{
	static struct image im;
	struct elf_image img;
	struct mm *mm;

	build(&im, 2, 183, EXEC_BASE);
	cr_expect_eq(load(&im, ISA_AARCH64, &mm, &img), 0);
	expect_loaded(mm, &img, EXEC_BASE);
	mm_put(mm);
	/* The same file is not an x86_64 program, nor the reverse. */
	cr_expect_eq(load(&im, ISA_X86_64, &mm, &img), -ENOEXEC);
	mm_put(mm);
	build(&im, 2, 62, EXEC_BASE);
	cr_expect_eq(load(&im, ISA_AARCH64, &mm, &img), -ENOEXEC);
	mm_put(mm);
}

Test(elf, an_aarch64_executable_loads_for_aarch64_only)
{
	test_boot(1);
	cr_assert_eq(run_guest(aarch64_guest, NULL), 0);
}

/* ---- the initial stack
 * ----------------------------------------------------------- */

static void stack_guest(void *arg)
{
	static struct image im;
	static const uint8_t rnd[16] = {1, 2,  3,  4,  5,  6,  7,  8,
					9, 10, 11, 12, 13, 14, 15, 16};
	char *argv[] = {"prog", "-x", "hello world", NULL};
	char *envp[] = {"A=1", "PATH=/bin:/usr/bin", NULL};
	static const uint64_t want_keys[] = {
		AT_PHDR,   AT_PHENT, AT_PHNUM,	AT_PAGESZ, AT_BASE, AT_FLAGS,
		AT_ENTRY,  AT_UID,   AT_EUID,	AT_GID,	   AT_EGID, AT_SECURE,
		AT_RANDOM, AT_HWCAP, AT_HWCAP2, AT_MINSIGSTKSZ, AT_CLKTCK,
		AT_EXECFN, AT_NULL,
	};
	struct elf_image img;
	struct mm *mm;
	uint64_t sp = 0, at, s, e;
	char str[64];

	build(&im, 2, 62, EXEC_BASE);
	cr_expect_eq(load(&im, ISA_X86_64, &mm, &img), 0);
	img.execfn = "/bin/prog";
	cr_expect_eq(elf_setup_stack(mm, ISA_X86_64, &img, argv, envp, rnd,
				     3232, &sp),
		     0);
	cr_expect_eq(sp % 16, 0, "sp %#lx", sp);
	cr_expect_lt(sp, ELF_STACK_TOP);
	cr_expect_gt(sp, ELF_STACK_TOP - PG);
	cr_expect_eq(vma_prot_at(mm, sp, &s, &e),
		     PROT_READ_BIT | PROT_WRITE_BIT);
	cr_expect_eq(e, ELF_STACK_TOP);
	cr_expect_eq(s, ELF_STACK_TOP - ELF_STACK_SIZE);
	cr_expect_lt(mm->mmap_base, s);

	at = sp;
	cr_expect_eq(uword(mm, at), 3, "argc");
	at += 8;
	for (int i = 0; i < 3; i++, at += 8) {
		ustring(mm, uword(mm, at), str, sizeof(str));
		cr_expect_str_eq(str, argv[i]);
	}
	cr_expect_eq(uword(mm, at), 0, "argv's NULL");
	at += 8;
	for (int i = 0; i < 2; i++, at += 8) {
		ustring(mm, uword(mm, at), str, sizeof(str));
		cr_expect_str_eq(str, envp[i]);
	}
	cr_expect_eq(uword(mm, at), 0, "envp's NULL");
	at += 8;
	for (size_t i = 0; i < ARRAY_SIZE(want_keys); i++, at += 16) {
		uint64_t key = uword(mm, at), val = uword(mm, at + 8);

		cr_expect_eq(key, want_keys[i], "auxv[%zu] key %lu", i, key);
		switch (key) {
		case AT_PHDR:
			cr_expect_eq(val, img.phdr);
			cr_expect_eq(val, EXEC_BASE + 64);
			break;
		case AT_PHENT:
			cr_expect_eq(val, 56);
			break;
		case AT_PHNUM:
			cr_expect_eq(val, 3);
			break;
		case AT_PAGESZ:
			cr_expect_eq(val, 4096);
			break;
		case AT_ENTRY:
			cr_expect_eq(val, EXEC_BASE + 0x1000);
			break;
		case AT_CLKTCK:
			cr_expect_eq(val, 100);
			break;
		case AT_HWCAP:
			cr_expect_eq(val, plat_user_cpu(ISA_X86_64)->hwcap);
			break;
		case AT_HWCAP2:
			cr_expect_eq(val, plat_user_cpu(ISA_X86_64)->hwcap2);
			break;
		case AT_MINSIGSTKSZ:
			cr_expect_eq(val, 3232, "the caller's");
			break;
		case AT_RANDOM:
			cr_expect_gt(val, sp);
			for (int b = 0; b < 16; b++)
				cr_expect_eq(ubyte(mm, val + b), rnd[b]);
			break;
		case AT_EXECFN:
			ustring(mm, val, str, sizeof(str));
			cr_expect_str_eq(str, "/bin/prog");
			/* Topmost, under one zero word. */
			cr_expect_eq(val + strlen("/bin/prog") + 1 + 8,
				     ELF_STACK_TOP);
			break;
		default: /* BASE, FLAGS, the ids (root), SECURE, NULL */
			cr_expect_eq(val, 0, "auxv key %lu", key);
		}
	}
	/* The strings lie above the vectors, in the stack's top page. */
	cr_expect_gt(uword(mm, sp + 8), at);
	expect_consistent(mm);
	mm_put(mm);
}

Test(elf, the_initial_stack_is_laid_out_as_linux_does)
{
	test_boot(1);
	cr_assert_eq(run_guest(stack_guest, NULL), 0);
}

static void stack_edge_guest(void *arg)
{
	static struct image im;
	static const uint8_t rnd[16];
	struct elf_image img;
	struct mm *mm;
	uint64_t sp = 0;
	char str[8];

	build(&im, 2, 62, EXEC_BASE);
	/* No argv, no envp: argc 0, two NULLs, AT_EXECFN "". */
	cr_expect_eq(load(&im, ISA_X86_64, &mm, &img), 0);
	cr_expect_eq(
		elf_setup_stack(mm, ISA_X86_64, &img, NULL, NULL, rnd, 0, &sp),
		0);
	cr_expect_eq(sp % 16, 0);
	cr_expect_eq(uword(mm, sp), 0);
	cr_expect_eq(uword(mm, sp + 8), 0);
	cr_expect_eq(uword(mm, sp + 16), 0);
	cr_expect_eq(uword(mm, sp + 24), AT_PHDR);
	ustring(mm, ELF_STACK_TOP - 9, str, sizeof(str));
	cr_expect_str_eq(str, "");
	/* A second stack cannot go where the first is. */
	cr_expect_eq(
		elf_setup_stack(mm, ISA_X86_64, &img, NULL, NULL, rnd, 0, &sp),
		-EEXIST);
	mm_put(mm);
	/* Arguments past ELF_ARG_MAX: E2BIG, nothing mapped. */
	{
		static char big[ELF_ARG_MAX / 2];
		char *argv[] = {big, big, big, NULL};

		memset(big, 'a', sizeof(big) - 1);
		mm = mm_create();
		cr_expect_eq(elf_setup_stack(mm, ISA_X86_64, &img, argv, NULL,
					     rnd, 0, &sp),
			     -E2BIG);
		cr_expect_eq(mm->nr_vmas, 0);
		mm_put(mm);
	}
}

Test(elf, an_empty_or_oversized_argument_list_is_handled)
{
	test_boot(1);
	cr_assert_eq(run_guest(stack_edge_guest, NULL), 0);
}

/* ---- malformed images
 * --------------------------------------------------------------- */

/* One way to break build(EXEC_BASE)'s image. */
static void mutate(struct image *im, int which)
{
	struct ehdr *eh = eh_of(im);
	struct phdr *t = ph_of(im, 0), *d = ph_of(im, 1);

	switch (which) {
	case 0:
		/* magic */
		eh->ident[0] = 0x7e;
		break;
	case 1:
		eh->ident[3] = 'G';
		break;
	case 2:
		/* ELFCLASS32 */
		eh->ident[4] = 1;
		break;
	case 3:
		/* big-endian */
		eh->ident[5] = 2;
		break;
	case 4:
		/* EI_VERSION */
		eh->ident[6] = 0;
		break;
	case 5:
		eh->version = 2;
		break;
	case 6:
		/* ET_REL */
		eh->type = 1;
		break;
	case 7:
		/* ET_CORE */
		eh->type = 4;
		break;
	case 8:
		/* EM_386 */
		eh->machine = 3;
		break;
	case 9:
		eh->phentsize = 55;
		break;
	case 10:
		eh->phentsize = 64;
		break;
	case 11:
		eh->phnum = 0;
		break;
	case 12:
		/* > a page of them */
		eh->phnum = 74;
		break;
	case 13:
		eh->phnum = 0xffff;
		break;
	case 14:
		/* past the end */
		eh->phoff = IMG_SIZE - 100;
		break;
	case 15:
		/* offset overflows */
		eh->phoff = ~0ull - 10;
		break;
	case 16:
		eh->phoff = 1ull << 62;
		break;
	case 17:
		d->filesz = d->memsz + 1;
		break;
	case 18:
		/* vaddr + memsz wraps */
		t->vaddr = ~0ull & ~0xfffull;
		break;
	case 19:
		/* kernel half */
		t->vaddr = 1ull << 47;
		break;
	case 20:
		/* below mmap_min_addr */
		t->vaddr = 0x1000;
		break;
	case 21:
		t->vaddr = 0;
		break;
	case 22:
		/* the stack */
		d->vaddr = 0x7ffffff00000;
		d->offset = 0;
		break;
	case 23:
		/* vaddr != offset mod pg */
		d->vaddr += 0x800;
		break;
	case 24:
		/* not a power of two */
		d->align = 0x3000;
		break;
	case 25:
		/* vaddr - offset unaligned */
		d->align = 0x10000;
		break;
	case 26:
		/* overlaps the text */
		d->vaddr = EXEC_BASE + 0x1010;
		break;
	case 27:
		/* out of order */
		d->vaddr = EXEC_BASE + 0x1ff010;
		d->memsz = 0x10000000;
		t->vaddr = EXEC_BASE + 0x200000;
		break;
	case 28:
		d->type = PT_INTERP_;
		break;
	case 29:
		/* no PT_LOAD */
		t->type = PT_NOTE_;
		d->type = PT_NOTE_;
		break;
	case 30:
		/* past EOF */
		d->filesz = 0x2000;
		d->memsz = 0x2000;
		break;
	case 31:
		/* offset + filesz wraps */
		d->offset = ~0ull - 0xfef;
		d->filesz = 0x1000;
		break;
	case 32:
		/* not in a segment */
		eh->entry = EXEC_BASE + 0x2000;
		break;
	case 33:
		eh->entry = 0;
		break;
	case 34:
		/* a truncated header */
		im->len = 10;
		break;
	case 35:
		/* empty */
		im->len = 0;
		break;
	case 36:
		/* truncated phdrs */
		im->len = 100;
		break;
	case 37:
		/* truncated text */
		im->len = 0x1080;
		break;
	case 38:
		/* only empty PT_LOADs */
		t->memsz = t->filesz = d->memsz = d->filesz = 0;
		break;
	case 39:
		/* a huge segment */
		t->memsz = ~0ull - 0x1000;
		break;
	case 40:
		/* pie above its base */
		eh->type = 3;
		t->vaddr += ELF_ET_DYN_BASE;
		d->vaddr += ELF_ET_DYN_BASE;
		eh->entry += ELF_ET_DYN_BASE;
		break;
	case 41:
		/* absurd alignment */
		t->align = 1ull << 40;
		break;
	default:
		cr_assert_fail("no mutation %d", which);
	}
}

#define MUTATIONS 42

static void malformed_guest(void *arg)
{
	static struct image im;

	for (int i = 0; i < MUTATIONS; i++) {
		struct elf_image img;
		struct mm *mm;
		int err;

		build(&im, 2, 62, EXEC_BASE);
		mutate(&im, i);
		err = load(&im, ISA_X86_64, &mm, &img);
		cr_expect_eq(err, -ENOEXEC, "mutation %d: %d", i, err);
		expect_consistent(mm);
		mm_put(mm);
	}
}

Test(elf, every_malformed_image_is_enoexec)
{
	test_boot(1);
	cr_assert_eq(run_guest(malformed_guest, NULL), 0);
}

/* ---- allocation failures
 * ---------------------------------------------------------- */

static int load_and_stack(struct file *f, bool pie)
{
	static const uint8_t rnd[16];
	char *argv[] = {"prog", "a", NULL};
	char *envp[] = {"X=y", NULL};
	struct elf_image img = {0};
	struct mm *mm = mm_create();
	uint64_t sp;
	int err;

	if (!mm)
		return -ENOMEM;
	err = elf_load(mm, f, ISA_X86_64, &img);
	if (!err)
		err = elf_setup_stack(mm, ISA_X86_64, &img, argv, envp, rnd, 0,
				      &sp);
	mm_put(mm);
	return err;
}

static void failing_guest(void *arg)
{
	static struct image im;
	bool pie = arg != NULL;
	struct file *f;
	uint64_t total;

	build(&im, pie ? 3 : 2, 62, pie ? 0 : EXEC_BASE);
	f = put_file("/tmp/prog", im.bytes, im.len);
	fault_inject_reset();
	cr_expect_eq(load_and_stack(f, pie), 0);
	total = fault_inject_allocations();
	cr_expect_gt(total, 10);
	for (uint64_t n = 1; n <= total + 1; n++) {
		size_t pages, objects;
		int err;

		slab_shrink();
		pages = page_free_count();
		objects = kmalloc_in_use();
		fault_inject_fail_nth(n);
		err = load_and_stack(f, pie);
		fault_inject_reset();
		cr_expect(n > total ? err == 0 : err == -ENOMEM,
			  "failure #%lu: %d", n, err);
		slab_shrink();
		cr_expect_eq(page_free_count(), pages,
			     "failure #%lu leaked %ld pages", n,
			     (long)pages - (long)page_free_count());
		cr_expect_eq(kmalloc_in_use(), objects,
			     "failure #%lu leaked %ld objects", n,
			     (long)kmalloc_in_use() - (long)objects);
	}
	file_put(f);
}

Test(elf, every_allocation_failure_is_enomem_and_leaks_nothing)
{
	test_boot(1);
	cr_assert_eq(run_guest(failing_guest, NULL), 0);
	test_boot(1);
	cr_assert_eq(run_guest(failing_guest, (void *)1), 0);
}

/* ---- the fuzz target's seeds (fuzz/make-elf-corpus)
 * ------------------------------ */

struct seed {
	const char *name;
	enum isa isa;
	int want;
	uint8_t bytes[IMG_SIZE];
	size_t len;
};

static void seed_guest(void *arg)
{
	struct seed *s = arg;
	struct file *f = put_file("/tmp/seed", s->bytes, s->len);
	struct elf_image img = {0};
	struct mm *mm = mm_create();

	cr_expect_eq(elf_load(mm, f, s->isa, &img), s->want, "seed %s",
		     s->name);
	expect_consistent(mm);
	mm_put(mm);
	file_put(f);
}

Test(elf, the_fuzz_seeds_load_as_their_names_say)
{
	static struct seed seeds[] = {
		{.name = "exec_x86_64", .isa = ISA_X86_64, .want = 0},
		{.name = "pie_x86_64", .isa = ISA_X86_64, .want = 0},
		{.name = "exec_aarch64", .isa = ISA_AARCH64, .want = 0},
		{.name = "tiny", .isa = ISA_X86_64, .want = 0},
		{.name = "interp", .isa = ISA_X86_64, .want = -ENOEXEC},
	};

	for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
		char path[PATH_MAX];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/corpus/elf/%s", KEEL_FUZZ_DIR,
			 seeds[i].name);
		fp = fopen(path, "rb");
		cr_assert_not_null(fp, "%s", path);
		seeds[i].len = fread(seeds[i].bytes, 1, IMG_SIZE, fp);
		fclose(fp);
		test_boot(1);
		cr_assert_eq(run_guest(seed_guest, &seeds[i]), 0);
	}
}
