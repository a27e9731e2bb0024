/* Memory files between parent and child (see capture.h). */
#include "harness/runner/capture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int capture_new(const char *name)
{
	return memfd_create(name, MFD_CLOEXEC);
}

int write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int capture_with(const char *name, const void *data, size_t len)
{
	int fd = capture_new(name);
	if (fd < 0)
		return -1;
	if (write_full(fd, data, len) || lseek(fd, 0, SEEK_SET) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int capture_read(int fd, size_t max, struct bytes *b)
{
	struct stat st;
	*b = (struct bytes){ 0 };
	if (!max)
		max = CAPTURE_MAX;
	if (fstat(fd, &st))
		return -1;
	size_t n = (size_t)st.st_size;
	b->truncated = n > max;
	if (b->truncated)
		n = max;
	b->p = malloc(n + 1);
	if (!b->p)
		return -1;
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, b->p + got, n - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break; /* shrank meanwhile: keep what is there */
		got += (size_t)r;
	}
	b->p[got] = 0;
	b->len = got;
	return 0;
}

void bytes_free(struct bytes *b)
{
	free(b->p);
	*b = (struct bytes){ 0 };
}

const char *bytes_tail(const struct bytes *b, size_t max)
{
	if (!b->p)
		return "";
	if (b->len <= max)
		return b->p;
	const char *t = b->p + b->len - max;
	const char *nl = memchr(t, '\n', max);
	return nl && nl[1] ? nl + 1 : t;
}
