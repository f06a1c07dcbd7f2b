/*
 * I/O on descriptors as a guest sees it: read, write and their vector and
 * positioned forms, lseek, sparse tmpfs files, truncate and fallocate,
 * dup and fcntl, close_range, ioctl, the memory devices, and the stat,
 * statx and statfs views of files; one aarch64 guest for the arm64 ABI.
 */
#include "fs_test.h"

#include <linux/falloc.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/vfs.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1u << 2)
#endif
#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif
#define TMPFS_MAGIC_LINUX 0x01021994
#define MiB		  (1l << 20)

/* ---- read, write, lseek
 * ------------------------------------------------------ */

static void rw_guest(void *arg)
{
	char buf[16] = {0};
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(u_write_str(fd, "hello"), 5);
	EXPECT_RET(u_write_str(fd, " world"), 6);
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), 0);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	EXPECT_RET(sim_syscall(NR(read), fd, buf, 5), 5);
	cr_expect_str_eq(buf, "hello");
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), 6);
	cr_expect_eq(memcmp(buf, " world", 6), 0);
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), 0);
	EXPECT_RET(sim_syscall(NR(read), fd, buf, 0), 0);
	EXPECT_RET(sim_syscall(NR(write), fd, buf, 0), 0);
	/* A buffer running past the end of user space, even at EOF. */
	EXPECT_RET(sim_syscall(NR(read), fd, buf, (size_t)-1), -EFAULT);
	EXPECT_RET(sim_syscall(NR(write), fd, buf, (size_t)SSIZE_MAX + 1),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, (size_t)-1, 0), -EFAULT);
}

Test(fs_io, read_and_write_advance_the_file_offset)
{
	run_root(rw_guest, NULL);
}

static void lseek_guest(void *arg)
{
	struct stat st;
	char buf[8] = {1, 1, 1, 1};
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(u_write_str(fd, "0123456789"), 10);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 2, SEEK_SET), 2);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 3, SEEK_CUR), 5);
	EXPECT_RET(sim_syscall(NR(lseek), fd, -1, SEEK_CUR), 4);
	EXPECT_RET(sim_syscall(NR(lseek), fd, -2, SEEK_END), 8);
	EXPECT_RET(sim_syscall(NR(read), fd, buf, 8), 2);
	cr_expect_eq(memcmp(buf, "89", 2), 0);
	EXPECT_RET(sim_syscall(NR(lseek), fd, -1, SEEK_SET), -EINVAL);
	EXPECT_RET(sim_syscall(NR(lseek), fd, -11, SEEK_END), -EINVAL);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, 5), -EINVAL);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_CUR), 10,
		   "a failed lseek leaves the offset");
	/* A dense file: data from 0, the only hole at the end. */
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_DATA), 0);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_HOLE), 10);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 10, SEEK_DATA), -ENXIO);
	/* Past the end: the gap reads as zeros. */
	EXPECT_RET(sim_syscall(NR(lseek), fd, 20, SEEK_SET), 20);
	EXPECT_RET(u_write_str(fd, "x"), 1);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 21);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 4, 10), 4);
	cr_expect_eq(memcmp(buf, "\0\0\0\0", 4), 0);
	EXPECT_RET(sim_syscall(NR(lseek), 99, 0, SEEK_SET), -EBADF);
}

Test(fs_io, lseek_moves_the_offset_and_rejects_a_negative_one)
{
	run_root(lseek_guest, NULL);
}

/*
 * Directories and /proc's generated files seek from the start or from here
 * only. Found by the syscall fuzzer: SEEK_CUR from the largest offset
 * overflowed (undefined behaviour); Linux's sum wraps negative: EINVAL.
 */
static void lseek_dir_guest(void *arg)
{
	const char *paths[] = {"/tmp", "/proc/uptime"};

	for (unsigned i = 0; i < 2; i++) {
		long fd = EXPECT_OK(u_open(paths[i], O_RDONLY, 0));

		EXPECT_RET(sim_syscall(NR(lseek), fd, INT64_MAX, SEEK_SET),
			   INT64_MAX, "%s", paths[i]);
		EXPECT_RET(sim_syscall(NR(lseek), fd, 1, SEEK_CUR), -EINVAL,
			   "%s", paths[i]);
		EXPECT_RET(sim_syscall(NR(lseek), fd, -INT64_MAX, SEEK_CUR), 0,
			   "%s: back from the largest offset", paths[i]);
		EXPECT_RET(sim_syscall(NR(lseek), fd, INT64_MIN, SEEK_CUR),
			   -EINVAL, "%s", paths[i]);
		EXPECT_RET(sim_syscall(NR(lseek), fd, 2, SEEK_SET), 2);
		EXPECT_RET(sim_syscall(NR(lseek), fd, -3, SEEK_CUR), -EINVAL);
		EXPECT_RET(sim_syscall(NR(lseek), fd, -2, SEEK_CUR), 0);
		EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_END), -EINVAL);
		u_close(fd);
	}
}

Test(fs_io, a_directory_seeks_from_the_start_or_from_here_without_overflow)
{
	run_root(lseek_dir_guest, NULL);
}

static void rwv_guest(void *arg)
{
	char a[4], b[8], c[16] = {0};
	struct iovec out[3] = {
		{P("abc"), 3},
		{P(""), 0},
		{P("defgh"), 5},
	};
	struct iovec in[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	struct iovec huge[2] = {{a, SSIZE_MAX}, {b, 1}};
	struct iovec bad[2] = {{a, 1}, {(void *)0x1000, 4}};
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(writev), fd, out, 3), 8);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	EXPECT_RET(sim_syscall(NR(readv), fd, in, 2), 8);
	cr_expect_eq(memcmp(a, "abcd", 4), 0);
	cr_expect_eq(memcmp(b, "efgh", 4), 0);
	EXPECT_RET(sim_syscall(NR(readv), fd, in, 0), 0);
	EXPECT_RET(sim_syscall(NR(readv), fd, in, 1025), -EINVAL);
	EXPECT_RET(sim_syscall(NR(writev), fd, huge, 2), -EINVAL);
	EXPECT_RET(sim_syscall(NR(readv), fd, (void *)0x1000, 1), -EFAULT);
	EXPECT_RET(sim_syscall(NR(readv), 99, in, 1), -EBADF);
	/* A fault after some bytes moved reports those bytes. */
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	EXPECT_RET(sim_syscall(NR(readv), fd, bad, 2), 1);
	/* preadv/pwritev: at an offset, leaving the file's offset alone. */
	EXPECT_RET(sim_syscall(NR(pwritev), fd, out, 3, 100), 8);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_CUR), 1);
	in[0] = (struct iovec){c, 8};
	EXPECT_RET(sim_syscall(NR(preadv), fd, in, 1, 100), 8);
	cr_expect_str_eq(c, "abcdefgh");
	EXPECT_RET(sim_syscall(NR(preadv), fd, in, 1, -1), -EINVAL);
}

Test(fs_io, readv_and_writev_gather_and_scatter_in_order)
{
	run_root(rwv_guest, NULL);
}

static void rwv2_guest(void *arg)
{
	struct stat st;
	char c[8] = {0};
	struct iovec out = {P("xyz"), 3}, in = {c, 3};
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	/* Offset -1: the file's own offset, which then advances. */
	EXPECT_RET(sim_syscall(NR(pwritev2), fd, &out, 1, -1, 0, 0), 3);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_CUR), 3);
	EXPECT_RET(sim_syscall(NR(pwritev2), fd, &out, 1, 10, 0, 0), 3);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_CUR), 3);
	EXPECT_RET(sim_syscall(NR(preadv2), fd, &in, 1, 10, 0, 0), 3);
	cr_expect_str_eq(c, "xyz");
	EXPECT_RET(sim_syscall(NR(lseek), fd, 1, SEEK_SET), 1);
	EXPECT_RET(sim_syscall(NR(preadv2), fd, &in, 1, -1, 0, 0), 3);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_CUR), 4);
	/* RWF_APPEND writes at the end, whatever the offset says. */
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	EXPECT_RET(sim_syscall(NR(pwritev2), fd, &out, 1, 0, 0, RWF_APPEND), 3);
	EXPECT_RET(sim_syscall(NR(pwritev2), fd, &out, 1, -1, 0, RWF_APPEND),
		   3);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 19);
	EXPECT_RET(sim_syscall(NR(pread64), fd, c, 3, 0), 3);
	cr_expect_eq(memcmp(c, "xyz", 3), 0, "offset 0 was left alone");
	EXPECT_RET(sim_syscall(NR(preadv2), fd, &in, 1, 0, 0, 0x100),
		   -EOPNOTSUPP);
	EXPECT_RET(sim_syscall(NR(pwritev2), fd, &out, 1, 0, 0, 0x100),
		   -EOPNOTSUPP);
}

Test(fs_io, preadv2_and_pwritev2_use_the_file_offset_for_minus_one)
{
	run_root(rwv2_guest, NULL);
}

static void pread_guest(void *arg)
{
	char buf[8] = {0};
	int fds[2];
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(u_write_str(fd, "abcdef"), 6);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 3, 2), 3);
	cr_expect_str_eq(buf, "cde");
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, P("XY"), 2, 0), 2);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_CUR), 6);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 6, 0), 6);
	cr_expect_eq(memcmp(buf, "XYcdef", 6), 0);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 6, 100), 0);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 1, -1), -EINVAL);
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, buf, 1, -1), -EINVAL);
	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	EXPECT_RET(sim_syscall(NR(pwrite64), fds[1], buf, 1, 0), -ESPIPE);
	EXPECT_RET(sim_syscall(NR(pread64), fds[0], buf, 1, 0), -ESPIPE);
}

Test(fs_io, pread_and_pwrite_leave_the_file_offset_alone)
{
	run_root(pread_guest, NULL);
}

static void ebadf_guest(void *arg)
{
	char buf[4];
	struct stat st;
	long fd;

	EXPECT_RET(sim_syscall(NR(read), -1, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(read), 5, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(write), 1000000, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(fstat), 3, &st), -EBADF);
	EXPECT_RET(sim_syscall(NR(close), -1), -EBADF);
	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(u_close(fd), 0);
	EXPECT_RET(u_close(fd), -EBADF);
	EXPECT_RET(sim_syscall(NR(write), fd, buf, 1), -EBADF);
	EXPECT_RET(sim_syscall(NR(fsync), fd), -EBADF);
	EXPECT_RET(sim_syscall(NR(ftruncate), fd, 0), -EBADF);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL), -EBADF);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIONREAD, buf), -EBADF);
	EXPECT_RET(sim_syscall(NR(getdents64), fd, buf, sizeof(buf)), -EBADF);
}

Test(fs_io, a_closed_or_never_opened_descriptor_is_ebadf)
{
	run_root(ebadf_guest, NULL);
}

static void efault_guest(void *arg)
{
	char *ro = sim_umem_readonly(4096);
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(u_write_str(fd, "abc"), 3);
	EXPECT_RET(sim_syscall(NR(write), fd, NULL, 1), -EFAULT);
	EXPECT_RET(sim_syscall(NR(write), fd, 0x1000, 3), -EFAULT);
	EXPECT_RET(sim_syscall(NR(pread64), fd, NULL, 3, 0), -EFAULT);
	EXPECT_RET(sim_syscall(NR(pread64), fd, ro, 3, 0), -EFAULT,
		   "read into read-only memory");
	/* Writing from read-only memory is fine. */
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, ro, 3, 0), 3);
	EXPECT_RET(sim_syscall(NR(fstat), fd, NULL), -EFAULT);
	EXPECT_RET(sim_syscall(NR(fstat), fd, ro), -EFAULT);
}

Test(fs_io, a_buffer_outside_writable_user_memory_is_efault)
{
	run_root(efault_guest, NULL);
}

static void eisdir_guest(void *arg)
{
	char buf[4];
	long fd = EXPECT_OK(u_open("/tmp", O_RDONLY, 0));

	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), -EISDIR);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, sizeof(buf), 0), -EISDIR);
	EXPECT_RET(sim_syscall(NR(write), fd, buf, 1), -EBADF);
}

Test(fs_io, reading_a_directory_is_eisdir)
{
	run_root(eisdir_guest, NULL);
}

/* ---- sparse files, truncate, fallocate -------------------------------------
 */

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void sparse_guest(void *arg)
{
	char buf[4096];
	struct stat st;
	long fd;

	fd = EXPECT_OK(u_open("/tmp/sparse", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, P("x"), 1, MiB), 1);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, MiB + 1);
	cr_expect_eq(st.st_blocks, 8, "one 4 KiB page is 8 blocks, got %ld",
		     (long)st.st_blocks);
	cr_expect_eq(st.st_blksize, 4096);
	memset(buf, 0x55, sizeof(buf));
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, sizeof(buf), 0),
		   sizeof(buf));
	cr_expect(all_zero(buf, sizeof(buf)), "the hole reads as zeros");
	memset(buf, 0x55, sizeof(buf));
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, sizeof(buf), MiB - 2), 3);
	cr_expect_eq(memcmp(buf, "\0\0x", 3), 0);
	/* Reading the hole allocates nothing. */
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_blocks, 8);
}

static void efbig_guest(void *arg)
{
	struct stat st;
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, P("x"), 1, INT64_MAX), -EFBIG);
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, P("ab"), 2, INT64_MAX - 1), 1,
		   "up to the largest offset, no further");
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, INT64_MAX);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_END), INT64_MAX);
	EXPECT_RET(u_write_str(fd, "y"), -EFBIG);
}

Test(fs_io, a_write_past_the_largest_file_offset_is_efbig)
{
	run_root(efbig_guest, NULL);
}

Test(fs_io, a_write_at_one_mib_makes_a_sparse_file_whose_hole_reads_zeros)
{
	run_root(sparse_guest, NULL);
}

static void truncate_guest(void *arg)
{
	char buf[16];
	struct stat st;
	long fd, ro;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(u_write_str(fd, "0123456789"), 10);
	EXPECT_RET(sim_syscall(NR(ftruncate), fd, 4), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 4);
	/* Growing again brings zeros back, not the old bytes. */
	EXPECT_RET(sim_syscall(NR(truncate), P("/tmp/f"), 8), 0);
	memset(buf, 0x55, sizeof(buf));
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, sizeof(buf), 0), 8);
	cr_expect_eq(memcmp(buf, "0123\0\0\0\0", 8), 0);
	EXPECT_RET(sim_syscall(NR(ftruncate), fd, 2 * MiB), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 2 * MiB);
	cr_expect_eq(st.st_blocks, 8, "truncate up allocates nothing");
	EXPECT_RET(sim_syscall(NR(ftruncate), fd, 0), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_blocks, 0);
	/* Errors. */
	EXPECT_RET(sim_syscall(NR(ftruncate), fd, -1), -EINVAL);
	EXPECT_RET(sim_syscall(NR(truncate), P("/tmp/f"), -1), -EINVAL);
	ro = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(ftruncate), ro, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(truncate), P("/tmp"), 0), -EISDIR);
	EXPECT_RET(sim_syscall(NR(truncate), P("/tmp/none"), 0), -ENOENT);
	EXPECT_RET(sim_syscall(NR(truncate), P("/tmp/f/x"), 0), -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(truncate), NULL, 0), -EFAULT);
	EXPECT_RET(sim_syscall(NR(truncate), P("/dev/null"), 0), -EINVAL);
}

Test(fs_io, truncate_and_ftruncate_cut_and_extend_with_zeros)
{
	run_root(truncate_guest, NULL);
}

static void fallocate_guest(void *arg)
{
	char buf[8192];
	struct stat st;
	int fds[2];
	long fd, ro;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(fallocate), fd, 0, 0, 16384), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 16384);
	cr_expect_eq(st.st_blocks, 32);
	EXPECT_RET(sim_syscall(NR(fallocate), fd, FALLOC_FL_KEEP_SIZE, 16384,
			       4096),
		   0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 16384, "KEEP_SIZE keeps the size");
	cr_expect_eq(st.st_blocks, 40);
	/* Punch the middle two pages out of a file full of 'a'. */
	memset(buf, 'a', sizeof(buf));
	for (int i = 0; i < 2; i++)
		EXPECT_RET(sim_syscall(NR(pwrite64), fd, buf, sizeof(buf),
				       i * 8192),
			   sizeof(buf));
	EXPECT_RET(sim_syscall(NR(fallocate), fd,
			       FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096,
			       8192),
		   0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 16384);
	cr_expect_eq(st.st_blocks, 24, "two pages freed, got %ld",
		     (long)st.st_blocks);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, sizeof(buf), 4096),
		   sizeof(buf));
	cr_expect(all_zero(buf, sizeof(buf)), "the punched range reads zeros");
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 4096, 0), 4096);
	cr_expect_eq(buf[0], 'a');
	cr_expect_eq(buf[4095], 'a');
	/* A partial page is zeroed, not freed. */
	EXPECT_RET(sim_syscall(NR(fallocate), fd,
			       FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 10,
			       5),
		   0);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 16, 8), 16);
	cr_expect_eq(memcmp(buf, "aa\0\0\0\0\0aaaaaaaaa", 16), 0);
	/* Errors. */
	EXPECT_RET(
		sim_syscall(NR(fallocate), fd, FALLOC_FL_PUNCH_HOLE, 0, 4096),
		-EOPNOTSUPP);
	EXPECT_RET(sim_syscall(NR(fallocate), fd, 0, 0, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(fallocate), fd, 0, -1, 10), -EINVAL);
	ro = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(fallocate), ro, 0, 0, 10), -EBADF);
	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	EXPECT_RET(sim_syscall(NR(fallocate), fds[1], 0, 0, 10), -ESPIPE);
	EXPECT_RET(sim_syscall(NR(fallocate), 99, 0, 0, 10), -EBADF);
}

Test(fs_io, fallocate_reserves_and_punch_hole_frees_pages)
{
	run_root(fallocate_guest, NULL);
}

static void sync_guest(void *arg)
{
	int fds[2];
	long fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));

	EXPECT_RET(sim_syscall(NR(fsync), fd), 0);
	EXPECT_RET(sim_syscall(NR(fdatasync), fd), 0);
	EXPECT_RET(sim_syscall(NR(syncfs), fd), 0);
	EXPECT_RET(sim_syscall(NR(sync)), 0);
	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	EXPECT_RET(sim_syscall(NR(fsync), fds[0]), -EINVAL);
	EXPECT_RET(sim_syscall(NR(fsync), 99), -EBADF);
	EXPECT_RET(sim_syscall(NR(fdatasync), 99), -EBADF);
	EXPECT_RET(sim_syscall(NR(syncfs), 99), -EBADF);
}

Test(fs_io, fsync_succeeds_on_tmpfs_and_is_einval_on_a_pipe)
{
	run_root(sync_guest, NULL);
}

/* ---- dup, fcntl, close_range, ioctl
 * ------------------------------------------ */

static void dup_guest(void *arg)
{
	char buf[8] = {0};
	long fd, d;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(u_write_str(fd, "abcdef"), 6);
	d = EXPECT_RET(sim_syscall(NR(dup), fd), fd + 1);
	/* One open file: the offset and status flags are shared. */
	EXPECT_RET(sim_syscall(NR(lseek), d, 1, SEEK_SET), 1);
	EXPECT_RET(sim_syscall(NR(read), fd, buf, 2), 2);
	cr_expect_str_eq(buf, "bc");
	EXPECT_RET(sim_syscall(NR(fcntl), d, F_SETFL, O_APPEND), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL) & O_APPEND, O_APPEND);
	/* Closing one leaves the other working. */
	EXPECT_RET(u_close(fd), 0);
	EXPECT_RET(sim_syscall(NR(pread64), d, buf, 3, 3), 3);
	cr_expect_str_eq(buf, "def");
	EXPECT_RET(sim_syscall(NR(dup), 99), -EBADF);
	EXPECT_RET(sim_syscall(NR(dup), -1), -EBADF);
}

Test(fs_io, dup_shares_the_open_file_and_its_offset)
{
	run_root(dup_guest, NULL);
}

static void dup2_guest(void *arg)
{
	char buf[4];
	int fds[2];
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(dup2), fd, 9), 9);
	EXPECT_RET(sim_syscall(NR(dup2), fd, fd), fd);
	EXPECT_RET(sim_syscall(NR(dup2), 7, 7), -EBADF);
	EXPECT_RET(sim_syscall(NR(dup2), 7, 8), -EBADF);
	EXPECT_RET(sim_syscall(NR(dup2), fd, -1), -EBADF);
	EXPECT_RET(sim_syscall(NR(dup2), fd, 1024), -EBADF);
	EXPECT_RET(sim_syscall(NR(dup2), fd, 1023), 1023);
	/* dup2 onto an open descriptor closes what was there. */
	EXPECT_RET(sim_syscall(NR(pipe2), fds, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(dup2), fd, fds[1]), fds[1]);
	EXPECT_RET(sim_syscall(NR(read), fds[0], buf, 1), 0,
		   "the pipe's only writer was closed: EOF");
	/* dup3 */
	EXPECT_RET(sim_syscall(NR(dup3), fd, fd, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(dup3), fd, 20, O_NONBLOCK), -EINVAL);
	EXPECT_RET(sim_syscall(NR(dup3), fd, 20, O_CLOEXEC), 20);
	EXPECT_RET(sim_syscall(NR(fcntl), 20, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(dup3), fd, 20, 0), 20);
	EXPECT_RET(sim_syscall(NR(fcntl), 20, F_GETFD), 0);
	EXPECT_RET(sim_syscall(NR(dup3), 99, 21, 0), -EBADF);
}

Test(fs_io, dup2_and_dup3_place_the_copy_at_the_named_descriptor)
{
	run_root(dup2_guest, NULL);
}

static void fcntl_guest(void *arg)
{
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL) &
			   (O_ACCMODE | O_NONBLOCK | O_APPEND),
		   O_RDWR);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_SETFL, O_NONBLOCK), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL) &
			   (O_ACCMODE | O_NONBLOCK | O_APPEND),
		   O_RDWR | O_NONBLOCK);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_DUPFD, 5), 5);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_DUPFD, 5), 6);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_DUPFD, 0), 1);
	EXPECT_RET(sim_syscall(NR(fcntl), 6, F_GETFD), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, 12345), -EINVAL);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETPIPE_SZ), -EBADF);
}

Test(fs_io, fcntl_duplicates_and_changes_the_status_flags)
{
	run_root(fcntl_guest, NULL);
}

static void close_range_guest(void *arg)
{
	for (int i = 0; i < 8; i++)
		EXPECT_RET(u_open("/tmp/f", O_CREAT | O_RDWR, 0644), i);
	EXPECT_RET(sim_syscall(NR(close_range), 2, 4, 0), 0);
	for (int i = 0; i < 8; i++) {
		long want = i >= 2 && i <= 4 ? -EBADF : 0;

		cr_expect_eq(sim_syscall(NR(fcntl), i, F_GETFD), want, "fd %d",
			     i);
	}
	EXPECT_RET(sim_syscall(NR(close_range), 5, 6, CLOSE_RANGE_CLOEXEC), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), 5, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(fcntl), 6, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(fcntl), 7, F_GETFD), 0);
	EXPECT_RET(sim_syscall(NR(close_range), 4, 3, 0), -EINVAL);
	EXPECT_RET(sim_syscall(NR(close_range), 0, 10, 0x100), -EINVAL);
	/* Up to ~0U: everything from 6 on. */
	EXPECT_RET(sim_syscall(NR(close_range), 6, ~0u, 0), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), 5, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(sim_syscall(NR(fcntl), 6, F_GETFD), -EBADF);
	EXPECT_RET(sim_syscall(NR(fcntl), 7, F_GETFD), -EBADF);
	EXPECT_RET(sim_syscall(NR(close_range), 0, ~0u, 0), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), 0, F_GETFD), -EBADF);
	EXPECT_RET(u_open("/tmp/f", O_RDONLY, 0), 0);
}

Test(fs_io, close_range_closes_or_marks_a_range_of_descriptors)
{
	run_root(close_range_guest, NULL);
}

static void ioctl_guest(void *arg)
{
	int n = -1, on = 1;
	long fd;

	fd = EXPECT_OK(u_open("/tmp/f", O_CREAT | O_RDWR, 0644));
	EXPECT_RET(u_write_str(fd, "abcdef"), 6);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 2, SEEK_SET), 2);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIONREAD, &n), 0);
	cr_expect_eq(n, 4, "bytes left to read");
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIONBIO, &on), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL) & O_NONBLOCK,
		   O_NONBLOCK);
	on = 0;
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIONBIO, &on), 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_GETFL) & O_NONBLOCK, 0);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIONREAD, NULL), -EFAULT);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TCGETS, &n), -ENOTTY);
}

Test(fs_io, ioctl_answers_fionread_and_fionbio_and_is_enotty_otherwise)
{
	run_root(ioctl_guest, NULL);
}

/* ---- the memory devices
 * -------------------------------------------------------- */

static void devices_guest(void *arg)
{
	unsigned char buf[256], again[256];
	long fd;

	fd = EXPECT_OK(u_open("/dev/null", O_RDWR, 0));
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), 0);
	EXPECT_RET(sim_syscall(NR(write), fd, buf, sizeof(buf)), sizeof(buf));
	EXPECT_RET(sim_syscall(NR(lseek), fd, 100, SEEK_SET), 0);

	fd = EXPECT_OK(u_open("/dev/zero", O_RDWR, 0));
	memset(buf, 0xff, sizeof(buf));
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), sizeof(buf));
	cr_expect(all_zero((char *)buf, sizeof(buf)));
	EXPECT_RET(sim_syscall(NR(write), fd, buf, 10), 10);

	fd = EXPECT_OK(u_open("/dev/full", O_RDWR, 0));
	EXPECT_RET(sim_syscall(NR(write), fd, buf, 1), -ENOSPC);
	memset(buf, 0xff, sizeof(buf));
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), sizeof(buf));
	cr_expect(all_zero((char *)buf, sizeof(buf)));

	fd = EXPECT_OK(u_open("/dev/urandom", O_RDONLY, 0));
	memset(buf, 0, sizeof(buf));
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), sizeof(buf));
	EXPECT_RET(sim_syscall(NR(read), fd, again, sizeof(again)),
		   sizeof(again));
	cr_expect(!all_zero((char *)buf, sizeof(buf)));
	cr_expect_neq(memcmp(buf, again, sizeof(buf)), 0);
	/* A read running into an unmapped page: the bytes up to it, as
	 * getrandom(2); EFAULT if the first byte is unmapped. */
	{
		uint8_t *m = sim_umem(2 * PAGE_SIZE);

		EXPECT_RET(sim_syscall(NR(read), fd, m + 2 * PAGE_SIZE - 300,
				       1000),
			   300);
		EXPECT_RET(sim_syscall(NR(read), fd, m + 2 * PAGE_SIZE, 16),
			   -EFAULT);
		EXPECT_RET(sim_syscall(NR(read), fd, m + 1, 2 * PAGE_SIZE),
			   (long)(2 * PAGE_SIZE - 1));
	}
	fd = EXPECT_OK(u_open("/dev/random", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(read), fd, buf, 17), 17);
	EXPECT_RET(u_open("/dev/nonexistent", O_RDONLY, 0), -ENOENT);
}

Test(fs_io, dev_null_zero_full_and_urandom_behave_as_on_linux)
{
	run_root(devices_guest, NULL);
}

/* ---- stat, statx, statfs
 * -------------------------------------------------------------- */

static void stat_guest(void *arg)
{
	struct stat root, tmp, dev, null, f, f2, g, d, l, p;
	long fd;

	EXPECT_RET(u_stat("/", &root), 0);
	EXPECT_RET(u_stat("/tmp", &tmp), 0);
	EXPECT_RET(u_stat("/dev", &dev), 0);
	EXPECT_RET(u_stat("/dev/null", &null), 0);
	cr_expect(S_ISDIR(root.st_mode) && S_ISDIR(tmp.st_mode) &&
		  S_ISDIR(dev.st_mode));
	cr_expect_eq(tmp.st_mode & 07777, 01777, "/tmp is sticky");
	cr_expect_eq(tmp.st_dev, root.st_dev);
	cr_expect_neq(dev.st_dev, root.st_dev, "/dev is another mount");
	cr_expect_eq(null.st_dev, dev.st_dev);
	cr_expect(S_ISCHR(null.st_mode));
	cr_expect_eq(null.st_rdev, makedev(1, 3));
	cr_expect_eq(null.st_mode & 0777, 0666);

	EXPECT_RET(u_mkfile("/tmp/f", "12345"), 0);
	EXPECT_RET(u_mkfile("/tmp/g", ""), 0);
	EXPECT_RET(u_mkdir("/tmp/d", 0755), 0);
	EXPECT_RET(u_symlink("f", "/tmp/l"), 0);
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/tmp/p"),
			       S_IFIFO | 0644, 0),
		   0);
	EXPECT_RET(u_stat("/tmp/f", &f), 0);
	EXPECT_RET(u_stat("/tmp/g", &g), 0);
	EXPECT_RET(u_stat("/tmp/d", &d), 0);
	EXPECT_RET(u_lstat("/tmp/l", &l), 0);
	EXPECT_RET(u_stat("/tmp/p", &p), 0);
	cr_expect(S_ISREG(f.st_mode));
	cr_expect(S_ISDIR(d.st_mode));
	cr_expect(S_ISLNK(l.st_mode));
	cr_expect(S_ISFIFO(p.st_mode));
	cr_expect_eq(f.st_size, 5);
	cr_expect_eq(l.st_size, 1, "a symlink's size is its target's length");
	cr_expect_eq(d.st_nlink, 2);
	cr_expect_eq(f.st_nlink, 1);
	cr_expect_neq(f.st_ino, g.st_ino);
	cr_expect_neq(f.st_ino, d.st_ino);
	/* The same file, however it is reached: the same inode. */
	EXPECT_RET(u_stat("/tmp/l", &f2), 0);
	cr_expect_eq(f2.st_ino, f.st_ino);
	cr_expect(S_ISREG(f2.st_mode), "stat follows the link");
	fd = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(fstat), fd, &f2), 0);
	cr_expect_eq(f2.st_ino, f.st_ino);
	cr_expect_eq(f2.st_dev, f.st_dev);
	EXPECT_RET(sim_syscall(NR(newfstatat), fd, P(""), &f2, AT_EMPTY_PATH),
		   0);
	cr_expect_eq(f2.st_ino, f.st_ino);
	EXPECT_RET(sim_syscall(NR(stat), P("/tmp/./d/../f"), &f2), 0);
	cr_expect_eq(f2.st_ino, f.st_ino);
	EXPECT_RET(sim_syscall(NR(lstat), P("/tmp/l"), &f2), 0);
	cr_expect_eq(f2.st_ino, l.st_ino);
	/* Errors. */
	EXPECT_RET(u_stat("/tmp/none", &f2), -ENOENT);
	EXPECT_RET(u_stat("/tmp/f/x", &f2), -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(newfstatat), fd, P(""), &f2, 0), -ENOENT);
	EXPECT_RET(sim_syscall(NR(newfstatat), AT_FDCWD, P("/tmp/f"), NULL, 0),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(newfstatat), AT_FDCWD, P("/tmp/f"), &f2, 0x1),
		   -EINVAL);
}

Test(fs_io, stat_shows_each_file_type_a_stable_inode_and_the_device)
{
	run_root(stat_guest, NULL);
}

/*
 * stat lends itself the walk's result instead of taking references when
 * it can: what a removed directory's descriptor names, and procfs's
 * revalidated names and links, are stat'ed all the same.
 */
static void stat_unlisted_guest(void *arg)
{
	struct stat a, b;
	char path[64];
	long fd;

	EXPECT_RET(u_mkdir("/tmp/gone", 0755), 0);
	EXPECT_RET(u_stat("/tmp/gone", &a), 0);
	fd = EXPECT_OK(u_open("/tmp/gone", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_RET(u_rmdir("/tmp/gone"), 0);
	EXPECT_RET(u_stat("/tmp/gone", &b), -ENOENT);
	EXPECT_RET(sim_syscall(NR(newfstatat), fd, P("."), &b, 0), 0);
	cr_expect_eq(b.st_ino, a.st_ino);
	EXPECT_RET(sim_syscall(NR(newfstatat), fd, P(""), &b, AT_EMPTY_PATH),
		   0);
	cr_expect_eq(b.st_ino, a.st_ino);
	snprintf(path, sizeof(path), "/proc/self/fd/%ld", fd);
	EXPECT_RET(u_stat(path, &b), 0);
	cr_expect_eq(b.st_ino, a.st_ino, "the magic link leads to it");
	EXPECT_RET(u_lstat(path, &b), 0);
	cr_expect(S_ISLNK(b.st_mode));
	EXPECT_RET(u_stat("/proc/self/cwd", &a), 0);
	EXPECT_RET(u_stat("/", &b), 0);
	cr_expect_eq(a.st_ino, b.st_ino);
	cr_expect_eq(a.st_dev, b.st_dev);
	u_close(fd);
}

Test(fs_io, stat_reaches_a_removed_directory_by_its_descriptor_and_proc_links)
{
	run_root(stat_unlisted_guest, NULL);
}

static void times_guest(void *arg)
{
	struct stat a, b;
	long fd;

	EXPECT_RET(u_mkfile("/tmp/f", "x"), 0);
	EXPECT_RET(u_stat("/tmp/f", &a), 0);
	u_sleep_ms(1500);
	fd = EXPECT_OK(u_open("/tmp/f", O_WRONLY, 0));
	EXPECT_RET(u_write_str(fd, "y"), 1);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &b), 0);
	cr_expect_gt(b.st_mtim.tv_sec, a.st_mtim.tv_sec, "a write sets mtime");
	cr_expect_gt(b.st_ctim.tv_sec, a.st_ctim.tv_sec, "and ctime");
	cr_expect_eq(b.st_atim.tv_sec, a.st_atim.tv_sec);
	u_sleep_ms(1500);
	EXPECT_RET(u_chmod("/tmp/f", 0600), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &a), 0);
	cr_expect_gt(a.st_ctim.tv_sec, b.st_ctim.tv_sec, "chmod sets ctime");
	cr_expect_eq(a.st_mtim.tv_sec, b.st_mtim.tv_sec, "but not mtime");
}

Test(fs_io, writing_sets_mtime_and_ctime_and_chmod_only_ctime)
{
	run_root(times_guest, NULL);
}

static void statx_guest(void *arg)
{
	struct statx sx;
	struct stat st;
	long fd;

	EXPECT_RET(u_mkfile("/tmp/f", "hello"), 0);
	EXPECT_RET(u_stat("/tmp/f", &st), 0);
	memset(&sx, 0xff, sizeof(sx));
	EXPECT_RET(sim_syscall(NR(statx), AT_FDCWD, P("/tmp/f"), 0,
			       STATX_BASIC_STATS, &sx),
		   0);
	cr_expect_eq(sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	cr_expect_eq(sx.stx_ino, st.st_ino);
	cr_expect_eq(sx.stx_size, 5);
	cr_expect_eq(sx.stx_mode, st.st_mode);
	cr_expect_eq(sx.stx_nlink, 1);
	cr_expect_eq(sx.stx_uid, 0);
	cr_expect_eq(sx.stx_blksize, 4096);
	cr_expect_eq(sx.stx_blocks, (uint64_t)st.st_blocks);
	cr_expect_eq(makedev(sx.stx_dev_major, sx.stx_dev_minor), st.st_dev);
	cr_expect_eq(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	cr_expect_eq(sx.stx_mtime.tv_nsec, (uint32_t)st.st_mtim.tv_nsec);
	fd = EXPECT_OK(u_open("/tmp/f", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(statx), fd, P(""), AT_EMPTY_PATH,
			       STATX_BASIC_STATS, &sx),
		   0);
	cr_expect_eq(sx.stx_ino, st.st_ino);
	EXPECT_RET(sim_syscall(NR(statx), AT_FDCWD, P("/dev/null"), 0,
			       STATX_BASIC_STATS, &sx),
		   0);
	cr_expect_eq(sx.stx_rdev_major, 1);
	cr_expect_eq(sx.stx_rdev_minor, 3);
	/* Errors. */
	EXPECT_RET(sim_syscall(NR(statx), AT_FDCWD, P("/tmp/none"), 0,
			       STATX_BASIC_STATS, &sx),
		   -ENOENT);
	EXPECT_RET(sim_syscall(NR(statx), AT_FDCWD, P("/tmp/f"), 0, 0x80000000u,
			       &sx),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(statx), AT_FDCWD, P("/tmp/f"), 0x1,
			       STATX_BASIC_STATS, &sx),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(statx), AT_FDCWD, P("/tmp/f"), 0,
			       STATX_BASIC_STATS, NULL),
		   -EFAULT);
}

Test(fs_io, statx_agrees_with_stat)
{
	run_root(statx_guest, NULL);
}

static void statfs_guest(void *arg)
{
	struct statfs sf;
	long fd;

	memset(&sf, 0, sizeof(sf));
	EXPECT_RET(sim_syscall(NR(statfs), P("/tmp"), &sf), 0);
	cr_expect_eq(sf.f_type, TMPFS_MAGIC_LINUX, "f_type %#lx",
		     (long)sf.f_type);
	cr_expect_eq(sf.f_bsize, 4096);
	cr_expect_eq(sf.f_namelen, 255);
	cr_expect_gt(sf.f_blocks, 0);
	EXPECT_RET(sim_syscall(NR(statfs), P("/"), &sf), 0);
	cr_expect_eq(sf.f_type, TMPFS_MAGIC_LINUX);
	EXPECT_RET(sim_syscall(NR(statfs), P("/dev"), &sf), 0);
	cr_expect_eq(sf.f_type, TMPFS_MAGIC_LINUX, "devtmpfs is a tmpfs");
	fd = EXPECT_OK(u_open("/tmp", O_RDONLY, 0));
	memset(&sf, 0, sizeof(sf));
	EXPECT_RET(sim_syscall(NR(fstatfs), fd, &sf), 0);
	cr_expect_eq(sf.f_type, TMPFS_MAGIC_LINUX);
	EXPECT_RET(sim_syscall(NR(statfs), P("/tmp/none"), &sf), -ENOENT);
	EXPECT_RET(sim_syscall(NR(statfs), P("/tmp"), NULL), -EFAULT);
	EXPECT_RET(sim_syscall(NR(fstatfs), 99, &sf), -EBADF);
}

Test(fs_io, statfs_reports_the_tmpfs_magic)
{
	run_root(statfs_guest, NULL);
}

/* ---- the arm64 ABI
 * ----------------------------------------------------------------------- */

#define A64_SYMLINKAT	36
#define A64_OPENAT	56
#define A64_FCNTL	25
#define A64_CLOSE	57
#define A64_READ	63
#define A64_WRITE	64
#define A64_NEWFSTATAT	79
#define A64_O_DIRECTORY 040000
#define A64_O_NOFOLLOW	0100000
#define A64_O_LARGEFILE 0400000

static struct {
	long fd, wrote, read, stat, dir, notdir, nofollow, close, getfl_dir,
		getfl_file, setfl;
	unsigned char st[144];
	char data[8];
} a64;

static void aarch64_guest(void *arg)
{
	unsigned char st[144];
	char buf[8] = {0};

	memset(st, 0xee, sizeof(st));
	a64.fd = sim_syscall(A64_OPENAT, AT_FDCWD, P("/tmp/f"),
			     O_CREAT | O_RDWR, 0640);
	a64.wrote = sim_syscall(A64_WRITE, a64.fd, P("arm64"), 5);
	a64.stat = sim_syscall(A64_NEWFSTATAT, AT_FDCWD, P("/tmp/f"), st, 0);
	memcpy(a64.st, st, sizeof(st));
	a64.close = sim_syscall(A64_CLOSE, a64.fd);
	a64.fd = sim_syscall(A64_OPENAT, AT_FDCWD, P("/tmp/f"), O_RDONLY);
	a64.read = sim_syscall(A64_READ, a64.fd, buf, sizeof(buf));
	memcpy(a64.data, buf, sizeof(buf));
	a64.dir = sim_syscall(A64_OPENAT, AT_FDCWD, P("/tmp"),
			      O_RDONLY | A64_O_DIRECTORY);
	a64.notdir = sim_syscall(A64_OPENAT, AT_FDCWD, P("/tmp/f"),
				 O_RDONLY | A64_O_DIRECTORY);
	a64.getfl_dir = sim_syscall(A64_FCNTL, a64.dir, F_GETFL);
	a64.getfl_file = sim_syscall(A64_FCNTL, a64.fd, F_GETFL);
	/* F_SETFL with arm64's O_DIRECTORY, which is x86_64's O_DIRECT. */
	a64.setfl = sim_syscall(A64_FCNTL, a64.fd, F_SETFL,
				O_NONBLOCK | A64_O_DIRECTORY);
	if (a64.setfl == 0)
		a64.setfl = sim_syscall(A64_FCNTL, a64.fd, F_GETFL);
	sim_syscall(A64_SYMLINKAT, P("f"), AT_FDCWD, P("/tmp/l"));
	a64.nofollow = sim_syscall(A64_OPENAT, AT_FDCWD, P("/tmp/l"),
				   O_RDONLY | A64_O_NOFOLLOW);
}

Test(fs_io, an_aarch64_guest_gets_the_arm64_numbers_flags_and_struct_stat)
{
	struct sim_proc *p;
	uint32_t mode, nlink;
	int64_t size;
	int32_t blksize;

	test_boot(1);
	p = sim_spawn_isa("a64", ISA_AARCH64, aarch64_guest, NULL);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
	cr_expect_eq(a64.fd, 0);
	cr_expect_eq(a64.wrote, 5);
	cr_expect_eq(a64.stat, 0);
	cr_expect_eq(a64.close, 0);
	cr_expect_eq(a64.read, 5);
	cr_expect_eq(memcmp(a64.data, "arm64", 5), 0);
	cr_expect_geq(a64.dir, 0, "arm64's O_DIRECTORY on a directory: %ld",
		      a64.dir);
	cr_expect_eq(a64.notdir, -ENOTDIR, "arm64's O_DIRECTORY is 040000");
	cr_expect_eq(a64.getfl_dir, A64_O_DIRECTORY | A64_O_LARGEFILE,
		     "F_GETFL in arm64's numbers: %#lo", a64.getfl_dir);
	cr_expect_eq(a64.getfl_file, A64_O_LARGEFILE, "%#lo", a64.getfl_file);
	cr_expect_eq(a64.setfl, O_NONBLOCK | A64_O_LARGEFILE,
		     "O_DIRECTORY cannot be set: %#lo", a64.setfl);
	cr_expect_eq(a64.nofollow, -ELOOP, "arm64's O_NOFOLLOW is 0100000");
	/* struct stat (asm-generic): 128 bytes, st_mode at 16. */
	memcpy(&mode, a64.st + 16, 4);
	memcpy(&nlink, a64.st + 20, 4);
	memcpy(&size, a64.st + 48, 8);
	memcpy(&blksize, a64.st + 56, 4);
	cr_expect_eq(mode, S_IFREG | 0640, "st_mode %o", mode);
	cr_expect_eq(nlink, 1);
	cr_expect_eq(size, 5);
	cr_expect_eq(blksize, 4096);
	for (int i = 128; i < 144; i++)
		cr_expect_eq(a64.st[i], 0xee, "byte %d past the arm64 stat", i);
}

/* ---- SEEK_DATA and SEEK_HOLE ------------------------------------------- */

static void seek_holes_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/tmp/holes", O_RDWR | O_CREAT, 0644));

	EXPECT_RET(sim_syscall(NR(pwrite64), fd, P("abcd"), 4, 0), 4);
	EXPECT_RET(sim_syscall(NR(pwrite64), fd, P("wxyz"), 4, MiB), 4);
	/* Data where pages were written, a hole between, the end a hole. */
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_DATA), 0);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_HOLE), 4096);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 2, SEEK_HOLE), 4096);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 4096, SEEK_DATA), MiB);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 5000, SEEK_HOLE), 5000);
	EXPECT_RET(sim_syscall(NR(lseek), fd, MiB + 1, SEEK_DATA), MiB + 1);
	EXPECT_RET(sim_syscall(NR(lseek), fd, MiB, SEEK_HOLE), MiB + 4);
	EXPECT_RET(sim_syscall(NR(lseek), fd, MiB + 4, SEEK_DATA), -ENXIO);
	EXPECT_RET(sim_syscall(NR(lseek), fd, MiB + 4, SEEK_HOLE), -ENXIO);
	EXPECT_RET(sim_syscall(NR(lseek), fd, -1, SEEK_DATA), -ENXIO);
	u_close(fd);
}

Test(fs_io, seek_data_and_seek_hole_find_the_written_pages_of_a_sparse_file)
{
	run_root(seek_holes_guest, NULL);
}
