/* Tests of the oracles and the judge (oracle.c, judge.c) on made-up runs:
 * no kernel, no children. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner/judge.h"
#include "harness/runner/oracle.h"

static struct tcase tc(const char *text)
{
	struct tcase c;
	char err[256] = "";
	cr_assert_eq(case_parse("cases/t/c.case", text, strlen(text), &c, err, sizeof err), 0, "%s",
		     err);
	return c;
}

static void set(struct bytes *b, const char *s)
{
	b->p = strdup(s);
	b->len = strlen(s);
}

static struct run done(const char *out, const char *err, const char *trace, int code)
{
	struct run r = { .end = RUN_DONE, .res = { .kind = SENTRY_EXITED, .status = code } };
	set(&r.s[RUN_STDOUT], out);
	set(&r.s[RUN_STDERR], err);
	set(&r.s[RUN_TRACE], trace);
	return r;
}

static const struct judge_env env = { true, 10000 };

static struct verdict judge1(const struct tcase *c, struct run *r, const struct run *native)
{
	struct verdict v;
	struct run *runs[1] = { r };
	judge(c, runs, 1, native, NULL, &env, &v);
	return v;
}

Test(runner_oracle, golden_equal_passes)
{
	struct tcase c =
		tc("fixture: a/b\noracle: golden\nexit: 0\n"
		   "--- stdout\nhi\n--- trace\nexit_group(0)\n--- end\n");
	struct run r = done("hi\n", "anything\n", "exit_group(0)\n", 0);
	struct verdict v = judge1(&c, &r, NULL);
	cr_expect_eq(v.kind, RESULT_PASS, "stderr is absent from the case: not checked");
	cr_expect_null(v.message);
	run_free(&r);
	case_free(&c);
}

Test(runner_oracle, golden_diff_per_section)
{
	struct tcase c =
		tc("fixture: a/b\noracle: golden\nexit: 0\n"
		   "--- stdout\nhi\n--- stderr\n--- trace\nexit_group(0)\n--- end\n");
	struct run r = done("ho\n", "oops\n", "exit_group(0)\n", 1);
	struct verdict v = judge1(&c, &r, NULL);
	cr_expect_eq(v.kind, RESULT_FAIL);
	cr_expect_str_eq(v.message, "golden: stdout, stderr, exit differ from the case\n");
	cr_expect_str_eq(v.diff,
			 "--- expected stdout\n+++ actual stdout\n@@ -1 +1 @@\n-hi\n+ho\n"
			 "--- expected stderr\n+++ actual stderr\n@@ -0,0 +1 @@\n+oops\n"
			 "--- expected exit\n+++ actual exit\n@@ -1 +1 @@\n-exit: 0\n+exit: 1\n");
	verdict_free(&v);
	run_free(&r);
	case_free(&c);
}

Test(runner_oracle, golden_compares_bytes_exactly)
{
	struct tcase c = tc("fixture: a/b\noracle: golden\n--- stdout noeol\nhi\n--- end\n");
	struct run r = done("hi\n", "", "", 0);
	struct verdict v = judge1(&c, &r, NULL);
	cr_expect_eq(v.kind, RESULT_FAIL, "a trailing newline is a difference");
	cr_expect(strstr(v.diff, "\\ No newline at end of file"), "%s", v.diff);
	verdict_free(&v);
	run_free(&r);
	case_free(&c);
}

Test(runner_oracle, golden_signal_and_core)
{
	struct tcase c = tc("fixture: a/b\noracle: golden\nexit: signal SIGSEGV core\n");
	struct run r = done("", "", "", 0);
	r.res = (struct sentry_result){ .kind = SENTRY_SIGNALED, .status = 11, .core = true };
	struct verdict v = judge1(&c, &r, NULL);
	cr_expect_eq(v.kind, RESULT_PASS);
	r.res.core = false;
	v = judge1(&c, &r, NULL);
	cr_expect_eq(v.kind, RESULT_FAIL);
	cr_expect(strstr(v.diff, "-exit: signal SIGSEGV core\n+exit: signal SIGSEGV\n"), "%s",
		  v.diff);
	verdict_free(&v);
	run_free(&r);
	case_free(&c);
}

Test(runner_oracle, end_token_is_a_whole_line)
{
	cr_expect(oracle_end_token("END-OF-TEST\n", 12));
	cr_expect(oracle_end_token("x\nEND-OF-TEST", 13), "last line without newline");
	cr_expect(!oracle_end_token("xEND-OF-TEST\n", 13));
	cr_expect(!oracle_end_token("END-OF-TEST!\n", 13));
	cr_expect(!oracle_end_token("END-OF-TES", 10));
	cr_expect(!oracle_end_token("", 0));
}

Test(runner_oracle, selfcheck_needs_token_and_exit)
{
	struct tcase c = tc("fixture: a/b\noracle: selfcheck\n");
	struct run ok = done("checks\nEND-OF-TEST\n", "", "", 0);
	struct run bad = done("checks\n", "ASSERT FAILED f.c:3: x == y\n", "", 99);
	struct run code = done("END-OF-TEST\n", "", "", 1);
	struct verdict v = judge1(&c, &ok, NULL);
	cr_expect_eq(v.kind, RESULT_PASS);
	v = judge1(&c, &bad, NULL);
	cr_expect_eq(v.kind, RESULT_FAIL);
	cr_expect_str_eq(v.message,
			 "selfcheck: no END-OF-TEST line on stdout, and wrong exit "
			 "status\nguest stderr:\nASSERT FAILED f.c:3: x == y\n");
	verdict_free(&v);
	v = judge1(&c, &code, NULL);
	cr_expect_str_eq(v.message, "selfcheck: wrong exit status\n");
	verdict_free(&v);
	case_free(&c);
	c = tc("fixture: a/b\noracle: selfcheck\nexit: 1\n");
	v = judge1(&c, &code, NULL);
	cr_expect_eq(v.kind, RESULT_PASS, "the case's exit: wins");
	case_free(&c);
	run_free(&ok);
	run_free(&bad);
	run_free(&code);
}

Test(runner_oracle, native_compares_stdout_and_exit_only)
{
	struct tcase c = tc("fixture: a/b\noracle: native\n");
	struct run r = done("same\n", "sentry stderr\n", "t\n", 0);
	struct run n = done("same\n", "host stderr\n", "", 0);
	cr_expect(judge_wants_native(&c));
	struct verdict v = judge1(&c, &r, &n);
	cr_expect_eq(v.kind, RESULT_PASS);
	n.res = (struct sentry_result){ .kind = SENTRY_SIGNALED, .status = 6, .core = true };
	v = judge1(&c, &r, &n);
	cr_expect_eq(v.kind, RESULT_FAIL);
	cr_expect_str_eq(v.message, "native: exit differs from the host kernel's run\n");
	cr_expect(strstr(v.diff, "--- native exit\n+++ actual exit\n"), "%s", v.diff);
	verdict_free(&v);
	run_free(&r);
	run_free(&n);
	case_free(&c);
}

Test(runner_oracle, native_only_when_asked)
{
	struct tcase g = tc("fixture: a/b\noracle: golden selfcheck\n");
	struct tcase n = tc("fixture: a/b\noracle: selfcheck native\n");
	cr_expect(!judge_wants_native(&g), "never on the host unless the case says native");
	cr_expect(judge_wants_native(&n));
	case_free(&g);
	case_free(&n);
}

Test(runner_oracle, unfinished_runs_come_first)
{
	struct tcase c = tc("fixture: a/b\noracle: golden\n--- stdout\nx\n--- end\n");
	struct run t = done("", "", "write(1, ...)\n", 0);
	t.end = RUN_TIMEOUT;
	t.evidence =
		strdup("pid 7 (harness)\n  task 7: State: S (sleeping), TracerPid: 0, "
		       "wchan: do_wait\n");
	struct verdict v = judge1(&c, &t, NULL);
	cr_expect_eq(v.kind, RESULT_TIMEOUT);
	cr_expect_str_eq(v.message,
			 "timed out after 10.000 s\npartial trace:\nwrite(1, ...)\n"
			 "processes at the deadline:\npid 7 (harness)\n  task 7: State: "
			 "S (sleeping), TracerPid: 0, wchan: do_wait\n");
	verdict_free(&v);
	struct run e = done("", "", "", 0);
	e.rc = 2;
	e.res.kind = SENTRY_ERROR;
	strcpy(e.res.error, "build/fixtures/a/b: not an ELF file");
	v = judge1(&c, &e, NULL);
	cr_expect_eq(v.kind, RESULT_ERROR);
	cr_expect_str_eq(v.message, "cannot load: build/fixtures/a/b: not an ELF file\n");
	verdict_free(&v);
	struct run crash = done("", "", "", 0);
	crash.end = RUN_CRASHED;
	crash.wait_status = 6; /* killed by SIGABRT */
	crash.error = strdup("the platform child was killed by SIGABRT");
	struct judge_env nogdb = { false, 1000 };
	struct run *runs[1] = { &crash };
	judge(&c, runs, 1, NULL, NULL, &nogdb, &v);
	cr_expect_eq(v.kind, RESULT_ERROR);
	cr_expect_str_eq(v.message,
			 "the platform child was killed by SIGABRT\n"
			 "no backtrace: gdb is not installed\n");
	verdict_free(&v);
	run_free(&t);
	run_free(&e);
	run_free(&crash);
	case_free(&c);
}

Test(runner_oracle, repeats_must_match_run_one)
{
	struct tcase c = tc("fixture: a/b\noracle: selfcheck\n");
	struct run a = done("1\nEND-OF-TEST\n", "", "t\n", 0);
	struct run b = done("1\nEND-OF-TEST\n", "", "t\n", 0);
	struct run d = done("2\nEND-OF-TEST\n", "", "u\n", 0);
	struct run *same[2] = { &a, &b }, *differ[3] = { &a, &b, &d };
	struct verdict v;
	judge(&c, same, 2, NULL, NULL, &env, &v);
	cr_expect_eq(v.kind, RESULT_PASS);
	judge(&c, differ, 3, NULL, NULL, &env, &v);
	cr_expect_eq(v.kind, RESULT_FAIL);
	/* No trace section: the traces are not compared (see below). */
	cr_expect_str_eq(v.message, "nondeterministic: run 1 and run 3 differ in stdout\n");
	cr_expect(strstr(v.diff, "--- run 1 stdout\n+++ run 3 stdout\n"), "%s", v.diff);
	verdict_free(&v);
	b.end = RUN_TIMEOUT;
	judge(&c, same, 2, NULL, NULL, &env, &v);
	cr_expect_eq(v.kind, RESULT_TIMEOUT);
	cr_expect_eq(v.culprit, 1);
	cr_expect(!strncmp(v.message, "run 2 of 2: timed out", 21), "%s", v.message);
	verdict_free(&v);
	run_free(&a);
	run_free(&b);
	run_free(&d);
	case_free(&c);
}

/* Several tasks' trace lines interleave differently from run to run: a
 * case without a golden trace must not fail --repeat on that; one with a
 * trace section must. */
Test(runner_oracle, repeats_compare_traces_only_for_golden_traces)
{
	struct tcase untraced = tc("fixture: a/b\noracle: selfcheck\n");
	struct tcase traced = tc("fixture: a/b\noracle: golden selfcheck\n--- trace\nt\n--- end\n");
	struct run a = done("END-OF-TEST\n", "", "t\n", 0);
	struct run b = done("END-OF-TEST\n", "", "u\n", 0);
	struct run *runs[2] = { &a, &b };
	struct verdict v;
	judge(&untraced, runs, 2, NULL, NULL, &env, &v);
	cr_expect_eq(v.kind, RESULT_PASS, "%s", v.message ? v.message : "");
	verdict_free(&v);
	judge(&traced, runs, 2, NULL, NULL, &env, &v);
	cr_expect_eq(v.kind, RESULT_FAIL);
	cr_expect_str_eq(v.message, "nondeterministic: run 1 and run 2 differ in trace\n");
	cr_expect(strstr(v.diff, "--- run 1 trace\n+++ run 2 trace\n"), "%s", v.diff);
	verdict_free(&v);
	run_free(&a);
	run_free(&b);
	case_free(&untraced);
	case_free(&traced);
}

Test(runner_oracle, known_failures_turn_into_xfail_and_xpass)
{
	struct tcase c = tc("fixture: a/b\noracle: selfcheck\n");
	struct run ok = done("END-OF-TEST\n", "", "", 0), bad = done("", "", "", 0);
	struct run *r1[1] = { &ok }, *r2[1] = { &bad };
	struct verdict v;
	judge(&c, r2, 1, NULL, "issue 42", &env, &v);
	cr_expect_eq(v.kind, RESULT_XFAIL);
	cr_expect(!strncmp(v.message, "known failure: issue 42\nselfcheck:", 34), "%s", v.message);
	verdict_free(&v);
	judge(&c, r1, 1, NULL, "issue 42", &env, &v);
	cr_expect_eq(v.kind, RESULT_XPASS);
	verdict_free(&v);
	run_free(&ok);
	run_free(&bad);
	case_free(&c);
}

/* Issue 9, expect: timeout: a timed-out run is judged on its partial
 * output; a run that ended fails, whatever it printed. */
Test(runner_oracle, expect_timeout)
{
	struct tcase c =
		tc("fixture: a/b\noracle: golden\ntimeout: 1\nexpect: timeout\n"
		   "--- stdout\nblocking\n--- trace\nwrite(1, ...)\n--- end\n");
	struct run t = done("blocking\n", "", "write(1, ...)\n", 0);
	t.end = RUN_TIMEOUT;
	t.res.kind = SENTRY_ERROR;
	struct verdict v = judge1(&c, &t, NULL);
	cr_expect_eq(v.kind, RESULT_PASS, "%s", v.message ? v.message : "");
	verdict_free(&v);
	free(t.s[RUN_TRACE].p);
	set(&t.s[RUN_TRACE], "");
	v = judge1(&c, &t, NULL);
	cr_expect_eq(v.kind, RESULT_FAIL, "the partial trace still counts");
	verdict_free(&v);
	struct run d = done("blocking\n", "", "write(1, ...)\n", 0);
	v = judge1(&c, &d, NULL);
	cr_expect_eq(v.kind, RESULT_FAIL);
	cr_expect_str_eq(v.message, "expected a timeout, but the run ended (exit: 0)\n");
	verdict_free(&v);
	run_free(&t);
	run_free(&d);
	case_free(&c);
}

/* Environment, not platform: the host's own run misses the case's checks
 * and the platform run did exactly the same. */
Test(runner_oracle, host_failing_the_same_way_is_hostfail)
{
	struct tcase c = tc("fixture: a/b\noracle: selfcheck native\n");
	struct run r = done("no fault\n", "ASSERT FAILED sse.c:9: got_fpe\n", "t\n", 1);
	struct run n = done("no fault\n", "ASSERT FAILED sse.c:9: got_fpe\n", "", 1);
	struct verdict v = judge1(&c, &r, &n);
	cr_expect_eq(v.kind, RESULT_HOSTFAIL);
	cr_expect_str_eq(v.message,
			 "host fails it too: native run: selfcheck: no END-OF-TEST line on stdout, "
			 "and wrong exit status\nguest stderr:\nASSERT FAILED sse.c:9: got_fpe\n"
			 "the platform run ended exactly as the native run (stdout, stderr, exit "
			 "status): not a platform failure\n"
			 "platform run: the same findings\n");
	cr_expect(strstr(v.diff, "--- expected exit\n+++ native exit\n"), "%s", v.diff);
	cr_expect(strstr(v.diff, "--- expected exit\n+++ actual exit\n"), "%s", v.diff);
	cr_expect_eq(v.culprit, 0);
	verdict_free(&v);
	/* A known-failure entry describes the platform: it does not apply. */
	struct run *runs[1] = { &r };
	judge(&c, runs, 1, &n, "a platform bug", &env, &v);
	cr_expect_eq(v.kind, RESULT_HOSTFAIL);
	verdict_free(&v);
	run_free(&r);
	run_free(&n);
	case_free(&c);
}

Test(runner_oracle, only_the_platform_failing_stays_fail)
{
	struct tcase c = tc("fixture: a/b\noracle: selfcheck native\n");
	struct run r = done("no fault\n", "ASSERT FAILED x\n", "", 1);
	struct run n = done("fault\nEND-OF-TEST\n", "", "", 0);
	struct verdict v = judge1(&c, &r, &n);
	cr_expect_eq(v.kind, RESULT_FAIL, "the host passes: the platform is to blame");
	verdict_free(&v);
	/* Both fail, but not the same way: different stdout. */
	free(n.s[RUN_STDOUT].p);
	set(&n.s[RUN_STDOUT], "other\n");
	n.res.status = 1;
	free(n.s[RUN_STDERR].p);
	set(&n.s[RUN_STDERR], "ASSERT FAILED x\n");
	v = judge1(&c, &r, &n);
	cr_expect_eq(v.kind, RESULT_FAIL, "%s", v.message);
	verdict_free(&v);
	/* Same stdout and exit, but the assertion that failed differs. */
	free(n.s[RUN_STDOUT].p);
	set(&n.s[RUN_STDOUT], "no fault\n");
	free(n.s[RUN_STDERR].p);
	set(&n.s[RUN_STDERR], "ASSERT FAILED y\n");
	v = judge1(&c, &r, &n);
	cr_expect_eq(v.kind, RESULT_FAIL, "stderr is part of 'the same way'");
	verdict_free(&v);
	/* The known-failure entry turns that FAIL into XFAIL, as before. */
	struct run *runs[1] = { &r };
	judge(&c, runs, 1, &n, "issue 42", &env, &v);
	cr_expect_eq(v.kind, RESULT_XFAIL);
	verdict_free(&v);
	run_free(&r);
	run_free(&n);
	case_free(&c);
}

/* The host misses the case's stored stdout but the platform meets it:
 * the host kernel differs from the case (a host bug, or a case written
 * for another kernel), the platform from the host: FAIL by O3. */
Test(runner_oracle, host_failing_alone_stays_fail)
{
	struct tcase c = tc("fixture: a/b\noracle: golden native\n--- stdout\nalt2\n--- end\n");
	struct run r = done("alt2\n", "", "", 0);
	struct run n = done("alt1\n", "", "", 0);
	struct verdict v = judge1(&c, &r, &n);
	cr_expect_eq(v.kind, RESULT_FAIL);
	cr_expect_str_eq(v.message, "native: stdout differs from the host kernel's run\n");
	verdict_free(&v);
	run_free(&r);
	run_free(&n);
	case_free(&c);
}

/* Golden: the host writes no trace, so the platform's trace is left out
 * of "the same way", and its diff is kept in the result. */
Test(runner_oracle, hostfail_keeps_the_platform_trace_diff)
{
	struct tcase c =
		tc("fixture: a/b\noracle: golden native\nexit: 0\n"
		   "--- stdout\nSIGFPE\n--- trace\n--- SIGFPE ---\n--- end\n");
	struct run r = done("none\n", "", "exit_group(1)\n", 1);
	struct run n = done("none\n", "", "", 1);
	struct verdict v = judge1(&c, &r, &n);
	cr_expect_eq(v.kind, RESULT_HOSTFAIL);
	cr_expect(!strncmp(v.message,
			   "host fails it too: native run: golden: stdout, exit differ "
			   "from the case\n",
			   70),
		  "%s", v.message);
	cr_expect(strstr(v.message, "platform run: golden: stdout, trace, exit differ"), "%s",
		  v.message);
	cr_expect(strstr(v.diff, "--- expected stdout\n+++ native stdout\n"), "%s", v.diff);
	cr_expect_null(strstr(v.diff, "+++ native trace"), "the host has no trace");
	cr_expect(strstr(v.diff, "--- expected trace\n+++ actual trace\n"), "%s", v.diff);
	verdict_free(&v);
	/* Not with a repetition that differs: that is the platform's. */
	struct run again = done("none\n", "", "exit_group(1)\n", 2);
	struct run *runs[2] = { &r, &again };
	judge(&c, runs, 2, &n, NULL, &env, &v);
	cr_expect_eq(v.kind, RESULT_FAIL);
	verdict_free(&v);
	run_free(&again);
	/* Without the native oracle nothing changes: FAIL. */
	struct tcase g = tc("fixture: a/b\noracle: golden\nexit: 0\n--- stdout\nSIGFPE\n--- end\n");
	v = judge1(&g, &r, NULL);
	cr_expect_eq(v.kind, RESULT_FAIL);
	verdict_free(&v);
	case_free(&g);
	run_free(&r);
	run_free(&n);
	case_free(&c);
}
