/* A growable byte buffer for building text (case files, diffs).
 *
 * Allocation failure is sticky: later appends do nothing and hbuf_take()
 * returns NULL, so callers check once at the end instead of after every
 * append. */
#ifndef HARNESS_HBUF_H
#define HARNESS_HBUF_H

#include <stdbool.h>
#include <stddef.h>

struct hbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

void hbuf_add(struct hbuf *b, const void *p, size_t n);
void hbuf_puts(struct hbuf *b, const char *s);
void hbuf_putc(struct hbuf *b, int c);
void hbuf_printf(struct hbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The NUL-terminated contents (owned by the caller), or NULL if any append
 * failed. The buffer is empty afterwards. */
char *hbuf_take(struct hbuf *b, size_t *len);
void hbuf_free(struct hbuf *b);

#endif
