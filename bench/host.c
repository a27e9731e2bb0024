/* The host's own floor: a native getpid, and the pipe round trip between
 * two processes on one CPU that every ratio is taken against (two context
 * switches, the same count as one ptrace stop and resume). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/bench.h"

/* The raw instruction, as the guest loops issue it: no libc wrapper. */
static inline long raw_getpid(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_getpid) : "rcx", "r11", "memory");
	return r;
}

static int native_getpid(void *state, long n, double *ns, char *err, size_t errlen)
{
	(void)state;
	for (long i = 0; i < n / 20; i++)
		raw_getpid();
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		raw_getpid();
	*ns = (double)(now_ns() - t0) / (double)n;
	if (raw_getpid() != getpid()) {
		snprintf(err, errlen, "getpid returned the wrong pid");
		return -1;
	}
	return 0;
}

static int xfer(int rfd, int wfd)
{
	char c = 0;
	if (wfd >= 0 && write(wfd, &c, 1) != 1)
		return -1;
	if (rfd >= 0 && read(rfd, &c, 1) != 1)
		return -1;
	return 0;
}

/* One round trip: a byte to the child, a byte back. The child inherits the
 * pinning, so both ends share the CPU. */
static int pipe_rt(void *state, long n, double *ns, char *err, size_t errlen)
{
	(void)state;
	int to[2], from[2];
	if (pipe(to) || pipe(from)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	long warm = n / 20, total = warm + n;
	pid_t pid = fork();
	if (pid == 0) {
		child_die_with_parent();
		close(to[1]);
		close(from[0]);
		for (long i = 0; i < total; i++)
			if (xfer(to[0], -1) || xfer(-1, from[1]))
				_exit(1);
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	int rc = pid < 0 ? -1 : 0;
	long long t0 = 0;
	for (long i = 0; rc == 0 && i < total; i++) {
		if (i == warm)
			t0 = now_ns();
		rc = xfer(-1, to[1]) || xfer(from[0], -1) ? -1 : 0;
	}
	if (rc == 0)
		*ns = (double)(now_ns() - t0) / (double)n;
	else
		snprintf(err, errlen, "pipe round trip failed: %s", strerror(errno));
	close(to[1]);
	close(from[0]);
	kill_and_reap(pid);
	return rc;
}

/* clang-format off */
const struct bench bench_host[] = {
	{ .name = "native_getpid", .label = "native getpid", .group = "kernel",
	  .n = 1000000, .run = native_getpid },
	{ .name = "pipe_rt", .label = "pipe round trip, one CPU", .group = "kernel",
	  .n = 40000, .run = pipe_rt },
	{ 0 }
};
/* clang-format on */
