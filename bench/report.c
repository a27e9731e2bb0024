/* The results: the table on stdout, results.json, the chart's data file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double median_of(const double *v, int n)
{
	if (n <= 0)
		return 0;
	double s[BENCH_MAX_ROUNDS];
	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* A time per op, or (for the suite) operations per second. */
static const char *fmt(const struct result *r, double ns, char *buf, size_t len)
{
	if (r->b->per_second)
		snprintf(buf, len, "%.1f/s", ns > 0 ? 1e9 / ns : 0);
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	return buf;
}

static const char *fmt_ratio(double x, char *buf, size_t len)
{
	snprintf(buf, len, x < 0.1 ? "%.3fx" : x < 100 ? "%.2fx" : "%.0fx", x);
	return buf;
}

static const char *group_title(const char *g)
{
	if (!strcmp(g, "kernel"))
		return "host kernel (the pipe round trip is the unit)";
	if (!strcmp(g, "ptrace"))
		return "raw ptrace loops, no platform (same guest loop)";
	if (!strcmp(g, "platform"))
		return "the platform (platform.h), as the sentry uses it";
	if (!strcmp(g, "run"))
		return "what users see: a static program's getpid through harness run, per call";
	if (!strcmp(g, "uml"))
		return "User-Mode Linux, same run, same CPU";
	if (!strcmp(g, "suite"))
		return "conformance suite (case x variant runs per second, all CPUs)";
	return "single ptrace requests on a stopped tracee";
}

static const char *const group_order[] = { "kernel", "ptrace", "platform", "run",
					   "uml",    "suite",  "op" };
#define NGROUPS (sizeof(group_order) / sizeof(group_order[0]))

void report_table(struct result *res, int nr, int rounds)
{
	char a[32], b[32], c[32], d[32];
	printf("%-46s %8s %10s %10s %10s %9s\n", "figure", "ops/rep", "min", "median", "max",
	       "ratio");
	for (size_t g = 0; g < NGROUPS; g++) {
		bool any = false;
		for (int i = 0; i < nr; i++) {
			struct result *r = &res[i];
			if (strcmp(r->b->group, group_order[g]))
				continue;
			if (!any)
				printf("-- %s\n", group_title(group_order[g]));
			any = true;
			if (r->skipped || r->count == 0) {
				printf("%-46s  skipped: %s\n", r->b->label, r->why);
				continue;
			}
			bool ps = r->b->per_second;
			printf("%-46s %8ld %10s %10s %10s %9s%s\n", r->b->label, r->n,
			       fmt(r, ps ? r->max : r->min, a, sizeof(a)),
			       fmt(r, r->median, b, sizeof(b)),
			       fmt(r, ps ? r->min : r->max, c, sizeof(c)),
			       r->nratio ? fmt_ratio(r->rmedian, d, sizeof(d)) : "-",
			       r->count < rounds ? "  (some rounds failed)" : "");
		}
	}
}

/* s as a JSON string body (no quotes) in buf. */
const char *json_esc(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	for (; *s && o + 7 < len; s++) {
		if (*s == '"' || *s == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			o += (size_t)snprintf(buf + o, len - o, "\\u%04x", *s);
		else
			buf[o++] = *s;
	}
	buf[o] = 0;
	return buf;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_array(FILE *f, const double *v, int n)
{
	fputc('[', f);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%.4g", i ? ", " : "", v[i]);
	fputc(']', f);
}

int report_json(const char *path, struct result *res, int nr, int rounds, const char *goals_json,
		const char *others_json, const char *env_json)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"environment\": %s,\n  \"rounds\": %d,\n", env_json, rounds);
	fprintf(f, "  \"ratio_to\": \"pipe_rt\",\n  \"goals\": %s,\n  \"other_ratios\": %s,\n",
		goals_json, others_json);
	fprintf(f, "  \"figures\": [\n");
	for (int i = 0; i < nr; i++) {
		struct result *r = &res[i];
		fprintf(f, "    {\"name\": ");
		json_str(f, r->b->name);
		fprintf(f, ", \"label\": ");
		json_str(f, r->b->label);
		fprintf(f, ", \"group\": ");
		json_str(f, r->b->group);
		if (r->skipped || r->count == 0) {
			fprintf(f, ", \"skipped\": ");
			json_str(f, r->why);
			fprintf(f, "}%s\n", i + 1 < nr ? "," : "");
			continue;
		}
		fprintf(f, ", \"unit\": \"ns/op\", \"ops_per_repetition\": %ld", r->n);
		fprintf(f, ", \"min\": %.4g, \"median\": %.4g, \"max\": %.4g", r->min, r->median,
			r->max);
		if (r->b->per_second)
			fprintf(f, ", \"per_second_median\": %.4g",
				r->median > 0 ? 1e9 / r->median : 0);
		fprintf(f, ", \"samples\": ");
		json_array(f, r->samples, r->count);
		if (r->nratio) {
			fprintf(f,
				", \"ratio_median\": %.4g, \"ratio_min\": %.4g, \"ratio_max\": %.4g",
				r->rmedian, r->rmin, r->rmax);
			fprintf(f, ", \"ratios\": ");
			json_array(f, r->ratio, r->nratio);
		}
		if (r->why[0]) {
			fprintf(f, ", \"failure\": ");
			json_str(f, r->why);
		}
		if (!strcmp(r->b->name, "suite_j1") || !strcmp(r->b->name, "suite_j2")) {
			char t[256];
			suite_totals_json(r->b->name[7] - '0', t, sizeof(t));
			fprintf(f, ", \"last_run_totals\": %s", t);
		}
		fprintf(f, "}%s\n", i + 1 < nr ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) == 0 ? 0 : -1;
}

/* One line per figure with a ratio, in table order: label, median ratio,
 * min, max, group number (the chart's colour). */
int report_chart_data(const char *path, struct result *res, int nr)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (size_t g = 0; g < NGROUPS; g++)
		for (int i = 0; i < nr; i++) {
			struct result *r = &res[i];
			if (strcmp(r->b->group, group_order[g]) || !r->nratio)
				continue;
			fprintf(f, "%s%s\t%.4g\t%.4g\t%.4g\t%zu\n", r->b->label,
				r->b->per_second ? " (time per case)" : "", r->rmedian, r->rmin,
				r->rmax, g + 1);
		}
	return fclose(f) == 0 ? 0 : -1;
}
