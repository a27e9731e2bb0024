/* The platform child: one case, one variant, one process (see child.h).
 * A platform abort kills only this process, and the parent reports it. */
#include "harness/runner/child.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/runner/capture.h"
#include "harness/chaos/chaos.h"
#include "harness/runner/childenv.h"
#include "harness/runner/crash.h"
#include "harness/runner/escape.h"
#include "harness/runner/run.h"
#include "harness/runner/sanleak.h"
#include "harness/sentry/sentry.h"
#include "platform/coverage.h"

/* fd numbers after childenv_fds(): 0 is /dev/null (the child itself
 * reads nothing), 1 and 2 the diagnostics file, then the rest. */
enum {
	PFD_NULL,
	PFD_OUT,
	PFD_ERR,
	PFD_STDIN,
	PFD_STDOUT,
	PFD_STDERR,
	PFD_TRACE,
	PFD_RECORD,
	PFD_GDB,
	PFD_N
};

static void record(int rc, const struct sentry_result *res)
{
	struct run_record r = { RUN_RECORD_MAGIC, rc, *res };
	if (pwrite(PFD_RECORD, &r, sizeof r, 0) != (ssize_t)sizeof r)
		dprintf(PFD_ERR, "harness child: writing the result: %s\n", strerror(errno));
}

static _Noreturn void fail(const char *what, const char *why)
{
	struct sentry_result res = { .kind = SENTRY_ERROR };
	snprintf(res.error, sizeof res.error, "%s: %s", what, why);
	record(1, &res);
	cov_exit(0);
}

static void place_fds(const struct child_spec *s)
{
	const int *f = s->fd;
	int src[PFD_N] = { -1,           f[CFD_DIAG],   f[CFD_DIAG],
			   f[CFD_STDIN], f[CFD_STDOUT], f[CFD_STDERR],
			   f[CFD_TRACE], f[CFD_RECORD], f[CFD_GDB] };
	if (childenv_fds(src, PFD_N))
		cov_exit(126); /* no record file to say it in: the parent reports */
}

_Noreturn void child_platform(const struct child_spec *s)
{
	if (childenv_enter(s->parent))
		cov_exit(125);
	place_fds(s);
	if (crash_install(s->gdb, PFD_GDB))
		dprintf(PFD_ERR, "harness child: no crash handler: %s\n", strerror(errno));
	char err[256];
	struct plat_options opts;
	struct chaos_spec chaos = { s->chaos, s->chaos_steps, s->chaos_nsteps };
	struct plat *p =
		plat_new(chaos_options(s->opts, &chaos, PFD_STDOUT, &opts), err, sizeof err);
	if (!p)
		fail("plat_new", err);
	/* Line-buffered, so that a timeout still finds the trace up to the
	 * last complete event in the memory file. */
	FILE *trace = fdopen(PFD_TRACE, "w");
	if (!trace)
		fail("trace file", strerror(errno));
	setvbuf(trace, NULL, _IOLBF, 0);
	chaos_set_trace(trace);
	struct sentry_config cfg = {
		.path = s->path,
		/* The fixture's name: the same in any checkout; a host program
		 * (absolute) is named by the view as Linux would name it. */
		.exe_name = s->argv[0][0] == '/' ? NULL : s->argv[0],
		.argv = s->argv,
		.envp = s->envp,
		.stdin_fd = s->fd[CFD_STDIN] >= 0 ? PFD_STDIN : -1,
		.stdout_fd = PFD_STDOUT,
		.stderr_fd = PFD_STDERR,
		.trace = trace,
		.plat = p,
		.fixtures_dir = s->fixtures_dir,
	};
	struct sentry_fs fs = { s->fs_root, &s->fs_rw, 1, s->fs_rw };
	if (s->fs_root)
		cfg.fs = &fs;
	struct sentry_result res;
	int rc = sentry_run(&cfg, &res);
	escape_check(p, &rc, &res);
	fflush(trace);
	record(rc, &res);
	plat_destroy(p); /* a crash here is still reported: exit code */
	fclose(trace);
	cov_exit(sanleak_check() ? SANLEAK_EXIT : 0);
}
