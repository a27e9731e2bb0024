/* P6, escape check: a host syscall made by a stub thread outside
 * the injection path is stopped by the stub filter's gate, counted by
 * plat_escapes() and ends the switch with an error. The escape is
 * simulated with the test-only plat_test_resume_cont: the guest is resumed
 * with PTRACE_CONT, so its syscall reaches the host kernel. */
#include "platform/test_guest.h"

/* getpid, allowed by the filter's rules when made from the stub page. */
GUEST_CODE(g_getpid_twice, "mov $39, %eax\n syscall\n mov $39, %eax\n syscall\n ud2");

Test(escape, p6_host_syscall_outside_injection_is_caught,
     .description = "P6: a guest syscall run on the host is stopped, counted and reported")
{
	struct guest g;
	guest_setup(&g, false);
	if (!plat_probe()->ptrace_before_seccomp) {
		guest_teardown(&g);
		cr_skip_test("legacy seccomp-before-ptrace order: no escape gate (P7)");
	}
	guest_load(&g, g_getpid_twice, g_getpid_twice_end);
	cr_assert_eq(plat_escapes(g.p), 0);
	atomic_store(&plat_test_resume_cont, true);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_ERROR,
		     "the escaped getpid must not just run (kind %d, signal %d, %s)", g.ex.kind,
		     g.ex.info.si_signo, g.ex.error);
	cr_assert(strstr(g.ex.error, "P6 escape") && strstr(g.ex.error, "host syscall 39"),
		  "error names the escape: %s", g.ex.error);
	atomic_store(&plat_test_resume_cont, false);
	cr_assert_eq(plat_escapes(g.p), 1);
	/* The escaped syscall was skipped; the stub is still usable under SYSEMU. */
	cr_assert_eq(guest_syscall(&g)->rax, 39);
	guest_teardown(&g);
}

Test(escape, p6_injections_are_not_escapes,
     .description = "P6: injected syscalls, new stubs and threads never trip the escape gate")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_getpid_twice, g_getpid_twice_end);
	cr_assert_eq(guest_syscall(&g)->rax, 39);
	for (int i = 0; i < 20; i++) {
		cr_assert_eq(plat_map_file(g.as, DATA_ADDR, g.memfd, PAGE, PAGE, PROT_READ, false),
			     0);
		cr_assert_eq(plat_unmap(g.as, DATA_ADDR, PAGE), 0);
	}
	struct plat_as *other;
	cr_assert_eq(plat_as_new(g.p, &other), 0);
	plat_as_release(other);
	cr_assert_eq(guest_syscall(&g)->rax, 39);
	cr_assert_eq(plat_escapes(g.p), 0);
	guest_teardown(&g);
}
