/* The harness command line: run one program, or run the suite. */
#include <stdio.h>
#include <string.h>

#include "harness/cli/cmd_run.h"
#include "harness/runner/runner.h"
#include "harness/triage/triage.h"

static int usage(FILE *f, int status)
{
	fprintf(f,
		"usage: harness run [--trace FILE] [--verbose] [--full-state] -- PROGRAM [ARGS...]\n"
		"       harness suite [-j N] [--timeout S] [--variant NAME] [--report-dir DIR] "
		"[PATTERN...]\n"
		"       harness soak [--rounds N] [SUITE OPTIONS] [PATTERN...]\n"
		"       harness list [PATTERN...]\n"
		"       harness bless CASE...\n"
		"       harness triage [--html FILE | --no-html] RESULTS.json...\n"
		"       harness triage bisect CASE [--variant V] --good PKG --bad PKG [--runner "
		"PROG]\n");
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 2);
	const char *cmd = argv[1];
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "suite"))
		return cmd_suite(argc - 1, argv + 1);
	if (!strcmp(cmd, "soak"))
		return cmd_soak(argc - 1, argv + 1);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "bless"))
		return cmd_bless(argc - 1, argv + 1);
	if (!strcmp(cmd, "triage"))
		return cmd_triage(argc - 1, argv + 1);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help"))
		return usage(stdout, 0);
	fprintf(stderr, "harness: unknown command '%s'\n", cmd);
	return usage(stderr, 2);
}
