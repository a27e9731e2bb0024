/* The run loop of one task: switch into the guest, serve what comes back
 * (S3 faults, S10-S12 syscalls, S6 default signal actions). */
#include <cpuid.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/mm.h"
#include "harness/sentry/trace.h"

#define VSYSCALL_BASE 0xffffffffff600000UL

int copy_in(struct task *t, uint64_t addr, void *dst, size_t len)
{
	return mm_copy_in(t->proc->mm, addr, dst, len);
}

int copy_out(struct task *t, uint64_t addr, const void *src, size_t len)
{
	return mm_copy_out(t->proc->mm, addr, src, len);
}

/* SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU,
 * SIGXFSZ, SIGSYS: the kernel's "terminate with core" set. The emulated
 * kernel always reports the core, whatever RLIMIT_CORE says (S6). */
bool sig_default_core(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return true;
	}
	return false;
}

void task_exit(struct task *t, int code)
{
	t->res->kind = SENTRY_EXITED;
	t->res->status = code & 0xff;
	t->exited = true;
}

/* The default action "terminate" (with core for the core set). */
void task_kill(struct task *t, int sig, const siginfo_t *si)
{
	trace_signal(t->trace, si, "default action: kill");
	bool core = sig_default_core(sig);
	trace_killed(t->trace, sig, core);
	t->res->kind = SENTRY_SIGNALED;
	t->res->status = sig;
	t->res->core = core;
	t->exited = true;
}

static void deliver_sync(struct task *t, int sig, int code, uint64_t addr, int trapno, uint64_t err)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_addr = (void *)addr;
	signal_force_fault(t, &si, trapno, err);
}

/* The trap number the kernel records for a fault reported as a signal
 * (sigcontext.trapno), from what the platform saw. */
static int trap_of(const siginfo_t *si)
{
	switch (si->si_signo) {
	case SIGILL: return 6;                                   /* #UD */
	case SIGFPE: return si->si_code == FPE_INTDIV || si->si_code == FPE_INTOVF ? 0 : 16;
	case SIGTRAP: return si->si_code == TRAP_TRACE ? 1 : 3;  /* #DB, #BP */
	case SIGBUS: return si->si_code == BUS_ADRALN ? 17 : 14; /* #AC */
	case SIGSEGV: return si->si_code == SI_KERNEL ? 13 : 14; /* #GP, #PF */
	}
	return 0;
}

/* Without CPUID faulting (AMD, most VMs) the guest sees the host's CPUID
 * directly; with it, the #GP comes here and the host's answer is given. */
static bool emulate_cpuid(struct task *t)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	unsigned char insn[2];
	if (copy_in(t, r->rip, insn, 2) != 0 || insn[0] != 0x0f || insn[1] != 0xa2)
		return false;
	unsigned a, b, c, d;
	__cpuid_count((unsigned)r->rax, (unsigned)r->rcx, a, b, c, d);
	r->rax = a, r->rbx = b, r->rcx = c, r->rdx = d;
	r->rip += 2;
	return true;
}

/* P16 left an execute fault at a vsyscall entry: emulate the call and the
 * ret the kernel would have done (S12). */
static bool emulate_vsyscall(struct task *t, uint64_t addr)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	uint64_t ret;
	if (addr < VSYSCALL_BASE || (addr - VSYSCALL_BASE) % 0x400 || addr - VSYSCALL_BASE > 0x800 ||
	    r->rip != addr || copy_in(t, r->rsp, &ret, 8) != 0)
		return false;
	uint64_t a[6] = { r->rdi, r->rsi, r->rdx };
	static const long nrs[] = { 96 /* gettimeofday */, 201 /* time */, 309 /* getcpu */ };
	long nr = nrs[(addr - VSYSCALL_BASE) / 0x400];
	long v = syscall_lookup(nr)(t, a);
	trace_note(t->trace, "vsyscall %s at %#lx = %ld", nr == 96 ? "gettimeofday" : nr == 201 ? "time" : "getcpu",
		   (unsigned long)addr, v);
	r->rax = (uint64_t)v;
	r->rip = ret;
	r->rsp += 8;
	return true;
}

static void on_fault(struct task *t, const struct plat_exit *ex)
{
	uint64_t addr = (uint64_t)ex->info.si_addr;
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	if (ex->info.si_code == SI_KERNEL) { /* #GP: not a page fault */
		if (ex->maybe_cpuid && emulate_cpuid(t))
			return;
		deliver_sync(t, SIGSEGV, SI_KERNEL, 0, 13, 0);
		return;
	}
	trace_fault(t->trace, addr, ex->access, r->rip);
	if ((ex->access & PLAT_ACCESS_EXEC) && emulate_vsyscall(t, addr))
		return;
	struct fault_action fa;
	int e = mm_fault(t->proc->mm, addr, ex->access, &fa);
	if (e) {
		snprintf(t->res->error, sizeof(t->res->error), "mapping %#lx for a fault: %s",
			 (unsigned long)addr, strerror(-e));
		t->res->kind = SENTRY_ERROR;
		t->exited = true;
		return;
	}
	/* The page-fault error code as far as P17 lets us know it: user, and
	 * present when the page exists but refuses the access. */
	uint64_t err = 4 | (ex->access & PLAT_ACCESS_WRITE ? 2 : 0) | (ex->access & PLAT_ACCESS_EXEC ? 16 : 0) |
		       (fa.code == SEGV_ACCERR ? 1 : 0);
	if (fa.signo)
		deliver_sync(t, fa.signo, fa.code, fa.addr, 14, err);
}

static void on_error(struct task *t, const struct plat_exit *ex)
{
	t->res->kind = SENTRY_ERROR;
	snprintf(t->res->error, sizeof(t->res->error), "platform: %s", ex->error);
	trace_note(t->trace, "platform error: %s", ex->error);
	t->exited = true;
}

void task_run(struct task *t)
{
	struct plat_exit ex;
	for (;;) {
		timers_poll(t);
		signal_deliver(t);
		if (t->exited)
			break;
		plat_switch(t->ctx, t->proc->as, &ex);
		switch (ex.kind) {
		case PLAT_EXIT_SYSCALL:
			syscall_dispatch(t);
			break;
		case PLAT_EXIT_FAULT:
			on_fault(t, &ex);
			break;
		case PLAT_EXIT_SIGNAL:
			/* S3: the kernel's own siginfo for SIGILL, SIGFPE, SIGTRAP, SIGBUS. */
			signal_force_fault(t, &ex.info, trap_of(&ex.info), 0);
			break;
		case PLAT_EXIT_INTERRUPT:
			break;
		case PLAT_EXIT_ERROR:
			on_error(t, &ex);
			break;
		}
	}
}
