/* Thin ptrace wrappers: one place for the regset plumbing (P13). */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "platform/ptrace/ptrace.h"

static int regset(int req, pid_t tid, int type, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	return ptrace(req, tid, (void *)(long)type, &iov) == 0 ? 0 : -errno;
}

/* NT_PRSTATUS carries fs_base and gs_base too: they are the guest's TLS. */
int pt_getregs(pid_t tid, struct user_regs_struct *r)
{
	return regset(PTRACE_GETREGSET, tid, NT_PRSTATUS, r, sizeof(*r));
}

int pt_setregs(pid_t tid, const struct user_regs_struct *r)
{
	return regset(PTRACE_SETREGSET, tid, NT_PRSTATUS, (void *)r, sizeof(*r));
}

/* The FXSAVE path on an XSAVE CPU: the legacy area came from the kernel;
 * the rest is what the XSTATE regset would say if every extended component
 * were in its init state (XCR0 in the software word the sentry reads, a
 * header with x87|SSE). What the stub thread really holds there stays in
 * it: the documented limit of this path (platform.h). */
static void fp_fill_xsave_tail(unsigned char *b)
{
	uint64_t bv = 3;
	memcpy(b + 464, &probe_xcr0, sizeof(probe_xcr0)); /* USER_XSTATE_XCR0_WORD */
	memset(b + 512, 0, probe_result.fpstate_size - 512);
	memcpy(b + 512, &bv, sizeof(bv));
}

/* The kernel insists on the exact XSTATE size for SETREGSET, so the size is
 * the one it reported at probe time, not what CPUID says. */
int pt_getfp(pid_t tid, void *buf)
{
	if (probe_result.fp_xfer == PLAT_FP_XSTATE)
		return regset(PTRACE_GETREGSET, tid, NT_X86_XSTATE, buf, probe_result.fpstate_size);
	if (ptrace(PTRACE_GETFPREGS, tid, 0, buf) != 0)
		return -errno;
	if (probe_result.fpstate_size > 512)
		fp_fill_xsave_tail(buf);
	return 0;
}

/* SETFPREGS reads the first 512 bytes only: the legacy area. */
int pt_setfp(pid_t tid, const void *buf)
{
	if (probe_result.fp_xfer == PLAT_FP_XSTATE)
		return regset(PTRACE_SETREGSET, tid, NT_X86_XSTATE, (void *)buf,
			      probe_result.fpstate_size);
	return ptrace(PTRACE_SETFPREGS, tid, 0, (void *)buf) == 0 ? 0 : -errno;
}

/* __WALL: stub threads are clones and stub processes exit with signal 0. */
int pt_wait(pid_t tid, int *status)
{
	for (;;) {
		pid_t r = waitpid(tid, status, __WALL);
		if (r == tid)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -errno : -ECHILD;
	}
}

/* Attaching a thread that sits in group-stop gives a SIGSTOP stop at once
 * (and queues one more SIGSTOP, which the run loops swallow: P14, P20). */
int pt_attach_stopped(pid_t tid)
{
	int status;
	if (ptrace(PTRACE_ATTACH, tid, 0, 0) != 0)
		return -errno;
	for (;;) {
		int e = pt_wait(tid, &status);
		if (e)
			return e;
		if (!WIFSTOPPED(status))
			return -ESRCH;
		if (WSTOPSIG(status) == SIGSTOP)
			break;
		/* Anything else (a stray signal) is suppressed: resume, wait on. */
		if (ptrace(PTRACE_CONT, tid, 0, 0) != 0)
			return -errno;
	}
	/* Ours, not P9's: no PTRACE_O_TRACEEXIT. A thread stopped at
	 * PTRACE_EVENT_EXIT can only be released by its own tracer thread, even
	 * after SIGKILL (seen on 6.18), so a harness thread could never reap a
	 * dead stub whose other threads are traced by other harness threads.
	 * Without it the wait status of the exit itself names the cause (P23).
	 * PTRACE_O_TRACESECCOMP: the stub filter's escape gate (P6) stops the
	 * thread instead of failing the syscall silently with ENOSYS. */
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP;
	if (probe_result.exitkill)
		opts |= PTRACE_O_EXITKILL;
	return ptrace(PTRACE_SETOPTIONS, tid, 0, (void *)opts) == 0 ? 0 : -errno;
}

const char *pt_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
	else if (WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_EXIT)
		snprintf(buf, len, "exiting");
	else if (WIFSTOPPED(status))
		snprintf(buf, len, "stopped by signal %d", WSTOPSIG(status));
	else
		snprintf(buf, len, "wait status %#x", status);
	return buf;
}
