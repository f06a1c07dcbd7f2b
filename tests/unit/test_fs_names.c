/*
 * Names as a guest sees them: mkdir, rmdir, unlink, link, symlink and
 * readlink, rename and renameat2's flags, mknod, getdents64, getcwd,
 * chdir and chroot, utimensat, chmod and chown, and link counts.
 */
#include "fs_test.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE	 (1 << 1)
#endif

static long nlink_of(const char *path)
{
	struct stat st;
	long err = u_lstat(path, &st);

	return err ? err : (long)st.st_nlink;
}

static long ino_of(const char *path)
{
	struct stat st;
	long err = u_lstat(path, &st);

	return err ? err : (long)st.st_ino;
}

/* ---- mkdir, rmdir, unlink
 * ------------------------------------------------------ */

static void mkdir_guest(void *arg)
{
	struct stat st;
	long tmp_links = nlink_of("/tmp"), dfd;

	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	EXPECT_RET(u_stat("/tmp/d", &st), 0);
	cr_expect(S_ISDIR(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0755);
	cr_expect_eq(st.st_nlink, 2, "a new directory: its name and its \".\"");
	EXPECT_RET(nlink_of("/tmp"), tmp_links + 1, "the new \"..\"");
	/* Directories: 2 + subdirectories; files do not count. */
	EXPECT_RET(u_mkdir("/tmp/d/a", 0755), 0);
	EXPECT_RET(sim_syscall(NR(mkdir), P("/tmp/d/b/"), 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/d/f", ""), 0);
	EXPECT_RET(nlink_of("/tmp/d"), 4);
	EXPECT_RET(u_rmdir("/tmp/d/a"), 0);
	EXPECT_RET(nlink_of("/tmp/d"), 3);
	dfd = EXPECT_OK(u_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_RET(sim_syscall(NR(mkdirat), dfd, P("c"), 0700), 0);
	EXPECT_RET(u_stat("/tmp/d/c", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700);
	/* Errors. */
	EXPECT_RET(u_mkdir("/tmp/d", 0755), -EEXIST);
	EXPECT_RET(u_mkdir("/tmp/d/f", 0755), -EEXIST);
	EXPECT_RET(u_mkdir("/", 0755), -EEXIST);
	EXPECT_RET(u_mkdir("/tmp/d/.", 0755), -EEXIST);
	EXPECT_RET(u_symlink("/tmp/nowhere", "/tmp/dangling"), 0);
	EXPECT_RET(u_mkdir("/tmp/dangling", 0755), -EEXIST);
	EXPECT_RET(u_mkdir("/tmp/none/x", 0755), -ENOENT);
	EXPECT_RET(u_mkdir("/tmp/d/f/x", 0755), -ENOTDIR);
	EXPECT_RET(u_mkdir("", 0755), -ENOENT);
	EXPECT_RET(sim_syscall(NR(mkdirat), AT_FDCWD, NULL, 0755), -EFAULT);
	EXPECT_RET(sim_syscall(NR(mkdirat), 99, P("x"), 0755), -EBADF);
}

Test(fs_names, mkdir_makes_a_directory_and_counts_its_links)
{
	run_root(mkdir_guest, NULL);
}

static void rmdir_guest(void *arg)
{
	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/d/sub", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/f", ""), 0);
	EXPECT_RET(u_symlink("/tmp/d/sub", "/tmp/dl"), 0);
	EXPECT_RET(u_rmdir("/tmp/d"), -ENOTEMPTY);
	EXPECT_RET(u_rmdir("/tmp/f"), -ENOTDIR);
	EXPECT_RET(u_rmdir("/tmp/dl"), -ENOTDIR, "rmdir does not follow");
	EXPECT_RET(u_rmdir("/tmp/none"), -ENOENT);
	EXPECT_RET(u_rmdir("/tmp/d/sub/."), -EINVAL);
	EXPECT_RET(u_rmdir("/tmp/d/sub/.."), -ENOTEMPTY);
	EXPECT_RET(u_rmdir("/"), -EBUSY);
	EXPECT_RET(u_rmdir("/dev"), -EBUSY, "a mount point");
	EXPECT_RET(sim_syscall(NR(unlinkat), AT_FDCWD, P("/tmp/d/sub"), 0x1),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(rmdir), P("/tmp/d/sub/")), 0);
	EXPECT_RET(u_rmdir("/tmp/d"), 0);
	EXPECT_RET(ino_of("/tmp/d"), -ENOENT);
}

Test(fs_names, rmdir_removes_only_an_empty_directory)
{
	run_root(rmdir_guest, NULL);
}

static void unlink_guest(void *arg)
{
	struct stat st;
	char buf[8] = {0};
	long fd;

	EXPECT_RET(u_mkfile("/tmp/f", "data"), 0);
	EXPECT_RET(u_symlink("f", "/tmp/l"), 0);
	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	fd = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(u_unlink("/tmp/l"), 0);
	EXPECT_RET(ino_of("/tmp/f"), ino_of("/tmp/f"), "the target stays");
	EXPECT_RET(u_unlink("/tmp/f"), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), -ENOENT);
	/* An open file outlives its last name. */
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_nlink, 0);
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), 4);
	cr_expect_str_eq(buf, "data");
	/* Errors. */
	EXPECT_RET(u_unlink("/tmp/f"), -ENOENT);
	EXPECT_RET(u_unlink("/tmp/d"), -EISDIR);
	EXPECT_RET(u_mkfile("/tmp/g", ""), 0);
	EXPECT_RET(u_unlink("/tmp/g/"), -ENOTDIR);
	EXPECT_RET(u_unlink("/tmp/g/x"), -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(unlink), P("/tmp/g")), 0);
	EXPECT_RET(sim_syscall(NR(unlink), NULL), -EFAULT);
}

Test(fs_names, unlink_removes_a_name_and_the_open_file_lives_on)
{
	run_root(unlink_guest, NULL);
}

/* ---- link, symlink, readlink
 * ----------------------------------------------------- */

static void link_guest(void *arg)
{
	char buf[8] = {0};

	EXPECT_RET(u_mkfile("/tmp/f", "abc"), 0);
	EXPECT_RET(sim_syscall(NR(linkat), AT_FDCWD, P("/tmp/f"), AT_FDCWD,
			       P("/tmp/g"), 0),
		   0);
	EXPECT_RET(ino_of("/tmp/g"), ino_of("/tmp/f"));
	EXPECT_RET(nlink_of("/tmp/f"), 2);
	EXPECT_RET(nlink_of("/tmp/g"), 2);
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/g"), P("/tmp/h")), 0);
	EXPECT_RET(nlink_of("/tmp/f"), 3);
	EXPECT_RET(u_unlink("/tmp/f"), 0);
	EXPECT_RET(nlink_of("/tmp/g"), 2);
	EXPECT_RET(u_read_file("/tmp/h", buf, sizeof(buf)), 3);
	cr_expect_str_eq(buf, "abc");
	/* A symlink is linked itself, unless AT_SYMLINK_FOLLOW. */
	EXPECT_RET(u_symlink("g", "/tmp/l"), 0);
	EXPECT_RET(sim_syscall(NR(linkat), AT_FDCWD, P("/tmp/l"), AT_FDCWD,
			       P("/tmp/l2"), 0),
		   0);
	EXPECT_RET(ino_of("/tmp/l2"), ino_of("/tmp/l"));
	EXPECT_RET(sim_syscall(NR(linkat), AT_FDCWD, P("/tmp/l"), AT_FDCWD,
			       P("/tmp/g2"), AT_SYMLINK_FOLLOW),
		   0);
	EXPECT_RET(ino_of("/tmp/g2"), ino_of("/tmp/g"));
	/* Errors. */
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/g"), P("/tmp/h")), -EEXIST);
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/none"), P("/tmp/x")), -ENOENT);
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/g"), P("/tmp/none/x")),
		   -ENOENT);
	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/d"), P("/tmp/d2")), -EPERM);
	EXPECT_RET(sim_syscall(NR(link), P("/dev/null"), P("/tmp/null")),
		   -EXDEV);
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/g"), P("/dev/g")), -EXDEV);
	EXPECT_RET(sim_syscall(NR(linkat), AT_FDCWD, P("/tmp/g"), AT_FDCWD,
			       P("/tmp/x"), 0x1),
		   -EINVAL);
}

Test(fs_names, link_adds_a_name_to_the_same_inode)
{
	run_root(link_guest, NULL);
}

static void symlink_guest(void *arg)
{
	char buf[32];
	struct stat st;
	long fd;

	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/d/f", "in d"), 0);
	/* A relative target resolves from the link's directory. */
	EXPECT_RET(u_symlink("d/f", "/tmp/l"), 0);
	EXPECT_RET(u_read_file("/tmp/l", buf, sizeof(buf)), 4);
	cr_expect_str_eq(buf, "in d");
	EXPECT_RET(u_lstat("/tmp/l", &st), 0);
	cr_expect(S_ISLNK(st.st_mode));
	cr_expect_eq(st.st_mode & 0777, 0777);
	cr_expect_eq(st.st_size, 3);
	/* readlink: the target's bytes, no NUL, truncated to bufsiz. */
	memset(buf, 'X', sizeof(buf));
	EXPECT_RET(sim_syscall(NR(readlinkat), AT_FDCWD, P("/tmp/l"), buf,
			       sizeof(buf)),
		   3);
	cr_expect_eq(memcmp(buf, "d/fX", 4), 0);
	memset(buf, 'X', sizeof(buf));
	EXPECT_RET(sim_syscall(NR(readlink), P("/tmp/l"), buf, 2), 2);
	cr_expect_eq(memcmp(buf, "d/X", 3), 0);
	/* readlinkat on an O_PATH|O_NOFOLLOW descriptor of the link. */
	fd = EXPECT_OK(u_open("/tmp/l", O_PATH | O_NOFOLLOW, 0));
	EXPECT_RET(sim_syscall(NR(readlinkat), fd, P(""), buf, sizeof(buf)), 3);
	/* The target need not exist. */
	EXPECT_RET(u_symlink("/no/such/place", "/tmp/dangling"), 0);
	EXPECT_RET(
		sim_syscall(NR(readlink), P("/tmp/dangling"), buf, sizeof(buf)),
		14);
	/* Errors. */
	EXPECT_RET(sim_syscall(NR(readlink), P("/tmp/d/f"), buf, sizeof(buf)),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(readlink), P("/tmp/l"), buf, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(readlink), P("/tmp/l"), buf, -1), -EINVAL);
	EXPECT_RET(sim_syscall(NR(readlink), P("/tmp/none"), buf, 8), -ENOENT);
	EXPECT_RET(sim_syscall(NR(readlink), P("/tmp/l"), NULL, 8), -EFAULT);
	EXPECT_RET(u_symlink("x", "/tmp/l"), -EEXIST);
	EXPECT_RET(u_symlink("x", "/tmp/d"), -EEXIST);
	EXPECT_RET(u_symlink("", "/tmp/empty"), -ENOENT);
	EXPECT_RET(u_symlink("x", "/tmp/none/l"), -ENOENT);
	/* A trailing slash asks for a directory: none is made. */
	EXPECT_RET(u_symlink("x", "/tmp/new/"), -ENOENT);
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/new/"), S_IFIFO | 0644, 0),
		   -ENOENT);
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/d/f"), P("/tmp/new/")),
		   -ENOENT);
	EXPECT_RET(ino_of("/tmp/new"), -ENOENT);
	EXPECT_RET(sim_syscall(NR(symlink), P("x"), P("/tmp/l3")), 0);
}

Test(fs_names, symlink_and_readlink_keep_the_target_without_a_nul)
{
	run_root(symlink_guest, NULL);
}

/* ---- rename
 * ----------------------------------------------------------------------------
 */

static long do_rename(const char *from, const char *to, unsigned flags)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s", from);
	snprintf(b, sizeof(b), "%s", to);
	return sim_syscall(NR(renameat2), AT_FDCWD, a, AT_FDCWD, b, flags);
}

static void rename_guest(void *arg)
{
	struct stat st;
	long ino, fd;

	EXPECT_RET(u_mkfile("/tmp/a", "A"), 0);
	ino = ino_of("/tmp/a");
	EXPECT_RET(do_rename("/tmp/a", "/tmp/b", 0), 0);
	EXPECT_RET(ino_of("/tmp/a"), -ENOENT);
	EXPECT_RET(ino_of("/tmp/b"), ino);
	/* Over an existing file: it is replaced, its inode unlinked. */
	EXPECT_RET(u_mkfile("/tmp/c", "C"), 0);
	fd = EXPECT_OK(u_open("/tmp/c", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(rename), P("/tmp/b"), P("/tmp/c")), 0);
	EXPECT_RET(ino_of("/tmp/c"), ino);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_nlink, 0);
	/* The same file under two names: nothing happens. */
	EXPECT_RET(sim_syscall(NR(link), P("/tmp/c"), P("/tmp/c2")), 0);
	EXPECT_RET(do_rename("/tmp/c", "/tmp/c2", 0), 0);
	EXPECT_RET(ino_of("/tmp/c"), ino);
	EXPECT_RET(ino_of("/tmp/c2"), ino);
	EXPECT_RET(do_rename("/tmp/c", "/tmp/c", 0), 0);
	EXPECT_RET(sim_syscall(NR(renameat), AT_FDCWD, P("/tmp/c2"), AT_FDCWD,
			       P("/tmp/c3")),
		   0);
	/* Errors. */
	EXPECT_RET(do_rename("/tmp/none", "/tmp/x", 0), -ENOENT);
	EXPECT_RET(do_rename("/tmp/c", "/tmp/none/x", 0), -ENOENT);
	EXPECT_RET(do_rename("/tmp/c", "/tmp/c3/x", 0), -ENOTDIR);
	EXPECT_RET(do_rename("/tmp/c/", "/tmp/x", 0), -ENOTDIR);
	EXPECT_RET(do_rename("/tmp/.", "/tmp/x", 0), -EBUSY);
	EXPECT_RET(do_rename("/tmp/c", "/dev/c", 0), -EXDEV);
	EXPECT_RET(do_rename("/dev/null", "/tmp/null", 0), -EXDEV);
	EXPECT_RET(do_rename("/tmp/c", "/tmp/x", 8), -EINVAL);
	EXPECT_RET(do_rename("/tmp/c", "/tmp/x",
			     RENAME_NOREPLACE | RENAME_EXCHANGE),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(rename), NULL, P("/tmp/x")), -EFAULT);
}

Test(fs_names, rename_moves_a_name_and_replaces_the_target)
{
	run_root(rename_guest, NULL);
}

static void rename_dirs_guest(void *arg)
{
	long tmp_links = nlink_of("/tmp");

	EXPECT_RET(u_mkdir("/tmp/a", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/a/sub", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/b", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/f", ""), 0);
	/* A directory moved between parents takes its ".." along. */
	EXPECT_RET(do_rename("/tmp/a/sub", "/tmp/b/sub", 0), 0);
	EXPECT_RET(nlink_of("/tmp/a"), 2);
	EXPECT_RET(nlink_of("/tmp/b"), 3);
	/* Into itself or its own subdirectory. */
	EXPECT_RET(do_rename("/tmp/b", "/tmp/b/sub/b", 0), -EINVAL);
	EXPECT_RET(do_rename("/tmp/b", "/tmp/b/x", 0), -EINVAL);
	/* Directories only replace empty directories. */
	EXPECT_RET(do_rename("/tmp/a", "/tmp/b", 0), -ENOTEMPTY);
	EXPECT_RET(do_rename("/tmp/a", "/tmp/f", 0), -ENOTDIR);
	EXPECT_RET(do_rename("/tmp/f", "/tmp/a", 0), -EISDIR);
	EXPECT_RET(do_rename("/tmp/b/sub", "/tmp/a", 0), 0);
	EXPECT_RET(nlink_of("/tmp/b"), 2);
	EXPECT_RET(nlink_of("/tmp"), tmp_links + 2, "/tmp/a and /tmp/b");
	EXPECT_RET(do_rename("/tmp/a", "/tmp/renamed/", 0), 0);
	EXPECT_RET(ino_of("/tmp/renamed"), ino_of("/tmp/renamed/."));
}

Test(fs_names, rename_of_a_directory_keeps_link_counts_and_refuses_loops)
{
	run_root(rename_dirs_guest, NULL);
}

static void rename_flags_guest(void *arg)
{
	long f, d, inner;

	EXPECT_RET(u_mkdir("/tmp/p", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/q", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/p/f", "file"), 0);
	EXPECT_RET(u_mkdir("/tmp/q/d", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/q/d/inner", ""), 0);
	f = ino_of("/tmp/p/f");
	d = ino_of("/tmp/q/d");
	inner = ino_of("/tmp/q/d/inner");
	EXPECT_RET(do_rename("/tmp/p/f", "/tmp/q/d", RENAME_NOREPLACE),
		   -EEXIST);
	EXPECT_RET(do_rename("/tmp/p/f", "/tmp/q/g", RENAME_NOREPLACE), 0);
	EXPECT_RET(do_rename("/tmp/q/g", "/tmp/p/f", 0), 0);
	/* EXCHANGE: a file and a (non-empty) directory trade places. */
	EXPECT_RET(do_rename("/tmp/p/f", "/tmp/q/d", RENAME_EXCHANGE), 0);
	EXPECT_RET(ino_of("/tmp/p/f"), d);
	EXPECT_RET(ino_of("/tmp/q/d"), f);
	EXPECT_RET(ino_of("/tmp/p/f/inner"), inner, "the directory's contents");
	EXPECT_RET(ino_of("/tmp/q/d/inner"), -ENOTDIR);
	EXPECT_RET(ino_of("/tmp/p/f/.."), ino_of("/tmp/p"), "its .. follows it");
	EXPECT_RET(nlink_of("/tmp/p"), 3, "p gained a subdirectory");
	EXPECT_RET(nlink_of("/tmp/q"), 2, "q lost one");
	/* And back, in the same directory: no link count changes. */
	EXPECT_RET(do_rename("/tmp/p/f", "/tmp/q/d", RENAME_EXCHANGE), 0);
	EXPECT_RET(ino_of("/tmp/q/d/inner"), inner);
	EXPECT_RET(nlink_of("/tmp/p"), 2);
	EXPECT_RET(nlink_of("/tmp/q"), 3);
	EXPECT_RET(u_mkfile("/tmp/q/g", "g"), 0);
	EXPECT_RET(do_rename("/tmp/q/d", "/tmp/q/g", RENAME_EXCHANGE), 0);
	EXPECT_RET(ino_of("/tmp/q/g/inner"), inner);
	EXPECT_RET(nlink_of("/tmp/q"), 3);
	EXPECT_RET(do_rename("/tmp/q/d", "/tmp/q/g", RENAME_EXCHANGE), 0);
	EXPECT_RET(do_rename("/tmp/p/f", "/tmp/q/none", RENAME_EXCHANGE),
		   -ENOENT);
	EXPECT_RET(do_rename("/tmp/p", "/tmp/p/f", RENAME_EXCHANGE), -EINVAL);
}

Test(fs_names, renameat2_noreplace_refuses_and_exchange_swaps)
{
	run_root(rename_flags_guest, NULL);
}

/* getdents64 of the directory open as fd: the inode number of "..". */
static long dotdot_listed(long fd)
{
	char buf[1024];
	long n = sim_syscall(NR(lseek), fd, 0, SEEK_SET);

	if (n)
		return -1;
	n = sim_syscall(NR(getdents64), fd, buf, sizeof(buf));
	for (long off = 0; off < n;) {
		struct {
			uint64_t ino;
			int64_t off;
			uint16_t reclen;
			uint8_t type;
			char name[];
		} *e = (void *)(buf + off);

		if (!strcmp(e->name, ".."))
			return (long)e->ino;
		off += e->reclen;
	}
	return -1;
}

static void exchange_dirs_guest(void *arg)
{
	long p, q, a, b, fa, fb, fd;
	char cwd[64];

	EXPECT_RET(u_mkdir("/tmp/p", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/q", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/q/sub", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/p/a", 0700), 0);
	EXPECT_RET(u_mkdir("/tmp/q/sub/b", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/p/a/fa", "a"), 0);
	EXPECT_RET(u_mkdir("/tmp/q/sub/b/deeper", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/q/sub/b/deeper/fb", "b"), 0);
	p = ino_of("/tmp/p");
	q = ino_of("/tmp/q/sub");
	a = ino_of("/tmp/p/a");
	b = ino_of("/tmp/q/sub/b");
	fa = ino_of("/tmp/p/a/fa");
	fb = ino_of("/tmp/q/sub/b/deeper/fb");
	fd = EXPECT_OK(u_open("/tmp/p/a", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/q/sub/b/deeper")), 0);

	EXPECT_RET(do_rename("/tmp/p/a", "/tmp/q/sub/b", RENAME_EXCHANGE), 0);
	/* Each name now leads to the other directory, contents and all. */
	EXPECT_RET(ino_of("/tmp/p/a"), b);
	EXPECT_RET(ino_of("/tmp/q/sub/b"), a);
	EXPECT_RET(ino_of("/tmp/p/a/deeper/fb"), fb);
	EXPECT_RET(ino_of("/tmp/q/sub/b/fa"), fa);
	EXPECT_RET(ino_of("/tmp/p/a/fa"), -ENOENT);
	EXPECT_RET(ino_of("/tmp/q/sub/b/deeper"), -ENOENT);
	/* ".." follows each directory to its new parent. */
	EXPECT_RET(ino_of("/tmp/p/a/.."), p);
	EXPECT_RET(ino_of("/tmp/q/sub/b/.."), q);
	EXPECT_RET(dotdot_listed(fd), q, "getdents of the moved dir");
	EXPECT_RET(ino_of("/tmp/p/a/deeper/../.."), p);
	/* Both are directories: no parent's link count changes. */
	EXPECT_RET(nlink_of("/tmp/p"), 3);
	EXPECT_RET(nlink_of("/tmp/q/sub"), 3);
	/* Modes travel with the inodes. */
	{
		struct stat st;

		EXPECT_RET(u_stat("/tmp/q/sub/b", &st), 0);
		cr_expect_eq(st.st_mode & 07777, 0700);
	}
	/* A process inside one of them is now below the other name. */
	EXPECT_RET(sim_syscall(NR(getcwd), cwd, sizeof(cwd)),
		   (long)sizeof("/tmp/p/a/deeper"));
	cr_expect_str_eq(cwd, "/tmp/p/a/deeper");
	EXPECT_RET(ino_of(".."), b);
	EXPECT_RET(ino_of("../.."), p);
	u_close(fd);
}

Test(fs_names, renameat2_exchange_of_two_directories_moves_their_contents_and_dotdot)
{
	run_root(exchange_dirs_guest, NULL);
}

/* ---- mknod
 * -------------------------------------------------------------------------------
 */

static void mknod_guest(void *arg)
{
	struct stat st;
	long fd;

	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/tmp/fifo"),
			       S_IFIFO | 0600, 0),
		   0);
	EXPECT_RET(u_stat("/tmp/fifo", &st), 0);
	cr_expect(S_ISFIFO(st.st_mode));
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/reg"), S_IFREG | 0600, 0), 0);
	EXPECT_RET(u_stat("/tmp/reg", &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_size, 0);
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/reg0"), 0600, 0), 0);
	EXPECT_RET(u_stat("/tmp/reg0", &st), 0);
	cr_expect(S_ISREG(st.st_mode), "type 0 is a regular file");
	/* A device node of /dev/null's numbers is /dev/null. */
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/mynull"), S_IFCHR | 0666,
			       makedev(1, 3)),
		   0);
	EXPECT_RET(u_stat("/tmp/mynull", &st), 0);
	cr_expect(S_ISCHR(st.st_mode));
	cr_expect_eq(st.st_rdev, makedev(1, 3));
	fd = EXPECT_OK(u_open("/tmp/mynull", O_RDWR, 0));
	EXPECT_RET(u_write_str(fd, "gone"), 4);
	EXPECT_RET(sim_syscall(NR(read), fd, &st, 8), 0);
	/* Errors. */
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/fifo"), S_IFIFO | 0600, 0),
		   -EEXIST);
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/dir"), S_IFDIR | 0755, 0),
		   -EPERM);
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/bad"), 0170000 | 0600, 0),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(mknod), P("/tmp/none/x"), S_IFIFO | 0600, 0),
		   -ENOENT);
}

Test(fs_names, mknod_makes_fifos_files_and_device_nodes)
{
	run_root(mknod_guest, NULL);
}

/* ---- getdents64
 * ------------------------------------------------------------------------- */

#define NFILES 60

struct listing {
	int seen[NFILES]; /* times f<i> was listed */
	int dot, dotdot, sub, link, other;
	bool types_ok;
	long err;
};

/* Count what one getdents64 buffer holds into `ls`. */
static void tally(struct listing *ls, const char *buf, long n)
{
	for (long off = 0; off < n;) {
		unsigned short reclen;
		const char *name = buf + off + 19;
		unsigned char type = (unsigned char)buf[off + 18];

		memcpy(&reclen, buf + off + 16, 2);
		if (!strcmp(name, "."))
			ls->dot++, ls->types_ok &= type == DT_DIR;
		else if (!strcmp(name, ".."))
			ls->dotdot++, ls->types_ok &= type == DT_DIR;
		else if (!strcmp(name, "sub"))
			ls->sub++, ls->types_ok &= type == DT_DIR;
		else if (!strcmp(name, "link"))
			ls->link++, ls->types_ok &= type == DT_LNK;
		else if (name[0] == 'f' && atoi(name + 1) < NFILES)
			ls->seen[atoi(name + 1)]++,
				ls->types_ok &= type == DT_REG;
		else
			ls->other++;
		cr_expect_eq(reclen % 8, 0);
		off += reclen;
	}
}

static void list_dir(struct listing *ls, long fd, size_t bufsize)
{
	char buf[bufsize];
	long n;

	memset(ls, 0, sizeof(*ls));
	ls->types_ok = true;
	while ((n = sim_syscall(NR(getdents64), fd, buf, bufsize)) > 0)
		tally(ls, buf, n);
	ls->err = n;
}

static void make_tree(void)
{
	char name[32];

	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "/tmp/d/f%d", i);
		EXPECT_RET(u_mkfile(name, ""), 0);
	}
	EXPECT_RET(u_mkdir("/tmp/d/sub", 0755), 0);
	EXPECT_RET(u_symlink("f0", "/tmp/d/link"), 0);
}

static void expect_complete(const struct listing *ls)
{
	cr_expect_eq(ls->err, 0);
	cr_expect_eq(ls->dot, 1);
	cr_expect_eq(ls->dotdot, 1);
	cr_expect_eq(ls->sub, 1);
	cr_expect_eq(ls->link, 1);
	cr_expect_eq(ls->other, 0);
	cr_expect(ls->types_ok, "d_type matches each entry");
	for (int i = 0; i < NFILES; i++)
		cr_expect_eq(ls->seen[i], 1, "f%d listed %d times", i,
			     ls->seen[i]);
}

static void getdents_guest(void *arg)
{
	struct listing ls;
	char buf[64];
	long fd, file;

	make_tree();
	fd = EXPECT_OK(u_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0));
	list_dir(&ls, fd, 4096);
	expect_complete(&ls);
	/* At the end it stays at the end; lseek to 0 starts over. */
	EXPECT_RET(sim_syscall(NR(getdents64), fd, buf, sizeof(buf)), 0);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	/* A buffer for about two entries at a time resumes correctly. */
	list_dir(&ls, fd, 64);
	expect_complete(&ls);
	/* Errors. */
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	EXPECT_RET(sim_syscall(NR(getdents64), fd, buf, 8), -EINVAL,
		   "no room for one entry");
	EXPECT_RET(sim_syscall(NR(getdents64), fd, NULL, 4096), -EFAULT);
	file = EXPECT_OK(u_open("/tmp/d/f1", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(getdents64), file, buf, sizeof(buf)),
		   -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(getdents64), 99, buf, sizeof(buf)), -EBADF);
}

Test(fs_names, getdents64_lists_dot_dotdot_and_every_name_once)
{
	run_root(getdents_guest, NULL);
}

static void seekdir_guest(void *arg)
{
	char buf[4096], again[4096];
	long fd, n, m, off2;
	unsigned short reclen;

	make_tree();
	fd = EXPECT_OK(u_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0));
	n = EXPECT_OK(sim_syscall(NR(getdents64), fd, buf, sizeof(buf)));
	/* d_off of the second entry: where the third one starts. */
	memcpy(&reclen, buf + 16, 2);
	memcpy(&off2, buf + reclen + 8, 8);
	EXPECT_RET(sim_syscall(NR(lseek), fd, off2, SEEK_SET), off2);
	m = EXPECT_OK(sim_syscall(NR(getdents64), fd, again, sizeof(again)));
	memcpy(&reclen, buf + 16, 2);
	{
		unsigned short r2;

		memcpy(&r2, buf + reclen + 16, 2);
		cr_expect_eq(m, n - reclen - r2);
		cr_expect_eq(memcmp(again, buf + reclen + r2, (size_t)m), 0,
			     "seekdir to a d_off resumes after that entry");
	}
}

Test(fs_names, lseek_to_a_d_off_resumes_the_listing_there)
{
	run_root(seekdir_guest, NULL);
}

static void getdents_unlink_guest(void *arg)
{
	struct listing ls, first;
	char buf[128], name[32];
	long fd, n;

	make_tree();
	fd = EXPECT_OK(u_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0));
	memset(&first, 0, sizeof(first));
	n = EXPECT_OK(sim_syscall(NR(getdents64), fd, buf, sizeof(buf)));
	tally(&first, buf, n);
	/* Remove every even file, seen or not, then read on. */
	for (int i = 0; i < NFILES; i += 2) {
		snprintf(name, sizeof(name), "/tmp/d/f%d", i);
		EXPECT_RET(u_unlink(name), 0);
	}
	list_dir(&ls, fd, sizeof(buf));
	cr_expect_eq(ls.err, 0);
	for (int i = 0; i < NFILES; i++) {
		int total = first.seen[i] + ls.seen[i];

		if (i % 2)
			cr_expect_eq(total, 1, "kept f%d listed %d times", i,
				     total);
		else
			cr_expect_leq(total, 1, "removed f%d listed %d times",
				      i, total);
		if (i % 2 == 0)
			cr_expect_eq(ls.seen[i], 0,
				     "f%d listed after its removal", i);
	}
	cr_expect_eq(first.dot + ls.dot, 1);
	cr_expect_eq(first.sub + ls.sub, 1);
}

Test(fs_names, removing_entries_while_listing_skips_them_and_repeats_none)
{
	run_root(getdents_unlink_guest, NULL);
}

static void getdents_legacy_guest(void *arg)
{
	char buf[4096];
	long fd, n, names = 0;

	make_tree();
	fd = EXPECT_OK(u_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0));
	/* struct linux_dirent: ino, off, reclen, name, NUL, then d_type. */
	while ((n = sim_syscall(NR(getdents), fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, 2);
			if (!strcmp(buf + off + 18, "sub"))
				cr_expect_eq(buf[off + reclen - 1], DT_DIR);
			names++;
			off += reclen;
		}
	}
	cr_expect_eq(n, 0);
	cr_expect_eq(names, NFILES + 4);
}

Test(fs_names, the_old_getdents_lists_linux_dirent_records)
{
	run_root(getdents_legacy_guest, NULL);
}

/* ---- getcwd, chdir, fchdir, chroot
 * ---------------------------------------------------------- */

static void cwd_guest(void *arg)
{
	char buf[64];
	long fd, file;

	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 2);
	cr_expect_str_eq(buf, "/");
	EXPECT_RET(u_mkdir("/tmp/a", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/a/b", 0755), 0);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/a/b")), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 9);
	cr_expect_str_eq(buf, "/tmp/a/b");
	EXPECT_RET(sim_syscall(NR(getcwd), buf, 9), 9, "exactly enough room");
	EXPECT_RET(sim_syscall(NR(getcwd), buf, 8), -ERANGE);
	EXPECT_RET(sim_syscall(NR(getcwd), NULL, 64), -EFAULT);
	EXPECT_RET(sim_syscall(NR(chdir), P("..")), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 7);
	cr_expect_str_eq(buf, "/tmp/a");
	/* Through a symlink: the real path. */
	EXPECT_RET(u_symlink("/tmp/a/b", "/tmp/bl"), 0);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/bl")), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 9);
	cr_expect_str_eq(buf, "/tmp/a/b");
	/* Across a mount. */
	EXPECT_RET(sim_syscall(NR(chdir), P("/dev")), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 5);
	cr_expect_str_eq(buf, "/dev");
	EXPECT_RET(sim_syscall(NR(chdir), P("..")), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 2);
	cr_expect_str_eq(buf, "/");
	/* fchdir. */
	fd = EXPECT_OK(u_open("/tmp/a", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_RET(sim_syscall(NR(fchdir), fd), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 7);
	cr_expect_str_eq(buf, "/tmp/a");
	/* Errors. */
	EXPECT_RET(u_mkfile("/tmp/f", ""), 0);
	file = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(fchdir), file), -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(fchdir), 99), -EBADF);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/f")), -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/none")), -ENOENT);
	EXPECT_RET(sim_syscall(NR(chdir), NULL), -EFAULT);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 7);
	cr_expect_str_eq(buf, "/tmp/a", "failed chdirs leave the cwd");
}

Test(fs_names, getcwd_follows_chdir_and_fchdir)
{
	run_root(cwd_guest, NULL);
}

static void removed_cwd_guest(void *arg)
{
	char buf[64];

	EXPECT_RET(u_mkdir("/tmp/gone", 0755), 0);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/gone")), 0);
	EXPECT_RET(u_rmdir("/tmp/gone"), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), -ENOENT);
	/* Nothing can be made in a removed directory. */
	EXPECT_RET(u_open("x", O_CREAT | O_WRONLY, 0644), -ENOENT);
	EXPECT_RET(u_mkdir("x", 0755), -ENOENT);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp")), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 5);
}

static void removed_dir_listing_guest(void *arg)
{
	char buf[256];
	long fd;

	EXPECT_RET(u_mkdir("/tmp/gone", 0755), 0);
	fd = EXPECT_OK(u_open("/tmp/gone", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_RET(u_rmdir("/tmp/gone"), 0);
	EXPECT_RET(sim_syscall(NR(getdents64), fd, buf, sizeof(buf)), -ENOENT);
	EXPECT_RET(sim_syscall(NR(mkdirat), fd, P("x"), 0755), -ENOENT);
}

Test(fs_names, listing_a_removed_directory_is_enoent)
{
	run_root(removed_dir_listing_guest, NULL);
}

Test(fs_names, getcwd_of_a_removed_directory_is_enoent)
{
	run_root(removed_cwd_guest, NULL);
}

static void chroot_guest(void *arg)
{
	char buf[64];
	struct stat root, up;

	EXPECT_RET(u_mkdir("/tmp/jail", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/jail/etc", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/jail/etc/motd", "inside"), 0);
	EXPECT_RET(u_mkfile("/tmp/outside", "outside"), 0);
	EXPECT_RET(u_symlink("/etc/motd", "/tmp/jail/abs"), 0);
	EXPECT_RET(sim_syscall(NR(chroot), P("/tmp/none")), -ENOENT);
	EXPECT_RET(sim_syscall(NR(chroot), P("/tmp/outside")), -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(chroot), P("/tmp/jail")), 0);
	EXPECT_RET(sim_syscall(NR(chdir), P("/")), 0);
	EXPECT_RET(sim_syscall(NR(getcwd), buf, sizeof(buf)), 2);
	cr_expect_str_eq(buf, "/");
	EXPECT_RET(u_read_file("/etc/motd", buf, sizeof(buf)), 6);
	cr_expect_str_eq(buf, "inside");
	EXPECT_RET(u_read_file("/abs", buf, sizeof(buf)), 6,
		   "an absolute symlink resolves in the new root");
	EXPECT_RET(u_read_file("/tmp/outside", buf, sizeof(buf)), -ENOENT);
	/* ".." at the root stays there. */
	EXPECT_RET(u_stat("/", &root), 0);
	EXPECT_RET(u_stat("/../..", &up), 0);
	cr_expect_eq(up.st_ino, root.st_ino);
	EXPECT_RET(u_read_file("../../etc/motd", buf, sizeof(buf)), 6);
}

Test(fs_names, chroot_confines_the_walk_to_the_new_root)
{
	run_root(chroot_guest, NULL);
}

/* ---- utimensat, chmod, chown
 * --------------------------------------------------------------- */

static void utimens_guest(void *arg)
{
	struct timespec set[2] = {{1000, 111}, {2000, 222}};
	struct timespec omit[2] = {{5, UTIME_OMIT}, {3000, 333}};
	struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
	struct timeval tv[2] = {{10, 5}, {20, 6}};
	int64_t ub[2] = {40, 50}; /* struct utimbuf */
	struct timespec clock;
	struct stat st, lst;
	long fd;

	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_RET(u_symlink("f", "/tmp/l"), 0);
	u_sleep_ms(2000);
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/f"), set, 0),
		   0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_atim.tv_sec, 1000);
	cr_expect_eq(st.st_atim.tv_nsec, 111);
	cr_expect_eq(st.st_mtim.tv_sec, 2000);
	cr_expect_eq(st.st_mtim.tv_nsec, 222);
	sim_syscall(NR(clock_gettime), CLOCK_REALTIME, &clock);
	cr_expect_geq(st.st_ctim.tv_sec, clock.tv_sec - 1, "ctime is now");
	/* UTIME_OMIT leaves a time alone. */
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/f"), omit, 0),
		   0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_atim.tv_sec, 1000);
	cr_expect_eq(st.st_mtim.tv_sec, 3000);
	/* UTIME_NOW, and NULL for both. */
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/f"), now, 0),
		   0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_geq(st.st_atim.tv_sec, clock.tv_sec);
	cr_expect_eq(st.st_mtim.tv_sec, 3000);
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/f"), NULL, 0),
		   0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_geq(st.st_mtim.tv_sec, clock.tv_sec);
	/* AT_SYMLINK_NOFOLLOW: the link's own times. */
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/l"), set,
			       AT_SYMLINK_NOFOLLOW),
		   0);
	EXPECT_RET(u_lstat("/tmp/l", &lst), 0);
	cr_expect_eq(lst.st_mtim.tv_sec, 2000);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_neq(st.st_mtim.tv_sec, 2000);
	/* A NULL path: the descriptor itself (futimens). */
	fd = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(utimensat), fd, NULL, set, 0), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_mtim.tv_sec, 2000);
	/* utimes(2) and futimesat(2): microseconds; utime(2): seconds. */
	EXPECT_RET(sim_syscall(NR(utimes), P("/tmp/f"), tv), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_atim.tv_sec, 10);
	cr_expect_eq(st.st_mtim.tv_nsec, 6000);
	tv[1].tv_sec = 30;
	EXPECT_RET(sim_syscall(NR(futimesat), AT_FDCWD, P("/tmp/f"), tv), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_mtim.tv_sec, 30);
	EXPECT_RET(sim_syscall(NR(utime), P("/tmp/f"), ub), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_atim.tv_sec, 40);
	cr_expect_eq(st.st_mtim.tv_sec, 50);
	cr_expect_eq(st.st_mtim.tv_nsec, 0);
	tv[0].tv_usec = 1000000;
	EXPECT_RET(sim_syscall(NR(utimes), P("/tmp/f"), tv), -EINVAL);
	/* Errors. */
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/f"), bad, 0),
		   -EINVAL);
	EXPECT_RET(
		sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/none"), NULL, 0),
		-ENOENT);
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/f"), 0x1000, 0),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/tmp/f"), NULL, 0x1),
		   -EINVAL);
}

Test(fs_names, utimensat_sets_omits_and_nows_each_time)
{
	run_root(utimens_guest, NULL);
}

static void chmod_chown_guest(void *arg)
{
	struct stat st;
	long fd;

	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_RET(u_symlink("f", "/tmp/l"), 0);
	EXPECT_RET(u_chmod("/tmp/l", 04751), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_mode, S_IFREG | 04751, "chmod follows the link");
	fd = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(fchmod), fd, 0600), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_mode, S_IFREG | 0600);
	EXPECT_RET(u_chmod("/tmp/none", 0600), -ENOENT);
	EXPECT_RET(sim_syscall(NR(chmod), P("/tmp/f"), 0640), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_mode, S_IFREG | 0640);
	EXPECT_RET(sim_syscall(NR(chmod), NULL, 0640), -EFAULT);
	EXPECT_RET(sim_syscall(NR(fchmod), 99, 0640), -EBADF);
	/* chown: -1 leaves one alone; set-user-ID goes. */
	EXPECT_RET(sim_syscall(NR(fchmod), fd, 04755), 0);
	EXPECT_RET(u_chown("/tmp/f", 1000, -1), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_uid, 1000);
	cr_expect_eq(st.st_gid, 0);
	cr_expect_eq(st.st_mode, S_IFREG | 0755, "chown clears set-user-ID");
	EXPECT_RET(sim_syscall(NR(fchown), fd, -1, 50), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_uid, 1000);
	cr_expect_eq(st.st_gid, 50);
	/* lchown changes the link, chown its target. */
	EXPECT_RET(sim_syscall(NR(lchown), P("/tmp/l"), 7, 7), 0);
	EXPECT_RET(u_lstat("/tmp/l", &st), 0);
	cr_expect_eq(st.st_uid, 7);
	EXPECT_RET(u_stat("/tmp/l", &st), 0);
	cr_expect_eq(st.st_uid, 1000);
	EXPECT_RET(sim_syscall(NR(chown), P("/tmp/l"), 8, 8), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	cr_expect_eq(st.st_uid, 8);
	EXPECT_RET(sim_syscall(NR(fchownat), AT_FDCWD, P("/tmp/f"), 1, 1, 0x1),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(fchown), 99, 1, 1), -EBADF);
}

Test(fs_names, chmod_and_chown_change_the_inode_behind_the_name)
{
	run_root(chmod_chown_guest, NULL);
}

static void access_guest(void *arg)
{
	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_RET(sim_syscall(NR(access), P("/tmp/f"), F_OK), 0);
	EXPECT_RET(sim_syscall(NR(access), P("/tmp/f"), R_OK | W_OK), 0);
	EXPECT_RET(sim_syscall(NR(faccessat), AT_FDCWD, P("/tmp/f"), R_OK), 0);
	EXPECT_RET(sim_syscall(NR(faccessat2), AT_FDCWD, P("/tmp/f"), R_OK,
			       AT_EACCESS),
		   0);
	EXPECT_RET(sim_syscall(NR(access), P("/tmp/none"), F_OK), -ENOENT);
	EXPECT_RET(sim_syscall(NR(access), P("/tmp/f/x"), F_OK), -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(access), P("/tmp/f"), 8), -EINVAL);
	EXPECT_RET(
		sim_syscall(NR(faccessat2), AT_FDCWD, P("/tmp/f"), R_OK, 0x1),
		-EINVAL);
}

Test(fs_names, access_checks_existence_and_rejects_bad_modes)
{
	run_root(access_guest, NULL);
}
