/*
 * S11 trace writer: one line per event, strace-like, and byte-identical on
 * every run of the same case, so it can be compared against a golden file
 * (oracle O1). Nothing here reads the clock, the locale, host pids or
 * host pointers, and every name comes from a fixed table in this code
 * (libseccomp's for syscall names), never from strerror or strsignal.
 *
 * Line formats:
 *
 *   read(0, "hi\n", 4096) = 3                     a completed syscall
 *   openat(AT_FDCWD, "/x", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
 *   mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
 *   uname(0x7ff0) = -1 ENOSYS (Function not implemented) [not emulated]
 *   syscall_0x3e8(0x1, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented) [not emulated]
 *   nanosleep({tv_sec=1, tv_nsec=0}, NULL) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)
 *   exit_group(0) = ?
 *   --- fault addr=0x20000000 access=rw- rip=0x401000 ---
 *   --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x0} --- delivered
 *   +++ exited with 0 +++
 *   +++ killed by SIGSEGV (core dumped) +++
 *   ~~~ map-file addr=0x400000 len=0x1000 prot=PROT_READ|PROT_EXEC off=0x0 = 0 ~~~
 *   --- limit: output bytes exceeded ---          trace_note, free text
 *
 * Syscalls:
 *  - Names come from libseccomp (x86-64). A number it does not know, a
 *    negative one (libseccomp maps those to pseudo-syscalls) or one with
 *    the x32 bit 30 set prints as syscall_0x<nr in hex> with six raw args.
 *  - Only the syscalls a small sentry implements are decoded (the table in
 *    trace_decode.c), with as many args as the syscall takes; any other
 *    known syscall prints its name and six raw args. Raw args and hex
 *    values print as %#lx: "0" or "0x1f". A pointer prints NULL or 0x...
 *  - Flags print by name joined with '|', unknown bits as a trailing hex
 *    value; a value without a name prints as a number.
 *  - Memory is read after the call through struct trace_mem. Anything that
 *    cannot be read (bad pointer, no reader) prints as its address. A
 *    struct the call fills in is decoded only when the call succeeded.
 *  - Strings are quoted; \t \n \v \f \r \" \\ are escaped as in C, every
 *    other byte outside 0x20..0x7e as \xNN (always two hex digits). A
 *    buffer or string longer than 32 bytes shows its first 32 bytes and
 *    "..." after the closing quote (strace -s 32). Paths are the exception,
 *    as in strace: they print up to PATH_MAX. read-like calls show the
 *    bytes transferred (the result), write-like calls the bytes requested.
 *    Arrays (iovecs, argv) show at most 32 elements, then "...".
 *  - getrandom's buffer, clock_gettime's result, the remaining time of
 *    nanosleep and clock_nanosleep, setitimer's old value and getitimer's
 *    result print as pointers: their contents need not be deterministic.
 *    So do absolute times (clock_nanosleep with TIMER_ABSTIME, futex
 *    WAIT_BITSET): they hold the clock.
 *  - poll and ppoll show the fds' events, and after the result the fds
 *    that have revents ("= 1 ([{fd=3, revents=POLLIN}])", "= 0 (Timeout)");
 *    rt_sigtimedwait's result names its signal ("= 10 (SIGUSR1)") and its
 *    siginfo is decoded when a signal was taken; rt_sigreturn shows the
 *    mask of the frame it returns through ("rt_sigreturn({mask=[]})");
 *    restart_syscall shows "<... resuming interrupted call ...>".
 *  - Results: "= 6"; -4095..-1 is "= -1 ENAME (message)" with glibc's
 *    message text from our own table ("= -1 <n> (Unknown error <n>)" for a
 *    number without a name); the restart codes print as strace does,
 *    "= ? ERESTARTSYS (To be restarted if SA_RESTART is set)". Address
 *    results (mmap, mremap, brk) print in hex; exit and exit_group "= ?".
 *    A syscall the sentry does not emulate gets " [not emulated]" after.
 * Signals: names are the kernel's (SIGRTMIN is 32, the kernel's, not
 *  glibc's 34; then SIGRTMIN+1 .. SIGRTMIN+32); sets print as
 *  [SIGINT SIGTERM], or ~[...] listing the missing ones when more than
 *  half are set. siginfo shows si_signo, si_code by name and the fields
 *  of its kind; addresses in siginfo print in hex, NULL as 0x0. CLD times
 *  (si_utime, si_stime) are never printed.
 * Platform events (verbose) never print host pids or harness pointers;
 *  which of them appear depends on the platform configuration (pool,
 *  tracer threads), so they are not part of cross-variant comparisons.
 * Lines are at most TRACE_LINE_MAX bytes with the newline; a longer one
 *  is cut and ends in TRACE_CUT. Each line is written with one fwrite,
 *  so lines from several threads never interleave.
 *
 * Thread-safe: a struct trace holds only the FILE, lines are built on the
 * caller's stack.
 */
#ifndef HARNESS_SENTRY_TRACE_H
#define HARNESS_SENTRY_TRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "platform/platform.h"

#define TRACE_LINE_MAX 4096
#define TRACE_CUT "...[cut]"
#define TRACE_STRLEN 32 /* strace -s 32 */

struct trace;

/* Guest memory, read after the syscall completed (S1: mm_copy_in fits).
 * read returns 0, or -EFAULT when any byte of the range is unreadable. */
struct trace_mem {
	void *arg;
	int (*read)(void *arg, uintptr_t addr, void *buf, size_t len);
};

/* out may be NULL: every call on the result is then a no-op. So is every
 * call with t == NULL, which is also what allocation failure returns. */
struct trace *trace_new(FILE *out);
void trace_free(struct trace *t);
/* full: the sentry serves the calls of a filesystem view (and the event
 * calls that come with it), and these are decoded too. Without it they
 * print raw as every call the decoder does not know, so traces of a
 * sentry without a view stay as they were before those calls existed. */
void trace_set_full(struct trace *t, bool full);
/* Every line of t starts with prefix ("[pid 1001] "), as strace -f does. */
void trace_set_prefix(struct trace *t, const char *prefix);

/* A completed syscall with its result ret (value or -errno). m may be NULL:
 * pointers then print as addresses. For execve, m must still read the old
 * image; for rt_sigreturn, which takes no arguments, args[0] is the stack
 * pointer it was called with (its frame's mask is printed).
 * implemented=false: the sentry does not emulate the call (S10). */
void trace_syscall(struct trace *t, const struct trace_mem *m, long nr, const uint64_t args[6],
		   long ret, bool implemented);
/* access: PLAT_ACCESS_* bits. */
void trace_fault(struct trace *t, uintptr_t addr, unsigned access, uintptr_t rip);
/* what: "delivered", "discarded", "default action", ... (NULL: nothing). */
void trace_signal(struct trace *t, const siginfo_t *si, const char *what);
void trace_exit(struct trace *t, int code);
void trace_killed(struct trace *t, int sig, bool core);
/* A platform event (verbose level of S11). */
void trace_event(struct trace *t, const struct plat_event *ev);
/* A free text line; control characters are escaped as \xNN. */
void trace_note(struct trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef TRACE_INTERNAL
/* Shared by trace.c and trace_decode.c only. */

/* A line under construction. Once cut, appends are dropped. */
struct trace_line {
	size_t len;
	bool cut;
	char buf[TRACE_LINE_MAX];
};

/* A name for one value, or for a flag mask (all of whose bits must be set). */
struct trace_xlat {
	unsigned long val;
	const char *name;
};

void trace_put(struct trace_line *l, const char *s);
void trace_printf(struct trace_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* n bytes quoted and escaped; "..." after the quote when more is set. */
void trace_quote(struct trace_line *l, const void *s, size_t n, bool more);
void trace_hex(struct trace_line *l, unsigned long v); /* %#lx */
void trace_ptr(struct trace_line *l, unsigned long v); /* NULL or 0x... */
/* The name of v in tab (n entries), else v printed with fallback_fmt. */
void trace_xval(struct trace_line *l, const struct trace_xlat *tab, size_t n, unsigned long v,
		const char *fallback_fmt);
/* Names of the masks in tab found in v, '|'-joined, then leftover bits in
 * hex; "0" (or zero_name when given) for v == 0. */
void trace_flags(struct trace_line *l, const struct trace_xlat *tab, size_t n, unsigned long v,
		 const char *zero_name);
void trace_signame(struct trace_line *l, int sig);
void trace_sigset(struct trace_line *l, uint64_t set);
void trace_prot(struct trace_line *l, unsigned long prot);
/* O_* flags; accmode: the low two bits are O_RDONLY/O_WRONLY/O_RDWR
 * (open, F_GETFL), else flags only (pipe2, dup3). */
void trace_oflags(struct trace_line *l, unsigned long flags, bool accmode);
/* "= ..." for a result; errors as -1 ENAME (message). */
void trace_errno_result(struct trace_line *l, long ret);

/* Appends name(args) for a syscall libseccomp named. */
void trace_decode_call(struct trace_line *l, const struct trace_mem *m, const char *name, long nr,
		       const uint64_t args[6], long ret, bool full);
/* Appends " = ..." for it (poll's reads the fds' revents). */
void trace_decode_result(struct trace_line *l, const struct trace_mem *m, long nr,
			 const uint64_t args[6], long ret, bool full);
/* {si_signo=..., si_code=..., fields}, as in a signal line. */
void trace_siginfo(struct trace_line *l, const siginfo_t *si);

#define TRACE_NELEM(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif
