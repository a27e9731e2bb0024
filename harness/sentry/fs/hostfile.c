/* An open host file of the filesystem view: a regular file or a directory
 * inside the root, opened through view.c. Reads, writes and positions
 * are the host kernel's on the harness's fd, which dup'd and inherited
 * guest fds share through their struct file, as Linux's do. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/sentry/fs/fs.h"

static long host_result(ssize_t r)
{
	return r < 0 ? -errno : (long)r;
}

static long hf_read(struct task *t, struct file *f, char *buf, size_t len, int64_t *pos)
{
	(void)t;
	if (!pos)
		return host_result(read(f->host_fd, buf, len));
	ssize_t r = pread(f->host_fd, buf, len, *pos);
	if (r > 0)
		*pos += r;
	return host_result(r);
}

static long hf_write(struct task *t, struct file *f, const char *buf, size_t len, int64_t *pos)
{
	(void)t;
	if (!pos)
		return host_result(write(f->host_fd, buf, len));
	ssize_t r = pwrite(f->host_fd, buf, len, *pos);
	if (r > 0)
		*pos += r;
	return host_result(r);
}

static short hf_poll(struct task *t, struct file *f)
{
	(void)t, (void)f;
	return POLLIN | POLLOUT; /* regular files are always ready */
}

static int hf_stat(struct task *t, struct file *f, struct stat *st)
{
	if (fstat(f->host_fd, st))
		return -errno;
	fs_map_owner(t, st);
	return 0;
}

static long hf_getdents(struct task *t, struct file *f, char *buf, size_t len)
{
	(void)t;
	return host_result(syscall(SYS_getdents64, f->host_fd, buf, len));
}

static long hf_lseek(struct task *t, struct file *f, int64_t off, int whence)
{
	(void)t;
	return host_result(lseek(f->host_fd, off, whence));
}

static long hf_ioctl(struct task *t, struct file *f, unsigned long cmd, uint64_t arg)
{
	(void)t, (void)f, (void)cmd, (void)arg;
	return -ENOTTY; /* no terminal, and no file ioctl is emulated */
}

static void hf_name(struct file *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s", "?");
	(void)f;
}

static void hf_release(struct file *f)
{
	close(f->host_fd);
}

static const struct file_ops hostfile_ops = {
	.read = hf_read,
	.write = hf_write,
	.poll = hf_poll,
	.stat = hf_stat,
	.getdents = hf_getdents,
	.lseek = hf_lseek,
	.ioctl = hf_ioctl,
	.name = hf_name,
	.release = hf_release,
	.seekable = true,
};

struct file *hostfile_new(int host_fd, int flags)
{
	struct file *f = file_new_ops(&hostfile_ops, flags, NULL);
	if (f)
		f->host_fd = host_fd;
	return f;
}

bool hostfile_is(const struct file *f)
{
	return f->kind == FILE_OPS && f->ops == &hostfile_ops;
}
