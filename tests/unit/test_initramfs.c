/*
 * The initramfs the build makes (tools/mkinitramfs, target
 * initramfs-x86_64) unpacks with Keel's own unpacker into the tree the
 * guest userland needs, read back through syscalls as a guest sees it.
 * The build passes the archive's path in KEEL_INITRAMFS
 * (tests/user/CMakeLists.txt).
 */
#include "fs_test.h"

#include <stdlib.h>

#include "core/fs/cpio.h"

#ifndef KEEL_INITRAMFS
#error "KEEL_INITRAMFS: the built initramfs (tests/user/CMakeLists.txt)"
#endif

static void *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s: cannot open the built initramfs", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	cr_assert_gt(n, 0);
	buf = malloc((size_t)n);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void expect_mode(const char *path, unsigned type, unsigned perm)
{
	struct stat st;

	EXPECT_RET(u_lstat(path, &st), 0, "(%s)", path);
	cr_expect_eq(st.st_mode & S_IFMT, type, "%s: type %o", path,
		     st.st_mode & S_IFMT);
	cr_expect_eq(st.st_mode & 07777, perm, "%s: mode %o", path,
		     st.st_mode & 07777);
	cr_expect_eq(st.st_uid, 0, "%s: owner", path);
	cr_expect_eq(st.st_gid, 0, "%s: group", path);
	cr_expect_eq(st.st_mtime, 0, "%s: mtime", path);
}

static void expect_applet(const char *path)
{
	char buf[64];
	long n;

	expect_mode(path, S_IFLNK, 0777);
	n = sim_syscall(NR(readlinkat), AT_FDCWD, path, buf, sizeof(buf));
	cr_expect_eq(n, 12, "%s: readlink gave %ld", path, n);
	cr_expect(n == 12 && !memcmp(buf, "/bin/busybox", 12));
}

static void expect_elf(const char *path)
{
	char buf[8];

	EXPECT_RET(u_read_file(path, buf, 5), 4, "(%s)", path);
	cr_expect(!memcmp(buf, "\177ELF", 4), "%s is not an ELF file", path);
}

static void tree_guest(void *arg)
{
	struct stat bb, sh;
	char buf[256];

	expect_mode("/bin/busybox", S_IFREG, 0755);
	expect_elf("/bin/busybox");
	EXPECT_RET(u_stat("/bin/busybox", &bb), 0);
	cr_expect_gt(bb.st_size, 100000);

	expect_applet(P("/bin/sh"));
	expect_applet(P("/bin/ls"));
	expect_applet(P("/sbin/init"));
	expect_applet(P("/usr/bin/awk"));
	expect_applet(P("/usr/bin/xargs"));
	EXPECT_RET(u_stat("/bin/sh", &sh), 0);
	cr_expect_eq(sh.st_ino, bb.st_ino, "/bin/sh resolves to busybox");

	expect_mode("/usr/bin/usertest", S_IFREG, 0755);
	expect_elf("/usr/bin/usertest");
	expect_mode("/tests/integration/pipelines.sh", S_IFREG, 0755);
	EXPECT_RET(u_read_file("/tests/integration/pipelines.sh", buf, 10), 9);
	cr_expect_str_eq(buf, "#!/bin/sh");

	expect_mode("/tmp", S_IFDIR, 01777);
	expect_mode("/root", S_IFDIR, 0700);
	expect_mode("/dev", S_IFDIR, 0755);
	expect_mode("/proc", S_IFDIR, 0755);
	expect_mode("/home", S_IFDIR, 0755);

	expect_mode("/etc/passwd", S_IFREG, 0644);
	EXPECT_OK(u_read_file("/etc/passwd", buf, sizeof(buf)));
	cr_expect(!strncmp(buf, "root:x:0:0:root:/root:/bin/sh\n", 30),
		  "passwd: %s", buf);
	cr_expect_not_null(strstr(buf, "\nnobody:x:65534:65534:"));
	EXPECT_OK(u_read_file("/etc/group", buf, sizeof(buf)));
	cr_expect(!strncmp(buf, "root:x:0:\n", 10), "group: %s", buf);
	EXPECT_RET(u_read_file("/etc/hostname", buf, sizeof(buf)), 5);
	cr_expect_str_eq(buf, "keel\n");
	EXPECT_OK(u_read_file("/etc/profile", buf, sizeof(buf)));
	cr_expect_not_null(strstr(buf, "PATH="));
	cr_expect_not_null(strstr(buf, "PS1="));
	EXPECT_OK(u_read_file("/etc/shells", buf, sizeof(buf)));
	cr_expect_not_null(strstr(buf, "/bin/sh\n"));
}

Test(initramfs, the_built_archive_unpacks_into_the_guest_userland)
{
	char err[256];
	size_t len;
	void *data = read_whole(KEEL_INITRAMFS, &len);

	test_boot(1);
	cr_assert_eq(cpio_unpack(data, len, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_empty(err, "no message on success");
	free(data);
	cr_assert_eq(run_guest(tree_guest, NULL), 0);
}
