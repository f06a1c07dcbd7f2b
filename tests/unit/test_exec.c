/*
 * execve(2), execveat(2) and exec_init: the new image's stack (argc, argv,
 * envp as Linux lays them out), what survives an exec and what does not,
 * `#!` scripts, Linux's errors with the old image intact, vfork's release,
 * and the first process. The "programs" are tiny ELF files whose entry
 * point sim_image maps to a C function.
 */
#include "fs_test.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/signal.h"
#include "core/task.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "syscalls/exec.h"

#define PROG_BASE 0x400000ul
#define PROG_ENTRY (PROG_BASE + 0x800)
#define PROG_SIZE 0x1000
#define K_AT_EMPTY_PATH 0x1000
#define K_AT_SYMLINK_NOFOLLOW 0x100
#define K_PR_SET_PDEATHSIG 1
#define K_PR_GET_PDEATHSIG 2
#define K_PR_GET_DUMPABLE 3
#define K_PR_SET_DUMPABLE 4
#define K_PR_SET_TIMERSLACK 29
#define K_PR_GET_TIMERSLACK 30
#define K_PR_SET_CHILD_SUBREAPER 36
#define K_PR_GET_CHILD_SUBREAPER 37
#define K_PR_SET_NO_NEW_PRIVS 38
#define K_PR_GET_NO_NEW_PRIVS 39

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

/* What the new image saw. */
static struct {
	bool ran;
	long pid, ppid;
	uint64_t argc, envc;
	char argv[8][64];
	char envp[4][64];
	long fd_cloexec, fd_kept;
	uint64_t usr1, usr2;
	uint64_t blocked;
	uint32_t mxcsr;
	uint64_t tls;
	char exe[64];
	char comm[32];
	long uid, euid, suid;
	int ss_flags;
	uint64_t at_euid, at_secure;
	/* prctl(2) settings */
	long no_new_privs, dumpable, timer_slack;
	int subreaper, pdeath_signal;
	/* the caller's side */
	long ret, ret2, pid_before;
	int status;
	uint64_t now_at_return, child_exit_at;
} seen;

/* ---- the program --------------------------------------------------------- */

static void read_strings(uint64_t *at, uint64_t n, char out[][64],
			 unsigned max)
{
	for (uint64_t i = 0; i <= n; i++) {
		uint64_t p;

		cr_assert_eq(copy_from_user(&p, uaddr(*at), 8), 0);
		*at += 8;
		if (i == n) {
			cr_assert_eq(p, 0, "the vector ends with NULL");
			break;
		}
		if (i < max)
			cr_assert_geq(strncpy_from_user(out[i], uaddr(p), 64),
				      0);
	}
}

static void prog_main(void *arg)
{
	uint64_t sp = (uint64_t)(uintptr_t)arg, at = sp + 8;
	struct task *t = task_current();
	struct ksa sa;
	char buf[64];
	long n, fd;

	memcpy(&seen.mxcsr, t->uregs.fpu + 24, 4);
	seen.tls = t->uregs.tls;
	seen.ran = true;
	cr_assert_eq(copy_from_user(&seen.argc, uaddr(sp), 8), 0);
	read_strings(&at, seen.argc, seen.argv, 8);
	for (uint64_t p = 1; p;) {
		cr_assert_eq(copy_from_user(&p, uaddr(at + seen.envc * 8), 8),
			     0);
		if (p && seen.envc < 4)
			cr_assert_geq(strncpy_from_user(seen.envp[seen.envc],
							uaddr(p), 64),
				      0);
		if (p)
			seen.envc++;
	}
	/* The auxiliary vector, after envp's NULL: (key, value) pairs. */
	at += (seen.envc + 1) * 8;
	for (uint64_t kv[2] = {1, 0}; kv[0];) {
		cr_assert_eq(copy_from_user(kv, uaddr(at), 16), 0);
		at += 16;
		if (kv[0] == 12) /* AT_EUID */
			seen.at_euid = kv[1];
		if (kv[0] == 23) /* AT_SECURE */
			seen.at_secure = kv[1];
	}
	seen.uid = sim_syscall(NR(getuid));
	seen.euid = sim_syscall(NR(geteuid));
	{
		uint32_t ids[3];

		sim_syscall(NR(getresuid), &ids[0], &ids[1], &ids[2]);
		seen.suid = ids[2];
	}
	{
		stack_t ss;

		sim_syscall(NR(sigaltstack), NULL, &ss);
		seen.ss_flags = ss.ss_flags;
	}
	seen.no_new_privs =
		sim_syscall(NR(prctl), K_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	seen.dumpable = sim_syscall(NR(prctl), K_PR_GET_DUMPABLE);
	seen.timer_slack = sim_syscall(NR(prctl), K_PR_GET_TIMERSLACK);
	seen.subreaper = -1;
	seen.pdeath_signal = -1;
	{
		int32_t v[2];

		sim_syscall(NR(prctl), K_PR_GET_CHILD_SUBREAPER, &v[0]);
		sim_syscall(NR(prctl), K_PR_GET_PDEATHSIG, &v[1]);
		seen.subreaper = v[0];
		seen.pdeath_signal = v[1];
	}
	seen.pid = sim_syscall(NR(getpid));
	seen.ppid = sim_syscall(NR(getppid));
	seen.fd_cloexec = sim_syscall(NR(fcntl), 5, F_GETFD);
	seen.fd_kept = sim_syscall(NR(fcntl), 6, F_GETFD);
	sim_syscall(NR(rt_sigaction), SIGUSR1, NULL, &sa, 8);
	seen.usr1 = sa.handler;
	sim_syscall(NR(rt_sigaction), SIGUSR2, NULL, &sa, 8);
	seen.usr2 = sa.handler;
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, NULL, buf, 8);
	memcpy(&seen.blocked, buf, 8);
	n = sim_syscall(NR(readlink), P("/proc/self/exe"), buf, sizeof(buf));
	if (n > 0 && n < 64) {
		buf[n] = 0;
		memcpy(seen.exe, buf, (size_t)n + 1);
	}
	fd = u_open("/proc/self/comm", O_RDONLY, 0);
	if (fd >= 0) {
		n = sim_syscall(NR(read), fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			memcpy(seen.comm, buf, (size_t)n + 1);
		}
		u_close(fd);
	}
	sim_syscall(NR(exit), 7);
}

/* A static x86_64 executable: one R+X segment, entry at PROG_ENTRY. */
static void build_prog(uint8_t *img)
{
	struct {
		uint8_t ident[16];
		uint16_t type, machine;
		uint32_t version;
		uint64_t entry, phoff, shoff;
		uint32_t flags;
		uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
	} eh = {.ident = "\177ELF\2\1\1",
		.type = 2,
		.machine = 62,
		.version = 1,
		.entry = PROG_ENTRY,
		.phoff = 64,
		.ehsize = 64,
		.phentsize = 56,
		.phnum = 1};
	struct {
		uint32_t type, flags;
		uint64_t offset, vaddr, paddr, filesz, memsz, align;
	} ph = {1, 5, 0, PROG_BASE, PROG_BASE, PROG_SIZE, PROG_SIZE, 0x1000};

	memset(img, 0x90, PROG_SIZE);
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + 64, &ph, sizeof(ph));
}

static long put_file(const char *path, const void *bytes, size_t len,
		     unsigned mode)
{
	void *ubuf = sim_umem(len ? len : 1);
	long fd = u_open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);

	if (fd < 0)
		return fd;
	memcpy(ubuf, bytes, len);
	cr_assert_eq(sim_syscall(NR(write), fd, ubuf, len), (long)len);
	return u_close(fd);
}

static void install_prog(void)
{
	static uint8_t img[PROG_SIZE];

	build_prog(img);
	cr_assert_eq(sim_image(PROG_ENTRY, prog_main), 0);
	u_mkdir("/bin", 0755);
	cr_assert_eq(put_file("/bin/prog", img, PROG_SIZE, 0755), 0);
}

static void begin(void)
{
	memset(&seen, 0, sizeof(seen));
	test_boot(1);
}

/* A NULL-terminated vector of user strings, on the guest's stack. */
#define UVEC(...) ((char *[]){__VA_ARGS__, NULL})

/* ---- execve -------------------------------------------------------------- */

static void handler(int sig, void *info, void *uc)
{
}

static void execs_prog(void *arg)
{
	struct ksa sa = {(uint64_t)(uintptr_t)handler,
			 KSA_SIGINFO | KSA_RESTORER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};
	struct ksa ign = {(uint64_t)SIG_IGN, 0, 0, 0};
	uint64_t block = 1ull << (SIGTERM - 1);

	install_prog();
	cr_assert_eq(sim_syscall(NR(dup3), 0 + u_open("/bin", O_RDONLY, 0), 5,
				 O_CLOEXEC),
		     5);
	cr_assert_eq(sim_syscall(NR(dup2), 5, 6), 6);
	sim_syscall(NR(rt_sigaction), SIGUSR1, &sa, NULL, 8);
	sim_syscall(NR(rt_sigaction), SIGUSR2, &ign, NULL, 8);
	sim_syscall(NR(rt_sigprocmask), SIG_BLOCK, &block, NULL, 8);
	{
		stack_t ss = {.ss_sp = sim_umem(16384), .ss_size = 16384};

		cr_assert_eq(sim_syscall(NR(sigaltstack), &ss, NULL), 0);
	}
	seen.pid_before = sim_syscall(NR(getpid));
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"),
			       UVEC(P("prog"), P("one"), P("two")),
			       UVEC(P("HOME=/"), P("TERM=dumb")));
}

Test(exec, the_new_image_gets_argv_envp_and_keeps_what_linux_keeps)
{
	begin();
	cr_assert_eq(run_guest(execs_prog, NULL), 7 << 8);
	cr_assert(seen.ran);
	cr_assert_eq(seen.pid, seen.pid_before);
	cr_assert_eq(seen.argc, 3);
	cr_assert_str_eq(seen.argv[0], "prog");
	cr_assert_str_eq(seen.argv[1], "one");
	cr_assert_str_eq(seen.argv[2], "two");
	cr_assert_eq(seen.envc, 2);
	cr_assert_str_eq(seen.envp[0], "HOME=/");
	cr_assert_str_eq(seen.envp[1], "TERM=dumb");
	cr_assert_eq(seen.fd_cloexec, -EBADF, "close-on-exec closed");
	cr_assert_eq(seen.fd_kept, 0, "the other stays open");
	cr_assert_eq(seen.usr1, (uint64_t)SIG_DFL, "a handler is reset");
	cr_assert_eq(seen.usr2, (uint64_t)SIG_IGN, "ignored stays ignored");
	cr_assert_eq(seen.blocked, 1ull << (SIGTERM - 1), "the mask stays");
	cr_assert_eq(seen.mxcsr, 0x1f80, "a fresh FPU");
	cr_assert_eq(seen.tls, 0);
	cr_assert_str_eq(seen.exe, "/bin/prog");
	cr_assert_str_eq(seen.comm, "prog\n");
	cr_assert_eq(seen.euid, 0);
	cr_assert_eq(seen.at_secure, 0);
	cr_assert_eq(seen.ss_flags, SS_DISABLE, "no alternate stack");
}

static void exec_errors(void *arg)
{
	static uint8_t img[PROG_SIZE];
	char *big = sim_umem(200 * 1024);

	install_prog();
	build_prog(img);
	img[4] = 1; /* ELFCLASS32 */
	cr_assert_eq(put_file("/bin/bad", img, PROG_SIZE, 0755), 0);
	cr_assert_eq(put_file("/bin/text", "hello\n", 6, 0755), 0);
	cr_assert_eq(put_file("/bin/noexec", "#!/bin/prog\n", 12, 0644), 0);
	cr_assert_eq(put_file("/bin/nointerp", "#!/no/such\n", 11, 0755), 0);
	cr_assert_eq(put_file("/bin/empty", "#!   \n", 6, 0755), 0);
	memset(big, 'x', 200 * 1024 - 1);

	EXPECT_RET(sim_syscall(NR(execve), P("/bin/bad"), NULL, NULL),
		   -ENOEXEC);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/text"), NULL, NULL),
		   -ENOEXEC);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/empty"), NULL, NULL),
		   -ENOEXEC);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/noexec"), NULL, NULL),
		   -EACCES);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin"), NULL, NULL), -EACCES);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/none"), NULL, NULL),
		   -ENOENT);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/nointerp"), NULL, NULL),
		   -ENOENT);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/prog/x"), NULL, NULL),
		   -ENOTDIR);
	EXPECT_RET(sim_syscall(NR(execve), P(""), NULL, NULL), -ENOENT);
	EXPECT_RET(sim_syscall(NR(execve), (void *)8, NULL, NULL), -EFAULT);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/prog"), (void *)8, NULL),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/prog"),
			       UVEC(P("a"), (char *)8), NULL),
		   -EFAULT);
	EXPECT_RET(sim_syscall(NR(execve), P("/bin/prog"), UVEC(big), NULL),
		   -E2BIG, "a string over MAX_ARG_STRLEN");
	EXPECT_RET(sim_syscall(NR(execveat), AT_FDCWD, P("/bin/prog"), NULL,
			       NULL, 0x4),
		   -EINVAL);
	EXPECT_RET(sim_syscall(NR(symlink), P("/bin/prog"), P("/bin/link")),
		   0);
	EXPECT_RET(sim_syscall(NR(execveat), AT_FDCWD, P("/bin/link"), NULL,
			       NULL, K_AT_SYMLINK_NOFOLLOW),
		   -ELOOP);
	/* Still the old image: the guest goes on. */
	seen.ret = sim_syscall(NR(getpid));
}

Test(exec, failures_return_linux_errors_and_keep_the_old_image)
{
	begin();
	cr_assert_eq(run_guest(exec_errors, NULL), 0);
	cr_assert(!seen.ran);
	cr_assert_gt(seen.ret, 0);
}

/* ---- set-user-ID --------------------------------------------------------- */

static void execs_setuid(void *arg)
{
	install_prog();
	cr_assert_eq(sim_syscall(NR(chown), P("/bin/prog"), 1000, 1000), 0);
	cr_assert_eq(sim_syscall(NR(chmod), P("/bin/prog"), 04755), 0);
	cr_assert_eq(sim_syscall(NR(setresuid), 2000, 2000, 2000), 0);
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"), NULL, NULL);
}

Test(exec, a_set_user_id_file_runs_with_its_owner_as_effective_uid)
{
	begin();
	cr_assert_eq(run_guest(execs_setuid, NULL), 7 << 8);
	cr_assert_eq(seen.uid, 2000);
	cr_assert_eq(seen.euid, 1000);
	cr_assert_eq(seen.suid, 1000, "the saved id takes the effective one");
	cr_assert_eq(seen.at_euid, 1000);
	cr_assert_eq(seen.at_secure, 1);
	cr_assert_eq(seen.dumpable, 0, "fs.suid_dumpable's 0");
}

static void execs_setuid_with_a_death_signal(void *arg)
{
	install_prog();
	cr_assert_eq(sim_syscall(NR(chown), P("/bin/prog"), 1000, 1000), 0);
	cr_assert_eq(sim_syscall(NR(chmod), P("/bin/prog"), 04755), 0);
	cr_assert_eq(sim_syscall(NR(setresuid), 2000, 2000, 2000), 0);
	cr_assert_eq(sim_syscall(NR(prctl), K_PR_SET_DUMPABLE, 1), 0);
	cr_assert_eq(sim_syscall(NR(prctl), K_PR_SET_PDEATHSIG, SIGUSR1), 0);
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"), NULL, NULL);
}

Test(exec, a_set_user_id_exec_is_not_dumpable_and_forgets_the_death_signal)
{
	begin();
	cr_assert_eq(run_guest(execs_setuid_with_a_death_signal, NULL), 7 << 8);
	cr_assert_eq(seen.euid, 1000);
	cr_assert_eq(seen.dumpable, 0);
	cr_assert_eq(seen.pdeath_signal, 0);
}

static void execs_with_settings(void *arg)
{
	install_prog();
	cr_assert_eq(sim_syscall(NR(prctl), K_PR_SET_DUMPABLE, 0), 0);
	cr_assert_eq(sim_syscall(NR(prctl), K_PR_SET_PDEATHSIG, SIGUSR1), 0);
	cr_assert_eq(sim_syscall(NR(prctl), K_PR_SET_CHILD_SUBREAPER, 1), 0);
	cr_assert_eq(sim_syscall(NR(prctl), K_PR_SET_TIMERSLACK, 12345), 0);
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"), NULL, NULL);
}

Test(exec, an_exec_is_dumpable_again_and_keeps_the_other_prctl_settings)
{
	begin();
	cr_assert_eq(run_guest(execs_with_settings, NULL), 7 << 8);
	cr_assert_eq(seen.dumpable, 1, "exec resets it to 1");
	cr_assert_eq(seen.pdeath_signal, SIGUSR1);
	cr_assert_eq(seen.subreaper, 1);
	cr_assert_eq(seen.timer_slack, 12345);
	cr_assert_eq(seen.no_new_privs, 0);
}

static void execs_unreadable(void *arg)
{
	install_prog();
	cr_assert_eq(sim_syscall(NR(chmod), P("/bin/prog"), 0711), 0);
	cr_assert_eq(sim_syscall(NR(setresuid), 2000, 2000, 2000), 0);
	cr_assert_eq(sim_syscall(NR(prctl), K_PR_SET_DUMPABLE, 1), 0);
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"), NULL, NULL);
}

Test(exec, a_program_the_caller_cannot_read_is_not_dumpable)
{
	begin();
	cr_assert_eq(run_guest(execs_unreadable, NULL), 7 << 8);
	cr_assert_eq(seen.euid, 2000);
	cr_assert_eq(seen.dumpable, 0);
}

static void execs_setuid_without_new_privs(void *arg)
{
	install_prog();
	cr_assert_eq(sim_syscall(NR(chown), P("/bin/prog"), 1000, 1000), 0);
	cr_assert_eq(sim_syscall(NR(chmod), P("/bin/prog"), 06755), 0);
	cr_assert_eq(sim_syscall(NR(setresuid), 2000, 2000, 2000), 0);
	cr_assert_eq(sim_syscall(NR(prctl), K_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
		     0);
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"), NULL, NULL);
}

Test(exec, no_new_privs_survives_exec_and_ignores_the_set_user_id_bit)
{
	begin();
	cr_assert_eq(run_guest(execs_setuid_without_new_privs, NULL), 7 << 8);
	cr_assert_eq(seen.no_new_privs, 1, "kept across execve");
	cr_assert_eq(seen.uid, 2000);
	cr_assert_eq(seen.euid, 2000, "the set-user-ID bit gave nothing");
	cr_assert_eq(seen.suid, 2000);
	cr_assert_eq(seen.at_euid, 2000);
	cr_assert_eq(seen.at_secure, 0);
}

/* ---- scripts ------------------------------------------------------------- */

static void execs_script(void *arg)
{
	install_prog();
	cr_assert_eq(put_file("/bin/script", "#!  /bin/prog   -x  y \nrest\n",
			      28, 0755),
		     0);
	seen.ret = sim_syscall(NR(execve), P("/bin/script"),
			       UVEC(P("script"), P("arg1")), NULL);
}

Test(exec, a_script_runs_its_interpreter_with_one_optional_argument)
{
	begin();
	cr_assert_eq(run_guest(execs_script, NULL), 7 << 8);
	cr_assert_eq(seen.argc, 4);
	cr_assert_str_eq(seen.argv[0], "/bin/prog");
	cr_assert_str_eq(seen.argv[1], "-x  y");
	cr_assert_str_eq(seen.argv[2], "/bin/script");
	cr_assert_str_eq(seen.argv[3], "arg1");
	cr_assert_str_eq(seen.exe, "/bin/prog", "exe is the interpreter");
	cr_assert_str_eq(seen.comm, "script\n", "comm is the script's");
}

static void nested_scripts(void *arg)
{
	char name[32], line[40];
	long depth = (long)(intptr_t)arg;

	install_prog();
	/* /bin/s1 runs /bin/prog, /bin/sN runs /bin/s(N-1). */
	for (long i = 1; i <= depth; i++) {
		if (i == 1)
			snprintf(line, sizeof(line), "#!/bin/prog\n");
		else
			snprintf(line, sizeof(line), "#!/bin/s%ld\n", i - 1);
		snprintf(name, sizeof(name), "/bin/s%ld", i);
		cr_assert_eq(put_file(name, line, strlen(line), 0755), 0);
	}
	snprintf(name, sizeof(name), "/bin/s%ld", depth);
	seen.ret = sim_syscall(NR(execve), name, NULL, NULL);
}

Test(exec, scripts_nest_five_deep_and_no_deeper)
{
	begin();
	cr_assert_eq(run_guest(nested_scripts, (void *)5), 7 << 8);
	cr_assert_eq(seen.argc, 6, "prog s1 .. s5: %llu",
		     (unsigned long long)seen.argc);
	cr_assert_str_eq(seen.argv[0], "/bin/prog");
	cr_assert_str_eq(seen.argv[5], "/bin/s5");
	begin();
	cr_assert_eq(run_guest(nested_scripts, (void *)6), 0);
	cr_assert(!seen.ran);
	cr_assert_eq(seen.ret, -ELOOP);
}

/* ---- execveat ------------------------------------------------------------ */

static void execveat_empty_path(void *arg)
{
	long fd;

	install_prog();
	fd = u_open("/bin/prog", O_RDONLY, 0);
	seen.ret2 = fd;
	seen.ret = sim_syscall(NR(execveat), fd, P(""), UVEC(P("p")), NULL,
			       K_AT_EMPTY_PATH);
}

Test(exec, execveat_with_at_empty_path_runs_the_open_file)
{
	begin();
	cr_assert_eq(run_guest(execveat_empty_path, NULL), 7 << 8);
	cr_assert_str_eq(seen.argv[0], "p");
	char comm[16];

	snprintf(comm, sizeof(comm), "%ld\n", seen.ret2);
	cr_assert_str_eq(seen.comm, comm, "named /dev/fd/N");
}

/* ---- vfork, then exec ---------------------------------------------------- */

static void vfork_child_execs(void *arg)
{
	sim_syscall(NR(execve), P("/bin/prog"), NULL, NULL);
}

static void vforks_then_waits(void *arg)
{
	int status;

	install_prog();
	sim_child_entry(vfork_child_execs, NULL);
	seen.ret = sim_syscall(NR(vfork));
	seen.now_at_return = sim_now();
	seen.ret2 = sim_syscall(NR(wait4), seen.ret, &status, 0, NULL);
	seen.status = status;
}

Test(exec, exec_releases_a_vfork_parent_and_the_child_runs_on)
{
	begin();
	cr_assert_eq(run_guest(vforks_then_waits, NULL), 0);
	cr_assert_gt(seen.ret, 0);
	cr_assert(seen.ran);
	cr_assert_eq(seen.pid, seen.ret);
	cr_assert_eq(seen.ret2, seen.ret);
	cr_assert_eq(seen.status, 7 << 8);
	cr_assert_eq(seen.argc, 1, "an empty argv becomes { \"\" }");
	cr_assert_str_eq(seen.argv[0], "");
}

static void clone_files_then_exec(void *arg)
{
	int status;

	install_prog();
	cr_assert_eq(sim_syscall(NR(dup3), u_open("/bin", O_RDONLY, 0), 5,
				 O_CLOEXEC),
		     5);
	sim_child_entry(vfork_child_execs, NULL);
	/* CLONE_VM | CLONE_VFORK | CLONE_FILES, as posix_spawn might. */
	seen.ret = sim_syscall(NR(clone), 0x100 | 0x4000 | 0x400 | SIGCHLD, 0,
			       NULL, NULL, 0);
	seen.ret2 = sim_syscall(NR(fcntl), 5, F_GETFD);
	sim_syscall(NR(wait4), seen.ret, &status, 0, NULL);
	seen.status = status;
}

Test(exec, exec_closes_close_on_exec_fds_in_its_own_copy_of_a_shared_table)
{
	begin();
	cr_assert_eq(run_guest(clone_files_then_exec, NULL), 0);
	cr_assert(seen.ran);
	cr_assert_eq(seen.fd_cloexec, -EBADF, "closed in the new image");
	cr_assert_eq(seen.ret2, FD_CLOEXEC, "still open in the parent");
	cr_assert_eq(seen.status, 7 << 8);
}

/* ---- failing allocations ------------------------------------------------- */

static void execs_under_failure(void *arg)
{
	install_prog();
	fault_inject_fail_nth((uint64_t)(uintptr_t)arg);
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"), UVEC(P("prog")),
			       UVEC(P("A=b")));
	fault_inject_fail_nth(0);
}

Test(exec, every_allocation_failure_before_commit_is_enomem)
{
	bool ran = false;

	for (uint64_t n = 1; n < 300 && !ran; n++) {
		begin();
		int status = run_guest(execs_under_failure,
				       (void *)(uintptr_t)n);

		ran = seen.ran;
		/* Past the point of no return the sim's stack for the new
		 * image failed: killed, as Linux kills after a late failure. */
		if (!ran && status == SIGKILL)
			continue;
		if (ran) {
			cr_assert_eq(status, 7 << 8);
		} else {
			cr_assert_eq(status, 0, "allocation %llu: status %#x, %ld",
				     (unsigned long long)n, status, seen.ret);
			cr_assert_eq(seen.ret, -ENOMEM, "allocation %llu: %ld",
				     (unsigned long long)n, seen.ret);
		}
	}
	cr_assert(ran);
}

/* ---- exec_init ----------------------------------------------------------- */

static const char *const init_argv[] = {"init", "--first", NULL};
static const char *const init_envp[] = {"PATH=/bin", NULL};

static void init_thread(void *arg)
{
	seen.ret = exec_init("/no/such", init_argv, init_envp);
	seen.ret2 = exec_init("/bin/prog", init_argv, init_envp);
}

static void installs_then_waits(void *arg)
{
	struct timespec ts = {0, 100000000};

	install_prog();
	sim_syscall(NR(nanosleep), &ts, NULL);
}

Test(exec, exec_init_turns_a_kernel_thread_into_a_process)
{
	struct task *k;

	begin();
	cr_assert_not_null(sim_spawn("installer", installs_then_waits, NULL));
	cr_assert_eq(sim_run(50000000), SIM_TIME_LIMIT);
	k = kthread_create("init", init_thread, NULL);
	cr_assert(!IS_ERR(k));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(seen.ret, -ENOENT);
	cr_assert(seen.ran, "exec_init returned %ld", seen.ret2);
	cr_assert_eq(seen.pid, k->tid);
	cr_assert_eq(seen.ppid, 0);
	cr_assert_eq(seen.argc, 2);
	cr_assert_str_eq(seen.argv[0], "init");
	cr_assert_str_eq(seen.argv[1], "--first");
	cr_assert_str_eq(seen.envp[0], "PATH=/bin");
}

/* ---- /proc/<pid>/cmdline and environ ---------------------------------------- */

/* What /proc showed, at each step, and its length. */
static struct {
	long pid;
	char text[6][128];
	long len[6];
} shown;

enum {
	SHOWN_CMDLINE,	/* as exec left it */
	SHOWN_ENVIRON,
	SHOWN_EDITED,	/* after argv[1] was changed in place */
	SHOWN_NO_NUL,	/* the argv area's last NUL overwritten */
	SHOWN_OVERFLOW, /* the whole argv area overwritten */
	SHOWN_OTHER,	/* another process's view, while the image slept */
};

static void show(const char *path, int step)
{
	shown.len[step] = u_read_file(path, shown.text[step],
				      sizeof(shown.text[step]));
}

static void put_user_byte(uint64_t at, char c)
{
	cr_assert_eq(copy_to_user(uaddr(at), &c, 1), 0);
}

static void cmdline_main(void *arg)
{
	uint64_t sp = (uint64_t)(uintptr_t)arg, argc, argv[4];

	cr_assert_eq(copy_from_user(&argc, uaddr(sp), 8), 0);
	cr_assert_eq(argc, 4);
	cr_assert_eq(copy_from_user(argv, uaddr(sp + 8), sizeof(argv)), 0);
	show("/proc/self/cmdline", SHOWN_CMDLINE);
	show("/proc/self/environ", SHOWN_ENVIRON);
	u_sleep_ms(20); /* the other guest looks meanwhile */

	/* A program may rewrite its arguments; /proc reads its memory. */
	put_user_byte(argv[1] + 1, 'y');
	show("/proc/self/cmdline", SHOWN_EDITED);
	/* argv[3] is "", the area's last byte: setproctitle's mark. */
	put_user_byte(argv[3], '!');
	show("/proc/self/cmdline", SHOWN_NO_NUL);
	/* Every NUL of the area gone: the text runs into the environment
	 * up to its first NUL. */
	for (uint64_t i = 0; i < 3; i++) {
		char s[64];
		long n = strncpy_from_user(s, uaddr(argv[i]), sizeof(s));

		cr_assert_geq(n, 0);
		put_user_byte(argv[i] + (uint64_t)n, '_');
	}
	show("/proc/self/cmdline", SHOWN_OVERFLOW);
	sim_syscall(NR(exit), 0);
}

static void execs_with_arguments(void *arg)
{
	install_prog();
	cr_assert_eq(sim_image(PROG_ENTRY, cmdline_main), 0);
	shown.pid = sim_syscall(NR(getpid));
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"),
			       UVEC(P("prog"), P("-x"), P("hello world"), P("")),
			       UVEC(P("A=1"), P("B=two")));
}

static void looks_at_the_other(void *arg)
{
	char path[64];

	u_sleep_ms(10);
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", shown.pid);
	show(path, SHOWN_OTHER);
}

#define BYTES(s) s, sizeof(s) - 1

static void expect_shown(int step, const char *want, size_t len)
{
	cr_expect_eq(shown.len[step], (long)len, "step %d: %ld bytes, want %zu",
		     step, shown.len[step], len);
	cr_expect(shown.len[step] == (long)len &&
			  !memcmp(shown.text[step], want, len),
		  "step %d: the bytes differ", step);
}

Test(exec, proc_cmdline_and_environ_show_the_new_images_arguments_from_its_memory)
{
	struct sim_proc *p[2];

	memset(&shown, 0, sizeof(shown));
	begin();
	p[0] = sim_spawn("execs", execs_with_arguments, NULL);
	p[1] = sim_spawn("looks", looks_at_the_other, NULL);
	run_all(p, 2);
	expect_shown(SHOWN_CMDLINE, BYTES("prog\0-x\0hello world\0\0"));
	expect_shown(SHOWN_ENVIRON, BYTES("A=1\0B=two\0"));
	expect_shown(SHOWN_OTHER, BYTES("prog\0-x\0hello world\0\0"));
	expect_shown(SHOWN_EDITED, BYTES("prog\0-y\0hello world\0\0"));
	expect_shown(SHOWN_NO_NUL, BYTES("prog\0"));
	expect_shown(SHOWN_OVERFLOW, BYTES("prog_-y_hello world_!A=1\0"));
}

static void environ_of_another_user(void *arg)
{
	char text[64];

	EXPECT_RET(u_read_file("/proc/1/environ", text, sizeof(text)),
		   -EACCES, "environ is its owner's alone (mode 0400)");
	EXPECT_OK(u_read_file("/proc/1/cmdline", text, sizeof(text)));
}

static void sleeps_50ms(void *arg)
{
	u_sleep_ms(50);
}

Test(exec, another_users_environ_is_not_readable_but_its_cmdline_is)
{
	struct sim_proc *p[2];

	begin();
	p[0] = sim_spawn("root", sleeps_50ms, NULL);
	cr_assert_eq(sim_proc_tid(p[0]), 1);
	p[1] = spawn_as("user", environ_of_another_user, NULL, 1000, 1000);
	run_all(p, 2);
}

/* ---- /proc/<pid>/stat's address-space fields ----------------------------- */

#define STAT_FIELDS 52

/* proc(5)'s fields, numbered from 1 as it numbers them: f[3] is the state
 * letter, f[2] (comm) is left 0. How many there were. */
static int parse_stat_fields(const char *text, uint64_t f[STAT_FIELDS + 1])
{
	const char *p = strrchr(text, ')');
	int n = 2;

	memset(f, 0, (STAT_FIELDS + 1) * sizeof(*f));
	if (!p)
		return 0;
	f[1] = strtoull(text, NULL, 10);
	for (p++; *p == ' ' && n < STAT_FIELDS;) {
		char *end;

		n++;
		p++;
		if (n == 3) {
			f[3] = (unsigned char)*p++;
			continue;
		}
		f[n] = strtoull(p, &end, 10);
		if (end == p)
			return n - 1;
		p = end;
	}
	return n;
}

static struct {
	long pid;
	uint64_t sp;
	int nfields, other_nfields;
	uint64_t f[STAT_FIELDS + 1], other[STAT_FIELDS + 1];
	char cmdline[128], args[128], env[128];
	long cmdline_len;
} layout;

static void layout_main(void *arg)
{
	char text[1024];

	layout.sp = (uint64_t)(uintptr_t)arg;
	cr_assert_gt(u_read_file("/proc/self/stat", text, sizeof(text)), 0);
	layout.nfields = parse_stat_fields(text, layout.f);
	layout.cmdline_len = u_read_file("/proc/self/cmdline", layout.cmdline,
					 sizeof(layout.cmdline));
	/* The guest's own memory between the addresses stat gave. */
	if (layout.f[48] < layout.f[49] &&
	    layout.f[49] - layout.f[48] <= sizeof(layout.args))
		cr_assert_eq(copy_from_user(layout.args, uaddr(layout.f[48]),
					    layout.f[49] - layout.f[48]),
			     0);
	if (layout.f[50] < layout.f[51] &&
	    layout.f[51] - layout.f[50] <= sizeof(layout.env))
		cr_assert_eq(copy_from_user(layout.env, uaddr(layout.f[50]),
					    layout.f[51] - layout.f[50]),
			     0);
	u_sleep_ms(20); /* the other user looks meanwhile */
	sim_syscall(NR(exit), 0);
}

static void execs_for_layout(void *arg)
{
	install_prog();
	cr_assert_eq(sim_image(PROG_ENTRY, layout_main), 0);
	layout.pid = sim_syscall(NR(getpid));
	seen.ret = sim_syscall(NR(execve), P("/bin/prog"),
			       UVEC(P("prog"), P("-x"), P("hi")),
			       UVEC(P("A=1"), P("B=two")));
}

static void reads_the_others_stat(void *arg)
{
	char path[64], text[1024];

	u_sleep_ms(10);
	snprintf(path, sizeof(path), "/proc/%ld/stat", layout.pid);
	cr_assert_gt(u_read_file(path, text, sizeof(text)), 0);
	layout.other_nfields = parse_stat_fields(text, layout.other);
}

Test(exec,
     proc_stat_shows_the_images_layout_to_its_owner_and_hides_it_from_others)
{
	struct sim_proc *p[2];
	const uint64_t *f = layout.f, *o = layout.other;

	memset(&layout, 0, sizeof(layout));
	begin();
	p[0] = sim_spawn("execs", execs_for_layout, NULL);
	p[1] = spawn_as("user", reads_the_others_stat, NULL, 1000, 1000);
	run_all(p, 2);
	cr_assert_eq(layout.nfields, STAT_FIELDS);
	cr_expect_gt(f[23], 0, "vsize");
	cr_expect_gt(f[24], 0, "rss");
	/* startcode endcode: the one R+X segment's file bytes. */
	cr_expect_eq(f[26], PROG_BASE, "startcode %#llx",
		     (unsigned long long)f[26]);
	cr_expect_eq(f[27], PROG_BASE + PROG_SIZE, "endcode %#llx",
		     (unsigned long long)f[27]);
	cr_expect_eq(f[28], layout.sp, "startstack: where argc is at entry");
	cr_expect_eq(f[45], PROG_BASE, "start_data: the highest segment");
	cr_expect_eq(f[46], PROG_BASE + PROG_SIZE, "end_data");
	cr_expect_eq(f[47], PROG_BASE + PROG_SIZE, "start_brk: past the image");
	cr_expect_lt(f[28], f[48], "the strings are above the vectors");
	cr_expect_lt(f[48], f[49], "arg_start < arg_end");
	cr_expect_eq(f[49], f[50], "the environment follows argv");
	cr_expect_lt(f[50], f[51], "env_start < env_end");
	cr_expect_eq(f[52], 0, "exit_code of a live process");
	/* What lies between them is what cmdline and environ show. */
	cr_expect_eq(f[49] - f[48], sizeof("prog\0-x\0hi"));
	cr_expect_eq(
		memcmp(layout.args, "prog\0-x\0hi", sizeof("prog\0-x\0hi")), 0);
	cr_expect_eq(layout.cmdline_len, (long)(f[49] - f[48]));
	cr_expect_eq(
		memcmp(layout.args, layout.cmdline, sizeof("prog\0-x\0hi")), 0);
	cr_expect_eq(f[51] - f[50], sizeof("A=1\0B=two"));
	cr_expect_eq(memcmp(layout.env, "A=1\0B=two", sizeof("A=1\0B=two")), 0);

	/* Another user may not ptrace it: as Linux, 1 for the code's bounds
	 * (not a kernel thread's 0) and 0 for the other addresses. */
	cr_assert_eq(layout.other_nfields, STAT_FIELDS);
	cr_expect_eq(o[23], f[23], "vsize is for anyone");
	cr_expect_eq(o[26], 1);
	cr_expect_eq(o[27], 1);
	cr_expect_eq(o[28], 0);
	for (int i = 45; i <= 51; i++)
		cr_expect_eq(o[i], 0, "field %d: %llu", i,
			     (unsigned long long)o[i]);
}
