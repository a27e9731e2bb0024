/* S10: the guest's file descriptors: the case's stdin and captured
 * stdout/stderr, pipes inside the sentry, and (file.h) the kinds that
 * bring their own operations. Without a filesystem view (fs/view.h) there
 * is no file system: the guest cannot open host files (S12). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "harness/sentry/file.h"
#include "harness/sentry/kernel.h"
#include "harness/sentry/trace.h"

#define PIPE_CAPACITY 65536 /* Linux's default pipe size */
#define IOV_MAX_LINUX 1024
#define IO_CHUNK 65536

struct pipe_buf {
	char data[PIPE_CAPACITY];
	size_t head, len;
	int readers, writers;
	unsigned id;
};

static struct file *file_new(enum file_kind kind, int host_fd, int flags)
{
	struct file *f = calloc(1, sizeof(*f));
	if (f) {
		f->refs = 1;
		f->kind = kind;
		f->host_fd = host_fd;
		f->flags = flags;
	}
	return f;
}

struct file *file_new_ops(const struct file_ops *ops, int flags, void *priv)
{
	struct file *f = file_new(FILE_OPS, -1, flags);
	if (f) {
		f->ops = ops;
		f->priv = priv;
	}
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (!f || --f->refs > 0)
		return;
	if (f->kind == FILE_OPS && f->ops->release)
		f->ops->release(f);
	if (f->pipe) {
		f->kind == FILE_PIPE_R ? f->pipe->readers-- : f->pipe->writers--;
		if (!f->pipe->readers && !f->pipe->writers)
			free(f->pipe);
	}
	free(f);
}

int fdtable_init(struct proc *p)
{
	const struct sentry_config *c = p->cfg;
	struct fdtable *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->refs = 1;
	f->fd[0] = c->stdin_fd >= 0 ? file_new(FILE_IN, c->stdin_fd, O_RDONLY)
				    : file_new(FILE_EMPTY, -1, O_RDONLY);
	f->fd[1] = file_new(FILE_OUT, c->stdout_fd, O_WRONLY);
	f->fd[2] = file_new(FILE_OUT, c->stderr_fd, O_WRONLY);
	p->fds = f;
	return 0;
}

/* fork without CLONE_FILES: the same open files, a table of its own. */
struct fdtable *fdtable_copy(struct fdtable *src)
{
	struct fdtable *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	*f = *src;
	f->refs = 1;
	for (int i = 0; i < MAX_FDS; i++)
		if (f->fd[i])
			f->fd[i]->refs++; /* pipe ends count open files, not fds */
	return f;
}

void fdtable_put(struct fdtable *f)
{
	if (!f || --f->refs > 0)
		return;
	for (int i = 0; i < MAX_FDS; i++)
		file_put(f->fd[i]);
	free(f);
}

void fdtable_close_on_exec(struct fdtable *f)
{
	for (int i = 0; i < MAX_FDS; i++)
		if (f->fd[i] && f->cloexec[i]) {
			file_put(f->fd[i]);
			f->fd[i] = NULL;
			f->cloexec[i] = false;
		}
}

static struct file *get(struct task *t, uint64_t fd)
{
	return fd < MAX_FDS ? t->proc->fds->fd[fd] : NULL;
}

struct file *file_of(struct task *t, uint64_t fd)
{
	return get(t, fd);
}

static int install(struct task *t, struct file *f, int lowest, bool cloexec)
{
	for (int i = lowest; i < MAX_FDS; i++)
		if (!t->proc->fds->fd[i]) {
			t->proc->fds->fd[i] = f;
			t->proc->fds->cloexec[i] = cloexec;
			return i;
		}
	return -EMFILE;
}

/* The output limit protects the harness from a guest that writes without
 * end: RLIMIT_FSIZE's short write, then SIGXFSZ and EFBIG (limits.c). */
static long write_out(struct task *t, struct file *f, const char *buf, size_t len)
{
	struct kernel *k = t->proc->k;
	long allowed = limits_output(t, len);
	if (allowed < 0)
		return allowed;
	len = (size_t)allowed;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(f->host_fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return done ? (long)done : -EIO;
		done += (size_t)n;
	}
	k->output_bytes += len;
	return (long)len;
}

static long pipe_write(struct task *t, struct file *f, const char *buf, size_t len)
{
	struct pipe_buf *pb = f->pipe;
	if (!pb->readers) {
		siginfo_t si = { .si_signo = SIGPIPE, .si_code = SI_USER };
		si.si_pid = t->tid;
		si.si_uid = 1000;
		signal_send(t, &si);
		return -EPIPE;
	}
	if (pb->len == PIPE_CAPACITY && (f->flags & O_NONBLOCK))
		return -EAGAIN;
	while (pb->len == PIPE_CAPACITY && pb->readers) /* S8: wait for room */
		if (task_sleep(t, 0) == -EINTR)
			return -ERESTARTSYS;
	if (!pb->readers)
		return pipe_write(t, f, buf, len); /* the reader went: EPIPE */
	size_t room = PIPE_CAPACITY - pb->len;
	size_t n = len < room ? len : room;
	for (size_t i = 0; i < n; i++)
		pb->data[(pb->head + pb->len + i) % PIPE_CAPACITY] = buf[i];
	pb->len += n;
	kernel_wake(t->proc->k);
	return (long)n;
}

static long pipe_read(struct task *t, struct file *f, char *buf, size_t len)
{
	struct pipe_buf *pb = f->pipe;
	if (!pb->len && pb->writers && !(f->flags & O_NONBLOCK)) {
		/* S8: blocks until data comes, or a signal: ERESTARTSYS then, so
		 * SA_RESTART decides between a restart and EINTR (S7). */
		while (!pb->len && pb->writers)
			if (task_sleep(t, 0) == -EINTR || t->exited)
				return -ERESTARTSYS;
	}
	if (!pb->len)
		return pb->writers ? -EAGAIN : 0;
	size_t n = len < pb->len ? len : pb->len;
	for (size_t i = 0; i < n; i++)
		buf[i] = pb->data[(pb->head + i) % PIPE_CAPACITY];
	pb->head = (pb->head + n) % PIPE_CAPACITY;
	pb->len -= n;
	kernel_wake(t->proc->k);
	return (long)n;
}

/* The bytes just read go back in front: they are still in the ring. */
static void pipe_unread(struct file *f, size_t n)
{
	struct pipe_buf *pb = f->pipe;
	pb->head = (pb->head + PIPE_CAPACITY - n) % PIPE_CAPACITY;
	pb->len += n;
}

int file_install(struct task *t, struct file *f, int lowest, bool cloexec)
{
	return install(t, f, lowest, cloexec);
}

static long do_read(struct task *t, struct file *f, char *buf, size_t len, int64_t *pos)
{
	switch (f->kind) {
	case FILE_OPS: return f->ops->read ? f->ops->read(t, f, buf, len, pos) : -EINVAL;
	case FILE_IN: {
		ssize_t n;
		do
			n = read(f->host_fd, buf, len);
		while (n < 0 && errno == EINTR);
		return n < 0 ? -EIO : n;
	}
	case FILE_EMPTY: return 0;
	case FILE_PIPE_R: return pipe_read(t, f, buf, len);
	default: return -EBADF;
	}
}

static long do_write(struct task *t, struct file *f, const char *buf, size_t len, int64_t *pos)
{
	if (f->kind == FILE_OPS)
		return f->ops->write ? f->ops->write(t, f, buf, len, pos) : -EINVAL;
	if (f->kind == FILE_OUT)
		return write_out(t, f, buf, len);
	if (f->kind == FILE_PIPE_W)
		return pipe_write(t, f, buf, len);
	return -EBADF;
}

/* Reads and writes go through a bounce buffer in chunks: the guest buffer
 * is checked by the copy, so a bad pointer is -EFAULT, never a crash. */
static long rw_chunked(struct task *t, struct file *f, uint64_t addr, size_t len, bool wr,
		       int64_t *pos)
{
	static __thread char chunk[IO_CHUNK];
	size_t done = 0;
	while (done < len || len == 0) {
		size_t n = len - done < IO_CHUNK ? len - done : IO_CHUNK;
		long r;
		if (wr) {
			if (copy_in(t, addr + done, chunk, n))
				return done ? (long)done : -EFAULT;
			r = do_write(t, f, chunk, n, pos);
		} else {
			r = do_read(t, f, chunk, n, pos);
			if (r > 0 && copy_out(t, addr + done, chunk, (size_t)r)) {
				if (f->kind == FILE_PIPE_R)
					pipe_unread(f, (size_t)r); /* Linux leaves the data */
				return done ? (long)done : -EFAULT;
			}
		}
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		if ((size_t)r < n || len == 0)
			break;
	}
	return (long)done;
}

long sys_read(struct task *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	if (!f || (f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_PATH))
		return -EBADF;
	return rw_chunked(t, f, a[1], a[2], false, NULL);
}

long sys_write(struct task *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	if (!f || (f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH))
		return -EBADF;
	return rw_chunked(t, f, a[1], a[2], true, NULL);
}

static long rw_vec_at(struct task *t, const uint64_t *a, bool wr, int64_t *pos)
{
	struct file *f = get(t, a[0]);
	if (!f || (f->flags & O_ACCMODE) == (wr ? O_RDONLY : O_WRONLY) || (f->flags & O_PATH))
		return -EBADF;
	if (a[2] > IOV_MAX_LINUX)
		return -EINVAL;
	struct iovec iov[IOV_MAX_LINUX];
	if (a[2] && copy_in(t, a[1], iov, a[2] * sizeof(iov[0])))
		return -EFAULT;
	long total = 0;
	for (uint64_t i = 0; i < a[2]; i++) {
		long r = rw_chunked(t, f, (uint64_t)iov[i].iov_base, iov[i].iov_len, wr, pos);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return total;
}

long sys_readv(struct task *t, const uint64_t *a)
{
	return rw_vec_at(t, a, false, NULL);
}
long sys_writev(struct task *t, const uint64_t *a)
{
	return rw_vec_at(t, a, true, NULL);
}

/* The case's streams and pipes have no positions (ESPIPE); a kind with
 * its own operations may be seekable. */
static long positional(struct task *t, const uint64_t *a, bool wr, bool vec)
{
	struct file *f = get(t, a[0]);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (f->kind != FILE_OPS || !f->ops->seekable)
		return -ESPIPE;
	if ((f->flags & O_ACCMODE) == (wr ? O_RDONLY : O_WRONLY))
		return -EBADF;
	int64_t pos = (int64_t)a[3];
	if (pos < 0)
		return -EINVAL;
	if (vec)
		return rw_vec_at(t, a, wr, &pos);
	return rw_chunked(t, f, a[1], a[2], wr, &pos);
}

long sys_pread64(struct task *t, const uint64_t *a)
{
	return positional(t, a, false, false);
}
long sys_pwrite64(struct task *t, const uint64_t *a)
{
	return positional(t, a, true, false);
}
long sys_preadv(struct task *t, const uint64_t *a)
{
	return positional(t, a, false, true);
}
long sys_pwritev(struct task *t, const uint64_t *a)
{
	return positional(t, a, true, true);
}

/* sendfile: from a file with positions (Linux needs one that can be
 * mapped: a pipe or a stream as input is EINVAL) to any fd; with an
 * offset pointer the input's own position stays. */
long sys_sendfile(struct task *t, const uint64_t *a)
{
	static __thread char chunk[IO_CHUNK];
	struct file *out = get(t, a[0]), *in = get(t, a[1]);
	if (!out || !in || (out->flags & O_PATH) || (in->flags & O_PATH) ||
	    (out->flags & O_ACCMODE) == O_RDONLY || (in->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (in->kind != FILE_OPS || !in->ops->seekable || (out->flags & O_APPEND))
		return -EINVAL;
	int64_t off, *pos = NULL;
	if (a[2]) {
		if (copy_in(t, a[2], &off, sizeof(off)))
			return -EFAULT;
		if (off < 0)
			return -EINVAL;
		pos = &off;
	}
	size_t len = a[3] > 0x7ffff000 ? 0x7ffff000 : (size_t)a[3], done = 0;
	while (done < len) {
		size_t n = len - done < IO_CHUNK ? len - done : IO_CHUNK;
		long r = do_read(t, in, chunk, n, pos);
		if (r <= 0) {
			if (r < 0 && !done)
				return r;
			break;
		}
		long w = do_write(t, out, chunk, (size_t)r, NULL);
		if (w >= 0 && w < r && pos) /* what was not written was not read */
			off -= r - w;
		else if (w >= 0 && w < r && in->ops->lseek)
			in->ops->lseek(t, in, (int64_t)w - r, SEEK_CUR);
		if (w < 0)
			return done ? (long)done : w;
		done += (size_t)w;
		if (w < r)
			break;
	}
	if (pos && copy_out(t, a[2], &off, sizeof(off)))
		return -EFAULT;
	return (long)done;
}

long sys_lseek(struct task *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (f->kind != FILE_OPS || !f->ops->lseek)
		return -ESPIPE;
	return f->ops->lseek(t, f, (int64_t)a[1], (int)a[2]);
}

long sys_close(struct task *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	if (!f)
		return -EBADF;
	t->proc->fds->fd[a[0]] = NULL;
	file_put(f);
	kernel_wake(t->proc->k); /* a closed pipe end ends waits: EOF, EPIPE */
	return 0;
}

static long dup_to(struct task *t, uint64_t old, uint64_t new, bool cloexec)
{
	struct file *f = get(t, old);
	if (!f)
		return -EBADF;
	if (new >= MAX_FDS)
		return -EBADF;
	if (old == new)
		return (long)new;
	file_put(t->proc->fds->fd[new]);
	f->refs++;
	t->proc->fds->fd[new] = f;
	t->proc->fds->cloexec[new] = cloexec;
	return (long)new;
}

long sys_dup(struct task *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	if (!f)
		return -EBADF;
	int fd = install(t, f, 0, false);
	if (fd >= 0)
		f->refs++;
	return fd;
}

long sys_dup2(struct task *t, const uint64_t *a)
{
	return dup_to(t, a[0], a[1], false);
}

long sys_dup3(struct task *t, const uint64_t *a)
{
	if (a[0] == a[1] || (a[2] & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	return dup_to(t, a[0], a[1], a[2] & O_CLOEXEC);
}

long sys_pipe2(struct task *t, const uint64_t *a)
{
	if (a[1] & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	struct pipe_buf *pb = calloc(1, sizeof(*pb));
	struct file *r = file_new(FILE_PIPE_R, -1, O_RDONLY | (a[1] & O_NONBLOCK));
	struct file *w = file_new(FILE_PIPE_W, -1, O_WRONLY | (a[1] & O_NONBLOCK));
	if (!pb || !r || !w) {
		free(pb), free(r), free(w);
		return -ENOMEM;
	}
	r->pipe = w->pipe = pb;
	pb->readers = pb->writers = 1;
	pb->id = 4096 + t->proc->k->next_pipe_id++;
	int fds[2] = { install(t, r, 0, a[1] & O_CLOEXEC), -1 };
	if (fds[0] >= 0)
		fds[1] = install(t, w, 0, a[1] & O_CLOEXEC);
	if (fds[1] < 0 || copy_out(t, a[0], fds, sizeof(fds))) {
		long e = fds[1] < 0 ? -EMFILE : -EFAULT;
		if (fds[0] >= 0)
			t->proc->fds->fd[fds[0]] = NULL;
		if (fds[1] >= 0)
			t->proc->fds->fd[fds[1]] = NULL;
		file_put(r), file_put(w);
		return e;
	}
	return 0;
}

long sys_pipe(struct task *t, const uint64_t *a)
{
	const uint64_t b[6] = { a[0], 0 };
	return sys_pipe2(t, b);
}

long sys_fcntl(struct task *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	if (!f)
		return -EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if (a[2] >= MAX_FDS)
			return -EINVAL;
		int fd = install(t, f, (int)a[2], a[1] == F_DUPFD_CLOEXEC);
		if (fd >= 0)
			f->refs++;
		return fd;
	}
	case F_GETFD: return t->proc->fds->cloexec[a[0]] ? FD_CLOEXEC : 0;
	case F_SETFD: t->proc->fds->cloexec[a[0]] = a[2] & FD_CLOEXEC; return 0;
	case F_GETFL: return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~(O_NONBLOCK | O_APPEND)) |
			   (int)(a[2] & (O_NONBLOCK | O_APPEND));
		if (f->kind == FILE_OPS &&
		    f->host_fd >= 0) /* a host file: O_APPEND is the host's */
			fcntl(f->host_fd, F_SETFL, f->flags & O_APPEND);
		return 0;
	}
	return -EINVAL;
}

/* No terminal exists (S10): TCGETS, TIOCGWINSZ and the rest are -ENOTTY. */
long sys_ioctl(struct task *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (f->kind == FILE_OPS && f->ops->ioctl)
		return f->ops->ioctl(t, f, (unsigned long)(uint32_t)a[1], a[2]);
	return -ENOTTY;
}

/* A fixed, deterministic stat: the case's streams and pipes look like
 * pipes. */
unsigned file_pipe_id(const struct file *f)
{
	return f->pipe ? f->pipe->id : 1 + (unsigned)f->kind;
}

void file_stat_builtin(struct file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 0xc;
	st->st_ino = f->pipe ? 1000 + (uint64_t)(uintptr_t)f->pipe % 997 : 1 + (uint64_t)f->kind;
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
}

static long stat_file(struct task *t, struct file *f, uint64_t buf)
{
	struct stat st;
	if (f->kind == FILE_OPS) {
		memset(&st, 0, sizeof(st));
		int e = f->ops->stat ? f->ops->stat(t, f, &st) : -EINVAL;
		if (e)
			return e;
	} else {
		file_stat_builtin(f, &st);
	}
	return copy_out(t, buf, &st, sizeof(st)) ? -EFAULT : 0;
}

long sys_fstat(struct task *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	return f ? stat_file(t, f, a[1]) : -EBADF;
}

long sys_newfstatat(struct task *t, const uint64_t *a)
{
	char path[2];
	long n = copy_in(t, a[1], path, 1) ? -EFAULT : 0;
	if (n)
		return n;
	if (path[0] || !(a[3] & AT_EMPTY_PATH))
		return -ENOENT; /* there is no file system */
	struct file *f = get(t, a[0]);
	return f ? stat_file(t, f, a[2]) : -EBADF;
}

/* Only /proc/self/exe exists: static glibc asks for it. */
static long readlink_path(struct task *t, uint64_t path, uint64_t buf, uint64_t size)
{
	char p[64];
	long n = 0;
	while (n < (long)sizeof(p)) {
		if (copy_in(t, path + (uint64_t)n, p + n, 1))
			return -EFAULT;
		if (!p[n++])
			break;
	}
	if (n == (long)sizeof(p) || strcmp(p, "/proc/self/exe"))
		return -ENOENT;
	if ((long)size <= 0)
		return -EINVAL;
	/* The kernel's answer is always absolute (glibc asserts it): a name
	 * below the fixtures folder is shown from a virtual root. */
	char exe[sizeof(t->proc->exe) + 1];
	snprintf(exe, sizeof(exe), "%s%s", t->proc->exe[0] == '/' ? "" : "/", t->proc->exe);
	size_t len = strlen(exe);
	if (len > size)
		len = size;
	return copy_out(t, buf, exe, len) ? -EFAULT : (long)len;
}

long sys_readlinkat(struct task *t, const uint64_t *a)
{
	return readlink_path(t, a[1], a[2], a[3]);
}

long sys_readlink(struct task *t, const uint64_t *a)
{
	return readlink_path(t, a[0], a[1], a[2]);
}

/* S8: poll and ppoll on the guest's fds; block until one is ready, the
 * timeout passes or a signal comes. S7, as Linux: an interrupted poll is
 * ERESTART_RESTARTBLOCK with do_restart_poll's block (the same fds and
 * the same absolute deadline), so restart_syscall resumes it; ppoll is
 * ERESTARTNOHAND and writes the time left back into its timeout
 * (poll_select_finish), so a restarted ppoll waits only the rest. */
static short poll_one(struct task *t, int fd, short events)
{
	struct file *f = get(t, (uint64_t)fd);
	if (fd < 0)
		return 0;
	if (!f)
		return POLLNVAL;
	return file_poll(t, f) & (events | POLLHUP | POLLERR | POLLNVAL);
}

uint64_t file_next_change(struct file *f)
{
	return f && f->kind == FILE_OPS && f->ops->next_change ? f->ops->next_change(f) : 0;
}

int file_sleep(struct task *t, uint64_t deadline, uint64_t wake)
{
	if (wake && (!deadline || wake < deadline)) {
		int r = task_sleep(t, wake);
		return r == 0 ? 1 : r; /* the file's time came: look again */
	}
	return task_sleep(t, deadline);
}

short file_poll(struct task *t, struct file *f)
{
	short rev = 0;
	switch (f->kind) {
	case FILE_OPS: rev = f->ops->poll ? f->ops->poll(t, f) : POLLIN | POLLOUT; break;
	case FILE_IN:
	case FILE_EMPTY: rev = POLLIN; break;
	case FILE_OUT: rev = POLLOUT; break;
	case FILE_PIPE_R: rev = f->pipe->len ? POLLIN : f->pipe->writers ? 0 : POLLHUP; break;
	case FILE_PIPE_W:
		/* pipe_poll: room is POLLOUT whether or not a reader is left;
		 * no reader adds POLLERR. */
		rev = (f->pipe->len < PIPE_CAPACITY ? POLLOUT : 0) |
		      (!f->pipe->readers ? POLLERR : 0);
		break;
	}
	return rev;
}

/* timed: deadline is an absolute virtual CLOCK_MONOTONIC time (one look
 * when it has passed); otherwise no timeout. */
static long do_poll(struct task *t, uint64_t ufds, uint64_t nfds, bool timed, uint64_t deadline)
{
	struct pollfd fds[MAX_FDS];
	if (nfds > MAX_FDS)
		return -EINVAL;
	if (nfds && copy_in(t, ufds, fds, nfds * sizeof(fds[0])))
		return -EFAULT;
	for (bool last = timed && deadline <= vclock_ns(CLOCK_MONOTONIC);;) {
		long ready = 0;
		uint64_t wake = 0;
		for (uint64_t i = 0; i < nfds; i++) {
			fds[i].revents = poll_one(t, fds[i].fd, fds[i].events);
			ready += fds[i].revents != 0;
			uint64_t w =
				fds[i].fd >= 0 ? file_next_change(get(t, (uint64_t)fds[i].fd)) : 0;
			if (w && (!wake || w < wake))
				wake = w;
		}
		if (ready || last) {
			if (nfds && copy_out(t, ufds, fds, nfds * sizeof(fds[0])))
				return -EFAULT;
			return ready;
		}
		int r = file_sleep(t, timed ? deadline : 0, wake); /* 0: no deadline */
		if (r == -EINTR)
			return -ERESTARTNOHAND;
		last = r == 0 && timed;
	}
}

static long poll_restart(struct task *t, const uint64_t *a);

static long poll_restartable(struct task *t, uint64_t ufds, uint64_t nfds, bool timed,
			     uint64_t deadline)
{
	long r = do_poll(t, ufds, nfds, timed, deadline);
	if (r != -ERESTARTNOHAND)
		return r;
	t->restart = (struct restart_block){ .fn = poll_restart,
					     .ufds = ufds,
					     .nfds = nfds,
					     .timed = timed,
					     .deadline_ns = deadline };
	return -ERESTART_RESTARTBLOCK;
}

static long poll_restart(struct task *t, const uint64_t *a)
{
	(void)a;
	struct restart_block rb = t->restart;
	return poll_restartable(t, rb.ufds, rb.nfds, rb.timed, rb.deadline_ns);
}

long sys_poll(struct task *t, const uint64_t *a)
{
	int ms = (int)a[2];
	uint64_t deadline = ms >= 0 ? vclock_ns(CLOCK_MONOTONIC) + (uint64_t)ms * 1000000ULL : 0;
	return poll_restartable(t, a[0], a[1], ms >= 0, deadline);
}

/* poll_select_finish: the time left goes back into a non-zero timeout,
 * whatever the result; if that write fails, an interrupted call is EINTR
 * (it could not restart with the right timeout). */
static long ppoll_finish(struct task *t, uint64_t uts, const struct timespec *ts, uint64_t deadline,
			 long r)
{
	if (!uts || (!ts->tv_sec && !ts->tv_nsec))
		return r;
	uint64_t now = vclock_ns(CLOCK_MONOTONIC), left = deadline > now ? deadline - now : 0;
	struct timespec rem = { (time_t)(left / 1000000000ULL), (long)(left % 1000000000ULL) };
	if (copy_out(t, uts, &rem, sizeof(rem)))
		return r == -ERESTARTNOHAND ? -EINTR : r;
	return r;
}

long sys_ppoll(struct task *t, const uint64_t *a)
{
	struct timespec ts = { 0, 0 };
	uint64_t deadline = 0;
	if (a[2]) {
		if (copy_in(t, a[2], &ts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = vclock_ns(CLOCK_MONOTONIC) + (uint64_t)ts.tv_sec * 1000000000ULL +
			   (uint64_t)ts.tv_nsec;
	}
	if (a[3]) {
		uint64_t mask;
		if (a[4] != 8)
			return -EINVAL;
		if (copy_in(t, a[3], &mask, sizeof(mask)))
			return -EFAULT;
		t->saved_sigmask = t->sigmask;
		t->restore_sigmask = true;
		t->sigmask = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	}
	long r = ppoll_finish(t, a[2], &ts, deadline, do_poll(t, a[0], a[1], a[2] != 0, deadline));
	if (r != -ERESTARTNOHAND && a[3]) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	return r;
}
