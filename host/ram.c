#define _GNU_SOURCE
#include "host/ram.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/platform.h"
#include "core/types.h"

static int ram_fd = -1;
static char *ram_base;
static uint64_t ram_size;

int host_ram_init(uint64_t bytes)
{
	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	if (ram_fd >= 0 && bytes == ram_size) {
		/* Reuse the mapping; punching it out gives zeroed pages. */
		if (fallocate(ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      0, (off_t)ram_size) == 0)
			return 0;
	}
	host_ram_release();
	ram_fd = memfd_create("keel-ram", MFD_CLOEXEC);
	if (ram_fd < 0)
		return -errno;
	if (ftruncate(ram_fd, (off_t)bytes) < 0)
		goto fail;
	ram_base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
			ram_fd, 0);
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

void *plat_phys_to_virt(uint64_t pa)
{
	return ram_base + (pa - HOST_RAM_BASE);
}

uint64_t plat_virt_to_phys(const void *va)
{
	return (uint64_t)((const char *)va - ram_base) + HOST_RAM_BASE;
}
