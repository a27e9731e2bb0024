/* The filesystem view's set-up refusals: one line naming the directory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/sentry/fs/view.h"
#include "harness/sentry/sentry.h"

static int open_view(const char *root, const char *rw, char *err, size_t errlen)
{
	const char *rws[1] = { rw };
	struct sentry_fs cfg = { root, rws, rw ? 1 : 0, NULL };
	struct fs_view v;
	int rc = fs_view_open(&v, &cfg, err, errlen);
	fs_view_close(&v);
	return rc;
}

Test(fs_view, a_writable_tree_outside_the_root_is_refused)
{
	char err[256] = "";
	char root[] = "/tmp/view-test-XXXXXX";
	cr_assert_not_null(mkdtemp(root));
	cr_expect_eq(open_view(root, "/tmp", err, sizeof(err)), -1);
	cr_expect(strstr(err, "/tmp: a writable tree must lie inside the root"), "%s", err);
	rmdir(root);
}

/* The guest sees the sentry's /dev and /proc: a writable tree there (a
 * TMPDIR of /dev/shm) would be unreachable, so it is refused up front. */
Test(fs_view, a_writable_tree_under_dev_or_proc_is_refused)
{
	char err[256] = "";
	cr_expect_eq(open_view("/", "/dev/shm", err, sizeof(err)), -1);
	cr_expect(strstr(err, "/dev/shm: a writable tree under /dev or /proc"), "%s", err);
	cr_expect_eq(open_view("/", "/proc/self", err, sizeof(err)), -1);
	cr_expect(strstr(err, "under /dev or /proc"), "%s", err);
	cr_expect_eq(open_view("/", "/tmp", err, sizeof(err)), 0, "%s", err);
}

Test(fs_view, a_root_that_is_no_directory_is_refused)
{
	char err[256] = "";
	cr_expect_eq(open_view("/etc/hostname", NULL, err, sizeof(err)), -1);
	cr_expect(strstr(err, "/etc/hostname: not a directory"), "%s", err);
	cr_expect_eq(open_view("/no/such/dir", NULL, err, sizeof(err)), -1);
	cr_expect(strstr(err, "/no/such/dir: No such file or directory"), "%s", err);
}

Test(fs_view, own_trees_are_found_lexically)
{
	char norm[256];
	const char *rest;
	bool slash;
	cr_expect_eq(fs_mount_of("/dev/null", norm, sizeof(norm), &rest, &slash), FS_DEV);
	cr_expect_str_eq(rest, "null");
	cr_expect_eq(fs_mount_of("/tmp/../proc//self/", norm, sizeof(norm), &rest, &slash),
		     FS_PROC);
	cr_expect(slash);
	cr_expect_eq(fs_mount_of("/../../devices", norm, sizeof(norm), &rest, &slash), FS_HOST);
	cr_expect_str_eq(norm, "/devices");
}
