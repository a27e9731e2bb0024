/*
 * S11 syscall arguments: the calls a small sentry implements, decoded
 * strace-style from their registers and, after the call, guest memory.
 * Everything else prints raw (trace.c). Constants are written as numbers
 * where the uapi value is ABI: the host's headers may be older.
 */
#define TRACE_INTERNAL
#include "harness/sentry/trace.h"
#include "harness/sentry/sigframe.h"
#include "harness/sentry/trace_names.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define GUEST_PAGE 4096u

/* One syscall being printed. */
struct call {
	struct trace_line *l;
	const struct trace_mem *m;
	const uint64_t *args;
	long ret;
};

/* How one argument prints. */
enum arg {
	A_INT,   /* int in decimal: fds, pids, codes */
	A_LONG,  /* long in decimal: offsets */
	A_ULONG, /* unsigned long in decimal: sizes */
	A_HEX,
	A_PTR,         /* NULL or 0x... */
	A_DIRFD,       /* AT_FDCWD or an fd */
	A_PATH,        /* NUL-terminated, up to PATH_MAX */
	A_WBUF,        /* bytes the call reads: length in the next arg */
	A_RBUF,        /* bytes the call wrote: length is the result */
	A_RPATH,       /* a path the call wrote, length the result (readlink) */
	A_WIOV,        /* iovecs read from: count in the next arg */
	A_RIOV,        /* iovecs written to: count in the next arg */
	A_OFLAGS,      /* O_* with access mode */
	A_OFLAGS_ONLY, /* O_* without access mode (pipe2, dup3) */
	A_OMODE,       /* only with O_CREAT or O_TMPFILE in the previous arg */
	A_WHENCE,
	A_PROT,
	A_MAPFLAGS,
	A_MREMAP,
	A_MREMAP_ADDR, /* only with MREMAP_FIXED in the previous arg */
	A_MADV,
	A_ARCH_PRCTL,
	A_RLIMIT_RES,
	A_RLIMIT_IN,
	A_RLIMIT_OUT,
	A_GRND,
	A_UTSNAME_OUT,
	A_CLOCKID,
	A_ATFLAGS,
	A_STAT_OUT,
	A_IOCTL,
	A_FCNTL_CMD,
	A_FCNTL_ARG, /* as the command in args[1] says; hidden if it takes none */
	A_PIPEFDS_OUT,
	A_SIG,
	A_SIGHOW,
	A_SIGSET_IN, /* sigsetsize in args[3] */
	A_SIGSET_OUT,
	A_SIGACT_IN,
	A_SIGACT_OUT,
	A_STACK_IN,
	A_STACK_OUT,
	A_TIMESPEC_IN,
	A_WSTATUS_OUT,
	A_WOPTIONS,
	A_ARGV,
	A_ENVP,
	A_CWD_OUT,
	A_ITIMER_WHICH,
	A_ITIMERVAL_IN,
	A_ITIMERSPEC_IN, /* timerfd_settime's new value */
	A_UINT,          /* unsigned int in decimal: alarm's seconds, nfds */
	A_SIGSET1_IN,    /* sigsetsize in args[1] (rt_sigsuspend) */
	A_SIGSET1_OUT,   /* sigsetsize in args[1] (rt_sigpending) */
	A_SIGSET4_IN,    /* sigsetsize in args[4] (ppoll) */
	A_SIGINFO_IN,
	A_SIGINFO_OUT,    /* filled in when a signal was taken (rt_sigtimedwait) */
	A_POLLFDS,        /* count in the next arg; events only */
	A_IDTYPE,         /* waitid's P_* */
	A_TIMESPEC_INOUT, /* ppoll's timeout: the call writes the time left
			   * into it, which depends on the clock, so only
			   * the pointer prints (S11: traces are byte-identical) */
	A_WAITID_OPTIONS,
	A_WAITID_INFO, /* filled in when waitid returned 0 */
	A_MODE,        /* permission bits, octal */
	A_ACCESS,      /* access's F_OK or R_OK|W_OK|X_OK */
	A_RENAME,      /* RENAME_* */
	A_PRIO_WHICH,
	A_RUSAGE_WHO,
	A_SIGSET1X_IN, /* sigsetsize in the next arg (signalfd) */
	A_SIGSET5_IN,  /* sigsetsize in args[5] (epoll_pwait) */
	A_EPOLL_OP,
};

/* How the result prints. */
enum res { R_DEC, R_ADDR, R_NONE, R_FCNTL, R_SIG, R_POLL, R_OCT };

struct desc {
	bool on;
	bool full; /* decoded only for a sentry with a filesystem view */
	unsigned char nargs, res;
	unsigned char arg[6];
	void (*custom)(const struct call *c); /* prints all args itself */
};

/* ---- guest memory ---- */

static int mem_read(const struct call *c, uint64_t addr, void *buf, size_t len)
{
	if (!c->m || !c->m->read || addr + len < addr)
		return -EFAULT;
	return c->m->read(c->m->arg, (uintptr_t)addr, buf, len);
}

/* Reads a string of at most max bytes into buf, a page at a time: the
 * reader is all-or-nothing, and a string may end just before an unmapped
 * page. The length, max when no NUL came, or -EFAULT. */
static long read_cstr(const struct call *c, uint64_t addr, char *buf, size_t max)
{
	size_t got = 0;

	while (got < max) {
		size_t chunk = GUEST_PAGE - (addr + got) % GUEST_PAGE;
		if (chunk > max - got)
			chunk = max - got;
		if (mem_read(c, addr + got, buf + got, chunk))
			return -EFAULT;
		char *nul = memchr(buf + got, 0, chunk);
		if (nul)
			return nul - buf;
		got += chunk;
	}
	return (long)max;
}

/* A string cut at limit bytes; the address when unreadable. */
static void put_cstr(const struct call *c, uint64_t addr, size_t limit)
{
	char buf[PATH_MAX + 1];
	long n;

	if (!addr) {
		trace_put(c->l, "NULL");
		return;
	}
	/* One byte past the limit tells "exactly limit" from "longer". */
	n = read_cstr(c, addr, buf, limit + 1);
	if (n < 0)
		trace_ptr(c->l, addr);
	else
		trace_quote(c->l, buf, (size_t)n > limit ? limit : (size_t)n, (size_t)n > limit);
}

/* len bytes, of which at most limit are shown. */
static void put_bytes(const struct call *c, uint64_t addr, uint64_t len, size_t limit)
{
	char buf[PATH_MAX];
	size_t n = len > limit ? limit : (size_t)len;

	if (!addr)
		trace_put(c->l, "NULL");
	else if (mem_read(c, addr, buf, n))
		trace_ptr(c->l, addr);
	else
		trace_quote(c->l, buf, n, len > limit);
}

static bool failed(const struct call *c)
{
	return c->ret < 0;
}

/* Reads a struct; else prints the pointer and returns false. A struct the
 * call fills in (out) is only read when the call succeeded. */
static bool get_struct(const struct call *c, uint64_t addr, void *buf, size_t len, bool out)
{
	if (addr && !(out && failed(c)) && !mem_read(c, addr, buf, len))
		return true;
	trace_ptr(c->l, addr);
	return false;
}

/* ---- iovecs, argv ---- */

#define MAX_ELEMS TRACE_STRLEN /* strace shows as many elements as -s bytes */

struct giovec {
	uint64_t base, len;
};

/* out (readv): the result is the bytes transferred, shown in iovec order;
 * else (writev) each iovec shows what it asked for. */
static void put_iov(const struct call *c, uint64_t addr, uint64_t cnt, bool out)
{
	struct giovec iov[MAX_ELEMS];
	size_t n = cnt > MAX_ELEMS ? MAX_ELEMS : (size_t)cnt;
	uint64_t left = out ? (uint64_t)c->ret : UINT64_MAX;

	/* The kernel refuses more than UIO_MAXIOV (1024): the pointer then
	 * prints as it is, never as nothing. */
	if (cnt > 1024) {
		trace_ptr(c->l, addr);
		return;
	}
	if (!get_struct(c, addr, iov, n * sizeof(iov[0]), out))
		return;
	trace_put(c->l, "[");
	for (size_t i = 0; i < n; i++) {
		uint64_t len = iov[i].len < left ? iov[i].len : left;
		left -= len;
		trace_put(c->l, i ? ", {iov_base=" : "{iov_base=");
		put_bytes(c, iov[i].base, len, TRACE_STRLEN);
		trace_printf(c->l, ", iov_len=%lu}", (unsigned long)iov[i].len);
	}
	trace_put(c->l, cnt > n ? ", ...]" : "]");
}

static void put_argv(const struct call *c, uint64_t addr)
{
	uint64_t p;
	size_t i;

	if (!addr || mem_read(c, addr, &p, sizeof(p))) {
		trace_ptr(c->l, addr);
		return;
	}
	trace_put(c->l, "[");
	for (i = 0; p && i < MAX_ELEMS; i++) {
		trace_put(c->l, i ? ", " : "");
		put_cstr(c, p, TRACE_STRLEN);
		if (mem_read(c, addr + 8 * (i + 1), &p, sizeof(p)))
			break; /* unterminated: show what was there */
	}
	trace_put(c->l, p && i == MAX_ELEMS ? ", ...]" : "]");
}

/* strace prints the environment as a count, not its strings. */
static void put_envp(const struct call *c, uint64_t addr)
{
	uint64_t p = 1;
	unsigned long n;

	trace_ptr(c->l, addr);
	if (!addr)
		return;
	for (n = 0; n < 65536; n++) {
		if (mem_read(c, addr + 8 * n, &p, sizeof(p)))
			return;
		if (!p)
			break;
	}
	trace_printf(c->l, " /* %lu var%s */", n, n == 1 ? "" : "s");
}

/* The name tables live in trace_names.c; N(t) passes one to trace_xval
 * or trace_flags. */
#define N(t) tn_##t.tab, tn_##t.n

/* fcntl commands the decoder handles by number (x86-64 uapi). */
enum {
	F_DUPFD_ = 0,
	F_GETFD_ = 1,
	F_SETFD_ = 2,
	F_GETFL_ = 3,
	F_SETFL_ = 4,
	F_SETOWN_ = 8,
	F_GETOWN_ = 9,
	F_SETSIG_ = 10,
	F_GETSIG_ = 11,
	F_SETLEASE_ = 1024,
	F_GETLEASE_ = 1025,
	F_DUPFD_CLOEXEC_ = 1030,
	F_SETPIPE_SZ_ = 1031,
	F_GETPIPE_SZ_ = 1032,
	F_ADD_SEALS_ = 1033,
	F_GET_SEALS_ = 1034,
};

/* ---- structs ---- */

struct gtimespec {
	int64_t sec, nsec;
};

/* The kernel's struct sigaction on x86-64 (not glibc's). */
struct gsigaction {
	uint64_t handler, flags, restorer, mask;
};

struct gstack {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

static void put_timespec(const struct call *c, uint64_t addr)
{
	struct gtimespec ts;

	if (get_struct(c, addr, &ts, sizeof(ts), false))
		trace_printf(c->l, "{tv_sec=%lld, tv_nsec=%lld}", (long long)ts.sec,
			     (long long)ts.nsec);
}

/* size: the call's sigsetsize argument. */
static void put_sigset(const struct call *c, uint64_t addr, uint64_t size, bool out)
{
	uint64_t set;

	/* The kernel takes only its own 8-byte sigset_t. */
	if (size != sizeof(set)) {
		trace_ptr(c->l, addr);
		return;
	}
	if (get_struct(c, addr, &set, sizeof(set), out))
		trace_sigset(c->l, set);
}

static void put_sigaction(const struct call *c, uint64_t addr, bool out)
{
	struct gsigaction sa;
	struct trace_line *l = c->l;

	if (!get_struct(c, addr, &sa, sizeof(sa), out))
		return;
	trace_put(l, "{sa_handler=");
	if (sa.handler <= 1)
		trace_put(l, sa.handler ? "SIG_IGN" : "SIG_DFL");
	else
		trace_printf(l, "0x%lx", (unsigned long)sa.handler);
	trace_put(l, ", sa_mask=");
	trace_sigset(l, sa.mask);
	trace_put(l, ", sa_flags=");
	trace_flags(l, N(sa_flags), sa.flags, NULL);
	/* As strace: the restorer only means something with SA_RESTORER. */
	if (sa.flags & 0x04000000) {
		trace_put(l, ", sa_restorer=");
		trace_ptr(l, sa.restorer);
	}
	trace_put(l, "}");
}

static void put_stack(const struct call *c, uint64_t addr, bool out)
{
	struct gstack ss;

	if (!get_struct(c, addr, &ss, sizeof(ss), out))
		return;
	trace_put(c->l, "{ss_sp=");
	trace_ptr(c->l, ss.sp);
	trace_put(c->l, ", ss_flags=");
	trace_flags(c->l, N(ss_flags), (uint32_t)ss.flags, NULL);
	trace_printf(c->l, ", ss_size=%lu}", (unsigned long)ss.size);
}

static void put_rlim_value(struct trace_line *l, uint64_t v)
{
	if (v == UINT64_MAX)
		trace_put(l, "RLIM64_INFINITY");
	else
		trace_printf(l, "%llu", (unsigned long long)v);
}

static void put_rlimit(const struct call *c, uint64_t addr, bool out)
{
	uint64_t r[2];

	if (!get_struct(c, addr, r, sizeof(r), out))
		return;
	trace_put(c->l, "{rlim_cur=");
	put_rlim_value(c->l, r[0]);
	trace_put(c->l, ", rlim_max=");
	put_rlim_value(c->l, r[1]);
	trace_put(c->l, "}");
}

/* Type, permissions and size only: the rest (inode, device, times) need
 * not be the same on every run. */
static void put_stat(const struct call *c, uint64_t addr)
{
	struct stat st;

	if (!get_struct(c, addr, &st, sizeof(st), true))
		return;
	trace_put(c->l, "{st_mode=");
	trace_xval(c->l, N(stat_types), st.st_mode & S_IFMT, "%#lo");
	trace_printf(c->l, "|%#03o", (unsigned)(st.st_mode & 07777));
	/* A directory's size is the host file system's own measure (4096 on
	 * ext4, a few bytes per entry on tmpfs): a trace must not depend on
	 * where the case's scratch directory lives. */
	if (!S_ISDIR(st.st_mode))
		trace_printf(c->l, ", st_size=%lld", (long long)st.st_size);
	trace_put(c->l, ", ...}");
}

/* A fixed-size char field, NUL-terminated or full. */
static void put_field(struct trace_line *l, const char *f, size_t size)
{
	const char *nul = memchr(f, 0, size);
	size_t n = nul ? (size_t)(nul - f) : size;

	trace_quote(l, f, n > TRACE_STRLEN ? TRACE_STRLEN : n, n > TRACE_STRLEN);
}

static void put_utsname(const struct call *c, uint64_t addr)
{
	char u[2][65]; /* sysname, nodename: the first of six fields */

	if (!get_struct(c, addr, u, sizeof(u), true))
		return;
	trace_put(c->l, "{sysname=");
	put_field(c->l, u[0], sizeof(u[0]));
	trace_put(c->l, ", nodename=");
	put_field(c->l, u[1], sizeof(u[1]));
	trace_put(c->l, ", ...}");
}

static void put_pipefds(const struct call *c, uint64_t addr)
{
	int32_t fds[2];

	if (get_struct(c, addr, fds, sizeof(fds), true))
		trace_printf(c->l, "[%d, %d]", fds[0], fds[1]);
}

static void put_wstatus(const struct call *c, uint64_t addr)
{
	struct trace_line *l = c->l;
	int s;

	/* Filled in only when a child was reaped. */
	if (c->ret == 0) {
		trace_ptr(l, addr);
		return;
	}
	if (!get_struct(c, addr, &s, sizeof(s), true))
		return;
	if (WIFEXITED(s)) {
		trace_printf(l, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(s));
	} else if (WIFSIGNALED(s)) {
		trace_put(l, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		trace_signame(l, WTERMSIG(s));
		trace_put(l, WCOREDUMP(s) ? " && WCOREDUMP(s)}]" : "}]");
	} else if (WIFSTOPPED(s)) {
		trace_put(l, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		trace_signame(l, WSTOPSIG(s));
		trace_put(l, "}]");
	} else if (WIFCONTINUED(s)) {
		trace_put(l, "[{WIFCONTINUED(s)}]");
	} else {
		trace_printf(l, "[%#x]", (unsigned)s);
	}
}

static void put_cwd(const struct call *c, uint64_t addr)
{
	/* The result is the length with the NUL: 0 or less means nothing. */
	if (c->ret <= 0)
		trace_ptr(c->l, addr);
	else
		put_cstr(c, addr, PATH_MAX);
}

struct gtimeval {
	int64_t sec, usec;
};

static void put_timeval(struct trace_line *l, const struct gtimeval *tv)
{
	trace_printf(l, "{tv_sec=%lld, tv_usec=%lld}", (long long)tv->sec, (long long)tv->usec);
}

/* The new value only: the old one is what the clock left, a pointer. */
static void put_itimerval(const struct call *c, uint64_t addr)
{
	struct gtimeval it[2];

	if (!get_struct(c, addr, it, sizeof(it), false))
		return;
	trace_put(c->l, "{it_interval=");
	put_timeval(c->l, &it[0]);
	trace_put(c->l, ", it_value=");
	put_timeval(c->l, &it[1]);
	trace_put(c->l, "}");
}

/* The new value of a timerfd, decoded: a pointer into a signal
 * handler's frame would print where the frame lies, which moves with the
 * CPU's XSAVE size. */
static void put_itimerspec(const struct call *c, uint64_t addr)
{
	struct gtimespec it[2];

	if (!get_struct(c, addr, it, sizeof(it), false))
		return;
	trace_printf(
		c->l,
		"{it_interval={tv_sec=%lld, tv_nsec=%lld}, it_value={tv_sec=%lld, tv_nsec=%lld}}",
		(long long)it[0].sec, (long long)it[0].nsec, (long long)it[1].sec,
		(long long)it[1].nsec);
}

/* out: filled in only when the call returned a signal. */
static void put_siginfo(const struct call *c, uint64_t addr, bool out)
{
	siginfo_t si;

	if (out && c->ret <= 0) {
		trace_ptr(c->l, addr);
		return;
	}
	if (get_struct(c, addr, &si, sizeof(si), out))
		trace_siginfo(c->l, &si);
}

struct gpollfd {
	int32_t fd;
	int16_t events, revents;
};

/* What the call asked for; the kernel writes only revents, so the
 * events read after the call are the guest's. */
static void put_pollfds(const struct call *c, uint64_t addr, uint64_t cnt)
{
	struct gpollfd p[MAX_ELEMS];
	size_t n = cnt > MAX_ELEMS ? MAX_ELEMS : (size_t)cnt;

	if (!cnt) {
		trace_put(c->l, "[]");
		return;
	}
	/* More than RLIMIT_NOFILE allows: the kernel reads nothing. */
	if (cnt > 1024) {
		trace_ptr(c->l, addr);
		return;
	}
	if (!get_struct(c, addr, p, n * sizeof(p[0]), false))
		return;
	trace_put(c->l, "[");
	for (size_t i = 0; i < n; i++) {
		trace_printf(c->l, "%s{fd=%d, events=", i ? ", " : "", p[i].fd);
		trace_flags(c->l, N(poll_events), (uint16_t)p[i].events, NULL);
		trace_put(c->l, "}");
	}
	trace_put(c->l, cnt > n ? ", ...]" : "]");
}

/* ---- flags ---- */

static void put_mapflags(struct trace_line *l, uint64_t f)
{
	/* The low nibble is the mapping type, a value; the rest are flags. */
	trace_xval(l, N(map_types), f & 0xf, "%#lx");
	if (f & ~0xful) {
		trace_put(l, "|");
		trace_flags(l, N(map_flags), f & ~0xful, NULL);
	}
}

static void put_fcntl_arg(const struct call *c, uint64_t arg)
{
	switch ((int)c->args[1]) {
	case F_SETFL_: trace_oflags(c->l, arg, true); break;
	case F_SETFD_: trace_flags(c->l, N(fd_flags), arg, NULL); break;
	case F_DUPFD_:
	case F_DUPFD_CLOEXEC_:
	case F_SETOWN_:
	case F_SETSIG_:
	case F_SETLEASE_:
	case F_SETPIPE_SZ_: trace_printf(c->l, "%d", (int)arg); break;
	default: trace_hex(c->l, arg); break;
	}
}

static bool fcntl_takes_arg(int cmd)
{
	switch (cmd) {
	case F_GETFD_:
	case F_GETFL_:
	case F_GETOWN_:
	case F_GETSIG_:
	case F_GETLEASE_:
	case F_GETPIPE_SZ_:
	case F_GET_SEALS_: return false;
	}
	return true;
}

static void put_clone_flags(struct trace_line *l, uint64_t f)
{
	uint64_t sig = f & 0xff;

	/* The low byte is the exit signal, not a flag. */
	if (f & ~0xfful)
		trace_flags(l, N(clone_flags), f & ~0xfful, NULL);
	if (sig) {
		trace_put(l, f & ~0xfful ? "|" : "");
		trace_signame(l, (int)sig);
	} else if (!(f & ~0xfful)) {
		trace_put(l, "0");
	}
}

/* ---- one argument ---- */

static bool arg_hidden(const struct call *c, int i, int type)
{
	switch (type) {
	case A_OMODE: return !(c->args[i - 1] & (0100 | 020000000)); /* O_CREAT, __O_TMPFILE */
	case A_MREMAP_ADDR: return !(c->args[i - 1] & 2);            /* MREMAP_FIXED */
	case A_FCNTL_ARG: return !fcntl_takes_arg((int)c->args[1]);
	}
	return false;
}

/* Arguments whose printing reads memory. */
static void put_mem_arg(const struct call *c, int i, int type)
{
	uint64_t v = c->args[i];

	switch (type) {
	case A_PATH: put_cstr(c, v, PATH_MAX); break;
	case A_WBUF: put_bytes(c, v, c->args[i + 1], TRACE_STRLEN); break;
	case A_RBUF:
		if (failed(c))
			trace_ptr(c->l, v);
		else
			put_bytes(c, v, (uint64_t)c->ret, TRACE_STRLEN);
		break;
	case A_RPATH:
		if (failed(c))
			trace_ptr(c->l, v);
		else
			put_bytes(c, v, (uint64_t)c->ret, PATH_MAX);
		break;
	case A_WIOV: put_iov(c, v, c->args[i + 1], false); break;
	case A_RIOV: put_iov(c, v, c->args[i + 1], true); break;
	case A_RLIMIT_IN: put_rlimit(c, v, false); break;
	case A_RLIMIT_OUT: put_rlimit(c, v, true); break;
	case A_UTSNAME_OUT: put_utsname(c, v); break;
	case A_STAT_OUT: put_stat(c, v); break;
	case A_PIPEFDS_OUT: put_pipefds(c, v); break;
	case A_SIGSET_IN: put_sigset(c, v, c->args[3], false); break;
	case A_SIGSET_OUT: put_sigset(c, v, c->args[3], true); break;
	case A_SIGSET1_IN: put_sigset(c, v, c->args[1], false); break;
	case A_SIGSET1_OUT: put_sigset(c, v, c->args[1], true); break;
	case A_SIGSET4_IN: put_sigset(c, v, c->args[4], false); break;
	case A_SIGSET1X_IN: put_sigset(c, v, c->args[i + 1], false); break;
	case A_SIGSET5_IN: put_sigset(c, v, c->args[5], false); break;
	case A_ITIMERVAL_IN: put_itimerval(c, v); break;
	case A_ITIMERSPEC_IN: put_itimerspec(c, v); break;
	case A_SIGINFO_IN: put_siginfo(c, v, false); break;
	case A_SIGINFO_OUT: put_siginfo(c, v, true); break;
	case A_TIMESPEC_INOUT: trace_ptr(c->l, v); break;
	case A_WAITID_INFO: /* written on success only, even when empty (WNOHANG) */
		if (c->ret == 0)
			put_siginfo(c, v, false);
		else
			trace_ptr(c->l, v);
		break;
	case A_POLLFDS: put_pollfds(c, v, c->args[i + 1]); break;
	case A_SIGACT_IN: put_sigaction(c, v, false); break;
	case A_SIGACT_OUT: put_sigaction(c, v, true); break;
	case A_STACK_IN: put_stack(c, v, false); break;
	case A_STACK_OUT: put_stack(c, v, true); break;
	case A_TIMESPEC_IN: put_timespec(c, v); break;
	case A_WSTATUS_OUT: put_wstatus(c, v); break;
	case A_ARGV: put_argv(c, v); break;
	case A_ENVP: put_envp(c, v); break;
	case A_CWD_OUT: put_cwd(c, v); break;
	default: trace_hex(c->l, v); break;
	}
}

static void put_arg(const struct call *c, int i, int type)
{
	struct trace_line *l = c->l;
	uint64_t v = c->args[i];

	switch (type) {
	case A_INT: trace_printf(l, "%d", (int)v); break;
	case A_LONG: trace_printf(l, "%ld", (long)v); break;
	case A_ULONG: trace_printf(l, "%lu", (unsigned long)v); break;
	case A_HEX: trace_hex(l, v); break;
	case A_PTR: trace_ptr(l, v); break;
	case A_DIRFD:
		if ((int)v == -100)
			trace_put(l, "AT_FDCWD");
		else
			trace_printf(l, "%d", (int)v);
		break;
	case A_OFLAGS: trace_oflags(l, (uint32_t)v, true); break;
	case A_OFLAGS_ONLY: trace_oflags(l, (uint32_t)v, false); break;
	case A_OMODE: trace_printf(l, "%#03o", (unsigned)v); break;
	case A_WHENCE: trace_xval(l, N(whences), (uint32_t)v, "%lu"); break;
	case A_PROT: trace_prot(l, v); break;
	case A_MAPFLAGS: put_mapflags(l, v); break;
	case A_MREMAP: trace_flags(l, N(mremap_flags), v, NULL); break;
	case A_MREMAP_ADDR: trace_ptr(l, v); break;
	case A_MADV: trace_xval(l, N(madvs), (uint32_t)v, "%lu"); break;
	case A_ARCH_PRCTL: trace_xval(l, N(arch_prctls), (uint32_t)v, "%#lx"); break;
	case A_RLIMIT_RES: trace_xval(l, N(rlimits), (uint32_t)v, "%lu"); break;
	case A_GRND: trace_flags(l, N(grnd_flags), (uint32_t)v, NULL); break;
	case A_CLOCKID:
		/* Negative ids are per-process CPU clocks. */
		if ((int)v < 0)
			trace_printf(l, "%d", (int)v);
		else
			trace_xval(l, N(clocks), (uint32_t)v, "%lu");
		break;
	case A_ATFLAGS: trace_flags(l, N(at_flags), (uint32_t)v, NULL); break;
	case A_IOCTL: trace_xval(l, N(ioctls), (uint32_t)v, "%#lx"); break;
	case A_FCNTL_CMD: trace_xval(l, N(fcntls), (uint32_t)v, "%lu"); break;
	case A_FCNTL_ARG: put_fcntl_arg(c, v); break;
	case A_SIG: trace_signame(l, (int)v); break;
	case A_SIGHOW: trace_xval(l, N(sighows), (uint32_t)v, "%#lx"); break;
	case A_WOPTIONS: trace_flags(l, N(wait_options), (uint32_t)v, NULL); break;
	case A_ITIMER_WHICH: trace_xval(l, N(itimers), (uint32_t)v, "%lu"); break;
	case A_IDTYPE: trace_xval(l, N(idtypes), (uint32_t)v, "%lu"); break;
	case A_WAITID_OPTIONS: trace_flags(l, N(waitid_options), (uint32_t)v, NULL); break;
	case A_UINT: trace_printf(l, "%u", (unsigned)v); break;
	case A_MODE: trace_printf(l, "%#03o", (unsigned)v); break;
	case A_ACCESS:
		if ((unsigned)v)
			trace_flags(l, N(access_modes), (uint32_t)v, NULL);
		else
			trace_put(l, "F_OK");
		break;
	case A_RENAME: trace_flags(l, N(rename_flags), (uint32_t)v, NULL); break;
	case A_EPOLL_OP: trace_xval(l, N(epoll_ops), (uint32_t)v, "%lu"); break;
	case A_PRIO_WHICH: trace_xval(l, N(prio_whiches), (uint32_t)v, "%lu"); break;
	case A_RUSAGE_WHO:
		if ((int)v == -1)
			trace_put(l, "RUSAGE_CHILDREN");
		else if ((int)v < 0)
			trace_printf(l, "%d", (int)v);
		else
			trace_xval(l, N(rusage_whos), (uint32_t)v, "%lu");
		break;
	default: put_mem_arg(c, i, type); break;
	}
}

/* ---- calls with a shape of their own ---- */

/* strace's order and selection: the tid and tls pointers only with the
 * flags that make the kernel use them. */
static void clone_args(const struct call *c)
{
	struct trace_line *l = c->l;
	uint64_t f = c->args[0];

	trace_put(l, "child_stack=");
	trace_ptr(l, c->args[1]);
	trace_put(l, ", flags=");
	put_clone_flags(l, f);
	if (f & (0x100000 | 0x1000)) { /* CLONE_PARENT_SETTID, CLONE_PIDFD */
		trace_put(l, ", parent_tid=");
		trace_ptr(l, c->args[2]);
	}
	if (f & (0x1000000 | 0x200000)) { /* CLONE_CHILD_SETTID, _CLEARTID */
		trace_put(l, ", child_tidptr=");
		trace_ptr(l, c->args[3]);
	}
	if (f & 0x80000) { /* CLONE_SETTLS */
		trace_put(l, ", tls=");
		trace_ptr(l, c->args[4]);
	}
}

static void put_futex_op(struct trace_line *l, unsigned op)
{
	unsigned cmd = op & ~(128u | 256u);

	if (cmd >= tn_futex_cmds.n) {
		trace_hex(l, op);
		return;
	}
	trace_xval(l, N(futex_cmds), cmd, "%lu");
	trace_put(l, op & 128 ? "_PRIVATE" : "");
	trace_put(l, op & 256 ? "|FUTEX_CLOCK_REALTIME" : "");
}

static void put_bitset(struct trace_line *l, uint64_t v)
{
	if ((uint32_t)v == 0xffffffffu)
		trace_put(l, "FUTEX_BITSET_MATCH_ANY");
	else
		trace_hex(l, (uint32_t)v);
}

/* Arguments as each command uses them (strace's shapes). Only FUTEX_WAIT's
 * timeout is relative: the others are absolute times, which would print
 * the clock, so they show as pointers. */
static void futex_args(const struct call *c)
{
	struct trace_line *l = c->l;
	const uint64_t *a = c->args;
	unsigned op = (uint32_t)a[1];

	trace_ptr(l, a[0]);
	trace_put(l, ", ");
	put_futex_op(l, op);
	switch (op & ~(128u | 256u)) {
	case 0: /* WAIT */
		trace_printf(l, ", %d, ", (int)a[2]);
		put_timespec(c, a[3]);
		break;
	case 1: /* WAKE */
	case 2: /* FD */ trace_printf(l, ", %d", (int)a[2]); break;
	case 3:  /* REQUEUE */
	case 4:  /* CMP_REQUEUE */
	case 5:  /* WAKE_OP */
	case 12: /* CMP_REQUEUE_PI */
		trace_printf(l, ", %d, %d, ", (int)a[2], (int)a[3]);
		trace_ptr(l, a[4]);
		if ((op & ~(128u | 256u)) != 3)
			trace_printf(l, ", %#x", (unsigned)a[5]);
		break;
	case 6:  /* LOCK_PI */
	case 13: /* LOCK_PI2 */
		trace_put(l, ", ");
		trace_ptr(l, a[3]);
		break;
	case 7: /* UNLOCK_PI */
	case 8: /* TRYLOCK_PI */ break;
	case 9: /* WAIT_BITSET */
		trace_printf(l, ", %d, ", (int)a[2]);
		trace_ptr(l, a[3]);
		trace_put(l, ", ");
		put_bitset(l, a[5]);
		break;
	case 10: /* WAKE_BITSET */
		trace_printf(l, ", %d, ", (int)a[2]);
		put_bitset(l, a[5]);
		break;
	case 11: /* WAIT_REQUEUE_PI */
		trace_printf(l, ", %d, ", (int)a[2]);
		trace_ptr(l, a[3]);
		trace_put(l, ", ");
		trace_ptr(l, a[4]);
		break;
	default:
		for (int i = 2; i < 6; i++) {
			trace_put(l, ", ");
			trace_hex(l, a[i]);
		}
		break;
	}
}

/* TIMER_ABSTIME: an absolute time would print the clock: a pointer. */
static void clock_nanosleep_args(const struct call *c)
{
	struct trace_line *l = c->l;

	put_arg(c, 0, A_CLOCKID);
	trace_put(l, ", ");
	trace_flags(l, N(timer_flags), (uint32_t)c->args[1], NULL);
	trace_put(l, ", ");
	if (c->args[1] & 1)
		trace_ptr(l, c->args[2]);
	else
		put_timespec(c, c->args[2]);
	trace_put(l, ", ");
	trace_ptr(l, c->args[3]);
}

/* The call has no arguments: args[0] is the stack pointer it was made
 * with (trace.h), where the frame is; strace shows the mask it restores. */
static void rt_sigreturn_args(const struct call *c)
{
	uint64_t at = c->args[0] - 8 + offsetof(struct k_rt_sigframe, uc) +
		      offsetof(struct k_ucontext, uc_sigmask);
	uint64_t mask;

	trace_put(c->l, "{mask=");
	if (mem_read(c, at, &mask, sizeof(mask)))
		trace_ptr(c->l, at);
	else
		trace_sigset(c->l, mask);
	trace_put(c->l, "}");
}

static void restart_syscall_args(const struct call *c)
{
	trace_put(c->l, "<... resuming interrupted call ...>");
}

/* ---- the table ---- */

#define D(name, n, r, ...) [__NR_##name] = { true, false, n, r, { __VA_ARGS__ }, NULL }
#define F(name, n, r, ...) [__NR_##name] = { true, true, n, r, { __VA_ARGS__ }, NULL }
#define C(name, fn) [__NR_##name] = { true, false, 0, R_DEC, { 0 }, fn }

/* The calls a small sentry implements (S8-S10 and the start-up of a static
 * binary); only these are decoded. */
static const struct desc descs[] = {
	D(read, 3, R_DEC, A_INT, A_RBUF, A_ULONG),
	D(write, 3, R_DEC, A_INT, A_WBUF, A_ULONG),
	D(pread64, 4, R_DEC, A_INT, A_RBUF, A_ULONG, A_LONG),
	D(pwrite64, 4, R_DEC, A_INT, A_WBUF, A_ULONG, A_LONG),
	D(readv, 3, R_DEC, A_INT, A_RIOV, A_INT),
	D(writev, 3, R_DEC, A_INT, A_WIOV, A_INT),
	D(open, 3, R_DEC, A_PATH, A_OFLAGS, A_OMODE),
	D(openat, 4, R_DEC, A_DIRFD, A_PATH, A_OFLAGS, A_OMODE),
	D(close, 1, R_DEC, A_INT),
	D(lseek, 3, R_DEC, A_INT, A_LONG, A_WHENCE),
	D(mmap, 6, R_ADDR, A_PTR, A_ULONG, A_PROT, A_MAPFLAGS, A_INT, A_HEX),
	D(munmap, 2, R_DEC, A_PTR, A_ULONG),
	D(mprotect, 3, R_DEC, A_PTR, A_ULONG, A_PROT),
	D(mremap, 5, R_ADDR, A_PTR, A_ULONG, A_ULONG, A_MREMAP, A_MREMAP_ADDR),
	D(madvise, 3, R_DEC, A_PTR, A_ULONG, A_MADV),
	D(brk, 1, R_ADDR, A_PTR),
	D(arch_prctl, 2, R_DEC, A_ARCH_PRCTL, A_HEX),
	D(set_tid_address, 1, R_DEC, A_PTR),
	D(set_robust_list, 2, R_DEC, A_PTR, A_ULONG),
	D(rseq, 4, R_DEC, A_PTR, A_HEX, A_INT, A_HEX),
	D(prlimit64, 4, R_DEC, A_INT, A_RLIMIT_RES, A_RLIMIT_IN, A_RLIMIT_OUT),
	/* Contents need not be deterministic: the pointer only. */
	D(getrandom, 3, R_DEC, A_PTR, A_ULONG, A_GRND),
	D(uname, 1, R_DEC, A_UTSNAME_OUT),
	D(getuid, 0, R_DEC),
	D(geteuid, 0, R_DEC),
	D(getgid, 0, R_DEC),
	D(getegid, 0, R_DEC),
	D(getpid, 0, R_DEC),
	D(gettid, 0, R_DEC),
	D(getppid, 0, R_DEC),
	/* Traces never print the clock (S8): the pointer only. */
	D(clock_gettime, 2, R_DEC, A_CLOCKID, A_PTR),
	D(readlinkat, 4, R_DEC, A_DIRFD, A_PATH, A_RPATH, A_ULONG),
	D(newfstatat, 4, R_DEC, A_DIRFD, A_PATH, A_STAT_OUT, A_ATFLAGS),
	D(fstat, 2, R_DEC, A_INT, A_STAT_OUT),
	D(ioctl, 3, R_DEC, A_INT, A_IOCTL, A_HEX),
	D(fcntl, 3, R_FCNTL, A_INT, A_FCNTL_CMD, A_FCNTL_ARG),
	D(pipe2, 2, R_DEC, A_PIPEFDS_OUT, A_OFLAGS_ONLY),
	D(dup, 1, R_DEC, A_INT),
	D(dup2, 2, R_DEC, A_INT, A_INT),
	D(dup3, 3, R_DEC, A_INT, A_INT, A_OFLAGS_ONLY),
	D(exit, 1, R_NONE, A_INT),
	D(exit_group, 1, R_NONE, A_INT),
	D(rt_sigaction, 4, R_DEC, A_SIG, A_SIGACT_IN, A_SIGACT_OUT, A_ULONG),
	D(rt_sigprocmask, 4, R_DEC, A_SIGHOW, A_SIGSET_IN, A_SIGSET_OUT, A_ULONG),
	D(sigaltstack, 2, R_DEC, A_STACK_IN, A_STACK_OUT),
	D(kill, 2, R_DEC, A_INT, A_SIG),
	D(tgkill, 3, R_DEC, A_INT, A_INT, A_SIG),
	D(tkill, 2, R_DEC, A_INT, A_SIG),
	/* The requested time is the guest's, deterministic; what is left is
	 * the clock's: a pointer. */
	D(nanosleep, 2, R_DEC, A_TIMESPEC_IN, A_PTR),
	C(clock_nanosleep, clock_nanosleep_args),
	D(setitimer, 3, R_DEC, A_ITIMER_WHICH, A_ITIMERVAL_IN, A_PTR),
	D(getitimer, 2, R_DEC, A_ITIMER_WHICH, A_PTR),
	D(alarm, 1, R_DEC, A_UINT),
	D(pause, 0, R_DEC),
	D(rt_sigsuspend, 2, R_DEC, A_SIGSET1_IN, A_ULONG),
	D(rt_sigpending, 2, R_DEC, A_SIGSET1_OUT, A_ULONG),
	D(rt_sigtimedwait, 4, R_SIG, A_SIGSET_IN, A_SIGINFO_OUT, A_TIMESPEC_IN, A_ULONG),
	D(rt_sigqueueinfo, 3, R_DEC, A_INT, A_SIG, A_SIGINFO_IN),
	D(rt_tgsigqueueinfo, 4, R_DEC, A_INT, A_INT, A_SIG, A_SIGINFO_IN),
	C(rt_sigreturn, rt_sigreturn_args),
	C(restart_syscall, restart_syscall_args),
	D(poll, 3, R_POLL, A_POLLFDS, A_UINT, A_INT),
	D(ppoll, 5, R_POLL, A_POLLFDS, A_UINT, A_TIMESPEC_INOUT, A_SIGSET4_IN, A_ULONG),
	C(futex, futex_args),
	D(wait4, 4, R_DEC, A_INT, A_WSTATUS_OUT, A_WOPTIONS, A_PTR),
	D(waitid, 5, R_DEC, A_IDTYPE, A_INT, A_WAITID_INFO, A_WAITID_OPTIONS, A_PTR),
	C(clone, clone_args),
	D(fork, 0, R_DEC),
	D(vfork, 0, R_DEC),
	D(execve, 3, R_DEC, A_PATH, A_ARGV, A_ENVP),
	D(getcwd, 2, R_DEC, A_CWD_OUT, A_ULONG),
	D(sched_yield, 0, R_DEC),
	/* The calls of a sentry with a filesystem view (F: decoded with one). */
	F(readlink, 3, R_DEC, A_PATH, A_RPATH, A_ULONG),
	F(creat, 2, R_DEC, A_PATH, A_MODE),
	F(stat, 2, R_DEC, A_PATH, A_STAT_OUT),
	F(lstat, 2, R_DEC, A_PATH, A_STAT_OUT),
	F(statx, 5, R_DEC, A_DIRFD, A_PATH, A_ATFLAGS, A_HEX, A_PTR),
	F(getdents64, 3, R_DEC, A_INT, A_PTR, A_UINT),
	F(access, 2, R_DEC, A_PATH, A_ACCESS),
	F(faccessat, 3, R_DEC, A_DIRFD, A_PATH, A_ACCESS),
	F(faccessat2, 4, R_DEC, A_DIRFD, A_PATH, A_ACCESS, A_ATFLAGS),
	F(chdir, 1, R_DEC, A_PATH),
	F(fchdir, 1, R_DEC, A_INT),
	F(mkdir, 2, R_DEC, A_PATH, A_MODE),
	F(mkdirat, 3, R_DEC, A_DIRFD, A_PATH, A_MODE),
	F(unlink, 1, R_DEC, A_PATH),
	F(rmdir, 1, R_DEC, A_PATH),
	F(unlinkat, 3, R_DEC, A_DIRFD, A_PATH, A_ATFLAGS),
	F(rename, 2, R_DEC, A_PATH, A_PATH),
	F(renameat, 4, R_DEC, A_DIRFD, A_PATH, A_DIRFD, A_PATH),
	F(renameat2, 5, R_DEC, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_RENAME),
	F(symlink, 2, R_DEC, A_PATH, A_PATH),
	F(symlinkat, 3, R_DEC, A_PATH, A_DIRFD, A_PATH),
	F(link, 2, R_DEC, A_PATH, A_PATH),
	F(linkat, 5, R_DEC, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_ATFLAGS),
	F(chmod, 2, R_DEC, A_PATH, A_MODE),
	F(fchmod, 2, R_DEC, A_INT, A_MODE),
	F(fchmodat, 3, R_DEC, A_DIRFD, A_PATH, A_MODE),
	F(truncate, 2, R_DEC, A_PATH, A_LONG),
	F(ftruncate, 2, R_DEC, A_INT, A_LONG),
	F(fsync, 1, R_DEC, A_INT),
	F(fallocate, 4, R_DEC, A_INT, A_INT, A_LONG, A_LONG),
	F(fdatasync, 1, R_DEC, A_INT),
	/* Times may be the clock's (UTIME_NOW aside): the pointer only. */
	F(utimensat, 4, R_DEC, A_DIRFD, A_PATH, A_PTR, A_ATFLAGS),
	F(umask, 1, R_OCT, A_MODE),
	F(statfs, 2, R_DEC, A_PATH, A_PTR),
	F(fstatfs, 2, R_DEC, A_INT, A_PTR),
	F(sendfile, 4, R_DEC, A_INT, A_INT, A_PTR, A_ULONG),
	F(preadv, 4, R_DEC, A_INT, A_RIOV, A_INT, A_LONG),
	F(pwritev, 4, R_DEC, A_INT, A_WIOV, A_INT, A_LONG),
	F(getgroups, 2, R_DEC, A_INT, A_PTR),
	F(getpriority, 2, R_DEC, A_PRIO_WHICH, A_INT),
	F(setpriority, 3, R_DEC, A_PRIO_WHICH, A_INT, A_INT),
	F(sched_getaffinity, 3, R_DEC, A_INT, A_UINT, A_PTR),
	F(getrusage, 2, R_DEC, A_RUSAGE_WHO, A_PTR),
	F(eventfd, 1, R_DEC, A_UINT),
	F(eventfd2, 2, R_DEC, A_UINT, A_OFLAGS_ONLY),
	F(signalfd, 3, R_DEC, A_INT, A_SIGSET1X_IN, A_ULONG),
	F(signalfd4, 4, R_DEC, A_INT, A_SIGSET1X_IN, A_ULONG, A_OFLAGS_ONLY),
	F(timerfd_create, 2, R_DEC, A_CLOCKID, A_OFLAGS_ONLY),
	F(timerfd_settime, 4, R_DEC, A_INT, A_INT, A_ITIMERSPEC_IN, A_PTR),
	F(timerfd_gettime, 2, R_DEC, A_INT, A_PTR),
	/* The sets and times are read back after the call: pointers. */
	F(select, 5, R_DEC, A_INT, A_PTR, A_PTR, A_PTR, A_PTR),
	F(pselect6, 6, R_DEC, A_INT, A_PTR, A_PTR, A_PTR, A_PTR, A_PTR),
	F(epoll_create, 1, R_DEC, A_INT),
	F(epoll_create1, 1, R_DEC, A_OFLAGS_ONLY),
	F(epoll_ctl, 4, R_DEC, A_INT, A_EPOLL_OP, A_INT, A_PTR),
	F(epoll_wait, 4, R_DEC, A_INT, A_PTR, A_INT, A_INT),
	F(epoll_pwait, 6, R_DEC, A_INT, A_PTR, A_INT, A_INT, A_SIGSET5_IN, A_ULONG),
	F(socketpair, 4, R_DEC, A_INT, A_HEX, A_INT, A_PIPEFDS_OUT),
	F(sendto, 6, R_DEC, A_INT, A_WBUF, A_ULONG, A_HEX, A_PTR, A_INT),
	F(recvfrom, 6, R_DEC, A_INT, A_RBUF, A_ULONG, A_HEX, A_PTR, A_PTR),
	F(sendmsg, 3, R_DEC, A_INT, A_PTR, A_HEX),
	F(recvmsg, 3, R_DEC, A_INT, A_PTR, A_HEX),
	F(shutdown, 2, R_DEC, A_INT, A_INT),
	F(getsockopt, 5, R_DEC, A_INT, A_INT, A_INT, A_PTR, A_PTR),
};

static const struct desc *lookup(long nr, bool full)
{
	if (nr < 0 || nr >= (long)TRACE_NELEM(descs) || !descs[nr].on || (descs[nr].full && !full))
		return NULL;
	return &descs[nr];
}

void trace_decode_call(struct trace_line *l, const struct trace_mem *m, const char *name, long nr,
		       const uint64_t args[6], long ret, bool full)
{
	const struct desc *d = lookup(nr, full);
	struct call c = { l, m, args, ret };
	bool first = true;

	trace_put(l, name);
	trace_put(l, "(");
	if (d && d->custom) {
		d->custom(&c);
	} else {
		int n = d ? d->nargs : 6;
		for (int i = 0; i < n; i++) {
			int type = d ? d->arg[i] : A_HEX;
			if (arg_hidden(&c, i, type))
				continue;
			trace_put(l, first ? "" : ", ");
			put_arg(&c, i, type);
			first = false;
		}
	}
	trace_put(l, ")");
}

static void fcntl_result(struct trace_line *l, const uint64_t args[6], long ret)
{
	int cmd = (int)args[1];

	/* strace shows the flags a F_GETFL or F_GETFD returns by name. */
	if (cmd == F_GETFL_) {
		trace_printf(l, "= %#lx (flags ", (unsigned long)ret);
		trace_oflags(l, (unsigned long)ret, true);
		trace_put(l, ")");
	} else if (cmd == F_GETFD_ && ret > 0) {
		trace_printf(l, "= %#lx (flags ", (unsigned long)ret);
		trace_flags(l, N(fd_flags), (unsigned long)ret, NULL);
		trace_put(l, ")");
	} else {
		trace_printf(l, "= %ld", ret);
	}
}

/* strace: the fds that have events, after the count; 0 is a timeout. */
static void poll_result(struct trace_line *l, const struct trace_mem *m, const uint64_t args[6],
			long ret)
{
	struct call c = { l, m, args, ret };
	struct gpollfd p[MAX_ELEMS];
	size_t n = args[1] > MAX_ELEMS ? MAX_ELEMS : (size_t)args[1];
	bool first = true;

	trace_printf(l, "= %ld", ret);
	if (ret == 0) {
		trace_put(l, " (Timeout)");
		return;
	}
	if (mem_read(&c, args[0], p, n * sizeof(p[0])))
		return;
	trace_put(l, " ([");
	for (size_t i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		trace_printf(l, "%s{fd=%d, revents=", first ? "" : ", ", p[i].fd);
		trace_flags(l, N(poll_events), (uint16_t)p[i].revents, NULL);
		trace_put(l, "}");
		first = false;
	}
	trace_put(l, args[1] > n ? ", ...])" : "])");
}

void trace_decode_result(struct trace_line *l, const struct trace_mem *m, long nr,
			 const uint64_t args[6], long ret, bool full)
{
	const struct desc *d = lookup(nr, full);
	int res = d ? d->res : R_DEC;

	if (res == R_NONE) {
		trace_put(l, "= ?"); /* it does not return */
		return;
	}
	if (ret < 0 && ret >= -4095) {
		trace_errno_result(l, ret);
		return;
	}
	switch (res) {
	case R_ADDR: trace_printf(l, "= 0x%lx", (unsigned long)ret); break;
	case R_FCNTL: fcntl_result(l, args, ret); break;
	case R_SIG:
		trace_printf(l, "= %ld (", ret);
		trace_signame(l, (int)ret);
		trace_put(l, ")");
		break;
	case R_POLL: poll_result(l, m, args, ret); break;
	case R_OCT: trace_printf(l, "= %#03lo", (unsigned long)ret); break;
	default: trace_printf(l, "= %ld", ret); break;
	}
}
