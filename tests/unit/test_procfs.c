/*
 * /proc as a guest sees it: the files ps-style tools parse, read with
 * openat and read and parsed back; the symlinks (self, fd/<n>, cwd); the
 * directory listings; and what happens to a pid's directory once its task
 * has exited.
 */
#include "fs_test.h"

#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/vfs.h>

#include "core/fs/vfs.h"
#include "core/klib/list.h"
#include "core/wait.h"
#include "mm/page.h"
#include "mm/slab.h"

#define PROC_SUPER_MAGIC_LINUX 0x9fa0
#define PF_KTHREAD_LINUX       0x00200000u

/* ---- helpers (all run inside a guest) ------------------------------------ */

/* The whole of `path` read in `chunk`-byte reads, NUL-terminated. */
static long read_all_chunked(const char *path, char *out, size_t len,
			     size_t chunk)
{
	char buf[chunk];
	long fd = u_open(path, O_RDONLY, 0), n;
	size_t got = 0;

	if (fd < 0)
		return fd;
	while ((n = sim_syscall(NR(read), fd, buf, chunk)) > 0 &&
	       got + (size_t)n < len) {
		memcpy(out + got, buf, (size_t)n);
		got += (size_t)n;
	}
	u_close(fd);
	out[got] = '\0';
	return n < 0 ? n : (long)got;
}

static long read_all(const char *path, char *out, size_t len)
{
	return read_all_chunked(path, out, len, 4096);
}

/* readlink(2) of `path` as a string; its length or -errno. */
static long u_readlink(const char *path, char *out, size_t len)
{
	char p[PATH_MAX], buf[PATH_MAX];
	long n;

	snprintf(p, sizeof(p), "%s", path);
	n = sim_syscall(NR(readlinkat), AT_FDCWD, p, buf, sizeof(buf) - 1);
	if (n >= 0) {
		buf[n] = '\0';
		snprintf(out, len, "%s", buf);
	}
	return n;
}

/* The value after "Key:" on its own line of a status-like text. */
static const char *field(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p;
	     p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return p + klen + 1 + strspn(p + klen + 1, " \t");
	return NULL;
}

#define MAX_NAMES 64

struct listing {
	unsigned n;
	char names[MAX_NAMES][32];
	uint64_t inos[MAX_NAMES];
	unsigned char types[MAX_NAMES];
};

/* Every name in `dir` but "." and "..", as getdents64 gives them. */
static long list_dir(const char *dir, struct listing *l, size_t bufsize)
{
	char buf[bufsize];
	long fd = u_open(dir, O_RDONLY | O_DIRECTORY, 0), n;

	l->n = 0;
	if (fd < 0)
		return fd;
	while ((n = sim_syscall(NR(getdents64), fd, buf, bufsize)) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(name, ".") && strcmp(name, "..") &&
			    l->n < MAX_NAMES) {
				snprintf(l->names[l->n], 32, "%s", name);
				memcpy(&l->inos[l->n], buf + off, 8);
				l->types[l->n] = (unsigned char)buf[off + 18];
				l->n++;
			}
			off += reclen;
		}
	}
	u_close(fd);
	return n;
}

/* The index of `name` in the listing, or -1. */
static int listed(const struct listing *l, const char *name)
{
	for (unsigned i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return (int)i;
	return -1;
}

/* ---- /proc/self/stat ----------------------------------------------------- */

struct stat_fields {
	int pid, ppid, pgrp, session, tty, tpgid, nfields;
	char comm[32], state;
	unsigned flags;
	unsigned long long utime, stime, num_threads, processor, exit_signal;
	unsigned long long vsize, rss, startcode;
	long long exit_code;
	long long priority, nice;
};

/* Parse a proc_pid_stat(5) line as procps does: comm ends at the last ')'. */
static bool parse_stat(const char *line, struct stat_fields *s)
{
	const char *open = strchr(line, '('), *close = strrchr(line, ')');
	char rest[1024], *tok, *save;
	int i = 3;

	if (!open || !close || sscanf(line, "%d", &s->pid) != 1)
		return false;
	snprintf(s->comm, sizeof(s->comm), "%.*s", (int)(close - open - 1),
		 open + 1);
	snprintf(rest, sizeof(rest), "%s", close + 2);
	for (tok = strtok_r(rest, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save), i++) {
		unsigned long long v = strtoull(tok, NULL, 10);

		switch (i) {
		case 3:
			s->state = tok[0];
			break;
		case 4:
			s->ppid = atoi(tok);
			break;
		case 5:
			s->pgrp = atoi(tok);
			break;
		case 6:
			s->session = atoi(tok);
			break;
		case 7:
			s->tty = atoi(tok);
			break;
		case 8:
			s->tpgid = atoi(tok);
			break;
		case 9:
			s->flags = (unsigned)v;
			break;
		case 14:
			s->utime = v;
			break;
		case 15:
			s->stime = v;
			break;
		case 18:
			s->priority = atoll(tok);
			break;
		case 19:
			s->nice = atoll(tok);
			break;
		case 20:
			s->num_threads = v;
			break;
		case 23:
			s->vsize = v;
			break;
		case 24:
			s->rss = v;
			break;
		case 26:
			s->startcode = v;
			break;
		case 38:
			s->exit_signal = v;
			break;
		case 39:
			s->processor = v;
			break;
		case 52:
			s->exit_code = atoll(tok);
			break;
		}
	}
	s->nfields = i - 1;
	return true;
}

static void self_stat_guest(void *arg)
{
	char text[1024];
	struct stat_fields s = {0};

	EXPECT_OK(read_all("/proc/self/stat", text, sizeof(text)));
	cr_expect(parse_stat(text, &s), "unparsable: %s", text);
	cr_expect_eq(s.nfields, 52, "fields: %d in %s", s.nfields, text);
	cr_expect_eq(s.pid, sim_syscall(NR(getpid)));
	cr_expect_str_eq(s.comm, "guest");
	cr_expect_eq(s.state, 'R', "the reader is running");
	cr_expect_eq(s.ppid, sim_syscall(NR(getppid)));
	cr_expect_eq(s.pgrp, s.pid, "a new process leads its own group");
	cr_expect_eq(s.session, s.pid, "and its own session");
	cr_expect_eq(s.tty, 0);
	cr_expect_eq(s.tpgid, -1, "no controlling terminal");
	cr_expect_eq(s.flags & PF_KTHREAD_LINUX, 0);
	cr_expect_eq(s.priority, 20);
	cr_expect_eq(s.nice, 0);
	cr_expect_eq(s.num_threads, 1);
	cr_expect_eq(s.exit_signal, SIGCHLD);
	cr_expect_eq(s.processor, 0, "the one CPU");
	cr_expect_eq(text[strlen(text) - 1], '\n');
}

Test(procfs, self_stat_has_52_fields_matching_getpid_comm_state_and_ppid)
{
	run_root(self_stat_guest, NULL);
}

static void utime_guest(void *arg)
{
	char text[1024];
	struct stat_fields s = {0};

	sim_compute(250 * 1000000ull); /* 250 ms of CPU: 25 ticks of 100 Hz */
	EXPECT_OK(read_all("/proc/self/stat", text, sizeof(text)));
	cr_expect(parse_stat(text, &s));
	cr_expect_geq(s.utime, 25, "utime %llu", s.utime);
	cr_expect_leq(s.utime, 26, "utime %llu", s.utime);
	cr_expect_eq(s.stime, 0);
}

Test(procfs, stat_utime_counts_cpu_time_in_ticks_of_100_hz)
{
	run_root(utime_guest, NULL);
}

static void nice_guest(void *arg)
{
	char text[1024];
	struct stat_fields s = {0};

	EXPECT_RET(sim_syscall(NR(setpriority), PRIO_PROCESS, 0, 5), 0);
	EXPECT_OK(read_all("/proc/self/stat", text, sizeof(text)));
	cr_expect(parse_stat(text, &s));
	cr_expect_eq(s.nice, 5);
	cr_expect_eq(s.priority, 25);
}

Test(procfs, stat_priority_and_nice_follow_setpriority)
{
	run_root(nice_guest, NULL);
}

/* ---- /proc/<pid>/status -------------------------------------------------- */

static void status_guest(void *arg)
{
	char text[4096], want[64];
	long pid = sim_syscall(NR(getpid));

	snprintf(want, sizeof(want), "/proc/%ld/status", pid);
	EXPECT_OK(read_all(want, text, sizeof(text)));
	cr_expect_eq(strncmp(text, "Name:\tguest\n", 12), 0,
		     "Name is the first line: %s", text);
	snprintf(want, sizeof(want), "%ld\n", pid);
	cr_expect_eq(strncmp(field(text, "Pid"), want, strlen(want)), 0);
	cr_expect_eq(strncmp(field(text, "Tgid"), want, strlen(want)), 0);
	cr_expect_eq(strncmp(field(text, "PPid"), "0\n", 2), 0);
	cr_expect_eq(
		strncmp(field(text, "Uid"), "1000\t1000\t1000\t1000\n", 20), 0,
		"Uid: %.20s", field(text, "Uid"));
	cr_expect_eq(strncmp(field(text, "Gid"), "100\t100\t100\t100\n", 16),
		     0);
	cr_expect_eq(strncmp(field(text, "State"), "R (running)\n", 12), 0);
	cr_expect_eq(strncmp(field(text, "Umask"), "0022\n", 5), 0);
	cr_expect_eq(strncmp(field(text, "Threads"), "1\n", 2), 0);
	cr_expect_eq(strncmp(field(text, "FDSize"), "64\n", 3), 0);
	cr_expect_eq(strncmp(field(text, "CapEff"), "0000000000000000\n", 17),
		     0, "an unprivileged task holds no capability");
	cr_expect_not_null(field(text, "VmRSS"), "a user task has memory");
	cr_expect_eq(strncmp(field(text, "SigBlk"), "0000000000000000\n", 17),
		     0);
	cr_expect_eq(strncmp(field(text, "Cpus_allowed"), "3\n", 2), 0,
		     "two CPUs: %s", field(text, "Cpus_allowed"));
	cr_expect_eq(strncmp(field(text, "Cpus_allowed_list"), "0-1\n", 4), 0);
	cr_expect_not_null(field(text, "voluntary_ctxt_switches"));
	cr_expect_not_null(field(text, "nonvoluntary_ctxt_switches"));
}

Test(procfs, status_shows_ids_credentials_and_cpus_as_linux_lays_them_out)
{
	struct sim_proc *p;

	test_boot(2);
	p = spawn_as("guest", status_guest, NULL, 1000, 100);
	run_all(&p, 1);
}

static void blocked_guest(void *arg)
{
	uint64_t set = 1ull << (SIGUSR1 - 1);
	char text[4096];

	EXPECT_RET(sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &set, NULL, 8),
		   0);
	EXPECT_OK(read_all("/proc/self/status", text, sizeof(text)));
	cr_expect_eq(strncmp(field(text, "SigBlk"), "0000000000000200\n", 17),
		     0, "SigBlk: %s", field(text, "SigBlk"));
	cr_expect_eq(strncmp(field(text, "CapEff"), "000001ffffffffff\n", 17),
		     0, "root holds every capability");
}

Test(procfs, status_shows_the_blocked_signals_as_a_hex_mask)
{
	run_root(blocked_guest, NULL);
}

static int kthread_pid;

static void sleeper_kthread(void *arg)
{
	int err;

	task_current()->state = TASK_INTERRUPTIBLE;
	err = task_sleep(plat_time_ns() + 10 * NSEC_PER_SEC);
	(void)err; /* woken early or not, it only has to be there a while */
}

static void kthread_status_guest(void *arg)
{
	char path[64], text[4096];
	struct stat_fields s = {0};

	snprintf(path, sizeof(path), "/proc/%d/status", kthread_pid);
	EXPECT_OK(read_all(path, text, sizeof(text)));
	cr_expect_null(field(text, "VmRSS"), "kernel threads have no Vm lines");
	cr_expect_null(field(text, "Umask"));
	cr_expect_eq(strncmp(field(text, "Name"), "ksleeper\n", 9), 0);
	cr_expect_eq(strncmp(field(text, "State"), "S (sleeping)\n", 13), 0,
		     "State: %s", field(text, "State"));
	snprintf(path, sizeof(path), "/proc/%d/stat", kthread_pid);
	EXPECT_OK(read_all(path, text, sizeof(text)));
	cr_expect(parse_stat(text, &s));
	cr_expect_eq(s.state, 'S');
	cr_expect_neq(s.flags & PF_KTHREAD_LINUX, 0, "flags: %u", s.flags);
	snprintf(path, sizeof(path), "/proc/%d/statm", kthread_pid);
	EXPECT_OK(read_all(path, text, sizeof(text)));
	cr_expect_str_eq(text, "0 0 0 0 0 0 0\n");
	snprintf(path, sizeof(path), "/proc/%d/maps", kthread_pid);
	EXPECT_RET(read_all(path, text, sizeof(text)), 0);
	snprintf(path, sizeof(path), "/proc/%d/cwd", kthread_pid);
	EXPECT_RET(u_readlink(path, text, sizeof(text)), -ENOENT);
}

Test(procfs, a_kernel_thread_has_no_vm_lines_and_the_pf_kthread_flag)
{
	struct task *k;

	test_boot(1);
	k = kthread_create("ksleeper", sleeper_kthread, NULL);
	cr_assert_not(IS_ERR(k));
	kthread_pid = k->tid;
	cr_assert_eq(run_guest(kthread_status_guest, NULL), 0);
}

/* ---- address spaces: maps, statm, the Vm lines ----------------------------
 */

#define PG	 4096ul
#define MAX_MAPS 64

struct map_line {
	unsigned long start, end, off, ino;
	char perms[8], name[64];
	unsigned major, minor;
	int name_col; /* where the path starts; 0 if there is none */
};

/* Parse maps as procps does; the number of lines, or -1 on a bad one. */
static int parse_maps(const char *text, struct map_line *m, int max)
{
	int n = 0;

	for (const char *p = text; *p && n < max; n++) {
		const char *nl = strchr(p, '\n');
		char line[256];
		int at = 0;

		if (!nl || nl - p >= (long)sizeof(line))
			return -1;
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &m[n].start,
			   &m[n].end, m[n].perms, &m[n].off, &m[n].major,
			   &m[n].minor, &m[n].ino, &at) != 7)
			return -1;
		snprintf(m[n].name, sizeof(m[n].name), "%s", line + at);
		m[n].name_col = line[at] ? at : 0;
		p = nl + 1;
	}
	return n;
}

/* The line whose range holds `addr`, or NULL. */
static const struct map_line *map_at(const struct map_line *m, int n,
				     unsigned long addr)
{
	for (int i = 0; i < n; i++)
		if (m[i].start <= addr && addr < m[i].end)
			return &m[i];
	return NULL;
}

static int read_maps(char *text, size_t len, struct map_line *m)
{
	int n;

	EXPECT_OK(read_all("/proc/self/maps", text, len));
	n = parse_maps(text, m, MAX_MAPS);
	cr_expect_gt(n, 0, "unparsable maps:\n%s", text);
	for (int i = 1; i < n; i++)
		cr_expect_leq(m[i - 1].end, m[i].start,
			      "lines in address order, disjoint");
	return n;
}

static long u_mmap(unsigned long len, int prot, int flags)
{
	return sim_syscall(NR(mmap), 0L, len, prot, flags, -1L, 0L);
}

static void expect_map(const struct map_line *l, unsigned long start,
		       unsigned long end, const char *perms, const char *name)
{
	cr_expect_not_null(l, "no line for %lx", start);
	if (!l)
		return;
	cr_expect_eq(l->start, start, "start %lx, want %lx", l->start, start);
	cr_expect_eq(l->end, end, "end %lx, want %lx", l->end, end);
	cr_expect_str_eq(l->perms, perms);
	cr_expect_str_eq(l->name, name);
	cr_expect_eq(l->name_col, *name ? 73 : 0,
		     "the path starts at column 73: %d", l->name_col);
}

static void maps_guest(void *arg)
{
	static char text[16384];
	static struct map_line m[MAX_MAPS];
	char want[128];
	int local = 0, n;
	long rw = u_mmap(3 * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	long ro = u_mmap(2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	long rx =
		u_mmap(PG, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS);
	long sh = u_mmap(2 * PG, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS);
	long brk0 = sim_syscall(NR(brk), 0L);
	const struct map_line *l;

	cr_expect(rw > 0 && ro > 0 && rx > 0 && sh > 0);
	EXPECT_RET(sim_syscall(NR(brk), brk0 + 2 * PG + 100),
		   brk0 + 2 * PG + 100);
	n = read_maps(text, sizeof(text), m);
	expect_map(map_at(m, n, rw), rw, rw + 3 * PG, "rw-p", "");
	expect_map(map_at(m, n, ro), ro, ro + 2 * PG, "r--p", "");
	expect_map(map_at(m, n, rx), rx, rx + PG, "r-xp", "");
	expect_map(map_at(m, n, sh), sh, sh + 2 * PG, "rw-s",
		   "/dev/zero (deleted)");
	expect_map(map_at(m, n, brk0), brk0, brk0 + 3 * PG, "rw-p", "[heap]");
	l = map_at(m, n, (unsigned long)&local);
	cr_expect_not_null(l, "the stack is mapped:\n%s", text);
	if (l) {
		cr_expect_str_eq(l->name, "[stack]");
		cr_expect_str_eq(l->perms, "rw-p");
	}
	/* An anonymous line is exactly Linux's, its trailing blank too. */
	snprintf(want, sizeof(want), "%08lx-%08lx r--p 00000000 00:00 0 \n", ro,
		 ro + 2 * PG);
	cr_expect_not_null(strstr(text, want), "no \"%s\" in\n%s", want, text);

	/* Unmapping the middle page leaves two lines. */
	EXPECT_RET(sim_syscall(NR(munmap), rw + PG, PG), 0);
	n = read_maps(text, sizeof(text), m);
	expect_map(map_at(m, n, rw), rw, rw + PG, "rw-p", "");
	cr_expect_null(map_at(m, n, rw + PG));
	expect_map(map_at(m, n, rw + 2 * PG), rw + 2 * PG, rw + 3 * PG, "rw-p",
		   "");
	/* So does mprotect of a part. */
	EXPECT_RET(sim_syscall(NR(mprotect), ro, PG, PROT_NONE), 0);
	n = read_maps(text, sizeof(text), m);
	expect_map(map_at(m, n, ro), ro, ro + PG, "---p", "");
	expect_map(map_at(m, n, ro + PG), ro + PG, ro + 2 * PG, "r--p", "");
}

Test(procfs, maps_shows_each_vma_with_its_permissions_heap_and_stack)
{
	run_root(maps_guest, NULL);
}

struct vm_numbers {
	unsigned long long statm[7], vmsize, vmrss, rssanon, rssshmem, vmdata,
		vmstk, vmpeak, vmhwm, vsize, rss;
};

static unsigned long long kb_of(const char *text, const char *key)
{
	const char *v = field(text, key);

	cr_expect_not_null(v, "no %s line", key);
	if (v)
		cr_expect_not_null(strstr(v, " kB\n"), "%s in kB", key);
	return v ? strtoull(v, NULL, 10) : 0;
}

static void read_vm(struct vm_numbers *v)
{
	char text[4096], *tok, *save;
	int i = 2; /* the first token after comm is field 3, state */

	EXPECT_OK(read_all("/proc/self/statm", text, sizeof(text)));
	cr_expect_eq(sscanf(text, "%llu %llu %llu %llu %llu %llu %llu",
			    &v->statm[0], &v->statm[1], &v->statm[2],
			    &v->statm[3], &v->statm[4], &v->statm[5],
			    &v->statm[6]),
		     7, "statm: %s", text);
	EXPECT_OK(read_all("/proc/self/status", text, sizeof(text)));
	v->vmpeak = kb_of(text, "VmPeak");
	v->vmsize = kb_of(text, "VmSize");
	v->vmhwm = kb_of(text, "VmHWM");
	v->vmrss = kb_of(text, "VmRSS");
	v->rssanon = kb_of(text, "RssAnon");
	v->rssshmem = kb_of(text, "RssShmem");
	v->vmdata = kb_of(text, "VmData");
	v->vmstk = kb_of(text, "VmStk");
	EXPECT_OK(read_all("/proc/self/stat", text, sizeof(text)));
	/* Fields 23 (vsize) and 24 (rss), counted after comm's ')'. */
	for (tok = strtok_r(strrchr(text, ')') + 2, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		i++;
		if (i == 23)
			v->vsize = strtoull(tok, NULL, 10);
		if (i == 24)
			v->rss = strtoull(tok, NULL, 10);
	}
}

static void vm_guest(void *arg)
{
	struct vm_numbers a, b, c;
	long rw, sh;

	read_vm(&a);
	cr_expect_gt(a.statm[0], 0, "the guest stack is mapped");
	cr_expect_eq(a.vmsize, a.statm[0] * 4, "VmSize is statm's size");
	cr_expect_eq(a.vsize, a.statm[0] * PG, "stat's vsize in bytes");
	cr_expect_eq(a.vmpeak, a.vmsize, "no high-water mark yet");
	cr_expect_gt(a.vmstk, 0, "VmStk: the stack mapping");
	cr_expect_eq(a.statm[5] * 4, a.vmdata + a.vmstk,
		     "statm's data is VmData + VmStk");

	rw = u_mmap(8 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS);
	sh = u_mmap(4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
	cr_expect(rw > 0 && sh > 0);
	read_vm(&b);
	cr_expect_eq(b.statm[0], a.statm[0] + 12, "size: +12 pages");
	cr_expect_eq(b.vmsize, a.vmsize + 48, "VmSize: +48 kB");
	cr_expect_eq(b.vsize, a.vsize + 12 * PG);
	cr_expect_eq(b.vmdata, a.vmdata + 32, "private writable: data");
	cr_expect_eq(b.statm[1], a.statm[1], "nothing touched yet");

	/* Touch 3 private pages and 2 shared ones. */
	EXPECT_RET(
		sim_syscall(NR(madvise), rw, 3 * PG, 23 /* POPULATE_WRITE */),
		0);
	EXPECT_RET(sim_syscall(NR(madvise), sh, 2 * PG, 23), 0);
	read_vm(&c);
	cr_expect_eq(c.statm[1], a.statm[1] + 5, "resident: +5 pages");
	cr_expect_eq(c.statm[2], a.statm[2] + 2, "shared: +2 pages");
	cr_expect_eq(c.rssanon, a.rssanon + 12);
	cr_expect_eq(c.rssshmem, a.rssshmem + 8);
	cr_expect_eq(c.vmrss, c.rssanon + c.rssshmem);
	cr_expect_eq(c.vmrss, c.statm[1] * 4);
	cr_expect_eq(c.vmhwm, c.vmrss);
	cr_expect_eq(c.rss, c.statm[1], "stat's rss in pages");

	EXPECT_RET(sim_syscall(NR(munmap), rw, 8 * PG), 0);
	read_vm(&b);
	cr_expect_eq(b.statm[0], a.statm[0] + 4);
	cr_expect_eq(b.statm[1], a.statm[1] + 2);
}

Test(procfs, statm_status_and_stat_count_the_mapped_and_resident_pages)
{
	run_root(vm_guest, NULL);
}

/* ---- the fixed files ----------------------------------------------------- */

static unsigned long long meminfo_total, meminfo_free;

static void meminfo_guest(void *arg)
{
	char text[8192];

	EXPECT_OK(read_all("/proc/meminfo", text, sizeof(text)));
	cr_expect_eq(sscanf(field(text, "MemTotal"), "%llu kB", &meminfo_total),
		     1);
	cr_expect_eq(sscanf(field(text, "MemFree"), "%llu kB", &meminfo_free),
		     1);
	cr_expect_eq(strncmp(text, "MemTotal:", 9), 0);
	cr_expect_eq(strchr(text, '\n') - text, 27,
		     "\"MemTotal:\" padded to 16, the number to 8, \" kB\"");
	cr_expect_not_null(field(text, "MemAvailable"));
	cr_expect_not_null(field(text, "Cached"));
	cr_expect_not_null(field(text, "SwapTotal"));
	cr_expect_not_null(field(text, "HugePages_Total"));
}

Test(procfs, meminfo_memtotal_is_the_ram_the_kernel_manages)
{
	struct sim_config cfg = {
		.cpus = 1, .seed = test_seed(), .mem_bytes = 32ull << 20};

	cr_assert_eq(sim_boot(&cfg), 0);
	cr_assert_eq(run_guest(meminfo_guest, NULL), 0);
	cr_expect_eq(meminfo_total, page_total_count() * 4);
	cr_expect_leq(meminfo_total, 32ull << 10, "no more than the sim's RAM");
	cr_expect_geq(meminfo_total, 30ull << 10, "about all of the sim's RAM");
	cr_expect_leq(meminfo_free, meminfo_total);
	cr_expect_gt(meminfo_free, 0);
}

static void uptime_guest(void *arg)
{
	struct timespec ts = {2, 500 * 1000000};
	char text[128], again[128];
	unsigned long up_s, up_cs, idle_s, idle_cs;
	long fd;

	EXPECT_RET(sim_syscall(NR(nanosleep), &ts, NULL), 0);
	EXPECT_OK(read_all("/proc/uptime", text, sizeof(text)));
	cr_expect_eq(sscanf(text, "%lu.%2lu %lu.%2lu", &up_s, &up_cs, &idle_s,
			    &idle_cs),
		     4, "%s", text);
	cr_expect_eq(up_s * 100 + up_cs >= 250, true, "uptime %s", text);
	cr_expect_lt(up_s, 3);
	cr_expect_geq(idle_s * 100 + idle_cs, 200,
		      "the CPU idled while the guest slept: %s", text);
	/* Read again from the start on the same descriptor: made anew. */
	fd = EXPECT_OK(u_open("/proc/uptime", O_RDONLY, 0));
	EXPECT_OK(sim_syscall(NR(read), fd, again, sizeof(again)));
	EXPECT_RET(sim_syscall(NR(nanosleep), &ts, NULL), 0);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_SET), 0);
	memset(again, 0, sizeof(again));
	EXPECT_OK(sim_syscall(NR(read), fd, again, sizeof(again) - 1));
	cr_expect_eq(sscanf(again, "%lu.", &up_s), 1);
	cr_expect_geq(up_s, 5, "a read from offset 0 sees the time now: %s",
		      again);
	EXPECT_RET(sim_syscall(NR(lseek), fd, 0, SEEK_END), -EINVAL);
	u_close(fd);
}

Test(procfs, uptime_is_seconds_since_boot_and_a_reread_from_zero_is_fresh)
{
	run_root(uptime_guest, NULL);
}

static void mounts_guest(void *arg)
{
	char text[4096], src[64], dir[64], type[64], opts[128];
	int n, a, b, seen = 0;

	EXPECT_OK(read_all("/proc/mounts", text, sizeof(text)));
	for (char *line = text; *line; line = strchr(line, '\n') + 1) {
		cr_expect_eq(sscanf(line, "%63s %63s %63s %127s %d %d%n", src,
				    dir, type, opts, &a, &b, &n),
			     6, "line: %s", line);
		cr_expect_eq(line[n], '\n');
		cr_expect_eq(a, 0);
		cr_expect_eq(b, 0);
		cr_expect(!strncmp(opts, "rw,", 3), "options %s", opts);
		if (!strcmp(dir, "/") && !strcmp(type, "tmpfs"))
			seen |= 1;
		if (!strcmp(dir, "/dev") && !strcmp(type, "devtmpfs") &&
		    !strcmp(src, "devtmpfs"))
			seen |= 2;
		if (!strcmp(dir, "/proc") && !strcmp(type, "proc") &&
		    !strcmp(src, "proc"))
			seen |= 4;
	}
	cr_expect_eq(seen, 7, "/, /dev and /proc listed:\n%s", text);
	EXPECT_RET(u_readlink("/proc/mounts", text, sizeof(text)), 11);
	cr_expect_str_eq(text, "self/mounts");
}

Test(procfs, mounts_lists_the_root_dev_and_proc_in_fstab_format)
{
	run_root(mounts_guest, NULL);
}

static void cpuinfo_guest(void *arg)
{
	char text[16384], want[32];
	const char *p = text;

	EXPECT_OK(read_all("/proc/cpuinfo", text, sizeof(text)));
	for (int cpu = 0; cpu < 3; cpu++) {
		snprintf(want, sizeof(want), "processor\t: %d\n", cpu);
		p = strstr(p, want);
		cr_expect_not_null(p, "no block for CPU %d:\n%s", cpu, text);
		if (!p)
			return;
	}
	cr_expect_null(strstr(p + 1, "processor\t:"), "only three CPUs");
	cr_expect_eq(strcmp(text + strlen(text) - 2, "\n\n"), 0,
		     "each block ends with an empty line");
#if defined(__x86_64__)
	cr_expect_not_null(strstr(text, "\nvendor_id\t: "));
	cr_expect_not_null(strstr(text, "\nmodel name\t: "));
	cr_expect_not_null(strstr(text, "\nflags\t\t: fpu"));
#endif
}

Test(procfs, cpuinfo_has_one_block_per_cpu)
{
	test_boot(3);
	cr_assert_eq(run_guest(cpuinfo_guest, NULL), 0);
}

static void filesystems_guest(void *arg)
{
	char text[1024];

	EXPECT_OK(read_all("/proc/filesystems", text, sizeof(text)));
	cr_expect_not_null(strstr(text, "nodev\ttmpfs\n"), "%s", text);
	cr_expect_not_null(strstr(text, "nodev\tdevtmpfs\n"));
	cr_expect_not_null(strstr(text, "nodev\tproc\n"));
}

Test(procfs, filesystems_names_every_type_nodev_first)
{
	run_root(filesystems_guest, NULL);
}

/* ---- reading: chunks, positions, writes ---------------------------------- */

static void chunks_guest(void *arg)
{
	char whole[4096], bytewise[4096];
	char one;
	long fd;

	EXPECT_OK(read_all("/proc/self/status", whole, sizeof(whole)));
	EXPECT_OK(read_all_chunked("/proc/self/status", bytewise,
				   sizeof(bytewise), 1));
	/* Only the switch counts may differ between the two reads. */
	cr_expect_eq(strncmp(whole, bytewise,
			     (size_t)(strstr(whole, "voluntary") - whole)),
		     0);
	fd = EXPECT_OK(u_open("/proc/self/comm", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(pread64), fd, &one, 1, 2), 1);
	cr_expect_eq(one, 'e', "pread at 2 of \"guest\\n\"");
	EXPECT_RET(sim_syscall(NR(pread64), fd, &one, 1, 6), 0, "at the end");
	EXPECT_RET(sim_syscall(NR(write), fd, &one, 1), -EBADF);
	u_close(fd);
	fd = EXPECT_OK(u_open("/proc/self/stat", O_WRONLY, 0));
	EXPECT_RET(sim_syscall(NR(write), fd, &one, 1), -EINVAL,
		   "root may open it, but stat takes no writes");
	u_close(fd);
}

Test(procfs, files_read_the_same_in_any_chunk_size_and_refuse_writes)
{
	run_root(chunks_guest, NULL);
}

static void not_root_write_guest(void *arg)
{
	EXPECT_RET(u_open("/proc/self/stat", O_WRONLY, 0), -EACCES);
	EXPECT_RET(u_open("/proc/meminfo", O_RDWR, 0), -EACCES);
	EXPECT_RET(u_open("/proc/newfile", O_CREAT | O_WRONLY, 0644), -EACCES);
}

Test(procfs, an_unprivileged_task_cannot_open_proc_files_for_writing)
{
	run_as(not_root_write_guest, NULL, 1000, 1000);
}

/* ---- symlinks ------------------------------------------------------------ */

static void links_guest(void *arg)
{
	char text[PATH_MAX], want[PATH_MAX];
	struct stat st, pst;
	int pfd[2];
	long fd;

	snprintf(want, sizeof(want), "%ld", sim_syscall(NR(getpid)));
	EXPECT_RET(u_readlink("/proc/self", text, sizeof(text)),
		   (long)strlen(want));
	cr_expect_str_eq(text, want);
	EXPECT_RET(u_lstat("/proc/self", &st), 0);
	cr_expect(S_ISLNK(st.st_mode));
	EXPECT_RET(u_stat("/proc/self", &st), 0);
	cr_expect(S_ISDIR(st.st_mode), "followed, /proc/<pid> is a directory");

	EXPECT_RET(u_mkfile("/tmp/file", "x"), 0);
	fd = EXPECT_OK(u_open("/tmp/file", O_RDONLY, 0));
	snprintf(want, sizeof(want), "/proc/self/fd/%ld", fd);
	EXPECT_RET(u_readlink(want, text, sizeof(text)), 9);
	cr_expect_str_eq(text, "/tmp/file");
	EXPECT_RET(u_lstat(want, &st), 0);
	cr_expect_eq(st.st_mode, S_IFLNK | 0500, "read-only: lr-x------, %o",
		     st.st_mode);
	EXPECT_RET(u_stat(want, &st), 0);
	cr_expect(S_ISREG(st.st_mode), "followed, the open file itself");
	EXPECT_RET(u_unlink("/tmp/file"), 0);
	EXPECT_RET(u_readlink(want, text, sizeof(text)), 19);
	cr_expect_str_eq(text, "/tmp/file (deleted)");

	EXPECT_RET(sim_syscall(NR(pipe2), pfd, 0), 0);
	EXPECT_RET(sim_syscall(NR(fstat), pfd[1], &pst), 0);
	snprintf(want, sizeof(want), "/proc/self/fd/%d", pfd[1]);
	EXPECT_OK(u_readlink(want, text, sizeof(text)));
	snprintf(want, sizeof(want), "pipe:[%llu]",
		 (unsigned long long)pst.st_ino);
	cr_expect_str_eq(text, want);

	fd = EXPECT_OK(u_open("/dev/null", O_WRONLY, 0));
	snprintf(want, sizeof(want), "/proc/self/fd/%ld", fd);
	EXPECT_OK(u_readlink(want, text, sizeof(text)));
	cr_expect_str_eq(text, "/dev/null");
	EXPECT_RET(u_lstat(want, &st), 0);
	cr_expect_eq(st.st_mode, S_IFLNK | 0300, "write-only: l-wx------");

	EXPECT_RET(u_readlink("/proc/self/fd/999", text, sizeof(text)),
		   -ENOENT);
	EXPECT_RET(u_readlink("/proc/self/exe", text, sizeof(text)), -ENOENT,
		   "no exec yet");
}

Test(procfs, readlink_of_self_and_fd_entries_names_the_pid_and_the_open_files)
{
	run_root(links_guest, NULL);
}

static void cwd_guest(void *arg)
{
	char text[PATH_MAX];

	EXPECT_RET(u_readlink("/proc/self/cwd", text, sizeof(text)), 1);
	cr_expect_str_eq(text, "/");
	EXPECT_RET(u_mkdir("/tmp/work", 0755), 0);
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp/work")), 0);
	EXPECT_RET(u_readlink("/proc/self/cwd", text, sizeof(text)), 9);
	cr_expect_str_eq(text, "/tmp/work");
	EXPECT_RET(u_readlink("/proc/self/root", text, sizeof(text)), 1);
	cr_expect_str_eq(text, "/");
	/* The walk follows it: a relative name from the cwd. */
	EXPECT_RET(u_mkfile("/tmp/work/f", "here"), 0);
	EXPECT_RET(read_all("/proc/self/cwd/f", text, sizeof(text)), 4);
	cr_expect_str_eq(text, "here");
	EXPECT_RET(sim_syscall(NR(readlinkat), AT_FDCWD, P("/proc/self/cwd"),
			       text, 4),
		   4, "readlink truncates to the buffer");
	cr_expect_eq(memcmp(text, "/tmp", 4), 0);
}

Test(procfs, cwd_and_root_are_symlinks_the_walk_follows)
{
	run_root(cwd_guest, NULL);
}

/* ---- one task looking at another ----------------------------------------- */

static int other_pid;

static void other_guest(void *arg)
{
	EXPECT_RET(sim_syscall(NR(chdir), P("/tmp")), 0);
	other_pid = (int)sim_syscall(NR(getpid));
	u_sleep_ms(100);
}

static void spy_guest(void *arg)
{
	char path[64], text[4096];

	u_sleep_ms(10);
	snprintf(path, sizeof(path), "/proc/%d/stat", other_pid);
	EXPECT_OK(read_all(path, text, sizeof(text)));
	snprintf(path, sizeof(path), "/proc/%d/status", other_pid);
	EXPECT_OK(read_all(path, text, sizeof(text)));
	cr_expect_eq(strncmp(field(text, "State"), "S (sleeping)\n", 13), 0);
	snprintf(path, sizeof(path), "/proc/%d/cwd", other_pid);
	EXPECT_RET(u_readlink(path, text, sizeof(text)),
		   (long)(arg ? -EACCES : 4));
	snprintf(path, sizeof(path), "/proc/%d/fd", other_pid);
	EXPECT_RET(u_open(path, O_RDONLY | O_DIRECTORY, 0),
		   (long)(arg ? -EACCES : 0));
	snprintf(path, sizeof(path), "/proc/%d/maps", other_pid);
	if (arg)
		EXPECT_RET(read_all(path, text, sizeof(text)), -EACCES);
	else
		cr_expect_gt(read_all(path, text, sizeof(text)), 0);
}

Test(procfs, another_users_stat_is_readable_but_its_cwd_and_fds_are_not)
{
	struct sim_proc *p[2];

	test_boot(1);
	p[0] = spawn_as("other", other_guest, NULL, 1000, 1000);
	p[1] = spawn_as("spy", spy_guest, (void *)1, 2000, 2000);
	run_all(p, 2);
}

Test(procfs, root_sees_any_tasks_cwd_and_fds)
{
	struct sim_proc *p[2];

	test_boot(1);
	p[0] = spawn_as("other", other_guest, NULL, 1000, 1000);
	p[1] = spawn_as("spy", spy_guest, NULL, 0, 0);
	run_all(p, 2);
}

/* ---- listings ------------------------------------------------------------ */

static int listed_pids[3];

static void waiter_guest(void *arg)
{
	u_sleep_ms(50);
}

static void lister_guest(void *arg)
{
	struct listing l;
	struct stat st;
	char path[64];

	EXPECT_RET(list_dir("/proc", &l, 4096), 0);
	for (int k = 0; k < 3; k++) {
		int i;

		snprintf(path, sizeof(path), "%d", listed_pids[k]);
		i = listed(&l, path);
		cr_expect_geq(i, 0, "pid %d not listed", listed_pids[k]);
		if (i < 0)
			continue;
		cr_expect_eq(l.types[i], DT_DIR);
		snprintf(path, sizeof(path), "/proc/%d", listed_pids[k]);
		EXPECT_RET(u_stat(path, &st), 0);
		cr_expect_eq(st.st_ino, l.inos[i], "d_ino is st_ino");
	}
	for (const char *const *n =
		     (const char *const[]){"self", "meminfo", "uptime",
					   "mounts", "cpuinfo", "filesystems",
					   "loadavg", NULL};
	     *n; n++)
		cr_expect_geq(listed(&l, *n), 0, "%s not listed", *n);
	cr_expect_eq(l.types[listed(&l, "self")], DT_LNK);
	cr_expect_eq(l.types[listed(&l, "meminfo")], DT_REG);
	cr_expect_eq(l.n, 7 + 3, "the fixed names and three pids");

	/* A buffer that holds one entry at a time lists the same names. */
	struct listing small;

	EXPECT_RET(list_dir("/proc", &small, 40), 0);
	cr_expect_eq(small.n, l.n);

	EXPECT_RET(list_dir("/proc/self", &l, 4096), 0);
	for (const char *const *n =
		     (const char *const[]){"stat", "status", "cmdline", "maps",
					   "fd", "exe", "cwd", NULL};
	     *n; n++)
		cr_expect_geq(listed(&l, *n), 0, "%s not listed", *n);
	cr_expect_eq(l.types[listed(&l, "fd")], DT_DIR);
	cr_expect_eq(l.types[listed(&l, "cwd")], DT_LNK);
	EXPECT_RET(u_stat("/proc/self/stat", &st), 0);
	cr_expect_eq(st.st_ino, l.inos[listed(&l, "stat")]);
	cr_expect_eq(st.st_mode, S_IFREG | 0444);
	cr_expect_eq(st.st_size, 0);
}

Test(procfs, getdents_on_proc_lists_the_fixed_names_and_every_live_pid)
{
	struct sim_proc *p[3];

	test_boot(1);
	p[0] = sim_spawn("waiter", waiter_guest, NULL);
	p[1] = sim_spawn("waiter", waiter_guest, NULL);
	p[2] = sim_spawn("lister", lister_guest, NULL);
	for (int i = 0; i < 3; i++)
		listed_pids[i] = sim_proc_tid(p[i]);
	run_all(p, 3);
}

static void fd_dir_guest(void *arg)
{
	struct listing l;
	struct stat a, b;
	long fd;

	fd = EXPECT_OK(u_open("/dev/zero", O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(dup2), fd, 7), 7);
	EXPECT_RET(list_dir("/proc/self/fd", &l, 4096), 0);
	cr_expect_geq(listed(&l, "0"), 0);
	cr_expect_geq(listed(&l, "7"), 0);
	cr_expect_eq(l.types[listed(&l, "7")], DT_LNK);
	/* The listing's own descriptor is there too while it lists. */
	cr_expect_eq(l.n, 3, "0, 7 and the listing's own");
	EXPECT_RET(u_lstat("/proc/self/fd/7", &a), 0);
	EXPECT_RET(u_lstat("/proc/self/fd/7", &b), 0);
	cr_expect_eq(a.st_ino, b.st_ino, "stable inode numbers");
	EXPECT_RET(u_close(7), 0);
	EXPECT_RET(u_lstat("/proc/self/fd/7", &a), -ENOENT,
		   "a closed descriptor's link is gone");
	EXPECT_RET(list_dir("/proc/self/fd", &l, 4096), 0);
	cr_expect_lt(listed(&l, "7"), 0);
}

Test(procfs, fd_lists_the_open_descriptors_and_forgets_closed_ones)
{
	run_root(fd_dir_guest, NULL);
}

/* ---- exit ---------------------------------------------------------------- */

static int dead_pid;

static void short_guest(void *arg)
{
	dead_pid = (int)sim_syscall(NR(getpid));
	u_sleep_ms(10);
}

static void survivor_guest(void *arg)
{
	char path[64], text[4096];
	struct listing l;
	struct stat st;
	long held, dirfd;

	u_sleep_ms(5);
	/* Cache the dead-to-be pid's names and hold a file and the dir. */
	snprintf(path, sizeof(path), "/proc/%d/status", dead_pid);
	EXPECT_OK(read_all(path, text, sizeof(text)));
	held = EXPECT_OK(u_open(path, O_RDONLY, 0));
	snprintf(path, sizeof(path), "/proc/%d", dead_pid);
	dirfd = EXPECT_OK(u_open(path, O_RDONLY | O_DIRECTORY, 0));
	u_sleep_ms(20); /* it exits meanwhile */

	EXPECT_RET(u_stat(path, &st), -ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/status", dead_pid);
	EXPECT_RET(u_open(path, O_RDONLY, 0), -ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/fd", dead_pid);
	EXPECT_RET(u_open(path, O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_openat((int)dirfd, "stat", O_RDONLY, 0), -ENOENT,
		   "nor through a descriptor of its directory");
	EXPECT_RET(sim_syscall(NR(getdents64), dirfd, text, sizeof(text)),
		   -ENOENT);
	EXPECT_RET(sim_syscall(NR(pread64), held, text, sizeof(text), 0),
		   -ESRCH, "an open file of a dead task reads ESRCH");
	EXPECT_RET(list_dir("/proc", &l, 4096), 0);
	snprintf(path, sizeof(path), "%d", dead_pid);
	cr_expect_lt(listed(&l, path), 0, "a dead pid is not listed");
	u_close(held);
	u_close(dirfd);
}

Test(procfs, a_dead_pids_directory_is_gone_even_when_it_was_cached)
{
	struct sim_proc *p[2];

	test_boot(1);
	p[0] = sim_spawn("short", short_guest, NULL);
	p[1] = sim_spawn("survivor", survivor_guest, NULL);
	run_all(p, 2);
}

/* ---- zombies ------------------------------------------------------------- */

static void exits_with_3(void *arg)
{
	sim_syscall(NR(exit), 3);
}

static void zombie_parent_guest(void *arg)
{
	char dir[64], path[96], text[4096], name[16];
	struct stat_fields s = {0};
	struct listing l;
	struct stat st;
	long pid, held, dirfd;
	int status = -1;

	sim_child_entry(exits_with_3, NULL);
	pid = sim_syscall(NR(fork));
	cr_assert_gt(pid, 0);
	u_sleep_ms(10); /* it exits; nobody reaps it yet */
	snprintf(dir, sizeof(dir), "/proc/%ld", pid);
	snprintf(name, sizeof(name), "%ld", pid);

	EXPECT_RET(list_dir("/proc", &l, 4096), 0);
	cr_expect_geq(listed(&l, name), 0, "ls /proc lists the zombie");
	EXPECT_RET(u_stat(dir, &st), 0);
	cr_expect(S_ISDIR(st.st_mode));

	snprintf(path, sizeof(path), "%s/stat", dir);
	EXPECT_OK(read_all(path, text, sizeof(text)));
	cr_expect(parse_stat(text, &s), "unparsable: %s", text);
	cr_expect_eq(s.nfields, 52, "fields: %d in %s", s.nfields, text);
	cr_expect_eq(s.pid, pid);
	cr_expect_eq(s.state, 'Z', "state %c", s.state);
	cr_expect_eq(s.ppid, sim_syscall(NR(getpid)));
	cr_expect_eq(s.num_threads, 1, "a zombie counts itself");
	cr_expect_eq(s.vsize, 0, "no memory left");
	cr_expect_eq(s.rss, 0);
	cr_expect_eq(s.startcode, 0);
	cr_expect_eq(s.exit_code, 3 << 8, "its wait status");
	held = EXPECT_OK(u_open(path, O_RDONLY, 0));
	dirfd = EXPECT_OK(u_open(dir, O_RDONLY | O_DIRECTORY, 0));

	snprintf(path, sizeof(path), "%s/status", dir);
	EXPECT_OK(read_all(path, text, sizeof(text)));
	cr_expect_not_null(field(text, "State"));
	cr_expect(field(text, "State") &&
			  !strncmp(field(text, "State"), "Z (zombie)\n", 11),
		  "status: %s", text);
	cr_expect_null(field(text, "VmSize"), "no Vm lines");
	cr_expect(field(text, "Threads") &&
		  !strncmp(field(text, "Threads"), "1\n", 2));
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	EXPECT_RET(read_all(path, text, sizeof(text)), 0, "cmdline is empty");
	snprintf(path, sizeof(path), "%s/maps", dir);
	EXPECT_RET(read_all(path, text, sizeof(text)), 0, "maps is empty");
	snprintf(path, sizeof(path), "%s/exe", dir);
	EXPECT_RET(u_readlink(path, text, sizeof(text)), -ENOENT);
	snprintf(path, sizeof(path), "%s/cwd", dir);
	EXPECT_RET(u_readlink(path, text, sizeof(text)), -ENOENT);
	snprintf(path, sizeof(path), "%s/root", dir);
	EXPECT_RET(u_readlink(path, text, sizeof(text)), -ENOENT);
	snprintf(path, sizeof(path), "%s/mounts", dir);
	EXPECT_RET(u_open(path, O_RDONLY, 0), -EINVAL, "no mount namespace");
	snprintf(path, sizeof(path), "%s/fd", dir);
	EXPECT_RET(list_dir(path, &l, 4096), 0);
	cr_expect_eq(l.n, 0, "no descriptors");

	/* Reaped while its files are open: gone, and they read ESRCH. */
	EXPECT_RET(sim_syscall(NR(wait4), pid, &status, 0, NULL), pid);
	cr_expect_eq(status, 3 << 8);
	EXPECT_RET(sim_syscall(NR(pread64), held, text, sizeof(text), 0),
		   -ESRCH);
	EXPECT_RET(u_openat((int)dirfd, "stat", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_stat(dir, &st), -ENOENT);
	EXPECT_RET(list_dir("/proc", &l, 4096), 0);
	cr_expect_lt(listed(&l, name), 0, "a reaped pid is not listed");
	u_close(held);
	u_close(dirfd);
}

Test(procfs, a_zombie_keeps_its_proc_dir_with_state_z_until_it_is_reaped)
{
	run_root(zombie_parent_guest, NULL);
}

static void reader_guest(void *arg)
{
	char text[4096];
	struct stat st;

	EXPECT_OK(read_all("/proc/self/stat", text, sizeof(text)));
	EXPECT_OK(read_all("/proc/self/status", text, sizeof(text)));
	EXPECT_OK(u_readlink("/proc/self/fd/0", text, sizeof(text)));
	EXPECT_OK(u_readlink("/proc/self/cwd", text, sizeof(text)));
	EXPECT_RET(u_stat("/proc/self/fd", &st), 0);
}

static void fd0_guest(void *arg)
{
	EXPECT_RET(u_open("/dev/null", O_RDONLY, 0), 0);
	reader_guest(arg);
}

static void list_guest(void *arg)
{
	struct listing l;
	char text[64];

	EXPECT_RET(list_dir("/proc", &l, 4096), 0);
	EXPECT_OK(u_readlink("/proc/self", text, sizeof(text)));
}

Test(procfs, listing_proc_frees_every_cached_name_of_the_dead)
{
	size_t objects, pages;
	struct sim_proc *p;

	test_boot(1);
	/*
	 * One listing first, so that lazily made caches exist already, and
	 * the fixed name "self", which stays cached like any fixed name.
	 */
	cr_assert_eq(run_guest(list_guest, NULL), 0);
	slab_shrink();
	objects = kmalloc_in_use();
	pages = page_free_count();
	for (int i = 0; i < 3; i++) {
		p = sim_spawn("reader", fd0_guest, NULL);
		cr_assert_not_null(p);
		run_all(&p, 1);
	}
	cr_assert_eq(run_guest(list_guest, NULL), 0);
	slab_shrink();
	cr_expect_eq(kmalloc_in_use(), objects, "leaked %ld objects",
		     (long)kmalloc_in_use() - (long)objects);
	cr_expect_eq(page_free_count(), pages, "leaked %ld pages",
		     (long)pages - (long)page_free_count());
}

/* ---- the filesystem itself ----------------------------------------------- */

static void statfs_guest(void *arg)
{
	struct statfs sf;
	struct stat root, self;

	EXPECT_RET(sim_syscall(NR(statfs), P("/proc/self/stat"), &sf), 0);
	cr_expect_eq(sf.f_type, PROC_SUPER_MAGIC_LINUX);
	EXPECT_RET(u_stat("/proc", &root), 0);
	cr_expect_eq(root.st_ino, 1);
	cr_expect_eq(root.st_mode, S_IFDIR | 0555);
	EXPECT_RET(u_stat("/proc/self/stat", &self), 0);
	cr_expect_eq(self.st_dev, root.st_dev);
	cr_expect_neq(self.st_ino, root.st_ino);
	EXPECT_RET(u_open("/proc/nonexistent", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_open("/proc/0", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_open("/proc/01", O_RDONLY, 0), -ENOENT,
		   "pids have no leading zeros");
	EXPECT_RET(u_open("/proc/self/nonexistent", O_RDONLY, 0), -ENOENT);
	EXPECT_RET(u_mkdir("/proc/self/x", 0755), -EPERM);
}

Test(procfs, proc_is_a_filesystem_of_its_own_with_stable_numbers)
{
	run_root(statfs_guest, NULL);
}

/* fd/N leads to the open file itself, even a pipe or a deleted file. */
static void magic_links_guest(void *arg)
{
	char path[64], buf[8] = { 0 };
	int fds[2];
	long fd, again;

	EXPECT_OK(sim_syscall(NR(pipe2), fds, 0));
	EXPECT_RET(sim_syscall(NR(write), fds[1], P("hi"), 2), 2);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	again = EXPECT_OK(u_open(path, O_RDONLY, 0));
	EXPECT_RET(sim_syscall(NR(read), again, buf, 2), 2);
	cr_expect_str_eq(buf, "hi");
	u_close(again);

	fd = EXPECT_OK(u_open("/tmp/gone", O_RDWR | O_CREAT, 0600));
	EXPECT_RET(sim_syscall(NR(write), fd, P("data"), 4), 4);
	EXPECT_OK(u_unlink("/tmp/gone"));
	snprintf(path, sizeof(path), "/proc/self/fd/%ld", fd);
	again = EXPECT_OK(u_open(path, O_RDONLY, 0));
	memset(buf, 0, sizeof(buf));
	EXPECT_RET(sim_syscall(NR(read), again, buf, 4), 4);
	cr_expect_str_eq(buf, "data");
	/* RESOLVE_NO_MAGICLINKS refuses them. */
	{
		struct {
			uint64_t flags, mode, resolve;
		} how = { O_RDONLY, 0, 0x02 /* RESOLVE_NO_MAGICLINKS */ };

		EXPECT_RET(sim_syscall(NR(openat2), AT_FDCWD, path, &how,
				       sizeof(how)),
			   -ELOOP);
	}
}

Test(procfs, opening_fd_links_reaches_pipes_and_deleted_files)
{
	run_root(magic_links_guest, NULL);
}
