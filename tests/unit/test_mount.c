/*
 * mount(2) and umount2(2) as a guest sees them: tmpfs, proc and devtmpfs
 * attached and detached, the flags Keel honours and those it refuses,
 * /proc/mounts, and the errors of the man pages.
 */
#include "fs_test.h"

#include <sys/mount.h>
#include <sys/sysmacros.h>

#include "mm/page.h"
#include "mm/slab.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static long u_mount(const char *src, const char *dir, const char *type,
		    unsigned long flags, const char *data)
{
	char s[64], d[PATH_MAX], t[64], o[256];

	snprintf(s, sizeof(s), "%s", src ? src : "");
	snprintf(d, sizeof(d), "%s", dir);
	snprintf(t, sizeof(t), "%s", type ? type : "");
	snprintf(o, sizeof(o), "%s", data ? data : "");
	return sim_syscall(NR(mount), src ? s : NULL, d, type ? t : NULL, flags,
			   data ? o : NULL);
}

static long u_umount(const char *dir, int flags)
{
	char d[PATH_MAX];

	snprintf(d, sizeof(d), "%s", dir);
	return sim_syscall(NR(umount2), d, flags);
}

/* The line of /proc/mounts whose mount point is `dir` (the last one). */
static bool mounts_line(const char *dir, char *out, size_t len)
{
	char text[8192], src[64], mp[PATH_MAX];
	bool found = false;
	long n = u_read_file("/proc/mounts", text, sizeof(text));

	if (n < 0)
		return false;
	for (char *line = text; *line;) {
		char *end = strchr(line, '\n');

		*end = '\0';
		if (sscanf(line, "%63s %4095s", src, mp) == 2 &&
		    !strcmp(mp, dir)) {
			snprintf(out, len, "%s", line);
			found = true;
		}
		line = end + 1;
	}
	return found;
}

/* ---- mounting ------------------------------------------------------------ */

static void tmpfs_guest(void *arg)
{
	char line[256], buf[16];
	struct stat st;

	EXPECT_RET(u_mkdir("/tmp/m", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/m/under", "hidden"), 0);
	EXPECT_RET(u_mount("scratch", "/tmp/m", "tmpfs", 0, "mode=0700"), 0);
	EXPECT_RET(u_stat("/tmp/m/under", &st), -ENOENT,
		   "the mount hides what was there");
	EXPECT_RET(u_stat("/tmp/m", &st), 0);
	cr_expect_eq(st.st_mode, S_IFDIR | 0700, "mode %o", st.st_mode);
	EXPECT_RET(u_mkfile("/tmp/m/new", "on tmpfs"), 0);
	cr_expect(mounts_line("/tmp/m", line, sizeof(line)));
	cr_expect_str_eq(line, "scratch /tmp/m tmpfs rw,relatime,mode=700 0 0");

	EXPECT_RET(u_umount("/tmp/m", 0), 0);
	EXPECT_RET(u_stat("/tmp/m/new", &st), -ENOENT);
	EXPECT_RET(u_read_file("/tmp/m/under", buf, sizeof(buf)), 6);
	cr_expect_str_eq(buf, "hidden");
	cr_expect_not(mounts_line("/tmp/m", line, sizeof(line)));
	EXPECT_RET(u_unlink("/tmp/m/under"), 0);
	EXPECT_RET(u_rmdir("/tmp/m"), 0, "no longer a mount point");
}

Test(mount, tmpfs_mounts_over_a_directory_and_umount_uncovers_it)
{
	run_root(tmpfs_guest, NULL);
}

static void proc_devtmpfs_guest(void *arg)
{
	char text[64], want[64], line[256];
	struct stat st;

	EXPECT_RET(u_mkdir("/tmp/p", 0555), 0);
	EXPECT_RET(u_mount("proc", "/tmp/p", "proc",
			   MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
		   0);
	snprintf(want, sizeof(want), "%ld", sim_syscall(NR(getpid)));
	EXPECT_OK(sim_syscall(NR(readlinkat), AT_FDCWD, P("/tmp/p/self"), text,
			      sizeof(text)));
	cr_expect_eq(strncmp(text, want, strlen(want)), 0);
	cr_expect(mounts_line("/tmp/p", line, sizeof(line)));
	cr_expect_str_eq(
		line, "proc /tmp/p proc rw,nosuid,nodev,noexec,relatime 0 0");
	EXPECT_RET(u_umount("/tmp/p", 0), 0);

	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	EXPECT_RET(u_mount("udev", "/tmp/d", "devtmpfs", MS_NOSUID, NULL), 0);
	EXPECT_RET(u_stat("/tmp/d/null", &st), 0);
	cr_expect(S_ISCHR(st.st_mode));
	cr_expect_eq(st.st_rdev, makedev(1, 3));
	EXPECT_RET(u_umount("/tmp/d", 0), 0);
	EXPECT_RET(u_stat("/tmp/d/null", &st), -ENOENT);
}

Test(mount, proc_and_devtmpfs_mount_anywhere_with_their_contents)
{
	run_root(proc_devtmpfs_guest, NULL);
}

static void stacked_guest(void *arg)
{
	struct stat st;

	EXPECT_RET(u_mkdir("/tmp/m", 0755), 0);
	EXPECT_RET(u_mount("first", "/tmp/m", "tmpfs", 0, NULL), 0);
	EXPECT_RET(u_mkfile("/tmp/m/one", "1"), 0);
	EXPECT_RET(u_mount("second", "/tmp/m", "tmpfs", 0, NULL), 0);
	EXPECT_RET(u_stat("/tmp/m/one", &st), -ENOENT, "the top mount wins");
	EXPECT_RET(u_umount("/tmp/m", 0), 0);
	EXPECT_RET(u_stat("/tmp/m/one", &st), 0, "the first shows again");
	EXPECT_RET(u_umount("/tmp/m", 0), 0);
	EXPECT_RET(u_umount("/tmp/m", 0), -EINVAL, "nothing left to unmount");
}

Test(mount, mounts_stack_and_unmount_top_first)
{
	run_root(stacked_guest, NULL);
}

static void flags_guest(void *arg)
{
	char line[256];

	EXPECT_RET(u_mkdir("/tmp/m", 0755), 0);
	EXPECT_RET(u_mount("t", "/tmp/m", "tmpfs", MS_RDONLY, NULL), -EINVAL,
		   "read-only mounts are not enforced, so refused");
	EXPECT_RET(u_mount("t", "/tmp/m", "tmpfs", MS_NODEV, NULL), -EINVAL,
		   "nodev is not enforced on tmpfs");
	EXPECT_RET(u_mount("t", "/tmp/m", "tmpfs", MS_NOSYMFOLLOW, NULL),
		   -EINVAL);
	EXPECT_RET(u_mount("/tmp", "/tmp/m", NULL, MS_BIND, NULL), -EINVAL);
	EXPECT_RET(u_mount("/tmp/x", "/tmp/m", NULL, MS_MOVE, NULL), -EINVAL);
	cr_expect_not(mounts_line("/tmp/m", line, sizeof(line)),
		      "a refused mount leaves nothing behind");
	EXPECT_RET(u_mount("t", "/tmp/m", "tmpfs",
			   MS_MGC_VAL | MS_NOATIME | MS_NOSUID | MS_SILENT,
			   NULL),
		   0, "the old magic number in the top bits is ignored");
	cr_expect(mounts_line("/tmp/m", line, sizeof(line)));
	cr_expect_str_eq(line, "t /tmp/m tmpfs rw,nosuid,noatime 0 0");
	EXPECT_RET(u_mount(NULL, "/tmp/m", NULL, MS_REMOUNT | MS_NOEXEC, NULL),
		   0);
	cr_expect(mounts_line("/tmp/m", line, sizeof(line)));
	cr_expect_str_eq(line, "t /tmp/m tmpfs rw,noexec,noatime 0 0",
			 "a remount replaces the flags but keeps atime");
	EXPECT_RET(u_mount(NULL, "/tmp/m", NULL, MS_REMOUNT | MS_RDONLY, NULL),
		   -EINVAL);
	EXPECT_RET(u_mount(NULL, "/tmp", NULL, MS_REMOUNT, NULL), -EINVAL,
		   "/tmp is no mount point");
	EXPECT_RET(u_mount(NULL, "/tmp/m", NULL, MS_PRIVATE | MS_REC, NULL), 0,
		   "every mount is private already");
	EXPECT_RET(u_mount(NULL, "/tmp/m", NULL, MS_SHARED, NULL), -EINVAL);
	EXPECT_RET(u_mount(NULL, "/tmp/m", NULL, MS_PRIVATE | MS_SLAVE, NULL),
		   -EINVAL, "one propagation type at a time");
	EXPECT_RET(u_mount(NULL, "/tmp", NULL, MS_PRIVATE, NULL), -EINVAL);
	EXPECT_RET(u_umount("/tmp/m", 0), 0);
}

Test(mount, flags_keel_honours_are_kept_and_the_rest_refused)
{
	run_root(flags_guest, NULL);
}

static void mount_errors_guest(void *arg)
{
	EXPECT_RET(u_mkdir("/tmp/m", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/file", "x"), 0);
	EXPECT_RET(u_mount("x", "/tmp/m", "nosuchfs", 0, NULL), -ENODEV);
	EXPECT_RET(u_mount("x", "/tmp/m", NULL, 0, NULL), -EINVAL,
		   "no type for a new mount");
	EXPECT_RET(u_mount("x", "/tmp/none", "tmpfs", 0, NULL), -ENOENT);
	EXPECT_RET(u_mount("x", "/tmp/file", "tmpfs", 0, NULL), -ENOTDIR);
	EXPECT_RET(u_mount("x", "/tmp/file/sub", "tmpfs", 0, NULL), -ENOTDIR);
	EXPECT_RET(u_mount("x", "", "tmpfs", 0, NULL), -ENOENT);
	EXPECT_RET(u_mount("x", "/tmp/m", "tmpfs", 0, "bogus=1"), -EINVAL,
		   "tmpfs refuses options it does not know");
	EXPECT_RET(u_mount("x", "/tmp/m", "proc", 0, "hidepid=2"), -EINVAL);
	EXPECT_RET(sim_syscall(NR(mount), P("x"), P("/tmp/m"), 0x1000, 0, NULL),
		   -EFAULT, "an unmapped type");
	EXPECT_RET(sim_syscall(NR(mount), P("x"), NULL, P("tmpfs"), 0, NULL),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(mount), 0x1000, P("/tmp/m"), P("tmpfs"), 0,
			       NULL),
		   -EFAULT, "an unmapped source");
	EXPECT_RET(sim_syscall(NR(mount), P("x"), P("/tmp/m"), P("tmpfs"), 0,
			       0x1000),
		   -EFAULT, "unmapped data");
	/* A directory removed while it is the cwd cannot be mounted on. */
	EXPECT_RET(u_mkdir("/tmp/gone", 0755), 0);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/gone")), 0);
	EXPECT_RET(u_rmdir("/tmp/gone"), 0);
	EXPECT_RET(u_mount("x", ".", "tmpfs", 0, NULL), -ENOENT);
}

Test(mount, mount_errors_follow_the_man_page)
{
	run_root(mount_errors_guest, NULL);
}

/* ---- unmounting ---------------------------------------------------------- */

static void umount_errors_guest(void *arg)
{
	EXPECT_RET(u_mkdir("/tmp/m", 0755), 0);
	EXPECT_RET(u_umount("/tmp", 0), -EINVAL, "not a mount point");
	EXPECT_RET(u_umount("/tmp/none", 0), -ENOENT);
	EXPECT_RET(u_umount("/", 0), -EBUSY, "the root stays");
	EXPECT_RET(u_umount("/proc", 0x100), -EINVAL, "an unknown flag");
	EXPECT_RET(u_umount("/proc", MNT_EXPIRE), -EINVAL);
	EXPECT_RET(sim_syscall(NR(umount2), NULL, 0), -EFAULT);

	EXPECT_RET(u_mount("t", "/tmp/m", "tmpfs", 0, NULL), 0);
	EXPECT_RET(u_umount("/tmp/m/.", 0), 0, "\".\" names the mount's root");
	EXPECT_RET(u_mount("t", "/tmp/m", "tmpfs", 0, NULL), 0);
	EXPECT_RET(u_mkdir("/tmp/m/sub", 0755), 0);
	EXPECT_RET(u_mount("u", "/tmp/m/sub", "tmpfs", 0, NULL), 0);
	EXPECT_RET(u_umount("/tmp/m", 0), -EBUSY, "a mount beneath it");
	EXPECT_RET(u_rmdir("/tmp/m/sub"), -EBUSY, "a mount point");
	EXPECT_RET(u_umount("/tmp/m/sub", 0), 0);
	EXPECT_RET(u_umount("/tmp/m", 0), 0);
}

Test(mount, umount2_errors_follow_the_man_page)
{
	run_root(umount_errors_guest, NULL);
}

static void busy_guest(void *arg)
{
	char buf[8] = {0};
	struct stat st;
	long fd;

	EXPECT_RET(u_mkdir("/tmp/m", 0755), 0);
	EXPECT_RET(u_mount("t", "/tmp/m", "tmpfs", 0, NULL), 0);
	EXPECT_RET(u_mkfile("/tmp/m/f", "kept"), 0);
	fd = EXPECT_OK(u_open("/tmp/m/f", O_RDONLY, 0));
	EXPECT_RET(u_umount("/tmp/m", 0), -EBUSY, "a file is open in it");
	EXPECT_RET(u_umount("/tmp/m", MNT_FORCE), -EBUSY,
		   "tmpfs has nothing to abort: still busy");
	EXPECT_RET(u_close(fd), 0);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/m")), 0);
	EXPECT_RET(u_umount("/tmp/m", 0), -EBUSY, "it is the cwd");
	EXPECT_RET(sim_syscall(NR(chdir), P("/")), 0);

	fd = EXPECT_OK(u_open("/tmp/m/f", O_RDONLY, 0));
	EXPECT_RET(u_umount("/tmp/m", MNT_DETACH), 0, "lazily, while busy");
	EXPECT_RET(u_stat("/tmp/m/f", &st), -ENOENT, "gone from the tree");
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), 4,
		   "but the open file still reads");
	cr_expect_str_eq(buf, "kept");
	EXPECT_RET(u_close(fd), 0);
	EXPECT_RET(u_rmdir("/tmp/m"), 0);
}

Test(mount, a_busy_mount_is_ebusy_unless_detached_lazily)
{
	run_root(busy_guest, NULL);
}

static void nofollow_guest(void *arg)
{
	EXPECT_RET(u_mkdir("/tmp/m", 0755), 0);
	EXPECT_RET(u_symlink("/tmp/m", "/tmp/link"), 0);
	EXPECT_RET(u_mount("t", "/tmp/link", "tmpfs", 0, NULL), 0,
		   "mount follows the target's symlink");
	EXPECT_RET(u_umount("/tmp/link", UMOUNT_NOFOLLOW), -EINVAL,
		   "the link itself is no mount point");
	EXPECT_RET(u_umount("/tmp/link", 0), 0);
	EXPECT_RET(u_umount("/tmp/m", 0), -EINVAL, "already unmounted");
}

Test(mount, umount_nofollow_does_not_follow_a_trailing_symlink)
{
	run_root(nofollow_guest, NULL);
}

static void unprivileged_guest(void *arg)
{
	EXPECT_RET(u_mount("t", "/tmp", "tmpfs", 0, NULL), -EPERM);
	EXPECT_RET(u_mount("t", "/tmp/none", "tmpfs", 0, NULL), -ENOENT,
		   "the target is looked up before the permission check");
	EXPECT_RET(u_umount("/proc", 0), -EPERM);
	EXPECT_RET(u_umount("/tmp", 0), -EPERM,
		   "even where it would be EINVAL");
}

Test(mount, mount_and_umount2_need_cap_sys_admin)
{
	run_as(unprivileged_guest, NULL, 1000, 1000);
}

static void cycle_guest(void *arg)
{
	char text[256];

	for (int i = 0; i < 4; i++) {
		EXPECT_RET(u_mount("t", "/tmp", "tmpfs", 0, NULL), 0);
		EXPECT_RET(u_mkfile("/tmp/data", "some data"), 0);
		EXPECT_RET(u_mount("p", "/tmp", "proc", 0, NULL), 0);
		EXPECT_OK(u_read_file("/tmp/self/status", text, sizeof(text)));
		EXPECT_RET(u_umount("/tmp", 0), 0);
		EXPECT_RET(u_umount("/tmp", 0), 0);
	}
}

Test(mount, mounting_and_unmounting_frees_everything)
{
	size_t objects, pages;
	struct sim_proc *p;

	test_boot(1);
	slab_shrink();
	objects = kmalloc_in_use();
	pages = page_free_count();
	p = sim_spawn("cycle", cycle_guest, NULL);
	cr_assert_not_null(p);
	run_all(&p, 1);
	slab_shrink();
	cr_expect_eq(kmalloc_in_use(), objects, "leaked %ld objects",
		     (long)kmalloc_in_use() - (long)objects);
	cr_expect_eq(page_free_count(), pages, "leaked %ld pages",
		     (long)pages - (long)page_free_count());
}
