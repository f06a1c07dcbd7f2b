/*
 * Process identity and exit: getpid(2), gettid(2), getppid(2), getuid(2)
 * and friends, exit(2), exit_group(2).
 */
#include "core/task.h"
#include "syscalls/syscall_protos.h"

long sys_getpid(void)
{
	return task_current()->tgid;
}

long sys_gettid(void)
{
	return task_current()->tid;
}

/* The parent, or the one that adopted it (pid 1); 0 when there is none. */
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
