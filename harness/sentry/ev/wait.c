/* Readiness waits beyond poll (files.c): select and pselect6 (S7:
 * ERESTARTNOHAND, the time left written back, as poll_select_finish does)
 * and epoll (level- and edge-triggered, one-shot; epoll_wait is EINTR,
 * never restarted, as Linux's ep_poll). Readiness is each file's own
 * (file_poll), and a wait sleeps no longer than the earliest time-driven
 * change (a timerfd's expiry). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "harness/sentry/ev/ev.h"
#include "harness/sentry/file.h"
#include "harness/sentry/kernel.h"

#define NS 1000000000ULL
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* ppoll's and pselect6's mask: in force for the wait, restored after it
 * or, when a signal interrupted it, after that signal's handler. */
static int set_wait_mask(struct task *t, uint64_t umask, uint64_t size)
{
	uint64_t mask;
	if (size != 8)
		return -EINVAL;
	if (copy_in(t, umask, &mask, sizeof(mask)))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = mask & ~UNBLOCKABLE;
	return 0;
}

static void end_wait_mask(struct task *t, long r)
{
	if (r != -ERESTARTNOHAND && r != -EINTR) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
}

/* ---- select ---- */

#define FDS_WORDS (MAX_FDS / 64)
#define SEL_IN (POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLERR)
#define SEL_EX POLLPRI

struct fdsets {
	uint64_t in[FDS_WORDS], out[FDS_WORDS], ex[FDS_WORDS];
};

static bool bit(const uint64_t *s, int fd)
{
	return s[fd / 64] >> (fd % 64) & 1;
}

static long select_scan(struct task *t, int n, const struct fdsets *want, struct fdsets *got,
			uint64_t *wake)
{
	long ready = 0;
	memset(got, 0, sizeof(*got));
	*wake = 0;
	for (int fd = 0; fd < n; fd++) {
		if (!bit(want->in, fd) && !bit(want->out, fd) && !bit(want->ex, fd))
			continue;
		struct file *f = file_of(t, (uint64_t)fd);
		if (!f)
			return -EBADF;
		short rev = file_poll(t, f);
		uint64_t w = file_next_change(f);
		if (w && (!*wake || w < *wake))
			*wake = w;
		if (bit(want->in, fd) && (rev & SEL_IN))
			got->in[fd / 64] |= 1ULL << (fd % 64), ready++;
		if (bit(want->out, fd) && (rev & SEL_OUT))
			got->out[fd / 64] |= 1ULL << (fd % 64), ready++;
		if (bit(want->ex, fd) && (rev & SEL_EX))
			got->ex[fd / 64] |= 1ULL << (fd % 64), ready++;
	}
	return ready;
}

static int copy_sets(struct task *t, const uint64_t *ua, int n, struct fdsets *s, bool out)
{
	size_t bytes = ((size_t)n + 63) / 64 * 8;
	uint64_t *sets[3] = { s->in, s->out, s->ex };
	for (int i = 0; i < 3; i++) {
		if (!ua[i])
			continue;
		if (out ? copy_out(t, ua[i], sets[i], bytes) : copy_in(t, ua[i], sets[i], bytes))
			return -EFAULT;
	}
	return 0;
}

/* deadline: absolute virtual CLOCK_MONOTONIC ns, or 0 for none. */
static long do_select(struct task *t, int n, const uint64_t *ua, bool timed, uint64_t deadline)
{
	struct fdsets want, got;
	memset(&want, 0, sizeof(want));
	if (n < 0)
		return -EINVAL;
	if (n > MAX_FDS)
		n = MAX_FDS;
	if (copy_sets(t, ua, n, &want, false))
		return -EFAULT;
	for (bool last = timed && deadline <= vclock_ns(CLOCK_MONOTONIC);;) {
		uint64_t wake;
		long ready = select_scan(t, n, &want, &got, &wake);
		if (ready < 0)
			return ready;
		if (ready || last)
			return copy_sets(t, ua, n, &got, true) ? -EFAULT : ready;
		int r = file_sleep(t, timed ? deadline : 0, wake);
		if (r == -EINTR)
			return -ERESTARTNOHAND;
		last = r == 0 && timed;
	}
}

static uint64_t left_of(uint64_t deadline)
{
	uint64_t now = vclock_ns(CLOCK_MONOTONIC);
	return deadline > now ? deadline - now : 0;
}

long sys_select(struct task *t, const uint64_t *a)
{
	struct {
		int64_t sec, usec;
	} tv = { 0, 0 };
	uint64_t deadline = 0;
	if (a[4]) {
		if (copy_in(t, a[4], &tv, sizeof(tv)))
			return -EFAULT;
		if (tv.sec < 0 || tv.usec < 0)
			return -EINVAL;
		deadline = vclock_ns(CLOCK_MONOTONIC) + (uint64_t)tv.sec * NS +
			   (uint64_t)(tv.usec % 1000000) * 1000 +
			   (uint64_t)(tv.usec / 1000000) * NS;
	}
	long r = do_select(t, (int)a[0], a + 1, a[4] != 0, deadline);
	/* poll_select_finish: select's timeout holds the time left. */
	if (a[4] && (tv.sec || tv.usec)) {
		uint64_t left = left_of(deadline);
		tv.sec = (int64_t)(left / NS);
		tv.usec = (int64_t)(left % NS / 1000);
		if (copy_out(t, a[4], &tv, sizeof(tv)) && r == -ERESTARTNOHAND)
			r = -EINTR;
	}
	return r;
}

long sys_pselect6(struct task *t, const uint64_t *a)
{
	struct timespec ts = { 0, 0 };
	uint64_t deadline = 0;
	if (a[4]) {
		if (copy_in(t, a[4], &ts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS)
			return -EINVAL;
		deadline = vclock_ns(CLOCK_MONOTONIC) + (uint64_t)ts.tv_sec * NS +
			   (uint64_t)ts.tv_nsec;
	}
	if (a[5]) {
		struct {
			uint64_t set, size;
		} sig;
		if (copy_in(t, a[5], &sig, sizeof(sig)))
			return -EFAULT;
		if (sig.set) {
			int e = set_wait_mask(t, sig.set, sig.size);
			if (e)
				return e;
		}
	}
	long r = do_select(t, (int)a[0], a + 1, a[4] != 0, deadline);
	if (a[4] && (ts.tv_sec || ts.tv_nsec)) {
		uint64_t left = left_of(deadline);
		struct timespec rem = { (time_t)(left / NS), (long)(left % NS) };
		if (copy_out(t, a[4], &rem, sizeof(rem)) && r == -ERESTARTNOHAND)
			r = -EINTR;
	}
	if (t->restore_sigmask)
		end_wait_mask(t, r);
	return r;
}

/* ---- epoll ---- */

struct epitem {
	int fd;
	struct file *f; /* a reference; dropped when fd no longer names f */
	uint32_t events;
	uint64_t data;
	short last;    /* EPOLLET: readiness at the last report */
	bool disabled; /* EPOLLONESHOT after it fired */
	struct epitem *next;
};

struct epoll {
	struct proc *owner;
	struct epitem *items;
};

static const struct file_ops epoll_ops;

static void drop_item(struct epitem **pp)
{
	struct epitem *it = *pp;
	*pp = it->next;
	file_put(it->f);
	free(it);
}

/* Linux forgets an item when its file is closed for good; the fd no
 * longer naming the file in the owner's table is the sentry's sign. */
static void prune(struct epoll *ep)
{
	for (struct epitem **pp = &ep->items; *pp;) {
		struct epitem *it = *pp;
		struct fdtable *ft = ep->owner ? ep->owner->fds : NULL;
		if (!ft || it->fd >= MAX_FDS || ft->fd[it->fd] != it->f)
			drop_item(pp);
		else
			pp = &it->next;
	}
}

static short item_ready(struct task *t, struct epitem *it)
{
	if (it->disabled)
		return 0;
	short rev = file_poll(t, it->f) & (short)(it->events | EPOLLERR | EPOLLHUP);
	if (it->events & EPOLLET) {
		short fresh = rev & ~it->last;
		it->last = rev;
		rev = fresh;
	}
	return rev;
}

static short ep_poll(struct task *t, struct file *f)
{
	struct epoll *ep = f->priv;
	for (struct epitem *it = ep->items; it; it = it->next)
		if (!it->disabled &&
		    (file_poll(t, it->f) & (short)(it->events | EPOLLERR | EPOLLHUP)))
			return POLLIN;
	return 0;
}

static void ep_release(struct file *f)
{
	struct epoll *ep = f->priv;
	while (ep->items)
		drop_item(&ep->items);
	free(ep);
}

static void ep_name(struct file *f, char *buf, size_t len)
{
	(void)f;
	snprintf(buf, len, "anon_inode:[eventpoll]");
}

static const struct file_ops epoll_ops = {
	.poll = ep_poll,
	.stat = ev_anon_stat,
	.name = ep_name,
	.release = ep_release,
};

long sys_epoll_create1(struct task *t, const uint64_t *a)
{
	if (a[0] & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	struct epoll *ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->owner = t->proc;
	struct file *f = file_new_ops(&epoll_ops, O_RDWR, ep);
	if (!f)
		free(ep);
	return ev_install(t, f, a[0] & O_CLOEXEC);
}

long sys_epoll_create(struct task *t, const uint64_t *a)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	const uint64_t b[6] = { 0 };
	return sys_epoll_create1(t, b);
}

static struct epoll *epoll_of(struct task *t, uint64_t fd, long *err)
{
	struct file *f = file_of(t, fd);
	*err = !f ? -EBADF : f->kind != FILE_OPS || f->ops != &epoll_ops ? -EINVAL : 0;
	return *err ? NULL : f->priv;
}

struct gevent {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

long sys_epoll_ctl(struct task *t, const uint64_t *a)
{
	long e;
	int op = (int)a[1], fd = (int)a[2];
	struct gevent ev = { 0, 0 };
	if (op != EPOLL_CTL_DEL && copy_in(t, a[3], &ev, sizeof(ev)))
		return -EFAULT;
	struct epoll *ep = epoll_of(t, a[0], &e);
	struct file *f = file_of(t, (uint64_t)(unsigned)fd);
	if (e == -EBADF || !f)
		return -EBADF;
	if (f->kind == FILE_OPS && f->ops->seekable)
		return -EPERM; /* regular files and directories do not poll */
	if (e || a[0] == a[2])
		return -EINVAL;
	prune(ep);
	struct epitem **pp = &ep->items;
	while (*pp && ((*pp)->fd != fd || (*pp)->f != f))
		pp = &(*pp)->next;
	switch (op) {
	case EPOLL_CTL_ADD:
		if (*pp)
			return -EEXIST;
		struct epitem *it = calloc(1, sizeof(*it));
		if (!it)
			return -ENOMEM;
		*it = (struct epitem){ fd, f, ev.events, ev.data, 0, false, NULL };
		file_get(f);
		*pp = it;
		break;
	case EPOLL_CTL_MOD:
		if (!*pp)
			return -ENOENT;
		(*pp)->events = ev.events;
		(*pp)->data = ev.data;
		(*pp)->disabled = false;
		(*pp)->last = 0;
		break;
	case EPOLL_CTL_DEL:
		if (!*pp)
			return -ENOENT;
		drop_item(pp);
		break;
	default: return -EINVAL;
	}
	kernel_wake(t->proc->k);
	return 0;
}

static long do_epoll_wait(struct task *t, const uint64_t *a)
{
	long e;
	int max = (int)a[2], ms = (int)a[3];
	if (max <= 0 || max > 0x7fffffff / 12)
		return -EINVAL;
	struct epoll *ep = epoll_of(t, a[0], &e);
	if (!ep)
		return e;
	bool timed = ms >= 0;
	uint64_t deadline = timed ? vclock_ns(CLOCK_MONOTONIC) + (uint64_t)ms * 1000000ULL : 0;
	for (bool last = timed && ms == 0;;) {
		prune(ep);
		int n = 0;
		uint64_t wake = 0;
		for (struct epitem *it = ep->items; it && n < max; it = it->next) {
			short rev = item_ready(t, it);
			uint64_t w = file_next_change(it->f);
			if (w && (!wake || w < wake))
				wake = w;
			if (!rev)
				continue;
			struct gevent ev = { (uint32_t)rev, it->data };
			if (copy_out(t, a[1] + (uint64_t)n * sizeof(ev), &ev, sizeof(ev)))
				return n ? n : -EFAULT;
			if (it->events & EPOLLONESHOT)
				it->disabled = true;
			n++;
		}
		if (n || last)
			return n;
		int r = file_sleep(t, deadline, wake);
		if (r == -EINTR)
			return -EINTR;
		last = r == 0 && timed;
	}
}

long sys_epoll_wait(struct task *t, const uint64_t *a)
{
	return do_epoll_wait(t, a);
}

long sys_epoll_pwait(struct task *t, const uint64_t *a)
{
	if (a[4]) {
		int e = set_wait_mask(t, a[4], a[5]);
		if (e)
			return e;
	}
	long r = do_epoll_wait(t, a);
	if (a[4])
		end_wait_mask(t, r);
	return r;
}
