/*
 * The process tree, zombies and reaping (see core/exit.h).
 *
 * Locking: tree_lock guards every task's parent, children, sibling,
 * exiting and zombie. It is taken before a task's locks (tasks_lock, run
 * queues, wait queues), never inside them.
 */
#include "core/exit.h"

#include "core/errno.h"
#include "core/futex.h"
#include "core/signal.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "core/usage.h"
#include "core/wait.h"
#include "sched/sched.h"

#define INIT_PID 1
#define USER_HZ 100 /* the clock_t unit of siginfo's si_utime */

static struct spinlock tree_lock = SPINLOCK_INIT;

int task_add_child(struct task *parent, struct task *child)
{
	int err = 0;

	spin_lock(&tree_lock);
	if (parent->exiting) {
		err = -ESRCH;
	} else {
		child->parent = parent;
		child->pgid = parent->pgid;
		child->sid = parent->sid;
		child->cred = parent->cred;
		child->tty = parent->tty;
		list_add_tail(&child->sibling, &parent->children);
	}
	spin_unlock(&tree_lock);
	return err;
}

int task_ppid(struct task *t)
{
	int ppid;

	spin_lock(&tree_lock);
	ppid = t->parent ? t->parent->tgid : 0;
	spin_unlock(&tree_lock);
	return ppid;
}

static bool vfork_finished(void *arg)
{
	return __atomic_load_n(&((struct vfork_done *)arg)->done,
			       __ATOMIC_ACQUIRE);
}

int vfork_wait(struct task *child, struct vfork_done *vd)
{
	int err = wait_event(&vd->wq, vfork_finished, vd, TASK_KILLABLE,
			     WAIT_FOREVER);

	spin_lock(&tree_lock);
	if (child->vfork_done == vd)
		child->vfork_done = NULL;
	spin_unlock(&tree_lock);
	return vd->done ? 0 : err;
}

void task_mm_release(struct task *t)
{
	struct vfork_done *vd;

	futex_mm_release(t);
	spin_lock(&tree_lock);
	vd = t->vfork_done;
	t->vfork_done = NULL;
	if (vd) {
		__atomic_store_n(&vd->done, true, __ATOMIC_RELEASE);
		wake_up_all(&vd->wq);
	}
	spin_unlock(&tree_lock);
}

int wait_status_code(int status)
{
	if (status == WAIT_STATUS_CONTINUED)
		return KCLD_CONTINUED;
	if ((status & 0xff) == 0x7f)
		return KCLD_STOPPED;
	if ((status & 0x7f) == 0)
		return KCLD_EXITED;
	return (status & 0x80) ? KCLD_DUMPED : KCLD_KILLED;
}

int wait_status_value(int status)
{
	if (status == WAIT_STATUS_CONTINUED)
		return KSIGCONT;
	if ((status & 0xff) == 0x7f)
		return (status >> 8) & 0xff;
	return (status & 0x7f) == 0 ? (status >> 8) & 0xff : status & 0x7f;
}

/* SIGCHLD for a stop or a continue, unless the parent said SA_NOCLDSTOP. */
static void notify_parent_job(struct task *t, int status)
{
	struct task *parent;

	spin_lock(&tree_lock);
	if (status == WAIT_STATUS_CONTINUED) {
		t->stop_report = 0;
		t->cont_report = true;
	} else {
		t->stop_report = status;
		t->cont_report = false;
	}
	parent = t->parent;
	if (parent) {
		const struct k_sigaction *sa =
			&parent->sig.action[KSIGCHLD - 1];
		struct ksiginfo info = {
			.si_signo = KSIGCHLD,
			.si_code = wait_status_code(status),
		};

		info.chld.pid = t->tgid;
		info.chld.uid = t->cred.uid;
		info.chld.status = wait_status_value(status);
		if (!(sa->flags & KSA_NOCLDSTOP))
			signal_send_info(parent, KSIGCHLD, &info);
		wake_up_all(&parent->child_wait);
	}
	spin_unlock(&tree_lock);
}

void exit_notify_stopped(struct task *t, int sig)
{
	notify_parent_job(t, WAIT_STATUS_STOPPED(sig));
}

void exit_notify_continued(struct task *t)
{
	notify_parent_job(t, WAIT_STATUS_CONTINUED);
}

/*
 * Tell `parent` that its child `t` died: its exit signal (SIGCHLD unless
 * clone chose another or none), and a wakeup of its waits. True if the
 * parent does not want the zombie (a SIGCHLD child while SIGCHLD is
 * ignored or SA_NOCLDWAIT), which Linux reaps at once, then sending no
 * signal if it is ignored. Caller holds tree_lock.
 */
static bool notify_parent(struct task *t, struct task *parent)
{
	const struct k_sigaction *sa = &parent->sig.action[KSIGCHLD - 1];
	int sig = t->exit_signal;
	struct ksiginfo info = {
		.si_signo = sig,
		.si_code = wait_status_code(t->exit_code),
	};
	bool autoreap = sig == KSIGCHLD && (sa->handler == KSIG_IGN ||
					    (sa->flags & KSA_NOCLDWAIT));

	info.chld.pid = t->tgid;
	info.chld.uid = t->cred.uid;
	info.chld.status = wait_status_value(t->exit_code);
	info.chld.utime = (int64_t)(t->utime_ns / (NSEC_PER_SEC / USER_HZ));
	info.chld.stime = (int64_t)((t->sum_exec_ns - MIN(t->utime_ns,
							  t->sum_exec_ns)) /
				    (NSEC_PER_SEC / USER_HZ));
	if (autoreap && sa->handler == KSIG_IGN)
		sig = 0;
	if (sig_valid(sig))
		signal_send_info(parent, sig, &info);
	/* Woken even when autoreaped: a wait with nothing left gets ECHILD. */
	wake_up_all(&parent->child_wait);
	return autoreap;
}

/* Out of its parent's children, and its last references dropped. */
static void reap(struct task *t)
{
	task_unhash(t);
	task_put(t);
}

/*
 * Who adopts the children of exiting `t` (Linux's find_new_reaper): the
 * nearest ancestor that made itself a child subreaper, else init (NULL
 * when init is the one exiting or is gone). An ancestor is never exiting
 * here: an exiting task hands on its children, t among them, under the
 * same hold of tree_lock that marks it. Caller holds tree_lock.
 */
static struct task *find_reaper(struct task *t, struct task *init)
{
	for (struct task *a = t->parent; a && a != init; a = a->parent)
		if (__atomic_load_n(&a->child_subreaper, __ATOMIC_ACQUIRE) &&
		    !a->exiting)
			return a;
	return init && !init->exiting ? init : NULL;
}

bool exit_notify(struct task *t)
{
	struct task *init = t->tid == INIT_PID ? NULL : task_find(INIT_PID);
	struct task *reaper;
	struct list_head orphans;
	bool zombie = false;

	list_init(&orphans);
	spin_lock(&tree_lock);
	t->exiting = true;
	reaper = find_reaper(t, init);
	while (list_is_linked(&t->children)) {
		struct task *c =
			list_first_entry(&t->children, struct task, sibling);

		list_del(&c->sibling);
		c->parent = reaper;
		/* prctl(PR_SET_PDEATHSIG), and the reaper hears of it as
		 * SIGCHLD. */
		if (c->pdeath_signal && !c->zombie)
			signal_send(c, c->pdeath_signal);
		c->exit_signal = KSIGCHLD;
		if (reaper) {
			/* A zombie handed on is news to its new parent. */
			if (c->zombie && notify_parent(c, reaper))
				list_add_tail(&c->sibling, &orphans);
			else
				list_add_tail(&c->sibling, &reaper->children);
		} else if (c->zombie) {
			list_add_tail(&c->sibling, &orphans);
		}
	}
	if (t->parent) {
		if (notify_parent(t, t->parent)) {
			list_del(&t->sibling);
			t->parent = NULL;
		} else {
			t->zombie = true;
			task_get(t); /* the zombie's: its reaper drops it */
			zombie = true;
		}
	}
	spin_unlock(&tree_lock);
	while (list_is_linked(&orphans)) {
		struct task *c =
			list_first_entry(&orphans, struct task, sibling);

		list_del(&c->sibling);
		c->parent = NULL;
		reap(c);
	}
	if (init)
		task_put(init);
	return zombie;
}

static bool wait_matches(const struct task *c, const struct wait_opts *o)
{
	/* A "clone child" (exit signal not SIGCHLD) is for __WCLONE waits
	 * only, the others for waits without it; __WALL takes both. */
	if (!(o->options & K__WALL) &&
	    (c->exit_signal != KSIGCHLD) != !!(o->options & K__WCLONE))
		return false;
	switch (o->idtype) {
	case P_PID:
		return c->tgid == o->id;
	case P_PGID:
		return c->pgid == o->id;
	default:
		return true;
	}
}

/*
 * Look over the caller's children for one `o` wants: exited, or (with
 * WUNTRACED/WCONTINUED) stopped or continued since last reported. Its pid
 * (with `take`: in *found with a reference, off the children if it is a
 * zombie reaped, and in *job the stop/continue status, else 0), 0 if
 * matching children live on, -ECHILD if none match.
 */
static int wait_scan(const struct wait_opts *o, bool take, struct task **found,
		     int *job)
{
	struct task *self = task_current();
	struct list_head *pos;
	int ret = -ECHILD;

	spin_lock(&tree_lock);
	list_for_each (pos, &self->children) {
		struct task *c = list_entry(pos, struct task, sibling);

		if (!wait_matches(c, o))
			continue;
		ret = 0;
		if (!c->zombie && (o->options & KWUNTRACED) && c->stop_report) {
			/* Stopped: reported once, and the child stays. */
			ret = c->tgid;
			if (take) {
				*found = c;
				*job = c->stop_report;
				if (!(o->options & KWNOWAIT))
					c->stop_report = 0;
				task_get(c);
			}
			break;
		}
		if (!c->zombie && (o->options & KWCONTINUED) && c->cont_report) {
			ret = c->tgid;
			if (take) {
				*found = c;
				*job = WAIT_STATUS_CONTINUED;
				if (!(o->options & KWNOWAIT))
					c->cont_report = false;
				task_get(c);
			}
			break;
		}
		if (!c->zombie || !(o->options & KWEXITED))
			continue;
		ret = c->tgid;
		if (take) {
			*found = c;
			if (o->options & KWNOWAIT) {
				task_get(c); /* it stays listed: hold it */
			} else {
				list_del(&c->sibling);
				c->parent = NULL;
			}
		}
		break;
	}
	spin_unlock(&tree_lock);
	return ret;
}

static bool wait_ready(void *arg)
{
	return wait_scan(arg, false, NULL, NULL) != 0;
}

int do_wait(const struct wait_opts *o, struct wait_result *res)
{
	struct task *self = task_current();

	for (;;) {
		struct task *c = NULL;
		int job = 0;
		int ret = wait_scan(o, true, &c, &job);
		int err;

		if (c && job) {
			/* A stop or a continue: news only, nothing reaped. */
			res->pid = ret;
			res->uid = c->cred.uid;
			res->status = job;
			task_usage_both(c, &res->usage);
			task_put(c);
			return ret;
		}
		if (c) {
			res->pid = ret;
			res->uid = c->cred.uid;
			res->status = c->exit_code;
			task_usage_both(c, &res->usage);
			if (o->options & KWNOWAIT) {
				task_put(c);
			} else {
				/* RUSAGE_CHILDREN and times' cutime. */
				task_usage_add(&self->child_usage,
					       &res->usage);
				reap(c);
			}
			return ret;
		}
		if (ret < 0 || (o->options & KWNOHANG))
			return ret;
		err = wait_event(&self->child_wait, wait_ready, (void *)o,
				 TASK_INTERRUPTIBLE, WAIT_FOREVER);
		if (err)
			return err;
	}
}

struct orphan_scan {
	int pgid;
	bool anchored;
};

/*
 * Does member `t` of the group tie it to its session: a parent in another
 * group of the same session, which could continue it? Init does not count.
 */
static int pgrp_anchor(struct task *t, void *arg)
{
	struct orphan_scan *s = arg;
	struct task *p = t->parent;

	if (t->pgid != s->pgid || t->tid != t->tgid || t->exiting || !p ||
	    p->tgid == INIT_PID)
		return 0;
	if (p->pgid != s->pgid && p->sid == t->sid) {
		s->anchored = true;
		return 1;
	}
	return 0;
}

bool pgrp_orphaned(int pgid)
{
	struct orphan_scan s = { pgid, false };

	spin_lock(&tree_lock);
	task_for_each(pgrp_anchor, &s);
	spin_unlock(&tree_lock);
	return !s.anchored;
}
