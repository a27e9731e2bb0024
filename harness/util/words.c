#include "harness/util/words.h"

#include <stdlib.h>
#include <string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

int words_push(struct words *w, const char *s, size_t len)
{
	char **v = realloc(w->v, (w->n + 2) * sizeof *v);
	if (!v)
		return -1;
	w->v = v;
	v[w->n] = NULL; /* still a valid argv if the copy fails */
	char *copy = strndup(s, len);
	if (!copy)
		return -1;
	v[w->n++] = copy;
	v[w->n] = NULL;
	return 0;
}

void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	*w = (struct words){ 0 };
}

bool words_equal(const struct words *a, const struct words *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

long words_find(const struct words *w, const char *s)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i], s))
			return (long)i;
	return -1;
}

int words_split_plain(const char *s, struct words *out)
{
	for (;;) {
		while (blank(*s))
			s++;
		if (!*s)
			return 0;
		size_t n = 0;
		while (s[n] && !blank(s[n]))
			n++;
		if (words_push(out, s, n))
			return -1;
		s += n;
	}
}

/* One word starting at *sp (not blank, not NUL) into b; advances *sp. */
static const char *quoted_word(const char **sp, struct hbuf *b)
{
	const char *s = *sp;
	while (*s && !blank(*s)) {
		if (*s == '\'') {
			const char *q = strchr(s + 1, '\'');
			if (!q)
				return "unterminated ' quote";
			hbuf_add(b, s + 1, (size_t)(q - s - 1));
			s = q + 1;
		} else if (*s == '"') {
			for (s++; *s != '"'; s++) {
				if (!*s)
					return "unterminated \" quote";
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				hbuf_putc(b, *s);
			}
			s++;
		} else if (*s == '\\') {
			if (!s[1])
				return "backslash at end of line";
			hbuf_putc(b, s[1]);
			s += 2;
		} else {
			hbuf_putc(b, *s++);
		}
	}
	*sp = s;
	return NULL;
}

int words_split_quoted(const char *s, struct words *out, const char **why)
{
	for (;;) {
		while (blank(*s))
			s++;
		if (!*s)
			return 0;
		struct hbuf b = { 0 };
		*why = quoted_word(&s, &b);
		if (*why) {
			hbuf_free(&b);
			return -1;
		}
		size_t len;
		char *w = hbuf_take(&b, &len);
		if (!w || words_push(out, w, len)) {
			free(w);
			*why = "out of memory";
			return -1;
		}
		free(w);
	}
}

static bool plain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_-./:=+,@%", c);
}

void words_quote(struct hbuf *b, const char *s)
{
	bool plain = *s != 0;
	for (const char *p = s; *p && plain; p++)
		plain = plain_char(*p);
	if (plain) {
		hbuf_puts(b, s);
		return;
	}
	/* Inside '...' nothing is special but the quote itself, which is
	 * written as '\'' (close, literal quote, reopen). */
	hbuf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			hbuf_puts(b, "'\\''");
		else
			hbuf_putc(b, *s);
	}
	hbuf_putc(b, '\'');
}
