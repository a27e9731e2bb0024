/* S1 memory file: allocator, growth, limit, punching, copying. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "harness/sentry/memfile.h"

#define P ((size_t)MEMFILE_PAGE)

static struct memfile *mf;

static void setup(void)
{
	cr_assert_eq(memfile_new(64u << 20, &mf), 0);
}

static void teardown(void)
{
	memfile_destroy(mf);
}

TestSuite(memfile, .init = setup, .fini = teardown);

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < len; i++)
		if (c[i])
			return false;
	return true;
}

Test(memfile, alloc_is_sequential_zeroed_and_checked)
{
	cr_expect_eq(memfile_alloc(mf, P), 0);
	cr_expect_eq(memfile_alloc(mf, 3 * P), (int64_t)P);
	cr_expect_eq(memfile_alloc(mf, P), (int64_t)(4 * P));
	cr_expect(all_zero(memfile_ptr(mf, 0), 5 * P));
	cr_expect_eq(memfile_committed(mf), 5 * P);
	cr_expect_eq(memfile_alloc(mf, 0), -EINVAL);
	cr_expect_eq(memfile_alloc(mf, 100), -EINVAL);
}

Test(memfile, host_pointers_stay_valid_as_the_file_grows)
{
	int64_t first = memfile_alloc(mf, P);
	char *p = memfile_ptr(mf, (uint64_t)first);
	strcpy(p, "stable");
	/* Far more than one growth step (2 MiB). */
	int64_t big = memfile_alloc(mf, 16u << 20);
	cr_assert_geq(big, 0);
	char *q = memfile_ptr(mf, (uint64_t)big + (16u << 20) - 1);
	*q = 'z'; /* the new tail is mapped in the harness */
	cr_expect_eq(memfile_ptr(mf, (uint64_t)first), p);
	cr_expect_str_eq(p, "stable");
	char c;
	cr_expect_eq(pread(memfile_fd(mf), &c, 1, big + (16 << 20) - 1), 1);
	cr_expect_eq(c, 'z', "the harness mapping is the memfd itself");
}

Test(memfile, freed_pages_are_reused_and_read_zero)
{
	int64_t a = memfile_alloc(mf, 2 * P);
	int64_t b = memfile_alloc(mf, P);
	memset(memfile_ptr(mf, (uint64_t)a), 0xab, 2 * P);
	memfile_free(mf, (uint64_t)a, 2 * P);
	cr_expect_eq(memfile_committed(mf), P);
	int64_t c = memfile_alloc(mf, P);
	cr_expect_eq(c, a, "first fit reuses the freed range");
	cr_expect(all_zero(memfile_ptr(mf, (uint64_t)c), P));
	cr_expect_eq(memfile_alloc(mf, 2 * P), b + (int64_t)P,
		     "a range too small for 2 pages is skipped");
}

Test(memfile, partial_free_and_coalescing)
{
	int64_t a = memfile_alloc(mf, 4 * P);
	memfile_alloc(mf, P); /* keeps the 4 pages away from the end */
	memfile_free(mf, (uint64_t)a + 2 * P, P);
	memfile_free(mf, (uint64_t)a, P);
	memfile_free(mf, (uint64_t)a + P, P);
	/* Three pages freed out of order coalesce into one extent. */
	cr_expect_eq(memfile_alloc(mf, 3 * P), a);
	cr_expect_eq(memfile_committed(mf), 5 * P);
}

Test(memfile, freeing_the_tail_lowers_the_end)
{
	int64_t a = memfile_alloc(mf, P);
	int64_t b = memfile_alloc(mf, P);
	int64_t c = memfile_alloc(mf, P);
	memfile_free(mf, (uint64_t)b, P);
	memfile_free(mf, (uint64_t)c, P);
	cr_expect_eq(memfile_alloc(mf, 4 * P), a + (int64_t)P,
		     "b and c fold into the end, so 4 pages fit right after a");
}

Test(memfile, committed_limit)
{
	struct memfile *small;
	cr_assert_eq(memfile_new(4 * P, &small), 0);
	cr_expect_eq(memfile_limit(small), 4 * P);
	int64_t a = memfile_alloc(small, 3 * P);
	cr_expect_geq(a, 0);
	cr_expect_eq(memfile_alloc(small, 2 * P), -ENOMEM);
	cr_expect_eq(memfile_alloc_at(small, 8 * P, 2 * P), -ENOMEM);
	cr_expect_geq(memfile_alloc(small, P), 0);
	cr_expect_eq(memfile_alloc(small, P), -ENOMEM);
	memfile_free(small, (uint64_t)a, 3 * P);
	cr_expect_geq(memfile_alloc(small, 3 * P), 0, "freeing gives room back");
	memfile_destroy(small);
}

Test(memfile, alloc_at_claims_only_free_ranges)
{
	int64_t a = memfile_alloc(mf, 4 * P);
	memfile_alloc(mf, P);
	cr_expect_eq(memfile_alloc_at(mf, (uint64_t)a + P, P), -EBUSY);
	memfile_free(mf, (uint64_t)a + P, 2 * P);
	cr_expect_eq(memfile_alloc_at(mf, (uint64_t)a + P, 3 * P), -EBUSY,
		     "runs into an allocated page");
	cr_expect_eq(memfile_alloc_at(mf, (uint64_t)a + 2 * P, P), 0, "the tail of a free extent");
	cr_expect_eq(memfile_alloc_at(mf, (uint64_t)a + P, P), 0, "the head of a free extent");
	cr_expect_eq(memfile_alloc_at(mf, 100 * P, P), 0, "past the end");
	cr_expect_eq(memfile_alloc(mf, 2 * P), 5 * (int64_t)P,
		     "the gap left before a claim past the end stays free");
	cr_expect_eq(memfile_alloc_at(mf, 3, P), -EINVAL);
}

Test(memfile, zero_punches_a_range)
{
	int64_t a = memfile_alloc(mf, 3 * P);
	char *p = memfile_ptr(mf, (uint64_t)a);
	memset(p, 1, 3 * P);
	cr_expect_eq(memfile_zero(mf, (uint64_t)a + P, P), 0);
	cr_expect(all_zero(p + P, P));
	cr_expect_eq(p[0], 1);
	cr_expect_eq(p[2 * P], 1);
}

Test(memfile, copy_moves_data_and_keeps_holes)
{
	int64_t src = memfile_alloc(mf, 8 * P);
	int64_t dst = memfile_alloc(mf, 8 * P);
	char *s = memfile_ptr(mf, (uint64_t)src), *d = memfile_ptr(mf, (uint64_t)dst);
	strcpy(s + 1 * P + 5, "one");
	strcpy(s + 6 * P, "six");
	cr_assert_eq(memfile_copy(mf, (uint64_t)dst, (uint64_t)src, 8 * P), 0);
	cr_expect_str_eq(d + 1 * P + 5, "one");
	cr_expect_str_eq(d + 6 * P, "six");
	/* Before reading them: a read through the mapping fills a hole. */
	off_t data = lseek(memfile_fd(mf), dst + 2 * (off_t)P, SEEK_DATA);
	cr_expect_eq(data, dst + 6 * (off_t)P, "pages 2..5 of dst stay holes");
	cr_expect(all_zero(d + 2 * P, 4 * P));
}
