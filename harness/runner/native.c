/* The native child: the fixture on the host kernel, oracle O3 (see
 * child.h). Only judge.c's one check decides that this runs at all. */
#include "harness/runner/child.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/runner/childenv.h"
#include "harness/runner/run.h"
#include "platform/coverage.h"

enum { NFD_STDIN, NFD_STDOUT, NFD_STDERR, NFD_RECORD, NFD_N };

_Noreturn void child_native(const struct child_spec *s)
{
	if (childenv_enter(s->parent))
		cov_exit(125);
	const int *f = s->fd;
	int src[NFD_N] = { f[CFD_STDIN], f[CFD_STDOUT], f[CFD_STDERR], f[CFD_RECORD] };
	if (childenv_fds(src, NFD_N))
		cov_exit(126);
	/* A case with a file system: the same working directory as the
	 * sentry's view gives (scratch.h). */
	char abs[4096];
	const char *path = s->path;
	if (s->fs_rw && path[0] != '/' && getcwd(abs, sizeof abs) &&
	    strlen(abs) + strlen(path) + 2 <= sizeof abs) {
		strcat(abs, "/");
		path = strcat(abs, path); /* the fixture, named before the chdir */
	}
	if (s->fs_rw && chdir(s->fs_rw)) {
		struct run_record r = { RUN_RECORD_MAGIC, 1, { .kind = SENTRY_ERROR } };
		snprintf(r.res.error, sizeof r.res.error, "%s: chdir: %s", s->fs_rw,
			 strerror(errno));
		if (pwrite(NFD_RECORD, &r, sizeof r, 0) != (ssize_t)sizeof r)
			cov_exit(126);
		cov_exit(127);
	}
	/* The fixture sees fds 0-2 only, as under the sentry (S10). */
	fcntl(NFD_RECORD, F_SETFD, FD_CLOEXEC);
	cov_flush(); /* execve drops this process's counters */
	execve(path, s->argv, s->envp);
	struct run_record r = { RUN_RECORD_MAGIC, 1, { .kind = SENTRY_ERROR } };
	snprintf(r.res.error, sizeof r.res.error, "%s: execve: %s", s->path, strerror(errno));
	if (pwrite(NFD_RECORD, &r, sizeof r, 0) != (ssize_t)sizeof r)
		cov_exit(126);
	cov_exit(127);
}
