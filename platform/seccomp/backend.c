/* The seccomp-trap backend as one implementation of platform.h (T1): its
 * half of an instance (the watcher thread, which forks the master) and its
 * operations table. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform/seccomp/seccomp.h"

static int sc_init(struct plat *p, char *err, size_t errlen)
{
	struct sc_plat *sp = calloc(1, sizeof(*sp));
	if (!sp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sp->p = p;
	pthread_mutex_init(&sp->mu, NULL);
	pthread_cond_init(&sp->cv, NULL);
	p->sc = sp;
	if (sc_watcher_start(sp, err, errlen) != 0) {
		pthread_mutex_destroy(&sp->mu);
		pthread_cond_destroy(&sp->cv);
		free(sp->mprog);
		free(sp);
		p->sc = NULL;
		return -1;
	}
	p->master = sp->master;
	return 0;
}

/* Every stub dies with SIGKILL and the watcher reaps it; the master last,
 * then the watcher goes. */
static void sc_destroy(struct plat *p)
{
	struct sc_plat *sp = p->sc;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		struct plat_as *as = p->all;
		while (as && as == sp->master)
			as = as->next_all;
		pthread_mutex_unlock(&p->mu);
		if (!as)
			break;
		sc_as_destroy(as);
	}
	p->pool = NULL;
	sc_as_destroy(sp->master);
	sc_watcher_stop(sp);
	pthread_mutex_destroy(&sp->mu);
	pthread_cond_destroy(&sp->cv);
	free(sp->mprog);
	free(sp);
}

const struct plat_ops plat_seccomp_ops = {
	.name = "seccomp",
	.probe = sc_probe,
	.init = sc_init,
	.destroy = sc_destroy,
	.as_create = sc_as_create,
	.as_reset = sc_as_reset,
	.as_destroy = sc_as_destroy,
	.map_file = sc_map_file,
	.unmap = sc_unmap,
	.run = sc_run,
	.fp_pull = sc_fp_pull,
	.ctx_release = sc_ctx_release,
};

#ifdef PLAT_TESTING
/* Test-only: the first guest thread of the address space (slot 0), or -1
 * before a switch made it. */
pid_t sc_test_thread_tid(struct plat_as *as)
{
	pthread_mutex_lock(&as->sc->mu);
	pid_t tid = as->sc->nthreads ? as->sc->slots[0].tid : -1;
	pthread_mutex_unlock(&as->sc->mu);
	return tid > 0 ? tid : -1;
}
#endif
