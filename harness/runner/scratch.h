/* The file system of a case with "fs:" (CASES.md): a fresh directory per
 * run (each variant and the native run get their own), made before the
 * child starts and removed after it was reaped.
 *
 *   fs: scratch   D is the guest's root (read-only); D/ro holds a fixed
 *                 small tree, D/rw is writable and the working directory,
 *                 with the case's tree: copied in. Natively: cwd D/rw.
 *   fs: host      the host's / is the root (read-only); D is writable and
 *                 the working directory, with tree: copied in. Natively:
 *                 cwd D.
 */
#ifndef HARNESS_RUNNER_SCRATCH_H
#define HARNESS_RUNNER_SCRATCH_H

#include <limits.h>
#include <stddef.h>

#include "harness/case/case.h"

struct scratch {
	char dir[PATH_MAX];    /* D, "" when none */
	char root[PATH_MAX];   /* the guest's / */
	char rw[PATH_MAX + 8]; /* the writable tree, also the cwd */
};

/* 0, or -1 with one line in err naming what failed. For fs: scratch the
 * fixture (path) is also put at its own name below the root, so the
 * guest's /proc/self/exe (the fixture's name) leads to it inside its view. */
int scratch_make(const struct tcase *c, const char *path, struct scratch *s, char *err,
		 size_t errlen);
/* Removes D and everything the run left in it (modes restored first). */
void scratch_remove(struct scratch *s);

#endif
