/* One request at a time, handed over under a mutex (see worker.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "bench/worker.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	cpu_set_t cpus;
	int (*fn)(void *arg); /* the pending request; NULL: none */
	void *arg;
	int result;
	bool busy, stop;
};

static void *worker_main(void *p)
{
	struct worker *w = p;
	/* Before anything is made here: threads and children inherit both.
	 * SCHED_OTHER even under --rt: a free-running figure is what a user
	 * gets, and an RT tracer is pushed to the other CPU at every wake-up
	 * its equally RT stub makes. */
	sched_setaffinity(0, sizeof(w->cpus), &w->cpus);
	sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ 0 });
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->busy && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->mu);
		int r = w->fn(w->arg);
		pthread_mutex_lock(&w->mu);
		w->result = r;
		w->busy = false;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct worker *worker_start(const cpu_set_t *cpus)
{
	struct worker *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cpus = *cpus;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	int e = pthread_create(&w->thread, NULL, worker_main, w);
	if (e) {
		free(w);
		errno = e;
		return NULL;
	}
	return w;
}

int worker_call(struct worker *w, int (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&w->mu);
	w->fn = fn;
	w->arg = arg;
	w->busy = true;
	pthread_cond_broadcast(&w->cv);
	while (w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	int r = w->result;
	pthread_mutex_unlock(&w->mu);
	return r;
}

void worker_stop(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
