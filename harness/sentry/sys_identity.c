/* Who and where the guest runs, beyond the start-up calls of sys_info.c:
 * supplementary groups, scheduling priority, CPU affinity and resource
 * usage. The sentry's identity is fixed (uid and gid 1000, one CPU) so
 * that every run repeats; with host_ids (harness run --host-ids) the
 * host's uid, gid, groups and CPUs are shown instead. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness/sentry/kernel.h"

long sys_getgroups(struct task *t, const uint64_t *a)
{
	gid_t g[NGROUPS_MAX_GUEST];
	int n = 1;
	g[0] = sentry_gid(t);
	if (t->proc->cfg->host_ids && (n = getgroups(NGROUPS_MAX_GUEST, g)) < 0)
		return -errno;
	if ((int)a[0] < 0)
		return -EINVAL;
	if (!a[0])
		return n;
	if ((int)a[0] < n)
		return -EINVAL;
	return copy_out(t, a[1], g, (size_t)n * sizeof(g[0])) ? -EFAULT : n;
}

/* Nice values are kept per process, as the kernel keeps them per task;
 * getpriority answers 20 - nice, the raw syscall's encoding. */
static struct proc *prio_target(struct task *t, uint64_t which, uint64_t who, long *err)
{
	*err = 0;
	if (which > PRIO_USER) {
		*err = -EINVAL;
		return NULL;
	}
	if (which != PRIO_PROCESS)
		return t->proc; /* one user, one process group: the caller's */
	if (!who || (int)who == t->proc->pid)
		return t->proc;
	for (struct proc *p = t->proc->k->procs; p; p = p->next)
		if (p->pid == (int)who && !p->zombie)
			return p;
	*err = -ESRCH;
	return NULL;
}

long sys_getpriority(struct task *t, const uint64_t *a)
{
	long e;
	struct proc *p = prio_target(t, a[0], a[1], &e);
	return p ? 20 - p->nice : e;
}

long sys_setpriority(struct task *t, const uint64_t *a)
{
	long e;
	struct proc *p = prio_target(t, a[0], a[1], &e);
	if (!p)
		return e;
	int nice = (int)a[2];
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	/* RLIMIT_NICE is 0 for the guest: lowering nice needs privilege. */
	if (nice < p->nice && !(t->proc->cfg->host_ids && geteuid() == 0))
		return -EACCES;
	p->nice = nice;
	return 0;
}

long sys_sched_getaffinity(struct task *t, const uint64_t *a)
{
	uint64_t len = a[1];
	if (len < sizeof(unsigned long) || (len & (sizeof(unsigned long) - 1)))
		return -EINVAL;
	if (a[0] && (int)a[0] != t->tid && !kernel_find_task(t->proc->k, (int)a[0]))
		return -ESRCH;
	cpu_set_t set;
	CPU_ZERO(&set);
	if (!t->proc->cfg->host_ids)
		CPU_SET(0, &set);
	else if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	/* The kernel copies cpumask_size() bytes: whole longs for its CPUs. */
	size_t n = t->proc->cfg->host_ids ? sizeof(set) : sizeof(unsigned long);
	if (n > len)
		n = len;
	return copy_out(t, a[2], &set, n) ? -EFAULT : (long)n;
}

long sys_getrusage(struct task *t, const uint64_t *a)
{
	int who = (int)a[0];
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	/* Times and counts are not the sentry's to know deterministically:
	 * zero, as for a process that has not yet run. */
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	return copy_out(t, a[1], &ru, sizeof(ru)) ? -EFAULT : 0;
}
