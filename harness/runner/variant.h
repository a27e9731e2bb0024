/* Platform variants: the configurations every case runs under
 * (harness.md "Variants"), each a set of plat_options. */
#ifndef HARNESS_RUNNER_VARIANT_H
#define HARNESS_RUNNER_VARIANT_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/util/words.h"
#include "platform/platform.h"

struct variant {
	const char *name;
	struct plat_options opts;
	const char *describe; /* the options, for the fingerprint */
};

/* Switches of a whole suite run on top of every variant. */
struct variant_switches {
	bool cpuid_faulting; /* --cpuid-faulting (P27) */
	bool no_cpu_binding; /* --no-cpu-binding (P26 off) */
};

/* The platform options one case runs with: the variant's, the run's
 * switches, and the options the case's features: turn on. */
struct plat_options variant_options(const struct variant *v, const struct variant_switches *sw,
				    const struct words *features);

/* The known variants, in run order; *n gets their count. */
const struct variant *variant_all(size_t *n);
const struct variant *variant_find(const char *name);

/* Checks variant names (--variant, or a case's variants: key): 0, or
 * EXIT_USER after printing "WHERE: unknown variant 'x' (known: ...)". */
int variant_check_names(const char *where, const struct words *names);

/* The variants to run a case under: the selected ones (all when none is
 * selected) that the case's variants: key allows (all when absent), in
 * variant_all() order. Returns how many were put in out[] (room for all
 * variants). */
size_t variant_select(const struct words *selected, const struct words *allowed,
		      const struct variant **out);

#endif
