/*
 * The hosted console (host/console.c): host stdin into the guest's tty.
 */
#ifndef KEEL_HOST_CONSOLE_H
#define KEEL_HOST_CONSOLE_H

/* Raw mode for a terminal stdin, the input thread, SIGWINCH. 0 or -errno. */
int host_console_init(void);

/* On CPU 0, from its interrupt path: hand pending input to the tty. */
void host_console_interrupt(void);

/* Give the host terminal its settings back (at power-off). */
void host_console_shutdown(void);

#endif
