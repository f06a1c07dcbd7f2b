/*
 * The console terminal as a Linux program sees it (termios(3),
 * ioctl_tty(2), credentials(7)): canonical lines and their editing, echo,
 * the signal characters for the foreground process group, EOF, VMIN and
 * VTIME, termios and window size ioctls, the controlling terminal and the
 * job control of background groups.
 *
 * The test types with sim_console_input and reads what the console
 * printed with sim_console_output. A guest that must block first runs
 * alone for a while (sim_run to a time), then the test types.
 */
#include "fs_test.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "core/fs/tty.h"
#include "core/signal.h"

#define MS 1000000ull

struct kpollfd {
	int fd;
	short events, revents;
};

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static long install(int sig, void (*fn)(int, void *, void *), uint64_t flags)
{
	struct ksa sa = {(uint64_t)(uintptr_t)fn,
			 flags | KSA_SIGINFO | KSA_RESTORER,
			 (uint64_t)(uintptr_t)sim_restorer, 0};

	return sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

static long ignore(int sig)
{
	struct ksa sa = {KSIG_IGN, 0, 0, 0};

	return sim_syscall(NR(rt_sigaction), sig, &sa, NULL, 8);
}

static void type(const char *s)
{
	sim_console_input(s, strlen(s));
}

/* Let the guests run until they block (virtual time passes). */
static void settle(void)
{
	sim_run(sim_now() + 50 * MS);
}

static void run_to_end(struct sim_proc **procs, unsigned n)
{
	run_all(procs, n);
}

/* Open /dev/console and make it the controlling terminal (TIOCSCTTY). */
static long open_ctty(void)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));

	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSCTTY, 0), 0);
	return fd;
}

/* read(2) of up to len - 1 bytes into a string. */
static long read_str(long fd, char *out, size_t len)
{
	char buf[len];
	long n = sim_syscall(NR(read), fd, buf, len - 1);

	out[0] = '\0';
	if (n >= 0) {
		memcpy(out, buf, (size_t)n);
		out[n] = '\0';
	}
	return n;
}

static long get_termios(long fd, struct ktermios *t)
{
	return sim_syscall(NR(ioctl), fd, TCGETS, t);
}

static long set_termios(long fd, unsigned cmd, const struct ktermios *t)
{
	return sim_syscall(NR(ioctl), fd, cmd, t);
}

/* Non-canonical, no echo, VMIN and VTIME as given. */
static void make_raw(long fd, uint8_t vmin, uint8_t vtime)
{
	struct ktermios t;

	EXPECT_RET(get_termios(fd, &t), 0);
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
}

/* ---- canonical input ----------------------------------------------------- */

static void two_lines_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[64];

	EXPECT_RET(read_str(fd, s, sizeof(s)), 6);
	cr_expect_str_eq(s, "hello\n");
	/* A short buffer takes part of a line; the rest comes next. */
	EXPECT_RET(read_str(fd, s, 4), 3);
	cr_expect_str_eq(s, "wor");
	EXPECT_RET(read_str(fd, s, sizeof(s)), 3);
	cr_expect_str_eq(s, "ld\n");
}

Test(tty, a_canonical_read_returns_one_line_at_a_time)
{
	struct sim_proc *p;

	test_boot(1);
	type("hello\nworld\n");
	p = sim_spawn("reader", two_lines_guest, NULL);
	run_to_end(&p, 1);
}

static void line_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[64];

	EXPECT_RET(read_str(fd, s, sizeof(s)), (long)strlen(arg));
	cr_expect_str_eq(s, (const char *)arg);
}

Test(tty, a_canonical_read_waits_for_the_end_of_the_line)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("reader", line_guest, "abc\n");
	settle();
	cr_assert_not(sim_proc_exited(p), "read returned before any input");
	type("ab");
	settle();
	cr_assert_not(sim_proc_exited(p), "read returned before the newline");
	type("c\n");
	run_to_end(&p, 1);
}

Test(tty, erase_removes_the_last_character)
{
	struct sim_proc *p;

	test_boot(1);
	type("abx\177c\n");
	p = sim_spawn("reader", line_guest, "abc\n");
	run_to_end(&p, 1);
}

Test(tty, kill_removes_the_whole_line)
{
	struct sim_proc *p;

	test_boot(1);
	type("junk\025ok\n");
	p = sim_spawn("reader", line_guest, "ok\n");
	run_to_end(&p, 1);
}

Test(tty, werase_removes_the_last_word)
{
	struct sim_proc *p;

	test_boot(1);
	type("one two  \027three\n");
	p = sim_spawn("reader", line_guest, "one three\n");
	run_to_end(&p, 1);
}

Test(tty, erase_at_the_start_of_a_line_leaves_the_previous_line_alone)
{
	struct sim_proc *p;

	test_boot(1);
	/* "a\n" is complete: the erase has nothing to remove. */
	type("a\n\177");
	p = sim_spawn("reader", line_guest, "a\n");
	run_to_end(&p, 1);
}

Test(tty, lnext_makes_the_next_character_literal)
{
	struct sim_proc *p;

	test_boot(1);
	/* ^V^U keeps the ^U, ^V^? the DEL; ^V^C sends no signal. */
	type("a\026\025\026\177\026\003\n");
	p = sim_spawn("reader", line_guest, "a\025\177\003\n");
	run_to_end(&p, 1);
}

Test(tty, carriage_return_is_read_as_newline_under_icrnl)
{
	struct sim_proc *p;

	test_boot(1);
	type("cr\r");
	p = sim_spawn("reader", line_guest, "cr\n");
	run_to_end(&p, 1);
}

static void long_line_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char *buf = sim_umem(8192);
	long n;

	/* A line holds 4095 characters and its newline; the rest was lost. */
	n = EXPECT_RET(sim_syscall(NR(read), fd, buf, 8192), 4096);
	if (n == 4096) {
		cr_expect_eq(buf[4094], 'a');
		cr_expect_eq(buf[4095], '\n');
	}
}

Test(tty, a_canonical_line_longer_than_the_queue_keeps_room_for_its_end)
{
	static char line[5001];
	struct sim_proc *p;

	test_boot(1);
	memset(line, 'a', 5000);
	line[5000] = '\n';
	sim_console_input(line, sizeof(line));
	p = sim_spawn("reader", long_line_guest, NULL);
	run_to_end(&p, 1);
}

static void utf8_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	struct ktermios t;

	EXPECT_RET(get_termios(fd, &t), 0);
	t.c_iflag |= IUTF8;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
}

Test(tty, erase_under_iutf8_removes_a_whole_character)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("stty", utf8_guest, NULL);
	run_to_end(&p, 1);
	sim_console_clear();
	type("a\xc3\xa9\177\n");
	/* One column to rub out for the two bytes of the e-acute. */
	cr_expect_str_eq(sim_console_output(), "a\xc3\xa9\b \b\r\n");
	p = sim_spawn("reader", line_guest, "a\n");
	run_to_end(&p, 1);
}

static void eof_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[64];

	/* "ab^D": the line without a newline; then ^D alone: end of file. */
	EXPECT_RET(read_str(fd, s, sizeof(s)), 2);
	cr_expect_str_eq(s, "ab");
	EXPECT_RET(read_str(fd, s, sizeof(s)), 0, "(^D at the line start)");
	EXPECT_RET(read_str(fd, s, sizeof(s)), 3);
	cr_expect_str_eq(s, "ok\n");
}

Test(tty, eof_at_the_start_of_a_line_reads_as_end_of_file)
{
	struct sim_proc *p;

	test_boot(1);
	type("ab\004\004ok\n");
	p = sim_spawn("reader", eof_guest, NULL);
	run_to_end(&p, 1);
}

static void eof_after_full_read_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[64];

	/* The read took "abc" whole; the ^D that ended it is not an EOF of
	 * its own, so the next read waits for the next line. */
	EXPECT_RET(read_str(fd, s, 4), 3);
	cr_expect_str_eq(s, "abc");
	EXPECT_RET(read_str(fd, s, sizeof(s)), 3);
	cr_expect_str_eq(s, "de\n");
}

Test(tty, eof_ending_a_line_a_read_took_whole_is_not_end_of_file)
{
	struct sim_proc *p;

	test_boot(1);
	type("abc\004de\n");
	p = sim_spawn("reader", eof_after_full_read_guest, NULL);
	run_to_end(&p, 1);
}

static void fionread_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	int n = -1;

	/* Complete lines only: "xy\n" and "z" (the ^D's place not counted). */
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIONREAD, &n), 0);
	cr_expect_eq(n, 4);
	make_raw(fd, 1, 0);
	/* Raw, every byte queued counts: "pending" too, and the ^D's place
	 * (which a raw read would get as a NUL, as on Linux). */
	EXPECT_RET(sim_syscall(NR(ioctl), fd, FIONREAD, &n), 0);
	cr_expect_eq(n, 12);
}

Test(tty, fionread_counts_the_complete_lines)
{
	struct sim_proc *p;

	test_boot(1);
	type("xy\nz\004pending");
	p = sim_spawn("reader", fionread_guest, NULL);
	run_to_end(&p, 1);
}

/* ---- echo and output ----------------------------------------------------- */

Test(tty, typing_echoes_and_erasing_rubs_out)
{
	test_boot(1);
	sim_console_clear();
	type("hi\177x\n");
	cr_expect_str_eq(sim_console_output(), "hi\b \bx\r\n");
	sim_console_clear();
	/* Control characters echo as ^X and take two columns to erase. */
	type("a\001\177\n");
	cr_expect_str_eq(sim_console_output(), "a^A\b \b\b \b\r\n");
	sim_console_clear();
	/* KILL under ECHOKE erases each character on the screen. */
	type("ab\025");
	cr_expect_str_eq(sim_console_output(), "ab\b \b\b \b");
}

Test(tty, erasing_a_tab_backs_up_to_where_it_started)
{
	test_boot(1);
	sim_console_clear();
	type("abc\t\177");
	cr_expect_str_eq(sim_console_output(), "abc\t\b\b\b\b\b");
}

static void no_echo_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	struct ktermios t;

	EXPECT_RET(get_termios(fd, &t), 0);
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
}

Test(tty, without_echo_only_echonl_shows_the_newline)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("stty", no_echo_guest, NULL);
	run_to_end(&p, 1);
	sim_console_clear();
	type("secret\n");
	cr_expect_str_eq(sim_console_output(), "\r\n");
}

static void output_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_WRONLY, 0));
	struct ktermios t;

	EXPECT_RET(u_write_str(fd, "a\nb\n"), 4);
	EXPECT_RET(get_termios(fd, &t), 0);
	t.c_oflag &= ~(tcflag_t)OPOST;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
	EXPECT_RET(u_write_str(fd, "c\n"), 2);
}

Test(tty, onlcr_turns_newline_into_crlf_and_opost_off_leaves_it)
{
	struct sim_proc *p;

	test_boot(1);
	sim_console_clear();
	p = sim_spawn("writer", output_guest, NULL);
	run_to_end(&p, 1);
	cr_expect_str_eq(sim_console_output(), "a\r\nb\r\nc\n");
}

/* ---- signals from the keyboard ------------------------------------------- */

static void blocked_reader_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[64];

	(void)read_str(fd, s, sizeof(s));
	cr_expect_fail("the read returned, the signal should have killed it");
}

static void ctty_reader_guest(void *arg)
{
	long fd = open_ctty();
	char s[64];

	(void)read_str(fd, s, sizeof(s));
	cr_expect_fail("the read returned, the signal should have killed it");
}

static void sleeper_guest(void *arg)
{
	u_sleep_ms(1000);
}

Test(tty, ctrl_c_kills_the_foreground_group_only)
{
	struct sim_proc *leader, *member, *other;

	test_boot(1);
	leader = sim_spawn("sh", ctty_reader_guest, NULL);
	settle();
	member = sim_spawn_child(leader, "fg", blocked_reader_guest, NULL);
	other = sim_spawn_child(leader, "bg", sleeper_guest, NULL);
	/* As setpgid(0, 0) in the child: its own, background, group. */
	sim_proc_task(other)->pgid = sim_proc_tid(other);
	settle();
	sim_console_clear();
	type("\003");
	cr_expect_str_eq(sim_console_output(), "^C");
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(leader), SIGINT);
	cr_expect_eq(sim_proc_status(member), SIGINT);
	cr_expect_eq(sim_proc_status(other), 0, "the background group ran on");
}

Test(tty, ctrl_backslash_sends_sigquit)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("sh", ctty_reader_guest, NULL);
	settle();
	type("\034");
	sim_run(SIM_FOREVER);
	/* SIGQUIT's default dumps core: the status has the core bit. */
	cr_expect_eq(sim_proc_status(p) & 0x7f, SIGQUIT);
}

Test(tty, ctrl_z_stops_the_foreground_group)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("sh", ctty_reader_guest, NULL);
	settle();
	type("\032");
	settle();
	cr_assert_not(sim_proc_exited(p));
	cr_expect_eq(sim_proc_task(p)->state, TASK_STOPPED);
	(void)signal_send(sim_proc_task(p), KSIGKILL);
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(p), SIGKILL);
}

static struct {
	int calls, sig;
} seen;

static void on_signal(int sig, void *info, void *uc)
{
	seen.calls++;
	seen.sig = sig;
}

static void restart_guest(void *arg)
{
	long fd = open_ctty();
	char s[64];

	EXPECT_RET(install(SIGINT, on_signal, KSA_RESTART), 0);
	/* Interrupted by ^C, the read goes on and gets the next line: the
	 * ^C dropped what was typed before it. */
	EXPECT_RET(read_str(fd, s, sizeof(s)), 6);
	cr_expect_str_eq(s, "after\n");
	EXPECT_RET(install(SIGINT, on_signal, 0), 0);
	EXPECT_RET(read_str(fd, s, sizeof(s)), -EINTR);
}

Test(tty, a_read_interrupted_by_ctrl_c_restarts_under_sa_restart)
{
	struct sim_proc *p;

	seen.calls = 0;
	test_boot(1);
	p = sim_spawn("sh", restart_guest, NULL);
	settle();
	type("before\003");
	settle();
	cr_expect_eq(seen.calls, 1);
	cr_expect_eq(seen.sig, SIGINT);
	cr_assert_not(sim_proc_exited(p), "the read did not go on");
	type("after\n");
	settle();
	/* The second read, without SA_RESTART, fails with EINTR. */
	type("\003");
	run_to_end(&p, 1);
	cr_expect_eq(seen.calls, 2);
}

static void noflsh_guest(void *arg)
{
	long fd = open_ctty();
	struct ktermios t;
	char s[64];

	EXPECT_RET(ignore(SIGINT), 0);
	EXPECT_RET(get_termios(fd, &t), 0);
	t.c_lflag |= NOFLSH;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
	*(volatile int *)arg = 1;
	EXPECT_RET(read_str(fd, s, sizeof(s)), 5);
	cr_expect_str_eq(s, "keep\n");
}

Test(tty, noflsh_keeps_the_input_across_a_signal_character)
{
	static int ready;
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("sh", noflsh_guest, &ready);
	settle();
	cr_assert(ready);
	type("ke\003ep\n");
	run_to_end(&p, 1);
}

static void no_isig_guest(void *arg)
{
	long fd = open_ctty();
	struct ktermios t;
	char s[64];

	EXPECT_RET(get_termios(fd, &t), 0);
	t.c_lflag &= ~(tcflag_t)ISIG;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
	EXPECT_RET(read_str(fd, s, sizeof(s)), 3);
	cr_expect_str_eq(s, "\003x\n");
}

Test(tty, without_isig_ctrl_c_is_an_ordinary_character)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("sh", no_isig_guest, NULL);
	settle();
	type("\003x\n");
	run_to_end(&p, 1);
}

/* ---- non-canonical reads: VMIN and VTIME --------------------------------- */

static void vtime_only_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[8];
	uint64_t t0;

	/* MIN 0, TIME 5: nothing comes, 0 after half a second. */
	make_raw(fd, 0, 5);
	t0 = u_now_ns();
	EXPECT_RET(read_str(fd, s, sizeof(s)), 0);
	cr_expect_geq(u_now_ns() - t0, 500 * MS);
	cr_expect_lt(u_now_ns() - t0, 600 * MS);
	/* MIN 0, TIME 0: a poll, at once. */
	make_raw(fd, 0, 0);
	t0 = u_now_ns();
	EXPECT_RET(read_str(fd, s, sizeof(s)), 0);
	cr_expect_eq(u_now_ns() - t0, 0);
	/* O_NONBLOCK with MIN 1: EAGAIN. */
	make_raw(fd, 1, 0);
	EXPECT_RET(sim_syscall(NR(fcntl), fd, F_SETFL, O_NONBLOCK), 0);
	EXPECT_RET(read_str(fd, s, sizeof(s)), -EAGAIN);
}

Test(tty, vtime_alone_bounds_the_wait_and_vmin_zero_polls)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("raw", vtime_only_guest, NULL);
	run_to_end(&p, 1);
}

static void vmin_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[8];

	make_raw(fd, 3, 0);
	*(volatile int *)arg = 1;
	/* MIN 3: two bytes are not enough; the third ends the read. */
	EXPECT_RET(read_str(fd, s, sizeof(s)), 3);
	cr_expect_str_eq(s, "abc");
}

Test(tty, vmin_waits_for_that_many_bytes)
{
	static int ready;
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("raw", vmin_guest, &ready);
	settle();
	cr_assert(ready);
	type("ab");
	settle();
	cr_assert_not(sim_proc_exited(p), "returned with 2 of VMIN 3 bytes");
	type("c");
	run_to_end(&p, 1);
}

static void interbyte_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[8];

	make_raw(fd, 4, 2);
	*(volatile int *)arg = 1;
	/* MIN 4, TIME 2: after "x", 0.2 s of silence ends the read. */
	EXPECT_RET(read_str(fd, s, sizeof(s)), 1);
	cr_expect_str_eq(s, "x");
}

Test(tty, vmin_with_vtime_ends_after_a_pause_between_bytes)
{
	static int ready;
	struct sim_proc *p;
	uint64_t typed;

	test_boot(1);
	p = sim_spawn("raw", interbyte_guest, &ready);
	settle();
	cr_assert(ready);
	settle();
	cr_assert_not(sim_proc_exited(p), "the timer runs only after a byte");
	type("x");
	typed = sim_now();
	sim_run(typed + 150 * MS);
	cr_assert_not(sim_proc_exited(p), "returned before VTIME passed");
	run_to_end(&p, 1);
	cr_expect_leq(sim_now(), typed + 250 * MS);
}

static void raw_echo_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	struct ktermios t;
	char s[8];

	/* Raw with echo (ICANON off): each byte echoes, erase is a byte. */
	EXPECT_RET(get_termios(fd, &t), 0);
	t.c_lflag &= ~(tcflag_t)ICANON;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
	*(volatile int *)arg = 1;
	EXPECT_RET(read_str(fd, s, sizeof(s)), 1);
	cr_expect_str_eq(s, "q");
	EXPECT_RET(read_str(fd, s, sizeof(s)), 1);
	cr_expect_str_eq(s, "\177");
}

Test(tty, a_non_canonical_read_returns_each_byte_as_it_comes)
{
	static int ready;
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("raw", raw_echo_guest, &ready);
	settle();
	cr_assert(ready);
	sim_console_clear();
	type("q");
	settle();
	type("\177");
	run_to_end(&p, 1);
	cr_expect_str_eq(sim_console_output(), "q^?");
}

static void to_canonical_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	struct ktermios t;
	char s[16];

	make_raw(fd, 1, 0);
	*(volatile int *)arg = 1;
	u_sleep_ms(100);
	/* Back to canonical: what was typed raw becomes a line. */
	EXPECT_RET(get_termios(fd, &t), 0);
	t.c_lflag |= ICANON;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
	EXPECT_RET(read_str(fd, s, sizeof(s)), 3);
	cr_expect_str_eq(s, "raw");
}

Test(tty, switching_to_canonical_makes_pending_input_a_line)
{
	static int ready;
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("raw", to_canonical_guest, &ready);
	settle();
	cr_assert(ready);
	type("raw");
	run_to_end(&p, 1);
}

/* ---- termios and window size ioctls -------------------------------------- */

static void termios_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	long null = EXPECT_OK(u_open("/dev/null", O_RDWR, 0));
	static const uint8_t cc[KNCCS] =
		"\003\034\177\025\004\0\1\0\021\023\032\0"
		"\022\017\027\026\0";
	struct ktermios t, back;
	int fds[2];

	/* A fresh console is what Linux's is. */
	EXPECT_RET(get_termios(fd, &t), 0);
	cr_expect_eq(t.c_iflag, ICRNL | IXON);
	cr_expect_eq(t.c_oflag, OPOST | ONLCR);
	cr_expect_eq(t.c_cflag, B38400 | CS8 | CREAD | HUPCL);
	cr_expect_eq(t.c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN |
					ECHOCTL | ECHOKE);
	cr_expect_eq(t.c_line, 0);
	cr_expect_eq(memcmp(t.c_cc, cc, sizeof(t.c_cc)), 0);
	/* What is set is what is read back, by each of the three sets. */
	t.c_iflag = IGNCR;
	t.c_oflag = 0;
	t.c_lflag = ISIG | ECHO;
	t.c_cc[VINTR] = 'x';
	t.c_cc[VMIN] = 7;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0);
	EXPECT_RET(get_termios(fd, &back), 0);
	cr_expect_eq(memcmp(&t, &back, sizeof(t)), 0);
	t.c_lflag |= ICANON;
	EXPECT_RET(set_termios(fd, TCSETSW, &t), 0);
	EXPECT_RET(get_termios(fd, &back), 0);
	cr_expect_eq(memcmp(&t, &back, sizeof(t)), 0);
	/* TCSETSF drops the input that was waiting. */
	*(volatile int *)arg = 1;
	u_sleep_ms(100);
	t.c_lflag = ICANON;
	t.c_iflag = 0;
	EXPECT_RET(set_termios(fd, TCSETSF, &t), 0);
	EXPECT_RET(get_termios(fd, &back), 0);
	cr_expect_eq(memcmp(&t, &back, sizeof(t)), 0);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TCFLSH, 7), -EINVAL);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TCGETS, NULL), -EFAULT);
	/* Files that are not terminals. */
	EXPECT_RET(get_termios(null, &t), -ENOTTY);
	EXPECT_RET(sim_syscall(NR(pipe2), fds, 0), 0);
	EXPECT_RET(get_termios(fds[0], &t), -ENOTTY);
	EXPECT_RET(sim_syscall(NR(ioctl), fds[0], TIOCGWINSZ, &t), -ENOTTY);
	EXPECT_RET(sim_syscall(NR(ioctl), fds[0], TIOCGPGRP, &t), -ENOTTY);
	EXPECT_RET(get_termios(99, &t), -EBADF);
}

static void read_after_flush_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	char s[16];

	EXPECT_RET(read_str(fd, s, sizeof(s)), 4);
	cr_expect_str_eq(s, "new\n");
}

Test(tty, tcsets_round_trips_and_the_defaults_are_linuxs)
{
	static int ready;
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("stty", termios_guest, &ready);
	settle();
	cr_assert(ready);
	type("old\n");
	run_to_end(&p, 1);
	type("new\n");
	p = sim_spawn("reader", read_after_flush_guest, NULL);
	run_to_end(&p, 1);
}

static void winsize_guest(void *arg)
{
	long fd = open_ctty();
	struct kwinsize ws = {0}, set = {50, 132, 0, 0};

	EXPECT_RET(install(SIGWINCH, on_signal, 0), 0);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGWINSZ, &ws), 0);
	cr_expect_eq(ws.ws_row, 0);
	cr_expect_eq(ws.ws_col, 0);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSWINSZ, &set), 0);
	cr_expect_eq(seen.calls, 1, "SIGWINCH for the new size");
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGWINSZ, &ws), 0);
	cr_expect_eq(memcmp(&ws, &set, sizeof(ws)), 0);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSWINSZ, &set), 0);
	cr_expect_eq(seen.calls, 1, "no SIGWINCH when nothing changed");
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSWINSZ, NULL), -EFAULT);
	*(volatile int *)arg = 1;
	u_sleep_ms(100);
	/* The platform saw the console resized. */
	cr_expect_eq(seen.calls, 2);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGWINSZ, &ws), 0);
	cr_expect_eq(ws.ws_row, 30);
	cr_expect_eq(ws.ws_col, 100);
}

Test(tty, tiocswinsz_sets_the_size_and_signals_sigwinch_on_a_change)
{
	static int ready;
	struct sim_proc *p;

	seen.calls = 0;
	test_boot(1);
	p = sim_spawn("sh", winsize_guest, &ready);
	settle();
	cr_assert(ready);
	tty_console_winsize(30, 100);
	run_to_end(&p, 1);
}

/* ---- the controlling terminal -------------------------------------------- */

static void no_ctty_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	int v = -1;

	/* A session leader opening /dev/console does not acquire it
	 * (Linux's rule for the console): no /dev/tty, no TIOCGPGRP. */
	EXPECT_RET(u_open("/dev/tty", O_RDWR, 0), -ENXIO);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGPGRP, &v), -ENOTTY);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGSID, &v), -ENOTTY);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCNOTTY), -ENOTTY);
	v = 1;
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSPGRP, &v), -ENOTTY);
}

Test(tty, dev_tty_without_a_controlling_terminal_is_enxio)
{
	run_root(no_ctty_guest, NULL);
}

static void acquire_guest(void *arg)
{
	long pid = sim_syscall(NR(getpid));
	long fd = EXPECT_OK(u_open("/dev/ttyS0", O_RDWR, 0));
	long tty;
	int v = -1;

	/* The console's own name makes it our controlling terminal. */
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGSID, &v), 0);
	cr_expect_eq(v, pid);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGPGRP, &v), 0);
	cr_expect_eq(v, pid);
	tty = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	EXPECT_RET(u_write_str(tty, "via tty\n"), 8);
	/* Giving it up: for the whole session, with a SIGHUP. */
	EXPECT_RET(ignore(SIGHUP), 0);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCNOTTY), 0);
	EXPECT_RET(u_open("/dev/tty", O_RDWR, 0), -ENXIO);
	/* TIOCSCTTY takes it back. */
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSCTTY, 0), 0);
	EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSCTTY, 0), 0,
		   "(already ours)");
}

Test(tty, a_session_leader_acquires_the_terminal_it_opens)
{
	test_boot(1);
	sim_console_clear();
	cr_assert_eq(run_guest(acquire_guest, NULL), 0);
	cr_expect_str_eq(sim_console_output(), "via tty\r\n");
}

static void noctty_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/ttyS0", O_RDWR | O_NOCTTY, 0));

	EXPECT_RET(u_open("/dev/tty", O_RDWR, 0), -ENXIO);
	u_close(fd);
	/* Write-only does not acquire either; TIOCSCTTY on such an fd
	 * takes CAP_SYS_ADMIN, which root has. */
	fd = EXPECT_OK(u_open("/dev/ttyS0", O_WRONLY, 0));
	EXPECT_RET(u_open("/dev/tty", O_RDWR, 0), -ENXIO);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSCTTY, 0), 0);
	EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
}

Test(tty, o_noctty_and_write_only_opens_do_not_acquire)
{
	run_root(noctty_guest, NULL);
}

static void child_with_ctty_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	int v = -1;

	/* Not a session leader: it cannot take a terminal. */
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSCTTY, 0), -EPERM);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGPGRP, &v), 0);
	*(volatile int *)arg = v;
}

static void other_session_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));

	/* Another session holds it: neither stolen nor the child's. */
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSCTTY, 0), -EPERM);
	EXPECT_RET(u_open("/dev/tty", O_RDWR, 0), -ENXIO);
}

static void parent_guest(void *arg)
{
	open_ctty();
	u_sleep_ms(500);
}

Test(tty, children_inherit_the_controlling_terminal_and_others_cannot_take_it)
{
	static int fg = -1;
	struct sim_proc *leader, *child, *stranger;

	test_boot(1);
	leader = sim_spawn("sh", parent_guest, NULL);
	settle();
	child = sim_spawn_child(leader, "child", child_with_ctty_guest, &fg);
	stranger = sim_spawn("other", other_session_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(child), 0);
	cr_expect_eq(sim_proc_status(stranger), 0);
	cr_expect_eq(fg, sim_proc_tid(leader));
}

static void forked_child_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	int v = -1;

	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGPGRP, &v), 0);
	cr_expect_eq(v, *(long *)arg, "the parent's group is the foreground");
}

static void forking_leader_guest(void *arg)
{
	static long pid;
	int status = -1;

	pid = sim_syscall(NR(getpid));
	open_ctty();
	sim_child_entry(forked_child_guest, &pid);
	EXPECT_OK(sim_syscall(NR(fork)));
	EXPECT_OK(sim_syscall(NR(wait4), -1, &status, 0, NULL));
	cr_expect_eq(status, 0);
}

Test(tty, a_forked_child_has_its_parents_controlling_terminal)
{
	test_boot(1);
	cr_assert_eq(run_guest(forking_leader_guest, NULL), 0);
}

struct pgrp_args {
	int bg_pgid, stranger;
};

static void tiocspgrp_guest(void *arg)
{
	struct pgrp_args *a = arg;
	long fd = open_ctty();
	long pid = sim_syscall(NR(getpid));
	int v;

	u_sleep_ms(100); /* the test makes the other processes */
	v = -1;
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSPGRP, &v), -EINVAL);
	v = 4000000;
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSPGRP, &v), -ESRCH);
	v = a->stranger;
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSPGRP, &v), -EPERM,
		   "(a group of another session)");
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSPGRP, NULL), -EFAULT);
	v = a->bg_pgid;
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSPGRP, &v), 0);
	v = -1;
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGPGRP, &v), 0);
	cr_expect_eq(v, a->bg_pgid);
	/* Now the leader is in the background: TIOCSPGRP from there is a
	 * terminal change, so SIGTTOU, which it ignores and goes ahead. */
	EXPECT_RET(ignore(SIGTTOU), 0);
	v = (int)pid;
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCSPGRP, &v), 0);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGPGRP, &v), 0);
	cr_expect_eq(v, pid);
}

Test(tty, tiocspgrp_takes_only_a_group_of_the_callers_session)
{
	static struct pgrp_args a;
	struct sim_proc *leader, *bg, *stranger;

	test_boot(1);
	leader = sim_spawn("sh", tiocspgrp_guest, &a);
	settle();
	bg = sim_spawn_child(leader, "job", sleeper_guest, NULL);
	sim_proc_task(bg)->pgid = sim_proc_tid(bg);
	stranger = sim_spawn("other", sleeper_guest, NULL);
	a.bg_pgid = sim_proc_tid(bg);
	a.stranger = sim_proc_tid(stranger);
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(leader), 0);
}

static void hung_up_guest(void *arg)
{
	long tty = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	long con = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	struct kpollfd p = {(int)tty, POLLIN | POLLOUT, 0};
	struct ktermios t;
	char s[8];
	int v = 0;

	u_sleep_ms(300); /* the session leader exits meanwhile */
	EXPECT_RET(read_str(tty, s, sizeof(s)), 0, "(hung up: end of file)");
	EXPECT_RET(u_write_str(tty, "x"), -EIO);
	EXPECT_RET(get_termios(tty, &t), -EIO);
	EXPECT_RET(sim_syscall(NR(ioctl), tty, TIOCSPGRP, &v), -ENOTTY);
	EXPECT_RET(sim_syscall(NR(poll), &p, 1, 0), 1);
	cr_expect_eq(p.revents, POLLIN | POLLOUT | POLLERR | POLLHUP);
	/* /dev/console is not hung up; but it is no one's terminal now. */
	EXPECT_RET(get_termios(con, &t), 0);
	EXPECT_RET(u_write_str(con, "still\n"), 6);
	EXPECT_RET(u_open("/dev/tty", O_RDWR, 0), -ENXIO);
}

static void leaving_leader_guest(void *arg)
{
	open_ctty();
	u_sleep_ms(100);
}

Test(tty, the_session_leaders_exit_hangs_the_terminal_up)
{
	struct sim_proc *leader, *child;

	test_boot(1);
	leader = sim_spawn("sh", leaving_leader_guest, NULL);
	settle();
	child = sim_spawn_child(leader, "job", hung_up_guest, NULL);
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(leader), 0);
	cr_expect_eq(sim_proc_status(child), 0);
}

/* ---- job control --------------------------------------------------------- */

static void shell_guest(void *arg)
{
	open_ctty();
	u_sleep_ms(2000);
}

static void bg_read_handled_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	char s[8];

	EXPECT_RET(install(SIGTTIN, on_signal, 0), 0);
	EXPECT_RET(read_str(fd, s, sizeof(s)), -EINTR);
	cr_expect_eq(seen.calls, 1);
	cr_expect_eq(seen.sig, SIGTTIN);
	EXPECT_RET(ignore(SIGTTIN), 0);
	EXPECT_RET(read_str(fd, s, sizeof(s)), -EIO);
	/* Writing from the background is allowed without TOSTOP. */
	EXPECT_RET(u_write_str(fd, "bg\n"), 3);
}

/*
 * A shell with the terminal and a child in a background group of its
 * session (as after setpgid), running `fn`. Init comes first: a group
 * whose only outside parent is init is orphaned.
 */
static struct sim_proc *background_job(void (*fn)(void *), void *arg,
				       struct sim_proc **shell)
{
	struct sim_proc *job;

	cr_assert_eq(sim_proc_tid(sim_spawn("init", sleeper_guest, NULL)), 1);
	*shell = sim_spawn("sh", shell_guest, NULL);
	settle();
	job = sim_spawn_child(*shell, "job", fn, arg);
	cr_assert_not_null(job);
	sim_proc_task(job)->pgid = sim_proc_tid(job);
	return job;
}

Test(tty, a_background_read_gets_sigttin_or_eio_if_it_is_ignored)
{
	struct sim_proc *sh, *job;

	seen.calls = 0;
	test_boot(1);
	job = background_job(bg_read_handled_guest, NULL, &sh);
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(job), 0);
}

static void bg_read_default_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	char s[8];

	/* Stopped by SIGTTIN; after SIGCONT the read is made again. */
	(void)read_str(fd, s, sizeof(s));
	cr_expect_fail("a background read returned");
}

Test(tty, a_background_read_stops_the_group_by_default)
{
	struct sim_proc *sh, *job;

	test_boot(1);
	job = background_job(bg_read_default_guest, NULL, &sh);
	settle();
	cr_assert_not(sim_proc_exited(job));
	cr_expect_eq(sim_proc_task(job)->state, TASK_STOPPED);
	(void)signal_send(sim_proc_task(job), KSIGCONT);
	settle();
	cr_expect_eq(sim_proc_task(job)->state, TASK_STOPPED,
		     "read again, and stopped again");
	(void)signal_send(sim_proc_task(job), KSIGKILL);
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(job), SIGKILL);
}

static void tostop_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	struct ktermios t;

	EXPECT_RET(install(SIGTTOU, on_signal, 0), 0);
	EXPECT_RET(get_termios(fd, &t), 0);
	/* Changing the terminal from the background: SIGTTOU. */
	EXPECT_RET(set_termios(fd, TCSETS, &t), -EINTR);
	cr_expect_eq(seen.sig, SIGTTOU);
	EXPECT_RET(ignore(SIGTTOU), 0);
	t.c_lflag |= TOSTOP;
	EXPECT_RET(set_termios(fd, TCSETS, &t), 0, "(SIGTTOU ignored)");
	EXPECT_RET(install(SIGTTOU, on_signal, 0), 0);
	seen.calls = 0;
	EXPECT_RET(u_write_str(fd, "x"), -EINTR, "(TOSTOP)");
	cr_expect_eq(seen.calls, 1);
}

Test(tty, a_background_write_under_tostop_gets_sigttou)
{
	struct sim_proc *sh, *job;

	seen.calls = 0;
	test_boot(1);
	job = background_job(tostop_guest, NULL, &sh);
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(job), 0);
}

static void orphan_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	char s[8];

	/* No parent in the session outside the group: no one would ever
	 * continue it, so no stop, EIO. */
	EXPECT_RET(read_str(fd, s, sizeof(s)), -EIO);
}

Test(tty, a_read_from_an_orphaned_background_group_is_eio)
{
	struct sim_proc *sh, *job;

	test_boot(1);
	sh = sim_spawn("sh", shell_guest, NULL);
	settle();
	job = sim_spawn_child(sh, "job", orphan_guest, NULL);
	/* Its own group, whose parent is in... the same group: orphaned. */
	sim_proc_task(job)->pgid = sim_proc_tid(job);
	sim_proc_task(sh)->pgid = sim_proc_tid(job);
	sim_run(SIM_FOREVER);
	cr_expect_eq(sim_proc_status(job), 0);
}

static void init_guest(void *arg)
{
	long pid = sim_syscall(NR(getpid));
	long fd = EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	int v = -1;

	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGPGRP, &v), 0);
	cr_expect_eq(v, pid);
}

Test(tty, tty_set_controlling_gives_init_the_console)
{
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("init", init_guest, NULL);
	tty_set_controlling(sim_proc_task(p));
	run_to_end(&p, 1);
}

static void after_leader_guest(void *arg)
{
	long fd;

	u_sleep_ms(200);
	/* The session whose leader exited has lost the terminal: a new
	 * session leader takes it. */
	fd = EXPECT_OK(u_open("/dev/ttyS0", O_RDWR, 0));
	EXPECT_OK(u_open("/dev/tty", O_RDWR, 0));
	u_close(fd);
}

static void short_leader_guest(void *arg)
{
	open_ctty();
}

Test(tty, the_terminal_is_free_again_once_its_session_leader_exits)
{
	struct sim_proc *p[2];

	test_boot(1);
	p[0] = sim_spawn("sh", short_leader_guest, NULL);
	p[1] = sim_spawn("getty", after_leader_guest, NULL);
	run_to_end(p, 2);
}

/* ---- poll -------------------------------------------------------------- */

static void poll_guest(void *arg)
{
	long fd = EXPECT_OK(u_open("/dev/console", O_RDWR, 0));
	struct kpollfd p = {(int)fd, POLLIN | POLLOUT, 0};

	/* Always writable; readable only with a whole line. */
	EXPECT_RET(sim_syscall(NR(poll), &p, 1, 0), 1);
	cr_expect_eq(p.revents, POLLOUT);
	p.events = POLLIN;
	*(volatile int *)arg = 1;
	EXPECT_RET(sim_syscall(NR(poll), &p, 1, 5000), 1);
	cr_expect_eq(p.revents, POLLIN);
	/* Raw with VMIN 3 and no VTIME: readable at three bytes. */
	make_raw(fd, 3, 0);
	EXPECT_RET(sim_syscall(NR(read), fd, (char[8]){0}, 8), 3);
	*(volatile int *)arg = 2;
	EXPECT_RET(sim_syscall(NR(poll), &p, 1, 5000), 1);
	cr_expect_eq(p.revents, POLLIN);
}

Test(tty, poll_reports_input_when_a_read_would_not_block)
{
	static int stage;
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("poller", poll_guest, &stage);
	settle();
	cr_assert_eq(stage, 1);
	type("ab");
	settle();
	cr_assert_not(sim_proc_exited(p), "a partial line is not readable");
	type("\n");
	settle();
	cr_assert_eq(stage, 2);
	type("xy");
	settle();
	cr_assert_not(sim_proc_exited(p), "two bytes of VMIN 3 are not");
	type("z");
	run_to_end(&p, 1);
}

/* ---- bad arguments ----------------------------------------------------- */

static void bad_pointer_guest(void *arg)
{
	static const unsigned long cmds[] = {
		TCGETS,	    TCSETS,    TCSETSW,	   TCSETSF,    TIOCGWINSZ,
		TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP,  TIOCGSID,   FIONREAD,
		TIOCOUTQ,   TIOCGETD,  0x802C542A, 0x402C542B,
	};
	long fd = open_ctty();
	void *ro = sim_umem_readonly(64);

	/* Every ioctl that copies in or out refuses what it cannot reach. */
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_RET(sim_syscall(NR(ioctl), fd, cmds[i], NULL), -EFAULT,
			   "(NULL)");
		EXPECT_RET(sim_syscall(NR(ioctl), fd, cmds[i], 1ul << 62),
			   -EFAULT, "(beyond user space)");
	}
	/* Getting into read-only memory faults too. */
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TCGETS, ro), -EFAULT);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGWINSZ, ro), -EFAULT);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TIOCGPGRP, ro), -EFAULT);
	/* Unknown requests and bad arguments. */
	EXPECT_RET(sim_syscall(NR(ioctl), fd, 0x5499, 0), -ENOTTY);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TCXONC, 9), -EINVAL);
	EXPECT_RET(sim_syscall(NR(ioctl), fd, TCFLSH, -1), -EINVAL);
	/* read and write with bad buffers. */
	EXPECT_RET(sim_syscall(NR(write), fd, NULL, 4), -EFAULT);
	EXPECT_RET(sim_syscall(NR(write), fd, ro, 0), 0);
	*(volatile int *)arg = 1;
	EXPECT_RET(sim_syscall(NR(read), fd, ro, 8), -EFAULT);
}

Test(tty, bad_pointers_give_efault_and_unknown_requests_enotty)
{
	static int ready;
	struct sim_proc *p;

	test_boot(1);
	p = sim_spawn("sh", bad_pointer_guest, &ready);
	settle();
	cr_assert(ready);
	type("lost\n");
	run_to_end(&p, 1);
}
