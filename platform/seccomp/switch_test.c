/* T4: the seccomp-trap switch against real stubs: syscalls, faults with
 * their exact access kind, signals, vsyscall, selectors, TLS, more
 * contexts than stub threads. */
#include "platform/test_guest.h"

#include <pthread.h>

#include "platform/seccomp/seccomp.h"

GUEST_CODE(sc_six_args,
	   "mov $0x1111111111111111, %rdi\n"
	   "mov $0x2222222222222222, %rsi\n"
	   "mov $0x3333333333333333, %rdx\n"
	   "mov $0x4444444444444444, %r10\n"
	   "mov $0x5555555555555555, %r8\n"
	   "mov $0x6666666666666666, %r9\n"
	   "mov $0x1234, %eax\n"
	   "syscall\n"
	   "mov %rax, %rdi\n"
	   "mov %rcx, %rsi\n"
	   "mov %r11, %rdx\n"
	   "mov $0x99, %eax\n"
	   "syscall\n"
	   "ud2");
GUEST_CODE(sc_write_data,
	   "mov $0x20000000, %rax\n movq $0x42, (%rax)\n mov $0x78, %eax\n syscall\n ud2");
GUEST_CODE(sc_read_data,
	   "mov $0x20000000, %rax\n mov (%rax), %rdi\n mov $0x77, %eax\n syscall\n ud2");
GUEST_CODE(sc_jump_data, "mov $0x20000000, %rax\n jmp *%rax");
GUEST_CODE(sc_ud2, "ud2");
GUEST_CODE(sc_int3, "int3\n mov $0x79, %eax\n syscall");
GUEST_CODE(sc_div0, "xor %ecx, %ecx\n mov $1, %eax\n cltd\n idiv %ecx");
GUEST_CODE(sc_fs_read, "mov %fs:8, %rdi\n mov $0x7a, %eax\n syscall\n ud2");
GUEST_CODE(sc_vsyscall, "mov $0xffffffffff600000, %rax\n call *%rax\n mov $0x7b, %eax\n syscall");
GUEST_CODE(sc_ds,
	   "mov $0x2b, %eax\n mov %eax, %ds\n mov $0x7c, %eax\n syscall\n"
	   "mov %ds, %edi\n mov $0x7d, %eax\n syscall\n ud2");
GUEST_CODE(sc_getpid_loop,
	   "mov $50, %ebx\n 1: mov $39, %eax\n syscall\n dec %ebx\n jnz 1b\n"
	   "mov $0x7e, %eax\n syscall\n ud2");

Test(seccomp, t4_syscall_args_rax_orig_rax,
     .description = "T4: SIGSYS -> SYSCALL, rax == orig_rax == the number (P14's view)")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_six_args, sc_six_args_end);
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x1234);
	cr_assert_eq(r->rax, 0x1234);
	cr_assert_eq(r->rdi, 0x1111111111111111ULL);
	cr_assert_eq(r->rsi, 0x2222222222222222ULL);
	cr_assert_eq(r->rdx, 0x3333333333333333ULL);
	cr_assert_eq(r->r10, 0x4444444444444444ULL);
	cr_assert_eq(r->r8, 0x5555555555555555ULL);
	cr_assert_eq(r->r9, 0x6666666666666666ULL);
	cr_assert_eq(r->rip, CODE_ADDR + 0x43, "rip after the syscall instruction");
	cr_assert_eq(r->rcx, r->rip, "syscall puts the return address in rcx");
	unsigned long long flags = r->r11;
	r->rax = (unsigned long long)-4095;
	r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x99);
	cr_assert_eq(r->rdi, (unsigned long long)-4095,
		     "the guest sees the result the harness set");
	cr_assert_eq(r->rsi, CODE_ADDR + 0x43, "rcx as the first syscall left it");
	cr_assert_eq(r->rdx, flags, "r11 as the first syscall left it");
	cr_assert_eq(plat_escapes(g.p), 0);
	guest_teardown(&g);
}

static void expect_fault(struct guest *g, unsigned p17, unsigned exact)
{
	enum plat_exit_kind k = guest_run(g);
	cr_assert_eq(k, PLAT_EXIT_FAULT, "expected a fault, got kind %d (%s)", k, g->ex.error);
	cr_assert_eq(g->ex.info.si_signo, SIGSEGV);
	cr_assert_eq(g->ex.access, p17, "P17 view %#x, expected %#x", g->ex.access, p17);
	cr_assert_eq(g->ex.exact_access, exact, "exact %#x, expected %#x", g->ex.exact_access,
		     exact);
}

Test(seccomp, t4_write_fault_exact_at_once,
     .description = "T4: a write to an unmapped page is a write at the first fault")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_write_data, sc_write_data_end);
	expect_fault(&g, PLAT_ACCESS_READ, PLAT_ACCESS_READ | PLAT_ACCESS_WRITE);
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, DATA_ADDR);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	expect_fault(&g, PLAT_ACCESS_READ | PLAT_ACCESS_WRITE,
		     PLAT_ACCESS_READ | PLAT_ACCESS_WRITE);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ | PROT_WRITE);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x78);
	uint64_t v = 0;
	cr_assert_eq(pread(g.memfd, &v, 8, PAGE), 8);
	cr_assert_eq(v, 0x42, "the guest's write lands in the memory file");
	guest_teardown(&g);
}

Test(seccomp, t4_read_and_exec_faults_exact,
     .description = "T4: read and instruction fetch from the error code")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_read_data, sc_read_data_end);
	expect_fault(&g, PLAT_ACCESS_READ, PLAT_ACCESS_READ);
	guest_teardown(&g);
	guest_setup_sc(&g, false);
	guest_load(&g, sc_jump_data, sc_jump_data_end);
	expect_fault(&g, PLAT_ACCESS_READ | PLAT_ACCESS_EXEC, PLAT_ACCESS_READ | PLAT_ACCESS_EXEC);
	cr_assert_eq(plat_ctx_regs(g.ctx)->rip, DATA_ADDR);
	guest_teardown(&g);
}

static void expect_signal(struct guest *g, int signo, int code)
{
	enum plat_exit_kind k = guest_run(g);
	cr_assert_eq(k, PLAT_EXIT_SIGNAL, "expected a signal, got kind %d (%s)", k, g->ex.error);
	cr_assert_eq(g->ex.info.si_signo, signo);
	cr_assert_eq(g->ex.info.si_code, code, "si_code %d, expected %d", g->ex.info.si_code, code);
}

Test(seccomp, t4_synchronous_signals,
     .description = "T4: SIGILL, SIGTRAP, SIGFPE from the kernel are SIGNAL exits")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_ud2, sc_ud2_end);
	expect_signal(&g, SIGILL, ILL_ILLOPN);
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, CODE_ADDR);
	guest_teardown(&g);
	guest_setup_sc(&g, false);
	guest_load(&g, sc_int3, sc_int3_end);
	expect_signal(&g, SIGTRAP, SI_KERNEL);
	cr_assert_eq(plat_ctx_regs(g.ctx)->rip, CODE_ADDR + 1);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x79, "resuming after int3 continues the guest");
	guest_teardown(&g);
	guest_setup_sc(&g, false);
	guest_load(&g, sc_div0, sc_div0_end);
	expect_signal(&g, SIGFPE, FPE_INTDIV);
	guest_teardown(&g);
}

Test(seccomp, t4_p12_selectors,
     .description = "T4 P12: a 32-bit cs in the saved state is ignored; data selectors are reset")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_ds, sc_ds_end);
	plat_ctx_regs(g.ctx)->cs = 0x23;
	plat_ctx_regs(g.ctx)->ss = 0;
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x7c);
	cr_assert_eq(r->cs, 0x33);
	cr_assert_eq(r->ss, 0x2b);
	cr_assert_eq(r->ds, 0x2b, "the selector the guest left is reported");
	r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x7d);
	cr_assert_eq(r->rdi, 0, "the guest runs on with the stub's null ds");
	guest_teardown(&g);
}

Test(seccomp, t4_fs_base_is_tls,
     .description = "T4: fs_base set by the harness is the guest's TLS (wrfsbase in the stub)")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_fs_read, sc_fs_read_end);
	uint64_t v = 0x5eed5eed;
	cr_assert_eq(pwrite(g.memfd, &v, 8, PAGE + 8), 8);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	plat_ctx_regs(g.ctx)->fs_base = DATA_ADDR;
	cr_assert_eq(guest_syscall(&g)->rdi, 0x5eed5eed);
	cr_assert_eq(plat_ctx_regs(g.ctx)->fs_base, DATA_ADDR);
	guest_teardown(&g);
}

Test(seccomp, t4_p16_vsyscall_becomes_exec_fault,
     .description = "T4 P16: a vsyscall call is an execute fault at its address")
{
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0);
	if (!strcmp(plat_probe()->vsyscall_mode, "none"))
		cr_skip("vsyscall=none on this kernel");
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_vsyscall, sc_vsyscall_end);
	expect_fault(&g, PLAT_ACCESS_READ | PLAT_ACCESS_EXEC, PLAT_ACCESS_READ | PLAT_ACCESS_EXEC);
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, 0xffffffffff600000UL);
	cr_assert_eq(r->rip, 0xffffffffff600000UL);
	cr_assert_eq(r->rsp, STACK_ADDR + PAGE - 8, "the kernel's emulated ret is undone");
	guest_teardown(&g);
}

/* More contexts than an address space has stub threads, each switched by
 * a harness thread of its own: the switches that find every slot busy
 * wait for one (T4, T7). */
struct runner {
	struct guest *g;
	int calls;
	char error[256];
};

static void *run_getpids(void *arg)
{
	struct runner *rn = arg;
	struct plat_ctx *c = plat_ctx_new(rn->g->p);
	struct user_regs_struct *r = plat_ctx_regs(c);
	r->rip = CODE_ADDR;
	r->rsp = STACK_ADDR + PAGE;
	r->eflags = 0x202;
	struct plat_exit ex;
	for (;;) {
		/* Time slices (T4) make spurious interrupts: switch again. */
		if (plat_switch(c, rn->g->as, &ex) == 0 && ex.kind == PLAT_EXIT_INTERRUPT)
			continue;
		if (ex.kind != PLAT_EXIT_SYSCALL) {
			snprintf(rn->error, sizeof(rn->error), "kind %d: %s", ex.kind, ex.error);
			break;
		}
		if (r->orig_rax == 0x7e)
			break;
		r->rax = 1000;
		rn->calls++;
	}
	plat_ctx_release(c);
	return NULL;
}

Test(seccomp, t4_more_contexts_than_stub_threads,
     .description = "T4 T7: switches wait for a free stub thread")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_getpid_loop, sc_getpid_loop_end);
	unsigned n = plat_probe()->seccomp_threads * 2 + 1;
	cr_assert(n <= 200);
	pthread_t th[200];
	struct runner rn[200];
	for (unsigned i = 0; i < n; i++) {
		rn[i] = (struct runner){ .g = &g };
		cr_assert_eq(pthread_create(&th[i], NULL, run_getpids, &rn[i]), 0);
	}
	for (unsigned i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(rn[i].calls, 50, "context %u: %d calls (%s)", i, rn[i].calls,
			     rn[i].error);
	}
	guest_teardown(&g);
}

/* One context more than there are stub threads, each adding itself to a
 * counter and spinning until every one has: the last one can only run if
 * a spinning one is made to give its thread up (a time slice). */
GUEST_CODE(sc_rendezvous,
	   "mov $0x20000000, %rbx\n lock incl (%rbx)\n"
	   "1: mov (%rbx), %eax\n cmp %edi, %eax\n jb 1b\n"
	   "mov $0x7e, %eax\n syscall\n ud2");

struct racer {
	struct guest *g;
	unsigned n;
	int interrupts;
	bool done;
};

static void *run_racer(void *arg)
{
	struct racer *rc = arg;
	struct plat_ctx *c = plat_ctx_new(rc->g->p);
	struct user_regs_struct *r = plat_ctx_regs(c);
	r->rip = CODE_ADDR;
	r->rsp = STACK_ADDR + PAGE;
	r->rdi = rc->n;
	r->eflags = 0x202;
	struct plat_exit ex;
	while (plat_switch(c, rc->g->as, &ex) == 0 && ex.kind == PLAT_EXIT_INTERRUPT)
		rc->interrupts++;
	rc->done = ex.kind == PLAT_EXIT_SYSCALL && r->orig_rax == 0x7e;
	plat_ctx_release(c);
	return NULL;
}

Test(seccomp, t4_t7_time_slices,
     .description =
	     "T4 T7: a switch that waits for a stub thread takes one from the longest runner")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_rendezvous, sc_rendezvous_end);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ | PROT_WRITE);
	unsigned n = plat_probe()->seccomp_threads + 1;
	pthread_t th[64];
	struct racer rc[64];
	cr_assert(n <= 64);
	for (unsigned i = 0; i < n; i++) {
		rc[i] = (struct racer){ .g = &g, .n = n };
		cr_assert_eq(pthread_create(&th[i], NULL, run_racer, &rc[i]), 0);
	}
	int interrupts = 0;
	for (unsigned i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		cr_expect(rc[i].done, "context %u did not finish", i);
		interrupts += rc[i].interrupts;
	}
	cr_expect_gt(interrupts, 0, "someone gave a thread up");
	guest_teardown(&g);
}
