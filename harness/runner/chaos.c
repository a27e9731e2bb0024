/* See chaos.h. The kill comes from a thread of the harness child, which is
 * "another process" for the stub: its signal is not the tracer's resume
 * and SIGKILL cannot be filtered (P15), so the platform sees the stub die
 * (PTRACE_EVENT_EXIT or a vanished tracee) and must report it (P23). */
#include "harness/runner/chaos.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "harness/case.h"

static struct chaos {
	int mode;
	bool started;
	int stdout_fd;
	pid_t pid, tid;
} chaos;

/* The state letter of /proc/PID/task/TID/stat, or 0 once it is gone. */
static char state_of(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

static bool said_spinning(void)
{
	char buf[64] = {0};
	return pread(chaos.stdout_fd, buf, sizeof buf - 1, 0) > 0 && strstr(buf, "spinning\n");
}

/* Polls (yielding, up to 10 s) until the guest said it spins and the stub
 * thread runs, then kills. A guest that never gets there is killed at
 * the deadline anyway (the case then fails on its error message). */
static void *killer(void *arg)
{
	(void)arg;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char st = state_of(chaos.pid, chaos.tid);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((st == 'R' && said_spinning()) || !st || t.tv_sec - t0.tv_sec > 10)
			break;
		sched_yield();
	}
	if (chaos.mode == CASE_CHAOS_KILL_THREAD)
		syscall(SYS_tgkill, chaos.pid, chaos.tid, SIGKILL);
	else
		kill(chaos.pid, SIGKILL);
	return NULL;
}

/* The guest-code stub thread of the first task is one of the first two
 * handed out (P8: one for injections, one for guest code); the later one
 * is where it spins. */
static void on_event(void *arg, const struct plat_event *ev)
{
	(void)arg;
	static int seen;
	if (ev->kind != PLAT_EV_THREAD_NEW || chaos.started || ++seen < 2)
		return;
	chaos.started = true;
	chaos.pid = ev->stub_pid;
	chaos.tid = ev->stub_tid;
	pthread_t th;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, killer, NULL))
		kill(chaos.pid, SIGKILL);
	pthread_attr_destroy(&a);
}

const struct plat_options *chaos_options(const struct plat_options *in, int mode,
					 int stdout_fd, struct plat_options *out)
{
	if (mode == CASE_CHAOS_NONE)
		return in;
	chaos.stdout_fd = stdout_fd;
	*out = in ? *in : (struct plat_options){0};
	chaos.mode = mode;
	out->on_event = on_event;
	out->event_arg = NULL;
	return out;
}

bool chaos_error_expected(const char *error)
{
	return strstr(error, "killed by signal 9") != NULL;
}
