/* S2: memory syscalls, all served by the address-space model. */
#include <errno.h>
#include <sys/mman.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/mm.h"

#define PAGE_UP(v) (((v) + 0xfffUL) & ~0xfffUL)

/* RLIMIT_AS is checked before the call (Linux's may_expand_vm). A
 * MAP_FIXED over existing mappings is charged in full, where Linux
 * subtracts what it replaces: stricter only right at the limit. */
static long grow_ok(struct task *t, uint64_t grow)
{
	return grow ? limits_as(t, grow) : 0;
}

/* A failed mapping call that the case's memory file refused says so. */
static long noted(struct task *t, long ret, uint64_t grow)
{
	limits_note_memory(t, ret, grow);
	return ret;
}

long sys_brk(struct task *t, const uint64_t *a)
{
	struct mm *mm = t->proc->mm;
	uint64_t cur = PAGE_UP(mm_brk(mm, 0)), want = PAGE_UP(a[0]);
	if (want > cur && want - cur < (1ULL << 47) && grow_ok(t, want - cur))
		return (long)mm_brk(mm, 0); /* refused: the old break */
	return (long)mm_brk(mm, a[0]);
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
	uint64_t len = PAGE_UP(a[1]);
	/* Lengths no address space holds keep mm's own answer (S2). */
	if (len && len < (1ULL << 47) && grow_ok(t, len))
		return -ENOMEM;
	return noted(t, mm_mmap(t->proc->mm, a[0], a[1], (int)a[2], (int)a[3]), len);
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
	uint64_t grow = (a[3] & MREMAP_DONTUNMAP) ? new_len : new_len > old_len ? new_len - old_len : 0;
	if (grow < (1ULL << 47) && grow_ok(t, grow))
		return -ENOMEM;
	return noted(t, mm_mremap(t->proc->mm, a[0], a[1], a[2], (int)a[3], a[4]), grow);
}
