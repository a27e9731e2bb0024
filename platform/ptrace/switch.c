/* P10-P17: running guest code until the next event. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "platform/ptrace/ptrace.h"

#define X86_EFLAGS_TF 0x100
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

/* P12: a guest must not reach 32-bit mode (or any other segment) through
 * the state we write back, so the selectors are always the stub's own. */
static void force_selectors(struct user_regs_struct *r, const struct user_regs_struct *init)
{
	r->cs = init->cs;
	r->ss = init->ss;
	r->ds = init->ds;
	r->es = init->es;
	r->fs = init->fs;
	r->gs = init->gs;
}

/* The offset of the one 8-byte register in which a and b differ; -1 when
 * none does, -2 when several do. */
static long one_changed(const struct user_regs_struct *a, const struct user_regs_struct *b)
{
	const unsigned long long *x = (const void *)a, *y = (const void *)b;
	long which = -1;
	for (size_t i = 0; i < sizeof(*a) / sizeof(*x); i++) {
		if (x[i] == y[i])
			continue;
		if (which != -1)
			return -2;
		which = (long)(i * sizeof(*x));
	}
	return which;
}

/* Ours (P13, lazy): the registers go to the kernel only when they differ
 * from what it holds. When one register alone differs (the result in rax,
 * after most syscalls), PTRACE_POKEUSER writes just that one: the kernel
 * runs the same putreg() for it that SETREGSET runs for each of the 27,
 * and rewriting an unchanged register is a no-op there, so the outcome is
 * the same at a lower price (bench/README.md has the figures). Two or more
 * go in one SETREGSET, which is cheaper than two pokes. */
static int regs_in_lazy(struct plat_ctx *ctx, struct stub_thread *t)
{
	long off = t->kregs_valid ? one_changed(&t->kregs, &ctx->regs) : -2;
	if (off == -1)
		return 0;
	if (off >= 0) {
		unsigned long long v = *(unsigned long long *)((char *)&ctx->regs + off);
		if (ptrace(PTRACE_POKEUSER, t->tid, (void *)off, (void *)v) != 0)
			return -1;
	} else if (pt_setregs(t->tid, &ctx->regs) != 0) {
		return -1;
	}
	t->kregs = ctx->regs;
	t->kregs_valid = true;
	return 0;
}

/* P13, lazy: general registers as above; the FP state only when it is not
 * already resident in this stub thread or was changed by the harness. */
static int state_in_lazy(struct plat_ctx *ctx, struct stub_thread *t)
{
	if (regs_in_lazy(ctx, t) != 0)
		return -1;
	bool resident = ctx->fp_home == t && atomic_load(&t->fp_owner) == ctx;
	if (resident && !ctx->fp_dirty)
		return 0;
	if (!ctx->fp_local_valid && fp_pull_from_home(ctx) != 0)
		return -2;
	if (atomic_load(&t->fp_owner) != ctx)
		ctx_evict_fp(t);
	if (pt_setfp(t->tid, ctx->fp) != 0)
		return -1;
	if (ctx->fp_home && ctx->fp_home != t) {
		struct plat_ctx *expect = ctx;
		atomic_compare_exchange_strong(&ctx->fp_home->fp_owner, &expect, NULL);
	}
	atomic_store(&t->fp_owner, ctx);
	ctx->fp_home = t;
	ctx->fp_dirty = false;
	return 0;
}

/* gVisor's way: everything, both directions, every time. */
static int state_in_full(struct plat_ctx *ctx, struct stub_thread *t)
{
	if (!ctx->fp_local_valid && fp_pull_from_home(ctx) != 0)
		return -2;
	if (pt_setregs(t->tid, &ctx->regs) != 0 || pt_setfp(t->tid, ctx->fp) != 0)
		return -1;
	t->kregs_valid = false;
	ctx->fp_dirty = false;
	return 0;
}

static int state_out(struct plat_ctx *ctx, struct stub_thread *t, bool full)
{
	if (pt_getregs(t->tid, &ctx->regs) != 0)
		return -1;
	if (full) {
		if (pt_getfp(t->tid, ctx->fp) != 0)
			return -1;
		ctx->fp_local_valid = true;
		return 0;
	}
	t->kregs = ctx->regs;
	t->kregs_valid = true;
	ctx->fp_local_valid = false; /* the guest may have changed it */
	return 0;
}

/* One stop that is not a syscall: 1 if reported (out filled), 0 if the
 * guest should simply be resumed, -1 on a ptrace failure. */
static int signal_stop(struct plat_ctx *ctx, struct plat_as *as, struct stub_thread *t, int sig,
		       struct plat_exit *out)
{
	if (sig == SIGSTOP)
		return 0; /* group-stop noise or a SIGSTOP from outside (P9, P14) */
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &out->info) != 0)
		return errno == EINVAL ? 0 : -1; /* EINVAL: a group-stop */
	if (!exit_reportable(&out->info, as->plat->harness_pid)) {
		/* SIGCHLD is a standard signal: while one is pending for the
		 * thread, the kernel drops another instead of queueing it. So
		 * plat_interrupt's tgkill is lost whenever someone else's
		 * SIGCHLD is already pending, and this stop (theirs) is the
		 * only one we get. plat_interrupt sets the flag before its
		 * tgkill, so if the tgkill was dropped the flag is already
		 * visible here (P19; hammer/p20_p19_storm_and_interrupts). */
		if (out->info.si_signo != SIGCHLD || !atomic_load(&ctx->interrupt_pending)) {
			exit_discard(as, &out->info);
			return 0;
		}
		out->info.si_pid = as->plat->harness_pid;
	}
	if (state_out(ctx, t, as->plat->opts.full_state) != 0)
		return -1;
	if (out->info.si_signo == SIGSYS && out->info.si_code == SYS_SECCOMP)
		exit_vsyscall_to_fault(&ctx->regs, &out->info);
	if (out->info.si_signo == SIGSEGV) {
		out->kind = PLAT_EXIT_FAULT;
		exit_classify_fault(ctx, as, out);
		return 1;
	}
	exit_forget_fault(ctx);
	out->kind = out->info.si_signo == SIGCHLD && out->info.si_code <= 0 ? PLAT_EXIT_INTERRUPT
									    : PLAT_EXIT_SIGNAL;
	if (out->kind == PLAT_EXIT_INTERRUPT)
		atomic_store(&ctx->interrupt_pending, 0);
	return 1;
}

/* P6, escape check: the stub filter's gate (filter.c) stopped a host
 * syscall made from outside the stub page, which only guest code resumed
 * by mistake can do. It is counted (plat_escapes(), checked by the harness
 * after every case), skipped (orig_rax -1 before the thread moves again)
 * and reported as an error: the platform itself is broken. */
static int escape_stop(struct plat_as *as, struct stub_thread *t, struct plat_exit *out)
{
	struct user_regs_struct r;
	atomic_fetch_add(&as->plat->escapes, 1);
	if (pt_getregs(t->tid, &r) != 0)
		return -1;
	out->kind = PLAT_EXIT_ERROR;
	out->stub_pid = as->pid;
	snprintf(
		out->error, sizeof(out->error),
		"P6 escape: stub thread %d made host syscall %lld at %#llx outside the injection path",
		t->tid, (long long)r.orig_rax, r.rip);
	r.orig_rax = (unsigned long long)-1;
	t->kregs_valid = false;
	return pt_setregs(t->tid, &r) != 0 ? -1 : 0;
}

#ifdef PLAT_TESTING
/* Test-only: while set, guest code is resumed with PTRACE_CONT, as a broken
 * platform might, so that a guest syscall runs on the host (escape test). */
atomic_bool plat_test_resume_cont;
#define RESUME_REQ(tf)                                                  \
	(atomic_load(&plat_test_resume_cont) ? PTRACE_CONT              \
	 : (tf)                              ? PTRACE_SYSEMU_SINGLESTEP \
					     : PTRACE_SYSEMU)
#else
#define RESUME_REQ(tf) ((tf) ? PTRACE_SYSEMU_SINGLESTEP : PTRACE_SYSEMU)
#endif

/* P14: run until a stop worth reporting. */
static int run(struct plat_ctx *ctx, struct plat_as *as, struct stub_thread *t,
	       struct plat_exit *out)
{
	for (;;) {
		int req = RESUME_REQ(ctx->regs.eflags & X86_EFLAGS_TF);
		int status;
		if (ptrace(req, t->tid, 0, 0) != 0)
			return as_check_thread_death(t, -1, "resuming guest code");
		if (pt_wait(t->tid, &status) != 0)
			return as_check_thread_death(t, -1, "running guest code");
		if (!WIFSTOPPED(status) || (status >> 16) == PTRACE_EVENT_EXIT)
			return as_check_thread_death(t, status, "running guest code");
		int sig = WSTOPSIG(status);
		if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8)))
			return escape_stop(as, t, out)
				       ? as_check_thread_death(t, -1, "stopping an escape")
				       : 0;
		if (sig == (SIGTRAP | 0x80)) {
			if (state_out(ctx, t, as->plat->opts.full_state) != 0)
				return as_check_thread_death(t, -1, "reading syscall registers");
			ctx->regs.rax = ctx->regs.orig_rax;
			exit_forget_fault(ctx);
			out->kind = PLAT_EXIT_SYSCALL;
			return 0;
		}
		int r = signal_stop(ctx, as, t, sig, out);
		if (r < 0)
			return as_check_thread_death(t, -1, "reading a signal stop");
		if (r > 0)
			return 0;
	}
}

/* After plat_switch's P11 check (platform.c). */
void pt_run(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out)
{
	int err;
	struct stub_thread *t = atomic_load(&as->dead) ? NULL : tpool_get(as, &as->sysemu, &err);
	if (!t) {
		exit_error(out, as);
		return;
	}
	/* Publish "running" before looking at the flag again: an interrupt
	 * that raced with us is then either seen here or signalled (P19). */
	atomic_store(&ctx->running_pid, as->pid);
	atomic_store(&ctx->running_tid, t->tid);
	int r = 0;
	if (atomic_exchange(&ctx->interrupt_pending, 0)) {
		out->kind = PLAT_EXIT_INTERRUPT;
		goto done;
	}
	if (!as->plat->opts.no_cpu_binding)
		cpu_bind(t->tid, &t->bound_cpu);
	force_selectors(&ctx->regs, &t->init_regs);
	r = as->plat->opts.full_state ? state_in_full(ctx, t) : state_in_lazy(ctx, t);
	if (r == -2) {
		out->kind = PLAT_EXIT_ERROR;
		snprintf(out->error, sizeof(out->error),
			 "the guest's FP state was lost with the stub thread that held it");
		goto done;
	}
	r = r ? as_check_thread_death(t, -1, "writing guest state") : run(ctx, as, t, out);
	if (r < 0)
		exit_error(out, as);
done:
	atomic_store(&ctx->running_tid, 0);
}
