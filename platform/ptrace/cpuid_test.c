/* P27: CPUID faulting is an instance option, off by default. Off, a guest's
 * cpuid runs on the host CPU; on, it faults and the harness must answer. */
#include "platform/test_guest.h"

#include <cpuid.h>

#include "tools/knockout/knockout.h"

/* cpuid leaf 0, then report its four results in a syscall. */
GUEST_CODE(g_cpuid0,
	   "xor %eax, %eax\n xor %ecx, %ecx\n"
	   "cpuid\n"
	   "mov %eax, %edi\n mov %ebx, %esi\n mov %ecx, %r10d\n mov %edx, %r8d\n"
	   "mov $0x66, %eax\n syscall\n ud2");

static void setup_cpuid(struct guest *g, bool faulting)
{
	struct plat_options o = { .cpuid_faulting = faulting };
	guest_setup_opts(g, &o);
	guest_load(g, g_cpuid0, g_cpuid0_end);
}

static void expect_host_leaf0(const struct user_regs_struct *r)
{
	unsigned a, b, c, d;
	__cpuid_count(0, 0, a, b, c, d);
	cr_assert_eq(r->orig_rax, 0x66);
	cr_assert_eq(r->rdi, a);
	cr_assert_eq(r->rsi, b);
	cr_assert_eq(r->r10, c);
	cr_assert_eq(r->r8, d);
}

/* A throwaway instance tells whether the machine has it (the probe). */
static bool machine_has_cpuid_faulting(void)
{
	char err[256];
	struct plat *p = plat_new(NULL, err, sizeof(err));
	cr_assert_not_null(p, "plat_new: %s", err);
	bool has = plat_probe()->cpuid_faulting;
	plat_destroy(p);
	return has;
}

Test(cpuid, p27_off_by_default,
     .description = "P27: without the option a guest's cpuid runs on the host CPU, no fault")
{
	struct guest g;
	setup_cpuid(&g, false);
	cr_assert_not(plat_options(g.p)->cpuid_faulting);
	expect_host_leaf0(guest_syscall(&g));
	guest_teardown(&g);
}

Test(cpuid, p27_faulting_on,
     .description =
	     "P27: with the option cpuid is a #GP fault (SI_KERNEL, maybe_cpuid) at the "
	     "instruction; answered and skipped, the guest goes on")
{
	if (!machine_has_cpuid_faulting())
		cr_skip_test("no CPUID faulting on this machine (ARCH_SET_CPUID refused)");
	struct guest g;
	setup_cpuid(&g, true);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_FAULT, "kind %d", g.ex.kind);
	cr_assert_eq(g.ex.info.si_signo, SIGSEGV);
	cr_assert_eq(g.ex.info.si_code, SI_KERNEL);
	cr_assert(g.ex.maybe_cpuid);
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	cr_assert_eq(r->rip, CODE_ADDR + 4, "rip at the cpuid instruction");
	unsigned a, b, c, d;
	__cpuid_count(0, 0, a, b, c, d);
	r->rax = a, r->rbx = b, r->rcx = c, r->rdx = d;
	r->rip += 2;
	expect_host_leaf0(guest_syscall(&g));
	guest_teardown(&g);
}

Test(cpuid, p27_inherited_by_new_address_spaces,
     .description =
	     "P27: every stub process is cloned from the master, so a second address "
	     "space faults too (and a pooled one keeps it)")
{
	if (!machine_has_cpuid_faulting())
		cr_skip_test("no CPUID faulting on this machine (ARCH_SET_CPUID refused)");
	struct guest g;
	setup_cpuid(&g, true);
	for (int round = 0; round < 2; round++) {
		struct plat_as *as;
		cr_assert_eq(plat_as_new(g.p, &as), 0);
		cr_assert_eq(plat_map_file(as, CODE_ADDR, g.memfd, 0, PAGE, PROT_READ | PROT_EXEC,
					   false),
			     0);
		struct plat_ctx *ctx = plat_ctx_new(g.p);
		plat_ctx_regs(ctx)->rip = CODE_ADDR;
		plat_ctx_regs(ctx)->eflags = 0x202;
		struct plat_exit ex;
		cr_assert_eq(plat_switch(ctx, as, &ex), 0);
		cr_assert_eq(ex.kind, PLAT_EXIT_FAULT, "round %d: kind %d", round, ex.kind);
		cr_assert_eq(ex.info.si_code, SI_KERNEL);
		plat_ctx_release(ctx);
		plat_as_release(as); /* round 2 pops it from the pool (P22) */
	}
	guest_teardown(&g);
}

/* Where the machine has it, a knockout of arch_prctl makes the probe see
 * none; where it has not, the probe already says so. */
Test(cpuid, p27_refused_without_it,
     .description =
	     "P27: asking for CPUID faulting on a machine without it fails plat_new with "
	     "one line saying so")
{
	struct knockout_rule r;
	char err[256];
	cr_assert_eq(knockout_parse("arch_prctl:ARCH_SET_CPUID", &r, err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(knockout_install(&r, 1, err, sizeof err), 0, "%s", err);
	struct plat_options o = { .cpuid_faulting = true };
	struct plat *p = plat_new(&o, err, sizeof(err));
	cr_assert_null(p);
	cr_assert_not(plat_probe()->cpuid_faulting);
	cr_assert(strstr(err, "CPUID faulting was asked for"), "%s", err);
	p = plat_new(NULL, err, sizeof(err));
	cr_assert_not_null(p, "without the option it still works: %s", err);
	plat_destroy(p);
}
