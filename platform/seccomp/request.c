/* T7: requests to a serving thread (the master's, or a stub process's).
 * The harness writes the request into the read-only page and bumps its
 * sequence word, which is also the futex the serving thread sleeps on;
 * the result comes back on the process's eventfd, which no guest thread
 * may write (T3), so neither the request nor its completion can be forged
 * (T5). Waiting polls the eventfd together with the process's pidfd: a
 * stub that dies ends the wait at once (T8). */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/seccomp/seccomp.h"

int sc_futex_wake(volatile uint32_t *word)
{
	return (int)syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

int sc_futex_wait(volatile uint32_t *word, uint32_t val)
{
	return (int)syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);
}

/* The value is the result table's entry: code + 1 (abi.h). */
static int decode(uint64_t v)
{
	if (v == 1)
		return 0;
	if (v >= 2 && v <= SC_RESULT_OTHER)
		return -(int)(v - 1);
	return -EPROTO; /* "anything else", or two results at once */
}

int sc_wait_result(struct sc_as *sa)
{
	for (;;) {
		uint64_t v;
		ssize_t n = read(sa->efd, &v, sizeof(v));
		if (n == sizeof(v))
			return decode(v);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		struct pollfd pf[2] = { { sa->efd, POLLIN, 0 }, { sa->pidfd, POLLIN, 0 } };
		int r = poll(pf, sa->pidfd >= 0 ? 2 : 1, -1);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 && !(pf[0].revents & POLLIN) && (pf[1].revents & (POLLIN | POLLHUP)))
			return -PLAT_ESTUBDEAD;
	}
}

int sc_request_locked(struct sc_as *sa, int op, const uint64_t args[6])
{
	if (atomic_load(&sa->as->dead))
		return -PLAT_ESTUBDEAD;
	memcpy(sa->map + SC_RO_ARGS, args, 6 * sizeof(uint64_t));
	memcpy(sa->map + SC_RO_OP, &op, sizeof(op));
	atomic_store_explicit((_Atomic uint32_t *)(sa->map + SC_RO_SEQ), ++sa->seq,
			      memory_order_release);
	sc_futex_wake((volatile uint32_t *)(sa->map + SC_RO_SEQ));
	return sc_wait_result(sa);
}

int sc_request(struct sc_as *sa, int op, const uint64_t args[6])
{
	pthread_mutex_lock(&sa->req_mu);
	int r = sc_request_locked(sa, op, args);
	pthread_mutex_unlock(&sa->req_mu);
	return r;
}
