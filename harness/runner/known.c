/* Known failures: see known.h. Entries whose conditions do not hold on
 * this host are dropped at load time, so lookups are plain. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner/known.h"
#include "harness/util/uerror.h"

struct entry {
	char *name, *variants, *ref;
};

static struct entry *entries;
static size_t nentries;

/* One condition of WHEN: 1 holds, 0 does not, -1 unknown word. */
static int holds(const char *cond, const struct host_features *h)
{
	char why[256];
	if (!strcmp(cond, "always"))
		return 1;
	if (!strncmp(cond, "kernel=", 7))
		return fnmatch(cond + 7, h->probe.kernel_release, 0) == 0;
	bool neg = !strncmp(cond, "nofeature=", 10);
	if (!neg && strncmp(cond, "feature=", 8))
		return -1;
	struct words w = { 0 };
	if (words_push(&w, cond + (neg ? 10 : 8), strlen(cond + (neg ? 10 : 8))))
		return -1;
	enum feature_verdict v = features_check(h, &w, why, sizeof(why));
	words_free(&w);
	if (v == FEATURE_UNKNOWN)
		return -1;
	return (v == FEATURE_OK) != neg;
}

static int all_hold(char *when, const struct host_features *h, const char **bad)
{
	int ok = 1;
	for (char *save, *c = strtok_r(when, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		int r = holds(c, h);
		if (r < 0) {
			*bad = c;
			return -1;
		}
		ok &= r;
	}
	return ok;
}

static int add_line(const char *path, unsigned line, char *s, const struct host_features *h)
{
	char *save, *name = strtok_r(s, " \t", &save), *variants = strtok_r(NULL, " \t", &save);
	char *when = strtok_r(NULL, " \t", &save), *ref = strtok_r(NULL, "", &save);
	const char *bad = NULL;
	if (!name || !variants || !when || !ref)
		return uerror("%s:%u: expected CASE VARIANTS WHEN REFERENCE", path, line);
	while (*ref == ' ' || *ref == '\t')
		ref++;
	int r = all_hold(when, h, &bad);
	if (r < 0)
		return uerror(
			"%s:%u: unknown condition '%s' (always, kernel=GLOB, feature=NAME, "
			"nofeature=NAME)",
			path, line, bad);
	if (!r)
		return 0;
	struct entry *v = realloc(entries, (nentries + 1) * sizeof(*v));
	if (!v)
		return uerror("harness suite: out of memory");
	entries = v;
	entries[nentries++] = (struct entry){ strdup(name), strdup(variants), strdup(ref) };
	return 0;
}

int known_load(const char *path, const struct host_features *h)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : uerror("%s: %s", path, strerror(errno));
	char buf[1024];
	unsigned line = 0;
	int rc = 0;
	while (!rc && fgets(buf, sizeof(buf), f)) {
		line++;
		buf[strcspn(buf, "\n")] = 0;
		char *s = buf + strspn(buf, " \t");
		if (*s && *s != '#')
			rc = add_line(path, line, s, h);
	}
	fclose(f);
	return rc;
}

void known_free(void)
{
	for (size_t i = 0; i < nentries; i++) {
		free(entries[i].name);
		free(entries[i].variants);
		free(entries[i].ref);
	}
	free(entries);
	entries = NULL;
	nentries = 0;
}

static bool variant_listed(const char *list, const char *variant)
{
	if (!strcmp(list, "*"))
		return true;
	size_t n = strlen(variant);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, variant, n))
			return true;
		p += k + (p[k] == ',');
	}
	return false;
}

const char *known_failure(const char *name, const char *variant)
{
	for (size_t i = 0; i < nentries; i++)
		if (!strcmp(entries[i].name, name) && variant_listed(entries[i].variants, variant))
			return entries[i].ref;
	return NULL;
}
