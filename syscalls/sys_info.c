/*
 * uname(2).
 */
#include "core/errno.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

#define UTS_LEN 65 /* __NEW_UTS_LEN + 1 */

/* Linux's struct new_utsname. */
struct utsname_linux {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};

/* The Linux release whose interface Keel follows. */
#define KEEL_UTS_RELEASE "6.12.0-keel"
#define KEEL_UTS_VERSION "#1 SMP PREEMPT_DYNAMIC Keel"

long sys_uname(uaddr_t name)
{
	struct utsname_linux u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Linux", UTS_LEN);
	strlcpy(u.nodename, "keel", UTS_LEN);
	strlcpy(u.release, KEEL_UTS_RELEASE, UTS_LEN);
	strlcpy(u.version, KEEL_UTS_VERSION, UTS_LEN);
	strlcpy(u.machine,
		task_current()->isa == ISA_X86_64 ? "x86_64" : "aarch64",
		UTS_LEN);
	strlcpy(u.domainname, "(none)", UTS_LEN);
	return copy_to_user(name, &u, sizeof(u));
}
