/* Tests of timeout evidence (evidence.c) on a made-up /proc tree. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/runner/evidence.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* A process with one thread: pid's status, comm, and its task's files. */
static void proc(int pid, int ppid, const char *comm, const char *state, int tracer,
		 const char *wchan)
{
	char rel[64], status[256];
	snprintf(status, sizeof status,
		 "Name:\t%s\nState:\t%s\nTgid:\t%d\nPPid:\t%d\n"
		 "TracerPid:\t%d\nUid:\t0\n",
		 comm, state, pid, ppid, tracer);
	snprintf(rel, sizeof rel, "%d/status", pid);
	put(rel, status);
	snprintf(rel, sizeof rel, "%d/comm", pid);
	put(rel, comm);
	snprintf(rel, sizeof rel, "%d/task/%d/status", pid, pid);
	put(rel, status);
	snprintf(rel, sizeof rel, "%d/task/%d/wchan", pid, pid);
	put(rel, wchan);
}

static void setup(void)
{
	snprintf(root, sizeof root, "/tmp/runner-proc-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	proc(100, 1, "harness\n", "S (sleeping)", 0, "do_wait");
	proc(101, 100, "stub\n", "S (sleeping)", 100, "do_sigtimedwait");
	proc(102, 101, "stub\n", "t (tracing stop)", 100, "ptrace_stop");
	proc(50, 102, "stub\n", "t (tracing stop)", 100, "ptrace_stop"); /* pids wrapped */
	proc(200, 1, "other\n", "R (running)", 0, "0");
	put("self", "not a pid");
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(runner_evidence, .init = setup, .fini = teardown);

Test(runner_evidence, family_is_the_child_and_its_descendants)
{
	pid_t fam[8];
	size_t n = evidence_family(root, 100, fam, 8);
	cr_assert_eq(n, 4);
	cr_expect_eq(fam[0], 100, "the child first");
	cr_expect_eq(fam[1], 50, "then ascending");
	cr_expect_eq(fam[2], 101);
	cr_expect_eq(fam[3], 102);
	cr_expect_eq(evidence_family(root, 100, fam, 2), 2, "bounded");
}

Test(runner_evidence, one_line_per_task)
{
	struct hbuf b = { 0 };
	evidence_format_task(&b, 7, "Name:\tx\nState:\tD (disk sleep)\nTracerPid:\t3\n",
			     "io_schedule\n");
	evidence_format_task(&b, 8, "", "");
	char *s = hbuf_take(&b, NULL);
	cr_expect_str_eq(s,
			 "  task 7: State: D (disk sleep), TracerPid: 3, wchan: io_schedule\n"
			 "  task 8: State: ?, TracerPid: ?, wchan: ?\n");
	free(s);
}

Test(runner_evidence, collect_formats_the_family)
{
	char *s = evidence_collect(root, 100, "the case's child");
	cr_assert_not_null(s);
	cr_expect_str_eq(
		s,
		"pid 100 (harness): the case's child\n"
		"  task 100: State: S (sleeping), TracerPid: 0, wchan: do_wait\n"
		"pid 50 (stub)\n"
		"  task 50: State: t (tracing stop), TracerPid: 100, wchan: ptrace_stop\n"
		"pid 101 (stub)\n"
		"  task 101: State: S (sleeping), TracerPid: 100, wchan: do_sigtimedwait\n"
		"pid 102 (stub)\n"
		"  task 102: State: t (tracing stop), TracerPid: 100, wchan: ptrace_stop\n");
	free(s);
	s = evidence_collect(root, 999, NULL);
	cr_expect_str_eq(s, "pid 999 ()\n  (gone)\n");
	free(s);
}
