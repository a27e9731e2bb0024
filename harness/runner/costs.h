/* The cost file: how long each case took, so the slowest start first.
 *
 * cases/costs.txt is committed; each line is "NAME MILLISECONDS" (blanks
 * between), '#' starts a comment line, blank lines are ignored. The
 * runner reads it when present and writes an updated copy to the report
 * directory after a run, never over the committed one: refreshing it is
 * a reviewed change (copy reports/costs.txt to cases/costs.txt). */
#ifndef HARNESS_RUNNER_COSTS_H
#define HARNESS_RUNNER_COSTS_H

#include <stddef.h>

struct cost {
	char *name;
	unsigned long ms;
};

struct costs {
	struct cost *v; /* sorted by name, names unique */
	size_t n;
};

/* 0, or -1 with "FILE:LINE: problem" in err. */
int costs_parse(const char *path, const char *text, size_t len, struct costs *c, char *err,
		size_t errlen);
/* A missing file is an empty table (0); other I/O errors are -1. */
int costs_load(const char *path, struct costs *c, char *err, size_t errlen);
void costs_free(struct costs *c);

/* The cost of name, or -1 when it has none. */
long costs_get(const struct costs *c, const char *name);
/* Sets name's cost, adding it if needed: 0, or -1 when out of memory. */
int costs_set(struct costs *c, const char *name, unsigned long ms);
/* Drops entries whose name keep() rejects (cases that no longer exist). */
void costs_filter(struct costs *c, int (*keep)(const char *name, void *arg), void *arg);
/* The file's text, malloc'd; NULL when out of memory. */
char *costs_format(const struct costs *c);

/* Fills order[0..n) with the indexes of names[], slowest first. A name
 * without a cost counts as slower than any: a new case may well be slow,
 * and starting it late would stretch the run. Ties go by name, so the
 * order never depends on anything but the inputs. */
void costs_order(const struct costs *c, const char *const *names, size_t n, size_t *order);

#endif
