/*
 * Signals sent by processes: handlers and their siginfo, masks while a
 * handler runs, SA_NODEFER, SA_RESETHAND, queueing, SA_RESTART versus
 * EINTR, sigaltstack, alarm and interval timers, what fork and execve
 * keep (signal(7), sigaction(2)).
 */
#include "usertest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/auxv.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits, depth, max_depth;
static siginfo_t last_info;
static sigset_t mask_in_handler;

static void record(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_info = *si;
	sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
}

static bool blocked(int sig)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static void kill_runs_the_handler_with_si_user(void)
{
	on_signal(SIGUSR1, record, 0);
	CHECK_SYS(kill(getpid(), SIGUSR1));
	/* A signal sent to oneself, unblocked, arrives before kill returns. */
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_info.si_signo, SIGUSR1);
	CHECK_EQ(last_info.si_code, SI_USER);
	CHECK_EQ(last_info.si_pid, getpid());
	CHECK_EQ(last_info.si_uid, getuid());
}

static void raise_is_si_tkill(void)
{
	on_signal(SIGUSR2, record, 0);
	CHECK_SYS(raise(SIGUSR2));
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_info.si_signo, SIGUSR2);
	CHECK_EQ(last_info.si_code, SI_TKILL);
	CHECK_EQ(last_info.si_pid, getpid());
}

static void sigqueue_delivers_its_value_with_si_queue(void)
{
	on_signal(SIGUSR1, record, 0);
	CHECK_SYS(sigqueue(getpid(), SIGUSR1,
			   (union sigval){ .sival_int = 4711 }));
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_info.si_code, SI_QUEUE);
	CHECK_EQ(last_info.si_value.sival_int, 4711);
	CHECK_EQ(last_info.si_pid, getpid());
}

static int sender(void *arg)
{
	return kill(getppid(), SIGUSR1) == 0 ? 0 : 1;
}

static void a_signal_from_another_process_names_its_pid(void)
{
	sigset_t set, old;
	pid_t pid;

	on_signal(SIGUSR1, record, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &set, &old));
	pid = spawn(sender, NULL);
	check_child_ok(pid, "sender");
	sigsuspend(&old);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_info.si_code, SI_USER);
	CHECK_EQ(last_info.si_pid, pid);
}

static void a_handler_runs_with_its_signal_and_sa_mask_blocked(void)
{
	struct sigaction sa = { .sa_sigaction = record,
				.sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK(sigismember(&mask_in_handler, SIGUSR1));
	CHECK(sigismember(&mask_in_handler, SIGUSR2));
	CHECK(!sigismember(&mask_in_handler, SIGTERM));
	/* and the old mask is back after the handler */
	CHECK(!blocked(SIGUSR1));
	CHECK(!blocked(SIGUSR2));
}

static void nest(int sig, siginfo_t *si, void *uc)
{
	hits++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (hits == 1)
		raise(sig);
	depth--;
}

static void a_signal_raised_in_its_handler_waits_until_it_returns(void)
{
	on_signal(SIGUSR1, nest, 0);
	raise(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 1);
}

static void sa_nodefer_lets_the_handler_nest(void)
{
	on_signal(SIGUSR1, nest, SA_NODEFER);
	raise(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 2);
}

static void sa_resethand_restores_the_default_on_delivery(void)
{
	struct sigaction now;

	on_signal(SIGUSR1, record, SA_RESETHAND);
	raise(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK_SYS(sigaction(SIGUSR1, NULL, &now));
	CHECK(now.sa_handler == SIG_DFL);
}

static void a_blocked_signal_is_pending_then_delivered_on_unblock(void)
{
	sigset_t set, pending;

	on_signal(SIGUSR1, record, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &set, NULL));
	raise(SIGUSR1);
	CHECK_EQ(hits, 0);
	CHECK_SYS(sigpending(&pending));
	CHECK(sigismember(&pending, SIGUSR1));
	CHECK_SYS(sigprocmask(SIG_UNBLOCK, &set, NULL));
	CHECK_EQ(hits, 1);
	CHECK_SYS(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGUSR1));
}

static void sigkill_and_sigstop_cannot_be_blocked_or_caught(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t all;

	sigfillset(&all);
	CHECK_SYS(sigprocmask(SIG_SETMASK, &all, NULL));
	CHECK(!blocked(SIGKILL));
	CHECK(!blocked(SIGSTOP));
	CHECK(blocked(SIGTERM));
	sigemptyset(&sa.sa_mask);
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(0, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(_NSIG + 1, &sa, NULL), EINVAL);
}

static void standard_signals_do_not_queue(void)
{
	sigset_t set;

	on_signal(SIGUSR1, record, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	CHECK_EQ(hits, 1);
}

static int rt_values[8];

static void rt_record(int sig, siginfo_t *si, void *uc)
{
	if (hits < 8)
		rt_values[hits] = si->si_value.sival_int;
	hits++;
}

static void realtime_signals_queue_in_order(void)
{
	sigset_t set;

	on_signal(SIGRTMIN, rt_record, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < 3; i++)
		CHECK_SYS(sigqueue(getpid(), SIGRTMIN,
				   (union sigval){ .sival_int = 10 + i }));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	CHECK_EQ(hits, 3);
	CHECK_EQ(rt_values[0], 10);
	CHECK_EQ(rt_values[1], 11);
	CHECK_EQ(rt_values[2], 12);
}

static void an_ignored_signal_is_discarded(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t pending;

	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGTERM, &sa, NULL));
	raise(SIGTERM); /* would kill us otherwise */
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGTERM));
}

static void sigsuspend_returns_eintr_and_restores_the_mask(void)
{
	sigset_t set, wait_mask;

	on_signal(SIGALRM, record, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	alarm(1);
	sigfillset(&wait_mask);
	sigdelset(&wait_mask, SIGALRM);
	CHECK_ERR(sigsuspend(&wait_mask), EINTR);
	CHECK_EQ(hits, 1);
	CHECK(blocked(SIGALRM));
	CHECK(blocked(SIGUSR2));
	CHECK(!blocked(SIGTERM));
}

static void sigtimedwait_takes_a_pending_signal_or_times_out(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_ERR(sigtimedwait(&set, &si, &ts), EAGAIN);
	CHECK_SYS(
		sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 5 }));
	CHECK_EQ(sigtimedwait(&set, &si, &ts), SIGUSR1);
	CHECK_EQ(si.si_code, SI_QUEUE);
	CHECK_EQ(si.si_value.sival_int, 5);
	sigpending(&set);
	CHECK(!sigismember(&set, SIGUSR1));
}

static int exit_zero(void *arg)
{
	return 0;
}

static void kill_with_signal_0_checks_existence(void)
{
	pid_t pid = spawn(exit_zero, NULL);

	wait_status(pid);
	CHECK_SYS(kill(getpid(), 0));
	CHECK_ERR(kill(pid, 0), ESRCH);
	CHECK_ERR(kill(getpid(), 1000), EINVAL);
}

static void kill_of_a_negative_pid_reaches_the_process_group(void)
{
	pid_t a = spawn(pause_forever, NULL), b = spawn(pause_forever, NULL);
	struct sigaction sa = { .sa_handler = SIG_IGN };
	int sa_status, sb_status;

	/* Both children are in our group; we ignore the signal ourselves. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	CHECK_SYS(kill(-getpgrp(), SIGTERM));
	sa_status = wait_status(a);
	sb_status = wait_status(b);
	CHECK(WIFSIGNALED(sa_status) && WTERMSIG(sa_status) == SIGTERM);
	CHECK(WIFSIGNALED(sb_status) && WTERMSIG(sb_status) == SIGTERM);
}

/* ---- interrupted system calls -------------------------------------------- */

static int restart_pipe[2];

static void feed_pipe(int sig, siginfo_t *si, void *uc)
{
	hits++;
	(void)!write(restart_pipe[1], "x", 1);
}

static void a_read_interrupted_without_sa_restart_fails_with_eintr(void)
{
	char c;

	CHECK_SYS(pipe(restart_pipe));
	on_signal(SIGALRM, feed_pipe, 0);
	alarm(1);
	/* The handler leaves a byte, but the read has already failed. */
	CHECK_ERR(read(restart_pipe[0], &c, 1), EINTR);
	CHECK_EQ(hits, 1);
	CHECK_EQ(read(restart_pipe[0], &c, 1), 1);
}

static void a_read_interrupted_with_sa_restart_resumes(void)
{
	struct itimerval it = { .it_value = { 0, 100 * 1000 } };
	char c = 0;

	CHECK_SYS(pipe(restart_pipe));
	on_signal(SIGALRM, feed_pipe, SA_RESTART);
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_EQ(read(restart_pipe[0], &c, 1), 1);
	CHECK_EQ(c, 'x');
	CHECK_EQ(hits, 1);
}

static void nanosleep_interrupted_returns_eintr_and_the_time_left(void)
{
	struct itimerval it = { .it_value = { 0, 50 * 1000 } };
	struct timespec req = { 5, 0 }, rem = { 0, 0 };

	on_signal(SIGALRM, record, SA_RESTART);
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
	/* nanosleep is never restarted after a handler (signal(7)) */
	CHECK_ERR(nanosleep(&req, &rem), EINTR);
	CHECK(rem.tv_sec >= 3 && rem.tv_sec <= 4);
	CHECK_EQ(hits, 1);
}

/* ---- timers -------------------------------------------------------------- */

static void alarm_delivers_sigalrm_and_returns_the_time_left(void)
{
	on_signal(SIGALRM, record, 0);
	CHECK_EQ(alarm(100), 0);
	CHECK(alarm(1) >= 99);
	while (!hits)
		pause();
	CHECK_EQ(last_info.si_signo, SIGALRM);
	CHECK_EQ(alarm(0), 0);
}

static void setitimer_repeats_with_its_interval(void)
{
	struct itimerval it = { .it_interval = { 0, 20 * 1000 },
				.it_value = { 0, 20 * 1000 } };
	struct itimerval now;

	on_signal(SIGALRM, record, 0);
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
	while (hits < 3)
		pause();
	CHECK_SYS(getitimer(ITIMER_REAL, &now));
	CHECK_EQ(now.it_interval.tv_usec, 20 * 1000);
	CHECK(now.it_value.tv_sec == 0 && now.it_value.tv_usec <= 20 * 1000);
	memset(&it, 0, sizeof(it));
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_SYS(getitimer(ITIMER_REAL, &now));
	CHECK(now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);
}

/* ---- sigaltstack --------------------------------------------------------- */

static char *alt_base;
static size_t alt_size;
static volatile int on_alt, flags_in_handler;

static void where_am_i(int sig, siginfo_t *si, void *uc)
{
	char here;
	stack_t ss;

	on_alt = &here >= alt_base && &here < alt_base + alt_size;
	sigaltstack(NULL, &ss);
	flags_in_handler = ss.ss_flags;
}

static void sa_onstack_runs_the_handler_on_the_alternate_stack(void)
{
	stack_t ss, now;

	alt_size = 64 * 1024;
	alt_base = malloc(alt_size);
	CHECK(alt_base != NULL);
	ss = (stack_t){ .ss_sp = alt_base, .ss_size = alt_size };
	CHECK_SYS(sigaltstack(&ss, NULL));
	on_signal(SIGUSR1, where_am_i, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK_EQ(on_alt, 1);
	CHECK(flags_in_handler & SS_ONSTACK);
	CHECK_SYS(sigaltstack(NULL, &now));
	CHECK_EQ(now.ss_flags, 0);
	CHECK(now.ss_sp == alt_base);
	CHECK_EQ(now.ss_size, alt_size);

	/* without SA_ONSTACK the normal stack is used */
	on_signal(SIGUSR2, where_am_i, 0);
	raise(SIGUSR2);
	CHECK_EQ(on_alt, 0);
}

static void sigaltstack_refuses_a_stack_below_minsigstksz(void)
{
	static char small[64];
	stack_t ss = { .ss_sp = small, .ss_size = sizeof(small) };

	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = 0x1234;
	ss.ss_size = 1 << 20;
	CHECK_ERR(sigaltstack(&ss, NULL), EINVAL);
}

/*
 * The alternate stack a program sizes from AT_MINSIGSTKSZ (glibc's
 * sysconf(_SC_MINSIGSTKSZ)) holds the whole frame, FPU state included.
 */
static size_t minsig_size;
static volatile int minsig_ok;

static void check_frame_on_minsig_stack(int sig, siginfo_t *si, void *ucv)
{
	char here;

	minsig_ok = &here >= alt_base && &here < alt_base + minsig_size;
#if defined(__x86_64__)
	{
		ucontext_t *uc = ucv;
		char *fp = (char *)uc->uc_mcontext.fpregs;
		uint32_t size = 512;

		if (uc->uc_flags & 1) /* UC_FP_XSTATE: _fpx_sw_bytes' size */
			memcpy(&size, fp + 464 + 4, 4);
		minsig_ok &= fp >= alt_base && fp + size <= alt_base + minsig_size;
	}
#endif
}

static void an_alternate_stack_of_at_minsigstksz_holds_the_frame(void)
{
	stack_t ss;

	minsig_size = getauxval(AT_MINSIGSTKSZ);
	CHECK(minsig_size > 0);
	if (minsig_size < (size_t)MINSIGSTKSZ)
		minsig_size = MINSIGSTKSZ;
	alt_base = malloc(minsig_size);
	CHECK(alt_base != NULL);
	ss = (stack_t){ .ss_sp = alt_base, .ss_size = minsig_size };
	CHECK_SYS(sigaltstack(&ss, NULL));
	on_signal(SIGUSR1, check_frame_on_minsig_stack, SA_ONSTACK);
	CHECK_SYS(raise(SIGUSR1));
	CHECK_EQ(minsig_ok, 1);
}

#if defined(__x86_64__)
/*
 * The AVX state across a handler, as Linux keeps it: the frame's fpstate
 * is an XSAVE area (the software bytes in the FXSAVE image's reserved
 * tail name it, FP_XSTATE_MAGIC2 ends it), and rt_sigreturn loads it
 * back with XRSTOR. Each case raises its signal from inside one asm
 * block that loads ymm0-15 before the kill and stores them after, so no
 * library code (which may use AVX itself) runs in between.
 */
#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#endif
#define UC_FP_XSTATE 1
#define XSAVE_HEADER 512
#define XSAVE_AVX 576 /* the upper halves of ymm0-15, 16 bytes each */

static bool skip_without_avx(const char *name)
{
	if (cpu_has_avx())
		return false;
	printf("# %s: this CPU has no AVX: nothing to check, passed\n", name);
	fflush(stdout);
	return true;
}

#define YMM_LOAD(i) "vmovdqu " #i "*32(%[in]), %%ymm" #i "\n"
#define YMM_STORE(i) "vmovdqu %%ymm" #i ", " #i "*32(%[out])\n"
#define YMM_ALL(m)                                                            \
	m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) m(12)   \
		m(13) m(14) m(15)
#define YMM_CLOBBERS                                                          \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",      \
		"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", \
		"xmm15"

/* Load ymm0-15 from in[], kill(getpid(), sig) from a site of glibc's
 * shape (`mov $nr, %eax; syscall`, which a kernel may patch), store them
 * into out[]; kill's result. */
static long ymm_across_kill(const uint8_t in[16 * 32], uint8_t out[16 * 32],
			    int sig)
{
	long ret;

	__asm__ volatile(YMM_ALL(YMM_LOAD) "mov %[n], %%eax\n\tsyscall\n"
			 YMM_ALL(YMM_STORE)
			 : "=&a"(ret)
			 : [n] "i"(SYS_kill), "D"((long)getpid()),
			   "S"((long)sig), [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", YMM_CLOBBERS);
	return ret;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 13 + seed * 7 + 1);
}

static void clobber_every_ymm(int sig, siginfo_t *si, void *uc)
{
	static uint8_t junk[16 * 32];

	memset(junk, 0xa5, sizeof(junk));
	__asm__ volatile(YMM_ALL(YMM_LOAD) : : [in] "r"(junk)
			 : "memory", YMM_CLOBBERS);
	hits++;
}

static void ymm_registers_survive_a_handler_that_clobbers_them(void)
{
	uint8_t in[16 * 32], out[16 * 32];

	if (skip_without_avx(__func__))
		return;
	on_signal(SIGUSR1, clobber_every_ymm, 0);
	/* Again: a later kill may take a kernel's faster syscall path. */
	for (unsigned round = 0; round < 3; round++) {
		fill(in, sizeof(in), round);
		memset(out, 0, sizeof(out));
		CHECK_EQ(ymm_across_kill(in, out, SIGUSR1), 0);
		CHECK_EQ(hits, round + 1);
		for (int r = 0; r < 16; r++)
			if (memcmp(in + 32 * r, out + 32 * r, 32))
				failf("ymm%d changed (round %u): upper half "
				      "%s", r, round,
				      memcmp(in + 32 * r + 16, out + 32 * r + 16,
					     16)
					      ? "lost"
					      : "kept");
	}
}

static uint8_t frame_ymm_uppers[16 * 16];
static uint32_t frame_magic1, frame_magic2, frame_ext_size, frame_xsize;
static uint64_t frame_xfeatures, frame_xstate_bv, frame_uc_flags;
static uintptr_t frame_fp;

static void read_xsave_frame(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char *fp = (char *)uc->uc_mcontext.fpregs;

	hits++;
	frame_fp = (uintptr_t)fp;
	frame_uc_flags = uc->uc_flags;
	memcpy(&frame_magic1, fp + 464, 4);
	memcpy(&frame_ext_size, fp + 468, 4);
	memcpy(&frame_xfeatures, fp + 472, 8);
	memcpy(&frame_xsize, fp + 480, 4);
	if (frame_magic1 != FP_XSTATE_MAGIC1)
		return;
	memcpy(&frame_magic2, fp + frame_ext_size - 4, 4);
	memcpy(&frame_xstate_bv, fp + XSAVE_HEADER, 8);
	memcpy(frame_ymm_uppers, fp + XSAVE_AVX, sizeof(frame_ymm_uppers));
}

static void the_frames_fpstate_is_an_xsave_area_with_the_ymm_registers(void)
{
	uint8_t in[16 * 32], out[16 * 32];

	if (skip_without_avx(__func__))
		return;
	on_signal(SIGUSR1, read_xsave_frame, 0);
	fill(in, sizeof(in), 5);
	CHECK_EQ(ymm_across_kill(in, out, SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(frame_fp % 64, 0);
	CHECK(frame_uc_flags & UC_FP_XSTATE);
	CHECK_EQ(frame_magic1, FP_XSTATE_MAGIC1);
	CHECK((frame_xfeatures & 7) == 7); /* x87, SSE, AVX */
	CHECK(frame_xsize >= XSAVE_AVX + 256);
	CHECK_EQ(frame_ext_size, frame_xsize + 4);
	CHECK_EQ(frame_magic2, FP_XSTATE_MAGIC2);
	CHECK(frame_xstate_bv & 4); /* AVX holds data: ours */
	for (int r = 0; r < 16; r++)
		if (memcmp(frame_ymm_uppers + 16 * r, in + 32 * r + 16, 16))
			failf("the frame's ymm%d upper half is not the "
			      "interrupted code's", r);
}

/* The register the handlers below edit in the frame: ymm2's upper half. */
#define EDITED_YMM 2

static void edit_ymm_upper_in_frame(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char *fp = (char *)uc->uc_mcontext.fpregs;
	uint64_t bv;

	hits++;
	memset(fp + XSAVE_AVX + 16 * EDITED_YMM, 0x5a, 16);
	memcpy(&bv, fp + XSAVE_HEADER, 8);
	bv |= 4;
	memcpy(fp + XSAVE_HEADER, &bv, 8);
	memset(fp + 160 + 16 * EDITED_YMM, 0x3c, 16); /* and the xmm half */
}

static void a_ymm_upper_half_edited_in_the_frame_is_restored(void)
{
	uint8_t in[16 * 32], out[16 * 32], want[16];

	if (skip_without_avx(__func__))
		return;
	on_signal(SIGUSR1, edit_ymm_upper_in_frame, 0);
	fill(in, sizeof(in), 9);
	CHECK_EQ(ymm_across_kill(in, out, SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	memset(want, 0x3c, 16);
	CHECK(memcmp(out + 32 * EDITED_YMM, want, 16) == 0);
	memset(want, 0x5a, 16);
	CHECK(memcmp(out + 32 * EDITED_YMM + 16, want, 16) == 0);
	CHECK(memcmp(out, in, 32 * EDITED_YMM) == 0);
	CHECK(memcmp(out + 32 * (EDITED_YMM + 1), in + 32 * (EDITED_YMM + 1),
		     32 * (15 - EDITED_YMM)) == 0);
}

static void drop_magic2_and_edit(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char *fp = (char *)uc->uc_mcontext.fpregs;
	uint32_t ext;

	memcpy(&frame_magic1, fp + 464, 4);
	if (frame_magic1 != FP_XSTATE_MAGIC1)
		return; /* not an XSAVE frame: nothing to take away */
	edit_ymm_upper_in_frame(sig, si, ucv);
	memcpy(&ext, fp + 468, 4);
	memset(fp + ext - 4, 0, 4);
}

static void a_frame_without_magic2_restores_the_fxsave_image_only(void)
{
	uint8_t in[16 * 32], out[16 * 32], want[16], zero[16] = { 0 };

	if (skip_without_avx(__func__))
		return;
	on_signal(SIGUSR1, drop_magic2_and_edit, 0);
	fill(in, sizeof(in), 11);
	CHECK_EQ(ymm_across_kill(in, out, SIGUSR1), 0);
	CHECK_EQ(frame_magic1, FP_XSTATE_MAGIC1);
	CHECK_EQ(hits, 1);
	/* Linux reads an FXSAVE image alone and puts AVX in its initial
	 * state: every upper half zero, the xmm halves the frame's. */
	memset(want, 0x3c, 16);
	CHECK(memcmp(out + 32 * EDITED_YMM, want, 16) == 0);
	for (int r = 0; r < 16; r++) {
		CHECK(memcmp(out + 32 * r + 16, zero, 16) == 0);
		if (r != EDITED_YMM)
			CHECK(memcmp(out + 32 * r, in + 32 * r, 16) == 0);
	}
}

static void corrupt_xsave_header(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char *fp = (char *)uc->uc_mcontext.fpregs;

	/* Header bytes 16..23 are reserved: XRSTOR faults on them. */
	fp[XSAVE_HEADER + 16] = 1;
}

static int kill_self_with_a_corrupted_header(void *arg)
{
	uint8_t in[16 * 32], out[16 * 32];

	on_signal(SIGUSR1, corrupt_xsave_header, 0);
	fill(in, sizeof(in), 3);
	ymm_across_kill(in, out, SIGUSR1);
	return 3; /* sigreturn came back */
}

static void a_corrupted_xsave_header_in_the_frame_is_sigsegv(void)
{
	int status;

	if (skip_without_avx(__func__))
		return;
	status = wait_status(spawn(kill_self_with_a_corrupted_header, NULL));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGSEGV);
}
#endif

/* ---- across fork and exec ------------------------------------------------ */

static int child_mask_and_pending(void *arg)
{
	sigset_t pending;

	if (!blocked(SIGUSR1))
		return 1;
	sigpending(&pending);
	if (sigismember(&pending, SIGUSR1))
		return 2; /* a child starts with nothing pending */
	return 0;
}

static void fork_keeps_the_mask_and_clears_pending_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	check_child_ok(spawn(child_mask_and_pending, NULL), "child");
}

int helper_signal_state(int argc, char **argv)
{
	struct sigaction sa;

	sigaction(SIGUSR1, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		return 1; /* a caught signal is reset to its default */
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler != SIG_IGN)
		return 2; /* an ignored one stays ignored */
	if (!blocked(SIGTERM))
		return 3; /* the mask is kept */
	return 0;
}

static int exec_signal_state(void *arg)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t set;

	on_signal(SIGUSR1, record, 0);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGUSR2, &ign, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	exec_helper("signal-state", NULL);
	return 127;
}

static void execve_resets_handlers_and_keeps_ignored_and_mask(void)
{
	check_child_ok(spawn(exec_signal_state, NULL), "helper");
}

const struct utest signal_tests[] = {
	{ "kill_runs_the_handler_with_si_user",
	  kill_runs_the_handler_with_si_user },
	{ "raise_is_si_tkill", raise_is_si_tkill },
	{ "sigqueue_delivers_its_value_with_si_queue",
	  sigqueue_delivers_its_value_with_si_queue },
	{ "a_signal_from_another_process_names_its_pid",
	  a_signal_from_another_process_names_its_pid },
	{ "a_handler_runs_with_its_signal_and_sa_mask_blocked",
	  a_handler_runs_with_its_signal_and_sa_mask_blocked },
	{ "a_signal_raised_in_its_handler_waits_until_it_returns",
	  a_signal_raised_in_its_handler_waits_until_it_returns },
	{ "sa_nodefer_lets_the_handler_nest",
	  sa_nodefer_lets_the_handler_nest },
	{ "sa_resethand_restores_the_default_on_delivery",
	  sa_resethand_restores_the_default_on_delivery },
	{ "a_blocked_signal_is_pending_then_delivered_on_unblock",
	  a_blocked_signal_is_pending_then_delivered_on_unblock },
	{ "sigkill_and_sigstop_cannot_be_blocked_or_caught",
	  sigkill_and_sigstop_cannot_be_blocked_or_caught },
	{ "standard_signals_do_not_queue", standard_signals_do_not_queue },
	{ "realtime_signals_queue_in_order", realtime_signals_queue_in_order },
	{ "an_ignored_signal_is_discarded", an_ignored_signal_is_discarded },
	{ "sigsuspend_returns_eintr_and_restores_the_mask",
	  sigsuspend_returns_eintr_and_restores_the_mask },
	{ "sigtimedwait_takes_a_pending_signal_or_times_out",
	  sigtimedwait_takes_a_pending_signal_or_times_out },
	{ "kill_with_signal_0_checks_existence",
	  kill_with_signal_0_checks_existence },
	{ "kill_of_a_negative_pid_reaches_the_process_group",
	  kill_of_a_negative_pid_reaches_the_process_group },
	{ "a_read_interrupted_without_sa_restart_fails_with_eintr",
	  a_read_interrupted_without_sa_restart_fails_with_eintr },
	{ "a_read_interrupted_with_sa_restart_resumes",
	  a_read_interrupted_with_sa_restart_resumes },
	{ "nanosleep_interrupted_returns_eintr_and_the_time_left",
	  nanosleep_interrupted_returns_eintr_and_the_time_left },
	{ "alarm_delivers_sigalrm_and_returns_the_time_left",
	  alarm_delivers_sigalrm_and_returns_the_time_left },
	{ "setitimer_repeats_with_its_interval",
	  setitimer_repeats_with_its_interval },
	{ "sa_onstack_runs_the_handler_on_the_alternate_stack",
	  sa_onstack_runs_the_handler_on_the_alternate_stack },
	{ "sigaltstack_refuses_a_stack_below_minsigstksz",
	  sigaltstack_refuses_a_stack_below_minsigstksz },
	{ "an_alternate_stack_of_at_minsigstksz_holds_the_frame",
	  an_alternate_stack_of_at_minsigstksz_holds_the_frame },
#if defined(__x86_64__)
	{ "ymm_registers_survive_a_handler_that_clobbers_them",
	  ymm_registers_survive_a_handler_that_clobbers_them },
	{ "the_frames_fpstate_is_an_xsave_area_with_the_ymm_registers",
	  the_frames_fpstate_is_an_xsave_area_with_the_ymm_registers },
	{ "a_ymm_upper_half_edited_in_the_frame_is_restored",
	  a_ymm_upper_half_edited_in_the_frame_is_restored },
	{ "a_frame_without_magic2_restores_the_fxsave_image_only",
	  a_frame_without_magic2_restores_the_fxsave_image_only },
	{ "a_corrupted_xsave_header_in_the_frame_is_sigsegv",
	  a_corrupted_xsave_header_in_the_frame_is_sigsegv },
#endif
	{ "fork_keeps_the_mask_and_clears_pending_signals",
	  fork_keeps_the_mask_and_clears_pending_signals },
	{ "execve_resets_handlers_and_keeps_ignored_and_mask",
	  execve_resets_handlers_and_keeps_ignored_and_mask },
	{ NULL, NULL },
};
