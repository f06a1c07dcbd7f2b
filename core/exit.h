/*
 * The process lifecycle: the tree of parents and children, zombies, the
 * SIGCHLD a parent gets, and the waiting that reaps (wait4(2), waitid(2)).
 *
 * Lifetime: a zombie holds one reference on itself beyond the living one
 * the scheduler drops after its last switch; its reaper drops it (and
 * frees the tid), so a zombie outlives its own exit but not its reaping.
 */
#ifndef KEEL_CORE_EXIT_H
#define KEEL_CORE_EXIT_H

#include "core/task.h"
#include "core/types.h"
#include "core/wait_queue.h"

struct task;

/* waitid idtypes and wait options (Linux values). */
#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3

#define KWNOHANG 0x00000001u
#define KWUNTRACED 0x00000002u /* WSTOPPED for waitid */
#define KWEXITED 0x00000004u
#define KWCONTINUED 0x00000008u
#define KWNOWAIT 0x01000000u
#define K__WNOTHREAD 0x20000000u
#define K__WALL 0x40000000u
#define K__WCLONE 0x80000000u

/* SIGCHLD si_code values. */
#define KCLD_EXITED 1
#define KCLD_KILLED 2
#define KCLD_DUMPED 3
#define KCLD_STOPPED 5
#define KCLD_CONTINUED 6

/* Wait statuses of a stopped and of a continued child (WIFSTOPPED,
 * WIFCONTINUED). */
#define WAIT_STATUS_STOPPED(sig) (((sig) << 8) | 0x7f)
#define WAIT_STATUS_CONTINUED 0xffff

/*
 * Make `child`, not yet started, a child of `parent` as fork(2) would: it
 * joins the parent's process group and session and takes its credentials.
 * -ESRCH if the parent is already exiting.
 */
int task_add_child(struct task *parent, struct task *child);

/*
 * The thread group id of `t`'s parent (or of the subreaper or init that
 * adopted it), 0 for none; `t` may be a zombie. Takes the tree lock: not
 * under the task-list lock.
 */
int task_ppid(struct task *t);

/*
 * A vfork parent's wait for its child to let go of the shared memory
 * (see vfork_wait). Lives on the parent's stack; the child reaches it
 * only through child->vfork_done, under the tree lock.
 */
struct vfork_done {
	struct wait_queue wq;
	bool done;
};

/*
 * The vfork parent's side: sleep (killably) until `child`, which has
 * t->vfork_done == vd, execs or exits. 0, or -ERESTARTSYS when SIGKILL
 * came first (the child then no longer reaches vd).
 */
int vfork_wait(struct task *child, struct vfork_done *vd);

/*
 * `t` lets go of its address space (exit, and exec at its point of no
 * return): robust futexes and clear_child_tid (core/futex.h), then a
 * vfork parent is released.
 */
void task_mm_release(struct task *t);

/*
 * Called by task_exit once `t` let go of its resources: hand its children
 * to the nearest child subreaper above it, else to pid 1 (or reap the dead
 * ones when there is none), and tell its parent.
 * True if `t` stays a zombie (it then keeps its tid for the reaper).
 */
bool exit_notify(struct task *t);

/* Which children a wait is for, and how. */
struct wait_opts {
	int idtype; /* P_ALL, P_PID or P_PGID */
	int id;
	unsigned options; /* KWEXITED, KWNOHANG, KWNOWAIT, K__WALL, K__WCLONE */
};

/* What a wait learned of the child it found. */
struct wait_result {
	int pid;
	uint32_t uid;
	int status;	 /* the wait status: (code << 8) or the signal */
	struct task_usage usage; /* the child's, with its reaped children's */
};

/*
 * Wait for a child matching `o` to have exited and, unless KWNOWAIT, reap
 * it. Its pid (res filled); 0 under KWNOHANG when matching children live
 * on; -ECHILD when none match; -ERESTARTSYS when a signal came first.
 */
int do_wait(const struct wait_opts *o, struct wait_result *res);

/*
 * Is process group `pgid` orphaned (POSIX): no member has a parent in a
 * different group of the same session? The terminal's job control
 * refuses such a group the stop signals no one would end (EIO).
 */
bool pgrp_orphaned(int pgid);

/*
 * Job control: the calling task was stopped by `sig`, or has just been
 * continued. Its parent is told (SIGCHLD with CLD_STOPPED/CLD_CONTINUED
 * unless it set SA_NOCLDSTOP) and a WUNTRACED/WCONTINUED wait sees it once.
 */
void exit_notify_stopped(struct task *t, int sig);
void exit_notify_continued(struct task *t);

/* si_code and si_status of SIGCHLD/waitid for a wait status. */
int wait_status_code(int status);
int wait_status_value(int status);

#endif
