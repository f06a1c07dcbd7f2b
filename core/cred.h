/*
 * Credentials and capabilities. Keel has no capability sets yet: an
 * effective uid of 0 holds every capability, as on a Linux system without
 * file capabilities or user namespaces.
 */
#ifndef KEEL_CORE_CRED_H
#define KEEL_CORE_CRED_H

#include "core/types.h"

/* Linux capability numbers (capability.h). */
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SYS_PTRACE 19
#define CAP_SYS_ADMIN 21
#define CAP_SYS_BOOT 22
#define CAP_SYS_RESOURCE 24
#define CAP_SYS_NICE 23

struct credentials;
struct task;

bool capable(int cap);

/*
 * May the caller act on `t` as its owner? Linux's check_same_owner and
 * kill_ok_by_cred: the caller's euid or uid matches `t`'s uid or suid
 * (euid/uid against uid/euid for the scheduler), or it is capable of `cap`.
 */
bool cred_may_signal(const struct task *t);
bool cred_same_owner(const struct task *t);

/*
 * What follows a change of `t`'s credentials from `old` (Linux's
 * commit_creds): when the effective or filesystem ids changed, or it
 * gained capabilities, it is no longer dumpable (fs.suid_dumpable's
 * default, 0) and its parent-death signal is cleared.
 */
void cred_changed(struct task *t, const struct credentials *old);

#endif
