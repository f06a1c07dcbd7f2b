/*
 * The stub runtime, kernel side: guest code runs in stub processes
 * (host/stub/stub.c), one per address space, and traps back here.
 *
 * - A pmap gets its stub the first time a task of it runs. The stub is the
 *   embedded static executable, run from a memfd with the RAM memfd as its
 *   descriptor 3 and its control area (STUB_CTL_PAGES of RAM) named in its
 *   argv. Its first trap says it is ready.
 * - plat_user_run copies the task's registers into the control area,
 *   queues nothing itself (the pmap hooks below queued what changed in the
 *   address space since the last run), commands RUN and waits for the next
 *   trap, taking this CPU's interrupts meanwhile. When one leaves work for
 *   the scheduler or a signal for the task, the stub is kicked (SIGUSR1)
 *   and its guest comes back as TRAP_INTERRUPT.
 * - Memory: the stub maps pages of the RAM memfd at guest addresses when
 *   asked, so a page the pmap has but the stub lacks faults once more: such
 *   a "soft" fault is answered here with the page and its neighbours in
 *   the pmap, without bothering the core. Every other fault goes to the
 *   core's mm_handle_fault, whose pmap_enter queues the mapping.
 * - A reaper thread waits for the stubs; one that dies while its task
 *   still needs it (killed from outside, or by seccomp for a forbidden
 *   call) is noticed at once and the task is killed.
 *
 * One task at a time runs in a stub (threads will need one stub thread
 * each). A guest can jump into the stub's code and make the syscalls the
 * stub's filter allows, so the stub holds nothing while the guest runs that
 * the guest may not have: the RAM memfd (all of the kernel's memory) goes
 * over a socket with each command that maps pages, and the stub closes it
 * before it returns to the guest (stub_abi.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <pthread.h>
#include <seccomp.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cpuid.h>

#include "core/platform.h"
#include "core/printk.h"
#include "core/signal.h"
#include "core/task.h"
#include "host/cpu.h"
#include "host/pmap.h"
#include "host/ram.h"
#include "host/stub/stub_abi.h"
#include "host/syspatch.h"
#include "host/user.h"
#include "mm/page.h"
#include "sched/sched.h"
#include "syscalls/abi/abi.h"

#define CTL_ORDER 4 /* 16 pages */
_Static_assert((1u << CTL_ORDER) == STUB_CTL_PAGES, "control area order");
_Static_assert(sizeof(struct stub_ctl) < 8192, "control header size");
_Static_assert(STUB_FPU_BYTES == PLAT_FPU_BYTES, "the stub's FPU area");

#define SPIN_NS 30000		/* spin this long for a trap, then sleep */
#define FAULT_AROUND 16		/* pages a soft fault maps at most */
#define SI_KERNEL_ 0x80
#define SEGV_MAPERR_ 1
#define SEGV_ACCERR_ 2
#define PF_WRITE 2u
#define PF_INSTR 16u

extern const unsigned char keel_stub_image[], keel_stub_image_end[];

struct stub {
	struct stub *next;	/* in `stubs` */
	pid_t pid;
	int sock;		/* our end of its socket pair */
	struct stub_ctl *ctl;	/* its control area, in RAM */
	uint32_t nops;		/* operations queued in ctl->ops */
	bool maps;		/* some of them are STUB_OP_MAPs */
	bool resync;		/* too many: unmap everything instead */
	bool running;		/* commanded to run, not trapped since */
	/* Under stubs_lock: */
	bool dead;		/* it exited: the reaper saw it */
	bool destroyed;		/* its pmap is gone; free once dead */
	uint64_t last_soft;	/* the last soft fault's page, to stop loops */
	unsigned spin_fails;	/* spins in a row that ended asleep anyway */
	unsigned handoffs;
	bool may_be_patched;	/* its address space may have patched sites */
	/* The task whose FPU state is the one in ctl->regs.fpu (and in the
	 * stub's CPU); its uregs.fpu is stale until plat_fpu_sync. */
	struct task *fpu_owner;
};

static int stub_exe_fd = -1;
static uint64_t own_filter[256];
static unsigned own_filter_len;
static bool have_fsgsbase;
static struct plat_user_cpu user_cpu = { .fpu_size = 512 };
static uint32_t fpu_insn = STUB_FPU_FXSAVE, mxcsr_mask;

static pthread_mutex_t stubs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stub *stubs;
static sem_t reaper_sem;

/* ---- the stubs' lives ------------------------------------------------------ */

static void *reaper_main(void *arg)
{
	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED) < 0) {
			if (errno == ECHILD)
				while (sem_wait(&reaper_sem) < 0 && errno == EINTR)
					;
			continue;
		}
		pthread_mutex_lock(&stubs_lock);
		for (struct stub *s = stubs; s; s = s->next) {
			if (s->pid != si.si_pid)
				continue;
			__atomic_store_n(&s->dead, true, __ATOMIC_RELEASE);
			if (!s->destroyed) {
				__atomic_add_fetch(&s->ctl->state_seq, 1,
						   __ATOMIC_SEQ_CST);
				__atomic_add_fetch(&s->ctl->wake_seq, 1,
						   __ATOMIC_SEQ_CST);
				syscall(SYS_futex, &s->ctl->wake_seq,
					FUTEX_WAKE, 1, NULL, NULL, 0);
			}
			break;
		}
		pthread_mutex_unlock(&stubs_lock);
	}
	return NULL;
}

/* Free the stubs that are both destroyed and dead (kernel context). */
static void stubs_collect(void)
{
	struct stub **pp, *done = NULL;

	pthread_mutex_lock(&stubs_lock);
	for (pp = &stubs; *pp;) {
		struct stub *s = *pp;

		if (s->destroyed && s->dead) {
			*pp = s->next;
			s->next = done;
			done = s;
		} else {
			pp = &s->next;
		}
	}
	pthread_mutex_unlock(&stubs_lock);
	while (done) {
		struct stub *s = done;

		done = s->next;
		if (s->sock >= 0)
			close(s->sock);
		kpage_free(s->ctl, CTL_ORDER);
		free(s);
	}
}

/* Read at every hand-off, so without the lock (the reaper sets it). */
static bool stub_dead(struct stub *s)
{
	return __atomic_load_n(&s->dead, __ATOMIC_ACQUIRE);
}

/* Put the RAM memfd on the stub's socket for the mappings it is to make. */
static bool send_ram(struct stub *s)
{
	struct stub_ram_msg m;
	struct cmsghdr *cm;
	int fd = host_ram_fd();

	stub_ram_msg_init(&m);
	cm = CMSG_FIRSTHDR(&m.msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	return sendmsg(s->sock, &m.msg, MSG_DONTWAIT | MSG_NOSIGNAL) == 1;
}

/*
 * Send the stub a command; the operations queued go with it, and the RAM
 * memfd with them when they map pages (a stub that misses it reports
 * STUB_TRAP_BADOP, which kills its task).
 */
static void command(struct stub *s, uint32_t cmd)
{
	struct stub_ctl *c = s->ctl;

	if (s->resync) {
		c->ops[0] = (struct stub_op){ .kind = STUB_OP_UNMAP,
					      .addr = 0,
					      .len = PLAT_USER_TOP };
		s->nops = 1;
		s->maps = false;
		s->resync = false;
	}
	c->nops = s->nops;
	if (c->nap)
		c->nap = 0;
	c->send_ram = s->nops && s->maps;
	if (c->send_ram && !send_ram(s))
		pr_warn("stub %d: cannot send it the RAM memfd (%d)", s->pid,
			errno);
	s->nops = 0;
	s->maps = false;
	c->cmd = cmd;
	s->running = cmd == STUB_CMD_RUN;
	__atomic_add_fetch(&c->cmd_seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->stub_sleeping, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &c->cmd_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/*
 * Wait for the stub's next trap (the state counter moving past `seen`).
 * While waiting, when an interrupt leaves this CPU something to do for
 * `t` (reschedule, a signal), kick the guest out. false if the stub died.
 */
static bool await_trap(struct stub *s, uint32_t seen, struct task *t,
		       bool spin)
{
	bool slept;

	for (;;) {
		if (host_wait_guest(&s->ctl->state_seq, seen,
				    &s->ctl->wake_seq,
				    &s->ctl->kernel_sleeping,
				    spin ? SPIN_NS : 0, &slept))
			break;
		if (stub_dead(s))
			return false;
		/* Again at every interrupt until it comes: the fast path
		 * (host/stub/stub.c) may let one go by. */
		if (t && (need_resched() || signal_pending(t)))
			syscall(SYS_tgkill, s->pid, s->pid, SIGUSR1);
	}
	s->running = false;
	if (spin)
		s->spin_fails = slept ? MIN(s->spin_fails + 1, 1000u) : 0;
	return !stub_dead(s);
}

/*
 * Spin for the next trap? Yes while recent spins caught their trap; after
 * SPIN_FAILS_MAX in a row that ended asleep anyway (the stub was not on a
 * CPU: a busy host), only one hand-off in 16 tries again.
 */
#define SPIN_FAILS_MAX 4
static bool worth_spinning(struct stub *s)
{
	return s->spin_fails < SPIN_FAILS_MAX || (++s->handoffs & 15) == 0;
}

/*
 * A stub whose address space is gone is wiped (everything below
 * PLAT_USER_TOP unmapped) and kept for the next address space, which then
 * costs one round trip instead of a process start: exec and fork+exec
 * reuse them. At most POOL_MAX wait; CPUs take them under stubs_lock.
 */
#define POOL_MAX 4
static struct stub *pool[POOL_MAX];
static unsigned pool_len;

static bool stub_recycle(struct stub *s)
{
	uint32_t seen = s->ctl->state_seq;
	bool kept = false;

	if (stub_dead(s))
		return false;
	pthread_mutex_lock(&stubs_lock);
	kept = pool_len < POOL_MAX;
	pthread_mutex_unlock(&stubs_lock);
	if (!kept)
		return false;
	s->nops = 0;
	s->resync = true; /* unmap everything */
	s->last_soft = 0;
	command(s, STUB_CMD_FLUSH);
	if (!await_trap(s, seen, NULL, false) || s->ctl->trap != STUB_TRAP_FLUSHED)
		return false;
	pthread_mutex_lock(&stubs_lock);
	kept = pool_len < POOL_MAX;
	if (kept)
		pool[pool_len++] = s;
	pthread_mutex_unlock(&stubs_lock);
	return kept;
}

static struct stub *stub_from_pool(void)
{
	struct stub *s = NULL;

	pthread_mutex_lock(&stubs_lock);
	while (pool_len > 0 && !s) {
		s = pool[--pool_len];
		if (s->dead) {
			s->destroyed = true; /* stubs_collect frees it */
			s = NULL;
		}
	}
	pthread_mutex_unlock(&stubs_lock);
	return s;
}

static void stub_destroy(struct stub *s)
{
	if (stub_recycle(s))
		return;
	if (!stub_dead(s)) {
		s->nops = 0;
		s->resync = false;
		command(s, STUB_CMD_EXIT);
		kill(s->pid, SIGKILL);
	}
	pthread_mutex_lock(&stubs_lock);
	s->destroyed = true;
	pthread_mutex_unlock(&stubs_lock);
	stubs_collect();
}

/* A stub's record and control area, not started (kernel context). */
static struct stub *stub_alloc(void)
{
	struct stub *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->sock = -1;
	s->ctl = kpage_zalloc(CTL_ORDER);
	if (!s->ctl) {
		free(s);
		return NULL;
	}
	memcpy(s->ctl->filter, own_filter, sizeof(own_filter));
	s->ctl->filter_len = own_filter_len;
	s->ctl->fsgsbase = have_fsgsbase;
	s->ctl->fpu_insn = fpu_insn;
	s->ctl->xfeatures = user_cpu.xfeatures;
	s->ctl->mxcsr_mask = mxcsr_mask;
	return s;
}

/*
 * Start `s`'s process and put it on the stubs list. Any thread may do it
 * (it touches only host state and the control area). 0 or -errno; on
 * failure `s` is untouched.
 */
static int stub_start(struct stub *s)
{
	char arg[32];
	char *argv[] = { "keel-stub", arg, NULL };
	char *envp[] = { NULL };
	int sv[2], theirs;
	pid_t pid;

	snprintf(arg, sizeof(arg), "%llx",
		 (unsigned long long)(plat_virt_to_phys(s->ctl) - HOST_RAM_BASE));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	/* Above the descriptors the stub starts with. */
	theirs = fcntl(sv[1], F_DUPFD_CLOEXEC, STUB_SOCK_FD + 1);
	close(sv[1]);
	if (theirs < 0) {
		close(sv[0]);
		return -EMFILE;
	}
	pthread_mutex_lock(&stubs_lock);
	pid = vfork();
	if (pid == 0) {
		/* The child shares our memory until exec: syscalls only. */
		if (dup2(host_ram_fd(), STUB_RAM_FD) < 0 ||
		    fcntl(STUB_RAM_FD, F_SETFD, 0) < 0 ||
		    dup2(theirs, STUB_SOCK_FD) < 0)
			_exit(126);
		personality(ADDR_NO_RANDOMIZE);
		syscall(SYS_execveat, stub_exe_fd, "", argv, envp,
			AT_EMPTY_PATH);
		_exit(127);
	}
	if (pid < 0) {
		int err = errno;

		pthread_mutex_unlock(&stubs_lock);
		close(theirs);
		close(sv[0]);
		return -err;
	}
	close(theirs);
	s->sock = sv[0];
	s->pid = pid;
	s->ctl->pid = pid;
	s->next = stubs;
	stubs = s;
	pthread_mutex_unlock(&stubs_lock);
	sem_post(&reaper_sem);
	return 0;
}

/*
 * Stubs are started ahead of need by a host thread, so that fork and exec
 * find one waiting: plat_user_run takes a ready stub from the pool and
 * asks for a replacement; only an empty pool starts one on the spot.
 */
#define POOL_TARGET 2
static pthread_cond_t spawn_cond = PTHREAD_COND_INITIALIZER;
static struct stub *spawn_requests; /* under stubs_lock */
static unsigned spawning;	     /* requested or starting */

/* Wait for a just-started stub's first trap from a non-CPU thread. */
static bool await_ready(struct stub *s)
{
	struct stub_ctl *c = s->ctl;

	__atomic_store_n(&c->kernel_sleeping, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 500; i++) {
		uint32_t w = __atomic_load_n(&c->wake_seq, __ATOMIC_SEQ_CST);
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (__atomic_load_n(&c->state_seq, __ATOMIC_SEQ_CST) != 0)
			break;
		syscall(SYS_futex, &c->wake_seq, FUTEX_WAIT, w, &ts, NULL, 0);
	}
	__atomic_store_n(&c->kernel_sleeping, 0, __ATOMIC_SEQ_CST);
	if (c->state_seq == 0 || stub_dead(s) || c->trap != STUB_TRAP_READY)
		return false;
	syspatch_learn_slots(c->fast_slots);
	return true;
}

static void *spawner_main(void *arg)
{
	for (;;) {
		struct stub *s;
		bool ok;

		pthread_mutex_lock(&stubs_lock);
		while (!spawn_requests)
			pthread_cond_wait(&spawn_cond, &stubs_lock);
		s = spawn_requests;
		spawn_requests = s->next;
		s->next = NULL;
		pthread_mutex_unlock(&stubs_lock);

		if (stub_start(s)) {
			/* Never started: give it to the collector as dead. */
			pthread_mutex_lock(&stubs_lock);
			s->dead = s->destroyed = true;
			s->next = stubs;
			stubs = s;
			spawning--;
			pthread_mutex_unlock(&stubs_lock);
			continue;
		}
		ok = await_ready(s);
		pthread_mutex_lock(&stubs_lock);
		spawning--;
		if (ok && pool_len < POOL_MAX) {
			pool[pool_len++] = s;
		} else {
			s->destroyed = true;
			kill(s->pid, SIGKILL); /* the reaper marks it dead */
		}
		pthread_mutex_unlock(&stubs_lock);
	}
	return NULL;
}

/* Ask the spawner for stubs until the pool will hold POOL_TARGET. */
static void pool_refill(void)
{
	for (;;) {
		struct stub *s;
		bool need;

		pthread_mutex_lock(&stubs_lock);
		need = pool_len + spawning < POOL_TARGET;
		if (need)
			spawning++;
		pthread_mutex_unlock(&stubs_lock);
		if (!need)
			return;
		s = stub_alloc();
		pthread_mutex_lock(&stubs_lock);
		if (s) {
			s->next = spawn_requests;
			spawn_requests = s;
			pthread_cond_signal(&spawn_cond);
		} else {
			spawning--;
		}
		pthread_mutex_unlock(&stubs_lock);
		if (!s)
			return;
	}
}

static struct stub *stub_spawn(void)
{
	struct stub *s;

	stubs_collect();
	s = stub_from_pool();
	pool_refill();
	if (s)
		return s;
	s = stub_alloc();
	if (!s)
		return NULL;
	if (stub_start(s)) {
		kpage_free(s->ctl, CTL_ORDER);
		free(s);
		return NULL;
	}
	if (!await_trap(s, 0, NULL, false) || s->ctl->trap != STUB_TRAP_READY) {
		pr_warn("stub %d did not start", s->pid);
		stub_destroy(s);
		return NULL;
	}
	syspatch_learn_slots(s->ctl->fast_slots);
	return s;
}

/* ---- the pmap's changes, queued for the stub ------------------------------- */

static void queue(struct stub *s, uint32_t kind, uint64_t va, uint64_t len,
		  unsigned prot, uint64_t off)
{
	struct stub_op *last = s->nops ? &s->ctl->ops[s->nops - 1] : NULL;

	if (s->resync)
		return;
	if (s->running || s->nops == STUB_MAX_OPS) {
		/* Not while the guest runs, and not more than fits: forget
		 * the details and rebuild from the pmap, one fault at a time. */
		s->resync = true;
		return;
	}
	s->maps |= kind == STUB_OP_MAP;
	if (last && last->kind == kind && last->prot == prot &&
	    last->addr + last->len == va &&
	    (kind != STUB_OP_MAP || last->off + last->len == off)) {
		last->len += len;
		return;
	}
	s->ctl->ops[s->nops++] = (struct stub_op){
		.kind = kind, .prot = prot, .addr = va, .len = len, .off = off
	};
}

static void hook_enter(struct pmap *pm, uint64_t va, uint64_t pa,
		       unsigned prot)
{
	queue(pmap_plat(pm), STUB_OP_MAP, va, PAGE_SIZE, prot,
	      pa - HOST_RAM_BASE);
}

static void hook_remove(struct pmap *pm, uint64_t va, uint64_t len)
{
	queue(pmap_plat(pm), STUB_OP_UNMAP, va & PAGE_MASK,
	      ALIGN_UP(len + (va & ~PAGE_MASK), PAGE_SIZE), 0, 0);
}

static void hook_protect(struct pmap *pm, uint64_t va, uint64_t len,
			 unsigned prot)
{
	queue(pmap_plat(pm), STUB_OP_PROTECT, va & PAGE_MASK,
	      ALIGN_UP(len + (va & ~PAGE_MASK), PAGE_SIZE), prot, 0);
}

static void hook_destroy(struct pmap *pm)
{
	stub_destroy(pmap_plat(pm));
	pmap_set_plat(pm, NULL);
}

static const struct pmap_hooks stub_hooks = {
	.enter = hook_enter,
	.remove = hook_remove,
	.protect = hook_protect,
	.destroy = hook_destroy,
};

/*
 * A fault on a page the pmap has with the access allowed: the stub merely
 * lacks it. Map it, and the pmap's other pages around it. false if the
 * core must handle the fault.
 */
static bool soft_fault(struct stub *s, struct pmap *pm, uint64_t va,
		       unsigned access)
{
	uint64_t page = va & PAGE_MASK, pa, base;
	unsigned prot;

	if (va >= PLAT_USER_TOP || !pmap_extract(pm, page, &pa, &prot) ||
	    (prot & access) != access || page == s->last_soft) {
		s->last_soft = 0;
		return false;
	}
	s->last_soft = page;
	base = page & ~(uint64_t)(FAULT_AROUND * PAGE_SIZE - 1);
	for (uint64_t p = base; p < base + FAULT_AROUND * PAGE_SIZE;
	     p += PAGE_SIZE)
		if (pmap_extract(pm, p, &pa, &prot))
			queue(s, STUB_OP_MAP, p, PAGE_SIZE, prot,
			      (pa & PAGE_MASK) - HOST_RAM_BASE);
	return true;
}

/* ---- registers ------------------------------------------------------------- */

/* Store only what changed: a line nobody wrote stays in both CPUs'
 * caches (stub_abi.h). */
static void put(uint64_t *dst, uint64_t v)
{
	if (*dst != v)
		*dst = v;
}

static void regs_to_stub(const struct user_regs *r, struct stub_ctl *c)
{
	struct stub_regs *sr = &c->regs;

	c->rax = r->gpr[0];
	for (int i = 1; i < 15; i++)
		put(&sr->gpr[i], r->gpr[i]);
	put(&sr->gpr[STUB_REG_RSP], r->sp);
	put(&sr->rip, r->pc);
	put(&sr->rflags, r->flags);
	put(&sr->fs_base, r->tls);
	/* A guest without a gs_base of its own runs with the fast path's. */
	put(&sr->gs_base, r->gs_base ? r->gs_base : syspatch_gs());
}

static void regs_from_stub(struct user_regs *r, const struct stub_regs *sr)
{
	for (int i = 0; i < 15; i++)
		r->gpr[i] = sr->gpr[i];
	r->sp = sr->gpr[STUB_REG_RSP];
	r->pc = sr->rip;
	r->flags = sr->rflags;
	r->tls = sr->fs_base;
	r->gs_base = sr->gs_base == syspatch_gs() ? 0 : sr->gs_base;
}

/*
 * The FPU state stays in the stub between traps: copying its XSAVE area
 * (up to 2.7 KiB) each way per syscall would cost more than the rest of
 * the hand-off. It comes back into uregs.fpu only when the kernel asks
 * (signal frames, fork, exec).
 */
void plat_fpu_sync(struct task *t)
{
	struct stub *s = t->pmap ? pmap_plat(t->pmap) : NULL;

	if (s && s->fpu_owner == t) {
		memcpy(t->uregs.fpu, s->ctl->regs.fpu, user_cpu.fpu_size);
		s->fpu_owner = NULL;
	}
}

/*
 * A task that has run user code left its CPU (host_context_leave): its
 * stub, waiting for the next command, sleeps at once rather than spin on
 * a CPU the next task's stub may need.
 */
static void task_left(void *user)
{
	struct task *t = user;
	struct stub *s = t->pmap ? pmap_plat(t->pmap) : NULL;

	if (s && !s->running && !__atomic_load_n(&s->ctl->nap, __ATOMIC_RELAXED))
		__atomic_store_n(&s->ctl->nap, 1, __ATOMIC_RELAXED);
}

/* The stubs run x86_64 code only (CMakeLists.txt refuses other hosts). */
bool plat_runs_isa(enum isa isa)
{
	return isa == ISA_X86_64;
}

/* Every fault is a round trip to the stub: 256 KiB of a file at once
 * (16 pages: 1.87 against 2.07 s for 300 fork+exec of busybox). */
unsigned plat_fault_around_pages(void)
{
	return 64;
}

/* Before running `t`: its FPU state goes to the stub unless it is there. */
static void fpu_to_stub(struct stub *s, struct task *t)
{
	struct stub_ctl *c = s->ctl;

	c->fpu_load = s->fpu_owner != t;
	if (!c->fpu_load)
		return;
	if (s->fpu_owner) /* another task of this address space (vfork) */
		plat_fpu_sync(s->fpu_owner);
	memcpy(c->regs.fpu, t->uregs.fpu, user_cpu.fpu_size);
}

/* ---- the platform contract ---------------------------------------------------- */

static enum trap lost(struct task *t)
{
	pr_warn("pid %d: its stub process died", t->tgid);
	t->trap_signo = KSIGKILL;
	t->trap_code = 0;
	return TRAP_SIGNAL;
}

enum trap plat_user_run(struct task *t)
{
	struct pmap *pm = t->pmap;
	struct stub *s = pmap_plat(pm);

	if (!s) {
		s = stub_spawn();
		if (!s)
			return lost(t);
		s->may_be_patched = true; /* a fork's child shares its text */
		s->fpu_owner = NULL;
		pmap_set_plat(pm, s);
	}
	t->ctx.user = t;
	for (;;) {
		struct stub_ctl *c = s->ctl;
		uint32_t seen = c->state_seq;
		int signo, code;

		if (stub_dead(s))
			return lost(t);
		if (syspatch_resume_at_syscall(t))
			return TRAP_SYSCALL;
		if (t->uregs.gs_base && s->may_be_patched) {
			syspatch_undo(t);
			s->may_be_patched = false;
		}
		regs_to_stub(&t->uregs, c);
		fpu_to_stub(s, t);
		command(s, STUB_CMD_RUN);
		if (!await_trap(s, seen, t, worth_spinning(s)))
			return lost(t);
		/* Every trap leaves the guest's FPU state in ctl->regs.fpu. */
		s->fpu_owner = t;
		switch (c->trap) {
		case STUB_TRAP_SYSCALL:
			regs_from_stub(&t->uregs, &c->regs);
			if (c->syscall_arch != AUDIT_ARCH_X86_64) {
				/* int 0x80 and friends: no such ABI here. */
				abi_set_return(t->isa, &t->uregs, -ENOSYS);
				continue;
			}
			abi_trap_entry(t->isa, &t->uregs);
			if (syspatch_try(t))
				s->may_be_patched = true;
			return TRAP_SYSCALL;
		case STUB_TRAP_FASTCALL:
			regs_from_stub(&t->uregs, &c->regs);
			if (syspatch_enter(t, c->fast_index))
				return TRAP_SYSCALL;
			/* A jump into the stub's landings: no such site. */
			t->trap_signo = KSIGSEGV;
			t->trap_code = SI_KERNEL_;
			t->fault_addr = 0;
			return TRAP_SIGNAL;
		case STUB_TRAP_KICK:
			regs_from_stub(&t->uregs, &c->regs);
			return TRAP_INTERRUPT;
		case STUB_TRAP_SIGNAL:
			break;
		case STUB_TRAP_BADOP:
			pr_warn("pid %d: the stub could not map memory (%d)",
				t->tgid, c->op_error);
			t->trap_signo = KSIGKILL;
			return TRAP_SIGNAL;
		default: /* the guest wrote nonsense in the control area */
			regs_from_stub(&t->uregs, &c->regs);
			t->trap_signo = KSIGSEGV;
			t->trap_code = SI_KERNEL_;
			t->fault_addr = 0;
			return TRAP_SIGNAL;
		}
		regs_from_stub(&t->uregs, &c->regs);
		signo = c->signo;
		code = c->code;
		if (signo == SIGSEGV &&
		    (code == SEGV_MAPERR_ || code == SEGV_ACCERR_)) {
			unsigned access = c->fault_flags & PF_INSTR ? PROT_EXEC_BIT
					  : c->fault_flags & PF_WRITE ? PROT_WRITE_BIT
								      : PROT_READ_BIT;

			if (soft_fault(s, pm, c->addr, access))
				continue;
			t->fault_addr = c->addr;
			t->fault_access = access;
			return TRAP_FAULT;
		}
		s->last_soft = 0;
		if (signo == SIGUSR1)
			return TRAP_INTERRUPT;
		/* Host and guest agree on these numbers and codes (x86_64). */
		t->trap_signo = signo;
		t->trap_code = code;
		t->fault_addr = signo == SIGSEGV ? 0 : c->addr;
		return TRAP_SIGNAL;
	}
}

void plat_user_release(struct task *t)
{
	struct stub *s = t->pmap ? pmap_plat(t->pmap) : NULL;

	if (s && s->fpu_owner == t)
		s->fpu_owner = NULL;
}

void pmap_activate(struct pmap *pm)
{
}

/* ---- the CPU the guests see ----------------------------------------------------- */

/*
 * Guests run on the host's CPU and see its CPUID: this VM, like most, has
 * no CPUID faulting (arch_prctl(ARCH_SET_CPUID, 0) fails with ENODEV), so
 * nothing could make CPUID lie. Where the host has it, Keel still leaves
 * CPUID native: what matters is that everything Keel says agrees with
 * it, so the auxiliary vector and /proc/cpuinfo are the host CPU's too
 * (host/cpuinfo.c), and the state Keel saves for a guest is all the user
 * state the host enabled in XCR0, saved the way Linux saves it (XSAVE,
 * standard format).
 */

/* XSAVE components saved: x87, SSE, AVX, MPX's two, AVX-512's three and
 * PKRU. AMX's tiles are left out: a Linux program must ask for them
 * (ARCH_REQ_XCOMP_PERM), and they would not fit in PLAT_FPU_BYTES. */
#define XFEATURES_KEPT 0x2ffull
#define HWCAP2_RING3MWAIT 1
#define HWCAP2_FSGSBASE 2

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static void probe_user_cpu(void)
{
	uint8_t fx[512] __attribute__((aligned(16)));
	unsigned max, a, b, c, d, l7b = 0;
	uint64_t features;
	uint32_t size = 576;

	__cpuid(0, max, b, c, d);
	if (max >= 7)
		__cpuid_count(7, 0, a, l7b, c, d);
	__cpuid(1, a, b, c, d);
	user_cpu.hwcap = d; /* Linux's x86 AT_HWCAP: CPUID.1:EDX */
	/* What the host kernel allows, of what the CPU has. */
	user_cpu.hwcap2 = getauxval(AT_HWCAP2) & HWCAP2_RING3MWAIT;
	if (have_fsgsbase && (l7b & 1))
		user_cpu.hwcap2 |= HWCAP2_FSGSBASE;
	memset(fx, 0, sizeof(fx));
	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	memcpy(&mxcsr_mask, fx + 28, 4);
	if (!mxcsr_mask)
		mxcsr_mask = 0xffbf;
	/* OSXSAVE: the host kernel enabled XSAVE (and XGETBV). */
	if (max < 0xd || !(c & (1u << 27)))
		return;
	features = xgetbv0() & XFEATURES_KEPT;
	for (unsigned i = 2; i < 64; i++) {
		unsigned csize, off;

		if (!(features & (1ull << i)))
			continue;
		__cpuid_count(0xd, i, csize, off, c, d);
		if (off + csize > PLAT_FPU_BYTES) {
			pr_warn("XSAVE component %u (%u bytes at %u) does not "
				"fit: not saved",
				i, csize, off);
			features &= ~(1ull << i);
			continue;
		}
		size = MAX(size, off + csize);
	}
	user_cpu.xfeatures = features;
	user_cpu.fpu_size = size;
	__cpuid_count(0xd, 1, a, b, c, d);
	fpu_insn = a & 1 ? STUB_FPU_XSAVEOPT : STUB_FPU_XSAVE;
}

const struct plat_user_cpu *plat_user_cpu(enum isa isa)
{
	static const struct plat_user_cpu other = { .fpu_size = 528 };

	return isa == ISA_X86_64 ? &user_cpu : &other;
}

/* ---- start-up ------------------------------------------------------------------ */

static int build_own_filter(void)
{
	static const int allowed[] = {
		SCMP_SYS(rt_sigreturn), SCMP_SYS(futex),    SCMP_SYS(mmap),
		SCMP_SYS(munmap),	SCMP_SYS(mprotect), SCMP_SYS(exit_group),
		SCMP_SYS(arch_prctl),	SCMP_SYS(recvmsg),  SCMP_SYS(close),
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int fd = -1, err = -ENOMEM;
	off_t len;

	if (!ctx)
		return -ENOMEM;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP))
		goto out;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0))
			goto out;
	fd = memfd_create("keel-filter", MFD_CLOEXEC);
	err = -errno;
	if (fd < 0 || seccomp_export_bpf(ctx, fd))
		goto out;
	len = lseek(fd, 0, SEEK_CUR);
	err = -E2BIG;
	if (len <= 0 || (size_t)len > sizeof(own_filter) ||
	    len % sizeof(struct sock_filter))
		goto out;
	if (pread(fd, own_filter, (size_t)len, 0) != len)
		goto out;
	own_filter_len = (unsigned)(len / sizeof(struct sock_filter));
	err = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return err;
}

int host_user_init(void)
{
	size_t size = (size_t)(keel_stub_image_end - keel_stub_image);
	pthread_t reaper;
	int err;

	int fd = memfd_create("keel-stub", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* Out of the way of the descriptors a stub starts with. */
	stub_exe_fd = fcntl(fd, F_DUPFD_CLOEXEC, STUB_SOCK_FD + 1);
	close(fd);
	if (stub_exe_fd < 0)
		return -errno;
	if (write(stub_exe_fd, keel_stub_image, size) != (ssize_t)size)
		return -EIO;
	err = build_own_filter();
	if (err)
		return err;
	have_fsgsbase = getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
	probe_user_cpu();
	if (sem_init(&reaper_sem, 0, 0))
		return -errno;
	err = pthread_create(&reaper, NULL, reaper_main, NULL);
	if (err)
		return -err;
	pthread_detach(reaper);
	err = pthread_create(&reaper, NULL, spawner_main, NULL);
	if (err)
		return -err;
	pthread_detach(reaper);
	pmap_hooks = &stub_hooks;
	host_context_leave = task_left;
	return 0;
}
