/* What a static program asks for at start: identity, limits,
 * TLS, randomness and time, all fixed or virtual so that every run of a
 * case gives the same trace (S4, S8, S11). */
#include <asm/prctl.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "harness/sentry/kernel.h"

#define VIRTUAL_UID 1000
#define EPOCH_START 1700000000 /* realtime clock at the start of every run */
#define BOOT_START 1000        /* monotonic clock at the start of every run */

long sys_exit(struct task *t, const uint64_t *a)
{
	task_exit(t, (int)a[0]); /* one task: the thread's exit ends the process */
	return 0;
}

long sys_exit_group(struct task *t, const uint64_t *a)
{
	proc_exit_group(t->proc, ((int)a[0] & 0xff) << 8);
	return 0;
}

long sys_getpid(struct task *t, const uint64_t *a)
{
	(void)a;
	return t->proc->pid;
}
long sys_gettid(struct task *t, const uint64_t *a)
{
	(void)a;
	return t->tid;
}
/* init's parent is outside the sentry: a fixed number just below it. */
long sys_getppid(struct task *t, const uint64_t *a)
{
	(void)a;
	return t->proc->parent ? t->proc->parent->pid : VIRTUAL_PID - 1;
}
unsigned sentry_uid(struct task *t)
{
	return t->proc->cfg->host_ids ? (unsigned)getuid() : VIRTUAL_UID;
}

unsigned sentry_gid(struct task *t)
{
	return t->proc->cfg->host_ids ? (unsigned)getgid() : VIRTUAL_UID;
}

long sys_getuid(struct task *t, const uint64_t *a)
{
	(void)a;
	return sentry_uid(t);
}
long sys_getgid(struct task *t, const uint64_t *a)
{
	(void)a;
	return sentry_gid(t);
}
long sys_sched_yield(struct task *t, const uint64_t *a)
{
	(void)t, (void)a;
	return 0;
}

long sys_uname(struct task *t, const uint64_t *a)
{
	struct utsname u;
	memset(&u, 0, sizeof(u));
	if (t->proc->cfg->host_ids && uname(&u) == 0) /* the host's identity */
		return copy_out(t, a[0], &u, sizeof(u)) ? -EFAULT : 0;
	strcpy(u.sysname, "Linux");
	strcpy(u.nodename, "sentry");
	strcpy(u.release, "6.1.0-sentry");
	strcpy(u.version, "#1 SMP PREEMPT_DYNAMIC");
	strcpy(u.machine, "x86_64");
	strcpy(u.domainname, "(none)");
	return copy_out(t, a[0], &u, sizeof(u)) ? -EFAULT : 0;
}

/* fs/gs base live in the context's registers: the platform writes them
 * with the rest (P13). */
long sys_arch_prctl(struct task *t, const uint64_t *a)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	switch (a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (a[1] >= LINUX_TASK_SIZE)
			return -EPERM;
		*(a[0] == ARCH_SET_FS ? &r->fs_base : &r->gs_base) = a[1];
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS: {
		uint64_t v = a[0] == ARCH_GET_FS ? r->fs_base : r->gs_base;
		return copy_out(t, a[1], &v, sizeof(v)) ? -EFAULT : 0;
	}
	}
	return -EINVAL;
}

long sys_set_tid_address(struct task *t, const uint64_t *a)
{
	t->clear_child_tid = a[0];
	return t->tid;
}

long sys_set_robust_list(struct task *t, const uint64_t *a)
{
	if (a[1] != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = a[0];
	t->robust_len = a[1];
	return 0;
}

static long rlimit_rw(struct task *t, uint64_t res, uint64_t new, uint64_t old)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	struct rlimit *cur = &t->proc->rlim[res], n;
	if (old && copy_out(t, old, cur, sizeof(*cur)))
		return -EFAULT;
	if (new) {
		if (copy_in(t, new, &n, sizeof(n)))
			return -EFAULT;
		if (n.rlim_cur > n.rlim_max || n.rlim_max > cur->rlim_max)
			return n.rlim_cur > n.rlim_max ? -EINVAL : -EPERM;
		*cur = n;
	}
	return 0;
}

long sys_prlimit64(struct task *t, const uint64_t *a)
{
	struct rlimit n;
	/* Linux copies the new limit in before it looks up the pid. */
	if (a[2] && copy_in(t, a[2], &n, sizeof(n)))
		return -EFAULT;
	if (a[0] && a[0] != (uint64_t)t->proc->pid)
		return -ESRCH;
	return rlimit_rw(t, a[1], a[2], a[3]);
}

long sys_getrlimit(struct task *t, const uint64_t *a)
{
	return rlimit_rw(t, a[0], 0, a[1]);
}

/* splitmix64: fixed seed, so "random" bytes are the same on every run. */
static uint64_t next_random(struct proc *p)
{
	uint64_t z = (p->random_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

long sys_getrandom(struct task *t, const uint64_t *a)
{
	if (a[2] & ~7ULL)
		return -EINVAL;
	size_t len = a[1] > 0x7ffff000 ? 0x7ffff000 : a[1]; /* MAX_RW_COUNT */
	for (size_t done = 0; done < len; done += 8) {
		uint64_t v = next_random(t->proc);
		size_t n = len - done < 8 ? len - done : 8;
		if (copy_out(t, a[0] + done, &v, n))
			return done ? (long)done : -EFAULT;
	}
	return (long)len;
}

void vclock_get(int clock, struct timespec *ts)
{
	static struct timespec start;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!start.tv_sec && !start.tv_nsec)
		start = now;
	long long ns = (now.tv_sec - start.tv_sec) * 1000000000LL + (now.tv_nsec - start.tv_nsec);
	long long base =
		clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE || clock == CLOCK_TAI
			? EPOCH_START
			: BOOT_START;
	ts->tv_sec = base + ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

static bool clock_known(uint64_t c)
{
	return c <= CLOCK_TAI && c != 8 && c != 9 && c != 10;
}

long sys_clock_gettime(struct task *t, const uint64_t *a)
{
	if (!clock_known(a[0]))
		return -EINVAL;
	struct timespec ts;
	vclock_get((int)a[0], &ts);
	return copy_out(t, a[1], &ts, sizeof(ts)) ? -EFAULT : 0;
}

long sys_clock_getres(struct task *t, const uint64_t *a)
{
	if (!clock_known(a[0]))
		return -EINVAL;
	struct timespec ts = { 0, 1 };
	return a[1] && copy_out(t, a[1], &ts, sizeof(ts)) ? -EFAULT : 0;
}

long sys_gettimeofday(struct task *t, const uint64_t *a)
{
	struct timespec ts;
	vclock_get(CLOCK_REALTIME, &ts);
	struct {
		int64_t sec, usec;
	} tv = { ts.tv_sec, ts.tv_nsec / 1000 };
	if (a[0] && copy_out(t, a[0], &tv, sizeof(tv)))
		return -EFAULT;
	struct {
		int minuteswest, dsttime;
	} tz = { 0, 0 };
	return a[1] && copy_out(t, a[1], &tz, sizeof(tz)) ? -EFAULT : 0;
}

long sys_time(struct task *t, const uint64_t *a)
{
	struct timespec ts;
	vclock_get(CLOCK_REALTIME, &ts);
	int64_t s = ts.tv_sec;
	return a[0] && copy_out(t, a[0], &s, sizeof(s)) ? -EFAULT : (long)s;
}

long sys_getcpu(struct task *t, const uint64_t *a)
{
	unsigned zero = 0;
	if (a[0] && copy_out(t, a[0], &zero, sizeof(zero)))
		return -EFAULT;
	return a[1] && copy_out(t, a[1], &zero, sizeof(zero)) ? -EFAULT : 0;
}
