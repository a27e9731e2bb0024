/* T9: FP state that stays resident in one address space's frame (lazy)
 * follows its context to another. The checks both backends share are in
 * platform/fpstate_test.c. */
#include "platform/test_guest.h"

#define PATTERN 0x0123456789abcdefULL

/* A context moves to another address space (execve, or a task of a new
 * process) with its FP state still in the first one's frame: the state
 * comes home from there before the switch (T9). */
GUEST_CODE(sc_set_xmm0,
	   "mov $0x0123456789abcdef, %rax\n movq %rax, %xmm0\n mov $0x7d, %eax\n"
	   "syscall\n ud2");
GUEST_CODE(sc_show_xmm0, "movq %xmm0, %rdi\n mov $0x7f, %eax\n syscall\n ud2");

Test(seccomp, t9_state_follows_the_context_to_another_address_space,
     .description =
	     "T9: FP state resident in one address space's frame reaches a switch in another")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_set_xmm0, sc_set_xmm0_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7d);
	struct plat_as *other;
	cr_assert_eq(plat_as_new(g.p, &other), 0);
	struct plat_as *first = g.as;
	g.as = other;
	guest_load(&g, sc_show_xmm0, sc_show_xmm0_end);
	cr_assert_eq(guest_syscall(&g)->rdi, PATTERN,
		     "xmm0 came from the other address space's frame");
	plat_as_release(first);
	guest_teardown(&g);
}
