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
	   "mov %rax, %rdi\n" /* echo the result as the next call's arg */
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

GUEST_CODE(g_write_data,
	   "mov $0x20000000, %rax\n movq $0x42, (%rax)\n mov $0x78, %eax\n syscall\n ud2");
GUEST_CODE(g_read_data,
	   "mov $0x20000000, %rax\n mov (%rax), %rdi\n mov $0x77, %eax\n syscall\n ud2");
GUEST_CODE(g_jump_data, "mov $0x20000000, %rax\n jmp *%rax");
GUEST_CODE(g_ud2, "ud2");
GUEST_CODE(g_int3, "int3\n mov $0x79, %eax\n syscall");
GUEST_CODE(g_div0, "xor %ecx, %ecx\n mov $1, %eax\n cltd\n idiv %ecx");
GUEST_CODE(g_fs_read, "mov %fs:8, %rdi\n mov $0x7a, %eax\n syscall\n ud2");
GUEST_CODE(g_vsyscall, "mov $0xffffffffff600000, %rax\n call *%rax\n mov $0x7b, %eax\n syscall");
GUEST_CODE(g_steps, "nop\n nop\n nop\n mov $0x7c, %eax\n syscall\n ud2");

static void expect_fault(struct guest *g, unsigned access)
{
	enum plat_exit_kind k = guest_run(g);
	cr_assert_eq(k, PLAT_EXIT_FAULT, "expected a fault, got kind %d (%s)", k, g->ex.error);
	cr_assert_eq(g->ex.info.si_signo, SIGSEGV);
	cr_assert_eq(g->ex.access, access, "P17 access %#x, expected %#x", g->ex.access, access);
}

Test(switch, p17_write_fault_read_then_write,
     .description = "P17: write shows as read, then write on repeat")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_write_data, g_write_data_end);
	expect_fault(&g, PLAT_ACCESS_READ);
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, DATA_ADDR);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	expect_fault(&g, PLAT_ACCESS_READ | PLAT_ACCESS_WRITE);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ | PROT_WRITE);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x78);
	uint64_t v = 0;
	cr_assert_eq(pread(g.memfd, &v, 8, PAGE), 8);
	cr_assert_eq(v, 0x42, "the guest's write must land in the memory file");
	guest_teardown(&g);
}

Test(switch, p17_read_fault, .description = "P17: a read fault is read only")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_read_data, g_read_data_end);
	uint64_t v = 0xabcdef;
	cr_assert_eq(pwrite(g.memfd, &v, 8, PAGE), 8);
	expect_fault(&g, PLAT_ACCESS_READ);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	cr_assert_eq(guest_syscall(&g)->rdi, 0xabcdef);
	guest_teardown(&g);
}

Test(switch, p17_exec_fault, .description = "P17: a fault at rip is an execute")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_jump_data, g_jump_data_end);
	expect_fault(&g, PLAT_ACCESS_READ | PLAT_ACCESS_EXEC);
	cr_assert_eq(plat_ctx_regs(g.ctx)->rip, DATA_ADDR);
	cr_assert_not(g.ex.maybe_cpuid, "no CPUID can fault without P27's option");
	guest_teardown(&g);
}

Test(switch, p18_unmap_forgets_fault, .description = "P18: unmap clears the last-fault record")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_write_data, g_write_data_end);
	expect_fault(&g, PLAT_ACCESS_READ);
	cr_assert_eq(plat_unmap(g.as, DATA_ADDR, PAGE), 0);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	expect_fault(&g, PLAT_ACCESS_READ);
	expect_fault(&g, PLAT_ACCESS_READ | PLAT_ACCESS_WRITE);
	guest_teardown(&g);
}

static void expect_signal(struct guest *g, int signo, int code)
{
	enum plat_exit_kind k = guest_run(g);
	cr_assert_eq(k, PLAT_EXIT_SIGNAL, "expected a signal, got kind %d", k);
	cr_assert_eq(g->ex.info.si_signo, signo);
	cr_assert_eq(g->ex.info.si_code, code, "si_code %d, expected %d", g->ex.info.si_code, code);
}

Test(switch, p15_kernel_fault_ud2,
     .description = "P15: kernel-generated SIGILL is reported with its siginfo")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_ud2, g_ud2_end);
	expect_signal(&g, SIGILL, ILL_ILLOPN);
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, CODE_ADDR);
	guest_teardown(&g);
}

Test(switch, p15_kernel_trap_int3, .description = "P15: int3 is reported as SIGTRAP/SI_KERNEL")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_int3, g_int3_end);
	expect_signal(&g, SIGTRAP, SI_KERNEL);
	cr_assert_eq(plat_ctx_regs(g.ctx)->rip, CODE_ADDR + 1);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x79, "resuming after int3 continues the guest");
	guest_teardown(&g);
}

Test(switch, p15_kernel_fault_div0, .description = "P15: division by zero is SIGFPE/FPE_INTDIV")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_div0, g_div0_end);
	expect_signal(&g, SIGFPE, FPE_INTDIV);
	guest_teardown(&g);
}

Test(switch, p12_selectors_forced, .description = "P12: a 32-bit cs in the saved state is ignored")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_six_args, g_six_args_end);
	plat_ctx_regs(g.ctx)->cs = 0x23;
	plat_ctx_regs(g.ctx)->ss = 0;
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->cs, 0x33);
	cr_assert_eq(r->ss, 0x2b);
	guest_teardown(&g);
}

Test(switch, p13_fs_base_is_tls,
     .description = "P13: fs_base set by the harness is the guest's TLS")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_fs_read, g_fs_read_end);
	uint64_t v = 0x5eed5eed;
	cr_assert_eq(pwrite(g.memfd, &v, 8, PAGE + 8), 8);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	plat_ctx_regs(g.ctx)->fs_base = DATA_ADDR;
	cr_assert_eq(guest_syscall(&g)->rdi, 0x5eed5eed);
	cr_assert_eq(plat_ctx_regs(g.ctx)->fs_base, DATA_ADDR);
	guest_teardown(&g);
}

Test(switch, p14_single_step,
     .description = "P14: TF set means SYSEMU_SINGLESTEP, one stop per instruction")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_steps, g_steps_end);
	plat_ctx_regs(g.ctx)->eflags |= 0x100;
	static const uintptr_t rips[] = { 1, 2, 3, 8 };
	for (size_t i = 0; i < 4; i++) {
		expect_signal(&g, SIGTRAP, TRAP_TRACE);
		cr_assert_eq(plat_ctx_regs(g.ctx)->rip, CODE_ADDR + rips[i], "step %zu", i);
	}
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7c);
	guest_teardown(&g);
}

Test(switch, p16_vsyscall_becomes_exec_fault,
     .description = "P16: a vsyscall call is an execute fault")
{
	if (!strcmp(plat_probe()->vsyscall_mode, "none"))
		cr_skip("vsyscall=none on this kernel: calling it faults without the filter");
	struct guest g;
	guest_setup(&g, false);
	if (!strcmp(plat_probe()->vsyscall_mode, "none"))
		cr_skip("vsyscall=none");
	guest_load(&g, g_vsyscall, g_vsyscall_end);
	expect_fault(&g, PLAT_ACCESS_READ | PLAT_ACCESS_EXEC);
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, 0xffffffffff600000UL);
	cr_assert_eq(r->rip, 0xffffffffff600000UL);
	cr_assert_eq(r->rsp, STACK_ADDR + PAGE - 8, "the kernel's emulated ret must be undone");
	uint64_t ret = 0;
	cr_assert_eq(pread(g.memfd, &ret, 8, 3 * PAGE - 8), 8);
	cr_assert_eq(ret, CODE_ADDR + 9,
		     /* 7-byte mov, 2-byte call */ "the return address stays on the stack (%#lx)",
		     (unsigned long)ret);
	guest_teardown(&g);
}
