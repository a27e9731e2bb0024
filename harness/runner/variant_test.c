/* Tests of variant selection (variant.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "harness/runner/variant.h"

static struct words w(const char *s)
{
	struct words v = { 0 };
	cr_assert_eq(words_split_plain(s, &v), 0);
	return v;
}

Test(runner_variant, table_has_lazy_then_full_state_then_seccomp)
{
	size_t n;
	const struct variant *v = variant_all(&n);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(v[0].name, "lazy");
	cr_expect(!v[0].opts.full_state, "lazy is plat_options' default");
	cr_expect_str_eq(v[1].name, "full-state");
	cr_expect(v[1].opts.full_state);
	cr_expect_eq(variant_find("full-state"), &v[1]);
	cr_expect_null(variant_find("full_state"));
	cr_expect_eq(v[0].opts.backend, PLAT_BACKEND_PTRACE);
	cr_expect_eq(v[1].opts.backend, PLAT_BACKEND_PTRACE);
	cr_expect_str_eq(v[2].name, "seccomp");
	cr_expect_eq(v[2].opts.backend, PLAT_BACKEND_SECCOMP,
		     "T1: the variant selects the backend");
	cr_expect(!v[2].opts.full_state, "T9: lazy by default");
}

Test(runner_variant, selection_intersects_option_and_case)
{
	const struct variant *out[8];
	struct words none = { 0 }, lazy = w("lazy"), full = w("full-state"),
		     both = w("full-state lazy");
	cr_expect_eq(variant_select(&none, &none, out), 3, "default: all");
	cr_expect_str_eq(out[0]->name, "lazy");
	cr_expect_eq(variant_select(&none, &full, out), 1, "the case restricts");
	cr_expect_str_eq(out[0]->name, "full-state");
	cr_expect_eq(variant_select(&lazy, &none, out), 1, "--variant restricts");
	cr_expect_str_eq(out[0]->name, "lazy");
	cr_expect_eq(variant_select(&lazy, &full, out), 0, "disjoint: nothing to run");
	cr_expect_eq(variant_select(&both, NULL, out), 2);
	cr_expect_str_eq(out[0]->name, "lazy", "table order, not the option's");
	words_free(&lazy);
	words_free(&full);
	words_free(&both);
}

Test(runner_variant, options_add_switches_and_case_features)
{
	const struct variant *lazy = variant_find("lazy"), *full = variant_find("full-state");
	struct variant_switches off = { 0 },
				on = { .cpuid_faulting = true, .no_cpu_binding = true };
	struct words none = { 0 }, cpuid = w("fsgsbase cpuid_faulting"), other = w("fsgsbase");
	struct plat_options o = variant_options(lazy, &off, &none);
	cr_expect(!o.cpuid_faulting && !o.no_cpu_binding && !o.full_state, "the defaults");
	o = variant_options(full, &off, &cpuid);
	cr_expect(o.full_state, "the variant's own options stay");
	cr_expect(o.cpuid_faulting, "a case that needs cpuid_faulting gets it (P27)");
	cr_expect(!o.no_cpu_binding);
	o = variant_options(lazy, &off, &other);
	cr_expect(!o.cpuid_faulting, "other features turn nothing on");
	o = variant_options(lazy, &on, &none);
	cr_expect(o.cpuid_faulting && o.no_cpu_binding, "the run's switches reach every case");
	words_free(&cpuid);
	words_free(&other);
}

Test(runner_variant, unknown_names_are_user_errors)
{
	struct words ok = w("lazy full-state"), bad = w("lazy turbo");
	cr_expect_eq(variant_check_names("harness suite", &ok), 0);
	cr_expect_eq(variant_check_names("harness suite", &bad), 2);
	words_free(&ok);
	words_free(&bad);
}
