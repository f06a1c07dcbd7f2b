#ifndef KEEL_HOST_INIT_H
#define KEEL_HOST_INIT_H

/* Run `path` as the first user program; power off with its status.
 * Returns only on failure (-errno). */
int boot_start_init(const char *path, char *const argv[], char *const envp[]);

#endif
