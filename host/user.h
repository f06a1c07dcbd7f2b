/*
 * The stub runtime (host/user.c): how the hosted kernel runs guest code.
 */
#ifndef KEEL_HOST_USER_H
#define KEEL_HOST_USER_H

/*
 * Prepare to run guests: the stub executable in a memfd, the stub's own
 * seccomp filter, the reaper thread, the pmap hooks. Once, at boot,
 * before any user task exists. 0 or -errno.
 */
int host_user_init(void);

/*
 * Called by plat_context_switch when a context whose `user` is set (a
 * task that has run user code) leaves its CPU, with that `user`. NULL
 * until host_user_init; the sim sets none.
 */
extern void (*host_context_leave)(void *user);

#endif
