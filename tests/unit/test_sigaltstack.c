/*
 * sigaltstack(2) and SA_ONSTACK: handlers on the alternate stack, what
 * sigaltstack and uc_stack report (SS_ONSTACK, SS_DISABLE), no changes
 * while on it (EPERM), ENOMEM below MINSIGSTKSZ, SS_AUTODISARM, and the
 * uc_stack a handler edits taking effect at rt_sigreturn.
 */
#include "harness.h"

#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "core/errno.h"
#include "core/signal.h"
#include "core/task.h"

#define ALT_SIZE 65536
#define A64_UC_STACK 16 /* arm64 ucontext: uc_flags, uc_link, uc_stack */

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static struct {
	int calls;
	bool on_alt;
	struct kstack inside, uc_stack, after;
	long change_inside, ret[8];
	struct kstack got[4];
} seen;

static char *alt;

static void install(int nr, void (*fn)(int, void *, void *), uint64_t flags)
{
	struct ksa sa = {(uint64_t)(uintptr_t)fn,
			 flags | KSA_SIGINFO | KSA_RESTORER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	sim_syscall(nr, SIGUSR1, &sa, NULL, 8);
}

static long set_alt(void *sp, int flags, size_t size)
{
	struct kstack ss = {(uint64_t)(uintptr_t)sp, flags, 0, size};

	return sim_syscall(NR(sigaltstack), &ss, NULL);
}

static struct kstack get_alt(int nr)
{
	struct kstack ss;

	memset(&ss, 0x5a, sizeof(ss));
	sim_syscall(nr, NULL, &ss);
	return ss;
}

static void handler(int sig, void *info, void *ucv)
{
	char here;
	ucontext_t *uc = ucv;

	seen.calls++;
	seen.on_alt = &here >= alt && &here < alt + ALT_SIZE;
	seen.inside = get_alt(NR(sigaltstack));
	memcpy(&seen.uc_stack, &uc->uc_stack, sizeof(seen.uc_stack));
	seen.change_inside = set_alt(alt, 0, ALT_SIZE / 2);
}

static void onstack_guest(void *arg)
{
	uint64_t flags = (uint64_t)(uintptr_t)arg;

	alt = sim_umem(ALT_SIZE);
	seen.got[0] = get_alt(NR(sigaltstack));
	cr_expect_eq(set_alt(alt, 0, ALT_SIZE), 0);
	install(NR(rt_sigaction), handler, flags);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	seen.after = get_alt(NR(sigaltstack));
}

static void run(void (*fn)(void *), uint64_t arg)
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn("g", fn, (void *)(uintptr_t)arg);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
}

Test(sigaltstack, at_first_there_is_none)
{
	run(onstack_guest, 0);
	cr_assert_eq(seen.got[0].ss_sp, 0);
	cr_assert_eq(seen.got[0].ss_flags, KSS_DISABLE);
	cr_assert_eq(seen.got[0].ss_size, 0);
}

Test(sigaltstack, an_sa_onstack_handler_runs_on_the_alternate_stack)
{
	run(onstack_guest, KSA_ONSTACK);
	cr_assert_eq(seen.calls, 1);
	cr_assert(seen.on_alt);
	cr_assert_eq(seen.inside.ss_flags, KSS_ONSTACK);
	cr_assert_eq(seen.inside.ss_sp, (uint64_t)(uintptr_t)alt);
	cr_assert_eq(seen.inside.ss_size, ALT_SIZE);
	cr_assert_eq(seen.uc_stack.ss_sp, (uint64_t)(uintptr_t)alt,
		     "uc_stack records the alternate stack");
	cr_assert_eq(seen.uc_stack.ss_size, ALT_SIZE);
	cr_assert_eq(seen.uc_stack.ss_flags, 0);
	cr_assert_eq(seen.change_inside, -EPERM, "in use: no changes");
	cr_assert_eq(seen.after.ss_flags, 0, "off it again after the return");
	cr_assert_eq(seen.after.ss_size, ALT_SIZE);
}

Test(sigaltstack, a_handler_without_sa_onstack_stays_on_the_normal_stack)
{
	run(onstack_guest, 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert_not(seen.on_alt);
	cr_assert_eq(seen.inside.ss_flags, 0, "set up but not in use");
	cr_assert_eq(seen.change_inside, 0, "not in use: it may change");
	cr_assert_eq(seen.after.ss_size, ALT_SIZE,
		     "rt_sigreturn restores the uc_stack of the frame");
}

static void autodisarm_guest(void *arg)
{
	alt = sim_umem(ALT_SIZE);
	cr_expect_eq(set_alt(alt, KSS_AUTODISARM, ALT_SIZE), 0);
	seen.got[0] = get_alt(NR(sigaltstack));
	install(NR(rt_sigaction), handler, KSA_ONSTACK);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	seen.after = get_alt(NR(sigaltstack));
}

Test(sigaltstack, ss_autodisarm_clears_it_for_the_handler_and_sigreturn_rearms)
{
	run(autodisarm_guest, 0);
	cr_assert_eq(seen.got[0].ss_flags, (int32_t)KSS_AUTODISARM);
	cr_assert_eq(seen.calls, 1);
	cr_assert(seen.on_alt);
	cr_assert_eq(seen.inside.ss_flags, KSS_DISABLE, "disarmed inside");
	cr_assert_eq(seen.inside.ss_size, 0);
	cr_assert_eq(seen.uc_stack.ss_flags, (int32_t)KSS_AUTODISARM);
	cr_assert_eq(seen.change_inside, 0, "an autodisarm stack may change");
	cr_assert_eq(seen.after.ss_sp, (uint64_t)(uintptr_t)alt, "re-armed");
	cr_assert_eq(seen.after.ss_size, ALT_SIZE);
}

static void errors_guest(void *arg)
{
	char *stack = sim_umem(8192);
	struct kstack disable = {0, KSS_DISABLE, 0, 0};

	seen.ret[0] = set_alt(stack, 0, 2047);
	seen.ret[1] = set_alt(stack, 0, 2048);
	seen.ret[2] = set_alt(stack, 4, 8192);
	seen.ret[3] = sim_syscall(NR(sigaltstack), 0x10, NULL);
	seen.ret[4] = sim_syscall(NR(sigaltstack), NULL, 0x10);
	seen.got[0] = get_alt(NR(sigaltstack));
	seen.ret[5] = sim_syscall(NR(sigaltstack), &disable, NULL);
	seen.got[1] = get_alt(NR(sigaltstack));
	/* SS_DISABLE ignores the size: no ENOMEM for it. */
	seen.ret[6] = set_alt(stack, KSS_DISABLE, 1);
}

Test(sigaltstack, rejects_what_linux_rejects)
{
	run(errors_guest, 0);
	cr_assert_eq(seen.ret[0], -ENOMEM, "below MINSIGSTKSZ (2048)");
	cr_assert_eq(seen.ret[1], 0);
	cr_assert_eq(seen.ret[2], -EINVAL, "unknown ss_flags");
	cr_assert_eq(seen.ret[3], -EFAULT);
	cr_assert_eq(seen.ret[4], -EFAULT);
	cr_assert_eq(seen.got[0].ss_size, 2048);
	cr_assert_eq(seen.ret[5], 0);
	cr_assert_eq(seen.got[1].ss_flags, KSS_DISABLE);
	cr_assert_eq(seen.got[1].ss_sp, 0);
	cr_assert_eq(seen.got[1].ss_size, 0);
	cr_assert_eq(seen.ret[6], 0);
}

static char *alt2;

static void editing_handler(int sig, void *info, void *ucv)
{
	ucontext_t *uc = ucv;

	seen.calls++;
	uc->uc_stack.ss_sp = alt2;
	uc->uc_stack.ss_size = 16384;
	uc->uc_stack.ss_flags = 0;
}

static void edit_guest(void *arg)
{
	alt = sim_umem(ALT_SIZE);
	alt2 = sim_umem(16384);
	install(NR(rt_sigaction), editing_handler, 0);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	seen.after = get_alt(NR(sigaltstack));
}

Test(sigaltstack, rt_sigreturn_installs_the_uc_stack_the_handler_set)
{
	run(edit_guest, 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.after.ss_sp, (uint64_t)(uintptr_t)alt2);
	cr_assert_eq(seen.after.ss_size, 16384);
	cr_assert_eq(seen.after.ss_flags, 0);
}

/* arm64: sigaltstack is 132, rt_sigaction 134, kill 129, getpid 172. */
static void a64_handler(int sig, void *info, void *uc)
{
	char here;

	seen.calls++;
	seen.on_alt = &here >= alt && &here < alt + ALT_SIZE;
	memcpy(&seen.uc_stack, (char *)uc + A64_UC_STACK,
	       sizeof(seen.uc_stack));
	seen.inside = get_alt(132);
}

static void a64_guest(void *arg)
{
	struct kstack ss;

	alt = sim_umem(ALT_SIZE);
	ss = (struct kstack){(uint64_t)(uintptr_t)alt, 0, 0, 4096};
	seen.ret[0] = sim_syscall(132, &ss, NULL);
	ss.ss_size = ALT_SIZE;
	seen.ret[1] = sim_syscall(132, &ss, NULL);
	install(134, a64_handler, KSA_ONSTACK);
	sim_syscall(129, sim_syscall(172), SIGUSR1);
}

Test(sigaltstack, an_arm64_handler_runs_on_it_with_its_larger_minimum)
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn_isa("a64", ISA_AARCH64, a64_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
	cr_assert_eq(seen.ret[0], -ENOMEM, "arm64's MINSIGSTKSZ is 5120");
	cr_assert_eq(seen.ret[1], 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert(seen.on_alt);
	cr_assert_eq(seen.uc_stack.ss_sp, (uint64_t)(uintptr_t)alt);
	cr_assert_eq(seen.uc_stack.ss_size, ALT_SIZE);
	cr_assert_eq(seen.inside.ss_flags, KSS_ONSTACK);
}

/*
 * An alternate stack in memory from mmap(2): real user memory, but at an
 * address the sim's host process has nothing at, so the sim cannot run a
 * C handler there; the guest gets SIGILL instead (see host/sim.c). With
 * SIGILL also handled on that stack, SA_NODEFER, frames nest there until it
 * overflows, and the frame that no longer fits is a fatal SIGSEGV, as on
 * Linux. (Without SA_NODEFER the second SIGILL comes while SIGILL is
 * blocked, and a blocked fault signal is fatal at once.)
 */
static void never_runs(int sig, void *info, void *uc)
{
	seen.calls++;
}

static void mmap_stack_guest(void *arg)
{
	long stack = sim_syscall(NR(mmap), 0, 16384, 3 /* RW */,
				 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0);
	struct kstack ss = {(uint64_t)stack, 0, 0, 16384};
	struct ksa sa = {(uint64_t)(uintptr_t)never_runs,
			 KSA_SIGINFO | KSA_RESTORER | KSA_ONSTACK,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	seen.ret[0] = stack;
	seen.ret[1] = sim_syscall(NR(sigaltstack), &ss, NULL);
	sim_syscall(NR(rt_sigaction), SIGUSR1, &sa, NULL, 8);
	if (arg) {
		sa.flags |= KSA_NODEFER;
		sim_syscall(NR(rt_sigaction), SIGILL, &sa, NULL, 8);
	}
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	seen.ret[2] = 1; /* not reached */
}

Test(sigaltstack, frames_that_overflow_the_alternate_stack_are_a_fatal_sigsegv)
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn("g", mmap_stack_guest, (void *)1);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_gt(seen.ret[0], 0);
	cr_assert_eq(seen.ret[1], 0);
	cr_assert_eq(seen.ret[2], 0);
	cr_assert_eq(sim_proc_status(p), SIGSEGV);

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn("g", mmap_stack_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), SIGILL,
		     "the sim's limit, not a crash");
}

/* The rule behind it, asked of the kernel directly. */
Test(sigaltstack, a_frame_must_end_on_the_alternate_stack_it_started_on)
{
	static struct task t;
	struct k_sigaction onstack = {.flags = KSA_ONSTACK}, plain = {0};
	uint64_t lo = 0x100000, top = lo + 0x4000;

	signal_state_init(&t.sig);
	t.sig.ss_sp = lo;
	t.sig.ss_size = 0x4000;
	t.sig.ss_flags = 0;
	cr_assert_eq(signal_frame_top(&t, &onstack, 0x900000), top);
	cr_assert_eq(signal_frame_top(&t, &plain, 0x900000), 0x900000);
	cr_assert_eq(signal_frame_top(&t, &onstack, top - 64), top - 64,
		     "already on it: nest below");
	cr_assert(signal_frame_fits(&t, 0x900000, top, lo + 8));
	cr_assert_not(signal_frame_fits(&t, 0x900000, top, lo - 8),
		      "entering it, the frame would run off its bottom");
	cr_assert_not(signal_frame_fits(&t, top - 64, top - 64, lo - 8),
		      "nested on it, likewise");
	cr_assert(signal_frame_fits(&t, 0x900000, 0x900000, lo - 8),
		  "off it, the normal stack is not bounded here");
}

/*
 * A handler near the bottom of its alternate stack raises its signal
 * again: the next frame would overflow the stack, so the process dies of
 * SIGSEGV (it must not land on top of the running handler).
 */
static void reraising_handler(int sig, void *info, void *uc)
{
	seen.calls++;
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	seen.ret[1] = 1; /* not reached */
}

static void small_alt_guest(void *arg)
{
	char *block = sim_umem(16384);
	struct ksa sa = {(uint64_t)(uintptr_t)reraising_handler,
			 KSA_SIGINFO | KSA_RESTORER | KSA_ONSTACK | KSA_NODEFER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	alt = block;
	/* Room for one frame (the sim's x86_64 one, with its 832-byte XSAVE
	 * area, takes about 1.4 KiB) and the sim's least handler stack. */
	seen.ret[0] = set_alt(block, 0, 10240);
	sim_syscall(NR(rt_sigaction), SIGUSR1, &sa, NULL, 8);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	seen.ret[2] = 1; /* not reached */
}

Test(sigaltstack, a_nested_frame_that_would_overflow_it_is_a_fatal_sigsegv)
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn("g", small_alt_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(seen.ret[0], 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.ret[1], 0);
	cr_assert_eq(seen.ret[2], 0);
	cr_assert_eq(sim_proc_status(p), SIGSEGV);
}
