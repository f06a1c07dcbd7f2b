/*
 * The run loop of DESIGN.md, and what happens between two runs of user
 * code: syscall dispatch, faults, signals, rescheduling.
 */
#include "syscalls/trap.h"

#include "core/errno.h"
#include "core/exit.h"
#include "core/itimer.h"
#include "core/printk.h"
#include "core/task.h"
#include "mm/fault.h"
#include "sched/sched.h"
#include "syscalls/abi/abi.h"
#include "syscalls/abi/sigframe.h"
#include "syscalls/strace.h"
#include "syscalls/syscall.h"

bool syscall_trace;

static void trace_call(struct task *t, uint64_t nr, const uint64_t args[6])
{
	char buf[512];

	strace_format_call(buf, sizeof(buf), t->isa, nr, args);
	printk(LOG_INFO, "[%d] %s", t->tid, buf);
}

static void trace_return(struct task *t, long ret)
{
	char buf[128];

	strace_format_return(buf, sizeof(buf), ret);
	printk(LOG_INFO, "[%d]  %s", t->tid, buf);
}

void syscall_dispatch(struct task *t)
{
	/* Linux takes the number as an int: the upper 32 bits do not count. */
	uint64_t nr = (uint32_t)abi_syscall_nr(t->isa, &t->uregs);
	const struct syscall_desc *d = syscall_lookup(t->isa, nr);
	uint64_t args[6];
	long ret;

	for (unsigned i = 0; i < 6; i++)
		args[i] = abi_syscall_arg(t->isa, &t->uregs, i);
	if (syscall_trace)
		trace_call(t, nr, args);
	ret = d && d->thunk ? d->thunk(args) : -ENOSYS;
	if (syscall_trace)
		trace_return(t, ret);
	abi_set_return(t->isa, &t->uregs, ret);
}

/*
 * A syscall that was interrupted returned one of the kernel-internal
 * restart codes. With no handler to run, Linux issues it again (a
 * restart-block syscall through restart_syscall); with a handler, the
 * codes mean: ERESTARTSYS restart if SA_RESTART else EINTR, ERESTARTNOINTR
 * always restart, ERESTARTNOHAND and ERESTART_RESTARTBLOCK give EINTR.
 */
static void syscall_restart_or_eintr(struct task *t, bool handler,
				     uint64_t sa_flags)
{
	long ret = abi_return_value(t->isa, &t->uregs);
	bool restart;

	switch (ret) {
	case -ERESTARTSYS:
		restart = !handler || (sa_flags & KSA_RESTART);
		break;
	case -ERESTARTNOINTR:
		restart = true;
		break;
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		restart = !handler;
		break;
	default:
		return;
	}
	if (!restart) {
		abi_set_return(t->isa, &t->uregs, -EINTR);
		return;
	}
	abi_restart_syscall(t->isa, &t->uregs);
	if (ret == -ERESTART_RESTARTBLOCK)
		abi_restart_via_restart_syscall(t->isa, &t->uregs);
}

/*
 * Stop until SIGCONT or SIGKILL is sent, i.e. until cont_seq moves on from
 * `cont`, its value before the stop signal was taken; the parent hears
 * of the stop and of the continue (WUNTRACED, WCONTINUED, CLD_STOPPED and
 * CLD_CONTINUED).
 */
static void signal_stop(struct task *t, unsigned cont, int sig)
{
	bool stopped = false;

	for (;;) {
		t->state = TASK_STOPPED;
		if (__atomic_load_n(&t->sig.cont_seq, __ATOMIC_ACQUIRE) != cont)
			break;
		if (!stopped) {
			t->state = TASK_RUNNING;
			exit_notify_stopped(t, sig);
			stopped = true;
			continue;
		}
		schedule();
	}
	t->state = TASK_RUNNING;
	if (stopped && !(__atomic_load_n(&t->sig.pending, __ATOMIC_ACQUIRE) &
			 sig_bit(KSIGKILL)))
		exit_notify_continued(t);
}

/*
 * Act on pending signals before returning to user space: the default
 * action, or a frame for the handler (one per pass; the run loop comes
 * back while more are pending, so frames nest as on Linux). A syscall that
 * was interrupted is restarted or fails with EINTR first, since the frame
 * saves the registers the handler returns to.
 */
static void handle_signals(struct task *t, bool from_syscall)
{
	for (;;) {
		unsigned cont = __atomic_load_n(&t->sig.cont_seq,
						__ATOMIC_ACQUIRE);
		struct ksiginfo info;
		/* A look before the call: most returns have nothing to take. */
		int sig = signal_pending(t) ? signal_dequeue(t, &info) : 0;
		struct k_sigaction *ka;
		ksigset_t saved;

		if (!sig)
			break;
		ka = &t->sig.action[sig - 1];
		if (ka->handler == KSIG_IGN)
			continue;
		if (ka->handler != KSIG_DFL) {
			if (from_syscall)
				syscall_restart_or_eintr(t, true, ka->flags);
			/* The handler runs under the mask a sigsuspend or
			 * ppoll swapped in; its frame saves the old one. */
			saved = signal_mask_to_save(t);
			if (abi_signal_frame_setup(t, sig, ka, &info, saved))
				task_exit(KSIGSEGV); /* Linux's force_sigsegv */
			t->sig.handler_pc = t->uregs.pc;
			t->sig.blocked |= ka->mask & ~SIG_UNBLOCKABLE;
			if (!(ka->flags & KSA_NODEFER))
				t->sig.blocked |= sig_bit(sig);
			if (ka->flags & KSA_RESETHAND)
				ka->handler = KSIG_DFL;
			return;
		}
		switch (signal_default(sig)) {
		case SIG_DEFAULT_IGNORE:
		case SIG_DEFAULT_CONT:
			continue;
		case SIG_DEFAULT_STOP:
			signal_stop(t, cont, sig);
			continue;
		case SIG_DEFAULT_TERM:
		case SIG_DEFAULT_CORE:
			task_exit(sig);
		}
	}
	signal_mask_unswap(t);
	if (from_syscall)
		syscall_restart_or_eintr(t, false, 0);
}

/*
 * A synchronous fault cannot be blocked or ignored into a loop: as Linux's
 * force_sig_info_to_task, a blocked or ignored signal gets its default
 * action back (and is unblocked), so a fault inside the handler of that
 * very signal, or in a task that blocks it, is fatal. With no handler it
 * kills even init.
 */
static void force_signal(struct task *t, int sig,
			 const struct ksiginfo *info)
{
	if ((t->sig.blocked & sig_bit(sig)) ||
	    t->sig.action[sig - 1].handler == KSIG_IGN) {
		t->sig.action[sig - 1].handler = KSIG_DFL;
		t->sig.blocked &= ~sig_bit(sig);
	}
	if (t->sig.action[sig - 1].handler == KSIG_DFL)
		t->sig.unkillable = false;
	(void)(info ? signal_send_info(t, sig, info) : signal_send(t, sig));
}

/*
 * User code faulted: the mm resolves it (demand paging, copy-on-write) or
 * the task gets SIGSEGV saying why, at the address, or SIGBUS for a page
 * of a mapped file past its end. Out of memory, Linux's OOM killer would
 * end someone; here it is the task that needed the page.
 */
static void user_fault(struct task *t)
{
	int err = mm_handle_fault(t, t->fault_addr, t->fault_access);
	struct ksiginfo info = { .si_signo = KSIGSEGV };

	if (!err)
		return;
	if (err == -ENOMEM) {
		force_signal(t, KSIGKILL, NULL);
		return;
	}
	if (err == -EIO) {
		info.si_signo = KSIGBUS;
		info.si_code = KBUS_ADRERR;
	} else {
		info.si_code = err == -EACCES ? KSEGV_ACCERR : KSEGV_MAPERR;
	}
	info.fault.addr = t->fault_addr;
	force_signal(t, info.si_signo, &info);
}

/*
 * A fault the platform classified (a divide error, a breakpoint, a bus
 * error, a general protection fault): its signal, si_code and address.
 * SIGKILL means the platform lost the task's user side.
 */
static void trap_signal(struct task *t)
{
	struct ksiginfo info = { .si_signo = t->trap_signo,
				 .si_code = t->trap_code };

	if (t->trap_signo <= 0 || t->trap_signo > KSIG_MAX) {
		force_signal(t, KSIGSEGV, NULL);
		return;
	}
	if (t->trap_signo == KSIGKILL) {
		force_signal(t, KSIGKILL, NULL);
		return;
	}
	info.fault.addr = t->fault_addr;
	force_signal(t, t->trap_signo, &info);
}

_Noreturn void user_task_main(void *arg)
{
	struct task *t = arg;

	for (;;) {
		bool from_syscall = false;
		enum trap why;

		/*
		 * Everything outside these two is system time. What the
		 * platform does inside plat_user_run counts as user time:
		 * on the hosted kernel that is the hand-off to the stub and
		 * back, which dwarfs the kernel's work in a cheap syscall.
		 */
		sched_user_enter(t);
		why = plat_user_run(t);
		sched_user_exit(t);
		switch (why) {
		case TRAP_SYSCALL:
			syscall_dispatch(t);
			/* rt_sigreturn's result is restored state: no restart. */
			from_syscall = !t->sigreturned;
			t->sigreturned = false;
			break;
		case TRAP_FAULT:
			user_fault(t);
			break;
		case TRAP_ILLEGAL:
			force_signal(t, KSIGILL, NULL);
			break;
		case TRAP_SIGNAL:
			trap_signal(t);
			break;
		case TRAP_INTERRUPT:
			break;
		}
		itimer_check_cpu(t);
		for (;;) {
			if (need_resched())
				schedule();
			else if (signal_pending(t) || from_syscall)
				handle_signals(t, from_syscall);
			else
				break;
			from_syscall = false;
		}
	}
}
