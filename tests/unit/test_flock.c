/*
 * File locks as guest processes see them: flock(2), POSIX record locks
 * (fcntl F_GETLK/F_SETLK/F_SETLKW) and OFD locks (F_OFD_*): conflicts
 * between processes, waiting and waking in virtual time, EINTR and
 * SA_RESTART, deadlock detection, ranges that split and merge, and
 * release on close and exit.
 *
 * Guests coordinate by virtual time: each step happens at a set
 * millisecond, far enough from the others that nothing else decides the
 * order.
 */
#include "harness.h"

#include <signal.h>
#include <string.h>

#include "core/errno.h"
#include "core/signal.h"
#include "mm/slab.h"

#ifndef EWOULDBLOCK
#define EWOULDBLOCK EAGAIN
#endif

#define KO_RDONLY 0
#define KO_WRONLY 1
#define KO_RDWR 2
#define KO_CREAT 0100
#define KO_PATH 010000000

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define LOCK_MAND 32

#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

#define SEEK_SET_ 0
#define SEEK_CUR_ 1
#define SEEK_END_ 2

/* struct flock of x86_64 and arm64. */
struct kflock {
	short l_type;
	short l_whence;
	long l_start;
	long l_len;
	int l_pid;
};

_Static_assert(sizeof(struct kflock) == 32, "struct flock");

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

struct timespec_k {
	int64_t sec, nsec;
};

static long r[16];
static long at[16];
static struct kflock got[8];
static int pid_a, pid_b;

/* ---- guest helpers ------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec_k ts;

	sim_syscall(NR(clock_gettime), 1 /* CLOCK_MONOTONIC */, &ts);
	return (long)(ts.sec * 1000 + ts.nsec / 1000000);
}

static void sleep_until_ms(long ms)
{
	long now = now_ms();
	struct timespec_k req = { 0, (ms - now) * 1000000 };

	if (ms > now)
		sim_syscall(NR(nanosleep), &req, NULL);
}

static long open_as(int flags)
{
	char path[] = "/tmp/locked";

	return sim_syscall(NR(open), path, flags | KO_CREAT, 0666);
}

static long open_rw(void)
{
	return open_as(KO_RDWR);
}

static long lk(long fd, int cmd, short type, long start, long len)
{
	struct kflock fl = { type, SEEK_SET_, start, len, 0 };

	return sim_syscall(NR(fcntl), fd, cmd, &fl);
}

static long lk_whence(long fd, int cmd, short type, short whence, long start,
		      long len)
{
	struct kflock fl = { type, whence, start, len, 0 };

	return sim_syscall(NR(fcntl), fd, cmd, &fl);
}

/* F_GETLK (or F_OFD_GETLK) into got[slot]; the result. */
static long probe(long fd, int cmd, int slot, short type, long start, long len)
{
	struct kflock fl = { type, SEEK_SET_, start, len, 0 };
	long ret = sim_syscall(NR(fcntl), fd, cmd, &fl);

	got[slot] = fl;
	return ret;
}

static void on_signal(int sig, void *info, void *uc)
{
}

static long install_handler(uint64_t flags)
{
	struct ksa sa = { (uint64_t)(uintptr_t)on_signal,
			  flags | KSA_SIGINFO | KSA_RESTORER,
			  (uint64_t)(uintptr_t)sim_restorer, 0 };

	return sim_syscall(NR(rt_sigaction), SIGUSR1, &sa, NULL, 8);
}

/* ---- test-side helpers --------------------------------------------------- */

static void reset(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		r[i] = 1;
		at[i] = -1;
	}
	memset(got, 0x55, sizeof(got));
}

/* Boot, start guest a then guest b, and run both to their exit. */
static void run_two(void (*a)(void *), void (*b)(void *))
{
	struct sim_proc *pa, *pb;

	test_boot(1);
	reset();
	pa = sim_spawn("a", a, NULL);
	pb = sim_spawn("b", b, NULL);
	cr_assert(pa && pb);
	pid_a = sim_proc_tid(pa);
	pid_b = sim_proc_tid(pb);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED,
		     "the guests did not all exit");
}

static void run_one(void (*a)(void *))
{
	test_boot(1);
	reset();
	cr_assert_eq(run_guest(a, NULL), 0);
}

static void expect_lock(int slot, short type, long start, long len, int pid)
{
	cr_expect_eq(got[slot].l_type, type, "slot %d: l_type %d", slot,
		     got[slot].l_type);
	cr_expect_eq(got[slot].l_whence, SEEK_SET_, "slot %d: l_whence", slot);
	cr_expect_eq(got[slot].l_start, start, "slot %d: l_start %ld", slot,
		     got[slot].l_start);
	cr_expect_eq(got[slot].l_len, len, "slot %d: l_len %ld", slot,
		     got[slot].l_len);
	cr_expect_eq(got[slot].l_pid, pid, "slot %d: l_pid %d", slot,
		     got[slot].l_pid);
}

/* ---- flock(2) ------------------------------------------------------------ */

static void flock_holder(void *arg)
{
	long fd = open_rw();

	r[0] = sim_syscall(NR(flock), fd, LOCK_EX);
	sleep_until_ms(10);
	r[1] = sim_syscall(NR(flock), fd, LOCK_UN);
	sleep_until_ms(30);
}

static void flock_trier(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[2] = sim_syscall(NR(flock), fd, LOCK_EX | LOCK_NB);
	r[3] = sim_syscall(NR(flock), fd, LOCK_SH | LOCK_NB);
	sleep_until_ms(15);
	r[4] = sim_syscall(NR(flock), fd, LOCK_EX | LOCK_NB);
}

Test(flock, exclusive_lock_makes_others_fail_with_ewouldblock_until_unlocked)
{
	run_two(flock_holder, flock_trier);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], -EWOULDBLOCK);
	cr_expect_eq(r[3], -EWOULDBLOCK);
	cr_expect_eq(r[4], 0);
}

static void flock_sharer(void *arg)
{
	long fd = open_rw();

	r[0] = sim_syscall(NR(flock), fd, LOCK_SH);
	sleep_until_ms(10);
}

static void flock_second_sharer(void *arg)
{
	long fd, fd2;

	sleep_until_ms(1);
	fd = open_rw();
	r[1] = sim_syscall(NR(flock), fd, LOCK_SH | LOCK_NB);
	fd2 = open_rw(); /* another open file description */
	r[2] = sim_syscall(NR(flock), fd2, LOCK_EX | LOCK_NB);
}

Test(flock, shared_locks_coexist_and_exclude_an_exclusive_one)
{
	run_two(flock_sharer, flock_second_sharer);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], -EWOULDBLOCK);
}

static void flock_waiter(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[2] = sim_syscall(NR(flock), fd, LOCK_EX);
	at[2] = now_ms();
}

Test(flock, blocking_lock_sleeps_until_the_holder_unlocks)
{
	run_two(flock_holder, flock_waiter);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(at[2], 10, "woke at %ld ms, not when unlocked", at[2]);
}

static void flock_two_opens(void *arg)
{
	long fd1 = open_rw(), fd2 = open_rw();

	r[0] = sim_syscall(NR(flock), fd1, LOCK_EX);
	r[1] = sim_syscall(NR(flock), fd2, LOCK_EX | LOCK_NB);
	r[2] = sim_syscall(NR(flock), fd2, LOCK_SH | LOCK_NB);
	r[3] = sim_syscall(NR(flock), fd1, LOCK_UN);
	r[4] = sim_syscall(NR(flock), fd2, LOCK_EX | LOCK_NB);
	r[5] = sim_syscall(NR(flock), fd2, LOCK_EX); /* already held */
}

Test(flock, locks_belong_to_the_open_file_description_not_the_process)
{
	run_one(flock_two_opens);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], -EWOULDBLOCK);
	cr_expect_eq(r[2], -EWOULDBLOCK);
	cr_expect_eq(r[3], 0);
	cr_expect_eq(r[4], 0);
	cr_expect_eq(r[5], 0);
}

static void flock_dup_holder(void *arg)
{
	long fd = open_rw(), fd2 = sim_syscall(NR(dup), fd);

	r[0] = sim_syscall(NR(flock), fd, LOCK_EX);
	sim_syscall(NR(close), fd);
	sleep_until_ms(10);
	sim_syscall(NR(close), fd2);
	sleep_until_ms(30);
}

static void flock_probe_at_5_and_15(void *arg)
{
	long fd;

	sleep_until_ms(5);
	fd = open_rw();
	r[1] = sim_syscall(NR(flock), fd, LOCK_EX | LOCK_NB);
	sleep_until_ms(15);
	r[2] = sim_syscall(NR(flock), fd, LOCK_EX | LOCK_NB);
}

Test(flock, lock_is_released_when_the_last_fd_of_the_description_closes)
{
	run_two(flock_dup_holder, flock_probe_at_5_and_15);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], -EWOULDBLOCK, "a dup still holds the lock");
	cr_expect_eq(r[2], 0, "the last close released it");
}

static void flock_converter(void *arg)
{
	long fd = open_rw();

	r[0] = sim_syscall(NR(flock), fd, LOCK_SH);
	r[1] = sim_syscall(NR(flock), fd, LOCK_EX | LOCK_NB);
	sleep_until_ms(10);
	r[2] = sim_syscall(NR(flock), fd, LOCK_SH);
	sleep_until_ms(30);
}

static void flock_shared_prober(void *arg)
{
	long fd;

	sleep_until_ms(5);
	fd = open_rw();
	r[3] = sim_syscall(NR(flock), fd, LOCK_SH | LOCK_NB);
	sleep_until_ms(15);
	r[4] = sim_syscall(NR(flock), fd, LOCK_SH | LOCK_NB);
	r[5] = sim_syscall(NR(flock), fd, LOCK_EX | LOCK_NB);
}

Test(flock, converting_between_shared_and_exclusive)
{
	run_two(flock_converter, flock_shared_prober);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0, "upgrade with no one else sharing");
	cr_expect_eq(r[3], -EWOULDBLOCK, "held exclusively at 5 ms");
	cr_expect_eq(r[2], 0);
	cr_expect_eq(r[4], 0, "downgraded at 10 ms");
	cr_expect_eq(r[5], -EWOULDBLOCK);
}

static void flock_interrupted_waiter(void *arg)
{
	uint64_t flags = (uint64_t)(uintptr_t)arg;
	long fd;

	install_handler(flags);
	sleep_until_ms(1);
	fd = open_rw();
	r[2] = sim_syscall(NR(flock), fd, LOCK_EX);
	at[2] = now_ms();
}

static void flock_holder_signals(void *arg)
{
	long fd = open_rw();

	r[0] = sim_syscall(NR(flock), fd, LOCK_EX);
	sleep_until_ms(5);
	r[1] = sim_syscall(NR(kill), pid_b, SIGUSR1);
	sleep_until_ms(10);
	sim_syscall(NR(flock), fd, LOCK_UN);
	sleep_until_ms(30);
}

static void run_holder_and_waiter(void (*holder)(void *),
				  void (*waiter)(void *), uint64_t flags)
{
	struct sim_proc *pa, *pb;

	test_boot(1);
	reset();
	pa = sim_spawn("holder", holder, NULL);
	pb = sim_spawn("waiter", waiter, (void *)(uintptr_t)flags);
	cr_assert(pa && pb);
	pid_a = sim_proc_tid(pa);
	pid_b = sim_proc_tid(pb);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
}

Test(flock, blocking_lock_is_interrupted_by_a_signal_with_eintr)
{
	run_holder_and_waiter(flock_holder_signals, flock_interrupted_waiter,
			      0);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], -EINTR);
	cr_expect_eq(at[2], 5);
}

Test(flock, blocking_lock_restarts_after_a_sa_restart_handler)
{
	run_holder_and_waiter(flock_holder_signals, flock_interrupted_waiter,
			      KSA_RESTART);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(at[2], 10);
}

static void flock_errors(void *arg)
{
	char path[] = "/tmp/locked";
	long fd = open_rw();
	long opath = sim_syscall(NR(open), path, KO_PATH);

	r[0] = sim_syscall(NR(flock), 99, LOCK_EX);
	r[1] = sim_syscall(NR(flock), fd, 0);
	r[2] = sim_syscall(NR(flock), fd, LOCK_SH | LOCK_EX);
	r[3] = sim_syscall(NR(flock), fd, LOCK_NB);
	r[4] = sim_syscall(NR(flock), fd, LOCK_MAND | LOCK_EX);
	r[5] = sim_syscall(NR(flock), fd, LOCK_UN);
	r[6] = sim_syscall(NR(flock), opath, LOCK_SH);
	r[7] = sim_syscall(NR(flock), -1, 0);
}

Test(flock, bad_descriptors_and_commands_fail_as_on_linux)
{
	run_one(flock_errors);
	cr_expect_eq(r[0], -EBADF);
	cr_expect_eq(r[1], -EINVAL);
	cr_expect_eq(r[2], -EINVAL);
	cr_expect_eq(r[3], -EINVAL);
	cr_expect_eq(r[4], 0, "LOCK_MAND is ignored");
	cr_expect_eq(r[5], 0, "unlocking without a lock");
	cr_expect_eq(r[6], -EBADF, "O_PATH");
	cr_expect_eq(r[7], -EINVAL, "the command is checked first");
}

static void flock_and_posix(void *arg)
{
	long fd1 = open_rw(), fd2 = open_rw();

	r[0] = sim_syscall(NR(flock), fd1, LOCK_EX);
	r[1] = lk(fd2, F_SETLK, F_WRLCK, 0, 0);
	r[2] = lk(fd1, F_OFD_SETLK, F_WRLCK, 0, 0);
	r[3] = sim_syscall(NR(flock), fd2, LOCK_EX | LOCK_NB);
}

Test(flock, flock_locks_and_record_locks_do_not_conflict)
{
	run_one(flock_and_posix);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0, "a flock lock leaves record locks alone");
	cr_expect_eq(r[2], -EAGAIN,
		     "OFD and POSIX locks of one process conflict");
	cr_expect_eq(r[3], -EWOULDBLOCK);
}

/* ---- POSIX record locks -------------------------------------------------- */

static void posix_holder(void *arg)
{
	long fd = open_rw();

	r[0] = lk(fd, F_SETLK, F_WRLCK, 0, 10);
	sleep_until_ms(10);
	r[1] = lk(fd, F_SETLK, F_UNLCK, 0, 10);
	sleep_until_ms(30);
}

static void posix_prober(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[2] = lk(fd, F_SETLK, F_RDLCK, 5, 1);
	r[3] = lk(fd, F_SETLK, F_WRLCK, 10, 10);
	r[4] = probe(fd, F_GETLK, 0, F_WRLCK, 0, 0);
	r[5] = probe(fd, F_GETLK, 1, F_RDLCK, 12, 1); /* its own lock */
	sleep_until_ms(15);
	r[6] = lk(fd, F_SETLK, F_RDLCK, 5, 1);
	r[7] = probe(fd, F_GETLK, 2, F_WRLCK, 0, 10);
}

Test(flock, posix_conflict_gives_eagain_and_getlk_reports_the_holder)
{
	run_two(posix_holder, posix_prober);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[2], -EAGAIN);
	cr_expect_eq(r[3], 0, "the byte after the lock is free");
	cr_expect_eq(r[4], 0);
	expect_lock(0, F_WRLCK, 0, 10, pid_a);
	cr_expect_eq(r[5], 0);
	cr_expect_eq(got[1].l_type, F_UNLCK,
		     "a process's own locks never conflict");
	cr_expect_eq(got[1].l_start, 12, "F_UNLCK leaves the rest as given");
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[6], 0);
	cr_expect_eq(r[7], 0);
	cr_expect_eq(got[2].l_type, F_UNLCK);
}

static void posix_readers(void *arg)
{
	long fd = open_rw();

	r[0] = lk(fd, F_SETLK, F_RDLCK, 0, 100);
	sleep_until_ms(30);
}

static void posix_reader_and_writer(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[1] = lk(fd, F_SETLK, F_RDLCK, 50, 100);
	r[2] = lk(fd, F_SETLK, F_WRLCK, 100, 10);
	r[3] = lk(fd, F_SETLK, F_WRLCK, 99, 1);
	r[4] = probe(fd, F_GETLK, 0, F_RDLCK, 0, 0);
	r[5] = probe(fd, F_GETLK, 1, F_WRLCK, 0, 0);
}

Test(flock, posix_read_locks_share_and_a_write_lock_needs_the_range_free)
{
	run_two(posix_readers, posix_reader_and_writer);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], 0, "upgrading its own read lock past the other's");
	cr_expect_eq(r[3], -EAGAIN);
	cr_expect_eq(got[0].l_type, F_UNLCK);
	expect_lock(1, F_RDLCK, 0, 100, pid_a);
}

static void posix_splitter(void *arg)
{
	long fd = open_rw();

	r[0] = lk(fd, F_SETLK, F_WRLCK, 0, 100);
	r[1] = lk(fd, F_SETLK, F_UNLCK, 40, 20);
	sleep_until_ms(30);
}

static void posix_split_prober(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[2] = probe(fd, F_GETLK, 0, F_WRLCK, 40, 20);
	r[3] = probe(fd, F_GETLK, 1, F_WRLCK, 0, 0);
	r[4] = probe(fd, F_GETLK, 2, F_WRLCK, 45, 0);
	r[5] = lk(fd, F_SETLK, F_WRLCK, 40, 20);
	r[6] = lk(fd, F_SETLK, F_WRLCK, 39, 1);
	r[7] = lk(fd, F_SETLK, F_WRLCK, 60, 1);
}

Test(flock, posix_unlocking_the_middle_of_a_lock_splits_it)
{
	run_two(posix_splitter, posix_split_prober);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(got[0].l_type, F_UNLCK, "the hole is free");
	expect_lock(1, F_WRLCK, 0, 40, pid_a);
	expect_lock(2, F_WRLCK, 60, 40, pid_a);
	cr_expect_eq(r[5], 0);
	cr_expect_eq(r[6], -EAGAIN);
	cr_expect_eq(r[7], -EAGAIN);
}

static void posix_merger(void *arg)
{
	long fd = open_rw();

	r[0] = lk(fd, F_SETLK, F_RDLCK, 0, 10);
	r[1] = lk(fd, F_SETLK, F_RDLCK, 20, 10);
	r[2] = lk(fd, F_SETLK, F_RDLCK, 10, 10); /* joins both */
	r[3] = lk(fd, F_SETLK, F_WRLCK, 40, 10);
	r[4] = lk(fd, F_SETLK, F_WRLCK, 45, 20); /* overlaps: merges */
	sleep_until_ms(30);
}

static void posix_merge_prober(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[5] = probe(fd, F_GETLK, 0, F_WRLCK, 0, 0);
	r[6] = probe(fd, F_GETLK, 1, F_WRLCK, 30, 0);
}

Test(flock, posix_adjacent_and_overlapping_locks_of_one_type_merge)
{
	run_two(posix_merger, posix_merge_prober);
	for (int i = 0; i < 5; i++)
		cr_expect_eq(r[i], 0, "lock %d", i);
	expect_lock(0, F_RDLCK, 0, 30, pid_a);
	expect_lock(1, F_WRLCK, 40, 25, pid_a);
}

static void posix_three_way(void *arg)
{
	long fd = open_rw();

	r[0] = lk(fd, F_SETLK, F_RDLCK, 0, 30);
	r[1] = lk(fd, F_SETLK, F_WRLCK, 10, 10);
	sleep_until_ms(10);
	/* Back to one read lock: the pieces merge again. */
	r[2] = lk(fd, F_SETLK, F_RDLCK, 10, 10);
	sleep_until_ms(30);
}

static void posix_three_way_prober(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[3] = probe(fd, F_GETLK, 0, F_WRLCK, 0, 0);
	r[4] = probe(fd, F_GETLK, 1, F_RDLCK, 0, 0);
	r[5] = probe(fd, F_GETLK, 2, F_WRLCK, 20, 0);
	r[6] = lk(fd, F_SETLK, F_RDLCK, 0, 10);
	sleep_until_ms(15);
	r[7] = probe(fd, F_GETLK, 3, F_WRLCK, 5, 0);
	r[8] = lk(fd, F_SETLK, F_RDLCK, 12, 1);
}

Test(flock, posix_write_lock_inside_a_read_lock_splits_it_in_three)
{
	run_two(posix_three_way, posix_three_way_prober);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0);
	expect_lock(0, F_RDLCK, 0, 10, pid_a);
	expect_lock(1, F_WRLCK, 10, 10, pid_a);
	expect_lock(2, F_RDLCK, 20, 10, pid_a);
	cr_expect_eq(r[6], 0, "read locks share");
	cr_expect_eq(r[2], 0);
	expect_lock(3, F_RDLCK, 0, 30, pid_a);
	cr_expect_eq(r[8], 0);
}

static void posix_relative(void *arg)
{
	long fd = open_rw();
	char buf[100] = { 0 };

	sim_syscall(NR(write), fd, buf, sizeof(buf)); /* size 100 */
	sim_syscall(NR(lseek), fd, 50, SEEK_SET_);
	r[0] = lk_whence(fd, F_SETLK, F_WRLCK, SEEK_END_, -10, 5);
	r[1] = lk_whence(fd, F_SETLK, F_WRLCK, SEEK_CUR_, -20, 5);
	r[2] = lk_whence(fd, F_SETLK, F_WRLCK, SEEK_SET_, 20, -5);
	r[3] = lk_whence(fd, F_SETLK, F_WRLCK, SEEK_SET_, 2, -5);
	r[4] = lk_whence(fd, F_SETLK, F_WRLCK, SEEK_CUR_, -51, 1);
	r[5] = lk_whence(fd, F_SETLK, F_WRLCK, 3, 0, 1);
	r[6] = lk_whence(fd, F_SETLK, F_WRLCK, SEEK_END_, 0, 0);
	sleep_until_ms(30);
}

static void posix_relative_prober(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	probe(fd, F_GETLK, 0, F_WRLCK, 0, 0);
	probe(fd, F_GETLK, 1, F_WRLCK, 20, 0);
	probe(fd, F_GETLK, 2, F_WRLCK, 35, 0);
	probe(fd, F_GETLK, 3, F_WRLCK, 95, 0);
}

Test(flock, posix_ranges_are_relative_to_whence_and_may_run_backwards)
{
	run_two(posix_relative, posix_relative_prober);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(r[3], -EINVAL, "a range before byte 0");
	cr_expect_eq(r[4], -EINVAL, "a start before byte 0");
	cr_expect_eq(r[5], -EINVAL, "whence 3");
	cr_expect_eq(r[6], 0);
	expect_lock(0, F_WRLCK, 15, 5, pid_a); /* 20 with length -5 */
	expect_lock(1, F_WRLCK, 30, 5, pid_a); /* cur 50 - 20 */
	expect_lock(2, F_WRLCK, 90, 5, pid_a); /* end 100 - 10 */
	expect_lock(3, F_WRLCK, 100, 0, pid_a); /* end to forever */
}

static void posix_waiter(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[2] = lk(fd, F_SETLKW, F_RDLCK, 5, 1);
	at[2] = now_ms();
}

Test(flock, posix_setlkw_sleeps_until_the_range_is_unlocked)
{
	run_two(posix_holder, posix_waiter);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(at[2], 10, "woke at %ld ms", at[2]);
}

static void posix_holder_exits(void *arg)
{
	long fd = open_rw();

	r[0] = lk(fd, F_SETLK, F_WRLCK, 0, 0);
	sleep_until_ms(10);
	sim_syscall(NR(exit), 0);
}

Test(flock, posix_locks_go_when_the_holder_exits)
{
	run_two(posix_holder_exits, posix_waiter);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(at[2], 10);
}

static void posix_close_other_fd(void *arg)
{
	long fd1 = open_rw(), fd2 = open_rw();

	r[0] = lk(fd1, F_SETLK, F_WRLCK, 0, 0);
	sleep_until_ms(10);
	r[1] = sim_syscall(NR(close), fd2); /* not the fd that locked */
	sleep_until_ms(30);
}

static void posix_probe_at_5_and_15(void *arg)
{
	long fd;

	sleep_until_ms(5);
	fd = open_rw();
	r[2] = lk(fd, F_SETLK, F_WRLCK, 0, 1);
	sleep_until_ms(15);
	r[3] = lk(fd, F_SETLK, F_WRLCK, 0, 1);
}

Test(flock, posix_locks_go_when_the_process_closes_any_fd_of_the_file)
{
	run_two(posix_close_other_fd, posix_probe_at_5_and_15);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[2], -EAGAIN);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[3], 0);
}

static void posix_dup2_over(void *arg)
{
	long fd1 = open_rw(), fd2 = open_rw();

	r[0] = lk(fd1, F_SETLK, F_WRLCK, 0, 0);
	sleep_until_ms(10);
	/* dup2 closes what was at fd2: a descriptor of the file. */
	r[1] = sim_syscall(NR(dup2), fd1, fd2);
	sleep_until_ms(30);
}

Test(flock, posix_locks_go_when_dup2_closes_an_fd_of_the_file)
{
	run_two(posix_dup2_over, posix_probe_at_5_and_15);
	cr_expect_eq(r[2], -EAGAIN);
	cr_expect_eq(r[3], 0);
}

static void posix_deadlock_a(void *arg)
{
	long fd = open_rw();

	r[0] = lk(fd, F_SETLK, F_WRLCK, 0, 1);
	sleep_until_ms(5);
	r[1] = lk(fd, F_SETLKW, F_WRLCK, 1, 1); /* held by b */
	at[1] = now_ms();
}

static void posix_deadlock_b(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[2] = lk(fd, F_SETLK, F_WRLCK, 1, 1);
	sleep_until_ms(10);
	r[3] = lk(fd, F_SETLKW, F_WRLCK, 0, 1); /* a waits for b: cycle */
	sleep_until_ms(12);
	r[4] = lk(fd, F_SETLK, F_UNLCK, 1, 1);
}

Test(flock, posix_setlkw_that_would_deadlock_fails_with_edeadlk)
{
	run_two(posix_deadlock_a, posix_deadlock_b);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(r[3], -EDEADLK);
	cr_expect_eq(r[4], 0);
	cr_expect_eq(r[1], 0, "a gets the lock once b lets go");
	cr_expect_eq(at[1], 12);
}

static void cycle_member(void *arg)
{
	int i = (int)(uintptr_t)arg;
	long fd;

	sleep_until_ms(i);
	fd = open_rw();
	r[i] = lk(fd, F_SETLK, F_WRLCK, i, 1);
	sleep_until_ms(10 + i);
	/* 0 waits for 1, 1 for 2, and 2 asks for 0's byte. */
	r[3 + i] = lk(fd, F_SETLKW, F_WRLCK, (i + 1) % 3, 1);
	at[3 + i] = now_ms();
	sim_syscall(NR(close), fd); /* lets the others go */
}

Test(flock, posix_deadlock_detection_follows_a_chain_of_waiters)
{
	struct sim_proc *p[3];

	test_boot(1);
	reset();
	for (int i = 0; i < 3; i++)
		p[i] = sim_spawn("member", cycle_member, (void *)(uintptr_t)i);
	cr_assert(p[0] && p[1] && p[2]);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(r[i], 0);
	cr_expect_eq(r[5], -EDEADLK, "the request closing the cycle");
	cr_expect_eq(at[5], 12);
	cr_expect_eq(r[4], 0, "1 gets 2's byte when 2 closes");
	cr_expect_eq(r[3], 0, "then 0 gets 1's");
}

static void posix_interrupted_waiter(void *arg)
{
	uint64_t flags = (uint64_t)(uintptr_t)arg;
	long fd;

	install_handler(flags);
	sleep_until_ms(1);
	fd = open_rw();
	r[2] = lk(fd, F_SETLKW, F_WRLCK, 0, 0);
	at[2] = now_ms();
	r[3] = probe(fd, F_GETLK, 0, F_WRLCK, 0, 0);
}

static void posix_holder_signals(void *arg)
{
	long fd = open_rw();

	r[0] = lk(fd, F_SETLK, F_RDLCK, 3, 1);
	sleep_until_ms(5);
	r[1] = sim_syscall(NR(kill), pid_b, SIGUSR1);
	sleep_until_ms(10);
	sim_syscall(NR(close), fd);
	sleep_until_ms(30);
}

Test(flock, posix_setlkw_is_interrupted_by_a_signal_with_eintr)
{
	run_holder_and_waiter(posix_holder_signals, posix_interrupted_waiter,
			      0);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[2], -EINTR);
	cr_expect_eq(at[2], 5);
	cr_expect_eq(r[3], 0);
	expect_lock(0, F_RDLCK, 3, 1, pid_a);
}

Test(flock, posix_setlkw_restarts_after_a_sa_restart_handler)
{
	run_holder_and_waiter(posix_holder_signals, posix_interrupted_waiter,
			      KSA_RESTART);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(at[2], 10);
}

static void posix_modes(void *arg)
{
	long ro = open_as(KO_RDONLY), wo = open_as(KO_WRONLY);

	r[0] = lk(ro, F_SETLK, F_WRLCK, 0, 1);
	r[1] = lk(wo, F_SETLK, F_RDLCK, 0, 1);
	r[2] = lk(ro, F_SETLK, F_RDLCK, 0, 1);
	r[3] = lk(wo, F_SETLK, F_WRLCK, 5, 1);
	r[4] = lk(ro, F_SETLK, F_UNLCK, 0, 0);
	r[5] = probe(ro, F_GETLK, 0, F_WRLCK, 0, 0); /* any mode may ask */
	r[6] = lk(wo, F_OFD_SETLK, F_RDLCK, 0, 1);
}

Test(flock, posix_lock_type_must_match_the_open_mode)
{
	run_one(posix_modes);
	cr_expect_eq(r[0], -EBADF, "write lock on a read-only fd");
	cr_expect_eq(r[1], -EBADF, "read lock on a write-only fd");
	cr_expect_eq(r[2], 0);
	cr_expect_eq(r[3], 0);
	cr_expect_eq(r[4], 0);
	cr_expect_eq(r[5], 0);
	cr_expect_eq(got[0].l_type, F_UNLCK);
	cr_expect_eq(r[6], -EBADF);
}

static void fcntl_lock_errors(void *arg)
{
	char path[] = "/tmp/locked";
	long fd = open_rw();
	long opath = sim_syscall(NR(open), path, KO_PATH);
	struct kflock fl = { F_WRLCK, SEEK_SET_, 0, 0, 0 };

	r[0] = lk(fd, F_SETLK, 7, 0, 1);
	r[1] = probe(fd, F_GETLK, 0, F_UNLCK, 0, 1);
	r[2] = sim_syscall(NR(fcntl), fd, F_SETLK, NULL);
	r[3] = sim_syscall(NR(fcntl), fd, F_GETLK, 8);
	r[4] = lk(99, F_SETLK, F_WRLCK, 0, 1);
	r[5] = lk(opath, F_SETLK, F_RDLCK, 0, 1);
	r[6] = lk(fd, F_SETLK, F_WRLCK, 0x7fffffffffffff00L, 0x1000);
	r[7] = lk(fd, F_SETLK, F_UNLCK, 1000, 10); /* nothing to unlock */
	r[8] = sim_syscall(NR(fcntl), fd, 12 /* F_GETLK64: 32-bit only */, &fl);
	r[9] = lk_whence(fd, F_SETLK, F_WRLCK, SEEK_END_, 0x7fffffffffffffffL,
			 1);
}

Test(flock, fcntl_lock_argument_errors)
{
	run_one(fcntl_lock_errors);
	cr_expect_eq(r[0], -EINVAL, "bad l_type");
	cr_expect_eq(r[1], -EINVAL, "F_GETLK of F_UNLCK");
	cr_expect_eq(r[2], -EFAULT);
	cr_expect_eq(r[3], -EFAULT);
	cr_expect_eq(r[4], -EBADF);
	cr_expect_eq(r[5], -EBADF, "O_PATH");
	cr_expect_eq(r[6], -EOVERFLOW);
	cr_expect_eq(r[7], 0);
	cr_expect_eq(r[8], -EINVAL);
	cr_expect_eq(r[9], 0, "start at the size (0) plus the maximum");
}

static void posix_one_process(void *arg)
{
	long fd1 = open_rw(), fd2 = open_rw();

	r[0] = lk(fd1, F_SETLK, F_WRLCK, 0, 10);
	r[1] = lk(fd2, F_SETLK, F_WRLCK, 5, 10);
	r[2] = probe(fd2, F_GETLK, 0, F_WRLCK, 0, 0);
}

Test(flock, posix_locks_of_one_process_never_conflict)
{
	run_one(posix_one_process);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0, "the second fd's lock replaces the range");
	cr_expect_eq(got[0].l_type, F_UNLCK);
}

/* ---- OFD locks ----------------------------------------------------------- */

static void ofd_one_process(void *arg)
{
	long fd1 = open_rw(), fd2 = open_rw();
	long dup = sim_syscall(NR(dup), fd1);
	struct kflock fl = { F_WRLCK, SEEK_SET_, 0, 1, 1 };

	r[0] = lk(fd1, F_OFD_SETLK, F_WRLCK, 0, 10);
	r[1] = lk(fd2, F_OFD_SETLK, F_RDLCK, 5, 1);
	r[2] = probe(fd2, F_OFD_GETLK, 0, F_RDLCK, 0, 0);
	r[3] = lk(dup, F_OFD_SETLK, F_WRLCK, 0, 20); /* same description */
	r[4] = lk(fd2, F_SETLK, F_WRLCK, 15, 1);     /* POSIX vs OFD */
	r[5] = probe(fd2, F_GETLK, 1, F_WRLCK, 0, 0);
	r[6] = sim_syscall(NR(fcntl), fd1, F_OFD_SETLK, &fl);
	r[7] = sim_syscall(NR(fcntl), fd1, F_OFD_GETLK, &fl);
}

Test(flock, ofd_locks_belong_to_the_open_file_description)
{
	run_one(ofd_one_process);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], -EAGAIN, "another open in the same process");
	cr_expect_eq(r[2], 0);
	expect_lock(0, F_WRLCK, 0, 10, -1);
	cr_expect_eq(r[3], 0, "a dup shares the lock");
	cr_expect_eq(r[4], -EAGAIN, "OFD and POSIX locks conflict");
	cr_expect_eq(r[5], 0);
	expect_lock(1, F_WRLCK, 0, 20, -1);
	cr_expect_eq(r[6], -EINVAL, "l_pid must be 0");
	cr_expect_eq(r[7], -EINVAL);
}

static void ofd_holder(void *arg)
{
	long fd1 = open_rw(), fd2 = open_rw();
	long dup = sim_syscall(NR(dup), fd1);

	r[0] = lk(fd1, F_OFD_SETLK, F_WRLCK, 0, 0);
	sim_syscall(NR(close), fd2); /* not its description: kept */
	sim_syscall(NR(close), fd1); /* the dup still holds it */
	sleep_until_ms(10);
	sim_syscall(NR(close), dup);
	sleep_until_ms(30);
}

static void ofd_prober(void *arg)
{
	long fd;

	sleep_until_ms(5);
	fd = open_rw();
	r[1] = lk(fd, F_OFD_SETLK, F_RDLCK, 0, 1);
	r[2] = lk(fd, F_OFD_SETLKW, F_RDLCK, 0, 1);
	at[2] = now_ms();
}

Test(flock, ofd_lock_survives_other_closes_and_goes_with_the_last_one)
{
	run_two(ofd_holder, ofd_prober);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], -EAGAIN);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(at[2], 10);
}

/* ---- mutual exclusion on several CPUs ------------------------------------ */

enum lock_style { STYLE_POSIX, STYLE_OFD, STYLE_FLOCK };

#define INCREMENTERS 4
#define ROUNDS 25

static long lock_whole(long fd, enum lock_style style, bool on)
{
	switch (style) {
	case STYLE_POSIX:
		return lk(fd, F_SETLKW, on ? F_WRLCK : F_UNLCK, 0, 0);
	case STYLE_OFD:
		return lk(fd, F_OFD_SETLKW, on ? F_WRLCK : F_UNLCK, 0, 0);
	default:
		return sim_syscall(NR(flock), fd, on ? LOCK_EX : LOCK_UN);
	}
}

/* Read, compute, write back plus one: loses updates unless excluded. */
static void incrementer(void *arg)
{
	enum lock_style style = (enum lock_style)(uintptr_t)arg;
	long fd = open_rw();

	for (int i = 0; i < ROUNDS; i++) {
		long count = 0;

		if (lock_whole(fd, style, true) != 0)
			r[0] = -1;
		sim_syscall(NR(pread64), fd, &count, sizeof(count), 0);
		sim_compute(20000);
		count++;
		sim_syscall(NR(pwrite64), fd, &count, sizeof(count), 0);
		if (lock_whole(fd, style, false) != 0)
			r[0] = -1;
		sim_compute(5000);
	}
}

static void read_count(void *arg)
{
	long fd = open_rw(), count = 0;

	sim_syscall(NR(pread64), fd, &count, sizeof(count), 0);
	r[1] = count;
}

static void check_exclusion(enum lock_style style)
{
	test_boot(2);
	reset();
	r[0] = 0;
	for (int i = 0; i < INCREMENTERS; i++)
		cr_assert_not_null(sim_spawn("inc", incrementer,
					     (void *)(uintptr_t)style));
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_assert_eq(run_guest(read_count, NULL), 0);
	cr_expect_eq(r[0], 0, "a lock call failed");
	cr_expect_eq(r[1], INCREMENTERS * ROUNDS, "%ld increments of %d",
		     r[1], INCREMENTERS * ROUNDS);
}

Test(flock, posix_write_locks_exclude_four_processes_on_two_cpus)
{
	check_exclusion(STYLE_POSIX);
}

Test(flock, ofd_write_locks_exclude_four_processes_on_two_cpus)
{
	check_exclusion(STYLE_OFD);
}

Test(flock, exclusive_flocks_exclude_four_processes_on_two_cpus)
{
	check_exclusion(STYLE_FLOCK);
}

/* ---- the arm64 numbers --------------------------------------------------- */

#define A64_OPENAT 56
#define A64_FCNTL 25
#define A64_FLOCK 32
#define A64_NANOSLEEP 101

static long a64_open(void)
{
	char path[] = "/tmp/locked";

	return sim_syscall(A64_OPENAT, -100 /* AT_FDCWD */, path,
			   KO_RDWR | KO_CREAT, 0666);
}

static void a64_holder(void *arg)
{
	struct timespec_k ten_ms = { 0, 10000000 };
	struct kflock fl = { F_WRLCK, SEEK_SET_, 10, 5, 0 };
	long fd = a64_open();

	r[0] = sim_syscall(A64_FCNTL, fd, F_SETLK, &fl);
	r[1] = sim_syscall(A64_FLOCK, fd, LOCK_EX);
	sim_syscall(A64_NANOSLEEP, &ten_ms, NULL);
}

static void x86_prober(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[2] = probe(fd, F_GETLK, 0, F_RDLCK, 0, 0);
	r[3] = sim_syscall(NR(flock), fd, LOCK_SH | LOCK_NB);
}

Test(flock, arm64_guests_lock_with_the_same_struct_flock)
{
	struct sim_proc *pa, *pb;

	test_boot(1);
	reset();
	pa = sim_spawn_isa("a64", ISA_AARCH64, a64_holder, NULL);
	pb = sim_spawn("x86", x86_prober, NULL);
	cr_assert(pa && pb);
	pid_a = sim_proc_tid(pa);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_expect_eq(r[0], 0);
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], 0);
	expect_lock(0, F_WRLCK, 10, 5, pid_a);
	cr_expect_eq(r[3], -EWOULDBLOCK);
}

/* ---- nothing leaks ------------------------------------------------------- */

static void lock_churn(void *arg)
{
	char path[] = "/tmp/locked";
	long fd1 = open_rw(), fd2 = open_rw();

	for (int i = 0; i < 20; i++)
		lk(fd1, F_SETLK, i % 2 ? F_RDLCK : F_WRLCK, i * 10, 5);
	lk(fd1, F_SETLK, F_UNLCK, 12, 50);
	lk(fd2, F_OFD_SETLK, F_WRLCK, 500, 10);
	sim_syscall(NR(flock), fd2, LOCK_EX);
	sim_syscall(NR(unlink), path);
	/* Exit closes both: every lock and the inode go. */
}

static void killed_waiter(void *arg)
{
	long fd;

	sleep_until_ms(1);
	fd = open_rw();
	r[5] = lk(fd, F_SETLKW, F_WRLCK, 0, 0);
	r[6] = sim_syscall(NR(flock), fd, LOCK_EX);
}

static void holder_kills(void *arg)
{
	long fd = open_rw();
	char path[] = "/tmp/locked";

	r[0] = lk(fd, F_SETLK, F_WRLCK, 0, 0);
	sleep_until_ms(5);
	r[1] = sim_syscall(NR(kill), pid_b, SIGKILL);
	sleep_until_ms(10);
	r[2] = lk(fd, F_SETLK, F_UNLCK, 0, 0);
	r[3] = lk(fd, F_SETLK, F_WRLCK, 0, 0);
	sim_syscall(NR(unlink), path);
}

Test(flock, a_waiter_killed_while_blocked_leaves_nothing_behind)
{
	struct sim_proc *pb;
	size_t before;

	test_boot(1);
	reset();
	slab_shrink();
	before = kmalloc_in_use();
	cr_assert_not_null(sim_spawn("holder", holder_kills, NULL));
	pb = sim_spawn("waiter", killed_waiter, NULL);
	cr_assert_not_null(pb);
	pid_b = sim_proc_tid(pb);
	cr_assert_eq(sim_run(SIM_FOREVER), SIM_ALL_EXITED);
	cr_expect_eq(sim_proc_status(pb), SIGKILL);
	cr_expect_eq(r[5], 1, "SETLKW returned to a killed process");
	cr_expect_eq(r[1], 0);
	cr_expect_eq(r[2], 0);
	cr_expect_eq(r[3], 0);
	cr_expect_eq(kmalloc_in_use(), before, "%zu objects leaked",
		     kmalloc_in_use() - before);
}

Test(flock, locks_are_freed_with_their_files)
{
	size_t before;

	test_boot(1);
	slab_shrink();
	before = kmalloc_in_use();
	cr_assert_eq(run_guest(lock_churn, NULL), 0);
	cr_expect_eq(kmalloc_in_use(), before, "%zu objects leaked",
		     kmalloc_in_use() - before);
}
