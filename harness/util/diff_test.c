/* Tests of the unified diff (diff.c) and its Myers core (myers.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/util/diff.h"
#include "harness/util/hbuf.h"
#include "harness/util/myers.h"

static char *diff(const char *a, const char *b)
{
	char *d = diff_unified(a, strlen(a), b, strlen(b), NULL);
	cr_assert_not_null(d);
	return d;
}

static void expect(const char *a, const char *b, const char *want)
{
	char *d = diff(a, b);
	cr_assert_str_eq(d, want, "diff of\n%s--- and\n%s", a, b);
	free(d);
}

Test(diff, identical_texts_give_nothing)
{
	expect("", "", "");
	expect("a\nb\n", "a\nb\n", "");
	expect("no newline", "no newline", "");
}

Test(diff, simple_change)
{
	expect("a\nb\nc\n", "a\nB\nc\n",
	       "--- expected\n+++ actual\n"
	       "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
}

Test(diff, context_is_three_lines)
{
	expect("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
	       "--- expected\n+++ actual\n"
	       "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
}

Test(diff, insertion_at_start_and_end)
{
	expect("a\nb\n", "new\na\nb\n",
	       "--- expected\n+++ actual\n@@ -1,2 +1,3 @@\n+new\n a\n b\n");
	expect("a\nb\n", "a\nb\nnew\n",
	       "--- expected\n+++ actual\n@@ -1,2 +1,3 @@\n a\n b\n+new\n");
}

Test(diff, deletion_at_start_and_end)
{
	expect("old\na\nb\n", "a\nb\n",
	       "--- expected\n+++ actual\n@@ -1,3 +1,2 @@\n-old\n a\n b\n");
	expect("a\nb\nold\n", "a\nb\n",
	       "--- expected\n+++ actual\n@@ -1,3 +1,2 @@\n a\n b\n-old\n");
}

Test(diff, empty_sides_use_line_before)
{
	expect("", "a\n", "--- expected\n+++ actual\n@@ -0,0 +1 @@\n+a\n");
	expect("a\nb\n", "", "--- expected\n+++ actual\n@@ -1,2 +0,0 @@\n-a\n-b\n");
}

Test(diff, missing_final_newline)
{
	expect("a\nb\n", "a\nb",
	       "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n"
	       "\\ No newline at end of file\n");
	expect("x", "y",
	       "--- expected\n+++ actual\n@@ -1 +1 @@\n-x\n"
	       "\\ No newline at end of file\n+y\n\\ No newline at end of file\n");
}

Test(diff, separate_and_merged_hunks)
{
	/* 7 equal lines between changes: two hunks; 6: one. */
	expect("a\n1\n2\n3\n4\n5\n6\n7\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\nB\n",
	       "--- expected\n+++ actual\n"
	       "@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n"
	       "@@ -6,4 +6,4 @@\n 5\n 6\n 7\n-b\n+B\n");
	expect("a\n1\n2\n3\n4\n5\n6\nb\n", "A\n1\n2\n3\n4\n5\n6\nB\n",
	       "--- expected\n+++ actual\n"
	       "@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n 4\n 5\n 6\n-b\n+B\n");
}

Test(diff, nul_bytes_are_shown)
{
	char *d = diff_unified("a\0b\n", 4, "ab\n", 3, NULL);
	cr_assert_str_eq(d, "--- expected\n+++ actual\n@@ -1 +1 @@\n-a\\x00b\n+ab\n");
	free(d);
}

Test(diff, truncation_is_announced)
{
	struct diff_limits lim = { 3, 1000 };
	char *d = diff_unified("a\nb\nc\n", 6, "x\ny\nz\n", 6, &lim);
	cr_assert_str_eq(d,
			 "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n-a\n-b\n"
			 "... 4 more lines of diff not shown\n");
	free(d);

	lim = (struct diff_limits){ 100, 20 }; /* bytes: header 16, "-a\n" 3 */
	d = diff_unified("a\nb\n", 4, "", 0, &lim);
	cr_assert_str_eq(d,
			 "--- expected\n+++ actual\n@@ -1,2 +0,0 @@\n-a\n"
			 "... 1 more lines of diff not shown\n");
	free(d);
}

static char *numbered(size_t n, size_t change_every, const char *tag)
{
	struct hbuf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (change_every && i % change_every == change_every / 2)
			hbuf_printf(&b, "%s line %zu\n", tag, i);
		else
			hbuf_printf(&b, "trace line %zu\n", i);
	}
	return hbuf_take(&b, NULL);
}

static size_t count(const char *s, const char *prefix)
{
	size_t k = 0, n = strlen(prefix);
	for (const char *p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		k += !strncmp(p, prefix, n);
	return k;
}

Test(diff, large_inputs_with_few_changes)
{
	char *a = numbered(10000, 1000, "old"), *b = numbered(10000, 1000, "new");
	struct diff_limits lim = { 100000, 10u << 20 };
	clock_t t0 = clock();
	char *d = diff_unified(a, strlen(a), b, strlen(b), &lim);
	double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
	cr_assert_not_null(d);
	cr_assert_eq(count(d, "@@ "), 10, "one hunk per change");
	cr_assert_eq(count(d, "-old line "), 10);
	cr_assert_eq(count(d, "+new line "), 10);
	cr_assert_eq(count(d, " trace line "), 60);
	cr_assert_lt(s, 1.0, "took %.2f s", s);
	free(a);
	free(b);
	free(d);
}

Test(diff, large_inputs_all_different)
{
	char *a = numbered(10000, 1, "old"), *b = numbered(10000, 1, "new");
	clock_t t0 = clock();
	char *d = diff_unified(a, strlen(a), b, strlen(b), NULL);
	double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
	cr_assert_not_null(d);
	/* 1 hunk header + 20000 lines, DIFF_MAX_LINES shown */
	char want[64];
	snprintf(want, sizeof want, "... %d more lines of diff not shown\n",
		 20001 - DIFF_MAX_LINES);
	cr_assert_str_eq(d + strlen(d) - strlen(want), want);
	cr_assert_eq(count(d, "-old line "), DIFF_MAX_LINES - 1);
	cr_assert_lt(s, 5.0, "took %.2f s", s);
	free(a);
	free(b);
	free(d);
}

/* Length of a longest common subsequence, the slow obvious way. */
static size_t lcs(const size_t *a, size_t n, const size_t *b, size_t m)
{
	size_t *row = calloc(m + 1, sizeof *row), best;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = 0;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			row[j] = a[i - 1] == b[j - 1] ? diag + 1
						      : (row[j] > row[j - 1] ? row[j] : row[j - 1]);
			diag = up;
		}
	}
	best = row[m];
	free(row);
	return best;
}

/* On random sequences: the unmarked elements of a and b are the same
 * sequence (a valid edit script) and as long as a longest common
 * subsequence (a shortest one). */
Test(myers, edit_script_is_valid_and_shortest)
{
	unsigned seed = 7;
	for (int iter = 0; iter < 2000; iter++) {
		size_t n = (size_t)(rand_r(&seed) % 30), m = (size_t)(rand_r(&seed) % 30);
		size_t alpha = 1 + (size_t)(rand_r(&seed) % 5), a[30], b[30];
		for (size_t i = 0; i < n; i++)
			a[i] = (size_t)rand_r(&seed) % alpha;
		for (size_t j = 0; j < m; j++)
			b[j] = (size_t)rand_r(&seed) % alpha;
		char del[30] = { 0 }, ins[30] = { 0 };
		cr_assert_eq(myers_diff(a, n, b, m, del, ins), 0);
		size_t i = 0, j = 0, kept = 0;
		for (;;) {
			while (i < n && del[i])
				i++;
			while (j < m && ins[j])
				j++;
			if (i == n || j == m)
				break;
			cr_assert_eq(a[i], b[j], "iteration %d: kept elements differ", iter);
			i++, j++, kept++;
		}
		cr_assert(i == n && j == m, "iteration %d: unequal kept counts", iter);
		cr_assert_eq(kept, lcs(a, n, b, m), "iteration %d: not shortest", iter);
	}
}

/* Apply a unified diff to a, the way patch would; the result. */
static char *apply(const char *a, const char *d)
{
	struct hbuf out = { 0 };
	const char *ap = a; /* next unread line of a */
	size_t aline = 0;   /* its number, from 0 */
	char last = 0;
	const char *p = strchr(strchr(d, '\n') + 1, '\n') + 1; /* skip headers */
	for (; *p; p = strchr(p, '\n') + 1) {
		size_t len = (size_t)(strchr(p, '\n') - p);
		if (*p == '@') {
			size_t start, count = 1;
			cr_assert(sscanf(p, "@@ -%zu,%zu", &start, &count) >= 1);
			size_t to = count ? start - 1 : start;
			for (; aline < to; aline++) {
				const char *nl = strchr(ap, '\n');
				size_t n = nl ? (size_t)(nl - ap) + 1 : strlen(ap);
				hbuf_add(&out, ap, n);
				ap += n;
			}
			continue;
		}
		if (*p == '\\') { /* the line before had no newline */
			if (last != '-')
				out.len--;
			continue;
		}
		if (*p == ' ' || *p == '-') {
			const char *nl = strchr(ap, '\n');
			size_t n = nl ? (size_t)(nl - ap) : strlen(ap);
			cr_assert(n == len - 1 && !memcmp(ap, p + 1, n),
				  "context or deleted line does not match");
			ap += n + (nl != NULL);
			aline++;
		}
		if (*p == ' ' || *p == '+') {
			hbuf_add(&out, p + 1, len - 1);
			hbuf_putc(&out, '\n');
		}
		last = *p;
	}
	hbuf_puts(&out, ap);
	return hbuf_take(&out, NULL);
}

/* On random texts (lines from a small set, some unique to one side, the
 * last line sometimes without newline): the diff turns a into b, and it
 * changes no more lines than a longest common subsequence leaves. */
Test(diff, random_texts_patch_back_with_fewest_changes)
{
	static const struct diff_limits all = { (size_t)-1, (size_t)-1 };
	unsigned seed = 99;
	for (int iter = 0; iter < 500; iter++) {
		size_t n[2] = { (size_t)(rand_r(&seed) % 25), (size_t)(rand_r(&seed) % 25) };
		size_t ids[2][25];
		struct hbuf t[2] = { { 0 } };
		for (int s = 0; s < 2; s++) {
			for (size_t i = 0; i < n[s]; i++) {
				size_t v = (size_t)(rand_r(&seed) % 6);
				ids[s][i] = v == 5 ? 100 + 25 * (size_t)s + i : v;
				hbuf_printf(&t[s], "%zu\n", ids[s][i]);
			}
			if (n[s] && rand_r(&seed) % 4 == 0) {
				t[s].len--; /* no newline at the end */
				ids[s][n[s] - 1] += 1000;
			}
			hbuf_putc(&t[s], 0);
			t[s].len--;
		}
		char *d = diff_unified(t[0].p, t[0].len, t[1].p, t[1].len, &all);
		cr_assert_not_null(d);
		size_t changed = 0;
		for (const char *p = d; *p; p = strchr(p, '\n') + 1)
			changed += (*p == '-' || *p == '+');
		changed -= *d ? 2 : 0; /* the headers */
		cr_assert_eq(changed, n[0] + n[1] - 2 * lcs(ids[0], n[0], ids[1], n[1]),
			     "iteration %d: not shortest:\n%s", iter, d);
		if (*d) {
			char *b = apply(t[0].p, d);
			cr_assert_str_eq(b, t[1].p, "iteration %d:\n%s", iter, d);
			free(b);
		}
		free(d);
		hbuf_free(&t[0]);
		hbuf_free(&t[1]);
	}
}
