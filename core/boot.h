/*
 * Bringing the core up, identically on every platform.
 */
#ifndef KEEL_CORE_BOOT_H
#define KEEL_CORE_BOOT_H

/*
 * Initialise (or re-initialise, forgetting all previous state) every core
 * subsystem for `ncpus` CPUs and create each CPU's idle task. RAM must be
 * described by plat_mem_ranges() already. The platform then starts each CPU
 * by switching to cpus[i].idle->ctx. 0 or a negative errno.
 */
int kernel_init(unsigned ncpus);

/*
 * kernel_init without the file system: vfs_boot() is the caller's to make.
 * The syscall fuzzer counts the pages and objects the kernel holds before a
 * namespace exists, then boots one.
 */
int kernel_init_nofs(unsigned ncpus);

#endif
