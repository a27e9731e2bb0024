/* The environment check (see envcheck.h). */
#include "harness/runner/envcheck.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/runner/capture.h"
#include "harness/runner/childenv.h"
#include "harness/runner/job.h"
#include "harness/util/uerror.h"
#include "platform/coverage.h"

struct probe_record {
	int ok;
	char error[256];
	struct plat_probe probe;
};

/* A backend the probe found usable must also start: plat_new() once. */
static void try_backend(struct probe_record *r, enum plat_backend b, bool *ok, char *why,
			size_t whylen)
{
	(void)r;
	if (!*ok)
		return;
	struct plat_options o = { .backend = b };
	struct plat *p = plat_new(&o, why, whylen);
	if (p)
		plat_destroy(p);
	else
		*ok = false;
}

static _Noreturn void probe_child(pid_t parent, int out, int diag)
{
	struct probe_record r = { 0 };
	int fds[4] = { -1, diag, diag, out };
	if (childenv_enter(parent) || childenv_fds(fds, 4))
		cov_exit(126);
	alarm(ENVCHECK_TIMEOUT_S);
	if (plat_probe_now(r.error, sizeof r.error) == 0) {
		r.ok = 1;
		r.probe = *plat_probe();
		try_backend(&r, PLAT_BACKEND_PTRACE, &r.probe.ptrace_ok, r.probe.ptrace_missing,
			    sizeof r.probe.ptrace_missing);
		try_backend(&r, PLAT_BACKEND_SECCOMP, &r.probe.seccomp_ok, r.probe.seccomp_missing,
			    sizeof r.probe.seccomp_missing);
	}
	if (pwrite(3, &r, sizeof r, 0) != (ssize_t)sizeof r)
		cov_exit(126);
	cov_exit(0);
}

static int report(const struct probe_record *r, int status, int diag, bool need_ptrace)
{
	const char *ptrace_why = r->probe.ptrace_missing;
	if (r->ok && (!need_ptrace || r->probe.ptrace_ok))
		return 0;
	if (r->ok && strstr(ptrace_why, "ptrace is blocked"))
		return uerror("harness: %s", ptrace_why);
	if (r->ok)
		return uerror("harness: environment check failed: %s", ptrace_why);
	if (r->error[0])
		return uerror("harness: environment check failed: %s", r->error);
	char how[96];
	struct bytes d;
	job_describe_status(status, how, sizeof how);
	capture_read(diag, 4096, &d);
	int rc = uerror("harness: environment check failed: the probe child %s%s%.*s", how,
			d.len ? ": " : "", (int)strcspn(d.p ? d.p : "", "\n"), d.p ? d.p : "");
	bytes_free(&d);
	return rc;
}

int envcheck(struct host_features *h, bool need_ptrace)
{
	struct probe_record r = { 0 };
	int out = capture_new("harness-probe"), diag = capture_new("harness-probe-diag");
	if (out < 0 || diag < 0)
		return uerror("harness: environment check: memory file: %s", strerror(errno));
	pid_t parent = getpid(), pid = fork();
	if (pid == 0)
		probe_child(parent, out, diag);
	int status = 0;
	if (pid < 0)
		return uerror("harness: environment check: fork: %s", strerror(errno));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pread(out, &r, sizeof r, 0) != (ssize_t)sizeof r)
		r.ok = 0;
	int rc = report(&r, status, diag, need_ptrace);
	close(out);
	close(diag);
	if (!rc)
		features_host(h, &r.probe);
	return rc;
}
