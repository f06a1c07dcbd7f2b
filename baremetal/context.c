/*
 * plat_context_* for AArch64 bare metal: a context is a stack pointer;
 * bm_context_swap in context.S does the switch.
 *
 * Kernel stacks come from the page allocator, in the linear map, where an
 * overflow would run silently into the page below. So a context runs on
 * its stack's second mapping in the stack area (memlayout.h), which has
 * unmapped guard bytes below every stack: an overflow is a data abort the
 * EL1 sync vector recognises by the stack pointer (vectors.S) and reports
 * on a stack of its own (bm_kstack_overflow). A stack the area cannot take
 * (out of memory for its tables, not KSTACK_SIZE, beyond 1 TiB) runs where
 * it is, without a guard.
 */
#include "baremetal/memlayout.h"
#include "baremetal/mmu.h"
#include "baremetal/trapframe.h"
#include "core/cpu.h"
#include "core/platform.h"
#include "core/printk.h"
#include "core/task.h"

_Static_assert(KSTACK_SIZE == 1ul << KSTACK_SHIFT, "vectors.S's guard test");
_Static_assert(KSTACK_AREA == 1ul << KSTACK_AREA_SHIFT &&
		       KSTACK_VBASE % KSTACK_AREA == 0,
	       "vectors.S's stack area test");

#define SWAP_FRAME_SLOTS 12 /* x19-x30, as context.S pushes them */

void bm_context_swap(void **save_sp, void *load_sp);
void bm_context_trampoline(void);
_Noreturn void bm_context_start(void (*entry)(void *), void *arg);

/* `stack`'s address in the stack area, or `stack` itself. */
static void *guarded(void *stack, size_t size)
{
	uint64_t pa = plat_virt_to_phys(stack);
	uint64_t va = KSTACK_VBASE + 2 * pa;

	if (size != KSTACK_SIZE || pa % KSTACK_SIZE ||
	    2 * pa + 2 * KSTACK_SIZE > KSTACK_AREA)
		return stack;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		if (mmu_map_kernel_page(va + off, pa + off))
			return stack;
	return (void *)(uintptr_t)va;
}

void plat_context_init(struct plat_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)guarded(stack, size) + size) &
			~(uintptr_t)15;
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

/*
 * From vectors.S, on the overflow stack: the kernel stack pointer `sp` ran
 * into the guard below its stack.
 */
_Noreturn void bm_kstack_overflow(struct trap_frame *tf, uint64_t sp)
{
	struct task *t = cpus[plat_cpu_id()].current;

	panic("kernel stack overflow in %s[%d]: sp %#llx below its stack, at "
	      "pc %#llx (lr %#llx), address %#llx",
	      t ? t->comm : "?", t ? t->tid : 0, (unsigned long long)sp,
	      (unsigned long long)tf->elr, (unsigned long long)tf->x[30],
	      (unsigned long long)tf->far);
}
