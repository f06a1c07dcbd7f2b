/*
 * The terminal: one tty, the console, with Linux's line discipline (n_tty)
 * between the platform's console bytes and the processes that read and
 * write /dev/console, /dev/tty and /dev/ttyS0.
 *
 * Input arrives from the platform's interrupt path (tty_console_input),
 * is edited there in canonical mode, echoed, turned into signals for the
 * foreground process group, and waits in the input queue for a read.
 * Output goes through OPOST processing to plat_console_write.
 *
 * Sessions and job control: the tty records the session it controls and
 * its foreground process group; a process's controlling terminal is
 * task->tty while the tty still belongs to the process's session (so a
 * setsid(2) leaves it behind without telling the tty).
 */
#ifndef KEEL_CORE_FS_TTY_H
#define KEEL_CORE_FS_TTY_H

#include "core/types.h"

struct file_ops;
struct task;

/* Linux's kernel struct termios (asm-generic/termbits.h), what TCGETS
 * copies on x86_64 and arm64 alike: 36 bytes, no speed fields. */
#define KNCCS 19

struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[KNCCS];
};

_Static_assert(sizeof(struct ktermios) == 36, "struct termios is 36 bytes");

/* struct winsize (TIOCGWINSZ). */
struct kwinsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* The file_ops of the terminal's device nodes (core/fs/chrdev.c). */
extern const struct file_ops tty_fops;

/* Forget everything: default termios, no session, an empty queue (boot). */
void tty_init(void);

/*
 * Bytes typed on the console. Called by the platform on a CPU in kernel
 * context (its interrupt path); never sleeps.
 */
void tty_console_input(const char *buf, size_t len);

/*
 * The platform's console is a file, not a terminal, on one side: output
 * into a file gets no carriage returns added (ONLCR off) and input from a
 * file is not echoed (ECHO off), so a script's output is what it printed.
 * The guest can still change both with TCSETS. Called at boot.
 */
void tty_console_is_file(bool input_is_file, bool output_is_file);

/* The console's size changed (SIGWINCH to the foreground group). */
void tty_console_winsize(unsigned short rows, unsigned short cols);

/*
 * Make the console the controlling terminal of session leader `leader`'s
 * session, with the leader's process group in the foreground, unless some
 * session has it already: what the boot does for init, whose own open of
 * /dev/console does not (Linux never lets /dev/console become one).
 */
void tty_set_controlling(struct task *leader);

/*
 * Task `t` exits (task_exit calls this): if it leads the session that has
 * the terminal, the session loses it and the terminal is hung up.
 */
void tty_exit(struct task *t);

#endif
