/* Starting and collecting jobs in the parent (see job.h). */
#include "harness/runner/job.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/runner/evidence.h"
#include "harness/runner/exitstat.h"
#include "harness/runner/scratch.h"
#include "harness/util/signame.h"

unsigned long job_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long)t.tv_sec * 1000 + (unsigned long)t.tv_nsec / 1000000;
}

static void close_fds(struct job *j)
{
	for (int i = 0; i < CHILD_NFDS; i++) {
		if (j->fd[i] >= 0)
			close(j->fd[i]);
		j->fd[i] = -1;
	}
}

static void drop_scratch(struct job *j)
{
	if (j->scratch) {
		scratch_remove(j->scratch);
		free(j->scratch);
		j->scratch = NULL;
	}
}

static int nostart(struct job *j, const char *fmt, const char *a, const char *b)
{
	int e = errno;
	close_fds(j);
	drop_scratch(j);
	j->run.end = RUN_NOSTART;
	if (asprintf(&j->run.error, fmt, a, b) < 0)
		j->run.error = NULL;
	errno = e;
	return -1;
}

/* The memory files this kind of child needs; the others stay -1. */
static int open_files(struct job *j)
{
	static const char *const names[CHILD_NFDS] = {
		"harness-stdin",  "harness-stdout", "harness-stderr", "harness-trace",
		"harness-record", "harness-diag",   "harness-gdb",
	};
	const struct case_text *in = &j->c->sect[CASE_STDIN];
	for (int i = 0; i < CHILD_NFDS; i++) {
		bool platform_only = i == CFD_TRACE || i == CFD_DIAG || i == CFD_GDB;
		if ((i == CFD_STDIN && !in->present) || (platform_only && !j->v))
			continue;
		j->fd[i] = i == CFD_STDIN ? capture_with(names[i], in->data, in->len)
					  : capture_new(names[i]);
		if (j->fd[i] < 0)
			return -1;
	}
	return 0;
}

/* argv[0] is the fixture's name as the case spells it (smoke/hello), not
 * its path: the same under the sentry and natively, whatever --fixtures. */
static char **make_argv(const struct tcase *c)
{
	char **v = calloc(c->args.n + 2, sizeof *v);
	if (!v)
		return NULL;
	v[0] = c->fixture;
	for (size_t i = 0; i < c->args.n; i++)
		v[i + 1] = c->args.v[i];
	return v;
}

static void spawn(struct job *j, const struct job_ctx *x, const char *path, char **argv)
{
	static char *no_env[] = { NULL };
	struct plat_options opts =
		j->v ? variant_options(j->v, &x->sw, &j->c->features) : (struct plat_options){ 0 };
	struct child_spec s = {
		.path = path,
		.argv = argv,
		.envp = j->c->env.n ? j->c->env.v : no_env,
		.fixtures_dir = x->fixtures_dir,
		.opts = j->v ? &opts : NULL,
		.chaos = j->c->chaos,
		.chaos_steps = j->c->chaos_steps,
		.chaos_nsteps = j->c->chaos_nsteps,
		.fs_root = j->scratch ? j->scratch->root : NULL,
		.fs_rw = j->scratch ? j->scratch->rw : NULL,
		.gdb = x->gdb,
		.parent = x->self,
	};
	memcpy(s.fd, j->fd, sizeof s.fd);
	j->pid = fork();
	if (j->pid == 0 && j->v)
		child_platform(&s);
	if (j->pid == 0)
		child_native(&s);
}

int job_start(struct job *j, const struct job_ctx *x)
{
	char *path;
	j->run = (struct run){ 0 };
	j->pid = 0;
	j->killed = false;
	for (int i = 0; i < CHILD_NFDS; i++)
		j->fd[i] = -1; /* not 0: close_fds() must never close our stdin */
	j->scratch = NULL;
	if (!(path = case_program_path(j->c, x->fixtures_dir)))
		return nostart(j, "%s%s", "out of memory", "");
	char err[512];
	if (j->c->fs && (!(j->scratch = calloc(1, sizeof(*j->scratch))) ||
			 scratch_make(j->c, path, j->scratch, err, sizeof(err)))) {
		free(path);
		return nostart(j, "scratch directory: %s%s", j->scratch ? err : "out of memory",
			       "");
	}
	if (access(path, j->v ? R_OK : X_OK)) {
		nostart(j, "%s: fixture not usable: %s (make fixtures builds it)", path,
			strerror(errno));
		free(path);
		return -1;
	}
	char **argv = make_argv(j->c);
	if (!argv || open_files(j)) {
		const char *what = argv ? "memory file" : "argv";
		free(argv);
		free(path);
		return nostart(j, "%s: %s", what, strerror(errno));
	}
	j->t0 = job_now_ms();
	j->deadline = j->t0 + j->timeout_ms;
	spawn(j, x, path, argv);
	free(argv);
	free(path);
	if (j->pid < 0)
		return nostart(j, "%s: %s", "fork", strerror(errno));
	return 0;
}

void job_expire(struct job *j)
{
	j->killed = true;
	j->evidence = evidence_collect("/proc", j->pid,
				       j->v ? "the case's child (sentry, tracer of the stubs)"
					    : "the fixture, run natively");
	kill(-j->pid, SIGKILL); /* its group: gdb, a native fixture's children */
	kill(j->pid, SIGKILL);
}

void job_describe_status(int status, char *buf, size_t n)
{
	char name[SIGNAME_LEN];
	if (WIFSIGNALED(status))
		snprintf(buf, n, "was killed by %s%s",
			 signame(WTERMSIG(status), name) ? name : "a signal",
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, n, "exited with %d", WEXITSTATUS(status));
}

static bool read_record(const struct job *j, struct run_record *r)
{
	return j->fd[CFD_RECORD] >= 0 &&
	       pread(j->fd[CFD_RECORD], r, sizeof *r, 0) == (ssize_t)sizeof *r &&
	       r->magic == RUN_RECORD_MAGIC;
}

static void read_streams(struct job *j)
{
	static const int from[RUN_NSTREAMS] = {
		[RUN_STDOUT] = CFD_STDOUT, [RUN_STDERR] = CFD_STDERR, [RUN_TRACE] = CFD_TRACE,
		[RUN_DIAG] = CFD_DIAG,     [RUN_GDB] = CFD_GDB,
	};
	for (int s = 0; s < RUN_NSTREAMS; s++)
		if (j->fd[from[s]] >= 0 && capture_read(j->fd[from[s]], 0, &j->run.s[s]))
			bytes_free(&j->run.s[s]);
}

/* The child broke: no record, or a record but a bad ending (a crash in
 * plat_destroy() after the guest finished still means the harness broke). */
static void crashed(struct job *j, int status, bool have)
{
	char how[96];
	job_describe_status(status, how, sizeof how);
	j->run.end = RUN_CRASHED;
	if (asprintf(&j->run.error, "the %s child %s%s", j->v ? "platform" : "native", how,
		     have                ? " after the guest ended"
		     : WIFEXITED(status) ? " without writing a result"
					 : "") < 0)
		j->run.error = NULL;
}

void job_reaped(struct job *j, int status)
{
	struct run_record rec;
	bool have = read_record(j, &rec);
	read_streams(j);
	j->run.ms = job_now_ms() - j->t0;
	j->run.wait_status = status;
	j->run.evidence = j->evidence;
	j->evidence = NULL;
	if (j->killed) {
		j->run.end = RUN_TIMEOUT;
	} else if (!j->v && !have) {
		/* Native: the fixture's own ending is the result. */
		j->run.end = RUN_DONE;
		j->run.res = exitstat_from_wait(status);
	} else if (have && (!j->v || (WIFEXITED(status) && !WEXITSTATUS(status)))) {
		j->run.end = RUN_DONE;
		j->run.rc = rec.rc;
		j->run.res = rec.res;
	} else {
		crashed(j, status, have);
	}
	close_fds(j);
	drop_scratch(j);
	j->pid = 0;
}
