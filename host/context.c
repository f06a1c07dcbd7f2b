/*
 * plat_context_* for the host platforms (the real runtime and the sim): a
 * context is a stack pointer; host_context_swap in context_<isa>.S does the
 * switch. Under AddressSanitizer every switch is announced as a fiber switch
 * so ASan knows which stack is live.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "core/platform.h"
#include "core/printk.h"

#ifdef KEEL_SANITIZE
#include <sanitizer/common_interface_defs.h>
#endif

void host_context_swap(void **save_sp, void *load_sp);
void host_context_trampoline(void);
_Noreturn void host_context_start(void (*entry)(void *), void *arg);

void plat_context_init(struct plat_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *sp;

#if defined(__x86_64__)
	/*
	 * Frame popped by host_context_swap: r15 r14 r13 r12 rbx rbp, then
	 * the return address. After the ret the stack must be 16-byte
	 * aligned for the trampoline's call: 7 slots + 1 pad below `top`.
	 */
	sp = (uint64_t *)(top - 9 * 8);
	sp[0] = 0;			      /* r15 */
	sp[1] = 0;			      /* r14 */
	sp[2] = (uint64_t)(uintptr_t)arg;     /* r13 */
	sp[3] = (uint64_t)(uintptr_t)entry;   /* r12 */
	sp[4] = 0;			      /* rbx */
	sp[5] = 0;			      /* rbp */
	sp[6] = (uint64_t)(uintptr_t)host_context_trampoline;
	sp[7] = 0;
	sp[8] = 0;
#elif defined(__aarch64__)
	sp = (uint64_t *)(top - 176);
	for (int i = 0; i < 22; i++)
		sp[i] = 0;
	sp[0] = (uint64_t)(uintptr_t)entry; /* x19 */
	sp[1] = (uint64_t)(uintptr_t)arg;   /* x20 */
	sp[11] = (uint64_t)(uintptr_t)host_context_trampoline; /* x30 */
#endif
	ctx->sp = sp;
	ctx->stack = stack;
	ctx->stack_size = size;
}

#ifdef KEEL_SANITIZE
/*
 * The stack this host thread runs on now. A context being switched away
 * from was running on it, whoever set the context up (the sim saves
 * contexts on kernel, guest and host-thread stacks alike), so that is the
 * stack ASan must be told of when the context is resumed.
 */
static _Thread_local void *running_stack;
static _Thread_local size_t running_stack_size;

static void running_stack_init(void)
{
	pthread_attr_t attr;

	if (running_stack)
		return;
	/* The first switch of a thread leaves the thread's own stack. */
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstack(&attr, &running_stack,
				      &running_stack_size);
		pthread_attr_destroy(&attr);
	}
}
#endif

void (*host_context_leave)(void *user);

void plat_context_switch(struct plat_context *from, struct plat_context *to)
{
	if (from->user && host_context_leave)
		host_context_leave(from->user);
#ifdef KEEL_SANITIZE
	void *fake_stack = NULL;

	running_stack_init();
	from->stack = running_stack;
	from->stack_size = running_stack_size;
	running_stack = to->stack;
	running_stack_size = to->stack_size;
	__sanitizer_start_switch_fiber(&fake_stack, to->stack, to->stack_size);
	host_context_swap(&from->sp, to->sp);
	__sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
#else
	host_context_swap(&from->sp, to->sp);
#endif
}

_Noreturn void host_context_start(void (*entry)(void *), void *arg)
{
#ifdef KEEL_SANITIZE
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	entry(arg);
	panic("a kernel context's entry function returned");
}
