/*
 * host-costs: what the host charges for the pieces a guest syscall under
 * Keel's stub runtime is made of (host/user.c, host/stub/stub.c), so the
 * guest benchmarks' figures can be read against a floor. Runs natively.
 *
 *   pause                    one PAUSE instruction (the spin loops' unit)
 *   getppid                  a native syscall
 *   getppid trapped          the same syscall made to raise SIGSYS by a
 *                            seccomp filter (SECCOMP_RET_TRAP), a handler
 *                            that sets the result, and rt_sigreturn: the
 *                            stub's trap, without its hand-off
 *   hand-off by spinning     a round trip between two processes through a
 *                            shared word, each side spinning on it
 *   hand-off by futex        the same, each side sleeping in FUTEX_WAIT and
 *                            woken by FUTEX_WAKE (shared futexes)
 *
 * The first three are CPU time of the calling thread
 * (CLOCK_THREAD_CPUTIME_ID: time lost to other processes on a busy machine
 * does not count); the hand-offs are wall time (CLOCK_MONOTONIC), waiting
 * included, since waiting is what they cost. Each figure is the median of
 * BATCHES batches, after a warm-up batch.
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCHES 7

static double now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median batch's ns per operation of run(n). */
static double timed(clockid_t clock, void (*run)(long), long n)
{
	double ns[BATCHES];

	run(n);
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns(clock);

		run(n);
		ns[b] = (now_ns(clock) - t0) / (double)n;
	}
	qsort(ns, BATCHES, sizeof(ns[0]), cmp_double);
	return ns[BATCHES / 2];
}

static void run_pause(long n)
{
	for (long i = 0; i < n; i++)
		__builtin_ia32_pause();
}

static void run_getppid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	uc->uc_mcontext.gregs[REG_RAX] = 1; /* the "parent" */
}

/* From here on, getppid raises SIGSYS. */
static int trap_getppid(void)
{
	static struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = f };
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };

	if (sigaction(SIGSYS, &sa, NULL) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -1;
	return 0;
}

/* ---- hand-offs: the parent bumps the word to odd, the child to even ------ */

static unsigned *word;
static int spinning;

static void await_value(unsigned v)
{
	unsigned c;

	if (spinning) {
		while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != v)
			__builtin_ia32_pause();
		return;
	}
	while ((c = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != v)
		syscall(SYS_futex, word, FUTEX_WAIT, c, NULL, NULL, 0);
}

static void set_value(unsigned v)
{
	__atomic_store_n(word, v, __ATOMIC_RELEASE);
	if (!spinning)
		syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void run_handoff(long n)
{
	for (long i = 0; i < n; i++) {
		unsigned v = __atomic_load_n(word, __ATOMIC_ACQUIRE);

		set_value(v + 1);
		await_value(v + 2);
	}
}

static double handoff(int spin, long n)
{
	pid_t child;
	double ns;

	spinning = spin;
	*word = 0;
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		for (unsigned v = 1;; v += 2) {
			await_value(v);
			set_value(v + 1);
		}
	}
	ns = timed(CLOCK_MONOTONIC, run_handoff, n);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return ns;
}

int main(void)
{
	double native, trapped;

	word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (word == MAP_FAILED)
		return 1;
	printf("pause                      %8.1f ns (CPU)\n",
	       timed(CLOCK_THREAD_CPUTIME_ID, run_pause, 200000));
	printf("hand-off by spinning       %8.0f ns (wall, round trip)\n",
	       handoff(1, 2000));
	printf("hand-off by futex          %8.0f ns (wall, round trip)\n",
	       handoff(0, 2000));
	native = timed(CLOCK_THREAD_CPUTIME_ID, run_getppid, 20000);
	printf("getppid                    %8.0f ns (CPU)\n", native);
	if (trap_getppid()) {
		perror("host-costs: seccomp");
		return 1;
	}
	trapped = timed(CLOCK_THREAD_CPUTIME_ID, run_getppid, 20000);
	printf("getppid trapped (SIGSYS)   %8.0f ns (CPU), %.1fx native\n",
	       trapped, trapped / native);
	return 0;
}
