/* Reading case files; the format is described in case.h. */
#include "harness/case/case.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/hbuf.h"
#include "harness/chaos/case_chaos.h"
#include "harness/util/signame.h"

#define TIMEOUT_MAX_S 86400u       /* a day: anything longer is a typo */
#define CASE_FILE_MAX (256u << 20) /* refuse to slurp a runaway file */

struct parser {
	const char *path;
	const char *p, *end; /* the text not read yet */
	unsigned line;       /* number of the line last read */
	struct tcase *c;
	struct hbuf comments;
	char *err;
	size_t errlen;
};

#define NORACLES 3
static const char *const oracle_names[NORACLES] = {
	"golden",
	"selfcheck",
	"native",
};
static const char *const section_names[CASE_NSECTIONS] = {
	"stdin",
	"stdout",
	"stderr",
	"trace",
};

bool case_host_program(const struct tcase *c)
{
	return c->fixture && c->fixture[0] == '/';
}

char *case_program_path(const struct tcase *c, const char *fixtures_dir)
{
	char *p;
	if (case_host_program(c))
		return strdup(c->fixture);
	return asprintf(&p, "%s/%s", fixtures_dir, c->fixture) < 0 ? NULL : p;
}

const char *case_oracle_name(unsigned bit)
{
	for (unsigned i = 0; i < NORACLES; i++)
		if (bit == 1u << i)
			return oracle_names[i];
	return NULL;
}

const char *case_section_name(enum case_section s)
{
	return (unsigned)s < CASE_NSECTIONS ? section_names[s] : NULL;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int fail(struct parser *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	seterr(ps->err, ps->errlen, "%s:%u: %s", ps->path, line, msg);
	return -1;
}

/* The next line with its newline (absent on a last unterminated line). */
static bool next_line(struct parser *ps, const char **s, size_t *n)
{
	if (ps->p >= ps->end)
		return false;
	const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
	*s = ps->p;
	*n = nl ? (size_t)(nl + 1 - ps->p) : (size_t)(ps->end - ps->p);
	ps->p += *n;
	ps->line++;
	return true;
}

static bool is_header(const char *s, size_t n)
{
	return n >= 4 && !memcmp(s, "--- ", 4);
}

/* Inside a section only an exact header ends it, so that traces can hold
 * strace's "--- SIGSEGV {...} ---" lines and our "--- fault ..." lines. */
bool case_is_section_header(const char *s, size_t n)
{
	static const char *const names[] = { "stdin", "stdout", "stderr", "trace", "end" };
	if (n && s[n - 1] == '\n')
		n--;
	if (n < 4 || memcmp(s, "--- ", 4))
		return false;
	s += 4, n -= 4;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t k = strlen(names[i]);
		if (n >= k && !memcmp(s, names[i], k) &&
		    (n == k || (i < 4 && n == k + 6 && !memcmp(s + k, " noeol", 6))))
			return true;
	}
	return false;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A NUL-terminated copy of a line, blanks at its end dropped. */
static char *line_copy(struct parser *ps, const char *s, size_t n)
{
	if (memchr(s, 0, n)) {
		fail(ps, ps->line, "NUL byte outside a section");
		return NULL;
	}
	while (n && blank(s[n - 1]))
		n--;
	char *t = strndup(s, n);
	if (!t)
		fail(ps, ps->line, "out of memory");
	return t;
}

/* Why s is not a clean relative path ("a/b"), or NULL if it is one.
 * Fixture and case names are both used to build file paths and appear in
 * reports, so they are kept to a plain character set. */
static const char *bad_relpath(const char *s)
{
	if (!*s)
		return "is empty";
	if (strspn(s,
		   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789_-.+/") != strlen(s))
		return "may only hold letters, digits, '_', '-', '.', '+' and '/'";
	for (const char *c = s;;) {
		size_t n = strcspn(c, "/");
		if (n == 0)
			return "has an empty path component";
		if ((n == 1 && c[0] == '.') || (n == 2 && !memcmp(c, "..", 2)))
			return "has a '.' or '..' component";
		if (!c[n])
			return NULL;
		c += n + 1;
	}
}

/* The last "cases/" that starts a path component, so that a checkout
 * under some other "cases" directory still works. */
static const char *below_cases(const char *path)
{
	const char *found = NULL;
	for (const char *p = path; (p = strstr(p, "cases/")); p++)
		if (p == path || p[-1] == '/')
			found = p + 6;
	return found;
}

int case_name(const char *path, char **name, char **family, char *err, size_t errlen)
{
	const char *rel = below_cases(path);
	size_t n = rel ? strlen(rel) : 0;
	*name = *family = NULL;
	if (n <= 5 || strcmp(rel + n - 5, ".case") || !memchr(rel, '/', n - 5)) {
		seterr(err, errlen,
		       "%s: not a case file path: expected "
		       "cases/FAMILY/NAME.case",
		       path);
		return -1;
	}
	*name = strndup(rel, n - 5);
	if (!*name)
		goto nomem;
	const char *why = bad_relpath(*name);
	if (why) {
		seterr(err, errlen, "%s: case name '%s' %s", path, *name, why);
		goto fail;
	}
	*family = strndup(*name, strcspn(*name, "/"));
	if (!*family)
		goto nomem;
	return 0;
nomem:
	seterr(err, errlen, "%s: out of memory", path);
fail:
	free(*name);
	*name = NULL;
	return -1;
}

/* Each value setter gets the value with blanks trimmed, never empty. */

static int set_description(struct parser *ps, const char *v)
{
	ps->c->description = strdup(v);
	return ps->c->description ? 0 : fail(ps, ps->line, "out of memory");
}

static int set_fixture(struct parser *ps, const char *v)
{
	/* An absolute path is a host program (with fs:, checked at the end). */
	const char *why =
		v[0] == '/' ? (strstr(v, "/../") ? "has '..' in it" : NULL) : bad_relpath(v);
	if (why)
		return fail(ps, ps->line, "bad fixture '%s': the path %s", v, why);
	ps->c->fixture = strdup(v);
	return ps->c->fixture ? 0 : fail(ps, ps->line, "out of memory");
}

/* Word lists name things; saying a thing twice is a mistake. */
static int unique(struct parser *ps, const struct words *w, const char *what)
{
	for (size_t i = 1; i < w->n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(w->v[i], w->v[j]))
				return fail(ps, ps->line, "%s '%s' given twice", what, w->v[i]);
	return 0;
}

static int split_plain(struct parser *ps, const char *v, struct words *w)
{
	if (words_split_plain(v, w))
		return fail(ps, ps->line, "out of memory");
	return 0;
}

static int set_args(struct parser *ps, const char *v)
{
	const char *why;
	if (words_split_quoted(v, &ps->c->args, &why))
		return fail(ps, ps->line, "bad args: %s", why);
	return 0;
}

static bool env_name_ok(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_",
			    s[i]))
			return false;
	return true;
}

static int set_env(struct parser *ps, const char *v)
{
	struct words *w = &ps->c->env;
	const char *why;
	if (words_split_quoted(v, w, &why))
		return fail(ps, ps->line, "bad env: %s", why);
	for (size_t i = 0; i < w->n; i++) {
		size_t n = strcspn(w->v[i], "=");
		if (!w->v[i][n] || !env_name_ok(w->v[i], n))
			return fail(ps, ps->line, "bad env '%s': expected NAME=VALUE", w->v[i]);
		for (size_t j = 0; j < i; j++)
			if (!strncmp(w->v[j], w->v[i], n + 1))
				return fail(ps, ps->line, "env variable '%.*s' set twice", (int)n,
					    w->v[i]);
	}
	return 0;
}

static int set_oracle(struct parser *ps, const char *v)
{
	struct words w = { 0 };
	int rc = split_plain(ps, v, &w);
	for (size_t i = 0; i < w.n && !rc; i++) {
		unsigned bit = 0;
		for (unsigned k = 0; k < NORACLES; k++)
			if (!strcmp(w.v[i], oracle_names[k]))
				bit = 1u << k;
		if (!bit)
			rc = fail(ps, ps->line,
				  "unknown oracle '%s' (expected golden, "
				  "selfcheck or native)",
				  w.v[i]);
		else if (ps->c->oracles & bit)
			rc = fail(ps, ps->line, "oracle '%s' given twice", w.v[i]);
		ps->c->oracles |= bit;
	}
	words_free(&w);
	return rc;
}

static int set_requires(struct parser *ps, const char *v)
{
	struct words *w = &ps->c->requires;
	if (split_plain(ps, v, w))
		return -1;
	for (size_t i = 0; i < w->n; i++) {
		const char *s = w->v[i];
		if ((s[0] != 'P' && s[0] != 'S') || !s[1] ||
		    strspn(s + 1, "0123456789") != strlen(s + 1))
			return fail(ps, ps->line,
				    "bad requirement '%s' (expected an "
				    "id like P10 or S3)",
				    s);
	}
	return unique(ps, w, "requirement");
}

static int set_features(struct parser *ps, const char *v)
{
	if (split_plain(ps, v, &ps->c->features))
		return -1;
	return unique(ps, &ps->c->features, "feature");
}

static int set_variants(struct parser *ps, const char *v)
{
	struct words *w = &ps->c->variants;
	if (split_plain(ps, v, w))
		return -1;
	for (size_t i = 0; i < w->n; i++) {
		const char *s = w->v[i];
		if (s[0] == '-' || strspn(s,
					  "abcdefghijklmnopqrstuvwxyz"
					  "0123456789-") != strlen(s))
			return fail(ps, ps->line,
				    "bad variant '%s' (expected "
				    "lower-case letters, digits and '-')",
				    s);
	}
	return unique(ps, w, "variant");
}

static int set_chaos(struct parser *ps, const char *v)
{
	char why[160];
	if (case_chaos_parse(ps->c, v, why, sizeof why))
		return fail(ps, ps->line, "%s", why);
	return 0;
}

/* Seconds with up to three decimals, kept as milliseconds so that the
 * value is exact and is written back the way it was read. */
static int set_timeout(struct parser *ps, const char *v)
{
	unsigned long whole = 0, frac = 0;
	const char *s = v;
	int fdigits = 0;

	for (; *s >= '0' && *s <= '9' && whole <= TIMEOUT_MAX_S; s++)
		whole = whole * 10 + (unsigned long)(*s - '0');
	if (s > v && *s == '.')
		for (s++; *s >= '0' && *s <= '9' && fdigits < 3; s++, fdigits++)
			frac = frac * 10 + (unsigned long)(*s - '0');
	for (int i = fdigits; i < 3; i++)
		frac *= 10;
	unsigned long ms = whole * 1000 + frac;
	if (s == v || *s || s[-1] == '.' || !ms || ms > TIMEOUT_MAX_S * 1000ul)
		return fail(ps, ps->line,
			    "bad timeout '%s' (expected seconds "
			    "above 0 and at most %u, like 10 or 2.5)",
			    v, TIMEOUT_MAX_S);
	ps->c->timeout_ms = (unsigned)ms;
	return 0;
}

static int parse_exit(const struct words *w, struct case_exit *e)
{
	const char *s = w->n ? w->v[0] : "";
	if (w->n == 1) {
		size_t n = strspn(s, "0123456789");
		if (!n || n > 3 || s[n] || atoi(s) > 255)
			return -1;
		*e = (struct case_exit){ CASE_EXIT_CODE, atoi(s), false };
		return 0;
	}
	if ((w->n != 2 && w->n != 3) || strcmp(s, "signal"))
		return -1;
	if (w->n == 3 && strcmp(w->v[2], "core"))
		return -1;
	*e = (struct case_exit){ CASE_EXIT_SIGNAL, 0, w->n == 3 };
	return 0;
}

static int set_exit(struct parser *ps, const char *v)
{
	struct words w = { 0 };
	int rc = split_plain(ps, v, &w);
	if (!rc && parse_exit(&w, &ps->c->exit))
		rc = fail(ps, ps->line,
			  "bad exit '%s' (expected a number 0-255, "
			  "'signal NAME' or 'signal NAME core')",
			  v);
	if (!rc && ps->c->exit.kind == CASE_EXIT_SIGNAL) {
		ps->c->exit.value = signame_parse(w.v[1]);
		if (!ps->c->exit.value)
			rc = fail(ps, ps->line, "unknown signal '%s'", w.v[1]);
	}
	words_free(&w);
	return rc;
}

/* A guest that blocks for ever has no rlimit to end it (Linux has none
 * for wall time): its case says the runner's timeout is the outcome. */
static int set_expect(struct parser *ps, const char *v)
{
	if (strcmp(v, "timeout"))
		return fail(ps, ps->line, "bad expect '%s' (expected 'timeout')", v);
	ps->c->expect_timeout = true;
	return 0;
}

static int set_fs(struct parser *ps, const char *v)
{
	if (!strcmp(v, "scratch"))
		ps->c->fs = CASE_FS_SCRATCH;
	else if (!strcmp(v, "host"))
		ps->c->fs = CASE_FS_HOST;
	else
		return fail(ps, ps->line, "bad fs '%s' (expected 'scratch' or 'host')", v);
	return 0;
}

static int set_tree(struct parser *ps, const char *v)
{
	const char *why = bad_relpath(v);
	if (why)
		return fail(ps, ps->line, "bad tree '%s': the path %s", v, why);
	ps->c->tree = strdup(v);
	return ps->c->tree ? 0 : fail(ps, ps->line, "out of memory");
}

static const struct key {
	const char *name;
	int (*set)(struct parser *, const char *);
} keys[] = {
	{ "description", set_description },
	{ "fixture", set_fixture },
	{ "args", set_args },
	{ "env", set_env },
	{ "oracle", set_oracle },
	{ "requires", set_requires },
	{ "features", set_features },
	{ "timeout", set_timeout },
	{ "exit", set_exit },
	{ "variants", set_variants },
	{ "expect", set_expect },
	{ "chaos", set_chaos },
	{ "fs", set_fs },
	{ "tree", set_tree },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static int key_value(struct parser *ps, char *t, unsigned *seen)
{
	size_t k = strspn(t,
			  "abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	if (!k || t[k] != ':')
		return fail(ps, ps->line,
			    "expected 'key: value', a comment or "
			    "a blank line");
	t[k] = 0;
	const char *v = t + k + 1;
	v += strspn(v, " \t");
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(t, keys[i].name))
			continue;
		if (seen[i])
			return fail(ps, ps->line,
				    "duplicate key '%s' (first on "
				    "line %u)",
				    t, seen[i]);
		seen[i] = ps->line;
		if (!*v)
			return fail(ps, ps->line, "empty value for '%s'", t);
		return keys[i].set(ps, v);
	}
	return fail(ps, ps->line, "unknown key '%s'", t);
}

static int key_line(struct parser *ps, const char *s, size_t n, unsigned *seen)
{
	char *t = line_copy(ps, s, n);
	if (!t)
		return -1;
	const char *u = t + strspn(t, " \t");
	int rc = 0;
	if (*u == '#') {
		hbuf_puts(&ps->comments, u);
		hbuf_putc(&ps->comments, '\n');
	} else if (*u) {
		rc = key_value(ps, t, seen);
	}
	free(t);
	return rc;
}

/* The section that header words name: its index, CASE_NSECTIONS for
 * "end", or -1 after reporting the problem. */
static int header_words(struct parser *ps, const struct words *w, bool *noeol)
{
	int idx = -1;
	*noeol = false;
	if (!w->n)
		return fail(ps, ps->line, "section header without a name");
	if (!strcmp(w->v[0], "end"))
		idx = CASE_NSECTIONS;
	for (int i = 0; i < CASE_NSECTIONS; i++)
		if (!strcmp(w->v[0], section_names[i]))
			idx = i;
	if (idx < 0)
		return fail(ps, ps->line,
			    "unknown section '%s' (expected stdin, "
			    "stdout, stderr, trace or end)",
			    w->v[0]);
	*noeol = idx != CASE_NSECTIONS && w->n > 1 && !strcmp(w->v[1], "noeol");
	size_t used = *noeol ? 2 : 1;
	if (w->n > used)
		return fail(ps, ps->line, "unexpected '%s' after '--- %s'", w->v[used], w->v[0]);
	return idx;
}

static int header(struct parser *ps, const char *s, size_t n, bool *noeol)
{
	char *t = line_copy(ps, s + 4, n - 4);
	if (!t)
		return -1;
	struct words w = { 0 };
	int idx = words_split_plain(t, &w) ? fail(ps, ps->line, "out of memory")
					   : header_words(ps, &w, noeol);
	words_free(&w);
	free(t);
	return idx;
}

static int store_section(struct parser *ps, int idx, const char *s, size_t n, bool noeol,
			 unsigned line)
{
	struct case_text *t = &ps->c->sect[idx];
	if (noeol && !n)
		return fail(ps, line, "'noeol' on an empty section");
	if (noeol)
		n--; /* the newline before the next header */
	t->data = malloc(n + 1);
	if (!t->data)
		return fail(ps, line, "out of memory");
	memcpy(t->data, s, n);
	t->data[n] = 0;
	t->len = n;
	t->present = true;
	return 0;
}

/* The sections, starting at the header line s. */
static int sections(struct parser *ps, const char *s, size_t n)
{
	unsigned first[CASE_NSECTIONS] = { 0 };
	for (;;) {
		bool noeol = false;
		int idx = header(ps, s, n, &noeol);
		if (idx < 0)
			return -1;
		if (idx == CASE_NSECTIONS)
			return ps->p < ps->end ? fail(ps, ps->line + 1, "text after '--- end'") : 0;
		if (first[idx])
			return fail(ps, ps->line,
				    "duplicate section '%s' (first on "
				    "line %u)",
				    section_names[idx], first[idx]);
		first[idx] = ps->line;
		const char *start = ps->p, *stop;
		do {
			stop = ps->p;
			if (!next_line(ps, &s, &n))
				return fail(ps, first[idx],
					    "section '%s' is not "
					    "closed: no '--- end' before the end "
					    "of the file",
					    section_names[idx]);
		} while (!case_is_section_header(s, n));
		if (store_section(ps, idx, start, (size_t)(stop - start), noeol, first[idx]))
			return -1;
	}
}

static int parse(struct parser *ps)
{
	unsigned seen[NKEYS] = { 0 };
	const char *s = NULL;
	size_t n = 0;
	bool more;

	while ((more = next_line(ps, &s, &n)) && !is_header(s, n))
		if (key_line(ps, s, n, seen))
			return -1;
	unsigned end_line = ps->line ? ps->line : 1;
	if (!ps->c->fixture)
		return fail(ps, end_line, "missing key 'fixture'");
	if (!ps->c->oracles)
		return fail(ps, end_line, "missing key 'oracle'");
	/* A run cut by its timeout has no exit status and no end token, and
	 * must never be repeated on the host. */
	if (ps->c->expect_timeout &&
	    (ps->c->exit.kind != CASE_EXIT_UNCHECKED || ps->c->oracles != ORACLE_GOLDEN))
		return fail(ps, end_line,
			    "'expect: timeout' goes with 'oracle: golden' alone "
			    "and no 'exit'");
	if (ps->c->fixture[0] == '/' && !ps->c->fs)
		return fail(ps, end_line, "a host program (absolute fixture) needs 'fs:'");
	if (ps->c->tree && !ps->c->fs)
		return fail(ps, end_line, "'tree:' needs 'fs:'");
	if (ps->c->chaos && (ps->c->oracles & ORACLE_NATIVE))
		return fail(ps, end_line, "a chaos case cannot ask for 'native': it needs a stub");
	if (ps->comments.len) {
		ps->c->comments = hbuf_take(&ps->comments, NULL);
		if (!ps->c->comments)
			return fail(ps, end_line, "out of memory");
	}
	return more ? sections(ps, s, n) : 0;
}

int case_parse(const char *path, const char *text, size_t len, struct tcase *out, char *err,
	       size_t errlen)
{
	struct parser ps = {
		.path = path,
		.p = text ? text : "",
		.c = out,
		.err = err,
		.errlen = errlen,
	};
	ps.end = ps.p + (text ? len : 0);
	*out = (struct tcase){ 0 };
	int rc = case_name(path, &out->name, &out->family, err, errlen);
	if (!rc) {
		out->path = strdup(path);
		rc = out->path ? parse(&ps) : fail(&ps, 1, "out of memory");
	}
	hbuf_free(&ps.comments);
	if (rc)
		case_free(out);
	return rc;
}

static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct hbuf b = { 0 };
	char chunk[65536];
	size_t n;

	if (!f) {
		seterr(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < CASE_FILE_MAX)
		hbuf_add(&b, chunk, n);
	if (ferror(f))
		seterr(err, errlen, "%s: cannot read: %s", path, strerror(errno));
	else if (b.len >= CASE_FILE_MAX)
		seterr(err, errlen, "%s: larger than %u MiB", path, CASE_FILE_MAX >> 20);
	else if (b.failed)
		seterr(err, errlen, "%s: out of memory", path);
	bool bad = ferror(f) || b.len >= CASE_FILE_MAX || b.failed;
	fclose(f);
	if (bad) {
		hbuf_free(&b);
		return NULL;
	}
	return hbuf_take(&b, len);
}

int case_load(const char *path, struct tcase *out, char *err, size_t errlen)
{
	size_t len;
	char *text = slurp(path, &len, err, errlen);
	if (!text) {
		*out = (struct tcase){ 0 };
		return -1;
	}
	int rc = case_parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

void case_free(struct tcase *c)
{
	free(c->path);
	free(c->name);
	free(c->family);
	free(c->comments);
	free(c->description);
	free(c->fixture);
	free(c->tree);
	words_free(&c->args);
	words_free(&c->env);
	words_free(&c->requires);
	words_free(&c->features);
	words_free(&c->variants);
	for (int i = 0; i < CASE_NSECTIONS; i++)
		free(c->sect[i].data);
	*c = (struct tcase){ 0 };
}
