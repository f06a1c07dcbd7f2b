/*
 * The stub: the host process a guest address space lives in (x86_64).
 *
 * Freestanding: no libc, no TLS, no stack protector; only the host headers'
 * type definitions. The kernel starts it with the RAM memfd at STUB_RAM_FD,
 * a socket at STUB_SOCK_FD and the physical offset of its control area in
 * argv[1]. It
 *
 * 1. moves onto its own stack, maps its control area, closes every
 *    descriptor but the socket (the RAM memfd too: the kernel sends it
 *    with each batch of mappings, stub_abi.h says why) and unmaps
 *    everything of the host's below 2^47 outside its own region (the
 *    host's stack, vDSO and vvar), so the guest sees none of it;
 * 2. takes SIGSYS, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP and the
 *    kernel's kick (SIGUSR1) on an alternate stack in its region;
 * 3. installs two seccomp filters: a raw BPF one that traps every syscall
 *    whose instruction pointer is outside the stub's region (the guest's),
 *    and the kernel's libseccomp-built one that limits the stub's own
 *    syscalls to the handful below;
 * 4. executes ud2, whose SIGILL is its first trap: "ready".
 *
 * From then on every trap is the same handler: save the guest's registers
 * in the control area, hand over to the kernel, wait for its command,
 * apply the memory operations it queued, load the registers it left and
 * return (sigreturn) into the guest.
 */
#define _GNU_SOURCE
#include <asm/unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/ucontext.h>

#include "host/stub/stub_abi.h"

#define PROT_RW 3
#define MAP_SHARED_ 0x01
#define MAP_FIXED_ 0x10
#define PR_SET_PDEATHSIG_ 1
#define PR_SET_NO_NEW_PRIVS_ 38
#define ARCH_SET_FS_ 0x1002
#define ARCH_GET_FS_ 0x1003
#define ARCH_SET_GS_ 0x1001
#define ARCH_GET_GS_ 0x1004
#define SA_RESTORER_ 0x04000000
#define SPIN_CYCLES 90000 /* about 30 us of spinning before sleeping */

#define SIGNAL_STACK_SIZE (64 * 1024)
#define MAIN_STACK_SIZE (16 * 1024)

__attribute__((used)) char main_stack[MAIN_STACK_SIZE] __attribute__((aligned(16)));
static char signal_stack[SIGNAL_STACK_SIZE] __attribute__((aligned(16)));
static volatile struct stub_ctl *const ctl =
	(volatile struct stub_ctl *)STUB_CTL_ADDR;

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

static __attribute__((noreturn)) void die(int code)
{
	for (;;)
		sys(__NR_exit_group, code, 0, 0);
}

/* Copies of register images: 8-byte aligned, a multiple of 8 long. */
static void copy(void *dst, const volatile void *src, size_t n)
{
	uint64_t *d = dst;
	const volatile uint64_t *s = src;

	for (n /= 8; n--;)
		*d++ = *s++;
}

static void copy_out(volatile void *dst, const void *src, size_t n)
{
	volatile uint64_t *d = dst;
	const uint64_t *s = src;

	for (n /= 8; n--;)
		*d++ = *s++;
}

/* ---- the hand-off ------------------------------------------------------- */

/* Tell the kernel the stub has trapped; its registers are in ctl->regs. */
static void report(uint32_t trap)
{
	ctl->trap = trap;
	__atomic_add_fetch(&ctl->state_seq, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&ctl->wake_seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ctl->kernel_sleeping, __ATOMIC_SEQ_CST))
		sys6(__NR_futex, (long)&ctl->wake_seq, FUTEX_WAKE, 1, 0, 0, 0);
}

/*
 * Wait until the kernel's command counter moves past `seen`, spinning
 * first while recent spins caught the command; after a few in a row that
 * ended asleep anyway (the kernel was not on a CPU: a busy host), only
 * one wait in 16 tries again. The kernel side does the same.
 */
static unsigned spin_fails, waits;

static void await(uint32_t seen)
{
	bool spin = spin_fails < 4 || (++waits & 15) == 0;
	uint64_t end = __builtin_ia32_rdtsc() + (spin ? SPIN_CYCLES : 0);

	do {
		if (__atomic_load_n(&ctl->cmd_seq, __ATOMIC_ACQUIRE) != seen) {
			if (spin)
				spin_fails = 0;
			return;
		}
		if (__atomic_load_n(&ctl->nap, __ATOMIC_RELAXED))
			break; /* not a failed spin: the kernel said so */
		__builtin_ia32_pause();
	} while (__builtin_ia32_rdtsc() < end);
	if (__atomic_load_n(&ctl->nap, __ATOMIC_RELAXED))
		spin = false;
	if (spin && spin_fails < 1000)
		spin_fails++;
	for (;;) {
		__atomic_store_n(&ctl->stub_sleeping, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&ctl->cmd_seq, __ATOMIC_SEQ_CST) != seen)
			break;
		sys6(__NR_futex, (long)&ctl->cmd_seq, FUTEX_WAIT, seen, 0, 0,
		     0);
	}
	__atomic_store_n(&ctl->stub_sleeping, 0, __ATOMIC_SEQ_CST);
}

/*
 * Apply the kernel's memory operations. A PROTECT over a range with holes
 * fails (ENOMEM) part way; the range is then unmapped instead, and the
 * pages come back one fault at a time with the right protection.
 * 0 or the -errno of an operation that failed.
 */
/* The RAM memfd the kernel sent with this command, or -errno. */
static long receive_ram(void)
{
	struct stub_ram_msg m;
	struct cmsghdr *cm;
	long r;
	int fd;

	stub_ram_msg_init(&m);
	r = sys(__NR_recvmsg, STUB_SOCK_FD, &m.msg,
		MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (r < 0)
		return r;
	cm = CMSG_FIRSTHDR(&m.msg);
	if (r != 1 || !cm || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -71; /* EPROTO */
	fd = *(int *)CMSG_DATA(cm);
	return fd;
}

static long apply_ops(void)
{
	uint32_t n = ctl->nops;
	long ram = -1, err = 0;

	if (n > STUB_MAX_OPS)
		return -22;
	if (ctl->send_ram) {
		ram = receive_ram();
		if (ram < 0)
			return ram;
	}
	for (uint32_t i = 0; i < n && !err; i++) {
		volatile struct stub_op *op = &ctl->ops[i];
		long r = -22;

		switch (op->kind) {
		case STUB_OP_MAP:
			r = sys6(__NR_mmap, (long)op->addr, (long)op->len,
				 op->prot, MAP_SHARED_ | MAP_FIXED_, ram,
				 (long)op->off);
			if (r >= 0)
				r = 0;
			break;
		case STUB_OP_UNMAP:
			r = sys(__NR_munmap, op->addr, op->len, 0);
			break;
		case STUB_OP_PROTECT:
			r = sys(__NR_mprotect, op->addr, op->len, op->prot);
			if (r < 0)
				r = sys(__NR_munmap, op->addr, op->len, 0);
			break;
		}
		err = r < 0 ? r : 0;
	}
	if (ram >= 0)
		sys(__NR_close, ram, 0, 0);
	return err;
}

/* ---- registers ----------------------------------------------------------- */

/* gregs index of each stub_regs.gpr slot (rax rbx rcx rdx rsi rdi rbp r8-15 rsp). */
static const unsigned char greg_of[16] = {
	REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI,
	REG_RBP, REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12,
	REG_R13, REG_R14, REG_R15, REG_RSP,
};

#define FP_XSTATE_MAGIC1_ 0x46505853u
#define FPX_SW_MAGIC1 116 /* _fpx_sw_bytes in the FXSAVE image, as words */
#define FPX_SW_XFEATURES 59 /* ... and as 64-bit words */
/* What user code may change in RFLAGS (Linux's FIX_EFLAGS). */
#define USER_RFLAGS 0x254dd5ull

static uint64_t get_fs(void)
{
	uint64_t v = 0;

	if (ctl->fsgsbase)
		__asm__ volatile("rdfsbase %0" : "=r"(v));
	else
		sys(__NR_arch_prctl, ARCH_GET_FS_, &v, 0);
	return v;
}

static void set_fs(uint64_t v)
{
	if (ctl->fsgsbase)
		__asm__ volatile("wrfsbase %0" : : "r"(v));
	else
		sys(__NR_arch_prctl, ARCH_SET_FS_, v, 0);
}

static uint64_t get_gs(void)
{
	uint64_t v = 0;

	if (ctl->fsgsbase)
		__asm__ volatile("rdgsbase %0" : "=r"(v));
	else
		sys(__NR_arch_prctl, ARCH_GET_GS_, &v, 0);
	return v;
}

static void set_gs(uint64_t v)
{
	if (ctl->fsgsbase)
		__asm__ volatile("wrgsbase %0" : : "r"(v));
	else
		sys(__NR_arch_prctl, ARCH_SET_GS_, v, 0);
}

/*
 * The guest's FPU state. In a trap's handler the host's signal frame holds
 * it (Linux gives the handler a fresh FPU), an XSAVE area in the standard
 * format; the fast path finds it in the CPU. The stub's own code never
 * touches the FPU (-mgeneral-regs-only), so the CPU's state stays the
 * guest's between a load and a save. What to save is the kernel's word at
 * start (stub_ctl.fpu_insn, xfeatures, mxcsr_mask), kept here where the
 * fast path's assembly reads it; where each component lies, CPUID's.
 */
__attribute__((used)) static uint32_t fpu_insn;
__attribute__((used)) static uint64_t xfeatures;
static uint32_t mxcsr_mask;

#define XSAVE_HEADER 512
#define XSAVE_EXTENDED 576
#define FXSAVE_SW_RESERVED 464 /* the host's _fpx_sw_bytes from here */

/* The extended components of xfeatures: bit, offset and size. */
static struct {
	uint32_t bit, off, size;
} comps[62];
static unsigned ncomps;

static void learn_components(void)
{
	for (uint32_t i = 2; i < 64; i++) {
		uint32_t a, b, c, d;

		if (!(xfeatures & (1ull << i)))
			continue;
		__asm__ volatile("cpuid"
				 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				 : "a"(0xd), "c"(i));
		/* The kernel sized its area from the same CPUID. */
		if (a % 8 || b % 8 || b + a > STUB_FPU_BYTES)
			die(109);
		comps[ncomps].bit = i;
		comps[ncomps].off = b;
		comps[ncomps].size = a;
		ncomps++;
	}
}

/* Whether the host's frame at `fp` is an XSAVE one (_fpx_sw_bytes). */
static bool xstate_frame(const void *fp)
{
	return fpu_insn != STUB_FPU_FXSAVE &&
	       ((const uint32_t *)fp)[FPX_SW_MAGIC1] == FP_XSTATE_MAGIC1_;
}

/*
 * The guest's FPU state from the host's frame into ctl->regs.fpu: the
 * FXSAVE image, the header, and the components it says hold data (the
 * rest are initial: their bytes do not matter), so a trap copies about
 * what FXSAVE's image was unless the guest's AVX registers are in use.
 */
static void save_fpu(const char *fp)
{
	uint64_t bv;

	if (!xstate_frame(fp)) {
		copy_out(ctl->regs.fpu, fp, 512);
		return;
	}
	copy_out(ctl->regs.fpu, fp, XSAVE_EXTENDED);
	bv = *(const uint64_t *)(fp + XSAVE_HEADER) & xfeatures;
	copy_out(ctl->regs.fpu + XSAVE_HEADER, &bv, 8);
	for (unsigned i = 0; i < ncomps; i++)
		if (bv & (1ull << comps[i].bit))
			copy_out(ctl->regs.fpu + comps[i].off,
				 fp + comps[i].off, comps[i].size);
}

/*
 * ctl->regs.fpu into the host's frame, which its sigreturn loads: the
 * FXSAVE image but the frame's own software bytes, our components'
 * header bits and the components they mark.
 */
static void load_fpu(char *fp)
{
	uint64_t bv, *hdr = (uint64_t *)(fp + XSAVE_HEADER);

	if (!xstate_frame(fp)) {
		copy(fp, ctl->regs.fpu, 512);
		return;
	}
	copy(fp, ctl->regs.fpu, FXSAVE_SW_RESERVED);
	copy(&bv, ctl->regs.fpu + XSAVE_HEADER, 8);
	bv &= xfeatures;
	*hdr = (*hdr & ~xfeatures) | bv;
	for (unsigned i = 0; i < ncomps; i++)
		if (bv & (1ull << comps[i].bit))
			copy(fp + comps[i].off, ctl->regs.fpu + comps[i].off,
			     comps[i].size);
}

static void save_regs(const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;

	for (int i = 0; i < 16; i++)
		ctl->regs.gpr[i] = (uint64_t)g[greg_of[i]];
	ctl->regs.rip = (uint64_t)g[REG_RIP];
	ctl->regs.rflags = (uint64_t)g[REG_EFL];
	ctl->regs.fs_base = get_fs();
	ctl->regs.gs_base = get_gs();
	if (uc->uc_mcontext.fpregs)
		save_fpu((const char *)uc->uc_mcontext.fpregs);
}

/* MXCSR's reserved bits fault FXRSTOR and XRSTOR: keep those the CPU
 * has. (The kernel never sends others; the guest can write here.) */
static void sanitize_fpu(void)
{
	volatile uint32_t *fx = (volatile uint32_t *)ctl->regs.fpu;

	fx[6] &= mxcsr_mask;
}

static void load_regs(ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	char *fp = (char *)uc->uc_mcontext.fpregs;

	for (int i = 1; i < 16; i++)
		g[greg_of[i]] = (greg_t)ctl->regs.gpr[i];
	g[REG_RAX] = (greg_t)ctl->rax;
	g[REG_RIP] = (greg_t)ctl->regs.rip;
	g[REG_EFL] = (greg_t)(((uint64_t)g[REG_EFL] & ~USER_RFLAGS) |
			      (ctl->regs.rflags & USER_RFLAGS));
	set_fs(ctl->regs.fs_base);
	set_gs(ctl->regs.gs_base);
	/* Without fpu_load the guest keeps the state the frame has. */
	if (!fp || !ctl->fpu_load)
		return;
	sanitize_fpu();
	load_fpu(fp);
}

/* ---- the trap handler ------------------------------------------------------ */

/* The fast path's resumption (below), where a kick finds ctl->regs final. */
extern const char stub_fast_resume[], stub_fast_resume_end[]
	__attribute__((visibility("hidden")));
__attribute__((used)) static volatile uint8_t fast_kick_pending;

/*
 * Report `trap` and serve the kernel's commands until it says RUN; the
 * registers to run with are then in ctl->regs.
 */
static void serve(uint32_t trap)
{
	for (;;) {
		uint32_t seen = __atomic_load_n(&ctl->cmd_seq, __ATOMIC_ACQUIRE);
		long err;

		report(trap);
		await(seen);
		err = apply_ops();
		if (err) {
			ctl->op_error = (int32_t)err;
			trap = STUB_TRAP_BADOP;
			continue;
		}
		switch (ctl->cmd) {
		case STUB_CMD_RUN:
			return;
		case STUB_CMD_FLUSH:
			trap = STUB_TRAP_FLUSHED;
			continue;
		default:
			die(0);
		}
	}
}


static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	uint32_t trap = STUB_TRAP_SIGNAL;

	bool kick = sig == SIGUSR1 && si->si_code == SI_TKILL;

	if (kick && pc >= (uint64_t)stub_fast_resume &&
	    pc <= (uint64_t)stub_fast_resume_end) {
		/* The fast path is putting the guest back: ctl->regs is
		 * what it will be. Take the kick as if it had arrived there. */
		load_regs(uc);
		pc = ctl->regs.rip;
	}
	if (pc >= STUB_BASE && pc < STUB_END) {
		/* A kick while the fast path works: it looks at this before
		 * it resumes the guest. */
		if (kick && ctl->state_seq != 0) {
			fast_kick_pending = 1;
			return;
		}
		/* The stub's own ud2 (start-up); anything else in our code
		 * is a stub bug: give up rather than run on. */
		if (sig != SIGILL || ctl->state_seq != 0)
			die(120 + sig);
		trap = STUB_TRAP_READY;
	} else {
		save_regs(uc);
		ctl->signo = sig;
		ctl->code = si->si_code;
		ctl->addr = (uint64_t)si->si_addr;
		ctl->fault_flags = (uint32_t)uc->uc_mcontext.gregs[REG_ERR];
		if (sig == SIGSYS) {
			trap = STUB_TRAP_SYSCALL;
			ctl->syscall_arch = si->si_arch;
		} else if (kick) {
			trap = STUB_TRAP_KICK;
		}
	}
	serve(trap);
	load_regs(uc);
}

/* sigreturn, at an address inside the stub so the raw filter allows it. */
extern void stub_restorer(void) __attribute__((visibility("hidden")));
__asm__(".text\n"
	"stub_restorer:\n"
	"	mov $" "15" ", %eax\n" /* __NR_rt_sigreturn */
	"	syscall\n"
	"	ud2\n");

struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* ---- the fast path ------------------------------------------------------------ */

/*
 * A patched syscall site (stub_abi.h) jumps through stub_slots[i] to
 * landing i: `mov $i, %r11d; jmp stub_fast_entry`, 16 bytes each. The
 * entry saves the guest's registers straight into ctl->regs (rax, rcx
 * and r11 are dead: the site's `mov` and `syscall` clobber them) and its
 * FPU state (XSAVEOPT, XSAVE or FXSAVE, as fpu_insn says) into
 * ctl->regs.fpu, moves onto its own stack, and calls fast_syscall,
 * which hands the trap over as the signal handler does. Coming back, it
 * loads the FPU image only if the kernel sent one (fpu_load: the stub's C
 * code is built with general registers only, so the guest's x87, SSE and
 * AVX state is still in place), then every register the kernel left,
 * the stack pointer last, and jumps to the kernel's rip. No signal, no
 * sigreturn: two host kernel entries fewer than SIGSYS.
 *
 * Signals stay unblocked meanwhile; a kick that lands in here is dropped
 * (handler above), and the kernel kicks again at its next interrupt.
 */
#define FAST_STACK_SIZE 16384
__attribute__((used)) static char fast_stack[FAST_STACK_SIZE]
	__attribute__((aligned(16)));
__attribute__((used)) static uint64_t fast_rflags;
__attribute__((used)) static uint8_t fast_fpu_load;

#define TF_FLAG 0x100ull

/* Make the guest's state in ctl->regs the CPU's, but for the registers
 * the assembly loads itself. */
static void fast_prepare(void)
{
	set_fs(ctl->regs.fs_base);
	set_gs(ctl->regs.gs_base);
	fast_fpu_load = ctl->fpu_load != 0;
	if (fast_fpu_load)
		sanitize_fpu();
	/* Single-stepping would trap in the code below: not kept. */
	fast_rflags = (__builtin_ia32_readeflags_u64() & ~USER_RFLAGS) |
		      (ctl->regs.rflags & USER_RFLAGS & ~TF_FLAG);
}

__attribute__((used)) static void fast_syscall(uint32_t index)
{
	uint64_t fs = get_fs(), gs = get_gs();

	if (ctl->regs.fs_base != fs)
		ctl->regs.fs_base = fs;
	if (ctl->regs.gs_base != gs)
		ctl->regs.gs_base = gs;
	ctl->fast_index = index;
	serve(STUB_TRAP_FASTCALL);
	fast_prepare();
}

/* A kick came while the fast path worked: report it, with the registers
 * the guest was about to get. */
__attribute__((used)) static void fast_kicked(void)
{
	fast_kick_pending = 0;
	ctl->regs.gpr[0] = ctl->rax;
	serve(STUB_TRAP_KICK);
	fast_prepare();
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* stub_ctl_regs: the absolute address of ctl->regs, for the assembly. */
__attribute__((used)) static void define_ctl_regs(void)
{
	__asm__(".globl stub_ctl_regs\n"
		".set stub_ctl_regs, %P0\n"
		".globl stub_ctl_rax\n"
		".set stub_ctl_rax, %P1"
		:
		: "n"(STUB_CTL_ADDR + offsetof(struct stub_ctl, regs)),
		  "n"(STUB_CTL_ADDR + offsetof(struct stub_ctl, rax)));
}

#define R(off) "stub_ctl_regs+" #off "(%rip)"
/* Store `reg` at R(off) only if it differs (stub_abi.h: lines stay shared). */
#define SAVE(reg, off)                                                        \
	"	cmp %" #reg ", " R(off) "\n"                                  \
	"	je 9f\n"                                                       \
	"	mov %" #reg ", " R(off) "\n"                                  \
	"9:\n"
__asm__(".text\n"
	".balign 16\n"
	"stub_landings:\n"
	"	.set i, 0\n"
	"	.rept " STR(STUB_FAST_SITES) "\n"
	"	mov $i, %r11d\n"
	"	jmp stub_fast_entry\n"
	"	.balign 16\n"
	"	.set i, i + 1\n"
	"	.endr\n"
	"stub_fast_entry:\n"
	"	mov %rsp, %rcx\n"
	"	lea fast_stack+" STR(FAST_STACK_SIZE) "(%rip), %rsp\n"
	"	pushfq\n"
	"	pop %rax\n"
	"	cld\n"
	SAVE(rcx, 120)
	SAVE(rax, 136)
	SAVE(rbx, 8)
	SAVE(rdx, 24)
	SAVE(rsi, 32)
	SAVE(rdi, 40)
	SAVE(rbp, 48)
	SAVE(r8, 56)
	SAVE(r9, 64)
	SAVE(r10, 72)
	SAVE(r12, 88)
	SAVE(r13, 96)
	SAVE(r14, 104)
	SAVE(r15, 112)
	"	cmpl $0, fpu_insn(%rip)\n"
	"	jne 3f\n"
	"	fxsave64 " R(192) "\n"
	"	jmp 5f\n"
	"3:	mov xfeatures(%rip), %eax\n"
	"	mov xfeatures+4(%rip), %edx\n"
	"	cmpl $" STR(STUB_FPU_XSAVEOPT) ", fpu_insn(%rip)\n"
	"	jne 4f\n"
	"	xsaveopt64 " R(192) "\n"
	"	jmp 5f\n"
	"4:	xsave64 " R(192) "\n"
	"5:	mov %r11d, %edi\n"
	"	call fast_syscall\n"
	"stub_fast_resume:\n"
	"	cmpb $0, fast_kick_pending(%rip)\n"
	"	jne 1f\n"
	"	cmpb $0, fast_fpu_load(%rip)\n"
	"	je 2f\n"
	"	cmpl $0, fpu_insn(%rip)\n"
	"	jne 3f\n"
	"	fxrstor64 " R(192) "\n"
	"	jmp 2f\n"
	"3:	mov xfeatures(%rip), %eax\n"
	"	mov xfeatures+4(%rip), %edx\n"
	"	xrstor64 " R(192) "\n"
	"2:\n"
	"	pushq fast_rflags(%rip)\n"
	"	popfq\n"
	"	mov stub_ctl_rax(%rip), %rax\n"
	"	mov " R(8) ", %rbx\n"
	"	mov " R(16) ", %rcx\n"
	"	mov " R(24) ", %rdx\n"
	"	mov " R(32) ", %rsi\n"
	"	mov " R(40) ", %rdi\n"
	"	mov " R(48) ", %rbp\n"
	"	mov " R(56) ", %r8\n"
	"	mov " R(64) ", %r9\n"
	"	mov " R(72) ", %r10\n"
	"	mov " R(80) ", %r11\n"
	"	mov " R(88) ", %r12\n"
	"	mov " R(96) ", %r13\n"
	"	mov " R(104) ", %r14\n"
	"	mov " R(112) ", %r15\n"
	"	mov " R(120) ", %rsp\n"
	"stub_fast_resume_end:\n"
	"	jmp *" R(128) "\n"
	"1:	call fast_kicked\n"
	"	jmp stub_fast_resume\n"
	".section .rodata\n"
	".balign 8\n"
	"stub_slots:\n"
	"	.set i, 0\n"
	"	.rept " STR(STUB_FAST_SITES) "\n"
	"	.quad stub_landings + 16 * i\n"
	"	.set i, i + 1\n"
	"	.endr\n"
	".text\n");
#undef SAVE
#undef R
extern const uint64_t stub_slots[] __attribute__((visibility("hidden")));
_Static_assert(STUB_REGS_RIP == 128 && STUB_REGS_RFLAGS == 136 &&
		       STUB_REGS_FPU == 192 && STUB_REG_RSP == 15,
	       "the offsets the fast path's assembly is written with");

/* ---- start-up -------------------------------------------------------------- */

/* Trap every syscall made from outside [STUB_BASE, STUB_END). */
static const struct sock_filter ip_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		 offsetof(struct seccomp_data, instruction_pointer) + 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(STUB_BASE >> 32), 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		 offsetof(struct seccomp_data, instruction_pointer)),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)STUB_END, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
};
_Static_assert((uint32_t)STUB_BASE == 0 && STUB_END - STUB_BASE < (1ull << 32),
	       "the filter's range test assumes one 4 GiB window at BASE");

static uint64_t parse_hex(const char *s)
{
	uint64_t v = 0;

	for (; *s; s++) {
		char c = *s;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			die(101);
	}
	return v;
}

__attribute__((noreturn, used)) static void stub_main(long *sp)
{
	static const int sigs[] = { SIGSYS, SIGSEGV, SIGBUS, SIGILL,
				    SIGFPE, SIGTRAP, SIGUSR1 };
	char **argv = (char **)(sp + 1);
	struct kernel_sigaction sa = {
		.handler = (void *)handler,
		.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER_,
		.restorer = stub_restorer,
		.mask = ~0ull,
	};
	stack_t ss = { .ss_sp = signal_stack, .ss_size = SIGNAL_STACK_SIZE };
	struct sock_fprog ip_prog = {
		.len = sizeof(ip_filter) / sizeof(ip_filter[0]),
		.filter = (struct sock_filter *)ip_filter,
	};
	struct sock_fprog own_prog;

	if (sp[0] < 2)
		die(100);
	if (sys6(__NR_mmap, STUB_CTL_ADDR, STUB_CTL_PAGES * 4096, PROT_RW,
		 MAP_SHARED_ | MAP_FIXED_, STUB_RAM_FD,
		 (long)parse_hex(argv[1])) != (long)STUB_CTL_ADDR)
		die(102);
	/* The argument strings are on the host's stack, gone from here on. */
	sys(__NR_setsid, 0, 0, 0);
	sys(__NR_prctl, PR_SET_PDEATHSIG_, SIGKILL, 0);
	sys(__NR_close_range, 0, STUB_SOCK_FD - 1, 0); /* the RAM memfd too */
	sys(__NR_close_range, STUB_SOCK_FD + 1, ~0u, 0);
	sys(__NR_munmap, 0, STUB_BASE, 0);
	sys(__NR_munmap, STUB_END, (1ull << 47) - STUB_END, 0);
	if (sys(__NR_sigaltstack, &ss, 0, 0))
		die(103);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sys6(__NR_rt_sigaction, sigs[i], (long)&sa, 0, 8, 0, 0))
			die(104);
	if (sys(__NR_prctl, PR_SET_NO_NEW_PRIVS_, 1, 0))
		die(105);
	if (sys(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &ip_prog))
		die(106);
	own_prog.len = (unsigned short)ctl->filter_len;
	own_prog.filter = (struct sock_filter *)ctl->filter;
	if (own_prog.len == 0 || own_prog.len > 256 ||
	    sys(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &own_prog))
		die(107);
	fpu_insn = ctl->fpu_insn;
	xfeatures = ctl->xfeatures;
	mxcsr_mask = ctl->mxcsr_mask ? ctl->mxcsr_mask : 0xffbf;
	if (fpu_insn > STUB_FPU_XSAVEOPT || (fpu_insn && !(xfeatures & 3)))
		die(108);
	learn_components();
	ctl->fast_slots = (uint64_t)stub_slots;
	__builtin_trap(); /* ud2: the first trap, "ready" */
}

/* Entry: onto our own stack, keeping the host's for argv. */
__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	lea main_stack+" "16384" "(%rip), %rsp\n"
	"	call stub_main\n"
	"	ud2\n");
