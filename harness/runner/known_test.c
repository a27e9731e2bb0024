/* Known failures: the file's conditions against a made-up host. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/runner/known.h"

static const char *write_tmp(const char *text)
{
	static char path[] = "/tmp/known_test.XXXXXX";
	strcpy(path, "/tmp/known_test.XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static struct host_features host(void)
{
	struct host_features h;
	memset(&h, 0, sizeof(h));
	strcpy(h.probe.kernel_release, "6.18.44-test");
	strcpy(h.probe.vsyscall_mode, "xonly");
	h.probe.has_xsave = true;
	return h;
}

Test(runner_known, conditions_select_entries)
{
	struct host_features h = host();
	const char *p = write_tmp(
		"# comment\n\n"
		"a/always * always ref one\n"
		"a/kernel lazy kernel=6.18.* ref two\n"
		"a/oldkernel * kernel=5.* ref three\n"
		"a/feature full-state,lazy feature=xsave ref four\n"
		"a/nofeature * nofeature=fsgsbase,kernel=6.* ref five\n");
	cr_assert_eq(known_load(p, &h), 0);
	cr_assert_str_eq(known_failure("a/always", "full-state"), "ref one");
	cr_assert_str_eq(known_failure("a/kernel", "lazy"), "ref two");
	cr_assert_null(known_failure("a/kernel", "full-state"), "variant not listed");
	cr_assert_null(known_failure("a/oldkernel", "lazy"), "kernel does not match");
	cr_assert_str_eq(known_failure("a/feature", "full-state"), "ref four");
	cr_assert_str_eq(known_failure("a/nofeature", "lazy"), "ref five");
	cr_assert_null(known_failure("a/other", "lazy"));
	known_free();
	unlink(p);
}

Test(runner_known, bad_lines_are_user_errors)
{
	struct host_features h = host();
	const char *p = write_tmp("a/x * whenever ref\n");
	cr_redirect_stderr();
	cr_assert_eq(known_load(p, &h), 2);
	known_free();
	unlink(p);
	p = write_tmp("a/x *\n");
	cr_assert_eq(known_load(p, &h), 2);
	known_free();
	unlink(p);
	cr_assert_eq(known_load("/nonexistent/known-failures", &h), 0, "no file: no entries");
}
