/* The parent's loop (see sched.h).
 *
 * SIGCHLD, SIGINT, SIGTERM and SIGHUP (those of the last three not
 * inherited as ignored) are blocked and taken with sigtimedwait(), whose
 * timeout is the nearest deadline: one thread, no handlers, no races
 * between a child's end and the timeout check. The
 * runner is a child subreaper meanwhile, so stubs orphaned by a dead
 * tracer come back to it and are reaped, not left to init. */
#include "harness/runner/sched.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 200         /* progress refresh while children run */
#define STRAY_GRACE_MS 2000 /* for stubs already being killed by EXITKILL */
#define STRAY_GIVE_UP_MS 10000

struct loop {
	const struct sched *s;
	struct job **running;
	size_t nrun, next;
};

void sched_interrupt_signals(sigset_t *set)
{
	static const int stop[] = { SIGINT, SIGTERM, SIGHUP };
	sigemptyset(set);
	for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++) {
		struct sigaction sa;
		if (sigaction(stop[i], NULL, &sa) || sa.sa_handler != SIG_IGN)
			sigaddset(set, stop[i]);
	}
}

static void block(sigset_t *set, sigset_t *old)
{
	sched_interrupt_signals(set);
	sigaddset(set, SIGCHLD);
	sigprocmask(SIG_BLOCK, set, old);
}

static void start_some(struct loop *l)
{
	const struct sched *s = l->s;
	while (l->nrun < s->jobs && l->next < s->n) {
		struct job *j = s->queue[l->next++];
		if (job_start(j, s->ctx)) {
			j->ended = true;
			s->done(j, s->arg);
		} else
			l->running[l->nrun++] = j;
	}
}

static struct job *oldest(const struct loop *l)
{
	struct job *o = NULL;
	for (size_t i = 0; i < l->nrun; i++)
		if (!o || l->running[i]->t0 < o->t0)
			o = l->running[i];
	return o;
}

/* Until the nearest deadline, or a tick when progress is shown. */
static long wait_ms(const struct loop *l)
{
	unsigned long now = job_now_ms(), next = now + (l->s->tick ? TICK_MS : 60000);
	for (size_t i = 0; i < l->nrun; i++)
		if (!l->running[i]->killed && l->running[i]->deadline < next)
			next = l->running[i]->deadline;
	return next > now ? (long)(next - now) : 0;
}

static struct job *take_running(struct loop *l, pid_t pid)
{
	for (size_t i = 0; i < l->nrun; i++)
		if (l->running[i]->pid == pid) {
			struct job *j = l->running[i];
			l->running[i] = l->running[--l->nrun];
			return j;
		}
	return NULL;
}

/* Every exited child: peek first (WNOWAIT), so that the job's process
 * group can be swept while its id cannot have been reused yet. */
static void reap_ready(struct loop *l)
{
	for (;;) {
		siginfo_t si = { 0 };
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) || !si.si_pid)
			return;
		pid_t pid = si.si_pid;
		struct job *j = take_running(l, pid);
		if (j)
			kill(-pid, SIGKILL); /* gdb, a native fixture's children */
		int status = 0;
		while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
			;
		if (j) {
			job_reaped(j, status);
			j->ended = true;
			l->s->done(j, l->s->arg);
		}
	}
}

static void expire_due(struct loop *l)
{
	unsigned long now = job_now_ms();
	for (size_t i = 0; i < l->nrun; i++)
		if (!l->running[i]->killed && now >= l->running[i]->deadline)
			job_expire(l->running[i]);
}

/* Interrupted: kill every running child, wait for each. */
static void abandon(struct loop *l)
{
	for (size_t i = 0; i < l->nrun; i++) {
		kill(-l->running[i]->pid, SIGKILL);
		kill(l->running[i]->pid, SIGKILL);
	}
	for (size_t i = 0; i < l->nrun; i++) {
		int status;
		while (waitpid(l->running[i]->pid, &status, __WALL) < 0 && errno == EINTR)
			;
		job_reaped(l->running[i], status);
		l->running[i]->abandoned = true;
	}
	l->nrun = 0;
}

static int loop(struct loop *l, const sigset_t *set)
{
	for (;;) {
		start_some(l);
		if (!l->nrun && l->next >= l->s->n)
			return 0;
		if (l->s->tick)
			l->s->tick(oldest(l), l->s->arg);
		long ms = wait_ms(l);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
		int sig = sigtimedwait(set, NULL, &ts);
		if (sig > 0 && sig != SIGCHLD) {
			reap_ready(l); /* those that ended before it count as ended */
			abandon(l);
			return sig;
		}
		reap_ready(l);
		expire_due(l);
	}
}

int sched_run(const struct sched *s, size_t *strays)
{
	sigset_t set, old;
	struct loop l = { .s = s, .running = calloc(s->jobs ? s->jobs : 1, sizeof *l.running) };
	if (!l.running)
		return -1;
	block(&set, &old);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	int rc = loop(&l, &set);
	*strays = sched_reap_strays();
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(l.running);
	return rc;
}

/* Our children that are still alive, from /proc (PPid == us). */
static size_t kill_children(void)
{
	char self[32], path[64], text[2048];
	size_t n = 0;
	DIR *d = opendir("/proc");
	snprintf(self, sizeof self, "\nPPid:\t%d\n", (int)getpid());
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%.20s/status", e->d_name);
		FILE *f = fopen(path, "re");
		size_t got = f ? fread(text, 1, sizeof text - 1, f) : 0;
		text[got] = 0;
		if (f)
			fclose(f);
		if (strstr(text, self) && !strstr(text, "\nState:\tZ") &&
		    !kill((pid_t)atoi(e->d_name), SIGKILL))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

size_t sched_reap_strays(void)
{
	size_t killed = 0;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	for (unsigned long t0 = job_now_ms(); job_now_ms() - t0 < STRAY_GIVE_UP_MS;) {
		pid_t p = waitpid(-1, NULL, WNOHANG | __WALL);
		if (p > 0)
			continue;
		if (p < 0 && errno == ECHILD)
			break; /* nobody left */
		if (!killed && job_now_ms() - t0 >= STRAY_GRACE_MS)
			killed = kill_children();
		nanosleep(&tick, NULL);
	}
	return killed;
}
