/* gdb backtraces for crashing children (see crash.h). */
#include "harness/runner/crash.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "platform/coverage.h"

#define GDB_WAIT_LIMIT_MS 60000 /* the job's timeout usually strikes first */

static char gdb_path[PATH_MAX];
static char pid_arg[24];
static char *gdb_argv[] = {
	gdb_path, "-batch", "-nx", "-p", pid_arg, "-ex", "thread apply all bt", NULL,
};
static int gdb_out = -1;
static char altstack[64 << 10];
static const int crash_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE };

const char *crash_find_gdb(void)
{
	static char found[PATH_MAX];
	const char *path = getenv("PATH");
	char *copy = strdup(path && *path ? path : "/usr/bin:/bin"), *save = NULL;
	for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof found, "%s/gdb", d);
		if (access(found, X_OK) == 0) {
			free(copy);
			return found;
		}
	}
	free(copy);
	return NULL;
}

/* A zombie still answers kill(pid, 0); ESRCH means someone reaped it. */
static void wait_gone(pid_t pid)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	for (int ms = 0; ms < GDB_WAIT_LIMIT_MS; ms += 50) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		if (kill(pid, 0) && errno == ESRCH)
			return; /* a tracer thread's waitpid(-1) took it */
		nanosleep(&tick, NULL);
	}
}

/* The child of a raw clone in a signal handler can flush nothing. */
static pid_t COV_UNMEASURED spawn_gdb(void)
{
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0) {
		dup2(gdb_out, 1);
		dup2(gdb_out, 2);
		execv(gdb_path, gdb_argv);
		_exit(127);
	}
	return pid;
}

/* Async-signal-safe only: a raw clone instead of fork(), whose atfork
 * handlers take locks (malloc's) that a crash may have left held. The
 * coverage build flushes its counters anyway (not async-signal-safe: a
 * crash inside malloc may then hang until the job's timeout). */
static void on_crash(int sig)
{
	int saved = errno;
	pid_t pid = spawn_gdb();
	if (pid > 0)
		wait_gone(pid);
	errno = saved;
	cov_flush();
	raise(sig); /* SA_RESETHAND put back the default action */
}

int crash_install(const char *gdb, int out_fd)
{
	if (!gdb)
		return 0;
	snprintf(gdb_path, sizeof gdb_path, "%s", gdb);
	snprintf(pid_arg, sizeof pid_arg, "%d", (int)getpid());
	gdb_out = out_fd;
	/* Under Yama ptrace_scope 1 only ancestors may attach; gdb is our
	 * child, so allow it explicitly. Harmless without Yama. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	if (sigaltstack(&ss, NULL))
		return -1;
	struct sigaction sa = { .sa_handler = on_crash };
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		if (sigaction(crash_signals[i], &sa, NULL))
			return -1;
	return 0;
}
