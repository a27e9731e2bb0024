/* The two kinds of child a job forks: a run through the platform and
 * the sentry, or the fixture run directly on the host (oracle O3). */
#ifndef HARNESS_RUNNER_CHILD_H
#define HARNESS_RUNNER_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "harness/case/case.h"
#include "platform/platform.h"

/* The parent's memory files, by role (capture.h). */
enum child_fd {
	CFD_STDIN, /* the case's stdin section; -1 when it has none */
	CFD_STDOUT,
	CFD_STDERR,
	CFD_TRACE,
	CFD_RECORD, /* struct run_record */
	CFD_DIAG,   /* the child's own stdout and stderr */
	CFD_GDB,    /* gdb's output on a crash */
	CHILD_NFDS,
};

struct child_spec {
	const char *path;  /* the fixture file */
	char *const *argv; /* argv[0] included */
	char *const *envp;
	const char *fixtures_dir;
	const struct plat_options *opts;           /* the variant */
	const char *gdb;                           /* NULL: no backtraces */
	int chaos;                                 /* enum case_chaos */
	const struct case_chaos_step *chaos_steps; /* signal-stub */
	unsigned chaos_nsteps;
	const char *fs_root; /* fs: the guest's root; NULL: no file system */
	const char *fs_rw;   /* fs: the writable tree and working directory */
	pid_t parent;
	int fd[CHILD_NFDS];
};

/* Runs the case through plat_new() and sentry_run(), writes the record,
 * and exits 0; any other ending is a crash the parent reports. */
_Noreturn void child_platform(const struct child_spec *s);

/* Becomes the fixture (execve) with the case's stdin, stdout and stderr
 * as fds 0-2 and nothing else; on failure writes a record saying why. */
_Noreturn void child_native(const struct child_spec *s);

#endif
