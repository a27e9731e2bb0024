/* The environment fingerprint (see fingerprint.h). */
#include "harness/report/fingerprint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fingerprint_add(struct fp_store *s, const char *key, const char *fmt, ...)
{
	size_t i = s->fp.n;
	if (i >= FP_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->values[i], FP_VALUE, fmt, ap);
	va_end(ap);
	snprintf(s->keys[i], sizeof s->keys[i], "%s", key);
	s->pairs[i] = (struct fp_pair){ s->keys[i], s->values[i] };
	s->fp.n++;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void probe(struct fp_store *s, const struct host_features *h)
{
	const struct plat_probe *p = &h->probe;
	fingerprint_add(s, "kernel", "%s", p->kernel_release);
	fingerprint_add(s, "cpu_vendor", "%s", p->cpu_vendor);
	fingerprint_add(s, "ptrace_before_seccomp", "%s", yes_no(p->ptrace_before_seccomp));
	/* Which path the platform took where the kernel may lack a feature:
	 * no EXITKILL leaves PDEATHSIG alone (P25); no XSTATE regset moves
	 * the legacy FXSAVE area only (P13). */
	fingerprint_add(s, "exitkill", "%s", yes_no(p->exitkill));
	fingerprint_add(s, "stub_reaping", "%s", p->exitkill ? "exitkill+pdeathsig" : "pdeathsig");
	fingerprint_add(s, "xsave", "%s", yes_no(p->has_xsave));
	fingerprint_add(s, "xsave_size", "%zu", p->xsave_cpuid_size);
	fingerprint_add(s, "fpstate_size", "%zu", p->fpstate_size);
	fingerprint_add(s, "fp_transfer", "%s", plat_fp_xfer_name(p->fp_xfer));
	fingerprint_add(s, "avx", "%s", yes_no(h->avx));
	fingerprint_add(s, "avx512", "%s", yes_no(h->avx512));
	fingerprint_add(s, "tcg", "%s", yes_no(h->tcg));
	fingerprint_add(s, "vsyscall", "%s", p->vsyscall_mode);
	fingerprint_add(s, "cpuid_faulting", "%s", yes_no(p->cpuid_faulting));
	fingerprint_add(s, "fsgsbase", "%s", yes_no(p->has_fsgsbase));
	fingerprint_add(s, "mmap_min_addr", "%ld", p->mmap_min_addr);
}

/* T1: what each backend's probe found, and why a backend cannot run. */
static void backends(struct fp_store *s, const struct host_features *h)
{
	const struct plat_probe *p = &h->probe;
	fingerprint_add(s, "backend.ptrace", "%s%s",
			p->ptrace_ok ? "yes" : "no: ", p->ptrace_ok ? "" : p->ptrace_missing);
	fingerprint_add(s, "backend.seccomp", "%s%s",
			p->seccomp_ok ? "yes" : "no: ", p->seccomp_ok ? "" : p->seccomp_missing);
	if (!p->seccomp_ok)
		return;
	fingerprint_add(s, "seccomp_sigframe", "%zu bytes", p->sigframe_size);
	fingerprint_add(s, "seccomp_threads", "%u per address space", p->seccomp_threads);
	fingerprint_add(s, "seccomp_uprobe_calls", "%s",
			p->seccomp_sees_uprobe_calls ? "trapped"
						     : "not filtered by seccomp (run on the host)");
}

/* Set by build/knockout (tools/knockout): the requests made to fail. */
static void knockouts(struct fp_store *s)
{
	const char *k = getenv("HARNESS_KNOCKOUT");
	fingerprint_add(s, "knockout", "%s", k && *k ? k : "none");
}

static void options(struct fp_store *s, const struct runner_opts *o, const char *gdb)
{
	size_t n;
	const struct variant *v = variant_all(&n);
	char names[FP_VALUE] = "";
	for (size_t i = 0; i < n; i++) {
		if (o->variants.n && words_find(&o->variants, v[i].name) < 0)
			continue;
		char key[40];
		snprintf(key, sizeof key, "variant.%s", v[i].name);
		fingerprint_add(s, key, "%s", v[i].describe);
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
			 names[0] ? " " : "", v[i].name);
	}
	fingerprint_add(s, "variants", "%s", names);
	/* P27 costs a trapped MSR write per switch in a VM and P26 decides
	 * whether a switch crosses CPUs: both change every timing. */
	fingerprint_add(s, "cpuid_faulting_in_use", "%s",
			o->cpuid_faulting
				? "every case (--cpuid-faulting)"
				: "only cases with features: cpuid_faulting (P27 off by default)");
	fingerprint_add(s, "cpu_binding", "%s",
			o->no_cpu_binding ? "off (--no-cpu-binding)"
					  : "on (stub threads follow their tracer's CPU, P26)");
	fingerprint_add(s, "timeout_default", "%u.%03u s", o->timeout_ms / 1000,
			o->timeout_ms % 1000);
	fingerprint_add(s, "timeout_scale", "%g", o->scale);
	fingerprint_add(s, "repeat", "%u", o->repeat);
	fingerprint_add(s, "normalisation", "none");
	fingerprint_add(s, "gdb", "%s",
			gdb ? gdb : "not installed (crashes are reported without a backtrace)");
}

void fingerprint_build(struct fp_store *s, const struct host_features *h,
		       const struct runner_opts *o, const char *gdb)
{
	s->fp = (struct fingerprint){ s->pairs, 0 };
	probe(s, h);
	backends(s, h);
	knockouts(s);
	options(s, o, gdb);
}
