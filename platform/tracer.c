/* What happens when a harness thread that traces stub threads exits.
 *
 * PTRACE_O_EXITKILL fires when the tracer *thread* exits, and the SIGKILL it
 * sends takes the whole stub process. So a harness thread that goes away
 * must first hand its stub threads back: each is pointed at the stub's
 * hold loop and detached with SIGSTOP, leaving it in group-stop (a SIGCONT
 * from outside only runs it into its next SIGSTOP) until the P8 re-key
 * path attaches it to another harness thread. The exiting thread
 * finds its stub threads in the pools of every live platform instance. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/internal.h"

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct plat *registry[64];
static __thread pid_t my_tid;

pid_t tracer_tid(void)
{
	if (!my_tid)
		my_tid = (pid_t)syscall(SYS_gettid);
	return my_tid;
}

/* A parked thread that someone outside SIGCONTs runs the hold loop (see
 * stub_thread_hold) and stops again; it can never run guest code or the
 * int3 untraced. */
static void park(struct stub_thread *t)
{
	ctx_evict_fp(t);
	t->kregs_valid = false;
	if (stub_thread_hold(t, &t->init_regs) == 0 &&
	    ptrace(PTRACE_DETACH, t->tid, 0, (void *)SIGSTOP) == 0)
		atomic_store(&t->detached, true);
	/* A failure means the stub is already dead: nothing to hand back. */
}

static void park_mine(struct thread_pool *tp, pid_t me)
{
	pthread_rwlock_rdlock(&tp->lock);
	for (size_t i = 0; i < tp->n; i++) {
		struct stub_thread *t = tp->v[i].t;
		if (tp->v[i].key == me && !t->dead && !atomic_load(&t->detached))
			park(t);
	}
	pthread_rwlock_unlock(&tp->lock);
}

static void on_thread_exit(void *unused)
{
	(void)unused;
	pid_t me = tracer_tid();
	pthread_mutex_lock(&registry_mu);
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
		struct plat *p = registry[i];
		if (!p)
			continue;
		pthread_mutex_lock(&p->mu);
		for (struct plat_as *as = p->all; as; as = as->next_all) {
			if (atomic_load(&as->dead))
				continue;
			park_mine(&as->sysemu, me);
			park_mine(&as->syscall, me);
		}
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_unlock(&registry_mu);
}

static void make_key(void)
{
	pthread_key_create(&exit_key, on_thread_exit);
}

/* Called whenever the calling thread attaches a stub thread. */
void tracer_adopt(void)
{
	pthread_once(&exit_key_once, make_key);
	if (!pthread_getspecific(exit_key))
		pthread_setspecific(exit_key, (void *)1);
}

int tracer_register(struct plat *p)
{
	pthread_mutex_lock(&registry_mu);
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (!registry[i]) {
			registry[i] = p;
			pthread_mutex_unlock(&registry_mu);
			return 0;
		}
	pthread_mutex_unlock(&registry_mu);
	return -EMFILE;
}

void tracer_unregister(struct plat *p)
{
	pthread_mutex_lock(&registry_mu);
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (registry[i] == p)
			registry[i] = NULL;
	pthread_mutex_unlock(&registry_mu);
}
