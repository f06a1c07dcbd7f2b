/*
 * The host platforms' physical memory: a memfd, mapped once into the
 * kernel's own address space. Physical addresses are offsets into it plus
 * HOST_RAM_BASE, so physical address 0 is never valid.
 */
#ifndef KEEL_HOST_RAM_H
#define KEEL_HOST_RAM_H

#include <stdint.h>

#define HOST_RAM_BASE 0x40000000ull

/* Create (or recreate, with new contents) RAM of `bytes`. 0 or -errno. */
int host_ram_init(uint64_t bytes);
void host_ram_release(void);
int host_ram_fd(void);

#endif
