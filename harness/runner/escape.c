/* P6 escape check: the stub filter's gate stops any host syscall a stub
 * thread makes from outside the stub page (platform/ptrace/filter.c) and the
 * platform counts it. A case in which that happened proves nothing about
 * the guest: the platform let guest code reach the host, so the run is an
 * ERROR even if the sentry carried on and the output looks right. */
#include "harness/runner/escape.h"

#include <stdio.h>

long escape_check(struct plat *p, int *rc, struct sentry_result *res)
{
	long n = plat_escapes(p);
	if (n <= 0)
		return 0;
	*rc = 1;
	res->kind = SENTRY_ERROR;
	snprintf(res->error, sizeof(res->error),
		 "P6 escape: %ld host syscall%s by stub threads outside the injection path", n,
		 n == 1 ? "" : "s");
	return n;
}
