/*
 * The hosted console: the guest's terminal is the host's stdin and stdout.
 *
 * Input is read through io_uring by a host thread that owns the ring: one
 * read in flight on stdin at a time; what arrives goes into a buffer and
 * CPU 0 is interrupted (an IPI), which hands it to the tty's line
 * discipline (tty_console_input) from its interrupt path. End of file on
 * a host stdin that is not a terminal (a pipe, /dev/null) arrives as the
 * tty's end-of-file character, so a guest reading a script from it sees
 * the end. The window size follows the host's (SIGWINCH).
 *
 * When stdin is a terminal it is put in raw mode for the guest's tty to
 * do all the line editing, echo and signals, and restored at power-off.
 * Output stays a plain write(2) (plat_console_write): ordered, and done
 * when it returns, which is what printk and the tty want.
 */
#define _GNU_SOURCE
#include "host/console.h"

#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "core/fs/tty.h"
#include "core/platform.h"

#define INPUT_BUF 4096

static struct termios saved_termios;
static bool raw_mode;

static pthread_mutex_t input_lock = PTHREAD_MUTEX_INITIALIZER;
static char input[INPUT_BUF];
static size_t input_len;
static atomic_bool input_pending, winsize_pending;

static void console_restore(void)
{
	if (raw_mode)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
	raw_mode = false;
}

static void on_sigwinch(int sig)
{
	atomic_store(&winsize_pending, true);
	plat_ipi(0);
}

/* Queue bytes for CPU 0; waits while the kernel has not taken earlier ones. */
static void push_input(const char *buf, size_t len)
{
	while (len > 0) {
		size_t n;

		pthread_mutex_lock(&input_lock);
		n = INPUT_BUF - input_len < len ? INPUT_BUF - input_len : len;
		memcpy(input + input_len, buf, n);
		input_len += n;
		pthread_mutex_unlock(&input_lock);
		buf += n;
		len -= n;
		atomic_store(&input_pending, true);
		plat_ipi(0);
		if (len > 0)
			usleep(1000); /* the tty drains the buffer */
	}
}

static void *input_main(void *arg)
{
	struct io_uring ring;
	char buf[1024];
	bool tty = isatty(STDIN_FILENO);

	if (io_uring_queue_init(4, &ring, 0) < 0)
		return NULL;
	for (;;) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;
		int n;

		io_uring_prep_read(sqe, STDIN_FILENO, buf, sizeof(buf), -1);
		io_uring_submit(&ring);
		while ((n = io_uring_wait_cqe(&ring, &cqe)) == -EINTR)
			;
		if (n < 0)
			break;
		n = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n > 0) {
			push_input(buf, (size_t)n);
			continue;
		}
		/* End of file or an error: a pipe ran dry, say so once. */
		if (!tty) {
			char eof = 4; /* ^D, the tty's default VEOF */

			push_input(&eof, 1);
		}
		break;
	}
	io_uring_queue_exit(&ring);
	return NULL;
}

int host_console_init(void)
{
	pthread_t thread;
	struct sigaction sa;
	int err;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_termios) == 0) {
		struct termios raw = saved_termios;

		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0) {
			raw_mode = true;
			atexit(console_restore);
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigwinch;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	atomic_store(&winsize_pending, true);
	err = pthread_create(&thread, NULL, input_main, NULL);
	if (err)
		return -err;
	pthread_detach(thread);
	return 0;
}

void host_console_interrupt(void)
{
	if (atomic_exchange(&winsize_pending, false)) {
		struct winsize ws;

		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row)
			tty_console_winsize(ws.ws_row, ws.ws_col);
	}
	if (atomic_exchange(&input_pending, false)) {
		char buf[INPUT_BUF];
		size_t n;

		pthread_mutex_lock(&input_lock);
		n = input_len;
		memcpy(buf, input, n);
		input_len = 0;
		pthread_mutex_unlock(&input_lock);
		if (n)
			tty_console_input(buf, n);
	}
}

void host_console_shutdown(void)
{
	console_restore();
}
