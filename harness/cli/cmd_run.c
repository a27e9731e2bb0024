/* harness run [--trace FILE] [--verbose] [--full-state] [--platform ptrace|seccomp]
 *             [--root DIR] [--rw DIR]... [--host-ids] [--cpuid-faulting]
 *             [--no-cpu-binding] -- PROGRAM [ARGS...]
 * harness run [...] --case NAME [--fixtures DIR]
 * Runs one static program through the platform: its stdin, stdout and
 * stderr are ours, the trace goes to stderr or FILE, and our exit status is
 * its own (or 128 + signal, as a shell reports it). A program given by
 * path sees the host's file system through the sentry's confined view
 * (harness/sentry/fs/view.c): --root (default /) read-only, the --rw
 * trees (default: the current directory) writable. */
#include <getopt.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/case/case.h"
#include "harness/cli/cmd_run.h"
#include "harness/runner/escape.h"
#include "harness/runner/scratch.h"
#include "harness/sentry/sentry.h"

extern char **environ;

struct run_opts {
	const char *trace_path;
	const char *case_name; /* --case: fixture, args, env and stdin from a case */
	const char *fixtures;
	bool verbose, full_state, host_ids;
	enum plat_backend backend; /* --platform (T1) */
	bool cpuid_faulting;       /* P27: guest CPUIDs fault and the sentry answers */
	bool no_cpu_binding;       /* P26 off, for comparison */
	const char *root;
	const char **rw;
	size_t nrw;
};

static int platform_arg(const char *a, enum plat_backend *b)
{
	if (!strcmp(a, "ptrace"))
		*b = PLAT_BACKEND_PTRACE;
	else if (!strcmp(a, "seccomp"))
		*b = PLAT_BACKEND_SECCOMP;
	else {
		fprintf(stderr, "harness run: unknown platform '%s' (known: ptrace, seccomp)\n", a);
		return -1;
	}
	return 0;
}

static int add_rw(struct run_opts *o, const char *dir)
{
	const char **n = realloc(o->rw, (o->nrw + 1) * sizeof(*n));
	if (!n)
		return -1;
	o->rw = n;
	o->rw[o->nrw++] = dir;
	return 0;
}

static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option longs[] = {
		{ "trace", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "full-state", no_argument, NULL, 'f' },
		{ "case", required_argument, NULL, 'c' },
		{ "fixtures", required_argument, NULL, 'F' },
		{ "root", required_argument, NULL, 'r' },
		{ "rw", required_argument, NULL, 'w' },
		{ "host-ids", no_argument, NULL, 'H' },
		{ "platform", required_argument, NULL, 'p' },
		{ "cpuid-faulting", no_argument, NULL, 'C' },
		{ "no-cpu-binding", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:v", longs, NULL)) != -1) {
		switch (c) {
		case 't': o->trace_path = optarg; break;
		case 'v': o->verbose = true; break;
		case 'f': o->full_state = true; break;
		case 'c': o->case_name = optarg; break;
		case 'F': o->fixtures = optarg; break;
		case 'r': o->root = optarg; break;
		case 'w':
			if (add_rw(o, optarg))
				return -1;
			break;
		case 'H': o->host_ids = true; break;
		case 'p':
			if (platform_arg(optarg, &o->backend))
				return -1;
			break;
		case 'C': o->cpuid_faulting = true; break;
		case 'B': o->no_cpu_binding = true; break;
		default: return -1;
		}
	}
	if (optind >= argc && !o->case_name) {
		fprintf(stderr, "harness run: no program given\n");
		return -1;
	}
	return optind;
}

/* --case NAME: run a case's fixture in this process, as a debugger wants
 * it (make debug). stdin comes from the case through a memory file. */
static int from_case(const struct run_opts *o, struct tcase *c, char *path, size_t len,
		     char ***argv, int *in)
{
	char file[4096], err[512];
	snprintf(file, sizeof(file), "cases/%s.case", o->case_name);
	if (case_load(file, c, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	char *p = case_program_path(c, o->fixtures ? o->fixtures : "build/fixtures");
	snprintf(path, len, "%s", p ? p : "");
	free(p);
	*argv = calloc(c->args.n + 2, sizeof(**argv));
	if (!*argv)
		return -1;
	(*argv)[0] = c->fixture;
	for (size_t i = 0; i < c->args.n; i++)
		(*argv)[i + 1] = c->args.v[i];
	*in = memfd_create("stdin", MFD_CLOEXEC);
	const struct case_text *t = &c->sect[CASE_STDIN];
	if (*in < 0 || (t->present && write(*in, t->data, t->len) != (ssize_t)t->len) ||
	    lseek(*in, 0, SEEK_SET) != 0) {
		perror("stdin for the case");
		return -1;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	int first = parse(argc, argv, &o);
	if (first < 0) {
		fprintf(stderr,
			"usage: harness run [--trace FILE] [--verbose] [--full-state] [--platform ptrace|seccomp]\n"
			"                   [--root DIR] [--rw DIR]... [--host-ids] [--cpuid-faulting]\n"
			"                   [--no-cpu-binding] -- PROGRAM [ARGS...]\n"
			"       harness run [--trace FILE] [--verbose] [--full-state] [--platform ptrace|seccomp]\n"
			"                   [--cpuid-faulting] [--no-cpu-binding] --case NAME [--fixtures DIR]\n");
		return 2;
	}
	if (o.case_name && (o.root || o.nrw)) {
		fprintf(stderr,
			"harness run: --root and --rw are for a program given by path; a case names its own file system\n");
		return 2;
	}
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd))) {
		perror("harness run: getcwd");
		return 2;
	}
	if (!o.nrw)
		add_rw(&o, cwd);
	struct sentry_fs fs = { o.root ? o.root : "/", o.rw, o.nrw, cwd };
	FILE *trace = stderr;
	if (o.trace_path && !(trace = fopen(o.trace_path, "we"))) {
		perror(o.trace_path);
		return 2;
	}
	char err[256];
	struct plat_options po = { .backend = o.backend,
				   .full_state = o.full_state,
				   .cpuid_faulting = o.cpuid_faulting,
				   .no_cpu_binding = o.no_cpu_binding,
				   .on_event = sentry_plat_event };
	struct plat *p = plat_new(&po, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "harness: %s\n", err);
		return 2;
	}
	struct tcase c;
	char path[4096];
	char **cargv = NULL;
	int in = 0;
	if (o.case_name && from_case(&o, &c, path, sizeof(path), &cargv, &in)) {
		plat_destroy(p);
		return 2;
	}
	static char *no_env[] = { NULL };
	/* execve (S9) resolves names below the fixtures folder; for a program
	 * given by path that is the folder it sits in. */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s",
		 o.case_name ? (o.fixtures ? o.fixtures : "build/fixtures") : argv[first]);
	char *slash = strrchr(dir, '/');
	if (!o.case_name)
		snprintf(slash ? slash : dir, sizeof(dir) - (size_t)(slash ? slash - dir : 0), "%s",
			 slash ? "" : ".");
	struct sentry_config cfg = {
		.path = o.case_name ? path : argv[first],
		.exe_name = o.case_name ? c.fixture : NULL,
		.argv = o.case_name ? cargv : argv + first,
		.envp = !o.case_name ? environ
			: c.env.n    ? c.env.v
				     : no_env,
		.stdin_fd = in,
		.stdout_fd = 1,
		.stderr_fd = 2,
		.trace = trace,
		.verbose = o.verbose,
		.plat = p,
		.fixtures_dir = dir,
		.fs = o.case_name ? NULL : &fs,
		.host_ids = o.host_ids,
	};
	/* A case with a file system gets its scratch directory, as under the
	 * suite (harness/runner/scratch.h). */
	struct scratch sc = { .dir = "" };
	struct sentry_fs case_fs;
	const char *case_rw[1];
	if (o.case_name && c.fs) {
		char err[512];
		if (scratch_make(&c, path, &sc, err, sizeof(err))) {
			fprintf(stderr, "harness run: scratch directory: %s\n", err);
			scratch_remove(&sc);
			return 2;
		}
		case_rw[0] = sc.rw;
		case_fs = (struct sentry_fs){ sc.root, case_rw, 1, sc.rw };
		cfg.fs = &case_fs;
		cfg.exe_name = case_host_program(&c) ? NULL : c.fixture;
	}
	struct sentry_result res;
	int rc = sentry_run(&cfg, &res);
	scratch_remove(&sc);
	escape_check(p, &rc, &res);
	fflush(trace);
	if (trace != stderr)
		fclose(trace);
	plat_destroy(p);
	if (o.case_name) {
		free(cargv);
		close(in);
		case_free(&c);
	}
	free(o.rw);
	if (rc) {
		fprintf(stderr, "harness: %s\n", res.error);
		return rc == 2 ? 2 : 125;
	}
	return sentry_shell_status(&res);
}
