/* S6: pending sets, as kernel/signal.c keeps them. A set is a bit mask and
 * a list of queued siginfos in arrival order:
 *  - a standard signal (below SIGRTMIN) already pending is dropped
 *    (legacy_queue): standard signals coalesce;
 *  - a real-time one queues every instance with its own siginfo;
 *  - each entry counts against RLIMIT_SIGPENDING (the user's count on
 *    Linux; every process of a case is one user) unless it is a standard
 *    signal from the kernel (si_code >= 0). Past the limit a real-time
 *    signal sent with a siginfo of its own (not kill's SI_USER) fails
 *    with EAGAIN; anything else is still sent, but its siginfo is lost:
 *    it is delivered with si_code SI_USER and no sender. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "harness/sentry/kernel.h"

#define SYNC_MASK                                                                               \
	(SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | \
	 SIGBIT(SIGSYS))

static void append(struct sigqueue **q, struct sigqueue *e)
{
	while (*q)
		q = &(*q)->next;
	e->next = NULL;
	*q = e;
}

/* __send_signal_locked's queueing into one pending set. */
static int enqueue(struct kernel *k, uint64_t *set, struct sigqueue **q, const siginfo_t *si,
		   rlim_t limit)
{
	int sig = si->si_signo;
	if (sig < LINUX_SIGRTMIN && (*set & SIGBIT(sig)))
		return 0;
	bool override = sig < LINUX_SIGRTMIN && si->si_code >= 0;
	struct sigqueue *e = NULL;
	if (override || (rlim_t)k->sigqueued < limit)
		e = malloc(sizeof(*e));
	if (e) {
		e->info = *si;
		append(q, e);
		k->sigqueued++;
	} else if (sig >= LINUX_SIGRTMIN && si->si_code != SI_USER) {
		return -EAGAIN;
	}
	*set |= SIGBIT(sig);
	return 0;
}

int sigqueue_task(struct task *t, const siginfo_t *si)
{
	return enqueue(t->proc->k, &t->pending, &t->pending_q, si,
		       t->proc->rlim[RLIMIT_SIGPENDING].rlim_cur);
}

int sigqueue_proc(struct proc *p, const siginfo_t *si)
{
	return enqueue(p->k, &p->shared_pending, &p->shared_q, si,
		       p->rlim[RLIMIT_SIGPENDING].rlim_cur);
}

/* collect_signal: the oldest instance; the bit stays while another one
 * is queued. No entry: the siginfo was lost to the limit. */
static void collect(struct kernel *k, uint64_t *set, struct sigqueue **q, int sig, siginfo_t *si)
{
	struct sigqueue **first = NULL;
	bool more = false;
	for (struct sigqueue **pp = q; *pp && !more; pp = &(*pp)->next)
		if ((*pp)->info.si_signo == sig) {
			more = first != NULL;
			first = first ? first : pp;
		}
	if (first) {
		struct sigqueue *e = *first;
		*si = e->info;
		*first = e->next;
		free(e);
		k->sigqueued--;
	} else {
		memset(si, 0, sizeof(*si));
		si->si_signo = sig;
		si->si_code = SI_USER;
	}
	if (!more)
		*set &= ~SIGBIT(sig);
}

/* next_signal: synchronous signals first, then the lowest number, so
 * standard signals before real-time ones. */
int signal_dequeue(struct task *t, uint64_t mask, siginfo_t *si)
{
	uint64_t *set = &t->pending;
	struct sigqueue **q = &t->pending_q;
	uint64_t ready = *set & mask;
	if (!ready) {
		set = &t->proc->shared_pending;
		q = &t->proc->shared_q;
		ready = *set & mask;
	}
	if (!ready)
		return 0;
	if (ready & SYNC_MASK)
		ready &= SYNC_MASK;
	int sig = __builtin_ctzll(ready) + 1;
	collect(t->proc->k, set, q, sig, si);
	return sig;
}

static void flush(struct kernel *k, uint64_t *set, struct sigqueue **q, uint64_t mask)
{
	for (struct sigqueue **pp = q; *pp;) {
		struct sigqueue *e = *pp;
		if (mask & SIGBIT(e->info.si_signo)) {
			*pp = e->next;
			free(e);
			k->sigqueued--;
		} else {
			pp = &e->next;
		}
	}
	*set &= ~mask;
}

void signal_discard(struct proc *p, uint64_t mask)
{
	flush(p->k, &p->shared_pending, &p->shared_q, mask);
	for (struct task *t = p->tasks; t; t = t->next)
		flush(p->k, &t->pending, &t->pending_q, mask);
}

void signal_queue_free(struct kernel *k, struct sigqueue **q)
{
	uint64_t set = 0;
	flush(k, &set, q, ~0ULL);
}
