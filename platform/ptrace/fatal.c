/* P24: the one path for "cannot happen". It prints what a person needs to
 * debug the stub (every general register of the thread involved and where
 * the stub is) and aborts; the harness isolates the damage to one case. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/ptrace/ptrace.h"

static void dump_regs(pid_t tid)
{
	struct user_regs_struct r;
	int e = pt_getregs(tid, &r);
	if (e) {
		fprintf(stderr, "platform: registers of stub thread %d unavailable (errno %d)\n",
			tid, -e);
		return;
	}
#define R(name) fprintf(stderr, "  %-8s %#018llx\n", #name, (unsigned long long)r.name)
	R(rax);
	R(rbx);
	R(rcx);
	R(rdx);
	R(rsi);
	R(rdi);
	R(rbp);
	R(rsp);
	R(r8);
	R(r9);
	R(r10);
	R(r11);
	R(r12);
	R(r13);
	R(r14);
	R(r15);
	R(rip);
	R(eflags);
	R(orig_rax);
	R(cs);
	R(ss);
	R(ds);
	R(es);
	R(fs);
	R(gs);
	R(fs_base);
	R(gs_base);
#undef R
}

void plat_fatal(pid_t tid, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "platform: fatal: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr,
		"\nplatform: stub page %#lx-%#lx, inject rip %#lx, harness pid %d, stub thread %d\n",
		stub_layout.start, stub_layout.end, stub_layout.inject_rip, getpid(), tid);
	if (tid > 0)
		dump_regs(tid);
	fflush(stderr);
	cov_flush();
	abort();
}
