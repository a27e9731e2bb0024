/* "harness bless": run cases once (lazy variant, or the first one a case
 * allows), store what they produced as their expectation, show the diff
 * (see runner.h for the exit status, harness/case/CASES.md for the format). */
#include "harness/runner/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/util/diff.h"
#include "harness/runner/catalog.h"
#include "harness/cli/options.h"
#include "harness/runner/crash.h"
#include "harness/runner/envcheck.h"
#include "harness/runner/exitstat.h"
#include "harness/runner/judge.h"
#include "harness/runner/sched.h"
#include "harness/util/uerror.h"

struct bless {
	struct runner_opts o;
	struct tcase *cases;
	size_t n;
	struct host_features host;
	struct job_ctx ctx;
};

/* A name (smoke/hello) or a path (cases/smoke/hello.case). */
static char *resolve(const struct bless *b, const char *arg)
{
	size_t n = strlen(arg);
	if (n > 5 && !strcmp(arg + n - 5, ".case"))
		return strdup(arg);
	return catalog_path(b->o.cases_dir, arg);
}

static int load(struct bless *b)
{
	char err[512];
	b->cases = calloc((size_t)b->o.nargs + 1, sizeof *b->cases);
	if (!b->cases)
		return uerror("harness bless: out of memory");
	for (int i = 0; i < b->o.nargs; i++) {
		char *path = resolve(b, b->o.args[i]);
		int rc = !path ? uerror("harness bless: out of memory")
			 : case_load(path, &b->cases[i], err, sizeof err)
				 ? uerror("%s", err)
				 : variant_check_names(path, &b->cases[i].variants);
		free(path);
		b->n += !b->cases[i].path ? 0 : 1;
		if (rc)
			return rc;
	}
	return 0;
}

static void nothing(struct job *j, void *arg)
{
	(void)j;
	(void)arg;
}

/* One run of c under v, through the same machinery as suite. */
static void run_once(const struct bless *b, const struct tcase *c, const struct variant *v,
		     struct job *j)
{
	*j = (struct job){ .c = c, .v = v, .timeout_ms = cli_case_timeout(&b->o, c->timeout_ms) };
	struct job *q[1] = { j };
	struct sched sc = { q, 1, 1, &b->ctx, nothing, NULL, NULL };
	size_t strays;
	int sig = sched_run(&sc, &strays);
	if (sig > 0) {
		/* The case file is written only after its run: none is half done. */
		fprintf(stderr, "harness: interrupted\n");
		exit(EXIT_INTERRUPTED(sig));
	}
}

static int set_text(struct case_text *t, const struct bytes *s)
{
	char *p = malloc(s->len + 1);
	if (!p)
		return -1;
	memcpy(p, s->p ? s->p : "", s->len);
	p[s->len] = 0;
	free(t->data);
	*t = (struct case_text){ true, p, s->len };
	return 0;
}

/* The expectations the run gives: stdout when the case has the section
 * or no expectation yet (an absent section is unchecked on purpose, e.g.
 * a 64 MiB flood), stderr when the case had it or the run wrote some, the
 * trace for golden cases, the exit. */
static int update(struct tcase *c, const struct run *r)
{
	const struct bytes *err = &r->s[RUN_STDERR];
	bool fresh = !c->sect[CASE_STDOUT].present && !c->sect[CASE_STDERR].present &&
		     !c->sect[CASE_TRACE].present;
	int rc = 0;
	if (c->sect[CASE_STDOUT].present || fresh)
		rc |= set_text(&c->sect[CASE_STDOUT], &r->s[RUN_STDOUT]);
	/* A host program's case keeps stderr always, and no trace: the
	 * trace is the program's own, thousands of lines (CASES.md). */
	if (c->sect[CASE_STDERR].present || err->len || case_host_program(c))
		rc |= set_text(&c->sect[CASE_STDERR], err);
	if ((c->oracles & ORACLE_GOLDEN) && !case_host_program(c))
		rc |= set_text(&c->sect[CASE_TRACE], &r->s[RUN_TRACE]);
	if (!c->expect_timeout) /* a timed-out run has no exit status */
		c->exit = exitstat_to_case(&r->res);
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	struct hbuf b = { 0 };
	char chunk[65536];
	FILE *f = fopen(path, "re");
	for (size_t n; f && (n = fread(chunk, 1, sizeof chunk, f));)
		hbuf_add(&b, chunk, n);
	if (!f || ferror(f)) {
		if (f)
			fclose(f);
		hbuf_free(&b);
		return NULL;
	}
	fclose(f);
	return hbuf_take(&b, len);
}

/* tmp file in the same directory, then rename(2): the case file is the
 * old one or the new one, never half of each. */
static int write_atomic(const char *path, const char *text, size_t len)
{
	char *dircopy = strdup(path), *tmp = NULL;
	struct stat st;
	int mode = stat(path, &st) ? 0644 : (int)(st.st_mode & 07777);
	if (!dircopy || asprintf(&tmp, "%s/.bless-%d.tmp", dirname(dircopy), (int)getpid()) < 0) {
		free(dircopy);
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int rc = fd < 0 || write_full(fd, text, len) || fsync(fd) ? -1 : 0;
	if (fd >= 0 && close(fd))
		rc = -1;
	if (!rc && rename(tmp, path))
		rc = -1;
	int e = errno;
	if (rc && fd >= 0)
		unlink(tmp);
	free(tmp);
	free(dircopy);
	errno = e;
	return rc;
}

static void show_diff(const char *path, const char *old, size_t oldlen, const char *new,
		      size_t newlen)
{
	char *d = diff_unified(old, oldlen, new, newlen, NULL);
	const char *body = d ? d : "";
	for (int skip = 0; skip < 2 && *body; skip++)
		body += strcspn(body, "\n") + (body[strcspn(body, "\n")] == '\n');
	printf("--- %s\n+++ %s (blessed)\n%s", path, path,
	       d ? body : "(out of memory for the diff)\n");
	free(d);
}

/* Formats c, and writes it when it changed. 0, or 1 with the reason. */
static int store(struct tcase *c)
{
	char err[512];
	size_t oldlen = 0, newlen = 0;
	char *new = case_format_len(c, &newlen), *old = NULL;
	int rc = 0;
	if (!new) {
		if (case_check(c, err, sizeof err))
			fprintf(stderr, "%s: cannot bless: %s\n", c->path, err);
		else
			fprintf(stderr, "%s: cannot bless: out of memory\n", c->path);
		return 1;
	}
	old = slurp(c->path, &oldlen);
	if (old && oldlen == newlen && !memcmp(old, new, newlen)) {
		printf("%s: unchanged\n", c->path);
	} else if (write_atomic(c->path, new, newlen)) {
		fprintf(stderr, "%s: cannot write it: %s\n", c->path, strerror(errno));
		rc = 1;
	} else {
		show_diff(c->path, old ? old : "", oldlen, new, newlen);
	}
	free(old);
	free(new);
	return rc;
}

static int bless_one(const struct bless *b, struct tcase *c)
{
	char why[512];
	const struct variant *v[8];
	if (features_check(&b->host, &c->features, why, sizeof why) != FEATURE_OK) {
		fprintf(stderr, "%s: cannot bless: %s\n", c->path, why);
		return 1;
	}
	variant_select(NULL, &c->variants, v); /* lazy unless the case excludes it */
	struct job j;
	struct verdict verdict;
	struct judge_env env = { b->ctx.gdb != NULL, cli_case_timeout(&b->o, c->timeout_ms) };
	run_once(b, c, v[0], &j);
	int rc = 0;
	/* expect: timeout takes the partial output of a run that timed out,
	 * and refuses one that ended. */
	bool timed_out = c->expect_timeout && j.run.end == RUN_TIMEOUT;
	verdict = (struct verdict){ .kind = RESULT_PASS };
	if (c->expect_timeout && j.run.end == RUN_DONE) {
		fprintf(stderr, "%s: cannot bless: expected a timeout, but the run ended\n",
			c->path);
		rc = 1;
	} else if (!timed_out && judge_problem(&j.run, &env, &verdict)) {
		fprintf(stderr, "%s: cannot bless: %s: %s", c->path, result_kind_name(verdict.kind),
			verdict.message ? verdict.message : "?\n");
		rc = 1;
	} else if (update(c, &j.run)) {
		fprintf(stderr, "%s: cannot bless: out of memory\n", c->path);
		rc = 1;
	} else {
		rc = store(c);
	}
	verdict_free(&verdict);
	run_free(&j.run);
	return rc;
}

int cmd_bless(int argc, char **argv)
{
	struct bless b = { 0 };
	int rc = cli_parse(argc, argv, CLI_BLESS, &b.o);
	if (rc || b.o.help) {
		if (!rc)
			cli_free(&b.o);
		return rc;
	}
	if (!b.o.nargs)
		rc = uerror("harness bless: name at least one case (smoke/hello or a .case path)");
	if (!rc && !(rc = load(&b)) && !(rc = envcheck(&b.host, true))) {
		b.ctx = (struct job_ctx){
			b.o.fixtures_dir, crash_find_gdb(), getpid(), { false, false }
		};
		for (size_t i = 0; i < b.n; i++)
			rc |= bless_one(&b, &b.cases[i]);
	}
	for (size_t i = 0; i < b.n; i++)
		case_free(&b.cases[i]);
	free(b.cases);
	cli_free(&b.o);
	return rc;
}
