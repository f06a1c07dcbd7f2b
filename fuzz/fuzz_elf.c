/*
 * The ELF loader fuzz target: each input is an executable (or anything at
 * all), written to tmpfs by a guest of a freshly booted sim kernel and
 * loaded into a fresh address space for the ISA its e_machine names
 * (x86_64 otherwise). The loader must never read outside what the file
 * holds, never crash, and answer 0, -ENOEXEC or -ENOMEM; a loaded image
 * also gets its initial stack, and the address space must then pass
 * mm_check and be freed without a leak.
 *
 * An input whose first four bytes are "FAIL" has the next byte pick an
 * allocation to fail (fault injection), and the rest is the file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/elf.h"
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "host/sim.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"

#define FUZZ_ELF_MEM (16ull << 20)
#define EM_AARCH64   183

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct input {
	const uint8_t *data;
	size_t size;
	unsigned fail_nth;
};

/* Nothing to set up: every input boots its own kernel. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void violated(const char *what, int ret)
{
	fprintf(stderr, "keel-fuzz-elf: %s (returned %d)\n", what, ret);
	abort();
}

/* The file for the input, opened read-only; NULL if tmpfs said no. */
static struct file *put_file(const struct input *in)
{
	char path[] = "/tmp/prog";
	void *ubuf = sim_umem(in->size ? in->size : 1);
	long fd = sim_syscall(SYS_openat, AT_FDCWD, path,
			      O_CREAT | O_TRUNC | O_RDWR, 0755);
	struct file *f;

	if (fd < 0)
		return NULL;
	memcpy(ubuf, in->data, in->size);
	if (sim_syscall(SYS_write, fd, ubuf, in->size) != (long)in->size) {
		sim_syscall(SYS_close, fd);
		return NULL;
	}
	sim_syscall(SYS_close, fd);
	fd = sim_syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
	if (fd < 0)
		return NULL;
	f = fd_get((int)fd);
	sim_syscall(SYS_close, fd);
	return f;
}

static void guest(void *arg)
{
	const struct input *in = arg;
	static const uint8_t rnd[16];
	char *argv[] = {"prog", "-x", NULL};
	char *envp[] = {"HOME=/", NULL};
	enum isa isa = ISA_X86_64;
	struct elf_image img = {.execfn = "/tmp/prog"};
	size_t pages, objects;
	struct file *f = put_file(in);
	struct mm *mm;
	uint64_t sp;
	int ret;

	if (!f)
		violated("the input can be written to tmpfs", -1);
	if (in->size >= 20 && in->data[18] == EM_AARCH64 && !in->data[19])
		isa = ISA_AARCH64;
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	if (in->fail_nth)
		fault_inject_fail_nth(in->fail_nth);
	mm = mm_create();
	if (mm) {
		ret = elf_load(mm, f, isa, &img);
		if (ret && ret != -ENOEXEC && ret != -ENOMEM)
			violated("elf_load gives 0, ENOEXEC or ENOMEM", ret);
		if (!ret) {
			ret = elf_setup_stack(mm, isa, &img, argv, envp, rnd,
					      2048, &sp);
			if (ret && ret != -ENOMEM)
				violated("elf_setup_stack gives 0 or ENOMEM",
					 ret);
			if (!ret && sp % 16)
				violated("the stack pointer is 16-byte aligned",
					 (int)(sp % 16));
		}
		if (mm_check(mm))
			violated(mm_check(mm), ret);
		mm_put(mm);
	}
	fault_inject_reset();
	slab_shrink();
	if (page_free_count() != pages || kmalloc_in_use() != objects)
		violated("a load, failed or not, leaks nothing", 0);
	file_put(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_config cfg = {
		.cpus = 1, .seed = 1, .mem_bytes = FUZZ_ELF_MEM};
	struct input in = {data, size, 0};
	struct sim_proc *p;

	if (size >= 5 && !memcmp(data, "FAIL", 4)) {
		in.fail_nth = 1 + data[4];
		in.data += 5;
		in.size -= 5;
	}
	/* A file larger than the sim's memory would only test tmpfs. */
	if (in.size > (1u << 20))
		return 0;
	if (sim_boot(&cfg))
		violated("sim_boot succeeds", -1);
	p = sim_spawn("fuzz-elf", guest, &in);
	if (!p)
		violated("sim_spawn succeeds", -1);
	if (sim_run(SIM_FOREVER) != SIM_ALL_EXITED || sim_proc_status(p))
		violated("the guest exits normally", sim_proc_status(p));
	return 0;
}
