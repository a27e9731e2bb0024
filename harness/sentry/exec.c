/* execve (S9): the path and file checks, the argument vectors copied out
 * of the old image, the program checked, then past the point of no return
 * the other threads gone, the process reset and the new image loaded
 * (program.c) from the bytes that were checked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/loader.h"
#include "harness/sentry/mm.h"
#include "harness/sentry/trace.h"

#define MAX_STRV 4096
#define MAX_STR 4096

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* do_open_execat: the path's own errors (ENOENT, ENOTDIR, ...), then
 * EACCES for anything but a regular file and for a file without execute
 * permission (or on a noexec mount), all before the contents are read. */
static long exec_check_file(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) ? -errno : 0;
}

static long copy_strv(struct task *t, uint64_t addr, char ***out)
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

static int exec_trace_read(void *arg, uintptr_t addr, void *buf, size_t len)
{
	return copy_in(arg, addr, buf, len);
}

/* de_thread: every other task of the process ends before the new image. */
static void exec_kill_others(struct task *t)
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
static void exec_become_leader(struct task *t)
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
static void exec_reset(struct task *t)
{
	struct proc *p = t->proc;
	for (int i = 0; i < LINUX_NSIG; i++)
		if (p->act[i].handler != 1)
			memset(&p->act[i], 0, sizeof(p->act[i]));
	t->altstack.sp = t->altstack.size = 0;
	t->altstack.flags = 0;
	t->clear_child_tid = 0;
	fdtable_close_on_exec(p->fds);
}

/* The point of no return: the trace line, the other threads gone, a new
 * address space (the old one stays for whoever shares it: a vfork parent,
 * CLONE_VM processes). A failure from here on kills the process. */
static long exec_new_image(struct task *t, const uint64_t *a, const struct program_image *img,
			   const struct program_name *name, char **argv, char **envp)
{
	struct proc *p = t->proc;
	struct trace_mem mem = { t, exec_trace_read };
	trace_syscall(t->trace, &mem, 59, a, 0, true);
	t->traced = true;
	exec_kill_others(t);
	if (task_must_stop(t))
		return 0; /* killed meanwhile: the task goes, the result is moot */
	exec_become_leader(t);
	char err[256] = "out of memory";
	struct load_result lr;
	if (vm_new(p) || program_load(p, img, name, argv, envp, &lr, err, sizeof(err))) {
		trace_note(t->trace, "execve failed after the point of no return: %s", err);
		siginfo_t si = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };
		task_kill(t, SIGSEGV, &si);
		return 0;
	}
	p->exec_id++;
	p->vfork_done = true;
	exec_reset(t);
	program_start_regs(t, &lr);
	kernel_wake(p->k);
	return 0;
}

/* The new program, read once and checked before the point of no return:
 * a file that is no runnable program is ENOEXEC to the caller. */
static long exec_program(struct task *t, const uint64_t *a, const struct program_name *name,
			 char **argv, char **envp)
{
	struct program_image img;
	char err[256];
	long e = 0;
	if (program_read(name->path, &img, err, sizeof(err)) || program_check(&img, name->path, err, sizeof(err)))
		e = -ENOEXEC;
	else
		e = exec_new_image(t, a, &img, name, argv, envp);
	program_free(&img);
	return e;
}

/* S9: execve of another fixture, by its path below the fixtures folder.
 * The errors come in Linux's order: the path (EFAULT, ENOENT for ""), the
 * file (ENOENT, EACCES), the vectors (EFAULT, E2BIG), the format
 * (ENOEXEC). */
long sys_execve(struct task *t, const uint64_t *a)
{
	struct proc *p = t->proc;
	char rel[1024], path[4096];
	long n = mm_strncpy_in(p->mm, a[0], rel, sizeof(rel));
	if (n < 0)
		return -EFAULT;
	if (n >= (long)sizeof(rel))
		return -ENAMETOOLONG;
	if (!rel[0] || !p->cfg->fixtures_dir)
		return -ENOENT; /* getname: an empty path names nothing */
	snprintf(path, sizeof(path), "%s/%s", p->cfg->fixtures_dir, rel[0] == '/' ? rel + 1 : rel);
	long e = exec_check_file(path);
	if (e)
		return e;
	char **argv = NULL, **envp = NULL;
	e = copy_strv(t, a[1], &argv);
	if (!e)
		e = copy_strv(t, a[2], &envp);
	if (!e)
		e = exec_program(t, a, &(struct program_name){ path, rel }, argv, envp);
	free_strv(argv);
	free_strv(envp);
	return e;
}
