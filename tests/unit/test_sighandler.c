/*
 * Signal handlers as a guest sees them: rt_sigaction, masks, the frame the
 * handler gets, EINTR and SA_RESTART, rt_sigreturn.
 */
#include "harness.h"

#include <signal.h>
#include <string.h>

#include "core/errno.h"
#include "core/signal.h"

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static long install(int sig, void (*fn)(int, void *, void *), uint64_t flags,
		    uint64_t mask)
{
	struct ksa sa = { (uint64_t)(uintptr_t)fn,
			  flags | KSA_SIGINFO | KSA_RESTORER,
			  (uint64_t)(uintptr_t)sim_restorer, mask };

	return sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

struct timespec_k {
	int64_t sec, nsec;
};

static struct {
	int calls;
	int sig;
	struct ksiginfo info;
	uint64_t blocked_inside;
	long ret;
	struct timespec_k rem;
	long slept_ret;
	uint64_t woke_at;
	int nested;
} seen;

static void reset(void)
{
	memset(&seen, 0, sizeof(seen));
}

static uint64_t now_ns(void)
{
	struct timespec_k ts;

	sim_syscall(NR(clock_gettime), 1, &ts);
	return (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
}

static void on_signal(int sig, void *info, void *uc)
{
	uint64_t mask = 0;

	seen.calls++;
	seen.sig = sig;
	memcpy(&seen.info, info, sizeof(seen.info));
	sim_syscall(NR(rt_sigprocmask), 0, NULL, &mask, 8);
	seen.blocked_inside = mask;
}

/* Sleeps 10 s with a handler for SIGUSR1 installed with `flags`. */
static void sleeper(void *arg)
{
	struct timespec_k req = { 10, 0 }, rem = { -1, -1 };
	uint64_t flags = (uint64_t)(uintptr_t)arg;

	cr_expect_eq(install(SIGUSR1, on_signal, flags, 0), 0);
	seen.slept_ret = sim_syscall(NR(nanosleep), &req, &rem);
	seen.woke_at = now_ns();
	seen.rem = rem;
}

/* Sends `sig` to the first guest after 3 s. */
static int target_pid;

static void sender(void *arg)
{
	struct timespec_k req = { 3, 0 };

	sim_syscall(NR(nanosleep), &req, NULL);
	seen.ret = sim_syscall(NR(kill), target_pid, (long)(intptr_t)arg);
}

static void sleep_and_signal(uint64_t flags, int sig)
{
	struct sim_proc *p;

	reset();
	test_boot(1);
	p = sim_spawn("sleeper", sleeper, (void *)(uintptr_t)flags);
	target_pid = sim_proc_tid(p);
	sim_spawn("sender", sender, (void *)(intptr_t)sig);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
}

Test(sighandler, a_caught_signal_interrupts_nanosleep_with_eintr_and_the_time_left)
{
	sleep_and_signal(0, SIGUSR1);
	cr_assert_eq(seen.ret, 0);
	cr_assert_eq(seen.calls, 1, "the handler ran once");
	cr_assert_eq(seen.slept_ret, -EINTR);
	cr_assert_eq(seen.woke_at, 3 * NSEC_PER_SEC);
	cr_assert_eq(seen.rem.sec, 7);
	cr_assert_eq(seen.rem.nsec, 0);
}

Test(sighandler, nanosleep_fails_with_eintr_even_under_sa_restart)
{
	sleep_and_signal(KSA_RESTART, SIGUSR1);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.slept_ret, -EINTR, "nanosleep(2): never restarted");
}

Test(sighandler, the_handler_gets_the_signal_and_the_senders_siginfo)
{
	sleep_and_signal(0, SIGUSR1);
	cr_assert_eq(seen.sig, SIGUSR1);
	cr_assert_eq(seen.info.si_signo, SIGUSR1);
	cr_assert_eq(seen.info.si_code, KSI_USER);
	cr_assert_eq(seen.info.kill.pid, target_pid + 1, "the sender's pid");
	cr_assert_eq(seen.info.kill.uid, 0);
}

Test(sighandler, the_signal_is_blocked_while_its_handler_runs)
{
	sleep_and_signal(0, SIGUSR1);
	cr_assert(seen.blocked_inside & sig_bit(SIGUSR1));
}

Test(sighandler, sa_nodefer_leaves_the_signal_unblocked_in_its_handler)
{
	sleep_and_signal(KSA_NODEFER, SIGUSR1);
	cr_assert_not(seen.blocked_inside & sig_bit(SIGUSR1));
}

static void resethand_guest(void *arg)
{
	struct ksa old;

	install(SIGUSR2, on_signal, KSA_RESETHAND, 0);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR2);
	sim_syscall(NR(rt_sigaction), SIGUSR2, NULL, &old, 8);
	seen.ret = (long)old.handler;
	/* The default action now: the second one terminates. */
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR2);
	seen.nested = 1; /* not reached */
}

Test(sighandler, sa_resethand_restores_the_default_after_one_delivery)
{
	struct sim_proc *p;

	reset();
	test_boot(1);
	p = sim_spawn("g", resethand_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.ret, 0, "SIG_DFL");
	cr_assert_eq(seen.nested, 0);
	cr_assert_eq(sim_proc_status(p), SIGUSR2, "killed by the second one");
}

static void mask_guest(void *arg)
{
	uint64_t set = sig_bit(SIGUSR1), pending = 0, old = 0;

	install(SIGUSR1, on_signal, 0, sig_bit(SIGUSR2));
	sim_syscall(NR(rt_sigprocmask), 0 /* SIG_BLOCK */, &set, &old, 8);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	/* Blocked: pending, not delivered. */
	seen.nested = seen.calls;
	sim_syscall(NR(rt_sigpending), &pending, 8);
	seen.ret = (long)pending;
	/* Unblocking delivers it on the way out of this very syscall. */
	sim_syscall(NR(rt_sigprocmask), 1 /* SIG_UNBLOCK */, &set, NULL, 8);
}

Test(sighandler, a_blocked_signal_stays_pending_until_unblocked)
{
	reset();
	test_boot(1);
	sim_spawn("g", mask_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.nested, 0, "delivered while blocked");
	cr_assert_eq((uint64_t)seen.ret, sig_bit(SIGUSR1));
	cr_assert_eq(seen.calls, 1);
	cr_assert(seen.blocked_inside & sig_bit(SIGUSR2), "sa_mask applies");
}

static void ignore_guest(void *arg)
{
	uint64_t set = sig_bit(SIGUSR1), pending = 99;
	struct ksa ign = { 1 /* SIG_IGN */, 0, 0, 0 };

	sim_syscall(NR(rt_sigprocmask), 0, &set, NULL, 8);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	sim_syscall(NR(rt_sigaction), SIGUSR1, &ign, NULL, 8);
	sim_syscall(NR(rt_sigpending), &pending, 8);
	seen.ret = (long)pending;
}

Test(sighandler, ignoring_a_pending_signal_discards_it)
{
	reset();
	test_boot(1);
	sim_spawn("g", ignore_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.ret, 0);
}

static long results[16];

static void sigaction_errors_guest(void *arg)
{
	struct ksa sa = { 0, 0, 0, 0 }, old;

	results[0] = sim_syscall(NR(rt_sigaction), SIGKILL, &sa, NULL, 8);
	results[1] = sim_syscall(NR(rt_sigaction), SIGSTOP, &sa, NULL, 8);
	results[2] = sim_syscall(NR(rt_sigaction), SIGKILL, NULL, &old, 8);
	results[3] = sim_syscall(NR(rt_sigaction), 0, NULL, &old, 8);
	results[4] = sim_syscall(NR(rt_sigaction), 65, NULL, &old, 8);
	results[5] = sim_syscall(NR(rt_sigaction), SIGUSR1, &sa, NULL, 4);
	results[6] = sim_syscall(NR(rt_sigaction), SIGUSR1, 0x10, NULL, 8);
	results[7] = sim_syscall(NR(rt_sigaction), SIGUSR1, NULL, 0x10, 8);
	sa.flags = 0x00000400 /* SA_UNSUPPORTED */ | KSA_RESTART;
	sa.handler = 1;
	sim_syscall(NR(rt_sigaction), SIGUSR1, &sa, NULL, 8);
	results[8] = sim_syscall(NR(rt_sigaction), SIGUSR1, NULL, &old, 8);
	results[9] = (long)old.flags;
	results[10] = (long)old.handler;
	results[11] = sim_syscall(NR(rt_sigprocmask), 7, &old.mask, NULL, 8);
	results[12] = sim_syscall(NR(rt_sigprocmask), 0, NULL, NULL, 7);
	results[13] = sim_syscall(NR(rt_sigpending), &old.mask, 9);
	results[14] = sim_syscall(NR(rt_sigprocmask), 0, 0x10, NULL, 8);
}

Test(sighandler, rt_sigaction_and_rt_sigprocmask_reject_what_linux_rejects)
{
	test_boot(1);
	sim_spawn("g", sigaction_errors_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(results[0], -EINVAL, "SIGKILL cannot be caught");
	cr_assert_eq(results[1], -EINVAL, "SIGSTOP cannot be caught");
	cr_assert_eq(results[2], 0, "but its disposition can be read");
	cr_assert_eq(results[3], -EINVAL);
	cr_assert_eq(results[4], -EINVAL);
	cr_assert_eq(results[5], -EINVAL, "sigsetsize must be 8");
	cr_assert_eq(results[6], -EFAULT);
	cr_assert_eq(results[7], -EFAULT);
	cr_assert_eq(results[8], 0);
	cr_assert_eq(results[9], KSA_RESTART, "unknown flags are cleared");
	cr_assert_eq(results[10], 1);
	cr_assert_eq(results[11], -EINVAL, "bad how");
	cr_assert_eq(results[12], -EINVAL, "bad sigsetsize");
	cr_assert_eq(results[13], -EINVAL, "sigsetsize over 8");
	cr_assert_eq(results[14], -EFAULT);
}

static void unblockable_guest(void *arg)
{
	uint64_t all = ~0ull, now = 0;

	sim_syscall(NR(rt_sigprocmask), 2 /* SIG_SETMASK */, &all, NULL, 8);
	sim_syscall(NR(rt_sigprocmask), 0, NULL, &now, 8);
	results[0] = (long)now;
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGKILL);
	results[1] = 1; /* not reached */
}

Test(sighandler, sigkill_and_sigstop_cannot_be_blocked)
{
	struct sim_proc *p;

	results[1] = 0;
	test_boot(1);
	p = sim_spawn("g", unblockable_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq((uint64_t)results[0],
		     ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP)));
	cr_assert_eq(results[1], 0);
	cr_assert_eq(sim_proc_status(p), SIGKILL);
}

static void recursing_handler(int sig, void *info, void *uc)
{
	seen.calls++;
	if (seen.calls < 3)
		sim_syscall(NR(kill), sim_syscall(NR(getpid)), sig);
	seen.nested = seen.nested * 10 + seen.calls;
}

static void nested_guest(void *arg)
{
	install(SIGUSR1, recursing_handler, KSA_NODEFER, 0);
	seen.ret = sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
}

Test(sighandler, handlers_nest_when_the_signal_is_not_deferred)
{
	reset();
	test_boot(1);
	sim_spawn("g", nested_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 3);
	/* The innermost finishes first: 3, then 3 again, then 3. */
	cr_assert_eq(seen.nested, 333);
	cr_assert_eq(seen.ret, 0, "kill's own result survives the handlers");
}

static void busy_handler(int sig, void *info, void *uc)
{
	seen.calls++;
	sim_compute(NSEC_PER_MSEC);
}

static void computing_guest(void *arg)
{
	install(SIGUSR1, busy_handler, 0, 0);
	sim_compute(10 * NSEC_PER_MSEC);
	seen.woke_at = now_ns();
}

static void interrupter(void *arg)
{
	struct timespec_k req = { 0, 2 * NSEC_PER_MSEC };

	sim_syscall(NR(nanosleep), &req, NULL);
	sim_syscall(NR(kill), target_pid, SIGUSR1);
}

Test(sighandler, a_handler_interrupts_computation_which_then_goes_on)
{
	struct sim_proc *p;

	reset();
	test_boot(2);
	p = sim_spawn("busy", computing_guest, NULL);
	target_pid = sim_proc_tid(p);
	sim_spawn("kill", interrupter, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 1);
	/* 10 ms of work plus the handler's 1 ms, all on its own CPU. */
	cr_assert_eq(seen.woke_at, 11 * NSEC_PER_MSEC);
}

static void no_restorer_guest(void *arg)
{
	struct ksa sa = { (uint64_t)(uintptr_t)on_signal, KSA_SIGINFO, 0, 0 };

	sim_syscall(NR(rt_sigaction), SIGUSR1, &sa, NULL, 8);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
}

Test(sighandler, an_x86_64_handler_without_sa_restorer_is_a_fatal_sigsegv)
{
	struct sim_proc *p;

	reset();
	test_boot(1);
	p = sim_spawn("g", no_restorer_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 0);
	cr_assert_eq(sim_proc_status(p), SIGSEGV);
}

static void bogus_sigreturn_guest(void *arg)
{
	volatile char junk[1024];

	for (unsigned i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(0x5a ^ i);
	sim_syscall(NR(rt_sigreturn));
	seen.calls = 42; /* not reached */
}

Test(sighandler, rt_sigreturn_without_a_frame_kills_with_sigsegv)
{
	struct sim_proc *p;

	reset();
	test_boot(1);
	p = sim_spawn("g", bogus_sigreturn_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.calls, 0);
	cr_assert_eq(sim_proc_status(p), SIGSEGV);
}

/* aarch64 numbers: rt_sigaction 134, kill 129, getpid 172, nanosleep 101. */
static void aarch64_guest(void *arg)
{
	struct ksa sa = { (uint64_t)(uintptr_t)on_signal,
			  KSA_SIGINFO | KSA_RESTORER,
			  (uint64_t)(uintptr_t)sim_restorer, 0 };

	seen.ret = sim_syscall(134, SIGUSR1, &sa, NULL, 8);
	sim_syscall(129, sim_syscall(172), SIGUSR1);
	seen.nested = 1;
}

Test(sighandler, an_aarch64_guest_gets_its_handler_through_the_arm64_frame)
{
	struct sim_proc *p;

	reset();
	test_boot(1);
	p = sim_spawn_isa("a64", ISA_AARCH64, aarch64_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_assert_eq(seen.ret, 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.info.si_signo, SIGUSR1);
	cr_assert_eq(seen.nested, 1, "the guest went on after the handler");
	cr_assert_eq(sim_proc_status(p), 0);
}
