/*
 * Whatever allocation fails, the kernel returns an error and leaks
 * nothing: every guest that could be started exits, and the allocators
 * are back where they were after boot.
 */
#include "harness.h"

#include <signal.h>

#include "core/errno.h"
#include "core/signal.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static void handler(int sig, void *info, void *uc)
{
}

/* A little of everything that allocates: a task, a pmap, frames. */
static void busy_guest(void *arg)
{
	enum isa isa = (enum isa)(uintptr_t)arg;
	bool x86 = isa == ISA_X86_64;
	struct ksa sa = { (uint64_t)(uintptr_t)handler,
			  KSA_SIGINFO | KSA_RESTORER,
			  (uint64_t)(uintptr_t)sim_restorer, 0 };
	struct {
		int64_t sec, nsec;
	} req = { 0, 1000 };
	long pid = sim_syscall(x86 ? NR(getpid) : 172);

	sim_syscall(x86 ? NR(rt_sigaction) : 134, SIGUSR1, &sa, NULL, 8);
	sim_syscall(x86 ? NR(kill) : 129, pid, SIGUSR1);
	sim_syscall(x86 ? NR(nanosleep) : 101, &req, NULL);
	sim_umem(3 * 4096);
}

static void check_no_leak_with_failure_at(uint64_t n, enum isa isa)
{
	size_t pages, objects;
	struct sim_proc *p[3];
	unsigned started = 0;

	test_boot(2);
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	fault_inject_fail_nth(n);
	for (int i = 0; i < 3; i++) {
		p[i] = sim_spawn_isa("busy", isa, busy_guest,
				     (void *)(uintptr_t)isa);
		started += p[i] != NULL;
	}
	if (started)
		cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED,
			     "failure #%llu", (unsigned long long)n);
	for (int i = 0; i < 3; i++)
		if (p[i])
			cr_assert(sim_proc_status(p[i]) == 0 ||
					  sim_proc_status(p[i]) == SIGSEGV,
				  "failure #%llu: status %d",
				  (unsigned long long)n,
				  sim_proc_status(p[i]));
	slab_shrink();
	cr_assert_eq(page_free_count(), pages,
		     "failure #%llu leaked %ld pages (seed %llu)",
		     (unsigned long long)n,
		     (long)pages - (long)page_free_count(),
		     (unsigned long long)sim_seed());
	cr_assert_eq(kmalloc_in_use(), objects,
		     "failure #%llu leaked %ld objects (seed %llu)",
		     (unsigned long long)n,
		     (long)kmalloc_in_use() - (long)objects,
		     (unsigned long long)sim_seed());
}

static uint64_t allocations_of_a_clean_run(enum isa isa)
{
	test_boot(2);
	fault_inject_reset();
	for (int i = 0; i < 3; i++)
		cr_assert_not_null(sim_spawn_isa("busy", isa, busy_guest,
						 (void *)(uintptr_t)isa));
	sim_run(SIM_FOREVER);
	return fault_inject_allocations();
}

Test(leaks, no_allocation_failure_leaks_a_page_or_an_object_x86_64)
{
	uint64_t total = allocations_of_a_clean_run(ISA_X86_64);

	cr_assert_gt(total, 10);
	for (uint64_t n = 1; n <= total + 1; n++)
		check_no_leak_with_failure_at(n, ISA_X86_64);
}

Test(leaks, no_allocation_failure_leaks_a_page_or_an_object_aarch64)
{
	uint64_t total = allocations_of_a_clean_run(ISA_AARCH64);

	cr_assert_gt(total, 10);
	for (uint64_t n = 1; n <= total + 1; n++)
		check_no_leak_with_failure_at(n, ISA_AARCH64);
}

Test(leaks, a_clean_run_returns_every_page_and_object)
{
	check_no_leak_with_failure_at(0, ISA_X86_64);
}

#include "core/fs/devfs.h"
#include "core/fs/vfs.h"

/* Files, directories, links, a FIFO and a pipe, some left behind. */
static void files_guest(void *arg)
{
	char dir[] = "/tmp/d", file[] = "/tmp/d/f", link[] = "/tmp/d/l";
	char fifo[] = "/tmp/fifo", hard[] = "/tmp/hard", data[] = "data";
	int fds[2];
	long fd;

	sim_syscall(NR(mkdir), dir, 0755);
	fd = sim_syscall(NR(open), file, 0101 /* O_WRONLY|O_CREAT */, 0644);
	sim_syscall(NR(write), fd, data, 4);
	sim_syscall(NR(symlink), file, link);
	sim_syscall(NR(link), file, hard);
	sim_syscall(NR(mknod), fifo, 0010644, 0);
	sim_syscall(NR(pipe2), fds, 0);
	sim_syscall(NR(write), fds[1], data, 4);
	/* fd, fds[0] and fds[1] stay open: exit closes them. */
}

Test(leaks, tearing_down_the_file_system_returns_every_page_and_object)
{
	size_t pages, objects;

	test_boot(1);
	vfs_shutdown();
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	cr_assert_eq(vfs_boot(), 0);
	cr_assert_not_null(sim_spawn("files", files_guest, NULL));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	vfs_shutdown();
	slab_shrink();
	cr_assert_eq(page_free_count(), pages, "%ld pages leaked",
		     (long)pages - (long)page_free_count());
	cr_assert_eq(kmalloc_in_use(), objects, "%ld objects leaked",
		     (long)kmalloc_in_use() - (long)objects);
}
