/* The features a case may need (its features: key), checked against what
 * the platform probed (P7, P13) and what the CPU reports. */
#ifndef HARNESS_RUNNER_FEATURES_H
#define HARNESS_RUNNER_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/util/words.h"
#include "platform/platform.h"

struct host_features {
	struct plat_probe probe; /* from the environment check's child */
	bool avx;                /* CPUID.1:ECX.AVX and XCR0 enables YMM */
	bool avx512;             /* CPUID.7:EBX.AVX512F and XCR0 enables ZMM */
	bool tcg;                /* the CPU is qemu's TCG emulator (hypervisor leaf) */
};

enum feature_verdict {
	FEATURE_OK,      /* every feature is present */
	FEATURE_MISSING, /* SKIP, why says which and what was probed */
	FEATURE_UNKNOWN, /* ERROR, why names the unknown word */
};

/* Fills the CPU bits; probe is copied. */
void features_host(struct host_features *h, const struct plat_probe *probe);
/* The verdict for the words in want (first unknown word wins over a
 * missing feature: a typo must not hide as a skip). */
enum feature_verdict features_check(const struct host_features *h, const struct words *want,
				    char *why, size_t whylen);
/* Features that are platform options as well as machine facts: a case that
 * needs one runs with it on (cpuid_faulting: P27 is off unless asked for). */
void features_plat_options(const struct words *want, struct plat_options *o);
/* "fsgsbase cpuid_faulting ...": the words a case may use. */
const char *features_known(void);

#endif
