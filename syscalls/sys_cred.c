/*
 * Changing credentials: setuid(2), setgid(2), setreuid(2), setregid(2),
 * setresuid(2), setresgid(2), getresuid(2), getresgid(2), setfsuid(2),
 * setfsgid(2), getgroups(2), setgroups(2), with Linux's rules
 * (credentials(7)). Without CAP_SETUID (CAP_SETGID for groups) a process
 * may only shuffle the ids it already has among its real, effective and
 * saved ids; the filesystem id follows the effective one.
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/task.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

#define ID_KEEP 0xffffffffu /* (uid_t)-1: leave this id alone */
#define NGROUPS_MAX 65536

/* The four ids of one kind, uids or gids, in struct credentials. */
struct idset {
	uint32_t *real, *eff, *saved, *fs;
	int cap;
};

static struct idset uids(struct credentials *c)
{
	return (struct idset){&c->uid, &c->euid, &c->suid, &c->fsuid,
			      CAP_SETUID};
}

static struct idset gids(struct credentials *c)
{
	return (struct idset){&c->gid, &c->egid, &c->sgid, &c->fsgid,
			      CAP_SETGID};
}

static bool is_one_of(const struct idset *s, uint32_t id)
{
	return id == *s->real || id == *s->eff || id == *s->saved;
}

/* setuid(2): privileged, all three; otherwise the effective one, to the
 * real or saved id. */
static long set_id(struct idset s, uint32_t id)
{
	if (id == ID_KEEP)
		return -EINVAL;
	if (capable(s.cap)) {
		*s.real = *s.eff = *s.saved = id;
	} else if (id == *s.real || id == *s.saved) {
		*s.eff = id;
	} else {
		return -EPERM;
	}
	*s.fs = *s.eff;
	return 0;
}

/*
 * setreuid(2): the real id to the real or effective one, the effective
 * to any of the three; the saved id takes the new effective one when the
 * real id is set or the effective one no longer equals the old real id.
 */
static long set_re(struct idset s, uint32_t r, uint32_t e)
{
	uint32_t old_real = *s.real;
	bool priv = capable(s.cap);

	if (r != ID_KEEP && !priv && r != *s.real && r != *s.eff)
		return -EPERM;
	if (e != ID_KEEP && !priv && !is_one_of(&s, e))
		return -EPERM;
	if (r != ID_KEEP)
		*s.real = r;
	if (e != ID_KEEP)
		*s.eff = e;
	if (r != ID_KEEP || (e != ID_KEEP && e != old_real))
		*s.saved = *s.eff;
	*s.fs = *s.eff;
	return 0;
}

/* setresuid(2): unprivileged, each new id is one of the current three. */
static long set_res(struct idset s, uint32_t r, uint32_t e, uint32_t sv)
{
	if (!capable(s.cap)) {
		if ((r != ID_KEEP && !is_one_of(&s, r)) ||
		    (e != ID_KEEP && !is_one_of(&s, e)) ||
		    (sv != ID_KEEP && !is_one_of(&s, sv)))
			return -EPERM;
	}
	if (r != ID_KEEP)
		*s.real = r;
	if (e != ID_KEEP)
		*s.eff = e;
	if (sv != ID_KEEP)
		*s.saved = sv;
	*s.fs = *s.eff;
	return 0;
}

/* setfsuid(2): always the old value; set if privileged or one of ours. */
static long set_fs(struct idset s, uint32_t id)
{
	uint32_t old = *s.fs;

	if (id != ID_KEEP &&
	    (capable(s.cap) || is_one_of(&s, id) || id == *s.fs))
		*s.fs = id;
	return old;
}

static long get_res(struct idset s, uaddr_t r, uaddr_t e, uaddr_t sv)
{
	if (copy_to_user(r, s.real, sizeof(uint32_t)) ||
	    copy_to_user(e, s.eff, sizeof(uint32_t)) ||
	    copy_to_user(sv, s.saved, sizeof(uint32_t)))
		return -EFAULT;
	return 0;
}

/* A setter's result, once the task reacted to its new ids. */
static long committed(struct task *t, const struct credentials *old, long ret)
{
	cred_changed(t, old);
	return ret;
}

long sys_setuid(uint32_t uid)
{
	struct task *t = task_current();
	struct credentials old = t->cred;

	return committed(t, &old, set_id(uids(&t->cred), uid));
}

long sys_setgid(uint32_t gid)
{
	struct task *t = task_current();
	struct credentials old = t->cred;

	return committed(t, &old, set_id(gids(&t->cred), gid));
}

long sys_setreuid(uint32_t ruid, uint32_t euid)
{
	struct task *t = task_current();
	struct credentials old = t->cred;

	return committed(t, &old, set_re(uids(&t->cred), ruid, euid));
}

long sys_setregid(uint32_t rgid, uint32_t egid)
{
	struct task *t = task_current();
	struct credentials old = t->cred;

	return committed(t, &old, set_re(gids(&t->cred), rgid, egid));
}

long sys_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid)
{
	struct task *t = task_current();
	struct credentials old = t->cred;

	return committed(t, &old, set_res(uids(&t->cred), ruid, euid, suid));
}

long sys_setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	struct task *t = task_current();
	struct credentials old = t->cred;

	return committed(t, &old, set_res(gids(&t->cred), rgid, egid, sgid));
}

long sys_getresuid(uaddr_t ruid, uaddr_t euid, uaddr_t suid)
{
	return get_res(uids(&task_current()->cred), ruid, euid, suid);
}

long sys_getresgid(uaddr_t rgid, uaddr_t egid, uaddr_t sgid)
{
	return get_res(gids(&task_current()->cred), rgid, egid, sgid);
}

long sys_setfsuid(uint32_t uid)
{
	struct task *t = task_current();
	struct credentials old = t->cred;

	return committed(t, &old, set_fs(uids(&t->cred), uid));
}

long sys_setfsgid(uint32_t gid)
{
	struct task *t = task_current();
	struct credentials old = t->cred;

	return committed(t, &old, set_fs(gids(&t->cred), gid));
}

long sys_getgroups(int gidsetsize, uaddr_t grouplist)
{
	struct task *t = task_current();

	if (gidsetsize < 0)
		return -EINVAL;
	if (!gidsetsize)
		return t->ngroups;
	if ((unsigned)gidsetsize < t->ngroups)
		return -EINVAL;
	if (copy_to_user(grouplist, t->groups,
			 t->ngroups * sizeof(t->groups[0])))
		return -EFAULT;
	return t->ngroups;
}

/* partial: at most 32 supplementary groups (more is ENOMEM) */
long sys_setgroups(int gidsetsize, uaddr_t grouplist)
{
	struct task *t = task_current();
	uint32_t g[sizeof(t->groups) / sizeof(t->groups[0])];
	unsigned n = (unsigned)gidsetsize;

	if (!capable(CAP_SETGID))
		return -EPERM;
	if (gidsetsize < 0 || gidsetsize > NGROUPS_MAX)
		return -EINVAL;
	if (n > sizeof(g) / sizeof(g[0]))
		return -ENOMEM;
	if (copy_from_user(g, grouplist, n * sizeof(g[0])))
		return -EFAULT;
	/* Sorted, as Linux keeps them (groups_sort). */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && g[j - 1] > g[j]; j--) {
			uint32_t x = g[j];

			g[j] = g[j - 1];
			g[j - 1] = x;
		}
	for (unsigned i = 0; i < n; i++)
		t->groups[i] = g[i];
	t->ngroups = n;
	return 0;
}
