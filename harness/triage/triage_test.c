/* Tests of harness triage (triage.h): reading results files, the matrix
 * and its differences, the explanations, the Markdown and HTML pages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/results.h"
#include "harness/triage/triage.h"

#define FP(k) "{\"fingerprint\": {\"kernel\": \"" k "\", \"xsave_size\": \"832\"},\n"

static const char k1[] = FP(
    "6.1") "\"results\": [\n"
           "{\"name\": \"smoke/b\", \"family\": \"smoke\", \"variant\": \"lazy\", \"result\": "
           "\"PASS\"},\n"
           "{\"name\": \"smoke/a\", \"family\": \"smoke\", \"variant\": \"lazy\", \"result\": "
           "\"PASS\"},\n"
           "{\"name\": \"sig/q\", \"family\": \"sig\", \"variant\": null, \"result\": \"XFAIL\",\n"
           " \"actual\": {\"exit\": \"exit 1\", \"stdout\": \"\", \"stderr\": \"\", \"trace\": "
           "\"kill() = 0\\n\"}}\n"
           "], \"totals\": {}}\n";

/* smoke/a fails, sig/q fails the same way but with another trace. */
static const char k2[] = FP(
    "6.12") "\"results\": [\n"
            "{\"name\": \"smoke/a\", \"family\": \"smoke\", \"variant\": \"lazy\", \"result\": "
            "\"FAIL\",\n"
            " \"message\": \"trace differs\", \"diff\": \"--- expected\\n+++ actual\\n@@ -1 +1 "
            "@@\\n-a|<b>\\n+c\\n\",\n"
            " \"actual\": {\"exit\": \"exit 0\", \"stdout\": \"\", \"stderr\": \"\", \"trace\": "
            "\"c\\n\"}},\n"
            "{\"name\": \"smoke/b\", \"family\": \"smoke\", \"variant\": \"lazy\", \"result\": "
            "\"PASS\"},\n"
            "{\"name\": \"sig/q\", \"family\": \"sig\", \"variant\": null, \"result\": \"XFAIL\",\n"
            " \"actual\": {\"exit\": \"exit 1\", \"stdout\": \"\", \"stderr\": \"\", \"trace\": "
            "\"kill() = -3\\n\"}}\n"
            "], \"totals\": {}}\n";

static const char noboot[] =
    "{\"fingerprint\": {\"kernel\": \"6.9\", \"kernel_run\": \"no-boot\",\n"
    " \"kernel_run_reason\": \"did not reach init\", \"console_tail\": \"Kernel panic\"},\n"
    " \"results\": [], \"totals\": {}}\n";

static void add(struct triage *t, const char *text, const char *path)
{
	struct tr_kernel k;
	char *err = NULL;
	cr_assert_eq(triage_parse(&k, text, path, &err), 0, "%s", err ? err : "?");
	cr_assert_eq(triage_add(t, &k), 0);
}

static const struct tr_row *row(const struct triage *t, const char *key)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].key, key))
			return &t->rows[i];
	cr_assert_fail("no row %s", key);
	return NULL;
}

static char *render(void (*fn)(FILE *, const struct triage *), const struct triage *t)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	fn(f, t);
	fclose(f);
	return p;
}

Test(triage, parse_sorts_and_keeps_fingerprint)
{
	struct triage t = {0};
	add(&t, k1, "a.json");
	const struct tr_kernel *k = &t.k[0];
	cr_assert_str_eq(k->label, "6.1");
	cr_assert_str_eq(k->status, "ok");
	cr_assert_eq(k->nres, 3);
	cr_assert_str_eq(k->keys[0], "sig/q");
	cr_assert_str_eq(k->keys[1], "smoke/a [lazy]");
	cr_assert_str_eq(k->cells[0].trace, "kill() = 0\n");
	cr_assert_null(k->cells[1].trace);
	cr_assert_str_eq(triage_fp_get(k, "xsave_size"), "832");
	triage_free(&t);
}

Test(triage, parse_errors_name_the_file)
{
	struct tr_kernel k;
	char *err = NULL;
	cr_assert_eq(triage_parse(&k, "{\"fingerprint\": {}, \n\"results\": [", "x.json", &err),
	             -1);
	cr_assert(strstr(err, "x.json:2:"), "%s", err);
	free(err);
	triage_kernel_free(&k);
	cr_assert_eq(triage_parse(&k, "{\"results\": []}", "y.json", &err), -1);
	cr_assert(strstr(err, "y.json: not a harness results file"), "%s", err);
	free(err);
	triage_kernel_free(&k);
	cr_assert_eq(triage_parse(&k, "{\"fingerprint\": {}, \"results\": [{}]}", "z.json", &err),
	             -1);
	cr_assert(strstr(err, "result 1 has no name"), "%s", err);
	free(err);
	triage_kernel_free(&k);
}

Test(triage, same_results_do_not_differ)
{
	struct triage t = {0};
	add(&t, k1, "a.json");
	add(&t, k1, "b.json");
	cr_assert_eq(triage_build(&t), 0);
	cr_assert_eq(t.ndiffer, 0);
	cr_assert_eq(t.nrows, 3);
	cr_assert_str_eq(t.k[1].label, "6.1 (2)",
	                 "a rerun of the same kernel keeps its own column");
	triage_free(&t);
}

Test(triage, differences_come_first)
{
	struct triage t = {0};
	add(&t, k1, "a.json");
	add(&t, k2, "b.json");
	cr_assert_eq(triage_build(&t), 0);
	cr_assert_eq(t.ndiffer, 2, "a result and, with the same result, a trace");
	cr_assert(t.rows[0].differs && t.rows[1].differs && !t.rows[2].differs);
	cr_assert_str_eq(t.rows[0].key, "sig/q");
	cr_assert_str_eq(t.rows[1].key, "smoke/a [lazy]");
	cr_assert_str_eq(t.rows[2].key, "smoke/b [lazy]");
	triage_free(&t);
}

Test(triage, kernel_without_results_is_not_compared)
{
	struct triage t = {0};
	add(&t, k1, "a.json");
	add(&t, noboot, "c.json");
	cr_assert_eq(triage_build(&t), 0);
	cr_assert_not(triage_ran(&t, 1));
	cr_assert_str_eq(t.k[1].status, "no-boot");
	cr_assert_eq(t.ndiffer, 0);
	char *md = render(triage_markdown, &t);
	cr_assert(strstr(md, "| run | ok | no-boot: did not reach init |"), "%s", md);
	cr_assert(strstr(md, "| smoke/a [lazy] | PASS | no-boot |"), "%s", md);
	cr_assert(strstr(md, "Kernel panic"), "the console tail is shown");
	free(md);
	triage_free(&t);
}

Test(triage, missing_cell_is_not_a_difference)
{
	struct triage t = {0};
	add(&t, k1, "a.json");
	add(&t,
	    FP("6.12") "\"results\": [{\"name\": \"smoke/a\", \"variant\": \"lazy\", "
	               "\"result\": \"PASS\"}]}",
	    "b.json");
	cr_assert_eq(triage_build(&t), 0);
	cr_assert_eq(t.ndiffer, 0);
	cr_assert_null(row(&t, "sig/q")->cells[1]);
	triage_free(&t);
}

Test(triage, explain_pass_against_fail_uses_the_expected_diff)
{
	struct triage t = {0};
	add(&t, k1, "a.json");
	add(&t, k2, "b.json");
	cr_assert_eq(triage_build(&t), 0);
	char *x = triage_explain(&t, row(&t, "smoke/a [lazy]"), 0, 1);
	cr_assert(strstr(x, "# 6.1 passed; 6.12: FAIL"), "%s", x);
	cr_assert(strstr(x, "--- expected\n+++ actual\n@@ -1 +1 @@\n-a|<b>\n+c\n"), "%s", x);
	free(x);
	triage_free(&t);
}

Test(triage, explain_two_traces_diffs_them)
{
	struct triage t = {0};
	add(&t, k1, "a.json");
	add(&t, k2, "b.json");
	cr_assert_eq(triage_build(&t), 0);
	char *x = triage_explain(&t, row(&t, "sig/q"), 0, 1);
	cr_assert(strstr(x, "--- 6.1\n+++ 6.12\n"), "%s", x);
	cr_assert(strstr(x, "-kill() = 0\n+kill() = -3\n"), "%s", x);
	free(x);
	triage_free(&t);
}

Test(triage, markdown_and_html_escape_and_colour)
{
	struct triage t = {0};
	add(&t, k1, "a.json");
	add(&t, k2, "b.json");
	cr_assert_eq(triage_build(&t), 0);
	char *md = render(triage_markdown, &t);
	cr_assert(strstr(md, "2 behave differently"), "%s", md);
	cr_assert(strstr(md, "| smoke/a [lazy] | PASS | FAIL |"), "%s", md);
	cr_assert(strstr(md, "```diff\n"), "%s", md);
	free(md);
	char *html = render(triage_html, &t);
	cr_assert(strstr(html, "<td class=\"FAIL\">FAIL</td>"), "%s", html);
	cr_assert(strstr(html, "-a|&lt;b&gt;"), "diff text is escaped");
	cr_assert_null(strstr(html, "<b>"), "no raw markup from the input");
	cr_assert_null(strstr(html, "http"), "self-contained: nothing fetched");
	cr_assert(strstr(html, "<a href=\"#d0\">"), "differing rows link to their diff");
	free(html);
	triage_free(&t);
	t = (struct triage){0};
	add(&t, FP("x") "\"results\": [{\"name\": \"a/b\", \"result\": \"<i>\"}]}", "x.json");
	cr_assert_eq(triage_build(&t), 0);
	html = render(triage_html, &t);
	cr_assert(strstr(html, "<td class=\"none\">&lt;i&gt;</td>"),
	          "an unknown result is escaped");
	free(html);
	triage_free(&t);
}

/* report_json writes "actual" for a result that has it, and triage reads
 * it back: the two ends of the format agree. */
Test(triage, reads_what_report_json_writes)
{
	struct result_actual a = {"signal SIGSEGV", "o\n", "", "t\n"};
	struct result r[] = {
	    {.name = "smoke/a",
	     .family = "smoke",
	     .variant = "lazy",
	     .kind = RESULT_FAIL,
	     .diff = "d",
	     .actual = &a},
	    {.name = "smoke/b", .family = "smoke", .kind = RESULT_PASS},
	};
	struct fp_pair p[] = {{"kernel", "6.18"}};
	struct fingerprint fp = {p, 1};
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	cr_assert_eq(report_json(f, &fp, r, 2), 0);
	fclose(f);
	cr_assert_null(strstr(strstr(text, "smoke/b"), "actual"), "no actual for a PASS");
	struct triage t = {0};
	add(&t, text, "r.json");
	cr_assert_str_eq(t.k[0].cells[0].exit, "signal SIGSEGV");
	cr_assert_str_eq(t.k[0].cells[0].out, "o\n");
	cr_assert_str_eq(t.k[0].cells[0].trace, "t\n");
	cr_assert_null(t.k[0].cells[1].exit);
	free(text);
	triage_free(&t);
}
