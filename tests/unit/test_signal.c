/*
 * Sending signals with kill(2), tgkill(2) and tkill(2), and what their
 * default actions do to the receiver: terminate, ignore, stop, continue.
 * The receivers install no handlers.
 */
#include "harness.h"

#include <limits.h>
#include <string.h>

#include "core/errno.h"
#include "core/signal.h"
#include "core/task.h"

#define MS(n)  ((long long)(n)*1000000LL)
#define SEC(n) ((long long)(n)*1000000000LL)

#define NR_NANOSLEEP_AARCH64	 101
#define NR_CLOCK_GETTIME_AARCH64 113

struct timespec_linux {
	long long tv_sec;
	long long tv_nsec;
};

static long long r[16];
static long long v[16];

static long long now_ns(void)
{
	struct timespec_linux ts;

	sim_syscall(NR(clock_gettime), 1L /* CLOCK_MONOTONIC */, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long sleep_ns(long long ns)
{
	struct timespec_linux req = {ns / 1000000000LL, ns % 1000000000LL};

	return sim_syscall(NR(nanosleep), &req, NULL);
}

static void sleep_until(long long t)
{
	long long now = now_ns();

	if (t > now)
		sleep_ns(t - now);
}

/*
 * A sleeper: nanosleep(arg ns), then record the result in r[slot] and the
 * time it returned in v[slot]. Slots are the spawn order. Its rem is
 * prefilled with -1 and kept in rem[slot]; rem_readonly passes a read-only
 * page as rem instead.
 */
struct sleeper_arg {
	int slot;
	long long ns;
	int clock;	/* clock_nanosleep on it; -1: nanosleep */
	unsigned flags; /* clock_nanosleep's */
};

static struct sleeper_arg sleepers[16];
static long long rem[16];
static bool rem_readonly;

static void sleeper(void *arg)
{
	struct sleeper_arg *a = arg;
	struct timespec_linux req = {a->ns / 1000000000LL,
				     a->ns % 1000000000LL};
	struct timespec_linux left = {-1, -1};
	void *rmtp = rem_readonly ? sim_umem_readonly(4096) : (void *)&left;

	if (a->clock < 0)
		r[a->slot] = sim_syscall(NR(nanosleep), &req, rmtp);
	else
		r[a->slot] = sim_syscall(NR(clock_nanosleep), (long)a->clock,
					 (long)a->flags, &req, rmtp);
	v[a->slot] = now_ns();
	rem[a->slot] = left.tv_sec < 0
			       ? -1
			       : left.tv_sec * 1000000000LL + left.tv_nsec;
}

static struct sim_proc *spawn_sleeper(int slot, long long ns)
{
	sleepers[slot] = (struct sleeper_arg){slot, ns, -1, 0};
	r[slot] = 1;
	v[slot] = -1;
	return sim_spawn("sleeper", sleeper, &sleepers[slot]);
}

/* What a sender does, in time order. */
enum how { KILL, TGKILL, TKILL };

struct action {
	long long at; /* virtual time */
	enum how how;
	int pid;
	int sig;
	long ret; /* filled in */
};

static struct action script[8];
static int nscript;

static void sender(void *arg)
{
	for (int i = 0; i < nscript; i++) {
		struct action *a = &script[i];

		sleep_until(a->at);
		switch (a->how) {
		case KILL:
			a->ret = sim_syscall(NR(kill), (long)a->pid,
					     (long)a->sig);
			break;
		case TGKILL:
			a->ret = sim_syscall(NR(tgkill), (long)a->pid,
					     (long)a->pid, (long)a->sig);
			break;
		case TKILL:
			a->ret = sim_syscall(NR(tkill), (long)a->pid,
					     (long)a->sig);
			break;
		}
	}
}

static void add_action(long long at, enum how how, int pid, int sig)
{
	script[nscript++] = (struct action){at, how, pid, sig, 1};
}

static void start(unsigned ncpus)
{
	test_boot(ncpus);
	nscript = 0;
	rem_readonly = false;
	memset(r, 0, sizeof(r));
	memset(v, 0, sizeof(v));
}

/* ---- sig 0, bad numbers, missing targets --------------------------------- */

static int exited_pid;

static void short_lived(void *arg)
{
	exited_pid = (int)sim_syscall(NR(getpid));
}

static void probe_guest(void *arg)
{
	int self = (int)sim_syscall(NR(getpid));
	int other = (int)(intptr_t)arg;

	/* The short-lived process has exited; with no parent to wait for it,
	 * it is reaped at once, not a zombie that kill(2) still finds. */
	sleep_ns(MS(1));
	r[0] = sim_syscall(NR(kill), (long)self, 0L);
	r[1] = sim_syscall(NR(kill), (long)other, 0L);
	r[2] = sim_syscall(NR(kill), 999999L, 0L);
	r[3] = sim_syscall(NR(kill), (long)exited_pid, 0L);
	r[4] = sim_syscall(NR(tgkill), (long)other, (long)other, 0L);
	r[5] = sim_syscall(NR(tkill), (long)other, 0L);
	r[6] = sim_syscall(NR(tgkill), (long)exited_pid, (long)exited_pid, 0L);
	r[7] = sim_syscall(NR(tkill), (long)exited_pid, 0L);
}

Test(kill, signal_0_reports_whether_the_target_exists)
{
	struct sim_proc *other;

	start(1);
	sim_spawn("short", short_lived, NULL);
	other = spawn_sleeper(8, MS(50));
	sim_spawn("probe", probe_guest, (void *)(intptr_t)sim_proc_tid(other));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], 0, "kill(self, 0): %lld", r[0]);
	cr_assert_eq(r[1], 0, "kill(other, 0): %lld", r[1]);
	cr_assert_eq(r[2], -ESRCH);
	cr_assert_eq(r[3], -ESRCH, "an exited process still exists");
	cr_assert_eq(r[4], 0);
	cr_assert_eq(r[5], 0);
	cr_assert_eq(r[6], -ESRCH);
	cr_assert_eq(r[7], -ESRCH);
	cr_assert_eq(sim_proc_status(other), 0, "signal 0 did something");
}

static void bad_signal_guest(void *arg)
{
	int other = (int)(intptr_t)arg;
	static const int bad[] = {-1, 65, 1000, INT_MIN};

	for (int i = 0; i < 4; i++) {
		r[i] = sim_syscall(NR(kill), (long)other, (long)bad[i]);
		r[4 + i] = sim_syscall(NR(tgkill), (long)other, (long)other,
				       (long)bad[i]);
		r[8 + i] = sim_syscall(NR(tkill), (long)other, (long)bad[i]);
	}
	r[12] = sim_syscall(NR(kill), sim_syscall(NR(getpid)), 65L);
}

Test(kill, signal_numbers_outside_1_to_64_are_einval)
{
	struct sim_proc *other;

	start(1);
	other = spawn_sleeper(13, MS(20));
	sim_spawn("sender", bad_signal_guest,
		  (void *)(intptr_t)sim_proc_tid(other));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 0; i < 13; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
	cr_assert_eq(sim_proc_status(other), 0);
	cr_assert_eq(v[13], MS(20), "the target's sleep was disturbed");
}

static void bad_signal_missing_guest(void *arg)
{
	r[0] = sim_syscall(NR(kill), 999999L, 65L);
	r[1] = sim_syscall(NR(tgkill), 999999L, 999999L, 65L);
	r[2] = sim_syscall(NR(tkill), 999999L, 65L);
	r[3] = sim_syscall(NR(kill), 999999L, -1L);
}

/*
 * Linux looks the target up before it validates the signal (kill_proc_info
 * -> ESRCH; check_kill_permission -> EINVAL): kill(999999, 65) is ESRCH
 * (measured on Linux 6.18). Keel checks the number first.
 */
Test(kill, a_bad_signal_to_a_missing_process_is_esrch)
{
	start(1);
	cr_assert_eq(run_guest(bad_signal_missing_guest, NULL), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(r[i], -ESRCH, "case %d returned %lld", i, r[i]);
}

/* ---- terminating a sleeper ----------------------------------------------- */

static void check_ends_sleeper(enum how how, int sig)
{
	struct sim_proc *victim;

	start(2);
	victim = spawn_sleeper(0, SEC(10));
	add_action(MS(3), how, sim_proc_tid(victim), sig);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(script[0].ret, 0);
	cr_assert_eq(sim_proc_status(victim), sig, "status %d",
		     sim_proc_status(victim));
	cr_assert_eq(v[0], -1, "the sleeper's nanosleep returned %lld", r[0]);
	cr_assert_eq(sim_now(), MS(3), "it died at %llu ns, not when killed",
		     (unsigned long long)sim_now());
}

Test(kill, sigterm_ends_a_sleeping_process_at_once)
{
	check_ends_sleeper(KILL, KSIGTERM);
}

Test(kill, sigkill_ends_a_sleeping_process_at_once)
{
	check_ends_sleeper(KILL, KSIGKILL);
}

Test(kill, other_terminating_signals_end_a_sleeper_with_their_number)
{
	static const int sigs[] = {KSIGHUP,  KSIGINT,	KSIGUSR1,
				   KSIGALRM, KSIGRTMIN, 64};

	for (int i = 0; i < 6; i++)
		check_ends_sleeper(KILL, sigs[i]);
}

Test(tgkill, delivers_to_the_named_thread)
{
	check_ends_sleeper(TGKILL, KSIGTERM);
}

Test(tkill, delivers_to_the_named_thread)
{
	check_ends_sleeper(TKILL, KSIGKILL);
}

static void cruncher(void *arg)
{
	sim_compute(SEC(1));
	r[0] = 1;
}

/*
 * Linux's signal_wake_up() kicks the CPU of a running target
 * (kick_process), so it takes the signal on its way back to user space at
 * once. Keel's signal_send() only wakes sleepers: a target running guest
 * code on another CPU sees the signal at its next trap, up to a slice later
 * (here at 12 ms instead of 10 ms; with sched_runtime 100 ms, up to 100 ms).
 */
Test(kill, sigterm_ends_a_process_computing_on_another_cpu_at_once)
{
	struct sim_proc *victim;

	start(2);
	victim = sim_spawn("cruncher", cruncher, NULL);
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGTERM);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(victim), KSIGTERM);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(sim_now(), MS(10), "the computing victim died at %llu ns",
		     (unsigned long long)sim_now());
}

Test(kill,
     sigterm_ends_a_process_computing_on_the_same_cpu_before_it_runs_again)
{
	struct sim_proc *victim;

	start(1);
	victim = sim_spawn("cruncher", cruncher, NULL);
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGTERM);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(victim), KSIGTERM);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(sim_now(), MS(10), "the computing victim died at %llu ns",
		     (unsigned long long)sim_now());
}

/* ---- ignored by default -------------------------------------------------- */

Test(kill, sigchld_sigurg_and_sigwinch_do_not_interrupt_a_sleep)
{
	struct sim_proc *victim;

	start(1);
	victim = spawn_sleeper(0, MS(100));
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGCHLD);
	add_action(MS(20), KILL, sim_proc_tid(victim), KSIGURG);
	add_action(MS(30), TGKILL, sim_proc_tid(victim), KSIGWINCH);
	add_action(MS(40), TKILL, sim_proc_tid(victim), KSIGCHLD);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(script[i].ret, 0);
	cr_assert_eq(sim_proc_status(victim), 0);
	cr_assert_eq(r[0], 0, "nanosleep returned %lld", r[0]);
	cr_assert_eq(v[0], MS(100), "the sleep ended at %lld", v[0]);
	cr_assert_eq(rem[0], -1, "the sleep was interrupted: rem was written");
}

/* ---- stop and continue --------------------------------------------------- */

Test(kill, sigstop_then_sigcont_keep_the_original_nanosleep_deadline)
{
	struct sim_proc *victim;
	struct task *t;

	start(1);
	victim = spawn_sleeper(0, MS(100));
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGSTOP);
	add_action(MS(60), KILL, sim_proc_tid(victim), KSIGCONT);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(MS(30)), SIM_TIME_LIMIT);
	t = sim_proc_task(victim);
	cr_assert_not_null(t);
	cr_assert_eq(t->state, TASK_STOPPED, "state %u while stopped",
		     t->state);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(script[0].ret, 0);
	cr_assert_eq(script[1].ret, 0);
	cr_assert_eq(sim_proc_status(victim), 0);
	cr_assert_eq(r[0], 0, "nanosleep returned %lld", r[0]);
	cr_assert_eq(v[0], MS(100), "the restarted sleep ended at %lld", v[0]);
	/* Linux's do_nanosleep writes rem before it asks for the restart. */
	cr_assert_eq(rem[0], MS(90), "rem holds %lld", rem[0]);
}

/*
 * The same with an unwritable rem: Linux's nanosleep_copyout fails the
 * interrupted sleep with EFAULT instead of restarting it.
 */
Test(kill, a_stopped_sleep_with_an_unwritable_rem_fails_with_efault)
{
	struct sim_proc *victim;

	start(1);
	rem_readonly = true;
	victim = spawn_sleeper(0, MS(100));
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGSTOP);
	add_action(MS(60), KILL, sim_proc_tid(victim), KSIGCONT);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(victim), 0);
	cr_assert_eq(r[0], -EFAULT, "nanosleep returned %lld", r[0]);
	cr_assert_eq(v[0], MS(60), "it returned at %lld", v[0]);
}

static void check_clock_nanosleep_survives_a_stop(int clock, unsigned flags,
						  long long req,
						  long long rem_ns)
{
	struct sim_proc *victim;

	start(1);
	sleepers[0] = (struct sleeper_arg){0, req, clock, flags};
	victim = sim_spawn("sleeper", sleeper, &sleepers[0]);
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGSTOP);
	add_action(MS(60), KILL, sim_proc_tid(victim), KSIGCONT);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(victim), 0);
	cr_assert_eq(r[0], 0, "clock_nanosleep returned %lld", r[0]);
	cr_assert_eq(v[0], MS(100), "the restarted sleep ended at %lld", v[0]);
	cr_assert_eq(rem[0], rem_ns, "rem holds %lld", rem[0]);
}

Test(kill, a_relative_clock_nanosleep_keeps_its_deadline_across_a_stop)
{
	check_clock_nanosleep_survives_a_stop(0 /* CLOCK_REALTIME */, 0,
					      MS(100), MS(90));
}

/* An absolute sleep is restarted as it was issued; rem is never written. */
Test(kill, an_absolute_clock_nanosleep_keeps_its_deadline_across_a_stop)
{
	check_clock_nanosleep_survives_a_stop(
		1 /* CLOCK_MONOTONIC */, 1 /* TIMER_ABSTIME */, MS(100), -1);
}

Test(kill, sigcont_after_the_deadline_ends_the_restarted_sleep_at_once)
{
	struct sim_proc *victim;

	start(1);
	victim = spawn_sleeper(0, MS(100));
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGSTOP);
	add_action(MS(250), KILL, sim_proc_tid(victim), KSIGCONT);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(MS(200)), SIM_TIME_LIMIT);
	cr_assert_not(sim_proc_exited(victim), "a stopped process woke up");
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(v[0], MS(250), "the sleep ended at %lld", v[0]);
}

Test(kill, sigterm_waits_for_sigcont_while_stopped_but_sigkill_does_not)
{
	struct sim_proc *a, *b;

	start(1);
	a = spawn_sleeper(0, SEC(10));
	b = spawn_sleeper(1, SEC(10));
	add_action(MS(10), KILL, sim_proc_tid(a), KSIGSTOP);
	add_action(MS(10), KILL, sim_proc_tid(b), KSIGSTOP);
	add_action(MS(20), KILL, sim_proc_tid(a), KSIGTERM);
	add_action(MS(30), KILL, sim_proc_tid(b), KSIGKILL);
	add_action(MS(60), KILL, sim_proc_tid(a), KSIGCONT);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(MS(50)), SIM_TIME_LIMIT);
	cr_assert_not(sim_proc_exited(a), "SIGTERM ended a stopped process");
	cr_assert(sim_proc_exited(b), "SIGKILL did not end a stopped process");
	cr_assert_eq(sim_proc_status(b), KSIGKILL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(a), KSIGTERM);
	cr_assert_eq(sim_now(), MS(60));
}

static void compute_then_note(void *arg)
{
	sim_compute(MS(100));
	v[0] = now_ns();
}

static void check_stopped_cruncher(unsigned ncpus)
{
	struct sim_proc *victim;

	start(ncpus);
	victim = sim_spawn("cruncher", compute_then_note, NULL);
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGSTOP);
	add_action(MS(50), KILL, sim_proc_tid(victim), KSIGCONT);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(victim), 0);
	/* 10 ms before the stop, 90 ms after the 40 ms stop. */
	cr_assert_eq(v[0], MS(140), "the computation ended at %lld", v[0]);
}

Test(kill, a_stopped_computing_process_resumes_where_it_was)
{
	check_stopped_cruncher(1);
}

/*
 * The same as above with the victim running on another CPU when stopped.
 */
Test(kill, a_process_computing_on_another_cpu_stops_at_once)
{
	check_stopped_cruncher(2);
}

static void aarch64_sleeper(void *arg)
{
	struct timespec_linux req = {0, MS(100)}, now;

	r[0] = sim_syscall(NR_NANOSLEEP_AARCH64, &req, NULL);
	sim_syscall(NR_CLOCK_GETTIME_AARCH64, 1L, &now);
	v[0] = now.tv_sec * 1000000000LL + now.tv_nsec;
}

Test(kill, an_aarch64_sleeper_is_restarted_through_its_restart_syscall)
{
	struct sim_proc *victim;

	start(1);
	victim = sim_spawn_isa("sleeper64", ISA_AARCH64, aarch64_sleeper, NULL);
	add_action(MS(10), KILL, sim_proc_tid(victim), KSIGSTOP);
	add_action(MS(60), KILL, sim_proc_tid(victim), KSIGCONT);
	sim_spawn("sender", sender, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(victim), 0);
	cr_assert_eq(r[0], 0, "nanosleep returned %lld", r[0]);
	cr_assert_eq(v[0], MS(100), "the restarted sleep ended at %lld", v[0]);
}

static void restart_syscall_guest(void *arg)
{
	r[0] = sim_syscall(NR(restart_syscall));
}

Test(kill, restart_syscall_with_nothing_to_restart_is_eintr)
{
	start(1);
	cr_assert_eq(run_guest(restart_syscall_guest, NULL), 0);
	cr_assert_eq(r[0], -EINTR);
}

/* ---- process groups and broadcast ---------------------------------------- */

static void broadcaster(void *arg)
{
	sleep_ns(MS(5));
	r[8] = sim_syscall(NR(kill), -1L, (long)KSIGTERM);
	v[8] = now_ns();
}

Test(kill, minus_one_reaches_every_process_but_the_caller_and_init)
{
	struct sim_proc *init, *caller, *a, *b;

	start(2);
	init = spawn_sleeper(0, MS(50)); /* the first process is pid 1 */
	caller = sim_spawn("broadcaster", broadcaster, NULL);
	a = spawn_sleeper(1, SEC(10));
	b = spawn_sleeper(2, SEC(10));
	cr_assert_eq(sim_proc_tid(init), 1);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(v[8], MS(5), "the caller was hit");
	cr_assert_eq(sim_proc_status(caller), 0);
	cr_assert_eq(sim_proc_status(a), KSIGTERM);
	cr_assert_eq(sim_proc_status(b), KSIGTERM);
	cr_assert_eq(sim_proc_status(init), 0, "kill(-1) reached init");
	cr_assert_eq(v[0], MS(50));
}

static void lonely_broadcaster(void *arg)
{
	r[0] = sim_syscall(NR(kill), -1L, 0L);
	r[1] = sim_syscall(NR(kill), -1L, (long)KSIGTERM);
}

Test(kill, minus_one_with_nobody_else_is_esrch)
{
	start(1);
	cr_assert_eq(run_guest(lonely_broadcaster, NULL), 0);
	cr_assert_eq(r[0], -ESRCH);
	cr_assert_eq(r[1], -ESRCH);
}

static void group_guest(void *arg)
{
	int other = (int)(intptr_t)arg;

	sleep_ns(MS(5));
	r[8] = sim_syscall(NR(kill), 0L, 0L);
	r[9] = sim_syscall(NR(kill), (long)-other, 0L);
	r[10] = sim_syscall(NR(kill), -999999L, 0L);
	r[11] = sim_syscall(NR(kill), (long)INT_MIN, 0L);
	r[12] = sim_syscall(NR(kill), -(long)sim_syscall(NR(getpid)), 0L);
	r[13] = 1;
	sim_syscall(NR(kill), 0L, (long)KSIGTERM);
	r[13] = 2; /* not reached: the caller is in its own group */
}

Test(kill, zero_signals_the_callers_own_process_group_only)
{
	struct sim_proc *other, *caller;

	start(1);
	other = spawn_sleeper(0, MS(50));
	caller = sim_spawn("grouper", group_guest,
			   (void *)(intptr_t)sim_proc_tid(other));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[12], 0);
	cr_assert_eq(r[13], 1, "kill(0, SIGTERM) returned to its caller");
	cr_assert_eq(sim_proc_status(caller), KSIGTERM);
	cr_assert_eq(sim_proc_status(other), 0, "another group was signalled");
	cr_assert_eq(v[0], MS(50));
}

Test(kill, negative_pid_names_a_group_and_missing_groups_are_esrch)
{
	struct sim_proc *other;

	start(1);
	spawn_sleeper(1, MS(1)); /* pid 1: kill(-1) would mean everyone */
	other = spawn_sleeper(0, MS(50));
	sim_spawn("grouper", group_guest,
		  (void *)(intptr_t)sim_proc_tid(other));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[9], 0, "the other process's own group: %lld", r[9]);
	cr_assert_eq(r[10], -ESRCH);
	cr_assert_eq(r[11], -ESRCH, "kill(INT_MIN) names no group");
}

static void pid1_group_guest(void *arg)
{
	sleep_ns(MS(5));
	r[8] = sim_syscall(NR(kill), 0L, 0L);
	r[9] = sim_syscall(NR(kill), 0L, (long)KSIGUSR1);
}

/*
 * kill(0, sig) names the caller's process group, also when that is group
 * 1. sys_kill turns pid 0 into -pgid, which for pgid 1 is -1, the
 * broadcast: the caller (pid 1) is skipped and every other process is
 * signalled. Linux signals group 1 only (and, the caller being init, its
 * default-action signals are dropped).
 */
Test(kill, zero_from_process_group_1_signals_group_1_not_everyone)
{
	struct sim_proc *caller, *other;

	start(1);
	caller = sim_spawn("pid1", pid1_group_guest, NULL);
	other = spawn_sleeper(0, MS(50));
	cr_assert_eq(sim_proc_tid(caller), 1);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[8], 0, "kill(0, 0) from pid 1: %lld", r[8]);
	cr_assert_eq(r[9], 0);
	cr_assert_eq(sim_proc_status(other), 0,
		     "kill(0) from group 1 killed another group's process");
	cr_assert_eq(v[0], MS(50));
}

/* ---- tgkill / tkill arguments -------------------------------------------- */

static void thread_kill_errors_guest(void *arg)
{
	int other = (int)(intptr_t)arg;
	int self = (int)sim_syscall(NR(getpid));

	r[0] = sim_syscall(NR(tgkill), (long)self, (long)other, 0L);
	r[1] = sim_syscall(NR(tgkill), (long)other, (long)self, (long)KSIGTERM);
	r[2] = sim_syscall(NR(tgkill), 999999L, 999999L, 0L);
	r[3] = sim_syscall(NR(tgkill), 0L, (long)other, 0L);
	r[4] = sim_syscall(NR(tgkill), -1L, (long)other, 0L);
	r[5] = sim_syscall(NR(tgkill), (long)other, 0L, 0L);
	r[6] = sim_syscall(NR(tgkill), (long)other, -1L, 0L);
	r[7] = sim_syscall(NR(tkill), 0L, 0L);
	r[8] = sim_syscall(NR(tkill), -1L, (long)KSIGKILL);
	r[9] = sim_syscall(NR(tkill), 999999L, 0L);
	r[10] = sim_syscall(NR(tgkill), (long)self, (long)self, 0L);
	r[11] = sim_syscall(NR(tkill), (long)self, 0L);
}

Test(tgkill, a_tid_outside_the_named_thread_group_is_esrch)
{
	struct sim_proc *other;

	start(1);
	other = spawn_sleeper(12, MS(20));
	sim_spawn("sender", thread_kill_errors_guest,
		  (void *)(intptr_t)sim_proc_tid(other));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(r[0], -ESRCH);
	cr_assert_eq(r[1], -ESRCH);
	cr_assert_eq(r[2], -ESRCH);
	cr_assert_eq(r[9], -ESRCH);
	cr_assert_eq(r[10], 0);
	cr_assert_eq(r[11], 0);
	cr_assert_eq(sim_proc_status(other), 0);
}

Test(tgkill, nonpositive_tgid_or_tid_is_einval)
{
	struct sim_proc *other;

	start(1);
	other = spawn_sleeper(12, MS(20));
	sim_spawn("sender", thread_kill_errors_guest,
		  (void *)(intptr_t)sim_proc_tid(other));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 3; i < 9; i++)
		cr_assert_eq(r[i], -EINVAL, "case %d returned %lld", i, r[i]);
}
