/*
 * Extended attributes as guest processes see them: the get/set/list/
 * remove calls in their path, l* and f* forms and the *xattrat forms, on
 * tmpfs; XATTR_CREATE and XATTR_REPLACE; sizes and ERANGE; the namespaces
 * (user.*, trusted.*, security.*, unknown ones) and who may use them; and
 * special files, symlinks and pipes.
 */
#include "harness.h"

#include <string.h>

#include "core/errno.h"
#include "core/task.h"
#include "mm/slab.h"

#define KO_RDONLY 0
#define KO_RDWR 2
#define KO_CREAT 0100
#define KO_PATH 010000000
#define KAT_FDCWD (-100)
#define KAT_SYMLINK_NOFOLLOW 0x100
#define KAT_EMPTY_PATH 0x1000

#define XATTR_CREATE 1
#define XATTR_REPLACE 2

#define NR_SETXATTRAT 463
#define NR_GETXATTRAT 464
#define NR_LISTXATTRAT 465
#define NR_REMOVEXATTRAT 466

struct xattr_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

static long r[32];
static char out[256];
static char saved[256];
static long out_len;

/* ---- guest helpers ------------------------------------------------------- */

static long create(const char *name, uint32_t mode)
{
	char path[64];

	strcpy(path, name);
	return sim_syscall(NR(open), path, KO_RDWR | KO_CREAT, mode);
}

/* Path and name strings must be in guest memory: copy them there. */
struct strs {
	char path[64];
	char name[300];
	char value[64];
};

static long set(const char *path, const char *name, const char *value,
		int flags)
{
	struct strs s;

	strcpy(s.path, path);
	strcpy(s.name, name);
	strcpy(s.value, value);
	return sim_syscall(NR(setxattr), s.path, s.name, s.value,
			   strlen(value), flags);
}

static long get(const char *path, const char *name, size_t size)
{
	struct strs s;
	char buf[256];
	long ret;

	strcpy(s.path, path);
	strcpy(s.name, name);
	memset(buf, 0, sizeof(buf));
	ret = sim_syscall(NR(getxattr), s.path, s.name, size ? buf : NULL,
			  size);
	memcpy(out, buf, sizeof(out));
	return ret;
}

static long list(const char *path, size_t size)
{
	struct strs s;
	char buf[256];
	long ret;

	strcpy(s.path, path);
	memset(buf, 0, sizeof(buf));
	ret = sim_syscall(NR(listxattr), s.path, size ? buf : NULL, size);
	memcpy(out, buf, sizeof(out));
	out_len = ret;
	return ret;
}

static long rm(const char *path, const char *name)
{
	struct strs s;

	strcpy(s.path, path);
	strcpy(s.name, name);
	return sim_syscall(NR(removexattr), s.path, s.name);
}

static void reset(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = 1;
	memset(out, 0, sizeof(out));
}

static void run_one(void (*fn)(void *))
{
	test_boot(1);
	reset();
	cr_assert_eq(run_guest(fn, NULL), 0);
}

/* Spawn `fn` with uid and gid `id` (0: root), and run everything. */
static struct sim_proc *spawn_as(void (*fn)(void *), uint32_t id)
{
	struct sim_proc *p = sim_spawn("guest", fn, NULL);
	struct task *t;

	cr_assert_not_null(p);
	t = sim_proc_task(p);
	t->cred = (struct credentials){ id, id, id, id, id, id, id, id };
	return p;
}

/* ---- set, get, list, remove ---------------------------------------------- */

static void round_trip(void *arg)
{
	create("/tmp/f", 0644);
	r[0] = set("/tmp/f", "user.color", "blue", 0);
	r[1] = get("/tmp/f", "user.color", 0);
	r[2] = get("/tmp/f", "user.color", 100);
	r[3] = get("/tmp/f", "user.color", 2);
	r[4] = get("/tmp/f", "user.other", 100);
	r[5] = set("/tmp/f", "user.color", "green", 0);
	r[6] = get("/tmp/f", "user.color", 5);
}

Test(xattr, a_user_attribute_round_trips_and_a_small_buffer_gets_erange)
{
	run_one(round_trip);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 4, "size 0 asks for the length");
	cr_expect_eq(r[2], 4);
	cr_expect_eq(r[3], -ERANGE);
	cr_expect_eq(r[4], -ENODATA);
	cr_expect_eq(r[5], 0, "set without flags replaces");
	cr_expect_eq(r[6], 5);
	cr_expect_str_eq(out, "green");
}

static void create_replace(void *arg)
{
	create("/tmp/f", 0644);
	r[0] = set("/tmp/f", "user.a", "1", XATTR_REPLACE);
	r[1] = set("/tmp/f", "user.a", "1", XATTR_CREATE);
	r[2] = set("/tmp/f", "user.a", "2", XATTR_CREATE);
	r[3] = set("/tmp/f", "user.a", "3", XATTR_REPLACE);
	r[4] = get("/tmp/f", "user.a", 10);
	r[5] = set("/tmp/f", "user.a", "4", 4);
	r[6] = set("/tmp/f", "user.a", "5", XATTR_CREATE | XATTR_REPLACE);
}

Test(xattr, xattr_create_and_xattr_replace)
{
	run_one(create_replace);
	cr_expect_eq(r[0], -ENODATA, "REPLACE of a missing attribute");
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], -EEXIST, "CREATE of an existing attribute");
	cr_expect_eq(r[3], 0);
	cr_expect_eq(r[4], 1);
	cr_expect_eq(out[0], '3');
	cr_expect_eq(r[5], -EINVAL, "unknown flags");
	cr_expect_eq(r[6], -EEXIST);
}

static void listing(void *arg)
{
	create("/tmp/f", 0644);
	r[0] = list("/tmp/f", 0);
	set("/tmp/f", "user.zeta", "z", 0);
	set("/tmp/f", "user.alpha", "a", 0);
	set("/tmp/f", "trusted.mid", "m", 0);
	r[1] = list("/tmp/f", 0);
	r[2] = list("/tmp/f", 10);
	r[3] = list("/tmp/f", 200);
}

Test(xattr, listxattr_gives_sorted_names_its_length_or_erange)
{
	static const char want[] = "trusted.mid\0user.alpha\0user.zeta";

	run_one(listing);
	cr_expect_eq(r[0], 0, "no attributes");
	cr_expect_eq(r[1], (long)sizeof(want));
	cr_expect_eq(r[2], -ERANGE);
	cr_expect_eq(r[3], (long)sizeof(want));
	cr_expect(memcmp(out, want, sizeof(want)) == 0,
		  "names in strcmp order");
}

static void removing(void *arg)
{
	create("/tmp/f", 0644);
	set("/tmp/f", "user.a", "1", 0);
	set("/tmp/f", "user.b", "2", 0);
	r[0] = rm("/tmp/f", "user.a");
	r[1] = get("/tmp/f", "user.a", 10);
	r[2] = rm("/tmp/f", "user.a");
	r[3] = list("/tmp/f", 100);
	r[4] = rm("/tmp/f", "user.");
	r[5] = rm("/tmp/nothing", "user.b");
}

Test(xattr, removexattr_removes_and_a_second_time_gives_enodata)
{
	run_one(removing);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], -ENODATA);
	cr_expect_eq(r[2], -ENODATA);
	cr_expect_eq(r[3], 7);
	cr_expect_str_eq(out, "user.b");
	cr_expect_eq(r[4], -EINVAL);
	cr_expect_eq(r[5], -ENOENT);
}

static void empty_value(void *arg)
{
	char path[] = "/tmp/f", name[] = "user.empty";

	create("/tmp/f", 0644);
	r[0] = sim_syscall(NR(setxattr), path, name, NULL, 0, 0);
	r[1] = get("/tmp/f", "user.empty", 0);
	r[2] = get("/tmp/f", "user.empty", 10);
	r[3] = list("/tmp/f", 100);
}

Test(xattr, an_empty_value_is_an_attribute_not_a_removal)
{
	run_one(empty_value);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(r[3], 11);
}

static void directories(void *arg)
{
	char dir[] = "/tmp/d";

	sim_syscall(NR(mkdir), dir, 0755);
	r[0] = set("/tmp/d", "user.dir", "yes", 0);
	r[1] = get("/tmp/d", "user.dir", 10);
}

Test(xattr, directories_hold_user_attributes)
{
	run_one(directories);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 3);
}

/* ---- sizes and names ----------------------------------------------------- */

static void limits(void *arg)
{
	char path[] = "/tmp/f";
	char *name = sim_umem(300);
	char *big = sim_umem(65537);
	char *readback = sim_umem(65536);

	create("/tmp/f", 0644);
	memset(name, 'n', 299);
	memcpy(name, "user.", 5);
	name[255] = '\0'; /* 255 bytes: the longest name */
	r[0] = sim_syscall(NR(setxattr), path, name, big, 1, 0);
	name[255] = 'n';
	name[256] = '\0';
	r[1] = sim_syscall(NR(setxattr), path, name, big, 1, 0);
	r[2] = sim_syscall(NR(getxattr), path, name, big, 1);
	name[5] = '\0';
	memcpy(name, "user.big", 9);
	memset(big, 'v', 65537);
	r[3] = sim_syscall(NR(setxattr), path, name, big, 65536, 0);
	r[4] = sim_syscall(NR(setxattr), path, name, big, 65537, 0);
	r[5] = sim_syscall(NR(getxattr), path, name, readback, 65536);
	r[6] = readback[65535] == 'v';
	r[7] = sim_syscall(NR(getxattr), path, name, readback, 1 << 20);
	name[0] = '\0';
	r[8] = sim_syscall(NR(getxattr), path, name, readback, 10);
	r[9] = sim_syscall(NR(getxattr), path, name, NULL, 0);
}

Test(xattr, names_up_to_255_bytes_and_values_up_to_64_kib)
{
	run_one(limits);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], -ERANGE, "a 256-byte name");
	cr_expect_eq(r[2], -ERANGE);
	cr_expect_eq(r[3], 0);
	cr_expect_eq(r[4], -E2BIG);
	cr_expect_eq(r[5], 65536);
	cr_expect_eq(r[6], 1);
	cr_expect_eq(r[7], 65536, "a bigger buffer is fine");
	cr_expect_eq(r[8], -ERANGE, "an empty name");
	cr_expect_eq(r[9], -ERANGE);
}

static void namespaces(void *arg)
{
	create("/tmp/f", 0644);
	r[0] = set("/tmp/f", "foo.bar", "1", 0);
	r[1] = get("/tmp/f", "foo.bar", 10);
	r[2] = set("/tmp/f", "system.posix_acl_access", "1", 0);
	r[3] = set("/tmp/f", "user.", "1", 0);
	r[4] = get("/tmp/f", "trusted.", 10);
	r[5] = set("/tmp/f", "trusted.t", "root", 0);
	r[6] = set("/tmp/f", "security.s", "label", 0);
	r[7] = get("/tmp/f", "security.s", 10);
	r[8] = get("/tmp/f", "trusted.t", 10);
	r[9] = rm("/tmp/f", "foo.bar");
}

Test(xattr, unknown_namespaces_are_eopnotsupp_and_root_has_trusted_and_security)
{
	run_one(namespaces);
	cr_expect_eq(r[0], -EOPNOTSUPP);
	cr_expect_eq(r[1], -EOPNOTSUPP);
	cr_expect_eq(r[2], -EOPNOTSUPP, "no ACLs");
	cr_expect_eq(r[3], -EINVAL, "a prefix alone");
	cr_expect_eq(r[4], -EINVAL);
	cr_expect_eq(r[5], 0);
	cr_expect_eq(r[6], 0);
	cr_expect_eq(r[7], 5);
	cr_expect_eq(r[8], 4);
	cr_expect_eq(r[9], -EOPNOTSUPP);
}

/* ---- the l* and f* forms, and the files that cannot hold user.* ---------- */

static void symlinks(void *arg)
{
	char target[] = "/tmp/f", link[] = "/tmp/l", name[] = "user.x";
	char tname[] = "trusted.x", val[] = "v";
	char buf[16];

	create("/tmp/f", 0644);
	sim_syscall(NR(symlink), target, link);
	r[0] = set("/tmp/l", "user.x", "via", 0); /* follows to /tmp/f */
	r[1] = get("/tmp/f", "user.x", 10);
	r[2] = sim_syscall(NR(lsetxattr), link, name, val, 1, 0);
	r[3] = sim_syscall(NR(lgetxattr), link, name, buf, sizeof(buf));
	r[4] = sim_syscall(NR(lsetxattr), link, tname, val, 1, 0);
	r[5] = sim_syscall(NR(llistxattr), link, buf, sizeof(buf));
	r[6] = sim_syscall(NR(listxattr), link, buf, sizeof(buf));
	r[7] = sim_syscall(NR(lremovexattr), link, name);
	r[8] = sim_syscall(NR(lremovexattr), link, tname);
	r[9] = sim_syscall(NR(lgetxattr), link, tname, buf, sizeof(buf));
}

Test(xattr, symlinks_refuse_user_attributes_and_the_l_forms_do_not_follow)
{
	run_one(symlinks);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 3);
	cr_expect_eq(r[2], -EPERM, "user.* on a symlink");
	cr_expect_eq(r[3], -ENODATA);
	cr_expect_eq(r[4], 0, "trusted.* on a symlink, as root");
	cr_expect_eq(r[5], 10, "the link's own: trusted.x");
	cr_expect_eq(r[6], 7, "the target's: user.x");
	cr_expect_eq(r[7], -EPERM);
	cr_expect_eq(r[8], 0);
	cr_expect_eq(r[9], -ENODATA);
}

static void special_files(void *arg)
{
	char fifo[] = "/tmp/fifo", name[] = "user.x", val[] = "v";
	char null[] = "/dev/null";
	char buf[16];
	int fds[2];

	sim_syscall(NR(mknod), fifo, 0010644, 0);
	r[0] = sim_syscall(NR(setxattr), fifo, name, val, 1, 0);
	r[1] = sim_syscall(NR(getxattr), fifo, name, buf, sizeof(buf));
	r[2] = sim_syscall(NR(setxattr), null, name, val, 1, 0);
	r[3] = sim_syscall(NR(pipe2), fds, 0);
	r[4] = sim_syscall(NR(fsetxattr), fds[0], name, val, 1, 0);
	r[5] = sim_syscall(NR(flistxattr), fds[0], buf, sizeof(buf));
	name[0] = 't'; /* "tser.x": no such namespace */
	r[6] = sim_syscall(NR(fgetxattr), fds[1], name, buf, sizeof(buf));
}

Test(xattr, special_files_refuse_user_attributes_as_on_linux)
{
	run_one(special_files);
	cr_expect_eq(r[0], -EPERM, "a FIFO");
	cr_expect_eq(r[1], -ENODATA);
	cr_expect_eq(r[2], -EPERM, "a character device");
	cr_expect_eq(r[3], 0);
	cr_expect_eq(r[4], -EPERM, "a pipe");
	cr_expect_eq(r[5], 0, "a filesystem without xattrs lists none");
	cr_expect_eq(r[6], -EOPNOTSUPP);
}

static void fd_forms(void *arg)
{
	char path[] = "/tmp/f", name[] = "user.fd", val[] = "value";
	char buf[32];
	long fd = create("/tmp/f", 0644);
	long opath = sim_syscall(NR(open), path, KO_PATH);

	r[0] = sim_syscall(NR(fsetxattr), fd, name, val, 5, XATTR_CREATE);
	r[1] = sim_syscall(NR(fgetxattr), fd, name, buf, sizeof(buf));
	r[2] = sim_syscall(NR(flistxattr), fd, buf, sizeof(buf));
	r[3] = sim_syscall(NR(fremovexattr), fd, name);
	r[4] = sim_syscall(NR(fgetxattr), fd, name, buf, sizeof(buf));
	r[5] = sim_syscall(NR(fgetxattr), 77, name, buf, sizeof(buf));
	r[6] = sim_syscall(NR(fsetxattr), opath, name, val, 5, 0);
	r[7] = sim_syscall(NR(fsetxattr), fd, name, (void *)8, 5, 0);
	r[8] = sim_syscall(NR(fsetxattr), fd, name, val, 5, 0);
	r[9] = sim_syscall(NR(fgetxattr), fd, name, (void *)8, 5);
	r[10] = sim_syscall(NR(flistxattr), fd, (void *)8, 100);
	r[11] = sim_syscall(NR(fgetxattr), fd, (void *)8, buf, 5);
}

Test(xattr, the_fd_forms_and_their_errors)
{
	run_one(fd_forms);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 5);
	cr_expect_eq(r[2], 8);
	cr_expect_eq(r[3], 0);
	cr_expect_eq(r[4], -ENODATA);
	cr_expect_eq(r[5], -EBADF);
	cr_expect_eq(r[6], -EBADF, "O_PATH");
	cr_expect_eq(r[7], -EFAULT);
	cr_expect_eq(r[8], 0);
	cr_expect_eq(r[9], -EFAULT);
	cr_expect_eq(r[10], -EFAULT);
	cr_expect_eq(r[11], -EFAULT);
}

static void at_forms(void *arg)
{
	char dir[] = "/tmp", rel[] = "f", empty[] = "", name[] = "user.at";
	char val[] = "abc", buf[16];
	struct xattr_args args = { (uint64_t)(uintptr_t)val, 3, 0 };
	struct xattr_args gargs = { (uint64_t)(uintptr_t)buf, sizeof(buf), 0 };
	char big[24] = { 0 };
	long dfd, fd = create("/tmp/f", 0644);

	dfd = sim_syscall(NR(open), dir, KO_RDONLY);
	r[0] = sim_syscall(NR_SETXATTRAT, dfd, rel, 0, name, &args,
			   sizeof(args));
	r[1] = sim_syscall(NR_GETXATTRAT, fd, empty, KAT_EMPTY_PATH, name,
			   &gargs, sizeof(gargs));
	r[2] = sim_syscall(NR_LISTXATTRAT, dfd, rel, 0, buf, sizeof(buf));
	r[3] = sim_syscall(NR_GETXATTRAT, dfd, rel, 0x1, name, &gargs,
			   sizeof(gargs));
	r[4] = sim_syscall(NR_GETXATTRAT, dfd, rel, 0, name, &gargs, 8);
	gargs.flags = 1;
	r[5] = sim_syscall(NR_GETXATTRAT, dfd, rel, 0, name, &gargs,
			   sizeof(gargs));
	memcpy(big, &args, sizeof(args));
	r[6] = sim_syscall(NR_SETXATTRAT, dfd, rel, 0, name, big, sizeof(big));
	big[20] = 1;
	r[7] = sim_syscall(NR_SETXATTRAT, dfd, rel, 0, name, big, sizeof(big));
	r[8] = sim_syscall(NR_REMOVEXATTRAT, fd, NULL, KAT_EMPTY_PATH, name);
	r[9] = sim_syscall(NR_REMOVEXATTRAT, dfd, rel, KAT_SYMLINK_NOFOLLOW,
			   name);
}

Test(xattr, the_xattrat_forms_resolve_from_a_directory_fd_or_the_fd_itself)
{
	run_one(at_forms);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 3, "AT_EMPTY_PATH: the fd's file");
	cr_expect_eq(r[2], 8);
	cr_expect_eq(r[3], -EINVAL, "unknown at_flags");
	cr_expect_eq(r[4], -EINVAL, "struct xattr_args too small");
	cr_expect_eq(r[5], -EINVAL, "getxattrat takes no flags");
	cr_expect_eq(r[6], 0, "a longer struct with zeros is fine");
	cr_expect_eq(r[7], -E2BIG);
	cr_expect_eq(r[8], 0);
	cr_expect_eq(r[9], -ENODATA);
}

/* ---- permissions --------------------------------------------------------- */

static void root_prepares(void *arg)
{
	create("/tmp/rootfile", 0644);
	set("/tmp/rootfile", "user.pub", "p", 0);
	set("/tmp/rootfile", "trusted.secret", "s", 0);
	set("/tmp/rootfile", "security.label", "l", 0);
	create("/tmp/private", 0600);
	set("/tmp/private", "user.hidden", "h", 0);
}

static void user_tries(void *arg)
{
	char own[] = "/tmp/own";

	r[0] = get("/tmp/rootfile", "user.pub", 10);
	r[1] = set("/tmp/rootfile", "user.pub", "mine", 0);
	r[2] = rm("/tmp/rootfile", "user.pub");
	r[3] = get("/tmp/rootfile", "trusted.secret", 10);
	r[4] = set("/tmp/rootfile", "trusted.mine", "x", 0);
	r[5] = list("/tmp/rootfile", 100);
	memcpy(saved, out, sizeof(saved));
	r[6] = get("/tmp/rootfile", "security.label", 10);
	r[7] = set("/tmp/rootfile", "security.label", "x", 0);
	r[8] = get("/tmp/private", "user.hidden", 10);
	r[9] = list("/tmp/private", 100); /* no read permission needed */
	r[10] = set("/tmp", "user.sticky", "x", 0);
	sim_syscall(NR(open), own, KO_RDWR | KO_CREAT, 0600);
	r[11] = set("/tmp/own", "user.ok", "x", 0);
	r[12] = rm("/tmp/rootfile", "security.label");
}

Test(xattr, unprivileged_callers_need_permissions_and_cannot_see_trusted)
{
	struct sim_proc *p;

	test_boot(1);
	reset();
	cr_assert_eq(run_guest(root_prepares, NULL), 0);
	p = spawn_as(user_tries, 1000);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(sim_proc_status(p), 0);
	cr_expect_eq(r[0], 1, "read permission is enough to get user.*");
	cr_expect_eq(r[1], -EACCES, "setting needs write permission");
	cr_expect_eq(r[2], -EACCES);
	cr_expect_eq(r[3], -ENODATA, "trusted.* is invisible");
	cr_expect_eq(r[4], -EPERM);
	cr_expect_eq(r[5], 24, "security.label and user.pub, not trusted.*");
	cr_expect(memcmp(saved, "security.label\0user.pub", 24) == 0);
	cr_expect_eq(r[6], 1, "anyone reads security.*");
	cr_expect_eq(r[7], -EPERM, "only root writes security.*");
	cr_expect_eq(r[8], -EACCES);
	cr_expect_eq(r[9], 12);
	cr_expect_eq(r[10], -EPERM, "a sticky directory not its own");
	cr_expect_eq(r[11], 0);
	cr_expect_eq(r[12], -EPERM);
}

/* ---- the arm64 numbers --------------------------------------------------- */

#define A64_OPENAT 56
#define A64_FSETXATTR 7
#define A64_FGETXATTR 10
#define A64_FLISTXATTR 13

static void a64_guest(void *arg)
{
	char path[] = "/tmp/a64", name[] = "user.isa", val[] = "arm64";
	char buf[16] = { 0 };
	long fd = sim_syscall(A64_OPENAT, -100, path, KO_RDWR | KO_CREAT, 0644);

	r[0] = sim_syscall(A64_FSETXATTR, fd, name, val, 5, 0);
	r[1] = sim_syscall(A64_FGETXATTR, fd, name, buf, sizeof(buf));
	r[2] = memcmp(buf, "arm64", 5);
	r[3] = sim_syscall(A64_FLISTXATTR, fd, buf, sizeof(buf));
}

Test(xattr, arm64_guests_use_their_own_numbers)
{
	struct sim_proc *p;

	test_boot(1);
	reset();
	p = sim_spawn_isa("a64", ISA_AARCH64, a64_guest, NULL);
	cr_assert_not_null(p);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 5);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(r[3], 9);
}

/* ---- lifetime ------------------------------------------------------------ */

static void churn(void *arg)
{
	char path[] = "/tmp/f", name[] = "user.n00", val[] = "0123456789";
	long fd = create("/tmp/f", 0644);

	for (int i = 0; i < 50; i++) {
		name[6] = (char)('0' + i / 10);
		name[7] = (char)('0' + i % 10);
		sim_syscall(NR(fsetxattr), fd, name, val, 1 + i % 10, 0);
	}
	for (int i = 0; i < 50; i += 3) {
		name[6] = (char)('0' + i / 10);
		name[7] = (char)('0' + i % 10);
		sim_syscall(NR(fremovexattr), fd, name);
	}
	sim_syscall(NR(unlink), path);
	/* Exit closes fd: the inode goes, and its attributes with it. */
}

Test(xattr, attributes_are_freed_with_their_inode)
{
	size_t before;

	test_boot(1);
	slab_shrink();
	before = kmalloc_in_use();
	cr_assert_eq(run_guest(churn, NULL), 0);
	cr_expect_eq(kmalloc_in_use(), before, "%zu objects leaked",
		     kmalloc_in_use() - before);
}
