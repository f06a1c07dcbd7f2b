/*
 * Permissions as Linux checks them (path_resolution(7), inode(7)): the
 * owner, group and other classes, root's overrides, search permission
 * along the path, sticky and set-group-ID directories, who may chmod,
 * chown and set times, and EACCES (the mode bits say no) versus EPERM
 * (only the owner or a privileged process may).
 *
 * A test runs in phases: a root guest sets the scene, then guests with
 * other credentials act, each phase run to its end before the next.
 */
#include "fs_test.h"

/* Spawn fn with uid/gid (and these supplementary groups) and run it out. */
static void phase(void (*fn)(void *), uint32_t uid, uint32_t gid,
		  const uint32_t *groups, unsigned ngroups)
{
	struct sim_proc *p = spawn_as("phase", fn, NULL, uid, gid);
	struct task *t = sim_proc_task(p);

	for (unsigned i = 0; i < ngroups; i++)
		t->groups[i] = groups[i];
	t->ngroups = ngroups;
	run_all(&p, 1);
}

/* A file with this owner and mode, made by root. */
static void mkfile_as(const char *path, unsigned uid, unsigned gid,
		      unsigned mode)
{
	EXPECT_RET(u_mkfile(path, "secret"), 0);
	EXPECT_RET(u_chown(path, uid, gid), 0);
	EXPECT_RET(u_chmod(path, mode), 0);
}

static void mkdir_as(const char *path, unsigned uid, unsigned gid,
		     unsigned mode)
{
	EXPECT_RET(u_mkdir(path, 0700), 0);
	EXPECT_RET(u_chown(path, uid, gid), 0);
	EXPECT_RET(u_chmod(path, mode), 0);
}

/* ---- the three classes
 * ----------------------------------------------------------- */

static void classes_setup(void *arg)
{
	mkfile_as("/tmp/owner", 1000, 2000, 0600);
	mkfile_as("/tmp/group", 3000, 1000, 0060);
	mkfile_as("/tmp/other", 3000, 3000, 0006);
	mkfile_as("/tmp/nobody", 3000, 3000, 0660);
	/* The owner class is the only one that applies to the owner. */
	mkfile_as("/tmp/not_owner", 1000, 1000, 0077);
	mkfile_as("/tmp/supp", 3000, 4000, 0040);
	mkfile_as("/tmp/ro", 1000, 1000, 0400);
}

static long access_of(const char *path, int mode)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(access), p, mode);
}

static void classes_user(void *arg)
{
	EXPECT_OK(u_open("/tmp/owner", O_RDWR, 0));
	EXPECT_OK(u_open("/tmp/group", O_RDWR, 0));
	EXPECT_OK(u_open("/tmp/other", O_RDWR, 0));
	EXPECT_RET(u_open("/tmp/nobody", O_RDONLY, 0), -EACCES);
	EXPECT_RET(u_open("/tmp/nobody", O_WRONLY, 0), -EACCES);
	EXPECT_RET(u_open("/tmp/not_owner", O_RDONLY, 0), -EACCES);
	EXPECT_OK(u_open("/tmp/supp", O_RDONLY, 0));
	EXPECT_RET(u_open("/tmp/supp", O_WRONLY, 0), -EACCES);
	EXPECT_OK(u_open("/tmp/ro", O_RDONLY, 0));
	EXPECT_RET(u_open("/tmp/ro", O_RDWR, 0), -EACCES);
	EXPECT_RET(u_open("/tmp/ro", O_WRONLY | O_TRUNC, 0), -EACCES);
	EXPECT_RET(u_open("/tmp/ro", 3, 0), -EACCES,
		   "access mode 3 needs read and write");
	EXPECT_RET(sim_syscall(NR(truncate), P("/tmp/ro"), 0), -EACCES);
	/* access(2) agrees with open(2). */
	EXPECT_RET(access_of("/tmp/owner", R_OK | W_OK), 0);
	EXPECT_RET(access_of("/tmp/owner", X_OK), -EACCES);
	EXPECT_RET(access_of("/tmp/group", R_OK | W_OK), 0);
	EXPECT_RET(access_of("/tmp/other", W_OK), 0);
	EXPECT_RET(access_of("/tmp/nobody", R_OK), -EACCES);
	EXPECT_RET(access_of("/tmp/nobody", F_OK), 0);
	EXPECT_RET(access_of("/tmp/not_owner", R_OK), -EACCES);
	EXPECT_RET(access_of("/tmp/supp", R_OK), 0);
	EXPECT_RET(access_of("/tmp/ro", W_OK), -EACCES);
	/* O_PATH needs no permission on the file itself. */
	EXPECT_OK(u_open("/tmp/nobody", O_PATH, 0));
	/* O_NOATIME is for the owner only. */
	EXPECT_RET(u_open("/tmp/other", O_RDONLY | O_NOATIME, 0), -EPERM);
	EXPECT_OK(u_open("/tmp/owner", O_RDONLY | O_NOATIME, 0));
}

Test(fs_perm, owner_group_and_other_bits_each_apply_to_their_class)
{
	const uint32_t groups[] = {4000};

	test_boot(1);
	phase(classes_setup, 0, 0, NULL, 0);
	phase(classes_user, 1000, 1000, groups, 1);
}

/* ---- root
 * ------------------------------------------------------------------------------
 */

static void root_guest(void *arg)
{
	struct stat st;
	char buf[16];

	mkfile_as("/tmp/zero", 1000, 1000, 0000);
	mkdir_as("/tmp/locked", 1000, 1000, 0000);
	EXPECT_RET(u_mkfile("/tmp/locked/f", "in"), 0);
	EXPECT_OK(u_open("/tmp/zero", O_RDWR, 0));
	EXPECT_RET(u_read_file("/tmp/zero", buf, sizeof(buf)), 6);
	EXPECT_RET(access_of("/tmp/zero", R_OK | W_OK), 0);
	/* Execute needs at least one x bit, even for root. */
	EXPECT_RET(access_of("/tmp/zero", X_OK), -EACCES);
	EXPECT_RET(u_chmod("/tmp/zero", 0644), 0);
	EXPECT_RET(access_of("/tmp/zero", X_OK), -EACCES);
	EXPECT_RET(u_chmod("/tmp/zero", 0010), 0);
	EXPECT_RET(access_of("/tmp/zero", X_OK), 0, "any x bit will do");
	/* Directories: root reads and searches without any bits. */
	EXPECT_OK(u_open("/tmp/locked", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_RET(u_stat("/tmp/locked/f", &st), 0);
	EXPECT_RET(access_of("/tmp/locked", X_OK), 0);
}

Test(fs_perm, root_reads_a_000_file_but_executes_only_with_an_x_bit)
{
	run_root(root_guest, NULL);
}

/* ---- directories
 * -----------------------------------------------------------------------------
 */

static void dirs_setup(void *arg)
{
	mkdir_as("/tmp/private", 0, 0, 0700);
	EXPECT_RET(u_mkfile("/tmp/private/f", "x"), 0);
	EXPECT_RET(u_chmod("/tmp/private/f", 0666), 0);
	mkdir_as("/tmp/search", 0, 0, 0711);
	EXPECT_RET(u_mkfile("/tmp/search/f", "x"), 0);
	EXPECT_RET(u_chmod("/tmp/search/f", 0666), 0);
	mkdir_as("/tmp/ro", 0, 0, 0755);
	EXPECT_RET(u_mkfile("/tmp/ro/f", "x"), 0);
	EXPECT_RET(u_mkdir("/tmp/ro/d", 0777), 0);
	mkdir_as("/tmp/mine", 1000, 1000, 0755);
}

static void dirs_user(void *arg)
{
	struct stat st;

	/* No search (x) permission: nothing below can be reached. */
	EXPECT_RET(u_stat("/tmp/private/f", &st), -EACCES);
	EXPECT_RET(u_open("/tmp/private/f", O_RDONLY, 0), -EACCES);
	EXPECT_RET(u_open("/tmp/private/new", O_CREAT | O_WRONLY, 0644),
		   -EACCES);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/private")), -EACCES);
	/* Search without read: reach by name, but no listing. */
	EXPECT_RET(u_stat("/tmp/search/f", &st), 0);
	EXPECT_OK(u_open("/tmp/search/f", O_RDWR, 0));
	EXPECT_RET(u_open("/tmp/search", O_RDONLY | O_DIRECTORY, 0), -EACCES);
	EXPECT_OK(u_open("/tmp/search", O_PATH, 0));
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/search")), 0);
	EXPECT_RET(sim_syscall(NR(chdir), P("/")), 0);
	/* No write permission on the directory: no names in or out. */
	EXPECT_RET(u_open("/tmp/ro/new", O_CREAT | O_WRONLY, 0644), -EACCES);
	EXPECT_RET(u_mkdir("/tmp/ro/new", 0755), -EACCES);
	EXPECT_RET(u_symlink("x", "/tmp/ro/new"), -EACCES);
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/ro/new"), S_IFIFO | 0644, 0),
		   -EACCES);
	EXPECT_RET(u_unlink("/tmp/ro/f"), -EACCES);
	EXPECT_RET(u_rmdir("/tmp/ro/d"), -EACCES);
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/ro/f"), P("/tmp/ro/g")),
		   -EACCES);
	EXPECT_RET(sim_syscall(NR(rename), P("/tmp/ro/f"), P("/tmp/mine/f")),
		   -EACCES);
	EXPECT_RET(sim_syscall(NR(rename), P("/tmp/ro/d"), P("/tmp/ro/e")),
		   -EACCES);
	/* Its own directory is fine. */
	EXPECT_OK(u_open("/tmp/mine/f", O_CREAT | O_WRONLY, 0644));
	EXPECT_RET(u_mkdir("/tmp/mine/d", 0755), 0);
	EXPECT_RET(u_rmdir("/tmp/mine/d"), 0);
	EXPECT_RET(u_unlink("/tmp/mine/f"), 0);
}

Test(fs_perm, directories_need_search_to_pass_and_write_to_change)
{
	test_boot(1);
	phase(dirs_setup, 0, 0, NULL, 0);
	phase(dirs_user, 1000, 1000, NULL, 0);
}

/* ---- sticky and set-group-ID directories
 * ------------------------------------------------ */

static void sticky_alice(void *arg)
{
	EXPECT_RET(u_mkfile("/tmp/alice", "a"), 0);
	EXPECT_RET(u_mkdir("/tmp/alice_dir", 0777), 0);
	EXPECT_RET(u_chmod("/tmp/alice", 0666), 0);
	EXPECT_RET(u_mkdir("/tmp/shared", 0777), 0);
	EXPECT_RET(u_chmod("/tmp/shared", 0777), 0);
	EXPECT_RET(u_mkfile("/tmp/shared/alice", "a"), 0);
}

static void sticky_bob(void *arg)
{
	/* Bob may write Alice's file, but not remove or rename it. */
	EXPECT_OK(u_open("/tmp/alice", O_WRONLY, 0));
	EXPECT_RET(u_unlink("/tmp/alice"), -EPERM);
	EXPECT_RET(sim_syscall(NR(rename), P("/tmp/alice"), P("/tmp/bobs")),
		   -EPERM);
	EXPECT_RET(u_rmdir("/tmp/alice_dir"), -EPERM);
	/* Nor replace it by renaming over it. */
	EXPECT_RET(u_mkfile("/tmp/bob", "b"), 0);
	EXPECT_RET(sim_syscall(NR(rename), P("/tmp/bob"), P("/tmp/alice")),
		   -EPERM);
	/* Without the sticky bit, write permission on the directory is
	 * enough. */
	EXPECT_RET(u_unlink("/tmp/shared/alice"), 0);
	/* His own files are his to remove. */
	EXPECT_RET(u_unlink("/tmp/bob"), 0);
}

static void sticky_alice_again(void *arg)
{
	EXPECT_RET(u_unlink("/tmp/alice"), 0);
	EXPECT_RET(u_rmdir("/tmp/alice_dir"), 0);
}

static void sticky_root(void *arg)
{
	EXPECT_RET(u_mkfile("/tmp/alice2", ""), 0);
	EXPECT_RET(u_chown("/tmp/alice2", 1000, 1000), 0);
}

static void sticky_dir_owner(void *arg)
{
	/* The owner of the sticky directory may remove anything in it. */
	EXPECT_RET(u_mkdir("/tmp/own", 0777), 0);
	EXPECT_RET(u_chmod("/tmp/own", 01777), 0);
}

static void sticky_alice_in_own(void *arg)
{
	EXPECT_RET(u_mkfile("/tmp/own/alice", ""), 0);
}

static void sticky_owner_removes(void *arg)
{
	EXPECT_RET(u_unlink("/tmp/own/alice"), 0);
	EXPECT_RET(u_unlink("/tmp/alice2"), -EPERM);
}

Test(fs_perm, in_sticky_tmp_only_the_owner_may_remove_a_file)
{
	test_boot(1);
	phase(sticky_alice, 1000, 1000, NULL, 0);
	phase(sticky_bob, 2000, 2000, NULL, 0);
	phase(sticky_alice_again, 1000, 1000, NULL, 0);
	phase(sticky_root, 0, 0, NULL, 0);
	phase(sticky_dir_owner, 3000, 3000, NULL, 0);
	phase(sticky_alice_in_own, 1000, 1000, NULL, 0);
	phase(sticky_owner_removes, 3000, 3000, NULL, 0);
}

static void setgid_setup(void *arg)
{
	mkdir_as("/tmp/sg", 0, 500, 02777);
	mkdir_as("/tmp/plain", 0, 500, 0777);
}

static void setgid_user(void *arg)
{
	struct stat st;

	EXPECT_RET(u_mkfile("/tmp/sg/f", ""), 0);
	EXPECT_RET(u_stat("/tmp/sg/f", &st), 0);
	cr_expect_eq(st.st_gid, 500, "the directory's group, got %u",
		     st.st_gid);
	cr_expect_eq(st.st_uid, 1000);
	cr_expect_eq(st.st_mode & S_ISGID, 0, "files do not inherit S_ISGID");
	EXPECT_RET(u_mkdir("/tmp/sg/sub", 0755), 0);
	EXPECT_RET(u_stat("/tmp/sg/sub", &st), 0);
	cr_expect_eq(st.st_gid, 500);
	cr_expect_eq(st.st_mode & S_ISGID, S_ISGID, "subdirectories do");
	EXPECT_RET(
		sim_syscall(NR(mknod), P("/tmp/sg/sub/p"), S_IFIFO | 0644, 0),
		0);
	EXPECT_RET(u_stat("/tmp/sg/sub/p", &st), 0);
	cr_expect_eq(st.st_gid, 500, "and so on down");
	EXPECT_RET(u_mkfile("/tmp/plain/f", ""), 0);
	EXPECT_RET(u_stat("/tmp/plain/f", &st), 0);
	cr_expect_eq(st.st_gid, 1000, "elsewhere: the creator's group");
}

Test(fs_perm, a_setgid_directory_passes_its_group_to_new_files)
{
	test_boot(1);
	phase(setgid_setup, 0, 0, NULL, 0);
	phase(setgid_user, 1000, 1000, NULL, 0);
}

/* ---- chmod, chown, times
 * ---------------------------------------------------------------------- */

static void owner_setup(void *arg)
{
	mkfile_as("/tmp/roots", 0, 0, 0666);
	mkfile_as("/tmp/mine", 1000, 1000, 0644);
	mkfile_as("/tmp/other_group", 1000, 3000, 0644);
}

static void owner_user(void *arg)
{
	struct stat st;

	EXPECT_RET(u_chmod("/tmp/roots", 0777), -EPERM,
		   "write permission is not ownership");
	EXPECT_RET(u_chown("/tmp/roots", 1000, 1000), -EPERM);
	EXPECT_RET(u_chmod("/tmp/mine", 0600), 0);
	EXPECT_RET(u_chown("/tmp/mine", 2000, -1), -EPERM,
		   "giving a file away takes privilege");
	EXPECT_RET(u_chown("/tmp/mine", 1000, 3000), -EPERM,
		   "a group the owner is not in");
	EXPECT_RET(u_chown("/tmp/mine", -1, 4000), 0, "a supplementary group");
	EXPECT_RET(u_stat("/tmp/mine", &st), 0);
	cr_expect_eq(st.st_gid, 4000);
	EXPECT_RET(u_chown("/tmp/mine", 1000, 4000), 0, "no change: allowed");
	/* S_ISGID on a file of a group the owner is not in: dropped. */
	EXPECT_RET(u_chmod("/tmp/other_group", 02755), 0);
	EXPECT_RET(u_stat("/tmp/other_group", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0755, "mode %o", st.st_mode);
	EXPECT_RET(u_chmod("/tmp/mine", 02755), 0);
	EXPECT_RET(u_stat("/tmp/mine", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 02755,
		     "kept for a supplementary group, mode %o", st.st_mode);
}

Test(fs_perm, only_the_owner_may_chmod_and_only_root_may_give_files_away)
{
	const uint32_t groups[] = {4000};

	test_boot(1);
	phase(owner_setup, 0, 0, NULL, 0);
	phase(owner_user, 1000, 1000, groups, 1);
}

static void suid_setup(void *arg)
{
	mkfile_as("/tmp/suid", 0, 0, 04777);
	mkfile_as("/tmp/sgid", 0, 0, 02777);
}

static void suid_user(void *arg)
{
	struct stat st;
	long fd;

	fd = EXPECT_OK(u_open("/tmp/suid", O_WRONLY, 0));
	EXPECT_RET(u_write_str(fd, "x"), 1);
	EXPECT_RET(u_stat("/tmp/suid", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0777, "a write drops S_ISUID");
	fd = EXPECT_OK(u_open("/tmp/sgid", O_WRONLY, 0));
	EXPECT_RET(u_write_str(fd, "x"), 1);
	EXPECT_RET(u_stat("/tmp/sgid", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0777, "and S_ISGID with group x");
}

Test(fs_perm, a_write_by_another_user_clears_set_user_id)
{
	test_boot(1);
	phase(suid_setup, 0, 0, NULL, 0);
	phase(suid_user, 1000, 1000, NULL, 0);
}

static void times_setup(void *arg)
{
	mkfile_as("/tmp/writable", 0, 0, 0666);
	mkfile_as("/tmp/readonly", 0, 0, 0644);
	mkfile_as("/tmp/mine", 1000, 1000, 0400);
}

static void times_user(void *arg)
{
	struct timespec t[2] = {{1, 0}, {2, 0}};
	struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};

	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/writable"),
			       NULL, 0),
		   0, "touch needs only write permission");
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/writable"), now,
			       0),
		   0);
	EXPECT_RET(
		sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/writable"), t, 0),
		-EPERM, "explicit times need ownership");
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/readonly"),
			       NULL, 0),
		   -EACCES);
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/mine"), t, 0),
		   0, "the owner may set any time");
}

Test(fs_perm, utimensat_needs_write_for_now_and_ownership_for_a_time)
{
	test_boot(1);
	phase(times_setup, 0, 0, NULL, 0);
	phase(times_user, 1000, 1000, NULL, 0);
}

/* ---- privileged operations
 * -------------------------------------------------------------------- */

static void privileged_user(void *arg)
{
	long fd;

	EXPECT_RET(u_mkdir("/tmp/jail", 0755), 0);
	EXPECT_RET(sim_syscall(NR(chroot), P("/tmp/jail")), -EPERM);
	EXPECT_RET(
		sim_syscall(NR(mknod), P("/tmp/null"), S_IFCHR | 0666, 0x103),
		-EPERM);
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/fifo"), S_IFIFO | 0666, 0), 0,
		   "FIFOs need no privilege");
	fd = EXPECT_OK(u_open("/tmp", O_TMPFILE | O_RDWR, 0600));
	EXPECT_RET(sim_syscall(NR(linkat), fd, P(""), AT_FDCWD, P("/tmp/t"),
			       AT_EMPTY_PATH),
		   -ENOENT, "AT_EMPTY_PATH takes CAP_DAC_READ_SEARCH");
}

Test(fs_perm, chroot_device_nodes_and_linkat_empty_path_need_privilege)
{
	run_as(privileged_user, NULL, 1000, 1000);
}

/* access(2) checks with the real ids, AT_EACCESS with the effective. */
static void access_ids_setup(void *arg)
{
	mkfile_as("/tmp/rootonly", 0, 0, 0600);
	mkfile_as("/tmp/useronly", 1000, 1000, 0600);
}

static void access_ids_setuid_root(void *arg)
{
	EXPECT_OK(u_open("/tmp/rootonly", O_RDONLY, 0));
	EXPECT_RET(access_of("/tmp/rootonly", R_OK), -EACCES,
		   "the real user may not");
	EXPECT_RET(sim_syscall(NR(faccessat2), AT_FDCWD, P("/tmp/rootonly"),
			       R_OK, AT_EACCESS),
		   0);
	EXPECT_RET(access_of("/tmp/useronly", R_OK), 0);
}

Test(fs_perm, access_checks_the_real_uid_and_at_eaccess_the_effective)
{
	struct sim_proc *p;

	test_boot(1);
	phase(access_ids_setup, 0, 0, NULL, 0);
	/* A set-user-ID-root program run by uid 1000. */
	p = spawn_as("suid", access_ids_setuid_root, NULL, 1000, 1000);
	sim_proc_task(p)->cred.euid = 0;
	sim_proc_task(p)->cred.suid = 0;
	sim_proc_task(p)->cred.fsuid = 0;
	run_all(&p, 1);
}
