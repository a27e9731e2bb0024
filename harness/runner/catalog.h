/* The case files under a cases directory, loaded and selected. */
#ifndef HARNESS_RUNNER_CATALOG_H
#define HARNESS_RUNNER_CATALOG_H

#include <stddef.h>

#include "harness/case/case.h"

struct catalog {
	struct tcase *v; /* sorted by name */
	size_t n;
};

/* Loads every DIR/FAMILY/.../NAME.case (names starting with '.' are
 * skipped; other files are ignored, so costs.txt and READMEs may live
 * there). 0, or EXIT_USER after printing the first bad file's line:
 * one broken case file stops the run rather than hiding a case. */
int catalog_load(const char *dir, struct catalog *cat);
void catalog_free(struct catalog *cat);

/* Pointers to the cases matching any pattern (all when n is 0), in name
 * order; *out is malloc'd. A pattern that matches nothing is a user
 * error (a typo must not give a green run): EXIT_USER after printing. */
int catalog_select(const struct catalog *cat, const char *cmd, char *const *patterns, int n,
		   const struct tcase ***out, size_t *nout);

/* The case called name, or NULL. */
const struct tcase *catalog_find(const struct catalog *cat, const char *name);

/* DIR/NAME.case, malloc'd; the same path catalog_load() would use. */
char *catalog_path(const char *dir, const char *name);

#endif
