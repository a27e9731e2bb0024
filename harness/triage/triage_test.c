/* Tests of harness triage (triage.h): reading results files, the matrix
 * and its differences, the explanations, the Markdown and HTML pages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
	struct triage t = { 0 };
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
	struct triage t = { 0 };
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
	struct triage t = { 0 };
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
	struct triage t = { 0 };
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
	struct triage t = { 0 };
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
	struct triage t = { 0 };
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
	struct triage t = { 0 };
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
	struct triage t = { 0 };
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
	t = (struct triage){ 0 };
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
	struct result_actual a = { "signal SIGSEGV", "o\n", "", "t\n" };
	struct result r[] = {
		{ .name = "smoke/a",
		  .family = "smoke",
		  .variant = "lazy",
		  .kind = RESULT_FAIL,
		  .diff = "d",
		  .actual = &a },
		{ .name = "smoke/b", .family = "smoke", .kind = RESULT_PASS },
	};
	struct fp_pair p[] = { { "kernel", "6.18" } };
	struct fingerprint fp = { p, 1 };
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	cr_assert_eq(report_json(f, &fp, r, 2), 0);
	fclose(f);
	cr_assert_null(strstr(strstr(text, "smoke/b"), "actual"), "no actual for a PASS");
	struct triage t = { 0 };
	add(&t, text, "r.json");
	cr_assert_str_eq(t.k[0].cells[0].exit, "signal SIGSEGV");
	cr_assert_str_eq(t.k[0].cells[0].out, "o\n");
	cr_assert_str_eq(t.k[0].cells[0].trace, "t\n");
	cr_assert_null(t.k[0].cells[1].exit);
	free(text);
	triage_free(&t);
}

/* A results.json and its run.json in a folder of their own, loaded as
 * `harness triage` loads them. */
static void add_file(struct triage *t, const char *dir, const char *results, const char *run)
{
	char path[300];
	snprintf(path, sizeof path, "%s/run.json", dir);
	FILE *f = fopen(path, "we");
	cr_assert_not_null(f);
	fputs(run, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/results.json", dir);
	f = fopen(path, "we");
	cr_assert_not_null(f);
	fputs(results, f);
	fclose(f);
	struct tr_kernel k;
	char *err = NULL;
	cr_assert_eq(triage_load(&k, path, &err), 0, "%s", err ? err : "?");
	cr_assert_eq(triage_add(t, &k), 0);
}

static char *tmpdir(char *tmpl)
{
	cr_assert_not_null(mkdtemp(tmpl));
	return tmpl;
}

static void rm_rf(const char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static const char k2_probes[] =
	"{\"fingerprint\": {\"kernel\": \"6.12\", \"xsave_size\": \"2696\", \"timeout_scale\": "
	"\"10\"},\n"
	"\"results\": [\n"
	"{\"name\": \"smoke/a\", \"variant\": \"lazy\", \"result\": \"FAIL\", \"diff\": \"--- "
	"expected\\n+++ actual\\n@@ -1 +1 @@\\n-a\\n+c\\n\",\n"
	" \"actual\": {\"exit\": \"exit 0\", \"stdout\": \"\", \"stderr\": \"\", \"trace\": "
	"\"c\\n\"}},\n"
	"{\"name\": \"smoke/b\", \"variant\": \"lazy\", \"result\": \"PASS\"}], \"totals\": {}}\n";

/* Three kernels as make kernels leaves them: two with run.json, one
 * that did not boot. */
static void three_kernels(struct triage *t, char *dir)
{
	char a[300], b[300];
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	cr_assert(!mkdir(a, 0755) && !mkdir(b, 0755));
	add_file(t, a, k1,
		 "{\"package\": \"linux-image-6.1\", \"boot_s\": \"8.70\", \"suite_s\": "
		 "\"610.20\", \"wall_s\": \"636.0\"}");
	add_file(t, b, k2_probes,
		 "{\"package\": \"host\", \"boot_s\": \"0\", \"suite_s\": \"42.5\"}");
	add(t, noboot, "c.json");
	cr_assert_eq(triage_build(t), 0);
}

Test(triage, per_kernel_times_probes_and_diffs,
     .description =
	     "Markdown per kernel: boot and suite time from run.json, the probes that "
	     "differ from the reference (settings such as timeout_scale left out), and "
	     "the diff of each case that differs")
{
	char tmpl[] = "/tmp/triage-test-XXXXXX", *dir = tmpdir(tmpl);
	struct triage t = { 0 };
	three_kernels(&t, dir);
	char *md = render(triage_markdown, &t);
	cr_assert(strstr(md,
			 "| time | boot 8.70 s, suite 610.20 s, wall 636.0 s | host kernel, "
			 "no boot; suite 42.5 s | no run.json |"),
		  "%s", md);
	cr_assert(strstr(md,
			 "### 6.1\n\n- run: ok; boot 8.70 s, suite 610.20 s, wall 636.0 s\n"
			 "- results: 2 PASS, 1 XFAIL\n- the reference"),
		  "%s", md);
	cr_assert(strstr(md,
			 "### 6.12\n\n- run: ok; host kernel, no boot; suite 42.5 s\n"
			 "- results: 1 PASS, 1 FAIL\n"
			 "- probes that differ: `xsave_size` 2696 (832)\n"
			 "- cases that differ: 1\n\n"
			 "#### smoke/a [lazy]: FAIL (6.1: PASS)\n\n```diff\n# 6.1 passed; 6.12: "
			 "FAIL"),
		  "%s", md);
	cr_assert_null(strstr(md, "`timeout_scale`"), "a setting is not a probe");
	cr_assert(strstr(md, "### 6.9\n\n- run: no-boot (did not reach init); no run.json\n"), "%s",
		  md);
	free(md);
	triage_free(&t);
	rm_rf(dir);
}

/* xmllint's exit status on a file, and what an XPath expression gives. */
static int xmllint(const char *args, const char *file, char *out, size_t size)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "xmllint %s '%s' 2>&1", args, file);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "xmllint (Debian libxml2-utils, make deps) cannot run");
	size_t n = fread(out, 1, size - 1, p);
	out[n] = 0;
	int st = pclose(p);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 127, "xmllint is not installed (make deps)");
	return WEXITSTATUS(st);
}

static void expect_xpath(const char *file, const char *expr, const char *want)
{
	char args[300], out[4096];
	snprintf(args, sizeof args, "--xpath '%s'", expr);
	cr_assert_eq(xmllint(args, file, out, sizeof out), 0, "%s: %s", expr, out);
	out[strcspn(out, "\n")] = 0;
	cr_assert_str_eq(out, want, "%s", expr);
}

Test(triage, html_page_parses_with_a_column_per_kernel_and_a_row_per_difference,
     .description =
	     "the page is well-formed (xmllint parses it as XML, the strict parser); "
	     "the differences table has a column per kernel and a row per differing "
	     "case, the diff in the cell of the kernel that differs")
{
	char tmpl[] = "/tmp/triage-test-XXXXXX", *dir = tmpdir(tmpl);
	struct triage t = { 0 };
	three_kernels(&t, dir);
	cr_assert_eq(t.ndiffer, 1);
	char page[300], out[4096];
	snprintf(page, sizeof page, "%s/index.html", dir);
	FILE *f = fopen(page, "w+e");
	cr_assert_not_null(f);
	triage_html(f, &t);
	rewind(f);
	char *html = NULL;
	size_t cap = 0;
	cr_assert_gt(getdelim(&html, &cap, 0, f), 0);
	fclose(f);
	cr_assert_eq(xmllint("--noout", page, out, sizeof out), 0, "%s", out);
	expect_xpath(page, "count(//table[@id=\"differences\"]/tr[1]/th)", "4");
	expect_xpath(page, "count(//table[@id=\"differences\"]/tr)", "2");
	expect_xpath(page, "count(//table[@id=\"differences\"]/tr[td])", "1");
	expect_xpath(
		page,
		"string(//table[@id=\"differences\"]/tr[td[1]=\"smoke/a [lazy]\"]/td[3]/@class)",
		"FAIL");
	expect_xpath(page, "count(//table[@id=\"differences\"]//td[3]/details/pre)", "1");
	expect_xpath(page, "count(//table[@id=\"differences\"]//td[4][@class=\"norun\"])", "1");
	expect_xpath(page, "count(//table[@id=\"matrix\"]/tr)", "4");
	expect_xpath(page, "string(//table[@id=\"kernels\"]/tr[td[1]=\"time\"]/td[2])",
		     "boot 8.70 s, suite 610.20 s, wall 636.0 s");
	expect_xpath(page, "string(//table[@id=\"kernels\"]/tr[@class=\"probes\"]/td[3])",
		     "xsave_size: 2696 (832)");
	/* The check can fail: the same page with one cell left open. */
	size_t at = (size_t)(strstr(html, "</td>") - html);
	f = fopen(page, "we");
	fwrite(html, 1, at, f);
	fputs(html + at + 5, f);
	fclose(f);
	cr_assert_neq(xmllint("--noout", page, out, sizeof out), 0, "a broken page must not parse");
	free(html);
	triage_free(&t);
	rm_rf(dir);
}

Test(triage, pids_in_a_platform_error_are_not_a_difference)
{
	struct tr_cell a = { .result = "ERROR",
			     .exit = "exit 0",
			     .trace =
				     "platform error: stub process 15501 (thread 15503) killed\n" };
	struct tr_cell b = a, c = a;
	b.trace = "platform error: stub process 77 (thread 78) killed\n";
	c.trace = "platform error: stub process 77 (thread 78) stopped\n";
	cr_assert(triage_same(&a, &b));
	cr_assert_not(triage_same(&a, &c), "the rest of the line still counts");
	c.trace = "write(1, \"15501\", 5) = 5\n";
	b.trace = "write(1, \"77\", 2) = 2\n";
	cr_assert_not(triage_same(&c, &b), "digits elsewhere still count");
}

/* A kernel whose run was interrupted: its NOTRUN cells take no part in
 * the comparison; a HOSTFAIL is a result like any other (the host fails
 * the case natively there, and not on the other kernel). */
static const char interrupted[] =
	"{\"fingerprint\": {\"kernel\": \"6.12\", \"xsave_size\": "
	"\"832\", \"interrupted\": \"SIGINT\"},\n"
	"\"results\": [\n"
	"{\"name\": \"smoke/a\", \"variant\": \"lazy\", \"result\": "
	"\"HOSTFAIL\", \"message\": \"host fails it too: native run: "
	"selfcheck: wrong exit status\\n\",\n"
	" \"actual\": {\"exit\": \"exit: 1\\n\", \"stdout\": \"\", "
	"\"stderr\": \"\", \"trace\": \"\"}},\n"
	"{\"name\": \"smoke/b\", \"variant\": \"lazy\", \"result\": "
	"\"NOTRUN\", \"message\": \"not run: the suite was interrupted "
	"by SIGINT\"},\n"
	"{\"name\": \"sig/q\", \"variant\": null, \"result\": \"NOTRUN\"}\n"
	"], \"totals\": {}}\n";

Test(triage, notrun_is_not_compared_and_hostfail_is)
{
	struct triage t = { 0 };
	add(&t, k1, "a.json");
	add(&t, interrupted, "b.json");
	cr_assert_eq(triage_build(&t), 0);
	cr_assert_eq(t.ndiffer, 1, "only smoke/a: PASS against HOSTFAIL");
	cr_assert_str_eq(t.rows[0].key, "smoke/a [lazy]");
	cr_assert_null(triage_compared(&t, row(&t, "smoke/b [lazy]"), 1));
	cr_assert_not_null(triage_compared(&t, row(&t, "smoke/b [lazy]"), 0));
	char buf[200];
	triage_counts(&t.k[1], buf, sizeof buf);
	cr_assert_str_eq(buf, "1 HOSTFAIL, 2 NOTRUN");
	char *x = triage_explain(&t, &t.rows[0], 0, 1);
	cr_assert(strstr(x, "# 6.1 passed; 6.12: HOSTFAIL"), "%s", x);
	cr_assert(strstr(x, "host fails it too: native run: selfcheck"), "%s", x);
	free(x);
	char *md = render(triage_markdown, &t);
	cr_assert(strstr(md, "| smoke/b [lazy] | PASS | NOTRUN |"), "%s", md);
	cr_assert(strstr(md, "| smoke/a [lazy] | PASS | HOSTFAIL |"), "%s", md);
	cr_assert(strstr(md, "| **interrupted** | - | SIGINT |"), "%s", md);
	cr_assert(strstr(md, "NOTRUN: not judged"), "the legend: %s", md);
	free(md);
	char *html = render(triage_html, &t);
	cr_assert(strstr(html, "<td class=\"HOSTFAIL\">HOSTFAIL</td>"), "%s", html);
	cr_assert(strstr(html, "<td class=\"NOTRUN\">NOTRUN</td>"), "%s", html);
	cr_assert(strstr(html, "td.NOTRUN{"), "coloured: %s", html);
	free(html);
	triage_free(&t);
}
