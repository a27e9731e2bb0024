/* Writing cases back in canonical form, for --bless. */
#include "harness/case/case.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/chaos/case_chaos.h"
#include "harness/util/hbuf.h"
#include "harness/util/signame.h"

static void put_plain(struct hbuf *b, const char *key, const struct words *w)
{
	if (!w->n)
		return;
	hbuf_printf(b, "%s:", key);
	for (size_t i = 0; i < w->n; i++)
		hbuf_printf(b, " %s", w->v[i]);
	hbuf_putc(b, '\n');
}

static void put_args(struct hbuf *b, const struct words *w)
{
	if (!w->n)
		return;
	hbuf_puts(b, "args:");
	for (size_t i = 0; i < w->n; i++) {
		hbuf_putc(b, ' ');
		words_quote(b, w->v[i]);
	}
	hbuf_putc(b, '\n');
}

/* NAME=VALUE with only the value quoted: env: B='x y' reads better than
 * env: 'B=x y'. */
static void put_env(struct hbuf *b, const struct words *w)
{
	if (!w->n)
		return;
	hbuf_puts(b, "env:");
	for (size_t i = 0; i < w->n; i++) {
		const char *eq = strchr(w->v[i], '=');
		size_t n = eq ? (size_t)(eq - w->v[i]) + 1 : 0;
		hbuf_putc(b, ' ');
		hbuf_add(b, w->v[i], n);
		words_quote(b, w->v[i] + n);
	}
	hbuf_putc(b, '\n');
}

static void put_oracles(struct hbuf *b, unsigned oracles)
{
	hbuf_puts(b, "oracle:");
	for (unsigned bit = 1; bit & ORACLE_ALL; bit <<= 1)
		if (oracles & bit)
			hbuf_printf(b, " %s", case_oracle_name(bit));
	hbuf_putc(b, '\n');
}

static void put_timeout(struct hbuf *b, unsigned ms)
{
	if (!ms)
		return;
	hbuf_printf(b, "timeout: %u", ms / 1000);
	unsigned frac = ms % 1000;
	int digits = 3;
	for (; frac && frac % 10 == 0; frac /= 10)
		digits--; /* 2.500 is written 2.5 */
	if (frac)
		hbuf_printf(b, ".%0*u", digits, frac);
	hbuf_putc(b, '\n');
}

static void put_exit(struct hbuf *b, const struct case_exit *e)
{
	char name[SIGNAME_LEN];
	if (e->kind == CASE_EXIT_CODE)
		hbuf_printf(b, "exit: %d\n", e->value);
	else if (e->kind == CASE_EXIT_SIGNAL)
		hbuf_printf(b, "exit: signal %s%s\n", signame(e->value, name) ? name : "?",
			    e->core ? " core" : "");
}

static void put_sections(struct hbuf *b, const struct tcase *c)
{
	bool any = false;
	for (int i = 0; i < CASE_NSECTIONS; i++) {
		const struct case_text *t = &c->sect[i];
		if (!t->present)
			continue;
		bool noeol = t->len && t->data[t->len - 1] != '\n';
		hbuf_printf(b, "--- %s%s\n", case_section_name(i), noeol ? " noeol" : "");
		hbuf_add(b, t->data, t->len);
		if (noeol)
			hbuf_putc(b, '\n');
		any = true;
	}
	if (any)
		hbuf_puts(b, "--- end\n");
}

static char *format(const struct tcase *c, size_t *len)
{
	struct hbuf b = { 0 };
	if (c->comments)
		hbuf_puts(&b, c->comments);
	if (c->description && *c->description)
		hbuf_printf(&b, "description: %s\n", c->description);
	hbuf_printf(&b, "fixture: %s\n", c->fixture);
	put_args(&b, &c->args);
	put_env(&b, &c->env);
	put_oracles(&b, c->oracles);
	put_plain(&b, "requires", &c->requires);
	put_plain(&b, "features", &c->features);
	put_timeout(&b, c->timeout_ms);
	put_exit(&b, &c->exit);
	put_plain(&b, "variants", &c->variants);
	if (c->expect_timeout)
		hbuf_puts(&b, "expect: timeout\n");
	if (c->fs)
		hbuf_printf(&b, "fs: %s\n", c->fs == CASE_FS_SCRATCH ? "scratch" : "host");
	if (c->tree)
		hbuf_printf(&b, "tree: %s\n", c->tree);
	if (c->chaos) {
		char *chaos = case_chaos_format(c);
		hbuf_printf(&b, "chaos: %s\n", chaos ? chaos : "?");
		free(chaos);
	}
	put_sections(&b, c);
	return hbuf_take(&b, len);
}

/* The one thing actual output can hold that a section cannot: a line that
 * is exactly a section header ("--- stdout"). Found here to name it; all else is caught by reading
 * the formatted text back. */
static int check_sections(const struct tcase *c, char *err, size_t errlen)
{
	for (int i = 0; i < CASE_NSECTIONS; i++) {
		const struct case_text *t = &c->sect[i];
		unsigned line = 1;
		for (size_t at = 0; t->present && at < t->len; line++) {
			const char *p = t->data + at;
			const char *nl = memchr(p, '\n', t->len - at);
			size_t n = nl ? (size_t)(nl - p) : t->len - at;
			if (case_is_section_header(p, n)) {
				if (err && errlen)
					snprintf(err, errlen,
						 "%s: %s line %u reads "
						 "as a section header, which a case "
						 "file cannot hold",
						 c->path, case_section_name(i), line);
				return -1;
			}
			at = nl ? (size_t)(nl - t->data) + 1 : t->len;
		}
	}
	return 0;
}

/* Format c and read it back; the text if that gives c again, else NULL
 * with errno and a message in err. */
static char *format_checked(const struct tcase *c, size_t *len, char *err, size_t errlen)
{
	char msg[512], why[400];
	const char *path = c->path ? c->path : "(case)";
	char *text = NULL;
	int code = EINVAL;

	if (!c->path || !c->fixture) {
		snprintf(msg, sizeof msg, "%s: case has no %s", path, c->path ? "fixture" : "path");
	} else if (!check_sections(c, msg, sizeof msg)) {
		text = format(c, len);
		code = text ? EINVAL : ENOMEM;
		snprintf(msg, sizeof msg, "%s: out of memory", path);
	}
	if (text) {
		struct tcase back;
		int rc = case_parse(path, text, *len, &back, why, sizeof why);
		bool same = !rc && case_equal(c, &back);
		case_free(&back);
		if (same)
			return text;
		free(text);
		snprintf(msg, sizeof msg,
			 "%s: the case cannot be written as a "
			 "case file: %s",
			 path, rc ? why : "a field changes when read back");
	}
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	errno = code;
	return NULL;
}

char *case_format_len(const struct tcase *c, size_t *len)
{
	return format_checked(c, len, NULL, 0);
}

/* Without a length the caller can only strlen() the text, so a NUL byte
 * in a section would silently cut it short: refuse instead. */
char *case_format(const struct tcase *c)
{
	size_t len;
	char *text = format_checked(c, &len, NULL, 0);
	if (text && strlen(text) != len) {
		free(text);
		errno = EINVAL;
		return NULL;
	}
	return text;
}

int case_check(const struct tcase *c, char *err, size_t errlen)
{
	size_t len;
	char *text = format_checked(c, &len, err, errlen);
	free(text);
	return text ? 0 : -1;
}

/* Absent and empty are the same for the optional strings. */
static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool text_eq(const struct case_text *a, const struct case_text *b)
{
	if (a->present != b->present)
		return false;
	return !a->present || (a->len == b->len && !memcmp(a->data, b->data, a->len));
}

static bool exit_eq(const struct case_exit *a, const struct case_exit *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == CASE_EXIT_UNCHECKED)
		return true;
	return a->value == b->value && (a->kind != CASE_EXIT_SIGNAL || a->core == b->core);
}

bool case_equal(const struct tcase *a, const struct tcase *b)
{
	for (int i = 0; i < CASE_NSECTIONS; i++)
		if (!text_eq(&a->sect[i], &b->sect[i]))
			return false;
	return str_eq(a->name, b->name) && str_eq(a->family, b->family) &&
	       str_eq(a->comments, b->comments) && str_eq(a->description, b->description) &&
	       str_eq(a->fixture, b->fixture) && words_equal(&a->args, &b->args) &&
	       words_equal(&a->env, &b->env) && a->oracles == b->oracles &&
	       words_equal(&a->requires, &b->requires) && words_equal(&a->features, &b->features) &&
	       a->timeout_ms == b->timeout_ms && exit_eq(&a->exit, &b->exit) &&
	       words_equal(&a->variants, &b->variants) && a->expect_timeout == b->expect_timeout &&
	       a->chaos == b->chaos && a->fs == b->fs && str_eq(a->tree, b->tree) &&
	       a->chaos_nsteps == b->chaos_nsteps &&
	       !memcmp(a->chaos_steps, b->chaos_steps, a->chaos_nsteps * sizeof a->chaos_steps[0]);
}
