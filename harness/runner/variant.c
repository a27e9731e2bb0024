/* Platform variants (see variant.h). */
#include "harness/runner/variant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner/features.h"
#include "harness/util/hbuf.h"
#include "harness/util/uerror.h"

/* lazy is the platform's default (ptrace backend, P13: FP state moved
 * only when asked); full-state is gVisor's full transfer on every switch;
 * seccomp is the seccomp-trap backend (T1), lazy too (T9). All must give
 * the same results. More variants (stub seccomp off, pool off) need only
 * a line here. */
static const struct variant variants[] = {
	{ "lazy",
	  { .full_state = false },
	  "backend=ptrace full_state=0 no_stub_seccomp=0 no_pool=0" },
	{ "full-state",
	  { .full_state = true },
	  "backend=ptrace full_state=1 no_stub_seccomp=0 no_pool=0" },
	{ "seccomp",
	  { .backend = PLAT_BACKEND_SECCOMP },
	  "backend=seccomp full_state=0 no_pool=0" },
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

struct plat_options variant_options(const struct variant *v, const struct variant_switches *sw,
				    const struct words *features)
{
	struct plat_options o = v->opts;
	o.cpuid_faulting |= sw->cpuid_faulting;
	o.no_cpu_binding |= sw->no_cpu_binding;
	features_plat_options(features, &o);
	return o;
}

const struct variant *variant_all(size_t *n)
{
	*n = NVARIANTS;
	return variants;
}

const struct variant *variant_find(const char *name)
{
	for (size_t i = 0; i < NVARIANTS; i++)
		if (!strcmp(variants[i].name, name))
			return &variants[i];
	return NULL;
}

int variant_check_names(const char *where, const struct words *names)
{
	for (size_t i = 0; i < names->n; i++) {
		if (variant_find(names->v[i]))
			continue;
		struct hbuf known = { 0 };
		for (size_t k = 0; k < NVARIANTS; k++)
			hbuf_printf(&known, "%s%s", k ? ", " : "", variants[k].name);
		char *list = hbuf_take(&known, NULL);
		uerror("%s: unknown variant '%s' (known: %s)", where, names->v[i],
		       list ? list : "?");
		free(list);
		return EXIT_USER;
	}
	return 0;
}

static bool allows(const struct words *w, const char *name)
{
	return !w || !w->n || words_find(w, name) >= 0;
}

size_t variant_select(const struct words *selected, const struct words *allowed,
		      const struct variant **out)
{
	size_t k = 0;
	for (size_t i = 0; i < NVARIANTS; i++)
		if (allows(selected, variants[i].name) && allows(allowed, variants[i].name))
			out[k++] = &variants[i];
	return k;
}
