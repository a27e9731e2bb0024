/* `harness triage [--html FILE | --no-html] RESULTS.json...` (see triage.h).
 * Exit status: 0 when the report was written (differences are findings,
 * not errors), 2 for a user error (unreadable or malformed file, bad
 * option), 1 when writing failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/casedir.h"
#include "harness/triage/triage.h"

#define DEFAULT_HTML "reports/triage/index.html"

static int usage(void)
{
	fputs("usage: harness triage [--html FILE | --no-html] RESULTS.json...\n"
	      "       harness triage bisect CASE [--variant V] --good PKG --bad PKG [--runner PROG]\n"
	      "                             [--out DIR] [--cases DIR]\n",
	      stderr);
	return 2;
}

static int write_html(const char *path, const struct triage *t)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = 0;
	if (slash && *dir && casedir_mkdirs(dir)) {
		fprintf(stderr, "harness triage: %s: cannot create it: %s\n", dir, strerror(errno));
		free(dir);
		return 1;
	}
	free(dir);
	FILE *f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "harness triage: %s: %s\n", path, strerror(errno));
		return 1;
	}
	triage_html(f, t);
	if (fclose(f)) {
		fprintf(stderr, "harness triage: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int load_all(struct triage *t, char **files, int n)
{
	for (int i = 0; i < n; i++) {
		struct tr_kernel k;
		char *err = NULL;
		if (triage_load(&k, files[i], &err)) {
			fprintf(stderr, "harness triage: %s\n", err ? err : "out of memory");
			free(err);
			triage_kernel_free(&k);
			return 2;
		}
		if (triage_add(t, &k)) {
			triage_kernel_free(&k);
			fputs("harness triage: out of memory\n", stderr);
			return 1;
		}
	}
	return 0;
}

int cmd_triage(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "bisect"))
		return cmd_triage_bisect(argc - 1, argv + 1);
	const char *html = DEFAULT_HTML;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--html") && i + 1 < argc)
			html = argv[++i];
		else if (!strcmp(argv[i], "--no-html"))
			html = NULL;
		else if (!strcmp(argv[i], "--"))
			break;
		else
			return usage();
	}
	i += i < argc && !strcmp(argv[i], "--");
	if (i >= argc)
		return usage();
	struct triage t = { 0 };
	int rc = load_all(&t, argv + i, argc - i);
	if (!rc && triage_build(&t)) {
		fputs("harness triage: out of memory\n", stderr);
		rc = 1;
	}
	if (!rc) {
		triage_markdown(stdout, &t);
		if (fflush(stdout))
			rc = 1;
		if (html && write_html(html, &t))
			rc = 1;
	}
	triage_free(&t);
	return rc;
}
