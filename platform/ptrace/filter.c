/* P6: the stub's seccomp filter, built with libseccomp before any fork so
 * that the forked child only has to hand the finished program to the
 * kernel (it must not allocate: it is a copy of a multi-threaded process). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "platform/ptrace/ptrace.h"

#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif

/* The two clone flag sets of P5 (new stub process, exit signal 0: P23) and
 * P9 (new stub thread). Nothing else may be cloned. */
#define CLONE_STUB_PROCESS ((unsigned long)CLONE_FILES)
#define CLONE_STUB_THREAD                                                                       \
	((unsigned long)(CLONE_FILES | CLONE_FS | CLONE_SIGHAND | CLONE_THREAD | CLONE_PTRACE | \
			 CLONE_VM))

static struct sock_fprog *export_program(scmp_filter_ctx f, size_t room, char *err, size_t errlen)
{
	int fd = memfd_create("stub-filter", MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "memfd_create for the stub filter: %s", strerror(errno));
		return NULL;
	}
	struct sock_fprog *prog = NULL;
	int rc = seccomp_export_bpf(f, fd);
	off_t size = lseek(fd, 0, SEEK_END);
	if (rc != 0 || size <= 0 || size % sizeof(struct sock_filter) != 0) {
		snprintf(err, errlen, "libseccomp could not export the stub filter (%d)", rc);
		goto out;
	}
	prog = calloc(1, sizeof(*prog) + (size_t)size + room * sizeof(struct sock_filter));
	if (!prog)
		goto out;
	prog->len = (unsigned short)(size / sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)(prog + 1);
	if (pread(fd, prog->filter, (size_t)size, 0) != size) {
		snprintf(err, errlen, "reading back the stub filter: %s", strerror(errno));
		free(prog);
		prog = NULL;
	}
out:
	close(fd);
	return prog;
}

/* P6, escape check: seccomp sees a stub thread's syscall only when
 * the thread was resumed with PTRACE_CONT, i.e. for an injected syscall
 * (P20) or the stub's own bootstrap, and both run from the stub page. Any
 * syscall from another address means guest code ran a host syscall: it is
 * sent to the tracer (SECCOMP_RET_TRACE, a PTRACE_EVENT_SECCOMP stop that
 * switch.c counts as an escape) and never reaches the allow rules below,
 * which would otherwise let mmap, munmap, getpid... run on the host. The
 * vsyscall page (upper half all ones) goes on to the trap rules (P16).
 * Limit: guest code resumed by mistake could still jump to the stub's own
 * syscall instruction; that one runs the allow rules. */
#define GATE_LEN 7
static int gate_prepend(struct sock_fprog *prog, char *err, size_t errlen)
{
	uintptr_t lo = stub_layout.start, hi = stub_layout.end - 1;
	if (lo >> 32 != hi >> 32) {
		snprintf(err, errlen, "the stub page %#lx-%#lx straddles a 4 GiB line",
			 (unsigned long)lo, (unsigned long)hi);
		return -1;
	}
	const struct sock_filter gate[GATE_LEN] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12), /* instruction_pointer, upper half */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8), /* lower half */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 0, 1),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)hi, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
	};
	memmove(prog->filter + GATE_LEN, prog->filter, prog->len * sizeof(*prog->filter));
	memcpy(prog->filter, gate, sizeof(gate));
	prog->len += GATE_LEN;
	return 0;
}

static int add_allow_rules(scmp_filter_ctx f)
{
	int rc = 0;
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			       SCMP_A0(SCMP_CMP_EQ, CLONE_STUB_PROCESS));
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			       SCMP_A0(SCMP_CMP_EQ, CLONE_STUB_THREAD));
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(wait4), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
			       SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG),
			       SCMP_A1(SCMP_CMP_EQ, SIGKILL));
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(getppid), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(getpid), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1, SCMP_A1(SCMP_CMP_EQ, SIGSTOP));
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(munmap), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(arch_prctl), 2,
			       SCMP_A0(SCMP_CMP_EQ, ARCH_SET_CPUID), SCMP_A1(SCMP_CMP_EQ, 0));
	return rc;
}

/* With ptrace ahead of seccomp (P7) guest syscalls never reach the filter,
 * so anything unexpected is the harness's own mistake: kill the thread.
 * With the legacy order the filter sees guest syscalls first and must let
 * them through to PTRACE_SYSEMU. The vsyscall calls trap either way: that
 * is how they become visible (P16). */
void *filter_build(bool kill_default, char *err, size_t errlen)
{
	scmp_filter_ctx f = seccomp_init(kill_default ? SCMP_ACT_KILL_THREAD : SCMP_ACT_ALLOW);
	if (!f) {
		snprintf(err, errlen, "seccomp_init failed");
		return NULL;
	}
	int rc = kill_default ? add_allow_rules(f) : 0;
	rc |= seccomp_rule_add(f, SCMP_ACT_TRAP, SCMP_SYS(gettimeofday), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_TRAP, SCMP_SYS(time), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_TRAP, SCMP_SYS(getcpu), 0);
	struct sock_fprog *prog = NULL;
	if (rc != 0)
		snprintf(err, errlen, "libseccomp rejected a stub filter rule (%d)", rc);
	else
		prog = export_program(f, kill_default ? GATE_LEN : 0, err, errlen);
	seccomp_release(f);
	if (prog && kill_default && gate_prepend(prog, err, errlen) != 0) {
		free(prog);
		prog = NULL;
	}
	return prog;
}

/* The P7 probe's filter: every syscall but the few the probe child needs
 * returns 0 without running, so a -ENOSYS at the SYSEMU stop can only have
 * come from ptrace having run first. */
void *filter_build_probe(char *err, size_t errlen)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(0));
	if (!f) {
		snprintf(err, errlen, "seccomp_init failed");
		return NULL;
	}
	int rc = 0;
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(kill), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(getpid), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
	struct sock_fprog *prog = NULL;
	if (rc != 0)
		snprintf(err, errlen, "libseccomp rejected a probe filter rule (%d)", rc);
	else
		prog = export_program(f, 0, err, errlen);
	seccomp_release(f);
	return prog;
}

void filter_free(void *prog)
{
	free(prog);
}
