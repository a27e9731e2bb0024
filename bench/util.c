/* Small helpers: pinning, children that die with us, op counts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "platform/platform.h"

struct bench_env bench_env;

/* The calling thread only: children and threads created later inherit it,
 * which is how the platform's stub threads end up on the same CPU. */
int pin_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : -errno;
}

void child_die_with_parent(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Waits for a stop by sig (any stop when sig is 0); -1 if pid went away. */
int wait_stopped(pid_t pid, int sig)
{
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != pid || !WIFSTOPPED(status))
			return -1;
		if (!sig || WSTOPSIG(status) == sig)
			return status;
	}
}

void kill_and_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
}

/* As the platform probes it (P27): a child asks the kernel. */
bool bench_cpuid_faulting(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(syscall(SYS_arch_prctl, 0x1012 /* ARCH_SET_CPUID */, 0) == 0 ? 0 : 1);
	int status;
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

long scaled(long n)
{
	long s = (long)((double)n * bench_env.scale);
	return s < 1 ? 1 : s;
}

int bench_map_unmap(struct plat_as *as, int memfd, uintptr_t addr, bool time_unmap, long n,
		    double *ns, char *err, size_t errlen)
{
	const size_t page = PAGE;
	long warm = n / 20;
	long long sum = 0;
	for (long i = 0; i < warm + n; i++) {
		long long t0 = now_ns();
		int e = plat_map_file(as, addr, memfd, page, page, PROT_READ, false);
		long long t1 = now_ns();
		if (!e)
			e = plat_unmap(as, addr, page);
		long long t2 = now_ns();
		if (e) {
			snprintf(err, errlen, "map-file/unmap: %s", strerror(-e));
			return -1;
		}
		if (i >= warm)
			sum += time_unmap ? t2 - t1 : t1 - t0;
	}
	*ns = (double)sum / (double)n;
	return 0;
}

int bench_as_cycle(struct plat *p, int memfd, uintptr_t addr, long n, double *ns, char *err,
		   size_t errlen)
{
	long warm = n / 20 ? n / 20 : 1;
	long long t0 = 0;
	for (long i = 0; i < warm + n; i++) {
		if (i == warm)
			t0 = now_ns();
		struct plat_as *as;
		int e = plat_as_new(p, &as);
		if (!e) {
			e = plat_map_file(as, addr, memfd, 0, PAGE, PROT_READ, false);
			plat_as_release(as);
		}
		if (e) {
			snprintf(err, errlen, "new address space: %s", strerror(-e));
			return -1;
		}
	}
	*ns = (double)(now_ns() - t0) / (double)n;
	return 0;
}

int bench_switch(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *ex, char *err,
		 size_t errlen)
{
	if (plat_switch(ctx, as, ex) != 0 || ex->kind == PLAT_EXIT_ERROR) {
		snprintf(err, errlen, "plat_switch: %s", ex->error);
		return -1;
	}
	return 0;
}

int bench_fault_loop(struct plat_ctx *ctx, struct plat_as *as, int memfd, bool write, long n,
		     double *ns, char *err, size_t errlen)
{
	struct plat_exit ex;
	struct user_regs_struct *r = plat_ctx_regs(ctx);
	long warm = n / 20, done = 0;
	long long sum = 0;
	while (done < warm + n) {
		long long t0 = now_ns();
		if (bench_switch(ctx, as, &ex, err, errlen))
			return -1;
		if (ex.kind == PLAT_EXIT_SYSCALL) {
			int e = plat_unmap(as, WIN_ADDR, WIN_PAGES * PAGE);
			if (e) {
				snprintf(err, errlen, "unmap: %s", strerror(-e));
				return -1;
			}
			r->rax = 0;
			continue;
		}
		uintptr_t addr = (uintptr_t)ex.info.si_addr & ~(PAGE - 1);
		bool second = (ex.access & PLAT_ACCESS_WRITE) != 0;
		if (ex.kind != PLAT_EXIT_FAULT || addr < WIN_ADDR ||
		    addr >= WIN_ADDR + WIN_PAGES * PAGE || (second && !write) ||
		    (ex.access & PLAT_ACCESS_EXEC)) {
			snprintf(err, errlen, "unexpected exit kind %d at %p, access %#x", ex.kind,
				 ex.info.si_addr, ex.access);
			return -1;
		}
		int prot = write && !second ? PROT_READ : PROT_READ | PROT_WRITE;
		int e = plat_map_file(as, addr, memfd, PAGE + (addr - WIN_ADDR), PAGE, prot, false);
		if (e) {
			snprintf(err, errlen, "map-file: %s", strerror(-e));
			return -1;
		}
		long long t1 = now_ns();
		if (done >= warm)
			sum += t1 - t0;
		if (!write || second)
			done++;
	}
	*ns = (double)sum / (double)n;
	return 0;
}
