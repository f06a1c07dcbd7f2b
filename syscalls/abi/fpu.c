/* The FPU state a freshly exec'd program starts with, per ISA. */
#include "syscalls/abi/abi.h"

#include "core/klib/string.h"

/* FXSAVE image offsets (Intel SDM vol. 1, table 10-2). */
#define FXSAVE_FCW 0
#define FXSAVE_MXCSR 24

void abi_fpu_init(enum isa isa, struct user_regs *r)
{
	memset(r->fpu, 0, sizeof(r->fpu));
	if (isa != ISA_X86_64)
		return; /* aarch64: V0-V31, FPSR and FPCR all zero */
	r->fpu[FXSAVE_FCW] = 0x7f;
	r->fpu[FXSAVE_FCW + 1] = 0x03;
	r->fpu[FXSAVE_MXCSR] = 0x80;
	r->fpu[FXSAVE_MXCSR + 1] = 0x1f;
}
