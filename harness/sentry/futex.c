/* S8: futexes. Waiters are keyed by (address space, address): enough for
 * threads and private futexes; a futex in memory shared between processes
 * (MAP_SHARED across fork) is not matched across them yet. */
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <time.h>

#include "harness/sentry/kernel.h"

#define ERESTARTSYS 512

struct futex_waiter {
	struct mm *mm;
	uint64_t addr;
	uint32_t bitset;
	struct task *t;
	bool woken;
	struct futex_waiter *next;
};

static void unlink_waiter(struct kernel *k, struct futex_waiter *w)
{
	for (struct futex_waiter **pp = &k->futexes; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

static int wake(struct task *t, uint64_t addr, int n, uint32_t bitset)
{
	struct kernel *k = t->proc->k;
	int woken = 0;
	for (struct futex_waiter **pp = &k->futexes; *pp && woken < n;) {
		struct futex_waiter *w = *pp;
		if (w->mm == t->proc->mm && w->addr == addr && (w->bitset & bitset)) {
			*pp = w->next;
			w->woken = true;
			woken++;
		} else {
			pp = &w->next;
		}
	}
	if (woken)
		kernel_wake(k);
	return woken;
}

void futex_wake_addr(struct task *t, uint64_t addr, int n)
{
	wake(t, addr, n, FUTEX_BITSET_MATCH_ANY);
}

/* FUTEX_WAIT's timeout is relative; WAIT_BITSET's absolute on the chosen
 * clock. Both become a host deadline (the virtual clocks run at its pace). */
static int deadline_of(struct task *t, int cmd, bool realtime, uint64_t uts, uint64_t *host)
{
	struct timespec ts;
	*host = 0;
	if (!uts)
		return 0;
	if (copy_in(t, uts, &ts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (cmd == FUTEX_WAIT) {
		*host = host_now_ns() + ns;
		return 0;
	}
	uint64_t now = vclock_ns(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC);
	*host = host_now_ns() + (ns > now ? ns - now : 0);
	if (!*host)
		*host = 1;
	return 0;
}

static long wait_on(struct task *t, uint64_t addr, uint32_t val, uint32_t bitset, uint64_t host_deadline)
{
	struct kernel *k = t->proc->k;
	uint32_t cur;
	if (!bitset)
		return -EINVAL;
	if (copy_in(t, addr, &cur, sizeof(cur)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	struct futex_waiter w = { t->proc->mm, addr, bitset, t, false, k->futexes };
	k->futexes = &w;
	for (;;) {
		int r = task_wait(t, host_deadline);
		if (w.woken)
			return 0;
		if (r == -ETIMEDOUT || r == -EINTR) {
			unlink_waiter(k, &w);
			return r == -ETIMEDOUT ? -ETIMEDOUT : host_deadline ? -EINTR : -ERESTARTSYS;
		}
	}
}

/* REQUEUE and CMP_REQUEUE: wake some, move the rest of the waiters. */
static long requeue(struct task *t, const uint64_t *a, bool cmp)
{
	if (cmp) {
		uint32_t cur;
		if (copy_in(t, a[0], &cur, sizeof(cur)))
			return -EFAULT;
		if (cur != (uint32_t)a[5])
			return -EAGAIN;
	}
	int woken = wake(t, a[0], (int)a[2] < 0 ? 0 : (int)a[2], FUTEX_BITSET_MATCH_ANY);
	long moved = 0, limit = (long)(uint32_t)a[3];
	for (struct futex_waiter *w = t->proc->k->futexes; w && moved < limit; w = w->next)
		if (w->mm == t->proc->mm && w->addr == a[0]) {
			w->addr = a[4];
			moved++;
		}
	return woken + (cmp ? moved : 0);
}

long sys_futex(struct task *t, const uint64_t *a)
{
	int op = (int)a[1];
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	uint64_t deadline;
	int e;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if ((e = deadline_of(t, cmd, realtime, a[3], &deadline)))
			return e;
		return wait_on(t, a[0], (uint32_t)a[2], cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5],
			       deadline);
	case FUTEX_WAKE:
		return wake(t, a[0], (int)a[2] < 0 ? 0 : (int)a[2], FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if (!(uint32_t)a[5])
			return -EINVAL;
		return wake(t, a[0], (int)a[2] < 0 ? 0 : (int)a[2], (uint32_t)a[5]);
	case FUTEX_REQUEUE:
		return requeue(t, a, false);
	case FUTEX_CMP_REQUEUE:
		return requeue(t, a, true);
	}
	return -ENOSYS;
}
