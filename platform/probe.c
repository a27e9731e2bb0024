/* Kernel- and CPU-dependent behaviour, probed once and never assumed from a
 * version number ("Kernel-dependent behaviour" in the spec; P7, P13). */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/internal.h"

#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif
#define FPSTATE_MAX 16384

struct plat_probe probe_result;
uint64_t probe_xcr0;

static void probe_cpu(struct plat_probe *p)
{
	unsigned a, b, c, d;
	__cpuid(0, a, b, c, d);
	memcpy(p->cpu_vendor, &b, 4);
	memcpy(p->cpu_vendor + 4, &d, 4);
	memcpy(p->cpu_vendor + 8, &c, 4);
	__cpuid(1, a, b, c, d);
	p->has_xsave = (c & (1u << 26)) && (c & (1u << 27));
	if (p->has_xsave) {
		__cpuid_count(0xd, 0, a, b, c, d);
		p->xsave_cpuid_size = c;
		/* OSXSAVE is set, so XGETBV works in user mode. */
		__asm__("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
		probe_xcr0 = (uint64_t)d << 32 | a;
	}
	/* The instruction exists only where the kernel also enabled CR4.FSGSBASE,
	 * which it announces in AT_HWCAP2 bit 1. */
	p->has_fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;
}

static void probe_vsyscall(struct plat_probe *p)
{
	snprintf(p->vsyscall_mode, sizeof(p->vsyscall_mode), "none");
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[vsyscall]"))
			continue;
		char *perm = strchr(line, ' ');
		snprintf(p->vsyscall_mode, sizeof(p->vsyscall_mode), "%s",
			 perm && perm[1] == 'r' ? "emulate" : "xonly");
	}
	if (f)
		fclose(f);
}

static void probe_misc(struct plat_probe *p)
{
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(p->kernel_release, sizeof(p->kernel_release), "%s", u.release);
	FILE *f = fopen("/proc/sys/vm/mmap_min_addr", "re");
	if (!f || fscanf(f, "%ld", &p->mmap_min_addr) != 1)
		p->mmap_min_addr = 65536;
	if (f)
		fclose(f);
}

/* CPUID faulting is absent on AMD and in many VMs; a throwaway child asks. */
static void probe_cpuid_faulting(struct plat_probe *p)
{
	pid_t pid = fork();
	if (pid == 0) {
		int rc = syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) == 0 ? 0 : 1;
		cov_flush();
		_exit(rc);
	}
	int status;
	p->cpuid_faulting = pid > 0 && waitpid(pid, &status, 0) == pid &&
			    WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

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
			snprintf(err, errlen, "ptrace is blocked on this machine (PTRACE_TRACEME: EPERM; "
				 "check /proc/sys/kernel/yama/ptrace_scope and the container's seccomp policy)");
		else
			snprintf(err, errlen, "the seccomp/ptrace probe child did not stop (wait status %#x)", *status);
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
	p->fpstate_size = p->has_xsave && p->xsave_cpuid_size >= 576 ? p->xsave_cpuid_size : sizeof(f);
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
static int probe_tracee(struct plat_probe *p, char *err, size_t errlen)
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
	p->ptrace_before_seccomp = WSTOPSIG(status) == (SIGTRAP | 0x80) && pt_getregs(pid, &r) == 0 &&
				   r.orig_rax == SYS_sched_yield && (long)r.rax == -ENOSYS;
	if (!fp_try_xstate(pid, p) && !fp_try_fpregs(pid, p)) {
		snprintf(err, errlen, "no way to move the FP state: NT_X86_XSTATE and PTRACE_GETFPREGS/SETFPREGS fail (%s)",
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	kill(pid, SIGKILL);
	waitpid(pid, &status, __WALL);
	return rc;
}

int probe_init(char *err, size_t errlen)
{
	struct plat_probe p = { 0 };
	probe_cpu(&p);
	probe_vsyscall(&p);
	probe_misc(&p);
	probe_cpuid_faulting(&p);
	if (probe_tracee(&p, err, errlen))
		return -1;
	probe_result = p;
	return 0;
}

const struct plat_probe *plat_probe(void)
{
	return &probe_result;
}

size_t plat_fpstate_size(void)
{
	return probe_result.fpstate_size;
}

const char *plat_fp_xfer_name(enum plat_fp_xfer x)
{
	return x == PLAT_FP_XSTATE ? "xstate" : "fpregs";
}
