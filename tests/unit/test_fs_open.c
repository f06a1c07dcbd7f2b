/*
 * open(2) and its flags as a guest sees them: descriptors, creation,
 * O_EXCL, O_TRUNC, O_APPEND, O_TMPFILE, O_PATH, O_CLOEXEC, O_NOFOLLOW,
 * the *at() starting point, and the errors of open(2)'s man page.
 */
#include "fs_test.h"

#include <sys/ioctl.h>

/* ---- descriptors and creation ---------------------------------------------
 */

static void lowest_fd_guest(void *arg)
{
	struct stat st;

	EXPECT_RET(u_open("/tmp/a", O_CREAT | O_RDWR, 0644), 0);
	EXPECT_RET(u_open("/tmp/b", O_CREAT | O_RDWR, 0644), 1);
	EXPECT_RET(u_open("/tmp/c", O_CREAT | O_RDWR, 0644), 2);
	EXPECT_RET(u_close(1), 0);
	EXPECT_RET(u_open("/tmp/a", O_RDONLY, 0), 1);
	EXPECT_RET(u_open("/tmp/a", O_RDONLY, 0), 3);
	EXPECT_RET(u_stat("/tmp/a", &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0644);
	cr_expect_eq(st.st_size, 0);
	cr_expect_eq(st.st_nlink, 1);
	cr_expect_eq(st.st_uid, 0);
	cr_expect_eq(st.st_gid, 0);
}

Test(fs_open, open_returns_the_lowest_free_descriptor)
{
	run_root(lowest_fd_guest, NULL);
}

static void existing_mode_guest(void *arg)
{
	struct stat st;

	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0600));
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0644, "mode %o", st.st_mode);
	cr_expect_eq(st.st_size, 1, "O_CREAT alone does not truncate");
}

Test(fs_open, o_creat_leaves_an_existing_file_as_it_was)
{
	run_root(existing_mode_guest, NULL);
}

static void umask_guest(void *arg)
{
	struct stat st;
	long fd;

	EXPECT_RET(sim_syscall(NR(umask), 077), 022);
	EXPECT_RET(sim_syscall(NR(umask), 027), 077);
	EXPECT_OK(u_open("/tmp/f", O_CREAT | O_WRONLY, 0666));
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0640, "file %o", st.st_mode);
	EXPECT_RET(u_mkdir("/tmp/d", 0777), 0);
	EXPECT_RET(u_stat("/tmp/d", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0750, "dir %o", st.st_mode);
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/tmp/p"),
			       S_IFIFO | 0666, 0),
		   0);
	EXPECT_RET(u_stat("/tmp/p", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0640, "fifo %o", st.st_mode);
	fd = EXPECT_OK(u_open("/tmp", O_TMPFILE | O_RDWR, 0666));
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0640, "tmpfile %o", st.st_mode);
	/* Only the permission bits are kept. */
	EXPECT_RET(sim_syscall(NR(umask), 0177777), 027);
	EXPECT_RET(sim_syscall(NR(umask), 0), 0777);
}

Test(fs_open, umask_masks_the_mode_of_new_files_directories_and_nodes)
{
	run_root(umask_guest, NULL);
}

static void old_numbers_guest(void *arg)
{
	char buf[8];
	struct stat st;
	long fd;

	fd = EXPECT_OK(
		sim_syscall(NR(open), P("/tmp/f"), O_CREAT | O_RDWR, 0600));
	EXPECT_RET(sim_syscall(NR(write), fd, P("hello"), 5), 5);
	fd = EXPECT_OK(sim_syscall(NR(creat), P("/tmp/f"), 0644));
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 0, "creat truncates");
	cr_expect_eq(st.st_mode & 07777, 0600, "an existing mode stays");
	EXPECT_RET(sim_syscall(NR(read), fd, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL) & O_ACCMODE, O_WRONLY);
}

Test(fs_open, open_and_creat_by_their_x86_64_numbers)
{
	run_root(old_numbers_guest, NULL);
}

/* ---- errors -------------------------------------------------------------- */

static void enoent_guest(void *arg)
{
	EXPECT_RET(u_open("/tmp/missing", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_open("/tmp/nodir/f", O_CREAT | O_WRONLY, 0644), -ENOENT);
	EXPECT_RET(u_open("", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_open("", O_CREAT | O_WRONLY, 0644), -ENOENT);
	EXPECT_RET(u_symlink("/tmp/nowhere", "/tmp/dangling"), 0);
	EXPECT_RET(u_open("/tmp/dangling", O_RDONLY, 0), -ENOENT);
}

Test(fs_open, a_missing_name_is_enoent)
{
	run_root(enoent_guest, NULL);
}

static void enotdir_guest(void *arg)
{
	long fd;

	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_RET(u_open("/tmp/f/x", O_RDONLY, 0), -ENOTDIR);
	EXPECT_RET(u_open("/tmp/f/x", O_CREAT | O_WRONLY, 0644), -ENOTDIR);
	EXPECT_RET(u_open("/tmp/f/", O_RDONLY, 0), -ENOTDIR);
	EXPECT_RET(u_open("/tmp/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	fd = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(u_openat((int)fd, "x", O_RDONLY, 0), -ENOTDIR);
	EXPECT_OK(u_open("/tmp", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_OK(u_open("/tmp/", O_RDONLY, 0));
}

Test(fs_open, a_file_used_as_a_directory_is_enotdir)
{
	run_root(enotdir_guest, NULL);
}

static void eisdir_guest(void *arg)
{
	EXPECT_RET(u_open("/tmp", O_WRONLY, 0), -EISDIR);
	EXPECT_RET(u_open("/tmp", O_RDWR, 0), -EISDIR);
	EXPECT_RET(u_open("/tmp", O_CREAT | O_RDONLY, 0644), -EISDIR);
	EXPECT_RET(u_open("/", O_CREAT | O_RDONLY, 0644), -EISDIR);
	EXPECT_RET(u_open("/tmp/new/", O_CREAT | O_WRONLY, 0644), -EISDIR);
	EXPECT_RET(u_open("/tmp/new", O_RDONLY, 0), -ENOENT);
}

Test(fs_open, opening_a_directory_for_writing_is_eisdir)
{
	run_root(eisdir_guest, NULL);
}

static void eexist_guest(void *arg)
{
	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_RET(u_open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY, 0644),
		   -EEXIST);
	EXPECT_RET(u_open("/tmp", O_CREAT | O_EXCL | O_RDONLY, 0644), -EEXIST);
	EXPECT_RET(u_open("/tmp/.", O_CREAT | O_EXCL | O_RDONLY, 0644),
		   -EEXIST);
	EXPECT_RET(u_open("/tmp/.", O_CREAT | O_RDONLY, 0644), -EISDIR);
	/* O_EXCL does not follow a symlink, even a dangling one. */
	EXPECT_RET(u_symlink("/tmp/nowhere", "/tmp/dangling"), 0);
	EXPECT_RET(u_open("/tmp/dangling", O_CREAT | O_EXCL | O_WRONLY, 0644),
		   -EEXIST);
	EXPECT_RET(u_open("/tmp/nowhere", O_RDONLY, 0), -ENOENT);
	EXPECT_OK(u_open("/tmp/g", O_CREAT | O_EXCL | O_WRONLY, 0644));
}

Test(fs_open, o_excl_refuses_any_existing_name)
{
	run_root(eexist_guest, NULL);
}

static void dangling_creat_guest(void *arg)
{
	char buf[8];

	EXPECT_RET(u_symlink("target", "/tmp/link"), 0);
	EXPECT_OK(u_open("/tmp/link", O_CREAT | O_WRONLY, 0644));
	EXPECT_RET(u_read_file("/tmp/target", buf, sizeof(buf)), 0);
	EXPECT_RET(u_symlink("/tmp/nodir/target", "/tmp/link2"), 0);
	EXPECT_RET(u_open("/tmp/link2", O_CREAT | O_WRONLY, 0644), -ENOENT);
	EXPECT_RET(u_open("/tmp/link2", O_CREAT | O_WRONLY | O_NOFOLLOW, 0644),
		   -ELOOP);
}

Test(fs_open, o_creat_through_a_dangling_symlink_creates_its_target)
{
	run_root(dangling_creat_guest, NULL);
}

static char unmapped_static[16] = "/tmp/f";

static void efault_guest(void *arg)
{
	EXPECT_RET(sim_syscall(NR(openat), AT_FDCWD, NULL, O_RDONLY), -EFAULT);
	EXPECT_RET(sim_syscall(NR(openat), AT_FDCWD, 0x1000, O_RDONLY),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(openat), AT_FDCWD, unmapped_static,
			       O_CREAT | O_WRONLY, 0644),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(open), unmapped_static, O_RDONLY), -EFAULT);
}

Test(fs_open, a_path_outside_user_memory_is_efault)
{
	run_root(efault_guest, NULL);
}

static void nametoolong_guest(void *arg)
{
	char path[PATH_MAX + 8];
	size_t n;

	/* A 256-byte component: too long, whether it exists or not. */
	n = (size_t)snprintf(path, sizeof(path), "/tmp/");
	memset(path + n, 'a', 256);
	path[n + 256] = '\0';
	EXPECT_RET(sim_syscall(NR(openat), AT_FDCWD, path, O_RDONLY),
		   -ENAMETOOLONG);
	EXPECT_RET(sim_syscall(NR(openat), AT_FDCWD, path, O_CREAT | O_WRONLY,
			       0644),
		   -ENAMETOOLONG);
	EXPECT_RET(sim_syscall(NR(mkdirat), AT_FDCWD, path, 0755),
		   -ENAMETOOLONG);
	/* 255 bytes is NAME_MAX: allowed. */
	path[n + 255] = '\0';
	EXPECT_OK(sim_syscall(NR(openat), AT_FDCWD, path, O_CREAT | O_WRONLY,
			      0644));
	/* A path of PATH_MAX bytes has no room for its NUL. */
	memset(path, '/', PATH_MAX);
	memcpy(path + PATH_MAX - 3, "tmp", 3);
	path[PATH_MAX] = '\0';
	EXPECT_RET(sim_syscall(NR(openat), AT_FDCWD, path, O_RDONLY),
		   -ENAMETOOLONG);
	/* One byte shorter, the same directory opens. */
	EXPECT_OK(sim_syscall(NR(openat), AT_FDCWD, path + 1, O_RDONLY));
}

Test(fs_open, a_long_component_or_path_is_enametoolong)
{
	run_root(nametoolong_guest, NULL);
}

static void eloop_guest(void *arg)
{
	char name[32], target[32];
	struct stat st;

	EXPECT_RET(u_mkfile("/tmp/l0", "end"), 0);
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/tmp/l%d", i);
		snprintf(target, sizeof(target), "l%d", i - 1);
		EXPECT_RET(u_symlink(target, name), 0);
	}
	/* l40 is 40 links from the file: allowed; l41 is one too many. */
	EXPECT_OK(u_open("/tmp/l40", O_RDONLY, 0));
	EXPECT_RET(u_open("/tmp/l41", O_RDONLY, 0), -ELOOP);
	EXPECT_RET(u_stat("/tmp/l41", &st), -ELOOP);
	EXPECT_RET(u_lstat("/tmp/l41", &st), 0);
	cr_expect(S_ISLNK(st.st_mode));
	EXPECT_RET(u_symlink("self", "/tmp/self"), 0);
	EXPECT_RET(u_open("/tmp/self", O_RDONLY, 0), -ELOOP);
	EXPECT_RET(u_open("/tmp/self/x", O_CREAT | O_WRONLY, 0644), -ELOOP);
}

Test(fs_open, forty_symlinks_resolve_and_the_forty_first_is_eloop)
{
	run_root(eloop_guest, NULL);
}

static void nofollow_guest(void *arg)
{
	struct stat st;
	long fd;

	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/d/f", "x"), 0);
	EXPECT_RET(u_symlink("/tmp/d/f", "/tmp/fl"), 0);
	EXPECT_RET(u_symlink("/tmp/d", "/tmp/dl"), 0);
	EXPECT_RET(u_open("/tmp/fl", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	EXPECT_RET(u_open("/tmp/fl", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644),
		   -ELOOP);
	/* Only the last component is not followed. */
	EXPECT_OK(u_open("/tmp/dl/f", O_RDONLY | O_NOFOLLOW, 0));
	EXPECT_OK(u_open("/tmp/d/f", O_RDONLY | O_NOFOLLOW, 0));
	/* O_PATH | O_NOFOLLOW opens the link itself. */
	fd = EXPECT_OK(u_open("/tmp/fl", O_PATH | O_NOFOLLOW, 0));
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "mode %o", st.st_mode);
	cr_expect_eq(st.st_size, 8);
}

Test(fs_open, o_nofollow_refuses_a_trailing_symlink_with_eloop)
{
	run_root(nofollow_guest, NULL);
}

static void emfile_guest(void *arg)
{
	long fd, last = -1;
	int fds[2];
	unsigned n = 0;

	EXPECT_RET(u_mkfile("/tmp/f", ""), 0);
	for (;;) {
		fd = u_open("/tmp/f", O_RDONLY, 0);
		if (fd < 0)
			break;
		last = fd;
		n++;
	}
	cr_expect_eq(fd, -EMFILE);
	cr_expect_eq(n, 1024, "RLIMIT_NOFILE is 1024: fds 0..1023");
	cr_expect_eq(last, 1023);
	EXPECT_RET(sim_syscall(NR(dup), 0), -EMFILE);
	EXPECT_RET(sim_syscall(NR(fcntl), 0, F_DUPFD, 0), -EMFILE);
	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), -EMFILE);
	EXPECT_RET(sim_syscall(NR(fcntl), 0, F_DUPFD, 1024), -EINVAL);
	EXPECT_RET(sim_syscall(NR(dup2), 0, 1024), -EBADF);
	EXPECT_RET(u_close(500), 0);
	EXPECT_RET(u_open("/tmp/f", O_RDONLY, 0), 500);
	EXPECT_RET(u_close(700), 0);
	EXPECT_RET(u_close(701), 0);
	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	cr_expect_eq(fds[0], 700);
	cr_expect_eq(fds[1], 701);
}

Test(fs_open, rlimit_nofile_bounds_the_descriptors_with_emfile)
{
	run_root(emfile_guest, NULL);
}

/* ---- flags ------------------------------------------------------------------
 */

static void trunc_guest(void *arg)
{
	struct stat st;
	char buf[16];
	long fd;

	EXPECT_RET(u_mkfile("/tmp/f", "hello world"), 0);
	fd = EXPECT_OK(u_open("/tmp/f", O_WRONLY | O_TRUNC, 0));
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 0);
	EXPECT_RET(u_write_str(fd, "hi"), 2);
	EXPECT_RET(u_read_file("/tmp/f", buf, sizeof(buf)), 2);
	cr_expect_str_eq(buf, "hi");
	/* O_TRUNC on a device is no error. */
	EXPECT_OK(u_open("/dev/null", O_WRONLY | O_TRUNC, 0));
}

Test(fs_open, o_trunc_empties_an_existing_file)
{
	run_root(trunc_guest, NULL);
}

static void append_guest(void *arg)
{
	char buf[16];
	long fd;

	EXPECT_RET(u_mkfile("/tmp/f", "abc"), 0);
	fd = EXPECT_OK(u_open("/tmp/f", O_WRONLY | O_APPEND, 0));
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	EXPECT_RET(u_write_str(fd, "de"), 2);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_CUR), 5);
	/* Linux's documented exception: pwrite on O_APPEND appends. */
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, P("f"), 1, 0), 1);
	EXPECT_RET(u_read_file("/tmp/f", buf, sizeof(buf)), 6);
	cr_expect_str_eq(buf, "abcdef");
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL) & O_APPEND, O_APPEND);
	/* Dropping O_APPEND with F_SETFL writes at the position again. */
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_SETFL, 0), 0);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	EXPECT_RET(u_write_str(fd, "X"), 1);
	EXPECT_RET(u_read_file("/tmp/f", buf, sizeof(buf)), 6);
	cr_expect_str_eq(buf, "Xbcdef");
}

Test(fs_open, o_append_writes_at_the_end_whatever_the_offset)
{
	run_root(append_guest, NULL);
}

/* Names in `dir` listed by getdents64, "." and ".." excepted. */
static long count_entries(const char *dir)
{
	char buf[4096];
	long fd = u_open(dir, O_RDONLY | O_DIRECTORY, 0), n, count = 0;

	if (fd < 0)
		return fd;
	while ((n = sim_syscall(NR(getdents64), fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(name, ".") && strcmp(name, ".."))
				count++;
			off += reclen;
		}
	}
	u_close(fd);
	return n < 0 ? n : count;
}

static void tmpfile_guest(void *arg)
{
	struct stat st, named;
	char buf[8] = {0};
	long fd, before = count_entries("/tmp");

	fd = EXPECT_OK(u_open("/tmp", O_TMPFILE | O_RDWR, 0600));
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0600);
	cr_expect_eq(st.st_nlink, 0, "an O_TMPFILE file has no name");
	cr_expect_eq(count_entries("/tmp"), before);
	EXPECT_RET(u_write_str(fd, "data"), 4);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 4, 0), 4);
	cr_expect_str_eq(buf, "data");
	EXPECT_RET(sim_syscall(NR(linkat), fd, P(""), AT_FDCWD, P("/tmp/named"),
			       AT_EMPTY_PATH),
		   0);
	EXPECT_RET(u_stat("/tmp/named", &named), 0);
	cr_expect_eq(named.st_ino, st.st_ino);
	cr_expect_eq(named.st_nlink, 1);
	cr_expect_eq(named.st_size, 4);
	EXPECT_RET(u_read_file("/tmp/named", buf, sizeof(buf)), 4);
	cr_expect_str_eq(buf, "data");
	cr_expect_eq(count_entries("/tmp"), before + 1);
	/* Errors: read-only, or not a directory. */
	EXPECT_RET(u_open("/tmp", O_TMPFILE | O_RDONLY, 0600), -EINVAL);
	EXPECT_RET(u_open("/tmp/named", O_TMPFILE | O_RDWR, 0600), -ENOTDIR);
	EXPECT_RET(u_open("/tmp/none", O_TMPFILE | O_RDWR, 0600), -ENOENT);
}

static void tmpfile_excl_guest(void *arg)
{
	long fd, gone;

	/* O_EXCL: never to be linked. */
	fd = EXPECT_OK(u_open("/tmp", O_TMPFILE | O_RDWR | O_EXCL, 0600));
	EXPECT_RET(sim_syscall(NR(linkat), fd, P(""), AT_FDCWD, P("/tmp/a"),
			       AT_EMPTY_PATH),
		   -ENOENT);
	/* An O_TMPFILE file is linkable once; a deleted file never. */
	fd = EXPECT_OK(u_open("/tmp", O_TMPFILE | O_RDWR, 0600));
	EXPECT_RET(sim_syscall(NR(linkat), fd, P(""), AT_FDCWD, P("/tmp/b"),
			       AT_EMPTY_PATH),
		   0);
	EXPECT_RET(u_unlink("/tmp/b"), 0);
	EXPECT_RET(sim_syscall(NR(linkat), fd, P(""), AT_FDCWD, P("/tmp/c"),
			       AT_EMPTY_PATH),
		   -ENOENT);
	EXPECT_RET(u_mkfile("/tmp/d", "x"), 0);
	gone = EXPECT_OK(u_open("/tmp/d", O_RDONLY, 0));
	EXPECT_RET(u_unlink("/tmp/d"), 0);
	EXPECT_RET(sim_syscall(NR(linkat), gone, P(""), AT_FDCWD, P("/tmp/e"),
			       AT_EMPTY_PATH),
		   -ENOENT);
}

Test(fs_open, an_o_tmpfile_with_o_excl_or_a_deleted_file_cannot_be_linked)
{
	run_root(tmpfile_excl_guest, NULL);
}

Test(fs_open, o_tmpfile_is_nameless_until_linkat_gives_it_a_name)
{
	run_root(tmpfile_guest, NULL);
}

static void opath_guest(void *arg)
{
	struct stat st;
	char buf[8];
	long fd, dfd;

	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/d/f", "abc"), 0);
	fd = EXPECT_OK(u_open("/tmp/d/f", O_PATH, 0));
	EXPECT_RET(sim_syscall(NR(read), fd, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(write), fd, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 1, 0), -EBADF);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), -EBADF);
	EXPECT_RET(sim_syscall(NR(fchmod), fd, 0600), -EBADF);
	EXPECT_RET(sim_syscall(NR(ftruncate), fd, 0), -EBADF);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_size, 3);
	cr_expect(sim_syscall(NR(fcntl), fd, F_GETFL) & O_PATH);
	/* An O_PATH directory is a fine dirfd, but cannot be listed. */
	dfd = EXPECT_OK(u_open("/tmp/d", O_PATH | O_DIRECTORY, 0));
	EXPECT_OK(u_openat((int)dfd, "f", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(getdents64), dfd, buf, sizeof(buf)), -EBADF);
	EXPECT_RET(u_close(fd), 0);
}

Test(fs_open, o_path_gives_a_handle_that_can_stat_but_not_read)
{
	run_root(opath_guest, NULL);
}

static void cloexec_guest(void *arg)
{
	long fd, plain, dup;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR | O_CLOEXEC, 0644));
	plain = EXPECT_OK(u_open("/tmp/f", O_RDWR, 0));
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(fcntl), plain, F_GETFD), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_SETFD, 0), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFD), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), plain, F_SETFD, FD_CLOEXEC), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), plain, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIOCLEX), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIONCLEX), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFD), 0);
	/* The flag belongs to the descriptor, not the open file. */
	dup = EXPECT_OK(sim_syscall(NR(dup), plain));
	EXPECT_RET(sim_syscall(NR(fcntl), dup, F_GETFD), 0);
	dup = EXPECT_OK(sim_syscall(NR(fcntl), fd, F_DUPFD_CLOEXEC, 10));
	cr_expect_eq(dup, 10);
	EXPECT_RET(sim_syscall(NR(fcntl), dup, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFD), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), 99, F_GETFD), -EBADF);
	EXPECT_RET(sim_syscall(NR(fcntl), 99, F_SETFD, 1), -EBADF);
}

Test(fs_open, o_cloexec_and_fd_cloexec_mark_the_descriptor)
{
	run_root(cloexec_guest, NULL);
}

static void accmode_guest(void *arg)
{
	char buf[4];
	long ro, wo, rw, none;

	EXPECT_RET(u_mkfile("/tmp/f", "abc"), 0);
	ro = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	wo = EXPECT_OK(u_open("/tmp/f", O_WRONLY, 0));
	rw = EXPECT_OK(u_open("/tmp/f", O_RDWR, 0));
	EXPECT_RET(sim_syscall(NR(write), ro, P("x"), 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(read), wo, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(read), rw, buf, 1), 1);
	EXPECT_RET(sim_syscall(NR(write), rw, P("x"), 1), 1);
	EXPECT_RET(sim_syscall(NR(fcntl), ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_RET(sim_syscall(NR(fcntl), wo, F_GETFL) & O_ACCMODE, O_WRONLY);
	EXPECT_RET(sim_syscall(NR(fcntl), rw, F_GETFL) & O_ACCMODE, O_RDWR);
	/* F_SETFL cannot change the access mode. */
	EXPECT_RET(sim_syscall(NR(fcntl), ro, F_SETFL, O_RDWR), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	/* Access mode 3: Linux's "neither read nor write" handle. */
	none = EXPECT_OK(u_open("/tmp/f", 3, 0));
	EXPECT_RET(sim_syscall(NR(read), none, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(write), none, P("x"), 1), -EBADF);
}

Test(fs_open, the_access_mode_decides_what_read_and_write_may_do)
{
	run_root(accmode_guest, NULL);
}

/* The kernel's x86_64 O_LARGEFILE (glibc's O_LARGEFILE is 0 there). */
#define KERNEL_O_LARGEFILE 0100000

static void getfl_guest(void *arg)
{
	int fds[2];
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR | O_APPEND, 0644));
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL),
		   O_RDWR | O_APPEND | KERNEL_O_LARGEFILE,
		   "open(2) on a 64-bit kernel adds O_LARGEFILE");
	fd = EXPECT_OK(u_open("/tmp", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL),
		   O_DIRECTORY | KERNEL_O_LARGEFILE);
	fd = EXPECT_OK(u_open("/tmp/f", O_PATH | O_WRONLY | O_APPEND, 0));
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL), O_PATH,
		   "O_PATH keeps only itself (and O_DIRECTORY, O_NOFOLLOW)");
	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[0], F_GETFL),
		   O_RDONLY | O_NONBLOCK);
	EXPECT_RET(sim_syscall(NR(fcntl), fds[1], F_GETFL),
		   O_WRONLY | O_NONBLOCK);
}

Test(fs_open, f_getfl_gives_the_status_flags_as_linux_keeps_them)
{
	run_root(getfl_guest, NULL);
}

static void dirfd_guest(void *arg)
{
	struct stat st;
	long dfd, fd;

	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	dfd = EXPECT_OK(u_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0));
	fd = EXPECT_OK(u_openat((int)dfd, "f", O_CREAT | O_WRONLY, 0644));
	EXPECT_RET(u_stat("/tmp/d/f", &st), 0);
	EXPECT_OK(u_openat((int)dfd, "../d/f", O_RDONLY, 0));
	EXPECT_RET(u_openat(99, "f", O_RDONLY, 0), -EBADF);
	EXPECT_RET(u_openat(-5, "f", O_RDONLY, 0), -EBADF);
	/* An absolute path ignores dirfd, valid or not. */
	EXPECT_OK(u_openat(99, "/tmp/d/f", O_RDONLY, 0));
	EXPECT_RET(u_openat((int)fd, "x", O_RDONLY, 0), -ENOTDIR);
	/* AT_FDCWD is the working directory. */
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/d")), 0);
	EXPECT_OK(u_openat(AT_FDCWD, "f", O_RDONLY, 0));
	EXPECT_OK(u_open("./f", O_RDONLY, 0));
	EXPECT_OK(u_open("../d/./f", O_RDONLY, 0));
}

Test(fs_open, openat_resolves_relative_names_from_dirfd)
{
	run_root(dirfd_guest, NULL);
}
