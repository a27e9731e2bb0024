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
	const size_t page = 4096;
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
