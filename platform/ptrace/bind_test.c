/* P26: before a switch the stub thread is bound to its tracer's current
 * CPU, again whenever the tracer has moved, never otherwise; the tracer's
 * own affinity is left alone; an option turns it off. */
#include "platform/test_guest.h"

#include <stdatomic.h>

GUEST_CODE(g_bind_loop, "1: mov $0x66, %eax\n syscall\n jmp 1b");

static cpu_set_t mask_of(pid_t tid)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	cr_assert_eq(sched_getaffinity(tid, sizeof(s), &s), 0, "%s", strerror(errno));
	return s;
}

static cpu_set_t just(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return s;
}

static void move_to(int cpu)
{
	cpu_set_t s = just(cpu);
	cr_assert_eq(sched_setaffinity(0, sizeof(s), &s), 0, "%s", strerror(errno));
	cr_assert_eq(sched_getcpu(), cpu);
}

/* Two CPUs this test may run on, or a skip. */
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

static void setup(struct guest *g, bool binding)
{
	struct plat_options o = { .no_cpu_binding = !binding };
	guest_setup_opts(g, &o);
	guest_load(g, g_bind_loop, g_bind_loop_end);
}

static void switches(struct guest *g, int n)
{
	for (int i = 0; i < n; i++)
		cr_assert_eq(guest_syscall(g)->orig_rax, 0x66);
}

static void expect_stub_on(struct guest *g, int cpu, const char *when)
{
	cpu_set_t got = mask_of(plat_test_thread_tid(g->as, false)), want = just(cpu);
	cr_assert(CPU_EQUAL(&got, &want),
		  "%s: the stub thread must be bound to CPU %d only (has %d CPUs%s)", when, cpu,
		  CPU_COUNT(&got), CPU_ISSET(cpu, &got) ? ", that one included" : "");
}

Test(bind, p26_follows_a_tracer_that_moves,
     .description =
	     "P26: the stub thread is bound to the tracer's CPU, and re-bound each time "
	     "the tracer has moved (a -> b -> a)")
{
	int a, b;
	two_cpus(&a, &b);
	struct guest g;
	setup(&g, true);
	move_to(a);
	switches(&g, 3);
	expect_stub_on(&g, a, "tracer on its first CPU");
	move_to(b);
	switches(&g, 3);
	expect_stub_on(&g, b, "after the tracer moved");
	move_to(a);
	switches(&g, 1);
	expect_stub_on(&g, a, "after it moved back");
	guest_teardown(&g);
}

Test(bind, p26_cheap_when_unchanged,
     .description = "P26: no affinity call while the tracer stays on one CPU; one per move")
{
	int a, b;
	two_cpus(&a, &b);
	struct guest g;
	setup(&g, true);
	move_to(a);
	switches(&g, 1);
	long before = atomic_load(&plat_test_cpu_binds);
	switches(&g, 200);
	cr_assert_eq(atomic_load(&plat_test_cpu_binds), before, "bound again without a move");
	move_to(b);
	switches(&g, 200);
	cr_assert_eq(atomic_load(&plat_test_cpu_binds), before + 1, "one bind for one move");
	guest_teardown(&g);
}

Test(bind, p26_tracer_affinity_untouched,
     .description =
	     "P26: a tracer free to run on every CPU keeps that freedom; only its stub "
	     "thread is narrowed, to one CPU the tracer may use")
{
	int a, b;
	two_cpus(&a, &b);
	cpu_set_t all = mask_of(0);
	struct guest g;
	setup(&g, true);
	switches(&g, 50);
	cpu_set_t mine = mask_of(0);
	cr_assert(CPU_EQUAL(&mine, &all), "the tracer's own affinity changed");
	cpu_set_t stub = mask_of(plat_test_thread_tid(g.as, false));
	cr_assert_eq(CPU_COUNT(&stub), 1, "the stub thread may run on %d CPUs", CPU_COUNT(&stub));
	CPU_AND(&stub, &stub, &all);
	cr_assert_eq(CPU_COUNT(&stub), 1, "bound outside the tracer's CPUs");
	guest_teardown(&g);
}

Test(bind, p26_off_leaves_stubs_alone,
     .description =
	     "P26 off (no_cpu_binding): the stub thread keeps the affinity it was created "
	     "with, wherever the tracer goes")
{
	int a, b;
	two_cpus(&a, &b);
	cpu_set_t all = mask_of(0);
	struct guest g;
	setup(&g, false);
	long before = atomic_load(&plat_test_cpu_binds);
	move_to(a);
	switches(&g, 3);
	move_to(b);
	switches(&g, 3);
	cpu_set_t stub = mask_of(plat_test_thread_tid(g.as, false));
	cr_assert(CPU_EQUAL(&stub, &all), "the stub thread's affinity changed (%d CPUs)",
		  CPU_COUNT(&stub));
	cr_assert_eq(atomic_load(&plat_test_cpu_binds), before);
	guest_teardown(&g);
}
