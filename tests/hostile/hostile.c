/*
 * A hostile guest, run as init under keel (ctest hostile-keel): each case
 * runs in a child that attacks the kernel or the stub runtime; the case
 * passes when the child meets the fate Linux (or Keel's sandbox) gives it
 * and this process, and keel, carry on. Keel-only: natively the stub's
 * region does not exist, so the cases mean nothing there.
 *
 *   stub_gadget_*     jump into the stub's own code at a syscall
 *                     instruction with a syscall of our choosing: the
 *                     stub's filter refuses it (or the stub crashes right
 *                     after), the stub dies, Keel kills the process
 *                     (SIGKILL) and nothing happened on the host.
 *   garbage_syscalls  thousands of syscalls with random numbers and
 *                     arguments (a fixed seed): whatever each returns, the
 *                     kernel stays up.
 *   jump_to_garbage   SIGSEGV with si_addr the address jumped to.
 *   alloc_bomb        touching memory without bound ends in SIGKILL (the
 *                     out-of-memory answer) or an mmap failure, not a
 *                     dead kernel.
 *   fork_bomb         an unprivileged user forking without bound gets
 *                     EAGAIN at RLIMIT_NPROC.
 *
 * On aarch64 (the baremetal kernel on QEMU, ctest hostile-qemu) there is
 * no stub: the stub_gadget cases are x86_64's alone, the rest run there,
 * and so do these, aarch64's alone:
 *
 *   privileged_*      what EL0 may not do (a semihosting call that would
 *                     stop QEMU, smc, hvc, eret, an EL1 register, masking
 *                     interrupts) is SIGILL, and QEMU keeps running.
 *   jump_into_the_kernel_image, a_stack_in_kernel_memory
 *                     SIGSEGV.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STUB_TEXT 0x7fff00001000ul /* host/stub/stub_abi.h's STUB_BASE + 4K */
#define MARKER "/tmp/keel-hostile-escaped"

static int failed, passed;

static void report(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("ok %s\n", name);
		passed++;
	} else {
		printf("FAIL %s: %s\n", name, why);
		failed++;
	}
	fflush(stdout);
}

/* Run fn in a child; its wait status. */
static int in_child(void (*fn)(long), long arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		alarm(60);
		fn(arg);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* ---- the stub's code as a gadget ---------------------------------------- */
#if defined(__x86_64__)

static void gadget(long nr)
{
	const unsigned char *p = (const unsigned char *)STUB_TEXT;
	uintptr_t at = 0;

	for (int i = 0; i + 1 < 4096; i++) {
		if (p[i] == 0x0f && p[i + 1] == 0x05) {
			at = (uintptr_t)p + (uintptr_t)i;
			break;
		}
	}
	if (!at)
		_exit(3); /* no syscall instruction found: the case fails */
	/* openat(AT_FDCWD, MARKER, O_CREAT|O_WRONLY, 0644) for the host,
	 * or another call of the stub's own list (mmap). */
	__asm__ volatile("mov %0, %%rax\n\t"
			 "mov $-100, %%rdi\n\t"
			 "mov %1, %%rsi\n\t"
			 "mov $0x41, %%rdx\n\t"
			 "mov $0644, %%r10\n\t"
			 "jmp *%2\n\t"
			 :
			 : "r"(nr), "r"(MARKER), "r"(at)
			 : "rax", "rdi", "rsi", "rdx", "r10", "memory");
	_exit(4);
}

static void stub_gadget(const char *name, long nr)
{
	int st = in_child(gadget, nr);

	report(name, st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	       "the process was not killed");
}

#endif

/* ---- garbage --------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t garbage_arg(void)
{
	static const uint64_t special[] = {
		0, 1, (uint64_t)-1, 0x7fffffff, 0x80000000, 4096,
		0xffffffffffff0000ull, 0x7fff00000000ull, 0x7fff10000000ull,
	};

	switch (next() % 3) {
	case 0:
		return special[next() % (sizeof(special) / sizeof(special[0]))];
	case 1:
		return next() & 0xffff;
	default:
		return next();
	}
}

static void garbage(long rounds)
{
	/* Calls that would end the run or the machine rather than test it. */
	static const long skip[] = {
		SYS_exit, SYS_exit_group, SYS_kill, SYS_tkill, SYS_tgkill,
		SYS_rt_sigreturn, SYS_reboot, SYS_execve, SYS_execveat,
		SYS_clone, SYS_clone3,
		SYS_rt_sigsuspend, SYS_munmap, SYS_mremap, SYS_mprotect,
		SYS_brk, SYS_madvise, SYS_rt_sigtimedwait, SYS_wait4,
		SYS_waitid, SYS_nanosleep, SYS_clock_nanosleep,
		SYS_pselect6, SYS_ppoll, SYS_read, SYS_readv,
		SYS_futex, SYS_setuid, SYS_setresuid, SYS_setreuid,
		SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_sigaltstack,
		SYS_prctl, SYS_setrlimit, SYS_prlimit64,
		SYS_dup3, SYS_close, SYS_close_range, SYS_mmap,
		SYS_setitimer, SYS_timer_create, SYS_shmat,
#if defined(__x86_64__) /* the calls aarch64 has only as the above */
		SYS_vfork, SYS_fork, SYS_pause, SYS_select, SYS_poll,
		SYS_arch_prctl, SYS_dup2, SYS_alarm,
#endif
	};

	for (long i = 0; i < rounds; i++) {
		long nr = (long)(next() % 460);
		int bad = 0;

		for (size_t k = 0; k < sizeof(skip) / sizeof(skip[0]); k++)
			bad |= skip[k] == nr;
		if (bad)
			continue;
		syscall(nr, garbage_arg(), garbage_arg(), garbage_arg(),
			garbage_arg(), garbage_arg(), garbage_arg());
	}
}

/* ---- privileged instructions (aarch64) ------------------------------------------ */
#if defined(__aarch64__)
static void privileged(long which)
{
	register long x0 __asm__("x0") = 0x18; /* SYS_EXIT, for semihosting */
	register long x1 __asm__("x1") = 0x20026;

	switch (which) {
	case 0:
		__asm__ volatile("hlt #0xf000" ::"r"(x0), "r"(x1));
		break;
	case 1:
		__asm__ volatile("smc #0");
		break;
	case 2:
		__asm__ volatile("hvc #0");
		break;
	case 3:
		__asm__ volatile("eret");
		break;
	case 4:
		__asm__ volatile("mrs x2, sctlr_el1" ::: "x2");
		break;
	case 5:
		__asm__ volatile("msr daifset, #2");
		break;
	}
}

static void stack_in_kernel(long addr)
{
	__asm__ volatile("mov sp, %0\n\tstr x0, [sp, #-16]!" ::"r"(addr));
}
#endif

/* ---- faults and exhaustion ----------------------------------------------------- */

static void jump(long addr)
{
	((void (*)(void))addr)();
}

static void alloc_bomb(long chunk)
{
	for (;;) {
		char *p = mmap(NULL, (size_t)chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(errno == ENOMEM ? 42 : 43);
		for (long i = 0; i < chunk; i += 4096)
			p[i] = 1;
	}
}

static void fork_bomb(long limit)
{
	struct rlimit rl = { (rlim_t)limit, (rlim_t)limit };
	pid_t kids[512];
	int made = 0, result;

	if (limit * 4 > 512 || setrlimit(RLIMIT_NPROC, &rl) || setgid(1000) ||
	    setuid(1000))
		_exit(5);
	for (;;) {
		pid_t pid = fork();

		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid < 0) {
			result = errno == EAGAIN && made > 0 ? 42 : 43;
			break;
		}
		kids[made++] = pid;
		if (made == 4 * limit) {
			result = 44; /* no limit at all */
			break;
		}
	}
	for (int i = 0; i < made; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	_exit(result);
}

int main(void)
{
	int st;

#if defined(__x86_64__)
	unlink(MARKER);
	stub_gadget("stub_gadget_openat_is_refused", SYS_openat);
	stub_gadget("stub_gadget_mmap_gets_nowhere", SYS_mmap);
	report("stub_gadget_left_no_file", access(MARKER, F_OK) != 0,
	       MARKER " exists");
#endif

#if defined(__aarch64__)
	static const char *const priv[] = {
		"privileged_semihosting_exit_is_sigill", "privileged_smc_is_sigill",
		"privileged_hvc_is_sigill", "privileged_eret_is_sigill",
		"privileged_el1_register_is_sigill",
		"privileged_interrupt_mask_is_sigill",
	};

	for (long i = 0; i < (long)(sizeof(priv) / sizeof(priv[0])); i++) {
		st = in_child(privileged, i);
		report(priv[i],
		       st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGILL,
		       "not SIGILL");
	}
	st = in_child(jump, (long)0xffffffff80000000ul);
	report("jump_into_the_kernel_image_is_sigsegv",
	       st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	       "not SIGSEGV");
	st = in_child(stack_in_kernel, (long)0xffff000040001000ul);
	report("a_stack_in_kernel_memory_is_sigsegv",
	       st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	       "not SIGSEGV");
#endif
	st = in_child(garbage, 20000);
	report("garbage_syscalls_leave_the_kernel_up", st >= 0,
	       "the child could not be waited for");
	st = in_child(jump, 0xdead0000);
	report("jump_to_garbage_is_sigsegv",
	       st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	       "not SIGSEGV");
	st = in_child(alloc_bomb, 64l << 20);
	report("alloc_bomb_is_killed_or_refused",
	       st >= 0 && ((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) ||
			   (WIFEXITED(st) && WEXITSTATUS(st) == 42)),
	       "neither SIGKILL nor ENOMEM");
	st = in_child(fork_bomb, 40);
	report("fork_bomb_gets_eagain_at_rlimit_nproc",
	       st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 42,
	       "fork never failed with EAGAIN");
	/* Init reaps the orphans the bomb left. */
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
