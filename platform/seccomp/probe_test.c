/* T1, T10: the seccomp-trap backend's probe, and a backend whose probe
 * failed (forced by knockouts in the test's own process, before the
 * probe): plat_new() says why, the ptrace backend is untouched. */
#include "platform/test_guest.h"

#include "platform/seccomp/seccomp.h"
#include "tools/knockout/knockout.h"

static void knock_out(const char *spec)
{
	struct knockout_rule r;
	char err[256];
	cr_assert_eq(knockout_parse(spec, &r, err, sizeof err), 0, "%s", err);
	cr_assert_eq(knockout_install(&r, 1, err, sizeof err), 0, "%s", err);
}

Test(seccomp, t1_probe_records_the_frame,
     .description = "T1: RET_TRAP, the SIGSYS frame and the ip filter, probed once")
{
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0, "%s", err);
	const struct plat_probe *p = plat_probe();
	cr_assert(p->seccomp_ok, "%s", p->seccomp_missing);
	cr_assert_str_eq(p->seccomp_missing, "");
	/* rt_sigframe (440 bytes) plus the XSAVE image and its magic. */
	cr_assert_gt(p->sigframe_size, 440 + p->fpstate_size);
	cr_assert_lt(p->sigframe_size, 65536);
	cr_assert_geq(p->seccomp_threads, 2);
	cr_assert_leq(p->seccomp_threads, SC_SLOTS_MAX);
	cr_assert_eq(sc_layout.fp_size, p->fpstate_size,
		     "the frame's image is the contexts' layout");
	cr_assert_eq(sc_layout.region, plat_stub_end(), "the region lies above the stub page");
	cr_assert_leq(sc_layout.region + sc_layout.region_size, 0x7ffffffff000UL);
	cr_assert_str_eq(plat_backend_name(PLAT_BACKEND_SECCOMP), "seccomp");
	cr_assert_str_eq(plat_backend_name(PLAT_BACKEND_PTRACE), "ptrace");
}

Test(seccomp, t1_no_ret_trap_is_a_clear_refusal,
     .description =
	     "T1: SECCOMP_RET_TRAP unavailable: seccomp refused with the reason, ptrace runs")
{
	knock_out("seccomp:SECCOMP_GET_ACTION_AVAIL");
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0, "%s", err);
	const struct plat_probe *p = plat_probe();
	cr_assert(!p->seccomp_ok);
	cr_assert(strstr(p->seccomp_missing, "SECCOMP_RET_TRAP"), "%s", p->seccomp_missing);
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP };
	cr_assert_null(plat_new(&o, err, sizeof err));
	cr_assert_str_eq(err, p->seccomp_missing, "plat_new names the missing piece");
	struct guest g;
	guest_setup(&g, false);
	guest_teardown(&g);
}

Test(seccomp, t1_t8_no_pidfd_is_a_clear_refusal,
     .description = "T1 T8: without pidfd_open a dead stub could not be seen: refused")
{
	knock_out("pidfd_open");
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0, "%s", err);
	cr_assert(!plat_probe()->seccomp_ok);
	cr_assert(strstr(plat_probe()->seccomp_missing, "pidfd_open"), "%s",
		  plat_probe()->seccomp_missing);
}

Test(seccomp, t1_unknown_backend, .description = "T1: an unknown backend number is refused")
{
	struct plat_options o = { .backend = (enum plat_backend)7 };
	char err[256];
	cr_assert_null(plat_new(&o, err, sizeof err));
	cr_assert(strstr(err, "unknown platform backend"), "%s", err);
}

/* The probe's live child: a filter refused. */
Test(seccomp, t1_filter_refused_is_a_clear_refusal,
     .description = "T1: seccomp(SECCOMP_SET_MODE_FILTER) refused: the probe says so")
{
	knock_out("seccomp:SECCOMP_SET_MODE_FILTER");
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0, "%s", err);
	cr_assert(!plat_probe()->seccomp_ok);
	cr_assert(strstr(plat_probe()->seccomp_missing, "refused a filter"), "%s",
		  plat_probe()->seccomp_missing);
}

/* Past the probe: the master cannot start (its own session refused),
 * and plat_new says why; or no region can be made. */
Test(seccomp, t7_master_that_cannot_start,
     .description = "T7: a master stub that cannot start is a clear plat_new error")
{
	knock_out("setsid=EPERM");
	char err[256];
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP };
	cr_assert_null(plat_new(&o, err, sizeof err));
	cr_assert(strstr(err, "did not start") && strstr(err, "setsid"), "%s", err);
}

Test(seccomp, t7_no_region_is_a_clear_error,
     .description = "T7: without memfd_create no stub region, and plat_new says so")
{
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0, "%s", err);
	knock_out("memfd_create");
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP };
	cr_assert_null(plat_new(&o, err, sizeof err));
	cr_assert(strstr(err, "region"), "%s", err);
}
