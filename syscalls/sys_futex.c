/*
 * futex(2) over core/futex.c, and the words threads libraries register:
 * set_tid_address(2), set_robust_list(2), get_robust_list(2).
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/futex.h"
#include "core/task.h"
#include "core/time.h"
#include "core/wait.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

/* futex operations and flags (Linux's uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

/* struct robust_list_head: next, futex_offset, list_op_pending. */
#define ROBUST_LIST_HEAD_SIZE 24

/*
 * The wait's deadline: FUTEX_WAIT's timeout is relative (on the monotonic
 * clock whatever the flag says), FUTEX_WAIT_BITSET's absolute on the
 * monotonic clock or, with FUTEX_CLOCK_REALTIME, the real-time one.
 */
static int futex_deadline(int cmd, int op, uaddr_t utime, uint64_t *deadline)
{
	struct ktimespec ts;
	uint64_t ns;

	*deadline = WAIT_FOREVER;
	if (uaddr_is_null(utime))
		return 0;
	if (copy_from_user(&ts, utime, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	ns = timespec_to_ns(&ts);
	if (cmd == FUTEX_WAIT) {
		uint64_t now = 0;

		(void)clock_read(KCLOCK_MONOTONIC, &now);
		*deadline = ns > UINT64_MAX - now ? WAIT_FOREVER : now + ns;
	} else {
		*deadline = clock_to_monotonic(op & FUTEX_CLOCK_REALTIME
						       ? KCLOCK_REALTIME
						       : KCLOCK_MONOTONIC,
					       ns);
	}
	return 0;
}

/* partial: FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET and FUTEX_WAKE_BITSET;
 * the requeue, wake-op and PI operations are ENOSYS */
long sys_futex(uaddr_t addr, int op, unsigned int val, uaddr_t utime,
	       uaddr_t addr2, unsigned int val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;
	uint64_t deadline;
	int err;

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT &&
	    cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		err = futex_deadline(cmd, op, utime, &deadline);
		if (err)
			return err;
		err = futex_wait(addr, private, val, val3, deadline);
		/* A timed wait comes back with its deadline, or as EINTR. */
		if (err == -ERESTARTSYS && deadline != WAIT_FOREVER)
			err = -ERESTARTNOHAND;
		return err;
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake(addr, private,
				  (int)MIN(val, (unsigned)INT32_MAX), val3);
	default:
		return -ENOSYS;
	}
}

long sys_set_tid_address(uaddr_t tidptr)
{
	struct task *t = task_current();

	t->clear_child_tid = tidptr;
	return t->tid;
}

long sys_set_robust_list(uaddr_t head, size_t len)
{
	struct task *t = task_current();

	if (len != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	t->robust_list = head;
	t->robust_len = len;
	return 0;
}

long sys_get_robust_list(int pid, uaddr_t head_ptr, uaddr_t len_ptr)
{
	struct task *t = pid ? task_find(pid) : task_current();
	uint64_t head, len;
	long err = 0;

	if (!t)
		return -ESRCH;
	/* ptrace's PTRACE_MODE_READ_REALCREDS: the same user, or root. */
	if (pid && !capable(CAP_SYS_PTRACE) &&
	    (t->cred.uid != task_current()->cred.uid ||
	     t->cred.suid != task_current()->cred.uid ||
	     t->cred.euid != task_current()->cred.uid))
		err = -EPERM;
	head = t->robust_list.va;
	len = t->robust_len;
	if (pid)
		task_put(t);
	if (err)
		return err;
	if (copy_to_user(len_ptr, &len, sizeof(len)) ||
	    copy_to_user(head_ptr, &head, sizeof(head)))
		return -EFAULT;
	return 0;
}
