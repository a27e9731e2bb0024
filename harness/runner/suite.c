/* "harness suite": every selected case under every variant, each in its
 * own child, judged by its oracles, reported (see runner.h). */
#include "harness/runner/runner.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/report/casedir.h"
#include "harness/runner/catalog.h"
#include "harness/cli/options.h"
#include "harness/runner/costs.h"
#include "harness/runner/crash.h"
#include "harness/runner/envcheck.h"
#include "harness/runner/exitstat.h"
#include "harness/runner/fixcheck.h"
#include "harness/report/fingerprint.h"
#include "harness/runner/judge.h"
#include "harness/runner/known.h"
#include "harness/runner/progress.h"
#include "harness/report/reports.h"
#include "harness/runner/sched.h"
#include "harness/util/signame.h"
#include "harness/util/textcut.h"
#include "harness/util/uerror.h"

#define MAX_VARIANTS 8

/* One selected case: its jobs, and how many are still to end. */
struct casework {
	const struct tcase *c;
	const struct variant *v[MAX_VARIANTS];
	size_t nv;
	struct job *jobs; /* nv x repeat platform runs, then the native one */
	size_t njobs, pending;
	bool native;
};

struct suite {
	struct runner_opts o;
	struct catalog cat;
	const struct tcase **sel;
	size_t nsel;
	struct casework *cw;
	struct job **queue;
	size_t nqueue;
	struct costs costs;
	struct host_features host;
	struct job_ctx ctx;
	struct progress prog;
	struct result *res;
	size_t nres;
	int interrupted; /* the signal that stopped the run, or 0 */
};

static void add_result(struct suite *s, const struct tcase *c, const char *variant,
		       struct verdict *v, unsigned long ms)
{
	s->res[s->nres++] = (struct result){
		.name = c->name,
		.family = c->family,
		.variant = variant,
		.kind = v->kind,
		.duration_ms = ms,
		.message = v->message,
		.diff = v->diff,
		.oracles = c->oracles,
		.requires = (const char *const *)c->requires.v,
		.nrequires = c->requires.n,
	};
	*v = (struct verdict){ 0 }; /* the result owns the strings now */
}

/* The first lines of one captured stream: enough to compare kernels
 * (`harness triage`) without making results.json as big as the case
 * folders, which keep everything. */
#define ACTUAL_MAX_LINES 2000

static char *actual_text(const struct bytes *b)
{
	struct hbuf h = { 0 };
	textcut_head(&h, b->p ? b->p : "", b->len, ACTUAL_MAX_LINES);
	hbuf_putc(&h, 0); /* an empty stream is "", not NULL */
	return hbuf_take(&h, NULL);
}

/* What the run r left, into the last result (not PASS only). Out of
 * memory only loses this extra. */
static void add_actual(struct suite *s, const struct run *r)
{
	struct result *res = &s->res[s->nres - 1];
	char buf[EXITSTAT_LEN];
	struct result_actual *a;
	if (res->kind == RESULT_PASS || !r || !(a = malloc(sizeof *a)))
		return;
	*a = (struct result_actual){
		.exit = strdup(r->end == RUN_DONE && !r->rc ? exitstat_text(&r->res, buf) : "none"),
		.out = actual_text(&r->s[RUN_STDOUT]),
		.err = actual_text(&r->s[RUN_STDERR]),
		.trace = actual_text(&r->s[RUN_TRACE]),
	};
	res->actual = a;
}

static void free_actual(const struct result_actual *a)
{
	if (!a)
		return;
	free((char *)a->exit);
	free((char *)a->out);
	free((char *)a->err);
	free((char *)a->trace);
	free((void *)a);
}

/* A result decided without running: SKIP, or ERROR for the case file. */
static void add_unrun(struct suite *s, struct casework *w, enum result_kind kind, const char *why)
{
	for (size_t i = 0; i < (w->nv ? w->nv : 1); i++) {
		struct verdict v = { .kind = kind, .message = strdup(why) };
		const char *variant = w->nv ? w->v[i]->name : NULL;
		casedir_write(s->o.report_dir, w->c, variant, &v, NULL, NULL);
		add_result(s, w->c, variant, &v, 0);
	}
}

static unsigned long slowest(const struct casework *w)
{
	unsigned long ms = 0;
	for (size_t i = 0; i < w->njobs; i++)
		if (w->jobs[i].v && w->jobs[i].run.end != RUN_NOSTART && w->jobs[i].run.ms > ms)
			ms = w->jobs[i].run.ms;
	return ms;
}

/* Every run variant i of w needs has ended: all of them, unless the run
 * was interrupted. */
static bool variant_ended(const struct suite *s, const struct casework *w, size_t i)
{
	for (unsigned k = 0; k < s->o.repeat; k++)
		if (!w->jobs[i * s->o.repeat + k].ended)
			return false;
	return !w->native || w->jobs[w->njobs - 1].ended;
}

/* NOTRUN for variant i of w, with what a run killed by the interruption
 * had written so far (what was it doing when the user gave up?). */
static void not_run(struct suite *s, struct casework *w, size_t i)
{
	unsigned rep = s->o.repeat, ended = 0, total = rep + w->native;
	const struct run *partial = NULL;
	for (unsigned k = 0; k < total; k++) {
		const struct job *j = &w->jobs[k < rep ? i * rep + k : w->njobs - 1];
		ended += j->ended;
		if (!partial && j->abandoned && j->v)
			partial = &j->run;
	}
	char sig[SIGNAME_LEN];
	struct verdict v = { .kind = RESULT_NOTRUN };
	if (asprintf(&v.message,
		     "not run: the suite was interrupted by %s (%u of its %u runs had ended)\n%s",
		     signame(s->interrupted, sig) ? sig : "a signal", ended, total,
		     partial ? "one of its runs was killed by the interruption: actual/ and trace "
			       "in its report folder hold what it had written\n"
			     : "") < 0)
		v.message = NULL;
	casedir_write(s->o.report_dir, w->c, w->v[i]->name, &v, partial, NULL);
	add_result(s, w->c, w->v[i]->name, &v, 0);
}

/* All jobs of w ended, or the run was interrupted: one result per
 * variant, folders, and the cost of a case that ran whole. */
static void finish_case(struct suite *s, struct casework *w)
{
	unsigned rep = s->o.repeat;
	struct judge_env env = { s->ctx.gdb != NULL, cli_case_timeout(&s->o, w->c->timeout_ms) };
	const struct run *native = w->native ? &w->jobs[w->njobs - 1].run : NULL;
	struct run *runs[rep];
	for (size_t i = 0; i < w->nv; i++) {
		struct verdict v;
		if (!variant_ended(s, w, i)) {
			not_run(s, w, i);
			continue;
		}
		for (unsigned k = 0; k < rep; k++)
			runs[k] = &w->jobs[i * rep + k].run;
		judge(w->c, runs, rep, native, known_failure(w->c->name, w->v[i]->name), &env, &v);
		const struct run *culprit = v.culprit < 0 ? native : runs[v.culprit];
		if (v.kind != RESULT_PASS)
			casedir_write(s->o.report_dir, w->c, w->v[i]->name, &v, culprit, native);
		add_result(s, w->c, w->v[i]->name, &v, runs[0]->ms);
		add_actual(s, culprit);
	}
	if (!w->pending && costs_set(&s->costs, w->c->name, slowest(w)))
		fprintf(stderr, "harness: warning: out of memory for the cost table\n");
	for (size_t i = 0; i < w->njobs; i++)
		run_free(&w->jobs[i].run);
}

/* After an interruption: the cases whose jobs did not all end. */
static void finish_interrupted(struct suite *s)
{
	size_t before = s->nres;
	for (size_t i = 0; i < s->nsel; i++)
		if (s->cw[i].jobs && s->cw[i].pending)
			finish_case(s, &s->cw[i]);
	size_t notrun = 0;
	for (size_t i = before; i < s->nres; i++)
		notrun += s->res[i].kind == RESULT_NOTRUN;
	char sig[SIGNAME_LEN];
	fprintf(stderr,
		"harness: interrupted by %s: %zu of %zu results not run (NOTRUN); "
		"writing the reports\n",
		signame(s->interrupted, sig) ? sig : "a signal", notrun, s->nres);
}

static void job_done(struct job *j, void *arg)
{
	struct suite *s = arg;
	struct casework *w = j->owner;
	s->prog.done++;
	if (--w->pending == 0)
		finish_case(s, w);
}

static void tick(const struct job *oldest, void *arg)
{
	struct suite *s = arg;
	if (oldest)
		progress_show(&s->prog, oldest->c->name, oldest->v ? oldest->v->name : "native");
}

static int make_jobs(struct suite *s, struct casework *w)
{
	unsigned rep = s->o.repeat;
	unsigned long timeout = cli_case_timeout(&s->o, w->c->timeout_ms);
	w->native = judge_wants_native(w->c); /* the only gate for host runs (O3) */
	w->njobs = w->nv * rep + w->native;
	w->pending = w->njobs;
	w->jobs = calloc(w->njobs, sizeof *w->jobs);
	if (!w->jobs)
		return -1;
	for (size_t i = 0; i < w->njobs; i++) {
		struct job *j = &w->jobs[i];
		*j = (struct job){ .c = w->c, .timeout_ms = timeout, .owner = w };
		j->v = i < w->nv * rep ? w->v[i / rep] : NULL;
		j->rep = i < w->nv * rep ? (unsigned)(i % rep) : 0;
		s->queue[s->nqueue++] = j;
	}
	return 0;
}

/* T1: a variant whose backend cannot run here (its probe failed) is a
 * SKIP naming the missing piece; NULL when it can run. */
static const char *backend_missing(const struct suite *s, const struct variant *v)
{
	const struct plat_probe *p = &s->host.probe;
	if (v->opts.backend == PLAT_BACKEND_SECCOMP)
		return p->seccomp_ok ? NULL : p->seccomp_missing;
	return p->ptrace_ok ? NULL : p->ptrace_missing;
}

/* Variants of w that cannot run get their SKIP now and leave w->v. */
static void skip_unusable(struct suite *s, struct casework *w)
{
	size_t k = 0;
	for (size_t i = 0; i < w->nv; i++) {
		const char *why = backend_missing(s, w->v[i]);
		if (!why) {
			w->v[k++] = w->v[i];
			continue;
		}
		struct verdict v = { .kind = RESULT_SKIP };
		if (asprintf(&v.message, "the %s backend cannot run here: %s",
			     plat_backend_name(w->v[i]->opts.backend), why) < 0)
			v.message = NULL;
		casedir_write(s->o.report_dir, w->c, w->v[i]->name, &v, NULL, NULL);
		add_result(s, w->c, w->v[i]->name, &v, 0);
	}
	w->nv = k;
}

/* Decides what each selected case needs: jobs, or a result right away. */
static int plan_case(struct suite *s, struct casework *w)
{
	char why[512];
	w->nv = variant_select(&s->o.variants, &w->c->variants, w->v);
	size_t selected = w->nv;
	skip_unusable(s, w);
	if (!w->nv && selected)
		return 0;
	if (!w->nv) {
		add_unrun(s, w, RESULT_SKIP,
			  "not run: the case's variants: exclude every selected "
			  "--variant");
		return 0;
	}
	switch (features_check(&s->host, &w->c->features, why, sizeof why)) {
	case FEATURE_MISSING: add_unrun(s, w, RESULT_SKIP, why); return 0;
	case FEATURE_UNKNOWN: add_unrun(s, w, RESULT_ERROR, why); return 0;
	case FEATURE_OK: break;
	}
	return make_jobs(s, w);
}

/* Cases in cost order (slowest first), their jobs queued in that order. */
static int plan(struct suite *s)
{
	size_t nv, maxjobs = 0;
	variant_all(&nv);
	const char **names = calloc(s->nsel + 1, sizeof *names);
	size_t *order = calloc(s->nsel + 1, sizeof *order);
	s->cw = calloc(s->nsel + 1, sizeof *s->cw);
	s->res = calloc(s->nsel * nv + 1, sizeof *s->res);
	maxjobs = s->nsel * (nv * s->o.repeat + 1);
	s->queue = calloc(maxjobs + 1, sizeof *s->queue);
	int rc = names && order && s->cw && s->res && s->queue ? 0 : -1;
	for (size_t i = 0; !rc && i < s->nsel; i++)
		names[i] = s->sel[i]->name;
	if (!rc)
		costs_order(&s->costs, names, s->nsel, order);
	for (size_t i = 0; !rc && i < s->nsel; i++) {
		s->cw[i].c = s->sel[order[i]];
		rc = plan_case(s, &s->cw[i]);
	}
	free(names);
	free(order);
	return rc ? uerror("harness suite: out of memory") : 0;
}

static int check_case_variants(const struct catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++)
		if (variant_check_names(cat->v[i].path, &cat->v[i].variants))
			return EXIT_USER;
	return 0;
}

static int load_costs(struct suite *s)
{
	char *path, err[512];
	if (asprintf(&path, "%s/costs.txt", s->o.cases_dir) < 0)
		return uerror("harness suite: out of memory");
	int rc = costs_load(path, &s->costs, err, sizeof err) ? uerror("%s", err) : 0;
	free(path);
	return rc;
}

/* The report directory gets costs.txt: it must not be the cases
 * directory, whose costs.txt is the committed one. */
static int check_report_dir(const struct runner_opts *o)
{
	char *cases = realpath(o->cases_dir, NULL), *rep = realpath(o->report_dir, NULL);
	int same = cases && rep && !strcmp(cases, rep);
	free(cases);
	free(rep);
	return same ? uerror("%s: the report directory may not be the cases directory "
			     "(its costs.txt is the committed one)",
			     o->report_dir)
		    : 0;
}

/* Whether a selected variant runs the ptrace backend, which must work
 * (the environment check stops the run otherwise), and, once per run, one
 * line for each selected variant whose backend cannot run (T1). */
static bool needs_ptrace(const struct runner_opts *o)
{
	const struct variant *v[MAX_VARIANTS];
	size_t n = variant_select(&o->variants, NULL, v);
	for (size_t i = 0; i < n; i++)
		if (v[i]->opts.backend == PLAT_BACKEND_PTRACE)
			return true;
	return false;
}

static int say_skipped_variants(const struct suite *s)
{
	const struct variant *v[MAX_VARIANTS];
	size_t n = variant_select(&s->o.variants, NULL, v);
	for (size_t i = 0; i < n; i++) {
		const char *why = backend_missing(s, v[i]);
		if (why)
			fprintf(stderr,
				"harness: variant %s: every case is a SKIP: the %s backend cannot "
				"run here: %s\n",
				v[i]->name, plat_backend_name(v[i]->opts.backend), why);
	}
	return 0;
}

static int load_known(struct suite *s)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/known-failures", s->o.cases_dir);
	return known_load(path, &s->host);
}

/* Everything that can fail on the user's side, before any child runs. */
static int prepare(struct suite *s, int argc, char **argv)
{
	int rc = cli_parse(argc, argv, CLI_SUITE, &s->o);
	if (rc || s->o.help)
		return rc;
	if ((rc = variant_check_names("harness suite", &s->o.variants)) ||
	    (rc = catalog_load(s->o.cases_dir, &s->cat)) || (rc = check_case_variants(&s->cat)) ||
	    (rc = catalog_select(&s->cat, "suite", s->o.args, s->o.nargs, &s->sel, &s->nsel)) ||
	    (rc = fixcheck(s->o.fixtures_dir, s->sel, s->nsel)) || (rc = load_costs(s)) ||
	    (rc = check_report_dir(&s->o)) || (rc = envcheck(&s->host, needs_ptrace(&s->o))) ||
	    (rc = say_skipped_variants(s)) || (rc = load_known(s)) ||
	    (rc = casedir_prepare(s->o.report_dir)))
		return rc;
	if (s->o.cpuid_faulting && !s->host.probe.cpuid_faulting)
		return uerror(
			"harness suite: --cpuid-faulting: this machine has no CPUID faulting "
			"(ARCH_SET_CPUID refused; P27)");
	s->ctx = (struct job_ctx){ s->o.fixtures_dir,
				   crash_find_gdb(),
				   getpid(),
				   { s->o.cpuid_faulting, s->o.no_cpu_binding } };
	return plan(s);
}

static int keep_known(const char *name, void *arg)
{
	return catalog_find(arg, name) != NULL;
}

static int report(struct suite *s)
{
	struct fp_store fp;
	char sig[SIGNAME_LEN];
	fingerprint_build(&fp, &s->host, &s->o, s->ctx.gdb);
	if (s->interrupted)
		fingerprint_add(&fp, "interrupted", "%s",
				signame(s->interrupted, sig) ? sig : "a signal");
	int rc = 0;
	for (size_t i = 0; i < s->nres; i++)
		if (!result_kind_ok(s->res[i].kind))
			rc = 1;
	if (reports_write(s->o.report_dir, &fp.fp, s->res, s->nres))
		rc = 1;
	/* Cases deleted since the cost file was written drop out of it. */
	costs_filter(&s->costs, keep_known, &s->cat);
	reports_costs(s->o.report_dir, &s->costs);
	return s->interrupted ? EXIT_INTERRUPTED(s->interrupted) : rc;
}

static void teardown(struct suite *s)
{
	for (size_t i = 0; i < s->nres; i++) {
		free((char *)s->res[i].message);
		free((char *)s->res[i].diff);
		free_actual(s->res[i].actual);
	}
	for (size_t i = 0; s->cw && i < s->nsel; i++)
		free(s->cw[i].jobs);
	free(s->cw);
	free(s->res);
	free(s->queue);
	free(s->sel);
	costs_free(&s->costs);
	catalog_free(&s->cat);
	known_free();
	cli_free(&s->o);
}

/* Runs the jobs and writes the reports with the interrupt signals
 * blocked from first to last: one that comes while a child runs stops the
 * run (sched_run), and the reports are then written whatever else comes.
 * One that comes while the reports are written is delivered when the mask
 * is restored, after them. */
static int run_and_report(struct suite *s)
{
	sigset_t stop, old;
	struct sched sc = { s->queue, s->nqueue, s->o.jobs, &s->ctx, job_done, tick, s };
	size_t strays = 0;
	sched_interrupt_signals(&stop);
	sigprocmask(SIG_BLOCK, &stop, &old);
	progress_init(&s->prog, s->nqueue);
	if (!s->prog.on)
		sc.tick = NULL;
	int rc = sched_run(&sc, &strays);
	progress_end(&s->prog);
	if (strays)
		fprintf(stderr,
			"harness: warning: %zu processes outlived their case and were "
			"killed (stubs that survived their tracer? P25)\n",
			strays);
	if (rc > 0) {
		s->interrupted = rc;
		finish_interrupted(s);
	}
	rc = rc < 0 ? uerror("harness suite: out of memory") : report(s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int cmd_suite(int argc, char **argv)
{
	struct suite s = { 0 };
	int rc = prepare(&s, argc, argv);
	if (!rc && !s.o.help)
		rc = run_and_report(&s);
	teardown(&s);
	return rc;
}
