/* S8: the virtual clock's sleeps and the real timer (alarm, setitimer).
 * One timer thread per process waits for the next expiry; when it comes
 * it interrupts the task, wherever it is: in guest code through the
 * platform (P19), or asleep in the sentry through the condition. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/trace.h"

#define NS 1000000000ULL

struct timers {
	pthread_t thread;
	pthread_mutex_t mu; /* taken after the kernel lock, never before */
	pthread_cond_t cv;
	uint64_t alarm_at; /* host CLOCK_MONOTONIC ns; 0: disarmed */
	uint64_t interval;
	bool stop;
	struct proc *proc; /* valid while !stop (checked under the kernel lock) */
	struct kernel *k;
};

/* The host's monotonic clock: every sleep and timer deadline is kept in it. */
uint64_t host_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* The virtual monotonic clock advances with the host's: differences and
 * deadlines convert one to one. */
uint64_t vclock_ns(int clock)
{
	struct timespec ts;
	vclock_get(clock, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static struct timespec abs_ts(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / NS), (long)(ns % NS) };
}

/* An expiry sends SIGALRM to the process from the kernel (SI_KERNEL); the
 * signal code interrupts a task running guest code (P19) or wakes one. */
static void fire(struct timers *tm)
{
	pthread_mutex_unlock(&tm->mu);
	pthread_mutex_lock(&tm->k->mu);
	pthread_mutex_lock(&tm->mu);
	bool stop = tm->stop;
	pthread_mutex_unlock(&tm->mu);
	if (!stop) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGALRM;
		si.si_code = SI_KERNEL;
		signal_send_proc(tm->proc, &si);
	}
	pthread_mutex_unlock(&tm->k->mu);
	pthread_mutex_lock(&tm->mu);
}

static void *timer_main(void *arg)
{
	struct timers *tm = arg;
	struct kernel *k = tm->k;
	pthread_mutex_lock(&tm->mu);
	while (!tm->stop) {
		if (!tm->alarm_at) {
			pthread_cond_wait(&tm->cv, &tm->mu);
		} else if (host_now_ns() < tm->alarm_at) {
			struct timespec ts = abs_ts(tm->alarm_at);
			pthread_cond_timedwait(&tm->cv, &tm->mu, &ts);
		} else {
			tm->alarm_at = tm->interval ? tm->alarm_at + tm->interval : 0;
			fire(tm);
		}
	}
	pthread_mutex_unlock(&tm->mu);
	pthread_cond_destroy(&tm->cv);
	pthread_mutex_destroy(&tm->mu);
	free(tm);
	pthread_mutex_lock(&k->mu);
	k->timers--;
	kernel_wake(k);
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

/* Kernel lock held. 0 or -errno. */
int timers_start(struct proc *p)
{
	struct timers *tm = calloc(1, sizeof(*tm));
	if (!tm)
		return -ENOMEM;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tm->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&tm->mu, NULL);
	tm->proc = p;
	tm->k = p->k;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* No small stack: the harness's static TLS (an I/O bounce buffer)
	 * must fit below it, or pthread_create says EINVAL. */
	if (pthread_create(&tm->thread, &attr, timer_main, tm) != 0) {
		pthread_cond_destroy(&tm->cv);
		pthread_mutex_destroy(&tm->mu);
		free(tm);
		tm = NULL;
	} else {
		p->k->timers++;
	}
	pthread_attr_destroy(&attr);
	p->timers = tm;
	return tm ? 0 : -EAGAIN;
}

/* Kernel lock held: the thread sees stop and frees itself. */
void timers_stop(struct proc *p)
{
	struct timers *tm = p->timers;
	if (!tm)
		return;
	pthread_mutex_lock(&tm->mu);
	tm->stop = true;
	pthread_cond_broadcast(&tm->cv);
	pthread_mutex_unlock(&tm->mu);
	p->timers = NULL;
}

/* 0 when the virtual deadline came, -EINTR when a signal (or the end of
 * the process) is pending, 1 when woken for another reason. */
int task_sleep(struct task *t, uint64_t deadline_ns)
{
	uint64_t now = vclock_ns(CLOCK_MONOTONIC);
	if (deadline_ns && deadline_ns <= now)
		return 0;
	uint64_t host = deadline_ns ? host_now_ns() + (deadline_ns - now) : 0;
	int r = task_wait(t, host);
	return r == -EINTR ? -EINTR : r == -ETIMEDOUT ? 0 : 1;
}

static long write_rem(struct task *t, uint64_t addr, uint64_t deadline)
{
	uint64_t now = vclock_ns(CLOCK_MONOTONIC), left = deadline > now ? deadline - now : 0;
	struct timespec ts = abs_ts(left);
	return addr && copy_out(t, addr, &ts, sizeof(ts)) ? -EFAULT : 0;
}

static long sleep_until(struct task *t, uint64_t deadline, uint64_t rem, bool restartable)
{
	for (;;) {
		int r = task_sleep(t, deadline);
		if (r == 0)
			return 0;
		if (r == -EINTR || t->exited)
			break;
	}
	if (!restartable)
		return -ERESTARTNOHAND;
	t->restart.deadline_ns = deadline;
	t->restart.rem = rem;
	t->restart.fn = sys_restart_syscall;
	if (write_rem(t, rem, deadline))
		return -EFAULT;
	return -ERESTART_RESTARTBLOCK;
}

static int read_ts(struct task *t, uint64_t addr, uint64_t *ns)
{
	struct timespec ts;
	if (copy_in(t, addr, &ts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS)
		return -EINVAL;
	*ns = (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
	return 0;
}

long sys_nanosleep(struct task *t, const uint64_t *a)
{
	uint64_t req;
	int e = read_ts(t, a[0], &req);
	if (e)
		return e;
	return sleep_until(t, vclock_ns(CLOCK_MONOTONIC) + req, a[1], true);
}

/* S7: a relative sleep restarts through restart_syscall with the time it
 * had left; an absolute one simply restarts (ERESTARTNOHAND). */
long sys_clock_nanosleep(struct task *t, const uint64_t *a)
{
	int clock = (int)a[0];
	uint64_t req;
	/* Negative ids are CPU clocks, which can sleep: Linux reads the time
	 * first for them; the CPU clocks are not emulated (EINVAL). */
	if (clock < 0) {
		int e = read_ts(t, a[2], &req);
		return e ? e : -EINVAL;
	}
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
	    clock != CLOCK_TAI)
		return clock == CLOCK_THREAD_CPUTIME_ID ? -EINVAL : -EOPNOTSUPP;
	int e = read_ts(t, a[2], &req);
	if (e)
		return e;
	if (a[1] & TIMER_ABSTIME) {
		uint64_t now = vclock_ns(clock), mono = vclock_ns(CLOCK_MONOTONIC);
		return sleep_until(t, req > now ? mono + (req - now) : mono, 0, false);
	}
	return sleep_until(t, vclock_ns(CLOCK_MONOTONIC) + req, a[3], true);
}

long sys_restart_syscall(struct task *t, const uint64_t *a)
{
	long (*fn)(struct task *, const uint64_t *) = t->restart.fn;
	/* Another call's restart block (futex_wait_restart): it runs once. */
	if (fn && fn != sys_restart_syscall) {
		t->restart.fn = NULL;
		return fn(t, a);
	}
	if (!fn)
		return -EINTR;
	trace_note(t->trace, "restart_syscall resumes the interrupted sleep");
	return sleep_until(t, t->restart.deadline_ns, t->restart.rem, true);
}

static void timer_set(struct task *t, uint64_t value_ns, uint64_t interval_ns, uint64_t *old_left,
		      uint64_t *old_interval)
{
	struct timers *tm = t->proc->timers;
	*old_left = *old_interval = 0;
	if (!tm)
		return;
	pthread_mutex_lock(&tm->mu);
	uint64_t now = host_now_ns();
	*old_left = tm->alarm_at > now ? tm->alarm_at - now : tm->alarm_at ? 1 : 0;
	*old_interval = tm->interval;
	tm->alarm_at = value_ns ? now + value_ns : 0;
	tm->interval = value_ns ? interval_ns : 0;
	pthread_cond_broadcast(&tm->cv);
	pthread_mutex_unlock(&tm->mu);
}

long sys_alarm(struct task *t, const uint64_t *a)
{
	uint64_t left, iv;
	timer_set(t, (a[0] & 0xffffffffULL) * NS, 0, &left, &iv);
	/* Whole seconds, rounded; a pending alarm never reads as 0. */
	uint64_t secs = (left + NS / 2) / NS;
	return (long)(left && !secs ? 1 : secs);
}

struct k_itimerval {
	struct {
		int64_t sec, usec;
	} interval, value;
};

static uint64_t tv_ns(int64_t sec, int64_t usec)
{
	return (uint64_t)sec * NS + (uint64_t)usec * 1000;
}

static void put_tv(uint64_t ns, int64_t *sec, int64_t *usec)
{
	*sec = (int64_t)(ns / NS);
	*usec = (int64_t)((ns % NS + 999) / 1000);
}

long sys_setitimer(struct task *t, const uint64_t *a)
{
	if (a[0] != ITIMER_REAL)
		return -EINVAL; /* only the real timer is emulated (S8) */
	struct k_itimerval n = { 0 }, o;
	if (a[1] && copy_in(t, a[1], &n, sizeof(n)))
		return -EFAULT;
	if (n.value.usec < 0 || n.value.usec >= 1000000 || n.interval.usec < 0 ||
	    n.interval.usec >= 1000000)
		return -EINVAL;
	uint64_t left, iv;
	timer_set(t, tv_ns(n.value.sec, n.value.usec), tv_ns(n.interval.sec, n.interval.usec),
		  &left, &iv);
	put_tv(left, &o.value.sec, &o.value.usec);
	put_tv(iv, &o.interval.sec, &o.interval.usec);
	return a[2] && copy_out(t, a[2], &o, sizeof(o)) ? -EFAULT : 0;
}

long sys_getitimer(struct task *t, const uint64_t *a)
{
	if (a[0] != ITIMER_REAL)
		return -EINVAL;
	struct timers *tm = t->proc->timers;
	struct k_itimerval o;
	if (!tm)
		return -EINVAL;
	pthread_mutex_lock(&tm->mu);
	uint64_t now = host_now_ns(), left = tm->alarm_at > now ? tm->alarm_at - now : 0;
	put_tv(left, &o.value.sec, &o.value.usec);
	put_tv(tm->interval, &o.interval.sec, &o.interval.usec);
	pthread_mutex_unlock(&tm->mu);
	return copy_out(t, a[1], &o, sizeof(o)) ? -EFAULT : 0;
}
