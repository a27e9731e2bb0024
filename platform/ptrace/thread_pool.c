/* P8: one pool per purpose (guest code, injected syscalls) per stub
 * process, mapping a harness thread id to the stub thread it drives. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/ptrace/ptrace.h"

void tpool_init(struct thread_pool *tp)
{
	pthread_rwlock_init(&tp->lock, NULL);
	tp->v = NULL;
	tp->n = tp->cap = 0;
}

void tpool_destroy(struct thread_pool *tp)
{
	for (size_t i = 0; i < tp->n; i++)
		free(tp->v[i].t);
	free(tp->v);
	pthread_rwlock_destroy(&tp->lock);
}

void tpool_for_each(struct thread_pool *tp, void (*fn)(struct stub_thread *, pid_t, void *),
		    void *arg)
{
	pthread_rwlock_rdlock(&tp->lock);
	for (size_t i = 0; i < tp->n; i++)
		fn(tp->v[i].t, tp->v[i].key, arg);
	pthread_rwlock_unlock(&tp->lock);
}

static struct stub_thread *lookup(struct thread_pool *tp, pid_t key)
{
	for (size_t i = 0; i < tp->n; i++)
		if (tp->v[i].key == key)
			return tp->v[i].t;
	return NULL;
}

/* Signal 0 is the cheapest existence test for a harness thread. */
static struct stub_thread *rekey_abandoned(struct thread_pool *tp, pid_t me)
{
	for (size_t i = 0; i < tp->n; i++) {
		if (syscall(SYS_tgkill, getpid(), tp->v[i].key, 0) != 0 && errno == ESRCH) {
			tp->v[i].key = me;
			return tp->v[i].t;
		}
	}
	return NULL;
}

static int insert(struct thread_pool *tp, pid_t key, struct stub_thread *t)
{
	if (tp->n == tp->cap) {
		size_t cap = tp->cap ? 2 * tp->cap : 8;
		struct pool_entry *v = realloc(tp->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		tp->v = v;
		tp->cap = cap;
	}
	tp->v[tp->n++] = (struct pool_entry){ key, t };
	return 0;
}

/* A thread whose tracer exited was parked and detached (tracer.c); the new
 * tracer takes it over exactly as it takes over a brand-new thread (P9). */
static int reattach(struct plat_as *as, struct stub_thread *t)
{
	int e = stub_thread_attach(t);
	if (e) {
		t->dead = true;
		as_poison(as, t->tid, 0, "could not be re-attached after its tracer exited");
		return -PLAT_ESTUBDEAD;
	}
	atomic_store(&t->detached, false);
	as_emit(as, &(struct plat_event){ .kind = PLAT_EV_THREAD_REKEY, .stub_tid = t->tid });
	return 0;
}

struct stub_thread *tpool_get(struct plat_as *as, struct thread_pool *tp, int *err)
{
	pid_t me = tracer_tid();
	pthread_rwlock_rdlock(&tp->lock);
	struct stub_thread *t = lookup(tp, me);
	pthread_rwlock_unlock(&tp->lock);
	if (t && !atomic_load(&t->detached))
		return t;
	if (!t) {
		pthread_rwlock_wrlock(&tp->lock);
		t = rekey_abandoned(tp, me);
		pthread_rwlock_unlock(&tp->lock);
	}
	if (t) {
		*err = reattach(as, t);
		return *err ? NULL : t;
	}
	t = server_new_thread(as, err);
	if (!t)
		return NULL;
	pthread_rwlock_wrlock(&tp->lock);
	*err = insert(tp, me, t);
	pthread_rwlock_unlock(&tp->lock);
	if (*err) {
		free(t);
		return NULL;
	}
	return t;
}
