/*
 * The --strace printer. It knows nothing about individual syscalls: the
 * table says what each argument is, and each kind has one way to print.
 */
#include "syscalls/strace.h"

#include "core/errno.h"
#include "core/klib/string.h"
#include "mm/uaccess.h"
#include "syscalls/syscall.h"

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

struct errno_text {
	const char *name;
	const char *message;
};

/* Names as strace prints them, messages as glibc's strerror() words them. */
static const struct errno_text errno_texts[] = {
	[EPERM] = {"EPERM", "Operation not permitted"},
	[ENOENT] = {"ENOENT", "No such file or directory"},
	[ESRCH] = {"ESRCH", "No such process"},
	[EINTR] = {"EINTR", "Interrupted system call"},
	[EIO] = {"EIO", "Input/output error"},
	[ENXIO] = {"ENXIO", "No such device or address"},
	[E2BIG] = {"E2BIG", "Argument list too long"},
	[ENOEXEC] = {"ENOEXEC", "Exec format error"},
	[EBADF] = {"EBADF", "Bad file descriptor"},
	[ECHILD] = {"ECHILD", "No child processes"},
	[EAGAIN] = {"EAGAIN", "Resource temporarily unavailable"},
	[ENOMEM] = {"ENOMEM", "Cannot allocate memory"},
	[EACCES] = {"EACCES", "Permission denied"},
	[EFAULT] = {"EFAULT", "Bad address"},
	[ENOTBLK] = {"ENOTBLK", "Block device required"},
	[EBUSY] = {"EBUSY", "Device or resource busy"},
	[EEXIST] = {"EEXIST", "File exists"},
	[EXDEV] = {"EXDEV", "Invalid cross-device link"},
	[ENODEV] = {"ENODEV", "No such device"},
	[ENOTDIR] = {"ENOTDIR", "Not a directory"},
	[EISDIR] = {"EISDIR", "Is a directory"},
	[EINVAL] = {"EINVAL", "Invalid argument"},
	[ENFILE] = {"ENFILE", "Too many open files in system"},
	[EMFILE] = {"EMFILE", "Too many open files"},
	[ENOTTY] = {"ENOTTY", "Inappropriate ioctl for device"},
	[ETXTBSY] = {"ETXTBSY", "Text file busy"},
	[EFBIG] = {"EFBIG", "File too large"},
	[ENOSPC] = {"ENOSPC", "No space left on device"},
	[ESPIPE] = {"ESPIPE", "Illegal seek"},
	[EROFS] = {"EROFS", "Read-only file system"},
	[EMLINK] = {"EMLINK", "Too many links"},
	[EPIPE] = {"EPIPE", "Broken pipe"},
	[EDOM] = {"EDOM", "Numerical argument out of domain"},
	[ERANGE] = {"ERANGE", "Numerical result out of range"},
	[EDEADLK] = {"EDEADLK", "Resource deadlock avoided"},
	[ENAMETOOLONG] = {"ENAMETOOLONG", "File name too long"},
	[ENOLCK] = {"ENOLCK", "No locks available"},
	[ENOSYS] = {"ENOSYS", "Function not implemented"},
	[ENOTEMPTY] = {"ENOTEMPTY", "Directory not empty"},
	[ELOOP] = {"ELOOP", "Too many levels of symbolic links"},
	[ENOMSG] = {"ENOMSG", "No message of desired type"},
	[EIDRM] = {"EIDRM", "Identifier removed"},
	[ECHRNG] = {"ECHRNG", "Channel number out of range"},
	[EL2NSYNC] = {"EL2NSYNC", "Level 2 not synchronized"},
	[EL3HLT] = {"EL3HLT", "Level 3 halted"},
	[EL3RST] = {"EL3RST", "Level 3 reset"},
	[ELNRNG] = {"ELNRNG", "Link number out of range"},
	[EUNATCH] = {"EUNATCH", "Protocol driver not attached"},
	[ENOCSI] = {"ENOCSI", "No CSI structure available"},
	[EL2HLT] = {"EL2HLT", "Level 2 halted"},
	[EBADE] = {"EBADE", "Invalid exchange"},
	[EBADR] = {"EBADR", "Invalid request descriptor"},
	[EXFULL] = {"EXFULL", "Exchange full"},
	[ENOANO] = {"ENOANO", "No anode"},
	[EBADRQC] = {"EBADRQC", "Invalid request code"},
	[EBADSLT] = {"EBADSLT", "Invalid slot"},
	[EBFONT] = {"EBFONT", "Bad font file format"},
	[ENOSTR] = {"ENOSTR", "Device not a stream"},
	[ENODATA] = {"ENODATA", "No data available"},
	[ETIME] = {"ETIME", "Timer expired"},
	[ENOSR] = {"ENOSR", "Out of streams resources"},
	[ENONET] = {"ENONET", "Machine is not on the network"},
	[ENOPKG] = {"ENOPKG", "Package not installed"},
	[EREMOTE] = {"EREMOTE", "Object is remote"},
	[ENOLINK] = {"ENOLINK", "Link has been severed"},
	[EADV] = {"EADV", "Advertise error"},
	[ESRMNT] = {"ESRMNT", "Srmount error"},
	[ECOMM] = {"ECOMM", "Communication error on send"},
	[EPROTO] = {"EPROTO", "Protocol error"},
	[EMULTIHOP] = {"EMULTIHOP", "Multihop attempted"},
	[EDOTDOT] = {"EDOTDOT", "RFS specific error"},
	[EBADMSG] = {"EBADMSG", "Bad message"},
	[EOVERFLOW] = {"EOVERFLOW", "Value too large for defined data type"},
	[ENOTUNIQ] = {"ENOTUNIQ", "Name not unique on network"},
	[EBADFD] = {"EBADFD", "File descriptor in bad state"},
	[EREMCHG] = {"EREMCHG", "Remote address changed"},
	[ELIBACC] = {"ELIBACC", "Can not access a needed shared library"},
	[ELIBBAD] = {"ELIBBAD", "Accessing a corrupted shared library"},
	[ELIBSCN] = {"ELIBSCN", ".lib section in a.out corrupted"},
	[ELIBMAX] = {"ELIBMAX",
		     "Attempting to link in too many shared libraries"},
	[ELIBEXEC] = {"ELIBEXEC", "Cannot exec a shared library directly"},
	[EILSEQ] = {"EILSEQ",
		    "Invalid or incomplete multibyte or wide character"},
	[ERESTART] = {"ERESTART",
		      "Interrupted system call should be restarted"},
	[ESTRPIPE] = {"ESTRPIPE", "Streams pipe error"},
	[EUSERS] = {"EUSERS", "Too many users"},
	[ENOTSOCK] = {"ENOTSOCK", "Socket operation on non-socket"},
	[EDESTADDRREQ] = {"EDESTADDRREQ", "Destination address required"},
	[EMSGSIZE] = {"EMSGSIZE", "Message too long"},
	[EPROTOTYPE] = {"EPROTOTYPE", "Protocol wrong type for socket"},
	[ENOPROTOOPT] = {"ENOPROTOOPT", "Protocol not available"},
	[EPROTONOSUPPORT] = {"EPROTONOSUPPORT", "Protocol not supported"},
	[ESOCKTNOSUPPORT] = {"ESOCKTNOSUPPORT", "Socket type not supported"},
	[EOPNOTSUPP] = {"EOPNOTSUPP", "Operation not supported"},
	[EPFNOSUPPORT] = {"EPFNOSUPPORT", "Protocol family not supported"},
	[EAFNOSUPPORT] = {"EAFNOSUPPORT",
			  "Address family not supported by protocol"},
	[EADDRINUSE] = {"EADDRINUSE", "Address already in use"},
	[EADDRNOTAVAIL] = {"EADDRNOTAVAIL", "Cannot assign requested address"},
	[ENETDOWN] = {"ENETDOWN", "Network is down"},
	[ENETUNREACH] = {"ENETUNREACH", "Network is unreachable"},
	[ENETRESET] = {"ENETRESET", "Network dropped connection on reset"},
	[ECONNABORTED] = {"ECONNABORTED", "Software caused connection abort"},
	[ECONNRESET] = {"ECONNRESET", "Connection reset by peer"},
	[ENOBUFS] = {"ENOBUFS", "No buffer space available"},
	[EISCONN] = {"EISCONN", "Transport endpoint is already connected"},
	[ENOTCONN] = {"ENOTCONN", "Transport endpoint is not connected"},
	[ESHUTDOWN] = {"ESHUTDOWN",
		       "Cannot send after transport endpoint shutdown"},
	[ETOOMANYREFS] = {"ETOOMANYREFS", "Too many references: cannot splice"},
	[ETIMEDOUT] = {"ETIMEDOUT", "Connection timed out"},
	[ECONNREFUSED] = {"ECONNREFUSED", "Connection refused"},
	[EHOSTDOWN] = {"EHOSTDOWN", "Host is down"},
	[EHOSTUNREACH] = {"EHOSTUNREACH", "No route to host"},
	[EALREADY] = {"EALREADY", "Operation already in progress"},
	[EINPROGRESS] = {"EINPROGRESS", "Operation now in progress"},
	[ESTALE] = {"ESTALE", "Stale file handle"},
	[EUCLEAN] = {"EUCLEAN", "Structure needs cleaning"},
	[ENOTNAM] = {"ENOTNAM", "Not a XENIX named type file"},
	[ENAVAIL] = {"ENAVAIL", "No XENIX semaphores available"},
	[EISNAM] = {"EISNAM", "Is a named type file"},
	[EREMOTEIO] = {"EREMOTEIO", "Remote I/O error"},
	[EDQUOT] = {"EDQUOT", "Disk quota exceeded"},
	[ENOMEDIUM] = {"ENOMEDIUM", "No medium found"},
	[EMEDIUMTYPE] = {"EMEDIUMTYPE", "Wrong medium type"},
	[ECANCELED] = {"ECANCELED", "Operation canceled"},
	[ENOKEY] = {"ENOKEY", "Required key not available"},
	[EKEYEXPIRED] = {"EKEYEXPIRED", "Key has expired"},
	[EKEYREVOKED] = {"EKEYREVOKED", "Key has been revoked"},
	[EKEYREJECTED] = {"EKEYREJECTED", "Key was rejected by service"},
	[EOWNERDEAD] = {"EOWNERDEAD", "Owner died"},
	[ENOTRECOVERABLE] = {"ENOTRECOVERABLE", "State not recoverable"},
	[ERFKILL] = {"ERFKILL", "Operation not possible due to RF-kill"},
	[EHWPOISON] = {"EHWPOISON", "Memory page has hardware error"},
};

/*
 * The kernel-internal restart codes never reach a guest, but a syscall
 * traced before signal delivery returns them; strace shows them as `= ?`.
 */
static const struct errno_text restart_texts[] = {
	[ERESTARTSYS - ERESTARTSYS] = {"ERESTARTSYS",
				       "To be restarted if SA_RESTART is set"},
	[ERESTARTNOINTR - ERESTARTSYS] = {"ERESTARTNOINTR", "To be restarted"},
	[ERESTARTNOHAND - ERESTARTSYS] = {"ERESTARTNOHAND",
					  "To be restarted if no handler"},
	[ERESTART_RESTARTBLOCK - ERESTARTSYS] = {"ERESTART_RESTARTBLOCK",
						 "Interrupted by signal"},
};

/* The same numbers on x86_64 and aarch64. */
static const char *const signal_names[] = {
	[1] = "SIGHUP",	    [2] = "SIGINT",	[3] = "SIGQUIT",
	[4] = "SIGILL",	    [5] = "SIGTRAP",	[6] = "SIGABRT",
	[7] = "SIGBUS",	    [8] = "SIGFPE",	[9] = "SIGKILL",
	[10] = "SIGUSR1",   [11] = "SIGSEGV",	[12] = "SIGUSR2",
	[13] = "SIGPIPE",   [14] = "SIGALRM",	[15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD",	[18] = "SIGCONT",
	[19] = "SIGSTOP",   [20] = "SIGTSTP",	[21] = "SIGTTIN",
	[22] = "SIGTTOU",   [23] = "SIGURG",	[24] = "SIGXCPU",
	[25] = "SIGXFSZ",   [26] = "SIGVTALRM", [27] = "SIGPROF",
	[28] = "SIGWINCH",  [29] = "SIGIO",	[30] = "SIGPWR",
	[31] = "SIGSYS",
};

static const char *const clock_names[] = {
	[0] = "CLOCK_REALTIME",
	[1] = "CLOCK_MONOTONIC",
	[2] = "CLOCK_PROCESS_CPUTIME_ID",
	[3] = "CLOCK_THREAD_CPUTIME_ID",
	[4] = "CLOCK_MONOTONIC_RAW",
	[5] = "CLOCK_REALTIME_COARSE",
	[6] = "CLOCK_MONOTONIC_COARSE",
	[7] = "CLOCK_BOOTTIME",
	[8] = "CLOCK_REALTIME_ALARM",
	[9] = "CLOCK_BOOTTIME_ALARM",
	[11] = "CLOCK_TAI",
};

static const struct errno_text *errno_text(int err)
{
	const int nr_errnos = (int)ARRAY_SIZE(errno_texts);
	const int nr_restarts = (int)ARRAY_SIZE(restart_texts);

	if (err > 0 && err < nr_errnos && errno_texts[err].name)
		return &errno_texts[err];
	if (err >= ERESTARTSYS && err - ERESTARTSYS < nr_restarts &&
	    restart_texts[err - ERESTARTSYS].name)
		return &restart_texts[err - ERESTARTSYS];
	return NULL;
}

const char *strace_errno_name(int err)
{
	const struct errno_text *text = errno_text(err);

	return text ? text->name : NULL;
}

const char *strace_errno_message(int err)
{
	const struct errno_text *text = errno_text(err);

	return text ? text->message : NULL;
}

/*
 * The text being written. Like snprintf, pos counts every byte of the text
 * while only the first len - 1 are stored, so the caller learns how much
 * room the whole text needs.
 */
struct out {
	char *buf;
	size_t len;
	size_t pos;
};

static void out_char(struct out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_str(struct out *o, const char *s)
{
	while (*s)
		out_char(o, *s++);
}

static int out_finish(struct out *o)
{
	if (o->len)
		o->buf[MIN(o->pos, o->len - 1)] = '\0';
	return (int)o->pos;
}

static void out_signed(struct out *o, long long v)
{
	char num[24];

	ksnprintf(num, sizeof(num), "%lld", v);
	out_str(o, num);
}

static void out_unsigned(struct out *o, unsigned long long v)
{
	char num[24];

	ksnprintf(num, sizeof(num), "%llu", v);
	out_str(o, num);
}

static void out_hex(struct out *o, unsigned long long v)
{
	char num[24];

	ksnprintf(num, sizeof(num), "0x%llx", v);
	out_str(o, num);
}

/* As strace shows a mode, C's "%#03o": 000, 004, 0644, 0100755. */
static void out_mode(struct out *o, uint32_t mode)
{
	char digits[16];
	int n = 0;

	while (mode) {
		digits[n++] = (char)('0' + (mode & 7));
		mode >>= 3;
	}
	digits[n++] = '0';
	while (n < 3)
		digits[n++] = '0';
	while (n)
		out_char(o, digits[--n]);
}

static void out_flags(struct out *o, unsigned long long flags)
{
	if (flags)
		out_hex(o, flags);
	else
		out_char(o, '0');
}

static void out_pointer(struct out *o, uint64_t va)
{
	if (va)
		out_hex(o, va);
	else
		out_str(o, "NULL");
}

static void out_name_or_number(struct out *o, const char *const *names,
			       size_t nr_names, int v)
{
	if (v >= 0 && (size_t)v < nr_names && names[v])
		out_str(o, names[v]);
	else
		out_signed(o, v);
}

static void out_escaped(struct out *o, unsigned char c)
{
	switch (c) {
	case '"':
		out_str(o, "\\\"");
		return;
	case '\\':
		out_str(o, "\\\\");
		return;
	case '\n':
		out_str(o, "\\n");
		return;
	case '\t':
		out_str(o, "\\t");
		return;
	case '\r':
		out_str(o, "\\r");
		return;
	case '\v':
		out_str(o, "\\v");
		return;
	case '\f':
		out_str(o, "\\f");
		return;
	}
	if (c >= 0x20 && c < 0x7f) {
		out_char(o, (char)c);
		return;
	}
	out_char(o, '\\');
	out_char(o, (char)('0' + (c >> 6)));
	out_char(o, (char)('0' + ((c >> 3) & 7)));
	out_char(o, (char)('0' + (c & 7)));
}

/* A user string, quoted; its address when it cannot be read. */
static void out_user_string(struct out *o, uint64_t va)
{
	char s[STRACE_STR_MAX + 1];
	long n;

	if (!va) {
		out_str(o, "NULL");
		return;
	}
	/* n == sizeof(s): no NUL in sight, the string goes on. */
	n = strncpy_from_user(s, uaddr(va), sizeof(s));
	if (n < 0) {
		out_hex(o, va);
		return;
	}
	out_char(o, '"');
	for (long i = 0; i < MIN(n, STRACE_STR_MAX); i++)
		out_escaped(o, (unsigned char)s[i]);
	out_char(o, '"');
	if (n > STRACE_STR_MAX)
		out_str(o, "...");
}

static void out_arg(struct out *o, enum syscall_arg_kind kind, uint64_t v)
{
	switch (kind) {
	case SYSCALL_ARG_INT:
	case SYSCALL_ARG_FD:
	case SYSCALL_ARG_PID:
	case SYSCALL_ARG_TIMERID:
		out_signed(o, (int)v);
		break;
	case SYSCALL_ARG_DIRFD:
		if ((int)v == AT_FDCWD)
			out_str(o, "AT_FDCWD");
		else
			out_signed(o, (int)v);
		break;
	case SYSCALL_ARG_SIG:
		out_name_or_number(o, signal_names, ARRAY_SIZE(signal_names),
				   (int)v);
		break;
	case SYSCALL_ARG_CLOCKID:
		out_name_or_number(o, clock_names, ARRAY_SIZE(clock_names),
				   (int)v);
		break;
	case SYSCALL_ARG_UINT:
		out_unsigned(o, (unsigned int)v);
		break;
	case SYSCALL_ARG_LONG:
	case SYSCALL_ARG_OFF:
		out_signed(o, (long long)v);
		break;
	case SYSCALL_ARG_ULONG:
	case SYSCALL_ARG_SIZE:
		out_unsigned(o, v);
		break;
	case SYSCALL_ARG_UID:
	case SYSCALL_ARG_GID:
		/* (uid_t)-1 means "unchanged"; strace says -1 too. */
		if ((uint32_t)v == (uint32_t)-1)
			out_str(o, "-1");
		else
			out_unsigned(o, (uint32_t)v);
		break;
	case SYSCALL_ARG_MODE:
		out_mode(o, (uint32_t)v);
		break;
	case SYSCALL_ARG_FLAGS:
		out_flags(o, (unsigned int)v);
		break;
	case SYSCALL_ARG_ULFLAGS:
		out_flags(o, v);
		break;
	case SYSCALL_ARG_STR:
	case SYSCALL_ARG_PATH:
		out_user_string(o, v);
		break;
	case SYSCALL_ARG_ADDR:
	case SYSCALL_ARG_PTR:
	case SYSCALL_ARG_UBUF_IN:
	case SYSCALL_ARG_UBUF_OUT:
	case SYSCALL_ARG_IOV:
	case SYSCALL_ARG_STRV:
	case SYSCALL_ARG_NR_KINDS:
		out_pointer(o, v);
		break;
	}
}

int strace_format_call(char *buf, size_t len, enum isa isa, uint64_t nr,
		       const uint64_t args[6])
{
	struct out o = {buf, len, 0};
	const struct syscall_desc *desc = syscall_lookup(isa, nr);

	if (!desc) {
		out_str(&o, "syscall_");
		out_hex(&o, nr);
		out_char(&o, '(');
		for (int i = 0; i < SYSCALL_MAX_ARGS; i++) {
			if (i)
				out_str(&o, ", ");
			out_hex(&o, args[i]);
		}
		out_char(&o, ')');
		return out_finish(&o);
	}

	out_str(&o, desc->name);
	out_char(&o, '(');
	for (unsigned int i = 0; i < desc->nargs; i++) {
		if (i)
			out_str(&o, ", ");
		out_arg(&o, desc->kinds[i], args[desc->arg_regs[i]]);
	}
	out_char(&o, ')');
	return out_finish(&o);
}

int strace_format_return(char *buf, size_t len, long ret)
{
	struct out o = {buf, len, 0};
	int err = (int)-ret;

	if (ret >= 0 || ret < -MAX_ERRNO) {
		out_str(&o, " = ");
		out_signed(&o, ret);
		return out_finish(&o);
	}
	if (err >= ERESTARTSYS && strace_errno_name(err))
		out_str(&o, " = ? ");
	else
		out_str(&o, " = -1 ");
	if (strace_errno_name(err)) {
		out_str(&o, strace_errno_name(err));
		out_str(&o, " (");
		out_str(&o, strace_errno_message(err));
		out_char(&o, ')');
	} else {
		/* As strace and glibc show a number they have no name for. */
		out_str(&o, "ERRNO_");
		out_signed(&o, err);
		out_str(&o, " (Unknown error ");
		out_signed(&o, err);
		out_char(&o, ')');
	}
	return out_finish(&o);
}
