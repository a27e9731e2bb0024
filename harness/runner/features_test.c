/* Tests of feature words (features.c) against a made-up probe. */
#include <cpuid.h>
#include <criterion/criterion.h>
#include <string.h>

#include "harness/runner/features.h"

static struct host_features host(void)
{
	struct host_features h = { 0 };
	h.probe.has_fsgsbase = true;
	h.probe.has_xsave = true;
	h.probe.exitkill = true;
	strcpy(h.probe.vsyscall_mode, "none");
	h.avx = true;
	return h;
}

static enum feature_verdict check(const struct host_features *h, const char *words, char *why)
{
	struct words w = { 0 };
	cr_assert_eq(words_split_plain(words, &w), 0);
	enum feature_verdict v = features_check(h, &w, why, 256);
	words_free(&w);
	return v;
}

Test(runner_features, present_features_pass)
{
	struct host_features h = host();
	char why[256];
	cr_expect_eq(check(&h, "", why), FEATURE_OK);
	cr_expect_eq(check(&h, "fsgsbase xsave avx exitkill", why), FEATURE_OK);
}

Test(runner_features, missing_feature_skips_with_reason)
{
	struct host_features h = host();
	char why[256];
	cr_expect_eq(check(&h, "fsgsbase cpuid_faulting", why), FEATURE_MISSING);
	cr_expect(strstr(why, "needs cpuid_faulting"), "%s", why);
	cr_expect_eq(check(&h, "vsyscall", why), FEATURE_MISSING, "mode none");
	strcpy(h.probe.vsyscall_mode, "xonly");
	cr_expect_eq(check(&h, "vsyscall", why), FEATURE_OK);
	cr_expect_eq(check(&h, "avx512", why), FEATURE_MISSING);
	cr_expect_eq(check(&h, "avx xstate", why), FEATURE_OK);
	h.probe.fp_xfer = PLAT_FP_FPREGS;
	cr_expect_eq(check(&h, "avx xstate", why), FEATURE_MISSING, "the FXSAVE path");
	cr_expect(strstr(why, "needs xstate"), "%s", why);
}

Test(runner_features, unknown_word_is_an_error_even_when_another_is_missing)
{
	struct host_features h = host();
	char why[256];
	cr_expect_eq(check(&h, "cpuid_faulting warp_drive", why), FEATURE_UNKNOWN);
	cr_expect(!strncmp(why, "unknown feature 'warp_drive' (known: fsgsbase", 45), "%s", why);
}

Test(runner_features, host_cpu_bits_are_consistent)
{
	struct host_features h;
	struct plat_probe p = { 0 };
	features_host(&h, &p);
	cr_expect(!h.avx512 || h.avx, "AVX-512 implies AVX");
}

/* This machine is a KVM guest, not qemu's TCG; a guest of make kernels
 * under TCG answers the other way (its fingerprint says tcg: yes). */
Test(runner_features, tcg_follows_the_hypervisor_leaf)
{
	struct host_features h;
	struct plat_probe p = { 0 };
	unsigned a, b, c, d;
	char vendor[13] = "";
	features_host(&h, &p);
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
		__cpuid(0x40000000, a, b, c, d);
		memcpy(vendor, &b, 4);
		memcpy(vendor + 4, &c, 4);
		memcpy(vendor + 8, &d, 4);
	}
	cr_expect_eq(h.tcg, !strcmp(vendor, "TCGTCGTCGTCG"), "vendor '%s'", vendor);
	char why[256];
	cr_expect_eq(check(&h, "tcg", why), h.tcg ? FEATURE_OK : FEATURE_MISSING, "%s", why);
}
