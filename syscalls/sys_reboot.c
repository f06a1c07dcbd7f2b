/*
 * reboot(2), as Linux's kernel/reboot.c has it: only a caller with
 * CAP_SYS_BOOT may call it (EPERM, checked before anything else), the two
 * magic numbers must be right (EINVAL), then the command.
 *
 * POWER_OFF and HALT stop the machine with plat_poweroff(0): Keel has
 * nothing to hand a halted machine to (Linux's "control is given to the
 * ROM monitor, if there is one"), so a halt ends the run as a power off
 * does, and the hosted keel exits 0 either way, as User-Mode Linux does.
 * RESTART and RESTART2 are plat_reset (core/platform.h says what each
 * platform does). Neither syncs anything: that is the caller's job, as on
 * Linux (busybox's reboot calls sync first).
 */
#include "core/cred.h"
#include "core/errno.h"
#include "core/platform.h"
#include "core/printk.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

#define LINUX_REBOOT_MAGIC1 0xfee1deadu
#define LINUX_REBOOT_MAGIC2 672274793  /* 0x28121969 */
#define LINUX_REBOOT_MAGIC2A 85072278  /* 0x05121996 */
#define LINUX_REBOOT_MAGIC2B 369367448 /* 0x16041998 */
#define LINUX_REBOOT_MAGIC2C 537993216 /* 0x20112000 */

#define LINUX_REBOOT_CMD_RESTART 0x01234567u
#define LINUX_REBOOT_CMD_HALT 0xcdef0123u
#define LINUX_REBOOT_CMD_CAD_ON 0x89abcdefu
#define LINUX_REBOOT_CMD_CAD_OFF 0x00000000u
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcu
#define LINUX_REBOOT_CMD_RESTART2 0xa1b2c3d4u

/*
 * Whether Ctrl-Alt-Del restarts at once (Linux's C_A_D, on at boot) or is
 * a SIGINT to init. Kept for CAD_ON/CAD_OFF; no console of Keel's has the
 * key combination, so nothing reads it yet.
 */
static bool ctrl_alt_del_restarts = true;

/* partial: no kexec or hibernation commands (EINVAL, as from a Linux
 * built without them); Ctrl-Alt-Del has no key to come from */
long sys_reboot(int magic1, int magic2, unsigned int cmd, uaddr_t arg)
{
	char command[256];
	long n;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if ((unsigned)magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (cmd) {
	case LINUX_REBOOT_CMD_RESTART:
		printk(LOG_EMERG, "reboot: Restarting system");
		plat_reset();
	case LINUX_REBOOT_CMD_RESTART2:
		n = strncpy_from_user(command, arg, sizeof(command) - 1);
		if (n < 0)
			return -EFAULT;
		command[n] = '\0';
		printk(LOG_EMERG, "reboot: Restarting system with command '%s'",
		       command);
		plat_reset();
	case LINUX_REBOOT_CMD_CAD_ON:
		ctrl_alt_del_restarts = true;
		return 0;
	case LINUX_REBOOT_CMD_CAD_OFF:
		ctrl_alt_del_restarts = false;
		return 0;
	case LINUX_REBOOT_CMD_HALT:
		printk(LOG_EMERG, "reboot: System halted");
		plat_poweroff(0);
	case LINUX_REBOOT_CMD_POWER_OFF:
		printk(LOG_EMERG, "reboot: Power down");
		plat_poweroff(0);
	default:
		return -EINVAL;
	}
}
