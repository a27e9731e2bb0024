/* Command-line options of suite, list and bless. */
#ifndef HARNESS_RUNNER_CLI_H
#define HARNESS_RUNNER_CLI_H

#include <stdbool.h>

#include "harness/util/words.h"

/* Which options a subcommand accepts. */
enum {
	CLI_SUITE = 1u << 0,
	CLI_LIST = 1u << 1,
	CLI_BLESS = 1u << 2,
};

#define CLI_DEFAULT_TIMEOUT_MS 10000u
#define CLI_SCALE_ENV "HARNESS_TIMEOUT_SCALE"

struct runner_opts {
	const char *cmd;       /* argv[0]: "suite", ... */
	unsigned jobs;         /* -j: at most this many children at once */
	unsigned timeout_ms;   /* --timeout: for cases without timeout: */
	double scale;          /* --timeout-scale or $HARNESS_TIMEOUT_SCALE */
	struct words variants; /* --variant, in order; empty: all */
	const char *report_dir;
	const char *cases_dir;
	const char *fixtures_dir;
	unsigned repeat;     /* --repeat: runs per case and variant */
	bool cpuid_faulting; /* --cpuid-faulting: P27 on for every case */
	bool no_cpu_binding; /* --no-cpu-binding: P26 off for every case */
	char **args;         /* patterns or case names, NULL-terminated */
	int nargs;
	bool help; /* -h/--help: usage was printed, exit 0 */
};

/* Fills o from argv (argv[0] is the subcommand). 0, or EXIT_USER after
 * printing the one-line error. With -h or --help it prints the usage to
 * stdout and sets o->help: the caller then returns 0. The option beats the environment for the
 * timeout scale: a command line is the more deliberate of the two. */
int cli_parse(int argc, char **argv, unsigned which, struct runner_opts *o);
void cli_free(struct runner_opts *o);

/* Case timeout in ms after scaling: the case's own or the default. */
unsigned long cli_case_timeout(const struct runner_opts *o, unsigned case_ms);

/* Parsers shared with the tests: 0 on success, -1 on a bad value. */
int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out);
int cli_parse_seconds(const char *s, unsigned *ms);
int cli_parse_scale(const char *s, double *out);

#endif
