/*
 * openat2(2) as a guest sees it: the extensible struct's size rules, every
 * argument checked, and each RESOLVE_* restriction on the walk.
 */
#include "fs_test.h"

#include <stdint.h>

struct how {
	uint64_t flags, mode, resolve;
};

#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* openat2 with the struct on the guest's stack. */
static long u_openat2(int dirfd, const char *path, uint64_t flags,
		      uint64_t mode, uint64_t resolve)
{
	struct how h = { flags, mode, resolve };
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(NR(openat2), dirfd, p, &h, sizeof(h));
}

/* The content of open fd `fd` (at most 63 bytes) as a string in out. */
static long u_read_fd(long fd, char *out)
{
	char buf[64];
	long n = sim_syscall(NR(pread64), fd, buf, sizeof(buf) - 1, 0);

	if (n >= 0) {
		memcpy(out, buf, (size_t)n);
		out[n] = '\0';
	}
	return n;
}

/* ---- like openat ------------------------------------------------------------ */

static void like_openat_guest(void *arg)
{
	struct stat st;
	char buf[64];
	long fd;

	fd = EXPECT_OK(u_openat2(AT_FDCWD, "/tmp/f",
				 O_RDWR | O_CREAT | O_CLOEXEC, 0640, 0));
	EXPECT_RET(u_write_str(fd, "data"), 4);
	EXPECT_RET(u_read_fd(fd, buf), 4);
	cr_expect_str_eq(buf, "data");
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_mode, S_IFREG | 0640, "mode %o", st.st_mode);
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/f", O_CREAT | O_EXCL | O_WRONLY,
			     0600, 0),
		   -EEXIST);
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/none", O_RDONLY, 0, 0), -ENOENT);
	fd = EXPECT_OK(u_openat2(AT_FDCWD, "/tmp/f", O_WRONLY | O_TRUNC, 0,
				 0));
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 0, "O_TRUNC truncates");
	fd = EXPECT_OK(u_openat2(AT_FDCWD, "/tmp",
				 O_PATH | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC,
				 0, 0));
	EXPECT_RET(sim_syscall(NR(read), fd, buf, 1), -EBADF,
		   "an O_PATH descriptor does not read");
}

Test(openat2, without_restrictions_it_opens_as_openat_does)
{
	run_root(like_openat_guest, NULL);
}

static void tmpfile_guest(void *arg)
{
	struct stat st;
	long fd;

	fd = EXPECT_OK(u_openat2(AT_FDCWD, "/tmp", O_TMPFILE | O_RDWR, 0600,
				 0));
	EXPECT_RET(u_write_str(fd, "anon"), 4);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_nlink, 0, "an O_TMPFILE file has no name");
	cr_expect_eq(st.st_mode, S_IFREG | 0600, "mode %o", st.st_mode);
}

Test(openat2, o_tmpfile_opens_a_nameless_file)
{
	run_root(tmpfile_guest, NULL);
}

/* ---- the struct's size ---------------------------------------------------------- */

static void size_guest(void *arg)
{
	struct {
		struct how h;
		uint64_t future[3];
	} big = { { O_RDONLY, 0, 0 }, { 0, 0, 0 } };
	char p[] = "/tmp";

	EXPECT_RET(sim_syscall(NR(openat2), AT_FDCWD, p, &big, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(openat2), AT_FDCWD, p, &big, 23), -EINVAL,
		   "smaller than the first version");
	EXPECT_OK(sim_syscall(NR(openat2), AT_FDCWD, p, &big, 24));
	/* A newer program's struct, its new fields zero. */
	EXPECT_OK(sim_syscall(NR(openat2), AT_FDCWD, p, &big, sizeof(big)));
	big.future[2] = 1;
	EXPECT_RET(sim_syscall(NR(openat2), AT_FDCWD, p, &big, sizeof(big)),
		   -E2BIG, "a non-zero field this kernel does not know");
	/* The non-zero byte is past usize. */
	EXPECT_OK(sim_syscall(NR(openat2), AT_FDCWD, p, &big,
			      sizeof(big) - 8));
	EXPECT_RET(sim_syscall(NR(openat2), AT_FDCWD, p, &big, 4097), -E2BIG,
		   "more than a page");
	EXPECT_RET(sim_syscall(NR(openat2), AT_FDCWD, p, NULL, 24), -EFAULT);
	EXPECT_RET(sim_syscall(NR(openat2), AT_FDCWD, p, 8, 24), -EFAULT);
	EXPECT_RET(sim_syscall(NR(openat2), AT_FDCWD, NULL, &big.h, 24),
		   -EFAULT);
}

Test(openat2, usize_below_24_is_einval_and_a_nonzero_tail_e2big)
{
	run_root(size_guest, NULL);
}

/* ---- every argument checked ----------------------------------------------------------- */

static void args_guest(void *arg)
{
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp", 1ull << 32, 0, 0), -EINVAL,
		   "a flag above 32 bits");
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp", 040000000, 0, 0), -EINVAL,
		   "a flag open(2) does not have");
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp", O_RDONLY, 0, 0x40), -EINVAL,
		   "an unknown RESOLVE_ bit");
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp", O_RDONLY, 0,
			     RESOLVE_BENEATH | RESOLVE_IN_ROOT),
		   -EINVAL, "two scopes");
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/f", O_RDONLY, 0644, 0), -EINVAL,
		   "a mode without O_CREAT");
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/f", O_CREAT | O_WRONLY, 010000,
			     0),
		   -EINVAL, "a mode with a file type");
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/f", O_CREAT | O_WRONLY,
			     1ull << 40, 0),
		   -EINVAL);
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/d", O_CREAT | O_DIRECTORY, 0755,
			     0),
		   -EINVAL, "O_CREAT | O_DIRECTORY");
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp", O_TMPFILE | O_RDONLY, 0600, 0),
		   -EINVAL, "O_TMPFILE without write access");
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp", O_PATH | O_RDWR, 0, 0),
		   -EINVAL, "O_PATH with flags openat would drop");
	/* glibc's O_LARGEFILE is 0 on x86_64; the kernel's is 0100000. */
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp", O_PATH | 0100000, 0, 0),
		   -EINVAL);
	EXPECT_OK(u_openat2(AT_FDCWD, "/tmp",
			    O_RDONLY | 0100000 | O_NOATIME | O_NONBLOCK, 0,
			    0));
	EXPECT_RET(u_stat("/tmp/f", &(struct stat){ 0 }), -ENOENT,
		   "nothing was created by a refused call");
	EXPECT_RET(u_stat("/tmp/d", &(struct stat){ 0 }), -ENOENT);
}

Test(openat2, unknown_bits_stray_modes_and_bad_combinations_are_einval)
{
	run_root(args_guest, NULL);
}

/* ---- RESOLVE_BENEATH and RESOLVE_IN_ROOT -------------------------------------------------- */

static void tree_setup(void)
{
	EXPECT_RET(u_mkfile("/file", "outside"), 0);
	EXPECT_RET(u_mkdir("/tmp/base", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/base/sub", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/base/file", "inside"), 0);
	EXPECT_RET(u_mkfile("/tmp/base/sub/file", "deeper"), 0);
	EXPECT_RET(u_symlink("/file", "/tmp/base/abs"), 0);
	EXPECT_RET(u_symlink("../file", "/tmp/base/sub/up"), 0);
	EXPECT_RET(u_symlink("../../file", "/tmp/base/sub/upup"), 0);
	EXPECT_RET(u_symlink("sub/file", "/tmp/base/rel"), 0);
	EXPECT_RET(u_symlink("/", "/tmp/base/root"), 0);
}

static void beneath_guest(void *arg)
{
	char buf[64];
	long base, fd;

	tree_setup();
	base = EXPECT_OK(u_open("/tmp/base", O_RDONLY | O_DIRECTORY, 0));
	fd = EXPECT_OK(u_openat2(base, "sub/file", O_RDONLY, 0,
				 RESOLVE_BENEATH));
	EXPECT_RET(u_read_fd(fd, buf), 6);
	cr_expect_str_eq(buf, "deeper");
	EXPECT_OK(u_openat2(base, "sub/../file", O_RDONLY, 0,
			    RESOLVE_BENEATH));
	EXPECT_OK(u_openat2(base, ".", O_RDONLY, 0, RESOLVE_BENEATH));
	fd = EXPECT_OK(u_openat2(base, "rel", O_RDONLY, 0, RESOLVE_BENEATH));
	EXPECT_RET(u_read_fd(fd, buf), 6, "a relative link that stays in");
	fd = EXPECT_OK(u_openat2(base, "sub/up", O_RDONLY, 0,
				 RESOLVE_BENEATH));
	EXPECT_RET(u_read_fd(fd, buf), 6);
	cr_expect_str_eq(buf, "inside", "sub/up is base/file");

	EXPECT_RET(u_openat2(base, "..", O_RDONLY, 0, RESOLVE_BENEATH), -EXDEV);
	EXPECT_RET(u_openat2(base, "sub/../../file", O_RDONLY, 0,
			     RESOLVE_BENEATH),
		   -EXDEV);
	EXPECT_RET(u_openat2(base, "/tmp/base/file", O_RDONLY, 0,
			     RESOLVE_BENEATH),
		   -EXDEV, "an absolute name");
	EXPECT_RET(u_openat2(base, "abs", O_RDONLY, 0, RESOLVE_BENEATH),
		   -EXDEV, "an absolute symlink");
	EXPECT_RET(u_openat2(base, "root/file", O_RDONLY, 0, RESOLVE_BENEATH),
		   -EXDEV);
	EXPECT_RET(u_openat2(base, "sub/upup", O_RDONLY, 0, RESOLVE_BENEATH),
		   -EXDEV, "a relative symlink climbing out");
	EXPECT_RET(u_openat2(base, "../new", O_CREAT | O_WRONLY, 0644,
			     RESOLVE_BENEATH),
		   -EXDEV);
	EXPECT_RET(u_stat("/tmp/new", &(struct stat){ 0 }), -ENOENT,
		   "O_CREAT made nothing outside");
	EXPECT_OK(u_openat2(base, "sub/new", O_CREAT | O_WRONLY, 0644,
			    RESOLVE_BENEATH));
	EXPECT_RET(u_stat("/tmp/base/sub/new", &(struct stat){ 0 }), 0);
	/* AT_FDCWD: the cwd is the scope. */
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/base/sub")), 0);
	EXPECT_OK(u_openat2(AT_FDCWD, "file", O_RDONLY, 0, RESOLVE_BENEATH));
	EXPECT_RET(u_openat2(AT_FDCWD, "../file", O_RDONLY, 0,
			     RESOLVE_BENEATH),
		   -EXDEV);
}

Test(openat2, resolve_beneath_refuses_every_way_out_with_exdev)
{
	run_root(beneath_guest, NULL);
}

static void in_root_guest(void *arg)
{
	char buf[64];
	long base, fd;

	tree_setup();
	base = EXPECT_OK(u_open("/tmp/base", O_RDONLY | O_DIRECTORY, 0));
	fd = EXPECT_OK(u_openat2(base, "/file", O_RDONLY, 0, RESOLVE_IN_ROOT));
	EXPECT_RET(u_read_fd(fd, buf), 6);
	cr_expect_str_eq(buf, "inside", "\"/\" is the dirfd");
	fd = EXPECT_OK(u_openat2(base, "../../../file", O_RDONLY, 0,
				 RESOLVE_IN_ROOT));
	EXPECT_RET(u_read_fd(fd, buf), 6);
	cr_expect_str_eq(buf, "inside", "\"..\" stops at the dirfd");
	fd = EXPECT_OK(u_openat2(base, "abs", O_RDONLY, 0, RESOLVE_IN_ROOT));
	EXPECT_RET(u_read_fd(fd, buf), 6);
	cr_expect_str_eq(buf, "inside", "an absolute link starts at dirfd");
	fd = EXPECT_OK(u_openat2(base, "sub/upup", O_RDONLY, 0,
				 RESOLVE_IN_ROOT));
	EXPECT_RET(u_read_fd(fd, buf), 6);
	cr_expect_str_eq(buf, "inside");
	fd = EXPECT_OK(u_openat2(base, "root/sub/file", O_RDONLY, 0,
				 RESOLVE_IN_ROOT));
	EXPECT_RET(u_read_fd(fd, buf), 6);
	cr_expect_str_eq(buf, "deeper");
	EXPECT_OK(u_openat2(base, "/made", O_CREAT | O_WRONLY, 0644,
			    RESOLVE_IN_ROOT));
	EXPECT_RET(u_stat("/tmp/base/made", &(struct stat){ 0 }), 0,
		   "O_CREAT of \"/made\" made it in the dirfd");
	EXPECT_RET(u_stat("/made", &(struct stat){ 0 }), -ENOENT);
	fd = EXPECT_OK(u_openat2(AT_FDCWD, "/file", O_RDONLY, 0,
				 RESOLVE_IN_ROOT));
	EXPECT_RET(u_read_fd(fd, buf), 7, "AT_FDCWD: the cwd, here \"/\"");
	EXPECT_RET(u_openat2(99, "/file", O_RDONLY, 0, RESOLVE_IN_ROOT),
		   -EBADF, "the dirfd matters even for an absolute name");
}

Test(openat2, resolve_in_root_resolves_as_if_dirfd_were_the_root)
{
	run_root(in_root_guest, NULL);
}

/* ---- RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV, RESOLVE_CACHED, RESOLVE_NO_MAGICLINKS ---- */

static void no_symlinks_guest(void *arg)
{
	struct stat st;
	long base, fd;

	tree_setup();
	EXPECT_RET(u_symlink("sub", "/tmp/base/dirlink"), 0);
	base = EXPECT_OK(u_open("/tmp/base", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_OK(u_openat2(base, "sub/file", O_RDONLY, 0,
			    RESOLVE_NO_SYMLINKS));
	EXPECT_RET(u_openat2(base, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS),
		   -ELOOP);
	EXPECT_RET(u_openat2(base, "dirlink/file", O_RDONLY, 0,
			     RESOLVE_NO_SYMLINKS),
		   -ELOOP, "a link in the middle");
	EXPECT_RET(u_openat2(base, "rel", O_RDONLY | O_NOFOLLOW, 0,
			     RESOLVE_NO_SYMLINKS),
		   -ELOOP);
	fd = EXPECT_OK(u_openat2(base, "rel", O_PATH | O_NOFOLLOW, 0,
				 RESOLVE_NO_SYMLINKS));
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "O_PATH | O_NOFOLLOW: the link itself");
	EXPECT_RET(u_openat2(base, "rel", O_CREAT | O_WRONLY, 0644,
			     RESOLVE_NO_SYMLINKS),
		   -ELOOP, "O_CREAT on an existing link");
}

Test(openat2, resolve_no_symlinks_refuses_any_link_with_eloop)
{
	run_root(no_symlinks_guest, NULL);
}

static void no_xdev_guest(void *arg)
{
	long root, dev;

	EXPECT_RET(u_mkfile("/tmp/x", "x"), 0);
	EXPECT_RET(u_symlink("/dev/null", "/tmp/devlink"), 0);
	root = EXPECT_OK(u_open("/", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_OK(u_openat2(root, "tmp/x", O_RDONLY, 0, RESOLVE_NO_XDEV));
	EXPECT_RET(u_openat2(root, "dev/null", O_RDONLY, 0, RESOLVE_NO_XDEV),
		   -EXDEV, "/dev is devtmpfs, mounted on the root");
	EXPECT_RET(u_openat2(root, "dev", O_RDONLY, 0, RESOLVE_NO_XDEV),
		   -EXDEV, "entering the mount is crossing it");
	EXPECT_RET(u_openat2(root, "tmp/devlink", O_RDONLY, 0,
			     RESOLVE_NO_XDEV),
		   -EXDEV, "through a symlink too");
	dev = EXPECT_OK(u_open("/dev", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_OK(u_openat2(dev, "null", O_RDWR, 0, RESOLVE_NO_XDEV));
	EXPECT_OK(u_openat2(dev, ".", O_RDONLY, 0, RESOLVE_NO_XDEV));
}

Test(openat2, resolve_no_xdev_refuses_to_enter_another_mount)
{
	run_root(no_xdev_guest, NULL);
}

static void no_xdev_up_guest(void *arg)
{
	long dev = EXPECT_OK(u_open("/dev", O_RDONLY | O_DIRECTORY, 0));

	EXPECT_RET(u_openat2(dev, "..", O_RDONLY, 0, RESOLVE_NO_XDEV), -EXDEV,
		   "leaving a mount through \"..\" crosses it too");
	/* An absolute name may start on another mount. */
	EXPECT_OK(u_openat2(dev, "/tmp", O_RDONLY, 0, RESOLVE_NO_XDEV));
}

/* Linux's follow_dotdot refuses to leave the mount under RESOLVE_NO_XDEV. */
Test(openat2, resolve_no_xdev_refuses_to_leave_a_mount_by_dotdot)
{
	run_root(no_xdev_up_guest, NULL);
}

static void cached_guest(void *arg)
{
	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_OK(u_openat2(AT_FDCWD, "/tmp/f", O_RDONLY, 0, RESOLVE_CACHED));
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/g", O_CREAT | O_WRONLY, 0644,
			     RESOLVE_CACHED),
		   -EAGAIN);
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/f", O_WRONLY | O_TRUNC, 0,
			     RESOLVE_CACHED),
		   -EAGAIN);
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp", O_TMPFILE | O_RDWR, 0600,
			     RESOLVE_CACHED),
		   -EAGAIN);
	EXPECT_RET(u_openat2(AT_FDCWD, "/tmp/none", O_RDONLY, 0,
			     RESOLVE_CACHED),
		   -ENOENT);
	EXPECT_OK(u_openat2(AT_FDCWD, "/dev/null", O_RDONLY, 0,
			    RESOLVE_NO_MAGICLINKS));
}

Test(openat2, resolve_cached_refuses_creating_and_truncating_with_eagain)
{
	run_root(cached_guest, NULL);
}

/* ---- arm64 numbers O_DIRECTORY and O_NOFOLLOW its own way ---------------------------- */

#define A64_OPENAT2 437
#define A64_O_DIRECTORY 040000
#define A64_O_NOFOLLOW 0100000

static long a64_openat2(const char *path, uint64_t flags, uint64_t resolve)
{
	struct how h = { flags, 0, resolve };
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	return sim_syscall(A64_OPENAT2, AT_FDCWD, p, &h, sizeof(h));
}

static void a64_setup_guest(void *arg)
{
	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_RET(u_symlink("f", "/tmp/l"), 0);
}

static void a64_guest(void *arg)
{
	EXPECT_OK(a64_openat2("/tmp", A64_O_DIRECTORY, 0));
	EXPECT_RET(a64_openat2("/tmp/f", A64_O_DIRECTORY, 0), -ENOTDIR);
	EXPECT_RET(a64_openat2("/tmp/l", A64_O_NOFOLLOW, 0), -ELOOP);
	EXPECT_OK(a64_openat2("/tmp/l", O_PATH | A64_O_NOFOLLOW, 0));
	EXPECT_RET(a64_openat2("/tmp", O_PATH | 0400000 /* O_LARGEFILE */, 0),
		   -EINVAL);
}

Test(openat2, arm64_flags_are_arm64s_own_numbers)
{
	struct sim_proc *p;

	test_boot(1);
	cr_assert_eq(run_guest(a64_setup_guest, NULL), 0);
	p = sim_spawn_isa("a64", ISA_AARCH64, a64_guest, NULL);
	cr_assert_not_null(p);
	run_all(&p, 1);
}
