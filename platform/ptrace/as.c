/* Address spaces: creation, the pool (P22) and stub death (P23). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/ptrace/ptrace.h"

/* P23: gVisor kills the sandbox here; we poison this address space only,
 * so one case is lost and the harness goes on. The whole stub process is
 * killed so that no thread of it lingers half alive. */
/* dead is set only once the error is written: another tracer thread of
 * the same stub process that sees dead reports the error at once, and
 * must not read it half written. Poisoning is rare: one lock for all. */
static pthread_mutex_t poison_mu = PTHREAD_MUTEX_INITIALIZER;

void as_poison(struct plat_as *as, pid_t tid, int status, const char *what)
{
	pthread_mutex_lock(&poison_mu);
	if (atomic_load(&as->dead)) {
		pthread_mutex_unlock(&poison_mu);
		return;
	}
	char how[96] = "died";
	if (status != -1 && status != 0)
		pt_describe_status(status, how, sizeof(how));
	as->dead_status = status;
	snprintf(as->error, sizeof(as->error), "stub process %d (thread %d) %s while %s", as->pid,
		 tid, how, what);
	atomic_store(&as->dead, true);
	if (as->pid > 0)
		kill(as->pid, SIGKILL);
	if (as->is_master) {
		struct plat *p = as->plat;
		snprintf(p->error, sizeof(p->error), "the master stub died: %s", as->error);
		atomic_store(&p->dead, true);
	}
	pthread_mutex_unlock(&poison_mu);
}

static void reap_thread(struct stub_thread *t, pid_t key, void *unused)
{
	(void)key;
	(void)unused;
	int status;
	/* Any thread of the harness may wait for another thread's tracee. */
	if (t->tid > 0 && t->tid != t->as->pid)
		while (waitpid(t->tid, &status, __WALL) < 0 && errno == EINTR)
			;
	t->dead = true;
}

/* A traced group leader is reported dead only once the rest of its group
 * is gone, so the other threads (whoever traces them) are reaped first. */
static void reap_threads(struct plat_as *as)
{
	tpool_for_each(&as->sysemu, reap_thread, NULL);
	tpool_for_each(&as->syscall, reap_thread, NULL);
}

/* A live stub thread is always in a ptrace-stop while we act on it, so a
 * ptrace call can only fail because the thread is dying (SIGKILL woke it).
 * If /proc still shows it stopped, something impossible happened (P24). */
static void check_really_dying(struct stub_thread *t, const char *what)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", t->as->pid, t->tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *paren = strrchr(buf, ')');
	if (paren && paren[1] == ' ' && paren[2] == 't')
		plat_fatal(t->tid, "a ptrace call failed on a stopped stub thread while %s: %s",
			   what, strerror(errno));
}

/* Called when a ptrace call or wait on t failed (status -1) or showed an
 * exit. Returns -PLAT_ESTUBDEAD: the stub died (P23). */
int as_check_thread_death(struct stub_thread *t, int status, const char *what)
{
	struct plat_as *as = t->as;
	if (status == -1) {
		check_really_dying(t, what);
		kill(as->pid, SIGKILL);
		if (t->tid == as->pid)
			reap_threads(as);
		if (pt_wait(t->tid, &status) != 0)
			status = 0; /* already reaped by another harness thread */
	}
	if (WIFSTOPPED(status))
		plat_fatal(t->tid, "unexpected stop %#x while %s", status, what);
	t->dead = true;
	as_poison(as, t->tid, status, what);
	return -PLAT_ESTUBDEAD;
}

static struct plat_as *as_alloc(struct plat *p, bool is_master)
{
	struct plat_as *as = calloc(1, sizeof(*as));
	if (!as)
		return NULL;
	as->plat = p;
	as->is_master = is_master;
	pthread_mutex_init(&as->mu, NULL);
	pthread_cond_init(&as->cv, NULL);
	tpool_init(&as->sysemu);
	tpool_init(&as->syscall);
	return as;
}

/* Creates a stub process with its server thread; on failure the half-made
 * address space is torn down here. */
struct plat_as *as_create(struct plat *p, bool is_master, int *err)
{
	struct plat_as *as = as_alloc(p, is_master);
	if (!as) {
		*err = -ENOMEM;
		return NULL;
	}
	as_link(as);
	*err = server_start(as);
	if (*err) {
		if (!as->error[0])
			snprintf(as->error, sizeof(as->error),
				 "creating a stub process failed (errno %d)", -*err);
		atomic_store(&as->dead, true);
		as_free(as);
		return NULL;
	}
	return as;
}

int pt_as_create(struct plat *p, struct plat_as **out)
{
	int err;
	*out = as_create(p, false, &err);
	return *out ? 0 : err;
}

/* A dead stub's threads are reaped by whoever traces them; the process
 * itself is then the master's child and is reaped by injecting wait4 there
 * (P23). The master is our own child. */
static void reap(struct plat_as *as)
{
	int status;
	kill(as->pid, SIGKILL);
	reap_threads(as);
	while (waitpid(as->pid, &status, __WALL) < 0 && errno == EINTR)
		;
	as->first->dead = true;
	struct plat_as *master = as->plat->master;
	if (!as->is_master && master && !atomic_load(&master->dead)) {
		long a[6] = { as->pid, 0, __WALL, 0 };
		as_inject(master, SYS_wait4, a);
	}
}

/* Frees an address space that is dead or being destroyed. */
void as_free(struct plat_as *as)
{
	struct plat *p = as->plat;
	if (as->pid > 0)
		reap(as);
	ctx_forget_as(p, as);
	if (as->server)
		server_stop(as);
	as_unlink(as);
	tpool_destroy(&as->sysemu);
	tpool_destroy(&as->syscall);
	free(as->first);
	pthread_mutex_destroy(&as->mu);
	pthread_cond_destroy(&as->cv);
	free(as);
}

static void evict_if_mine(struct stub_thread *t, pid_t key, void *me)
{
	if (!t->dead && !atomic_load(&t->detached) && key == *(pid_t *)me)
		ctx_evict_fp(t);
}

/* P22: released address spaces keep nothing but the stub page. */
int pt_as_reset(struct plat_as *as)
{
	int err;
	struct stub_thread *t = tpool_get(as, &as->syscall, &err);
	return t ? as_unmap_all(as, t) : err;
}

/* Killing it: FP state resident in this thread's stub threads goes home
 * first (only their tracer can read it). */
void pt_as_destroy(struct plat_as *as)
{
	pid_t me = tracer_tid();
	if (!atomic_load(&as->dead))
		tpool_for_each(&as->sysemu, evict_if_mine, &me);
	atomic_store(&as->dead, true);
	as_free(as);
}
