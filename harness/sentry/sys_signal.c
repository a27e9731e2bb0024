/* S6, the part a single-threaded static program needs before signal
 * delivery to handlers exists (issue 4): dispositions and the mask are
 * kept, and a signal a task sends itself takes its default action or is
 * ignored. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/trace.h"

#define SIGSET_SIZE 8
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

long sys_rt_sigaction(struct task *t, const uint64_t *a)
{
	int sig = (int)a[0];
	if (sig < 1 || sig > NSIG_LINUX || a[3] != SIGSET_SIZE)
		return -EINVAL;
	struct k_sigaction *cur = &t->proc->act[sig - 1], n;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[1] && copy_in(t, a[1], &n, sizeof(n)))
		return -EFAULT;
	if (a[2] && copy_out(t, a[2], cur, sizeof(*cur)))
		return -EFAULT;
	if (a[1])
		*cur = n;
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

static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* The only task is the target. A blocked signal would stay pending for
 * ever in a one-task process; it is recorded in the trace and dropped. */
static long send_self(struct task *t, int sig, int code)
{
	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	if (!sig)
		return 0;
	uint64_t handler = t->proc->act[sig - 1].handler;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = t->tid;
	si.si_uid = 1000;
	bool blocked = (t->sigmask >> (sig - 1)) & 1;
	if (handler == (uint64_t)(uintptr_t)SIG_IGN || (handler == 0 && default_ignored(sig)) || blocked) {
		trace_signal(t->trace, &si, blocked ? "blocked, left pending" : "ignored");
		return 0;
	}
	if (handler != 0)
		trace_note(t->trace, "signal handlers are not emulated yet (issue 4): default action");
	t->pending_sig = sig;
	t->pending_info = si;
	return 0;
}

long sys_kill(struct task *t, const uint64_t *a)
{
	int pid = (int)a[0];
	if (pid != t->tid && pid != 0 && pid != -1)
		return -ESRCH;
	return send_self(t, (int)a[1], SI_USER);
}

long sys_tgkill(struct task *t, const uint64_t *a)
{
	if ((int)a[0] <= 0 || (int)a[1] <= 0)
		return -EINVAL;
	if ((int)a[0] != t->tid || (int)a[1] != t->tid)
		return -ESRCH;
	return send_self(t, (int)a[2], SI_TKILL);
}

long sys_tkill(struct task *t, const uint64_t *a)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	if ((int)a[0] != t->tid)
		return -ESRCH;
	return send_self(t, (int)a[1], SI_TKILL);
}
