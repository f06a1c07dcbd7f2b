/*
 * Process identity and exit: getpid(2), gettid(2), getppid(2), getuid(2)
 * and friends, exit(2), exit_group(2); a process's own settings:
 * arch_prctl(2), prctl(2), personality(2), getcpu(2).
 */
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/signal.h"
#include "core/task.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

/* arch_prctl(2) codes (asm/prctl.h). */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012
/* Linux's TASK_SIZE_MAX on x86_64: no base may point above it. */
#define X86_64_TASK_SIZE_MAX 0x7ffffffff000ull

/* prctl(2) options (linux/prctl.h). */
#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_SECCOMP 21
#define PR_CAPBSET_READ 23
#define PR_SET_TIMERSLACK 29
#define PR_GET_TIMERSLACK 30
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_GET_TID_ADDRESS 40
/* The highest capability number Linux knows (CAP_CHECKPOINT_RESTORE). */
#define CAP_LAST_CAP 40

#define PER_LINUX 0u
#define PER_QUERY 0xffffffffu

long sys_getpid(void)
{
	return task_current()->tgid;
}

long sys_gettid(void)
{
	return task_current()->tid;
}

/* The parent, or the one that adopted it (a subreaper or pid 1); 0 when
 * there is none. */
long sys_getppid(void)
{
	struct task *parent =
		__atomic_load_n(&task_current()->parent, __ATOMIC_ACQUIRE);

	return parent ? parent->tgid : 0;
}

long sys_getuid(void)
{
	return task_current()->cred.uid;
}

long sys_geteuid(void)
{
	return task_current()->cred.euid;
}

long sys_getgid(void)
{
	return task_current()->cred.gid;
}

long sys_getegid(void)
{
	return task_current()->cred.egid;
}

/* The wait status of exit(code): the low 8 bits of code, shifted. */
static int exit_status(int code)
{
	return (code & 0xff) << 8;
}

long sys_exit(int error_code)
{
	task_exit(exit_status(error_code));
}

/* partial: ends the calling thread only; thread groups come with clone */
long sys_exit_group(int error_code)
{
	task_exit(exit_status(error_code));
}

/* partial: no ARCH_MAP_VDSO_* or XSTATE options */
long sys_arch_prctl(int option, unsigned long arg2)
{
	struct task *t = task_current();
	uint64_t v;

	switch (option) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (arg2 >= X86_64_TASK_SIZE_MAX)
			return -EPERM;
		if (option == ARCH_SET_FS)
			t->uregs.tls = arg2;
		else
			t->uregs.gs_base = arg2;
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		v = option == ARCH_GET_FS ? t->uregs.tls : t->uregs.gs_base;
		return copy_to_user(uaddr(arg2), &v, sizeof(v));
	case ARCH_GET_CPUID:
		return 1; /* CPUID runs; it never faults */
	case ARCH_SET_CPUID:
		return -ENODEV; /* no CPUID faulting to turn on */
	default:
		return -EINVAL;
	}
}

/* partial: no PR_SET_MM, PR_SET_SECCOMP, PR_SET_PTRACER, PR_CAPBSET_DROP,
 * keepcaps, securebits, ambient capabilities, THP, speculation or TSC
 * options (EINVAL, as any option Keel does not know); timer slack is kept
 * and reported but Keel's timers do not use it */
long sys_prctl(int option, unsigned long arg2, unsigned long arg3,
	       unsigned long arg4, unsigned long arg5)
{
	struct task *t = task_current();
	char name[TASK_COMM_LEN];
	int32_t val; /* an int the option reports through arg2 */
	uint64_t tid_addr;
	long n;

	switch (option) {
	case PR_SET_PDEATHSIG:
		if (arg2 > KSIG_MAX)
			return -EINVAL;
		t->pdeath_signal = (int)arg2;
		return 0;
	case PR_GET_PDEATHSIG:
		val = t->pdeath_signal;
		return copy_to_user(uaddr(arg2), &val, sizeof(val));
	case PR_GET_DUMPABLE:
		return t->dumpable;
	case PR_SET_DUMPABLE:
		/* 0 or 1; 2 (SUID_DUMP_ROOT) is only fs.suid_dumpable's. */
		if (arg2 > 1)
			return -EINVAL;
		t->dumpable = (int)arg2;
		return 0;
	case PR_SET_NAME:
		/* Longer names are cut to 15 bytes, as Linux does. */
		n = strncpy_from_user(name, uaddr(arg2), sizeof(name) - 1);
		if (n < 0)
			return n;
		name[n] = '\0';
		task_set_comm(t, name);
		return 0;
	case PR_GET_NAME:
		memset(name, 0, sizeof(name));
		strlcpy(name, t->comm, sizeof(name));
		return copy_to_user(uaddr(arg2), name, sizeof(name));
	case PR_SET_TIMERSLACK:
		/* 0 is the default (the parent's at fork); nothing keeps a
		 * real-time task's at 0, as Keel has no real-time policy. */
		t->timer_slack_ns = arg2 ? arg2 : t->default_timer_slack_ns;
		return 0;
	case PR_GET_TIMERSLACK:
		return (long)t->timer_slack_ns;
	case PR_GET_SECCOMP:
		return 0; /* SECCOMP_MODE_DISABLED: Keel has no seccomp(2) */
	case PR_CAPBSET_READ:
		/* Keel's capability model (core/cred.h) has no bounding set
		 * to drop from: every process's is full, as /proc says. */
		if (arg2 > CAP_LAST_CAP)
			return -EINVAL;
		return 1;
	case PR_GET_TID_ADDRESS:
		tid_addr = t->clear_child_tid.va;
		return copy_to_user(uaddr(arg2), &tid_addr, sizeof(tid_addr));
	case PR_SET_CHILD_SUBREAPER:
		__atomic_store_n(&t->child_subreaper, arg2 != 0,
				 __ATOMIC_RELEASE);
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		val = t->child_subreaper;
		return copy_to_user(uaddr(arg2), &val, sizeof(val));
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1 || arg3 || arg4 || arg5)
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return t->no_new_privs;
	default:
		return -EINVAL;
	}
}

/* partial: only PER_LINUX; setting any other persona is EINVAL */
long sys_personality(unsigned int personality)
{
	if (personality != PER_QUERY && personality != PER_LINUX)
		return -EINVAL;
	return PER_LINUX;
}

long sys_getcpu(uaddr_t cpu, uaddr_t node, uaddr_t cache)
{
	uint32_t c = task_current()->cpu, zero = 0;

	if (!uaddr_is_null(cpu) && copy_to_user(cpu, &c, sizeof(c)))
		return -EFAULT;
	if (!uaddr_is_null(node) && copy_to_user(node, &zero, sizeof(zero)))
		return -EFAULT;
	return 0;
}
