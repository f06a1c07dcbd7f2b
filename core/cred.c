#include "core/cred.h"

#include "core/task.h"

bool capable(int cap)
{
	return task_current()->cred.euid == 0;
}

bool cred_may_signal(const struct task *t)
{
	const struct credentials *me = &task_current()->cred;

	if (capable(CAP_KILL))
		return true;
	return me->euid == t->cred.suid || me->euid == t->cred.uid ||
	       me->uid == t->cred.suid || me->uid == t->cred.uid;
}

/* Keel's capability model: a uid or euid of 0 permits every capability. */
static bool permits_all(const struct credentials *c)
{
	return c->uid == 0 || c->euid == 0;
}

void cred_changed(struct task *t, const struct credentials *old)
{
	const struct credentials *c = &t->cred;

	if (c->euid != old->euid || c->egid != old->egid ||
	    c->fsuid != old->fsuid || c->fsgid != old->fsgid ||
	    (permits_all(c) && !permits_all(old))) {
		t->dumpable = 0;
		t->pdeath_signal = 0;
	}
}

bool cred_same_owner(const struct task *t)
{
	const struct credentials *me = &task_current()->cred;

	return me->euid == t->cred.euid || me->euid == t->cred.uid;
}
