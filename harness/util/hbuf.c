#include "harness/util/hbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes plus the terminating NUL. */
static bool reserve(struct hbuf *b, size_t n)
{
	if (b->failed)
		return false;
	if (b->cap - b->len > n)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap - b->len <= n) {
		if (cap > (size_t)-1 / 2)
			goto fail;
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p)
		goto fail;
	b->p = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

void hbuf_add(struct hbuf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

void hbuf_puts(struct hbuf *b, const char *s)
{
	hbuf_add(b, s, strlen(s));
}

void hbuf_putc(struct hbuf *b, int c)
{
	char ch = (char)c;
	hbuf_add(b, &ch, 1);
}

void hbuf_printf(struct hbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *hbuf_take(struct hbuf *b, size_t *len)
{
	if (reserve(b, 0)) /* an empty buffer still yields "" */
		b->p[b->len] = 0;
	char *p = b->failed ? NULL : b->p;
	if (len)
		*len = p ? b->len : 0;
	if (!p)
		free(b->p);
	*b = (struct hbuf){ 0 };
	return p;
}

void hbuf_free(struct hbuf *b)
{
	free(b->p);
	*b = (struct hbuf){ 0 };
}
