/* execve (S9): the path and file checks, the argument vectors copied out
 * of the old image, the program checked, then past the point of no return
 * the other threads gone, the process reset and the new image loaded
 * (program.c) from the bytes that were checked. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/sentry/fs/fs.h"
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
	if (program_read(name->path, &img, err, sizeof(err)) ||
	    program_check(&img, name->path, err, sizeof(err))) {
		e = -ENOEXEC;
		/* With a filesystem view the guest may exec anything it finds:
		 * a dynamic program gets the loader's one line, here. */
		if (t->proc->k->fs) {
			const char *why = strstr(err, ": ");
			trace_note(t->trace, "execve: %s%s", name->exe,
				   why ? why : ": not a program");
		}
	} else
		e = exec_new_image(t, a, &img, name, argv, envp);
	program_free(&img);
	return e;
}

#define SCRIPT_DEPTH 5  /* exec_binprm: a sixth interpreter is ELOOP */
#define SCRIPT_LINE 256 /* BINPRM_BUF_SIZE */

/* binfmt_script: a first line "#!INTERP [ARG]" names the interpreter and
 * at most one argument (the rest of the line, blanks trimmed). 1 when the
 * file is no script, 0 with interp and arg set, -ENOEXEC for a line with
 * no interpreter or one cut by the buffer's end. */
static int script_line(int fd, char *interp, char *arg)
{
	char buf[SCRIPT_LINE + 1];
	ssize_t n = pread(fd, buf, SCRIPT_LINE, 0);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 1;
	buf[n] = 0;
	char *end = memchr(buf, '\n', (size_t)n);
	if (!end && n == SCRIPT_LINE)
		return -ENOEXEC;
	if (end)
		*end = 0;
	char *s = buf + 2;
	s += strspn(s, " \t");
	size_t il = strcspn(s, " \t");
	if (!il)
		return -ENOEXEC;
	memcpy(interp, s, il);
	interp[il] = 0;
	s += il;
	s += strspn(s, " \t");
	size_t al = strlen(s);
	while (al && (s[al - 1] == ' ' || s[al - 1] == '\t'))
		al--;
	memcpy(arg, s, al);
	arg[al] = 0;
	return 0;
}

/* The interpreter's argv: INTERP [ARG] FILE argv[1..] (argv[0] goes). */
static long script_argv(char ***argv, const char *interp, const char *arg, const char *file)
{
	size_t n = 0;
	while (*argv && (*argv)[n])
		n++;
	char **v = calloc(n + 4, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t k = 0;
	v[k++] = strdup(interp);
	if (*arg)
		v[k++] = strdup(arg);
	v[k++] = strdup(file);
	for (size_t i = 1; i < n; i++)
		v[k++] = (*argv)[i];
	if (n)
		free((*argv)[0]);
	free(*argv);
	*argv = v;
	return 0;
}

/* One program looked up in the view: ENOENT, ENOTDIR, ELOOP from the
 * walk, EACCES for anything but a regular file with execute permission
 * (do_open_execat); a script's interpreter in *interp. */
static long exec_lookup(struct task *t, const char *path, struct fs_node *n, char *exe,
			char *interp, char *arg)
{
	char abs[FS_PATH_MAX * 2];
	struct stat st;
	int e = fs_join(t, AT_FDCWD, path, abs, sizeof(abs));
	if (!e)
		e = fs_lookup_abs(t, abs, FS_FOLLOW, n);
	if (!e)
		e = fs_node_stat(t, n, &st);
	if (!e && (n->mount != FS_HOST || !S_ISREG(st.st_mode)))
		e = -EACCES;
	if (!e && syscall(SYS_faccessat2, n->fd, "", X_OK, AT_EMPTY_PATH))
		e = -errno;
	if (!e)
		e = fs_guest_path(fs_view_of(t), n->fd, exe, FS_PATH_MAX);
	int rfd = e ? -1 : fs_reopen(n->fd, O_RDONLY);
	if (!e && rfd < 0)
		e = rfd;
	if (!e)
		e = script_line(rfd, interp, arg);
	if (rfd >= 0)
		close(rfd);
	return e;
}

/* With a filesystem view: the path is the guest's, looked up in the view;
 * a script runs its interpreter, up to SCRIPT_DEPTH deep. The host file
 * is read through the harness's own /proc/self/fd link to the object
 * looked up. */
static long exec_in_view(struct task *t, const uint64_t *a)
{
	char path[FS_PATH_MAX], exe[FS_PATH_MAX], interp[SCRIPT_LINE + 1], arg[SCRIPT_LINE + 1];
	char **argv = NULL, **envp = NULL;
	long e = fs_copy_path(t, a[0], path, false);
	if (e < 0)
		return e;
	for (int depth = 0;; depth++) {
		struct fs_node n;
		long kind = exec_lookup(t, path, &n, exe, interp, arg); /* 0 script, 1 program */
		if (kind == 0 && depth == SCRIPT_DEPTH)
			kind = -ELOOP;
		if (kind >= 0 && !argv) { /* the vectors' errors come after the file's */
			long c = copy_strv(t, a[1], &argv);
			if (!c)
				c = copy_strv(t, a[2], &envp);
			if (c)
				kind = c;
		}
		e = kind;
		if (kind == 1) {
			char host[64];
			fs_fd_path(n.fd, host, sizeof(host));
			e = exec_program(t, a, &(struct program_name){ host, exe }, argv, envp);
		} else if (kind == 0) {
			e = script_argv(&argv, interp, arg, path);
			snprintf(path, sizeof(path), "%s", interp);
		}
		fs_node_put(&n);
		if (kind != 0 || e)
			break;
	}
	free_strv(argv);
	free_strv(envp);
	return e;
}

/* S9: execve of another fixture, by its path below the fixtures folder.
 * The errors come in Linux's order: the path (EFAULT, ENOENT for ""), the
 * file (ENOENT, EACCES), the vectors (EFAULT, E2BIG), the format
 * (ENOEXEC). */
long sys_execve(struct task *t, const uint64_t *a)
{
	struct proc *p = t->proc;
	if (p->k->fs)
		return exec_in_view(t, a);
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
