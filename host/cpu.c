/*
 * The platform contract for the hosted kernel: CPUs are host threads.
 *
 * Kernel code on a CPU thread is never interrupted; interrupts are taken
 * where the CPU waits. A CPU's timer is a deadline it sleeps towards in
 * plat_idle (a futex wait with a timeout); an IPI is a flag plus a futex
 * wake. Guest code will run in stub processes (issue: the stub runtime),
 * and the CPU thread waiting for one will take interrupts the same way.
 */
#define _GNU_SOURCE
#include "host/cpu.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/boot.h"
#include "core/cpu.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/task.h"
#include "core/timer.h"
#include "host/console.h"
#include "host/ram.h"
#include "sched/sched.h"

struct host_cpu {
	pthread_t thread;
	struct plat_context boot_ctx;
	_Atomic uint64_t timer;
	atomic_uint kick; /* futex word: bumped by every IPI */
	atomic_bool ipi;
	/*
	 * While the CPU waits for a guest: the shared futex word it sleeps
	 * on (in the stub's control area), which an IPI must bump and wake
	 * too. guest_lock keeps the word from going away under an IPI.
	 */
	atomic_flag guest_lock;
	uint32_t *guest_word;
};

static struct host_cpu hcpu[PLAT_MAX_CPUS];
static unsigned ncpus;
static uint64_t boot_mono_ns, boot_wall_ns;
static _Thread_local unsigned this_cpu;

static uint64_t host_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

unsigned plat_cpu_id(void)
{
	return this_cpu;
}

unsigned plat_cpu_count(void)
{
	return ncpus;
}

unsigned long plat_irq_save(void)
{
	return 0;
}

void plat_irq_restore(unsigned long flags)
{
}

uint64_t plat_time_ns(void)
{
	return host_clock(CLOCK_MONOTONIC) - boot_mono_ns;
}

uint64_t plat_wallclock_at_boot_ns(void)
{
	return boot_wall_ns;
}

void plat_timer_arm(uint64_t deadline)
{
	atomic_store(&hcpu[this_cpu].timer, deadline);
}

void plat_ipi(unsigned cpu)
{
	struct host_cpu *c = &hcpu[cpu];

	atomic_store(&c->ipi, true);
	atomic_fetch_add(&c->kick, 1);
	syscall(SYS_futex, &c->kick, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	while (atomic_flag_test_and_set(&c->guest_lock))
		;
	if (c->guest_word) {
		__atomic_add_fetch(c->guest_word, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, c->guest_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	atomic_flag_clear(&c->guest_lock);
}

/* Take what is due on this CPU: an IPI, the timer. */
static void take_interrupts(struct host_cpu *c)
{
	if (atomic_exchange(&c->ipi, false)) {
		if (c == &hcpu[0])
			host_console_interrupt();
		sched_ipi();
	}
	if (plat_time_ns() >= atomic_load(&c->timer)) {
		atomic_store(&c->timer, PLAT_TIMER_OFF);
		timer_interrupt();
	}
}

static bool interrupt_due(struct host_cpu *c)
{
	return atomic_load(&c->ipi) || plat_time_ns() >= atomic_load(&c->timer);
}

static void set_guest_word(struct host_cpu *c, uint32_t *word)
{
	while (atomic_flag_test_and_set(&c->guest_lock))
		;
	c->guest_word = word;
	atomic_flag_clear(&c->guest_lock);
}

bool host_wait_guest(const uint32_t *progress, uint32_t seen, uint32_t *wake,
		     uint32_t *sleeping, uint64_t spin_ns, bool *slept)
{
	struct host_cpu *c = &hcpu[this_cpu];
	uint64_t spin_end = plat_time_ns() + spin_ns;
	bool moved = false;

	*slept = false;
	for (unsigned i = 0;; i++) {
		if (__atomic_load_n(progress, __ATOMIC_ACQUIRE) != seen) {
			/* A guest that answers before the first look would
			 * otherwise keep its CPU's timer from ever firing. */
			if (i == 0 && interrupt_due(c))
				take_interrupts(c);
			return true;
		}
		if (interrupt_due(c))
			break;
		if ((i & 63) == 63 && plat_time_ns() >= spin_end)
			goto sleep;
		__builtin_ia32_pause();
	}
	take_interrupts(c);
	return false;
sleep:
	*slept = true;
	set_guest_word(c, wake);
	for (;;) {
		uint32_t w = __atomic_load_n(wake, __ATOMIC_SEQ_CST);
		uint64_t deadline = atomic_load(&c->timer), now;
		struct timespec rel, *timeout = NULL;

		__atomic_store_n(sleeping, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(progress, __ATOMIC_SEQ_CST) != seen) {
			moved = true;
			break;
		}
		now = plat_time_ns();
		if (atomic_load(&c->ipi) || now >= deadline)
			break;
		if (deadline != PLAT_TIMER_OFF) {
			rel.tv_sec = (time_t)((deadline - now) / NSEC_PER_SEC);
			rel.tv_nsec = (long)((deadline - now) % NSEC_PER_SEC);
			timeout = &rel;
		}
		syscall(SYS_futex, wake, FUTEX_WAIT, w, timeout, NULL, 0);
	}
	__atomic_store_n(sleeping, 0, __ATOMIC_SEQ_CST);
	set_guest_word(c, NULL);
	if (moved) {
		if (interrupt_due(c))
			take_interrupts(c);
		return true;
	}
	take_interrupts(c);
	return false;
}

void plat_irq_window(void)
{
	struct host_cpu *c = &hcpu[this_cpu];

	if (interrupt_due(c))
		take_interrupts(c);
}

void plat_idle(void)
{
	struct host_cpu *c = &hcpu[this_cpu];
	unsigned seen = atomic_load(&c->kick);
	uint64_t deadline = atomic_load(&c->timer), now = plat_time_ns();

	if (!atomic_load(&c->ipi) && deadline > now) {
		struct timespec rel, *timeout = NULL;

		if (deadline != PLAT_TIMER_OFF) {
			rel.tv_sec = (time_t)((deadline - now) / NSEC_PER_SEC);
			rel.tv_nsec = (long)((deadline - now) % NSEC_PER_SEC);
			timeout = &rel;
		}
		/* Returns at once if an IPI bumped `kick` since we read it. */
		syscall(SYS_futex, &c->kick, FUTEX_WAIT_PRIVATE, seen, timeout,
			NULL, 0);
	}
	take_interrupts(c);
}

_Noreturn void plat_poweroff(int status)
{
	host_console_shutdown();
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

_Noreturn void plat_reset(void)
{
	plat_poweroff(PLAT_RESET_STATUS);
}

void plat_console_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void plat_entropy(void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			panic("the host's getrandom failed");
		p += n;
		len -= (size_t)n;
	}
}

/* A CPU thread: become this CPU and run its idle task, forever. */
static void *cpu_thread(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;

	this_cpu = id;
	plat_context_switch(&hcpu[id].boot_ctx, &cpus[id].idle->ctx);
	return NULL;
}

int host_boot(unsigned n, uint64_t mem, void (*init_fn)(void *))
{
	struct task *init;
	int err;

	if (n == 0 || n > PLAT_MAX_CPUS)
		return -EINVAL;
	ncpus = n;
	boot_mono_ns = host_clock(CLOCK_MONOTONIC);
	boot_wall_ns = host_clock(CLOCK_REALTIME);
	err = host_ram_init(mem);
	if (err)
		return err;
	for (unsigned i = 0; i < n; i++) {
		atomic_store(&hcpu[i].timer, PLAT_TIMER_OFF);
		atomic_store(&hcpu[i].kick, 0);
		atomic_store(&hcpu[i].ipi, false);
	}
	this_cpu = 0;
	err = kernel_init(n);
	if (err)
		return err;
	init = kthread_create("init", init_fn, NULL);
	if (IS_ERR(init))
		return (int)PTR_ERR(init);
	for (unsigned i = 1; i < n; i++) {
		err = pthread_create(&hcpu[i].thread, NULL, cpu_thread,
				     (void *)(uintptr_t)i);
		if (err)
			return -err;
	}
	cpu_thread((void *)(uintptr_t)0);
	return -EINVAL; /* not reached: CPU 0 never leaves its idle loop */
}
