/* knockout [--deny RULE]... -- PROGRAM [ARGS...]
 * Runs PROGRAM under a seccomp filter that makes the chosen ptrace
 * requests or syscalls fail (see knockout.h), and records the rules in
 * HARNESS_KNOCKOUT so the harness's report says what was knocked out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/knockout/knockout.h"

#define MAX_RULES 16

static int usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: knockout [--deny NAME[:ARG][=ERRNO]]... -- PROGRAM [ARGS...]\n"
		"       knockout --list\n"
		"  NAME: PTRACE_<request> or a syscall name; ARG: a regset note (NT_*)\n"
		"  for GETREGSET/SETREGSET, an option bit (PTRACE_O_*) for SETOPTIONS/SEIZE,\n"
		"  ARCH_SET_CPUID for arch_prctl, SECCOMP_<operation> for seccomp\n");
	return rc;
}

static void put(const char *kind, const char *name)
{
	printf("%-8s %s\n", kind, name);
}

/* Nested launchers stack their filters; the record stacks the same way. */
static int record(int argc, char **argv)
{
	const char *old = getenv("HARNESS_KNOCKOUT");
	size_t len = old ? strlen(old) + 1 : 0;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *v = calloc(1, len + 1);
	if (!v)
		return -1;
	if (old && *old)
		strcat(v, old);
	for (int i = 0; i < argc; i++) {
		if (v[0])
			strcat(v, " ");
		strcat(v, argv[i]);
	}
	int rc = setenv("HARNESS_KNOCKOUT", v, 1);
	free(v);
	return rc;
}

int main(int argc, char **argv)
{
	struct knockout_rule rules[MAX_RULES];
	char *specs[MAX_RULES];
	char err[256] = "";
	size_t n = 0;
	int i = 1;
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		knockout_list(put);
		return 0;
	}
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help"))
			return usage(stdout, 0);
		if (strcmp(argv[i], "--deny") || i + 1 == argc || n == MAX_RULES)
			return usage(stderr, 2);
		specs[n] = argv[++i];
		if (knockout_parse(specs[n], &rules[n], err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		n++;
	}
	if (i + 1 >= argc || n == 0)
		return usage(stderr, 2);
	if (record((int)n, specs) || knockout_install(rules, n, err, sizeof err)) {
		fprintf(stderr, "%s\n", err[0] ? err : "knockout: out of memory");
		return 2;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "knockout: %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
}
