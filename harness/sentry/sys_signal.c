/* S6: the signal syscalls of one task. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/trace.h"

#define SIGSET_SIZE 8
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

long sys_rt_sigaction(struct task *t, const uint64_t *a)
{
	int sig = (int)a[0];
	if (sig < 1 || sig > LINUX_NSIG || a[3] != SIGSET_SIZE)
		return -EINVAL;
	struct k_sigaction *cur = &t->proc->act[sig - 1], n;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[1] && copy_in(t, a[1], &n, sizeof(n)))
		return -EFAULT;
	if (a[2] && copy_out(t, a[2], cur, sizeof(*cur)))
		return -EFAULT;
	if (a[1]) {
		n.mask &= ~UNBLOCKABLE;
		/* Unknown flag bits are dropped so programs can probe them
		 * (UAPI_SA_FLAGS; SA_UNSUPPORTED never sticks). */
		n.flags &= SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART |
			   SA_NODEFER | SA_RESETHAND | 0x04000000UL /* SA_RESTORER */;
		*cur = n;
		/* Setting SIG_IGN (or a default that ignores) discards what is
		 * pending, as POSIX asks. */
		if (n.handler == 1 || (n.handler == 0 && (sig == SIGCHLD || sig == SIGURG ||
							  sig == SIGWINCH || sig == SIGCONT))) {
			/* From the shared set and every thread's own one. */
			signal_discard(t->proc, SIGBIT(sig));
		}
	}
	return 0;
}

long sys_rt_sigprocmask(struct task *t, const uint64_t *a)
{
	if (a[3] != SIGSET_SIZE)
		return -EINVAL;
	uint64_t set = 0, old = t->sigmask;
	if (a[1] && copy_in(t, a[1], &set, sizeof(set)))
		return -EFAULT;
	if (a[1]) {
		switch (a[0]) {
		case SIG_BLOCK: t->sigmask |= set; break;
		case SIG_UNBLOCK: t->sigmask &= ~set; break;
		case SIG_SETMASK: t->sigmask = set; break;
		default: return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	return a[2] && copy_out(t, a[2], &old, sizeof(old)) ? -EFAULT : 0;
}

long sys_rt_sigpending(struct task *t, const uint64_t *a)
{
	if (a[1] > SIGSET_SIZE)
		return -EINVAL;
	uint64_t set = (t->pending | t->proc->shared_pending) & t->sigmask;
	return copy_out(t, a[0], &set, a[1]) ? -EFAULT : 0;
}

static siginfo_t user_info(struct task *t, int sig, int code)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = t->proc->pid;
	si.si_uid = 1000;
	return si;
}

/* A zombie exists until it is reaped: kill and sigqueue find it and
 * succeed, the signal goes nowhere (signal_send_proc: no tasks). */
static struct proc *find_proc(struct kernel *k, int pid)
{
	for (struct proc *p = k->procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* kill: one process, or (0, -1, -pgrp: there are no process groups in the
 * sentry) every live process but init for -1 and the caller's own for 0. */
long sys_kill(struct task *t, const uint64_t *a)
{
	int pid = (int)a[0], sig = (int)a[1];
	/* Linux finds the target before it looks at the signal number. */
	struct proc *target = pid > 0 ? find_proc(t->proc->k, pid) : t->proc;
	if (pid > 0 && !target)
		return -ESRCH;
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	siginfo_t si = user_info(t, sig, SI_USER);
	if (pid > 0 || pid == 0 || pid < -1) {
		struct proc *p = target;
		if (sig)
			signal_send_proc(p, &si);
		return 0;
	}
	for (struct proc *p = t->proc->k->procs; p; p = p->next)
		if (!p->zombie && p != t->proc->k->init && sig)
			signal_send_proc(p, &si);
	return 0;
}

static long to_task(struct task *t, int tgid, int tid, int sig, const siginfo_t *given)
{
	if (tid <= 0 || sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	struct task *target = kernel_find_task(t->proc->k, tid);
	if (!target || (tgid > 0 && target->proc->pid != tgid))
		return -ESRCH;
	if (!sig)
		return 0;
	siginfo_t si = given ? *given : user_info(t, sig, SI_TKILL);
	si.si_signo = sig;
	return signal_send(target, &si);
}

long sys_tgkill(struct task *t, const uint64_t *a)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return to_task(t, (int)a[0], (int)a[1], (int)a[2], NULL);
}

long sys_tkill(struct task *t, const uint64_t *a)
{
	return to_task(t, 0, (int)a[0], (int)a[1], NULL);
}

/* Another process may not forge a kernel-looking si_code (>= 0) or
 * SI_TKILL; a process may send itself anything. */
static long queue_info(struct task *t, int pid, uint64_t uinfo, siginfo_t *si)
{
	if (copy_in(t, uinfo, si, sizeof(*si)))
		return -EFAULT;
	if ((si->si_code >= 0 || si->si_code == SI_TKILL) && pid != t->proc->pid)
		return -EPERM;
	return 0;
}

long sys_rt_sigqueueinfo(struct task *t, const uint64_t *a)
{
	siginfo_t si;
	long e = queue_info(t, (int)a[0], a[2], &si);
	if (e)
		return e;
	struct proc *p = find_proc(t->proc->k, (int)a[0]);
	if (!p)
		return -ESRCH;
	if ((int)a[1] < 0 || (int)a[1] > LINUX_NSIG)
		return -EINVAL;
	si.si_signo = (int)a[1];
	return si.si_signo ? signal_send_proc(p, &si) : 0;
}

long sys_rt_tgsigqueueinfo(struct task *t, const uint64_t *a)
{
	siginfo_t si;
	long e = queue_info(t, (int)a[0], a[3], &si);
	return e ? e : to_task(t, (int)a[0], (int)a[1], (int)a[2], &si);
}

long sys_sigaltstack(struct task *t, const uint64_t *a)
{
	const struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	bool on = !((unsigned)t->altstack.flags & SS_AUTODISARM) && t->altstack.size &&
		  r->rsp > t->altstack.sp && r->rsp - t->altstack.sp <= t->altstack.size;
	/* sas_ss_flags(sp) | the flag bits the task keeps */
	struct {
		uint64_t sp;
		int32_t flags, pad;
		uint64_t size;
	} cur = { t->altstack.sp,
		  (!t->altstack.size ? SS_DISABLE
		   : on              ? SS_ONSTACK
				     : 0) |
			  (int)((unsigned)t->altstack.flags & SS_AUTODISARM),
		  0, t->altstack.size },
	  n;
	if (a[0]) {
		if (copy_in(t, a[0], &n, sizeof(n)))
			return -EFAULT;
		if (on)
			return -EPERM;
		int mode = n.flags & ~(int)SS_AUTODISARM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			n.sp = n.size = 0;
		} else if (n.size < LINUX_MINSIGSTKSZ) {
			return -ENOMEM;
		}
		t->altstack.sp = n.sp, t->altstack.size = n.size;
		t->altstack.flags = n.flags; /* kept as given: frames save it */
	}
	return a[1] && copy_out(t, a[1], &cur, sizeof(cur)) ? -EFAULT : 0;
}

/* pause and rt_sigsuspend end only through a signal, never restart. */
long sys_pause(struct task *t, const uint64_t *a)
{
	(void)a;
	while (task_sleep(t, 0) != -EINTR && !t->exited)
		;
	return -514; /* ERESTARTNOHAND */
}

long sys_rt_sigsuspend(struct task *t, const uint64_t *a)
{
	uint64_t mask;
	if (a[1] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_in(t, a[0], &mask, sizeof(mask)))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = mask & ~UNBLOCKABLE;
	while (task_sleep(t, 0) != -EINTR && !t->exited)
		;
	return -514; /* ERESTARTNOHAND: the old mask comes back after the handler */
}

long sys_rt_sigtimedwait(struct task *t, const uint64_t *a)
{
	uint64_t set;
	struct timespec ts;
	if (a[3] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_in(t, a[0], &set, sizeof(set)) || (a[2] && copy_in(t, a[2], &ts, sizeof(ts))))
		return -EFAULT;
	if (a[2] && (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000 || ts.tv_sec < 0))
		return -EINVAL;
	set &= ~UNBLOCKABLE;
	uint64_t deadline = a[2] ? vclock_ns(CLOCK_MONOTONIC) +
					    (uint64_t)ts.tv_sec * 1000000000ULL +
					    (uint64_t)ts.tv_nsec
				 : 0;
	for (;;) {
		/* The thread's own pending signals first, as dequeue_signal(). */
		siginfo_t si;
		int sig = signal_dequeue(t, set, &si);
		if (sig) {
			if (a[1] && copy_out(t, a[1], &si, sizeof(si)))
				return -EFAULT;
			return sig;
		}
		if (a[2] && vclock_ns(CLOCK_MONOTONIC) >= deadline)
			return -EAGAIN;
		int r = task_sleep(t, a[2] ? deadline : 0);
		if (r == -EINTR && !((t->pending | t->proc->shared_pending) & set))
			return -EINTR; /* another signal, with a handler or fatal */
		if (t->exited)
			return -EINTR;
	}
}
