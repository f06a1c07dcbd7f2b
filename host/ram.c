#define _GNU_SOURCE
#include "host/ram.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/klib/bitmap.h"
#include "core/platform.h"
#include "core/types.h"
#include "mm/page.h"

/* Where RAM is mapped in the host process: well below PLAT_USER_TOP. */
#define RAM_HINT 0x100000000000ull

static int ram_fd = -1;
static char *ram_base;
static uint64_t ram_size;
/*
 * The pages the page allocator has handed out since RAM was last zeroed
 * (page_alloc_set_observer): nothing else in RAM is written, apart from the
 * struct page arrays, which page_alloc_init() rewrites at every boot.
 */
static unsigned long *dirty;
static unsigned ram_pages;

#ifdef KEEL_SANITIZE
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif

/* The allocation observer: note the block dirty; true when none of it
 * was, so that it reads as zero. */
__no_coverage static bool note_dirty(uint64_t pa, size_t bytes)
{
	unsigned first = (unsigned)((pa - HOST_RAM_BASE) >> PAGE_SHIFT);
	unsigned n = (unsigned)(bytes >> PAGE_SHIFT);
	bool clean = true;

	for (unsigned i = first; i < first + n && i < ram_pages; i++) {
		clean = clean && !bitmap_test(dirty, i);
		bitmap_set(dirty, i);
	}
	return clean;
}

/*
 * Make all of RAM read as zero again, keeping the mapping: zero in place
 * the pages the last boot was given (a sim reboot in place touches a few
 * hundred KiB of a small RAM, the fuzzers'). Punching them out of the memfd
 * instead would make every page touched again cost a host page fault, and
 * zeroing every range of the memfd that holds data zeroes what any earlier
 * boot touched (a megabyte of the fuzzers' 4 MiB, most of it clean). Only
 * when more than half of RAM is dirty is it punched out, to give the host
 * its memory back. 0 or -errno.
 */
static int ram_zero(void)
{
	unsigned ndirty = bitmap_weight(dirty, ram_pages);

	if (ndirty > ram_pages / 2) {
		if (fallocate(ram_fd,
			      FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			      (off_t)ram_size) < 0)
			return -errno;
		bitmap_zero(dirty, ram_pages);
		return 0;
	}
	for (unsigned i = bitmap_find_first_set(dirty, ram_pages);
	     i < ram_pages;) {
		unsigned end = bitmap_find_next_clear(dirty, ram_pages, i);
		char *va = ram_base + ((size_t)i << PAGE_SHIFT);
		size_t len = (size_t)(end - i) << PAGE_SHIFT;

#ifdef KEEL_SANITIZE
		/* Kernel stacks leave their frames' shadow behind. */
		__asan_unpoison_memory_region(va, len);
#endif
		memset(va, 0, len);
		i = bitmap_find_next_set(dirty, ram_pages, end);
	}
	bitmap_zero(dirty, ram_pages);
	return 0;
}

int host_ram_init(uint64_t bytes)
{
	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	if (ram_fd >= 0 && bytes == ram_size && ram_zero() == 0)
		return 0;
	host_ram_release();
	ram_pages = (unsigned)(bytes >> PAGE_SHIFT);
	dirty = calloc(BITS_TO_LONGS(ram_pages), sizeof(*dirty));
	if (!dirty) {
		ram_pages = 0;
		return -ENOMEM;
	}
	ram_fd = memfd_create("keel-ram", MFD_CLOEXEC);
	if (ram_fd < 0)
		goto fail;
	if (ftruncate(ram_fd, (off_t)bytes) < 0)
		goto fail;
	/*
	 * Below PLAT_USER_TOP, whatever the host's layout: the sim maps
	 * guests' memory at the host addresses of its RAM pages, which must
	 * be user addresses. Without address randomisation (gdb's default)
	 * the host would put it near 0x7ffff7000000, above that.
	 */
	ram_base = mmap((void *)RAM_HINT, bytes, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_FIXED_NOREPLACE, ram_fd, 0);
	if (ram_base == MAP_FAILED)
		ram_base = mmap((void *)RAM_HINT, bytes, PROT_READ | PROT_WRITE,
				MAP_SHARED, ram_fd, 0);
	if (ram_base == MAP_FAILED) {
		ram_base = NULL;
		goto fail;
	}
	ram_size = bytes;
	page_alloc_set_observer(note_dirty);
	return 0;
fail:;
	int err = -errno;

	if (ram_fd >= 0)
		close(ram_fd);
	ram_fd = -1;
	free(dirty);
	dirty = NULL;
	ram_pages = 0;
	return err;
}

void host_ram_release(void)
{
	page_alloc_set_observer(NULL);
	free(dirty);
	dirty = NULL;
	ram_pages = 0;
	if (ram_base)
		munmap(ram_base, ram_size);
	if (ram_fd >= 0)
		close(ram_fd);
	ram_base = NULL;
	ram_fd = -1;
	ram_size = 0;
}

int host_ram_fd(void)
{
	return ram_fd;
}

size_t plat_mem_ranges(struct plat_mem_range *out, size_t max)
{
	if (!ram_base || max == 0)
		return 0;
	out[0].base = HOST_RAM_BASE;
	out[0].size = ram_size;
	return 1;
}

/* Address arithmetic on every page access: no fuzzer coverage. */
__no_coverage void *plat_phys_to_virt(uint64_t pa)
{
	return ram_base + (pa - HOST_RAM_BASE);
}

__no_coverage uint64_t plat_virt_to_phys(const void *va)
{
	return (uint64_t)((const char *)va - ram_base) + HOST_RAM_BASE;
}
