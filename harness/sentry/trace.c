/*
 * S11 trace writer: the line buffer, the name tables shared by every kind
 * of line, and all lines but the syscall arguments (trace_decode.c).
 */
#define TRACE_INTERNAL
#include "harness/sentry/trace.h"

#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/signame.h"
#include "platform/linux_abi.h"

struct trace {
	FILE *out;
	bool full;       /* the sentry has a filesystem view: decode its calls too */
	char prefix[32]; /* "[pid N] " for every task but the first (S11) */
};

/* ---- line buffer ---- */

/* Room left for text: the last byte is kept for the newline. */
static size_t room(const struct trace_line *l)
{
	return TRACE_LINE_MAX - 1 - l->len;
}

static void put_n(struct trace_line *l, const char *s, size_t n)
{
	if (l->cut)
		return;
	if (n > room(l)) {
		n = room(l);
		l->cut = true;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void trace_put(struct trace_line *l, const char *s)
{
	put_n(l, s, strlen(s));
}

static void vprintf_line(struct trace_line *l, const char *fmt, va_list ap)
{
	if (l->cut)
		return;
	/* room + 1: vsnprintf's NUL may land on the newline's byte. */
	int n = vsnprintf(l->buf + l->len, room(l) + 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > room(l)) {
		l->len = TRACE_LINE_MAX - 1;
		l->cut = true;
	} else {
		l->len += (size_t)n;
	}
}

void trace_printf(struct trace_line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf_line(l, fmt, ap);
	va_end(ap);
}

/* One fwrite per line: stdio locks the FILE per call, so lines of several
 * threads never interleave. A cut line ends in the marker instead. */
static void emit(const struct trace *t, struct trace_line *l)
{
	if (l->cut) {
		size_t keep = TRACE_LINE_MAX - 1 - (sizeof(TRACE_CUT) - 1);
		if (l->len > keep)
			l->len = keep;
		memcpy(l->buf + l->len, TRACE_CUT, sizeof(TRACE_CUT) - 1);
		l->len += sizeof(TRACE_CUT) - 1;
	}
	l->buf[l->len++] = '\n';
	if (!t->prefix[0]) {
		fwrite(l->buf, 1, l->len, t->out);
		return;
	}
	char line[sizeof(t->prefix) + TRACE_LINE_MAX];
	size_t n = strlen(t->prefix);
	memcpy(line, t->prefix, n);
	memcpy(line + n, l->buf, l->len);
	fwrite(line, 1, n + l->len, t->out);
}

static bool active(const struct trace *t)
{
	return t && t->out;
}

/* ---- values ---- */

void trace_hex(struct trace_line *l, unsigned long v)
{
	trace_printf(l, "%#lx", v);
}

void trace_ptr(struct trace_line *l, unsigned long v)
{
	if (v)
		trace_printf(l, "0x%lx", v);
	else
		trace_put(l, "NULL");
}

/* C escapes for the usual controls, \xNN for every other non-printable:
 * one fixed form, so a byte always prints the same way. */
static void escape_byte(char out[5], unsigned char c)
{
	char letter = 0;

	switch (c) {
	case '\t': letter = 't'; break;
	case '\n': letter = 'n'; break;
	case '\v': letter = 'v'; break;
	case '\f': letter = 'f'; break;
	case '\r': letter = 'r'; break;
	case '"': letter = '"'; break;
	case '\\': letter = '\\'; break;
	}
	if (letter)
		snprintf(out, 5, "\\%c", letter);
	else if (c >= 0x20 && c < 0x7f)
		snprintf(out, 5, "%c", c);
	else
		snprintf(out, 5, "\\x%02x", c);
}

void trace_quote(struct trace_line *l, const void *s, size_t n, bool more)
{
	const unsigned char *p = s;
	char e[5];

	trace_put(l, "\"");
	for (size_t i = 0; i < n; i++) {
		escape_byte(e, p[i]);
		trace_put(l, e);
	}
	trace_put(l, more ? "\"..." : "\"");
}

void trace_xval(struct trace_line *l, const struct trace_xlat *tab, size_t n, unsigned long v,
		const char *fallback_fmt)
{
	for (size_t i = 0; i < n; i++) {
		if (tab[i].val == v) {
			trace_put(l, tab[i].name);
			return;
		}
	}
	trace_printf(l, fallback_fmt, v);
}

void trace_flags(struct trace_line *l, const struct trace_xlat *tab, size_t n, unsigned long v,
		 const char *zero_name)
{
	bool first = true;

	if (v == 0) {
		trace_put(l, zero_name ? zero_name : "0");
		return;
	}
	/* Table order decides: composite masks (O_SYNC) come before parts. */
	for (size_t i = 0; i < n; i++) {
		if (tab[i].val && (v & tab[i].val) == tab[i].val) {
			trace_put(l, first ? "" : "|");
			trace_put(l, tab[i].name);
			v &= ~tab[i].val;
			first = false;
		}
	}
	if (v)
		trace_printf(l, "%s%#lx", first ? "" : "|", v);
}

/* x86-64 uapi values (glibc lacks PROT_SEM). */
static const struct trace_xlat prot_flags[] = {
	{ 1, "PROT_READ" },
	{ 2, "PROT_WRITE" },
	{ 4, "PROT_EXEC" },
	{ 8, "PROT_SEM" },
	{ 0x01000000, "PROT_GROWSDOWN" },
	{ 0x02000000, "PROT_GROWSUP" },
};

void trace_prot(struct trace_line *l, unsigned long prot)
{
	trace_flags(l, prot_flags, TRACE_NELEM(prot_flags), prot, "PROT_NONE");
}

/* Octal as in the x86-64 uapi. Composite masks first. */
static const struct trace_xlat open_flags[] = {
	{ 04010000, "O_SYNC" },     { 020200000, "O_TMPFILE" }, { 0100, "O_CREAT" },
	{ 0200, "O_EXCL" },         { 0400, "O_NOCTTY" },       { 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" },      { 04000, "O_NONBLOCK" },    { 010000, "O_DSYNC" },
	{ 020000, "O_ASYNC" },      { 040000, "O_DIRECT" },     { 0100000, "O_LARGEFILE" },
	{ 0200000, "O_DIRECTORY" }, { 0400000, "O_NOFOLLOW" },  { 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" },  { 010000000, "O_PATH" },
};

void trace_oflags(struct trace_line *l, unsigned long flags, bool accmode)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	unsigned long rest = accmode ? flags & ~3ul : flags;

	/* The access mode is a 2-bit value, not a flag: O_RDONLY is 0. */
	if (accmode) {
		trace_put(l, acc[flags & 3]);
		if (!rest)
			return;
		trace_put(l, "|");
	}
	trace_flags(l, open_flags, TRACE_NELEM(open_flags), rest, NULL);
}

/* ---- errno ---- */

struct errname {
	const char *name, *msg;
};

#define E(n, msg) [n] = { #n, msg }
/* Linux's numbers with glibc's C-locale messages, copied so the trace does
 * not depend on the libc or locale that runs the harness. 41 and 58 are
 * unused by Linux; EWOULDBLOCK, EDEADLOCK and ENOTSUP are aliases. */
static const struct errname errnames[] = {
	E(EPERM, "Operation not permitted"),
	E(ENOENT, "No such file or directory"),
	E(ESRCH, "No such process"),
	E(EINTR, "Interrupted system call"),
	E(EIO, "Input/output error"),
	E(ENXIO, "No such device or address"),
	E(E2BIG, "Argument list too long"),
	E(ENOEXEC, "Exec format error"),
	E(EBADF, "Bad file descriptor"),
	E(ECHILD, "No child processes"),
	E(EAGAIN, "Resource temporarily unavailable"),
	E(ENOMEM, "Cannot allocate memory"),
	E(EACCES, "Permission denied"),
	E(EFAULT, "Bad address"),
	E(ENOTBLK, "Block device required"),
	E(EBUSY, "Device or resource busy"),
	E(EEXIST, "File exists"),
	E(EXDEV, "Invalid cross-device link"),
	E(ENODEV, "No such device"),
	E(ENOTDIR, "Not a directory"),
	E(EISDIR, "Is a directory"),
	E(EINVAL, "Invalid argument"),
	E(ENFILE, "Too many open files in system"),
	E(EMFILE, "Too many open files"),
	E(ENOTTY, "Inappropriate ioctl for device"),
	E(ETXTBSY, "Text file busy"),
	E(EFBIG, "File too large"),
	E(ENOSPC, "No space left on device"),
	E(ESPIPE, "Illegal seek"),
	E(EROFS, "Read-only file system"),
	E(EMLINK, "Too many links"),
	E(EPIPE, "Broken pipe"),
	E(EDOM, "Numerical argument out of domain"),
	E(ERANGE, "Numerical result out of range"),
	E(EDEADLK, "Resource deadlock avoided"),
	E(ENAMETOOLONG, "File name too long"),
	E(ENOLCK, "No locks available"),
	E(ENOSYS, "Function not implemented"),
	E(ENOTEMPTY, "Directory not empty"),
	E(ELOOP, "Too many levels of symbolic links"),
	E(ENOMSG, "No message of desired type"),
	E(EIDRM, "Identifier removed"),
	E(ECHRNG, "Channel number out of range"),
	E(EL2NSYNC, "Level 2 not synchronized"),
	E(EL3HLT, "Level 3 halted"),
	E(EL3RST, "Level 3 reset"),
	E(ELNRNG, "Link number out of range"),
	E(EUNATCH, "Protocol driver not attached"),
	E(ENOCSI, "No CSI structure available"),
	E(EL2HLT, "Level 2 halted"),
	E(EBADE, "Invalid exchange"),
	E(EBADR, "Invalid request descriptor"),
	E(EXFULL, "Exchange full"),
	E(ENOANO, "No anode"),
	E(EBADRQC, "Invalid request code"),
	E(EBADSLT, "Invalid slot"),
	E(EBFONT, "Bad font file format"),
	E(ENOSTR, "Device not a stream"),
	E(ENODATA, "No data available"),
	E(ETIME, "Timer expired"),
	E(ENOSR, "Out of streams resources"),
	E(ENONET, "Machine is not on the network"),
	E(ENOPKG, "Package not installed"),
	E(EREMOTE, "Object is remote"),
	E(ENOLINK, "Link has been severed"),
	E(EADV, "Advertise error"),
	E(ESRMNT, "Srmount error"),
	E(ECOMM, "Communication error on send"),
	E(EPROTO, "Protocol error"),
	E(EMULTIHOP, "Multihop attempted"),
	E(EDOTDOT, "RFS specific error"),
	E(EBADMSG, "Bad message"),
	E(EOVERFLOW, "Value too large for defined data type"),
	E(ENOTUNIQ, "Name not unique on network"),
	E(EBADFD, "File descriptor in bad state"),
	E(EREMCHG, "Remote address changed"),
	E(ELIBACC, "Can not access a needed shared library"),
	E(ELIBBAD, "Accessing a corrupted shared library"),
	E(ELIBSCN, ".lib section in a.out corrupted"),
	E(ELIBMAX, "Attempting to link in too many shared libraries"),
	E(ELIBEXEC, "Cannot exec a shared library directly"),
	E(EILSEQ, "Invalid or incomplete multibyte or wide character"),
	E(ERESTART, "Interrupted system call should be restarted"),
	E(ESTRPIPE, "Streams pipe error"),
	E(EUSERS, "Too many users"),
	E(ENOTSOCK, "Socket operation on non-socket"),
	E(EDESTADDRREQ, "Destination address required"),
	E(EMSGSIZE, "Message too long"),
	E(EPROTOTYPE, "Protocol wrong type for socket"),
	E(ENOPROTOOPT, "Protocol not available"),
	E(EPROTONOSUPPORT, "Protocol not supported"),
	E(ESOCKTNOSUPPORT, "Socket type not supported"),
	E(EOPNOTSUPP, "Operation not supported"),
	E(EPFNOSUPPORT, "Protocol family not supported"),
	E(EAFNOSUPPORT, "Address family not supported by protocol"),
	E(EADDRINUSE, "Address already in use"),
	E(EADDRNOTAVAIL, "Cannot assign requested address"),
	E(ENETDOWN, "Network is down"),
	E(ENETUNREACH, "Network is unreachable"),
	E(ENETRESET, "Network dropped connection on reset"),
	E(ECONNABORTED, "Software caused connection abort"),
	E(ECONNRESET, "Connection reset by peer"),
	E(ENOBUFS, "No buffer space available"),
	E(EISCONN, "Transport endpoint is already connected"),
	E(ENOTCONN, "Transport endpoint is not connected"),
	E(ESHUTDOWN, "Cannot send after transport endpoint shutdown"),
	E(ETOOMANYREFS, "Too many references: cannot splice"),
	E(ETIMEDOUT, "Connection timed out"),
	E(ECONNREFUSED, "Connection refused"),
	E(EHOSTDOWN, "Host is down"),
	E(EHOSTUNREACH, "No route to host"),
	E(EALREADY, "Operation already in progress"),
	E(EINPROGRESS, "Operation now in progress"),
	E(ESTALE, "Stale file handle"),
	E(EUCLEAN, "Structure needs cleaning"),
	E(ENOTNAM, "Not a XENIX named type file"),
	E(ENAVAIL, "No XENIX semaphores available"),
	E(EISNAM, "Is a named type file"),
	E(EREMOTEIO, "Remote I/O error"),
	E(EDQUOT, "Disk quota exceeded"),
	E(ENOMEDIUM, "No medium found"),
	E(EMEDIUMTYPE, "Wrong medium type"),
	E(ECANCELED, "Operation canceled"),
	E(ENOKEY, "Required key not available"),
	E(EKEYEXPIRED, "Key has expired"),
	E(EKEYREVOKED, "Key has been revoked"),
	E(EKEYREJECTED, "Key was rejected by service"),
	E(EOWNERDEAD, "Owner died"),
	E(ENOTRECOVERABLE, "State not recoverable"),
	E(ERFKILL, "Operation not possible due to RF-kill"),
	E(EHWPOISON, "Memory page has hardware error"),
};
#undef E

/* Kernel-internal codes a guest never sees, but an interrupted syscall
 * returns them before the restart rules apply (S7). strace's wording. */
static const struct {
	int err;
	bool restart; /* "= ?": the guest will not see this value */
	const char *name, *msg;
} kerrs[] = {
	{ 512, true, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ 513, true, "ERESTARTNOINTR", "To be restarted" },
	{ 514, true, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ 515, false, "ENOIOCTLCMD", "Unknown error 515" },
	{ 516, true, "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
};

void trace_errno_result(struct trace_line *l, long ret)
{
	unsigned long err = -(unsigned long)ret; /* no overflow for LONG_MIN */

	if (err < TRACE_NELEM(errnames) && errnames[err].name) {
		trace_printf(l, "= -1 %s (%s)", errnames[err].name, errnames[err].msg);
		return;
	}
	for (size_t i = 0; i < TRACE_NELEM(kerrs); i++) {
		if (kerrs[i].err == (long)err) {
			trace_printf(l, "= %s %s (%s)", kerrs[i].restart ? "?" : "-1",
				     kerrs[i].name, kerrs[i].msg);
			return;
		}
	}
	trace_printf(l, "= -1 %lu (Unknown error %lu)", err, err);
}

/* ---- signals ---- */

/* Signal names are the kernel's, spelt as case files spell them (one
 * table, harness/util/signame.c); a number out of range prints as is. */
void trace_signame(struct trace_line *l, int sig)
{
	char buf[SIGNAME_LEN];
	const char *name = signame(sig, buf);
	if (name)
		trace_put(l, name);
	else
		trace_printf(l, "%d", sig);
}

void trace_sigset(struct trace_line *l, uint64_t set)
{
	bool first = true;

	/* Like strace: a mostly full set lists what it lacks. */
	if (__builtin_popcountll(set) > LINUX_NSIG / 2) {
		trace_put(l, "~");
		set = ~set;
	}
	trace_put(l, "[");
	for (int sig = 1; sig <= LINUX_NSIG; sig++) {
		if (set & (1ull << (sig - 1))) {
			trace_put(l, first ? "" : " ");
			trace_signame(l, sig);
			first = false;
		}
	}
	trace_put(l, "]");
}

#define X(v)                           \
	{                              \
		(unsigned long)(v), #v \
	}
static const struct trace_xlat si_codes_generic[] = {
	X(SI_USER),    X(SI_KERNEL), X(SI_QUEUE), X(SI_TIMER),    X(SI_MESGQ),
	X(SI_ASYNCIO), X(SI_SIGIO),  X(SI_TKILL), X(SI_DETHREAD), X(SI_ASYNCNL),
};
static const struct trace_xlat si_codes_segv[] = {
	{ 1, "SEGV_MAPERR" },  { 2, "SEGV_ACCERR" },  { 3, "SEGV_BNDERR" },  { 4, "SEGV_PKUERR" },
	{ 5, "SEGV_ACCADI" },  { 6, "SEGV_ADIDERR" }, { 7, "SEGV_ADIPERR" }, { 8, "SEGV_MTEAERR" },
	{ 9, "SEGV_MTESERR" }, { 10, "SEGV_CPERR" },
};
static const struct trace_xlat si_codes_bus[] = {
	{ 1, "BUS_ADRALN" },    { 2, "BUS_ADRERR" },    { 3, "BUS_OBJERR" },
	{ 4, "BUS_MCEERR_AR" }, { 5, "BUS_MCEERR_AO" },
};
static const struct trace_xlat si_codes_ill[] = {
	{ 1, "ILL_ILLOPC" }, { 2, "ILL_ILLOPN" }, { 3, "ILL_ILLADR" },
	{ 4, "ILL_ILLTRP" }, { 5, "ILL_PRVOPC" }, { 6, "ILL_PRVREG" },
	{ 7, "ILL_COPROC" }, { 8, "ILL_BADSTK" }, { 9, "ILL_BADIADDR" },
};
static const struct trace_xlat si_codes_fpe[] = {
	{ 1, "FPE_INTDIV" },  { 2, "FPE_INTOVF" },    { 3, "FPE_FLTDIV" }, { 4, "FPE_FLTOVF" },
	{ 5, "FPE_FLTUND" },  { 6, "FPE_FLTRES" },    { 7, "FPE_FLTINV" }, { 8, "FPE_FLTSUB" },
	{ 14, "FPE_FLTUNK" }, { 15, "FPE_CONDTRAP" },
};
static const struct trace_xlat si_codes_trap[] = {
	{ 1, "TRAP_BRKPT" },  { 2, "TRAP_TRACE" }, { 3, "TRAP_BRANCH" },
	{ 4, "TRAP_HWBKPT" }, { 5, "TRAP_UNK" },   { 6, "TRAP_PERF" },
};
static const struct trace_xlat si_codes_chld[] = {
	{ 1, "CLD_EXITED" },  { 2, "CLD_KILLED" },  { 3, "CLD_DUMPED" },
	{ 4, "CLD_TRAPPED" }, { 5, "CLD_STOPPED" }, { 6, "CLD_CONTINUED" },
};
static const struct trace_xlat si_codes_poll[] = {
	{ 1, "POLL_IN" },  { 2, "POLL_OUT" }, { 3, "POLL_MSG" },
	{ 4, "POLL_ERR" }, { 5, "POLL_PRI" }, { 6, "POLL_HUP" },
};
static const struct trace_xlat si_codes_sys[] = {
	{ 1, "SYS_SECCOMP" },
	{ 2, "SYS_USER_DISPATCH" },
};
#undef X

/* The kernel-defined field set of a siginfo (the kernel's siginfo_layout). */
enum si_kind { SIK_NONE, SIK_KILL, SIK_RT, SIK_TIMER, SIK_FAULT, SIK_CHLD, SIK_POLL, SIK_SYS };

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

static enum si_kind si_kind(const siginfo_t *si)
{
	int sig = si->si_signo, code = si->si_code;

	if (code == SI_USER || code == SI_TKILL)
		return SIK_KILL;
	if (code == SI_QUEUE || code == SI_MESGQ)
		return SIK_RT;
	if (code == SI_TIMER)
		return SIK_TIMER;
	/* x86 sends #GP and friends as SI_KERNEL with si_addr 0. */
	if (code == SI_KERNEL)
		return is_fault_signal(sig) ? SIK_FAULT : SIK_NONE;
	if (code <= 0)
		return SIK_NONE;
	if (is_fault_signal(sig))
		return SIK_FAULT;
	if (sig == SIGCHLD)
		return SIK_CHLD;
	if (sig == SIGIO)
		return SIK_POLL;
	if (sig == SIGSYS)
		return SIK_SYS;
	return SIK_NONE;
}

static void si_code_name(struct trace_line *l, const siginfo_t *si, enum si_kind kind)
{
	const struct trace_xlat *tab = si_codes_generic;
	size_t n = TRACE_NELEM(si_codes_generic);
	int sig = si->si_signo;

	/* Positive codes other than SI_KERNEL are per-signal. */
	if (si->si_code > 0 && si->si_code != SI_KERNEL && kind != SIK_NONE) {
#define T(a) (tab = (a), n = TRACE_NELEM(a))
		switch (sig) {
		case SIGSEGV: T(si_codes_segv); break;
		case SIGBUS: T(si_codes_bus); break;
		case SIGILL: T(si_codes_ill); break;
		case SIGFPE: T(si_codes_fpe); break;
		case SIGTRAP: T(si_codes_trap); break;
		case SIGCHLD: T(si_codes_chld); break;
		case SIGIO: T(si_codes_poll); break;
		case SIGSYS: T(si_codes_sys); break;
		}
#undef T
	}
	trace_xval(l, tab, n, (unsigned long)(long)si->si_code, "%ld");
}

static void put_si_value(struct trace_line *l, const siginfo_t *si)
{
	trace_printf(l, ", si_value={int=%d, ptr=0x%lx}", si->si_value.sival_int,
		     (unsigned long)si->si_value.sival_ptr);
}

/* si_utime and si_stime are CPU times: never printed (S8). */
static void si_chld(struct trace_line *l, const siginfo_t *si)
{
	trace_printf(l, ", si_pid=%d, si_uid=%u, si_status=", (int)si->si_pid,
		     (unsigned)si->si_uid);
	if (si->si_code == CLD_EXITED)
		trace_printf(l, "%d", si->si_status);
	else
		trace_signame(l, si->si_status);
}

static void si_fields(struct trace_line *l, const siginfo_t *si, enum si_kind kind)
{
	switch (kind) {
	case SIK_KILL:
	case SIK_RT:
		trace_printf(l, ", si_pid=%d, si_uid=%u", (int)si->si_pid, (unsigned)si->si_uid);
		if (kind == SIK_RT)
			put_si_value(l, si);
		break;
	case SIK_TIMER:
		trace_printf(l, ", si_timerid=%#x, si_overrun=%d", (unsigned)si->si_timerid,
			     si->si_overrun);
		put_si_value(l, si);
		break;
	case SIK_FAULT: trace_printf(l, ", si_addr=0x%lx", (unsigned long)si->si_addr); break;
	case SIK_CHLD: si_chld(l, si); break;
	case SIK_POLL:
		trace_printf(l, ", si_band=%ld, si_fd=%d", (long)si->si_band, si->si_fd);
		break;
	case SIK_SYS:
		trace_printf(l, ", si_call_addr=0x%lx, si_syscall=%d, si_arch=%#x",
			     (unsigned long)si->si_call_addr, si->si_syscall, si->si_arch);
		break;
	case SIK_NONE: break;
	}
}

/* {si_signo=..., si_code=..., fields} */
static void siginfo(struct trace_line *l, const siginfo_t *si)
{
	enum si_kind kind = si_kind(si);

	trace_put(l, "{si_signo=");
	trace_signame(l, si->si_signo);
	trace_put(l, ", si_code=");
	si_code_name(l, si, kind);
	si_fields(l, si, kind);
	trace_put(l, "}");
}

void trace_siginfo(struct trace_line *l, const siginfo_t *si)
{
	siginfo(l, si);
}

/* ---- the public lines ---- */

struct trace *trace_new(FILE *out)
{
	struct trace *t = calloc(1, sizeof(*t));
	if (t)
		t->out = out;
	return t;
}

void trace_set_full(struct trace *t, bool full)
{
	if (t)
		t->full = full;
}

void trace_set_prefix(struct trace *t, const char *prefix)
{
	if (t)
		snprintf(t->prefix, sizeof(t->prefix), "%s", prefix);
}

void trace_free(struct trace *t)
{
	free(t);
}

/* libseccomp resolves negative numbers to its pseudo-syscalls and takes an
 * int, so only a plain x86-64 number is asked about. Caller frees. */
static char *syscall_name(long nr)
{
	if (nr < 0 || nr >= 0x40000000)
		return NULL;
	return seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
}

/* A number libseccomp does not know: strace's raw form, all six args. */
static void unknown_call(struct trace_line *l, long nr, const uint64_t args[6])
{
	trace_printf(l, "syscall_%#lx(", (unsigned long)nr);
	for (int i = 0; i < 6; i++) {
		trace_put(l, i ? ", " : "");
		trace_hex(l, args[i]);
	}
	trace_put(l, ")");
}

void trace_syscall(struct trace *t, const struct trace_mem *m, long nr, const uint64_t args[6],
		   long ret, bool implemented)
{
	struct trace_line l = { .len = 0 };
	char *name;

	if (!active(t))
		return;
	name = syscall_name(nr);
	if (name)
		trace_decode_call(&l, m, name, nr, args, ret, t->full);
	else
		unknown_call(&l, nr, args);
	free(name);
	trace_put(&l, " ");
	trace_decode_result(&l, m, nr, args, ret, t->full);
	if (!implemented)
		trace_put(&l, " [not emulated]");
	emit(t, &l);
}

void trace_fault(struct trace *t, uintptr_t addr, unsigned access, uintptr_t rip)
{
	struct trace_line l = { .len = 0 };

	if (!active(t))
		return;
	trace_printf(&l, "--- fault addr=0x%lx access=%c%c%c rip=0x%lx ---", (unsigned long)addr,
		     access & PLAT_ACCESS_READ ? 'r' : '-', access & PLAT_ACCESS_WRITE ? 'w' : '-',
		     access & PLAT_ACCESS_EXEC ? 'x' : '-', (unsigned long)rip);
	emit(t, &l);
}

void trace_signal(struct trace *t, const siginfo_t *si, const char *what)
{
	struct trace_line l = { .len = 0 };

	if (!active(t) || !si)
		return;
	trace_put(&l, "--- ");
	trace_signame(&l, si->si_signo);
	trace_put(&l, " ");
	siginfo(&l, si);
	trace_put(&l, " ---");
	if (what) {
		trace_put(&l, " ");
		trace_put(&l, what);
	}
	emit(t, &l);
}

void trace_exit(struct trace *t, int code)
{
	struct trace_line l = { .len = 0 };

	if (!active(t))
		return;
	trace_printf(&l, "+++ exited with %d +++", code);
	emit(t, &l);
}

void trace_killed(struct trace *t, int sig, bool core)
{
	struct trace_line l = { .len = 0 };

	if (!active(t))
		return;
	trace_put(&l, "+++ killed by ");
	trace_signame(&l, sig);
	trace_put(&l, core ? " (core dumped) +++" : " +++");
	emit(t, &l);
}

static void event_result(struct trace_line *l, int result)
{
	if (result < 0)
		trace_errno_result(l, result);
	else
		trace_printf(l, "= %d", result);
}

/* Stub pids and tids, and as_user, are host values that differ between
 * runs: they are left out so the verbose trace stays deterministic. */
static void event_body(struct trace_line *l, const struct plat_event *ev)
{
	switch (ev->kind) {
	case PLAT_EV_AS_NEW: trace_put(l, "as-new"); break;
	case PLAT_EV_AS_REUSE: trace_put(l, "as-reuse"); break;
	case PLAT_EV_AS_RELEASE: trace_put(l, "as-release"); break;
	case PLAT_EV_MAP_FILE:
		trace_printf(l, "map-file addr=0x%lx len=0x%lx prot=", (unsigned long)ev->addr,
			     (unsigned long)ev->len);
		trace_prot(l, (unsigned long)ev->prot);
		trace_printf(l, " off=0x%llx%s ", (unsigned long long)ev->offset,
			     ev->precommit ? " precommit" : "");
		event_result(l, ev->result);
		break;
	case PLAT_EV_UNMAP:
		trace_printf(l, "unmap addr=0x%lx len=0x%lx ", (unsigned long)ev->addr,
			     (unsigned long)ev->len);
		event_result(l, ev->result);
		break;
	case PLAT_EV_THREAD_NEW: trace_put(l, "thread-new"); break;
	case PLAT_EV_THREAD_REKEY: trace_put(l, "thread-rekey"); break;
	case PLAT_EV_SIGNAL_DISCARDED:
		/* Only signo and code: the other fields of a host signal
		 * (a stub's pid, say) are not deterministic. */
		trace_put(l, "signal-discarded");
		if (ev->info) {
			trace_put(l, " ");
			trace_signame(l, ev->info->si_signo);
			trace_put(l, " si_code=");
			si_code_name(l, ev->info, si_kind(ev->info));
		}
		break;
	default: trace_printf(l, "event-%d", (int)ev->kind); break;
	}
}

void trace_event(struct trace *t, const struct plat_event *ev)
{
	struct trace_line l = { .len = 0 };

	if (!active(t) || !ev)
		return;
	trace_put(&l, "~~~ ");
	event_body(&l, ev);
	trace_put(&l, " ~~~");
	emit(t, &l);
}

void trace_note(struct trace *t, const char *fmt, ...)
{
	struct trace_line l = { .len = 0 };
	char text[TRACE_LINE_MAX];
	char e[5];
	va_list ap;
	int n;

	if (!active(t))
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* A newline in the text must not make two lines. */
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(e, sizeof(e), "\\x%02x", *p);
			trace_put(&l, e);
		} else {
			put_n(&l, (const char *)p, 1);
		}
	}
	if (n >= (int)sizeof(text))
		l.cut = true;
	emit(t, &l);
}
