/* Reading results.json (and run.json) with jansson (see triage.h). The
 * documents stay alive while the kernel does: every string of a
 * tr_kernel but its label and path points into them. */
#include "harness/triage/triage.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -1;
}

static const char *get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int push_pair(struct tr_kernel *k, const char *key, const char *value)
{
	struct tr_pair *p = realloc(k->fp, (k->nfp + 1) * sizeof *p);
	if (!p)
		return -1;
	k->fp = p;
	p[k->nfp++] = (struct tr_pair){ key, value };
	return 0;
}

/* String values in document order (jansson keeps insertion order). */
static int pairs(struct tr_kernel *k, json_t *obj, const char *prefix, char **err, const char *path)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		if (!json_is_string(v))
			continue;
		const char *name = key;
		if (prefix) {
			/* The prefixed name lives in k->names, a JSON array
			 * freed with the kernel. */
			char *s;
			if (asprintf(&s, "%s%s", prefix, key) < 0)
				return fail(err, "%s: out of memory", path);
			json_t *js = json_string(s);
			free(s);
			if (!k->names)
				k->names = json_array();
			if (!js || !k->names || json_array_append_new(k->names, js))
				return fail(err, "%s: out of memory", path);
			name = json_string_value(js);
		}
		if (push_pair(k, name, json_string_value(v)))
			return fail(err, "%s: out of memory", path);
	}
	return 0;
}

static int cmp_index(const void *a, const void *b, void *keys)
{
	return strcmp(((char **)keys)[*(const size_t *)a], ((char **)keys)[*(const size_t *)b]);
}

static int one_result(struct tr_kernel *k, size_t i, json_t *r, const char *path, char **err)
{
	const char *name = get_str(r, "name"), *variant = get_str(r, "variant");
	const char *result = get_str(r, "result");
	if (!name || !result)
		return fail(err, "%s: result %zu has no name or result", path, i + 1);
	if (asprintf(&k->keys[i], variant ? "%s [%s]" : "%s", name, variant) < 0) {
		k->keys[i] = NULL;
		return fail(err, "%s: out of memory", path);
	}
	json_t *a = json_object_get(r, "actual");
	k->cells[i] = (struct tr_cell){
		.result = result,
		.message = get_str(r, "message"),
		.diff = get_str(r, "diff"),
		.exit = a ? get_str(a, "exit") : NULL,
		.out = a ? get_str(a, "stdout") : NULL,
		.err = a ? get_str(a, "stderr") : NULL,
		.trace = a ? get_str(a, "trace") : NULL,
	};
	return 0;
}

/* keys and cells sorted by key, so rows can be merged by key. */
static int sort_results(struct tr_kernel *k, const char *path, char **err)
{
	size_t n = k->nres, *idx = malloc((n ? n : 1) * sizeof *idx);
	char **keys = malloc((n ? n : 1) * sizeof *keys);
	struct tr_cell *cells = malloc((n ? n : 1) * sizeof *cells);
	if (!idx || !keys || !cells) {
		free(idx);
		free(keys);
		free(cells);
		return fail(err, "%s: out of memory", path);
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof *idx, cmp_index, k->keys);
	for (size_t i = 0; i < n; i++) {
		keys[i] = k->keys[idx[i]];
		cells[i] = k->cells[idx[i]];
	}
	free(k->keys);
	free(k->cells);
	free(idx);
	k->keys = keys;
	k->cells = cells;
	return 0;
}

static int results(struct tr_kernel *k, json_t *arr, const char *path, char **err)
{
	size_t n = json_array_size(arr);
	k->keys = calloc(n ? n : 1, sizeof *k->keys);
	k->cells = calloc(n ? n : 1, sizeof *k->cells);
	if (!k->keys || !k->cells)
		return fail(err, "%s: out of memory", path);
	k->nres = n;
	for (size_t i = 0; i < n; i++)
		if (one_result(k, i, json_array_get(arr, i), path, err))
			return -1;
	return sort_results(k, path, err);
}

static int from_doc(struct tr_kernel *k, json_t *doc, const char *path, char **err)
{
	json_t *fp = json_object_get(doc, "fingerprint");
	json_t *res = json_object_get(doc, "results");
	if (!json_is_object(fp) || !json_is_array(res))
		return fail(err,
			    "%s: not a harness results file (no fingerprint object or "
			    "results array)",
			    path);
	const char *kernel = get_str(fp, "kernel");
	k->label = strdup(kernel ? kernel : path);
	k->path = strdup(path);
	if (!k->label || !k->path)
		return fail(err, "%s: out of memory", path);
	k->status = get_str(fp, "kernel_run");
	k->reason = get_str(fp, "kernel_run_reason");
	if (!k->status)
		k->status = "ok";
	if (pairs(k, fp, NULL, err, path))
		return -1;
	return results(k, res, path, err);
}

int triage_parse(struct tr_kernel *k, const char *text, const char *path, char **err)
{
	json_error_t e;
	*k = (struct tr_kernel){ 0 };
	json_t *doc = json_loads(text, 0, &e);
	if (!doc)
		return fail(err, "%s:%d: not valid JSON: %s", path, e.line, e.text);
	k->doc = doc;
	return from_doc(k, doc, path, err);
}

/* run.json beside the results (scripts/kernels): how the kernel was run
 * and how long it took, shown with the fingerprint as run.KEY. */
static int load_run(struct tr_kernel *k, const char *path, char **err)
{
	const char *slash = strrchr(path, '/');
	char *rp;
	if (asprintf(&rp, "%.*srun.json", slash ? (int)(slash - path + 1) : 0, path) < 0)
		return fail(err, "%s: out of memory", path);
	json_error_t e;
	json_t *doc = json_load_file(rp, 0, &e);
	free(rp);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		return 0; /* optional: a plain harness suite report has none */
	}
	k->rundoc = doc;
	return pairs(k, doc, "run.", err, path);
}

int triage_load(struct tr_kernel *k, const char *path, char **err)
{
	json_error_t e;
	*k = (struct tr_kernel){ 0 };
	json_t *doc = json_load_file(path, 0, &e);
	if (!doc)
		return fail(err, "%s:%d: %s", path, e.line, e.text);
	k->doc = doc;
	if (from_doc(k, doc, path, err))
		return -1;
	return load_run(k, path, err);
}
