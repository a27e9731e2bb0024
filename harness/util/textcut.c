/* Head and tail of text (see textcut.h). Every line put ends in '\n'. */
#include "harness/util/textcut.h"

#include <string.h>

static size_t count_lines(const char *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k + (n && p[n - 1] != '\n');
}

/* Lines [from, to) of p. */
static void put_lines(struct hbuf *b, const char *p, size_t n, size_t from, size_t to)
{
	size_t line = 0;
	for (size_t i = 0; i < n && line < to; line++) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - p) - i : n - i;
		if (line >= from) {
			hbuf_add(b, p + i, len);
			hbuf_putc(b, '\n');
		}
		i += len + 1;
	}
}

void textcut_head(struct hbuf *b, const char *p, size_t n, size_t max)
{
	size_t total = count_lines(p, n);
	put_lines(b, p, n, 0, max);
	if (total > max)
		hbuf_printf(b, "... %zu more lines\n", total - max);
}

void textcut_tail(struct hbuf *b, const char *p, size_t n, size_t max)
{
	size_t total = count_lines(p, n);
	if (total > max)
		hbuf_printf(b, "... %zu lines before\n", total - max);
	put_lines(b, p, n, total > max ? total - max : 0, total);
}
