/* See chaos.h. Everything comes from threads of the harness child or from
 * processes it forks, never from the guest: a guest cannot ask for chaos.
 *
 * kill-stub-*: the kill comes from a thread of the harness child, which
 * is "another process" for the stub: its signal is not the tracer's
 * resume and SIGKILL cannot be filtered (P15), so the platform sees the
 * stub die (PTRACE_EVENT_EXIT or a vanished tracee) and must report it
 * (P23).
 *
 * signal-stub: each signal comes from a freshly forked process
 * (chaos_send.c), because P15 reports what the harness itself sends.
 * Each one is sent only once the previous one was consumed (its discard
 * event arrived, or for SIGSTOP, which P14 resumes without an event, its
 * pending bit cleared), so that the trace holds the same lines in the
 * same order on every run. Then the emulated kernel sends the guest
 * SIGALRM (sentry_chaos_signal): the one signal it sees, telling it to
 * stop spinning and say what reached its handlers. */
#include "harness/chaos/chaos.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "harness/chaos/case_chaos.h"
#include "harness/chaos/chaos_send.h"
#include "harness/sentry/sentry.h"
#include "harness/sentry/trace.h"
#include "harness/util/signame.h"

#define WAIT_S 5 /* for one step; the case's timeout is larger */

static struct chaos {
	int mode;
	const struct case_chaos_step *steps;
	unsigned nsteps;
	int stdout_fd;
	struct plat_options next; /* the variant's own hook, still called */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started;
	pid_t pid;     /* the newest stub process (address space) */
	void *as_user; /* its user: the guest process */
	unsigned discards;
	struct trace *trace; /* notes and discard events; may be NULL */
} chaos = { .mu = PTHREAD_MUTEX_INITIALIZER };

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
	char buf[64] = { 0 };
	return pread(chaos.stdout_fd, buf, sizeof buf - 1, 0) > 0 && strstr(buf, "spinning\n");
}

static long long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The thread of stub process pid that is running ('R'), if exactly one
 * is: the one in guest code (P8: the others wait in ptrace stops). */
static pid_t running_thread(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	pid_t found = 0;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		pid_t tid = (pid_t)atoi(e->d_name);
		if (tid > 0 && state_of(pid, tid) == 'R')
			found = tid, n++;
	}
	closedir(d);
	return n == 1 ? found : 0;
}

/* Polls (yielding, up to 10 s) until the guest said it spins and, after
 * that, a thread of the newest stub process runs: the guest code of the
 * task that said so (its own address space; a forked child's is newer
 * than its parent's). So the next signal lands in guest code, and the
 * guest's write is already in the trace (the sentry resumes the stub only
 * after tracing the call). 0 if it got there, -1 at the deadline. */
static int wait_spinning(pid_t *pid, pid_t *tid, void **user)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!said_spinning()) {
		if (elapsed_ms(&t0) > 10000)
			return -1;
		sched_yield();
	}
	for (;;) {
		pthread_mutex_lock(&chaos.mu);
		*pid = chaos.pid, *user = chaos.as_user;
		pthread_mutex_unlock(&chaos.mu);
		if ((*tid = running_thread(*pid)) && *user)
			return 0;
		if (elapsed_ms(&t0) > 10000)
			return -1;
		sched_yield();
	}
}

static void *killer(void *arg)
{
	(void)arg;
	pid_t pid, tid;
	void *user;
	if (wait_spinning(&pid, &tid, &user) && !tid)
		tid = pid; /* the deadline: kill anyway, the case then fails */
	if (chaos.mode == CASE_CHAOS_KILL_THREAD)
		syscall(SYS_tgkill, pid, tid, SIGKILL);
	else
		kill(pid, SIGKILL);
	return NULL;
}

static void note(const char *fmt, const char *a, const char *b, const char *c)
{
	if (chaos.trace)
		trace_note(chaos.trace, fmt, a, b, c);
}

/* Waits until the platform reported discard number n (P15). */
static bool wait_discards(unsigned n)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += WAIT_S;
	pthread_mutex_lock(&chaos.mu);
	int r = 0;
	while (chaos.discards < n && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&chaos.cv, &chaos.mu, &dl);
	bool ok = chaos.discards >= n;
	pthread_mutex_unlock(&chaos.mu);
	return ok;
}

/* Whether sig is pending for the stub, on the thread or the process: a
 * line "SigPnd:" or "ShdPnd:" of /proc/PID/task/TID/status. */
static bool pending(pid_t pid, pid_t tid, int sig)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	unsigned long long mask = 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "SigPnd:", 7) || !strncmp(line, "ShdPnd:", 7))
			mask |= strtoull(line + 7, NULL, 16);
	fclose(f);
	return mask & (1ULL << (sig - 1));
}

/* P14 resumes a SIGSTOP without an event: it was consumed once it is no
 * longer pending (dequeued for its signal-delivery stop). */
static bool wait_not_pending(pid_t pid, pid_t tid, int sig)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (pending(pid, tid, sig)) {
		if (elapsed_ms(&t0) > WAIT_S * 1000)
			return false;
		sched_yield();
	}
	return true;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "-1 EPERM (Operation not permitted)";
	case ESRCH: return "-1 ESRCH (No such process)";
	case EAGAIN: return "-1 EAGAIN (Resource temporarily unavailable)";
	case EINVAL: return "-1 EINVAL (Invalid argument)";
	default: return e < 0 ? "the helper process failed" : "-1 (another errno)";
	}
}

/* One signal from another process: noted in the trace before it is sent
 * (its discard line comes after), then waited for until consumed. false
 * when it was not: the platform let it through (the guest then tells), so
 * sending more would only turn the case's failure into a timeout. */
static bool send_and_wait(enum case_chaos_action a, pid_t pid, pid_t tid, int sig)
{
	char name[SIGNAME_LEN];
	static const char *const call[] = {
		[CHAOS_KILL] = "kill",
		[CHAOS_TGKILL] = "tgkill",
		[CHAOS_SIGQUEUE] = "rt_sigqueueinfo si_code=SI_QUEUE",
		[CHAOS_TGSIGQUEUE] = "rt_tgsigqueueinfo si_code=SI_QUEUE",
		[CHAOS_SIGQUEUE_POSITIVE] = "rt_sigqueueinfo si_code=1",
	};
	pthread_mutex_lock(&chaos.mu);
	unsigned before = chaos.discards;
	pthread_mutex_unlock(&chaos.mu);
	note("~~~ chaos: %s %s%s from another process ~~~", call[a], signame(sig, name), "");
	int e = chaos_send(a, pid, tid, sig);
	if (e) {
		/* Nothing was sent. For si_code > 0 that is the kernel's rule
		 * P15 relies on: only a process itself may claim to be the
		 * kernel (rt_sigqueueinfo, kernel/signal.c). */
		note("~~~ chaos: %s%s%s ~~~", "refused: ", errno_name(e), "");
		return true;
	}
	bool ok = sig == SIGSTOP ? wait_not_pending(pid, tid, sig) : wait_discards(before + 1);
	if (!ok)
		note("~~~ chaos: %s %s: no discard within %s; no more signals ~~~", call[a], name,
		     "5 s");
	return ok;
}

static void run_steps(pid_t pid, pid_t tid)
{
	for (unsigned i = 0; i < chaos.nsteps; i++) {
		const struct case_chaos_step *s = &chaos.steps[i];
		for (unsigned n = 0; n < s->count; n++) {
			bool ok = s->action != CHAOS_STOP_CONTINUE
					  ? send_and_wait(s->action, pid, tid, s->sig)
					  : send_and_wait(CHAOS_KILL, pid, tid, SIGSTOP) &&
						    send_and_wait(CHAOS_KILL, pid, tid, SIGCONT);
			if (!ok)
				return;
		}
	}
}

static void *signaller(void *arg)
{
	(void)arg;
	pid_t pid, tid;
	void *user;
	if (wait_spinning(&pid, &tid, &user)) {
		note("~~~ chaos: %s%s%s ~~~", "the guest never spun", "", "");
		return NULL; /* the guest spins on: the case times out */
	}
	run_steps(pid, tid);
	/* The guest waits for this before it ends, so its process is alive. */
	note("~~~ chaos: %s%s%s ~~~", "the sentry sends SIGALRM (SI_KERNEL) to end the spin", "",
	     "");
	sentry_chaos_signal(user, SIGALRM);
	return NULL;
}

static void start(void *(*fn)(void *))
{
	pthread_t th;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, fn, NULL))
		kill(chaos.pid, SIGKILL); /* no chaos possible: the case errs */
	pthread_attr_destroy(&a);
}

/* The newest address space is remembered, with the guest process it
 * serves (as_user is set only after AS_NEW, so it comes with a later
 * event). The worker starts with the first address space. */
static void on_event(void *arg, const struct plat_event *ev)
{
	(void)arg;
	if (chaos.next.on_event)
		chaos.next.on_event(chaos.next.event_arg, ev);
	pthread_mutex_lock(&chaos.mu);
	bool go = false;
	if (ev->kind == PLAT_EV_AS_NEW || ev->kind == PLAT_EV_AS_REUSE) {
		chaos.pid = ev->stub_pid;
		chaos.as_user = NULL;
		go = !chaos.started;
		chaos.started = true;
	} else if (ev->stub_pid == chaos.pid && ev->as_user) {
		chaos.as_user = ev->as_user;
	}
	if (ev->kind == PLAT_EV_SIGNAL_DISCARDED) {
		if (chaos.trace)
			trace_event(chaos.trace, ev);
		chaos.discards++;
		pthread_cond_broadcast(&chaos.cv);
	}
	pthread_mutex_unlock(&chaos.mu);
	if (go)
		start(chaos.mode == CASE_CHAOS_SIGNAL_STUB ? signaller : killer);
}

const struct plat_options *chaos_options(const struct plat_options *in,
					 const struct chaos_spec *spec, int stdout_fd,
					 struct plat_options *out)
{
	if (!spec || spec->mode == CASE_CHAOS_NONE)
		return in;
	chaos.stdout_fd = stdout_fd;
	chaos.mode = spec->mode;
	chaos.steps = spec->steps;
	chaos.nsteps = spec->nsteps;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_cond_init(&chaos.cv, &ca);
	pthread_condattr_destroy(&ca);
	*out = in ? *in : (struct plat_options){ 0 };
	chaos.next = *out;
	out->on_event = on_event;
	out->event_arg = NULL;
	return out;
}

void chaos_set_trace(FILE *trace)
{
	if (chaos.mode == CASE_CHAOS_SIGNAL_STUB)
		chaos.trace = trace_new(trace);
}

bool chaos_error_expected(const char *error)
{
	return strstr(error, "killed by signal 9") != NULL;
}
