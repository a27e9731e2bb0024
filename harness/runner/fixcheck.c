/* The fixtures of a run are checked up front, by the sentry's loader: a
 * missing, dynamic, truncated, 32-bit or non-ELF file is the user's
 * mistake, not a case that failed, so it stops the run with status 2. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/runner/fixcheck.h"
#include "harness/util/uerror.h"
#include "harness/sentry/sentry.h"

int fixcheck(const char *fixtures_dir, const struct tcase *const *sel, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char err[512];
		char *path = case_program_path(sel[i], fixtures_dir);
		if (!path)
			return uerror("harness suite: out of memory");
		/* A host program (cases/programs/) comes from make deps. */
		if (case_host_program(sel[i]) && access(path, X_OK)) {
			free(path);
			return uerror("%s: program %s: not installed (make deps installs it)",
				      sel[i]->path, sel[i]->fixture);
		}
		int bad = sentry_check_program(path, err, sizeof(err));
		free(path);
		if (bad)
			return uerror("%s: fixture %s", sel[i]->path, err);
	}
	return 0;
}
