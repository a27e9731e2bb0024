/* The run loop of one task: switch into the guest, serve what comes back
 * (S3 faults, S10-S12 syscalls, S6 default signal actions). */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <time.h>

#include "harness/sentry/fault_decode.h"
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

/* exit(2): the thread goes; the last one takes the process with it. */
void task_exit(struct task *t, int code)
{
	struct proc *p = t->proc;
	if (p->ntasks == 1 && !p->exiting) {
		p->exiting = true;
		p->exit_status = (code & 0xff) << 8;
	}
	t->exited = true;
}

/* The default action "terminate" (with core for the core set) kills the
 * whole process (S6). */
void task_kill(struct task *t, int sig, const siginfo_t *si)
{
	struct proc *p = t->proc;
	trace_signal(t->trace, si, "default action: kill");
	/* wait4's core bit says a core was written, which needs RLIMIT_CORE;
	 * the case result reports the default action itself (S6). */
	bool dumps = linux_sig_default_core(sig) && p->rlim[RLIMIT_CORE].rlim_cur > 0;
	if (!p->exiting)
		p->core_action = linux_sig_default_core(sig);
	proc_exit_group(p, sig | (dumps ? 0x80 : 0));
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
static int trap_of(struct task *t, const siginfo_t *si)
{
	switch (si->si_signo) {
	case SIGILL: return 6; /* #UD */
	case SIGFPE:           /* #DE, else #MF or #XM */
		return si->si_code == FPE_INTDIV || si->si_code == FPE_INTOVF ? 0
									      : fault_fpe_trapno(t);
	case SIGTRAP: /* int3 is SI_KERNEL; single-step, icebp, DR hits are #DB */
		return si->si_code == SI_KERNEL ? 3 : 1;
	case SIGBUS: /* #AC; SI_KERNEL: #SS (a non-canonical stack access; #NP is not told apart) */
		return si->si_code == BUS_ADRALN ? 17 : si->si_code == SI_KERNEL ? 12 : 14;
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

/* S12: without IA32 emulation int 0x80 is a #GP; the sentry answers it
 * as an unknown syscall, -ENOSYS, and the guest goes on. */
static bool emulate_int80(struct task *t)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	unsigned char insn[2];
	if (copy_in(t, r->rip, insn, 2) != 0 || insn[0] != 0xcd || insn[1] != 0x80)
		return false;
	trace_note(
		t->trace,
		"int 0x80 (32-bit syscall eax=%ld) = -1 ENOSYS (Function not implemented) [not emulated]",
		(long)(uint32_t)r->rax);
	r->rax = (uint64_t)-ENOSYS;
	r->rip += 2;
	return true;
}

/* P16 left an execute fault at a vsyscall entry: emulate the call and the
 * ret the kernel would have done (S12). */
static bool emulate_vsyscall(struct task *t, uint64_t addr)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	uint64_t ret;
	if (addr < VSYSCALL_BASE || (addr - VSYSCALL_BASE) % 0x400 ||
	    addr - VSYSCALL_BASE > 0x800 || r->rip != addr || copy_in(t, r->rsp, &ret, 8) != 0)
		return false;
	uint64_t a[6] = { r->rdi, r->rsi, r->rdx };
	static const long nrs[] = { 96 /* gettimeofday */, 201 /* time */, 309 /* getcpu */ };
	long nr = nrs[(addr - VSYSCALL_BASE) / 0x400];
	long v = syscall_lookup(nr)(t, a);
	/* The value is the virtual clock: traces show only how it went. */
	trace_note(t->trace, "vsyscall %s at %#lx %s",
		   nr == 96    ? "gettimeofday"
		   : nr == 201 ? "time"
			       : "getcpu",
		   (unsigned long)addr, v == -EFAULT ? "faults" : "done");
	if (v == -EFAULT) {
		/* Linux: a bad pointer gets SIGSEGV at the pointer, and the ret is
		 * not emulated (the guest stays at the vsyscall entry). */
		uint64_t bad = a[0], probe;
		/* gettimeofday and getcpu have two pointers: the first is the
		 * culprit unless it can be written (read it, write it back). */
		if (nr != 201 && copy_in(t, a[0], &probe, 8) == 0 &&
		    copy_out(t, a[0], &probe, 8) == 0)
			bad = a[1];
		deliver_sync(t, SIGSEGV, SEGV_MAPERR, bad, 14, 6);
		return true;
	}
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
		if (emulate_int80(t))
			return;
		int trapno;
		uint64_t err;
		fault_gp_info(t, &trapno, &err);
		deliver_sync(t, SIGSEGV, SI_KERNEL, 0, trapno, err);
		return;
	}
	trace_fault(t->trace, addr, ex->access, r->rip);
	if ((ex->access & PLAT_ACCESS_EXEC) && emulate_vsyscall(t, addr))
		return;
	struct fault_action fa;
	int e = mm_fault(t->proc->mm, addr, ex->access, &fa);
	if (e) {
		struct kernel *k = t->proc->k;
		snprintf(k->res->error, sizeof(k->res->error), "mapping %#lx for a fault: %s",
			 (unsigned long)addr, strerror(-e));
		k->res->kind = SENTRY_ERROR;
		kernel_end(k);
		return;
	}
	/* The page-fault error code: user; write and fetch as the platform
	 * knows them, exactly when it read them from the hardware's error
	 * code (exact_access, T4), else as far as P17 lets it know; present
	 * when the page exists but refuses the access. Demand paging and the
	 * trace above keep P17's view, which both backends give alike. */
	unsigned acc = ex->exact_access ? ex->exact_access : ex->access;
	uint64_t err = 4 | (acc & PLAT_ACCESS_WRITE ? 2 : 0) | (acc & PLAT_ACCESS_EXEC ? 16 : 0) |
		       (fa.code == SEGV_ACCERR ? 1 : 0);
	if (fa.signo)
		deliver_sync(t, fa.signo, fa.code, fa.addr, 14, err);
}

static void on_error(struct task *t, const struct plat_exit *ex)
{
	struct kernel *k = t->proc->k;
	if (!k->res->error[0])
		snprintf(k->res->error, sizeof(k->res->error), "platform: %s", ex->error);
	trace_note(t->trace, "platform error: %s", ex->error);
	k->res->kind = SENTRY_ERROR;
	t->exited = true;
	kernel_end(k);
}

void kernel_wake(struct kernel *k)
{
	pthread_cond_broadcast(&k->cv);
}

bool task_must_stop(struct task *t)
{
	return t->exited || t->proc->exiting || t->proc->k->ending;
}

int task_wait(struct task *t, uint64_t host_deadline)
{
	struct kernel *k = t->proc->k;
	if (signal_pending(t) || task_must_stop(t))
		return -EINTR;
	if (host_deadline && host_now_ns() >= host_deadline)
		return -ETIMEDOUT;
	int r;
	if (host_deadline) {
		struct timespec ts = { (time_t)(host_deadline / 1000000000ULL),
				       (long)(host_deadline % 1000000000ULL) };
		r = pthread_cond_timedwait(&k->cv, &k->mu, &ts);
	} else {
		r = pthread_cond_wait(&k->cv, &k->mu);
	}
	if (signal_pending(t) || task_must_stop(t))
		return -EINTR;
	return r == ETIMEDOUT ? -ETIMEDOUT : 0;
}

/* One exit of plat_switch, with the kernel lock held. */
static void on_exit_of_switch(struct task *t, struct plat_exit *ex)
{
	switch (ex->kind) {
	case PLAT_EXIT_SYSCALL: syscall_dispatch(t); break;
	case PLAT_EXIT_FAULT: on_fault(t, ex); break;
	case PLAT_EXIT_SIGNAL:
		/* S3: the kernel's own siginfo for SIGILL, SIGFPE, SIGTRAP, SIGBUS. */
		signal_force_fault(t, &ex->info, trap_of(t, &ex->info), 0);
		break;
	case PLAT_EXIT_INTERRUPT: break;
	case PLAT_EXIT_ERROR: on_error(t, ex); break;
	}
}

/* The life of a task, kernel lock held on entry and on return. */
void task_run(struct task *t)
{
	struct kernel *k = t->proc->k;
	struct plat_exit ex;
	for (;;) {
		signal_deliver(t);
		if (task_must_stop(t))
			break;
		t->in_guest = true;
		pthread_mutex_unlock(&k->mu);
		plat_switch(t->ctx, t->proc->as, &ex);
		pthread_mutex_lock(&k->mu);
		t->in_guest = false;
		on_exit_of_switch(t, &ex);
	}
	proc_task_gone(t);
	/* Unlinked now: nobody can send it a signal any more. (k, not
	 * t->proc->k: proc_task_gone may have freed the process.) */
	signal_queue_free(k, &t->pending_q);
}

static void *task_thread(void *arg)
{
	struct task *t = arg;
	struct kernel *k = t->proc->k;
	pthread_mutex_lock(&k->mu);
	task_run(t);
	k->running--;
	kernel_wake(k);
	pthread_mutex_unlock(&k->mu);
	/* The context goes with the thread that switched it (platform.h). */
	plat_ctx_release(t->ctx);
	trace_free(t->trace);
	free(t);
	return NULL;
}

/* A new task of p, its registers and FP state copied from parent (clone,
 * fork) when there is one. Kernel lock held. */
struct task *task_new(struct proc *p, struct task *parent)
{
	struct kernel *k = p->k;
	struct task *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ctx = plat_ctx_new(k->cfg->plat);
	if (!t->ctx) {
		free(t);
		return NULL;
	}
	t->proc = p;
	t->tid = k->next_pid++;
	t->restart_nr = -1;
	t->trace = trace_new(k->cfg->trace);
	trace_set_full(t->trace, k->fs != NULL);
	if (p != k->init || p->ntasks) {
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "[pid %d] ", t->tid);
		trace_set_prefix(t->trace, prefix);
	}
	if (parent) {
		*plat_ctx_regs(t->ctx) = *plat_ctx_regs(parent->ctx);
		void *src = plat_ctx_fpstate(parent->ctx, false),
		     *dst = plat_ctx_fpstate(t->ctx, true);
		if (src && dst)
			memcpy(dst, src, plat_fpstate_size());
		t->sigmask = parent->sigmask;
		t->altstack = parent->altstack;
	}
	t->next = p->tasks;
	p->tasks = t;
	p->ntasks++;
	return t;
}

int task_start(struct task *t)
{
	struct kernel *k = t->proc->k;
	/* Joinable: the case ends only when every task thread is gone for
	 * good, its stub threads released by the kernel, so that the platform
	 * never waits on a stub whose tracer is still exiting. */
	if (k->nthreads == k->cap_threads) {
		size_t cap = k->cap_threads ? 2 * k->cap_threads : 16;
		pthread_t *v = realloc(k->threads, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		k->threads = v;
		k->cap_threads = cap;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	int e = pthread_create(&t->thread, &attr, task_thread, t);
	pthread_attr_destroy(&attr);
	if (!e) {
		k->running++;
		k->threads[k->nthreads++] = t->thread;
	}
	return -e;
}
