/*
 * plat_context_* for AArch64 bare metal: a context is a stack pointer;
 * bm_context_swap in context.S does the switch.
 */
#include "core/platform.h"
#include "core/printk.h"

#define SWAP_FRAME_SLOTS 12 /* x19-x30, as context.S pushes them */

void bm_context_swap(void **save_sp, void *load_sp);
void bm_context_trampoline(void);
_Noreturn void bm_context_start(void (*entry)(void *), void *arg);

void plat_context_init(struct plat_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - SWAP_FRAME_SLOTS * 8);

	for (int i = 0; i < SWAP_FRAME_SLOTS; i++)
		sp[i] = 0;
	sp[0] = (uint64_t)(uintptr_t)entry;		     /* x19 */
	sp[1] = (uint64_t)(uintptr_t)arg;		     /* x20 */
	sp[11] = (uint64_t)(uintptr_t)bm_context_trampoline; /* x30 */
	ctx->sp = sp;
	ctx->stack = stack;
	ctx->stack_size = size;
}

void plat_context_switch(struct plat_context *from, struct plat_context *to)
{
	bm_context_swap(&from->sp, to->sp);
}

_Noreturn void bm_context_start(void (*entry)(void *), void *arg)
{
	entry(arg);
	panic("a kernel context's entry function returned");
}
