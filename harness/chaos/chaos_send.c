/* See chaos_send.h. */
#include "harness/chaos/chaos_send.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A value the receiver could check; the guest never sees it (P15). */
#define CHAOS_SIVAL 0x5eed

/* In the helper: only raw syscalls, as the parent has other threads.
 * si_pid and si_uid are the helper's own: the kernel refuses a forged
 * si_code >= 0 from another process whatever they say (rt_sigqueueinfo,
 * kernel/signal.c), and we do not forge si_pid either. */
static long send_one(enum case_chaos_action action, pid_t pid, pid_t tid, int sig)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = action == CHAOS_SIGQUEUE_POSITIVE ? 1 : SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = CHAOS_SIVAL;
	switch (action) {
	case CHAOS_KILL: return syscall(SYS_kill, pid, sig);
	case CHAOS_TGKILL: return syscall(SYS_tgkill, pid, tid, sig);
	case CHAOS_SIGQUEUE:
	case CHAOS_SIGQUEUE_POSITIVE: return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
	case CHAOS_TGSIGQUEUE: return syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &si);
	default: errno = EINVAL; return -1;
	}
}

int chaos_send(enum case_chaos_action action, pid_t pid, pid_t tid, int sig)
{
	pid_t c = fork();
	if (c < 0)
		return -1;
	if (c == 0)
		_exit(send_one(action, pid, tid, sig) == 0 ? 0 : errno & 0x7f);
	int st;
	while (waitpid(c, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
