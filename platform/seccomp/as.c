/* T7, T8, P22: address spaces of the seccomp-trap backend. A stub process
 * is cloned by the master on request; its first thread becomes its
 * serving thread (mmap, munmap, new guest threads), and its guest threads
 * are made on demand by the switch. A dead one is poisoned (the watcher
 * saw it), a released one is emptied and pooled. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/seccomp/seccomp.h"

struct plat_as *sc_as_alloc(struct plat *p, bool is_master)
{
	struct plat_as *as = calloc(1, sizeof(*as));
	struct sc_as *sa = calloc(1, sizeof(*sa));
	if (!as || !sa) {
		free(as);
		free(sa);
		return NULL;
	}
	as->plat = p;
	as->sc = sa;
	sa->as = as;
	sa->is_master = is_master;
	sa->memfd = sa->efd = sa->pidfd = -1;
	pthread_mutex_init(&sa->req_mu, NULL);
	pthread_mutex_init(&sa->mu, NULL);
	pthread_mutex_init(&sa->poison_mu, NULL);
	pthread_cond_init(&sa->cv, NULL);
	for (unsigned i = 0; i < SC_SLOTS_MAX; i++) {
		sa->slots[i].sa = sa;
		sa->slots[i].idx = i;
	}
	return as;
}

void sc_as_free(struct plat_as *as)
{
	struct sc_as *sa = as->sc;
	sc_region_free(sa);
	pthread_mutex_destroy(&sa->req_mu);
	pthread_mutex_destroy(&sa->mu);
	pthread_mutex_destroy(&sa->poison_mu);
	pthread_cond_destroy(&sa->cv);
	free(sa);
	free(as);
}

static const char *how(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "died");
	return buf;
}

/* P23, T8: the address space is dead from now on; every switch waiting on
 * one of its slots wakes up and returns the error. The first reason
 * given is the one reported. */
void sc_as_poison(struct plat_as *as, int status, const char *what)
{
	struct sc_as *sa = as->sc;
	/* dead only once the error is written: a switch that sees dead
	 * reports the error at once (and one that sees DEAD in its word was
	 * woken after both). */
	pthread_mutex_lock(&sa->poison_mu);
	if (!atomic_load(&as->dead)) {
		char h[96];
		as->dead_status = status;
		if (status == -1)
			snprintf(as->error, sizeof(as->error), "stub process %d: %s", as->pid,
				 what);
		else
			snprintf(as->error, sizeof(as->error), "stub process %d %s while %s",
				 as->pid, how(status, h, sizeof(h)), what);
		if (sa->is_master) {
			struct plat *p = as->plat;
			snprintf(p->error, sizeof(p->error), "the master stub died: %s", as->error);
			atomic_store(&p->dead, true);
		}
		atomic_store(&as->dead, true);
	}
	pthread_mutex_unlock(&sa->poison_mu);
	if (status == -1 && as->pid > 0)
		kill(as->pid, SIGKILL); /* a protocol violation: nothing of it may run on */
	if (!sa->map)
		return;
	for (unsigned i = 0; i < sc_layout.slots; i++) {
		atomic_store((_Atomic uint32_t *)sc_state(sa, i), SC_ST_DEAD);
		sc_futex_wake(sc_state(sa, i));
	}
	pthread_mutex_lock(&sa->mu);
	atomic_fetch_add(&sa->slot_gen, 1);
	pthread_cond_broadcast(&sa->cv);
	pthread_mutex_unlock(&sa->mu);
	syscall(SYS_futex, &sa->slot_gen, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static int request_process(struct sc_plat *sp, struct sc_as *sa)
{
	struct sc_as *m = sp->master->sc;
	uint64_t args[6] = { (uint64_t)sa->memfd };
	pthread_mutex_lock(&m->req_mu);
	int e = sc_request_locked(m, SC_OP_PROCESS, args);
	uint32_t pid;
	memcpy(&pid, m->map + SC_PAGE + SC_RW_PTID, sizeof(pid));
	pthread_mutex_unlock(&m->req_mu);
	if (e)
		return e;
	sa->as->pid = (pid_t)pid;
	return 0;
}

int sc_as_create(struct plat *p, struct plat_as **out)
{
	struct sc_plat *sp = p->sc;
	struct plat_as *as = sc_as_alloc(p, false);
	if (!as)
		return -ENOMEM;
	struct sc_as *sa = as->sc;
	char err[192];
	int e = sc_region_new(sa, err, sizeof(err));
	if (!e)
		e = request_process(sp, sa);
	if (e) {
		sc_as_free(as);
		return e == -PLAT_ESTUBDEAD || atomic_load(&p->dead) ? -PLAT_ESTUBDEAD : e;
	}
	sa->pidfd = (int)syscall(SYS_pidfd_open, as->pid, 0);
	if (sa->pidfd < 0) {
		e = -errno;
		kill(as->pid, SIGKILL);
		waitpid(as->pid, NULL, __WALL);
		sc_as_free(as);
		return e;
	}
	as_link(as);
	sc_watcher_poke(sp);
	e = sc_wait_result(sa); /* its ready report */
	if (e) {
		sc_as_destroy(as);
		return e == -PLAT_ESTUBDEAD ? -PLAT_ESTUBDEAD : -ECHILD;
	}
	close(sa->memfd);
	sa->memfd = -1;
	*out = as;
	return 0;
}

/* P22: nothing of the last guest stays but the stub page and the region. */
int sc_as_reset(struct plat_as *as)
{
	uint64_t a[6] = { 0, stub_layout.start };
	return sc_request(as->sc, SC_OP_MUNMAP, a);
}

/* FP state still resident in a frame goes home first: the region stays
 * readable in the harness even when the stub is dead. */
static void evict_all(struct sc_as *sa)
{
	pthread_mutex_lock(&sa->mu);
	for (unsigned i = 0; i < sa->nthreads; i++) {
		struct sc_thread *t = &sa->slots[i];
		struct plat_ctx *owner = atomic_exchange(&t->fp_owner, NULL);
		if (!owner)
			continue;
		if (!owner->fp_local_valid && sc_fp_from_frame(sa, i, owner->fp) == 0)
			owner->fp_local_valid = true;
		owner->fp_dirty = true;
		/* Last, as in switch.c's evict(). */
		atomic_store_explicit(&owner->sc_home, NULL, memory_order_release);
	}
	pthread_mutex_unlock(&sa->mu);
}

void sc_as_destroy(struct plat_as *as)
{
	struct sc_plat *sp = as->plat->sc;
	struct sc_as *sa = as->sc;
	evict_all(sa);
	pthread_mutex_lock(&sa->poison_mu);
	if (!atomic_load(&as->dead)) {
		snprintf(as->error, sizeof(as->error), "stub process %d was released", as->pid);
		atomic_store(&as->dead, true);
	}
	pthread_mutex_unlock(&sa->poison_mu);
	if (as->pid > 0 && sa->pidfd >= 0) {
		kill(as->pid, SIGKILL);
		sc_watcher_wait_reaped(sp, sa);
	}
	as_unlink(as);
	sc_as_free(as);
}

int sc_map_file(struct plat_as *as, uintptr_t addr, int fd, uint64_t offset, size_t len, int prot,
		bool precommit)
{
	int flags = MAP_SHARED | MAP_FIXED | (precommit ? MAP_POPULATE : 0);
	uint64_t a[6] = { addr, len, (uint64_t)prot, (uint64_t)flags, (uint64_t)fd, offset };
	return sc_request(as->sc, SC_OP_MMAP, a);
}

/* A munmap the harness asked for cannot fail on a live stub (P24). */
int sc_unmap(struct plat_as *as, uintptr_t addr, size_t len)
{
	uint64_t a[6] = { addr, len };
	int r = sc_request(as->sc, SC_OP_MUNMAP, a);
	if (r != 0 && r != -PLAT_ESTUBDEAD) {
		fprintf(stderr,
			"platform: fatal: munmap(%#lx, %#zx) in seccomp stub %d failed: %d\n",
			(unsigned long)addr, len, as->pid, r);
		cov_flush();
		abort();
	}
	return r;
}
