/* S10: an open file of the sentry, shared by every fd that refers to it
 * (dup, fork), as Linux's struct file is. The case's stdin and captured
 * output and the sentry's pipes are handled by files.c itself; every
 * other kind (host files of the filesystem view, emulated devices, /proc
 * files, event and socket objects) brings its operations in file_ops, so
 * files.c needs no switch over kinds it does not know. */
#ifndef HARNESS_SENTRY_FILE_H
#define HARNESS_SENTRY_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct task;
struct file;
struct pipe_buf;
struct kernel;

enum file_kind { FILE_IN, FILE_OUT, FILE_EMPTY, FILE_PIPE_R, FILE_PIPE_W, FILE_OPS };

/* Each operation returns a value or -errno; an absent one gives the
 * errno Linux gives for a file that lacks it. pos: the file position to
 * use and advance (read, write) or NULL for a positionless object. */
struct file_ops {
	long (*read)(struct task *t, struct file *f, char *buf, size_t len, int64_t *pos);
	long (*write)(struct task *t, struct file *f, const char *buf, size_t len, int64_t *pos);
	/* The readiness bits (POLLIN, POLLOUT, POLLHUP, POLLERR) now. */
	short (*poll)(struct task *t, struct file *f);
	int (*stat)(struct task *t, struct file *f, struct stat *st);
	/* linux_dirent64 records into buf; 0 at the end. */
	long (*getdents)(struct task *t, struct file *f, char *buf, size_t len);
	long (*lseek)(struct task *t, struct file *f, int64_t off, int whence);
	long (*ioctl)(struct task *t, struct file *f, unsigned long cmd, uint64_t arg);
	/* The name /proc/self/fd shows ("/etc/passwd", "anon_inode:[eventfd]"). */
	void (*name)(struct file *f, char *buf, size_t len);
	void (*release)(struct file *f);
	/* The virtual CLOCK_MONOTONIC time at which poll() may change without
	 * any other event (a timerfd's next expiry); 0: none. Waits sleep no
	 * longer than that. */
	uint64_t (*next_change)(struct file *f);
	bool seekable; /* pread/pwrite allowed, the position is the file's */
};

struct file {
	int refs;
	enum file_kind kind;
	int host_fd;
	int flags; /* O_ACCMODE | O_NONBLOCK | O_APPEND as the guest sees them */
	struct pipe_buf *pipe;
	const struct file_ops *ops; /* FILE_OPS only */
	void *priv;                 /* the kind's own state */
	int64_t pos;                /* for emulated seekable files */
	struct kernel *k;           /* for release of shared objects */
};

struct file *file_new_ops(const struct file_ops *ops, int flags, void *priv);
void file_get(struct file *f);
void file_put(struct file *f);
/* The open file at fd of t's process, or NULL. */
struct file *file_of(struct task *t, uint64_t fd);
/* Puts f at the lowest free fd >= lowest: the fd, or -EMFILE. The
 * reference is the table's from then on. */
int file_install(struct task *t, struct file *f, int lowest, bool cloexec);
/* A pipe's readiness, for select and epoll as for poll. */
short file_poll(struct task *t, struct file *f);
/* The earliest next_change of the fds in a set of pollfds (0: none). */
uint64_t file_next_change(struct file *f);
/* Sleeps until woken, a signal, or the earlier of the virtual deadline
 * (0: none) and wake (0: none): task_sleep's results. */
int file_sleep(struct task *t, uint64_t deadline, uint64_t wake);
/* The number /proc/PID/fd shows for a pipe or a case stream, fixed by
 * creation order (pipe:[N]). */
unsigned file_pipe_id(const struct file *f);
/* A fixed fstat for the kinds files.c owns (stdin, output, pipes). */
void file_stat_builtin(struct file *f, struct stat *st);

#endif
