/* S6 and S7: pending signals, delivery with a real x86-64 frame, default
 * actions, rt_sigreturn, and Linux's restart rules for interrupted calls. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "harness/sentry/fpvalid.h"
#include "harness/sentry/kernel.h"
#include "harness/sentry/sigframe.h"
#include "harness/sentry/trace.h"

#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define IGNORE_MASK (SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGCONT))
#define STOP_MASK (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define KSIG_DFL 0
#define KSIG_IGN 1
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static bool ignored(struct task *t, int sig)
{
	uint64_t h = t->proc->act[sig - 1].handler;
	return h == KSIG_IGN || (h == KSIG_DFL && (IGNORE_MASK & SIGBIT(sig)));
}

/* P19: a task in guest code is reached through the platform's interrupt,
 * never by waiting for its next syscall; a sleeping one is woken. */
static void kick(struct task *t)
{
	if (t->in_guest)
		plat_interrupt(t->ctx);
	kernel_wake(t->proc->k);
}

/* Linux drops an ignored signal at once unless it is blocked (a blocked
 * one stays pending: the handler may change before it is unblocked). */
int signal_send(struct task *t, const siginfo_t *si)
{
	int sig = si->si_signo;
	if (sig < 1 || sig > LINUX_NSIG)
		return 0;
	if (ignored(t, sig) && !(t->sigmask & SIGBIT(sig))) {
		trace_signal(t->trace, si, "ignored");
		return 0;
	}
	int e = sigqueue_task(t, si);
	if (e)
		return e;
	if (sig == SIGKILL)
		proc_exit_group(t->proc, SIGKILL);
	kick(t);
	return 0;
}

/* complete_signal: a process-directed signal waits in the shared set and
 * one task that does not block it is told. */
int signal_send_proc(struct proc *p, const siginfo_t *si)
{
	int sig = si->si_signo;
	struct task *first = p->tasks;
	if (sig < 1 || sig > LINUX_NSIG || !first || p->exiting)
		return 0;
	/* SIGCONT continues a stopped process when it is sent, whatever its
	 * disposition, and discards pending stop signals (and vice versa),
	 * from the shared set and every thread's (prepare_signal). */
	if (sig == SIGCONT) {
		signal_discard(p, STOP_MASK);
		proc_continue(p);
	} else if (STOP_MASK & SIGBIT(sig)) {
		signal_discard(p, SIGBIT(SIGCONT));
	}
	bool blocked_by_all = true;
	for (struct task *t = p->tasks; t; t = t->next)
		blocked_by_all &= (t->sigmask & SIGBIT(sig)) != 0;
	if (ignored(first, sig) && !blocked_by_all) {
		trace_signal(first->trace, si, "ignored");
		return 0;
	}
	int e = sigqueue_proc(p, si);
	if (e)
		return e;
	if (sig == SIGKILL) {
		proc_exit_group(p, SIGKILL);
		return 0;
	}
	for (struct task *t = p->tasks; t; t = t->next)
		if (!(t->sigmask & SIGBIT(sig))) {
			kick(t);
			break;
		}
	return 0;
}

/* force_sig_fault: a synchronous fault cannot be blocked or ignored; if it
 * is, the kernel restores the default action so that it kills. The error
 * code, trap number and cr2 go into the frame's sigcontext. */
void signal_force_fault(struct task *t, const siginfo_t *si, int trapno, uint64_t err)
{
	int sig = si->si_signo;
	struct k_sigaction *ka = &t->proc->act[sig - 1];
	if ((t->sigmask & SIGBIT(sig)) || ka->handler == KSIG_IGN)
		ka->handler = KSIG_DFL;
	t->sigmask &= ~SIGBIT(sig);
	t->trapno = (uint64_t)trapno;
	t->err = err;
	if (trapno == 14)
		t->cr2 = (uint64_t)si->si_addr;
	sigqueue_task(t, si); /* kernel si_code: never over the limit */
}

/* force_sig_info_to_task: a blocked or ignored signal gets its default
 * action back (and is unblocked), so it cannot be escaped. */
void signal_force(struct task *t, const siginfo_t *si)
{
	int sig = si->si_signo;
	struct k_sigaction *ka = &t->proc->act[sig - 1];
	if ((t->sigmask & SIGBIT(sig)) || ka->handler == KSIG_IGN)
		ka->handler = KSIG_DFL;
	t->sigmask &= ~SIGBIT(sig);
	sigqueue_task(t, si);
}

bool signal_pending(struct task *t)
{
	return ((t->pending | t->proc->shared_pending) & ~t->sigmask) != 0;
}

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

/* __on_sig_stack(): the address range alone. */
static bool in_altstack(struct task *t, uint64_t sp)
{
	return t->altstack.size && sp > t->altstack.sp && sp - t->altstack.sp <= t->altstack.size;
}

/* on_sig_stack(): with SS_AUTODISARM the task is never "on" it. */
static bool on_altstack(struct task *t, uint64_t sp)
{
	return !((unsigned)t->altstack.flags & SS_AUTODISARM) && in_altstack(t, sp);
}

static void fill_mcontext(struct task *t, struct k_sigcontext *sc, uint64_t mask, uint64_t fp)
{
	const struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	*sc = (struct k_sigcontext){
		r->r8,           r->r9,  r->r10,    r->r11,    r->r12,          r->r13, r->r14,
		r->r15,          r->rdi, r->rsi,    r->rbp,    r->rbx,          r->rdx, r->rax,
		r->rcx,          r->rsp, r->rip,    r->eflags, (uint16_t)r->cs, 0,      0,
		(uint16_t)r->ss, t->err, t->trapno, mask,      t->cr2,          fp,     { 0 },
	};
}

/* The FP image in the frame: the XSAVE layout the host uses, with the
 * software bytes and the second magic that tell a reader its extent. */
static int write_fpstate(struct task *t, uint64_t addr)
{
	size_t size = plat_fpstate_size();
	const unsigned char *src = plat_ctx_fpstate(t->ctx, false);
	unsigned char img[16384 + 4];
	if (!src || size > 16384)
		return -EFAULT;
	memcpy(img, src, size);
	if (plat_probe()->has_xsave) {
		uint32_t m1 = FP_XSTATE_MAGIC1, ext = (uint32_t)size + 4, xsize = (uint32_t)size;
		uint32_t m2 = FP_XSTATE_MAGIC2;
		uint64_t xfeatures;
		/* The ptrace image keeps XCR0 in the first software word
		 * (USER_XSTATE_XCR0_WORD); the signal frame wants the
		 * feature mask after magic1 and extended_size. */
		memcpy(&xfeatures, img + FP_SW_BYTES_OFFSET, 8);
		memcpy(img + FP_SW_BYTES_OFFSET + 8, &xfeatures, 8);
		memcpy(img + FP_SW_BYTES_OFFSET, &m1, 4);
		memcpy(img + FP_SW_BYTES_OFFSET + 4, &ext, 4);
		memcpy(img + FP_SW_BYTES_OFFSET + 16, &xsize, 4);
		memcpy(img + size, &m2, 4);
		size += 4;
	}
	return copy_out(t, addr, img, size);
}

/* After saving it, the kernel gives the handler a clean FP state. */
static void fp_reset(struct task *t)
{
	plat_ctx_fpstate_reset(t->ctx);
}

/* get_sigframe and setup_rt_frame of arch/x86/kernel/signal*.c. */
static int setup_frame(struct task *t, int sig, struct k_sigaction *ka, const siginfo_t *si)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	uint64_t sp = r->rsp - 128; /* the red zone */
	bool alt = on_altstack(t, r->rsp);
	if ((ka->flags & SA_ONSTACK) && t->altstack.size && !alt) {
		sp = t->altstack.sp + t->altstack.size;
		alt = true;
	}
	size_t fpsize = plat_fpstate_size() + (plat_probe()->has_xsave ? 4 : 0);
	uint64_t fpaddr = (sp - fpsize) & ~63ULL;
	uint64_t frame = (((fpaddr - sizeof(struct k_rt_sigframe)) + 8) & ~15ULL) - 8;
	if (alt && !in_altstack(t, frame + 1))
		return -EFAULT; /* the alternate stack overflowed */
	if (!(ka->flags & SA_RESTORER))
		return -EFAULT; /* x86-64 has no vDSO trampoline here */
	uint64_t mask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
	struct k_rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS |
			(plat_probe()->has_xsave ? UC_FP_XSTATE : 0);
	/* unsafe_save_altstack: the task's own sas_ss_flags, never
	 * SS_ONSTACK; then SS_AUTODISARM disarms it for the handler. */
	f.uc.uc_stack = (struct k_stack){ t->altstack.sp, t->altstack.flags, 0, t->altstack.size };
	fill_mcontext(t, &f.uc.uc_mcontext, mask, fpaddr);
	f.uc.uc_sigmask = mask;
	f.info = *si;
	if (write_fpstate(t, fpaddr) || copy_out(t, frame, &f, sizeof(f)))
		return -EFAULT;
	r->rdi = (uint64_t)sig;
	r->rsi = frame + offsetof(struct k_rt_sigframe, info);
	r->rdx = frame + offsetof(struct k_rt_sigframe, uc);
	r->rax = 0;
	r->rsp = frame;
	r->rip = ka->handler;
	r->eflags &= ~(uint64_t)(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF);
	r->orig_rax = (uint64_t)-1;
	fp_reset(t);
	if ((unsigned)t->altstack.flags & SS_AUTODISARM)
		t->altstack.sp = 0, t->altstack.size = 0, t->altstack.flags = SS_DISABLE;
	return 0;
}

/* S7 with a handler about to run: handle_signal's rules. */
static void restart_for_handler(struct task *t, struct k_sigaction *ka)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	long err = (long)r->rax;
	if (err == -ERESTART_RESTARTBLOCK || err == -ERESTARTNOHAND ||
	    (err == -ERESTARTSYS && !(ka->flags & SA_RESTART))) {
		r->rax = (uint64_t)-EINTR;
	} else if (err == -ERESTARTSYS || err == -ERESTARTNOINTR) {
		r->rax = (uint64_t)t->restart_nr;
		r->rip -= 2;
		trace_note(t->trace, "restart %s after the handler",
			   err == -ERESTARTSYS ? "(SA_RESTART)" : "(ERESTARTNOINTR)");
	}
	t->restart_nr = -1;
}

/* S7 with no handler run: every code restarts; a restart block through
 * restart_syscall. */
static void restart_without_handler(struct task *t)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	long err = (long)r->rax;
	if (err == -ERESTART_RESTARTBLOCK)
		r->rax = SYS_restart_syscall;
	else
		r->rax = (uint64_t)t->restart_nr;
	r->rip -= 2;
	t->restart_nr = -1;
}

static bool deliver_one(struct task *t, int sig, siginfo_t si)
{
	struct k_sigaction *ka = &t->proc->act[sig - 1];
	if (ka->handler == KSIG_IGN || (ka->handler == KSIG_DFL && (IGNORE_MASK & SIGBIT(sig))))
		return false;
	if (ka->handler == KSIG_DFL && (STOP_MASK & SIGBIT(sig))) {
		trace_signal(t->trace, &si, "default action: stop");
		proc_stop(t->proc, sig);
		return false;
	}
	if (ka->handler == KSIG_DFL) {
		task_kill(t, sig, &si);
		return true;
	}
	trace_signal(t->trace, &si, "delivered");
	if (t->restart_nr >= 0)
		restart_for_handler(t, ka);
	if (setup_frame(t, sig, ka, &si)) {
		/* force_sigsegv: a frame that cannot be written forces SIGSEGV;
		 * for SIGSEGV itself that is fatal, for another signal the
		 * SIGSEGV may still be caught (on an alternate stack). */
		siginfo_t segv = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };
		if (sig == SIGSEGV) {
			task_kill(t, SIGSEGV, &segv);
			return true;
		}
		signal_force(t, &segv);
		return false;
	}
	t->restore_sigmask = false;
	t->sigmask |= ka->mask | ((ka->flags & SA_NODEFER) ? 0 : SIGBIT(sig));
	t->sigmask &= ~UNBLOCKABLE;
	if (ka->flags & SA_RESETHAND)
		ka->handler = KSIG_DFL;
	return false;
}

/* Called before every return to the guest: one frame per pending
 * unblocked signal (they nest, as on Linux), then the restart rules for a
 * call that no handler interrupted. */
void signal_deliver(struct task *t)
{
	int sig;
	siginfo_t si;
	for (;;) {
		/* A stopped process's tasks wait here for SIGCONT or SIGKILL. */
		while (t->proc->stopped && !task_must_stop(t))
			pthread_cond_wait(&t->proc->k->cv, &t->proc->k->mu);
		if (task_must_stop(t) || !(sig = signal_dequeue(t, ~t->sigmask, &si)))
			break;
		if (deliver_one(t, sig, si))
			return;
	}
	if (t->restart_nr >= 0)
		restart_without_handler(t);
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
}

void signal_restart_after(struct task *t, long ret)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	bool restartable = ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
			   ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK;
	t->restart_nr = restartable ? (long)r->orig_rax : -1;
}

static int restore_fp(struct task *t, uint64_t addr)
{
	unsigned char *fp = plat_ctx_fpstate(t->ctx, true);
	size_t size = plat_fpstate_size();
	if (!fp)
		return -EFAULT;
	if (!addr) {
		fp_reset(t);
		return 0;
	}
	uint32_t m1 = 0, m2 = 0;
	if (copy_in(t, addr, fp, size))
		return -EFAULT;
	memcpy(&m1, fp + FP_SW_BYTES_OFFSET, 4);
	if (plat_probe()->has_xsave &&
	    (m1 != FP_XSTATE_MAGIC1 || copy_in(t, addr + size, &m2, 4) || m2 != FP_XSTATE_MAGIC2)) {
		/* No extended state: only the legacy FXSAVE part counts. */
		uint64_t bv = 3;
		memset(fp + 512, 0, size - 512);
		memcpy(fp + 512, &bv, 8);
	}
	return fp_image_valid(fp, size, plat_probe()->has_xsave) ? 0 : -EFAULT;
}

long sys_rt_sigreturn(struct task *t, const uint64_t *a)
{
	(void)a;
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	struct k_ucontext uc;
	/* Always make any pending restarted system call return -EINTR. */
	t->restart.fn = NULL;
	if (copy_in(t, r->rsp - 8 + offsetof(struct k_rt_sigframe, uc), &uc, sizeof(uc)) ||
	    restore_fp(t, uc.uc_mcontext.fpstate)) {
		/* badframe: signal_fault() forces SIGSEGV; the call returns 0. */
		siginfo_t segv = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };
		signal_force(t, &segv);
		return 0;
	}
	/* restore_altstack() runs while rsp is still the frame's: a handler
	 * on the alternate stack cannot replace it (EPERM, ignored). */
	bool was_on = on_altstack(t, r->rsp);
	const struct k_sigcontext *sc = &uc.uc_mcontext;
	r->r8 = sc->r8, r->r9 = sc->r9, r->r10 = sc->r10, r->r11 = sc->r11;
	r->r12 = sc->r12, r->r13 = sc->r13, r->r14 = sc->r14, r->r15 = sc->r15;
	r->rdi = sc->di, r->rsi = sc->si, r->rbp = sc->bp, r->rbx = sc->bx;
	r->rdx = sc->dx, r->rax = sc->ax, r->rcx = sc->cx, r->rsp = sc->sp, r->rip = sc->ip;
	r->eflags = (r->eflags & ~FIX_EFLAGS) | (sc->flags & FIX_EFLAGS);
	r->orig_rax = (uint64_t)-1;
	t->sigmask = uc.uc_sigmask & ~UNBLOCKABLE;
	int mode = uc.uc_stack.ss_flags & ~(int)SS_AUTODISARM;
	if (!was_on && (mode == 0 || mode == SS_ONSTACK || mode == SS_DISABLE)) {
		if (mode == SS_DISABLE)
			t->altstack.sp = 0, t->altstack.size = 0,
			t->altstack.flags = uc.uc_stack.ss_flags;
		else if (uc.uc_stack.ss_size >= 2048)
			t->altstack.sp = uc.uc_stack.ss_sp, t->altstack.size = uc.uc_stack.ss_size,
			t->altstack.flags = uc.uc_stack.ss_flags;
	}
	t->restart_nr = -1;
	return (long)r->rax;
}
