/* Kernel- and CPU-dependent behaviour, probed once and never assumed from a
 * version number ("Kernel-dependent behaviour" in the spec): the machine
 * here, what each backend needs in its own probe (ptrace/probe.c: P7,
 * P13; seccomp/probe.c: T1). */
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/internal.h"

#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif

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
	p->cpuid_faulting = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0;
}

/* The machine once, then each backend's own probe (T1): a backend whose
 * probe fails is unusable (plat_new says why), the other one is not. */
int probe_init(char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct plat_probe p = { 0 };
	probe_cpu(&p);
	probe_vsyscall(&p);
	probe_misc(&p);
	probe_cpuid_faulting(&p);
	p.ptrace_ok = plat_ptrace_ops.probe(&p, p.ptrace_missing, sizeof(p.ptrace_missing)) == 0;
	p.seccomp_ok =
		plat_seccomp_ops.probe(&p, p.seccomp_missing, sizeof(p.seccomp_missing)) == 0;
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
