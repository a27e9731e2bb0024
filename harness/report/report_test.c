/* Tests of the report writers (report_*.c), results.c and utf8.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/case/case.h"
#include "harness/report/results.h"
#include "harness/util/utf8.h"

typedef int writer(FILE *, const struct fingerprint *, const struct result *, size_t);

static const char *const req_b[] = { "P10" };
static const char *const req_a[] = { "P1", "S2" };

/* Deliberately not in report order. */
static const struct result fixed[] = {
	{ "sig/b", "sig", NULL, RESULT_FAIL, 1234, "stdout differs",
	  "--- expected\n+++ actual\n@@ -1 +1 @@\n-a\n+b\n", ORACLE_GOLDEN, req_b, 1, NULL },
	{ "smoke/a", "smoke", "lazy", RESULT_PASS, 5, NULL, NULL, ORACLE_GOLDEN | ORACLE_NATIVE,
	  req_a, 2, NULL },
	{ "sig/a", "sig", NULL, RESULT_XFAIL, 0, "issue 7", NULL, ORACLE_SELFCHECK, NULL, 0, NULL },
	{ "smoke/a", "smoke", "full-state", RESULT_SKIP, 0, "no fsgsbase", NULL,
	  ORACLE_GOLDEN | ORACLE_NATIVE, req_a, 2, NULL },
	{ "sig/c", "sig", NULL, RESULT_TIMEOUT, 10000, "timed out after 10 s\nstub 42: State: S",
	  NULL, ORACLE_SELFCHECK, NULL, 0, NULL },
};
#define NFIXED (sizeof fixed / sizeof fixed[0])

static const struct fp_pair pairs[] = {
	{ "kernel", "6.1.0" },
	{ "features", "fsgsbase" },
};
static const struct fingerprint fp = { pairs, 2 };

static char *capture(writer *w, const struct fingerprint *f, const struct result *r, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	cr_assert_not_null(mem);
	cr_assert_eq(w(mem, f, r, n), 0);
	fclose(mem);
	cr_assert_eq(strlen(text), len, "no NUL byte in a report");
	return text;
}

static void expect(writer *w, const struct result *r, size_t n, const char *want)
{
	char *got = capture(w, &fp, r, n);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(report, ktap_of_fixed_set)
{
	expect(report_ktap, fixed, NFIXED,
	       "KTAP version 1\n"
	       "# kernel: 6.1.0\n"
	       "# features: fsgsbase\n"
	       "1..2\n"
	       "  KTAP version 1\n"
	       "  1..3\n"
	       "  ok 1 sig/a # XFAIL issue 7\n"
	       "  not ok 2 sig/b\n"
	       "  # stdout differs\n"
	       "  # --- expected\n"
	       "  # +++ actual\n"
	       "  # @@ -1 +1 @@\n"
	       "  # -a\n"
	       "  # +b\n"
	       "  not ok 3 sig/c # TIMEOUT timed out after 10 s\n"
	       "  # stub 42: State: S\n"
	       "not ok 1 sig\n"
	       "  KTAP version 1\n"
	       "  1..2\n"
	       "  ok 1 smoke/a [full-state] # SKIP no fsgsbase\n"
	       "  ok 2 smoke/a [lazy]\n"
	       "ok 2 smoke\n"
	       "# Totals: pass:1 fail:1 xfail:1 xpass:0 skip:1 error:0 timeout:1 hostfail:0 "
	       "notrun:0\n");
}

Test(report, junit_of_fixed_set)
{
	expect(report_junit, fixed, NFIXED,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<testsuites tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"2\" time=\"11.239\">\n"
	       "  <testsuite name=\"sig\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"1\" "
	       "time=\"11.234\">\n"
	       "    <properties>\n"
	       "      <property name=\"kernel\" value=\"6.1.0\"/>\n"
	       "      <property name=\"features\" value=\"fsgsbase\"/>\n"
	       "    </properties>\n"
	       "    <testcase classname=\"sig\" name=\"sig/a\" time=\"0.000\">\n"
	       "      <skipped type=\"XFAIL\" message=\"issue 7\">issue 7</skipped>\n"
	       "    </testcase>\n"
	       "    <testcase classname=\"sig\" name=\"sig/b\" time=\"1.234\">\n"
	       "      <failure type=\"FAIL\" message=\"stdout differs\">stdout differs\n"
	       "--- expected\n+++ actual\n@@ -1 +1 @@\n-a\n+b\n"
	       "</failure>\n"
	       "    </testcase>\n"
	       "    <testcase classname=\"sig\" name=\"sig/c\" time=\"10.000\">\n"
	       "      <failure type=\"TIMEOUT\" message=\"timed out after 10 s\">"
	       "timed out after 10 s\nstub 42: State: S</failure>\n"
	       "    </testcase>\n"
	       "  </testsuite>\n"
	       "  <testsuite name=\"smoke\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"1\" "
	       "time=\"0.005\">\n"
	       "    <properties>\n"
	       "      <property name=\"kernel\" value=\"6.1.0\"/>\n"
	       "      <property name=\"features\" value=\"fsgsbase\"/>\n"
	       "    </properties>\n"
	       "    <testcase classname=\"smoke\" name=\"smoke/a [full-state]\" time=\"0.000\">\n"
	       "      <skipped type=\"SKIP\" message=\"no fsgsbase\">no fsgsbase</skipped>\n"
	       "    </testcase>\n"
	       "    <testcase classname=\"smoke\" name=\"smoke/a [lazy]\" time=\"0.005\"/>\n"
	       "  </testsuite>\n"
	       "</testsuites>\n");
}

Test(report, json_of_fixed_set)
{
	expect(report_json, fixed, NFIXED,
	       "{\n"
	       "  \"fingerprint\": {\n"
	       "    \"kernel\": \"6.1.0\",\n"
	       "    \"features\": \"fsgsbase\"\n"
	       "  },\n"
	       "  \"results\": [\n"
	       "    {\"name\": \"sig/a\", \"family\": \"sig\", \"variant\": null, \"result\": "
	       "\"XFAIL\", \"duration_ms\": 0, \"oracles\": [\"selfcheck\"], \"requirements\": [], "
	       "\"message\": \"issue 7\", \"diff\": null},\n"
	       "    {\"name\": \"sig/b\", \"family\": \"sig\", \"variant\": null, \"result\": "
	       "\"FAIL\", \"duration_ms\": 1234, \"oracles\": [\"golden\"], \"requirements\": "
	       "[\"P10\"], \"message\": \"stdout differs\", \"diff\": \"--- expected\\n+++ "
	       "actual\\n@@ -1 +1 @@\\n-a\\n+b\\n\"},\n"
	       "    {\"name\": \"sig/c\", \"family\": \"sig\", \"variant\": null, \"result\": "
	       "\"TIMEOUT\", \"duration_ms\": 10000, \"oracles\": [\"selfcheck\"], \"requirements\": "
	       "[], \"message\": \"timed out after 10 s\\nstub 42: State: S\", \"diff\": null},\n"
	       "    {\"name\": \"smoke/a\", \"family\": \"smoke\", \"variant\": \"full-state\", "
	       "\"result\": \"SKIP\", \"duration_ms\": 0, \"oracles\": [\"golden\", \"native\"], "
	       "\"requirements\": [\"P1\", \"S2\"], \"message\": \"no fsgsbase\", \"diff\": null},\n"
	       "    {\"name\": \"smoke/a\", \"family\": \"smoke\", \"variant\": \"lazy\", \"result\": "
	       "\"PASS\", \"duration_ms\": 5, \"oracles\": [\"golden\", \"native\"], "
	       "\"requirements\": [\"P1\", \"S2\"], \"message\": null, \"diff\": null}\n"
	       "  ],\n"
	       "  \"totals\": {\"pass\": 1, \"fail\": 1, \"xfail\": 1, \"xpass\": 0, \"skip\": 1, "
	       "\"error\": 0, \"timeout\": 1, \"hostfail\": 0, \"notrun\": 0, \"total\": 5}\n"
	       "}\n");
}

/* The same results in any order give the same bytes. */
Test(report, output_does_not_depend_on_input_order)
{
	struct result rev[NFIXED];
	for (size_t i = 0; i < NFIXED; i++)
		rev[i] = fixed[NFIXED - 1 - i];
	writer *w[] = { report_ktap, report_junit, report_json };
	for (size_t k = 0; k < 3; k++) {
		char *a = capture(w[k], &fp, fixed, NFIXED);
		char *b = capture(w[k], &fp, rev, NFIXED);
		cr_assert_str_eq(a, b, "writer %zu", k);
		free(a);
		free(b);
	}
}

Test(report, empty_run)
{
	expect(report_ktap, NULL, 0,
	       "KTAP version 1\n# kernel: 6.1.0\n# features: fsgsbase\n1..0\n"
	       "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0 timeout:0 hostfail:0 "
	       "notrun:0\n");
	char *j = capture(report_json, NULL, NULL, 0);
	cr_assert_str_eq(j,
			 "{\n  \"fingerprint\": {},\n  \"results\": [],\n"
			 "  \"totals\": {\"pass\": 0, \"fail\": 0, \"xfail\": 0, "
			 "\"xpass\": 0, \"skip\": 0, \"error\": 0, \"timeout\": 0, "
			 "\"hostfail\": 0, \"notrun\": 0, "
			 "\"total\": 0}\n}\n");
	free(j);
	expect(report_junit, NULL, 0,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<testsuites tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\">\n"
	       "</testsuites>\n");
}

Test(report, ktap_family_verdicts)
{
	static const struct result r[] = {
		{ "a/x", "a", NULL, RESULT_SKIP, 0, "why", NULL, 0, NULL, 0, NULL },
		{ "a/y", "a", NULL, RESULT_SKIP, 0, NULL, NULL, 0, NULL, 0, NULL },
		{ "b/x", "b", NULL, RESULT_XPASS, 0, "stale: issue 3", NULL, 0, NULL, 0, NULL },
		{ "c/x", "c", NULL, RESULT_ERROR, 0, "cannot fork\nENOMEM", NULL, 0, NULL, 0,
		  NULL },
		{ "d/x", "d", NULL, RESULT_PASS, 0, NULL, NULL, 0, NULL, 0, NULL },
		{ "d/y", "d", NULL, RESULT_XFAIL, 0, NULL, NULL, 0, NULL, 0, NULL },
	};
	char *got = capture(report_ktap, NULL, r, 6);
	cr_assert_str_eq(got,
			 "KTAP version 1\n1..4\n"
			 "  KTAP version 1\n  1..2\n"
			 "  ok 1 a/x # SKIP why\n  ok 2 a/y # SKIP\n"
			 "ok 1 a # SKIP\n"
			 "  KTAP version 1\n  1..1\n"
			 "  not ok 1 b/x # XPASS stale: issue 3\n"
			 "not ok 2 b\n"
			 "  KTAP version 1\n  1..1\n"
			 "  not ok 1 c/x # ERROR cannot fork\n  # ENOMEM\n"
			 "not ok 3 c\n"
			 "  KTAP version 1\n  1..2\n"
			 "  ok 1 d/x\n  ok 2 d/y # XFAIL\n"
			 "ok 4 d\n"
			 "# Totals: pass:1 fail:0 xfail:1 xpass:1 skip:2 error:1 timeout:0 "
			 "hostfail:0 notrun:0\n");
	free(got);
}

/* HOSTFAIL keeps the run green and reads as a skip to KTAP's readers;
 * NOTRUN fails it everywhere, a JUnit <error> included, so that a CI
 * server reading only junit.xml does not show an interrupted run green. */
Test(report, hostfail_and_notrun_in_every_report)
{
	static const struct result r[] = {
		{ "f/h", "f", "lazy", RESULT_HOSTFAIL, 3, "host fails it too: native run: x\nmore",
		  "-a\n+b\n", ORACLE_SELFCHECK | ORACLE_NATIVE, NULL, 0, NULL },
		{ "f/n", "f", "lazy", RESULT_NOTRUN, 0,
		  "not run: the suite was interrupted by SIGINT", NULL, ORACLE_GOLDEN, NULL, 0,
		  NULL },
		{ "g/h", "g", NULL, RESULT_HOSTFAIL, 0, "host fails it too", NULL, 0, NULL, 0,
		  NULL },
	};
	char *ktap = capture(report_ktap, NULL, r, 3);
	cr_assert_str_eq(
		ktap,
		"KTAP version 1\n1..2\n"
		"  KTAP version 1\n  1..2\n"
		"  ok 1 f/h [lazy] # SKIP host fails it too: native run: x\n  # more\n  # -a\n  # +b\n"
		"  not ok 2 f/n [lazy] # NOTRUN not run: the suite was interrupted by SIGINT\n"
		"not ok 1 f\n"
		"  KTAP version 1\n  1..1\n"
		"  ok 1 g/h # SKIP host fails it too\n"
		"ok 2 g # SKIP\n"
		"# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0 timeout:0 hostfail:2 "
		"notrun:1\n");
	free(ktap);
	char *junit = capture(report_junit, NULL, r, 3);
	cr_assert(
		strstr(junit, "<testsuites tests=\"3\" failures=\"0\" errors=\"1\" skipped=\"2\""),
		"%s", junit);
	cr_assert(strstr(junit,
			 "<skipped type=\"HOSTFAIL\" message=\"host fails it too: native "
			 "run: x\">"),
		  "%s", junit);
	cr_assert(strstr(junit,
			 "<error type=\"NOTRUN\" message=\"not run: the suite was "
			 "interrupted by SIGINT\">"),
		  "%s", junit);
	free(junit);
	char *json = capture(report_json, NULL, r, 3);
	cr_assert(strstr(json, "\"variant\": \"lazy\", \"result\": \"HOSTFAIL\""), "%s", json);
	cr_assert(strstr(json, "\"variant\": \"lazy\", \"result\": \"NOTRUN\""), "%s", json);
	cr_assert(strstr(json, "\"timeout\": 0, \"hostfail\": 2, \"notrun\": 1, \"total\": 3}"),
		  "%s", json);
	free(json);
	cr_assert(result_kind_ok(RESULT_HOSTFAIL));
	cr_assert_not(result_kind_ok(RESULT_NOTRUN));
	cr_assert_str_eq(result_kind_name(RESULT_HOSTFAIL), "HOSTFAIL");
	cr_assert_str_eq(result_kind_lower(RESULT_NOTRUN), "notrun");
}

Test(report, ktap_escaping)
{
	static const struct fp_pair p[] = { { "cpu", "Genuine\nIntel" } };
	static const struct fingerprint f = { p, 1 };
	static const struct result r[] = {
		{ "e/a#b\\c", "e", "v#1", RESULT_FAIL, 0, "esc\x1b[0m caf\xc3\xa9 \xff",
		  "-x\ty\r\n", 0, NULL, 0, NULL },
	};
	char *got = capture(report_ktap, &f, r, 1);
	cr_assert_str_eq(got,
			 "KTAP version 1\n# cpu: Genuine\\x0aIntel\n1..1\n"
			 "  KTAP version 1\n  1..1\n"
			 "  not ok 1 e/a\\#b\\\\c [v\\#1]\n"
			 "  # esc\\x1b[0m caf\xc3\xa9 \\xff\n"
			 "  # -x\ty\\x0d\n"
			 "not ok 1 e\n"
			 "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0 timeout:0 "
			 "hostfail:0 notrun:0\n");
	free(got);
}

Test(report, junit_escaping)
{
	static const struct fp_pair p[] = { { "opt\"s", "a\tb\nc<d>" } };
	static const struct fingerprint f = { p, 1 };
	static const struct result r[] = {
		{ "e/<x>", "e", NULL, RESULT_ERROR, 7,
		  "bad & \"worse\"\x01 \xff caf\xc3\xa9 \xef\xbf\xbe\r\nnext", NULL, 0, NULL, 0,
		  NULL },
	};
	char *got = capture(report_junit, &f, r, 1);
	cr_assert_str_eq(
		got,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.007\">\n"
		"  <testsuite name=\"e\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" "
		"time=\"0.007\">\n"
		"    <properties>\n"
		"      <property name=\"opt&quot;s\" value=\"a&#9;b&#10;c&lt;d&gt;\"/>\n"
		"    </properties>\n"
		"    <testcase classname=\"e\" name=\"e/&lt;x&gt;\" time=\"0.007\">\n"
		"      <error type=\"ERROR\" message=\"bad &amp; &quot;worse&quot;\\x01 "
		"\\xff caf\xc3\xa9 \\xef\\xbf\\xbe&#13;\">"
		"bad &amp; \"worse\"\\x01 \\xff caf\xc3\xa9 \\xef\\xbf\\xbe&#13;\nnext"
		"</error>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"</testsuites>\n");
	free(got);
}

Test(report, json_escaping)
{
	static const struct fp_pair p[] = { { "k\"ey", "v\\al" } };
	static const struct fingerprint f = { p, 1 };
	static const struct result r[] = {
		{ "e/a", "e", "", RESULT_FAIL, 1,
		  "\x01\x1f\t\r\n\"\\/ caf\xc3\xa9 "
		  "\xf0\x9f\x98\x80 \xff\xc3 \xed\xa0\x80",
		  NULL, 0, NULL, 0, NULL },
	};
	char *got = capture(report_json, &f, r, 1);
	cr_assert_str_eq(got,
			 "{\n  \"fingerprint\": {\n    \"k\\\"ey\": \"v\\\\al\"\n  },\n"
			 "  \"results\": [\n"
			 "    {\"name\": \"e/a\", \"family\": \"e\", \"variant\": null, "
			 "\"result\": \"FAIL\", \"duration_ms\": 1, \"oracles\": [], "
			 "\"requirements\": [], \"message\": \"\\u0001\\u001f\\t\\u000d\\n"
			 "\\\"\\\\/ caf\xc3\xa9 \xf0\x9f\x98\x80 \\u00ff\\u00c3 "
			 "\\u00ed\\u00a0\\u0080\", \"diff\": null}\n"
			 "  ],\n"
			 "  \"totals\": {\"pass\": 0, \"fail\": 1, \"xfail\": 0, \"xpass\": 0, "
			 "\"skip\": 0, \"error\": 0, \"timeout\": 0, \"hostfail\": 0, \"notrun\": "
			 "0, \"total\": 1}\n}\n");
	free(got);
}

Test(report, write_error_is_reported)
{
	FILE *f = fopen("/dev/full", "w");
	cr_assert_not_null(f);
	errno = 0;
	cr_assert_eq(report_ktap(f, &fp, fixed, NFIXED), -1);
	cr_assert_eq(errno, ENOSPC);
	fclose(f);
}

Test(results, totals_and_order)
{
	struct result_totals t;
	result_totals(fixed, NFIXED, &t);
	cr_assert_eq(t.n[RESULT_PASS], 1);
	cr_assert_eq(t.n[RESULT_TIMEOUT], 1);
	cr_assert_eq(t.n[RESULT_ERROR], 0);
	const struct result **v = results_sorted(fixed, NFIXED);
	const char *want[][2] = {
		{ "sig/a", "" },       { "sig/b", "" },
		{ "sig/c", "" },       { "smoke/a", "full-state" },
		{ "smoke/a", "lazy" },
	};
	for (size_t i = 0; i < NFIXED; i++) {
		cr_assert_str_eq(v[i]->name, want[i][0]);
		cr_assert_str_eq(v[i]->variant ? v[i]->variant : "", want[i][1]);
	}
	free(v);
	cr_assert(result_kind_ok(RESULT_XFAIL));
	cr_assert_not(result_kind_ok(RESULT_XPASS));
	cr_assert_str_eq(result_kind_name(RESULT_TIMEOUT), "TIMEOUT");
}

Test(utf8, well_formed_sequences_only)
{
	static const struct {
		const char *s;
		size_t n, len;
	} t[] = {
		{ "a", 1, 1 },
		{ "\xc3\xa9", 2, 2 },
		{ "\xe2\x82\xac", 3, 3 },
		{ "\xf0\x9f\x98\x80", 4, 4 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 },
		{ "\xc0\x80", 2, 0 },         /* overlong NUL */
		{ "\xe0\x80\xaf", 3, 0 },     /* overlong '/' */
		{ "\xed\xa0\x80", 3, 0 },     /* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0 }, /* past U+10FFFF */
		{ "\xc3", 1, 0 },             /* truncated */
		{ "\xe2\x82", 2, 0 },
		{ "\x80", 1, 0 }, /* lone continuation */
		{ "\xff", 1, 0 },
		{ "\xc3\x28", 2, 0 }, /* bad continuation */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		cr_assert_eq(utf8_seq((const unsigned char *)t[i].s, t[i].n), t[i].len, "case %zu",
			     i);
}
