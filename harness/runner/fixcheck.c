/* The fixtures of a run are checked up front, by the sentry's loader: a
 * missing, dynamic, truncated, 32-bit or non-ELF file is the user's
 * mistake, not a case that failed, so it stops the run with status 2. */
#include <stdio.h>
#include <stdlib.h>

#include "harness/runner/fixcheck.h"
#include "harness/util/uerror.h"
#include "harness/sentry/sentry.h"

int fixcheck(const char *fixtures_dir, const struct tcase *const *sel, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *path, err[512];
		if (asprintf(&path, "%s/%s", fixtures_dir, sel[i]->fixture) < 0)
			return uerror("harness suite: out of memory");
		int bad = sentry_check_program(path, err, sizeof(err));
		free(path);
		if (bad)
			return uerror("%s: fixture %s", sel[i]->path, err);
	}
	return 0;
}
