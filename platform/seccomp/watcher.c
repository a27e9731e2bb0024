/* T8, P25: one harness thread per instance that is the parent of every
 * stub process (the master is forked from it; the master clones the
 * others with CLONE_PARENT). It lives as long as the instance, so that
 * PR_SET_PDEATHSIG, which follows the parent *thread*, fires only when the
 * harness really goes; and it polls every stub's pidfd, so a stub that
 * dies is seen at once, never by a timeout: it reaps it, poisons its
 * address space and wakes whoever waits on one of its slots. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/seccomp/seccomp.h"

void sc_watcher_poke(struct sc_plat *sp)
{
	uint64_t one = 1;
	if (write(sp->wake_efd, &one, sizeof(one)) < 0) {
		/* The counter is saturated: the watcher is already awake. */
	}
}

static void reap(struct sc_plat *sp, struct plat_as *as)
{
	struct sc_as *sa = as->sc;
	int status = 0;
	while (waitpid(as->pid, &status, __WALL) < 0 && errno == EINTR)
		;
	/* Killed by us because a guest thread had gone while the rest
	 * lived on: only a kernel oops does that (T8). */
	bool lone =
		atomic_load(&sa->lone_exit) && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	sc_as_poison(as, status,
		     lone ? "running, after one of its guest threads had exited alone (a kernel "
			    "oops?)"
			  : "running");
	pthread_mutex_lock(&sp->mu);
	sa->reaped = true;
	sa->status = status;
	pthread_cond_broadcast(&sp->cv);
	pthread_mutex_unlock(&sp->mu);
}

/* The stub processes to watch: every one not reaped yet. */
static size_t collect(struct sc_plat *sp, struct pollfd **pf, struct plat_as ***who, size_t *cap)
{
	struct plat *p = sp->p;
	size_t n = 1;
	pthread_mutex_lock(&p->mu);
	for (struct plat_as *as = p->all; as; as = as->next_all) {
		if (as->sc->pidfd < 0 || as->sc->reaped)
			continue;
		if (n == *cap) {
			size_t c = *cap * 2;
			struct pollfd *np = realloc(*pf, c * sizeof(**pf));
			struct plat_as **nw = np ? realloc(*who, c * sizeof(**who)) : NULL;
			if (np)
				*pf = np;
			if (!nw)
				break; /* watched next time round */
			*who = nw;
			*cap = c;
		}
		(*pf)[n] = (struct pollfd){ as->sc->pidfd, POLLIN, 0 };
		(*who)[n] = as;
		n++;
	}
	pthread_mutex_unlock(&p->mu);
	(*pf)[0] = (struct pollfd){ sp->wake_efd, POLLIN, 0 };
	return n;
}

static void *watcher_main(void *arg)
{
	struct sc_plat *sp = arg;
	char err[256] = "";
	int e = sc_master_create(sp, err, sizeof(err));
	pthread_mutex_lock(&sp->mu);
	sp->started = true;
	sp->start_err = e;
	if (e)
		snprintf(sp->p->error, sizeof(sp->p->error), "%s", err);
	pthread_cond_broadcast(&sp->cv);
	pthread_mutex_unlock(&sp->mu);
	if (e)
		return NULL;
	size_t cap = 16;
	struct pollfd *pf = malloc(cap * sizeof(*pf));
	struct plat_as **who = malloc(cap * sizeof(*who));
	while (pf && who) {
		size_t n = collect(sp, &pf, &who, &cap);
		if (poll(pf, n, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents & POLLIN) {
			uint64_t v;
			if (read(sp->wake_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				break;
		}
		pthread_mutex_lock(&sp->mu);
		bool stop = sp->stop;
		pthread_mutex_unlock(&sp->mu);
		if (stop)
			break;
		for (size_t i = 1; i < n; i++)
			if (pf[i].revents & (POLLIN | POLLHUP))
				reap(sp, who[i]);
	}
	free(pf);
	free(who);
	return NULL;
}

int sc_watcher_start(struct sc_plat *sp, char *err, size_t errlen)
{
	sp->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sp->wake_efd < 0) {
		snprintf(err, errlen, "eventfd for the stub watcher: %s", strerror(errno));
		return -1;
	}
	int e = pthread_create(&sp->watcher, NULL, watcher_main, sp);
	if (e) {
		snprintf(err, errlen, "starting the stub watcher: %s", strerror(e));
		return -1;
	}
	pthread_mutex_lock(&sp->mu);
	while (!sp->started)
		pthread_cond_wait(&sp->cv, &sp->mu);
	pthread_mutex_unlock(&sp->mu);
	if (sp->start_err) {
		pthread_join(sp->watcher, NULL);
		snprintf(err, errlen, "%s", sp->p->error);
		return -1;
	}
	return 0;
}

/* When the watcher thread exits, PDEATHSIG kills whatever stub is left. */
void sc_watcher_stop(struct sc_plat *sp)
{
	pthread_mutex_lock(&sp->mu);
	sp->stop = true;
	pthread_mutex_unlock(&sp->mu);
	sc_watcher_poke(sp);
	pthread_join(sp->watcher, NULL);
	close(sp->wake_efd);
}

void sc_watcher_wait_reaped(struct sc_plat *sp, struct sc_as *sa)
{
	pthread_mutex_lock(&sp->mu);
	while (!sa->reaped)
		pthread_cond_wait(&sp->cv, &sp->mu);
	pthread_mutex_unlock(&sp->mu);
}
