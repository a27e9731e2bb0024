/* sentry_run: start the emulated kernel, load one static program into its
 * first process and serve it until every task has ended. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/sentry/fs/view.h"
#include "harness/sentry/kernel.h"
#include "harness/sentry/loader.h"
#include "harness/sentry/memfile.h"
#include "harness/sentry/trace.h"

void sentry_plat_event(void *arg, const struct plat_event *ev)
{
	/* The address space's user is its process; its first live task's
	 * trace carries the event (S11 verbose). */
	struct proc *p = ev->as_user;
	(void)arg;
	if (p && p->cfg->verbose && p->tasks)
		trace_event(p->tasks->trace, ev);
}

int sentry_shell_status(const struct sentry_result *res)
{
	return res->kind == SENTRY_SIGNALED ? 128 + res->status : res->status;
}

static void kernel_init(struct kernel *k, const struct sentry_config *cfg,
			struct sentry_result *res)
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
		snprintf(res->error, sizeof(res->error), "setting up the guest: %s",
			 strerror(e ? -e : ENOMEM));
		return 1;
	}
	char exe[PATH_MAX];
	struct program_name name = { cfg->path, cfg->exe_name ? cfg->exe_name : cfg->path };
	if (k->fs) {
		snprintf(p->cwd, sizeof(p->cwd), "%s", k->fs->cwd);
		p->umask = k->fs->umask;
		p->cwd_fd = fs_resolve(k->fs, p->cwd, true);
		if (p->cwd_fd < 0)
			p->cwd_fd = -1;
		if (!cfg->exe_name && fs_host_to_guest(k->fs, cfg->path, exe, sizeof(exe)) == 0)
			name.exe = exe;
	}
	struct program_image img;
	if (program_read(name.path, &img, res->error, sizeof(res->error)))
		return 2;
	e = program_load(p, &img, &name, cfg->argv, cfg->envp, lr, res->error, sizeof(res->error));
	program_free(&img);
	return e ? 2 : 0;
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
	struct fs_view view;
	if (cfg->fs) {
		if (fs_view_open(&view, cfg->fs, res->error, sizeof(res->error))) {
			fs_view_close(&view);
			return 2;
		}
		k.fs = &view;
	}
	pthread_mutex_lock(&k.mu);
	int rc = init_process(&k, &p, &lr);
	struct task *t = rc ? NULL : task_new(p, NULL);
	if (!rc && !t) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		rc = 1;
	}
	if (t) {
		p->pid = t->tid;
		program_start_regs(t, &lr);
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
	if (k.fs)
		fs_view_close(k.fs);
	pthread_cond_destroy(&k.cv);
	pthread_mutex_destroy(&k.mu);
	return rc;
}
