/* timerfd on the sentry's virtual clocks (S8): expirations are counted
 * from the virtual time, so a read, a poll or an epoll wait sees the same
 * counts as Linux for the same waits; a blocked read sleeps until the next
 * expiry (ERESTARTSYS when a signal comes). Traces never print the times
 * read back (they hold the clock). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/sentry/ev/ev.h"
#include "harness/sentry/file.h"
#include "harness/sentry/kernel.h"

#define NS 1000000000ULL
#define TFD_TIMER_ABSTIME_ 1
#define TFD_TIMER_CANCEL_ON_SET_ 2

struct timerfd {
	int clock;
	uint64_t next;     /* virtual CLOCK_MONOTONIC ns of the next expiry; 0: disarmed */
	uint64_t interval; /* ns; 0: one shot */
	uint64_t ticks;    /* expirations not yet read */
};

/* Counts the expirations up to now into ticks. */
static void advance(struct timerfd *tf)
{
	uint64_t now = vclock_ns(CLOCK_MONOTONIC);
	if (!tf->next || now < tf->next)
		return;
	if (!tf->interval) {
		tf->ticks++;
		tf->next = 0;
		return;
	}
	uint64_t n = (now - tf->next) / tf->interval + 1;
	tf->ticks += n;
	tf->next += n * tf->interval;
}

static long tfd_read(struct task *t, struct file *f, char *buf, size_t len, int64_t *pos)
{
	(void)pos;
	struct timerfd *tf = f->priv;
	if (len < 8)
		return -EINVAL;
	for (advance(tf); !tf->ticks; advance(tf)) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (task_sleep(t, tf->next) == -EINTR || t->exited) /* next 0: for ever */
			return -ERESTARTSYS;
	}
	memcpy(buf, &tf->ticks, 8);
	tf->ticks = 0;
	return 8;
}

static short tfd_poll(struct task *t, struct file *f)
{
	(void)t;
	struct timerfd *tf = f->priv;
	advance(tf);
	return tf->ticks ? POLLIN : 0;
}

static uint64_t tfd_next_change(struct file *f)
{
	struct timerfd *tf = f->priv;
	return tf->ticks ? 0 : tf->next;
}

static void tfd_name(struct file *f, char *buf, size_t len)
{
	(void)f;
	snprintf(buf, len, "anon_inode:[timerfd]");
}

static void tfd_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops timerfd_ops = {
	.read = tfd_read,
	.poll = tfd_poll,
	.stat = ev_anon_stat,
	.name = tfd_name,
	.release = tfd_release,
	.next_change = tfd_next_change,
};

long sys_timerfd_create(struct task *t, const uint64_t *a)
{
	int clock = (int)a[0], flags = (int)a[1];
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME)
		return clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM ? -EPERM
										      : -EINVAL;
	struct timerfd *tf = calloc(1, sizeof(*tf));
	if (!tf)
		return -ENOMEM;
	tf->clock = clock;
	struct file *f = file_new_ops(&timerfd_ops, O_RDWR | (flags & O_NONBLOCK), tf);
	if (!f)
		free(tf);
	return ev_install(t, f, flags & O_CLOEXEC);
}

static struct timerfd *timerfd_of(struct task *t, uint64_t fd, long *err)
{
	struct file *f = file_of(t, fd);
	*err = !f ? -EBADF : f->kind != FILE_OPS || f->ops != &timerfd_ops ? -EINVAL : 0;
	return *err ? NULL : f->priv;
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / NS), (long)(ns % NS) };
}

static void current(struct timerfd *tf, struct itimerspec *cur)
{
	uint64_t now = vclock_ns(CLOCK_MONOTONIC);
	advance(tf);
	cur->it_interval = ts_of(tf->interval);
	cur->it_value = ts_of(tf->next > now ? tf->next - now : 0);
}

static bool ts_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (long)NS;
}

long sys_timerfd_settime(struct task *t, const uint64_t *a)
{
	long e;
	int flags = (int)a[1];
	struct itimerspec nv, old;
	if (flags & ~(TFD_TIMER_ABSTIME_ | TFD_TIMER_CANCEL_ON_SET_))
		return -EINVAL;
	if (copy_in(t, a[2], &nv, sizeof(nv)))
		return -EFAULT;
	if (!ts_ok(&nv.it_value) || !ts_ok(&nv.it_interval))
		return -EINVAL;
	struct timerfd *tf = timerfd_of(t, a[0], &e);
	if (!tf)
		return e;
	current(tf, &old);
	if (a[3] && copy_out(t, a[3], &old, sizeof(old)))
		return -EFAULT;
	uint64_t value = (uint64_t)nv.it_value.tv_sec * NS + (uint64_t)nv.it_value.tv_nsec;
	uint64_t now = vclock_ns(CLOCK_MONOTONIC);
	tf->interval = (uint64_t)nv.it_interval.tv_sec * NS + (uint64_t)nv.it_interval.tv_nsec;
	tf->ticks = 0;
	if (!value) {
		tf->next = 0;
	} else if (flags & TFD_TIMER_ABSTIME_) {
		uint64_t cnow = vclock_ns(tf->clock);
		tf->next = value > cnow ? now + (value - cnow) : now;
	} else {
		tf->next = now + value;
	}
	kernel_wake(t->proc->k);
	return 0;
}

long sys_timerfd_gettime(struct task *t, const uint64_t *a)
{
	long e;
	struct timerfd *tf = timerfd_of(t, a[0], &e);
	if (!tf)
		return e;
	struct itimerspec cur;
	current(tf, &cur);
	return copy_out(t, a[1], &cur, sizeof(cur)) ? -EFAULT : 0;
}
