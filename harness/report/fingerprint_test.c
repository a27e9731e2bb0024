/* The fingerprint's pairs (fingerprint.c): every one fits, with the most
 * the runner can ask for (every variant, the seccomp backend's facts), and
 * a pair added afterwards ("interrupted") is still there. */
#include <criterion/criterion.h>
#include <string.h>

#include "harness/report/fingerprint.h"

static const char *value_of(const struct fingerprint *fp, const char *key)
{
	for (size_t i = 0; i < fp->n; i++)
		if (!strcmp(fp->pairs[i].key, key))
			return fp->pairs[i].value;
	return NULL;
}

Test(fingerprint, room_for_every_variant_and_the_run_facts,
     .description = "every variant, both backends' probes and the interrupted pair fit")
{
	static struct fp_store s;
	struct host_features h = { 0 };
	h.probe.ptrace_ok = h.probe.seccomp_ok = true;
	struct runner_opts o = { 0 };
	o.scale = 1;
	o.repeat = 1;
	fingerprint_build(&s, &h, &o, NULL);
	fingerprint_add(&s, "interrupted", "SIGINT");
	cr_assert_lt(s.fp.n, FP_MAX, "%zu pairs fill the store", s.fp.n);
	size_t n;
	const struct variant *v = variant_all(&n);
	for (size_t i = 0; i < n; i++) {
		char key[40];
		snprintf(key, sizeof key, "variant.%s", v[i].name);
		cr_assert_not_null(value_of(&s.fp, key), "%s", key);
	}
	cr_assert_not_null(value_of(&s.fp, "seccomp_threads"));
	const char *got = value_of(&s.fp, "interrupted");
	cr_assert(got && !strcmp(got, "SIGINT"), "interrupted: %s", got ? got : "(dropped)");
}
