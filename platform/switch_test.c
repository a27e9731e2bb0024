/* Switch tests: P10-P17 against real stub processes. */
#include "platform/test_guest.h"

#include <cpuid.h>
#include <sys/user.h>

/* Six distinctive arguments, then a loop that reports what it got back. */
GUEST_CODE(g_six_args,
	"mov $0x1111111111111111, %rdi\n"
	"mov $0x2222222222222222, %rsi\n"
	"mov $0x3333333333333333, %rdx\n"
	"mov $0x4444444444444444, %r10\n"
	"mov $0x5555555555555555, %r8\n"
	"mov $0x6666666666666666, %r9\n"
	"mov $0x1234, %eax\n"
	"syscall\n"
	"mov %rax, %rdi\n"      /* echo the result as the next call's arg */
	"mov $0x99, %eax\n"
	"syscall\n"
	"ud2\n");

Test(switch, p10_p14_syscall_args_and_orig_rax, .description = "P10 P14: syscall with six args")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_six_args, g_six_args_end);
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x1234);
	cr_assert_eq(r->rax, 0x1234, "P14: rax must be set to orig_rax");
	cr_assert_eq(r->rdi, 0x1111111111111111ULL);
	cr_assert_eq(r->rsi, 0x2222222222222222ULL);
	cr_assert_eq(r->rdx, 0x3333333333333333ULL);
	cr_assert_eq(r->r10, 0x4444444444444444ULL);
	cr_assert_eq(r->r8, 0x5555555555555555ULL);
	cr_assert_eq(r->r9, 0x6666666666666666ULL);
	cr_assert_eq(r->rip, CODE_ADDR + 0x43, "rip after the syscall instruction");
	r->rax = (unsigned long long)-4095; /* the guest must see exactly this */
	r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x99);
	cr_assert_eq(r->rdi, (unsigned long long)-4095);
	guest_teardown(&g);
}
