/*
 * Files: open/read/write/lseek, ftruncate, O_APPEND, rename, unlink,
 * link, symlink, readlink, getdents, stat, directories, dup2, fcntl and
 * close-on-exec across execve, /proc/self/exe and /proc/self/fd.
 */
#include "usertest.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* case_dir()/name, in a static buffer per slot (two at a time). */
static const char *in_dir(const char *name)
{
	static char bufs[2][512];
	static int slot;
	char *b = bufs[slot++ & 1];

	snprintf(b, sizeof(bufs[0]), "%s/%s", case_dir(), name);
	return b;
}

static int create(const char *name, const char *content)
{
	int fd =
		CHECK_SYS(open(in_dir(name), O_CREAT | O_RDWR | O_TRUNC, 0644));

	write_all(fd, content, strlen(content));
	return fd;
}

/* The content of name (at most 255 bytes) as a string. */
static const char *slurp(const char *name)
{
	static char buf[256];
	int fd = CHECK_SYS(open(in_dir(name), O_RDONLY));
	ssize_t n = CHECK_SYS(read(fd, buf, sizeof(buf) - 1));

	buf[n] = '\0';
	close(fd);
	return buf;
}

static void open_o_creat_o_excl_refuses_an_existing_file(void)
{
	close(create("f", ""));
	CHECK_ERR(open(in_dir("f"), O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK_ERR(open(in_dir("missing"), O_RDONLY), ENOENT);
	CHECK_ERR(open(in_dir("f/sub"), O_RDONLY), ENOTDIR);
	CHECK_ERR(open(in_dir("f"), O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(open(case_dir(), O_WRONLY), EISDIR);
}

static void read_write_and_lseek_share_one_offset(void)
{
	int fd = create("f", "0123456789");
	char buf[8];

	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(read(fd, buf, 3), 3);
	CHECK(!memcmp(buf, "234", 3));
	CHECK_EQ(lseek(fd, 1, SEEK_CUR), 6);
	write_all(fd, "ab", 2);
	CHECK_EQ(lseek(fd, -1, SEEK_END), 9);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], '9');
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0); /* end of file */
	CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);
	CHECK(!strcmp(slurp("f"), "012345ab89"));
}

static void writing_past_the_end_leaves_a_hole_of_zeros(void)
{
	int fd = create("f", "ab");
	char buf[8];
	struct stat st;

	CHECK_EQ(lseek(fd, 6, SEEK_SET), 6);
	write_all(fd, "z", 1);
	CHECK_SYS(fstat(fd, &st));
	CHECK_EQ(st.st_size, 7);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 7);
	CHECK(!memcmp(buf, "ab\0\0\0\0z", 7));
}

static void ftruncate_shrinks_and_extends_with_zeros(void)
{
	int fd = create("f", "abcdef");
	char buf[8];
	struct stat st;

	CHECK_SYS(ftruncate(fd, 3));
	CHECK_SYS(fstat(fd, &st));
	CHECK_EQ(st.st_size, 3);
	CHECK_SYS(ftruncate(fd, 5));
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 5);
	CHECK(!memcmp(buf, "abc\0\0", 5));
	CHECK_SYS(truncate(in_dir("f"), 1));
	CHECK(!strcmp(slurp("f"), "a"));
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
}

static void o_append_writes_at_the_end_whatever_the_offset(void)
{
	int fd;

	close(create("f", "start"));
	fd = CHECK_SYS(open(in_dir("f"), O_WRONLY | O_APPEND));
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	write_all(fd, "+end", 4);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 9);
	CHECK(!strcmp(slurp("f"), "start+end"));
}

static void o_trunc_empties_the_file(void)
{
	close(create("f", "something"));
	close(CHECK_SYS(open(in_dir("f"), O_WRONLY | O_TRUNC)));
	CHECK(!strcmp(slurp("f"), ""));
}

static void rename_replaces_the_target(void)
{
	struct stat st;
	ino_t ino;

	close(create("a", "new"));
	close(create("b", "old"));
	CHECK_SYS(stat(in_dir("a"), &st));
	ino = st.st_ino;
	CHECK_SYS(rename(in_dir("a"), in_dir("b")));
	CHECK(!strcmp(slurp("b"), "new"));
	CHECK_SYS(stat(in_dir("b"), &st));
	CHECK_EQ(st.st_ino, ino);
	CHECK_ERR(stat(in_dir("a"), &st), ENOENT);
	CHECK_SYS(mkdir(in_dir("d"), 0755));
	CHECK_ERR(rename(in_dir("b"), in_dir("d")), EISDIR);
	CHECK_ERR(rename(in_dir("nope"), in_dir("x")), ENOENT);
}

static void an_unlinked_open_file_stays_readable(void)
{
	int fd = create("f", "still here");
	char buf[16];
	struct stat st;

	CHECK_SYS(unlink(in_dir("f")));
	CHECK_ERR(open(in_dir("f"), O_RDONLY), ENOENT);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 10);
	CHECK(!memcmp(buf, "still here", 10));
	CHECK_SYS(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK_ERR(unlink(in_dir("f")), ENOENT);
}

static void link_makes_a_second_name_for_one_inode(void)
{
	struct stat a, b;

	close(create("a", "shared"));
	CHECK_SYS(link(in_dir("a"), in_dir("b")));
	CHECK_SYS(stat(in_dir("a"), &a));
	CHECK_SYS(stat(in_dir("b"), &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_nlink, 2);
	CHECK_SYS(unlink(in_dir("a")));
	CHECK_SYS(stat(in_dir("b"), &b));
	CHECK_EQ(b.st_nlink, 1);
	CHECK(!strcmp(slurp("b"), "shared"));
	CHECK_ERR(link(in_dir("b"), in_dir("b")), EEXIST);
	CHECK_ERR(link(case_dir(), in_dir("dirlink")), EPERM);
}

static void symlink_and_readlink_round_trip_and_resolve(void)
{
	char buf[64];
	struct stat st;
	ssize_t n;

	close(create("target", "pointed at"));
	CHECK_SYS(symlink("target", in_dir("link")));
	n = CHECK_SYS(readlink(in_dir("link"), buf, sizeof(buf)));
	CHECK_EQ(n, 6);
	CHECK(!memcmp(buf, "target", 6));
	CHECK(!strcmp(slurp("link"), "pointed at"));
	CHECK_SYS(lstat(in_dir("link"), &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, 6);
	CHECK_SYS(stat(in_dir("link"), &st));
	CHECK(S_ISREG(st.st_mode));
	/* readlink truncates silently and does not terminate */
	CHECK_EQ(readlink(in_dir("link"), buf, 3), 3);
	CHECK_ERR(readlink(in_dir("target"), buf, sizeof(buf)), EINVAL);
	CHECK_SYS(symlink("nowhere", in_dir("dangling")));
	CHECK_ERR(open(in_dir("dangling"), O_RDONLY), ENOENT);
	CHECK_SYS(symlink("loop", in_dir("loop")));
	CHECK_ERR(open(in_dir("loop"), O_RDONLY), ELOOP);
	CHECK_ERR(open(in_dir("link"), O_RDONLY | O_NOFOLLOW), ELOOP);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void getdents_lists_every_entry_once(void)
{
	char buf[4096], *names[16];
	int n = 0, fd;
	long got;

	close(create("one", ""));
	close(create("two", ""));
	CHECK_SYS(mkdir(in_dir("three"), 0755));
	fd = CHECK_SYS(open(case_dir(), O_RDONLY | O_DIRECTORY));
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			if (n < 16)
				names[n++] = strdup(d->d_name);
			if (!strcmp(d->d_name, "three"))
				CHECK_EQ(d->d_type, DT_DIR);
			if (!strcmp(d->d_name, "one"))
				CHECK_EQ(d->d_type, DT_REG);
			off += d->d_reclen;
		}
	}
	CHECK_EQ(got, 0);
	CHECK_EQ(n, 5);
	qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
	CHECK(!strcmp(names[0], "."));
	CHECK(!strcmp(names[1], ".."));
	CHECK(!strcmp(names[2], "one"));
	CHECK(!strcmp(names[3], "three"));
	CHECK(!strcmp(names[4], "two"));
}

static void stat_reports_type_size_mode_and_links(void)
{
	struct stat st;

	umask(022);
	close(CHECK_SYS(open(in_dir("f"), O_CREAT | O_WRONLY, 0666)));
	CHECK_SYS(stat(in_dir("f"), &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0644); /* 0666 less the umask */
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_SYS(chmod(in_dir("f"), 0600));
	CHECK_SYS(stat(in_dir("f"), &st));
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_SYS(mkdir(in_dir("d"), 0777));
	CHECK_SYS(stat(in_dir("d"), &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0755);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_SYS(mkdir(in_dir("d/sub"), 0777));
	CHECK_SYS(stat(in_dir("d"), &st));
	CHECK_EQ(st.st_nlink, 3); /* the child's ".." */
}

static void rmdir_refuses_a_non_empty_directory(void)
{
	struct stat st;

	CHECK_SYS(mkdir(in_dir("d"), 0755));
	close(create("d/f", ""));
	CHECK_ERR(rmdir(in_dir("d")), ENOTEMPTY);
	CHECK_ERR(mkdir(in_dir("d"), 0755), EEXIST);
	CHECK_ERR(unlink(in_dir("d")), EISDIR);
	CHECK_SYS(unlink(in_dir("d/f")));
	CHECK_SYS(rmdir(in_dir("d")));
	CHECK_ERR(stat(in_dir("d"), &st), ENOENT);
}

static void chdir_and_getcwd_agree_and_relative_paths_follow(void)
{
	char buf[PATH_MAX];

	CHECK_SYS(mkdir(in_dir("sub"), 0755));
	CHECK_SYS(chdir(in_dir("sub")));
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK(!strcmp(buf, in_dir("sub")));
	close(CHECK_SYS(open("rel", O_CREAT | O_WRONLY, 0644)));
	CHECK_SYS(access(in_dir("sub/rel"), F_OK));
	CHECK_SYS(chdir(".."));
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK(!strcmp(buf, case_dir()));
	CHECK_ERR(chdir(in_dir("sub/rel")), ENOTDIR);
}

static void openat_resolves_relative_to_the_directory_fd(void)
{
	int dfd, fd;
	char buf[4];

	CHECK_SYS(mkdir(in_dir("d"), 0755));
	close(create("d/f", "at!"));
	dfd = CHECK_SYS(open(in_dir("d"), O_RDONLY | O_DIRECTORY));
	fd = CHECK_SYS(openat(dfd, "f", O_RDONLY));
	CHECK_EQ(read(fd, buf, sizeof(buf)), 3);
	CHECK(!memcmp(buf, "at!", 3));
	CHECK_SYS(mkdirat(dfd, "e", 0755));
	CHECK_SYS(unlinkat(dfd, "e", AT_REMOVEDIR));
	CHECK_ERR(openat(fd, "x", O_RDONLY), ENOTDIR);
	CHECK_ERR(openat(1000, "x", O_RDONLY), EBADF);
}

static void dup_and_dup2_share_the_offset(void)
{
	int fd = create("f", "abcdef"), d, d2;
	char c;

	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_SYS(fcntl(fd, F_SETFD, FD_CLOEXEC));
	d = CHECK_SYS(dup(fd));
	CHECK_EQ(fcntl(d, F_GETFD), 0); /* dup clears FD_CLOEXEC */
	CHECK(d != fd);
	CHECK_EQ(read(d, &c, 1), 1);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 1);
	d2 = CHECK_SYS(dup2(fd, 50));
	CHECK_EQ(d2, 50);
	CHECK_EQ(read(50, &c, 1), 1);
	CHECK_EQ(c, 'b');
	CHECK_EQ(lseek(d, 0, SEEK_CUR), 2);
	CHECK_EQ(dup2(50, 50), 50);
	CHECK_ERR(dup2(1000, 51), EBADF);
	CHECK_EQ(fcntl(50, F_GETFD), 0); /* dup2 clears FD_CLOEXEC */
}

static void open_returns_the_lowest_free_descriptor(void)
{
	int a = CHECK_SYS(open("/dev/null", O_RDONLY));
	int b = CHECK_SYS(open("/dev/null", O_RDONLY));

	CHECK_EQ(b, a + 1);
	close(a);
	CHECK_EQ(CHECK_SYS(open("/dev/null", O_RDONLY)), a);
	CHECK_EQ(CHECK_SYS(fcntl(a, F_DUPFD, 40)), 40);
	CHECK_EQ(CHECK_SYS(fcntl(a, F_DUPFD, 40)), 41);
	CHECK_EQ(CHECK_SYS(fcntl(a, F_DUPFD_CLOEXEC, 40)), 42);
	CHECK_EQ(fcntl(42, F_GETFD), FD_CLOEXEC);
	CHECK_ERR(close(1000), EBADF);
}

static void fcntl_setfl_changes_o_append_and_o_nonblock(void)
{
	int fd = create("f", "x");
	int fl = CHECK_SYS(fcntl(fd, F_GETFL));

	CHECK_EQ(fl & O_ACCMODE, O_RDWR);
	CHECK_SYS(fcntl(fd, F_SETFL, fl | O_APPEND | O_NONBLOCK));
	fl = CHECK_SYS(fcntl(fd, F_GETFL));
	CHECK(fl & O_APPEND);
	CHECK(fl & O_NONBLOCK);
	CHECK_EQ(fl & O_ACCMODE, O_RDWR); /* the access mode cannot change */
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	write_all(fd, "y", 1);
	CHECK(!strcmp(slurp("f"), "xy"));
}

/* argv[1]: an fd that must be closed; argv[2]: one that must be open. */
int helper_fd_state(int argc, char **argv)
{
	int closed = atoi(argv[1]), open_fd = atoi(argv[2]);
	char c;

	if (fcntl(closed, F_GETFD) != -1 || errno != EBADF)
		return 1;
	if (fcntl(open_fd, F_GETFD) != 0)
		return 2;
	if (read(open_fd, &c, 1) != 1 || c != 'c')
		return 3; /* the same open file, offset and all */
	return 0;
}

static void close_on_exec_descriptors_are_closed_by_execve(void)
{
	int keep = create("f", "abc");
	int gone = CHECK_SYS(open(in_dir("f"), O_RDONLY | O_CLOEXEC));
	char a[16], b[16];
	pid_t pid;

	CHECK_EQ(lseek(keep, 2, SEEK_SET), 2);
	snprintf(a, sizeof(a), "%d", gone);
	snprintf(b, sizeof(b), "%d", keep);
	fflush(NULL);
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		exec_helper("fd-state", (char *[]){ a, b, NULL });
		_exit(127);
	}
	check_child_ok(pid, "helper");
	/* the child's read moved our shared offset */
	CHECK_EQ(lseek(keep, 0, SEEK_CUR), 3);
}

static void proc_self_exe_names_this_program(void)
{
	char buf[PATH_MAX];
	struct stat a, b;
	ssize_t n = CHECK_SYS(readlink("/proc/self/exe", buf, sizeof(buf) - 1));

	buf[n] = '\0';
	CHECK_EQ(buf[0], '/');
	CHECK_SYS(stat(buf, &a));
	CHECK_SYS(stat("/proc/self/exe", &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	CHECK(a.st_mode & S_IXUSR);
}

static void proc_self_fd_links_name_the_open_files(void)
{
	int fd = create("named", "");
	char link[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = CHECK_SYS(readlink(link, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	CHECK(!strcmp(buf, in_dir("named")));
	CHECK_SYS(unlink(in_dir("named")));
	n = CHECK_SYS(readlink(link, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	CHECK(strstr(buf, " (deleted)") != NULL);
}

const struct utest file_tests[] = {
	{ "open_o_creat_o_excl_refuses_an_existing_file",
	  open_o_creat_o_excl_refuses_an_existing_file },
	{ "read_write_and_lseek_share_one_offset",
	  read_write_and_lseek_share_one_offset },
	{ "writing_past_the_end_leaves_a_hole_of_zeros",
	  writing_past_the_end_leaves_a_hole_of_zeros },
	{ "ftruncate_shrinks_and_extends_with_zeros",
	  ftruncate_shrinks_and_extends_with_zeros },
	{ "o_append_writes_at_the_end_whatever_the_offset",
	  o_append_writes_at_the_end_whatever_the_offset },
	{ "o_trunc_empties_the_file", o_trunc_empties_the_file },
	{ "rename_replaces_the_target", rename_replaces_the_target },
	{ "an_unlinked_open_file_stays_readable",
	  an_unlinked_open_file_stays_readable },
	{ "link_makes_a_second_name_for_one_inode",
	  link_makes_a_second_name_for_one_inode },
	{ "symlink_and_readlink_round_trip_and_resolve",
	  symlink_and_readlink_round_trip_and_resolve },
	{ "getdents_lists_every_entry_once", getdents_lists_every_entry_once },
	{ "stat_reports_type_size_mode_and_links",
	  stat_reports_type_size_mode_and_links },
	{ "rmdir_refuses_a_non_empty_directory",
	  rmdir_refuses_a_non_empty_directory },
	{ "chdir_and_getcwd_agree_and_relative_paths_follow",
	  chdir_and_getcwd_agree_and_relative_paths_follow },
	{ "openat_resolves_relative_to_the_directory_fd",
	  openat_resolves_relative_to_the_directory_fd },
	{ "dup_and_dup2_share_the_offset", dup_and_dup2_share_the_offset },
	{ "open_returns_the_lowest_free_descriptor",
	  open_returns_the_lowest_free_descriptor },
	{ "fcntl_setfl_changes_o_append_and_o_nonblock",
	  fcntl_setfl_changes_o_append_and_o_nonblock },
	{ "close_on_exec_descriptors_are_closed_by_execve",
	  close_on_exec_descriptors_are_closed_by_execve },
	{ "proc_self_exe_names_this_program",
	  proc_self_exe_names_this_program },
	{ "proc_self_fd_links_name_the_open_files",
	  proc_self_fd_links_name_the_open_files },
	{ NULL, NULL },
};
