/* S8: futexes. Waiters are keyed as get_futex_key() keys them: a private
 * futex (FUTEX_PRIVATE_FLAG, or a word in private memory) by address space
 * and address; a shared one in MAP_SHARED memory by its offset in the
 * memory file, so processes sharing the page (fork) find each other
 * whatever address each maps it at. One list for the whole kernel, in
 * arrival order: wakes take the oldest waiters first, as the hash bucket's
 * plist does for equal priorities. */
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <time.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/mm.h"

struct futex_key {
	const void *space; /* the mm (private) or the memory file (shared) */
	uint64_t where;    /* the address (| 1 when not FUTEX_PRIVATE_FLAG), or
	                    * the offset in the memory file */
};

struct futex_waiter {
	struct futex_key key;
	uint32_t bitset;
	struct task *t;
	bool woken;
	struct futex_waiter *next;
};

/* get_futex_key: a misaligned word is EINVAL; private keys need no
 * lookup, shared ones the mapping's backing (unmapped: EFAULT). A shared
 * futex in private memory is keyed by mm and address too, but marked
 * (FUT_OFF_MMSHARED), so it never matches a FUTEX_PRIVATE_FLAG one. */
static int key_of(struct task *t, uint64_t addr, bool private, struct futex_key *k)
{
	uint64_t off;
	if (addr % sizeof(uint32_t))
		return -EINVAL;
	int shared = private ? 0 : mm_shared_offset(t->proc->mm, addr, &off);
	if (shared < 0)
		return shared;
	*k = shared ? (struct futex_key){ t->proc->mf, off }
		    : (struct futex_key){ t->proc->mm, addr | !private };
	return 0;
}

static bool same_key(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->where == b->where;
}

static void unlink_waiter(struct kernel *k, struct futex_waiter *w)
{
	for (struct futex_waiter **pp = &k->futexes; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

static void append_waiter(struct kernel *k, struct futex_waiter *w)
{
	struct futex_waiter **pp = &k->futexes;
	while (*pp)
		pp = &(*pp)->next;
	w->next = NULL;
	*pp = w;
}

/* futex_wake: the count is checked only after a wake, so 0 (or less)
 * still wakes one. */
static int wake(struct task *t, const struct futex_key *key, int n, uint32_t bitset)
{
	struct kernel *k = t->proc->k;
	int woken = 0;
	for (struct futex_waiter **pp = &k->futexes; *pp;) {
		struct futex_waiter *w = *pp;
		if (same_key(&w->key, key) && (w->bitset & bitset)) {
			*pp = w->next;
			w->woken = true;
			if (++woken >= n)
				break;
		} else {
			pp = &w->next;
		}
	}
	if (woken)
		kernel_wake(k);
	return woken;
}

/* CLONE_CHILD_CLEARTID at exit: a shared FUTEX_WAKE of one (mm_release). */
void futex_wake_addr(struct task *t, uint64_t addr, int n)
{
	struct futex_key key;
	if (!key_of(t, addr, false, &key))
		wake(t, &key, n, FUTEX_BITSET_MATCH_ANY);
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

static long futex_wait_restart(struct task *t, const uint64_t *a);

/* futex_wait: interrupted without a timeout it is ERESTARTSYS (SA_RESTART
 * decides); with one, ERESTART_RESTARTBLOCK: a handler makes it EINTR,
 * otherwise restart_syscall resumes it with the same absolute expiry. */
static long interrupted(struct task *t, uint64_t addr, uint32_t val, uint32_t bitset, bool private,
			uint64_t host_deadline)
{
	if (!host_deadline)
		return -ERESTARTSYS;
	t->restart = (struct restart_block){ .fn = futex_wait_restart,
					     .deadline_ns = host_deadline,
					     .uaddr = addr,
					     .val = val,
					     .bitset = bitset,
					     .private_futex = private };
	return -ERESTART_RESTARTBLOCK;
}

static long wait_on(struct task *t, uint64_t addr, uint32_t val, uint32_t bitset, bool private,
		    uint64_t host_deadline)
{
	struct kernel *k = t->proc->k;
	struct futex_key key;
	uint32_t cur;
	if (!bitset)
		return -EINVAL;
	int e = key_of(t, addr, private, &key);
	if (e)
		return e;
	if (copy_in(t, addr, &cur, sizeof(cur)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	struct futex_waiter w = { key, bitset, t, false, NULL };
	append_waiter(k, &w);
	for (;;) {
		int r = task_wait(t, host_deadline);
		if (w.woken)
			return 0;
		if (r == -ETIMEDOUT || r == -EINTR) {
			unlink_waiter(k, &w);
			if (r == -ETIMEDOUT)
				return -ETIMEDOUT;
			return interrupted(t, addr, val, bitset, private, host_deadline);
		}
	}
}

static long futex_wait_restart(struct task *t, const uint64_t *a)
{
	(void)a;
	struct restart_block rb = t->restart;
	return wait_on(t, rb.uaddr, rb.val, rb.bitset, rb.private_futex, rb.deadline_ns);
}

/* REQUEUE and CMP_REQUEUE (futex_requeue): negative counts are EINVAL
 * before anything else; the first nr_wake waiters wake, the next
 * nr_requeue move to the second word (behind its waiters); the result
 * counts both, for either command. */
static long requeue(struct task *t, const uint64_t *a, bool private, bool cmp)
{
	struct kernel *k = t->proc->k;
	int nr_wake = (int)a[2], nr_requeue = (int)(uint32_t)a[3];
	struct futex_key k1, k2;
	int e;
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if ((e = key_of(t, a[0], private, &k1)) || (e = key_of(t, a[4], private, &k2)))
		return e;
	if (cmp) {
		uint32_t cur;
		if (copy_in(t, a[0], &cur, sizeof(cur)))
			return -EFAULT;
		if (cur != (uint32_t)a[5])
			return -EAGAIN;
	}
	struct futex_waiter *moved = NULL, **tail = &moved;
	long count = 0;
	for (struct futex_waiter **pp = &k->futexes; *pp && count - nr_wake < nr_requeue;) {
		struct futex_waiter *w = *pp;
		if (!same_key(&w->key, &k1)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		if (++count <= nr_wake) {
			w->woken = true;
		} else {
			w->key = k2;
			w->next = NULL;
			*tail = w;
			tail = &w->next;
		}
	}
	for (struct futex_waiter *w = moved, *next; w; w = next) {
		next = w->next;
		append_waiter(k, w);
	}
	if (count)
		kernel_wake(k);
	return count;
}

long sys_futex(struct task *t, const uint64_t *a)
{
	int op = (int)a[1];
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	bool private = op & FUTEX_PRIVATE_FLAG;
	struct futex_key key;
	uint64_t deadline;
	int e;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if ((e = deadline_of(t, cmd, realtime, a[3], &deadline)))
			return e;
		return wait_on(t, a[0], (uint32_t)a[2],
			       cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5], private,
			       deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5];
		if (!bitset)
			return -EINVAL;
		if ((e = key_of(t, a[0], private, &key)))
			return e;
		return wake(t, &key, (int)a[2], bitset);
	}
	case FUTEX_REQUEUE: return requeue(t, a, private, false);
	case FUTEX_CMP_REQUEUE: return requeue(t, a, private, true);
	}
	return -ENOSYS;
}
