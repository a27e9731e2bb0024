/* Coverage builds (make coverage, -DCOVERAGE; mk/coverage.mk). gcov keeps
 * its counters in memory and writes them from an atexit handler, so a
 * process that leaves by _exit, execve or a signal loses them. Such exits
 * go through cov_flush() first; outside coverage builds it is nothing.
 * Code that runs in a child which can flush nothing (a raw clone that
 * becomes a stub, a child under a filter that fakes every syscall) is
 * marked COV_UNMEASURED instead: gcov could only ever show it as unrun. */
#ifndef PLATFORM_COVERAGE_H
#define PLATFORM_COVERAGE_H

#include <unistd.h>

#ifdef COVERAGE
void __gcov_dump(void);
#define cov_flush() __gcov_dump()
#define COV_UNMEASURED __attribute__((no_profile_instrument_function, noinline))
#else
#define cov_flush() ((void)0)
#define COV_UNMEASURED
#endif

static inline _Noreturn void cov_exit(int code)
{
	cov_flush();
	_exit(code);
}

#endif
