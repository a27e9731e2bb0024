/* The common start of runner children (see childenv.h). */
#include "harness/runner/childenv.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define FD_PARK 256 /* above any target fd: sources are moved here first */

/* The kernel copies the task's sas_ss_flags verbatim into the uc_stack of
 * every signal frame, and fork and execve keep them (execve drops only the
 * stack itself). Anything forked, however far up, from a thread other than
 * a main thread inherits SS_DISABLE (the kernel resets each CLONE_VM
 * thread's altstack); anything else 0, until someone calls sigaltstack.
 * So a fixture's frames would depend on what started the runner
 * (signals/altstack_none differed between a shell on the host and the
 * initramfs of make kernels). A stack set with flags 0 makes them 0 for
 * every child, the state of a process no thread ever forked; the area
 * only has to exist until execve or the child's own sigaltstack. */
int childenv_altstack_reset(void)
{
	static char area[1 << 16];
	stack_t ss = { .ss_sp = area, .ss_size = sizeof area, .ss_flags = 0 };
	return sigaltstack(&ss, NULL);
}

int childenv_enter(pid_t parent)
{
	sigset_t none;
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return -1; /* the runner died before PDEATHSIG was armed */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct rlimit nocore = { 0, 0 };
	setrlimit(RLIMIT_CORE, &nocore);
	return childenv_altstack_reset();
}

int childenv_fds(const int *src, int n)
{
	int park[n];
	int null = open("/dev/null", O_RDWR);
	if (null < 0)
		return -1;
	/* Park first: a source may sit on another one's target number. */
	for (int i = 0; i < n; i++) {
		park[i] = fcntl(src[i] >= 0 ? src[i] : null, F_DUPFD, FD_PARK + n);
		if (park[i] < 0)
			return -1;
	}
	for (int i = 0; i < n; i++)
		if (dup2(park[i], i) < 0)
			return -1;
	return close_range((unsigned)n, ~0u, 0);
}
