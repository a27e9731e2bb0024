/* Tests of `harness triage bisect`: the search (bisect.h) with a probe
 * that answers from a table, and the command end to end with a stand-in
 * runner (bisect_standin.sh) that answers per package without booting. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/triage/bisect.h"
#include "harness/triage/triage.h"

struct table {
	size_t boundary;        /* first index that behaves otherwise */
	const bool *unbootable; /* NULL: all boot */
	size_t probed[64];
	size_t nprobed;
};

static enum bisect_verdict table_probe(size_t i, void *ctx)
{
	struct table *t = ctx;
	cr_assert(i > 0, "the good end is never probed again");
	cr_assert(t->nprobed < 64);
	for (size_t j = 0; j < t->nprobed; j++)
		cr_assert_neq(t->probed[j], i, "package %zu probed twice", i);
	t->probed[t->nprobed++] = i;
	if (t->unbootable && t->unbootable[i])
		return BISECT_SKIP;
	return i < t->boundary ? BISECT_GOOD : BISECT_CHANGED;
}

static size_t ceil_log2(size_t n)
{
	size_t k = 0;
	while (((size_t)1 << k) < n)
		k++;
	return k;
}

Test(bisect, finds_every_boundary,
     .description =
	     "boundary anywhere in 2..40 packages, ends included: found exactly, in at most "
	     "ceil(log2(n-1)) boots between the ends")
{
	for (size_t n = 2; n <= 40; n++)
		for (size_t b = 1; b < n; b++) {
			struct table t = { .boundary = b };
			struct bisect_result r;
			bisect_search(n, table_probe, &t, &r);
			cr_assert(r.exact, "n=%zu b=%zu", n, b);
			cr_assert_eq(r.changed, b, "n=%zu b=%zu: got %zu", n, b, r.changed);
			cr_assert_eq(r.good, b - 1);
			cr_assert_eq(r.probes, t.nprobed);
			cr_assert_leq(r.probes, ceil_log2(n - 1), "n=%zu b=%zu: %zu probes", n, b,
				      r.probes);
			for (size_t j = 0; j < t.nprobed; j++)
				cr_assert(t.probed[j] > 0 && t.probed[j] < n - 1,
					  "only packages between the ends are probed");
		}
}

Test(bisect, unbootable_packages_are_skipped,
     .description =
	     "one package that does not boot, anywhere, with the boundary anywhere: the "
	     "answer is exact, or a range whose other members all failed to boot")
{
	for (size_t n = 3; n <= 20; n++)
		for (size_t b = 1; b < n; b++)
			for (size_t s = 1; s + 1 < n; s++) {
				bool unboot[20] = { false };
				unboot[s] = true;
				struct table t = { .boundary = b, .unbootable = unboot };
				struct bisect_result r;
				bisect_search(n, table_probe, &t, &r);
				cr_assert(r.good < b && b <= r.changed, "n=%zu b=%zu s=%zu", n, b,
					  s);
				for (size_t i = r.good + 1; i < r.changed; i++)
					cr_assert(unboot[i], "n=%zu b=%zu s=%zu: %zu left untried",
						  n, b, s, i);
				if (s == b - 1)
					cr_assert(
						!r.exact && r.good == b - 2 && r.changed == b,
						"n=%zu b=%zu s=%zu: the last good one did not boot",
						n, b, s);
				else if (s == b)
					cr_assert(
						!r.exact && r.good == b - 1 && r.changed == b + 1,
						"n=%zu b=%zu s=%zu: the first changed one did not boot",
						n, b, s);
				else
					cr_assert(r.exact && r.changed == b,
						  "n=%zu b=%zu s=%zu: the skip hides nothing", n, b,
						  s);
			}
}

Test(bisect, nothing_boots_between_the_ends)
{
	bool unboot[9] = { false, true, true, true, true, true, true, true, false };
	struct table t = { .boundary = 4, .unbootable = unboot };
	struct bisect_result r;
	bisect_search(9, table_probe, &t, &r);
	cr_assert_not(r.exact);
	cr_assert_eq(r.good, 0);
	cr_assert_eq(r.changed, 8);
	cr_assert_eq(r.probes, 7, "each one tried once");
}

/* The command with the stand-in runner: its stdout and status, and the
 * packages it booted, in order. */
struct cli {
	int status;
	char *out, *log;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return strdup("");
	char *p = NULL;
	size_t n = 0;
	ssize_t got = getdelim(&p, &n, 0, f);
	fclose(f);
	if (got < 0) {
		free(p);
		return strdup("");
	}
	return p;
}

static struct cli run_cli_slow(const char *table, const char *good, const char *bad,
			       const char *variant, const char *slow)
{
	char dir[] = "/tmp/bisect-test-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char log[256], out[256], outdir[256];
	snprintf(log, sizeof log, "%s/log", dir);
	snprintf(out, sizeof out, "%s/stdout", dir);
	snprintf(outdir, sizeof outdir, "%s/runs", dir);
	setenv("BISECT_STANDIN", table, 1);
	setenv("BISECT_STANDIN_LOG", log, 1);
	char *argv[16] = { "bisect", "smoke/hello", "--good",   (char *)good,
			   "--bad",  (char *)bad,   "--runner", "harness/triage/bisect_standin.sh",
			   "--out",  outdir,        "--cases",  "cases" };
	int argc = 12;
	if (variant) {
		argv[argc++] = "--variant";
		argv[argc++] = (char *)variant;
	}
	if (slow) {
		argv[argc++] = "--slow";
		argv[argc++] = (char *)slow;
	}
	fflush(stdout);
	int saved = dup(1), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	struct cli c = { .status = cmd_triage_bisect(argc, argv) };
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	c.out = slurp(out);
	c.log = slurp(log);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	return c;
}

static struct cli run_cli(const char *table, const char *good, const char *bad, const char *variant)
{
	return run_cli_slow(table, good, bad, variant, NULL);
}

static void cli_free(struct cli *c)
{
	free(c->out);
	free(c->log);
}

#define EIGHT(a, b, c, d, e, f, g, h) \
	"k1=" a " k2=" b " k3=" c " k4=" d " k5=" e " k6=" f " k7=" g " k8=" h

Test(bisect_cli, change_in_the_middle,
     .description =
	     "8 packages, the change at k5: ends first, then the binary search order; the "
	     "report names k4 and k5, their results, the diff and a known-failures line")
{
	struct cli c =
		run_cli(EIGHT("PASS", "PASS", "PASS", "PASS", "FAIL", "FAIL", "FAIL", "FAIL"), "k1",
			"k8", "lazy");
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert_str_eq(c.log, "k1\nk8\nk4\nk6\nk5\n");
	cr_assert(strstr(c.out, "bisect smoke/hello [lazy]: 8 packages from k1 (good) to k8 (bad)"),
		  "%s", c.out);
	cr_assert(strstr(c.out, "[5/8] k5: FAIL (changed)\n"), "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: k5\n"), "%s", c.out);
	cr_assert(strstr(c.out, "last as the good end: k4: PASS\n"), "%s", c.out);
	cr_assert(strstr(c.out, "first that differs:   k5: FAIL\n"), "%s", c.out);
	cr_assert(strstr(c.out, "smoke/hello [lazy]:\n```diff\n# k4 passed; k5: FAIL"), "%s",
		  c.out);
	cr_assert(strstr(c.out,
			 "cases/known-failures:\nsmoke/hello  lazy  kernel=k5  FAIL on k5; "
			 "from this build, between k4 and k5 (harness triage bisect)\n"),
		  "%s", c.out);
	cli_free(&c);
}

Test(bisect_cli, change_at_either_end)
{
	struct cli c =
		run_cli(EIGHT("PASS", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL"), "k1",
			"k8", NULL);
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: k2\n"), "%s", c.out);
	cr_assert(strstr(c.out, "kernel=k2"), "%s", c.out);
	cli_free(&c);
	c = run_cli(EIGHT("PASS", "PASS", "PASS", "PASS", "PASS", "PASS", "PASS", "FAIL"), "k1",
		    "k8", NULL);
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: k8\n"), "%s", c.out);
	cr_assert_str_eq(c.log, "k1\nk8\nk4\nk6\nk7\n");
	cli_free(&c);
	/* two packages: the bad end is the answer, nothing between */
	c = run_cli("k1=PASS k2=FAIL", "k1", "k2", NULL);
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: k2\n"), "%s", c.out);
	cr_assert_str_eq(c.log, "k1\nk2\n");
	cli_free(&c);
}

Test(bisect_cli, unbootable_packages,
     .description =
	     "a package that does not boot is skipped; next to the change it makes the "
	     "answer a range and is listed with its reason")
{
	struct cli c =
		run_cli(EIGHT("PASS", "PASS", "PASS", "noboot", "FAIL", "FAIL", "FAIL", "FAIL"),
			"k1", "k8", NULL);
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert(strstr(c.out,
			 "[4/8] k4: running\n[4/8] k4: no result (did not reach init): skipped\n"),
		  "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: one of k4 ... k5"), "%s", c.out);
	cr_assert(strstr(c.out, "  k4: did not reach init\n"), "%s", c.out);
	cr_assert(strstr(c.out, "last as the good end: k3: PASS"), "%s", c.out);
	cli_free(&c);
	c = run_cli(EIGHT("PASS", "PASS", "nothing", "PASS", "PASS", "FAIL", "FAIL", "FAIL"), "k1",
		    "k8", NULL);
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: k6\n"), "%s", c.out);
	cli_free(&c);
}

Test(bisect_cli, fix_keys_the_failing_side)
{
	struct cli c =
		run_cli(EIGHT("FAIL", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL", "PASS", "PASS"),
			"linux-image-6.12.1+deb12-cloud-amd64", "k8", NULL);
	cr_assert_eq(c.status, 2, "the stand-in lists nothing from an unknown good end");
	cli_free(&c);
	c = run_cli(EIGHT("FAIL", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL", "PASS", "PASS"), "k1",
		    "k8", NULL);
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: k7\n"), "%s", c.out);
	cr_assert(strstr(c.out, "kernel=k6  FAIL on k6; until this build, between k6 and k7"), "%s",
		  c.out);
	cli_free(&c);
}

Test(bisect_cli, second_change_is_mentioned)
{
	struct cli c =
		run_cli(EIGHT("PASS", "PASS", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL2"),
			"k1", "k8", NULL);
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: k3\n"), "%s", c.out);
	cr_assert(strstr(c.out, "the bad end k8 behaves otherwise again"), "%s", c.out);
	cli_free(&c);
}

Test(bisect_cli, ends_that_cannot_be_bisected)
{
	struct cli c = run_cli("k1=PASS k2=PASS k3=PASS", "k1", "k3", NULL);
	cr_assert_eq(c.status, 1, "the same behaviour at both ends: %s", c.out);
	cr_assert_str_eq(c.log, "k1\nk3\n");
	cli_free(&c);
	c = run_cli("k1=noboot k2=PASS k3=FAIL", "k1", "k3", NULL);
	cr_assert_eq(c.status, 1, "the good end did not boot");
	cr_assert_str_eq(c.log, "k1\n");
	cli_free(&c);
	c = run_cli("k1=PASS k2=PASS k3=nothing", "k1", "k3", NULL);
	cr_assert_eq(c.status, 1, "the bad end left nothing");
	cli_free(&c);
}

Test(bisect_cli, usage_errors_boot_nothing)
{
	char *argv[] = { "bisect", "smoke/no_such_case", "--good", "a", "--bad", "b", NULL };
	cr_assert_eq(cmd_triage_bisect(6, argv), 2);
	char *argv2[] = { "bisect", "smoke/hello", "--good", "a", NULL };
	cr_assert_eq(cmd_triage_bisect(4, argv2), 2, "--bad is required");
	char *argv3[] = { "bisect", "smoke/hello", "--good", "a", "--bad", "b", "--frob", NULL };
	cr_assert_eq(cmd_triage_bisect(7, argv3), 2);
}

Test(bisect_cli, slowdown_with_slow,
     .description =
	     "--slow 30: the same PASS at 100 s and at 2 s are two behaviours; without it "
	     "the ends are the same")
{
	const char *t = EIGHT("TIMEOUT@100", "PASS@90", "TIMEOUT@104", "PASS@2", "PASS@3", "PASS@1",
			      "PASS@2", "PASS@3");
	struct cli c = run_cli_slow(t, "k1", "k8", NULL, "30");
	cr_assert_eq(c.status, 0, "%s", c.out);
	cr_assert(strstr(c.out, "first package that differs: k4\n"), "%s", c.out);
	cr_assert(strstr(c.out, "[2/8] k2: PASS in 90 s (slow) (as the good end)\n"),
		  "a result that flips with the slowdown is not a change: %s", c.out);
	cr_assert(strstr(c.out, "last as the good end: k3: TIMEOUT in 104 s (slow)\n"), "%s",
		  c.out);
	cr_assert(strstr(c.out, "first that differs:   k4: PASS in 2 s (fast)\n"), "%s", c.out);
	cr_assert(strstr(c.out, "suite time: 104 s on k3, 2 s on k4 (--slow 30)\n"), "%s", c.out);
	cr_assert(strstr(c.out, "kernel=k3  TIMEOUT on k3; until this build"), "%s", c.out);
	cli_free(&c);
	c = run_cli(EIGHT("PASS@100", "PASS@90", "PASS@104", "PASS@2", "PASS@3", "PASS@1", "PASS@2",
			  "PASS@3"),
		    "k1", "k8", NULL);
	cr_assert_eq(c.status, 1, "by results alone nothing changes: %s", c.out);
	cli_free(&c);
	char *argv[] = {
		"bisect", "smoke/hello", "--good", "a", "--bad", "b", "--slow", "x", NULL
	};
	cr_assert_eq(cmd_triage_bisect(8, argv), 2, "--slow takes seconds");
}
