/* The ptrace backend's probe: the facts that need a live tracee (P7:
 * seccomp/ptrace order; P13: the FP transfer that survives a round trip,
 * with the size the kernel really moves; PTRACE_O_EXITKILL). */
#include <elf.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/ptrace/ptrace.h"

#define FPSTATE_MAX 16384

/* Its filter fakes every other syscall (even gcov's open would "succeed"
 * on fd 0), so nothing here can be measured. */
static void COV_UNMEASURED probe_child(const struct sock_fprog *prog)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
		_exit(errno == EPERM ? 90 : 91);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) != 0)
		_exit(92);
	/* Raw: a sanitizer's kill() wrapper may make syscalls of its own, which
	 * the probe filter answers with a fake 0 (seen under TSan, make tsan). */
	syscall(SYS_kill, syscall(SYS_getpid), SIGSTOP);
	syscall(SYS_sched_yield);
	_exit(0);
}

static int probe_wait_stop(pid_t pid, int *status, char *err, size_t errlen)
{
	if (waitpid(pid, status, __WALL) != pid || !WIFSTOPPED(*status)) {
		if (WIFEXITED(*status) && WEXITSTATUS(*status) == 90)
			snprintf(err, errlen,
				 "ptrace is blocked on this machine (PTRACE_TRACEME: EPERM; "
				 "check /proc/sys/kernel/yama/ptrace_scope and the container's "
				 "seccomp policy)");
		else
			snprintf(err, errlen,
				 "the seccomp/ptrace probe child did not stop (wait status %#x)",
				 *status);
		return -1;
	}
	return 0;
}

static pid_t COV_UNMEASURED fork_probe_child(const struct sock_fprog *prog)
{
	pid_t pid = fork();
	if (pid == 0)
		probe_child(prog);
	return pid;
}

/* P13: a round trip (get, then set the same bytes back) on the live
 * tracee, so a kernel that refuses either direction of NT_X86_XSTATE (or a
 * seccomp policy that does: tools/knockout) gets the next path instead of
 * failing on the first switch. */
static bool fp_try_xstate(pid_t pid, struct plat_probe *p)
{
	static char buf[FPSTATE_MAX];
	struct iovec iov = { buf, sizeof(buf) };
	if (!p->has_xsave || ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov) != 0 ||
	    ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &iov) != 0)
		return false;
	p->fpstate_size = iov.iov_len;
	p->fp_xfer = PLAT_FP_XSTATE;
	return true;
}

/* The legacy path (kernels before NT_X86_XSTATE): the FXSAVE area. On an
 * XSAVE CPU contexts keep the XSAVE layout at the CPUID size, because
 * that is what the guest's signal frames hold (pt_getfp fills the rest). */
static bool fp_try_fpregs(pid_t pid, struct plat_probe *p)
{
	struct user_fpregs_struct f;
	if (ptrace(PTRACE_GETFPREGS, pid, 0, &f) != 0 || ptrace(PTRACE_SETFPREGS, pid, 0, &f) != 0)
		return false;
	p->fpstate_size =
		p->has_xsave && p->xsave_cpuid_size >= 576 ? p->xsave_cpuid_size : sizeof(f);
	p->fp_xfer = PLAT_FP_FPREGS;
	return true;
}

/* PTRACE_O_EXITKILL (3.8+). Without it the stubs still die with the
 * harness (P25): the master has PR_SET_PDEATHSIG on the thread that
 * created it, every other stub on the master (stub.S), so a dead harness
 * takes the master and the master takes the rest. */
static void probe_exitkill(pid_t pid, struct plat_probe *p)
{
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
	p->exitkill = ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)opts) == 0;
	if (!p->exitkill)
		ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(long)PTRACE_O_TRACESYSGOOD);
}

/* P7 plus the facts that need a live tracee: PTRACE_O_EXITKILL and the FP
 * transfer that works, with the size the kernel really moves. */
int pt_probe(struct plat_probe *p, char *err, size_t errlen)
{
	struct sock_fprog *prog = filter_build_probe(err, errlen);
	if (!prog)
		return -1;
	pid_t pid = fork_probe_child(prog);
	filter_free(prog);
	if (pid < 0) {
		snprintf(err, errlen, "fork for the ptrace probe: %s", strerror(errno));
		return -1;
	}
	int status, rc = -1;
	if (probe_wait_stop(pid, &status, err, errlen))
		goto out;
	probe_exitkill(pid, p);
	if (ptrace(PTRACE_SYSEMU, pid, 0, 0) != 0 || probe_wait_stop(pid, &status, err, errlen)) {
		snprintf(err, errlen, "PTRACE_SYSEMU does not work here: %s", strerror(errno));
		goto out;
	}
	struct user_regs_struct r;
	p->ptrace_before_seccomp = WSTOPSIG(status) == (SIGTRAP | 0x80) &&
				   pt_getregs(pid, &r) == 0 && r.orig_rax == SYS_sched_yield &&
				   (long)r.rax == -ENOSYS;
	if (!fp_try_xstate(pid, p) && !fp_try_fpregs(pid, p)) {
		snprintf(err, errlen,
			 "no way to move the FP state: NT_X86_XSTATE and "
			 "PTRACE_GETFPREGS/SETFPREGS fail (%s)",
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	kill(pid, SIGKILL);
	waitpid(pid, &status, __WALL);
	return rc;
}
