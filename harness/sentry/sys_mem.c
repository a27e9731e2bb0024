/* S2: memory syscalls, all served by the address-space model. */
#include <errno.h>
#include <sys/mman.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/mm.h"

#define PAGE_UP(v) (((v) + 0xfffUL) & ~0xfffUL)

/* A failed mapping call that the case's memory file refused says so. */
static long noted(struct task *t, long ret, uint64_t grow)
{
	limits_note_memory(t, ret, grow);
	return ret;
}

/* RLIMIT_AS (limits.c) is checked inside mm, where Linux checks it. */
long sys_brk(struct task *t, const uint64_t *a)
{
	bool refused;
	uintptr_t r = mm_brk_limited(t->proc->mm, a[0], limits_as_bytes(t), &refused);
	if (refused)
		limits_note_as(t);
	return (long)r;
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
	bool refused;
	long r = mm_mmap_limited(t->proc->mm, a[0], a[1], (int)a[2], (int)a[3], limits_as_bytes(t),
				 &refused);
	if (refused) {
		limits_note_as(t);
		return r;
	}
	return noted(t, r, PAGE_UP(a[1]));
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
	uint64_t old_len = PAGE_UP(a[1]), new_len = PAGE_UP(a[2]);
	uint64_t grow = (a[3] & MREMAP_DONTUNMAP) ? new_len
			: new_len > old_len       ? new_len - old_len
						  : 0;
	/* Checked before the call, where Linux checks after its argument
	 * checks: a bad mremap that would also grow past the limit says
	 * ENOMEM here. */
	if (grow && grow < (1ULL << 47) && limits_as(t, grow))
		return -ENOMEM;
	return noted(t, mm_mremap(t->proc->mm, a[0], a[1], a[2], (int)a[3], a[4]), grow);
}
