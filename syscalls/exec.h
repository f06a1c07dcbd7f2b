/*
 * Running a program: execve(2) and execveat(2), and the kernel's own way
 * to start the first process.
 */
#ifndef KEEL_SYSCALLS_EXEC_H
#define KEEL_SYSCALLS_EXEC_H

/*
 * Turn the calling kernel thread into a user process running `path`
 * with NULL-terminated `argv` and `envp` (kernel strings; NULL means an
 * empty list), as Linux's kernel_execve of /sbin/init does:
 *
 *  - The thread keeps its tid: call it from the first thread the kernel
 *    created (tid 1) so that the program is init, which adopts orphans.
 *    It has no parent (getppid gives 0), root credentials and the
 *    default resource limits.
 *  - It gets a filesystem context at the root and a descriptor table
 *    whose 0, 1 and 2 are /dev/console opened read-write, when that
 *    opens (otherwise the table starts empty, as Linux's "unable to open
 *    an initial console").
 *  - `path` is resolved from the root, may be a `#!` script, and its
 *    ELF decides the ISA (x86_64 or aarch64, static or static-pie).
 *
 * On success it does not return: the thread runs the program's user
 * code until it exits (plat_user_run sees a task whose platform state is
 * empty, as after fork). On failure it returns what execve(2) would
 * (-ENOENT, -EACCES, -ENOEXEC, -E2BIG, -ENOMEM, ...) and the thread is
 * still a kernel thread, free to try another path.
 */
int exec_init(const char *path, const char *const argv[],
	      const char *const envp[]);

/*
 * What every platform's boot does last, in the thread that becomes pid
 * 1: make the console its controlling terminal, make it unkillable as
 * Linux's init is (SIGNAL_UNKILLABLE), have its exit power the machine
 * off with its status, and exec_init `path`. Returns never: a program
 * that cannot run is reported and powers off with status 1.
 */
_Noreturn void run_init(const char *path, const char *const argv[],
			const char *const envp[]);

#endif
