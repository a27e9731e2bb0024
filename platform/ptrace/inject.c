/* P20: running one syscall inside a stub, through the syscall instruction
 * of P2, and P21's map-file and unmap built on it. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "platform/ptrace/ptrace.h"

#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514

static bool is_restart(long r)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND;
}

/* Resume until the int3 after the syscall. Anything else that stops the
 * thread (a SIGSTOP, a signal from another process, an interrupt) is
 * resumed with signal 0, which suppresses it. We know the int3 by where it
 * leaves rip, which costs nothing: we read the registers anyway. */
static long run_to_int3(struct stub_thread *t, struct user_regs_struct *out)
{
	int status;
	for (;;) {
		if (ptrace(PTRACE_CONT, t->tid, 0, 0) != 0)
			return as_check_thread_death(t, -1, "resuming an injected syscall");
		int e = pt_wait(t->tid, &status);
		if (e)
			return as_check_thread_death(t, -1, "running an injected syscall");
		if (!WIFSTOPPED(status) || (status >> 16) == PTRACE_EVENT_EXIT)
			return as_check_thread_death(t, status, "running an injected syscall");
		if (WSTOPSIG(status) != SIGTRAP)
			continue;
		if (pt_getregs(t->tid, out) != 0)
			return as_check_thread_death(t, -1, "reading injected syscall registers");
		if (out->rip == stub_layout.done_rip + 1)
			return (long)out->rax;
	}
}

long inject_regs(struct stub_thread *t, struct user_regs_struct *r)
{
	struct user_regs_struct after;
	long rax;
	if (t->dead)
		return -PLAT_ESTUBDEAD;
	t->kregs_valid = false;
	do {
		if (pt_setregs(t->tid, r) != 0)
			return as_check_thread_death(t, -1, "setting injected syscall registers");
		rax = run_to_int3(t, &after);
	} while (is_restart(rax));
	return rax;
}

long inject_syscall(struct stub_thread *t, long nr, const long a[6])
{
	struct user_regs_struct r = t->init_regs;
	r.rax = (unsigned long long)nr;
	r.orig_rax = (unsigned long long)-1;
	r.rdi = (unsigned long long)a[0];
	r.rsi = (unsigned long long)a[1];
	r.rdx = (unsigned long long)a[2];
	r.r10 = (unsigned long long)a[3];
	r.r8 = (unsigned long long)a[4];
	r.r9 = (unsigned long long)a[5];
	r.rbx = 0;
	return inject_regs(t, &r);
}

/* Injects through the calling harness thread's syscall thread (P8). */
long as_inject(struct plat_as *as, long nr, const long a[6])
{
	if (atomic_load(&as->dead))
		return -PLAT_ESTUBDEAD;
	int err;
	struct stub_thread *t = tpool_get(as, &as->syscall, &err);
	if (!t)
		return err;
	return inject_syscall(t, nr, a);
}

int pt_map_file(struct plat_as *as, uintptr_t addr, int fd, uint64_t offset, size_t len, int prot,
		bool precommit)
{
	int flags = MAP_SHARED | MAP_FIXED | (precommit ? MAP_POPULATE : 0);
	long a[6] = { (long)addr, (long)len, prot, flags, fd, (long)offset };
	long r = as_inject(as, SYS_mmap, a);
	return r == (long)addr ? 0 : r < 0 ? (int)r : -EFAULT;
}

int pt_unmap(struct plat_as *as, uintptr_t addr, size_t len)
{
	long a[6] = { (long)addr, (long)len };
	int err = -PLAT_ESTUBDEAD;
	struct stub_thread *t = atomic_load(&as->dead) ? NULL : tpool_get(as, &as->syscall, &err);
	long r = t ? inject_syscall(t, SYS_munmap, a) : err;
	if (r != 0 && r != -PLAT_ESTUBDEAD)
		plat_fatal(t ? t->tid : 0, "munmap(%#lx, %#zx) in stub %d failed: %ld",
			   (unsigned long)addr, len, as->pid, r);
	return (int)r;
}
