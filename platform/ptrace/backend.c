/* The ptrace backend as one implementation of platform.h: its half of an
 * instance (the P6 filter, the tracer registry, the master stub of P3)
 * and its operations table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform/ptrace/ptrace.h"

static int pt_init(struct plat *p, char *err, size_t errlen)
{
	if (!p->opts.no_stub_seccomp) {
		p->filter = filter_build(probe_result.ptrace_before_seccomp, err, errlen);
		if (!p->filter)
			return -1;
	}
	if (tracer_register(p) != 0) {
		snprintf(err, errlen, "too many platform instances in one process");
		goto fail;
	}
	int e;
	p->master = as_create(p, true, &e);
	if (!p->master) {
		snprintf(err, errlen, "%s",
			 p->error[0] ? p->error : "could not create the master stub");
		tracer_unregister(p);
		goto fail;
	}
	return 0;
fail:
	filter_free(p->filter);
	return -1;
}

/* Everything dies with SIGKILL; the stubs of the pool first, so that the
 * master (still alive) can reap them, then the master itself. */
static void pt_destroy(struct plat *p)
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
	filter_free(p->filter);
}

const struct plat_ops plat_ptrace_ops = {
	.name = "ptrace",
	.probe = pt_probe,
	.init = pt_init,
	.destroy = pt_destroy,
	.as_create = pt_as_create,
	.as_reset = pt_as_reset,
	.as_destroy = pt_as_destroy,
	.map_file = pt_map_file,
	.unmap = pt_unmap,
	.run = pt_run,
	.fp_pull = fp_pull_from_home,
	.ctx_release = pt_ctx_release,
};

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

pid_t pt_test_thread_tid(struct plat_as *as, bool syscall_pool)
{
	int err;
	struct stub_thread *t = tpool_get(as, syscall_pool ? &as->syscall : &as->sysemu, &err);
	return t ? t->tid : -1;
}
#endif
