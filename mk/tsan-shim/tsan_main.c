/* The runner of the TSan build's tests (criterion/criterion.h beside it):
 * every test whose "suite/name" matches the --filter glob (all by
 * default) in a child of its own; PASS when the child exits 0, SKIP on
 * 77, FAIL otherwise (a failed assertion, a crash, or a TSan report:
 * TSAN_OPTIONS exitcode=66). Exit 1 if any test failed. */
#include <criterion/criterion.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SKIP_STATUS 77

static struct tsan_test *tests;

void tsan_register(struct tsan_test *t)
{
	t->next = tests;
	tests = t;
}

void tsan_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: assertion failed: %s: ", file, line, expr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void tsan_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(SKIP_STATUS);
}

int main(int argc, char **argv)
{
	const char *filter = "*";
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--filter"))
			filter = argv[i + 1];
	int pass = 0, fail = 0, skip = 0;
	for (struct tsan_test *t = tests; t; t = t->next) {
		char full[256];
		snprintf(full, sizeof full, "%s/%s", t->suite, t->name);
		if (fnmatch(filter, full, 0))
			continue;
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			t->fn();
			exit(0);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		bool skipped = WIFEXITED(st) && WEXITSTATUS(st) == SKIP_STATUS;
		pass += ok, skip += skipped, fail += !ok && !skipped;
		printf("[%s] %s (%s %d)\n",
		       ok        ? "PASS"
		       : skipped ? "SKIP"
				 : "FAIL",
		       full, WIFEXITED(st) ? "exit" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
	printf("tsan: %d passed, %d failed, %d skipped\n", pass, fail, skip);
	return fail ? 1 : 0;
}
