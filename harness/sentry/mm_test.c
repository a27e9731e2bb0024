/*
 * S2 address-space model and S3 fault decisions, with the platform
 * replaced by a recorder of map-file/unmap calls (P21).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "harness/sentry/memfile.h"
#include "harness/sentry/mm.h"
#include "platform/linux_abi.h"
#include "platform/platform.h"

#define P ((uintptr_t)MEMFILE_PAGE)
#define MIN 0x10000ul
#define MAX 0x7fffffff0000ul  /* where the stub page would be (P1) */
#define BASE 0x7f0000000000ul /* mmap base */
#define A 0x10000000ul        /* fixed addresses used by the tests */
#define RW (PROT_READ | PROT_WRITE)
#define PRIV (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED (MAP_SHARED | MAP_ANONYMOUS)

struct rec {
	char log[4096];
	size_t used;
	int map_ret;
	uint64_t last_off;
};

static struct memfile *mf;
static struct mm *mm;
static struct rec rec;
static char listing[4096];

static void prot_str(int prot, char out[4])
{
	out[0] = prot & PROT_READ ? 'r' : '-';
	out[1] = prot & PROT_WRITE ? 'w' : '-';
	out[2] = prot & PROT_EXEC ? 'x' : '-';
	out[3] = '\0';
}

static int rec_map(void *arg, uintptr_t addr, uint64_t off, size_t len, int prot, bool precommit)
{
	struct rec *r = arg;
	char ps[4];
	prot_str(prot, ps);
	r->last_off = off;
	r->used += snprintf(r->log + r->used, sizeof(r->log) - r->used, "map %lx+%zx %s%s;", addr,
			    len, ps, precommit ? " pre" : "");
	return r->map_ret;
}

static int rec_unmap(void *arg, uintptr_t addr, size_t len)
{
	struct rec *r = arg;
	r->used +=
		snprintf(r->log + r->used, sizeof(r->log) - r->used, "unmap %lx+%zx;", addr, len);
	return 0;
}

static const struct mm_ops ops = { rec_map, rec_unmap };
static const struct mm_layout layout = { MIN, MAX, BASE };

static void setup(void)
{
	cr_assert_eq(memfile_new(64u << 20, &mf), 0);
	cr_assert_eq(mm_new(mf, &ops, &rec, &layout, &mm), 0);
}

static void teardown(void)
{
	mm_destroy(mm);
	memfile_destroy(mf);
}

TestSuite(mm, .init = setup, .fini = teardown);

static void clear(void)
{
	rec.used = 0;
	rec.log[0] = '\0';
}

static const char *list(struct mm *m)
{
	mm_format(m, listing, sizeof(listing));
	return listing;
}

static void fixed(uintptr_t addr, size_t len, int prot, int flags)
{
	cr_assert_eq(mm_mmap(mm, addr, len, prot, flags | MAP_FIXED), (long)addr);
}

static void fill(struct mm *m, uintptr_t addr, size_t len, int c)
{
	char buf[8 * 4096];
	cr_assert_leq(len, sizeof(buf));
	memset(buf, c, len);
	cr_assert_eq(mm_poke(m, addr, buf, len), 0);
}

/* Whether every byte of guest [addr, addr + len) is c. */
static bool holds(struct mm *m, uintptr_t addr, size_t len, int c)
{
	char buf[8 * 4096];
	cr_assert_leq(len, sizeof(buf));
	if (mm_copy_in(m, addr, buf, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != (char)c)
			return false;
	return true;
}

/* --- mmap --------------------------------------------------------- */

Test(mm, placement_is_top_down_and_deterministic)
{
	cr_expect_eq(mm_mmap(mm, 0, 3 * P, RW, PRIV), (long)(BASE - 3 * P));
	cr_expect_eq(mm_mmap(mm, 0, 2 * P, RW, PRIV), (long)(BASE - 5 * P));
	cr_expect_eq(mm_munmap(mm, BASE - 3 * P, 3 * P), 0);
	cr_expect_eq(mm_mmap(mm, 0, P, RW, PRIV), (long)(BASE - P),
		     "the highest gap wins, not the last place");
	cr_expect_eq(mm_mmap(mm, 0, 3 * P, RW, PRIV), (long)(BASE - 8 * P),
		     "2 free pages below BASE - P are too small");

	struct rec r2 = { 0 };
	struct mm *other;
	cr_assert_eq(mm_new(mf, &ops, &r2, &layout, &other), 0);
	cr_expect_eq(mm_mmap(other, 0, 3 * P, RW, PRIV), (long)(BASE - 3 * P),
		     "a fresh mm places exactly as the first did");
	mm_destroy(other);
}

Test(mm, hints)
{
	cr_expect_eq(mm_mmap(mm, A + 5, P, RW, PRIV), (long)A,
		     "a free hint is used, rounded down to its page");
	cr_expect_eq(mm_mmap(mm, A, P, RW, PRIV), (long)(BASE - P),
		     "a taken hint falls back to the top-down search");
	cr_expect_eq(mm_mmap(mm, 0x1000, P, RW, PRIV), (long)MIN,
		     "a hint below min_addr is raised to it");
	cr_expect_eq(mm_mmap(mm, MAX - P, 2 * P, RW, PRIV), (long)(BASE - 3 * P),
		     "a hint reaching the stub is ignored");
	long low = mm_mmap(mm, 0, P, RW, PRIV | MAP_32BIT);
	cr_expect(low >= 0x40000000 && low < 0x80000000, "MAP_32BIT: %lx", low);
}

Test(mm, mmap_errors_like_linux)
{
	cr_expect_eq(mm_mmap(mm, 0, 0, RW, PRIV), -EINVAL);
	cr_expect_eq(mm_mmap(mm, A + 1, P, RW, PRIV | MAP_FIXED), -EINVAL);
	cr_expect_eq(mm_mmap(mm, 0x1000, P, RW, PRIV | MAP_FIXED), -EPERM);
	cr_expect_eq(mm_mmap(mm, MAX - P, 2 * P, RW, PRIV | MAP_FIXED), -ENOMEM,
		     "would cover the stub");
	cr_expect_eq(mm_mmap(mm, 0, SIZE_MAX - 5, RW, PRIV), -ENOMEM);
	cr_expect_eq(mm_mmap(mm, 0, 1ul << 50, RW, PRIV), -ENOMEM);
	cr_expect_eq(mm_mmap(mm, 0, P, RW, MAP_PRIVATE), -ENODEV);
	cr_expect_eq(mm_mmap(mm, 0, P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS), -EINVAL);
	cr_expect_eq(mm_mmap(mm, 0, P, RW, SHARED | MAP_GROWSDOWN), -EINVAL,
		     "a shared mapping cannot grow down");
	fixed(A, 2 * P, RW, PRIV);
	cr_expect_eq(mm_mmap(mm, A + P, 2 * P, RW, PRIV | MAP_FIXED_NOREPLACE), -EEXIST);
	cr_expect_eq(mm_mmap(mm, A + 2 * P, P, RW, PRIV | MAP_FIXED_NOREPLACE), (long)(A + 2 * P));
	cr_expect_str_eq(list(mm), "10000000-10003000 rw-p\n",
			 "adjacent private mappings with contiguous backing merge");
}

Test(mm, nothing_reaches_the_stub_until_touched_except_populate)
{
	clear();
	fixed(A, 4 * P, RW, PRIV);
	fixed(A + 8 * P, 2 * P, PROT_READ, SHARED);
	cr_expect_str_eq(rec.log, "");
	fixed(A + 16 * P, 2 * P, RW, PRIV | MAP_POPULATE);
	fixed(A + 32 * P, P, PROT_NONE, PRIV | MAP_POPULATE);
	cr_expect_str_eq(rec.log, "map 10010000+2000 rw- pre;", "PROT_NONE is never populated");
}

Test(mm, map_fixed_replaces_part_of_a_region)
{
	fixed(A, 4 * P, RW, PRIV);
	fill(mm, A, 4 * P, 'a');
	size_t before = memfile_committed(mf);
	clear();
	fixed(A + P, 2 * P, PROT_READ, PRIV);
	cr_expect_str_eq(rec.log, "unmap 10001000+2000;");
	cr_expect_str_eq(list(mm),
			 "10000000-10001000 rw-p\n"
			 "10001000-10003000 r--p\n"
			 "10003000-10004000 rw-p\n");
	cr_expect(holds(mm, A, P, 'a'));
	cr_expect(holds(mm, A + P, 2 * P, 0), "the new mapping is fresh");
	cr_expect(holds(mm, A + 3 * P, P, 'a'));
	cr_expect_eq(memfile_committed(mf), before, "old backing freed");
}

/* --- munmap ------------------------------------------------------- */

Test(mm, munmap_splits_a_region_in_three)
{
	fixed(A, 5 * P, RW, PRIV);
	fill(mm, A, 5 * P, 'm');
	clear();
	cr_expect_eq(mm_munmap(mm, A + 2 * P, P), 0);
	cr_expect_str_eq(rec.log, "unmap 10002000+1000;");
	cr_expect_str_eq(list(mm),
			 "10000000-10002000 rw-p\n"
			 "10003000-10005000 rw-p\n");
	cr_expect_eq(memfile_committed(mf), 4 * P);
	cr_expect(holds(mm, A, 2 * P, 'm'));
	cr_expect(holds(mm, A + 3 * P, 2 * P, 'm'), "backing kept per piece");
	clear();
	cr_expect_eq(mm_munmap(mm, A + 2 * P, P), 0, "a hole is fine");
	cr_expect_str_eq(rec.log, "", "nothing to tell the stub");
	cr_expect_eq(mm_munmap(mm, A - P, 3 * P), 0);
	cr_expect_str_eq(rec.log, "unmap 10000000+2000;");
	cr_expect_eq(mm_munmap(mm, A + 1, P), -EINVAL);
	cr_expect_eq(mm_munmap(mm, A, 0), -EINVAL);
	cr_expect_eq(mm_munmap(mm, LINUX_TASK_SIZE, 2 * P), -EINVAL);
}

/* --- mprotect ----------------------------------------------------- */

Test(mm, mprotect_splits_and_merges)
{
	fixed(A, 4 * P, RW, PRIV);
	clear();
	cr_expect_eq(mm_mprotect(mm, A + P, 2 * P, PROT_READ), 0);
	cr_expect_str_eq(list(mm),
			 "10000000-10001000 rw-p\n"
			 "10001000-10003000 r--p\n"
			 "10003000-10004000 rw-p\n");
	cr_expect_str_eq(rec.log, "unmap 10001000+2000;", "write was lost");
	clear();
	cr_expect_eq(mm_mprotect(mm, A + P, 2 * P, RW), 0);
	cr_expect_str_eq(list(mm), "10000000-10004000 rw-p\n");
	cr_expect_str_eq(rec.log, "", "gained access waits for the fault");
	cr_expect_eq(mm_mprotect(mm, A, 4 * P, RW | PROT_EXEC), 0);
	cr_expect_str_eq(list(mm), "10000000-10004000 rwxp\n");
}

Test(mm, mprotect_errors_and_holes)
{
	fixed(A, 2 * P, RW, PRIV);
	fixed(A + 3 * P, P, RW, PRIV);
	cr_expect_eq(mm_mprotect(mm, A + 1, P, PROT_READ), -EINVAL);
	cr_expect_eq(mm_mprotect(mm, A, P, 0x100), -EINVAL);
	cr_expect_eq(mm_mprotect(mm, A + 2 * P, P, PROT_READ), -ENOMEM);
	cr_expect_eq(mm_mprotect(mm, 0x5000, 0, PROT_READ), 0, "len 0");
	cr_expect_eq(mm_mprotect(mm, A + P, 3 * P, PROT_READ), -ENOMEM);
	cr_expect_str_eq(list(mm),
			 "10000000-10001000 rw-p\n"
			 "10001000-10002000 r--p\n"
			 "10003000-10004000 rw-p\n",
			 "like Linux, the part before the hole was changed");
}

/* --- brk ---------------------------------------------------------- */

Test(mm, brk_up_down_and_below_start)
{
	const uintptr_t S = 0x600000;
	mm_set_brk_start(mm, S);
	cr_expect_eq(mm_brk(mm, 0), S);
	cr_expect_eq(mm_brk(mm, S + 100), S + 100);
	cr_expect_str_eq(list(mm), "600000-601000 rw-p\n");
	cr_expect_eq(mm_brk(mm, S + 3 * P + 1), S + 3 * P + 1);
	cr_expect_str_eq(list(mm), "600000-604000 rw-p\n",
			 "growth continues the backing, so one region");
	fill(mm, S, 4 * P, 'h');
	clear();
	cr_expect_eq(mm_brk(mm, S + P), S + P);
	cr_expect_str_eq(rec.log, "unmap 601000+3000;");
	cr_expect_str_eq(list(mm), "600000-601000 rw-p\n");
	cr_expect_eq(mm_brk(mm, S - 1), S + P, "below start: the old break");
	cr_expect_eq(mm_brk(mm, S + 2 * P), S + 2 * P);
	cr_expect(holds(mm, S + P, P, 0), "regrown heap is zero");
	cr_expect(holds(mm, S, P, 'h'));
}

Test(mm, brk_refuses_to_reach_a_mapping)
{
	const uintptr_t S = 0x600000;
	mm_set_brk_start(mm, S);
	fixed(S + 4 * P, P, PROT_READ, PRIV);
	cr_expect_eq(mm_brk(mm, S + 4 * P), S, "needs a free page after it");
	cr_expect_eq(mm_brk(mm, S + 3 * P), S + 3 * P);
	cr_expect_eq(mm_munmap(mm, S, 3 * P), 0);
	cr_expect_eq(mm_brk(mm, S + P), S + 3 * P,
		     "shrinking over nothing mapped is refused, as Linux");
}

/* --- mremap ------------------------------------------------------- */

Test(mm, mremap_grows_in_place_and_shrinks)
{
	fixed(A, 2 * P, RW, PRIV);
	fill(mm, A, 2 * P, 'g');
	cr_expect_eq(mm_mremap(mm, A, 2 * P, 4 * P, 0, 0), (long)A);
	cr_expect(holds(mm, A, 2 * P, 'g'));
	cr_expect(holds(mm, A + 2 * P, 2 * P, 0));
	cr_expect_str_eq(list(mm), "10000000-10004000 rw-p\n");
	clear();
	cr_expect_eq(mm_mremap(mm, A, 4 * P, P, 0, 0), (long)A);
	cr_expect_str_eq(rec.log, "unmap 10001000+3000;");
	cr_expect_str_eq(list(mm), "10000000-10001000 rw-p\n");
	cr_expect_eq(memfile_committed(mf), P);
	cr_expect(holds(mm, A, P, 'g'));
}

Test(mm, mremap_moves_when_blocked)
{
	fixed(A, 2 * P, RW, PRIV);
	fixed(A + 2 * P, P, PROT_READ, PRIV);
	fill(mm, A, 2 * P, 'v');
	cr_expect_eq(mm_mremap(mm, A, 2 * P, 3 * P, 0, 0), -ENOMEM);
	clear();
	long to = mm_mremap(mm, A, 2 * P, 3 * P, MREMAP_MAYMOVE, 0);
	cr_expect_eq(to, (long)(BASE - 3 * P));
	cr_expect_str_eq(rec.log, "unmap 10000000+2000;");
	cr_expect(holds(mm, (uintptr_t)to, 2 * P, 'v'), "contents travel");
	cr_expect(holds(mm, (uintptr_t)to + 2 * P, P, 0));
	cr_expect_eq(mm_copy_in(mm, A, listing, 1), -EFAULT, "old range gone");
	/* Two regions: the moved bytes keep their backing, the new page
	 * could not continue it (the r-- page owns the next file page). */
	cr_expect_str_eq(list(mm),
			 "10002000-10003000 r--p\n"
			 "7effffffd000-7efffffff000 rw-p\n"
			 "7efffffff000-7f0000000000 rw-p\n");
}

Test(mm, mremap_fixed_replaces_the_target)
{
	fixed(A, 2 * P, RW, PRIV);
	fill(mm, A, 2 * P, 'f');
	fixed(A + 16 * P, 4 * P, PROT_READ, PRIV);
	clear();
	uintptr_t to = A + 17 * P;
	cr_expect_eq(mm_mremap(mm, A, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, to), (long)to);
	cr_expect_str_eq(rec.log, "unmap 10011000+2000;unmap 10000000+2000;");
	cr_expect(holds(mm, to, 2 * P, 'f'));
	cr_expect_str_eq(list(mm),
			 "10010000-10011000 r--p\n"
			 "10011000-10013000 rw-p\n"
			 "10013000-10014000 r--p\n");
	cr_expect_eq(mm_mremap(mm, to, 2 * P, 2 * P, MREMAP_FIXED, A), -EINVAL,
		     "FIXED needs MAYMOVE");
	cr_expect_eq(mm_mremap(mm, to, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, to + P),
		     -EINVAL, "overlap");
	cr_expect_eq(mm_mremap(mm, to, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, A + 1),
		     -EINVAL);
}

Test(mm, mremap_errors_like_linux)
{
	fixed(A, 2 * P, RW, PRIV);
	fixed(A + 2 * P, P, PROT_READ, PRIV);
	cr_expect_eq(mm_mremap(mm, A + 8 * P, P, 2 * P, MREMAP_MAYMOVE, 0), -EFAULT);
	cr_expect_eq(mm_mremap(mm, A, 3 * P, 4 * P, MREMAP_MAYMOVE, 0), -EFAULT,
		     "spans two mappings");
	cr_expect_eq(mm_mremap(mm, A, 0, P, MREMAP_MAYMOVE, 0), -EINVAL,
		     "duplicating a private mapping");
	cr_expect_eq(mm_mremap(mm, A + 1, P, 2 * P, MREMAP_MAYMOVE, 0), -EINVAL);
	cr_expect_eq(mm_mremap(mm, A, P, 0, MREMAP_MAYMOVE, 0), -EINVAL);
	cr_expect_eq(mm_mremap(mm, A, P, P, 0x80, 0), -EINVAL);
	/* Linux looks the mapping up first since 5.16: a shrink or a
	 * same-size call on nothing is EFAULT, not a success. */
	cr_expect_eq(mm_mremap(mm, A + 8 * P, 2 * P, P, 0, 0), -EFAULT, "shrinking nothing");
	cr_expect_eq(mm_mremap(mm, A + 8 * P, P, P, 0, 0), -EFAULT);
	cr_expect_eq(mm_mremap(mm, A + 8 * P, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, A + 16 * P),
		     -EFAULT, "moving nothing");
	cr_expect_eq(mm_mremap(mm, A, 2 * P, P, 0, 0), (long)A, "a real shrink");
}

Test(mm, mremap_dontunmap_leaves_the_old_range_empty)
{
	fixed(A, 2 * P, RW, PRIV);
	fill(mm, A, 2 * P, 'd');
	cr_expect_eq(mm_mremap(mm, A, 2 * P, 2 * P, MREMAP_DONTUNMAP, 0), -EINVAL,
		     "DONTUNMAP needs MAYMOVE");
	cr_expect_eq(mm_mremap(mm, A, 2 * P, 3 * P, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0), -EINVAL,
		     "DONTUNMAP cannot resize");
	cr_expect_eq(mm_mremap(mm, A, 2 * P, 2 * P, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, A + P),
		     -EINVAL, "even a hint must not overlap");
	clear();
	long to = mm_mremap(mm, A, 2 * P, 2 * P, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0);
	cr_expect_eq(to, (long)(BASE - 2 * P));
	cr_expect_str_eq(rec.log, "unmap 10000000+2000;", "the old pages leave the stub");
	cr_expect(holds(mm, (uintptr_t)to, 2 * P, 'd'), "contents travel");
	cr_expect(holds(mm, A, 2 * P, 0), "the old range stays mapped, zeroed");
	cr_expect_str_eq(list(mm),
			 "10000000-10002000 rw-p\n"
			 "7effffffe000-7f0000000000 rw-p\n");
	cr_expect_eq(memfile_committed(mf), 4 * P, "new backing for the old range");
	fill(mm, A, P, 'n');
	cr_expect(holds(mm, (uintptr_t)to, P, 'd'), "the two ranges are apart");
	/* With MREMAP_FIXED the target is replaced, as for a plain move. */
	long to2 =
		mm_mremap(mm, A, P, P, MREMAP_DONTUNMAP | MREMAP_MAYMOVE | MREMAP_FIXED, A + 8 * P);
	cr_expect_eq(to2, (long)(A + 8 * P));
	cr_expect(holds(mm, A + 8 * P, P, 'n'));
	cr_expect(holds(mm, A, P, 0));
}

Test(mm, mremap_dontunmap_of_shared_memory_keeps_the_object)
{
	fixed(A, P, RW, SHARED);
	fill(mm, A, P, 's');
	long to = mm_mremap(mm, A, P, P, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, A + 4 * P);
	cr_expect_eq(to, (long)(A + 4 * P), "a free hint is honoured");
	cr_expect(holds(mm, A, P, 's'), "the old range still maps the object");
	fill(mm, (uintptr_t)to, 1, 'S');
	cr_expect(holds(mm, A, 1, 'S'), "both ranges share it");
	cr_expect_str_eq(list(mm),
			 "10000000-10001000 rw-s\n"
			 "10004000-10005000 rw-s\n");
	cr_expect_eq(mm_munmap(mm, (uintptr_t)to, P), 0);
	cr_expect(holds(mm, A, 1, 'S'), "the object lives while one range maps it");
}

Test(mm, shared_mremap_past_its_object_gives_sigbus)
{
	fixed(A, 3 * P, RW, SHARED);
	fill(mm, A, 3 * P, 's');
	cr_expect_eq(mm_mremap(mm, A, 3 * P, P, 0, 0), (long)A);
	cr_expect_eq(mm_mremap(mm, A, P, 4 * P, 0, 0), (long)A);
	cr_expect(holds(mm, A, 3 * P, 's'), "the object kept its pages");
	cr_expect_str_eq(list(mm),
			 "10000000-10003000 rw-s\n"
			 "10003000-10004000 rw-s nobacking\n");
	struct fault_action fa;
	cr_expect_eq(mm_fault(mm, A + 3 * P, PLAT_ACCESS_READ, &fa), 0);
	cr_expect_eq(fa.signo, SIGBUS);
	cr_expect_eq(fa.code, BUS_ADRERR);
	cr_expect_eq(fa.addr, A + 3 * P);
	cr_expect_eq(mm_copy_in(mm, A + 3 * P - 1, listing, 2), -EFAULT);
	long dup = mm_mremap(mm, A + P, 0, 3 * P, MREMAP_MAYMOVE, 0);
	cr_expect_eq(dup, (long)(BASE - 3 * P), "old_len 0 duplicates");
	cr_expect(holds(mm, (uintptr_t)dup, 2 * P, 's'));
	fill(mm, (uintptr_t)dup, 1, 'D');
	cr_expect(holds(mm, A + P, 1, 'D'), "the duplicate shares the object");
}

/* --- madvise ------------------------------------------------------ */

Test(mm, madvise_dontneed_zeroes_private_memory)
{
	fixed(A, 3 * P, RW, PRIV);
	fixed(A + 3 * P, P, RW, SHARED);
	fill(mm, A, 4 * P, 'd');
	clear();
	cr_expect_eq(mm_madvise(mm, A + P, 3 * P, MADV_DONTNEED), 0);
	cr_expect_str_eq(rec.log, "unmap 10001000+3000;", "next touch refaults");
	cr_expect(holds(mm, A, P, 'd'));
	cr_expect(holds(mm, A + P, 2 * P, 0));
	cr_expect(holds(mm, A + 3 * P, P, 'd'), "shared pages keep their bytes");
	cr_expect_eq(mm_madvise(mm, A, 6 * P, MADV_DONTNEED), -ENOMEM);
	cr_expect(holds(mm, A, P, 0), "applied before reporting the hole");
	cr_expect_eq(mm_madvise(mm, A, P, 12345), -EINVAL);
	cr_expect_eq(mm_madvise(mm, A + 1, P, MADV_DONTNEED), -EINVAL);
	cr_expect_eq(mm_madvise(mm, A, 0, MADV_DONTNEED), 0);
	cr_expect_eq(mm_madvise(mm, A, P, MADV_WILLNEED), 0);
}

/* --- guest memory access ------------------------------------------ */

Test(mm, copy_in_out_at_region_boundaries)
{
	fixed(A, 2 * P, RW, PRIV);
	char buf[16] = "0123456789abcde";
	cr_expect_eq(mm_copy_out(mm, A + 2 * P - 16, buf, 16), 0, "ends at end");
	cr_expect_eq(mm_copy_out(mm, A + 2 * P - 8, buf, 16), -EFAULT);
	char back[16];
	cr_expect_eq(mm_copy_in(mm, A + 2 * P - 16, back, 16), 0);
	cr_expect_str_eq(back, "0123456789abcde");
	cr_expect(holds(mm, A + 2 * P - 8, 1, '8'), "the failed copy wrote nothing");
	cr_expect_eq(mm_copy_in(mm, A - 1, back, 2), -EFAULT, "starts before");
	cr_expect_eq(mm_copy_in(mm, 0, back, 1), -EFAULT);
	cr_expect_eq(mm_copy_in(mm, 0, back, 0), 0, "nothing to copy");
	cr_expect_eq(mm_copy_in(mm, UINTPTR_MAX - 3, back, 8), -EFAULT);
}

Test(mm, copy_across_two_regions_respects_both)
{
	fixed(A, P, RW, PRIV);
	fixed(A + P, P, RW, SHARED);
	char buf[32] = "spans the boundary", back[32];
	cr_expect_eq(mm_copy_out(mm, A + P - 5, buf, sizeof(buf)), 0);
	cr_expect_eq(mm_copy_in(mm, A + P - 5, back, sizeof(back)), 0);
	cr_expect_str_eq(back, "spans the boundary");
	cr_expect_eq(mm_mprotect(mm, A + P, P, PROT_READ), 0);
	cr_expect_eq(mm_copy_out(mm, A + P - 5, buf, sizeof(buf)), -EFAULT);
	cr_expect_eq(mm_copy_in(mm, A + P - 5, back, sizeof(back)), 0);
	cr_expect_eq(mm_mprotect(mm, A + P, P, PROT_NONE), 0);
	cr_expect_eq(mm_copy_in(mm, A + P - 5, back, sizeof(back)), -EFAULT);
	cr_expect_eq(mm_mprotect(mm, A + P, P, PROT_WRITE), 0);
	cr_expect_eq(mm_copy_in(mm, A + P - 5, back, sizeof(back)), 0, "x86: write implies read");
	cr_expect_eq(mm_poke(mm, A + P, "x", 1), 0);
	cr_expect_eq(mm_mprotect(mm, A, 2 * P, PROT_READ), 0);
	cr_expect_eq(mm_poke(mm, A + P, "y", 1), 0, "poke ignores prot");
	cr_expect_eq(mm_copy_in(mm, A + P, back, 1), 0);
	cr_expect_eq(back[0], 'y');
	cr_expect_eq(mm_poke(mm, A + 2 * P, "z", 1), -EFAULT);
}

Test(mm, strncpy_in)
{
	fixed(A, P, RW, PRIV);
	fixed(A + P, P, PROT_READ, PRIV);
	cr_assert_eq(mm_poke(mm, A + P - 3, "abcdef", 7), 0);
	char out[16];
	memset(out, 'X', sizeof(out));
	cr_expect_eq(mm_strncpy_in(mm, A + P - 3, out, sizeof(out)), 6);
	cr_expect_str_eq(out, "abcdef", "across two regions, NUL included");
	memset(out, 'X', sizeof(out));
	cr_expect_eq(mm_strncpy_in(mm, A + P - 3, out, 4), 4, "no NUL in size");
	cr_expect_eq(memcmp(out, "abcdX", 5), 0);
	cr_assert_eq(mm_poke(mm, A + 2 * P - 2, "zz", 2), 0);
	cr_expect_eq(mm_strncpy_in(mm, A + 2 * P - 2, out, sizeof(out)), -EFAULT,
		     "runs off the mapping before a NUL");
	cr_expect_eq(mm_strncpy_in(mm, A + 2 * P - 2, out, 2), 2);
	cr_expect_eq(mm_strncpy_in(mm, 0, out, sizeof(out)), -EFAULT);
}

/* --- faults (S3) -------------------------------------------------- */

#define R_ PLAT_ACCESS_READ
#define W_ (PLAT_ACCESS_READ | PLAT_ACCESS_WRITE)
#define X_ (PLAT_ACCESS_READ | PLAT_ACCESS_EXEC)

struct fault_case {
	int prot;
	unsigned access;
	const char *priv;   /* prot mapped for a private region, or "ACCERR" */
	const char *shared; /* the same for a shared region */
};

/* P17 reports every fault as a read, plus exec when rip is the address,
 * plus write on the repeat; x86 makes write and exec imply read. */
static const struct fault_case fault_cases[] = {
	{ PROT_NONE, R_, "ACCERR", "ACCERR" },
	{ PROT_NONE, W_, "ACCERR", "ACCERR" },
	{ PROT_NONE, X_, "ACCERR", "ACCERR" },
	{ PROT_READ, R_, "r--", "r--" },
	{ PROT_READ, W_, "ACCERR", "ACCERR" },
	{ PROT_READ, X_, "ACCERR", "ACCERR" },
	{ PROT_WRITE, R_, "r--", "rw-" },
	{ PROT_WRITE, W_, "rw-", "rw-" },
	{ PROT_WRITE, X_, "ACCERR", "ACCERR" },
	{ PROT_EXEC, R_, "r-x", "r-x" },
	{ PROT_EXEC, W_, "ACCERR", "ACCERR" },
	{ PROT_EXEC, X_, "r-x", "r-x" },
	{ RW, R_, "r--", "rw-" },
	{ RW, W_, "rw-", "rw-" },
	{ RW, X_, "ACCERR", "ACCERR" },
	{ PROT_READ | PROT_EXEC, R_, "r-x", "r-x" },
	{ PROT_READ | PROT_EXEC, W_, "ACCERR", "ACCERR" },
	{ PROT_READ | PROT_EXEC, X_, "r-x", "r-x" },
	{ PROT_WRITE | PROT_EXEC, R_, "r-x", "rwx" },
	{ PROT_WRITE | PROT_EXEC, W_, "rwx", "rwx" },
	{ PROT_WRITE | PROT_EXEC, X_, "r-x", "rwx" },
	{ RW | PROT_EXEC, R_, "r-x", "rwx" },
	{ RW | PROT_EXEC, W_, "rwx", "rwx" },
	{ RW | PROT_EXEC, X_, "r-x", "rwx" },
};

static void fault_outcome(uintptr_t addr, unsigned access, char out[8])
{
	struct fault_action fa;
	cr_assert_eq(mm_fault(mm, addr, access, &fa), 0);
	if (fa.signo) {
		cr_assert_eq(fa.signo, SIGSEGV);
		cr_assert_eq(fa.addr, addr, "si_addr is the fault address");
		strcpy(out, fa.code == SEGV_ACCERR ? "ACCERR" : "other");
	} else {
		prot_str(fa.prot, out);
	}
}

Test(mm, fault_decisions_for_every_prot_and_access)
{
	fixed(A, P, RW, PRIV);
	fixed(A + P, P, RW, SHARED);
	for (size_t i = 0; i < sizeof(fault_cases) / sizeof(fault_cases[0]); i++) {
		const struct fault_case *c = &fault_cases[i];
		char got[8];
		cr_assert_eq(mm_mprotect(mm, A, 2 * P, c->prot), 0);
		fault_outcome(A + 8, c->access, got);
		cr_expect_str_eq(got, c->priv, "private prot %d access %u", c->prot, c->access);
		fault_outcome(A + P + 8, c->access, got);
		cr_expect_str_eq(got, c->shared, "shared prot %d access %u", c->prot, c->access);
	}
}

Test(mm, fault_two_step_and_chunk)
{
	/* 40 pages from a 64 KiB boundary + 4 pages: chunks get clipped. */
	uintptr_t start = A + 4 * P;
	fixed(start, 40 * P, RW, PRIV);
	clear();
	struct fault_action fa;
	cr_expect_eq(mm_fault(mm, start + 5, R_, &fa), 0);
	cr_expect_str_eq(rec.log, "map 10004000+c000 r--;",
			 "read first: the chunk clipped to the region, no write");
	uint64_t off = rec.last_off;
	cr_expect_eq(mm_fault(mm, start + 5, W_, &fa), 0);
	cr_expect_str_eq(rec.log, "map 10004000+c000 r--;map 10004000+c000 rw-;",
			 "the repeat reported as a write maps it writable");
	cr_expect_eq(rec.last_off, off, "same backing both times");
	clear();
	cr_expect_eq(mm_fault(mm, A + 0x1a123, R_, &fa), 0);
	cr_expect_str_eq(rec.log, "map 10010000+10000 r--;", "a whole chunk");
	cr_expect_eq(rec.last_off, off + 0xc000, "backing follows the address");
	clear();
	cr_expect_eq(mm_fault(mm, start + 40 * P - 1, W_, &fa), 0);
	cr_expect_str_eq(rec.log, "map 10020000+c000 rw-;");
	cr_expect_eq(fa.addr, A + 0x20000);
	cr_expect_eq(fa.len, 0xc000u);
	cr_expect_eq(fa.prot, RW);
}

Test(mm, fault_maperr_and_map_errors)
{
	struct fault_action fa;
	fixed(A, P, RW, PRIV);
	cr_expect_eq(mm_fault(mm, A + P, R_, &fa), 0);
	cr_expect_eq(fa.signo, SIGSEGV);
	cr_expect_eq(fa.code, SEGV_MAPERR);
	cr_expect_eq(mm_fault(mm, 0, X_, &fa), 0);
	cr_expect_eq(fa.code, SEGV_MAPERR);
	cr_expect_eq(mm_munmap(mm, A, P), 0);
	cr_expect_eq(mm_fault(mm, A, R_, &fa), 0);
	cr_expect_eq(fa.code, SEGV_MAPERR, "after munmap");
	fixed(A, P, RW, PRIV);
	rec.map_ret = -PLAT_ESTUBDEAD;
	cr_expect_eq(mm_fault(mm, A, R_, &fa), -PLAT_ESTUBDEAD);
	rec.map_ret = 0;
}

/* --- limits, fork, teardown --------------------------------------- */

Test(mm, committed_limit_gives_enomem)
{
	struct memfile *small;
	struct mm *m;
	cr_assert_eq(memfile_new(8 * P, &small), 0);
	cr_assert_eq(mm_new(small, &ops, &rec, &layout, &m), 0);
	cr_expect_eq(mm_mmap(m, A, 6 * P, RW, PRIV | MAP_FIXED), (long)A);
	cr_expect_eq(mm_mmap(m, 0, 3 * P, RW, PRIV), -ENOMEM);
	cr_expect_eq(mm_mremap(m, A, 6 * P, 9 * P, MREMAP_MAYMOVE, 0), -ENOMEM);
	cr_expect_str_eq(list(m), "10000000-10006000 rw-p\n", "unchanged");
	mm_set_brk_start(m, 0x600000);
	cr_expect_eq(mm_brk(m, 0x600000 + 3 * P), 0x600000u, "brk refused");
	struct mm *child;
	cr_expect_eq(mm_clone(m, &rec, &child), -ENOMEM);
	cr_expect_eq(memfile_committed(small), 6 * P, "the failed fork leaked nothing");
	cr_expect_eq(mm_munmap(m, A, 3 * P), 0);
	cr_expect_eq(mm_mmap(m, 0, 3 * P, RW, PRIV), (long)(BASE - 3 * P));
	mm_destroy(m);
	cr_expect_eq(memfile_committed(small), 0, "destroy frees all backing");
	memfile_destroy(small);
}

Test(mm, clone_copies_private_and_shares_shared)
{
	fixed(A, 2 * P, RW, PRIV);
	fixed(A + 4 * P, P, RW, SHARED);
	fill(mm, A, 2 * P, 'p');
	fill(mm, A + 4 * P, P, 's');
	mm_set_brk_start(mm, 0x600000);
	mm_brk(mm, 0x600000 + P);
	struct rec crec = { 0 };
	struct mm *child;
	cr_assert_eq(mm_clone(mm, &crec, &child), 0);
	char parent_list[512];
	mm_format(mm, parent_list, sizeof(parent_list));
	cr_expect_str_eq(list(child), parent_list);
	cr_expect_eq(mm_brk(child, 0), 0x600000 + P);

	fill(child, A, P, 'C');
	cr_expect(holds(mm, A, P, 'p'), "parent's private memory untouched");
	cr_expect(holds(child, A + P, P, 'p'), "child got a copy");
	fill(child, A + 4 * P, 1, 'S');
	cr_expect(holds(mm, A + 4 * P, 1, 'S'), "shared memory is shared");

	struct fault_action fa;
	cr_expect_eq(mm_fault(child, A, R_, &fa), 0);
	cr_expect_str_eq(crec.log, "map 10000000+2000 r--;",
			 "the child's callbacks get the child's arg");
	mm_destroy(mm);
	mm = NULL;
	cr_expect(holds(child, A + 4 * P, 1, 'S'), "the object outlives a holder");
	mm_destroy(child);
	cr_expect_eq(memfile_committed(mf), 0);
}

/* --- total (RLIMIT_AS, limits.c) ---------------------------------- */

/* The sum of the region lengths in the listing. */
static size_t listed_bytes(struct mm *m)
{
	size_t sum = 0;
	for (const char *s = list(m); *s; s = strchr(s, '\n') + 1) {
		unsigned long lo, hi;
		cr_assert_eq(sscanf(s, "%lx-%lx", &lo, &hi), 2, "%s", s);
		sum += hi - lo;
		if (!strchr(s, '\n'))
			break;
	}
	return sum;
}

Test(mm, total_follows_every_change)
{
	uintptr_t a = 0x100000;
	fixed(a, 8 * P, RW, PRIV);
	fixed(a + 16 * P, 4 * P, PROT_NONE, PRIV | MAP_NORESERVE);
	cr_expect_eq(mm_total(mm), 12 * P);
	fixed(a + 2 * P, 4 * P, PROT_READ, PRIV); /* over part of the first */
	cr_expect_eq(mm_total(mm), 12 * P);
	cr_expect_eq(mm_munmap(mm, a + 3 * P, 2 * P), 0);
	cr_expect_eq(mm_total(mm), 10 * P);
	cr_expect_eq(mm_mremap(mm, a + 16 * P, 4 * P, 6 * P, 0, 0), (long)(a + 16 * P));
	cr_expect_eq(mm_total(mm), 12 * P);
	long moved = mm_mremap(mm, a, P, 3 * P, MREMAP_MAYMOVE, 0);
	cr_expect(moved > 0);
	cr_expect_eq(mm_total(mm), 14 * P);
	mm_set_brk_start(mm, 0x200000);
	cr_expect_eq(mm_brk(mm, 0x200000 + 5 * P), 0x200000 + 5 * P);
	cr_expect_eq(mm_total(mm), 19 * P);
	cr_expect_eq(mm_brk(mm, 0x200000 + P), 0x200000 + P);
	cr_expect_eq(mm_total(mm), 15 * P);
	cr_expect_eq(mm_total(mm), listed_bytes(mm));
	struct mm *child;
	cr_assert_eq(mm_clone(mm, &rec, &child), 0);
	cr_expect_eq(mm_total(child), 15 * P);
	mm_destroy(child);
}
