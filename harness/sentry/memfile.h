/*
 * S1 memory file: one memfd holds all guest memory of one case.
 *
 * The file is carved into page ranges by a first-fit allocator with a free
 * list. The harness maps the whole file into itself at a fixed base, so a
 * host pointer to a file offset stays valid for the life of the memfile;
 * stub processes map ranges of the same fd with map-file (P21).
 *
 * Thread-safe: the allocator has its own lock, the mapping never moves.
 */
#ifndef HARNESS_SENTRY_MEMFILE_H
#define HARNESS_SENTRY_MEMFILE_H

#include <stddef.h>
#include <stdint.h>

#define MEMFILE_PAGE 4096u
/* Host address space reserved up front (PROT_NONE, MAP_NORESERVE): no
 * memory is committed by it, it only keeps the file's mapping in place. */
#define MEMFILE_RESERVE (64ull << 30)

struct memfile;

/* limit: the most bytes allocated at once (the case's memory budget);
 * at most MEMFILE_RESERVE. 0 or -errno. */
int memfile_new(size_t limit, struct memfile **out);
/* The harness's mapping goes away: no host pointer may be used after. */
void memfile_destroy(struct memfile *mf);

/* The memfd, for map-file (P21). */
int memfile_fd(const struct memfile *mf);

/* len a non-zero multiple of MEMFILE_PAGE. Returns the offset, or -ENOMEM
 * when the limit or the reservation is exhausted. The range reads as zero. */
int64_t memfile_alloc(struct memfile *mf, size_t len);
/* Claims exactly [off, off + len) if it is all free: 0, -EBUSY when part of
 * it is in use, -ENOMEM over the limit. Lets a region grow in place. */
int memfile_alloc_at(struct memfile *mf, uint64_t off, size_t len);
/* Frees any allocated page range (a part of an allocation is fine); the
 * pages go back to the kernel, so a later allocation reads zero. */
void memfile_free(struct memfile *mf, uint64_t off, size_t len);

/* Zeroes an allocated range by punching it (MADV_DONTNEED). 0 or -errno. */
int memfile_zero(struct memfile *mf, uint64_t off, size_t len);
/* Copies len bytes between allocated ranges, skipping holes so a sparse
 * source stays sparse (fork copies private memory this way). */
int memfile_copy(struct memfile *mf, uint64_t dst, uint64_t src, size_t len);

/* The harness's pointer to offset off of an allocated range. */
void *memfile_ptr(const struct memfile *mf, uint64_t off);

size_t memfile_committed(const struct memfile *mf);
size_t memfile_limit(const struct memfile *mf);

#endif
