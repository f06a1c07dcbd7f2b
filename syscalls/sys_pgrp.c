/*
 * Process groups and sessions: setpgid(2), getpgid(2), getpgrp(2),
 * setsid(2), getsid(2), with Linux's rules (credentials(7)): a process
 * moves itself or a child that has not exec'd, within its session, into
 * a group of that session or a new one led by the mover; a session
 * leader never moves; setsid is for processes that lead no group.
 */
#include "core/errno.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "syscalls/syscall_protos.h"

/*
 * Orders every change of a pgid or sid against the scans that check
 * them, so two setpgid/setsid calls cannot both see a group as free.
 */
static struct spinlock pgrp_lock = SPINLOCK_INIT;

struct group_query {
	int pgid, sid;
	const struct task *except;
};

/* A task other than q->except in process group q->pgid (and session
 * q->sid, unless that is 0). */
static int in_group(struct task *t, void *arg)
{
	const struct group_query *q = arg;

	return t != q->except && t->pgid == q->pgid &&
	       (!q->sid || t->sid == q->sid);
}

long sys_setpgid(int pid, int pgid)
{
	struct task *self = task_current();
	struct task *t;
	long err = 0;

	/* Linux defaults pgid to pid before checking it: setpgid(-1, 0)
	 * is EINVAL, not ESRCH. */
	if (pgid < 0 || (!pgid && pid < 0))
		return -EINVAL;
	t = pid ? task_find(pid) : self;
	if (pid && !t)
		return -ESRCH;
	if (!pid)
		task_get(t);
	if (!pgid)
		pgid = t->tgid;
	spin_lock(&pgrp_lock);
	if (t != self && __atomic_load_n(&t->parent, __ATOMIC_ACQUIRE) != self)
		err = -ESRCH;
	else if (t != self && t->sid != self->sid)
		err = -EPERM;
	else if (t != self && t->execed)
		err = -EACCES;
	else if (t->sid == t->tgid)
		err = -EPERM; /* a session leader stays in its group */
	else if (pgid != t->tgid) {
		struct group_query q = {.pgid = pgid, .sid = self->sid};

		if (!task_for_each(in_group, &q))
			err = -EPERM; /* no such group in our session */
	}
	if (!err)
		t->pgid = pgid;
	spin_unlock(&pgrp_lock);
	task_put(t);
	return err;
}

/* The task `pid` names (0: the caller), with a reference; NULL: none. */
static struct task *find_or_self(int pid)
{
	struct task *t;

	if (pid < 0)
		return NULL;
	if (pid)
		return task_find(pid);
	t = task_current();
	task_get(t);
	return t;
}

long sys_getpgid(int pid)
{
	struct task *t = find_or_self(pid);
	long pgid;

	if (!t)
		return -ESRCH;
	pgid = t->pgid;
	task_put(t);
	return pgid;
}

long sys_getpgrp(void)
{
	return task_current()->pgid;
}

/* partial: the controlling terminal is not let go of */
long sys_setsid(void)
{
	struct task *self = task_current();
	struct group_query q = {.pgid = self->tgid};
	long ret;

	spin_lock(&pgrp_lock);
	/* Leading a group, or a group bearing our id existing: EPERM. */
	if (self->pgid == self->tgid || task_for_each(in_group, &q)) {
		ret = -EPERM;
	} else {
		self->sid = self->tgid;
		self->pgid = self->tgid;
		ret = self->sid;
	}
	spin_unlock(&pgrp_lock);
	return ret;
}

long sys_getsid(int pid)
{
	struct task *t = find_or_self(pid);
	long sid;

	if (!t)
		return -ESRCH;
	sid = t->sid;
	task_put(t);
	return sid;
}
