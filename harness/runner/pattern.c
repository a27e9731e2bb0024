/* Case selection by pattern (see pattern.h). */
#include "harness/runner/pattern.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* "smoke/" selects a whole family: it is the glob "smoke/" with '*'
 * appended, which fnmatch without FNM_PATHNAME lets cross any '/'. */
static bool prefix_match(const char *pattern, size_t n, const char *name)
{
	char *glob = malloc(n + 2);
	if (!glob)
		return !strncmp(name, pattern, n); /* the plain-prefix case */
	memcpy(glob, pattern, n);
	strcpy(glob + n, "*");
	bool m = fnmatch(glob, name, 0) == 0;
	free(glob);
	return m;
}

bool pattern_match(const char *pattern, const char *name, const char *family)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '/')
		return prefix_match(pattern, n, name);
	if (!strcmp(pattern, family))
		return true;
	return fnmatch(pattern, name, 0) == 0;
}

bool pattern_any(char *const *patterns, int n, const char *name, const char *family)
{
	if (n <= 0)
		return true;
	for (int i = 0; i < n; i++)
		if (pattern_match(patterns[i], name, family))
			return true;
	return false;
}
