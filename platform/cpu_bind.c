/* P26: a thread that runs guest code sits on the CPU of the harness thread
 * that switches to it, in both backends.
 *
 * Every switch wakes the stub thread (a ptrace resume, or a FUTEX_WAKE of
 * its state word) and then the harness thread (a ptrace stop, or the
 * stub's FUTEX_WAKE). When the two sit on different CPUs each wake-up is
 * an inter-processor interrupt, and in a VM one of those can cost more
 * than the whole switch; on one CPU it is a plain context switch. The
 * scheduler does not keep the pair together on its own (a harness thread
 * is free to move), so before each switch the stub thread's affinity is
 * set to the harness thread's current CPU when that differs from the one
 * it was last bound to. The check is one getcpu (vDSO) when nothing
 * moved. Only the stub thread's mask is ever set: the harness thread
 * keeps whatever it may run on, and follows the scheduler as before. */
#include <sched.h>

#include "platform/internal.h"

#ifdef PLAT_TESTING
atomic_long plat_test_cpu_binds;
#define COUNT_BIND() atomic_fetch_add(&plat_test_cpu_binds, 1)
#else
#define COUNT_BIND() ((void)0)
#endif

void cpu_bind(pid_t tid, int *bound_cpu)
{
	int cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || cpu == *bound_cpu)
		return;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	/* A failure (a cpuset that leaves the stub no CPU in common with
	 * its tracer, a stub that just died) leaves the thread where it
	 * was; remembering the CPU anyway keeps it from being retried on
	 * every switch, and a dead stub is reported by the switch itself. */
	sched_setaffinity(tid, sizeof(one), &one);
	*bound_cpu = cpu;
	COUNT_BIND();
}
