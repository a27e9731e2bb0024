/* harness run --platform (T1): the backend is chosen on the command line;
 * an unknown name is a usage error. Runs a real fixture, so the fixtures
 * must be built (make unit does). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/cli/cmd_run.h"
#include "platform/platform.h"
#include "tools/knockout/knockout.h"

#define HELLO "build/fixtures/smoke/hello"

static int run(const char *platform, const char *trace)
{
	char *argv[] = { "run", "--platform", (char *)platform, "--trace", (char *)trace, "--",
			 HELLO, NULL };
	return cmd_run(7, argv);
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f, "%s", path);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

Test(cmd_run, t1_unknown_platform_is_a_usage_error)
{
	cr_assert_eq(run("kvm", "/dev/null"), 2);
}

static void runs_hello(const char *platform)
{
	if (access(HELLO, X_OK) != 0)
		cr_skip("%s is not built (make fixtures)", HELLO);
	char trace[] = "/tmp/cmd_run_test.XXXXXX";
	int fd = mkstemp(trace);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(run(platform, trace), 0);
	cr_expect(strstr(slurp(trace), "write(1, \"hello"), "%s", slurp(trace));
	unlink(trace);
}

Test(cmd_run, t1_platform_ptrace)
{
	runs_hello("ptrace");
}

Test(cmd_run, t1_platform_seccomp)
{
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0, "%s", err);
	if (!plat_probe()->seccomp_ok)
		cr_skip("the seccomp backend cannot run here: %s", plat_probe()->seccomp_missing);
	runs_hello("seccomp");
}

/* The flag really picks the backend: with SECCOMP_RET_TRAP knocked out,
 * --platform seccomp is refused (status 2) and ptrace still runs. In a
 * child, since a knockout lasts for the process's life. */
Test(cmd_run, t1_platform_selects_the_backend)
{
	if (access(HELLO, X_OK) != 0)
		cr_skip("%s is not built (make fixtures)", HELLO);
	pid_t c = fork();
	if (c == 0) {
		struct knockout_rule r;
		char err[256];
		if (knockout_parse("seccomp:SECCOMP_GET_ACTION_AVAIL", &r, err, sizeof err) ||
		    knockout_install(&r, 1, err, sizeof err))
			_exit(10);
		if (run("seccomp", "/dev/null") != 2)
			_exit(11);
		_exit(run("ptrace", "/dev/null") == 0 ? 0 : 12);
	}
	int st;
	cr_assert_eq(waitpid(c, &st, 0), c);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}
