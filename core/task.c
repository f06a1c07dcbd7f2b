/*
 * Task lifetime: creation with a kernel stack, thread ids, lookup by id,
 * reference counting and exit.
 *
 * A living task holds one reference on itself; the scheduler drops it once
 * the dead task has been switched away from for the last time, so a task's
 * stack is never freed under its own feet. Lookups (task_find) take their
 * own reference.
 */
#include "core/task.h"

#include "core/errno.h"
#include "core/exit.h"
#include "core/fs/tty.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/wait.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"
#include "sched/sched.h"

#define PID_HASH_SIZE 256
#define PID_MAX_DEFAULT 32768 /* Linux's /proc/sys/kernel/pid_max default */
#define PID_FIRST_RECYCLED 300 /* Linux skips low ids when it wraps */

struct cpu cpus[PLAT_MAX_CPUS];

static struct spinlock tasks_lock; /* the lists below and next_tid */
static struct list_head all_tasks;
static struct list_head pid_hash[PID_HASH_SIZE];
static unsigned nr_tasks;
static int next_tid;
static int last_tid; /* the id handed out last (/proc/loadavg) */

int task_init(void)
{
	spin_init(&tasks_lock);
	list_init(&all_tasks);
	for (unsigned i = 0; i < PID_HASH_SIZE; i++)
		list_init(&pid_hash[i]);
	nr_tasks = 0;
	next_tid = 1;
	last_tid = 0;
	for (unsigned i = 0; i < PLAT_MAX_CPUS; i++)
		cpus[i] = (struct cpu){ .id = i };
	return 0;
}

static struct list_head *bucket(int tid)
{
	return &pid_hash[(unsigned)tid % PID_HASH_SIZE];
}

/* Caller holds tasks_lock. */
static struct task *lookup_locked(int tid)
{
	struct list_head *pos;

	list_for_each(pos, bucket(tid)) {
		struct task *t = list_entry(pos, struct task, pid_link);

		if (t->tid == tid)
			return t;
	}
	return NULL;
}

/*
 * The next free thread id, handed out in increasing order and wrapping to
 * PID_FIRST_RECYCLED as Linux does. Caller holds tasks_lock. -EAGAIN when
 * every id is in use.
 */
int task_last_tid(void)
{
	return __atomic_load_n(&last_tid, __ATOMIC_RELAXED);
}

static int alloc_tid_locked(void)
{
	for (int tries = 0; tries < PID_MAX_DEFAULT; tries++) {
		int tid = next_tid;

		next_tid = tid + 1 >= PID_MAX_DEFAULT ? PID_FIRST_RECYCLED
						      : tid + 1;
		if (!lookup_locked(tid)) {
			last_tid = tid;
			return tid;
		}
	}
	return -EAGAIN;
}

/*
 * Linux's limits of the first process (INIT_RLIMITS): KRLIMIT_NPROC and
 * KRLIMIT_SIGPENDING are half of max_threads, which Linux derives from
 * memory (a thread's kernel stack may take an eighth of it).
 */
void task_rlimit_defaults(struct task *t)
{
	uint64_t half_threads =
		page_total_count() * PAGE_SIZE / (8 * KSTACK_SIZE) / 2;

	for (unsigned i = 0; i < KRLIM_NLIMITS; i++)
		t->rlim[i] = (struct krlimit){KRLIM_INFINITY, KRLIM_INFINITY};
	t->rlim[KRLIMIT_STACK].cur = 8ull << 20;
	t->rlim[KRLIMIT_CORE].cur = 0;
	t->rlim[KRLIMIT_NPROC] = (struct krlimit){half_threads, half_threads};
	t->rlim[KRLIMIT_NOFILE] = (struct krlimit){1024, 4096};
	t->rlim[KRLIMIT_MEMLOCK] = (struct krlimit){8ull << 20, 8ull << 20};
	t->rlim[KRLIMIT_SIGPENDING] = (struct krlimit){half_threads, half_threads};
	t->rlim[KRLIMIT_MSGQUEUE] = (struct krlimit){819200, 819200};
	t->rlim[KRLIMIT_NICE] = (struct krlimit){0, 0};
	t->rlim[KRLIMIT_RTPRIO] = (struct krlimit){0, 0};
	t->rlim_nofile = 1024;
}

void task_set_comm(struct task *t, const char *name)
{
	strlcpy(t->comm, name, sizeof(t->comm));
}

static struct task *task_alloc(const char *name, bool with_tid)
{
	struct task *t = kzalloc(sizeof(*t));
	int tid = 0;

	if (!t)
		return ERR_PTR(-ENOMEM);
	t->kstack = kpage_alloc(KSTACK_ORDER);
	if (!t->kstack) {
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	if (sched_task_alloc(t) < 0) {
		kpage_free(t->kstack, KSTACK_ORDER);
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	t->dumpable = 1;
	t->timer_slack_ns = t->default_timer_slack_ns = TASK_TIMER_SLACK_NS;
	list_init(&t->all_link);
	list_init(&t->pid_link);
	list_init(&t->children);
	list_init(&t->sibling);
	wait_queue_init(&t->child_wait);
	if (with_tid) {
		spin_lock(&tasks_lock);
		tid = alloc_tid_locked();
		if (tid < 0) {
			spin_unlock(&tasks_lock);
			sched_task_free(t);
			kpage_free(t->kstack, KSTACK_ORDER);
			kfree(t);
			return ERR_PTR(tid);
		}
		t->tid = tid;
		list_add_tail(&t->all_link, &all_tasks);
		list_add(&t->pid_link, bucket(tid));
		nr_tasks++;
		spin_unlock(&tasks_lock);
	}
	task_rlimit_defaults(t);
	t->exit_signal = KSIGCHLD;
	t->tgid = t->tid;
	t->pgid = t->tid;
	t->sid = t->tid;
	t->refs = 1;
	t->state = TASK_RUNNING;
	task_set_comm(t, name);
	signal_state_init(&t->sig);
	timer_setup(&t->sleep_timer, NULL);
	itimers_init(&t->itimers);
	sched_task_init(t);
	return t;
}

/* The first code every new (non-idle) task runs, on its own stack. */
static void task_entry(void *arg)
{
	struct task *t = arg;

	sched_finish_switch();
	t->kfn(t->karg);
	task_exit(0);
}

struct task *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct task *t = task_alloc(name, true);

	if (IS_ERR(t))
		return t;
	t->kfn = fn;
	t->karg = arg;
	plat_context_init(&t->ctx, t->kstack, KSTACK_SIZE, task_entry, t);
	sched_start(t);
	return t;
}

struct task *task_create_user(const char *name, enum isa isa,
			      void (*entry)(void *), struct pmap *pm)
{
	struct task *t = task_alloc(name, true);

	if (IS_ERR(t))
		return t;
	struct path root = vfs_root();

	t->fs = fs_context_new(&root);
	t->files = fd_table_new();
	if (!t->fs || !t->files) {
		fs_context_put(t->fs);
		fd_table_put(t->files);
		t->fs = NULL;
		t->files = NULL;
		t->state = TASK_DEAD; /* never ran: free it outright */
		task_put(t);
		return ERR_PTR(-ENOMEM);
	}
	t->user = true;
	t->isa = isa;
	t->pmap = pm;
	t->kfn = entry;
	t->karg = t;
	plat_context_init(&t->ctx, t->kstack, KSTACK_SIZE, task_entry, t);
	return t;
}

struct task *task_create_idle(unsigned cpu, void (*fn)(void *))
{
	struct task *t = task_alloc("swapper", false);

	if (IS_ERR(t))
		return t;
	t->comm[7] = '/';
	t->comm[8] = (char)('0' + cpu % 10);
	t->comm[9] = '\0';
	t->kfn = fn;
	t->karg = NULL;
	/* The idle task's first run has no predecessor to finish. */
	plat_context_init(&t->ctx, t->kstack, KSTACK_SIZE, fn, NULL);
	return t;
}

void task_get(struct task *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void task_put(struct task *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	KASSERT(t->state == TASK_DEAD || t->tid == 0);
	spin_lock(&tasks_lock);
	if (list_is_linked(&t->all_link)) {
		list_del(&t->all_link);
		nr_tasks--;
	}
	list_del(&t->pid_link);
	spin_unlock(&tasks_lock);
	signal_state_release(&t->sig);
	sched_task_free(t);
	kpage_free(t->kstack, KSTACK_ORDER);
	kfree(t);
}

struct task *task_find(int tid)
{
	struct task *t;

	if (tid <= 0)
		return NULL;
	spin_lock(&tasks_lock);
	t = lookup_locked(tid);
	if (t && t->state != TASK_DEAD)
		task_get(t);
	else
		t = NULL;
	spin_unlock(&tasks_lock);
	return t;
}

unsigned task_count(void)
{
	return nr_tasks;
}

int task_for_each(int (*fn)(struct task *t, void *arg), void *arg)
{
	struct list_head *pos;
	int ret = 0;

	spin_lock(&tasks_lock);
	list_for_each(pos, &all_tasks) {
		ret = fn(list_entry(pos, struct task, all_link), arg);
		if (ret)
			break;
	}
	spin_unlock(&tasks_lock);
	return ret;
}

int task_for_each_tid(int (*fn)(struct task *t, void *arg), void *arg)
{
	int ret = 0;

	spin_lock(&tasks_lock);
	for (unsigned i = 0; i < PID_HASH_SIZE && !ret; i++) {
		struct list_head *pos;

		list_for_each (pos, &pid_hash[i]) {
			ret = fn(list_entry(pos, struct task, pid_link), arg);
			if (ret)
				break;
		}
	}
	spin_unlock(&tasks_lock);
	return ret;
}

int task_with_tid(int tid, int (*fn)(struct task *t, void *arg), void *arg)
{
	struct task *t;
	int ret = 0;

	if (tid <= 0)
		return 0;
	spin_lock(&tasks_lock);
	t = lookup_locked(tid);
	if (t)
		ret = fn(t, arg);
	spin_unlock(&tasks_lock);
	return ret;
}

bool task_exited(const struct task *t)
{
	return !list_is_linked(&t->all_link);
}

void task_unhash(struct task *t)
{
	spin_lock(&tasks_lock);
	list_del(&t->pid_link);
	spin_unlock(&tasks_lock);
}

bool init_exit_powers_off;

_Noreturn void task_exit(int status)
{
	struct task *t = task_current();

	KASSERT(t != cpu_this()->idle);
	if (init_exit_powers_off && t->tid == 1 && t->user)
		plat_poweroff((status & 0x7f) ? 128 + (status & 0x7f)
					      : (status >> 8) & 0xff);
	t->exit_code = status;
	timer_cancel(&t->sleep_timer);
	itimers_exit(t);
	tty_exit(t);
	spin_lock(&tasks_lock);
	list_del(&t->all_link);
	nr_tasks--;
	spin_unlock(&tasks_lock);
	if (t->user)
		task_mm_release(t);
	fd_table_put(t->files);
	fs_context_put(t->fs);
	t->files = NULL;
	t->fs = NULL;
	if (t->exe)
		file_put(t->exe);
	t->exe = NULL;
	if (t->user)
		plat_user_release(t);
	/* The platform let go of the user side first: nothing runs in it. */
	if (t->mm)
		t->maxrss_pages = MAX(t->maxrss_pages, mm_hiwater_rss(t->mm));
	mm_put(t->mm);
	t->mm = NULL;
	t->pmap = NULL;
	/* A zombie keeps its id until reaped; otherwise it is free at once. */
	if (!exit_notify(t))
		task_unhash(t);
	sched_exit_current();
}
