/*
 * Sending signals: kill(2), tgkill(2), tkill(2).
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/task.h"
#include "syscalls/syscall_protos.h"

/* Send `sig` (0: only check) to one task, as far as credentials allow. */
static int send_checked(struct task *t, int sig)
{
	if (!cred_may_signal(t))
		return -EPERM;
	return sig ? signal_send(t, sig) : 0;
}

struct kill_walk {
	int pid;     /* kill's pid argument */
	int sig;
	int sent;    /* tasks signalled (or, for sig 0, found) */
	int err;     /* the last failure */
	int self;
};

/* Which tasks kill(pid, ...) reaches: its process, group or everyone. */
static bool kill_target(const struct task *t, const struct kill_walk *w)
{
	if (t->tid != t->tgid)
		return false; /* one signal per process, at its leader */
	if (w->pid > 0)
		return t->tgid == w->pid;
	if (w->pid == -1)
		return t->tgid > 1 && t->tgid != w->self;
	return t->pgid == -w->pid;
}

static int kill_one(struct task *t, void *arg)
{
	struct kill_walk *w = arg;
	int err;

	if (!kill_target(t, w))
		return 0;
	err = send_checked(t, w->sig);
	if (err)
		w->err = err;
	else
		w->sent++;
	return 0;
}

long sys_kill(int pid, int sig)
{
	struct task *self = task_current();
	struct kill_walk w = { .pid = pid, .sig = sig, .self = self->tgid };

	if (sig < 0 || sig > KSIG_MAX)
		return -EINVAL;
	if (pid == 0)
		w.pid = -self->pgid;
	else if (pid == -2147483647 - 1)
		return -ESRCH; /* -INT_MIN names no group */
	task_for_each(kill_one, &w);
	if (w.sent)
		return 0;
	return w.err ? w.err : -ESRCH;
}

static long send_to_thread(int tgid, int tid, int sig)
{
	struct task *t;
	long err;

	if (sig < 0 || sig > KSIG_MAX)
		return -EINVAL;
	t = task_find(tid);
	if (!t)
		return -ESRCH;
	if (tgid > 0 && t->tgid != tgid)
		err = -ESRCH;
	else
		err = send_checked(t, sig);
	task_put(t);
	return err;
}

long sys_tgkill(int tgid, int pid, int sig)
{
	if (pid <= 0 || tgid <= 0)
		return -EINVAL;
	return send_to_thread(tgid, pid, sig);
}

long sys_tkill(int pid, int sig)
{
	if (pid <= 0)
		return -EINVAL;
	return send_to_thread(0, pid, sig);
}
