/* P26: a stub thread runs on the CPU of the harness thread that traces it.
 *
 * Every switch is a ptrace resume that wakes the stub thread and a stop
 * that wakes the tracer. When the two sit on different CPUs each wake-up
 * is an inter-processor interrupt, and in a VM one of those can cost more
 * than the whole switch; on one CPU it is a plain context switch. The
 * scheduler does not keep the pair together on its own (a tracer is free
 * to move), so before each switch the stub thread's affinity is set to
 * the tracer's current CPU when that differs from the one it was last
 * bound to. The check is one getcpu (vDSO) when nothing moved. Only the
 * stub thread's mask is ever set: the tracer keeps whatever it may run
 * on, and follows the scheduler as before. */
#include <sched.h>

#include "platform/internal.h"

#ifdef PLAT_TESTING
atomic_long plat_test_cpu_binds;
#define COUNT_BIND() atomic_fetch_add(&plat_test_cpu_binds, 1)
#else
#define COUNT_BIND() ((void)0)
#endif

void stub_thread_bind(struct stub_thread *t)
{
	int cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || cpu == t->bound_cpu)
		return;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	/* A failure (a cpuset that leaves the stub no CPU in common with
	 * its tracer, a stub that just died) leaves the thread where it
	 * was; remembering the CPU anyway keeps it from being retried on
	 * every switch, and a dead stub is reported by the resume itself. */
	sched_setaffinity(t->tid, sizeof(one), &one);
	t->bound_cpu = cpu;
	COUNT_BIND();
}
