/*
 * User-Mode Linux's getpid, in the same run: Debian's linux.uml booted with
 * a hostfs root holding only our static init (bench/uml_init.c), pinned to
 * the bench's CPU. The init times n raw getpid calls with the guest's own
 * clock (UML takes it from the host) and powers off; boot time is not in
 * the figure. UML 6.1 runs its processes under PTRACE_SYSEMU and moves the
 * general registers and the XSTATE both ways on every switch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bench/bench.h"
#include "bench/child_run.h"

#define UML_TIMEOUT_S 300

static int uml_setup(void **state, char *err, size_t errlen)
{
	(void)state;
	if (!bench_env.uml_kernel) {
		snprintf(err, errlen, "%s",
			 bench_env.uml_skip ? bench_env.uml_skip : "no UML kernel given");
		return -1;
	}
	return 0;
}

static int uml_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	(void)state;
	char root[1100], nbuf[32];
	snprintf(root, sizeof(root), "rootflags=%s", bench_env.uml_init);
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	/* Words without '=' after init= become the init's argv. */
	char *argv[] = { (char *)bench_env.uml_kernel,
			 "mem=128M",
			 "root=/dev/root",
			 "rootfstype=hostfs",
			 root,
			 "ro",
			 "init=/bench",
			 "con0=fd:0,fd:1",
			 "con=null",
			 nbuf,
			 NULL };
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(bench_env.cpu, &one);
	struct child_out out = { .cap = 1 << 16 };
	out.buf = malloc(out.cap);
	if (!out.buf || child_run(argv, &one, false, UML_TIMEOUT_S, &out) != 0) {
		snprintf(err, errlen, "could not start %s", bench_env.uml_kernel);
		free(out.buf);
		return -1;
	}
	const char *line = strstr(out.buf, "uml-bench getpid");
	long got = 0;
	int rc = 0;
	if (!line || sscanf(line, "uml-bench getpid n=%ld ns_per_op=%lf", &got, ns) != 2 ||
	    got != n) {
		const char *tail = out.len > 300 ? out.buf + out.len - 300 : out.buf;
		snprintf(err, errlen, "UML gave no figure%s (wait status %#x); its output ends: %s",
			 out.timed_out ? " within the time limit" : "", out.status, tail);
		rc = -1;
	}
	free(out.buf);
	return rc;
}

/* clang-format off */
const struct bench bench_uml[] = {
	{ .name = "uml_getpid", .label = "UML getpid (user-mode-linux)", .group = "uml",
	  .n = 100000, .setup = uml_setup, .run = uml_run },
	{ 0 }
};
/* clang-format on */
