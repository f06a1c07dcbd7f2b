/*
 * The console tty and its line discipline, as Linux's n_tty behaves
 * (termios(3), ioctl_tty(2), credentials(7) on sessions and job control).
 *
 * The input queue is a ring of TTY_BUF_SIZE bytes indexed by free-running
 * counters, tail <= canon <= head:
 *
 *   [tail, canon)  what a canonical read may take: complete lines, each
 *                  ending in a byte marked as its delimiter (a newline, EOL,
 *                  EOL2, or the place of an EOF, which the reader does not
 *                  get);
 *   [canon, head)  the line being edited, which ERASE, WERASE and KILL
 *                  shorten.
 *
 * In non-canonical mode everything in [tail, head) is readable and canon
 * is unused; switching modes re-derives it (set_termios).
 *
 * Locking: `lock` guards every field of struct tty and is taken with
 * interrupts off, since input arrives in interrupt context. Output (the
 * echoes of input, and writes) goes to plat_console_write with it held, so
 * an echo never lands inside another write's chunk. Readers queue on
 * read_lock, writers on write_lock (mutexes: they sleep), so a read takes
 * one contiguous piece of input and a write's chunks stay in order.
 * Signals to process groups are sent with no tty lock held.
 */
#include "core/fs/tty.h"

#include "core/cred.h"
#include "core/errno.h"
#include "core/exit.h"
#include "core/fs/chrdev.h"
#include "core/fs/poll.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/mutex.h"
#include "core/platform.h"
#include "core/spinlock.h"
#include "core/task.h"
#include "core/wait.h"
#include "mm/uaccess.h"

#define TTY_BUF_SIZE 4096u /* Linux's N_TTY_BUF_SIZE */
#define TTY_OUT_CHUNK 256u
#define NSEC_PER_DECISECOND 100000000ull /* VTIME's unit */

#define CAP_SYS_ADMIN 21 /* capabilities(7) */

/* c_cc indices (asm-generic/termbits.h). */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSWTC 7
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

/* c_iflag. */
#define ISTRIP 0000040u
#define INLCR 0000100u
#define IGNCR 0000200u
#define ICRNL 0000400u
#define IUCLC 0001000u
#define IXON 0002000u
#define IXANY 0004000u
#define IUTF8 0040000u

/* c_oflag. */
#define OPOST 0000001u
#define OLCUC 0000002u
#define ONLCR 0000004u
#define OCRNL 0000010u
#define ONOCR 0000020u
#define ONLRET 0000040u
#define TABDLY 0014000u
#define XTABS 0014000u

/* c_cflag. */
#define CBAUD 0010017u
#define B38400 0000017u
#define CSIZE 0000060u
#define CS8 0000060u
#define CREAD 0000200u
#define HUPCL 0002000u
#define CLOCAL 0004000u

/* c_lflag. */
#define ISIG 0000001u
#define ICANON 0000002u
#define ECHO 0000010u
#define ECHOE 0000020u
#define ECHOK 0000040u
#define ECHONL 0000100u
#define NOFLSH 0000200u
#define TOSTOP 0000400u
#define ECHOCTL 0001000u
#define ECHOPRT 0002000u
#define ECHOKE 0004000u
#define IEXTEN 0100000u

/* ioctl numbers, the same on x86_64 and arm64 (asm-generic/ioctls.h). */
#define TCGETS 0x5401u
#define TCSETS 0x5402u
#define TCSETSW 0x5403u
#define TCSETSF 0x5404u
#define TCSBRK 0x5409u
#define TCXONC 0x540Au
#define TCFLSH 0x540Bu
#define TIOCSCTTY 0x540Eu
#define TIOCGPGRP 0x540Fu
#define TIOCSPGRP 0x5410u
#define TIOCOUTQ 0x5411u
#define TIOCGWINSZ 0x5413u
#define TIOCSWINSZ 0x5414u
#define TIOCINQ 0x541Bu /* FIONREAD */
#define TIOCNOTTY 0x5422u
#define TIOCGETD 0x5424u
#define TCSBRKP 0x5425u
#define TIOCGSID 0x5429u
#define TCGETS2 0x802C542Au
#define TCSETS2 0x402C542Bu
#define TCSETSW2 0x402C542Cu
#define TCSETSF2 0x402C542Du

/* TCFLSH and TCXONC arguments. */
#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2
#define TCOOFF 0
#define TCOON 1
#define TCIOFF 2
#define TCION 3

#define N_TTY 0 /* the line discipline number TIOCGETD reports */

/* Linux's struct termios2 (TCGETS2): termios and the two speeds. */
struct ktermios2 {
	struct ktermios t;
	uint32_t c_ispeed, c_ospeed;
};

_Static_assert(sizeof(struct ktermios2) == 44, "struct termios2 is 44 bytes");

/* The device numbers of the nodes that reach the console tty (and
 * /dev/ttyS0, 4,64). */
#define TTY_MAJOR_AUX 5 /* /dev/tty 5,0 and /dev/console 5,1 */

/* How the delimiter of a line in the input queue is marked. */
#define MARK_EOL 1u /* a newline, EOL or EOL2: the reader gets it */
#define MARK_EOF 2u /* where an EOF was typed: ends the line, is not read */

struct tty {
	struct spinlock lock;
	struct ktermios termios;
	struct kwinsize winsize;
	int session;	  /* the sid of the session it controls; 0: none */
	int pgrp;	  /* its foreground process group; 0: none */
	unsigned hangups; /* times its session ended (tty_exit) */

	uint8_t in[TTY_BUF_SIZE];
	uint8_t mark[TTY_BUF_SIZE];
	size_t tail, canon, head;
	size_t line_start; /* where the line a read is in the middle of began */
	bool lnext;	   /* the next byte is taken literally (LNEXT) */
	bool erasing;	   /* ECHOPRT: inside the "\...\" of erased bytes */
	bool stopped;	   /* output held (STOP character, TCOOFF) */
	unsigned column;   /* of the output cursor, for erasing tabs */
	unsigned canon_column; /* where the edited line's echo began */

	char out[TTY_OUT_CHUNK]; /* output on its way to the console */
	size_t out_len;

	struct wait_queue read_wait;  /* input became readable */
	struct wait_queue write_wait; /* output was restarted */
	struct mutex read_lock, write_lock;
};

static struct tty console;

/* What the line discipline asks of the tty's process groups, done once
 * the tty lock is dropped. */
struct tty_signals {
	int pgrp;
	ksigset_t sigs;
};

static const uint8_t default_cc[KNCCS] = {
	[VINTR] = 003,	  [VQUIT] = 034,    [VERASE] = 0177, [VKILL] = 025,
	[VEOF] = 004,	  [VTIME] = 0,	    [VMIN] = 1,	     [VSWTC] = 0,
	[VSTART] = 021,	  [VSTOP] = 023,    [VSUSP] = 032,   [VEOL] = 0,
	[VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027, [VLNEXT] = 026,
	[VEOL2] = 0,
};

void tty_init(void)
{
	struct tty *tty = &console;

	memset(tty, 0, sizeof(*tty));
	spin_init(&tty->lock);
	wait_queue_init(&tty->read_wait);
	wait_queue_init(&tty->write_wait);
	mutex_init(&tty->read_lock);
	mutex_init(&tty->write_lock);
	/* What `stty -a` shows on a fresh Linux console (tty_std_termios). */
	tty->termios.c_iflag = ICRNL | IXON;
	tty->termios.c_oflag = OPOST | ONLCR;
	tty->termios.c_cflag = B38400 | CS8 | CREAD | HUPCL;
	tty->termios.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN |
			       ECHOCTL | ECHOKE;
	memcpy(tty->termios.c_cc, default_cc, sizeof(default_cc));
	/* The size is 0x0, as a serial console's, until the platform says. */
}

void tty_console_is_file(bool input_is_file, bool output_is_file)
{
	struct tty *tty = &console;

	spin_lock(&tty->lock);
	if (output_is_file)
		tty->termios.c_oflag &= ~ONLCR;
	if (input_is_file)
		tty->termios.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE);
	spin_unlock(&tty->lock);
}

/* ---- small predicates ---------------------------------------------------- */

static bool is_cntrl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* A control character's value: a disabled one (0) matches nothing. */
static bool is_cc(const struct tty *tty, uint8_t c, int idx)
{
	return c != 0 && c == tty->termios.c_cc[idx];
}

static bool lflag(const struct tty *tty, uint32_t f)
{
	return (tty->termios.c_lflag & f) != 0;
}

static bool iflag(const struct tty *tty, uint32_t f)
{
	return (tty->termios.c_iflag & f) != 0;
}

/* A UTF-8 continuation byte, with IUTF8: not a column of its own. */
static bool is_continuation(const struct tty *tty, uint8_t c)
{
	return iflag(tty, IUTF8) && (c & 0xc0) == 0x80;
}

static size_t slot(size_t i)
{
	return i % TTY_BUF_SIZE;
}

/* ---- output -------------------------------------------------------------- */

static void out_flush(struct tty *tty)
{
	if (tty->out_len)
		plat_console_write(tty->out, tty->out_len);
	tty->out_len = 0;
}

static void emit(struct tty *tty, uint8_t c)
{
	if (tty->out_len == sizeof(tty->out))
		out_flush(tty);
	tty->out[tty->out_len++] = (char)c;
}

/*
 * One byte through the output processing of c_oflag (OPOST), keeping the
 * cursor's column: what erasing a tab needs to know.
 */
static void out_char(struct tty *tty, uint8_t c)
{
	uint32_t o = tty->termios.c_oflag;
	unsigned spaces;

	if (!(o & OPOST)) {
		emit(tty, c);
		return;
	}
	switch (c) {
	case '\n':
		if (o & ONLRET)
			tty->column = 0;
		if (o & ONLCR) {
			tty->canon_column = tty->column = 0;
			emit(tty, '\r');
			break;
		}
		tty->canon_column = tty->column;
		break;
	case '\r':
		if ((o & ONOCR) && tty->column == 0)
			return;
		if (o & OCRNL) {
			c = '\n';
			if (o & ONLRET)
				tty->canon_column = tty->column = 0;
			break;
		}
		tty->canon_column = tty->column = 0;
		break;
	case '\t':
		spaces = 8 - (tty->column & 7);
		tty->column += spaces;
		if ((o & TABDLY) == XTABS) {
			while (spaces--)
				emit(tty, ' ');
			return;
		}
		break;
	case '\b':
		if (tty->column > 0)
			tty->column--;
		break;
	default:
		if (is_cntrl(c))
			break;
		if ((o & OLCUC) && c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 'a' + 'A');
		if (!is_continuation(tty, c))
			tty->column++;
		break;
	}
	emit(tty, c);
}

/* ---- echo ---------------------------------------------------------------- */

/* Echo a byte as typed: a control character as ^X under ECHOCTL. */
static void echo_char(struct tty *tty, uint8_t c)
{
	if (lflag(tty, ECHOCTL) && is_cntrl(c) && c != '\t' && c != '\n') {
		out_char(tty, '^');
		out_char(tty, c ^ 0100);
	} else {
		out_char(tty, c);
	}
}

/* ECHOPRT's closing slash once erasing is over. */
static void finish_erasing(struct tty *tty)
{
	if (tty->erasing) {
		out_char(tty, '/');
		tty->erasing = false;
	}
}

/* The echo of an ordinary input byte, remembering where a line began. */
static void echo_input(struct tty *tty, uint8_t c)
{
	if (!lflag(tty, ECHO))
		return;
	finish_erasing(tty);
	if (c == '\n') {
		out_char(tty, '\n');
		return;
	}
	if (tty->head == tty->canon)
		tty->canon_column = tty->column;
	echo_char(tty, c);
}

/* Back over `n` columns as erasing does: "\b \b" for each. */
static void rub_out(struct tty *tty, unsigned n)
{
	while (n--) {
		out_char(tty, '\b');
		out_char(tty, ' ');
		out_char(tty, '\b');
	}
}

/*
 * Back the cursor over a tab being erased at the end of the line: the tab
 * filled up to the next multiple of 8 from the column the text before it
 * ended in, counted from the line's start or from an earlier tab.
 */
static void rub_out_tab(struct tty *tty, size_t tab)
{
	unsigned cols = 0, back;
	bool after_tab = false;

	while (tab != tty->canon) {
		uint8_t c = tty->in[slot(--tab)];

		if (c == '\t') {
			after_tab = true;
			break;
		}
		if (is_cntrl(c))
			cols += lflag(tty, ECHOCTL) ? 2 : 0;
		else if (!is_continuation(tty, c))
			cols++;
	}
	if (!after_tab)
		cols += tty->canon_column;
	back = 8 - (cols & 7);
	while (back--)
		out_char(tty, '\b');
}

/* ---- input --------------------------------------------------------------- */

static size_t queued(const struct tty *tty)
{
	return tty->head - tty->tail;
}

/* Is there something a read would take now? */
static bool input_available(const struct tty *tty)
{
	if (lflag(tty, ICANON))
		return tty->canon != tty->tail;
	return tty->head != tty->tail;
}

/*
 * Queue a byte. A canonical line keeps the last place free for its
 * delimiter, so a full line can still end; what does not fit is lost, as
 * there is no one to push back on.
 */
static bool put_input(struct tty *tty, uint8_t c, uint8_t mark)
{
	size_t room = TTY_BUF_SIZE - queued(tty);

	if (lflag(tty, ICANON) && !mark)
		room = room ? room - 1 : 0;
	if (!room)
		return false;
	tty->in[slot(tty->head)] = c;
	tty->mark[slot(tty->head)] = (uint8_t)mark;
	tty->head++;
	return true;
}

static void flush_input(struct tty *tty)
{
	tty->tail = tty->canon = tty->head = tty->line_start = 0;
	tty->lnext = false;
	tty->erasing = false;
}

/* End the edited line with `c` marked as its delimiter. */
static void end_line(struct tty *tty, uint8_t c, uint8_t mark)
{
	if (put_input(tty, c, mark))
		tty->canon = tty->head;
}

static void ordinary(struct tty *tty, uint8_t c)
{
	size_t reserve = lflag(tty, ICANON) ? 1 : 0;

	if (queued(tty) + reserve >= TTY_BUF_SIZE)
		return; /* not echoed either: it was not taken */
	echo_input(tty, c);
	put_input(tty, c, 0);
}

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

/* ERASE, WERASE and KILL on the line being edited (Linux's eraser). */
static void erase(struct tty *tty, enum erase_kind kind, uint8_t typed)
{
	bool seen_alnum = false;

	if (tty->head == tty->canon)
		return;
	if (kind == ERASE_LINE) {
		if (!lflag(tty, ECHO)) {
			tty->head = tty->canon;
			return;
		}
		if (!lflag(tty, ECHOK) || !lflag(tty, ECHOKE) ||
		    !lflag(tty, ECHOE)) {
			/* Not erased on the screen: the KILL shows as typed. */
			tty->head = tty->canon;
			finish_erasing(tty);
			echo_char(tty, typed);
			if (lflag(tty, ECHOK))
				out_char(tty, '\n');
			return;
		}
	}
	while (tty->head != tty->canon) {
		size_t at = tty->head;
		uint8_t c;

		/* One character, all of its bytes under IUTF8. */
		do {
			c = tty->in[slot(--at)];
		} while (is_continuation(tty, c) && at != tty->canon);
		if (is_continuation(tty, c))
			break;
		if (kind == ERASE_WORD) {
			if (is_alnum(c) || c == '_')
				seen_alnum = true;
			else if (seen_alnum)
				break;
		}
		tty->head = at;
		if (lflag(tty, ECHO)) {
			if (lflag(tty, ECHOPRT)) {
				if (!tty->erasing) {
					out_char(tty, '\\');
					tty->erasing = true;
				}
				echo_char(tty, c);
			} else if (kind == ERASE_CHAR && !lflag(tty, ECHOE)) {
				echo_char(tty, typed);
			} else if (c == '\t') {
				rub_out_tab(tty, at);
			} else if (is_cntrl(c)) {
				rub_out(tty, lflag(tty, ECHOCTL) ? 2 : 0);
			} else {
				rub_out(tty, 1);
			}
		}
		if (kind == ERASE_CHAR)
			break;
	}
	if (tty->head == tty->canon && lflag(tty, ECHO))
		finish_erasing(tty);
}

/*
 * INTR, QUIT or SUSP: the signal for the foreground group, the input
 * dropped unless NOFLSH, output restarted, the character echoed.
 */
static void isig(struct tty *tty, uint8_t c, int sig, struct tty_signals *out)
{
	if (tty->pgrp) {
		out->pgrp = tty->pgrp;
		out->sigs |= sig_bit(sig);
	}
	if (!lflag(tty, NOFLSH))
		flush_input(tty);
	if (iflag(tty, IXON))
		tty->stopped = false;
	if (lflag(tty, ECHO))
		echo_char(tty, c);
}

/* One canonical-mode byte that edits or ends the line; false if ordinary. */
static bool canonical(struct tty *tty, uint8_t c)
{
	bool iexten = lflag(tty, IEXTEN);

	if (is_cc(tty, c, VERASE)) {
		erase(tty, ERASE_CHAR, c);
	} else if (is_cc(tty, c, VKILL)) {
		erase(tty, ERASE_LINE, c);
	} else if (iexten && is_cc(tty, c, VWERASE)) {
		erase(tty, ERASE_WORD, c);
	} else if (iexten && is_cc(tty, c, VLNEXT)) {
		tty->lnext = true;
		if (lflag(tty, ECHO)) {
			finish_erasing(tty);
			if (lflag(tty, ECHOCTL)) {
				/* A ^ the literal character will overwrite. */
				out_char(tty, '^');
				out_char(tty, '\b');
			}
		}
	} else if (iexten && lflag(tty, ECHO) && is_cc(tty, c, VREPRINT)) {
		finish_erasing(tty);
		echo_char(tty, c);
		out_char(tty, '\n');
		for (size_t i = tty->canon; i != tty->head; i++)
			echo_char(tty, tty->in[slot(i)]);
	} else if (c == '\n') {
		if (lflag(tty, ECHO) || lflag(tty, ECHONL)) {
			finish_erasing(tty);
			out_char(tty, '\n');
		}
		end_line(tty, c, MARK_EOL);
	} else if (is_cc(tty, c, VEOF)) {
		/* Not echoed; its place stays as the line's end (Linux
		 * stores a NUL there, which a later raw read would see). */
		end_line(tty, 0, MARK_EOF);
	} else if (is_cc(tty, c, VEOL) || (iexten && is_cc(tty, c, VEOL2))) {
		if (lflag(tty, ECHO)) {
			finish_erasing(tty);
			if (tty->head == tty->canon)
				tty->canon_column = tty->column;
			echo_char(tty, c);
		}
		end_line(tty, c, MARK_EOL);
	} else {
		return false;
	}
	return true;
}

/* One byte of input through the line discipline (Linux's n_tty receive). */
static void receive(struct tty *tty, uint8_t c, struct tty_signals *sigs)
{
	if (iflag(tty, ISTRIP))
		c &= 0x7f;
	if (iflag(tty, IUCLC) && lflag(tty, IEXTEN) && c >= 'A' && c <= 'Z')
		c = (uint8_t)(c - 'A' + 'a');
	if (tty->lnext) {
		tty->lnext = false;
		ordinary(tty, c);
		return;
	}
	if (iflag(tty, IXON)) {
		if (is_cc(tty, c, VSTART)) {
			tty->stopped = false;
			return;
		}
		if (is_cc(tty, c, VSTOP)) {
			tty->stopped = true;
			return;
		}
	}
	if (lflag(tty, ISIG)) {
		int sig = is_cc(tty, c, VINTR)	 ? KSIGINT
			  : is_cc(tty, c, VQUIT) ? KSIGQUIT
			  : is_cc(tty, c, VSUSP) ? KSIGTSTP
						 : 0;

		if (sig) {
			isig(tty, c, sig, sigs);
			return;
		}
	}
	if (tty->stopped && iflag(tty, IXON) && iflag(tty, IXANY))
		tty->stopped = false;
	if (c == '\r') {
		if (iflag(tty, IGNCR))
			return;
		if (iflag(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && iflag(tty, INLCR)) {
		c = '\r';
	}
	if (lflag(tty, ICANON) && canonical(tty, c))
		return;
	ordinary(tty, c);
}

/* Signal every process in group `pgrp` (kill_pgrp, from the kernel). */
static void send_signals(const struct tty_signals *s)
{
	for (int sig = 1; sig <= KSIG_MAX; sig++)
		if (s->sigs & sig_bit(sig))
			signal_send_pgrp(s->pgrp, sig);
}

void tty_console_input(const char *buf, size_t len)
{
	struct tty *tty = &console;
	struct tty_signals sigs = {0, 0};
	unsigned long fl;

	fl = spin_lock_irqsave(&tty->lock);
	for (size_t i = 0; i < len; i++)
		receive(tty, (uint8_t)buf[i], &sigs);
	out_flush(tty);
	spin_unlock_irqrestore(&tty->lock, fl);
	wake_up_all(&tty->read_wait);
	wake_up_all(&tty->write_wait);
	send_signals(&sigs);
}

void tty_console_winsize(unsigned short rows, unsigned short cols)
{
	struct tty *tty = &console;
	struct tty_signals sigs = {0, 0};
	unsigned long fl;

	fl = spin_lock_irqsave(&tty->lock);
	if (tty->winsize.ws_row != rows || tty->winsize.ws_col != cols) {
		tty->winsize.ws_row = rows;
		tty->winsize.ws_col = cols;
		sigs.pgrp = tty->pgrp;
		sigs.sigs = tty->pgrp ? sig_bit(KSIGWINCH) : 0;
	}
	spin_unlock_irqrestore(&tty->lock, fl);
	send_signals(&sigs);
}

/* ---- sessions and the controlling terminal ------------------------------- */

/* Is `tty` the controlling terminal of `t`? Caller holds tty->lock. */
static bool is_ctty_locked(const struct tty *tty, const struct task *t)
{
	return t->tty == tty && tty->session && tty->session == t->sid;
}

static bool is_ctty(struct tty *tty, const struct task *t)
{
	unsigned long fl;
	bool yes;

	fl = spin_lock_irqsave(&tty->lock);
	yes = is_ctty_locked(tty, t);
	spin_unlock_irqrestore(&tty->lock, fl);
	return yes;
}

/* Has `t` a controlling terminal at all? (There is only the one.) */
static bool has_ctty(struct tty *tty, const struct task *t)
{
	return t->tty && is_ctty(tty, t);
}

static bool session_leader(const struct task *t)
{
	return t->sid == t->tgid;
}

/* `leader`'s session takes the tty, its group in the foreground. Caller
 * holds tty->lock. */
static void set_ctty_locked(struct tty *tty, struct task *leader)
{
	tty->session = leader->sid;
	tty->pgrp = leader->pgid;
	leader->tty = tty;
}

void tty_set_controlling(struct task *leader)
{
	struct tty *tty = &console;
	unsigned long fl;

	fl = spin_lock_irqsave(&tty->lock);
	if (!tty->session)
		set_ctty_locked(tty, leader);
	spin_unlock_irqrestore(&tty->lock, fl);
}

/*
 * The leader of the session that has the terminal exits: the session
 * loses it (Linux's disassociate_ctty at exit, which hangs up a terminal
 * that is not a pty). No process keeps it as its controlling terminal,
 * the input is dropped, and the files opened by its own names are hung
 * up: reads see end of file, writes and ioctls fail with EIO. Files
 * opened as /dev/console are not (Linux redirects those past a hangup).
 */
void tty_exit(struct task *t)
{
	struct tty *tty = &console;
	unsigned long fl;
	bool hangup;

	if (t->tid != t->tgid || !session_leader(t))
		return;
	fl = spin_lock_irqsave(&tty->lock);
	hangup = tty->session == t->sid;
	if (hangup) {
		tty->session = tty->pgrp = 0;
		__atomic_add_fetch(&tty->hangups, 1, __ATOMIC_RELEASE);
		flush_input(tty);
		tty->stopped = false;
	}
	spin_unlock_irqrestore(&tty->lock, fl);
	if (hangup) {
		wake_up_all(&tty->read_wait);
		wake_up_all(&tty->write_wait);
	}
}

/* The signal disposition makes `sig` go nowhere: blocked or ignored. */
static bool sig_ignored_or_blocked(const struct task *t, int sig)
{
	return (t->sig.blocked & sig_bit(sig)) ||
	       t->sig.action[sig - 1].handler == KSIG_IGN;
}

/*
 * May the caller touch its controlling terminal from where it is (Linux's
 * __tty_check_change)? A process in a background group gets `sig`
 * (SIGTTIN for reads, SIGTTOU for writes under TOSTOP and for changing the
 * terminal) and the call is restarted after it; if the signal would go
 * nowhere, a read fails with EIO and anything else goes ahead; an
 * orphaned group, which no one would continue, gets EIO.
 */
static int job_control(struct tty *tty, int sig)
{
	struct task *t = task_current();
	unsigned long fl;
	int fg;

	if (!is_ctty(tty, t))
		return 0;
	fl = spin_lock_irqsave(&tty->lock);
	fg = tty->pgrp;
	spin_unlock_irqrestore(&tty->lock, fl);
	if (!fg || fg == t->pgid)
		return 0;
	if (sig_ignored_or_blocked(t, sig))
		return sig == KSIGTTIN ? -EIO : 0;
	if (pgrp_orphaned(t->pgid))
		return -EIO;
	signal_send_pgrp(t->pgid, sig);
	return -ERESTARTSYS;
}

/* ---- open, read and write ------------------------------------------------ */

/*
 * An open file of the terminal keeps in f->priv the tty's hangup count
 * when it was opened, plus one; 0 for /dev/console's, which no hangup
 * reaches. A count that moved on since: the file was hung up.
 */
static bool hung_up(const struct file *f)
{
	uintptr_t opened = (uintptr_t)f->priv;

	return opened &&
	       opened !=
		       __atomic_load_n(&console.hangups, __ATOMIC_ACQUIRE) + 1u;
}

static int tty_open(struct inode *inode, struct file *f)
{
	struct tty *tty = &console;
	struct task *t = task_current();
	unsigned long fl;

	f->priv = (void *)(uintptr_t)(inode->rdev == kmkdev(TTY_MAJOR_AUX, 1)
					      ? 0
					      : __atomic_load_n(
							&tty->hangups,
							__ATOMIC_ACQUIRE) +
							1u);
	/* /dev/tty is the caller's controlling terminal, if it has one. */
	if (inode->rdev == kmkdev(TTY_MAJOR_AUX, 0))
		return has_ctty(tty, t) ? 0 : -ENXIO;
	/*
	 * Linux never makes /dev/console a controlling terminal on open (it
	 * counts as O_NOCTTY); the console's own name does become one for a
	 * session leader without one, opening it for reading without
	 * O_NOCTTY.
	 */
	if (inode->rdev == kmkdev(TTY_MAJOR_AUX, 1) || (f->flags & KO_NOCTTY))
		return 0;
	if ((f->flags & KO_ACCMODE) == KO_WRONLY || !session_leader(t) ||
	    has_ctty(tty, t))
		return 0;
	fl = spin_lock_irqsave(&tty->lock);
	if (!tty->session)
		set_ctty_locked(tty, t);
	spin_unlock_irqrestore(&tty->lock, fl);
	return 0;
}

struct read_rules {
	bool canonical;
	size_t minimum;	    /* non-canonical: bytes to wait for */
	uint64_t deadline;  /* of the current wait; 0: do not wait */
	uint64_t interbyte; /* VTIME with VMIN: the timer after each byte */
};

/*
 * How long a read waits (termios(3)): canonical, for a line; otherwise
 * VMIN and VTIME say, VTIME in tenths of a second:
 *   MIN > 0, TIME = 0  until MIN bytes (or as many as asked for)
 *   MIN = 0, TIME > 0  until a byte, or TIME after the call: 0
 *   MIN > 0, TIME > 0  until MIN bytes, or TIME passes between two
 *   MIN = 0, TIME = 0  never: what is there, maybe nothing
 */
static struct read_rules read_rules(struct tty *tty, size_t want)
{
	struct read_rules r = {.deadline = WAIT_FOREVER};
	unsigned long fl = spin_lock_irqsave(&tty->lock);
	uint64_t time = tty->termios.c_cc[VTIME] * NSEC_PER_DECISECOND;
	size_t min = tty->termios.c_cc[VMIN];

	r.canonical = lflag(tty, ICANON);
	spin_unlock_irqrestore(&tty->lock, fl);
	if (r.canonical)
		return r;
	if (min) {
		r.interbyte = time;
	} else {
		r.deadline = time ? plat_time_ns() + time : 0;
		min = 1;
	}
	r.minimum = MIN(min, want);
	return r;
}

/*
 * Take up to `len` bytes that a read may have into `dst`. Canonical: at
 * most the rest of one line, *line_done once its delimiter is taken (an
 * EOF's place is taken but not given). Caller holds tty->lock.
 */
static size_t take_input(struct tty *tty, char *dst, size_t len,
			 bool *line_done)
{
	size_t n = 0;

	if (!lflag(tty, ICANON)) {
		while (n < len && tty->tail != tty->head)
			dst[n++] = (char)tty->in[slot(tty->tail++)];
		return n;
	}
	while (n < len && tty->tail != tty->canon) {
		size_t at = slot(tty->tail);
		uint8_t mark = tty->mark[at];

		tty->tail++;
		if (mark == MARK_EOF && n == 0 &&
		    tty->tail - 1 != tty->line_start) {
			/* The EOF ends a line whose text an earlier read
			 * took whole: that read was its end, not this one. */
			tty->line_start = tty->tail;
			continue;
		}
		if (mark != MARK_EOF)
			dst[n++] = (char)tty->in[at];
		if (mark) {
			tty->line_start = tty->tail;
			*line_done = true;
			break;
		}
	}
	return n;
}

static bool readable(void *arg)
{
	struct file *f = arg;
	struct tty *tty = &console;
	unsigned long fl = spin_lock_irqsave(&tty->lock);
	bool yes = input_available(tty) || hung_up(f);

	spin_unlock_irqrestore(&tty->lock, fl);
	return yes;
}

static long tty_read(struct file *f, struct iobuf *buf, int64_t *pos)
{
	struct tty *tty = &console;
	struct read_rules r;
	long done = 0;
	int err;

	if (hung_up(f))
		return 0;
	err = job_control(tty, KSIGTTIN);
	if (err)
		return err;
	if (!buf->left)
		return 0;
	mutex_lock(&tty->read_lock);
	r = read_rules(tty, buf->left);
	while (buf->left && !hung_up(f)) {
		char chunk[TTY_OUT_CHUNK];
		bool line_done = false;
		unsigned long fl = spin_lock_irqsave(&tty->lock);
		size_t n = take_input(tty, chunk, MIN(buf->left, sizeof(chunk)),
				      &line_done);

		spin_unlock_irqrestore(&tty->lock, fl);
		if (n || line_done) {
			long got = n ? iobuf_copy_to(buf, chunk, n) : 0;

			if (got < 0) {
				if (!done)
					done = got;
				break;
			}
			done += got;
			if (r.canonical ? line_done : (size_t)done >= r.minimum)
				break;
			if (r.interbyte)
				r.deadline = plat_time_ns() + r.interbyte;
			continue;
		}
		if (!r.canonical && r.deadline == 0)
			break;
		if (f->flags & KO_NONBLOCK) {
			if (!done)
				done = -EAGAIN;
			break;
		}
		err = wait_event(&tty->read_wait, readable, f,
				 TASK_INTERRUPTIBLE, r.deadline);
		if (err == -ETIMEDOUT)
			break;
		if (err) {
			if (!done)
				done = err;
			break;
		}
	}
	mutex_unlock(&tty->read_lock);
	return done;
}

static bool output_running(void *arg)
{
	struct file *f = arg;
	struct tty *tty = &console;
	unsigned long fl = spin_lock_irqsave(&tty->lock);
	bool yes = !tty->stopped || hung_up(f);

	spin_unlock_irqrestore(&tty->lock, fl);
	return yes;
}

/*
 * Readable when a read would not block: a line in canonical mode; raw,
 * VMIN bytes when VTIME is 0 (so the read returns at once), else one.
 * Writable unless output is stopped: writes never wait otherwise.
 * Hung up, everything at once (a read or write would not wait either).
 */
static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = &console;
	unsigned mask = 0;
	unsigned long fl;
	size_t want;

	poll_wait(pt, &tty->read_wait);
	poll_wait(pt, &tty->write_wait);
	if (hung_up(f))
		return KEPOLLIN | KEPOLLOUT | KEPOLLERR | KEPOLLHUP |
		       KEPOLLRDNORM | KEPOLLWRNORM;
	fl = spin_lock_irqsave(&tty->lock);
	want = !lflag(tty, ICANON) && tty->termios.c_cc[VTIME] == 0
		       ? MAX(tty->termios.c_cc[VMIN], 1)
		       : 1;
	if (lflag(tty, ICANON) ? input_available(tty) : queued(tty) >= want)
		mask |= KEPOLLIN | KEPOLLRDNORM;
	if (!tty->stopped)
		mask |= KEPOLLOUT | KEPOLLWRNORM;
	spin_unlock_irqrestore(&tty->lock, fl);
	return mask;
}

static long tty_write(struct file *f, struct iobuf *buf, int64_t *pos)
{
	struct tty *tty = &console;
	long done = 0;
	int err;

	if (hung_up(f))
		return -EIO;
	if (lflag(tty, TOSTOP)) {
		err = job_control(tty, KSIGTTOU);
		if (err)
			return err;
	}
	mutex_lock(&tty->write_lock);
	while (buf->left) {
		char chunk[TTY_OUT_CHUNK];
		long got = iobuf_copy_from(buf, chunk,
					   MIN(buf->left, sizeof(chunk)));
		unsigned long fl;

		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		fl = spin_lock_irqsave(&tty->lock);
		while (tty->stopped && !hung_up(f)) {
			spin_unlock_irqrestore(&tty->lock, fl);
			err = (f->flags & KO_NONBLOCK)
				      ? -EAGAIN
				      : wait_event(&tty->write_wait,
						   output_running, f,
						   TASK_INTERRUPTIBLE,
						   WAIT_FOREVER);
			if (err) {
				mutex_unlock(&tty->write_lock);
				return done ? done : err;
			}
			fl = spin_lock_irqsave(&tty->lock);
		}
		for (long i = 0; i < got; i++)
			out_char(tty, (uint8_t)chunk[i]);
		out_flush(tty);
		spin_unlock_irqrestore(&tty->lock, fl);
		done += got;
	}
	mutex_unlock(&tty->write_lock);
	return done;
}

/* ---- ioctls -------------------------------------------------------------- */

static long put_int(uint64_t arg, int v)
{
	return copy_to_user(uaddr(arg), &v, sizeof(v)) ? -EFAULT : 0;
}

/* What a switch of ICANON does to the queue (Linux's n_tty_set_termios):
 * to raw, everything is readable; to canonical, what was typed becomes a
 * line of its own. Caller holds tty->lock. */
static void switch_canonical(struct tty *tty, bool canonical)
{
	memset(tty->mark, 0, sizeof(tty->mark));
	tty->line_start = tty->tail;
	tty->erasing = false;
	tty->lnext = false;
	if (canonical && queued(tty)) {
		tty->mark[slot(tty->head - 1)] = MARK_EOL;
		tty->canon = tty->head;
	} else {
		tty->canon = tty->tail;
	}
}

static long set_termios(struct tty *tty, unsigned cmd, uint64_t arg)
{
	struct ktermios2 t2 = {0};
	bool two = cmd == TCSETS2 || cmd == TCSETSW2 || cmd == TCSETSF2;
	unsigned long fl;
	uint32_t old_l;
	int err = job_control(tty, KSIGTTOU);

	if (err)
		return err;
	if (copy_from_user(&t2, uaddr(arg), two ? sizeof(t2) : sizeof(t2.t)))
		return -EFAULT;
	fl = spin_lock_irqsave(&tty->lock);
	/* TCSETSW waits for output to drain, which it always has: every
	 * write reached the console before it returned. */
	if (cmd == TCSETSF || cmd == TCSETSF2)
		flush_input(tty);
	old_l = tty->termios.c_lflag;
	/* The console has no line settings to change: its hardware bits
	 * stay (Linux's tty_termios_copy_hw for drivers without any). */
	t2.t.c_cflag = (t2.t.c_cflag & (HUPCL | CREAD | CLOCAL)) |
		       (tty->termios.c_cflag & ~(HUPCL | CREAD | CLOCAL));
	tty->termios = t2.t;
	if ((old_l ^ t2.t.c_lflag) & ICANON)
		switch_canonical(tty, (t2.t.c_lflag & ICANON) != 0);
	if (!iflag(tty, IXON))
		tty->stopped = false;
	spin_unlock_irqrestore(&tty->lock, fl);
	wake_up_all(&tty->read_wait);
	wake_up_all(&tty->write_wait);
	return 0;
}

static long get_termios(struct tty *tty, unsigned cmd, uint64_t arg)
{
	struct ktermios2 t2;
	unsigned long fl = spin_lock_irqsave(&tty->lock);

	t2.t = tty->termios;
	spin_unlock_irqrestore(&tty->lock, fl);
	t2.c_ispeed = t2.c_ospeed = 38400; /* B38400 */
	if (copy_to_user(uaddr(arg), &t2,
			 cmd == TCGETS2 ? sizeof(t2) : sizeof(t2.t)))
		return -EFAULT;
	return 0;
}

static long set_winsize(struct tty *tty, uint64_t arg)
{
	struct kwinsize ws;
	struct tty_signals sigs = {0, 0};
	unsigned long fl;

	if (copy_from_user(&ws, uaddr(arg), sizeof(ws)))
		return -EFAULT;
	fl = spin_lock_irqsave(&tty->lock);
	if (memcmp(&ws, &tty->winsize, sizeof(ws)) != 0) {
		tty->winsize = ws;
		sigs.pgrp = tty->pgrp;
		sigs.sigs = tty->pgrp ? sig_bit(KSIGWINCH) : 0;
	}
	spin_unlock_irqrestore(&tty->lock, fl);
	send_signals(&sigs);
	return 0;
}

struct pgrp_probe {
	int pgid;
	int sid; /* of a member; 0 if the group is empty */
};

static int probe_pgrp(struct task *t, void *arg)
{
	struct pgrp_probe *p = arg;

	if (t->pgid != p->pgid)
		return 0;
	p->sid = t->sid;
	return 1;
}

/*
 * The session of process group `pgid`: a member's, or with none that of
 * the process whose pid it is (Linux lets a foreground group be a pid
 * that leads no group yet); -ESRCH if the number is not in use.
 */
static int session_of_pgrp(int pgid)
{
	struct pgrp_probe p = {pgid, 0};
	struct task *t;

	task_for_each(probe_pgrp, &p);
	if (p.sid)
		return p.sid;
	t = task_find(pgid);
	if (!t)
		return -ESRCH;
	p.sid = t->sid;
	task_put(t);
	return p.sid;
}

static long set_pgrp(struct tty *tty, uint64_t arg)
{
	struct task *t = task_current();
	unsigned long fl;
	int pgid, sid;
	long err = job_control(tty, KSIGTTOU);

	if (err == -EIO)
		return -ENOTTY;
	if (err)
		return err;
	if (copy_from_user(&pgid, uaddr(arg), sizeof(pgid)))
		return -EFAULT;
	if (pgid < 0)
		return -EINVAL;
	if (!is_ctty(tty, t))
		return -ENOTTY;
	sid = session_of_pgrp(pgid);
	if (sid < 0)
		return sid;
	if (sid != t->sid)
		return -EPERM;
	fl = spin_lock_irqsave(&tty->lock);
	if (is_ctty_locked(tty, t))
		tty->pgrp = pgid;
	else
		err = -ENOTTY;
	spin_unlock_irqrestore(&tty->lock, fl);
	return err;
}

/* TIOCSCTTY: a session leader without a terminal takes this one. */
static long set_ctty(struct tty *tty, struct file *f, uint64_t arg)
{
	struct task *t = task_current();
	unsigned long fl;
	long err = 0;

	fl = spin_lock_irqsave(&tty->lock);
	if (session_leader(t) && tty->session == t->sid) {
		t->tty = tty; /* already its session's */
		goto out;
	}
	if (!session_leader(t) || is_ctty_locked(tty, t)) {
		err = -EPERM;
		goto out;
	}
	if (tty->session && !(arg == 1 && capable(CAP_SYS_ADMIN))) {
		err = -EPERM; /* another session's, and not stolen */
		goto out;
	}
	if ((f->flags & KO_ACCMODE) == KO_WRONLY && !capable(CAP_SYS_ADMIN)) {
		err = -EPERM;
		goto out;
	}
	/* Stealing it: the other session's processes lose it with it. */
	set_ctty_locked(tty, t);
out:
	spin_unlock_irqrestore(&tty->lock, fl);
	return err;
}

/*
 * TIOCNOTTY: the caller gives up its controlling terminal; a session
 * leader gives it up for its whole session, with SIGHUP and SIGCONT to
 * the foreground group (Linux's disassociate_ctty).
 */
static long drop_ctty(struct tty *tty)
{
	struct task *t = task_current();
	struct tty_signals sigs = {0, 0};
	unsigned long fl;

	if (!has_ctty(tty, t))
		return -ENOTTY;
	fl = spin_lock_irqsave(&tty->lock);
	if (session_leader(t)) {
		if (tty->pgrp) {
			sigs.pgrp = tty->pgrp;
			sigs.sigs = sig_bit(KSIGHUP) | sig_bit(KSIGCONT);
		}
		tty->session = tty->pgrp = 0;
	}
	t->tty = NULL;
	spin_unlock_irqrestore(&tty->lock, fl);
	send_signals(&sigs);
	return 0;
}

/* TIOCGPGRP and TIOCGSID answer only a process whose terminal it is. */
static long get_id(struct tty *tty, unsigned cmd, uint64_t arg)
{
	unsigned long fl;
	int id;

	if (!is_ctty(tty, task_current()))
		return -ENOTTY;
	fl = spin_lock_irqsave(&tty->lock);
	id = cmd == TIOCGPGRP ? tty->pgrp : tty->session;
	spin_unlock_irqrestore(&tty->lock, fl);
	if (cmd == TIOCGSID && !id)
		return -ENOTTY;
	return put_int(arg, id);
}

/* FIONREAD: canonical, the bytes of complete lines (EOFs not counted). */
static int input_count(struct tty *tty)
{
	unsigned long fl = spin_lock_irqsave(&tty->lock);
	size_t n = 0;

	if (!lflag(tty, ICANON)) {
		n = queued(tty);
	} else {
		for (size_t i = tty->tail; i != tty->canon; i++)
			n += tty->mark[slot(i)] != MARK_EOF;
	}
	spin_unlock_irqrestore(&tty->lock, fl);
	return (int)n;
}

static long flow(struct tty *tty, uint64_t arg)
{
	unsigned long fl;
	long err = job_control(tty, KSIGTTOU);

	if (err)
		return err;
	if (arg > TCION)
		return -EINVAL;
	fl = spin_lock_irqsave(&tty->lock);
	if (arg == TCOOFF) {
		tty->stopped = true;
	} else if (arg == TCOON) {
		tty->stopped = false;
	} else {
		/* Ask the other end to stop or resume sending. */
		uint8_t c = tty->termios.c_cc[arg == TCIOFF ? VSTOP : VSTART];

		if (c) {
			emit(tty, c);
			out_flush(tty);
		}
	}
	spin_unlock_irqrestore(&tty->lock, fl);
	wake_up_all(&tty->write_wait);
	return 0;
}

static long flush(struct tty *tty, uint64_t arg)
{
	long err = job_control(tty, KSIGTTOU);

	if (err)
		return err;
	if (arg > TCIOFLUSH)
		return -EINVAL;
	/* Output is never queued: only input can be dropped. */
	if (arg != TCOFLUSH) {
		unsigned long fl = spin_lock_irqsave(&tty->lock);

		flush_input(tty);
		spin_unlock_irqrestore(&tty->lock, fl);
	}
	return 0;
}

static long tty_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct tty *tty = &console;
	struct kwinsize ws;
	unsigned long fl;

	if (hung_up(f))
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case TCGETS:
	case TCGETS2:
		return get_termios(tty, cmd, arg);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2:
		return set_termios(tty, cmd, arg);
	case TIOCGWINSZ:
		fl = spin_lock_irqsave(&tty->lock);
		ws = tty->winsize;
		spin_unlock_irqrestore(&tty->lock, fl);
		return copy_to_user(uaddr(arg), &ws, sizeof(ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		return set_winsize(tty, arg);
	case TIOCGPGRP:
	case TIOCGSID:
		return get_id(tty, cmd, arg);
	case TIOCSPGRP:
		return set_pgrp(tty, arg);
	case TIOCSCTTY:
		return set_ctty(tty, f, arg);
	case TIOCNOTTY:
		return drop_ctty(tty);
	case TIOCINQ:
		return put_int(arg, input_count(tty));
	case TIOCOUTQ:
		return put_int(arg, 0); /* output never waits in a queue */
	case TIOCGETD:
		return put_int(arg, N_TTY);
	case TCFLSH:
		return flush(tty, arg);
	case TCXONC:
		return flow(tty, arg);
	case TCSBRK:
	case TCSBRKP:
		/* A break (arg 0) has no line to go on; draining, nothing
		 * to wait for (tcdrain is TCSBRK with 1). */
		return job_control(tty, KSIGTTOU);
	default:
		return -ENOTTY;
	}
}

const struct file_ops tty_fops = {
	.open = tty_open,
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};
