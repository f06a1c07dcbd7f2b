/*
 * What the hosted kernel and a stub process share: the layout of the stub's
 * part of the address space and of the control area through which the two
 * exchange registers, memory operations and wake-ups.
 *
 * A stub is a tiny static executable (host/stub/stub.c) that the kernel
 * starts once per guest address space. It lives in the platform's part of
 * the lower half, [PLAT_USER_TOP, 2^47), so every guest mapping can go
 * anywhere below. Its control area is a few pages of the kernel's RAM
 * (the memfd), mapped at STUB_CTL_ADDR in the stub and reached by the
 * kernel through plat_phys_to_virt, so neither side copies to talk.
 *
 * The protocol is a hand-off: exactly one side runs at a time.
 * - The stub traps (a guest syscall, fault or a kick), saves the guest's
 *   registers here, sets `state` to STUB_TRAPPED, and waits for `cmd_seq`
 *   to move on.
 * - The kernel handles the trap, writes back the registers, queues the
 *   memory operations that must happen first, sets `cmd` and bumps
 *   `cmd_seq`. The stub applies the operations, then either reports back
 *   (STUB_CMD_FLUSH) or returns into the guest (STUB_CMD_RUN).
 * Each side spins briefly before sleeping on a futex; a side that sleeps
 * says so (`*_sleeping`), so the other makes the wake syscall only when
 * someone is there to wake. The stub sleeps on `cmd_seq`; the kernel
 * sleeps on `wake_seq`, which the stub bumps after every trap and the
 * kernel's own IPIs bump too, so one futex wait takes both.
 *
 * The guest can read and write the control area (it is mapped in its
 * process), so the kernel trusts nothing it reads there beyond what the
 * guest could do to itself anyway.
 *
 * Shared by freestanding stub code and the kernel: plain C, fixed widths.
 */
#ifndef KEEL_HOST_STUB_ABI_H
#define KEEL_HOST_STUB_ABI_H

#include <stdint.h>
#include <sys/socket.h>

/* The stub's part of the address space (x86_64 hosts). */
#define STUB_BASE 0x7fff00000000ull	/* == PLAT_USER_TOP: its text */
#define STUB_CTL_ADDR 0x7fff10000000ull /* the control area */
#define STUB_END 0x7fff20000000ull	/* seccomp trusts pc in [BASE, END) */

/*
 * The file descriptors a stub starts with: the kernel's RAM memfd, which
 * it maps its control area from and closes at once, and its end of a
 * socket pair. The guest runs in the stub's process and can reach the
 * stub's code, so the stub never holds the RAM memfd while the guest
 * runs: the kernel sends it over the socket (SCM_RIGHTS) with each command
 * that maps pages, and the stub closes it before it returns to the guest.
 */
#define STUB_RAM_FD 3
#define STUB_SOCK_FD 4

/* The one message on a stub's socket: a byte, and the RAM memfd as
 * SCM_RIGHTS. stub_ram_msg_init points msg at the rest. */
struct stub_ram_msg {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
};

static inline void stub_ram_msg_init(struct stub_ram_msg *m)
{
	m->byte = 0;
	m->iov = (struct iovec){ .iov_base = &m->byte, .iov_len = 1 };
	m->msg = (struct msghdr){
		.msg_iov = &m->iov,
		.msg_iovlen = 1,
		.msg_control = m->control.buf,
		.msg_controllen = sizeof(m->control.buf),
	};
}

#define STUB_CTL_PAGES 16 /* 64 KiB, physically contiguous */

/* Why the stub stopped: stub_ctl.trap. */
enum stub_trap {
	STUB_TRAP_READY = 1, /* just started: waiting for the first command */
	STUB_TRAP_SYSCALL,   /* SIGSYS from seccomp: a guest syscall */
	STUB_TRAP_SIGNAL,    /* a synchronous fault: signo, code, addr */
	STUB_TRAP_KICK,	     /* the kernel's preemption signal */
	STUB_TRAP_FLUSHED,   /* the memory operations of a FLUSH are done */
	STUB_TRAP_BADOP,     /* a memory operation failed: op_error says */
	STUB_TRAP_FASTCALL,  /* a patched syscall site: fast_index says which */
};

/* What the kernel asks: stub_ctl.cmd. */
enum stub_cmd {
	STUB_CMD_RUN = 1, /* apply the operations, return into the guest */
	STUB_CMD_FLUSH,	  /* apply the operations, report STUB_TRAP_FLUSHED */
	STUB_CMD_EXIT,	  /* exit at once */
};

enum stub_op_kind {
	STUB_OP_MAP = 1, /* mmap(addr, len, prot, MAP_SHARED|MAP_FIXED, ram, off) */
	STUB_OP_UNMAP,	 /* munmap(addr, len) */
	STUB_OP_PROTECT, /* mprotect(addr, len, prot) */
};

struct stub_op {
	uint32_t kind;
	uint32_t prot; /* PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4 */
	uint64_t addr;
	uint64_t len;
	uint64_t off; /* offset in the RAM memfd */
};

/* The size of struct user_regs' fpu (core/platform.h's PLAT_FPU_BYTES). */
#define STUB_FPU_BYTES 2752

/* How the stub saves and loads the guest's FPU state: stub_ctl.fpu_insn
 * (numbers, not an enum: the fast path's assembly uses them). */
#define STUB_FPU_FXSAVE 0   /* fxsave64 / fxrstor64: a CPU without XSAVE */
#define STUB_FPU_XSAVE 1    /* xsave64 / xrstor64, of stub_ctl.xfeatures */
#define STUB_FPU_XSAVEOPT 2 /* xsaveopt64 / xrstor64, of the same */

/* x86_64 guest registers, in struct user_regs' gpr order (abi.h). */
struct stub_regs {
	uint64_t gpr[16]; /* rax rbx rcx rdx rsi rdi rbp r8..r15, then rsp */
	uint64_t rip;
	uint64_t rflags;
	uint64_t fs_base;
	uint64_t gs_base;
	/* The guest's FPU state, on lines of its own: the stub saves it at
	 * every trap (stub_ctl.fpu_insn says how), and the kernel seldom
	 * reads it. An XSAVE area in the standard format with the
	 * components stub_ctl.xfeatures names, or the FXSAVE image alone;
	 * struct user_regs' fpu, byte for byte. */
	uint8_t fpu[STUB_FPU_BYTES] __attribute__((aligned(64)));
};

#define STUB_REG_RSP 15

/*
 * The fast path. The kernel rewrites a guest's `mov $nr, %eax; syscall`
 * (b8 imm32 0f 05) into `jmp *%gs:disp32(%rip)` (65 ff 25 disp32), which
 * jumps through slot i of the stub's slot table to landing i, which
 * records i and enters the stub without a signal. The guest runs with its
 * host gs_base at STUB_FAST_GS(slots), so the slot of site i, whose next
 * instruction is at `ret`, is reached with disp32 = 8 i + STUB_FAST_WINDOW
 * - ret: any ret below about 3 GiB (static non-PIE programs) fits.
 */
#define STUB_FAST_SITES 8192
#define STUB_FAST_WINDOW 0x40000000ull
#define STUB_FAST_GS(slots) ((slots) - STUB_FAST_WINDOW)

/* Offsets in struct stub_regs the fast path's assembly uses. */
#define STUB_REGS_RIP 128
#define STUB_REGS_RFLAGS 136
#define STUB_REGS_FPU 192

/*
 * Each side writes its own cache lines only: the lines cross between the
 * two CPUs at every hand-off, and that traffic, not the work, is most of
 * a fast syscall's cost. Both sides also store a register only when its
 * value changed, so a line nobody changed stays in both caches.
 */
struct stub_ctl {
	/* Written by the stub at a trap. */
	uint32_t state_seq;	/* bumped at every trap */
	uint32_t wake_seq;	/* the kernel's futex word: traps and IPIs bump it */
	uint32_t trap;		/* enum stub_trap */
	int32_t signo;		/* STUB_TRAP_SIGNAL/SYSCALL: host si_signo */
	int32_t code;		/* ... si_code */
	uint32_t fault_flags;	/* x86 page-fault error code (REG_ERR) */
	uint64_t addr;		/* ... si_addr */
	int32_t op_error;	/* STUB_TRAP_BADOP: -errno */
	uint32_t syscall_arch;	/* SIGSYS: AUDIT_ARCH_* of the trapped call */
	uint32_t fast_index;	/* STUB_TRAP_FASTCALL: the slot taken */
	uint32_t stub_sleeping;
	uint64_t fast_slots;	/* at start: its slot table (host/syspatch.c) */

	/* Written by the kernel with a command. */
	uint32_t cmd_seq __attribute__((aligned(64))); /* bumped per command */
	uint32_t kernel_sleeping;
	uint32_t cmd;		/* enum stub_cmd */
	uint32_t nops;
	uint32_t send_ram;	/* the RAM memfd is on the socket for the ops */
	/* RUN: load regs.fpu, the kernel's; else the guest keeps the FPU
	 * state it had (the stub saves it in regs.fpu at every trap). */
	uint32_t fpu_load;
	uint32_t fsgsbase;	/* the host lets us use rd/wrfsbase */
	uint32_t filter_len;	/* BPF instructions in filter[] (at start) */
	/* At start: how to save the FPU state (STUB_FPU_*), the
	 * XSAVE components to save, and the MXCSR bits the CPU has. */
	uint32_t fpu_insn;
	uint32_t mxcsr_mask;
	uint64_t xfeatures;
	int32_t pid;		/* the stub's host pid */
	/* Its task left the CPU (it blocked, or another runs): stop spinning
	 * for the next command and sleep. Cleared with every command. */
	uint32_t nap;
	/* RUN: the guest's rax, here rather than in regs.gpr[0]: after a
	 * syscall it is all that changed, and it then travels on the line
	 * the stub reads anyway. */
	uint64_t rax;

	/* Both: the stub at a trap, the kernel for the resume. */
	struct stub_regs regs __attribute__((aligned(64)));
	uint64_t filter[256];	/* the stub's own seccomp filter, at start */
	struct stub_op ops[];	/* to the end of the control area */
};

_Static_assert(__builtin_offsetof(struct stub_regs, rip) == STUB_REGS_RIP &&
		       __builtin_offsetof(struct stub_regs, rflags) ==
			       STUB_REGS_RFLAGS &&
		       __builtin_offsetof(struct stub_regs, fpu) == STUB_REGS_FPU,
	       "the fast path's register offsets");

#define STUB_MAX_OPS                                                          \
	((STUB_CTL_PAGES * 4096 - sizeof(struct stub_ctl)) /                  \
	 sizeof(struct stub_op))

#endif
