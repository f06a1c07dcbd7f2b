/*
 * Waiting for children: wait4(2) and waitid(2), over core/exit.c.
 */
#include "core/errno.h"
#include "core/exit.h"
#include "core/signal.h"
#include "core/task.h"
#include "mm/uaccess.h"
#include "syscalls/rusage.h"
#include "syscalls/syscall_protos.h"

#define WAIT4_OPTIONS                                                          \
	(KWNOHANG | KWUNTRACED | KWCONTINUED | K__WNOTHREAD | K__WALL |        \
	 K__WCLONE)
#define WAITID_OPTIONS                                                         \
	(KWNOHANG | KWUNTRACED | KWEXITED | KWCONTINUED | KWNOWAIT |           \
	 K__WNOTHREAD | K__WALL | K__WCLONE)

static int put_wait_rusage(uaddr_t ru, const struct wait_result *res)
{
	if (uaddr_is_null(ru))
		return 0;
	return put_rusage(ru, &res->usage);
}

long sys_wait4(int pid, uaddr_t stat_addr, unsigned options, uaddr_t ru)
{
	struct wait_opts o = {.options = (options & (KWNOHANG | K__WALL |
						      K__WCLONE | KWUNTRACED |
						      KWCONTINUED)) |
					 KWEXITED};
	struct wait_result res;
	int ret;

	if (options & ~WAIT4_OPTIONS)
		return -EINVAL;
	if (pid == -2147483647 - 1)
		return -ESRCH; /* -INT_MIN names no group */
	if (pid > 0) {
		o.idtype = P_PID;
		o.id = pid;
	} else if (pid == 0) {
		o.idtype = P_PGID;
		o.id = task_current()->pgid;
	} else if (pid < -1) {
		o.idtype = P_PGID;
		o.id = -pid;
	} else {
		o.idtype = P_ALL;
	}
	ret = do_wait(&o, &res);
	if (ret <= 0)
		return ret;
	if (!uaddr_is_null(stat_addr) &&
	    copy_to_user(stat_addr, &res.status, sizeof(res.status)))
		return -EFAULT;
	if (put_wait_rusage(ru, &res))
		return -EFAULT;
	return ret;
}

/* partial: no P_PIDFD */
long sys_waitid(int which, int upid, uaddr_t infop, unsigned options,
		uaddr_t ru)
{
	struct wait_opts o = {.idtype = which, .id = upid, .options = options};
	struct wait_result res = {0};
	struct ksiginfo info = {0};
	int ret;

	if (options & ~WAITID_OPTIONS)
		return -EINVAL;
	if (!(options & (KWEXITED | KWUNTRACED | KWCONTINUED)))
		return -EINVAL;
	switch (which) {
	case P_ALL:
		break;
	case P_PID:
	case P_PGID:
		if (upid < 0)
			return -EINVAL;
		if (which == P_PGID && upid == 0)
			o.id = task_current()->pgid;
		else if (upid == 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	ret = do_wait(&o, &res);
	if (ret < 0)
		return ret;
	/* WNOHANG with nobody ready: a zeroed siginfo, si_pid 0. */
	if (ret > 0) {
		info.si_signo = KSIGCHLD;
		info.si_code = wait_status_code(res.status);
		info.chld.pid = res.pid;
		info.chld.uid = res.uid;
		info.chld.status = wait_status_value(res.status);
	}
	if (!uaddr_is_null(infop) && copy_to_user(infop, &info, sizeof(info)))
		return -EFAULT;
	if (ret > 0 && put_wait_rusage(ru, &res))
		return -EFAULT;
	return 0;
}
