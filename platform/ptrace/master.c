/* P3: the master stub, forked once from the harness. */
#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/ptrace/ptrace.h"

#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif

/* The registered length is not exported (glibc registers 32 bytes and
 * reports a smaller feature size in __rseq_size); the kernel accepts only
 * the exact one, so try both. */
static int COV_UNMEASURED unregister_rseq(void)
{
	char *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	if (syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0)
		return 0;
	return (int)syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
}

/* Runs in a copy of a multi-threaded process: raw syscalls only, no
 * allocation, no locks (so no gcov flush either: COV_UNMEASURED). Failures
 * exit with a code the parent can name. */
static void __attribute__((noreturn)) COV_UNMEASURED master_child(const void *filter, pid_t harness,
								  bool cpuid_faulting)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} dfl = { 0 };
	unsigned long none = 0;

	if (syscall(SYS_setsid) < 0)
		syscall(SYS_exit, 101);
	/* glibc registered rseq for the forking thread and fork copies that
	 * registration; once P4 unmaps the area the kernel would SIGSEGV the
	 * stub on its next return to user mode. */
	if (__rseq_size > 0 && unregister_rseq() != 0)
		syscall(SYS_exit, 104);
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(unsigned long));
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none));
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		syscall(SYS_exit, 102);
	/* P27: only when asked. Every stub is cloned from the master and
	 * inherits the setting; with it the kernel rewrites an MSR on every
	 * switch into and out of a stub, which traps under a hypervisor.
	 * Before the filter: from here (not the stub page) the filter's
	 * escape gate (P6, filter.c) would refuse it. */
	if (cpuid_faulting && syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0)
		syscall(SYS_exit, 105);
	if (filter && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) != 0)
		syscall(SYS_exit, 103);
	__asm__ volatile("mov %0, %%r15\n\tjmp *%1"
			 :
			 : "r"((long)harness), "r"(stub_layout.start)
			 : "r15", "memory");
	__builtin_unreachable();
}

/* The exit signal is SIGCHLD, not gVisor's SIGKILL: the master's death must
 * kill nobody (P23). Not 0 either, as the stubs it clones have: ptrace
 * reports a clone with exit signal 0 as a new *thread*, so gdb would keep
 * the master as a thread of the harness and the PTRACE_ATTACH below would
 * fail; with SIGCHLD it is an ordinary fork child that gdb lets go. The
 * harness must not set SIGCHLD to SIG_IGN (that would reap the master
 * behind our back). CLONE_FILES makes every harness fd valid inside the
 * stub (P21). Must run on the thread that serves the master for the
 * platform's whole life: PDEATHSIG fires when the forking *thread* exits. */
static long COV_UNMEASURED clone_master(const void *filter, pid_t harness, bool cpuid_faulting)
{
	long pid = syscall(SYS_clone, (unsigned long)(CLONE_FILES | SIGCHLD), 0, NULL, NULL, 0);
	if (pid == 0)
		master_child(filter, harness, cpuid_faulting);
	return pid;
}

int master_create(struct plat_as *master, struct stub_thread *first)
{
	struct plat *p = master->plat;
	long pid = clone_master(p->filter, p->harness_pid, p->opts.cpuid_faulting);
	if (pid < 0)
		return -errno;
	int status;
	if (waitpid((pid_t)pid, &status, __WALL | WUNTRACED) != pid || !WIFSTOPPED(status)) {
		char how[96];
		snprintf(p->error, sizeof(p->error), "the master stub %ld did not start: %s%s", pid,
			 pt_describe_status(status, how, sizeof(how)),
			 !WIFEXITED(status)           ? ""
			 : WEXITSTATUS(status) == 103 ? " (seccomp filter refused)"
			 : WEXITSTATUS(status) == 104 ? " (could not unregister rseq)"
			 : WEXITSTATUS(status) == 105
				 ? " (ARCH_SET_CPUID refused: no CPUID faulting, P27)"
				 : "");
		return -ECHILD;
	}
	master->pid = first->tid = (pid_t)pid;
	return 0;
}
