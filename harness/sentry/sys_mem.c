/* S2: memory syscalls, all served by the address-space model. */
#include <errno.h>
#include <sys/mman.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/mm.h"

long sys_brk(struct task *t, const uint64_t *a)
{
	return (long)mm_brk(t->proc->mm, a[0]);
}

/* Only anonymous memory: there are no files to map (S10, S12). The
 * offset is checked first, before the fd, as x86-64's sys_mmap does. */
long sys_mmap(struct task *t, const uint64_t *a)
{
	if (a[5] & 0xfff)
		return -EINVAL;
	if (!(a[3] & MAP_ANONYMOUS)) {
		int fd = (int)a[4];
		bool open = fd >= 0 && fd < MAX_FDS && t->proc->fds->fd[fd];
		return open ? -ENODEV : -EBADF; /* pipes and streams cannot be mapped */
	}
	return mm_mmap(t->proc->mm, a[0], a[1], (int)a[2], (int)a[3]);
}

long sys_munmap(struct task *t, const uint64_t *a)
{
	return mm_munmap(t->proc->mm, a[0], a[1]);
}

long sys_mprotect(struct task *t, const uint64_t *a)
{
	return mm_mprotect(t->proc->mm, a[0], a[1], (int)a[2]);
}

long sys_madvise(struct task *t, const uint64_t *a)
{
	return mm_madvise(t->proc->mm, a[0], a[1], (int)a[2]);
}

long sys_mremap(struct task *t, const uint64_t *a)
{
	return mm_mremap(t->proc->mm, a[0], a[1], a[2], (int)a[3], a[4]);
}
