/* AF_UNIX socket pairs between guest processes (socketpair, then fork):
 * stream, datagram and seqpacket, read/write and send/recv with their
 * msghdr forms, SCM_RIGHTS fd passing, shutdown. Each end keeps the queue
 * of what its peer sent; a receive blocks while it is empty and the peer
 * can still send (ERESTARTSYS when a signal comes, S7), a send blocks
 * while the peer's queue is full. Sockets bound to names (socket, bind,
 * connect) are not emulated. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "harness/sentry/ev/ev.h"
#include "harness/sentry/file.h"
#include "harness/sentry/kernel.h"

#define QUEUE_MAX 212992 /* net.core.wmem_default: what one end may hold */
#define MAX_RIGHTS 253   /* SCM_MAX_FD */
#define MAX_IOV 1024

struct msg {
	char *data;
	size_t len, off;
	struct file **fds;
	int nfds;
	struct msg *next;
};

struct usock {
	int type;
	struct usock *peer; /* NULL once the peer's last fd closed */
	struct msg *head, *tail;
	size_t queued;
	bool shut_rd, shut_wr; /* this end's own shutdown */
	unsigned id;
};

static const struct file_ops usock_ops;

static struct usock *sock_of(struct task *t, uint64_t fd, struct file **fp, long *err)
{
	struct file *f = file_of(t, fd);
	*err = !f ? -EBADF : f->kind != FILE_OPS || f->ops != &usock_ops ? -ENOTSOCK : 0;
	if (fp)
		*fp = f;
	return *err ? NULL : f->priv;
}

static void msg_free(struct msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		file_put(m->fds[i]);
	free(m->fds);
	free(m->data);
	free(m);
}

/* ---- receiving ---- */

/* recv's view of an end: data, end of file, or nothing yet. */
static bool at_eof(const struct usock *s)
{
	return s->shut_rd || !s->peer || s->peer->shut_wr;
}

/* A receive waits for a message: 1 when one is queued, 0 at end of file,
 * -EAGAIN without blocking, -ERESTARTSYS when a signal or a kill came
 * (reads restart with SA_RESTART, as Linux's unix_stream_recvmsg). */
static long wait_for_data(struct task *t, struct usock *s, bool nonblock)
{
	while (!s->head) {
		if (at_eof(s))
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (task_sleep(t, 0) == -EINTR || t->exited)
			return -ERESTARTSYS;
	}
	return 1;
}

/* Hands out the fds of a message into t's table (SCM_RIGHTS), as many
 * as the control buffer holds; the rest are closed (MSG_CTRUNC). */
static long put_rights(struct task *t, struct msg *m, uint64_t ctl, uint64_t ctllen, bool cloexec,
		       int *flags, uint64_t *used)
{
	*used = 0;
	if (!m->nfds)
		return 0;
	size_t hdr = CMSG_LEN(0);
	int room = ctllen > hdr ? (int)((ctllen - hdr) / sizeof(int)) : 0;
	int n = m->nfds < room ? m->nfds : room;
	int fds[MAX_RIGHTS];
	for (int i = 0; i < n; i++) {
		fds[i] = file_install(t, m->fds[i], 0, cloexec);
		if (fds[i] < 0) {
			n = i;
			*flags |= MSG_CTRUNC;
			break;
		}
		m->fds[i] = NULL; /* the reference is the table's now */
	}
	for (int i = n; i < m->nfds; i++)
		if (m->fds[i])
			file_put(m->fds[i]);
	if (n < m->nfds)
		*flags |= MSG_CTRUNC;
	m->nfds = 0;
	if (!n)
		return 0;
	struct cmsghdr c = { CMSG_LEN((size_t)n * sizeof(int)), SOL_SOCKET, SCM_RIGHTS };
	if (copy_out(t, ctl, &c, sizeof(c)) ||
	    copy_out(t, ctl + sizeof(c), fds, (size_t)n * sizeof(int)))
		return -EFAULT;
	*used = CMSG_SPACE((size_t)n * sizeof(int)) < ctllen ? CMSG_SPACE((size_t)n * sizeof(int))
							     : c.cmsg_len;
	return 0;
}

struct rx {
	const struct iovec *iov;
	int niov;
	uint64_t ctl, ctllen, ctlused;
	int flags, out_flags;
};

static long copy_to_iov(struct task *t, const struct rx *r, const char *src, size_t len)
{
	size_t done = 0;
	for (int i = 0; i < r->niov && done < len; i++) {
		size_t n = r->iov[i].iov_len < len - done ? r->iov[i].iov_len : len - done;
		if (n && copy_out(t, (uint64_t)(uintptr_t)r->iov[i].iov_base, src + done, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

static size_t iov_total(const struct iovec *iov, int n)
{
	size_t s = 0;
	for (int i = 0; i < n; i++)
		s += iov[i].iov_len;
	return s;
}

static long sock_recv(struct task *t, struct file *f, struct rx *r)
{
	struct usock *s = f->priv;
	bool nonblock = (f->flags & O_NONBLOCK) || (r->flags & MSG_DONTWAIT);
	long ready = wait_for_data(t, s, nonblock);
	if (ready <= 0)
		return ready;
	size_t want = iov_total(r->iov, r->niov);
	long got = 0;
	bool peek = r->flags & MSG_PEEK;
	if (s->type != SOCK_STREAM) {
		struct msg *m = s->head;
		size_t n = m->len < want ? m->len : want;
		got = copy_to_iov(t, r, m->data, n);
		if (got < 0)
			return got;
		if (m->len > want)
			r->out_flags |= MSG_TRUNC;
		if (!peek && put_rights(t, m, r->ctl, r->ctllen, r->flags & MSG_CMSG_CLOEXEC,
					&r->out_flags, &r->ctlused))
			return -EFAULT;
		if (r->flags & MSG_TRUNC)
			got = (long)m->len;
		if (!peek) {
			s->head = m->next;
			if (!s->head)
				s->tail = NULL;
			s->queued -= m->len;
			msg_free(m);
		}
	} else {
		/* A stream reads across messages, but never past one that carries
		 * fds: those come with the bytes they were sent with. */
		char *buf = malloc(want ? want : 1);
		if (!buf)
			return -ENOMEM;
		size_t n = 0;
		for (struct msg *m = s->head; m && n < want; m = m->next) {
			if (n && m->nfds)
				break;
			size_t k = m->len - m->off < want - n ? m->len - m->off : want - n;
			memcpy(buf + n, m->data + m->off, k);
			n += k;
			if (!peek && m->nfds &&
			    put_rights(t, m, r->ctl, r->ctllen, r->flags & MSG_CMSG_CLOEXEC,
				       &r->out_flags, &r->ctlused)) {
				free(buf);
				return -EFAULT;
			}
			if (m->off + k < m->len)
				break;
		}
		got = copy_to_iov(t, r, buf, n);
		free(buf);
		if (got < 0)
			return got;
		for (size_t left = peek ? 0 : (size_t)got; left && s->head;) {
			struct msg *m = s->head;
			size_t k = m->len - m->off < left ? m->len - m->off : left;
			m->off += k;
			left -= k;
			s->queued -= k;
			if (m->off == m->len) {
				s->head = m->next;
				if (!s->head)
					s->tail = NULL;
				msg_free(m);
			}
		}
	}
	kernel_wake(t->proc->k);
	return got;
}

/* ---- sending ---- */

static long broken(struct task *t, struct usock *s, int flags)
{
	if (s->type != SOCK_STREAM && s->type != SOCK_SEQPACKET && !s->shut_wr)
		return -ECONNREFUSED;
	if (!(flags & MSG_NOSIGNAL)) {
		siginfo_t si = { .si_signo = SIGPIPE, .si_code = SI_USER };
		si.si_pid = t->tid;
		si.si_uid = sentry_uid(t);
		signal_send(t, &si);
	}
	return -EPIPE;
}

static long sock_send(struct task *t, struct file *f, const char *buf, size_t len,
		      struct file **fds, int nfds, int flags)
{
	struct usock *s = f->priv;
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	if (s->type != SOCK_STREAM && len > QUEUE_MAX)
		return -EMSGSIZE;
	for (;;) {
		if (s->shut_wr || !s->peer)
			return broken(t, s, flags);
		size_t room = QUEUE_MAX - s->peer->queued;
		if (s->type == SOCK_STREAM ? room > 0 || !len : room >= len)
			break;
		if (nonblock)
			return -EAGAIN;
		if (task_sleep(t, 0) == -EINTR || t->exited)
			return -ERESTARTSYS;
	}
	size_t room = QUEUE_MAX - s->peer->queued;
	size_t n = s->type == SOCK_STREAM && len > room ? room : len;
	if (s->type == SOCK_STREAM && !n && !nfds)
		return 0;
	struct msg *m = calloc(1, sizeof(*m));
	char *data = malloc(n ? n : 1);
	if (!m || !data) {
		free(m), free(data);
		return -ENOBUFS;
	}
	memcpy(data, buf, n);
	*m = (struct msg){ data, n, 0, fds, nfds, NULL };
	struct usock *p = s->peer;
	if (p->tail)
		p->tail->next = m;
	else
		p->head = m;
	p->tail = m;
	p->queued += n;
	kernel_wake(t->proc->k);
	return (long)n;
}

/* ---- file operations: read and write are recv and send ---- */

static long us_read(struct task *t, struct file *f, char *buf, size_t len, int64_t *pos)
{
	(void)pos;
	/* Through a host buffer: copy_to_iov wants guest addresses, so the
	 * read path receives into a private iovec over buf instead. */
	struct usock *s = f->priv;
	bool nonblock = f->flags & O_NONBLOCK;
	long ready = wait_for_data(t, s, nonblock);
	if (ready <= 0)
		return ready;
	size_t n = 0;
	while (s->head && n < len) {
		struct msg *m = s->head;
		if (n && m->nfds)
			break;
		size_t k = m->len - m->off < len - n ? m->len - m->off : len - n;
		memcpy(buf + n, m->data + m->off, k);
		n += k;
		if (s->type != SOCK_STREAM)
			m->off = m->len; /* a datagram is read whole or cut */
		else
			m->off += k;
		s->queued -= s->type != SOCK_STREAM ? m->len : k;
		if (m->off == m->len) {
			s->head = m->next;
			if (!s->head)
				s->tail = NULL;
			msg_free(m);
		}
		if (s->type != SOCK_STREAM)
			break;
	}
	kernel_wake(t->proc->k);
	return (long)n;
}

static long us_write(struct task *t, struct file *f, const char *buf, size_t len, int64_t *pos)
{
	(void)pos;
	return sock_send(t, f, buf, len, NULL, 0, 0);
}

static short us_poll(struct task *t, struct file *f)
{
	(void)t;
	struct usock *s = f->priv;
	short rev = 0;
	if (s->head || at_eof(s))
		rev |= POLLIN;
	if (s->peer && !s->shut_wr && s->peer->queued < QUEUE_MAX)
		rev |= POLLOUT;
	if (!s->peer || (s->shut_wr && at_eof(s)))
		rev |= POLLHUP;
	if (s->peer && s->peer->shut_wr)
		rev |= POLLRDHUP;
	return rev;
}

static int us_stat(struct task *t, struct file *f, struct stat *st)
{
	(void)t, (void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_dev = 0x8;
	return 0;
}

static void us_name(struct file *f, char *buf, size_t len)
{
	snprintf(buf, len, "socket:[%u]", ((struct usock *)f->priv)->id);
}

static void us_release(struct file *f)
{
	struct usock *s = f->priv;
	if (s->peer)
		s->peer->peer = NULL;
	while (s->head) {
		struct msg *m = s->head;
		s->head = m->next;
		msg_free(m);
	}
	free(s);
}

static const struct file_ops usock_ops = {
	.read = us_read,
	.write = us_write,
	.poll = us_poll,
	.stat = us_stat,
	.name = us_name,
	.release = us_release,
};

/* ---- the calls ---- */

long sys_socketpair(struct task *t, const uint64_t *a)
{
	static unsigned next_id = 20000;
	int type = (int)a[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	/* Other families make their sockets, then have no socketpair. */
	if ((int)a[0] == AF_INET || (int)a[0] == AF_INET6)
		return -EOPNOTSUPP;
	if ((int)a[0] != AF_UNIX)
		return -EAFNOSUPPORT;
	if ((int)a[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return -EINVAL;
	if (a[2] && a[2] != PF_UNIX) /* unix_create */
		return -EPROTONOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	struct usock *s[2] = { calloc(1, sizeof(struct usock)), calloc(1, sizeof(struct usock)) };
	struct file *f[2] = { NULL, NULL };
	int flags = O_RDWR | ((int)a[1] & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	for (int i = 0; i < 2 && s[0] && s[1]; i++) {
		s[i]->type = type;
		s[i]->peer = s[1 - i];
		s[i]->id = next_id++;
		f[i] = file_new_ops(&usock_ops, flags, s[i]);
	}
	if (!f[0] || !f[1]) {
		if (f[0])
			f[0]->priv = NULL, f[0]->ops = NULL, f[0]->kind = FILE_EMPTY,
			file_put(f[0]);
		free(s[0]), free(s[1]);
		return -ENOMEM;
	}
	bool cloexec = (int)a[1] & SOCK_CLOEXEC;
	int fds[2] = { file_install(t, f[0], 0, cloexec), -1 };
	if (fds[0] >= 0)
		fds[1] = file_install(t, f[1], 0, cloexec);
	if (fds[1] < 0 || copy_out(t, a[3], fds, sizeof(fds))) {
		long e = fds[1] < 0 ? -EMFILE : -EFAULT;
		if (fds[0] >= 0)
			t->proc->fds->fd[fds[0]] = NULL;
		if (fds[1] >= 0)
			t->proc->fds->fd[fds[1]] = NULL;
		file_put(f[0]), file_put(f[1]);
		return e;
	}
	return 0;
}

/* The fds of an SCM_RIGHTS control message, each with a reference. */
static long take_rights(struct task *t, uint64_t ctl, uint64_t len, struct file ***out, int *n)
{
	*out = NULL;
	*n = 0;
	for (uint64_t off = 0; off + sizeof(struct cmsghdr) <= len;) {
		struct cmsghdr c;
		if (copy_in(t, ctl + off, &c, sizeof(c)))
			return -EFAULT;
		if (c.cmsg_len < sizeof(c) || c.cmsg_len > len - off)
			return -EINVAL;
		if (c.cmsg_level != SOL_SOCKET || c.cmsg_type != SCM_RIGHTS)
			return -EINVAL;
		int k = (int)((c.cmsg_len - sizeof(c)) / sizeof(int));
		if (*n + k > MAX_RIGHTS)
			return -EINVAL;
		struct file **v = realloc(*out, (size_t)(*n + k) * sizeof(*v) + 1);
		if (!v)
			return -ENOMEM;
		*out = v;
		for (int i = 0; i < k; i++) {
			int fd;
			if (copy_in(t, ctl + off + sizeof(c) + (uint64_t)i * sizeof(int), &fd,
				    sizeof(fd)))
				return -EFAULT;
			struct file *f = file_of(t, (uint64_t)(unsigned)fd);
			if (!f)
				return -EBADF;
			file_get(f);
			v[(*n)++] = f;
		}
		off += CMSG_ALIGN(c.cmsg_len);
	}
	return 0;
}

static void drop_rights(struct file **v, int n)
{
	for (int i = 0; i < n; i++)
		file_put(v[i]);
	free(v);
}

/* Gathers the iovecs into one host buffer (a send is one message). */
static long gather(struct task *t, const struct iovec *iov, int n, char **out, size_t *len)
{
	size_t total = iov_total(iov, n);
	if (total > QUEUE_MAX)
		total = QUEUE_MAX + 1; /* enough to say EMSGSIZE or fill the queue */
	char *b = malloc(total ? total : 1);
	if (!b)
		return -ENOMEM;
	size_t done = 0;
	for (int i = 0; i < n && done < total; i++) {
		size_t k = iov[i].iov_len < total - done ? iov[i].iov_len : total - done;
		if (k && copy_in(t, (uint64_t)(uintptr_t)iov[i].iov_base, b + done, k)) {
			free(b);
			return -EFAULT;
		}
		done += k;
	}
	*out = b;
	*len = done;
	return 0;
}

static long send_iov(struct task *t, uint64_t fd, const struct iovec *iov, int niov, uint64_t ctl,
		     uint64_t ctllen, int flags)
{
	long e;
	struct file *f;
	struct usock *s = sock_of(t, fd, &f, &e);
	if (!s)
		return e;
	struct file **rights = NULL;
	int nrights = 0;
	char *buf = NULL;
	size_t len = 0;
	e = ctllen ? take_rights(t, ctl, ctllen, &rights, &nrights) : 0;
	if (!e)
		e = gather(t, iov, niov, &buf, &len);
	if (!e) {
		e = sock_send(t, f, buf, len, rights, nrights, flags);
		if (e >= 0)
			rights = NULL; /* the message owns them */
	}
	if (rights)
		drop_rights(rights, nrights);
	free(buf);
	return e;
}

long sys_sendto(struct task *t, const uint64_t *a)
{
	struct iovec iov = { (void *)(uintptr_t)a[1], a[2] };
	long e;
	if (!sock_of(t, a[0], NULL, &e))
		return e;
	if (a[4]) /* an address on a connected pair */
		return -EISCONN;
	return send_iov(t, a[0], &iov, 1, 0, 0, (int)a[3]);
}

long sys_recvfrom(struct task *t, const uint64_t *a)
{
	long e;
	struct file *f;
	if (!sock_of(t, a[0], &f, &e))
		return e;
	struct iovec iov = { (void *)(uintptr_t)a[1], a[2] };
	struct rx r = { &iov, 1, 0, 0, 0, (int)a[3], 0 };
	long n = sock_recv(t, f, &r);
	if (n >= 0 && a[5]) {
		int zero = 0; /* an unnamed peer: an address of length 0 */
		if (copy_out(t, a[5], &zero, sizeof(zero)))
			return -EFAULT;
	}
	return n;
}

struct gmsghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad1;
};

static long read_msghdr(struct task *t, uint64_t addr, struct gmsghdr *m, struct iovec *iov)
{
	if (copy_in(t, addr, m, sizeof(*m)))
		return -EFAULT;
	if (m->iovlen > MAX_IOV)
		return -EMSGSIZE;
	if (m->iovlen && copy_in(t, m->iov, iov, m->iovlen * sizeof(*iov)))
		return -EFAULT;
	return 0;
}

long sys_sendmsg(struct task *t, const uint64_t *a)
{
	static __thread struct iovec iov[MAX_IOV];
	struct gmsghdr m;
	long e;
	if (!sock_of(t, a[0], NULL, &e))
		return e;
	e = read_msghdr(t, a[1], &m, iov);
	if (e)
		return e;
	if (m.name && m.namelen)
		return -EISCONN;
	return send_iov(t, a[0], iov, (int)m.iovlen, m.control, m.controllen, (int)a[2]);
}

long sys_recvmsg(struct task *t, const uint64_t *a)
{
	static __thread struct iovec iov[MAX_IOV];
	struct gmsghdr m;
	long e;
	struct file *f;
	if (!sock_of(t, a[0], &f, &e))
		return e;
	e = read_msghdr(t, a[1], &m, iov);
	if (e)
		return e;
	struct rx r = { iov, (int)m.iovlen, m.control, m.controllen, 0, (int)a[2], 0 };
	long n = sock_recv(t, f, &r);
	if (n < 0)
		return n;
	m.namelen = 0;
	m.controllen = r.ctlused;
	m.flags = r.out_flags;
	return copy_out(t, a[1], &m, sizeof(m)) ? -EFAULT : n;
}

long sys_shutdown(struct task *t, const uint64_t *a)
{
	long e;
	struct usock *s = sock_of(t, a[0], NULL, &e);
	if (!s)
		return e;
	if (a[1] > SHUT_RDWR)
		return -EINVAL;
	if (s->type == SOCK_DGRAM && !s->peer)
		return -ENOTCONN;
	if (a[1] != SHUT_WR)
		s->shut_rd = true;
	if (a[1] != SHUT_RD)
		s->shut_wr = true;
	kernel_wake(t->proc->k);
	return 0;
}

long sys_getsockopt(struct task *t, const uint64_t *a)
{
	long e;
	struct usock *s = sock_of(t, a[0], NULL, &e);
	if (!s)
		return e;
	int v;
	if ((int)a[1] != SOL_SOCKET)
		return -EOPNOTSUPP;
	switch ((int)a[2]) {
	case SO_TYPE: v = s->type; break;
	case SO_ERROR: v = 0; break;
	case SO_DOMAIN: v = AF_UNIX; break;
	case SO_SNDBUF:
	case SO_RCVBUF: v = QUEUE_MAX; break;
	default: return -ENOPROTOOPT;
	}
	uint32_t len;
	if (copy_in(t, a[4], &len, sizeof(len)))
		return -EFAULT;
	if ((int)len < 0)
		return -EINVAL;
	len = len < sizeof(v) ? len : sizeof(v);
	if (copy_out(t, a[3], &v, len) || copy_out(t, a[4], &len, sizeof(len)))
		return -EFAULT;
	return 0;
}
