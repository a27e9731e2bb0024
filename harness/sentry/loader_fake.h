/* Guest memory for the loader's tests and fuzz target: a sparse map of
 * pages behind struct load_ops. Pages are allocated on first write, so an
 * 8 MiB stack or a huge bss costs nothing; unwritten pages read as zero,
 * as the map contract promises.
 *
 * It also enforces that contract: a map that is unaligned, empty or
 * overlapping, or a write outside one mapped region, is a loader bug and
 * aborts, so the fuzzer and Criterion report it as a crash. */
#ifndef HARNESS_SENTRY_LOADER_FAKE_H
#define HARNESS_SENTRY_LOADER_FAKE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/sentry/loader.h"

struct fake_page {
	uint64_t addr;
	uint8_t bytes[LOAD_PAGE_SIZE];
};

struct fake_mem {
	struct load_region regions[LOAD_MAX_REGIONS];
	size_t nregions;
	struct fake_page **pages;
	size_t npages;
	int fail_map, fail_write; /* when non-zero, returned by map or write */
};

static inline void fake_bug(const char *what, uint64_t addr, uint64_t len)
{
	fprintf(stderr, "loader broke the load_ops contract: %s 0x%llx+0x%llx\n", what,
		(unsigned long long)addr, (unsigned long long)len);
	abort();
}

static inline const struct load_region *fake_region_at(const struct fake_mem *m, uint64_t addr)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (addr - m->regions[i].start < m->regions[i].len)
			return &m->regions[i];
	return NULL;
}

static inline int fake_map(void *arg, uint64_t addr, uint64_t len, int prot)
{
	struct fake_mem *m = arg;

	if (m->fail_map)
		return m->fail_map;
	if (len == 0 || (addr | len) % LOAD_PAGE_SIZE || addr + len < addr || (prot & ~7) ||
	    m->nregions == LOAD_MAX_REGIONS)
		fake_bug("bad map", addr, len);
	for (size_t i = 0; i < m->nregions; i++)
		if (addr < m->regions[i].start + m->regions[i].len &&
		    m->regions[i].start < addr + len)
			fake_bug("overlapping map", addr, len);
	m->regions[m->nregions++] = (struct load_region){ addr, len, prot };
	return 0;
}

static inline struct fake_page *fake_page_at(const struct fake_mem *m, uint64_t page)
{
	for (size_t i = 0; i < m->npages; i++)
		if (m->pages[i]->addr == page)
			return m->pages[i];
	return NULL;
}

static inline struct fake_page *fake_page_new(struct fake_mem *m, uint64_t page)
{
	struct fake_page *p = calloc(1, sizeof(*p));
	struct fake_page **grown = realloc(m->pages, (m->npages + 1) * sizeof(*grown));

	if (!p || !grown)
		abort();
	p->addr = page;
	m->pages = grown;
	m->pages[m->npages++] = p;
	return p;
}

static inline int fake_write(void *arg, uint64_t addr, const void *src, size_t len)
{
	struct fake_mem *m = arg;
	const struct load_region *r = fake_region_at(m, addr);
	const uint8_t *s = src;

	if (m->fail_write)
		return m->fail_write;
	if (!r || len > r->start + r->len - addr)
		fake_bug("write outside a region", addr, len);
	while (len) {
		uint64_t page = addr & ~(LOAD_PAGE_SIZE - 1), off = addr - page;
		size_t n = len < LOAD_PAGE_SIZE - off ? len : LOAD_PAGE_SIZE - off;
		struct fake_page *p = fake_page_at(m, page);

		memcpy((p ? p : fake_page_new(m, page))->bytes + off, s, n);
		addr += n, s += n, len -= n;
	}
	return 0;
}

/* Reads guest memory; false if any byte is not mapped. */
static inline bool fake_read(const struct fake_mem *m, uint64_t addr, void *dst, size_t len)
{
	uint8_t *d = dst;

	while (len) {
		uint64_t page = addr & ~(LOAD_PAGE_SIZE - 1), off = addr - page;
		size_t n = len < LOAD_PAGE_SIZE - off ? len : LOAD_PAGE_SIZE - off;
		const struct fake_page *p = fake_page_at(m, page);

		if (!fake_region_at(m, addr))
			return false;
		if (p)
			memcpy(d, p->bytes + off, n);
		else
			memset(d, 0, n);
		addr += n, d += n, len -= n;
	}
	return true;
}

static inline struct load_ops fake_ops(struct fake_mem *m)
{
	return (struct load_ops){ .arg = m, .map = fake_map, .write = fake_write };
}

static inline void fake_free(struct fake_mem *m)
{
	for (size_t i = 0; i < m->npages; i++)
		free(m->pages[i]);
	free(m->pages);
	memset(m, 0, sizeof(*m));
}

#endif
