/* Judging runs (see judge.h). */
#include "harness/runner/judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness/runner/exitstat.h"
#include "harness/chaos/chaos.h"
#include "harness/runner/oracle.h"
#include "harness/util/textcut.h"

#define TRACE_TAIL_LINES 40
#define DIAG_TAIL_LINES 20
#define GDB_HEAD_LINES 80

bool judge_wants_native(const struct tcase *c)
{
	return (c->oracles & ORACLE_NATIVE) != 0;
}

static void section(struct hbuf *b, const char *title, const struct bytes *s, size_t lines,
		    bool tail)
{
	if (!s->len)
		return;
	hbuf_printf(b, "%s%s:\n", title, s->truncated ? " (truncated)" : "");
	(tail ? textcut_tail : textcut_head)(b, s->p, s->len, lines);
}

static void timeout_message(struct hbuf *b, const struct run *r, const struct judge_env *env)
{
	hbuf_printf(b, "timed out after %lu.%03lu s\n", env->timeout_ms / 1000,
		    env->timeout_ms % 1000);
	section(b, "partial trace", &r->s[RUN_TRACE], TRACE_TAIL_LINES, true);
	hbuf_printf(b, "processes at the deadline:\n%s", r->evidence ? r->evidence : "(none)\n");
}

static void crash_message(struct hbuf *b, const struct run *r, const struct judge_env *env)
{
	hbuf_printf(b, "%s\n", r->error ? r->error : "the child broke");
	section(b, "harness stderr", &r->s[RUN_DIAG], DIAG_TAIL_LINES, true);
	if (!WIFSIGNALED(r->wait_status))
		return;
	if (r->s[RUN_GDB].len)
		section(b, "backtrace (gdb)", &r->s[RUN_GDB], GDB_HEAD_LINES, false);
	else
		hbuf_puts(b, env->have_gdb ? "no backtrace: gdb wrote nothing\n"
					   : "no backtrace: gdb is not installed\n");
}

/* Why r did not produce a result to judge, as kind and message; false
 * when it did. who: "" or "native run: " or "run 2 of 3: ". */
static bool problem(const struct run *r, const char *who, const struct judge_env *env,
		    enum result_kind *kind, struct hbuf *msg)
{
	hbuf_puts(msg, who);
	switch (r->end) {
	case RUN_NOSTART:
		*kind = RESULT_ERROR;
		hbuf_printf(msg, "not started: %s\n", r->error ? r->error : "?");
		return true;
	case RUN_TIMEOUT:
		*kind = RESULT_TIMEOUT;
		timeout_message(msg, r, env);
		return true;
	case RUN_CRASHED:
		*kind = RESULT_ERROR;
		crash_message(msg, r, env);
		return true;
	case RUN_DONE: break;
	}
	if (!r->rc && r->res.kind != SENTRY_ERROR)
		return false;
	*kind = RESULT_ERROR;
	hbuf_printf(msg, "%s%s\n", r->rc == 2 ? "cannot load: " : "sentry failed: ",
		    r->res.error[0] ? r->res.error : "(no message)");
	section(msg, "harness stderr", &r->s[RUN_DIAG], DIAG_TAIL_LINES, true);
	return true;
}

/* The first run (or the native one) that did not finish, if any. */
static bool any_problem(struct run *const *runs, unsigned nrun, const struct run *native,
			const struct judge_env *env, struct verdict *v, struct hbuf *msg)
{
	char who[48];
	for (unsigned k = 0; k < nrun; k++) {
		who[0] = 0;
		if (k)
			snprintf(who, sizeof who, "run %u of %u: ", k + 1, nrun);
		if (problem(runs[k], who, env, &v->kind, msg)) {
			v->culprit = (int)k;
			return true;
		}
		hbuf_free(msg);
	}
	v->culprit = -1;
	if (native && problem(native, "native run: ", env, &v->kind, msg))
		return true;
	v->culprit = 0;
	return false;
}

static void apply_oracles(const struct tcase *c, struct run *const *runs, unsigned nrun,
			  const struct run *native, struct findings *f)
{
	if (c->oracles & ORACLE_GOLDEN)
		oracle_golden(c, runs[0], f);
	if (c->oracles & ORACLE_SELFCHECK)
		oracle_selfcheck(c, runs[0], f);
	if (native)
		oracle_native(c, native, runs[0], f);
	/* One differing repetition is proof enough; more would repeat it. */
	for (unsigned k = 1; k < nrun; k++) {
		unsigned before = f->n;
		oracle_repeat(c, runs[0], runs[k], k + 1, f);
		if (f->n != before)
			break;
	}
}

static bool repeats_agree(const struct tcase *c, struct run *const *runs, unsigned nrun)
{
	struct findings f = { 0 };
	for (unsigned k = 1; k < nrun && !f.n; k++)
		oracle_repeat(c, runs[0], runs[k], k + 1, &f);
	bool agree = !f.n;
	findings_free(&f);
	return agree;
}

/* HOSTFAIL (see judge.h): the host's own run misses the case's checks and
 * the platform runs did exactly what it did, every repetition alike. The
 * platform's findings follow the host's, so nothing of the FAIL is lost;
 * the first line names what the host did. */
static bool host_fails_too(const struct tcase *c, struct run *const *runs, unsigned nrun,
			   const struct run *native, struct findings *f, struct verdict *v)
{
	if (!native || !oracle_same_as_native(native, runs[0]) || !repeats_agree(c, runs, nrun))
		return false;
	struct findings h = { 0 };
	oracle_host(c, native, &h);
	if (!h.n) {
		findings_free(&h);
		return false;
	}
	struct hbuf msg = { 0 }, diff = { 0 };
	hbuf_puts(&msg, "host fails it too: native run: ");
	hbuf_add(&msg, h.msg.p, h.msg.len);
	hbuf_puts(&msg,
		  "the platform run ended exactly as the native run (stdout, stderr, exit "
		  "status): not a platform failure\nplatform run: ");
	if (f->msg.len == h.msg.len && !memcmp(f->msg.p, h.msg.p, h.msg.len))
		hbuf_puts(&msg, "the same findings\n");
	else
		hbuf_add(&msg, f->msg.p, f->msg.len);
	hbuf_add(&diff, h.diff.p, h.diff.len);
	hbuf_add(&diff, f->diff.p, f->diff.len);
	*v = (struct verdict){ .kind = RESULT_HOSTFAIL,
			       .message = hbuf_take(&msg, NULL),
			       .diff = hbuf_take(&diff, NULL) };
	findings_free(&h);
	return true;
}

static void known(const char *ref, struct verdict *v)
{
	char *m = NULL;
	if (!ref || (v->kind != RESULT_FAIL && v->kind != RESULT_PASS))
		return;
	if (v->kind == RESULT_FAIL) {
		v->kind = RESULT_XFAIL;
		if (asprintf(&m, "known failure: %s\n%s", ref, v->message ? v->message : "") < 0)
			m = NULL;
	} else {
		v->kind = RESULT_XPASS;
		if (asprintf(&m, "passed, but listed as a known failure (%s): remove the entry",
			     ref) < 0)
			m = NULL;
	}
	free(v->message);
	v->message = m;
}

/* expect: timeout: a run that timed out is the outcome; one
 * that ended is the failure. The partial output is then judged like a
 * finished run's (the trace is line-buffered up to the kill). */
static bool unexpected_end(struct run *const *runs, unsigned nrun, struct verdict *v,
			   struct hbuf *msg)
{
	for (unsigned k = 0; k < nrun; k++) {
		if (runs[k]->end != RUN_DONE)
			continue;
		char got[EXITSTAT_LEN];
		v->kind = RESULT_FAIL;
		v->culprit = (int)k;
		exitstat_text(&runs[k]->res, got);
		hbuf_printf(msg, "expected a timeout, but the run ended (%.*s)\n",
			    (int)strcspn(got, "\n"), got);
		return true;
	}
	return false;
}

/* Every run timed out, as the case expects: judged from here on as if
 * it had ended normally. */
static bool timeouts_as_expected(const struct tcase *c, struct run *const *runs, unsigned nrun)
{
	if (!c->expect_timeout)
		return false;
	for (unsigned k = 0; k < nrun; k++)
		if (runs[k]->end != RUN_TIMEOUT)
			return false;
	return true;
}

/* A chaos case (P23) passes when every run ended in the platform's error
 * for the killed stub: the sentry stopped cleanly and said so. A timeout,
 * a crash, or a guest that finished are failures. */
static bool judge_chaos(struct run *const *runs, unsigned nrun, const struct judge_env *env,
			struct verdict *v)
{
	struct hbuf msg = { 0 };
	for (unsigned k = 0; k < nrun; k++) {
		const struct run *r = runs[k];
		if (r->end == RUN_DONE && r->res.kind == SENTRY_ERROR &&
		    chaos_error_expected(r->res.error))
			continue;
		if (!problem(r, "", env, &v->kind, &msg) || v->kind == RESULT_ERROR)
			v->kind = RESULT_FAIL;
		hbuf_printf(&msg, "chaos: expected the error of a stub killed by SIGKILL (P23)%s\n",
			    r->end == RUN_DONE && r->res.kind != SENTRY_ERROR
				    ? ", but the guest finished"
				    : "");
		v->message = hbuf_take(&msg, NULL);
		return true;
	}
	return true;
}

void judge(const struct tcase *c, struct run *const *runs, unsigned nrun, const struct run *native,
	   const char *ref, const struct judge_env *env, struct verdict *v)
{
	struct hbuf msg = { 0 };
	struct findings f = { 0 };
	*v = (struct verdict){ .kind = RESULT_PASS };
	if (c->expect_timeout && unexpected_end(runs, nrun, v, &msg)) {
		v->message = hbuf_take(&msg, NULL);
		known(ref, v);
		return;
	}
	/* signal-stub chaos (P14, P15) is judged like any case. */
	if ((c->chaos == CASE_CHAOS_KILL_PROCESS || c->chaos == CASE_CHAOS_KILL_THREAD) &&
	    judge_chaos(runs, nrun, env, v)) {
		known(ref, v);
		return;
	}
	if (!timeouts_as_expected(c, runs, nrun) && any_problem(runs, nrun, native, env, v, &msg)) {
		v->message = hbuf_take(&msg, NULL);
		return;
	}
	hbuf_free(&msg);
	apply_oracles(c, runs, nrun, native, &f);
	if (f.n && host_fails_too(c, runs, nrun, native, &f, v)) {
		findings_free(&f);
		return; /* a known-failure entry is about the platform: not applied */
	} else if (f.n) {
		v->kind = RESULT_FAIL;
		v->message = hbuf_take(&f.msg, NULL);
		v->diff = hbuf_take(&f.diff, NULL);
	}
	findings_free(&f);
	known(ref, v);
}

bool judge_problem(const struct run *r, const struct judge_env *env, struct verdict *v)
{
	struct hbuf msg = { 0 };
	*v = (struct verdict){ .kind = RESULT_PASS };
	if (!problem(r, "", env, &v->kind, &msg)) {
		hbuf_free(&msg);
		return false;
	}
	v->message = hbuf_take(&msg, NULL);
	return true;
}

void verdict_free(struct verdict *v)
{
	free(v->message);
	free(v->diff);
	*v = (struct verdict){ 0 };
}
