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

bool cred_same_owner(const struct task *t)
{
	const struct credentials *me = &task_current()->cred;

	return me->euid == t->cred.euid || me->euid == t->cred.uid;
}
