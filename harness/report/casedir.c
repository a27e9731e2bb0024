/* Per-case report folders (see casedir.h). */
#include "harness/report/casedir.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/runner/capture.h"
#include "harness/runner/exitstat.h"
#include "harness/util/uerror.h"

int casedir_mkdirs(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0777) && errno != EEXIST) {
			free(p);
			return -1;
		}
		if (!c)
			break;
		*s = c;
	}
	free(p);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int casedir_prepare(const char *report_dir)
{
	char *cases, *marker;
	if (asprintf(&cases, "%s/cases", report_dir) < 0 ||
	    asprintf(&marker, "%s/cases/" CASEDIR_MARKER, report_dir) < 0)
		return uerror("%s: out of memory", report_dir);
	int rc = 0;
	struct stat st;
	if (casedir_mkdirs(report_dir))
		rc = uerror("%s: cannot create the report directory: %s", report_dir,
			    strerror(errno));
	else if (!lstat(cases, &st) && access(marker, F_OK))
		rc =
			uerror("%s: exists but was not written by harness suite (no %s); "
			       "not emptying it",
			       cases, CASEDIR_MARKER);
	else if (!lstat(cases, &st) && nftw(cases, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		rc = uerror("%s: cannot empty it: %s", cases, strerror(errno));
	if (!rc && (casedir_mkdirs(cases) || close(open(marker, O_WRONLY | O_CREAT, 0666))))
		rc = uerror("%s: cannot create it: %s", cases, strerror(errno));
	free(cases);
	free(marker);
	return rc;
}

static int put(const char *dir, const char *name, const char *p, size_t n)
{
	char *path;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int rc = fd < 0 || write_full(fd, p, n) ? -1 : 0;
	if (fd >= 0 && close(fd))
		rc = -1;
	free(path);
	return rc;
}

static int put_str(const char *dir, const char *name, const char *s)
{
	return s && *s ? put(dir, name, s, strlen(s)) : 0;
}

static int put_bytes(const char *dir, const char *name, const struct bytes *b, bool always)
{
	return always || b->len ? put(dir, name, b->p ? b->p : "", b->len) : 0;
}

/* dir/sub/ with stdout, stderr and exit of r. */
static int put_run(const char *dir, const char *sub, const struct run *r)
{
	char *d, buf[EXITSTAT_LEN];
	if (asprintf(&d, "%s/%s", dir, sub) < 0)
		return -1;
	int rc = casedir_mkdirs(d);
	rc |= put_bytes(d, "stdout", &r->s[RUN_STDOUT], true);
	rc |= put_bytes(d, "stderr", &r->s[RUN_STDERR], true);
	if (r->end == RUN_DONE && !r->rc)
		rc |= put_str(d, "exit", exitstat_text(&r->res, buf));
	free(d);
	return rc;
}

static int put_expected(const char *dir, const struct tcase *c)
{
	char *d, buf[EXITSTAT_LEN];
	if (asprintf(&d, "%s/expected", dir) < 0)
		return -1;
	int rc = casedir_mkdirs(d);
	for (int s = 0; s < CASE_NSECTIONS; s++)
		if (c->sect[s].present)
			rc |= put(d, case_section_name(s), c->sect[s].data, c->sect[s].len);
	if (c->exit.kind != CASE_EXIT_UNCHECKED)
		rc |= put_str(d, "exit", exitstat_case_text(&c->exit, buf));
	free(d);
	return rc;
}

static int fill(const char *dir, const struct tcase *c, const struct verdict *v,
		const struct run *r, const struct run *native)
{
	int rc = put_str(dir, "message", v->message);
	rc |= put_str(dir, "diff", v->diff);
	rc |= put_expected(dir, c);
	if (!r)
		return rc; /* decided without running: SKIP, or a bad feature word */
	rc |= put_run(dir, "actual", r);
	rc |= put_bytes(dir, "trace", &r->s[RUN_TRACE], false);
	if (native)
		rc |= put_run(dir, "native", native);
	rc |= put_str(dir, "evidence", r->evidence);
	rc |= put_bytes(dir, "harness-stderr", &r->s[RUN_DIAG], false);
	rc |= put_bytes(dir, "backtrace", &r->s[RUN_GDB], false);
	return rc;
}

int casedir_write(const char *report_dir, const struct tcase *c, const char *variant,
		  const struct verdict *v, const struct run *r, const struct run *native)
{
	char *dir;
	if (asprintf(&dir, "%s/cases/%s%s%s%s", report_dir, c->name, variant ? "[" : "",
		     variant ? variant : "", variant ? "]" : "") < 0)
		return -1;
	int rc = casedir_mkdirs(dir) ? -1 : fill(dir, c, v, r, native);
	if (rc)
		fprintf(stderr, "harness: warning: %s: cannot write the report folder: %s\n", dir,
			strerror(errno));
	free(dir);
	return rc;
}
