/* What execve needs besides loading (S9): the argument vectors copied out
 * of the old image, the other threads gone, and the process reset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/mm.h"
#include "harness/sentry/trace.h"

#define MAX_STRV 4096
#define MAX_STR 4096

void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* do_open_execat: the path's own errors (ENOENT, ENOTDIR, ...), then
 * EACCES for anything but a regular file and for a file without execute
 * permission (or on a noexec mount), all before the contents are read. */
long exec_check_file(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) ? -errno : 0;
}

long copy_strv(struct task *t, uint64_t addr, char ***out)
{
	char **v = calloc(MAX_STRV + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*out = v;
	for (size_t i = 0; addr; i++) {
		uint64_t p;
		if (i == MAX_STRV)
			return -E2BIG;
		if (copy_in(t, addr + 8 * i, &p, 8))
			return -EFAULT;
		if (!p)
			break;
		char buf[MAX_STR];
		long n = mm_strncpy_in(t->proc->mm, p, buf, sizeof(buf));
		if (n < 0)
			return -EFAULT;
		if (n >= MAX_STR)
			return -E2BIG;
		if (!(v[i] = strdup(buf)))
			return -ENOMEM;
	}
	return 0;
}

int exec_trace_read(void *arg, uintptr_t addr, void *buf, size_t len)
{
	return copy_in(arg, addr, buf, len);
}

/* de_thread: every other task of the process ends before the new image. */
void exec_kill_others(struct task *t)
{
	struct proc *p = t->proc;
	for (struct task *o = p->tasks; o; o = o->next)
		if (o != t) {
			o->exited = true;
			if (o->in_guest)
				plat_interrupt(o->ctx);
		}
	kernel_wake(p->k);
	while (p->ntasks > 1 && !task_must_stop(t))
		pthread_cond_wait(&p->k->cv, &p->k->mu);
}

/* de_thread: a thread other than the leader that execs takes the
 * leader's place (the leader is gone by now): its tid becomes the pid and
 * the process's exit signal SIGCHLD. Its trace lines say so from now on. */
void exec_become_leader(struct task *t)
{
	struct proc *p = t->proc;
	if (t->tid == p->pid)
		return;
	t->tid = p->pid;
	p->exit_signal = SIGCHLD;
	char prefix[32] = "";
	if (p != p->k->init)
		snprintf(prefix, sizeof(prefix), "[pid %d] ", t->tid);
	trace_set_prefix(t->trace, prefix);
}

/* Handlers go back to their defaults (ignored stays ignored), the
 * alternate stack goes, close-on-exec fds close (POSIX execve). */
void exec_reset(struct task *t)
{
	struct proc *p = t->proc;
	for (int i = 0; i < NSIG_LINUX; i++)
		if (p->act[i].handler != 1)
			memset(&p->act[i], 0, sizeof(p->act[i]));
	t->altstack.sp = t->altstack.size = 0;
	t->altstack.flags = 0;
	t->clear_child_tid = 0;
	fdtable_close_on_exec(p->fds);
}
