/* T7: the seccomp-trap master, forked once from the watcher thread (its
 * parent for the instance's whole life: T8, P25). Like ptrace's master
 * (P3) it is a copy of the harness stripped down to the stub page, here
 * with its region above it; unlike it, nobody traces it. It serves one
 * request: clone a new stub process (CLONE_PARENT, so the harness is the
 * parent and reaps it). How stub processes are made is free (T7): gVisor
 * still uses ptrace for it; a request to a serving thread needs nothing
 * ptrace-specific, so this backend also runs where ptrace is blocked. */
#include <asm/prctl.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/seccomp/seccomp.h"

#define SA_RESTORER_FLAG 0x04000000

/* What the child needs, prepared before the fork: it must not allocate. */
struct master_args {
	pid_t harness;
	int memfd;
	const struct sock_fprog *filter;
	uintptr_t handler, restorer, entry;
	bool cpuid_faulting; /* P27 */
};

/* As for ptrace's master (platform/ptrace/master.c): the registered length
 * is not exported, so try glibc's feature size and then its 32 bytes. */
static int COV_UNMEASURED unregister_rseq(void)
{
	char *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	if (syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0)
		return 0;
	return (int)syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
}

/* Every catchable signal goes to the stub's handler on the altstack, with
 * every signal blocked while it runs (T2); the master itself blocks them
 * all, and so do the serving threads it clones: they never run one. */
static void COV_UNMEASURED install_handlers(const struct master_args *a)
{
	struct {
		uintptr_t handler;
		unsigned long flags;
		uintptr_t restorer;
		unsigned long mask;
	} act = { a->handler, SA_SIGINFO | SA_ONSTACK | SA_RESTORER_FLAG, a->restorer, ~0UL };
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP &&
		    syscall(SYS_rt_sigaction, sig, &act, NULL, sizeof(unsigned long)) != 0)
			syscall(SYS_exit, 111);
}

static void __attribute__((noreturn)) COV_UNMEASURED master_child(const struct master_args *a)
{
	unsigned long all = ~0UL;
	struct rlimit none = { 0, 0 };
	if (syscall(SYS_setsid) < 0)
		syscall(SYS_exit, 110);
	if (__rseq_size > 0 && unregister_rseq() != 0)
		syscall(SYS_exit, 112);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(all));
	install_handlers(a);
	/* A stub that dies must leave no core file behind. */
	syscall(SYS_prlimit64, 0, RLIMIT_CORE, &none, NULL);
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		syscall(SYS_exit, 113);
	if (syscall(SYS_getppid) != a->harness)
		syscall(SYS_exit, 114);
	uintptr_t r = sc_layout.region;
	if (syscall(SYS_mmap, r, SC_PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, a->memfd, 0) !=
		    (long)r ||
	    syscall(SYS_mmap, r + SC_PAGE, sc_layout.region_size - SC_PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, a->memfd, SC_PAGE) != (long)(r + SC_PAGE))
		syscall(SYS_exit, 115);
	/* P27, as ptrace's master does it: only when asked, inherited by
	 * every stub cloned from here. Before the filter, which traps any
	 * syscall from outside the stub page. */
	if (a->cpuid_faulting && syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0)
		syscall(SYS_exit, 117);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, a->filter) != 0)
		syscall(SYS_exit, 116);
	__asm__ volatile("jmp *%0" : : "r"(a->entry) : "memory");
	__builtin_unreachable();
}

/* Exit signal SIGCHLD, as ptrace's master has and for the same reason
 * (a clone with exit signal 0 is a "thread" to a debugger tracing the
 * harness); the stubs it clones inherit it through CLONE_PARENT. The
 * harness must not set SIGCHLD to SIG_IGN, which would reap them. */
static long COV_UNMEASURED clone_master(const struct master_args *a)
{
	long pid = syscall(SYS_clone, (unsigned long)(CLONE_FILES | SIGCHLD), 0, NULL, NULL, 0);
	if (pid == 0)
		master_child(a);
	return pid;
}

/* What the master child's exit status says (master_child's codes). */
static const char *const master_failures[] = {
	"setsid failed",
	"installing the signal handlers failed",
	"could not unregister rseq",
	"PR_SET_NO_NEW_PRIVS or PR_SET_PDEATHSIG failed",
	"the harness went away",
	"mapping its region failed",
	"the seccomp filter was refused",
	"ARCH_SET_CPUID refused: no CPUID faulting, P27",
};
#define MASTER_FIRST_CODE 110

static const char *master_failure(int code)
{
	unsigned i = (unsigned)(code - MASTER_FIRST_CODE);
	return i < sizeof(master_failures) / sizeof(master_failures[0]) ? master_failures[i]
									: "it died";
}

static struct sock_fprog *build_master_filter(char *err, size_t errlen)
{
	size_t max = 1024;
	struct sock_fprog *f = calloc(1, sizeof(*f) + max * sizeof(struct sock_filter));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->filter = (struct sock_filter *)(f + 1);
	int n = sc_filter_build(SC_LAYER_MASTER, f->filter, max, err, errlen);
	if (n < 0) {
		free(f);
		return NULL;
	}
	f->len = (unsigned short)n;
	return f;
}

/* Runs on the watcher thread. */
int sc_master_create(struct sc_plat *sp, char *err, size_t errlen)
{
	struct plat *p = sp->p;
	struct plat_as *as = sc_as_alloc(p, true);
	if (!as) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	struct sc_as *sa = as->sc;
	int e = sc_region_new(sa, err, errlen);
	if (!e && !(sp->mprog = build_master_filter(err, errlen)))
		e = -EINVAL;
	if (e) {
		sc_as_free(as);
		return e;
	}
	struct master_args a = { p->harness_pid,
				 sa->memfd,
				 sp->mprog,
				 sc_stub_addr(plat_sc_handler),
				 sc_stub_addr(plat_sc_restorer),
				 sc_stub_addr(plat_sc_master_entry),
				 p->opts.cpuid_faulting };
	long pid = clone_master(&a);
	if (pid < 0) {
		snprintf(err, errlen, "forking the seccomp master: %s", strerror(errno));
		sc_as_free(as);
		return -errno;
	}
	as->pid = (pid_t)pid;
	sa->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	e = sa->pidfd < 0 ? -errno : sc_wait_result(sa);
	if (e) {
		int status = 0;
		kill((pid_t)pid, SIGKILL);
		waitpid((pid_t)pid, &status, __WALL);
		snprintf(err, errlen, "the seccomp master stub %ld did not start: %s", pid,
			 WIFEXITED(status) ? master_failure(WEXITSTATUS(status))
					   : "killed by a signal");
		sc_as_free(as);
		return e ? e : -ECHILD;
	}
	close(sa->memfd);
	sa->memfd = -1;
	as_link(as);
	sp->master = as;
	return 0;
}
