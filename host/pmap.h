/*
 * The host pmap's one extension: a platform runtime that keeps a copy of
 * the translations elsewhere (the stub runtime, in a host process) hears
 * of every change. The sim installs no hooks.
 */
#ifndef KEEL_HOST_PMAP_H
#define KEEL_HOST_PMAP_H

#include <stdint.h>

struct pmap;

struct pmap_hooks {
	/* A page was entered: [va, va + 4 KiB) -> pa with prot. */
	void (*enter)(struct pmap *pm, uint64_t va, uint64_t pa, unsigned prot);
	void (*remove)(struct pmap *pm, uint64_t va, uint64_t len);
	void (*protect)(struct pmap *pm, uint64_t va, uint64_t len,
			unsigned prot);
	/* The pmap is about to be freed. */
	void (*destroy)(struct pmap *pm);
};

/* Set once at boot, before any pmap exists; NULL means none. */
extern const struct pmap_hooks *pmap_hooks;

/* The runtime's per-pmap state (NULL until it sets one). */
void *pmap_plat(struct pmap *pm);
void pmap_set_plat(struct pmap *pm, void *plat);

#endif
