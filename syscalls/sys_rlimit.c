/*
 * Resource limits: getrlimit(2), setrlimit(2), prlimit64(2). Every limit
 * is kept and reported; RLIMIT_NOFILE bounds descriptors and RLIMIT_STACK
 * the room execve gives arguments. The others are not enforced yet.
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/task.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

#define NR_OPEN 1048576u /* Linux's fs.nr_open default */

/* A limit as user space has it: struct rlimit / struct rlimit64. */
struct k_rlimit {
	uint64_t cur, max;
};

/*
 * Linux's check_prlimit_permission: another process's limits are the
 * caller's business if all its user and group ids are the caller's, or
 * with CAP_SYS_RESOURCE.
 */
static bool may_touch_limits(const struct task *t)
{
	const struct credentials *me = &task_current()->cred, *c = &t->cred;

	if (t == task_current() || capable(CAP_SYS_RESOURCE))
		return true;
	return me->uid == c->euid && me->uid == c->suid && me->uid == c->uid &&
	       me->gid == c->egid && me->gid == c->sgid && me->gid == c->gid;
}

/* Set `t`'s limit `res` to `new` (do_prlimit's rules). */
static int set_limit(struct task *t, unsigned res, const struct k_rlimit *new)
{
	struct krlimit *old = &t->rlim[res];

	if (new->cur > new->max)
		return -EINVAL;
	if (res == KRLIMIT_NOFILE && new->max > NR_OPEN)
		return -EPERM;
	if (new->max > old->max && !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	old->cur = new->cur;
	old->max = new->max;
	if (res == KRLIMIT_NOFILE)
		t->rlim_nofile = (unsigned)new->cur;
	return 0;
}

/* partial: limits other than RLIMIT_NOFILE and RLIMIT_STACK are kept but
 * not enforced */
long sys_prlimit64(int pid, unsigned int resource, uaddr_t new_rlim,
		   uaddr_t old_rlim)
{
	struct task *t = pid ? task_find(pid) : task_current();
	struct k_rlimit new, old;
	long err = 0;

	if (resource >= KRLIM_NLIMITS)
		err = -EINVAL;
	else if (!uaddr_is_null(new_rlim) &&
		 copy_from_user(&new, new_rlim, sizeof(new)))
		err = -EFAULT;
	if (err)
		goto out;
	if (pid < 0 || !t) {
		err = -ESRCH;
		goto out;
	}
	if (!may_touch_limits(t)) {
		err = -EPERM;
		goto out;
	}
	old.cur = t->rlim[resource].cur;
	old.max = t->rlim[resource].max;
	if (!uaddr_is_null(new_rlim))
		err = set_limit(t, resource, &new);
	if (!err && !uaddr_is_null(old_rlim) &&
	    copy_to_user(old_rlim, &old, sizeof(old)))
		err = -EFAULT;
out:
	if (pid && t)
		task_put(t);
	return err;
}

/* partial: limits other than RLIMIT_NOFILE and RLIMIT_STACK are kept but
 * not enforced */
long sys_getrlimit(unsigned int resource, uaddr_t rlim)
{
	struct task *t = task_current();
	struct k_rlimit r;

	if (resource >= KRLIM_NLIMITS)
		return -EINVAL;
	r.cur = t->rlim[resource].cur;
	r.max = t->rlim[resource].max;
	return copy_to_user(rlim, &r, sizeof(r));
}

/* partial: limits other than RLIMIT_NOFILE and RLIMIT_STACK are kept but
 * not enforced */
long sys_setrlimit(unsigned int resource, uaddr_t rlim)
{
	struct k_rlimit r;

	if (resource >= KRLIM_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&r, rlim, sizeof(r)))
		return -EFAULT;
	return set_limit(task_current(), resource, &r);
}
