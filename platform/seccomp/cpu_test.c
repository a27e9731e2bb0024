/* P26 and P27 under the seccomp-trap backend, which honours both options
 * the way ptrace's does (platform/ptrace/bind_test.c, cpuid_test.c): the
 * stub thread a switch runs on follows the harness thread's CPU; CPUID
 * faulting is off unless asked for, and then the frame tells its #GP
 * apart from other SIGSEGVs. */
#include "platform/test_guest.h"

#include <cpuid.h>
#include <stdatomic.h>

#include "tools/knockout/knockout.h"

GUEST_CODE(sc_bind_loop, "1: mov $0x66, %eax\n syscall\n jmp 1b");
GUEST_CODE(sc_cpuid0,
	   "xor %eax, %eax\n xor %ecx, %ecx\n"
	   "cpuid\n"
	   "mov %eax, %edi\n mov %ebx, %esi\n mov %ecx, %r10d\n mov %edx, %r8d\n"
	   "mov $0x66, %eax\n syscall\n ud2");
GUEST_CODE(sc_gp, "mov $0x8000000000000000, %rax\n mov (%rax), %rax\n ud2");

static cpu_set_t mask_of(pid_t tid)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	cr_assert_eq(sched_getaffinity(tid, sizeof(s), &s), 0, "%s", strerror(errno));
	return s;
}

static void move_to(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	cr_assert_eq(sched_setaffinity(0, sizeof(s), &s), 0, "%s", strerror(errno));
	cr_assert_eq(sched_getcpu(), cpu);
}

static void two_cpus(int *a, int *b)
{
	cpu_set_t all = mask_of(0);
	*a = *b = -1;
	for (int c = 0; c < CPU_SETSIZE && *b < 0; c++)
		if (CPU_ISSET(c, &all))
			*(*a < 0 ? a : b) = c;
	if (*b < 0)
		cr_skip_test("needs two CPUs to move between (this process may use one)");
}

static void setup(struct guest *g, bool binding, bool cpuid_faulting, const char *code,
		  const char *end)
{
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP,
				  .no_cpu_binding = !binding,
				  .cpuid_faulting = cpuid_faulting };
	guest_setup_opts(g, &o);
	guest_load(g, code, end);
}

static void switches(struct guest *g, int n)
{
	for (int i = 0; i < n; i++)
		cr_assert_eq(guest_syscall(g)->orig_rax, 0x66);
}

static bool stub_on(struct guest *g, int cpu)
{
	cpu_set_t got = mask_of(plat_test_thread_tid(g->as, false));
	return CPU_COUNT(&got) == 1 && CPU_ISSET(cpu, &got);
}

/* Pinned to one CPU (as move_to() leaves this thread), the adaptive spin
 * stays at 0 and so the slot's thread is bound, except during the trial
 * every 64th switch makes (switch.c), which lets it run wherever the
 * harness thread may: here that is the same one CPU. */
Test(seccomp, p26_stub_thread_follows_the_harness_thread,
     .description =
	     "P26 under seccomp: the slot's thread is bound to the switching thread's "
	     "CPU, again after each move (a -> b -> a), not on every switch; the harness "
	     "thread keeps its mask")
{
	int a, b;
	two_cpus(&a, &b);
	cpu_set_t all = mask_of(0);
	struct guest g;
	setup(&g, true, false, sc_bind_loop, sc_bind_loop_end);
	move_to(a);
	switches(&g, 3);
	cr_assert(stub_on(&g, a), "tracer on CPU %d: the stub thread is not bound there", a);
	long before = atomic_load(&plat_test_cpu_binds);
	switches(&g, 128);
	long binds = atomic_load(&plat_test_cpu_binds) - before;
	cr_assert_leq(binds, 3, "%ld binds in 128 switches on one CPU (2 spin trials)", binds);
	move_to(b);
	switches(&g, 100);
	cr_assert(stub_on(&g, b), "after the move to CPU %d", b);
	move_to(a);
	switches(&g, 1);
	cr_assert(stub_on(&g, a), "after the move back");
	cr_assert_eq(sched_setaffinity(0, sizeof(all), &all), 0);
	switches(&g, 10);
	cpu_set_t mine = mask_of(0);
	cr_assert(CPU_EQUAL(&mine, &all), "the harness thread's own affinity changed");
	guest_teardown(&g);
}

Test(seccomp, p26_off_leaves_stub_threads_alone,
     .description = "P26 off under seccomp: the slot's thread keeps the mask it was born with")
{
	int a, b;
	two_cpus(&a, &b);
	cpu_set_t all = mask_of(0);
	struct guest g;
	setup(&g, false, false, sc_bind_loop, sc_bind_loop_end);
	long before = atomic_load(&plat_test_cpu_binds);
	move_to(a);
	switches(&g, 3);
	move_to(b);
	switches(&g, 3);
	cpu_set_t stub = mask_of(plat_test_thread_tid(g.as, false));
	cr_assert(CPU_EQUAL(&stub, &all), "the stub thread's mask changed (%d CPUs)",
		  CPU_COUNT(&stub));
	cr_assert_eq(atomic_load(&plat_test_cpu_binds), before);
	guest_teardown(&g);
}

static bool machine_has_cpuid_faulting(void)
{
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0, "%s", err);
	return plat_probe()->cpuid_faulting;
}

Test(seccomp, p27_off_by_default,
     .description =
	     "P27 under seccomp: without the option the guest's cpuid runs on the host "
	     "CPU; a #GP that is no cpuid is not maybe_cpuid")
{
	unsigned a, b, c, d;
	__cpuid_count(0, 0, a, b, c, d);
	struct guest g;
	setup(&g, true, false, sc_cpuid0, sc_cpuid0_end);
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->rdi, a);
	cr_assert_eq(r->rsi, b);
	cr_assert_eq(r->r10, c);
	cr_assert_eq(r->r8, d);
	guest_teardown(&g);
	setup(&g, true, false, sc_gp, sc_gp_end);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_FAULT, "kind %d", g.ex.kind);
	cr_assert_eq(g.ex.info.si_code, SI_KERNEL, "a non-canonical address is a #GP");
	cr_assert_not(g.ex.maybe_cpuid);
	guest_teardown(&g);
}

Test(seccomp, p27_faulting_on,
     .description =
	     "P27 under seccomp: with the option cpuid is a #GP at the instruction, "
	     "maybe_cpuid; answered and skipped, the guest goes on")
{
	if (!machine_has_cpuid_faulting())
		cr_skip_test("no CPUID faulting on this machine (ARCH_SET_CPUID refused)");
	struct guest g;
	setup(&g, true, true, sc_cpuid0, sc_cpuid0_end);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_FAULT, "kind %d", g.ex.kind);
	cr_assert_eq(g.ex.info.si_code, SI_KERNEL);
	cr_assert(g.ex.maybe_cpuid);
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	cr_assert_eq(r->rip, CODE_ADDR + 4, "rip at the cpuid instruction");
	unsigned a, b, c, d;
	__cpuid_count(0, 0, a, b, c, d);
	r->rax = a, r->rbx = b, r->rcx = c, r->rdx = d;
	r->rip += 2;
	r = guest_syscall(&g);
	cr_assert_eq(r->rdi, a);
	cr_assert_eq(r->r8, d);
	guest_teardown(&g);
}

Test(seccomp, p27_inherited_by_new_address_spaces,
     .description =
	     "P27 under seccomp: stub processes are cloned from the seccomp master, so a "
	     "second address space faults too, and a pooled one keeps it")
{
	if (!machine_has_cpuid_faulting())
		cr_skip_test("no CPUID faulting on this machine (ARCH_SET_CPUID refused)");
	struct guest g;
	setup(&g, true, true, sc_cpuid0, sc_cpuid0_end);
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
		cr_assert(ex.maybe_cpuid);
		plat_ctx_release(ctx);
		plat_as_release(as); /* round 2 pops it from the pool (P22) */
	}
	guest_teardown(&g);
}

Test(seccomp, p27_refused_without_it,
     .description =
	     "P27 under seccomp: asking for CPUID faulting where the machine has none "
	     "(here: ARCH_SET_CPUID knocked out before the probe) fails plat_new with "
	     "one line")
{
	struct knockout_rule r;
	char err[256];
	cr_assert_eq(knockout_parse("arch_prctl:ARCH_SET_CPUID", &r, err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(knockout_install(&r, 1, err, sizeof err), 0, "%s", err);
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP, .cpuid_faulting = true };
	cr_assert_null(plat_new(&o, err, sizeof err));
	cr_assert_not(plat_probe()->cpuid_faulting);
	cr_assert(strstr(err, "CPUID faulting was asked for"), "%s", err);
	o.cpuid_faulting = false;
	struct plat *p = plat_new(&o, err, sizeof err);
	cr_assert_not_null(p, "without the option it still works: %s", err);
	plat_destroy(p);
}
