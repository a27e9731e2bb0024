/* Thin ptrace wrappers: one place for the regset plumbing (P13). */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "platform/internal.h"

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

/* The kernel insists on the exact XSTATE size for SETREGSET, so the size is
 * the one it reported at probe time, not what CPUID says. */
int pt_getfp(pid_t tid, void *buf)
{
	if (probe_result.has_xsave)
		return regset(PTRACE_GETREGSET, tid, NT_X86_XSTATE, buf, probe_result.fpstate_size);
	return regset(PTRACE_GETREGSET, tid, NT_PRFPREG, buf, probe_result.fpstate_size);
}

int pt_setfp(pid_t tid, const void *buf)
{
	if (probe_result.has_xsave)
		return regset(PTRACE_SETREGSET, tid, NT_X86_XSTATE, (void *)buf, probe_result.fpstate_size);
	return regset(PTRACE_SETREGSET, tid, NT_PRFPREG, (void *)buf, probe_result.fpstate_size);
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
