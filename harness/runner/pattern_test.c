/* Tests of case selection by pattern (pattern.c). */
#include <criterion/criterion.h>

#include "harness/runner/pattern.h"

Test(runner_pattern, globs_cover_the_whole_name)
{
	cr_expect(pattern_match("smoke/hello", "smoke/hello", "smoke"));
	cr_expect(pattern_match("smoke/h*", "smoke/hello", "smoke"));
	cr_expect(pattern_match("*hello", "smoke/hello", "smoke"), "'*' crosses '/'");
	cr_expect(pattern_match("*/sa_restart_?ipe", "signals/sa_restart_pipe", "signals"));
	cr_expect(!pattern_match("smoke/hell", "smoke/hello", "smoke"), "no implicit prefix");
	cr_expect(!pattern_match("hello", "smoke/hello", "smoke"));
}

Test(runner_pattern, family_prefix_and_bare_family)
{
	cr_expect(pattern_match("smoke/", "smoke/hello", "smoke"));
	cr_expect(pattern_match("smoke", "smoke/hello", "smoke"));
	cr_expect(!pattern_match("smoke/", "smokey/hello", "smokey"));
	cr_expect(!pattern_match("smoke", "smokey/hello", "smokey"));
	cr_expect(pattern_match("s?oke/", "smoke/hello", "smoke"), "a prefix may be a glob");
}

Test(runner_pattern, any_of_several)
{
	char *pats[] = { "memory/", "smoke/hello" };
	cr_expect(pattern_any(pats, 2, "memory/brk", "memory"));
	cr_expect(pattern_any(pats, 2, "smoke/hello", "smoke"));
	cr_expect(!pattern_any(pats, 2, "smoke/args", "smoke"));
	cr_expect(pattern_any(NULL, 0, "anything/x", "anything"), "no pattern selects all");
}
