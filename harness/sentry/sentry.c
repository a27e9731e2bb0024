/* sentry_run: load one static program and serve it until it ends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/loader.h"
#include "harness/sentry/memfile.h"
#include "harness/sentry/mm.h"
#include "harness/sentry/trace.h"

#define MAX_IMAGE (256ULL << 20)

static int load_map(void *arg, uint64_t addr, uint64_t len, int prot)
{
	struct proc *p = arg;
	long r = mm_mmap(p->mm, addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	return r < 0 ? (int)r : 0;
}

static int load_write(void *arg, uint64_t addr, const void *src, size_t len)
{
	struct proc *p = arg;
	return mm_poke(p->mm, addr, src, len);
}

static int read_image(const char *path, uint8_t **img, size_t *size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_IMAGE) {
		snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ? "too large" : "not a regular file");
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	*img = malloc(*size ? *size : 1);
	size_t got = 0;
	while (*img && got < *size) {
		ssize_t n = read(fd, *img + got, *size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!*img || got != *size) {
		snprintf(err, errlen, "%s: could not read the file", path);
		free(*img);
		return -1;
	}
	return 0;
}

/* S4: a program into a fresh address model of p, from path; the guest's
 * view of its name is exe. Kernel lock held (or no other task yet). */
static int load_into(struct proc *p, const char *path, const char *exe, char *const *argv,
		     char *const *envp, struct load_result *lr, char *err, size_t errlen)
{
	uint8_t *img;
	size_t size;
	if (read_image(path, &img, &size, err, errlen))
		return -ENOENT;
	struct load_args la = {
		.argv = argv,
		.envp = envp,
		.addr_limit = plat_max_addr(p->cfg->plat),
		.hwcap = getauxval(AT_HWCAP),
		.execfn = exe,
	};
	struct load_ops ops = { p, load_map, load_write };
	int e = elf_load(path, img, size, &la, &ops, lr, err, errlen);
	free(img);
	if (e)
		return e;
	mm_set_brk_start(p->mm, lr->brk);
	snprintf(p->exe, sizeof(p->exe), "%s", exe);
	return 0;
}

/* Registers and FP state of a task starting a new program. */
static void start_regs(struct task *t, const struct load_result *lr)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	memset(r, 0, sizeof(*r));
	r->rip = lr->entry;
	r->rsp = lr->sp;
	r->eflags = 0x202;
	plat_ctx_fpstate_reset(t->ctx);
}

void sentry_plat_event(void *arg, const struct plat_event *ev)
{
	/* The address space's user is its process; its first live task's
	 * trace carries the event (S11 verbose). */
	struct proc *p = ev->as_user;
	(void)arg;
	if (p && p->cfg->verbose && p->tasks)
		trace_event(p->tasks->trace, ev);
}

int sentry_chaos_signal(void *as_user, int sig)
{
	struct proc *p = as_user;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_KERNEL;
	pthread_mutex_lock(&p->k->mu);
	int e = signal_send_proc(p, &si);
	pthread_mutex_unlock(&p->k->mu);
	return e;
}

/* Issue 3: bad programs are found before anything runs. */
/* elf_load checks the whole file before its first map call; refusing that
 * call stops it right after the checks, with nothing to undo. */
static int refuse_map(void *arg, uint64_t addr, uint64_t len, int prot)
{
	(void)arg, (void)addr, (void)len, (void)prot;
	return -ECANCELED;
}

static int refuse_write(void *arg, uint64_t addr, const void *src, size_t len)
{
	(void)arg, (void)addr, (void)src, (void)len;
	return -ECANCELED;
}

int sentry_check_program(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s (make fixtures builds it)", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	void *img = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (img == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct load_ops ops = { NULL, refuse_map, refuse_write };
	struct load_result res;
	int rc = elf_load(path, img, (size_t)st.st_size, NULL, &ops, &res, err, errlen);
	if (img)
		munmap(img, (size_t)st.st_size);
	return rc == -ENOEXEC || (rc && rc != -ECANCELED) ? -1 : 0;
}

int sentry_shell_status(const struct sentry_result *res)
{
	return res->kind == SENTRY_SIGNALED ? 128 + res->status : res->status;
}

static void kernel_init(struct kernel *k, const struct sentry_config *cfg, struct sentry_result *res)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->cv, &ca);
	pthread_condattr_destroy(&ca);
	k->cfg = cfg;
	k->res = res;
	k->next_pid = VIRTUAL_PID;
}

static int init_process(struct kernel *k, struct proc **out, struct load_result *lr)
{
	const struct sentry_config *cfg = k->cfg;
	struct sentry_result *res = k->res;
	int e = memfile_new(cfg->memory_limit ? cfg->memory_limit : LIMIT_DEFAULT_MEMORY, &k->mf);
	struct proc *p = e ? NULL : proc_new(k, NULL);
	if (p) {
		k->init = *out = p;
		for (int i = 0; i < RLIM_NLIMITS; i++)
			getrlimit(i, &p->rlim[i]);
		p->rlim[RLIMIT_STACK] = (struct rlimit){ 8 << 20, RLIM_INFINITY };
		p->rlim[RLIMIT_NOFILE] = (struct rlimit){ MAX_FDS, MAX_FDS };
		p->rlim[RLIMIT_CORE] = (struct rlimit){ 0, RLIM_INFINITY };
		limits_init_rlimits(p);
		e = vm_new(p);
		if (!e)
			e = fdtable_init(p);
	}
	if (e || !p) {
		snprintf(res->error, sizeof(res->error), "setting up the guest: %s", strerror(e ? -e : ENOMEM));
		return 1;
	}
	const char *exe = cfg->exe_name ? cfg->exe_name : cfg->path;
	return load_into(p, cfg->path, exe, cfg->argv, cfg->envp, lr, res->error, sizeof(res->error)) ? 2 : 0;
}

/* The first task runs on the calling thread; the case ends when every
 * task thread (and timer) has finished. */
int sentry_run(const struct sentry_config *cfg, struct sentry_result *res)
{
	struct kernel k;
	struct proc *p = NULL;
	struct load_result lr;
	memset(res, 0, sizeof(*res));
	res->kind = SENTRY_ERROR;
	kernel_init(&k, cfg, res);
	pthread_mutex_lock(&k.mu);
	int rc = init_process(&k, &p, &lr);
	struct task *t = rc ? NULL : task_new(p, NULL);
	if (!rc && !t) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		rc = 1;
	}
	if (t) {
		p->pid = t->tid;
		start_regs(t, &lr);
		if (limits_start(&k))
			trace_note(t->trace, "limit: RLIMIT_CPU not enforced: no watchdog thread");
		task_run(t);
		limits_stop(&k);
		while (k.running || k.timers)
			pthread_cond_wait(&k.cv, &k.mu);
		rc = res->kind == SENTRY_ERROR ? 1 : 0;
	}
	pthread_mutex_unlock(&k.mu);
	for (size_t i = 0; i < k.nthreads; i++)
		pthread_join(k.threads[i], NULL);
	free(k.threads);
	pthread_mutex_lock(&k.mu);
	while (k.procs)
		proc_free(k.procs);
	while (k.timers)
		pthread_cond_wait(&k.cv, &k.mu);
	pthread_mutex_unlock(&k.mu);
	if (t) {
		plat_ctx_release(t->ctx);
		trace_free(t->trace);
		free(t);
	}
	if (k.mf)
		memfile_destroy(k.mf);
	pthread_cond_destroy(&k.cv);
	pthread_mutex_destroy(&k.mu);
	return rc;
}

/* The point of no return: the trace line, the other threads gone, a new
 * address space (the old one stays for whoever shares it: a vfork parent,
 * CLONE_VM processes). A failure from here on kills the process. */
static long exec_new_image(struct task *t, const uint64_t *a, const char *path, const char *rel,
			   char **argv, char **envp)
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
	if (vm_new(p) || load_into(p, path, rel, argv, envp, &lr, err, sizeof(err))) {
		trace_note(t->trace, "execve failed after the point of no return: %s", err);
		siginfo_t si = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };
		task_kill(t, SIGSEGV, &si);
		return 0;
	}
	p->exec_id++;
	p->vfork_done = true;
	exec_reset(t);
	start_regs(t, &lr);
	kernel_wake(p->k);
	return 0;
}

/* S9: execve of another fixture, by its path below the fixtures folder.
 * The errors come in Linux's order: the path (EFAULT, ENOENT for ""), the
 * file (ENOENT, EACCES), the vectors (EFAULT, E2BIG), the format
 * (ENOEXEC). */
long sys_execve(struct task *t, const uint64_t *a)
{
	struct proc *p = t->proc;
	char rel[1024], path[4096], err[256];
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
	if (!e && sentry_check_program(path, err, sizeof(err)))
		e = -ENOEXEC;
	if (!e)
		e = exec_new_image(t, a, path, rel, argv, envp);
	free_strv(argv);
	free_strv(envp);
	return e;
}
