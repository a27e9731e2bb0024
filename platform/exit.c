/* What a stop means, the same under both backends: which signals are
 * reported (P15, T6), the vsyscall rewrite (P16) and the last-fault record
 * that gives a fault its access kind (P17). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "platform/internal.h"

void exit_error(struct plat_exit *out, struct plat_as *as)
{
	out->kind = PLAT_EXIT_ERROR;
	out->stub_pid = as->pid;
	out->stub_status = as->dead_status;
	snprintf(out->error, sizeof(out->error), "%s",
		 as->error[0] ? as->error : "stub process died");
}

/* P15: the kernel's own signals (si_code > 0: faults, traps, SIGSYS) and
 * ours are reported; what other processes send is dropped, and the guest
 * never notices: it is resumed as if nothing had happened. */
bool exit_reportable(const siginfo_t *si, pid_t harness)
{
	return si->si_code > 0 || si->si_pid == harness;
}

/* P16: a vsyscall call trapped by the stub filter becomes an execute fault
 * at the vsyscall address: undo the kernel's emulated ret, so the guest's
 * state is what it was at the call. */
void exit_vsyscall_to_fault(struct user_regs_struct *r, siginfo_t *si)
{
	uintptr_t call = (uintptr_t)si->si_call_addr;
	r->rip = call;
	r->rsp -= 8;
	memset(si, 0, sizeof(*si));
	si->si_signo = SIGSEGV;
	si->si_code = SEGV_MAPERR;
	si->si_addr = (void *)call;
}

/* P17: ptrace hides the page-fault error code. A fault at rip is an
 * execute; the same fault again right after the harness mapped the page
 * must have been a write. The seccomp-trap backend knows better
 * (exact_access) but keeps this view too, so that the sentry pages the
 * same way, and so writes the same traces, under both. */
void exit_classify_fault(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out)
{
	uintptr_t addr = (uintptr_t)out->info.si_addr, rip = ctx->regs.rip;
	out->access = PLAT_ACCESS_READ;
	if (addr == rip)
		out->access |= PLAT_ACCESS_EXEC;
	pthread_mutex_lock(&ctx->mu);
	if (ctx->fault_as == as && ctx->fault_addr == addr && ctx->fault_rip == rip)
		out->access |= PLAT_ACCESS_WRITE;
	ctx->fault_as = as;
	ctx->fault_addr = addr;
	ctx->fault_rip = rip;
	pthread_mutex_unlock(&ctx->mu);
	/* A faulted CPUID is a #GP that ptrace cannot tell from other
	 * SIGSEGVs; without P27's option no CPUID can fault. */
	out->maybe_cpuid = as->plat->opts.cpuid_faulting;
}

void exit_forget_fault(struct plat_ctx *ctx)
{
	pthread_mutex_lock(&ctx->mu);
	ctx->fault_as = NULL;
	pthread_mutex_unlock(&ctx->mu);
}

void exit_discard(struct plat_as *as, const siginfo_t *si)
{
	as_emit(as, &(struct plat_event){ .kind = PLAT_EV_SIGNAL_DISCARDED, .info = si });
}
