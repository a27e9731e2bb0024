/* Memory files that carry a child's output and results to the parent.
 *
 * The parent creates them before fork, so a child that hangs or dies
 * still leaves what it wrote (a partial trace on timeout), and no pipe
 * can fill up and block a child the parent is not reading yet. */
#ifndef HARNESS_RUNNER_CAPTURE_H
#define HARNESS_RUNNER_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes read back from a capture; p is NUL-terminated (and may hold NULs). */
struct bytes {
	char *p;
	size_t len;
	bool truncated; /* more than CAPTURE_MAX was written */
};

#define CAPTURE_MAX (64u << 20) /* per stream: a guest looping on write(2) */

/* An empty memory file (close-on-exec), or -1 with errno. */
int capture_new(const char *name);
/* A memory file holding data, positioned at 0, or -1 with errno. */
int capture_with(const char *name, const void *data, size_t len);
/* Reads from offset 0 up to max bytes into b (max 0: CAPTURE_MAX).
 * 0, or -1 with errno; b is always valid to free. */
int capture_read(int fd, size_t max, struct bytes *b);
void bytes_free(struct bytes *b);
/* The last max bytes of b, starting at a line when possible. */
const char *bytes_tail(const struct bytes *b, size_t max);

/* write(2) until done: 0, or -1 with errno. */
int write_full(int fd, const void *p, size_t n);

#endif
