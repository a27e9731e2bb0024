/* Tests of the command-line parsers (cli.c, exitstat.c, textcut.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness/cli/options.h"
#include "harness/runner/exitstat.h"
#include "harness/util/textcut.h"

Test(runner_cli, seconds_like_case_files)
{
	unsigned ms;
	cr_expect_eq(cli_parse_seconds("2", &ms), 0);
	cr_expect_eq(ms, 2000);
	cr_expect_eq(cli_parse_seconds("2.5", &ms), 0);
	cr_expect_eq(ms, 2500);
	cr_expect_eq(cli_parse_seconds("0.125", &ms), 0);
	cr_expect_eq(ms, 125);
	cr_expect_eq(cli_parse_seconds("0", &ms), -1);
	cr_expect_eq(cli_parse_seconds("1.2345", &ms), -1);
	cr_expect_eq(cli_parse_seconds("1.", &ms), -1);
	cr_expect_eq(cli_parse_seconds("-1", &ms), -1);
	cr_expect_eq(cli_parse_seconds("1s", &ms), -1);
	cr_expect_eq(cli_parse_seconds("86401", &ms), -1);
}

Test(runner_cli, numbers_and_scale)
{
	unsigned n;
	double f;
	cr_expect_eq(cli_parse_uint("8", 1, 1024, &n), 0);
	cr_expect_eq(n, 8);
	cr_expect_eq(cli_parse_uint("0", 1, 1024, &n), -1);
	cr_expect_eq(cli_parse_uint("+3", 1, 1024, &n), -1);
	cr_expect_eq(cli_parse_uint(" 3", 1, 1024, &n), -1);
	cr_expect_eq(cli_parse_scale("2.5", &f), 0);
	cr_expect_eq(f, 2.5);
	cr_expect_eq(cli_parse_scale("0", &f), -1);
	cr_expect_eq(cli_parse_scale("nan", &f), -1);
	cr_expect_eq(cli_parse_scale("inf", &f), -1);
}

Test(runner_cli, options_patterns_and_environment)
{
	struct runner_opts o;
	char *argv[] = { "suite",     "smoke/", "-j",       "3", "--variant", "lazy",
			 "--timeout", "1.5",    "--repeat", "2", "memory/",   NULL };
	setenv(CLI_SCALE_ENV, "4", 1);
	cr_assert_eq(cli_parse(11, argv, CLI_SUITE, &o), 0);
	cr_expect_eq(o.jobs, 3);
	cr_expect_eq(o.timeout_ms, 1500);
	cr_expect_eq(o.scale, 4.0, "from the environment");
	cr_expect_eq(o.repeat, 2);
	cr_expect_eq(o.variants.n, 1);
	cr_expect_str_eq(o.cases_dir, "cases");
	cr_expect_str_eq(o.fixtures_dir, "build/fixtures");
	cr_expect_str_eq(o.report_dir, "reports");
	cr_assert_eq(o.nargs, 2);
	cr_expect_str_eq(o.args[0], "smoke/");
	cr_expect_str_eq(o.args[1], "memory/");
	cr_expect_eq(cli_case_timeout(&o, 0), 6000, "the default, scaled");
	cr_expect_eq(cli_case_timeout(&o, 250), 1000, "the case's own, scaled");
	cli_free(&o);
	char *argv2[] = { "suite", "--timeout-scale", "0.5", NULL };
	cr_assert_eq(cli_parse(3, argv2, CLI_SUITE, &o), 0);
	cr_expect_eq(o.scale, 0.5, "the option beats the environment");
	cli_free(&o);
	setenv(CLI_SCALE_ENV, "fast", 1);
	cr_expect_eq(cli_parse(1, argv2, CLI_SUITE, &o), 2);
	unsetenv(CLI_SCALE_ENV);
}

Test(runner_cli, options_per_subcommand)
{
	struct runner_opts o;
	char *list[] = { "list", "-j", "2", NULL };
	cr_expect_eq(cli_parse(3, list, CLI_LIST, &o), 2, "list has no -j");
	char *bless[] = { "bless", "--fixtures", "x", "smoke/hello", NULL };
	cr_assert_eq(cli_parse(4, bless, CLI_BLESS, &o), 0);
	cr_expect_str_eq(o.fixtures_dir, "x");
	cli_free(&o);
	char *missing[] = { "suite", "--repeat", NULL };
	cr_expect_eq(cli_parse(2, missing, CLI_SUITE, &o), 2);
	char *bless_cpuid[] = { "bless", "--cpuid-faulting", "smoke/hello", NULL };
	cr_expect_eq(cli_parse(3, bless_cpuid, CLI_BLESS, &o), 2, "the switches are the suite's");
}

Test(runner_cli, platform_switches)
{
	struct runner_opts o;
	char *none[] = { "suite", NULL };
	cr_assert_eq(cli_parse(1, none, CLI_SUITE, &o), 0);
	cr_expect(!o.cpuid_faulting, "P27 is off by default");
	cr_expect(!o.no_cpu_binding, "P26 is on by default");
	cli_free(&o);
	char *both[] = { "suite", "--cpuid-faulting", "smoke/", "--no-cpu-binding", NULL };
	cr_assert_eq(cli_parse(4, both, CLI_SUITE, &o), 0);
	cr_expect(o.cpuid_faulting);
	cr_expect(o.no_cpu_binding);
	cr_expect_eq(o.nargs, 1);
	cli_free(&o);
}

Test(runner_exitstat, texts_and_comparisons)
{
	char buf[EXITSTAT_LEN];
	struct sentry_result code = { .kind = SENTRY_EXITED, .status = 3 };
	struct sentry_result segv = { .kind = SENTRY_SIGNALED, .status = 11, .core = true };
	struct sentry_result rt = { .kind = SENTRY_SIGNALED, .status = 34 };
	cr_expect_str_eq(exitstat_text(&code, buf), "exit: 3\n");
	cr_expect_str_eq(exitstat_text(&segv, buf), "exit: signal SIGSEGV core\n");
	cr_expect_str_eq(exitstat_text(&rt, buf), "exit: signal SIGRTMIN+2\n");
	struct case_exit e = exitstat_to_case(&segv);
	cr_expect(exitstat_matches(&e, &segv));
	cr_expect(!exitstat_matches(&e, &code));
	struct sentry_result segv_nocore = segv;
	segv_nocore.core = false;
	cr_expect(!exitstat_equal(&segv, &segv_nocore), "the core flag counts");
	struct sentry_result err = { .kind = SENTRY_ERROR };
	cr_expect(!exitstat_equal(&err, &err));
}

Test(runner_exitstat, host_core_flag_follows_the_signal_not_rlimit)
{
	/* Killed by SIGSEGV without a core file (RLIMIT_CORE 0): status 11. */
	struct sentry_result r = exitstat_from_wait(11);
	cr_expect_eq(r.kind, SENTRY_SIGNALED);
	cr_expect_eq(r.status, 11);
	cr_expect(r.core);
	r = exitstat_from_wait(15); /* SIGTERM: terminate, no core */
	cr_expect(!r.core);
	r = exitstat_from_wait(7 << 8);
	cr_expect_eq(r.kind, SENTRY_EXITED);
	cr_expect_eq(r.status, 7);
}

Test(runner_textcut, head_and_tail)
{
	struct hbuf b = { 0 };
	const char t[] = "1\n2\n3\n4\n5";
	textcut_head(&b, t, strlen(t), 2);
	textcut_tail(&b, t, strlen(t), 2);
	textcut_tail(&b, t, strlen(t), 9);
	char *s = hbuf_take(&b, NULL);
	cr_expect_str_eq(s, "1\n2\n... 3 more lines\n... 3 lines before\n4\n5\n1\n2\n3\n4\n5\n");
	free(s);
}
