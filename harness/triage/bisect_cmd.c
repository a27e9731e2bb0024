/* `harness triage bisect CASE [--variant V] --good PKG --bad PKG
 * [--slow SECONDS] [--runner PROG] [--out DIR] [--cases DIR]`: the first
 * kernel package of a series whose result for CASE differs from PKG's
 * (with --slow, whose run of it is slow where PKG's is fast or the other
 * way round, whatever the results: longer than SECONDS by run.json's
 * suite_s).
 *
 * The packages and the boots come from a runner program, so that the
 * search can be tested without booting (a stand-in answers per package):
 *
 *   PROG list GOOD BAD              prints the packages from GOOD to BAD,
 *                                   one per line, both ends included
 *   PROG run PKG DIR CASE [VARIANT] runs CASE under PKG and leaves
 *                                   DIR/results.json (a results file
 *                                   with kernel_run set, or none at all,
 *                                   when the kernel gave no result)
 *
 * The real one is scripts/kernels/bisect-run.sh (`make kernels-bisect`).
 * Both ends are run first: they define the two behaviours (result and
 * actual output, as harness triage compares them). Exit status 0 when the
 * change was found (to one package, or to a range of packages that did
 * not boot), 1 when the ends behave the same or an end gave no result, 2
 * for a usage error or a runner that cannot list the packages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/report/casedir.h"
#include "harness/triage/bisect.h"
#include "harness/triage/triage.h"
#include "harness/util/hbuf.h"

#define DEFAULT_RUNNER "scripts/kernels/bisect-run.sh"
#define DEFAULT_OUT "reports/bisect"

struct bisect_opts {
	const char *name, *variant, *good, *bad, *runner, *out, *cases;
	double slow; /* --slow S; 0: off */
};

struct probe_state {
	const struct bisect_opts *o;
	char **pkgs;
	size_t n;
	struct tr_kernel *k; /* per package; label NULL: not run or no result */
	char **why;          /* per package: why there is no result */
	char *dir;           /* out/<case>[<variant>] */
};

static int usage(void)
{
	fputs("usage: harness triage bisect CASE [--variant V] --good PKG --bad PKG "
	      "[--slow SECONDS] [--runner PROG] [--out DIR] [--cases DIR]\n",
	      stderr);
	return 2;
}

/* Runs argv; its stdout into *out (malloc'd) when out is not NULL, else
 * onto our stderr, which keeps our stdout for the report. Exit status,
 * 128+signal, or -1 when it could not start. */
static int run_prog(char *const argv[], char **out)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(out ? p[1] : 2, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "harness triage bisect: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	struct hbuf b = { 0 };
	char buf[4096];
	ssize_t got;
	while ((got = read(p[0], buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR))
		if (got > 0)
			hbuf_add(&b, buf, (size_t)got);
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			hbuf_free(&b);
			return -1;
		}
	hbuf_putc(&b, 0);
	char *text = hbuf_take(&b, NULL);
	if (out)
		*out = text;
	else
		free(text);
	if (out && !text)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The runner's package list, one per line, blank lines dropped. */
static int list_packages(struct probe_state *s)
{
	char *argv[] = { (char *)s->o->runner, "list", (char *)s->o->good, (char *)s->o->bad,
			 NULL };
	char *text = NULL;
	int rc = run_prog(argv, &text);
	if (rc) {
		fprintf(stderr, "harness triage bisect: %s list %s %s failed (status %d)\n",
			s->o->runner, s->o->good, s->o->bad, rc);
		free(text);
		return 2;
	}
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!*line)
			continue;
		char **v = realloc(s->pkgs, (s->n + 1) * sizeof *v);
		if (!v || !(v[s->n] = strdup(line))) {
			free(v ? v : s->pkgs);
			s->pkgs = NULL;
			free(text);
			fputs("harness triage bisect: the search stopped (out of memory)\n",
			      stderr);
			return 1;
		}
		s->pkgs = v;
		s->n++;
	}
	free(text);
	if (s->n < 2) {
		fprintf(stderr,
			"harness triage bisect: %s list %s %s gave %zu package(s); "
			"a bisection needs both ends\n",
			s->o->runner, s->o->good, s->o->bad, s->n);
		return 2;
	}
	return 0;
}

/* A result of the case: "CASE" or "CASE [VARIANT]". */
static bool of_case(const char *key, const struct bisect_opts *o)
{
	size_t n = strlen(o->name);
	if (strncmp(key, o->name, n))
		return false;
	if (!key[n])
		return !o->variant;
	if (strncmp(key + n, " [", 2))
		return false;
	const char *v = key + n + 2;
	return !o->variant || (!strncmp(v, o->variant, strlen(o->variant)) &&
			       !strcmp(v + strlen(o->variant), "]"));
}

static const struct tr_cell *cell_of(const struct tr_kernel *k, const char *key)
{
	for (size_t i = 0; i < k->nres; i++)
		if (!strcmp(k->keys[i], key))
			return &k->cells[i];
	return NULL;
}

static size_t case_results(const struct tr_kernel *k, const struct bisect_opts *o)
{
	size_t n = 0;
	for (size_t i = 0; i < k->nres; i++)
		n += of_case(k->keys[i], o);
	return n;
}

/* --slow S: whether k's run of the case took longer than S seconds by
 * the host's clock (run.json's suite_s); -1 when it has no such time. A
 * slowdown is then a behaviour of its own, which a search by results
 * cannot see while the case still ends within its timeout. */
static int slow_of(const struct tr_kernel *k, const struct bisect_opts *o)
{
	const char *v = triage_run_value(k, "suite_s");
	char *end;
	double d = v ? strtod(v, &end) : 0;
	if (!v || end == v)
		return -1;
	return d > o->slow;
}

/* The case behaves the same: the same results of it, each the same. With
 * --slow, as slow instead: a slowdown is what is sought, and a result
 * that flips with it (a TIMEOUT when the run ends just past the case's
 * timeout, a PASS when just before) would put the boundary at random. */
static bool same_case(const struct tr_kernel *a, const struct tr_kernel *b,
		      const struct bisect_opts *o)
{
	if (o->slow > 0)
		return slow_of(a, o) == slow_of(b, o);
	if (case_results(a, o) != case_results(b, o))
		return false;
	for (size_t i = 0; i < a->nres; i++) {
		if (!of_case(a->keys[i], o))
			continue;
		const struct tr_cell *c = cell_of(b, a->keys[i]);
		if (!c || !triage_same(&a->cells[i], c))
			return false;
	}
	return true;
}

/* "PASS" or "PASS, FAIL" (one per result of the case, in key order). */
static void results_text(struct hbuf *b, const struct tr_kernel *k, const struct bisect_opts *o)
{
	size_t m = 0;
	for (size_t i = 0; i < k->nres; i++)
		if (of_case(k->keys[i], o))
			hbuf_printf(b, "%s%s", m++ ? ", " : "", k->cells[i].result);
}

/* The results, and with --slow the time (timed: false leaves it out). */
static void print_results_as(FILE *f, const struct tr_kernel *k, const struct bisect_opts *o,
			     bool timed)
{
	struct hbuf b = { 0 };
	results_text(&b, k, o);
	if (o->slow > 0 && timed)
		hbuf_printf(&b, " in %s s (%s)", triage_run_value(k, "suite_s"),
			    slow_of(k, o) ? "slow" : "fast");
	hbuf_putc(&b, 0);
	char *s = hbuf_take(&b, NULL);
	fputs(s ? s : "?", f);
	free(s);
}

static void print_results(FILE *f, const struct tr_kernel *k, const struct bisect_opts *o)
{
	print_results_as(f, k, o, true);
}

static int no_result(struct probe_state *s, size_t i, const char *why)
{
	free(s->why[i]);
	s->why[i] = strdup(why);
	return -1;
}

/* Runs the case under package i and loads what it left: 0, or -1 with
 * s->why[i] set (the kernel gave no result for the case). */
static int run_one(struct probe_state *s, size_t i)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/%s", s->dir, s->pkgs[i]) < 0)
		return no_result(s, i, "out of memory");
	char *argv[] = { (char *)s->o->runner,  "run", s->pkgs[i], dir, (char *)s->o->name,
			 (char *)s->o->variant, NULL };
	int rc = run_prog(argv, NULL);
	char *path = NULL;
	if (asprintf(&path, "%s/results.json", dir) < 0) {
		free(dir);
		return no_result(s, i, "out of memory");
	}
	free(dir);
	char *err = NULL;
	struct tr_kernel k;
	int bad = triage_load(&k, path, &err);
	free(path);
	if (bad) {
		triage_kernel_free(&k);
		no_result(s, i, err ? err : "out of memory");
		free(err);
		if (rc)
			fprintf(stderr, "harness triage bisect: %s run %s: status %d\n",
				s->o->runner, s->pkgs[i], rc);
		return -1;
	}
	if (strcmp(k.status, "ok")) {
		no_result(s, i, k.reason ? k.reason : k.status);
		triage_kernel_free(&k);
		return -1;
	}
	if (!case_results(&k, s->o)) {
		triage_kernel_free(&k);
		return no_result(s, i, "its results have none of the case");
	}
	if (s->o->slow > 0 && slow_of(&k, s->o) < 0) {
		triage_kernel_free(&k);
		return no_result(s, i, "no suite time in its run.json (--slow)");
	}
	s->k[i] = k;
	return 0;
}

/* "[3/20] PKG: " before a result; the runner's own lines (on stderr)
 * come between this and the next. */
static void step(const struct probe_state *s, size_t i)
{
	printf("[%zu/%zu] %s: ", i + 1, s->n, s->pkgs[i]);
}

static enum bisect_verdict probe(size_t i, void *ctx)
{
	struct probe_state *s = ctx;
	step(s, i);
	puts("running");
	fflush(stdout);
	if (run_one(s, i)) {
		step(s, i);
		printf("no result (%s): skipped\n", s->why[i]);
		fflush(stdout);
		return BISECT_SKIP;
	}
	step(s, i);
	print_results(stdout, &s->k[i], s->o);
	bool same = same_case(&s->k[0], &s->k[i], s->o);
	printf(" (%s)\n", same ? "as the good end" : "changed");
	fflush(stdout);
	return same ? BISECT_GOOD : BISECT_CHANGED;
}

static const char *release_of(const char *pkg)
{
	return strncmp(pkg, "linux-image-", 12) ? pkg : pkg + 12;
}

static bool all_pass(const struct tr_kernel *k, const struct bisect_opts *o)
{
	for (size_t i = 0; i < k->nres; i++)
		if (of_case(k->keys[i], o) && strcmp(k->cells[i].result, "PASS"))
			return false;
	return true;
}

/* The variants column of a known-failures line: the given variant, the
 * variants whose result changed, or * for a case without variants. */
static void variants_of_change(struct hbuf *b, const struct tr_kernel *g, const struct tr_kernel *c,
			       const struct bisect_opts *o)
{
	if (o->variant) {
		hbuf_puts(b, o->variant);
		return;
	}
	size_t m = 0;
	for (size_t i = 0; i < c->nres; i++) {
		if (!of_case(c->keys[i], o))
			continue;
		const struct tr_cell *x = cell_of(g, c->keys[i]);
		const char *v = strchr(c->keys[i], '[');
		if (!v || (x && triage_same(x, &c->cells[i])))
			continue;
		hbuf_printf(b, "%s%.*s", m++ ? "," : "", (int)(strlen(v + 1) - 1), v + 1);
	}
	if (!m)
		hbuf_putc(b, '*');
}

static void known_line(FILE *f, const struct probe_state *s, size_t side, size_t g, size_t c)
{
	struct hbuf b = { 0 };
	variants_of_change(&b, &s->k[g], &s->k[c], s->o);
	hbuf_putc(&b, 0);
	char *vars = hbuf_take(&b, NULL);
	fprintf(f, "%s  %s  kernel=%s  ", s->o->name, vars ? vars : "*", release_of(s->pkgs[side]));
	print_results_as(f, &s->k[side], s->o, false);
	fprintf(f, " on %s; %s ", release_of(s->pkgs[side]), side == c ? "from" : "until");
	fprintf(f, "this build, between %s and %s (harness triage bisect)\n", s->pkgs[g],
		s->pkgs[c]);
	free(vars);
}

/* The two packages around the change, their results, the diff and the
 * known-failures lines. */
static void report(const struct probe_state *s, const struct bisect_result *r)
{
	size_t g = r->good, c = r->changed;
	if (r->exact) {
		printf("\nfirst package that differs: %s\n", s->pkgs[c]);
	} else {
		printf("\nfirst package that differs: one of %s ... %s (those before %s gave "
		       "no result)\n",
		       s->pkgs[g + 1], s->pkgs[c], s->pkgs[c]);
		for (size_t i = g + 1; i < c; i++)
			printf("  %s: %s\n", s->pkgs[i], s->why[i] ? s->why[i] : "not run");
	}
	printf("  last as the good end: %s: ", s->pkgs[g]);
	print_results(stdout, &s->k[g], s->o);
	printf("\n  first that differs:   %s: ", s->pkgs[c]);
	print_results(stdout, &s->k[c], s->o);
	if (c != s->n - 1 && !same_case(&s->k[c], &s->k[s->n - 1], s->o))
		printf("\n  (the bad end %s behaves otherwise again: more than one change)",
		       s->pkgs[s->n - 1]);
	printf("\n\n");
	if (s->o->slow > 0 && slow_of(&s->k[g], s->o) != slow_of(&s->k[c], s->o))
		printf("suite time: %s s on %s, %s s on %s (--slow %g)\n\n",
		       triage_run_value(&s->k[g], "suite_s"), s->pkgs[g],
		       triage_run_value(&s->k[c], "suite_s"), s->pkgs[c], s->o->slow);
	/* The diff: the two kernels in a triage of their own. */
	struct triage t = { 0 };
	struct tr_kernel kg = s->k[g], kc = s->k[c];
	struct tr_kernel copy[2] = { kg, kc };
	t.k = copy;
	t.nk = 2;
	if (triage_build(&t) == 0) {
		for (size_t i = 0; i < t.ndiffer; i++) {
			if (!of_case(t.rows[i].key, s->o))
				continue;
			char *x = triage_explain(&t, &t.rows[i], 0, 1);
			printf("%s:\n```diff\n%s```\n\n", t.rows[i].key,
			       x ? x : "(out of memory)\n");
			free(x);
		}
	}
	for (size_t i = 0; i < t.nrows; i++)
		free(t.rows[i].cells);
	free(t.rows);
	puts("cases/known-failures:");
	if (!all_pass(&s->k[c], s->o))
		known_line(stdout, s, c, g, c);
	if (!all_pass(&s->k[g], s->o))
		known_line(stdout, s, g, g, c);
}

static char *case_dir(const struct bisect_opts *o)
{
	char *d = NULL;
	if (asprintf(&d, "%s/%s%s%s%s", o->out, o->name, o->variant ? "[" : "",
		     o->variant ? o->variant : "", o->variant ? "]" : "") < 0)
		return NULL;
	return d;
}

static int check_case(const struct bisect_opts *o)
{
	char *path = NULL;
	struct stat st;
	if (asprintf(&path, "%s/%s.case", o->cases, o->name) < 0)
		return 1;
	int rc = 0;
	if (stat(path, &st)) {
		fprintf(stderr, "harness triage bisect: %s: no such case (%s: %s)\n", o->name, path,
			strerror(errno));
		rc = 2;
	}
	free(path);
	return rc;
}

static int parse(int argc, char **argv, struct bisect_opts *o)
{
	*o = (struct bisect_opts){ .runner = DEFAULT_RUNNER, .out = DEFAULT_OUT, .cases = "cases" };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = !strcmp(a, "--variant")  ? &o->variant
				   : !strcmp(a, "--good")   ? &o->good
				   : !strcmp(a, "--bad")    ? &o->bad
				   : !strcmp(a, "--runner") ? &o->runner
				   : !strcmp(a, "--out")    ? &o->out
				   : !strcmp(a, "--cases")  ? &o->cases
							    : NULL;
		if (dst && i + 1 < argc)
			*dst = argv[++i];
		else if (!strcmp(a, "--slow") && i + 1 < argc) {
			char *end;
			o->slow = strtod(argv[++i], &end);
			if (*end || !(o->slow > 0))
				return usage();
		} else if (a[0] != '-' && !o->name)
			o->name = a;
		else
			return usage();
	}
	if (!o->name || !o->good || !o->bad)
		return usage();
	return 0;
}

static void state_free(struct probe_state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->k)
			triage_kernel_free(&s->k[i]);
		if (s->why)
			free(s->why[i]);
		free(s->pkgs[i]);
	}
	free(s->pkgs);
	free(s->k);
	free(s->why);
	free(s->dir);
}

/* Runs both ends; 0 when they give two behaviours to search between. */
static int run_ends(struct probe_state *s)
{
	size_t ends[2] = { 0, s->n - 1 };
	for (int e = 0; e < 2; e++) {
		size_t i = ends[e];
		step(s, i);
		puts("running");
		fflush(stdout);
		if (run_one(s, i)) {
			step(s, i);
			puts("no result");
			fprintf(stderr,
				"harness triage bisect: the %s end %s gave no result for %s: %s\n",
				e ? "bad" : "good", s->pkgs[i], s->o->name, s->why[i]);
			return 1;
		}
		step(s, i);
		print_results(stdout, &s->k[i], s->o);
		printf(" (the %s end)\n", e ? "bad" : "good");
		fflush(stdout);
	}
	if (same_case(&s->k[0], &s->k[s->n - 1], s->o)) {
		fprintf(stderr,
			"harness triage bisect: %s behaves the same on %s and %s: nothing to "
			"bisect\n",
			s->o->name, s->pkgs[0], s->pkgs[s->n - 1]);
		return 1;
	}
	return 0;
}

int cmd_triage_bisect(int argc, char **argv)
{
	struct bisect_opts o;
	int rc = parse(argc, argv, &o);
	if (rc || (rc = check_case(&o)))
		return rc;
	struct probe_state s = { .o = &o };
	if ((rc = list_packages(&s))) {
		state_free(&s);
		return rc;
	}
	s.k = calloc(s.n, sizeof *s.k);
	s.why = calloc(s.n, sizeof *s.why);
	s.dir = case_dir(&o);
	if (!s.k || !s.why || !s.dir || casedir_mkdirs(s.dir)) {
		fprintf(stderr, "harness triage bisect: %s: %s\n", s.dir ? s.dir : o.out,
			strerror(errno));
		state_free(&s);
		return 1;
	}
	printf("bisect %s%s%s%s: %zu packages from %s (good) to %s (bad); runs in %s/\n", o.name,
	       o.variant ? " [" : "", o.variant ? o.variant : "", o.variant ? "]" : "", s.n,
	       s.pkgs[0], s.pkgs[s.n - 1], s.dir);
	rc = run_ends(&s);
	if (!rc) {
		struct bisect_result r;
		bisect_search(s.n, probe, &s, &r);
		if (r.stopped) {
			fputs("harness triage bisect: the search stopped (out of memory)\n",
			      stderr);
			rc = 1;
		} else {
			printf("%zu of %zu packages run\n", r.probes + 2, s.n);
			report(&s, &r);
		}
	}
	state_free(&s);
	return rc;
}
