/*
 * S1 memory file. See memfile.h.
 *
 * Layout of the file: [0, end) holds allocations and free extents, every
 * offset at or past `end` is free. Free extents are kept sorted and
 * coalesced, and none touches `end` (it is folded into it), so the free
 * list stays short. The file only grows; freed pages are punched, which
 * gives their memory back and makes them read as zero when reused.
 */
#include "harness/sentry/memfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The file and its harness mapping grow in steps of this much, so that
 * small allocations do not each cost an ftruncate and an mmap. */
#define MEMFILE_GROW (2u << 20)

struct extent {
	uint64_t off, len;
};

struct memfile {
	int fd;
	char *base;           /* MEMFILE_RESERVE bytes; file mapped at its start */
	pthread_mutex_t lock; /* allocator state below */
	size_t limit, committed;
	uint64_t end;        /* everything at or past end is free */
	uint64_t size;       /* file size == mapped prefix of base */
	struct extent *free; /* sorted, coalesced, none ends at end */
	size_t nfree, capfree;
};

static bool page_aligned(uint64_t v)
{
	return (v & (MEMFILE_PAGE - 1)) == 0;
}

int memfile_new(size_t limit, struct memfile **out)
{
	struct memfile *mf = calloc(1, sizeof(*mf));
	if (!mf)
		return -ENOMEM;
	mf->limit = limit < MEMFILE_RESERVE ? limit : MEMFILE_RESERVE;
	pthread_mutex_init(&mf->lock, NULL);
	mf->fd = memfd_create("sentry-memfile", MFD_CLOEXEC);
	if (mf->fd < 0) {
		int err = -errno;
		free(mf);
		return err;
	}
	/* PROT_NONE + NORESERVE: address space only, nothing is committed. */
	void *p = mmap(NULL, MEMFILE_RESERVE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		int err = -errno;
		close(mf->fd);
		free(mf);
		return err;
	}
	mf->base = p;
	*out = mf;
	return 0;
}

void memfile_destroy(struct memfile *mf)
{
	if (!mf)
		return;
	munmap(mf->base, MEMFILE_RESERVE);
	close(mf->fd);
	pthread_mutex_destroy(&mf->lock);
	free(mf->free);
	free(mf);
}

int memfile_fd(const struct memfile *mf)
{
	return mf->fd;
}

void *memfile_ptr(const struct memfile *mf, uint64_t off)
{
	return mf->base + off;
}

size_t memfile_committed(const struct memfile *mf)
{
	struct memfile *m = (struct memfile *)mf;
	pthread_mutex_lock(&m->lock);
	size_t c = m->committed;
	pthread_mutex_unlock(&m->lock);
	return c;
}

size_t memfile_limit(const struct memfile *mf)
{
	return mf->limit;
}

/* Makes the file (and the harness's view of it) at least `need` bytes.
 * The new part is mapped MAP_FIXED over the reservation right after the
 * old part, so existing host pointers never move (S1). */
static int grow(struct memfile *mf, uint64_t need)
{
	if (need <= mf->size)
		return 0;
	uint64_t n = (need + MEMFILE_GROW - 1) / MEMFILE_GROW * MEMFILE_GROW;
	if (n > MEMFILE_RESERVE)
		n = MEMFILE_RESERVE;
	if (ftruncate(mf->fd, (off_t)n) < 0)
		return -errno;
	void *want = mf->base + mf->size;
	void *p = mmap(want, n - mf->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, mf->fd,
		       (off_t)mf->size);
	if (p == MAP_FAILED)
		return -errno;
	mf->size = n;
	return 0;
}

static int reserve_extents(struct memfile *mf, size_t extra)
{
	if (mf->nfree + extra <= mf->capfree)
		return 0;
	size_t cap = mf->capfree ? mf->capfree * 2 : 16;
	while (cap < mf->nfree + extra)
		cap *= 2;
	struct extent *v = realloc(mf->free, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	mf->free = v;
	mf->capfree = cap;
	return 0;
}

static void remove_extent(struct memfile *mf, size_t i)
{
	memmove(&mf->free[i], &mf->free[i + 1], (mf->nfree - i - 1) * sizeof(mf->free[0]));
	mf->nfree--;
}

/* Moves [off, off + len) from free to allocated. The caller checked the
 * limit and that the range is free; extent i holds it unless i == nfree,
 * which means the range lies at or past end. */
static int claim(struct memfile *mf, size_t i, uint64_t off, uint64_t len)
{
	if (i == mf->nfree) {
		if (off + len > MEMFILE_RESERVE || off + len < off)
			return -ENOMEM;
		int err = reserve_extents(mf, 1);
		if (!err)
			err = grow(mf, off + len);
		if (err)
			return err;
		if (off > mf->end) /* the gap before it stays free */
			mf->free[mf->nfree++] = (struct extent){ mf->end, off - mf->end };
		mf->end = off + len;
	} else {
		struct extent *e = &mf->free[i];
		uint64_t tail_off = off + len, tail_len = e->off + e->len - tail_off;
		if (off > e->off && tail_len > 0) { /* split the extent in two */
			if (reserve_extents(mf, 1))
				return -ENOMEM;
			e = &mf->free[i];
			memmove(&mf->free[i + 2], &mf->free[i + 1],
				(mf->nfree - i - 1) * sizeof(*e));
			mf->nfree++;
			mf->free[i + 1] = (struct extent){ tail_off, tail_len };
			e->len = off - e->off;
		} else if (off > e->off) {
			e->len = off - e->off;
		} else if (tail_len > 0) {
			*e = (struct extent){ tail_off, tail_len };
		} else {
			remove_extent(mf, i);
		}
	}
	mf->committed += len;
	return 0;
}

static bool len_ok(size_t len)
{
	return len > 0 && page_aligned(len);
}

int64_t memfile_alloc(struct memfile *mf, size_t len)
{
	if (!len_ok(len))
		return -EINVAL;
	pthread_mutex_lock(&mf->lock);
	int64_t ret = -ENOMEM;
	if (len <= mf->limit - mf->committed) {
		size_t i = 0; /* first fit, else at end */
		while (i < mf->nfree && mf->free[i].len < len)
			i++;
		uint64_t off = i < mf->nfree ? mf->free[i].off : mf->end;
		int err = claim(mf, i, off, len);
		ret = err ? err : (int64_t)off;
	}
	pthread_mutex_unlock(&mf->lock);
	return ret;
}

int memfile_alloc_at(struct memfile *mf, uint64_t off, size_t len)
{
	if (!len_ok(len) || !page_aligned(off))
		return -EINVAL;
	pthread_mutex_lock(&mf->lock);
	int ret = -ENOMEM;
	if (len <= mf->limit - mf->committed) {
		size_t i = 0;
		while (i < mf->nfree && mf->free[i].off + mf->free[i].len <= off)
			i++;
		if (off >= mf->end)
			ret = claim(mf, mf->nfree, off, len);
		else if (i < mf->nfree && mf->free[i].off <= off &&
			 off + len <= mf->free[i].off + mf->free[i].len)
			ret = claim(mf, i, off, len);
		else
			ret = -EBUSY;
	}
	pthread_mutex_unlock(&mf->lock);
	return ret;
}

/* Inserts a free extent, coalescing with its neighbours; a range at the
 * tail is folded into end instead. Never fails: a merge needs no room, and
 * an insert that finds no room leaks the range until the memfile dies. */
static void add_free(struct memfile *mf, uint64_t off, uint64_t len)
{
	if (off + len == mf->end) {
		mf->end = off;
		struct extent *last = mf->nfree ? &mf->free[mf->nfree - 1] : NULL;
		if (last && last->off + last->len == mf->end) {
			mf->end = last->off;
			mf->nfree--;
		}
		return;
	}
	size_t i = 0;
	while (i < mf->nfree && mf->free[i].off < off)
		i++;
	bool prev = i > 0 && mf->free[i - 1].off + mf->free[i - 1].len == off;
	bool next = i < mf->nfree && off + len == mf->free[i].off;
	if (prev && next) {
		mf->free[i - 1].len += len + mf->free[i].len;
		remove_extent(mf, i);
	} else if (prev) {
		mf->free[i - 1].len += len;
	} else if (next) {
		mf->free[i].off = off;
		mf->free[i].len += len;
	} else if (reserve_extents(mf, 1) == 0) {
		memmove(&mf->free[i + 1], &mf->free[i], (mf->nfree - i) * sizeof(mf->free[0]));
		mf->free[i] = (struct extent){ off, len };
		mf->nfree++;
	}
}

void memfile_free(struct memfile *mf, uint64_t off, size_t len)
{
	if (!len)
		return;
	/* Punch first: the memory goes back to the kernel and a reuse of
	 * these offsets reads zero, as fresh anonymous memory must. */
	memfile_zero(mf, off, len);
	pthread_mutex_lock(&mf->lock);
	add_free(mf, off, len);
	mf->committed -= len;
	pthread_mutex_unlock(&mf->lock);
}

int memfile_zero(struct memfile *mf, uint64_t off, size_t len)
{
	if (fallocate(mf->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) <
	    0)
		return -errno;
	return 0;
}

int memfile_copy(struct memfile *mf, uint64_t dst, uint64_t src, size_t len)
{
	/* Only the data extents of the source are copied: the destination is
	 * fresh (reads zero), and touching holes would commit memory. */
	uint64_t pos = src, stop = src + len;
	while (pos < stop) {
		off_t d = lseek(mf->fd, (off_t)pos, SEEK_DATA);
		if (d < 0)
			return errno == ENXIO ? 0 : -errno;
		if ((uint64_t)d >= stop)
			return 0;
		off_t h = lseek(mf->fd, d, SEEK_HOLE);
		if (h < 0)
			return -errno;
		uint64_t e = (uint64_t)h < stop ? (uint64_t)h : stop;
		memcpy(mf->base + dst + ((uint64_t)d - src), mf->base + d, e - (uint64_t)d);
		pos = e;
	}
	return 0;
}
