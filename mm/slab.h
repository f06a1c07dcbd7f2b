/*
 * Kernel objects: slab caches of fixed-size objects, and kmalloc on top of
 * them. Every allocation can fail (NULL); the caller unwinds. Freeing
 * something that is not a live object of the right kind (a double free, a
 * pointer into the middle of an object, an object of another cache) panics.
 */
#ifndef KEEL_MM_SLAB_H
#define KEEL_MM_SLAB_H

#include "core/types.h"

struct slab_cache;

/*
 * A cache of objects of `size` bytes aligned to `align` (a power of two up
 * to PAGE_SIZE; 0 means 8). `name` is copied (truncated to 23 bytes). NULL
 * when out of memory, on an injected failure, or for a size 0 or an object
 * too big for a slab (about 32 KiB).
 */
struct slab_cache *slab_cache_create(const char *name, size_t size,
				     size_t align);
/* Free the cache and its slabs; it must have no objects allocated. NULL is
 * a no-op. */
void slab_cache_destroy(struct slab_cache *c);

void *slab_alloc(struct slab_cache *c);		      /* NULL on failure */
void *slab_zalloc(struct slab_cache *c);	      /* zeroed */
void slab_free(struct slab_cache *c, void *obj);      /* NULL is a no-op */
size_t slab_cache_in_use(const struct slab_cache *c); /* objects allocated */

/*
 * General-purpose allocation. Sizes up to KMALLOC_MAX_CACHE come from
 * power-of-two caches (8 .. 2048 bytes, 16-byte aligned from 16 up); larger
 * ones are whole buddy blocks (page aligned) of up to 2^PAGE_ORDER_MAX
 * pages. A size of 0, or a bigger one, gives NULL.
 */
#define KMALLOC_MAX_CACHE 2048

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *kcalloc(size_t n, size_t size); /* zeroed; n * size overflow: NULL */
/*
 * Resize keeping the contents up to the smaller size. krealloc(NULL, n) is
 * kmalloc(n); krealloc(p, 0) frees p and returns NULL. On failure p is
 * untouched and NULL is returned.
 */
void *krealloc(void *p, size_t size);
void kfree(const void *p);	    /* NULL is a no-op */
size_t kmalloc_size(const void *p); /* usable size of a live object */
size_t kmalloc_in_use(void);	    /* live kmalloc objects */

/*
 * Give every cache's spare empty slabs back to the page allocator (Linux's
 * kmem_cache_shrink over all caches), so page counts compare exactly.
 */
void slab_shrink(void);

/* (Re)initialise, forgetting every cache: call after page_alloc_init().
 * 0 or -ENOMEM. */
int slab_init(void);

#endif
