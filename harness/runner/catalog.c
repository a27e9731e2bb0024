/* Finding and loading case files (see catalog.h). */
#include "harness/runner/catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/runner/pattern.h"
#include "harness/util/uerror.h"
#include "harness/util/words.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && !strcmp(s + n - k, suffix);
}

/* dir without trailing slashes, so that case_name() sees a clean path. */
static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	char *p;
	return asprintf(&p, "%.*s/%s", (int)n, dir, name) < 0 ? NULL : p;
}

char *catalog_path(const char *dir, const char *name)
{
	char *rel, *p;
	if (asprintf(&rel, "%s.case", name) < 0)
		return NULL;
	p = join(dir, rel);
	free(rel);
	return p;
}

static int walk(const char *dir, struct words *paths);

static int visit(const char *dir, const char *name, struct words *paths)
{
	char *p = join(dir, name);
	struct stat st;
	int rc = 0;
	if (!p)
		return uerror("%s: out of memory", dir);
	if (stat(p, &st))
		rc = uerror("%s: %s", p, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = walk(p, paths);
	else if (S_ISREG(st.st_mode) && ends_with(name, ".case") && words_push(paths, p, strlen(p)))
		rc = uerror("%s: out of memory", p);
	free(p);
	return rc;
}

static int walk(const char *dir, struct words *paths)
{
	DIR *d = opendir(dir);
	if (!d)
		return uerror("%s: %s", dir, strerror(errno));
	int rc = 0;
	for (struct dirent *e; !rc && (e = readdir(d));)
		if (e->d_name[0] != '.')
			rc = visit(dir, e->d_name, paths);
	closedir(d);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct tcase *)a)->name, ((const struct tcase *)b)->name);
}

int catalog_load(const char *dir, struct catalog *cat)
{
	struct words paths = { 0 };
	char err[512];
	*cat = (struct catalog){ 0 };
	int rc = walk(dir, &paths);
	if (!rc && paths.n && !(cat->v = calloc(paths.n, sizeof *cat->v)))
		rc = uerror("%s: out of memory", dir);
	for (size_t i = 0; !rc && i < paths.n; i++) {
		if (case_load(paths.v[i], &cat->v[i], err, sizeof err))
			rc = uerror("%s", err);
		else
			cat->n++;
	}
	words_free(&paths);
	if (rc) {
		catalog_free(cat);
		return rc;
	}
	qsort(cat->v, cat->n, sizeof *cat->v, by_name);
	return 0;
}

void catalog_free(struct catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++)
		case_free(&cat->v[i]);
	free(cat->v);
	*cat = (struct catalog){ 0 };
}

const struct tcase *catalog_find(const struct catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->n; i++)
		if (!strcmp(cat->v[i].name, name))
			return &cat->v[i];
	return NULL;
}

static int unmatched(const struct catalog *cat, const char *cmd, const char *pattern)
{
	for (size_t i = 0; i < cat->n; i++)
		if (pattern_match(pattern, cat->v[i].name, cat->v[i].family))
			return 0;
	return uerror("harness %s: no case matches '%s'", cmd, pattern);
}

int catalog_select(const struct catalog *cat, const char *cmd, char *const *patterns, int n,
		   const struct tcase ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	for (int i = 0; i < n; i++)
		if (unmatched(cat, cmd, patterns[i]))
			return EXIT_USER;
	const struct tcase **v = malloc((cat->n ? cat->n : 1) * sizeof *v);
	if (!v)
		return uerror("harness %s: out of memory", cmd);
	for (size_t i = 0; i < cat->n; i++)
		if (pattern_any(patterns, n, cat->v[i].name, cat->v[i].family))
			v[(*nout)++] = &cat->v[i];
	*out = v;
	return 0;
}
