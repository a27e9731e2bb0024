/* The report files (see reports.h). */
#include "harness/report/reports.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*writer)(FILE *f, const struct fingerprint *fp, const struct result *r, size_t n);

/* dir/name written whole then renamed into place: a reader never sees a
 * half-written report, and a failed write leaves the old one. */
static int write_file(const char *dir, const char *name, int (*fill)(FILE *f, void *arg), void *arg)
{
	char *path, *tmp;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -1;
	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		free(path);
		return -1;
	}
	FILE *f = fopen(tmp, "we");
	int rc = !f || fill(f, arg) ? -1 : 0;
	if (f && fclose(f))
		rc = -1;
	if (!rc && rename(tmp, path))
		rc = -1;
	if (rc) {
		fprintf(stderr, "%s: cannot write it: %s\n", path, strerror(errno));
		remove(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

struct report_args {
	writer w;
	const struct fingerprint *fp;
	const struct result *r;
	size_t n;
};

static int fill_report(FILE *f, void *arg)
{
	const struct report_args *a = arg;
	return a->w(f, a->fp, a->r, a->n);
}

int reports_write(const char *dir, const struct fingerprint *fp, const struct result *r, size_t n)
{
	int rc = 0;
	if (report_ktap(stdout, fp, r, n)) {
		fprintf(stderr, "harness: writing KTAP to stdout: %s\n", strerror(errno));
		rc = -1;
	}
	struct report_args junit = { report_junit, fp, r, n }, json = { report_json, fp, r, n };
	rc |= write_file(dir, "junit.xml", fill_report, &junit);
	rc |= write_file(dir, "results.json", fill_report, &json);
	return rc;
}

static int fill_costs(FILE *f, void *arg)
{
	char *text = costs_format(arg);
	int rc = !text || fputs(text, f) < 0 ? -1 : 0;
	free(text);
	return rc;
}

int reports_costs(const char *dir, const struct costs *c)
{
	return write_file(dir, "costs.txt", fill_costs, (void *)c);
}
