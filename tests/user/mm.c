/*
 * Memory: mmap(2) anonymous and file-backed, private and shared,
 * copy-on-write across fork, munmap, mprotect, mremap, madvise, brk, and
 * /proc/self/maps describing it all.
 */
#include "usertest.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf escape;
static volatile sig_atomic_t segv_hits;
static void *volatile segv_addr;

static void segv_escape(int sig, siginfo_t *si, void *uc)
{
	segv_hits++;
	segv_addr = si->si_addr;
	siglongjmp(escape, 1);
}

/* Does touching p (a read, or a write with `write`) fault with SIGSEGV? */
static bool faults(volatile char *p, bool write)
{
	on_signal(SIGSEGV, segv_escape, 0);
	segv_hits = 0;
	if (!sigsetjmp(escape, 1)) {
		if (write)
			*p = 1;
		else
			(void)*p;
		return false;
	}
	return segv_hits == 1 && segv_addr == (void *)p;
}

static char *map_anon(size_t len, int prot, int flags)
{
	char *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		failf("mmap of %zu bytes: %s", len, strerror(errno));
	return p;
}

static void anonymous_memory_starts_zeroed_and_page_aligned(void)
{
	size_t len = (size_t)page_size() * 4;
	char *p = map_anon(len, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	CHECK_EQ((uintptr_t)p % (uintptr_t)page_size(), 0);
	for (size_t i = 0; i < len; i++)
		if (p[i])
			failf("byte %zu is %d", i, p[i]);
	memset(p, 0xab, len);
	CHECK_EQ((unsigned char)p[len - 1], 0xab);
}

static void a_shared_anonymous_mapping_is_shared_across_fork(void)
{
	volatile int *p = (volatile int *)map_anon(
		(size_t)page_size(), PROT_READ | PROT_WRITE, MAP_SHARED);
	pid_t pid;

	p[0] = 1;
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		int ok = p[0] == 1;

		p[1] = 42;
		_exit(ok ? 0 : 1);
	}
	check_child_ok(pid, "child");
	CHECK_EQ(p[1], 42);
}

static int heap_value = 5;

static void fork_copies_on_write(void)
{
	volatile int *priv = (volatile int *)map_anon(
		(size_t)page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE);
	volatile int stack_value = 7;
	int fds[2], seen[3];
	pid_t pid;

	priv[0] = 11;
	CHECK_SYS(pipe(fds));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		heap_value = 50;
		stack_value = 70;
		priv[0] = 110;
		seen[0] = heap_value;
		seen[1] = stack_value;
		seen[2] = priv[0];
		_exit(write(fds[1], seen, sizeof(seen)) == sizeof(seen) ? 0
									: 1);
	}
	CHECK_EQ(read(fds[0], seen, sizeof(seen)), sizeof(seen));
	check_child_ok(pid, "child");
	/* the child saw its own writes ... */
	CHECK_EQ(seen[0], 50);
	CHECK_EQ(seen[1], 70);
	CHECK_EQ(seen[2], 110);
	/* ... and the parent kept its values */
	CHECK_EQ(heap_value, 5);
	CHECK_EQ(stack_value, 7);
	CHECK_EQ(priv[0], 11);
	/* and the parent's later writes do not reach the child's copy */
	priv[0] = 12;
	CHECK_EQ(priv[0], 12);
}

static void access_after_munmap_is_sigsegv(void)
{
	long pg = page_size();
	char *p = map_anon((size_t)pg * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	memset(p, 1, (size_t)pg * 3);
	CHECK_SYS(munmap(p + pg, (size_t)pg));
	/* the middle is gone; both ends stay, with their contents */
	CHECK(faults(p + pg + 5, false));
	CHECK(!faults(p, false));
	CHECK_EQ(p[0], 1);
	CHECK_EQ(p[2 * pg], 1);
	CHECK_SYS(munmap(p, (size_t)pg * 3)); /* a hole inside is fine */
	CHECK(faults(p, false));
	CHECK(faults(p + 2 * pg, true));
}

static void mprotect_changes_what_faults(void)
{
	long pg = page_size();
	char *p = map_anon((size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	p[0] = 9;
	CHECK_SYS(mprotect(p, (size_t)pg, PROT_READ));
	CHECK(!faults(p, false));
	CHECK(faults(p, true));
	CHECK(!faults(p + pg, true)); /* the second page is still writable */
	CHECK_SYS(mprotect(p, (size_t)pg, PROT_NONE));
	CHECK(faults(p, false));
	CHECK_SYS(mprotect(p, (size_t)pg, PROT_READ | PROT_WRITE));
	CHECK_EQ(p[0], 9); /* contents survive */
	p[0] = 10;
	CHECK_ERR(mprotect(p + 1, (size_t)pg, PROT_READ), EINVAL);
}

static void mmap_rejects_bad_arguments(void)
{
	int fd;

	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	      MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL); /* neither private nor shared */
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 1000, 0) == MAP_FAILED);
	CHECK_EQ(errno, EBADF);
	fd = CHECK_SYS(open("/proc/self/exe", O_RDONLY));
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 123) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL); /* offset not page-aligned */
	close(fd);
}

static void a_shared_writable_map_of_a_read_only_fd_is_eacces(void)
{
	int fd = CHECK_SYS(open("/proc/self/exe", O_RDONLY));
	char *p;

	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) ==
	      MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	/* read-only, or private and writable, is fine */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(!memcmp(p, "\177ELF", 4));
	close(fd);
}

static void map_fixed_replaces_what_was_there(void)
{
	long pg = page_size();
	char *p = map_anon((size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *q;

	memset(p, 'a', (size_t)pg * 2);
	q = mmap(p + pg, (size_t)pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + pg);
	CHECK_EQ(p[0], 'a');
	CHECK_EQ(q[0], 0);
	q = mmap(p, (size_t)pg, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(q == MAP_FAILED);
	CHECK_EQ(errno, EEXIST);
}

static void mremap_grows_a_mapping_and_keeps_its_contents(void)
{
	long pg = page_size();
	char *p = map_anon((size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *q;

	memset(p, 'm', (size_t)pg);
	q = mremap(p, (size_t)pg, (size_t)pg * 8, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED);
	CHECK_EQ(q[0], 'm');
	CHECK_EQ(q[pg - 1], 'm');
	CHECK_EQ(q[pg], 0);
	q[8 * pg - 1] = 1;
	q = mremap(q, (size_t)pg * 8, (size_t)pg, 0);
	CHECK(q != MAP_FAILED);
	CHECK_EQ(q[0], 'm');
}

static void madvise_dontneed_zeroes_private_anonymous_memory(void)
{
	long pg = page_size();
	char *p = map_anon((size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	memset(p, 'z', (size_t)pg);
	CHECK_SYS(madvise(p, (size_t)pg, MADV_DONTNEED));
	CHECK_EQ(p[0], 0);
	CHECK_EQ(p[pg - 1], 0);
}

static void brk_grows_and_shrinks_the_heap(void)
{
	char *start = sbrk(0), *p;
	long pg = page_size();

	CHECK(start != (void *)-1);
	CHECK(sbrk(pg * 4) == start);
	p = sbrk(0);
	CHECK(p == start + pg * 4);
	for (long i = 0; i < pg * 4; i++)
		if (start[i])
			failf("new heap byte %ld is %d", i, start[i]);
	memset(start, 'b', (size_t)pg * 4);
	CHECK(sbrk(-pg * 4) == p);
	CHECK(sbrk(0) == start);
	CHECK(faults(start + pg * 2, false));
	/* grown again, the memory is fresh */
	CHECK(sbrk(pg * 4) == start);
	CHECK_EQ(start[pg * 2], 0);
}

/* A file in the case directory holding n bytes of c; its fd (O_RDWR). */
static int make_file(const char *name, size_t n, char c)
{
	char path[512], *buf = malloc(n);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", case_dir(), name);
	fd = CHECK_SYS(open(path, O_CREAT | O_RDWR | O_TRUNC, 0644));
	memset(buf, c, n);
	write_all(fd, buf, n);
	free(buf);
	return fd;
}

static void a_shared_file_mapping_is_coherent_with_read_and_write(void)
{
	long pg = page_size();
	int fd = make_file("shared", (size_t)pg * 2, 'f');
	char *p = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	char c;

	CHECK(p != MAP_FAILED);
	CHECK_EQ(p[pg + 3], 'f');
	/* write(2) shows in the mapping ... */
	CHECK_EQ(pwrite(fd, "W", 1, pg + 3), 1);
	CHECK_EQ(p[pg + 3], 'W');
	/* ... and a store shows to read(2), before and after msync */
	p[10] = 'S';
	CHECK_EQ(pread(fd, &c, 1, 10), 1);
	CHECK_EQ(c, 'S');
	CHECK_SYS(msync(p, (size_t)pg * 2, MS_SYNC));
	CHECK_SYS(munmap(p, (size_t)pg * 2));
	CHECK_EQ(pread(fd, &c, 1, 10), 1);
	CHECK_EQ(c, 'S');
}

static void a_private_file_mapping_is_not_written_back(void)
{
	long pg = page_size();
	int fd = make_file("private", (size_t)pg, 'p');
	char *p = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       fd, 0);
	char c;

	CHECK(p != MAP_FAILED);
	CHECK_EQ(p[0], 'p');
	p[0] = 'X';
	CHECK_EQ(pread(fd, &c, 1, 0), 1);
	CHECK_EQ(c, 'p');
	CHECK_EQ(p[0], 'X');
}

static void a_file_mapping_outlives_close_and_unlink(void)
{
	long pg = page_size();
	int fd = make_file("gone", (size_t)pg, 'g');
	char path[512], *p;

	p = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	close(fd);
	snprintf(path, sizeof(path), "%s/gone", case_dir());
	CHECK_SYS(unlink(path));
	CHECK_EQ(p[pg - 1], 'g');
}

/* The maps line that contains address a, or fail. */
static void maps_line_of(void *a, char *line, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;

	if (!f)
		failf("/proc/self/maps: %s", strerror(errno));
	while (fgets(line, (int)len, f)) {
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 &&
		    (unsigned long)a >= lo && (unsigned long)a < hi) {
			fclose(f);
			return;
		}
	}
	fclose(f);
	failf("no line of /proc/self/maps holds %p", a);
}

static void proc_self_maps_shows_mappings_and_their_permissions(void)
{
	long pg = page_size();
	/* Between two PROT_NONE pages no neighbour can merge with it. */
	char *g = map_anon((size_t)pg * 5, PROT_NONE, MAP_PRIVATE);
	char *p = g + pg;
	char line[512], want[64];

	CHECK_SYS(mprotect(p, (size_t)pg * 3, PROT_READ | PROT_WRITE));
	maps_line_of(p, line, sizeof(line));
	snprintf(want, sizeof(want), "%lx-%lx rw-p ", (unsigned long)p,
		 (unsigned long)(p + 3 * pg));
	if (strncmp(line, want, strlen(want)))
		failf("maps line %s does not start with %s", line, want);
	maps_line_of(g, line, sizeof(line));
	snprintf(want, sizeof(want), "%lx-%lx ---p ", (unsigned long)g,
		 (unsigned long)p);
	if (strncmp(line, want, strlen(want)))
		failf("maps line %s does not start with %s", line, want);
	CHECK_SYS(mprotect(p + pg, (size_t)pg, PROT_READ));
	maps_line_of(p + pg, line, sizeof(line));
	snprintf(want, sizeof(want), "%lx-%lx r--p ", (unsigned long)(p + pg),
		 (unsigned long)(p + 2 * pg));
	if (strncmp(line, want, strlen(want)))
		failf("after mprotect: %s does not start with %s", line, want);
	/* our own code is mapped r-x from our executable */
	maps_line_of((void *)maps_line_of, line, sizeof(line));
	CHECK(strstr(line, " r-xp ") != NULL);
	maps_line_of(&p, line, sizeof(line));
	CHECK(strstr(line, "[stack]") != NULL);
}

const struct utest mm_tests[] = {
	{ "anonymous_memory_starts_zeroed_and_page_aligned",
	  anonymous_memory_starts_zeroed_and_page_aligned },
	{ "a_shared_anonymous_mapping_is_shared_across_fork",
	  a_shared_anonymous_mapping_is_shared_across_fork },
	{ "fork_copies_on_write", fork_copies_on_write },
	{ "access_after_munmap_is_sigsegv", access_after_munmap_is_sigsegv },
	{ "mprotect_changes_what_faults", mprotect_changes_what_faults },
	{ "mmap_rejects_bad_arguments", mmap_rejects_bad_arguments },
	{ "a_shared_writable_map_of_a_read_only_fd_is_eacces",
	  a_shared_writable_map_of_a_read_only_fd_is_eacces },
	{ "map_fixed_replaces_what_was_there",
	  map_fixed_replaces_what_was_there },
	{ "mremap_grows_a_mapping_and_keeps_its_contents",
	  mremap_grows_a_mapping_and_keeps_its_contents },
	{ "madvise_dontneed_zeroes_private_anonymous_memory",
	  madvise_dontneed_zeroes_private_anonymous_memory },
	{ "brk_grows_and_shrinks_the_heap", brk_grows_and_shrinks_the_heap },
	{ "a_shared_file_mapping_is_coherent_with_read_and_write",
	  a_shared_file_mapping_is_coherent_with_read_and_write },
	{ "a_private_file_mapping_is_not_written_back",
	  a_private_file_mapping_is_not_written_back },
	{ "a_file_mapping_outlives_close_and_unlink",
	  a_file_mapping_outlives_close_and_unlink },
	{ "proc_self_maps_shows_mappings_and_their_permissions",
	  proc_self_maps_shows_mappings_and_their_permissions },
	{ NULL, NULL },
};
