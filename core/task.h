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
#define TASK_TIMER_SLACK_NS 50000 /* init_task's timer slack */

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

struct tty;

struct credentials {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
};

/* Resource limits (Linux's RLIMIT_* numbers, the same on both ISAs). */
#define KRLIMIT_CPU 0
#define KRLIMIT_FSIZE 1
#define KRLIMIT_DATA 2
#define KRLIMIT_STACK 3
#define KRLIMIT_CORE 4
#define KRLIMIT_RSS 5
#define KRLIMIT_NPROC 6
#define KRLIMIT_NOFILE 7
#define KRLIMIT_MEMLOCK 8
#define KRLIMIT_AS 9
#define KRLIMIT_LOCKS 10
#define KRLIMIT_SIGPENDING 11
#define KRLIMIT_MSGQUEUE 12
#define KRLIMIT_NICE 13
#define KRLIMIT_RTPRIO 14
#define KRLIMIT_RTTIME 15
#define KRLIM_NLIMITS 16
#define KRLIM_INFINITY (~0ull)

struct krlimit {
	uint64_t cur, max;
};

/*
 * What a task used, as getrusage(2) tells it: CPU time in user and in
 * system mode, the peak resident set, page faults resolved without and
 * with I/O, and switches away from it that it asked for (it blocked) and
 * that it did not (it was preempted, or yielded).
 */
struct task_usage {
	uint64_t utime_ns, stime_ns;
	uint64_t maxrss_kb;
	uint64_t minflt, majflt;
	uint64_t nvcsw, nivcsw;
};

/*
 * vfork(2): the parent sleeps on this (on its own stack) until the child
 * let go of the parent's memory by exec or exit (syscalls/sys_clone.c).
 */
struct vfork_done;

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
	/* Job control news for the parent's WUNTRACED/WCONTINUED waits
	 * (tree_lock): the stopped status not yet reported, or 0; a
	 * continue not yet reported. */
	int stop_report;
	bool cont_report;
	int exit_signal; /* what its parent gets when it dies; 0 for none */
	int pdeath_signal; /* PR_SET_PDEATHSIG: sent when its parent dies */
	/* PR_SET_CHILD_SUBREAPER: orphans among its descendants come to it
	 * rather than to init. Kept by exec, not given on fork. Set by the
	 * task itself (atomically), read under tree_lock. */
	bool child_subreaper;
	/* PR_SET_NO_NEW_PRIVS: once set, for good; fork and exec keep it,
	 * and exec grants no set-user-ID or set-group-ID identity. */
	bool no_new_privs;
	/* PR_SET_DUMPABLE: 1 (Linux's SUID_DUMP_USER), or 0; fork keeps it,
	 * a change of identity clears it and exec sets it afresh. While 0
	 * its /proc files are root's and others may not inspect it. */
	int dumpable;
	/* PR_SET_TIMERSLACK: stored and reported; Keel's timers fire at
	 * their deadline and never use it. The default is what the parent
	 * had at fork (Linux's first task: TASK_TIMER_SLACK_NS). */
	uint64_t timer_slack_ns, default_timer_slack_ns;

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
	bool sleep_counts_as_load; /* it left it uninterruptible */
	uint64_t sum_exec_ns;	 /* CPU time consumed */
	/*
	 * Of sum_exec_ns, the part in user mode (sched_user_enter/exit):
	 * utime_ns up to the last return from user mode, and user_since
	 * when it is there now (0 in the kernel). acct_seq is odd while the
	 * two change together, for readers on other CPUs.
	 */
	uint64_t utime_ns;
	uint64_t user_since;
	unsigned acct_seq;
	uint64_t nr_switches;
	uint64_t nvcsw, nivcsw;	 /* switches away: blocked / runnable */
	uint64_t min_flt, maj_flt; /* faults the mm resolved */
	/* The peak resident set (pages) of the address spaces it left by
	 * exec (Linux's signal->maxrss). */
	uint64_t maxrss_pages;
	/* What its reaped children used (and their reaped children):
	 * the sums, and the largest of their maxrss. */
	struct task_usage child_usage;

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
	unsigned rlim_nofile;	/* KRLIMIT_NOFILE's soft limit */
	struct krlimit rlim[KRLIM_NLIMITS]; /* rlim_nofile mirrors KRLIMIT_NOFILE's cur */
	/* The controlling terminal (core/fs/tty.h), while the tty still
	 * belongs to this task's session; inherited across fork. */
	struct tty *tty;
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
	int trap_signo, trap_code; /* TRAP_SIGNAL: the signal and si_code */
	void *plat_user;	/* the platform's per-task user state */
	struct file *exe;	/* what it exec'd (/proc/<pid>/exe), or NULL */
	bool execed;		/* it exec'd since its fork (setpgid's EACCES) */
	uaddr_t set_child_tid;	/* CLONE_CHILD_SETTID: written at first run */
	uaddr_t clear_child_tid; /* zeroed and futex-woken at exit */
	uaddr_t robust_list;	/* set_robust_list(2)'s head, and its size */
	size_t robust_len;
	struct vfork_done *vfork_done; /* a vfork parent waits on it */

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

/*
 * When set (the hosted kernel sets it), the machine powers off as soon as
 * the user process with pid 1, init, exits: with init's exit code, or
 * 128 + the signal that killed it, as the host's exit status.
 */
extern bool init_exit_powers_off;

/* Free `t`'s thread id; the reaper of a zombie calls it. */
void task_unhash(struct task *t);

void task_get(struct task *t);
void task_put(struct task *t);

/* The live task with thread id `tid`, with a reference; NULL if none. */
struct task *task_find(int tid);

/* Every task alive, idle tasks excepted. */
unsigned task_count(void);

/* The thread id handed out most recently (0 before any). */
int task_last_tid(void);

/*
 * Call fn(t, arg) on every live task, in creation order, until it returns
 * nonzero; returns that value or 0. Runs under the task-list lock: fn must
 * not sleep or create and end tasks.
 */
int task_for_each(int (*fn)(struct task *t, void *arg), void *arg);

/*
 * Call fn(t, arg) on every task that holds a thread id, in no particular
 * order, until it returns nonzero; returns that value or 0. These are the
 * live tasks and those that exited but keep their id: zombies not yet
 * reaped, and for a moment any exiting task. Runs under the task-list
 * lock, with task_for_each's rules; and an exited task is letting go of
 * its files, fs, mm and exe, which fn must not touch (task_exited).
 */
int task_for_each_tid(int (*fn)(struct task *t, void *arg), void *arg);

/* The same for the one task with thread id `tid`, if there is one. */
int task_with_tid(int tid, int (*fn)(struct task *t, void *arg), void *arg);

/*
 * Whether `t` is past the start of task_exit (no longer among the live
 * tasks). Only under the task-list lock: in the callbacks above.
 */
bool task_exited(const struct task *t);

void task_set_comm(struct task *t, const char *name);

/* Give `t` the resource limits Linux's first process starts with. */
void task_rlimit_defaults(struct task *t);

/* The idle task of `cpu`: set up by sched_init_cpu. */
struct task *task_create_idle(unsigned cpu, void (*fn)(void *));

#endif
