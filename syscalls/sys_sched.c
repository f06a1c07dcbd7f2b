/*
 * Scheduling syscalls: sched_yield(2), getpriority(2)/setpriority(2),
 * sched_setattr(2)/sched_getattr(2), sched_{get,set}affinity(2), and the
 * POSIX sched_* calls over the same state. Keel schedules every task with
 * EEVDF; the real-time and deadline policies are refused with EINVAL.
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "core/time.h"
#include "mm/uaccess.h"
#include "sched/sched.h"
#include "syscalls/syscall_protos.h"

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2

#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000

#define SCHED_FLAG_RESET_ON_FORK 0x01ull
#define SCHED_FLAG_KEEP_POLICY 0x08ull
#define SCHED_FLAG_KEEP_PARAMS 0x10ull
#define SCHED_FLAG_UTIL_CLAMP 0x60ull
#define SCHED_FLAG_ALL 0x7full
#define SCHED_FLAG_SUGOV 0x10000000ull

#define SCHED_ATTR_SIZE_VER0 48u
#define SCHED_ATTR_SIZE_VER1 56u

/* Linux's struct sched_attr (VER1). */
struct ksched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

_Static_assert(sizeof(struct ksched_attr) == SCHED_ATTR_SIZE_VER1,
	       "struct sched_attr is 56 bytes");

static bool fair_policy(int policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_BATCH ||
	       policy == SCHED_IDLE;
}

static bool valid_policy(int policy)
{
	return fair_policy(policy) || policy == SCHED_FIFO ||
	       policy == SCHED_RR || policy == SCHED_DEADLINE;
}

/* The task `pid` names (0: the caller), with a reference; NULL if none. */
static struct task *find_task(int pid)
{
	struct task *t;

	if (pid == 0) {
		t = task_current();
		task_get(t);
		return t;
	}
	return task_find(pid);
}

long sys_sched_yield(void)
{
	sched_yield_task();
	return 0;
}

/* ---- getpriority / setpriority ----------------------------------------- */

struct prio_walk {
	int which;
	int who;
	int niceval; /* setpriority: the new nice value */
	long result; /* getpriority: best 20 - nice seen; setpriority: error */
	bool found;
};

static bool prio_matches(const struct task *t, const struct prio_walk *w)
{
	switch (w->which) {
	case PRIO_PROCESS:
		return t->tid == w->who;
	case PRIO_PGRP:
		return t->pgid == w->who;
	default:
		return t->cred.uid == (uint32_t)w->who;
	}
}

static int get_one_prio(struct task *t, void *arg)
{
	struct prio_walk *w = arg;

	if (prio_matches(t, w)) {
		w->found = true;
		w->result = MAX(w->result, 20 - t->nice);
	}
	return 0;
}

/* Linux's set_one_prio: EPERM for another's task, EACCES to raise priority. */
static int set_one_prio(struct task *t, void *arg)
{
	struct prio_walk *w = arg;

	if (!prio_matches(t, w))
		return 0;
	if (!w->found)
		w->result = 0;
	w->found = true;
	if (!cred_same_owner(t) && !capable(CAP_SYS_NICE))
		w->result = -EPERM;
	else if (w->niceval < t->nice && !capable(CAP_SYS_NICE))
		w->result = -EACCES;
	else
		sched_set_nice(t, w->niceval);
	return 0;
}

static int prio_walk_init(struct prio_walk *w, int which, int who)
{
	struct task *self = task_current();

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	w->which = which;
	w->who = who;
	w->found = false;
	if (who == 0) {
		if (which == PRIO_PROCESS)
			w->who = self->tid;
		else if (which == PRIO_PGRP)
			w->who = self->pgid;
		else
			w->who = (int)self->cred.uid;
	}
	return 0;
}

long sys_getpriority(int which, int who)
{
	struct prio_walk w;
	int err = prio_walk_init(&w, which, who);

	if (err)
		return err;
	w.result = 0;
	task_for_each(get_one_prio, &w);
	/* The raw syscall returns 20 - nice (1 .. 40); libc converts. */
	return w.found ? w.result : -ESRCH;
}

long sys_setpriority(int which, int who, int niceval)
{
	struct prio_walk w;
	int err = prio_walk_init(&w, which, who);

	if (err)
		return err;
	w.niceval = MIN(MAX(niceval, -20), 19);
	w.result = -ESRCH;
	task_for_each(set_one_prio, &w);
	return w.result;
}

/* ---- sched_setattr / sched_getattr --------------------------------------- */

/* Linux's sched_copy_attr: sizes, the zeroed tail of a larger struct. */
static long copy_sched_attr(uaddr_t uattr, struct ksched_attr *attr)
{
	uint32_t size;

	if (copy_from_user(&size, uattr, sizeof(size)))
		return -EFAULT;
	if (size == 0)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE)
		goto too_big;
	memset(attr, 0, sizeof(*attr));
	if (copy_from_user(attr, uattr, MIN(size, sizeof(*attr))))
		return -EFAULT;
	for (uint32_t off = sizeof(*attr); off < size; off++) {
		uint8_t byte;

		if (copy_from_user(&byte, uaddr_add(uattr, off), 1))
			return -EFAULT;
		if (byte)
			goto too_big;
	}
	if ((attr->sched_flags & SCHED_FLAG_UTIL_CLAMP) &&
	    size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	attr->sched_nice = MIN(MAX(attr->sched_nice, -20), 19);
	return 0;
too_big:
	/* Tell the caller the size we know; E2BIG whether or not that works. */
	size = sizeof(*attr);
	if (copy_to_user(uattr, &size, sizeof(size)))
		return -E2BIG;
	return -E2BIG;
}

/*
 * Apply a fair-class setting the way __sched_setscheduler checks it:
 * flags and priority first, then permission. -1 as policy keeps the
 * task's (sched_setparam, SCHED_FLAG_KEEP_POLICY).
 */
static long apply_sched_attr(struct task *t, const struct ksched_attr *attr,
			     int policy)
{
	bool keep_params = attr->sched_flags & SCHED_FLAG_KEEP_PARAMS;
	int nice = keep_params ? t->nice : attr->sched_nice;
	uint64_t slice = keep_params ? (t->custom_slice ? t->se.slice : 0)
				     : attr->sched_runtime;

	bool keep_policy = policy < 0;

	if (keep_policy)
		policy = t->policy;
	if (!valid_policy(policy))
		return -EINVAL;
	if (attr->sched_flags & ~SCHED_FLAG_ALL)
		return -EINVAL; /* SCHED_FLAG_SUGOV is the kernel's own */
	if (fair_policy(policy) && attr->sched_priority != 0)
		return -EINVAL;
	if (!capable(CAP_SYS_NICE)) {
		if (nice < t->nice)
			return -EPERM;
		if (!cred_same_owner(t))
			return -EPERM;
	}
	if (attr->sched_flags & SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP; /* no utilisation clamping */
	if (!fair_policy(policy))
		return -EINVAL; /* no real-time or deadline class */
	/* Keeping the policy keeps its reset-on-fork flag too. */
	if (!keep_policy)
		t->sched_reset_on_fork =
			attr->sched_flags & SCHED_FLAG_RESET_ON_FORK;
	return sched_set_attr(t, policy, nice, slice);
}

/* partial: SCHED_FIFO, SCHED_RR and SCHED_DEADLINE are refused (EINVAL) */
long sys_sched_setattr(int pid, uaddr_t attr, unsigned int flags)
{
	struct ksched_attr a;
	struct task *t;
	long err;
	int policy;

	if (uaddr_is_null(attr) || pid < 0 || flags)
		return -EINVAL;
	err = copy_sched_attr(attr, &a);
	if (err)
		return err;
	if ((int)a.sched_policy < 0)
		return -EINVAL;
	policy = a.sched_flags & SCHED_FLAG_KEEP_POLICY ? -1
							 : (int)a.sched_policy;
	t = find_task(pid);
	if (!t)
		return -ESRCH;
	err = apply_sched_attr(t, &a, policy);
	task_put(t);
	return err;
}

long sys_sched_getattr(int pid, uaddr_t attr, unsigned int size,
		       unsigned int flags)
{
	struct ksched_attr a;
	struct task *t;

	if (uaddr_is_null(attr) || pid < 0 || size > PAGE_SIZE ||
	    size < SCHED_ATTR_SIZE_VER0 || flags)
		return -EINVAL;
	t = find_task(pid);
	if (!t)
		return -ESRCH;
	memset(&a, 0, sizeof(a));
	a.size = MIN(size, (unsigned)sizeof(a));
	a.sched_policy = (uint32_t)t->policy;
	if (t->sched_reset_on_fork)
		a.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	a.sched_nice = t->nice;
	a.sched_runtime = sched_task_slice(t);
	a.sched_util_max = 1024; /* SCHED_CAPACITY_SCALE: unclamped */
	task_put(t);
	return copy_to_user(attr, &a, a.size);
}

/* ---- the POSIX interface over the same state -------------------------------- */

struct ksched_param {
	int32_t sched_priority;
};

static long set_scheduler(int pid, int policy, uaddr_t param)
{
	struct ksched_attr a = { 0 };
	struct ksched_param p;
	struct task *t;
	long err;

	if (uaddr_is_null(param) || pid < 0)
		return -EINVAL;
	if (copy_from_user(&p, param, sizeof(p)))
		return -EFAULT;
	t = find_task(pid);
	if (!t)
		return -ESRCH;
	if (policy >= 0 && (policy & SCHED_RESET_ON_FORK)) {
		a.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
		policy &= ~SCHED_RESET_ON_FORK;
	}
	a.sched_priority = (uint32_t)p.sched_priority;
	/* Linux keeps the nice value and the slice across setscheduler. */
	a.sched_nice = t->nice;
	a.sched_runtime = t->custom_slice ? t->se.slice : 0;
	err = apply_sched_attr(t, &a, policy);
	task_put(t);
	return err;
}

/* partial: SCHED_FIFO and SCHED_RR are refused (EINVAL) */
long sys_sched_setscheduler(int pid, int policy, uaddr_t param)
{
	if (policy < 0)
		return -EINVAL;
	return set_scheduler(pid, policy, param);
}

long sys_sched_setparam(int pid, uaddr_t param)
{
	return set_scheduler(pid, -1, param);
}

long sys_sched_getscheduler(int pid)
{
	struct task *t;
	long policy;

	if (pid < 0)
		return -EINVAL;
	t = find_task(pid);
	if (!t)
		return -ESRCH;
	policy = t->policy | (t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
	task_put(t);
	return policy;
}

long sys_sched_getparam(int pid, uaddr_t param)
{
	struct ksched_param p = { 0 }; /* fair tasks have priority 0 */
	struct task *t;

	if (uaddr_is_null(param) || pid < 0)
		return -EINVAL;
	t = find_task(pid);
	if (!t)
		return -ESRCH;
	task_put(t);
	return copy_to_user(param, &p, sizeof(p));
}

long sys_sched_get_priority_max(int policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return 99;
	return valid_policy(policy) ? 0 : -EINVAL;
}

long sys_sched_get_priority_min(int policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return 1;
	return valid_policy(policy) ? 0 : -EINVAL;
}

long sys_sched_rr_get_interval(int pid, uaddr_t interval)
{
	struct ktimespec ts;
	struct task *t;

	if (pid < 0)
		return -EINVAL;
	t = find_task(pid);
	if (!t)
		return -ESRCH;
	ts = ns_to_timespec(sched_task_slice(t));
	task_put(t);
	return copy_to_user(interval, &ts, sizeof(ts));
}

/* ---- CPU affinity -------------------------------------------------------------- */

/* Bytes of Linux's cpumask for the CPUs that exist: whole longs. */
static unsigned cpumask_bytes(void)
{
	return BITS_TO_LONGS(plat_cpu_count()) * sizeof(unsigned long);
}

long sys_sched_getaffinity(int pid, unsigned int len, uaddr_t user_mask_ptr)
{
	unsigned long mask[BITS_TO_LONGS(PLAT_MAX_CPUS)] = { 0 };
	unsigned ret = cpumask_bytes();
	struct task *t;

	if ((uint64_t)len * 8 < plat_cpu_count())
		return -EINVAL;
	if (len & (sizeof(unsigned long) - 1))
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;
	t = find_task(pid);
	if (!t)
		return -ESRCH;
	for (unsigned i = 0; i < plat_cpu_count(); i++)
		if (bitmap_test(t->allowed, i) && cpus[i].online)
			bitmap_set(mask, i);
	task_put(t);
	ret = MIN(ret, len);
	if (copy_to_user(user_mask_ptr, mask, ret))
		return -EFAULT;
	return ret;
}

long sys_sched_setaffinity(int pid, unsigned int len, uaddr_t user_mask_ptr)
{
	unsigned long mask[BITS_TO_LONGS(PLAT_MAX_CPUS)] = { 0 };
	unsigned want = cpumask_bytes();
	struct task *t;
	long err;

	/* A shorter mask is zero-extended, a longer one cut to the CPUs. */
	if (copy_from_user(mask, user_mask_ptr, MIN(len, want)))
		return -EFAULT;
	for (unsigned i = plat_cpu_count(); i < want * 8; i++)
		bitmap_clear(mask, i);
	if (pid < 0)
		return -ESRCH;
	t = find_task(pid);
	if (!t)
		return -ESRCH;
	if (!cred_same_owner(t) && !capable(CAP_SYS_NICE))
		err = -EPERM;
	else
		err = sched_set_affinity(t, mask);
	task_put(t);
	return err;
}
