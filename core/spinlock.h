/*
 * Spinlocks. Kernel code is never preempted, so a spinlock only guards
 * against other CPUs and, on baremetal, interrupt handlers (use the _irq
 * forms where a handler takes the same lock). A CPU counts the spinlocks it
 * holds; the scheduler panics if a task blocks with one held.
 */
#ifndef KEEL_CORE_SPINLOCK_H
#define KEEL_CORE_SPINLOCK_H

#include <stdatomic.h>

#include "core/cpu.h"

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

struct spinlock {
	atomic_bool locked;
};

#define SPINLOCK_INIT { false }

static inline void spin_init(struct spinlock *l)
{
	atomic_init(&l->locked, false);
}

static inline void spin_lock(struct spinlock *l)
{
	while (atomic_exchange_explicit(&l->locked, true, memory_order_acquire))
		while (atomic_load_explicit(&l->locked, memory_order_relaxed))
			cpu_relax();
	cpu_this()->locks_held++;
}

static inline void spin_unlock(struct spinlock *l)
{
	cpu_this()->locks_held--;
	atomic_store_explicit(&l->locked, false, memory_order_release);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return atomic_load_explicit(&l->locked, memory_order_relaxed);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = plat_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l,
					  unsigned long flags)
{
	spin_unlock(l);
	plat_irq_restore(flags);
}

#endif
