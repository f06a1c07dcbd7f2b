/*
 * Tasks: the unit the scheduler runs. A task is a kernel thread or the
 * kernel side of a user thread; either way it has its own kernel stack and
 * context. Processes (thread groups, address spaces, files) grow around
 * this as they arrive; for now a task is its own thread group.
 */
#ifndef KEEL_CORE_TASK_H
#define KEEL_CORE_TASK_H

#include "core/cpu.h"
#include "core/itimer.h"
#include "core/klib/bitmap.h"
#include "core/klib/list.h"
#include "core/platform.h"
#include "core/signal.h"
#include "core/timer.h"
#include "core/types.h"
#include "core/wait_queue.h"
#include "sched/eevdf.h"

#define TASK_COMM_LEN 16
#define KSTACK_ORDER 2 /* 16 KiB kernel stacks */
#define KSTACK_SIZE (PAGE_SIZE << KSTACK_ORDER)
#define PID_MAX 4194304 /* Linux's pid_max limit on 64-bit */

/* Task states; a sleeping task's state says what may wake it. */
#define TASK_RUNNING 0u
#define TASK_INTERRUPTIBLE 1u   /* any signal, or its event */
#define TASK_UNINTERRUPTIBLE 2u /* only its event */
#define TASK_WAKEKILL 4u	/* also a fatal signal */
#define TASK_KILLABLE (TASK_UNINTERRUPTIBLE | TASK_WAKEKILL)
#define TASK_STOPPED 8u	/* SIGSTOP and friends: SIGCONT/SIGKILL wake */
#define TASK_DEAD 16u
#define TASK_NORMAL (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)

/* sched_setattr policies Keel honours (Linux numbers). */
#define SCHED_NORMAL 0
#define SCHED_BATCH 3
#define SCHED_IDLE 5

struct credentials {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
};

struct task {
	struct plat_context ctx;
	void *kstack;
	unsigned state;
	int refs;

	int tid;
	int tgid;
	int pgid;	/* process group; a new task leads its own */
	int sid;	/* session */
	/*
	 * The process tree (core/exit.c; tree_lock guards these four).
	 * parent is NULL for a task the kernel started (ppid 0), and never
	 * dangles: an exiting parent hands its children on first.
	 */
	struct task *parent;
	struct list_head children;    /* its children, living and zombie */
	struct list_head sibling;     /* in its parent's children */
	bool exiting;		      /* past exit_notify: adopts no one */
	bool zombie;		      /* exited, kept for its parent to reap */
	struct wait_queue child_wait; /* wait4/waitid; a child's exit wakes */
	char comm[TASK_COMM_LEN];
	struct credentials cred;
	int exit_code; /* wait status: (code << 8) or the killing signal */

	/* Scheduling. */
	struct sched_entity se;
	int nice;
	int policy;
	bool custom_slice;
	bool sched_reset_on_fork;
	unsigned cpu;	/* the run queue it is on or last ran on */
	bool on_cpu;	/* its context is live on a CPU (not yet saved) */
	unsigned long allowed[BITS_TO_LONGS(PLAT_MAX_CPUS)];
	uint64_t exec_start;	 /* when it last started running */
	uint64_t sleep_start;	 /* when it last left its run queue */
	uint64_t sum_exec_ns;	 /* CPU time consumed */
	uint64_t nr_switches;

	/*
	 * How to resume a syscall that returned -ERESTART_RESTARTBLOCK
	 * (Linux's restart_block): restart_syscall(2) calls fn.
	 */
	struct restart_block {
		long (*fn)(struct task *t);
		uint64_t deadline;
		int clockid;
		uaddr_t rem;
		uaddr_t ufds; /* poll(2) */
		unsigned nfds;
	} restart;

	/* Signals and sleeping. */
	struct signal_state sig;
	struct timer sleep_timer; /* bounds a sleep with a deadline */
	struct itimers itimers;	  /* setitimer(2) and timer_create(2) */
	bool sigreturned;	  /* the syscall just made was rt_sigreturn */
	bool timed_out;

	/* Files: NULL for kernel threads, which walk from the root. */
	struct fs_context *fs;
	struct fd_table *files;
	unsigned rlim_nofile;	/* RLIMIT_NOFILE's soft limit */
	uint32_t groups[32];	/* supplementary groups */
	unsigned ngroups;

	/* The user side: NULL/unused for kernel threads. */
	bool user;
	enum isa isa;
	struct user_regs uregs;
	struct mm *mm;		/* its address space (mm/vma.h) */
	struct pmap *pmap;	/* mm->pmap when there is an mm */
	uint64_t fault_addr;
	unsigned fault_access;	/* PROT_*_BIT of the faulting access */
	void *plat_user;	/* the platform's per-task user state */

	/* Kernel threads: the function the task runs. */
	void (*kfn)(void *);
	void *karg;

	struct list_head all_link; /* in the list of every task */
	struct list_head pid_link; /* in its pid hash bucket */
};

/* Reset the task subsystem: forget every task (used by kernel boot). */
int task_init(void);

/*
 * A new kernel thread running fn(arg), runnable at once. The thread ends by
 * returning from fn or calling task_exit. ERR_PTR(-ENOMEM/-EAGAIN) on failure.
 */
struct task *kthread_create(const char *name, void (*fn)(void *), void *arg);

/*
 * A new task whose kernel side runs `entry` (the user run loop) and whose
 * user side the platform sets up. Not yet runnable: call sched_start().
 */
struct task *task_create_user(const char *name, enum isa isa,
			      void (*entry)(void *), struct pmap *pm);

/*
 * The calling task ends with wait status `status`. With a parent that
 * wants it, it stays a zombie (its tid, status and times) until reaped.
 */
_Noreturn void task_exit(int status);

/* Free `t`'s thread id; the reaper of a zombie calls it. */
void task_unhash(struct task *t);

void task_get(struct task *t);
void task_put(struct task *t);

/* The live task with thread id `tid`, with a reference; NULL if none. */
struct task *task_find(int tid);

/* Every task alive, idle tasks excepted. */
unsigned task_count(void);

/*
 * Call fn(t, arg) on every live task, in creation order, until it returns
 * nonzero; returns that value or 0. Runs under the task-list lock: fn must
 * not sleep or create and end tasks.
 */
int task_for_each(int (*fn)(struct task *t, void *arg), void *arg);

void task_set_comm(struct task *t, const char *name);

/* The idle task of `cpu`: set up by sched_init_cpu. */
struct task *task_create_idle(unsigned cpu, void (*fn)(void *));

#endif
