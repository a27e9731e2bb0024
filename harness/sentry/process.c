/* S9: processes. A process is a set of tasks sharing an address space, a
 * file table and signal dispositions; it ends with its last task, stays a
 * zombie until its parent's wait4, and the first process's end ends the
 * case (every other process goes with it, as in a PID namespace). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/mm.h"
#include "harness/sentry/trace.h"

#define KSIG_IGN 1

struct proc *proc_new(struct kernel *k, struct proc *parent)
{
	struct proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->k = k;
	p->cfg = k->cfg;
	p->mf = k->mf;
	p->parent = parent;
	p->random_state = 0x5eed5eed5eed5eedULL;
	p->exit_signal = SIGCHLD;
	p->cwd_fd = -1;
	p->next = k->procs;
	k->procs = p;
	if (parent) {
		memcpy(p->act, parent->act, sizeof(p->act));
		memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
		memcpy(p->exe, parent->exe, sizeof(p->exe));
		memcpy(p->cwd, parent->cwd, sizeof(p->cwd));
		p->umask = parent->umask;
		if (parent->cwd_fd >= 0)
			p->cwd_fd = fcntl(parent->cwd_fd, F_DUPFD_CLOEXEC, 0);
		p->nice = parent->nice;
		if (parent->cmdline && (p->cmdline = malloc(parent->cmdline_len + 1))) {
			memcpy(p->cmdline, parent->cmdline, parent->cmdline_len);
			p->cmdline_len = parent->cmdline_len;
		}
		p->random_state = parent->random_state ^ (uint64_t)k->next_pid;
		p->parent_exec_id = parent->exec_id;
	}
	if (timers_start(p)) {
		proc_free(p);
		return NULL;
	}
	return p;
}

/* Frees a process that is gone for good: reaped, or at the case's end. */
void proc_free(struct proc *p)
{
	struct kernel *k = p->k;
	for (struct proc **pp = &k->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	timers_stop(p);
	signal_queue_free(k, &p->shared_q);
	vm_detach(p);
	if (p->fds)
		fdtable_put(p->fds);
	free(p->cmdline);
	if (p->cwd_fd >= 0)
		close(p->cwd_fd);
	free(p);
}

/* exit_group and fatal signals: every task of p stops at its next chance;
 * those in guest code are interrupted (P19), sleepers woken. */
void proc_exit_group(struct proc *p, int status)
{
	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = status;
	}
	for (struct task *t = p->tasks; t; t = t->next)
		if (t->in_guest)
			plat_interrupt(t->ctx);
	kernel_wake(p->k);
}

/* S6: stop and continue, with what the parent's wait4 and SIGCHLD see
 * (WUNTRACED, WCONTINUED, CLD_STOPPED, CLD_CONTINUED). */
static void tell_parent(struct proc *p, int code, int status)
{
	struct proc *parent = p->parent;
	if (!parent || (code != CLD_CONTINUED && code != CLD_STOPPED))
		return;
	if (parent->act[SIGCHLD - 1].flags & SA_NOCLDSTOP)
		return;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = code;
	si.si_pid = p->pid;
	si.si_uid = 1000;
	si.si_status = status;
	signal_send_proc(parent, &si);
}

void proc_stop(struct proc *p, int sig)
{
	if (p->stopped || p->exiting)
		return;
	p->stopped = true;
	p->stop_report = (sig << 8) | 0x7f;
	for (struct task *t = p->tasks; t; t = t->next)
		if (t->in_guest)
			plat_interrupt(t->ctx);
	tell_parent(p, CLD_STOPPED, sig);
	kernel_wake(p->k);
}

void proc_continue(struct proc *p)
{
	if (!p->stopped)
		return;
	p->stopped = false;
	p->stop_report = 0xffff;
	tell_parent(p, CLD_CONTINUED, SIGCONT);
	kernel_wake(p->k);
}

/* do_notify_parent: the child's exit signal (SIGCHLD unless clone chose
 * another, or none) goes to the parent, but SIGCHLD to a parent that
 * exec'd since the child was made. For SIGCHLD, a parent that ignores it
 * or set SA_NOCLDWAIT leaves no zombie (the handler still runs with
 * SA_NOCLDWAIT). Returns whether the child is to be reaped at once. */
static bool notify_parent(struct proc *p)
{
	struct proc *parent = p->parent;
	int st = p->exit_status, sig = p->exit_signal;
	bool autoreap = false;
	if (sig != SIGCHLD && p->parent_exec_id != parent->exec_id)
		sig = SIGCHLD;
	if (sig == SIGCHLD) {
		const struct k_sigaction *ka = &parent->act[SIGCHLD - 1];
		autoreap = ka->handler == KSIG_IGN || (ka->flags & SA_NOCLDWAIT);
		if (ka->handler == KSIG_IGN)
			sig = 0;
	}
	if (sig < 1 || sig > LINUX_NSIG)
		return autoreap;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_pid = p->pid;
	si.si_uid = 1000;
	si.si_code = WIFEXITED(st) ? CLD_EXITED : WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
	si.si_status = WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st);
	signal_send_proc(parent, &si);
	return autoreap;
}

static void record_result(struct kernel *k, int st, bool core)
{
	if (k->res->kind == SENTRY_ERROR && k->res->error[0])
		return;
	k->res->kind = WIFEXITED(st) ? SENTRY_EXITED : SENTRY_SIGNALED;
	k->res->status = WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st);
	k->res->core = !WIFEXITED(st) && core;
}

/* The case ends (the first process is gone, or the sentry failed):
 * every task must go (S9), those running guest code reached through the
 * platform's interrupt (P19), sleepers woken. */
void kernel_end(struct kernel *k)
{
	k->ending = true;
	for (struct proc *p = k->procs; p; p = p->next)
		for (struct task *t = p->tasks; t; t = t->next)
			if (t->in_guest)
				plat_interrupt(t->ctx);
	kernel_wake(k);
}

/* forget_original_parent: p's children go to the first process, and tell
 * it with SIGCHLD (reparent_leader) if they are zombies already; at the
 * first process's own end, to nobody. */
static void reparent_children(struct proc *p)
{
	struct kernel *k = p->k;
	struct proc *c = k->procs;
	while (c) {
		struct proc *next = c->next;
		if (c->parent == p) {
			c->parent = p == k->init ? NULL : k->init;
			c->exit_signal = SIGCHLD;
			if (c->parent && c->zombie && notify_parent(c))
				proc_free(c);
		}
		c = next;
	}
}

/* The last task of p is gone (kernel lock held). */
static void proc_finish(struct proc *p, struct task *last)
{
	struct kernel *k = p->k;
	int st = p->exit_status;
	if (WIFEXITED(st))
		trace_exit(last->trace, WEXITSTATUS(st));
	else
		trace_killed(last->trace, WTERMSIG(st), p->core_action);
	timers_stop(p);
	signal_queue_free(k, &p->shared_q);
	vm_detach(p);
	fdtable_put(p->fds);
	p->fds = NULL;
	p->vfork_done = true;
	reparent_children(p);
	p->zombie = true;
	if (p == k->init) {
		record_result(k, st, p->core_action);
		kernel_end(k);
	} else if (p->parent && notify_parent(p)) {
		proc_free(p); /* no zombie (POSIX) */
	}
	kernel_wake(k);
}

/* A task ends: CLONE_CHILD_CLEARTID wakes whoever joins it (S9). */
void proc_task_gone(struct task *t)
{
	struct proc *p = t->proc;
	if (t->clear_child_tid && p->mm) {
		uint32_t zero = 0;
		if (copy_out(t, t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake_addr(t, t->clear_child_tid, 1);
	}
	for (struct task **pp = &p->tasks; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	struct kernel *k = p->k; /* proc_finish may free p (SIGCHLD ignored) */
	if (--p->ntasks == 0)
		proc_finish(p, t);
	kernel_wake(k);
}

/* ---- clone, fork, vfork ---- */

static struct task *find_task(struct kernel *k, int tid)
{
	for (struct proc *p = k->procs; p; p = p->next)
		for (struct task *t = p->tasks; t; t = t->next)
			if (t->tid == tid)
				return t;
	return NULL;
}

static long new_thread(struct task *t, uint64_t flags, const uint64_t *a)
{
	struct task *c = task_new(t->proc, t);
	if (!c)
		return -ENOMEM;
	struct user_regs_struct *r = plat_ctx_regs(c->ctx);
	r->rax = 0;
	if (a[1])
		r->rsp = a[1];
	if (flags & CLONE_SETTLS)
		r->fs_base = a[4];
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = a[3];
	uint32_t tid = (uint32_t)c->tid;
	if ((flags & CLONE_PARENT_SETTID) && copy_out(t, a[2], &tid, 4))
		goto fault;
	if ((flags & CLONE_CHILD_SETTID) && copy_out(t, a[3], &tid, 4))
		goto fault;
	if (task_start(c) == 0)
		return c->tid;
fault:
	/* Not started: undo as if it never was. */
	proc_task_gone(c);
	plat_ctx_release(c->ctx);
	trace_free(c->trace);
	free(c);
	return -EFAULT;
}

static int new_vm(struct proc *c, struct proc *p, bool share)
{
	if (!share)
		return vm_copy(c, p->vm);
	vm_share(c, p->vm);
	return 0;
}

static long new_process(struct task *t, uint64_t flags, const uint64_t *a)
{
	struct proc *p = t->proc, *c = proc_new(p->k, p);
	if (!c)
		return -ENOMEM;
	int e = new_vm(c, p, flags & CLONE_VM);
	if (!e && (flags & CLONE_FILES)) {
		c->fds = p->fds;
		c->fds->refs++;
	} else if (!e) {
		c->fds = fdtable_copy(p->fds);
		e = c->fds ? 0 : -ENOMEM;
	}
	struct task *ct = e ? NULL : task_new(c, t);
	if (!ct) {
		proc_free(c);
		return e ? e : -ENOMEM;
	}
	c->pid = ct->tid;
	c->exit_signal = (int)(flags & CSIGNAL);
	struct user_regs_struct *r = plat_ctx_regs(ct->ctx);
	r->rax = 0;
	if (a[1])
		r->rsp = a[1];
	if (flags & CLONE_SETTLS)
		r->fs_base = a[4];
	uint32_t pid = (uint32_t)ct->tid;
	if (flags & CLONE_PARENT_SETTID)
		copy_out(t, a[2], &pid, 4);
	if (flags & CLONE_CHILD_SETTID)
		mm_copy_out(c->mm, a[3], &pid, 4);
	if (flags & CLONE_CHILD_CLEARTID)
		ct->clear_child_tid = a[3];
	if (task_start(ct)) {
		proc_task_gone(ct);
		return -EAGAIN;
	}
	/* vfork: the parent waits until the child execs or exits. */
	while ((flags & CLONE_VFORK) && !c->vfork_done && !task_must_stop(t))
		task_wait(t, 0);
	return c->pid;
}

long sys_clone(struct task *t, const uint64_t *a)
{
	uint64_t flags = a[0];
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if (flags & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS |
		     CLONE_NEWIPC | CLONE_NEWCGROUP))
		return -EPERM; /* no namespaces in the sentry */
	if (flags & CLONE_THREAD)
		return new_thread(t, flags, a);
	return new_process(t, flags, a);
}

long sys_fork(struct task *t, const uint64_t *a)
{
	(void)a;
	const uint64_t b[6] = { SIGCHLD, 0, 0, 0, 0, 0 };
	return new_process(t, SIGCHLD, b);
}

long sys_vfork(struct task *t, const uint64_t *a)
{
	(void)a;
	const uint64_t b[6] = { CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, 0 };
	return new_process(t, b[0], b);
}

/* ---- wait4 ---- */

/* eligible_child: __WALL waits for every child; otherwise __WCLONE waits
 * only for "clone" children (an exit signal other than SIGCHLD, none
 * included) and its absence only for the others. */
static bool matches(struct proc *c, int pid, int options)
{
	if (pid > 0 && c->pid != pid)
		return false;
	if (options & __WALL)
		return true;
	return (c->exit_signal != SIGCHLD) == ((options & __WCLONE) != 0);
}

/* What one wait found: the wait4 status word, and the waitid view of it. */
struct wait_found {
	int pid, status;
	int code;  /* CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED */
	int value; /* the exit code or the signal (si_status) */
};

static void describe(int pid, int st, struct wait_found *f)
{
	f->pid = pid;
	f->status = st;
	if (st == 0xffff) {
		f->code = CLD_CONTINUED;
		f->value = SIGCONT;
	} else if ((st & 0xff) == 0x7f) {
		f->code = CLD_STOPPED;
		f->value = (st >> 8) & 0xff;
	} else if (st & 0x7f) {
		f->code = st & 0x80 ? CLD_DUMPED : CLD_KILLED;
		f->value = st & 0x7f;
	} else {
		f->code = CLD_EXITED;
		f->value = (st >> 8) & 0xff;
	}
}

/* do_wait, shared by wait4 and waitid: options use waitid's names
 * (WEXITED, WSTOPPED = WUNTRACED, WCONTINUED, WNOWAIT, WNOHANG). Returns
 * the pid found, 0 (WNOHANG and nothing yet), -ECHILD or -ERESTARTSYS. */
static long do_wait(struct task *t, int pid, int options, struct wait_found *f)
{
	struct kernel *k = t->proc->k;
	for (;;) {
		bool any = false;
		for (struct proc *c = k->procs; c; c = c->next) {
			if (c->parent != t->proc || !matches(c, pid, options))
				continue;
			any = true;
			int report = c->stop_report;
			bool want =
				report == 0xffff ? (options & WCONTINUED) : (options & WSTOPPED);
			if (!c->zombie && report && want) {
				if (!(options & WNOWAIT))
					c->stop_report = 0;
				describe(c->pid, report, f);
				return c->pid;
			}
			if (!c->zombie || !(options & WEXITED))
				continue;
			describe(c->pid, c->exit_status, f);
			if (!(options & WNOWAIT))
				proc_free(c);
			return f->pid;
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		if (task_wait(t, 0) == -EINTR)
			return -ERESTARTSYS;
	}
}

long sys_wait4(struct task *t, const uint64_t *a)
{
	int options = (int)a[2];
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	struct wait_found f;
	long r = do_wait(t, (int)a[0], options | WEXITED, &f);
	if (r <= 0)
		return r;
	if (a[1] && copy_out(t, a[1], &f.status, sizeof(f.status)))
		return -EFAULT;
	if (a[3]) {
		struct rusage ru;
		memset(&ru, 0, sizeof(ru));
		if (copy_out(t, a[3], &ru, sizeof(ru)))
			return -EFAULT;
	}
	return r;
}

/* waitid (S9): the same search, reported as a SIGCHLD siginfo. There are
 * no process groups in the sentry (sys_kill says the same), so P_PGID
 * waits for every child, as wait4's 0 and -pgrp do; there are no pidfds
 * (P_PIDFD: EINVAL). Like Linux's SYSCALL_DEFINE5(waitid), it writes
 * si_signo, si_errno, si_code, si_pid, si_uid and si_status (zeros when
 * nothing was found, errors included) and leaves the rest of the
 * siginfo alone; the rusage only when a child was found. */
long sys_waitid(struct task *t, const uint64_t *a)
{
	int which = (int)a[0], id = (int)a[1], options = (int)a[3];
	int pid = -1;
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WALL | __WCLONE |
			__WNOTHREAD))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (which == P_PID) {
		if (id <= 0)
			return -EINVAL;
		pid = id;
	} else if (which == P_PGID) {
		if (id < 0)
			return -EINVAL;
	} else if (which != P_ALL) {
		return -EINVAL;
	}
	struct wait_found f;
	memset(&f, 0, sizeof(f));
	long r = do_wait(t, pid, options, &f);
	if (r == -ERESTARTSYS)
		return r;
	if (r > 0 && a[4]) {
		struct rusage ru;
		memset(&ru, 0, sizeof(ru));
		if (copy_out(t, a[4], &ru, sizeof(ru)))
			return -EFAULT;
	}
	int head[3] = { r > 0 ? SIGCHLD : 0, 0, f.code };
	int body[3] = { f.pid, r > 0 ? 1000 : 0, f.value };
	if (a[2] && (copy_out(t, a[2], head, sizeof(head)) ||
		     copy_out(t, a[2] + offsetof(siginfo_t, si_pid), body, sizeof(body))))
		return -EFAULT;
	return r < 0 ? r : 0;
}

struct task *kernel_find_task(struct kernel *k, int tid)
{
	return find_task(k, tid);
}
