/* "harness list": one line per case -- name, oracles, variants, requirement ids. */
#include "harness/runner/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner/catalog.h"
#include "harness/cli/options.h"
#include "harness/runner/variant.h"

static void oracles(const struct tcase *c, char *buf, size_t n)
{
	buf[0] = 0;
	for (unsigned bit = 1; bit & ORACLE_ALL; bit <<= 1)
		if (c->oracles & bit)
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? "," : "",
				 case_oracle_name(bit));
}

/* The variants the case runs under (its variants: key, else all). */
static void variants(const struct tcase *c, char *buf, size_t n)
{
	const struct variant *v[8];
	size_t k = variant_select(NULL, &c->variants, v);
	buf[0] = 0;
	for (size_t i = 0; i < k; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? "," : "", v[i]->name);
}

static void line(const struct tcase *c, int width)
{
	char o[64], v[64];
	oracles(c, o, sizeof o);
	variants(c, v, sizeof v);
	printf("%-*s  %-24s %-24s", width, c->name, o, v);
	for (size_t i = 0; i < c->requires.n; i++)
		printf(" %s", c->requires.v[i]);
	if (!c->requires.n)
		printf(" -");
	putchar('\n');
}

int cmd_list(int argc, char **argv)
{
	struct runner_opts o;
	struct catalog cat;
	const struct tcase **sel = NULL;
	size_t n = 0;
	int rc = cli_parse(argc, argv, CLI_LIST, &o);
	if (rc || o.help) {
		if (!rc)
			cli_free(&o);
		return rc;
	}
	rc = catalog_load(o.cases_dir, &cat);
	if (!rc)
		rc = catalog_select(&cat, "list", o.args, o.nargs, &sel, &n);
	int width = 0;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(sel[i]->name) > width)
			width = (int)strlen(sel[i]->name);
	for (size_t i = 0; i < n; i++)
		line(sel[i], width);
	free(sel);
	catalog_free(&cat); /* a failed load left it empty */
	cli_free(&o);
	return rc;
}
