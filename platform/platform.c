/* Platform instances: probing, the stub page and the master (init). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/internal.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result;
static char init_error[256];

/* Once per process: the probes (P7, P13) and the stub page (P1), which
 * every later fork must inherit at the same address. */
static void init_process(void)
{
	if (probe_init(init_error, sizeof(init_error)) == 0 &&
	    stub_page_init(init_error, sizeof(init_error)) == 0)
		return;
	init_result = -1;
}

struct plat *plat_new(const struct plat_options *opts, char *err, size_t errlen)
{
	pthread_once(&init_once, init_process);
	if (init_result) {
		snprintf(err, errlen, "%s", init_error);
		return NULL;
	}
	struct plat *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opts)
		p->opts = *opts;
	if (p->opts.cpuid_faulting && !probe_result.cpuid_faulting) {
		snprintf(err, errlen,
		         "CPUID faulting was asked for, but this machine has none "
		         "(ARCH_SET_CPUID refused here; many CPUs and VMs lack it, P27)");
		free(p);
		return NULL;
	}
	p->harness_pid = getpid();
	pthread_mutex_init(&p->mu, NULL);
	if (!p->opts.no_stub_seccomp) {
		p->filter = filter_build(probe_result.ptrace_before_seccomp, err, errlen);
		if (!p->filter)
			goto fail;
	}
	if (tracer_register(p) != 0) {
		snprintf(err, errlen, "too many platform instances in one process");
		goto fail;
	}
	int e;
	p->master = as_create(p, true, &e);
	if (!p->master) {
		snprintf(err, errlen, "%s", p->error[0] ? p->error : "could not create the master stub");
		tracer_unregister(p);
		goto fail;
	}
	return p;
fail:
	filter_free(p->filter);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return NULL;
}

/* Everything dies with SIGKILL; the stubs of the pool first, so that the
 * master (still alive) can reap them, then the master itself. */
void plat_destroy(struct plat *p)
{
	for (;;) {
		pthread_mutex_lock(&p->mu);
		struct plat_as *as = p->all;
		while (as && as == p->master)
			as = as->next_all;
		pthread_mutex_unlock(&p->mu);
		if (!as)
			break;
		atomic_store(&as->dead, true);
		as_free(as);
	}
	p->pool = NULL;
	atomic_store(&p->master->dead, true);
	as_free(p->master);
	tracer_unregister(p);
	while (p->contexts)
		plat_ctx_release(p->contexts);
	filter_free(p->filter);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

uintptr_t plat_min_addr(const struct plat *p)
{
	(void)p;
	return (uintptr_t)probe_result.mmap_min_addr;
}

uintptr_t plat_max_addr(const struct plat *p)
{
	(void)p;
	return stub_layout.start;
}

long plat_escapes(struct plat *p)
{
	return atomic_load(&p->escapes);
}

int plat_dead(struct plat *p)
{
	return atomic_load(&p->dead) ? PLAT_ESTUBDEAD : 0;
}

const char *plat_error(struct plat *p)
{
	return p->error;
}

const struct plat_options *plat_options(const struct plat *p)
{
	return &p->opts;
}

#ifdef PLAT_TESTING
long plat_test_inject(struct plat_as *as, long nr, const long args[6])
{
	return as_inject(as, nr, args);
}

void plat_test_fatal(struct plat_as *as)
{
	int err;
	struct stub_thread *t = tpool_get(as, &as->syscall, &err);
	plat_fatal(t ? t->tid : 0, "test-only fatal path (stub %d)", as->pid);
}

pid_t plat_test_master_pid(struct plat *p)
{
	return p->master->pid;
}

pid_t plat_test_thread_tid(struct plat_as *as, bool syscall_pool)
{
	int err;
	struct stub_thread *t = tpool_get(as, syscall_pool ? &as->syscall : &as->sysemu, &err);
	return t ? t->tid : -1;
}
#endif
