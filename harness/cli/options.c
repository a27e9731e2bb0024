/* Command-line options (see cli.h and runner.h). */
#include "harness/cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/util/uerror.h"

#define MAX_JOBS 1024u
#define MAX_REPEAT 1000u
#define MAX_TIMEOUT_S 86400u /* a day: anything longer is a typo */
#define MAX_SCALE 1000.0

enum {
	OPT_TIMEOUT = 256,
	OPT_SCALE,
	OPT_VARIANT,
	OPT_REPORT,
	OPT_CASES,
	OPT_FIXTURES,
	OPT_REPEAT,
	OPT_CPUID_FAULTING,
	OPT_NO_CPU_BINDING
};

struct optdef {
	struct option o;
	unsigned which; /* CLI_* subcommands that accept it */
};

static const struct optdef optdefs[] = {
	{ { "help", no_argument, NULL, 'h' }, CLI_SUITE | CLI_LIST | CLI_BLESS },
	{ { "jobs", required_argument, NULL, 'j' }, CLI_SUITE },
	{ { "timeout", required_argument, NULL, OPT_TIMEOUT }, CLI_SUITE | CLI_BLESS },
	{ { "timeout-scale", required_argument, NULL, OPT_SCALE }, CLI_SUITE | CLI_BLESS },
	{ { "variant", required_argument, NULL, OPT_VARIANT }, CLI_SUITE },
	{ { "report-dir", required_argument, NULL, OPT_REPORT }, CLI_SUITE },
	{ { "cases", required_argument, NULL, OPT_CASES }, CLI_SUITE | CLI_LIST | CLI_BLESS },
	{ { "fixtures", required_argument, NULL, OPT_FIXTURES }, CLI_SUITE | CLI_BLESS },
	{ { "repeat", required_argument, NULL, OPT_REPEAT }, CLI_SUITE },
	{ { "cpuid-faulting", no_argument, NULL, OPT_CPUID_FAULTING }, CLI_SUITE },
	{ { "no-cpu-binding", no_argument, NULL, OPT_NO_CPU_BINDING }, CLI_SUITE },
};
#define NOPTS (sizeof optdefs / sizeof optdefs[0])

int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1; /* strtoul would take " 3", "+3" and "-3" */
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* "2", "2.5", "0.125": above 0, at most MAX_TIMEOUT_S, up to 3 decimals,
 * the same rule as a case file's timeout: key. */
int cli_parse_seconds(const char *s, unsigned *ms)
{
	size_t whole = strspn(s, "0123456789");
	if (!whole || whole > 5)
		return -1;
	unsigned long v = strtoul(s, NULL, 10) * 1000;
	const char *f = s + whole;
	if (*f == '.') {
		size_t n = strspn(++f, "0123456789");
		if (!n || n > 3 || f[n])
			return -1;
		unsigned long frac = strtoul(f, NULL, 10);
		for (size_t i = n; i < 3; i++)
			frac *= 10;
		v += frac;
	} else if (*f) {
		return -1;
	}
	if (!v || v > MAX_TIMEOUT_S * 1000ul)
		return -1;
	*ms = (unsigned)v;
	return 0;
}

int cli_parse_scale(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > MAX_SCALE)
		return -1;
	*out = v;
	return 0;
}

unsigned long cli_case_timeout(const struct runner_opts *o, unsigned case_ms)
{
	double ms = (case_ms ? case_ms : o->timeout_ms) * o->scale;
	return ms < 1 ? 1 : (unsigned long)ms;
}

/* The getopt table for one subcommand: only what it accepts. */
static void build_table(unsigned which, struct option *t, char *shortopts)
{
	size_t k = 0;
	for (size_t i = 0; i < NOPTS; i++)
		if (optdefs[i].which & which)
			t[k++] = optdefs[i].o;
	t[k] = (struct option){ 0 };
	strcpy(shortopts, which & CLI_SUITE ? ":hj:" : ":h");
}

static void defaults(struct runner_opts *o, const char *cmd)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	*o = (struct runner_opts){
		.cmd = cmd,
		.jobs = cpus > 0 ? (unsigned)(cpus < MAX_JOBS ? cpus : MAX_JOBS) : 1,
		.timeout_ms = CLI_DEFAULT_TIMEOUT_MS,
		.scale = 1.0,
		.report_dir = "reports",
		.cases_dir = "cases",
		.fixtures_dir = "build/fixtures",
		.repeat = 1,
	};
}

static int bad_value(const struct runner_opts *o, const char *opt, const char *v, const char *want)
{
	return uerror("harness %s: bad value '%s' for %s (expected %s)", o->cmd, v, opt, want);
}

static const char *const usages[] = {
	"usage: harness suite [-j N] [--timeout S] [--timeout-scale F] [--variant NAME]...\n"
	"                     [--report-dir DIR] [--cases DIR] [--fixtures DIR] [--repeat N]\n"
	"                     [--cpuid-faulting] [--no-cpu-binding] [PATTERN...]\n"
	"  PATTERN: a glob for case names (smoke/h*), a family (smoke or smoke/)\n"
	"  defaults: -j CPUs, --timeout 10 (or the case's), --timeout-scale 1 or\n"
	"  $" CLI_SCALE_ENV
	", every variant, --report-dir reports, --cases cases,\n"
	"  --fixtures build/fixtures, --repeat 1; CPUID faulting only for cases\n"
	"  that need cpuid_faulting (P27), stub threads bound to their tracer's CPU (P26)\n",
	"usage: harness list [--cases DIR] [PATTERN...]\n",
	"usage: harness bless [--cases DIR] [--fixtures DIR] [--timeout S] [--timeout-scale F]\n"
	"                     CASE...   (names like smoke/hello, or .case paths)\n",
};

static void usage(unsigned which)
{
	for (unsigned i = 0; i < 3; i++)
		if (which & (1u << i))
			fputs(usages[i], stdout);
}

static int take(struct runner_opts *o, int c, const char *v)
{
	switch (c) {
	case 'h': o->help = true; return 0;
	case 'j':
		return cli_parse_uint(v, 1, MAX_JOBS, &o->jobs)
			       ? bad_value(o, "-j", v, "a number of jobs from 1 to 1024")
			       : 0;
	case OPT_TIMEOUT:
		return cli_parse_seconds(v, &o->timeout_ms)
			       ? bad_value(o, "--timeout", v, "seconds above 0, up to 3 decimals")
			       : 0;
	case OPT_SCALE:
		return cli_parse_scale(v, &o->scale)
			       ? bad_value(o, "--timeout-scale", v, "a factor above 0, up to 1000")
			       : 0;
	case OPT_VARIANT:
		if (words_push(&o->variants, v, strlen(v)))
			return uerror("harness %s: out of memory", o->cmd);
		return 0;
	case OPT_REPORT: o->report_dir = v; return 0;
	case OPT_CASES: o->cases_dir = v; return 0;
	case OPT_FIXTURES: o->fixtures_dir = v; return 0;
	case OPT_REPEAT:
		return cli_parse_uint(v, 1, MAX_REPEAT, &o->repeat)
			       ? bad_value(o, "--repeat", v, "a count from 1 to 1000")
			       : 0;
	case OPT_CPUID_FAULTING: o->cpuid_faulting = true; return 0;
	case OPT_NO_CPU_BINDING: o->no_cpu_binding = true; return 0;
	}
	return EXIT_USER;
}

static int env_scale(struct runner_opts *o)
{
	const char *v = getenv(CLI_SCALE_ENV);
	if (!v || !*v)
		return 0;
	if (cli_parse_scale(v, &o->scale))
		return uerror("%s: bad value '%s' (expected a factor above 0, up to 1000)",
			      CLI_SCALE_ENV, v);
	return 0;
}

/* getopt's message for an unknown option or a missing argument, our way:
 * the word as typed, except for a short option inside a cluster ("-xj"),
 * which optopt names. */
static int getopt_error(const struct runner_opts *o, int c, char **argv)
{
	const char *word = argv[optind - 1];
	char shortname[3] = { '-', (char)optopt, 0 };
	const char *arg = word[1] != '-' && optopt > 0 && optopt < 128 ? shortname : word;
	if (c == ':')
		return uerror("harness %s: option '%s' needs a value", o->cmd, arg);
	return uerror("harness %s: unknown option '%s'", o->cmd, arg);
}

int cli_parse(int argc, char **argv, unsigned which, struct runner_opts *o)
{
	struct option table[NOPTS + 1];
	char shortopts[8];
	defaults(o, argv[0]);
	build_table(which, table, shortopts);
	int rc = env_scale(o);
	/* Options and patterns in any order (GNU permutation); a pattern that
	 * starts with '-' can follow "--". optind = 0 resets getopt fully,
	 * since tests call this more than once per process. */
	optind = 0;
	opterr = 0;
	for (int c; !rc && (c = getopt_long(argc, argv, shortopts, table, NULL)) != -1;)
		rc = c == '?' || c == ':' ? getopt_error(o, c, argv) : take(o, c, optarg);
	if (rc) {
		cli_free(o);
		return rc;
	}
	/* The scale from the environment was read first; an option given on
	 * the command line has overwritten it since. */
	if (o->help)
		usage(which);
	o->args = argv + optind;
	o->nargs = argc - optind;
	return 0;
}

void cli_free(struct runner_opts *o)
{
	words_free(&o->variants);
}
