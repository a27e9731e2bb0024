/* Tests of the cost file (costs.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner/costs.h"

static const char *parse_err(const char *text)
{
	static char err[256];
	struct costs c;
	cr_assert_eq(costs_parse("cases/costs.txt", text, strlen(text), &c, err, sizeof err), -1,
		     "accepted: %s", text);
	cr_assert_eq(c.n, 0);
	return err;
}

Test(runner_costs, parses_lines_comments_and_blanks)
{
	const char text[] = "# header\n\nsmoke/hello 12\n  memory/brk\t3400  \nfaults/x 0";
	char err[256] = "";
	struct costs c;
	cr_assert_eq(costs_parse("c", text, strlen(text), &c, err, sizeof err), 0, "%s", err);
	cr_expect_eq(c.n, 3);
	cr_expect_eq(costs_get(&c, "smoke/hello"), 12);
	cr_expect_eq(costs_get(&c, "memory/brk"), 3400);
	cr_expect_eq(costs_get(&c, "faults/x"), 0, "last line without newline");
	cr_expect_eq(costs_get(&c, "smoke/none"), -1);
	costs_free(&c);
}

Test(runner_costs, bad_lines_name_file_and_line)
{
	cr_expect_str_eq(parse_err("a/b 1\na/c\n"),
			 "cases/costs.txt:2: expected 'NAME MILLISECONDS'");
	cr_expect_str_eq(parse_err("a/b 1 2\n"), "cases/costs.txt:1: expected 'NAME MILLISECONDS'");
	cr_expect_str_eq(parse_err("# x\na/b -1\n"), "cases/costs.txt:2: bad milliseconds");
	cr_expect_str_eq(parse_err("a/b 1x\n"), "cases/costs.txt:1: bad milliseconds");
	cr_expect_str_eq(parse_err("a/b 99999999999\n"), "cases/costs.txt:1: bad milliseconds");
	cr_expect_str_eq(parse_err("a/b 1\na/b 2\n"), "cases/costs.txt:2: case listed twice");
}

Test(runner_costs, missing_file_is_empty)
{
	char err[256];
	struct costs c;
	cr_expect_eq(costs_load("/nonexistent/costs.txt", &c, err, sizeof err), 0);
	cr_expect_eq(c.n, 0);
}

Test(runner_costs, slowest_first_unknown_first_ties_by_name)
{
	struct costs c = { 0 };
	costs_set(&c, "a/fast", 5);
	costs_set(&c, "a/slow", 900);
	costs_set(&c, "b/slow", 900);
	costs_set(&c, "a/mid", 40);
	const char *names[] = { "a/fast", "b/slow", "z/new", "a/mid", "a/slow", "a/new" };
	size_t order[6];
	costs_order(&c, names, 6, order);
	const char *want[] = { "a/new", "z/new", "a/slow", "b/slow", "a/mid", "a/fast" };
	for (size_t i = 0; i < 6; i++)
		cr_expect_str_eq(names[order[i]], want[i], "position %zu", i);
	costs_free(&c);
}

static int keep_a(const char *name, void *arg)
{
	(void)arg;
	return name[0] == 'a';
}

Test(runner_costs, update_filter_and_format_round_trip)
{
	struct costs c = { 0 }, back;
	char err[256];
	costs_set(&c, "b/x", 1);
	costs_set(&c, "a/y", 2);
	costs_set(&c, "a/x", 3);
	costs_set(&c, "b/x", 7);
	cr_expect_eq(costs_get(&c, "b/x"), 7, "set replaces");
	char *text = costs_format(&c);
	cr_assert_not_null(text);
	cr_expect(strstr(text, "a/x 3\na/y 2\nb/x 7\n"), "sorted by name: %s", text);
	cr_assert_eq(costs_parse("t", text, strlen(text), &back, err, sizeof err), 0, "%s", err);
	cr_expect_eq(back.n, 3);
	costs_filter(&c, keep_a, NULL);
	cr_expect_eq(c.n, 2);
	cr_expect_eq(costs_get(&c, "b/x"), -1);
	free(text);
	costs_free(&c);
	costs_free(&back);
}
