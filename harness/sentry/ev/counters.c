/* eventfd and signalfd: files whose reads take a count or a queued
 * signal, block while there is none (ERESTARTSYS when a signal comes,
 * so SA_RESTART decides, S7) and whose poll says when one is there. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include "harness/sentry/ev/ev.h"
#include "harness/sentry/file.h"
#include "harness/sentry/kernel.h"

#define EFD_SEMAPHORE_ 1
#define COUNT_MAX 0xfffffffffffffffeULL

long ev_install(struct task *t, struct file *f, int cloexec)
{
	if (!f)
		return -ENOMEM;
	int fd = file_install(t, f, 0, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

int ev_anon_stat(struct task *t, struct file *f, struct stat *st)
{
	(void)t, (void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = 0600; /* anon_inode: no file type bits */
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_dev = 0xd;
	return 0;
}

/* ---- eventfd ---- */

struct eventfd {
	uint64_t count;
	bool semaphore;
};

static long efd_read(struct task *t, struct file *f, char *buf, size_t len, int64_t *pos)
{
	(void)pos;
	struct eventfd *e = f->priv;
	if (len < 8)
		return -EINVAL;
	while (!e->count) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (task_sleep(t, 0) == -EINTR || t->exited)
			return -ERESTARTSYS;
	}
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, 8);
	kernel_wake(t->proc->k);
	return 8;
}

static long efd_write(struct task *t, struct file *f, const char *buf, size_t len, int64_t *pos)
{
	(void)pos;
	struct eventfd *e = f->priv;
	uint64_t v;
	if (len < 8)
		return -EINVAL;
	memcpy(&v, buf, 8);
	if (v == UINT64_MAX)
		return -EINVAL;
	while (COUNT_MAX - e->count < v) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (task_sleep(t, 0) == -EINTR || t->exited)
			return -ERESTARTSYS;
	}
	e->count += v;
	kernel_wake(t->proc->k);
	return 8;
}

static short efd_poll(struct task *t, struct file *f)
{
	(void)t;
	struct eventfd *e = f->priv;
	return (e->count ? POLLIN : 0) | (e->count < COUNT_MAX ? POLLOUT : 0);
}

static void efd_name(struct file *f, char *buf, size_t len)
{
	(void)f;
	snprintf(buf, len, "anon_inode:[eventfd]");
}

static void efd_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.stat = ev_anon_stat,
	.name = efd_name,
	.release = efd_release,
};

long sys_eventfd2(struct task *t, const uint64_t *a)
{
	int flags = (int)a[1];
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE_))
		return -EINVAL;
	struct eventfd *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->count = (uint32_t)a[0];
	e->semaphore = flags & EFD_SEMAPHORE_;
	struct file *f = file_new_ops(&eventfd_ops, O_RDWR | (flags & O_NONBLOCK), e);
	if (!f)
		free(e);
	return ev_install(t, f, flags & O_CLOEXEC);
}

long sys_eventfd(struct task *t, const uint64_t *a)
{
	const uint64_t b[6] = { a[0], 0 };
	return sys_eventfd2(t, b);
}

/* ---- signalfd ---- */

#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

struct sigfd {
	uint64_t mask;
};

static void to_ssi(const siginfo_t *si, struct signalfd_siginfo *s)
{
	memset(s, 0, sizeof(*s));
	s->ssi_signo = (uint32_t)si->si_signo;
	s->ssi_errno = si->si_errno;
	s->ssi_code = si->si_code;
	s->ssi_pid = (uint32_t)si->si_pid;
	s->ssi_uid = si->si_uid;
	s->ssi_status = si->si_status;
	s->ssi_int = si->si_int;
	s->ssi_ptr = (uint64_t)(uintptr_t)si->si_ptr;
	s->ssi_addr = (uint64_t)(uintptr_t)si->si_addr;
	if (si->si_signo == SIGCHLD) {
		s->ssi_utime = 0;
		s->ssi_stime = 0;
	}
}

/* signalfd_read: as many whole signals as fit, the first one waited for. */
static long sfd_read(struct task *t, struct file *f, char *buf, size_t len, int64_t *pos)
{
	(void)pos;
	struct sigfd *s = f->priv;
	size_t done = 0;
	if (len < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	while (done + sizeof(struct signalfd_siginfo) <= len) {
		siginfo_t si;
		int sig = signal_dequeue(t, s->mask, &si);
		if (!sig) {
			if (done)
				break;
			if (f->flags & O_NONBLOCK)
				return -EAGAIN;
			if (task_sleep(t, 0) == -EINTR || t->exited)
				return -ERESTARTSYS;
			continue;
		}
		struct signalfd_siginfo ssi;
		to_ssi(&si, &ssi);
		memcpy(buf + done, &ssi, sizeof(ssi));
		done += sizeof(ssi);
	}
	return (long)done;
}

static short sfd_poll(struct task *t, struct file *f)
{
	struct sigfd *s = f->priv;
	return ((t->pending | t->proc->shared_pending) & s->mask) ? POLLIN : 0;
}

static void sfd_name(struct file *f, char *buf, size_t len)
{
	(void)f;
	snprintf(buf, len, "anon_inode:[signalfd]");
}

static void sfd_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops signalfd_ops = {
	.read = sfd_read,
	.poll = sfd_poll,
	.stat = ev_anon_stat,
	.name = sfd_name,
	.release = sfd_release,
};

/* signalfd4: a new file, or a new mask for an existing signalfd. */
long sys_signalfd4(struct task *t, const uint64_t *a)
{
	int flags = (int)a[3];
	uint64_t mask;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (a[2] != 8)
		return -EINVAL;
	if (copy_in(t, a[1], &mask, sizeof(mask)))
		return -EFAULT;
	mask &= ~UNBLOCKABLE;
	if ((int)a[0] != -1) {
		struct file *f = file_of(t, a[0]);
		if (!f)
			return -EBADF;
		if (f->kind != FILE_OPS || f->ops != &signalfd_ops)
			return -EINVAL;
		((struct sigfd *)f->priv)->mask = mask;
		kernel_wake(t->proc->k);
		return (long)a[0];
	}
	struct sigfd *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mask = mask;
	struct file *f = file_new_ops(&signalfd_ops, O_RDWR | (flags & O_NONBLOCK), s);
	if (!f)
		free(s);
	return ev_install(t, f, flags & O_CLOEXEC);
}

long sys_signalfd(struct task *t, const uint64_t *a)
{
	const uint64_t b[6] = { a[0], a[1], a[2], 0 };
	return sys_signalfd4(t, b);
}
