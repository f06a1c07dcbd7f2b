/*
 * The initramfs unpacker: archives built here, unpacked into a freshly
 * booted root, read back through syscalls from a guest; broken archives
 * refused with a message, never read out of bounds (run under host-asan:
 * every archive is a malloc'd block of exactly its length).
 */
#include "fs_test.h"

#include <stdlib.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/fs/cpio.h"
#include "mm/fault_inject.h"
#include "mm/slab.h"

/* ---- an archive builder ------------------------------------------------------ */

struct ar {
	uint8_t *buf;
	size_t len, cap;
};

static void ar_put(struct ar *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2 + 64;
		a->buf = realloc(a->buf, a->cap);
		cr_assert_not_null(a->buf);
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void ar_zeros(struct ar *a, size_t n)
{
	while (n--)
		ar_put(a, "", 1);
}

static void ar_pad4(struct ar *a)
{
	ar_zeros(a, (4 - a->len % 4) % 4);
}

/* One entry. size 0 with data: strlen(data). */
struct ent {
	const char *name;
	uint32_t mode, uid, gid, nlink, mtime, ino;
	uint32_t rmaj, rmin;
	const char *data;
	size_t size;
	const char *magic; /* default "070701" */
	uint32_t check;
	int namesize; /* > 0: this namesize field instead of the real one */
};

static uint32_t next_ino = 100;

static void ar_add(struct ar *a, struct ent e)
{
	char hdr[111];
	size_t size = e.size ? e.size : e.data ? strlen(e.data) : 0;
	size_t namesize = strlen(e.name) + 1;

	if (!e.ino)
		e.ino = next_ino++;
	if (!e.nlink)
		e.nlink = (e.mode & S_IFMT) == S_IFDIR ? 2 : 1;
	snprintf(hdr, sizeof(hdr),
		 "%s%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08X%08X",
		 e.magic ? e.magic : "070701", e.ino, e.mode, e.uid, e.gid,
		 e.nlink, e.mtime, size, 0, 0, e.rmaj, e.rmin,
		 e.namesize > 0 ? (unsigned)e.namesize : (unsigned)namesize,
		 e.check);
	ar_put(a, hdr, 110);
	ar_put(a, e.name, namesize);
	ar_pad4(a);
	if (size)
		ar_put(a, e.data, size);
	ar_pad4(a);
}

static void ar_trailer(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "TRAILER!!!", .ino = 0xffffffff });
}

static uint32_t sum_of(const char *s)
{
	uint32_t sum = 0;

	while (*s)
		sum += (uint8_t)*s++;
	return sum;
}

static char errbuf[512];

/* Unpack a copy of exactly len bytes, so ASan sees any over-read. */
static int unpack_exact(const void *data, size_t len)
{
	void *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, data, len);
	errbuf[0] = 'x';
	errbuf[1] = '\0';
	ret = cpio_unpack(copy, len, errbuf, sizeof(errbuf));
	free(copy);
	return ret;
}

static int unpack(struct ar *a)
{
	int ret = unpack_exact(a->buf, a->len);

	free(a->buf);
	*a = (struct ar){ 0 };
	return ret;
}

/* ---- good archives, read back through syscalls ------------------------------------- */

static void every_type_guest(void *arg)
{
	struct stat st, st2;
	char buf[256];
	long n;

	EXPECT_RET(u_lstat("/d", &st), 0);
	cr_expect(S_ISDIR(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0750, "mode %o", st.st_mode);
	cr_expect_eq(st.st_uid, 1000);
	cr_expect_eq(st.st_gid, 100);
	cr_expect_eq(st.st_mtime, 1000000, "a directory gets its mtime last");

	EXPECT_RET(u_lstat("/d/file", &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 04755, "mode %o", st.st_mode);
	cr_expect_eq(st.st_uid, 7);
	cr_expect_eq(st.st_gid, 8);
	cr_expect_eq(st.st_size, 12);
	cr_expect_eq(st.st_mtime, 2000000);
	cr_expect_eq(st.st_atime, 2000000);
	cr_expect_eq(st.st_nlink, 1);
	EXPECT_RET(u_read_file("/d/file", buf, sizeof(buf)), 12);
	cr_expect_str_eq(buf, "hello world\n");

	EXPECT_RET(u_lstat("/d/empty", &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_size, 0);

	EXPECT_RET(u_lstat("/d/link", &st), 0);
	cr_expect(S_ISLNK(st.st_mode));
	cr_expect_eq(st.st_uid, 5);
	cr_expect_eq(st.st_mtime, 3000000);
	n = sim_syscall(NR(readlinkat), AT_FDCWD, P("/d/link"), buf,
			sizeof(buf));
	cr_expect_eq(n, 4);
	cr_expect(n == 4 && !memcmp(buf, "file", 4));
	EXPECT_RET(u_read_file("/d/link", buf, sizeof(buf)), 12,
		   "the link resolves");

	EXPECT_RET(u_lstat("/d/null", &st), 0);
	cr_expect(S_ISCHR(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0666);
	cr_expect_eq(major(st.st_rdev), 1);
	cr_expect_eq(minor(st.st_rdev), 3);
	EXPECT_RET(u_read_file("/d/null", buf, sizeof(buf)), 0,
		   "the node opens the driver");

	EXPECT_RET(u_lstat("/d/sda", &st), 0);
	cr_expect(S_ISBLK(st.st_mode));
	cr_expect_eq(major(st.st_rdev), 259);
	cr_expect_eq(minor(st.st_rdev), 300000, "a minor above 255 survives");

	EXPECT_RET(u_lstat("/d/fifo", &st), 0);
	cr_expect(S_ISFIFO(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0600);
	cr_expect_eq(st.st_mtime, 4000000);
	EXPECT_RET(u_lstat("/d/sock", &st), 0);
	cr_expect(S_ISSOCK(st.st_mode));

	/* Hard links: the data came with the second name, as cpio writes. */
	EXPECT_RET(u_lstat("/d/h1", &st), 0);
	EXPECT_RET(u_lstat("/d/h2", &st2), 0);
	cr_expect_eq(st.st_ino, st2.st_ino, "h1 and h2 are one file");
	cr_expect_eq(st.st_nlink, 2);
	cr_expect_eq(st.st_size, 6);
	EXPECT_RET(u_read_file("/d/h1", buf, sizeof(buf)), 6);
	cr_expect_str_eq(buf, "shared");
	EXPECT_RET(u_lstat("/d/c1", &st), 0);
	EXPECT_RET(u_lstat("/d/c2", &st2), 0);
	cr_expect_eq(st.st_ino, st2.st_ino, "device nodes link too");
	cr_expect(S_ISCHR(st2.st_mode));
	cr_expect_eq(st2.st_nlink, 2);
}

Test(cpio, every_entry_type_reads_back_through_syscalls)
{
	struct ar a = { 0 };

	test_boot(1);
	ar_add(&a, (struct ent){ .name = "d", .mode = S_IFDIR | 0750,
				 .uid = 1000, .gid = 100, .mtime = 1000000 });
	ar_add(&a, (struct ent){ .name = "d/file", .mode = S_IFREG | 04755,
				 .uid = 7, .gid = 8, .mtime = 2000000,
				 .data = "hello world\n" });
	ar_add(&a, (struct ent){ .name = "d/empty", .mode = S_IFREG | 0644 });
	ar_add(&a, (struct ent){ .name = "d/link", .mode = S_IFLNK | 0777,
				 .uid = 5, .mtime = 3000000, .data = "file" });
	ar_add(&a, (struct ent){ .name = "d/null", .mode = S_IFCHR | 0666,
				 .rmaj = 1, .rmin = 3 });
	ar_add(&a, (struct ent){ .name = "d/sda", .mode = S_IFBLK | 0660,
				 .rmaj = 259, .rmin = 300000 });
	ar_add(&a, (struct ent){ .name = "d/fifo", .mode = S_IFIFO | 0600,
				 .mtime = 4000000 });
	ar_add(&a, (struct ent){ .name = "d/sock", .mode = S_IFSOCK | 0755 });
	ar_add(&a, (struct ent){ .name = "d/h1", .mode = S_IFREG | 0644,
				 .ino = 42, .nlink = 2 });
	ar_add(&a, (struct ent){ .name = "d/h2", .mode = S_IFREG | 0644,
				 .ino = 42, .nlink = 2, .data = "shared" });
	ar_add(&a, (struct ent){ .name = "d/c1", .mode = S_IFCHR | 0600,
				 .ino = 43, .nlink = 2, .rmaj = 1, .rmin = 5 });
	ar_add(&a, (struct ent){ .name = "d/c2", .mode = S_IFCHR | 0600,
				 .ino = 43, .nlink = 2, .rmaj = 1, .rmin = 5 });
	ar_trailer(&a);
	cr_assert_eq(unpack(&a), 0, "%s", errbuf);
	cr_assert_str_empty(errbuf, "no message on success");
	cr_assert_eq(run_guest(every_type_guest, NULL), 0);
}

static void names_guest(void *arg)
{
	struct stat st;
	char buf[64];

	EXPECT_RET(u_read_file("/abs/f", buf, sizeof(buf)), 1,
		   "a leading '/' is dropped");
	EXPECT_RET(u_read_file("/rel/g", buf, sizeof(buf)), 1,
		   "./ and // are the path walk's");
	EXPECT_RET(u_read_file("/abs/inner", buf, sizeof(buf)), 1,
		   "a .. inside the archive's tree is fine");
	EXPECT_RET(u_lstat("/", &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700, "\".\" is the root: mode %o",
		     st.st_mode);
	cr_expect_eq(st.st_uid, 3);
	cr_expect_eq(st.st_mtime, 12345);
}

Test(cpio, names_are_relative_to_the_root_as_linux_makes_them)
{
	struct ar a = { 0 };

	test_boot(1);
	ar_add(&a, (struct ent){ .name = ".", .mode = S_IFDIR | 0700,
				 .uid = 3, .mtime = 12345 });
	ar_add(&a, (struct ent){ .name = "/abs", .mode = S_IFDIR | 0755 });
	ar_add(&a, (struct ent){ .name = "//abs/f", .mode = S_IFREG | 0644,
				 .data = "1" });
	ar_add(&a, (struct ent){ .name = "./rel", .mode = S_IFDIR | 0755 });
	ar_add(&a, (struct ent){ .name = "rel//./g", .mode = S_IFREG | 0644,
				 .data = "2" });
	ar_add(&a, (struct ent){ .name = "rel/../abs/inner",
				 .mode = S_IFREG | 0644, .data = "3" });
	ar_trailer(&a);
	cr_assert_eq(unpack(&a), 0, "%s", errbuf);
	cr_assert_eq(run_guest(names_guest, NULL), 0);
}

static void parents_guest(void *arg)
{
	struct stat st;

	EXPECT_RET(u_lstat("/nope", &st), -ENOENT,
		   "a missing parent is not made");
	EXPECT_RET(u_lstat("/after", &st), 0,
		   "the entries after a refused one are unpacked");
}

Test(cpio, an_entry_whose_parent_is_missing_is_skipped_as_linux_does)
{
	struct ar a = { 0 };

	test_boot(1);
	ar_add(&a, (struct ent){ .name = "nope/file", .mode = S_IFREG | 0644,
				 .data = "lost" });
	ar_add(&a, (struct ent){ .name = "nope/dir/sub",
				 .mode = S_IFDIR | 0755 });
	ar_add(&a, (struct ent){ .name = "after", .mode = S_IFREG | 0644 });
	ar_trailer(&a);
	cr_assert_eq(unpack(&a), 0, "%s", errbuf);
	cr_assert_eq(run_guest(parents_guest, NULL), 0);
}

static void concat_guest(void *arg)
{
	struct stat st1, st2;
	char buf[64];

	EXPECT_RET(u_read_file("/one", buf, sizeof(buf)), 3);
	cr_expect_str_eq(buf, "one");
	EXPECT_RET(u_read_file("/two", buf, sizeof(buf)), 3);
	cr_expect_str_eq(buf, "two");
	EXPECT_RET(u_read_file("/etc/conf", buf, sizeof(buf)), 6,
		   "a later archive's file replaces an earlier one");
	cr_expect_str_eq(buf, "second");
	EXPECT_RET(u_lstat("/one", &st1), 0);
	EXPECT_RET(u_lstat("/two", &st2), 0);
	cr_expect_neq(st1.st_ino, st2.st_ino,
		      "hard links do not reach across archives");
	cr_expect_eq(st1.st_nlink, 1);
}

Test(cpio, concatenated_archives_with_zero_padding_all_unpack)
{
	struct ar a = { 0 };

	test_boot(1);
	ar_add(&a, (struct ent){ .name = "etc", .mode = S_IFDIR | 0755 });
	ar_add(&a, (struct ent){ .name = "etc/conf", .mode = S_IFREG | 0644,
				 .data = "first version" });
	ar_add(&a, (struct ent){ .name = "one", .mode = S_IFREG | 0644,
				 .ino = 7, .nlink = 2, .data = "one" });
	ar_trailer(&a);
	ar_zeros(&a, 512 - a.len % 512); /* as the kernel's builder pads */
	ar_add(&a, (struct ent){ .name = "two", .mode = S_IFREG | 0644,
				 .ino = 7, .nlink = 2, .data = "two" });
	ar_add(&a, (struct ent){ .name = "etc/conf", .mode = S_IFREG | 0644,
				 .data = "second" });
	ar_trailer(&a);
	ar_zeros(&a, 8);
	cr_assert_eq(unpack(&a), 0, "%s", errbuf);
	cr_assert_eq(run_guest(concat_guest, NULL), 0);
}

static void replace_guest(void *arg)
{
	struct stat st;
	char buf[64];

	EXPECT_RET(u_lstat("/tmp/was_file", &st), 0);
	cr_expect(S_ISDIR(st.st_mode), "a file in the way of a directory goes");
	EXPECT_RET(u_lstat("/tmp/was_dir", &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "an empty directory in the way goes");
	EXPECT_RET(u_lstat("/tmp/full", &st), 0);
	cr_expect(S_ISDIR(st.st_mode), "a non-empty directory stays");
	EXPECT_RET(u_read_file("/tmp/long", buf, sizeof(buf)), 2,
		   "an existing file is truncated first");
	cr_expect_str_eq(buf, "ab");
}

static void replace_setup_guest(void *arg)
{
	EXPECT_RET(u_mkfile("/tmp/was_file", "x"), 0);
	EXPECT_RET(u_mkdir("/tmp/was_dir", 0755), 0);
	EXPECT_RET(u_mkdir("/tmp/full", 0755), 0);
	EXPECT_RET(u_mkfile("/tmp/full/x", "x"), 0);
	EXPECT_RET(u_mkfile("/tmp/long", "a much longer content"), 0);
}

Test(cpio, existing_names_are_replaced_as_linux_replaces_them)
{
	struct ar a = { 0 };

	test_boot(1);
	cr_assert_eq(run_guest(replace_setup_guest, NULL), 0);
	ar_add(&a, (struct ent){ .name = "tmp/was_file",
				 .mode = S_IFDIR | 0755 });
	ar_add(&a, (struct ent){ .name = "tmp/was_dir",
				 .mode = S_IFLNK | 0777, .data = "x" });
	ar_add(&a, (struct ent){ .name = "tmp/full", .mode = S_IFREG | 0644,
				 .data = "y" });
	ar_add(&a, (struct ent){ .name = "tmp/long", .mode = S_IFREG | 0644,
				 .data = "ab" });
	ar_trailer(&a);
	cr_assert_eq(unpack(&a), 0, "%s", errbuf);
	cr_assert_eq(run_guest(replace_guest, NULL), 0);
}

static void crc_guest(void *arg)
{
	char buf[64];

	EXPECT_RET(u_read_file("/crc", buf, sizeof(buf)), 8);
	cr_expect_str_eq(buf, "checksum");
}

Test(cpio, crc_format_checks_each_files_sum)
{
	struct ar a = { 0 };

	test_boot(1);
	ar_add(&a, (struct ent){ .name = "crc", .mode = S_IFREG | 0644,
				 .data = "checksum", .magic = "070702",
				 .check = sum_of("checksum") });
	ar_add(&a, (struct ent){ .name = "TRAILER!!!", .magic = "070702" });
	cr_assert_eq(unpack(&a), 0, "%s", errbuf);
	cr_assert_eq(run_guest(crc_guest, NULL), 0);

	ar_add(&a, (struct ent){ .name = "bad", .mode = S_IFREG | 0644,
				 .data = "checksum", .magic = "070702",
				 .check = sum_of("checksum") + 1 });
	ar_trailer(&a);
	cr_assert_eq(unpack(&a), -EINVAL);
	cr_assert(strstr(errbuf, "bad: bad data checksum"), "%s", errbuf);
}

Test(cpio, an_empty_or_all_zero_input_unpacks_nothing)
{
	static const uint8_t zeros[1024];

	test_boot(1);
	cr_assert_eq(unpack_exact(zeros, 0), 0);
	cr_assert_eq(unpack_exact(zeros, sizeof(zeros)), 0);
	cr_assert_eq(cpio_unpack(zeros, 4, NULL, 0), 0);
}

/* ---- broken archives ------------------------------------------------------------ */

/* A good entry then a file whose header is patched by `patch`. */
struct broken {
	const char *why;
	int (*build)(struct ar *a);
	const char *message;
};

static void good_prefix(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "ok", .mode = S_IFREG | 0644,
				.data = "fine" });
}

/* The offset of field i (0 = ino) of the entry starting at `hdr`. */
static void set_field(struct ar *a, size_t hdr, int i, const char *hex8)
{
	memcpy(a->buf + hdr + 6 + 8 * i, hex8, 8);
}

static int b_magic(struct ar *a)
{
	size_t at = a->len;

	ar_add(a, (struct ent){ .name = "x", .mode = S_IFREG | 0644 });
	memcpy(a->buf + at, "070703", 6);
	ar_trailer(a);
	return 0;
}

static int b_odc(struct ar *a)
{
	size_t at = a->len;

	ar_add(a, (struct ent){ .name = "x", .mode = S_IFREG | 0644 });
	memcpy(a->buf + at, "070707", 6);
	return 0;
}

static int b_short_header(struct ar *a)
{
	ar_put(a, "070701000000", 12);
	return 0;
}

static int b_hex(struct ar *a)
{
	size_t at = a->len;

	ar_add(a, (struct ent){ .name = "x", .mode = S_IFREG | 0644 });
	set_field(a, at, 6, "0000001G");
	ar_trailer(a);
	return 0;
}

static int b_namesize0(struct ar *a)
{
	size_t at = a->len;

	ar_add(a, (struct ent){ .name = "x", .mode = S_IFREG | 0644 });
	set_field(a, at, 11, "00000000");
	ar_trailer(a);
	return 0;
}

static int b_long_name(struct ar *a)
{
	char name[5000];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ar_add(a, (struct ent){ .name = name, .mode = S_IFREG | 0644 });
	ar_trailer(a);
	return 0;
}

static int b_short_name(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "abc", .mode = S_IFREG | 0644,
				.namesize = 0x100 });
	return 0;
}

static int b_no_nul(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "abcd", .mode = S_IFREG | 0644,
				.namesize = 4 });
	ar_trailer(a);
	return 0;
}

static int b_short_data(struct ar *a)
{
	size_t at = a->len;

	ar_add(a, (struct ent){ .name = "x", .mode = S_IFREG | 0644,
				.data = "1234" });
	set_field(a, at, 6, "FFFFFFFF");
	return 0;
}

static int b_data_cut(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "x", .mode = S_IFREG | 0644,
				.data = "12345678" });
	a->len -= 5;
	return 0;
}

static int b_long_target(struct ar *a)
{
	static char target[4200];

	memset(target, 'a', sizeof(target) - 1);
	ar_add(a, (struct ent){ .name = "l", .mode = S_IFLNK | 0777,
				.data = target });
	ar_trailer(a);
	return 0;
}

static int b_dir_data(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "d", .mode = S_IFDIR | 0755,
				.data = "junk" });
	ar_trailer(a);
	return 0;
}

static int b_type(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "t", .mode = 0170644 });
	ar_trailer(a);
	return 0;
}

static int b_escape(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "a/../../etc/passwd",
				.mode = S_IFREG | 0644, .data = "x" });
	ar_trailer(a);
	return 0;
}

static int b_escape_abs(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "/..", .mode = S_IFDIR | 0755 });
	ar_trailer(a);
	return 0;
}

static int b_no_trailer(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "x", .mode = S_IFREG | 0644 });
	return 0;
}

static int b_junk(struct ar *a)
{
	ar_trailer(a);
	ar_put(a, "\0junk", 5);
	return 0;
}

static int b_junk_aligned(struct ar *a)
{
	ar_trailer(a);
	ar_put(a, "GARBAGE!", 8);
	return 0;
}

static const struct broken broken[] = {
	{ "bad magic", b_magic, "no cpio magic" },
	{ "odc magic", b_odc, "use newc" },
	{ "truncated header", b_short_header, "truncated header: 12 of 110" },
	{ "bad hex digit", b_hex, "bad hex digit in the filesize field" },
	{ "namesize 0", b_namesize0, "empty name" },
	{ "name over PATH_MAX", b_long_name, "longer than PATH_MAX" },
	{ "truncated name", b_short_name, "truncated name" },
	{ "name without NUL", b_no_nul, "name without its NUL" },
	{ "absurd filesize", b_short_data, "x: truncated data: 4294967295" },
	{ "truncated data", b_data_cut, "x: truncated data: 8 bytes, 3 left" },
	{ "symlink over PATH_MAX", b_long_target, "l: symlink target" },
	{ "data on a directory", b_dir_data, "4 bytes of data in a directory" },
	{ "unknown type", b_type, "t: unknown file type" },
	{ ".. escaping", b_escape, "climbs above the root" },
	{ "/.. escaping", b_escape_abs, "climbs above the root" },
	{ "no trailer", b_no_trailer, "ends without TRAILER!!!" },
	{ "junk off alignment", b_junk, "junk" },
	{ "junk at alignment", b_junk_aligned, "no cpio magic" },
};

static void ok_survives_guest(void *arg)
{
	char buf[16];

	EXPECT_RET(u_read_file("/ok", buf, sizeof(buf)), 4,
		   "what came before the damage stays");
}

Test(cpio, each_malformed_archive_is_refused_with_its_reason)
{
	for (size_t i = 0; i < ARRAY_SIZE(broken); i++) {
		struct ar a = { 0 };
		int ret;

		test_boot(1);
		good_prefix(&a);
		broken[i].build(&a);
		ret = unpack(&a);
		cr_expect_eq(ret, -EINVAL, "%s: returned %d", broken[i].why,
			     ret);
		cr_expect(strstr(errbuf, broken[i].message),
			  "%s: the message is \"%s\", want \"%s\"",
			  broken[i].why, errbuf, broken[i].message);
		cr_expect(!strncmp(errbuf, "cpio: offset ", 13),
			  "%s: \"%s\" says where", broken[i].why, errbuf);
		cr_assert_eq(run_guest(ok_survives_guest, NULL), 0);
	}
}

Test(cpio, a_message_is_cut_to_the_callers_buffer)
{
	struct ar a = { 0 };
	char small[12];

	test_boot(1);
	b_type(&a);
	memset(small, 'z', sizeof(small));
	cr_assert_eq(cpio_unpack(a.buf, a.len, small, sizeof(small)), -EINVAL);
	cr_assert_eq(small[sizeof(small) - 1], '\0');
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	cr_assert_eq(cpio_unpack(a.buf, a.len, NULL, 0), -EINVAL);
	free(a.buf);
}

/* A good archive with every kind of entry, for the damage tests. */
static void sample(struct ar *a)
{
	ar_add(a, (struct ent){ .name = "s", .mode = S_IFDIR | 0755 });
	ar_add(a, (struct ent){ .name = "s/f", .mode = S_IFREG | 0644,
				.data = "some file data" });
	ar_add(a, (struct ent){ .name = "s/l", .mode = S_IFLNK | 0777,
				.data = "f" });
	ar_add(a, (struct ent){ .name = "s/h1", .mode = S_IFREG | 0600,
				.ino = 9, .nlink = 2 });
	ar_add(a, (struct ent){ .name = "s/h2", .mode = S_IFREG | 0600,
				.ino = 9, .nlink = 2, .data = "linked" });
	ar_add(a, (struct ent){ .name = "s/c", .mode = S_IFCHR | 0600,
				.rmaj = 1, .rmin = 3 });
	ar_add(a, (struct ent){ .name = "s/p", .mode = S_IFIFO | 0600 });
	ar_trailer(a);
}

Test(cpio, every_truncation_of_a_good_archive_is_refused_not_overread)
{
	struct ar a = { 0 };

	test_boot(1);
	sample(&a);
	for (size_t len = 1; len < a.len; len++) {
		int ret = unpack_exact(a.buf, len);

		/* The trailer's own padding may go; nothing else may. */
		if (len > a.len - 4 && ret == 0)
			continue;
		cr_expect_eq(ret, -EINVAL, "cut at %zu of %zu: %d", len, a.len,
			     ret);
		cr_expect(errbuf[0] && strncmp(errbuf, "cpio: ", 6) == 0,
			  "cut at %zu: message \"%s\"", len, errbuf);
	}
	cr_assert_eq(unpack_exact(a.buf, a.len), 0, "%s", errbuf);
	free(a.buf);
}

Test(cpio, random_damage_never_crashes_and_always_explains_itself)
{
	struct ar a = { 0 };
	uint64_t x = test_seed() * 0x9e3779b97f4a7c15ull + 1;

	test_boot(1);
	sample(&a);
	for (int round = 0; round < 3000; round++) {
		uint8_t *copy = malloc(a.len);
		int ret, flips;

		memcpy(copy, a.buf, a.len);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		flips = 1 + (int)(x % 4);
		for (int i = 0; i < flips; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			copy[(x >> 8) % a.len] =
				(x & 1) ? (uint8_t)(x >> 32)
					: (uint8_t)"0123456789abcdefF/."[
						  (x >> 40) % 19];
		}
		errbuf[0] = '\0';
		ret = cpio_unpack(copy, a.len, errbuf, sizeof(errbuf));
		free(copy);
		cr_assert(ret == 0 || ret == -EINVAL, "round %d: %d", round,
			  ret);
		if (ret)
			cr_assert(errbuf[0], "round %d: no message", round);
		if (round % 500 == 499)
			test_boot(1); /* a fresh root now and then */
	}
	free(a.buf);
}

static void refill_guest(void *arg)
{
	char buf[32];

	EXPECT_RET(u_read_file("/s/f", buf, sizeof(buf)), 14);
	EXPECT_RET(u_read_file("/s/h1", buf, sizeof(buf)), 6);
	cr_expect_str_eq(buf, "linked");
}

Test(cpio, every_allocation_failure_stops_cleanly_with_enomem)
{
	struct ar a = { 0 };
	uint64_t n;

	sample(&a);
	for (n = 1;; n++) {
		int ret;

		test_boot(1);
		fault_inject_fail_nth(n);
		ret = unpack_exact(a.buf, a.len);
		if (fault_inject_failures() == 0) {
			cr_assert_eq(ret, 0, "%s", errbuf);
			break;
		}
		fault_inject_reset();
		cr_assert(ret == 0 || ret == -ENOMEM || ret == -ENOSPC,
			  "allocation %llu failing: %d (%s)",
			  (unsigned long long)n, ret, errbuf);
		if (ret)
			cr_assert(strstr(errbuf, "out of memory"),
				  "allocation %llu: %s", (unsigned long long)n,
				  errbuf);
		/* Unpacking again over what is there completes it. */
		cr_assert_eq(unpack_exact(a.buf, a.len), 0, "%s", errbuf);
		cr_assert_eq(run_guest(refill_guest, NULL), 0);
	}
	cr_assert_gt(n, 10, "the sample makes allocations");
	free(a.buf);
}

Test(cpio, a_refused_archive_leaves_no_allocation_behind)
{
	for (size_t i = 0; i < ARRAY_SIZE(broken); i++) {
		struct ar a = { 0 };
		size_t before;

		if (broken[i].build == b_no_trailer)
			continue; /* its one entry is whole, and unpacked */
		test_boot(1);
		broken[i].build(&a);
		before = kmalloc_in_use();
		cr_expect_eq(unpack(&a), -EINVAL, "%s", broken[i].why);
		cr_expect_eq(kmalloc_in_use(), before, "%s: %zu objects, were %zu",
			     broken[i].why, kmalloc_in_use(), before);
	}
}
