/*
 * S2 address-space model, S3 fault resolution. See mm.h.
 *
 * Backing: each mapping gets its own contiguous range of the memory file
 * when it is created, and every region keeps the file offset of its first
 * byte, so splitting a region only adjusts offsets. Private backing is
 * owned byte for byte by the one region covering it and freed as soon as
 * it is unmapped. Shared backing is a refcounted object (struct mm_shm)
 * held by every region mapping a part of it, in this mm or in forks; it is
 * freed whole when the last piece goes, as a shmem file is.
 *
 * A shared mapping grown by mremap reaches past its object: that part has
 * no backing (MM_NOBACK) and faults SIGBUS, as Linux does past a shmem
 * file's size.
 */
#include "harness/sentry/mm.h"
#include "platform/linux_abi.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness/sentry/memfile.h"
#include "platform/platform.h"

#define PAGE ((uintptr_t)MEMFILE_PAGE)
#define PROT_RWX (PROT_READ | PROT_WRITE | PROT_EXEC)
/* MAP_32BIT places mappings in [1 GiB, 2 GiB), as x86-64 Linux does. */
#define LOW32_START 0x40000000ul
#define LOW32_END 0x80000000ul

#ifndef PROT_SEM
#define PROT_SEM 0x8 /* asm-generic/mman-common.h; accepted and ignored */
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif

enum {
	MM_SHARED = 1, /* MAP_SHARED: backing in shm */
	MM_NOBACK = 2  /* a shared range past the end of its object */
};

struct mm_shm {
	uint64_t off;
	size_t len;
	int refs; /* regions holding it, in every mm; atomic builtins */
};

struct region {
	uintptr_t start;
	size_t len;
	int prot;
	unsigned flags;
	uint64_t off;       /* file offset of start (not with MM_NOBACK) */
	struct mm_shm *shm; /* MM_SHARED with backing */
};

struct mm {
	pthread_mutex_t lock;
	struct memfile *mf;
	struct mm_ops ops;
	void *arg;
	struct mm_layout lay;
	uintptr_t start_brk, brk;
	struct region *r; /* sorted, non-overlapping */
	size_t n, cap;
	size_t total; /* bytes in r: what RLIMIT_AS counts (limits.c) */
};

/* --- small helpers ------------------------------------------------ */

static uintptr_t page_up(uintptr_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1); /* 0 on overflow, as Linux */
}

static bool aligned(uintptr_t v)
{
	return (v & (PAGE - 1)) == 0;
}

static uintptr_t rend(const struct region *g)
{
	return g->start + g->len;
}

static uintptr_t min_u(uintptr_t a, uintptr_t b)
{
	return a < b ? a : b;
}

static uintptr_t max_u(uintptr_t a, uintptr_t b)
{
	return a > b ? a : b;
}

static bool is_private(const struct region *g)
{
	return !(g->flags & MM_SHARED);
}

/* x86 has no write-only or exec-only pages: write or exec implies read
 * (gVisor's AccessType.Effective does the same). */
static int effective(int prot)
{
	return prot & (PROT_WRITE | PROT_EXEC) ? prot | PROT_READ : prot;
}

/* Index of the first region ending above addr (n when none). */
static size_t find(const struct mm *mm, uintptr_t addr)
{
	size_t lo = 0, hi = mm->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rend(&mm->r[mid]) > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Index past the last region starting below hi, from i. */
static size_t upto(const struct mm *mm, size_t i, uintptr_t hi)
{
	while (i < mm->n && mm->r[i].start < hi)
		i++;
	return i;
}

static bool range_free(const struct mm *mm, uintptr_t addr, size_t len)
{
	size_t i = find(mm, addr);
	return i == mm->n || mm->r[i].start >= addr + len;
}

/* Every operation first makes room for the splits and inserts it may do
 * (at most 8), so the steps after it cannot fail half-way. */
static int reserve(struct mm *mm, size_t extra)
{
	if (mm->n + extra <= mm->cap)
		return 0;
	size_t cap = mm->cap ? mm->cap * 2 : 32;
	while (cap < mm->n + extra)
		cap *= 2;
	struct region *v = realloc(mm->r, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	mm->r = v;
	mm->cap = cap;
	return 0;
}

/* --- backing ------------------------------------------------------ */

static void shm_get(struct mm_shm *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

static void shm_put(struct memfile *mf, struct mm_shm *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		memfile_free(mf, s->off, s->len);
		free(s);
	}
}

/* Gives g (start, len, flags set) fresh zeroed backing. */
static int new_backing(struct mm *mm, struct region *g)
{
	int64_t off = memfile_alloc(mm->mf, g->len);
	if (off < 0)
		return (int)off;
	g->off = (uint64_t)off;
	g->shm = NULL;
	if (is_private(g))
		return 0;
	g->shm = malloc(sizeof(*g->shm));
	if (!g->shm) {
		memfile_free(mm->mf, g->off, g->len);
		return -ENOMEM;
	}
	*g->shm = (struct mm_shm){ g->off, g->len, 1 };
	return 0;
}

static void release(struct mm *mm, const struct region *g)
{
	if (g->flags & MM_NOBACK)
		return;
	if (g->shm)
		shm_put(mm->mf, g->shm);
	else
		memfile_free(mm->mf, g->off, g->len);
}

/* --- the region set ----------------------------------------------- */

/* Splits region i at `at` (inside it); both halves keep their backing. */
static void split(struct mm *mm, size_t i, uintptr_t at)
{
	memmove(&mm->r[i + 1], &mm->r[i], (mm->n - i) * sizeof(mm->r[0]));
	mm->n++;
	struct region *a = &mm->r[i], *b = &mm->r[i + 1];
	size_t d = at - a->start;
	a->len = d;
	b->start = at;
	b->len -= d;
	b->off += d;
	if (b->shm)
		shm_get(b->shm);
}

/* Splits the regions straddling lo or hi; returns the index of the first
 * region inside [lo, hi). */
static size_t clip(struct mm *mm, uintptr_t lo, uintptr_t hi)
{
	size_t i = find(mm, lo);
	if (i < mm->n && mm->r[i].start < lo)
		split(mm, i++, lo);
	size_t j = find(mm, hi);
	if (j < mm->n && mm->r[j].start < hi)
		split(mm, j, hi);
	return i;
}

static void insert(struct mm *mm, const struct region *g)
{
	size_t i = find(mm, g->start);
	memmove(&mm->r[i + 1], &mm->r[i], (mm->n - i) * sizeof(mm->r[0]));
	mm->r[i] = *g;
	mm->n++;
	mm->total += g->len;
}

/* Neighbours merge when nothing tells them apart, including where their
 * bytes live, so the list stays one region per mapping where it can. */
static bool mergeable(const struct region *a, const struct region *b)
{
	if (rend(a) != b->start || a->prot != b->prot || a->flags != b->flags || a->shm != b->shm)
		return false;
	return (a->flags & MM_NOBACK) || a->off + a->len == b->off;
}

static void merge_all(struct mm *mm)
{
	size_t w = 0;
	for (size_t i = 0; i < mm->n; i++) {
		if (w > 0 && mergeable(&mm->r[w - 1], &mm->r[i])) {
			mm->r[w - 1].len += mm->r[i].len;
			if (mm->r[i].shm) /* the survivor holds a reference */
				shm_put(mm->mf, mm->r[i].shm);
			continue;
		}
		mm->r[w++] = mm->r[i];
	}
	mm->n = w;
}

static void stub_unmap(struct mm *mm, uintptr_t lo, uintptr_t hi)
{
	/* Fails only when the stub died (P21, P23); the next switch reports
	 * that, and the model stays right for whoever looks at it. */
	if (hi > lo)
		(void)mm->ops.unmap(mm->arg, lo, hi - lo);
}

/* Cuts [lo, hi) out of the set and out of the stub. With keep, the pieces
 * are copied there (room for every region in the range) and keep their
 * backing; without, the backing is released. Returns the piece count. */
static size_t cut(struct mm *mm, uintptr_t lo, uintptr_t hi, struct region *keep)
{
	size_t i = clip(mm, lo, hi), j = upto(mm, i, hi);
	if (i == j)
		return 0;
	stub_unmap(mm, mm->r[i].start, rend(&mm->r[j - 1]));
	for (size_t k = i; k < j; k++) {
		mm->total -= mm->r[k].len;
		if (keep)
			keep[k - i] = mm->r[k];
		else
			release(mm, &mm->r[k]);
	}
	memmove(&mm->r[i], &mm->r[j], (mm->n - j) * sizeof(mm->r[0]));
	mm->n -= j - i;
	return j - i;
}

/* Bytes of regions inside [lo, hi). */
static size_t mapped_bytes(const struct mm *mm, uintptr_t lo, uintptr_t hi)
{
	size_t sum = 0;
	for (size_t i = find(mm, lo); i < mm->n && mm->r[i].start < hi; i++)
		sum += min_u(rend(&mm->r[i]), hi) - max_u(mm->r[i].start, lo);
	return sum;
}

static size_t count_range(const struct mm *mm, uintptr_t lo, uintptr_t hi)
{
	size_t i = find(mm, lo);
	return upto(mm, i, hi) - i;
}

/* Highest free range of len bytes inside [lo, hi), top down like Linux's
 * default layout; 0 when none (lo is at least a page, so 0 is never a
 * result). Deterministic: a function of the region list only. */
static uintptr_t find_gap(const struct mm *mm, size_t len, uintptr_t lo, uintptr_t hi)
{
	if (hi <= lo || hi - lo < len)
		return 0;
	size_t i = find(mm, hi);
	uintptr_t top = i < mm->n && mm->r[i].start < hi ? mm->r[i].start : hi;
	for (;;) {
		uintptr_t below = i > 0 ? rend(&mm->r[i - 1]) : 0;
		uintptr_t bottom = max_u(below, lo);
		if (top > bottom && top - bottom >= len)
			return top - len;
		if (i == 0 || below <= lo)
			return 0;
		top = mm->r[--i].start;
	}
}

/* Where a non-fixed mapping goes: the hint when the range is free and
 * allowed (rounded down to a page, raised to min_addr, as Linux), else
 * the highest gap below mmap_base. 0 when nothing fits. */
static uintptr_t place(const struct mm *mm, uintptr_t hint, size_t len, int flags)
{
	uintptr_t lo = max_u(mm->lay.min_addr, PAGE), max = mm->lay.max_addr;
	hint &= ~(PAGE - 1);
	if (hint && hint < lo)
		hint = page_up(lo);
	if (hint && len <= max && hint <= max - len && range_free(mm, hint, len))
		return hint;
	if (flags & MAP_32BIT)
		return find_gap(mm, len, max_u(lo, LOW32_START), LOW32_END);
	return find_gap(mm, len, lo, min_u(mm->lay.mmap_base, max));
}

/* --- creation and teardown ---------------------------------------- */

int mm_new(struct memfile *mf, const struct mm_ops *ops, void *arg, const struct mm_layout *layout,
	   struct mm **out)
{
	struct mm *mm = calloc(1, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	pthread_mutex_init(&mm->lock, NULL);
	mm->mf = mf;
	mm->ops = *ops;
	mm->arg = arg;
	mm->lay = *layout;
	*out = mm;
	return 0;
}

void mm_destroy(struct mm *mm)
{
	if (!mm)
		return;
	for (size_t i = 0; i < mm->n; i++)
		release(mm, &mm->r[i]);
	pthread_mutex_destroy(&mm->lock);
	free(mm->r);
	free(mm);
}

/* Copies one region for a fork: private bytes to new backing. */
static int clone_region(struct mm *dst, const struct region *g)
{
	struct region h = *g;
	if (h.shm) {
		shm_get(h.shm);
	} else if (!(h.flags & MM_NOBACK)) {
		int64_t off = memfile_alloc(dst->mf, h.len);
		if (off < 0)
			return (int)off;
		h.off = (uint64_t)off;
		int err = memfile_copy(dst->mf, h.off, g->off, h.len);
		if (err) {
			memfile_free(dst->mf, h.off, h.len);
			return err;
		}
	}
	dst->r[dst->n++] = h;
	dst->total += h.len;
	return 0;
}

int mm_clone(struct mm *src, void *arg, struct mm **out)
{
	struct mm *dst;
	int err = mm_new(src->mf, &src->ops, arg, &src->lay, &dst);
	if (err)
		return err;
	pthread_mutex_lock(&src->lock);
	dst->start_brk = src->start_brk;
	dst->brk = src->brk;
	err = reserve(dst, src->n);
	for (size_t i = 0; !err && i < src->n; i++)
		err = clone_region(dst, &src->r[i]);
	pthread_mutex_unlock(&src->lock);
	if (err) {
		mm_destroy(dst);
		return err;
	}
	*out = dst;
	return 0;
}

/* --- mmap --------------------------------------------------------- */

/* RLIMIT_AS for one call (limits.c): limit 0 means none; refused tells the
 * caller that the limit, not something else, failed the call. */
struct as_budget {
	size_t limit;
	bool refused;
};

/* Linux's may_expand_vm: may `len` more bytes be mapped when `have` are? */
static bool as_allows(struct as_budget *b, size_t have, size_t len)
{
	if (!b->limit || (have <= b->limit && len <= b->limit - have))
		return true;
	b->refused = true;
	return false;
}

/* MAP_FIXED range checks, in Linux's order (get_unmapped_area, then
 * security_mmap_addr); max_addr stands in for TASK_SIZE so that nothing
 * is ever mapped over the stub (P1, S12). */
static int check_fixed(const struct mm *mm, uintptr_t addr, size_t len)
{
	if (len > mm->lay.max_addr || addr > mm->lay.max_addr - len)
		return -ENOMEM;
	if (!aligned(addr))
		return -EINVAL;
	if (addr < mm->lay.min_addr)
		return -EPERM;
	return 0;
}

static long do_mmap(struct mm *mm, uintptr_t addr, size_t len, int prot, int flags,
		    struct as_budget *budget)
{
	int type = flags & MAP_TYPE;
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV; /* file mappings: the sentry has no files yet */
	if (!len)
		return -EINVAL;
	len = page_up(len);
	if (!len)
		return -ENOMEM;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED; /* Linux: NOREPLACE wins over FIXED */
	if (flags & MAP_FIXED) {
		int err = check_fixed(mm, addr, len);
		if (err)
			return err;
	} else {
		addr = place(mm, addr, len, flags);
		if (!addr)
			return -ENOMEM;
	}
	/* Anonymous mappings know only these two (MAP_SHARED_VALIDATE too
	 * is EINVAL there), and a shared one cannot grow down. */
	if (type != MAP_PRIVATE && type != MAP_SHARED)
		return -EINVAL;
	if (type == MAP_SHARED && (flags & MAP_GROWSDOWN))
		return -EINVAL;
	if ((flags & MAP_FIXED_NOREPLACE) && !range_free(mm, addr, len))
		return -EEXIST;
	if (mm->n >= MM_MAX_MAP_COUNT)
		return -ENOMEM;
	/* Linux's may_expand_vm, after every argument check: what a fixed
	 * mapping replaces is not counted twice. */
	size_t replaced = (flags & MAP_FIXED) ? mapped_bytes(mm, addr, addr + len) : 0;
	if (!as_allows(budget, mm->total - replaced, len))
		return -ENOMEM;
	struct region g = {
		addr, len, prot & PROT_RWX, type == MAP_SHARED ? MM_SHARED : 0, 0, NULL
	};
	int err = new_backing(mm, &g);
	if (err)
		return err;
	if (flags & MAP_FIXED)
		cut(mm, addr, addr + len, NULL);
	insert(mm, &g);
	merge_all(mm);
	/* Precommit: the one exception to "nothing until touched" (S2).
	 * Best effort, as Linux ignores populate failures; no access, no
	 * populate, as Linux skips PROT_NONE. */
	if ((flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE && g.prot)
		(void)mm->ops.map_file(mm->arg, addr, g.off, len, effective(g.prot), true);
	return (long)addr;
}

long mm_mmap_limited(struct mm *mm, uintptr_t addr, size_t len, int prot, int flags,
		     size_t as_limit, bool *refused)
{
	struct as_budget budget = { as_limit, false };
	pthread_mutex_lock(&mm->lock);
	long ret = reserve(mm, 8);
	if (!ret)
		ret = do_mmap(mm, addr, len, prot, flags, &budget);
	pthread_mutex_unlock(&mm->lock);
	*refused = budget.refused;
	return ret;
}

long mm_mmap(struct mm *mm, uintptr_t addr, size_t len, int prot, int flags)
{
	bool refused;
	return mm_mmap_limited(mm, addr, len, prot, flags, 0, &refused);
}

/* --- munmap, mprotect, madvise ------------------------------------ */

static int do_munmap(struct mm *mm, uintptr_t addr, size_t len)
{
	if (!aligned(addr) || addr > LINUX_TASK_SIZE || len > LINUX_TASK_SIZE - addr)
		return -EINVAL;
	len = page_up(len);
	if (!len)
		return -EINVAL;
	cut(mm, addr, addr + len, NULL); /* nothing there is fine */
	return 0;
}

int mm_munmap(struct mm *mm, uintptr_t addr, size_t len)
{
	pthread_mutex_lock(&mm->lock);
	int ret = reserve(mm, 8);
	if (!ret)
		ret = do_munmap(mm, addr, len);
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

/* End of the mapped stretch from addr on without a hole, capped at end;
 * addr when addr itself is unmapped. */
static uintptr_t mapped_reach(const struct mm *mm, uintptr_t addr, uintptr_t end)
{
	size_t i = find(mm, addr);
	uintptr_t reach = addr;
	while (reach < end && i < mm->n && mm->r[i].start <= reach)
		reach = rend(&mm->r[i++]);
	return min_u(reach, end);
}

static int do_mprotect(struct mm *mm, uintptr_t addr, size_t len, int prot)
{
	if (!aligned(addr))
		return -EINVAL;
	if (!len)
		return 0;
	len = page_up(len);
	uintptr_t end = addr + len;
	if (end <= addr)
		return -ENOMEM;
	if (prot & ~(PROT_RWX | PROT_SEM))
		return -EINVAL; /* also PROT_GROWSDOWN: no such regions here */
	prot &= PROT_RWX;
	/* Like Linux, change everything up to the first hole, then fail. */
	uintptr_t hi = mapped_reach(mm, addr, end);
	if (hi == addr)
		return -ENOMEM;
	size_t i = clip(mm, addr, hi), j = upto(mm, i, hi);
	bool lost = false;
	for (size_t k = i; k < j; k++) {
		lost |= (mm->r[k].prot & ~prot) != 0;
		mm->r[k].prot = prot;
	}
	/* Lost access must leave the stub now; gained access is picked up
	 * by the next fault, which maps with the new prot. */
	if (lost)
		stub_unmap(mm, addr, hi);
	merge_all(mm);
	return hi < end ? -ENOMEM : 0;
}

int mm_mprotect(struct mm *mm, uintptr_t addr, size_t len, int prot)
{
	pthread_mutex_lock(&mm->lock);
	int ret = reserve(mm, 8);
	if (!ret)
		ret = do_mprotect(mm, addr, len, prot);
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

/* Advice Linux accepts. Those that change nothing a guest can observe
 * are no-ops here (MADV_FREE may keep the old bytes, which Linux allows
 * too); the ones with visible effects that are not emulated (REMOVE,
 * DONTFORK, WIPEONFORK, POPULATE_*, ...) give EINVAL. */
static bool advice_known(int advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_DOFORK:
	case MADV_KEEPONFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_DONTNEED_LOCKED: return true;
	default: return false;
	}
}

/* MADV_DONTNEED: private pages read zero again (punch their backing);
 * shared pages keep their bytes (they live in the object, as shmem's
 * do). Both leave the stub, so the next touch refaults (S2). */
static void dontneed(struct mm *mm, uintptr_t addr, uintptr_t end)
{
	size_t i = find(mm, addr), j = upto(mm, i, end);
	for (size_t k = i; k < j; k++) {
		const struct region *g = &mm->r[k];
		uintptr_t lo = max_u(g->start, addr), hi = min_u(rend(g), end);
		if (is_private(g))
			memfile_zero(mm->mf, g->off + (lo - g->start), hi - lo);
	}
	if (i < j)
		stub_unmap(mm, max_u(mm->r[i].start, addr), min_u(rend(&mm->r[j - 1]), end));
}

static int do_madvise(struct mm *mm, uintptr_t addr, size_t len_in, int advice)
{
	if (!advice_known(advice) || !aligned(addr))
		return -EINVAL;
	size_t len = page_up(len_in);
	if (len_in && !len)
		return -EINVAL;
	uintptr_t end = addr + len;
	if (end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	if (advice == MADV_DONTNEED || advice == MADV_DONTNEED_LOCKED)
		dontneed(mm, addr, end);
	/* Holes give ENOMEM after the mapped parts were advised. */
	return mapped_reach(mm, addr, end) < end ? -ENOMEM : 0;
}

int mm_madvise(struct mm *mm, uintptr_t addr, size_t len, int advice)
{
	pthread_mutex_lock(&mm->lock);
	int ret = do_madvise(mm, addr, len, advice);
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

/* --- brk ---------------------------------------------------------- */

/* Backing for len new private bytes that follow private bytes living
 * just before file offset `from`: take [from, from + len) when it is free,
 * so the two regions merge, else anywhere. */
static int64_t alloc_near(struct mm *mm, uint64_t from, size_t len)
{
	if (memfile_alloc_at(mm->mf, from, len) == 0)
		return (int64_t)from;
	return memfile_alloc(mm->mf, len);
}

static bool brk_grow(struct mm *mm, uintptr_t oldbrk, uintptr_t newbrk, struct as_budget *budget)
{
	/* Linux keeps a page between the heap and the next mapping; the
	 * stub at max_addr counts as one (P1). */
	if (newbrk > mm->lay.max_addr - PAGE)
		return false;
	size_t i = find(mm, oldbrk);
	if (i < mm->n && mm->r[i].start < newbrk + PAGE)
		return false;
	/* may_expand_vm: after the collision, before any memory is charged. */
	if (!as_allows(budget, mm->total, newbrk - oldbrk))
		return false;
	const struct region *prev = i > 0 ? &mm->r[i - 1] : NULL;
	struct region g = { oldbrk, newbrk - oldbrk, PROT_READ | PROT_WRITE, 0, 0, NULL };
	int64_t off = prev && rend(prev) == oldbrk && is_private(prev)
			      ? alloc_near(mm, prev->off + prev->len, g.len)
			      : memfile_alloc(mm->mf, g.len);
	if (off < 0)
		return false;
	g.off = (uint64_t)off;
	insert(mm, &g);
	merge_all(mm);
	return true;
}

static uintptr_t do_brk(struct mm *mm, uintptr_t brk, struct as_budget *budget)
{
	if (brk < mm->start_brk)
		return mm->brk; /* brk(0) asks where the break is */
	uintptr_t newbrk = page_up(brk), oldbrk = page_up(mm->brk);
	if (newbrk == oldbrk) {
		mm->brk = brk;
		return brk;
	}
	if (brk <= mm->brk) {
		/* Shrinking unmaps whatever lies there, but Linux refuses
		 * when nothing is mapped there any more. */
		if (count_range(mm, newbrk, oldbrk) == 0)
			return mm->brk;
		cut(mm, newbrk, oldbrk, NULL);
		mm->brk = brk;
		return brk;
	}
	if (!newbrk || !brk_grow(mm, oldbrk, newbrk, budget))
		return mm->brk;
	mm->brk = brk;
	return brk;
}

uintptr_t mm_brk(struct mm *mm, uintptr_t brk)
{
	bool refused;
	return mm_brk_limited(mm, brk, 0, &refused);
}

size_t mm_total(struct mm *mm)
{
	pthread_mutex_lock(&mm->lock);
	size_t n = mm->total;
	pthread_mutex_unlock(&mm->lock);
	return n;
}

uintptr_t mm_brk_limited(struct mm *mm, uintptr_t brk, size_t as_limit, bool *refused)
{
	struct as_budget budget = { as_limit, false };
	pthread_mutex_lock(&mm->lock);
	uintptr_t ret = reserve(mm, 8) ? mm->brk : do_brk(mm, brk, &budget);
	pthread_mutex_unlock(&mm->lock);
	*refused = budget.refused;
	return ret;
}

void mm_set_brk_start(struct mm *mm, uintptr_t start)
{
	pthread_mutex_lock(&mm->lock);
	mm->start_brk = mm->brk = start;
	pthread_mutex_unlock(&mm->lock);
}

/* --- mremap ------------------------------------------------------- */

/* Linux has one vma where S2 may keep several regions (backing that is
 * not contiguous, or a shared mapping's part past its object), so
 * mremap's "one vma" checks follow runs of regions of one kind. */
static bool same_vma(const struct region *a, const struct region *b)
{
	if (rend(a) != b->start || a->prot != b->prot ||
	    (a->flags & MM_SHARED) != (b->flags & MM_SHARED))
		return false;
	return is_private(a) || a->shm == b->shm || (b->flags & MM_NOBACK);
}

static uintptr_t vma_end(const struct mm *mm, size_t i)
{
	while (i + 1 < mm->n && same_vma(&mm->r[i], &mm->r[i + 1]))
		i++;
	return rend(&mm->r[i]);
}

/* Linux's vma_to_resize: the old range must start in a mapping and stay
 * inside it; duplicating (old_len 0) works for shared mappings only. */
static int resize_check(const struct mm *mm, uintptr_t addr, size_t old_len, size_t *idx)
{
	size_t i = find(mm, addr);
	if (i == mm->n || mm->r[i].start > addr)
		return -EFAULT;
	if (!old_len && is_private(&mm->r[i]))
		return -EINVAL;
	if (old_len > vma_end(mm, i) - addr)
		return -EFAULT;
	*idx = i;
	return 0;
}

/* Inserts len bytes at `at` continuing the mapping of tmpl, whose next
 * byte would live at file offset `from`: private memory gets new zeroed
 * backing (right after `from` when free), shared memory maps the rest of
 * its object and then nothing (SIGBUS, as past a shmem file's size). */
static int extend(struct mm *mm, const struct region *tmpl, uint64_t from, uintptr_t at, size_t len)
{
	struct region g = *tmpl;
	g.start = at;
	g.len = len;
	if (is_private(tmpl)) {
		int64_t off = alloc_near(mm, from, len);
		if (off < 0)
			return (int)off;
		g.off = (uint64_t)off;
		insert(mm, &g);
		return 0;
	}
	size_t avail = 0;
	if (tmpl->shm && from < tmpl->shm->off + tmpl->shm->len)
		avail = tmpl->shm->off + tmpl->shm->len - from;
	if (avail) {
		g.len = min_u(avail, len);
		g.off = from;
		shm_get(g.shm);
		insert(mm, &g);
	}
	if (len > avail) {
		g.start = at + avail;
		g.len = len - avail;
		g.flags |= MM_NOBACK;
		g.shm = NULL;
		g.off = 0;
		insert(mm, &g);
	}
	return 0;
}

/* The template and file offset for what follows [addr, addr + old_len):
 * the region holding its last byte (or addr for a duplicate). */
static void tail_of(const struct mm *mm, uintptr_t addr, size_t old_len, struct region *tmpl,
		    uint64_t *from)
{
	uintptr_t last = old_len ? addr + old_len - 1 : addr;
	*tmpl = mm->r[find(mm, last)];
	*from = tmpl->off + (last - tmpl->start) + (old_len ? 1 : 0);
}

/* Moves [addr, addr + old_len) to new_addr (free) as a mapping of new_len
 * bytes; the bytes travel with their backing, nothing is copied. */
static long move(struct mm *mm, uintptr_t addr, size_t old_len, uintptr_t new_addr, size_t new_len)
{
	struct region tmpl;
	uint64_t from;
	tail_of(mm, addr, old_len, &tmpl, &from);
	size_t k = count_range(mm, addr, addr + old_len);
	struct region *pieces = calloc(k ? k : 1, sizeof(*pieces));
	if (!pieces || reserve(mm, k + 8)) {
		free(pieces);
		return -ENOMEM;
	}
	if (new_len > old_len) {
		int err = extend(mm, &tmpl, from, new_addr + old_len, new_len - old_len);
		if (err) {
			free(pieces);
			return err;
		}
	}
	k = old_len ? cut(mm, addr, addr + old_len, pieces) : 0;
	for (size_t p = 0; p < k; p++) {
		pieces[p].start = pieces[p].start - addr + new_addr;
		insert(mm, &pieces[p]);
	}
	free(pieces);
	merge_all(mm);
	return (long)new_addr;
}

/* MREMAP_DONTUNMAP: Linux moves the page tables and leaves the old
 * mapping in place, same protection, with nothing in it: private memory
 * reads zero there again, shared memory still maps its object (so it
 * shows the same bytes as the new range). The old range is rebuilt like
 * that after the move; its private backing is allocated first, so that a
 * failure leaves nothing half done. */
static long move_dontunmap(struct mm *mm, uintptr_t addr, size_t len, uintptr_t new_addr)
{
	size_t i = clip(mm, addr, addr + len), k = upto(mm, i, addr + len) - i;
	struct region *old = calloc(k ? k : 1, sizeof(*old));
	long ret = !old || reserve(mm, 2 * k + 8) ? -ENOMEM : 0;
	size_t got = 0; /* pieces copied, private ones with new backing */
	while (!ret && got < k) {
		struct region g = mm->r[i + got];
		if (is_private(&g)) {
			int64_t off = memfile_alloc(mm->mf, g.len);
			if (off < 0) {
				ret = (long)off;
				break;
			}
			g.off = (uint64_t)off;
		}
		old[got++] = g;
	}
	if (!ret)
		ret = move(mm, addr, len, new_addr, len);
	for (size_t p = 0; p < got; p++) {
		if (ret < 0) {
			if (is_private(&old[p]))
				memfile_free(mm->mf, old[p].off, old[p].len);
			continue;
		}
		if (old[p].shm)
			shm_get(old[p].shm);
		insert(mm, &old[p]);
	}
	merge_all(mm);
	free(old);
	return ret;
}

static long mremap_to(struct mm *mm, uintptr_t addr, size_t old_len, size_t new_len, int flags,
		      uintptr_t new_addr)
{
	bool fixed = flags & MREMAP_FIXED;
	/* Without MREMAP_FIXED (MREMAP_DONTUNMAP alone) new_addr is a hint,
	 * yet Linux checks it all the same. */
	if (!aligned(new_addr))
		return -EINVAL;
	if (new_len > LINUX_TASK_SIZE || new_addr > LINUX_TASK_SIZE - new_len)
		return -EINVAL;
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return -EINVAL; /* old and new overlap */
	int err;
	if (fixed) {
		/* Where Linux would fail in get_unmapped_area, fail first
		 * so the munmaps below leave nothing half done. */
		err = check_fixed(mm, new_addr, new_len);
		if (err)
			return err;
		do_munmap(mm, new_addr, new_len);
	}
	if (old_len > new_len) {
		err = do_munmap(mm, addr + new_len, old_len - new_len);
		if (err)
			return err;
		old_len = new_len;
	}
	size_t i;
	err = resize_check(mm, addr, old_len, &i);
	if (err)
		return err;
	if (!fixed) {
		new_addr = place(mm, new_addr, new_len, 0);
		if (!new_addr)
			return -ENOMEM;
	}
	if (flags & MREMAP_DONTUNMAP)
		return move_dontunmap(mm, addr, old_len, new_addr);
	return move(mm, addr, old_len, new_addr, new_len);
}

static long do_mremap(struct mm *mm, uintptr_t addr, size_t old_len, size_t new_len, int flags,
		      uintptr_t new_addr)
{
	if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	/* DONTUNMAP is always a move, never a resize (compared before the
	 * lengths are rounded, as Linux does). */
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (!aligned(addr))
		return -EINVAL;
	old_len = page_up(old_len);
	new_len = page_up(new_len);
	if (!new_len)
		return -EINVAL;
	/* Since 5.16 Linux first looks up the mapping at addr: without one,
	 * even a shrink or a move is EFAULT. */
	size_t at = find(mm, addr);
	if (at == mm->n || mm->r[at].start > addr)
		return -EFAULT;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return mremap_to(mm, addr, old_len, new_len, flags, new_addr);
	if (old_len >= new_len) { /* shrinking unmaps the tail, nothing more */
		if (old_len > new_len) {
			int err = do_munmap(mm, addr + new_len, old_len - new_len);
			if (err)
				return err;
		}
		return (long)addr;
	}
	size_t i;
	int err = resize_check(mm, addr, old_len, &i);
	if (err)
		return err;
	uintptr_t end = vma_end(mm, i), grow = new_len - old_len;
	if (old_len && old_len == end - addr && addr + new_len > addr &&
	    addr + new_len <= mm->lay.max_addr && range_free(mm, end, grow)) {
		struct region tmpl;
		uint64_t from;
		tail_of(mm, addr, old_len, &tmpl, &from);
		err = extend(mm, &tmpl, from, end, grow);
		merge_all(mm);
		return err ? err : (long)addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	uintptr_t to = place(mm, 0, new_len, 0);
	if (!to)
		return -ENOMEM;
	return move(mm, addr, old_len, to, new_len);
}

long mm_mremap(struct mm *mm, uintptr_t old_addr, size_t old_len, size_t new_len, int flags,
	       uintptr_t new_addr)
{
	pthread_mutex_lock(&mm->lock);
	long ret = reserve(mm, 8);
	if (!ret)
		ret = do_mremap(mm, old_addr, old_len, new_len, flags, new_addr);
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_shared_offset(struct mm *mm, uintptr_t addr, uint64_t *off)
{
	pthread_mutex_lock(&mm->lock);
	size_t i = find(mm, addr);
	int ret = -EFAULT;
	if (i < mm->n && mm->r[i].start <= addr) {
		const struct region *g = &mm->r[i];
		ret = !is_private(g) && !(g->flags & MM_NOBACK);
		if (ret)
			*off = g->off + (addr - g->start);
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

/* --- faults (S3) -------------------------------------------------- */

static bool allows(int prot, unsigned access)
{
	int eff = effective(prot);
	if ((access & PLAT_ACCESS_READ) && !(eff & PROT_READ))
		return false;
	if ((access & PLAT_ACCESS_WRITE) && !(eff & PROT_WRITE))
		return false;
	return !(access & PLAT_ACCESS_EXEC) || (eff & PROT_EXEC);
}

/* The S3 two-step: a private writable region is first mapped without
 * write, and only the repeat fault, which P17 reports as a write, maps it
 * writable; so P17 is exercised for real. Shared or read-only regions
 * are mapped at once. The stub gets the effective prot, so that what was
 * judged readable above is readable there too, even where the host
 * would make PROT_EXEC alone execute-only (pkeys). */
static int fault_prot(const struct region *g, unsigned access)
{
	int eff = effective(g->prot);
	if (!is_private(g) || !(g->prot & PROT_WRITE) || (access & PLAT_ACCESS_WRITE))
		return eff;
	return eff & ~PROT_WRITE;
}

static void deny(struct fault_action *out, int signo, int code)
{
	out->signo = signo;
	out->code = code;
}

static int do_fault(struct mm *mm, uintptr_t addr, unsigned access, struct fault_action *out)
{
	size_t i = find(mm, addr);
	if (i == mm->n || mm->r[i].start > addr) {
		deny(out, SIGSEGV, SEGV_MAPERR);
		return 0;
	}
	const struct region *g = &mm->r[i];
	if (!allows(g->prot, access)) { /* PROT_NONE lands here too */
		deny(out, SIGSEGV, SEGV_ACCERR);
		return 0;
	}
	if (g->flags & MM_NOBACK) {
		deny(out, SIGBUS, BUS_ADRERR);
		return 0;
	}
	uintptr_t chunk = addr & ~((uintptr_t)MM_FAULT_CHUNK - 1);
	uintptr_t lo = max_u(chunk, g->start);
	uintptr_t hi = min_u(chunk + MM_FAULT_CHUNK, rend(g));
	out->addr = lo;
	out->len = hi - lo;
	out->prot = fault_prot(g, access);
	return mm->ops.map_file(mm->arg, lo, g->off + (lo - g->start), hi - lo, out->prot, false);
}

int mm_fault(struct mm *mm, uintptr_t addr, unsigned access, struct fault_action *out)
{
	*out = (struct fault_action){ .addr = addr };
	pthread_mutex_lock(&mm->lock);
	int ret = do_fault(mm, addr, access, out);
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

/* --- guest memory access (S1) ------------------------------------- */

/* Whether region i holds addr, has backing and grants need. */
static bool readable_at(const struct mm *mm, size_t i, uintptr_t addr, int need)
{
	if (i == mm->n)
		return false;
	const struct region *g = &mm->r[i];
	return g->start <= addr && !(g->flags & MM_NOBACK) && (effective(g->prot) & need) == need;
}

/* Whether every byte of [addr, addr + len) is in a backed region whose
 * effective prot has all of need (0: any region). */
static bool accessible(const struct mm *mm, uintptr_t addr, size_t len, int need)
{
	uintptr_t end = addr + len;
	if (end < addr)
		return false;
	for (size_t i = find(mm, addr); addr < end; i++) {
		if (!readable_at(mm, i, addr, need))
			return false;
		addr = rend(&mm->r[i]);
	}
	return true;
}

/* Copies between buf and guest [addr, addr + len), already checked. */
static void transfer(struct mm *mm, uintptr_t addr, void *buf, size_t len, bool to_guest)
{
	char *p = buf;
	for (size_t i = find(mm, addr); len > 0; i++) {
		const struct region *g = &mm->r[i];
		size_t n = min_u(len, rend(g) - addr);
		char *host = memfile_ptr(mm->mf, g->off + (addr - g->start));
		if (to_guest)
			memcpy(host, p, n);
		else
			memcpy(p, host, n);
		p += n;
		addr += n;
		len -= n;
	}
}

static int guarded(struct mm *mm, uintptr_t addr, void *buf, size_t len, int need, bool to_guest)
{
	pthread_mutex_lock(&mm->lock);
	int ret = -EFAULT;
	if (accessible(mm, addr, len, need)) {
		transfer(mm, addr, buf, len, to_guest);
		ret = 0;
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_copy_in(struct mm *mm, uintptr_t addr, void *dst, size_t len)
{
	return guarded(mm, addr, dst, len, PROT_READ, false);
}

int mm_copy_out(struct mm *mm, uintptr_t addr, const void *src, size_t len)
{
	return guarded(mm, addr, (void *)src, len, PROT_WRITE, true);
}

int mm_poke(struct mm *mm, uintptr_t addr, const void *src, size_t len)
{
	return guarded(mm, addr, (void *)src, len, 0, true);
}

static long strncpy_locked(struct mm *mm, uintptr_t addr, char *dst, size_t size)
{
	size_t done = 0;
	for (size_t i = find(mm, addr); done < size; i++) {
		if (!readable_at(mm, i, addr, PROT_READ))
			return -EFAULT;
		const struct region *g = &mm->r[i];
		size_t n = min_u(size - done, rend(g) - addr);
		const char *host = memfile_ptr(mm->mf, g->off + (addr - g->start));
		const char *nul = memchr(host, 0, n);
		if (nul) {
			memcpy(dst + done, host, (size_t)(nul - host) + 1);
			return (long)(done + (size_t)(nul - host));
		}
		memcpy(dst + done, host, n);
		done += n;
		addr += n;
	}
	return (long)size;
}

long mm_strncpy_in(struct mm *mm, uintptr_t addr, char *dst, size_t size)
{
	pthread_mutex_lock(&mm->lock);
	long ret = strncpy_locked(mm, addr, dst, size);
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

/* --- listing ------------------------------------------------------ */

size_t mm_format(struct mm *mm, char *buf, size_t size)
{
	size_t used = 0;
	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < mm->n; i++) {
		const struct region *g = &mm->r[i];
		int n = snprintf(used < size ? buf + used : NULL, used < size ? size - used : 0,
				 "%lx-%lx %c%c%c%c%s\n", g->start, rend(g),
				 g->prot & PROT_READ ? 'r' : '-', g->prot & PROT_WRITE ? 'w' : '-',
				 g->prot & PROT_EXEC ? 'x' : '-', is_private(g) ? 'p' : 's',
				 g->flags & MM_NOBACK ? " nobacking" : "");
		used += n > 0 ? (size_t)n : 0;
	}
	pthread_mutex_unlock(&mm->lock);
	if (size && !mm->n)
		buf[0] = '\0';
	return used;
}
