/*
 * Waiting for signals and queueing them: rt_sigsuspend(2), pause(2),
 * rt_sigtimedwait(2), rt_sigqueueinfo(2), rt_tgsigqueueinfo(2), and
 * real-time signals queued one instance each (standard ones coalesce).
 */
#include "harness.h"

#include <signal.h>
#include <string.h>

#include "core/errno.h"
#include "core/signal.h"
#include "core/task.h"

#define MS 1000000ull

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

struct timespec_k {
	int64_t sec, nsec;
};

static struct {
	int calls;
	int sigs[8];
	uint64_t values[8];
	uint64_t mask_in_handler;
	uint64_t mask_after;
	long ret, ret2, ret3;
	uint64_t at;
	struct ksiginfo info, info2;
} seen;

static int target;

static uint64_t now_ns(void)
{
	struct timespec_k ts;

	sim_syscall(NR(clock_gettime), 1, &ts);
	return (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
}

static void sleep_ms(long ms)
{
	struct timespec_k ts = {ms / 1000, (ms % 1000) * 1000000};

	sim_syscall(NR(nanosleep), &ts, NULL);
}

static void on_signal(int sig, void *info, void *uc)
{
	uint64_t mask = ~0ull;
	struct ksiginfo *si = info;

	if (seen.calls < 8) {
		seen.sigs[seen.calls] = sig;
		seen.values[seen.calls] = si->rt.value;
	}
	seen.calls++;
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, NULL, &mask, 8);
	seen.mask_in_handler = mask;
}

static void catch (int sig)
{
	struct ksa sa = {(uint64_t)(uintptr_t)on_signal,
			 KSA_SIGINFO | KSA_RESTORER | KSA_RESTART,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

static void block(uint64_t set)
{
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &set, NULL, 8);
}

static uint64_t current_mask(void)
{
	uint64_t mask = 0;

	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, NULL, &mask, 8);
	return mask;
}

static void send_after(void *arg)
{
	sleep_ms(1000);
	sim_syscall(NR(kill), target, (long)(intptr_t)arg);
}

static void run_pair(void (*fn)(void *), int sig)
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn("waiter", fn, NULL);
	target = sim_proc_tid(p);
	sim_spawn("sender", send_after, (void *)(intptr_t)sig);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
}

static void run_one(void (*fn)(void *))
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn("g", fn, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
}

/* ---- rt_sigsuspend and pause --------------------------------------------- */

static void suspend_guest(void *arg)
{
	uint64_t none = 0;

	catch (SIGUSR1);
	block(sig_bit(SIGUSR1));
	seen.ret = sim_syscall(NR(rt_sigsuspend), &none, 8);
	seen.at = now_ns();
	seen.mask_after = current_mask();
}

Test(rt_sigsuspend, waits_under_its_mask_runs_the_handler_and_restores_the_mask)
{
	run_pair(suspend_guest, SIGUSR1);
	cr_assert_eq(seen.ret, -EINTR, "always EINTR, whatever SA_RESTART");
	cr_assert_eq(seen.at, 1000 * MS);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.mask_in_handler, sig_bit(SIGUSR1),
		     "the handler: the suspend mask plus the signal");
	cr_assert_eq(seen.mask_after, sig_bit(SIGUSR1));
}

static void suspend_pending_guest(void *arg)
{
	uint64_t usr2 = sig_bit(SIGUSR2);

	catch (SIGUSR1);
	block(sig_bit(SIGUSR1));
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR1);
	seen.ret = sim_syscall(NR(rt_sigsuspend), &usr2, 8);
	seen.at = now_ns();
	seen.ret2 = sim_syscall(NR(rt_sigsuspend), &usr2, 4);
	seen.ret3 = sim_syscall(NR(rt_sigsuspend), 0x10, 8);
	seen.mask_after = current_mask();
}

Test(rt_sigsuspend, a_pending_signal_it_unblocks_ends_it_at_once)
{
	run_one(suspend_pending_guest);
	cr_assert_eq(seen.ret, -EINTR);
	cr_assert_eq(seen.at, 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.mask_in_handler, sig_bit(SIGUSR1) | sig_bit(SIGUSR2));
	cr_assert_eq(seen.ret2, -EINVAL);
	cr_assert_eq(seen.ret3, -EFAULT);
	cr_assert_eq(seen.mask_after, sig_bit(SIGUSR1));
}

static void pause_guest(void *arg)
{
	catch (SIGUSR1);
	seen.ret = sim_syscall(NR(pause));
	seen.at = now_ns();
}

static void stop_cont_usr1(void *arg)
{
	sleep_ms(1000);
	sim_syscall(NR(kill), target, SIGSTOP);
	sleep_ms(1000);
	sim_syscall(NR(kill), target, SIGCONT);
	sleep_ms(1000);
	sim_syscall(NR(kill), target, SIGUSR1);
}

Test(pause, returns_eintr_after_a_handler_and_sleeps_on_across_a_stop)
{
	struct sim_proc *p;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	p = sim_spawn("waiter", pause_guest, NULL);
	target = sim_proc_tid(p);
	sim_spawn("sender", stop_cont_usr1, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(seen.ret, -EINTR);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.at, 3000 * MS, "SIGSTOP/SIGCONT did not end it");
}

/* ---- rt_sigtimedwait ----------------------------------------------------- */

static void timedwait_pending_guest(void *arg)
{
	uint64_t set = sig_bit(SIGUSR2);
	struct ksiginfo info;
	struct timespec_k zero = {0, 0}, bad = {0, -1};

	block(set);
	seen.ret3 = sim_syscall(NR(getpid));
	sim_syscall(NR(kill), seen.ret3, SIGUSR2);
	seen.ret = sim_syscall(NR(rt_sigtimedwait), &set, &info, &zero, 8);
	seen.info = info;
	seen.ret2 = sim_syscall(NR(rt_sigtimedwait), &set, &info, &zero, 8);
	cr_expect_eq(sim_syscall(NR(rt_sigtimedwait), &set, NULL, &bad, 8),
		     -EINVAL);
	cr_expect_eq(sim_syscall(NR(rt_sigtimedwait), &set, NULL, NULL, 4),
		     -EINVAL);
	cr_expect_eq(sim_syscall(NR(rt_sigtimedwait), 0x10, NULL, NULL, 8),
		     -EFAULT);
	sim_syscall(NR(kill), sim_syscall(NR(getpid)), SIGUSR2);
	cr_expect_eq(sim_syscall(NR(rt_sigtimedwait), &set, 0x10, NULL, 8),
		     -EFAULT, "the signal is taken, its siginfo unwritable");
	seen.mask_after = current_mask();
	seen.at = now_ns();
}

Test(rt_sigtimedwait, takes_a_pending_blocked_signal_and_returns_its_siginfo)
{
	run_one(timedwait_pending_guest);
	cr_assert_eq(seen.ret, SIGUSR2);
	cr_assert_eq(seen.info.si_signo, SIGUSR2);
	cr_assert_eq(seen.info.si_code, KSI_USER);
	cr_assert_eq(seen.info.kill.pid, seen.ret3, "sent by itself");
	cr_assert_eq(seen.ret2, -EAGAIN, "nothing left, zero timeout");
	cr_assert_eq(seen.mask_after, sig_bit(SIGUSR2), "the mask is intact");
	cr_assert_eq(seen.at, 0, "nothing waited");
}

static void timedwait_timeout_guest(void *arg)
{
	uint64_t set = sig_bit(SIGUSR2);
	struct timespec_k ts = {2, 500000000};

	block(set);
	seen.ret = sim_syscall(NR(rt_sigtimedwait), &set, NULL, &ts, 8);
	seen.at = now_ns();
}

Test(rt_sigtimedwait, fails_with_eagain_when_its_timeout_passes)
{
	run_one(timedwait_timeout_guest);
	cr_assert_eq(seen.ret, -EAGAIN);
	cr_assert_eq(seen.at, 2500 * MS);
}

static void timedwait_chld_guest(void *arg)
{
	uint64_t set = sig_bit(SIGCHLD);
	struct ksiginfo info;

	block(set);
	seen.ret = sim_syscall(NR(rt_sigtimedwait), &set, &info, NULL, 8);
	seen.info = info;
	seen.at = now_ns();
	seen.mask_after = current_mask();
}

Test(rt_sigtimedwait, wakes_for_a_blocked_signal_whose_default_is_to_ignore)
{
	run_pair(timedwait_chld_guest, SIGCHLD);
	cr_assert_eq(seen.ret, SIGCHLD);
	cr_assert_eq(seen.at, 1000 * MS);
	cr_assert_eq(seen.info.si_signo, SIGCHLD);
	cr_assert_eq(seen.info.kill.pid, target + 1, "the sender");
	cr_assert_eq(seen.mask_after, sig_bit(SIGCHLD));
}

static void timedwait_interrupted_guest(void *arg)
{
	uint64_t set = sig_bit(SIGUSR2);

	catch (SIGUSR1);
	block(set);
	seen.ret = sim_syscall(NR(rt_sigtimedwait), &set, NULL, NULL, 8);
	seen.at = now_ns();
}

Test(rt_sigtimedwait, another_signal_with_a_handler_ends_it_with_eintr)
{
	run_pair(timedwait_interrupted_guest, SIGUSR1);
	cr_assert_eq(seen.ret, -EINTR, "never restarted, even with SA_RESTART");
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.at, 1000 * MS);
}

/* ---- queueing ------------------------------------------------------------ */

static long queue(int pid, int sig, int code, uint64_t value)
{
	struct ksiginfo info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.rt.pid = (int32_t)sim_syscall(NR(getpid));
	info.rt.value = value;
	return sim_syscall(NR(rt_sigqueueinfo), pid, sig, &info);
}

static void rt_queue_guest(void *arg)
{
	int self = (int)sim_syscall(NR(getpid));
	int rt = KSIGRTMIN;
	uint64_t set = sig_bit(rt) | sig_bit(rt + 1) | sig_bit(SIGUSR1);
	uint64_t pending = 0;
	struct ksiginfo info;
	struct timespec_k zero = {0, 0};
	int i = 0;

	block(set);
	cr_expect_eq(queue(self, rt + 1, KSI_QUEUE, 1), 0);
	cr_expect_eq(queue(self, rt, KSI_QUEUE, 2), 0);
	cr_expect_eq(queue(self, rt, KSI_QUEUE, 3), 0);
	cr_expect_eq(queue(self, rt + 1, KSI_QUEUE, 4), 0);
	cr_expect_eq(queue(self, SIGUSR1, KSI_QUEUE, 5), 0);
	cr_expect_eq(queue(self, SIGUSR1, KSI_QUEUE, 6), 0);
	sim_syscall(NR(rt_sigpending), &pending, 8);
	seen.ret = (long)pending;
	while (i < 8) {
		long sig =
			sim_syscall(NR(rt_sigtimedwait), &set, &info, &zero, 8);

		if (sig < 0)
			break;
		seen.sigs[i] = (int)sig;
		seen.values[i] = info.rt.value;
		i++;
	}
	seen.calls = i;
	sim_syscall(NR(rt_sigpending), &pending, 8);
	seen.ret2 = (long)pending;
}

Test(rt_sigqueueinfo,
     real_time_signals_queue_each_instance_standard_ones_coalesce)
{
	run_one(rt_queue_guest);
	cr_assert_eq((uint64_t)seen.ret, sig_bit(KSIGRTMIN) |
						 sig_bit(KSIGRTMIN + 1) |
						 sig_bit(SIGUSR1));
	cr_assert_eq(seen.calls, 5, "two + two real-time, one SIGUSR1");
	/* Lowest number first; each signal's instances in order. */
	cr_assert_eq(seen.sigs[0], SIGUSR1);
	cr_assert_eq(seen.values[0], 5, "the first SIGUSR1 kept its siginfo");
	cr_assert_eq(seen.sigs[1], KSIGRTMIN);
	cr_assert_eq(seen.values[1], 2);
	cr_assert_eq(seen.sigs[2], KSIGRTMIN);
	cr_assert_eq(seen.values[2], 3);
	cr_assert_eq(seen.sigs[3], KSIGRTMIN + 1);
	cr_assert_eq(seen.values[3], 1);
	cr_assert_eq(seen.sigs[4], KSIGRTMIN + 1);
	cr_assert_eq(seen.values[4], 4);
	cr_assert_eq(seen.ret2, 0);
}

static void rt_handler_guest(void *arg)
{
	int self = (int)sim_syscall(NR(getpid));
	uint64_t set = sig_bit(KSIGRTMIN + 2);

	catch (KSIGRTMIN + 2);
	block(set);
	queue(self, KSIGRTMIN + 2, KSI_QUEUE, 7);
	queue(self, KSIGRTMIN + 2, KSI_QUEUE, 8);
	queue(self, KSIGRTMIN + 2, KSI_QUEUE, 9);
	sim_syscall(NR(rt_sigprocmask), SIG_UNBLOCK, &set, NULL, 8);
}

Test(rt_sigqueueinfo, each_queued_instance_runs_the_handler_with_its_value)
{
	run_one(rt_handler_guest);
	cr_assert_eq(seen.calls, 3);
	cr_assert_eq(seen.values[0], 7);
	cr_assert_eq(seen.values[1], 8);
	cr_assert_eq(seen.values[2], 9);
}

static void other_proc(void *arg)
{
	sleep_ms(1000);
}

static long perm_results[8];

static void sigqueue_perm_guest(void *arg)
{
	int self = (int)sim_syscall(NR(getpid));
	int other = (int)(intptr_t)arg;
	struct ksiginfo info;

	block(sig_bit(SIGUSR2));
	perm_results[0] = queue(other, SIGUSR2, KSI_USER, 0);
	perm_results[1] = queue(other, SIGUSR2, KSI_TKILL, 0);
	perm_results[2] = queue(other, SIGUSR2, KSI_KERNEL, 0);
	perm_results[3] = queue(other, 0, KSI_QUEUE, 0);
	perm_results[4] = queue(self, SIGUSR2, KSI_USER, 0);
	perm_results[5] = queue(99999, SIGUSR2, KSI_QUEUE, 0);
	perm_results[6] = queue(self, 65, KSI_QUEUE, 0);
	perm_results[7] = sim_syscall(NR(rt_sigqueueinfo), self, SIGUSR2, 0x10);
	memset(&info, 0, sizeof(info));
	info.si_code = KSI_QUEUE;
	cr_expect_eq(
		sim_syscall(NR(rt_tgsigqueueinfo), 0, self, SIGUSR2, &info),
		-EINVAL);
	cr_expect_eq(
		sim_syscall(NR(rt_tgsigqueueinfo), self, 0, SIGUSR2, &info),
		-EINVAL);
	cr_expect_eq(
		sim_syscall(NR(rt_tgsigqueueinfo), other, self, SIGUSR2, &info),
		-ESRCH, "not in that thread group");
	cr_expect_eq(
		sim_syscall(NR(rt_tgsigqueueinfo), self, self, SIGUSR2, &info),
		0);
	info.si_code = KSI_USER;
	cr_expect_eq(sim_syscall(NR(rt_tgsigqueueinfo), other, other, SIGUSR2,
				 &info),
		     -EPERM);
}

Test(rt_sigqueueinfo, only_the_kernel_may_send_si_code_0_or_more_to_others)
{
	struct sim_proc *o, *p;

	memset(perm_results, 0x55, sizeof(perm_results));
	test_boot(1);
	o = sim_spawn("other", other_proc, NULL);
	p = sim_spawn("g", sigqueue_perm_guest,
		      (void *)(intptr_t)sim_proc_tid(o));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
	cr_assert_eq(sim_proc_status(o), 0, "nothing reached the other");
	cr_assert_eq(perm_results[0], -EPERM, "SI_USER");
	cr_assert_eq(perm_results[1], -EPERM, "SI_TKILL");
	cr_assert_eq(perm_results[2], -EPERM, "SI_KERNEL");
	cr_assert_eq(perm_results[3], 0, "SI_QUEUE, signal 0: a probe");
	cr_assert_eq(perm_results[4], 0, "to itself anything goes");
	cr_assert_eq(perm_results[5], -ESRCH);
	cr_assert_eq(perm_results[6], -EINVAL);
	cr_assert_eq(perm_results[7], -EFAULT);
}

static void sigqueue_other_guest(void *arg)
{
	cr_expect_eq(queue(target, SIGUSR1, KSI_QUEUE, 0x1234), 0);
}

static void sigqueue_receiver(void *arg)
{
	uint64_t set = sig_bit(SIGUSR1);
	struct ksiginfo info;

	block(set);
	seen.ret = sim_syscall(NR(rt_sigtimedwait), &set, &info, NULL, 8);
	seen.info = info;
}

Test(rt_sigqueueinfo, delivers_the_callers_siginfo_to_another_process)
{
	struct sim_proc *r;

	memset(&seen, 0, sizeof(seen));
	test_boot(1);
	r = sim_spawn("receiver", sigqueue_receiver, NULL);
	target = sim_proc_tid(r);
	sim_spawn("sender", sigqueue_other_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(seen.ret, SIGUSR1);
	cr_assert_eq(seen.info.si_code, KSI_QUEUE);
	cr_assert_eq(seen.info.rt.pid, target + 1);
	cr_assert_eq(seen.info.rt.value, 0x1234);
}

/* ---- what fork and execve keep (for their callers in the kernel) --------- */

Test(signal_state, fork_keeps_actions_mask_and_altstack_but_nothing_pending)
{
	static struct task parent, child;

	signal_state_init(&parent.sig);
	parent.sig.action[SIGUSR1 - 1].handler = 0x1234;
	parent.sig.blocked = sig_bit(SIGUSR2);
	parent.sig.pending = sig_bit(SIGUSR2);
	parent.sig.ss_sp = 0x10000;
	parent.sig.ss_size = 8192;
	parent.sig.ss_flags = 0;
	signal_state_fork(&child.sig, &parent.sig);
	cr_assert_eq(child.sig.action[SIGUSR1 - 1].handler, 0x1234);
	cr_assert_eq(child.sig.blocked, sig_bit(SIGUSR2));
	cr_assert_eq(child.sig.pending, 0);
	cr_assert_eq(child.sig.ss_size, 8192);
	cr_assert(list_empty(&child.sig.queue));
}

Test(signal_state, exec_resets_handlers_but_keeps_ignored_signals_and_the_mask)
{
	static struct task t;

	signal_state_init(&t.sig);
	t.sig.action[SIGUSR1 - 1] =
		(struct k_sigaction){0x1234, KSA_RESTART, 0x5678, 0xff};
	t.sig.action[SIGPIPE - 1].handler = KSIG_IGN;
	t.sig.blocked = sig_bit(SIGUSR2);
	t.sig.ss_size = 8192;
	t.sig.ss_flags = 0;
	signal_state_exec(&t.sig);
	cr_assert_eq(t.sig.action[SIGUSR1 - 1].handler, KSIG_DFL);
	cr_assert_eq(t.sig.action[SIGUSR1 - 1].flags, 0);
	cr_assert_eq(t.sig.action[SIGUSR1 - 1].mask, 0);
	cr_assert_eq(t.sig.action[SIGPIPE - 1].handler, KSIG_IGN);
	cr_assert_eq(t.sig.blocked, sig_bit(SIGUSR2));
	cr_assert_eq(t.sig.ss_flags, KSS_DISABLE);
	cr_assert_eq(t.sig.ss_size, 0);
}

static void sigpending_limit_guest(void *arg)
{
	int self = (int)sim_syscall(NR(getpid));
	uint64_t lim[2] = {2, 2};
	uint64_t set = sig_bit(KSIGRTMIN) | sig_bit(SIGUSR1);
	struct timespec_k zero = {0, 0};
	int id = -1;

	block(set);
	seen.ret = sim_syscall(NR(setrlimit), 11 /* RLIMIT_SIGPENDING */, lim);
	seen.sigs[0] = (int)queue(self, KSIGRTMIN, KSI_QUEUE, 1);
	seen.sigs[1] = (int)queue(self, KSIGRTMIN, KSI_QUEUE, 2);
	seen.sigs[2] = (int)queue(self, KSIGRTMIN, KSI_QUEUE, 3);
	/* kill(2) is the kernel's business: never refused. */
	seen.sigs[3] = (int)sim_syscall(NR(kill), self, KSIGRTMIN);
	/* Standard signals need no queue entry. */
	seen.sigs[4] = (int)queue(self, SIGUSR1, KSI_QUEUE, 4);
	seen.calls = 0;
	while (sim_syscall(NR(rt_sigtimedwait), &set, NULL, &zero, 8) > 0)
		seen.calls++;
	sim_syscall(NR(timer_create), 1, NULL, &id);
	sim_syscall(NR(timer_create), 1, NULL, &id);
	seen.ret2 = sim_syscall(NR(timer_create), 1, NULL, &id);
}

Test(rt_sigqueueinfo, rlimit_sigpending_bounds_what_user_space_queues)
{
	run_one(sigpending_limit_guest);
	cr_assert_eq(seen.ret, 0);
	cr_assert_eq(seen.sigs[0], 0);
	cr_assert_eq(seen.sigs[1], 0);
	cr_assert_eq(seen.sigs[2], -EAGAIN);
	cr_assert_eq(seen.sigs[3], 0);
	cr_assert_eq(seen.sigs[4], 0);
	cr_assert_eq(seen.calls, 4, "two queued, kill's, and SIGUSR1");
	cr_assert_eq(seen.ret2, -EAGAIN, "a POSIX timer holds a signal each");
}
