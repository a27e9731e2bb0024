/*
 * Tracers written straight against ptrace, without the platform: the
 * strace-like PTRACE_SYSCALL tracer (two stops per call), and PTRACE_SYSEMU
 * loops that show the floor under any switch of this design: one stop, the
 * registers read back, and what writing the result costs each way.
 */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

/* The same guest loop as the platform's (bench/plat_figures.c): getpid, then
 * the result becomes the next call's first argument, so the tracer can
 * check that what it wrote arrived. */
__asm__(".pushsection .text\n"
	".globl bench_sysemu_loop\n"
	"bench_sysemu_loop:\n"
	"1: mov $39, %eax\n"
	"syscall\n"
	"mov %rax, %rdi\n"
	"jmp 1b\n"
	".popsection\n");
extern void bench_sysemu_loop(void) __attribute__((noreturn));

static void getpid_loop(void)
{
	for (;;)
		syscall(SYS_getpid);
}

#define ARCH_SET_CPUID 0x1012

/* A traced child stopped at its SIGSTOP, then running loop when resumed;
 * with cpuid_faulting its CPUIDs fault (P27: the kernel then rewrites an
 * MSR on every switch into and out of it). */
static pid_t traced_child_cpuid(void (*loop)(void), bool cpuid_faulting, char *err, size_t errlen)
{
	pid_t pid = fork();
	if (pid == 0) {
		child_die_with_parent();
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(1);
		if (cpuid_faulting && syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0)
			_exit(1);
		raise(SIGSTOP);
		loop();
		_exit(0);
	}
	if (pid < 0 || wait_stopped(pid, SIGSTOP) < 0 ||
	    ptrace(PTRACE_SETOPTIONS, pid, 0,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL))) {
		snprintf(err, errlen, "starting a traced child: %s", strerror(errno));
		kill_and_reap(pid);
		return -1;
	}
	return pid;
}
static pid_t traced_child(void (*loop)(void), char *err, size_t errlen)
{
	return traced_child_cpuid(loop, false, err, errlen);
}
pid_t bench_stopped_child(char *err, size_t errlen)
{
	return traced_child(getpid_loop, err, errlen);
}

static int resume_wait(int req, pid_t pid)
{
	if (ptrace(req, pid, 0, 0) != 0)
		return -1;
	int status = wait_stopped(pid, 0);
	return status >= 0 && WSTOPSIG(status) == (SIGTRAP | 0x80) ? 0 : -1;
}

/* strace's minimum: entry stop and exit stop, no register access. */
static int ptrace_syscall(void *state, long n, double *ns, char *err, size_t errlen)
{
	(void)state;
	pid_t pid = traced_child(getpid_loop, err, errlen);
	if (pid < 0)
		return -1;
	long warm = n / 20;
	long long t0 = 0;
	int rc = 0;
	for (long i = 0; rc == 0 && i < warm + n; i++) {
		if (i == warm)
			t0 = now_ns();
		rc = resume_wait(PTRACE_SYSCALL, pid) || resume_wait(PTRACE_SYSCALL, pid) ? -1 : 0;
	}
	if (rc == 0)
		*ns = (double)(now_ns() - t0) / (double)n;
	else
		snprintf(err, errlen, "PTRACE_SYSCALL loop failed: %s", strerror(errno));
	kill_and_reap(pid);
	return rc;
}

enum sysemu_variant { FLOOR, POKE, SETREGS, FULL, POKE_CPUID };

static int regset(int req, pid_t pid, int type, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	return ptrace(req, pid, (void *)(long)type, &iov);
}

/* The size the kernel moves for NT_X86_XSTATE (it wants exactly that). */
size_t bench_xstate_size(pid_t pid)
{
	static char buf[1 << 16];
	struct iovec iov = { buf, sizeof(buf) };
	if (ptrace(PTRACE_GETREGSET, pid, (void *)(long)NT_X86_XSTATE, &iov) != 0)
		return 0;
	return iov.iov_len;
}

static int sysemu_loop(enum sysemu_variant v, long n, double *ns, char *err, size_t errlen)
{
	pid_t pid = traced_child_cpuid(bench_sysemu_loop, v == POKE_CPUID, err, errlen);
	if (pid < 0)
		return -1;
	struct user_regs_struct r;
	size_t xlen = bench_xstate_size(pid);
	void *x = calloc(1, xlen ? xlen : 1);
	int rc = regset(PTRACE_GETREGSET, pid, NT_PRSTATUS, &r, sizeof(r));
	if (rc == 0 && v == FULL)
		rc = xlen && x ? regset(PTRACE_GETREGSET, pid, NT_X86_XSTATE, x, xlen) : -1;
	long warm = n / 20, wrong = 0;
	unsigned long long val = 0;
	long long t0 = 0;
	for (long i = 0; rc == 0 && i < warm + n; i++) {
		if (i == warm)
			t0 = now_ns();
		r.rax = val = 1000 + (i & 0xff);
		if (v == POKE || v == POKE_CPUID)
			rc = (int)ptrace(PTRACE_POKEUSER, pid,
					 offsetof(struct user_regs_struct, rax), (void *)val);
		else if (v == SETREGS || v == FULL)
			rc = regset(PTRACE_SETREGSET, pid, NT_PRSTATUS, &r, sizeof(r));
		if (rc == 0 && v == FULL)
			rc = regset(PTRACE_SETREGSET, pid, NT_X86_XSTATE, x, xlen);
		if (rc == 0)
			rc = resume_wait(PTRACE_SYSEMU, pid);
		if (rc == 0)
			rc = regset(PTRACE_GETREGSET, pid, NT_PRSTATUS, &r, sizeof(r));
		if (rc == 0 && v == FULL)
			rc = regset(PTRACE_GETREGSET, pid, NT_X86_XSTATE, x, xlen);
		if (rc == 0 && i > 0 && v != FLOOR && r.rdi != val)
			wrong++;
	}
	if (rc == 0 && wrong == 0)
		*ns = (double)(now_ns() - t0) / (double)n;
	else if (rc == 0)
		snprintf(err, errlen, "the child did not see the written rax %ld times", wrong);
	else
		snprintf(err, errlen, "SYSEMU loop failed: %s", strerror(errno));
	free(x);
	kill_and_reap(pid);
	return rc == 0 && wrong == 0 ? 0 : -1;
}

static int floor_run(void *s, long n, double *ns, char *e, size_t l)
{
	(void)s;
	return sysemu_loop(FLOOR, n, ns, e, l);
}
static int poke_run(void *s, long n, double *ns, char *e, size_t l)
{
	(void)s;
	return sysemu_loop(POKE, n, ns, e, l);
}
static int poke_cpuid_run(void *s, long n, double *ns, char *e, size_t l)
{
	(void)s;
	return sysemu_loop(POKE_CPUID, n, ns, e, l);
}
/* Skipped, with the reason, where the kernel refuses ARCH_SET_CPUID. */
static int poke_cpuid_setup(void **state, char *err, size_t errlen)
{
	(void)state;
	if (bench_cpuid_faulting())
		return 0;
	snprintf(err, errlen, "no CPUID faulting on this machine (ARCH_SET_CPUID refused)");
	return -1;
}
static int setregs_run(void *s, long n, double *ns, char *e, size_t l)
{
	(void)s;
	return sysemu_loop(SETREGS, n, ns, e, l);
}
static int full_run(void *s, long n, double *ns, char *e, size_t l)
{
	(void)s;
	return sysemu_loop(FULL, n, ns, e, l);
}

/* clang-format off */
const struct bench bench_ptrace[] = {
	{ .name = "ptrace_syscall_tracer", .label = "PTRACE_SYSCALL tracer (2 stops)",
	  .group = "ptrace", .n = 20000, .run = ptrace_syscall },
	{ .name = "sysemu_floor", .label = "raw SYSEMU+GETREGSET (floor)", .group = "ptrace",
	  .n = 30000, .run = floor_run },
	{ .name = "sysemu_poke", .label = "raw floor + POKEUSER rax", .group = "ptrace",
	  .n = 30000, .run = poke_run },
	{ .name = "sysemu_poke_cpuid", .label = "raw floor + POKEUSER, CPUID faulting on",
	  .group = "ptrace", .n = 30000, .setup = poke_cpuid_setup, .run = poke_cpuid_run },
	{ .name = "sysemu_setregs", .label = "raw floor + SETREGSET", .group = "ptrace",
	  .n = 30000, .run = setregs_run },
	{ .name = "sysemu_full", .label = "raw floor + regs and XSTATE both ways",
	  .group = "ptrace", .n = 20000, .run = full_run },
	{ 0 }
};
/* clang-format on */
