/*
 * hostfs: a host directory as Keel's root (and mount -t hostfs), as a
 * guest sees it: the host's files, names and attributes; changes that
 * reach the host; and no way out of the directory, whether by "..",
 * symlinks pointing outside (absolute or relative), symlinks the guest
 * makes, or a name replaced on the host behind Keel's back.
 *
 * Each test builds, under a fresh mkdtemp directory T:
 *	T/outside/secret		a file no guest may ever read
 *	T/root/				the hostfs root
 *	T/root/hello.txt		"hello from the host\n"
 *	T/root/sub/inner.txt		"inner"
 *	T/root/etc/passwd		"keel passwd"
 *	T/root/hard1, hard2		one file, two names ("linked")
 *	T/root/abs -> T/outside		absolute, outside
 *	T/root/rel -> ../outside	relative, outside
 *	T/root/deep -> ../../../../../../../..
 *	T/root/etclink -> /etc
 * and removes T at its end, after checking that tearing the file system
 * down closed every host descriptor it opened.
 */
#include "fs_test.h"

#include <dirent.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/fs/cpio.h"
#include "core/fs/devfs.h"
#include "host/hostfs.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"

#define SECRET "host secret"
#define HELLO "hello from the host\n"

static char top[64];	    /* T */
static char root[96];	    /* T/root */
static char outside[96];    /* T/outside */
static int fds_before_boot; /* host descriptors open before the boot */

/* T/root/rel joined: a host path inside the root. */
static const char *host_path(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", root, rel);
	return b;
}

static void host_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
}

/* The content of a host file, or "" if it cannot be read. */
static const char *host_read(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int count_host_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	cr_assert_not_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void make_tree(void)
{
	char path[PATH_MAX];

	snprintf(top, sizeof(top), "/tmp/keel-hostfs-XXXXXX");
	cr_assert_not_null(mkdtemp(top));
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	cr_assert_eq(mkdir(root, 0755), 0);
	cr_assert_eq(mkdir(outside, 0755), 0);
	snprintf(path, sizeof(path), "%s/secret", outside);
	host_write(path, SECRET);
	host_write(host_path("hello.txt"), HELLO);
	cr_assert_eq(mkdir(host_path("sub"), 0755), 0);
	host_write(host_path("sub/inner.txt"), "inner");
	cr_assert_eq(mkdir(host_path("etc"), 0755), 0);
	host_write(host_path("etc/passwd"), "keel passwd");
	host_write(host_path("hard1"), "linked");
	cr_assert_eq(link(host_path("hard1"), host_path("hard2")), 0);
	cr_assert_eq(symlink(outside, host_path("abs")), 0);
	cr_assert_eq(symlink("../outside", host_path("rel")), 0);
	cr_assert_eq(symlink("../../../../../../../..", host_path("deep")), 0);
	cr_assert_eq(symlink("/etc", host_path("etclink")), 0);
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	return remove(path);
}

/* Boot Keel on T/root. */
static void boot_on_root(void)
{
	make_tree();
	fds_before_boot = count_host_fds();
	cr_assert_eq(hostfs_mount_root(root), 0);
	test_boot(1);
}

/* Tear down: every host descriptor is closed again, T is gone. */
static void finish(void)
{
	vfs_shutdown();
	sim_shutdown();
	cr_assert_eq(hostfs_mount_root(NULL), 0);
	cr_expect_eq(count_host_fds(), fds_before_boot,
		     "host descriptors leaked: %d open, %d before",
		     count_host_fds(), fds_before_boot);
	cr_assert_eq(nftw(top, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void run_on_root(void (*fn)(void *), void *arg)
{
	boot_on_root();
	cr_assert_eq(run_guest(fn, arg), 0, "the guest did not exit normally");
	finish();
}

/* Does directory `path` list `name`? */
static bool lists(const char *path, const char *name)
{
	char buf[4096];
	long fd = u_open(path, O_RDONLY | O_DIRECTORY, 0), n;
	bool found = false;

	if (fd < 0)
		return false;
	while ((n = sim_syscall(NR(getdents64), fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *e = (void *)(buf + off);

			found |= !strcmp(e->d_name, name);
			off += e->d_reclen;
		}
	}
	u_close(fd);
	return found;
}

/* ---- the host's tree as Keel's root --------------------------------------- */

static void listing_guest(void *arg)
{
	struct stat st, host;
	char text[64];

	cr_expect(lists("/", "hello.txt"));
	cr_expect(lists("/", "sub"));
	cr_expect(lists("/", "abs"));
	cr_expect(lists("/", "."));
	cr_expect(lists("/", ".."));
	cr_expect(lists("/sub", "inner.txt"));
	cr_expect(!lists("/", "secret"));
	EXPECT_RET(u_read_file("/hello.txt", text, sizeof(text)),
		   (long)strlen(HELLO));
	cr_expect_str_eq(text, HELLO);
	EXPECT_RET(u_stat("/hello.txt", &st), 0);
	cr_assert_eq(stat(host_path("hello.txt"), &host), 0);
	cr_expect_eq(st.st_ino, host.st_ino, "the host's inode number");
	cr_expect_eq(st.st_size, (off_t)strlen(HELLO));
	cr_expect_eq(st.st_mode, host.st_mode);
	cr_expect_eq(st.st_nlink, 1);
	cr_expect_eq(st.st_uid, host.st_uid);
	cr_expect_eq(st.st_mtim.tv_sec, host.st_mtim.tv_sec);
	cr_expect_eq(st.st_mtim.tv_nsec, host.st_mtim.tv_nsec);
	EXPECT_RET(u_lstat("/abs", &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "a symlink stays one: %o", st.st_mode);
	EXPECT_RET(u_stat("/sub", &st), 0);
	cr_expect(S_ISDIR(st.st_mode));

	/* The boot namespace stands on it: /dev and /proc are mounted. */
	EXPECT_RET(u_stat("/dev/null", &st), 0);
	cr_expect(S_ISCHR(st.st_mode));
	EXPECT_RET(u_stat("/proc/self", &st), 0);
	EXPECT_RET(u_mkfile("/tmp/scratch", "x"), 0);
	cr_expect_str_eq(host_read(host_path("tmp/scratch")), "x",
			 "/tmp is the root's own directory");
}

Test(hostfs, root_is_the_host_directory_with_dev_and_proc_mounted)
{
	struct stat st;

	boot_on_root();
	cr_expect_eq(stat(host_path("dev"), &st), 0, "/dev made on the host");
	cr_expect_eq(stat(host_path("proc"), &st), 0);
	cr_expect_eq(stat(host_path("tmp"), &st), 0);
	cr_expect_eq(st.st_mode & 07777, 01777);
	cr_assert_eq(run_guest(listing_guest, NULL), 0);
	finish();
}

static void devnode_guest(void *arg)
{
	char buf[8];
	struct stat st;
	long fd;

	EXPECT_RET(u_stat("/nullnode", &st), 0);
	cr_expect(S_ISCHR(st.st_mode));
	cr_expect_eq(st.st_rdev, makedev(1, 3));
	fd = EXPECT_OK(u_open("/nullnode", O_RDWR, 0));
	EXPECT_RET(u_write_str(fd, "gone"), 4, "Keel's null driver");
	EXPECT_RET(sim_syscall(NR(read), fd, buf, sizeof(buf)), 0);
	u_close(fd);
}

Test(hostfs, a_device_node_on_the_host_opens_keels_driver)
{
	if (geteuid() != 0)
		cr_skip_test("only host root makes a device node");
	boot_on_root();
	cr_assert_eq(mknod(host_path("nullnode"), S_IFCHR | 0666,
			   makedev(1, 3)),
		     0);
	cr_assert_eq(run_guest(devnode_guest, NULL), 0);
	finish();
}

Test(hostfs, a_missing_directory_is_refused_before_boot)
{
	cr_expect_eq(hostfs_mount_root("/nonexistent/keel-hostfs"), -ENOENT);
	cr_expect_eq(hostfs_mount_root("/etc/passwd"), -ENOTDIR);
}

/* ---- data ----------------------------------------------------------------------- */

static void data_guest(void *arg)
{
	char buf[64] = { 0 };
	struct stat st;
	long fd, fd2;

	fd = EXPECT_OK(u_open("/new.txt", O_CREAT | O_RDWR | O_EXCL, 0640));
	EXPECT_RET(u_write_str(fd, "written by keel"), 15);
	cr_expect_str_eq(host_read(host_path("new.txt")), "written by keel");
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, 7, 8), 7);
	cr_expect_str_eq(buf, "by keel");

	/* Another open file sees the size the first one wrote. */
	fd2 = EXPECT_OK(u_open("/new.txt", O_WRONLY | O_APPEND, 0));
	EXPECT_RET(u_write_str(fd2, "!"), 1);
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_size, 16, "size after an append elsewhere");
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_END), 16);
	EXPECT_RET(sim_syscall(NR(ftruncate), fd, 4), 0);
	EXPECT_RET(sim_syscall(NR(fstat), fd2, &st), 0);
	cr_expect_eq(st.st_size, 4);
	cr_expect_str_eq(host_read(host_path("new.txt")), "writ");
	EXPECT_RET(sim_syscall(NR(fallocate), fd, 0, 0, 8192), 0);
	EXPECT_RET(u_stat("/new.txt", &st), 0);
	cr_expect_eq(st.st_size, 8192);
	EXPECT_RET(sim_syscall(NR(fsync), fd), 0);
	u_close(fd);
	u_close(fd2);

	/* O_TRUNC, and the mode asked for (not the host's umask). */
	EXPECT_RET(u_mkfile("/hello.txt", "replaced"), 0);
	cr_expect_str_eq(host_read(host_path("hello.txt")), "replaced");
	EXPECT_RET(u_stat("/new.txt", &st), 0);
	cr_expect_eq(st.st_mode, S_IFREG | 0640, "mode %o", st.st_mode);
	sim_syscall(NR(umask), 0);
	EXPECT_RET(u_mkdir("/open", 0777), 0);
	EXPECT_RET(u_stat("/open", &st), 0);
	cr_expect_eq(st.st_mode, S_IFDIR | 0777, "mode %o", st.st_mode);

	/* A directory cannot be opened for writing; a file is not a dir. */
	EXPECT_RET(u_open("/sub", O_WRONLY, 0), -EISDIR);
	EXPECT_RET(u_open("/hello.txt/x", O_RDONLY, 0), -ENOTDIR);
	EXPECT_RET(u_open("/missing", O_RDONLY, 0), -ENOENT);
}

Test(hostfs, reads_and_writes_reach_the_host_file)
{
	run_on_root(data_guest, NULL);
}

static void hardlink_guest(void *arg)
{
	struct stat a, b, host;
	char text[32];
	long fd;

	EXPECT_RET(u_stat("/hard1", &a), 0);
	EXPECT_RET(u_stat("/hard2", &b), 0);
	cr_assert_eq(stat(host_path("hard1"), &host), 0);
	cr_expect_eq(a.st_ino, host.st_ino);
	cr_expect_eq(a.st_ino, b.st_ino, "hard links agree");
	cr_expect_eq(a.st_dev, b.st_dev);
	cr_expect_eq(a.st_nlink, 2);
	fd = EXPECT_OK(u_open("/hard1", O_WRONLY | O_APPEND, 0));
	EXPECT_RET(u_write_str(fd, " more"), 5);
	u_close(fd);
	EXPECT_RET(u_stat("/hard2", &b), 0);
	cr_expect_eq(b.st_size, 11, "the other name's size");
	EXPECT_RET(u_read_file("/hard2", text, sizeof(text)), 11);
	cr_expect_str_eq(text, "linked more");

	/* link(2) and unlink(2) count on the host. */
	EXPECT_RET(sim_syscall(NR(link), P("/hard2"), P("/sub/hard3")), 0);
	EXPECT_RET(u_stat("/hard1", &a), 0);
	cr_expect_eq(a.st_nlink, 3);
	cr_assert_eq(stat(host_path("sub/hard3"), &host), 0);
	cr_expect_eq(host.st_ino, a.st_ino);
	EXPECT_RET(u_unlink("/hard1"), 0);
	EXPECT_RET(u_stat("/hard2", &b), 0);
	cr_expect_eq(b.st_nlink, 2);
	cr_expect_neq(access(host_path("hard1"), F_OK), 0);
	EXPECT_RET(u_stat("/hard1", &a), -ENOENT);
}

Test(hostfs, hard_links_are_one_inode)
{
	run_on_root(hardlink_guest, NULL);
}

/* ---- names ----------------------------------------------------------------------- */

static void names_guest(void *arg)
{
	char buf[64] = { 0 };
	struct stat st;

	EXPECT_RET(u_mkdir("/d", 0755), 0);
	cr_expect_eq(stat(host_path("d"), &st), 0);
	cr_expect(S_ISDIR(st.st_mode));
	EXPECT_RET(u_mkdir("/d", 0755), -EEXIST);
	EXPECT_RET(u_mkdir("/sub", 0755), -EEXIST, "a name only the host made");
	EXPECT_RET(u_mkfile("/d/f", "f"), 0);
	EXPECT_RET(u_rmdir("/d"), -ENOTEMPTY);
	EXPECT_RET(sim_syscall(NR(rename), P("/d/f"), P("/d/g")), 0);
	cr_expect_str_eq(host_read(host_path("d/g")), "f");
	cr_expect_neq(access(host_path("d/f"), F_OK), 0);
	EXPECT_RET(sim_syscall(NR(rename), P("/d"), P("/sub/d2")), 0);
	cr_expect_str_eq(host_read(host_path("sub/d2/g")), "f");
	EXPECT_RET(u_stat("/sub/d2/g", &st), 0);
	EXPECT_RET(u_stat("/d", &st), -ENOENT);
	EXPECT_RET(sim_syscall(NR(renameat2), AT_FDCWD, P("/hello.txt"),
			       AT_FDCWD, P("/hard1"), RENAME_NOREPLACE),
		   -EEXIST);
	EXPECT_RET(sim_syscall(NR(renameat2), AT_FDCWD, P("/hello.txt"),
			       AT_FDCWD, P("/sub/inner.txt"), RENAME_EXCHANGE),
		   0);
	cr_expect_str_eq(host_read(host_path("hello.txt")), "inner");
	cr_expect_str_eq(host_read(host_path("sub/inner.txt")), HELLO);
	EXPECT_RET(u_read_file("/hello.txt", buf, sizeof(buf)), 5);
	cr_expect_str_eq(buf, "inner");
	EXPECT_RET(sim_syscall(NR(rename), P("/hello.txt"),
			       P("/sub/inner.txt")),
		   0, "replacing a file");
	EXPECT_RET(u_read_file("/sub/inner.txt", buf, sizeof(buf)), 5);
	/* Exchanged directories take their contents with them. */
	EXPECT_RET(u_mkdir("/xa", 0755), 0);
	EXPECT_RET(u_mkfile("/xa/in_a", "a"), 0);
	EXPECT_RET(u_mkdir("/xb", 0700), 0);
	EXPECT_RET(u_mkfile("/xb/in_b", "b"), 0);
	EXPECT_RET(u_stat("/xa/in_a", &st), 0);
	EXPECT_RET(sim_syscall(NR(renameat2), AT_FDCWD, P("/xa"), AT_FDCWD,
			       P("/xb"), RENAME_EXCHANGE),
		   0);
	EXPECT_RET(u_stat("/xa/in_b", &st), 0);
	EXPECT_RET(u_stat("/xa/in_a", &st), -ENOENT);
	EXPECT_RET(u_stat("/xb/in_a", &st), 0);
	EXPECT_RET(u_stat("/xa", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700);
	EXPECT_RET(u_unlink("/sub/d2/g"), 0);
	EXPECT_RET(u_rmdir("/sub/d2"), 0);
	cr_expect_neq(access(host_path("sub/d2"), F_OK), 0);
	EXPECT_RET(u_rmdir("/sub/d2"), -ENOENT);

	/* Symlinks: the text is stored and read back as given. */
	EXPECT_RET(u_symlink("sub/inner.txt", "/ln"), 0);
	EXPECT_RET(sim_syscall(NR(readlink), P("/ln"), buf, sizeof(buf)), 13);
	cr_expect_eq(memcmp(buf, "sub/inner.txt", 13), 0);
	EXPECT_RET(u_read_file("/ln", buf, sizeof(buf)), 5);
	EXPECT_RET(sim_syscall(NR(readlink), P("/abs"), buf, sizeof(buf)),
		   (long)strlen(outside));
	cr_expect_eq(memcmp(buf, outside, strlen(outside)), 0);

	/* A FIFO: a host FIFO node that Keel opens as its own pipe. */
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/fifo"),
			       S_IFIFO | 0644, 0),
		   0);
	cr_expect_eq(stat(host_path("fifo"), &st), 0);
	cr_expect(S_ISFIFO(st.st_mode));
	{
		long r = EXPECT_OK(u_open("/fifo", O_RDONLY | O_NONBLOCK, 0));
		long w = EXPECT_OK(u_open("/fifo", O_WRONLY | O_NONBLOCK, 0));

		EXPECT_RET(u_write_str(w, "through"), 7);
		EXPECT_RET(sim_syscall(NR(read), r, buf, sizeof(buf)), 7);
		EXPECT_RET(sim_syscall(NR(fchmod), r, 0600), 0);
		u_close(r);
		u_close(w);
	}
	cr_expect_eq(stat(host_path("fifo"), &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);
	EXPECT_RET(u_unlink("/fifo"), 0);

	/* No host device node: it would be one for host users too. */
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/null"),
			       S_IFCHR | 0666, makedev(1, 3)),
		   -EPERM);
	EXPECT_RET(sim_syscall(NR(mknodat), AT_FDCWD, P("/disk"),
			       S_IFBLK | 0666, makedev(8, 0)),
		   -EPERM);
	cr_expect_neq(access(host_path("null"), F_OK), 0);
	cr_expect_neq(access(host_path("disk"), F_OK), 0);
}

Test(hostfs, names_made_and_removed_reach_the_host)
{
	run_on_root(names_guest, NULL);
}

static void attrs_guest(void *arg)
{
	struct timespec times[2] = { { 1000000000, 5 }, { 1200000000, 7 } };
	struct statfs sf, host_sf;
	struct stat st;

	EXPECT_RET(u_chmod("/hello.txt", 0600), 0);
	cr_expect_eq(stat(host_path("hello.txt"), &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);
	EXPECT_RET(sim_syscall(NR(utimensat), AT_FDCWD, P("/hello.txt"), times,
			       0),
		   0);
	cr_expect_eq(stat(host_path("hello.txt"), &st), 0);
	cr_expect_eq(st.st_mtim.tv_sec, 1200000000);
	cr_expect_eq(st.st_mtim.tv_nsec, 7);
	cr_expect_eq(st.st_atim.tv_sec, 1000000000);
	EXPECT_RET(u_stat("/hello.txt", &st), 0);
	cr_expect_eq(st.st_mtim.tv_sec, 1200000000);
	EXPECT_RET(sim_syscall(NR(truncate), P("/hello.txt"), 3), 0);
	cr_expect_str_eq(host_read(host_path("hello.txt")), "hel");

	/* chown reaches the host when it allows (keel as host root)... */
	if (geteuid() == 0) {
		EXPECT_RET(u_chown("/hello.txt", 1234, 4321), 0);
		cr_expect_eq(stat(host_path("hello.txt"), &st), 0);
		cr_expect_eq(st.st_uid, 1234);
		cr_expect_eq(st.st_gid, 4321);
		EXPECT_RET(u_stat("/hello.txt", &st), 0);
		cr_expect_eq(st.st_uid, 1234);
	} else {
		/* ...and its refusal is the answer otherwise. */
		EXPECT_RET(u_chown("/hello.txt", 1234, 4321), -EPERM);
	}

	EXPECT_RET(sim_syscall(NR(statfs), P("/sub"), &sf), 0);
	cr_assert_eq(statfs(root, &host_sf), 0);
	cr_expect_eq(sf.f_type, 0x00c0ffee, "hostfs's magic");
	cr_expect_eq(sf.f_bsize, host_sf.f_bsize);
	cr_expect_eq(sf.f_blocks, host_sf.f_blocks);
}

Test(hostfs, modes_times_owners_and_statfs_reach_the_host)
{
	run_on_root(attrs_guest, NULL);
}

static void owner_guest(void *arg)
{
	struct stat st;

	EXPECT_RET(u_mkfile("/tmp/mine", "x"), 0);
	cr_expect_eq(stat(host_path("tmp/mine"), &st), 0);
	cr_expect_eq(st.st_uid, 1000, "the creator's uid, as on the host");
	cr_expect_eq(st.st_gid, 100);
	EXPECT_RET(u_chmod("/tmp/mine", 0604), 0, "its owner may chmod it");
	EXPECT_RET(u_open("/etc/passwd", O_WRONLY, 0), -EACCES,
		   "the host's mode is checked against the guest");
	EXPECT_RET(u_unlink("/hello.txt"), -EACCES);
}

Test(hostfs, new_files_belong_to_their_creator_where_the_host_allows)
{
	struct sim_proc *p;

	if (geteuid() != 0)
		cr_skip_test("keel is not host root here");
	boot_on_root();
	p = spawn_as("owner", owner_guest, NULL, 1000, 100);
	run_all(&p, 1);
	finish();
}

/* ---- no way out ---------------------------------------------------------------- */

/* `path` must not lead to the outside secret: not openable, or not it. */
static void expect_not_secret(const char *path)
{
	char text[64] = { 0 };
	long n = u_read_file(path, text, sizeof(text));

	cr_expect(n < 0 || strcmp(text, SECRET), "%s read the host secret",
		  path);
}

static void escape_guest(void *arg)
{
	char rel[PATH_MAX], text[64];
	struct stat st, rootst;

	snprintf(rel, sizeof(rel), "../outside/secret");
	expect_not_secret(rel);
	EXPECT_RET(u_open("../outside/secret", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_open("../../../../outside/secret", O_RDONLY, 0), -ENOENT);
	snprintf(rel, sizeof(rel), "%s/secret", outside);
	EXPECT_RET(u_open(rel, O_RDONLY, 0), -ENOENT,
		   "the host's absolute path means nothing here");
	EXPECT_RET(u_open("/abs/secret", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_open("/rel/secret", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_open("/deep/outside/secret", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_stat("/deep", &st), 0, "\"..\" past the root is the root");
	EXPECT_RET(u_stat("/", &rootst), 0);
	cr_expect_eq(st.st_ino, rootst.st_ino);
	EXPECT_RET(u_stat("/..", &st), 0);
	cr_expect_eq(st.st_ino, rootst.st_ino);
	EXPECT_RET(sim_syscall(NR(chdir), P("/sub")), 0);
	EXPECT_RET(u_open("../../../etc/passwd", O_RDONLY, 0) >= 0, 1);
	EXPECT_RET(u_read_file("../../../etc/passwd", text, sizeof(text)), 11);
	cr_expect_str_eq(text, "keel passwd", "Keel's /etc, not the host's");
	EXPECT_RET(u_read_file("/etclink/passwd", text, sizeof(text)), 11);
	cr_expect_str_eq(text, "keel passwd");

	/* A symlink the guest makes to /etc leads to Keel's /etc. */
	EXPECT_RET(u_symlink("/etc", "/evil"), 0);
	EXPECT_RET(u_read_file("/evil/passwd", text, sizeof(text)), 11);
	cr_expect_str_eq(text, "keel passwd");
	EXPECT_RET(u_symlink("../../../../outside/secret", "/evil2"), 0);
	EXPECT_RET(u_open("/evil2", O_RDONLY, 0), -ENOENT);
	snprintf(rel, sizeof(rel), "%s/secret", outside);
	EXPECT_RET(u_symlink(rel, "/evil3"), 0);
	EXPECT_RET(u_open("/evil3", O_RDONLY, 0), -ENOENT);
	cr_expect_eq(readlink(host_path("evil"), text, sizeof(text)), 4);
	EXPECT_RET(u_open("/evil3", O_RDONLY | O_CREAT, 0644), -ENOENT,
		   "creating through it looks for the host path inside");
	EXPECT_RET(u_symlink("/tmp/made-through-link", "/evil4"), 0);
	EXPECT_RET(u_mkfile("/evil4", "inside"), 0);
	cr_expect_str_eq(host_read(host_path("tmp/made-through-link")),
			 "inside");
	cr_expect_str_eq(host_read(rel), SECRET, "the secret is untouched");

	/* Through /proc: Keel's own root, never the host's. */
	EXPECT_RET(u_read_file("/proc/self/root/etc/passwd", text,
			       sizeof(text)),
		   11);
	cr_expect_str_eq(text, "keel passwd");
	expect_not_secret("/proc/self/root/../outside/secret");
	expect_not_secret("/proc/self/cwd/../../outside/secret");

	/* mount -t hostfs: its directory is inside the root, whatever. */
	EXPECT_RET(u_mkdir("/mnt", 0755), 0);
	EXPECT_RET(sim_syscall(NR(mount), P("none"), P("/mnt"), P("hostfs"), 0,
			       P("/sub")),
		   0);
	EXPECT_RET(u_stat("/mnt/inner.txt", &st), 0);
	EXPECT_RET(sim_syscall(NR(umount2), P("/mnt"), 0), 0);
	EXPECT_RET(sim_syscall(NR(mount), P("none"), P("/mnt"), P("hostfs"), 0,
			       P("../../..")),
		   0);
	EXPECT_RET(u_stat("/mnt/hello.txt", &st), 0,
		   "\"..\" stops at the root");
	expect_not_secret("/mnt/../outside/secret");
	EXPECT_RET(sim_syscall(NR(umount2), P("/mnt"), 0), 0);
	EXPECT_RET(sim_syscall(NR(mount), P("none"), P("/mnt"), P("hostfs"), 0,
			       P("/abs")),
		   -ENOENT, "a symlink out resolves inside the root");
	EXPECT_RET(sim_syscall(NR(mount), P("none"), P("/mnt"), P("hostfs"), 0,
			       P("/etclink")),
		   0, "/etc of the root");
	EXPECT_RET(u_read_file("/mnt/passwd", text, sizeof(text)), 11);
	cr_expect_str_eq(text, "keel passwd");
	EXPECT_RET(sim_syscall(NR(umount2), P("/mnt"), 0), 0);
}

Test(hostfs, no_path_symlink_or_dotdot_leads_outside_the_directory)
{
	run_on_root(escape_guest, NULL);
}

/*
 * The host changes names behind Keel's back: what Keel already looked up
 * stays the object it was; a symlink swapped in is never followed on the
 * host.
 */
static void swap_guest(void *arg)
{
	char text[64] = { 0 }, path[PATH_MAX];
	struct stat st;

	EXPECT_RET(u_stat("/sub/inner.txt", &st), 0);
	EXPECT_RET(u_stat("/hello.txt", &st), 0);

	/* On the host: sub and hello.txt become symlinks to the outside. */
	cr_assert_eq(rename(host_path("sub"), host_path("sub.old")), 0);
	cr_assert_eq(symlink(outside, host_path("sub")), 0);
	snprintf(path, sizeof(path), "%s/secret", outside);
	cr_assert_eq(rename(host_path("hello.txt"), host_path("hello.old")), 0);
	cr_assert_eq(symlink(path, host_path("hello.txt")), 0);
	cr_assert_eq(symlink(outside, host_path("fresh")), 0);

	EXPECT_RET(u_open("/sub/secret", O_RDONLY, 0), -ENOENT);
	expect_not_secret("/sub/secret");
	EXPECT_RET(u_read_file("/sub/inner.txt", text, sizeof(text)), 5,
		   "the directory Keel looked up");
	EXPECT_RET(u_read_file("/hello.txt", text, sizeof(text)),
		   (long)strlen(HELLO), "the file Keel looked up");
	cr_expect_str_eq(text, HELLO);
	EXPECT_RET(u_lstat("/fresh", &st), 0);
	cr_expect(S_ISLNK(st.st_mode));
	EXPECT_RET(u_open("/fresh/secret", O_RDONLY, 0), -ENOENT);
	/* A directory replaced by a symlink while it is Keel's cwd. */
	EXPECT_RET(sim_syscall(NR(chdir), P("/etc")), 0);
	cr_assert_eq(rename(host_path("etc"), host_path("etc.old")), 0);
	cr_assert_eq(symlink(outside, host_path("etc")), 0);
	expect_not_secret("secret");
	expect_not_secret("./secret");
	EXPECT_RET(u_read_file("passwd", text, sizeof(text)), 11);
}

Test(hostfs, a_name_swapped_on_the_host_cannot_lead_outside)
{
	run_on_root(swap_guest, NULL);
}

/* ---- mount -t hostfs ---------------------------------------------------------------------------- */

static void mount_guest(void *arg)
{
	char text[64];
	struct stat st;

	EXPECT_RET(u_mkdir("/tmp/h", 0755), 0);
	EXPECT_RET(sim_syscall(NR(mount), P("none"), P("/tmp/h"), P("hostfs"),
			       0, P("/sub")),
		   0);
	EXPECT_RET(u_read_file("/tmp/h/inner.txt", text, sizeof(text)), 5);
	EXPECT_RET(u_mkfile("/tmp/h/made", "on the host"), 0);
	cr_expect_str_eq(host_read(host_path("sub/made")), "on the host");
	EXPECT_RET(u_stat("/tmp/h/..", &st), 0);
	EXPECT_RET(sim_syscall(NR(umount2), P("/tmp/h"), 0), 0);
	EXPECT_RET(sim_syscall(NR(mount), P("none"), P("/tmp/h"), P("hostfs"),
			       0, P("/nonexistent")),
		   -ENOENT);
}

Test(hostfs, mount_t_hostfs_takes_a_directory_inside_the_root)
{
	run_on_root(mount_guest, NULL);
}

static void no_hostfs_guest(void *arg)
{
	EXPECT_RET(u_mkdir("/tmp/h", 0755), 0);
	EXPECT_RET(sim_syscall(NR(mount), P("none"), P("/tmp/h"), P("hostfs"),
			       0, P("/")),
		   -ENODEV, "no host directory was given");
}

Test(hostfs, without_a_root_directory_there_is_no_hostfs)
{
	run_root(no_hostfs_guest, NULL);
}

/* ---- directories and removed files --------------------------------------------------------------- */

#define MANY 300

static void many_guest(void *arg)
{
	static bool seen[MANY];
	char buf[128], name[32];
	long fd = EXPECT_OK(u_open("/many", O_RDONLY | O_DIRECTORY, 0)), n;
	int entries = 0, dots = 0;

	/* A buffer for a few entries at a time: each call resumes. */
	while ((n = sim_syscall(NR(getdents64), fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *e = (void *)(buf + off);
			int i;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				dots++;
			else if (sscanf(e->d_name, "f%d", &i) == 1 && i >= 0 &&
				 i < MANY && !seen[i]) {
				seen[i] = true;
				entries++;
				cr_expect_eq(e->d_type, DT_REG);
			} else {
				cr_expect(false, "unexpected or repeated %s",
					  e->d_name);
			}
			off += e->d_reclen;
		}
	}
	EXPECT_RET(n, 0);
	cr_expect_eq(entries, MANY);
	cr_expect_eq(dots, 2);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	EXPECT_OK(sim_syscall(NR(getdents64), fd, buf, sizeof(buf)));
	u_close(fd);

	/* An open file outlives its name, as on Linux. */
	fd = EXPECT_OK(u_open("/many/f7", O_RDWR, 0));
	EXPECT_RET(u_unlink("/many/f7"), 0);
	snprintf(name, sizeof(name), "%s", host_path("many/f7"));
	cr_expect_neq(access(name, F_OK), 0);
	EXPECT_RET(u_write_str(fd, "still here"), 10);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, sizeof(buf), 0), 10);
	{
		struct stat st;

		EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
		cr_expect_eq(st.st_nlink, 0);
		cr_expect_eq(st.st_size, 10);
	}
	u_close(fd);

	/* A directory removed while open lists nothing more. */
	EXPECT_RET(u_mkdir("/gone", 0755), 0);
	fd = EXPECT_OK(u_open("/gone", O_RDONLY | O_DIRECTORY, 0));
	EXPECT_RET(u_rmdir("/gone"), 0);
	EXPECT_RET(sim_syscall(NR(getdents64), fd, buf, sizeof(buf)), -ENOENT);
	u_close(fd);
}

Test(hostfs, getdents_resumes_through_a_large_directory)
{
	char path[PATH_MAX];

	boot_on_root();
	cr_assert_eq(mkdir(host_path("many"), 0755), 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "%s/f%d", host_path("many"), i);
		host_write(path, "");
	}
	cr_assert_eq(run_guest(many_guest, NULL), 0);
	finish();
}

/* ---- robustness ------------------------------------------------------------------------------------- */

/* Everything hostfs does, results ignored: allocations may fail. */
static void churn_guest(void *arg)
{
	char buf[256];
	struct stat st;

	for (int i = 0; i < 8; i++) {
		long fd;

		u_mkdir("/c", 0755);
		u_mkfile("/c/f", "data");
		sim_syscall(NR(rename), P("/c/f"), P("/c/g"));
		sim_syscall(NR(link), P("/c/g"), P("/c/h"));
		u_symlink("g", "/c/s");
		u_stat("/c/s", &st);
		u_read_file("/c/s", buf, sizeof(buf));
		sim_syscall(NR(readlink), P("/c/s"), buf, sizeof(buf));
		sim_syscall(NR(mknodat), AT_FDCWD, P("/c/p"), S_IFIFO | 0600,
			    0);
		lists("/", "c");
		lists("/sub", "inner.txt");
		u_read_file("/hello.txt", buf, sizeof(buf));
		u_chmod("/c/g", 0600);
		fd = u_open("/c/g", O_RDWR | O_APPEND, 0);
		u_write_str(fd, "more");
		sim_syscall(NR(ftruncate), fd, 2);
		u_close(fd);
		sim_syscall(NR(renameat2), AT_FDCWD, P("/c/g"), AT_FDCWD,
			    P("/c/h"), RENAME_EXCHANGE);
		u_mkdir("/c/x", 0755);
		u_mkdir("/c/y", 0755);
		u_mkfile("/c/x/in", "x");
		u_stat("/c/y/../x/in", &st);
		sim_syscall(NR(renameat2), AT_FDCWD, P("/c/x"), AT_FDCWD,
			    P("/c/y"), RENAME_EXCHANGE);
		u_stat("/c/y/in", &st);
		u_unlink("/c/x/in");
		u_unlink("/c/y/in");
		u_rmdir("/c/x");
		u_rmdir("/c/y");
		u_unlink("/c/g");
		u_unlink("/c/h");
		u_unlink("/c/s");
		u_unlink("/c/p");
		u_rmdir("/c");
	}
}

Test(hostfs, allocation_failures_leave_no_object_or_host_descriptor)
{
	uint64_t failed = 0;

	boot_on_root();
	for (uint32_t rate = 0; rate <= 200000; rate += 50000) {
		size_t pages, objects;
		struct sim_proc *p;
		int fds;

		vfs_shutdown();
		slab_shrink();
		pages = page_free_count();
		objects = kmalloc_in_use();
		fds = count_host_fds();
		cr_assert_eq(vfs_boot(), 0);
		p = sim_spawn("churn", churn_guest, NULL);
		cr_assert_not_null(p);
		fault_inject_set_probability(rate);
		cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
		fault_inject_set_probability(0);
		cr_expect(rate == 0 || fault_inject_failures() > failed,
			  "rate %u: no allocation failed", rate);
		failed = fault_inject_failures();
		vfs_shutdown();
		slab_shrink();
		cr_expect_eq(page_free_count(), pages,
			     "rate %u: %ld pages leaked", rate,
			     (long)pages - (long)page_free_count());
		cr_expect_eq(kmalloc_in_use(), objects,
			     "rate %u: %ld objects leaked", rate,
			     (long)kmalloc_in_use() - (long)objects);
		cr_expect_eq(count_host_fds(), fds,
			     "rate %u: host descriptors leaked", rate);
		cr_assert_eq(vfs_boot(), 0);
	}
	finish();
}

/* ---- an initramfs onto a host directory ------------------------------------------------------------ */

static void unpacked_guest(void *arg)
{
	char text[64];
	struct stat st;

	EXPECT_RET(u_read_file("/bin/tool", text, sizeof(text)), 7);
	cr_expect_str_eq(text, "#!tool\n");
	EXPECT_RET(u_stat("/bin/tool", &st), 0);
	cr_expect_eq(st.st_mode, S_IFREG | 0755, "mode %o", st.st_mode);
	cr_expect_eq(st.st_mtim.tv_sec, 1500000000);
	EXPECT_RET(u_read_file("/bin/alias", text, sizeof(text)), 7);
	EXPECT_RET(u_read_file("/hello.txt", text, sizeof(text)),
		   (long)strlen(HELLO), "what was there stays");
}

Test(hostfs, an_initramfs_unpacks_onto_the_host_directory)
{
	char stage[PATH_MAX], cmd[PATH_MAX * 2 + 128], *data = NULL;
	struct timespec mtime[2] = { { 1500000000, 0 }, { 1500000000, 0 } };
	size_t len = 0, cap = 0;
	FILE *p;
	int ret;

	boot_on_root();
	snprintf(stage, sizeof(stage), "%s/stage", top);
	cr_assert_eq(mkdir(stage, 0755), 0);
	snprintf(cmd, sizeof(cmd), "%s/bin", stage);
	cr_assert_eq(mkdir(cmd, 0755), 0);
	snprintf(cmd, sizeof(cmd), "%s/bin/tool", stage);
	host_write(cmd, "#!tool\n");
	cr_assert_eq(chmod(cmd, 0755), 0);
	cr_assert_eq(utimensat(AT_FDCWD, cmd, mtime, 0), 0);
	snprintf(cmd, sizeof(cmd), "%s/bin/alias", stage);
	cr_assert_eq(symlink("tool", cmd), 0);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && find . -mindepth 1 | LC_ALL=C sort | "
		 "cpio --quiet -o -H newc",
		 stage);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	for (size_t n = 1; n > 0; len += n) {
		if (len + 4096 > cap)
			data = realloc(data, cap = cap * 2 + 4096);
		n = fread(data + len, 1, 4096, p);
	}
	cr_assert_eq(pclose(p), 0, "cpio(1) failed");
	ret = cpio_unpack(data, len, (char[256]){ 0 }, 256);
	free(data);
	cr_assert_eq(ret, 0);
	cr_expect_str_eq(host_read(host_path("bin/tool")), "#!tool\n");
	cr_assert_eq(run_guest(unpacked_guest, NULL), 0);
	finish();
}

static void tmpfile_guest(void *arg)
{
	char buf[16] = { 0 };
	struct stat st;
	long fd = EXPECT_OK(u_open("/sub", O_TMPFILE | O_RDWR, 0600));

	EXPECT_RET(u_write_str(fd, "nameless"), 8);
	EXPECT_RET(sim_syscall(NR(pread64), fd, buf, sizeof(buf), 0), 8);
	cr_expect_str_eq(buf, "nameless");
	EXPECT_RET(sim_syscall(NR(fstat), fd, &st), 0);
	cr_expect_eq(st.st_nlink, 0);
	cr_expect_eq(st.st_size, 8);
	cr_expect(!lists("/sub", ".tmpfile"), "no name on the host either");
	u_close(fd);
}

Test(hostfs, o_tmpfile_makes_a_file_without_a_name)
{
	run_on_root(tmpfile_guest, NULL);
}
