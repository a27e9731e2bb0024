/* Feature words of case files (see features.h). */
#include "harness/runner/features.h"

#include <cpuid.h>
#include <stdio.h>
#include <string.h>

struct feature {
	const char *word;
	bool (*present)(const struct host_features *h);
	const char *what; /* how it is probed, for the SKIP message */
};

static bool fsgsbase(const struct host_features *h)
{
	return h->probe.has_fsgsbase;
}
static bool cpuid_faulting(const struct host_features *h)
{
	return h->probe.cpuid_faulting;
}
static bool vsyscall(const struct host_features *h)
{
	return h->probe.vsyscall_mode[0] && strcmp(h->probe.vsyscall_mode, "none") != 0;
}
static bool xsave(const struct host_features *h)
{
	return h->probe.has_xsave;
}
static bool avx(const struct host_features *h)
{
	return h->avx;
}
static bool avx512(const struct host_features *h)
{
	return h->avx512;
}
static bool exitkill(const struct host_features *h)
{
	return h->probe.exitkill;
}
/* The FXSAVE fallback (P13) keeps no AVX state across frames or contexts. */
static bool xstate(const struct host_features *h)
{
	return h->probe.fp_xfer == PLAT_FP_XSTATE;
}
static bool seccomp_order(const struct host_features *h)
{
	return h->probe.ptrace_before_seccomp;
}
static bool seccomp_uprobe(const struct host_features *h)
{
	return h->probe.seccomp_sees_uprobe_calls;
}
static bool tcg(const struct host_features *h)
{
	return h->tcg;
}

static const struct feature features[] = {
	{ "fsgsbase", fsgsbase, "FSGSBASE enabled by the kernel (AT_HWCAP2)" },
	{ "cpuid_faulting", cpuid_faulting,
	  "ARCH_SET_CPUID(0) accepted; P27: the case runs with CPUID faulting on" },
	{ "vsyscall", vsyscall, "a [vsyscall] mapping (vsyscall mode not none)" },
	{ "xsave", xsave, "CPUID XSAVE and OSXSAVE" },
	{ "avx", avx, "CPUID AVX and XCR0 YMM state" },
	{ "avx512", avx512, "CPUID AVX512F and XCR0 ZMM state" },
	{ "exitkill", exitkill, "PTRACE_O_EXITKILL accepted" },
	{ "xstate", xstate, "FP state moved as a whole (fp_transfer xstate, not the FXSAVE area)" },
	{ "ptrace_before_seccomp", seccomp_order, "ptrace stops before seccomp (P7)" },
	{ "seccomp_uprobe_trapped", seccomp_uprobe,
	  "seccomp traps syscalls 335 (uretprobe) and 336 (uprobe) (T1 probe)" },
	{ "tcg", tcg, "CPUID hypervisor leaf 0x40000000 says TCGTCGTCGTCG (qemu's emulator)" },
};
#define NFEATURES (sizeof features / sizeof features[0])

static unsigned long long xcr0(void)
{
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (unsigned long long)hi << 32 | lo;
}

/* qemu's TCG announces itself in the hypervisor leaf. It is an emulated
 * CPU that gets a few exceptions wrong (make kernels boots guests under
 * it), so a case may fail there for the emulator's sake, natively too:
 * cases/known-failures says so with feature=tcg. */
static bool cpu_is_tcg(void)
{
	unsigned a, b, c, d;
	char vendor[13];
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return false; /* no hypervisor bit: real hardware */
	__cpuid(0x40000000, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &c, 4);
	memcpy(vendor + 8, &d, 4);
	vendor[12] = 0;
	return !strcmp(vendor, "TCGTCGTCGTCG");
}

void features_host(struct host_features *h, const struct plat_probe *probe)
{
	unsigned a, b, c, d;
	*h = (struct host_features){ .probe = *probe, .tcg = cpu_is_tcg() };
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
		return; /* without OSXSAVE, xgetbv faults and no YMM state exists */
	unsigned long long x = xcr0();
	h->avx = (c & bit_AVX) && (x & 0x6) == 0x6;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		h->avx512 = (b & bit_AVX512F) && (x & 0xe6) == 0xe6;
}

static const struct feature *lookup(const char *word)
{
	for (size_t i = 0; i < NFEATURES; i++)
		if (!strcmp(features[i].word, word))
			return &features[i];
	return NULL;
}

enum feature_verdict features_check(const struct host_features *h, const struct words *want,
				    char *why, size_t whylen)
{
	for (size_t i = 0; i < want->n; i++)
		if (!lookup(want->v[i])) {
			snprintf(why, whylen, "unknown feature '%s' (known: %s)", want->v[i],
				 features_known());
			return FEATURE_UNKNOWN;
		}
	for (size_t i = 0; i < want->n; i++) {
		const struct feature *f = lookup(want->v[i]);
		if (!f->present(h)) {
			snprintf(why, whylen, "needs %s: not present here (probed: %s)", f->word,
				 f->what);
			return FEATURE_MISSING;
		}
	}
	return FEATURE_OK;
}

void features_plat_options(const struct words *want, struct plat_options *o)
{
	if (words_find(want, "cpuid_faulting") >= 0)
		o->cpuid_faulting = true;
}

const char *features_known(void)
{
	static char list[256];
	if (!list[0])
		for (size_t i = 0; i < NFEATURES; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				 i ? " " : "", features[i].word);
	return list;
}
