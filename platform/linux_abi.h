/*
 * Constants of the Linux x86-64 user ABI that the platform and the sentry
 * mirror. One home for each, so that a check the sentry makes "as Linux
 * does" and the platform's own bounds can never drift apart.
 */
#ifndef PLATFORM_LINUX_ABI_H
#define PLATFORM_LINUX_ABI_H

#include <signal.h>
#include <stdbool.h>

/* TASK_SIZE_MAX with 4-level paging: the first address past user space.
 * Linux checks user pointers and fs/gs bases against it (ARCH_SET_FS,
 * CLONE_SETTLS, MAP_FIXED, mremap); the stub page lies below it (P1). */
#define LINUX_TASK_SIZE 0x7ffffffff000UL

/* Signals 1..LINUX_NSIG. The kernel's first real-time signal is 32; the
 * C library's SIGRTMIN macro (34) hides the two glibc reserves, so guest
 * numbering must never come from <signal.h>. */
#define LINUX_NSIG 64
#define LINUX_SIGRTMIN 32

/* x86 MINSIGSTKSZ as sigaltstack checks it (arch/x86/include/uapi). */
#define LINUX_MINSIGSTKSZ 2048

/* The signals whose default action terminates with a core dump (the
 * kernel's SIG_KERNEL_COREDUMP_MASK; numbers below 32 are the same in
 * <signal.h>). */
static inline bool linux_sig_default_core(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS: return true;
	}
	return false;
}

#endif
