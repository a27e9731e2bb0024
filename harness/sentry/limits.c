/* The sentry's own limits, answered as Linux answers the matching rlimit
 * (see limits.h for the table). */
#include "harness/sentry/limits.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/memfile.h"
#include "harness/sentry/mm.h"
#include "harness/sentry/trace.h"

#define NS 1000000000ULL

struct limits_watch {
	bool stop;
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The hard limit is the sentry's, the soft one the host's when lower. */
static void cap(struct rlimit *r, uint64_t max)
{
	r->rlim_max = min_u64(r->rlim_max, max);
	r->rlim_cur = min_u64(r->rlim_cur, r->rlim_max);
}

void limits_init_rlimits(struct proc *init)
{
	const struct sentry_config *cfg = init->cfg;
	cap(&init->rlim[RLIMIT_AS], LIMIT_DEFAULT_AS);
	cap(&init->rlim[RLIMIT_NPROC], LIMIT_DEFAULT_TASKS);
	cap(&init->rlim[RLIMIT_CPU], LIMIT_DEFAULT_CPU_S);
	cap(&init->rlim[RLIMIT_FSIZE],
	    cfg->output_limit ? cfg->output_limit : LIMIT_DEFAULT_OUTPUT);
}

static void note(struct task *t, const char *fmt, unsigned long long v, const char *answer)
{
	char what[160];
	snprintf(what, sizeof(what), fmt, v);
	trace_note(t->trace, "limit: %s: %s", what, answer);
}

uint64_t limits_as_bytes(struct task *t)
{
	return t->proc->rlim[RLIMIT_AS].rlim_cur;
}

void limits_note_as(struct task *t)
{
	note(t, "RLIMIT_AS %llu bytes of address space", (unsigned long long)limits_as_bytes(t),
	     "ENOMEM");
}

long limits_as(struct task *t, uint64_t grow)
{
	uint64_t lim = limits_as_bytes(t);
	uint64_t total = mm_total(t->proc->mm);
	if (grow <= lim && total <= lim - grow)
		return 0;
	limits_note_as(t);
	return -ENOMEM;
}

void limits_note_memory(struct task *t, long ret, uint64_t grow)
{
	struct memfile *mf = t->proc->k->mf;
	if (ret != -ENOMEM || !mf)
		return;
	size_t lim = memfile_limit(mf), used = memfile_committed(mf);
	if (grow > lim - used)
		note(t, "%llu bytes of guest memory for the case", (unsigned long long)lim,
		     "ENOMEM");
}

/* What Linux counts for RLIMIT_NPROC: every task of the user until it is
 * reaped, zombies included. */
static uint64_t count_tasks(struct kernel *k)
{
	uint64_t n = 0;
	for (struct proc *p = k->procs; p; p = p->next)
		n += p->zombie ? 1 : (uint64_t)p->ntasks;
	return n;
}

long limits_new_task(struct task *t)
{
	uint64_t lim = t->proc->rlim[RLIMIT_NPROC].rlim_cur;
	if (count_tasks(t->proc->k) < lim)
		return 0;
	note(t, "RLIMIT_NPROC %llu tasks", (unsigned long long)lim, "EAGAIN");
	return -EAGAIN;
}

/* Linux's generic_write_check_limits on a regular file (the runner's
 * capture files are): a write crossing the limit is cut short, one
 * starting at it gets SIGXFSZ and EFBIG. */
long limits_output(struct task *t, size_t len)
{
	struct kernel *k = t->proc->k;
	uint64_t lim = k->cfg->output_limit ? k->cfg->output_limit : LIMIT_DEFAULT_OUTPUT;
	lim = min_u64(lim, t->proc->rlim[RLIMIT_FSIZE].rlim_cur);
	if (!len)
		return 0;
	if (k->output_bytes < lim)
		return (long)min_u64(len, lim - k->output_bytes);
	note(t, "RLIMIT_FSIZE %llu bytes of output", (unsigned long long)lim, "SIGXFSZ, EFBIG");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGXFSZ;
	si.si_code = SI_KERNEL;
	signal_send(t, &si);
	return -EFBIG;
}

/* ---- RLIMIT_CPU ---- */

/* The CPU time of a whole stub process (every stub thread of the guest
 * process): Linux lets any process read another's process CPU clock,
 * MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED). */
static bool stub_cpu_ns(struct plat_as *as, uint64_t *ns)
{
	pid_t pid = plat_as_pid(as);
	clockid_t c = (clockid_t)((~(unsigned)pid) << 3) | 2;
	struct timespec ts;
	if (pid <= 0 || clock_gettime(c, &ts) != 0)
		return false;
	*ns = (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
	return true;
}

/* The process's CPU time so far. A new stub (the first sight of the
 * process, or an execve) starts a new base; a pooled stub's earlier CPU
 * time is not the guest's. A stub shared by several processes (CLONE_VM,
 * vfork) holds all of their time, which belongs to none of them alone, so
 * it is not charged while shared. */
static bool proc_cpu_ns(struct proc *p, uint64_t *out)
{
	struct limits_cpu *c = &p->cpu;
	uint64_t now;
	if (!p->as || !p->vm || p->vm->users > 1 || !stub_cpu_ns(p->as, &now))
		return false;
	if (c->as != p->as) {
		if (c->as) /* the old stub's time, as last read, stays */
			c->used_ns += c->last_ns - c->base_ns;
		c->as = p->as;
		c->base_ns = now;
	}
	c->last_ns = now;
	*out = c->used_ns + (now - c->base_ns);
	return true;
}

static void cpu_signal(struct proc *p, int sig)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_KERNEL;
	signal_send_proc(p, &si);
}

/* Linux's check_process_timers: past the hard limit SIGKILL; past the
 * soft one SIGXCPU, and the soft limit moves one second on (visible to
 * getrlimit) so that the next SIGXCPU comes a second later. */
static void check_cpu(struct proc *p)
{
	uint64_t ns;
	struct rlimit *r = &p->rlim[RLIMIT_CPU];
	if (p->exiting || p->zombie || !p->tasks || r->rlim_cur == RLIM_INFINITY ||
	    !proc_cpu_ns(p, &ns))
		return;
	uint64_t s = ns / NS;
	struct task *t = p->tasks;
	if (r->rlim_max != RLIM_INFINITY && s >= r->rlim_max) {
		note(t, "RLIMIT_CPU hard limit %llu s", (unsigned long long)r->rlim_max, "SIGKILL");
		cpu_signal(p, SIGKILL);
	} else if (s >= r->rlim_cur) {
		note(t, "RLIMIT_CPU soft limit %llu s", (unsigned long long)r->rlim_cur, "SIGXCPU");
		if (r->rlim_cur < r->rlim_max)
			r->rlim_cur++;
		cpu_signal(p, SIGXCPU);
	}
}

static void *watch_main(void *arg)
{
	struct kernel *k = arg;
	struct limits_watch *w = k->watch;
	pthread_mutex_lock(&k->mu);
	while (!w->stop) {
		uint64_t deadline = host_now_ns() + LIMIT_CPU_POLL_MS * 1000000ULL;
		struct timespec ts = { (time_t)(deadline / NS), (long)(deadline % NS) };
		while (!w->stop && host_now_ns() < deadline)
			pthread_cond_timedwait(&k->cv, &k->mu, &ts);
		for (struct proc *p = k->procs; p && !w->stop; p = p->next)
			check_cpu(p);
	}
	k->watch = NULL;
	free(w);
	k->timers--;
	kernel_wake(k);
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

int limits_start(struct kernel *k)
{
	struct limits_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	k->watch = w;
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int e = pthread_create(&th, &attr, watch_main, k);
	pthread_attr_destroy(&attr);
	if (e) {
		k->watch = NULL;
		free(w);
		return -e;
	}
	k->timers++;
	return 0;
}

void limits_stop(struct kernel *k)
{
	if (k->watch) {
		k->watch->stop = true;
		kernel_wake(k);
	}
}
