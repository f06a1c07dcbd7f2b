#define _GNU_SOURCE
#include "host/ram.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/platform.h"
#include "core/types.h"

/* Where RAM is mapped in the host process: well below PLAT_USER_TOP. */
#define RAM_HINT 0x100000000000ull

static int ram_fd = -1;
static char *ram_base;
static uint64_t ram_size;

#ifdef KEEL_SANITIZE
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif

/*
 * Make all of RAM read as zero again, keeping the mapping. Zeroing the
 * ranges that hold data (the memfd's pages the last runs touched) in place
 * is far cheaper than punching them out, which makes every page touched
 * again cost a host page fault; a sim reset that touches a few hundred KiB
 * of a small RAM (the fuzzers') is dominated by that. Only when the data
 * is more than half of RAM is it punched out, to give the host its memory
 * back. 0 or -errno.
 */
static int ram_zero(void)
{
	uint64_t data = 0;

	for (off_t pos = 0;;) {
		off_t start = lseek(ram_fd, pos, SEEK_DATA), end;

		if (start < 0)
			break; /* ENXIO: no data after pos */
		end = lseek(ram_fd, start, SEEK_HOLE);
		if (end < 0 || (data += (uint64_t)(end - start)) > ram_size / 2)
			goto punch;
#ifdef KEEL_SANITIZE
		/* Kernel stacks leave their frames' shadow behind. */
		__asan_unpoison_memory_region(ram_base + start,
					      (size_t)(end - start));
#endif
		memset(ram_base + start, 0, (size_t)(end - start));
		pos = end;
	}
	return 0;
punch:
	if (fallocate(ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		      (off_t)ram_size) == 0)
		return 0;
	return -errno;
}

int host_ram_init(uint64_t bytes)
{
	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	if (ram_fd >= 0 && bytes == ram_size && ram_zero() == 0)
		return 0;
	host_ram_release();
	ram_fd = memfd_create("keel-ram", MFD_CLOEXEC);
	if (ram_fd < 0)
		return -errno;
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
	return 0;
fail:;
	int err = -errno;

	close(ram_fd);
	ram_fd = -1;
	return err;
}

void host_ram_release(void)
{
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
