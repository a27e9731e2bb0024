/* What one kernel changed, against the kernels it is compared with (see
 * triage.h): its run's times from run.json, the probed features whose
 * value differs from the reference kernel's, and the cases it runs
 * differently. Shared by the Markdown and HTML pages. */
#include "harness/triage/triage.h"

#include <stdio.h>
#include <string.h>

size_t triage_reference(const struct triage *t)
{
	for (size_t i = 0; i < t->nk; i++)
		if (triage_ran(t, i))
			return i;
	return t->nk;
}

/* Fingerprint keys that say how the suite was run, or name the kernel,
 * rather than what the platform's probes found on it. */
bool triage_fp_is_probe(const char *key)
{
	static const char *const settings[] = {
		"kernel",        "kernel_run", "kernel_run_reason",
		"console_tail",  "variants",   "timeout_default",
		"timeout_scale", "repeat",     "normalisation",
		"gdb",
	};
	if (!strncmp(key, "run.", 4) || !strncmp(key, "variant.", 8))
		return false;
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (!strcmp(key, settings[i]))
			return false;
	return true;
}

const char *triage_run_value(const struct tr_kernel *k, const char *key)
{
	char name[64];
	snprintf(name, sizeof name, "run.%s", key);
	const char *v = triage_fp_get(k, name);
	return v && *v ? v : NULL;
}

void triage_times(const struct tr_kernel *k, char *buf, size_t size)
{
	const char *pkg = triage_run_value(k, "package");
	const char *boot = triage_run_value(k, "boot_s"), *suite = triage_run_value(k, "suite_s");
	const char *wall = triage_run_value(k, "wall_s");
	if (!pkg && !suite) {
		snprintf(buf, size, "no run.json");
		return;
	}
	if (pkg && !strcmp(pkg, "host"))
		snprintf(buf, size, "host kernel, no boot; suite %s s", suite ? suite : "?");
	else
		snprintf(buf, size, "boot %s s, suite %s s, wall %s s", boot ? boot : "?",
			 suite ? suite : "?", wall ? wall : "?");
}

bool triage_fp_differs_from(const struct triage *t, size_t k, size_t ref, const char *key)
{
	const char *a = triage_fp_get(&t->k[ref], key), *b = triage_fp_get(&t->k[k], key);
	return !(a == b || (a && b && !strcmp(a, b)));
}

bool triage_row_differs_on(const struct triage *t, const struct tr_row *r, size_t k)
{
	size_t ref = triage_ref(t, r);
	const struct tr_cell *a = triage_compared(t, r, ref), *c = triage_compared(t, r, k);
	return ref != k && a && c && !triage_same(a, c);
}

size_t triage_ndiffer_on(const struct triage *t, size_t k)
{
	size_t n = 0;
	for (size_t i = 0; i < t->ndiffer; i++)
		n += triage_row_differs_on(t, &t->rows[i], k);
	return n;
}
