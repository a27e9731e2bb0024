/* Running another program as a child of the bench (UML, the suite): its
 * output collected, a time limit enforced on its whole process group, the
 * wall time measured from fork to exit. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/child_run.h"

static void child(char *const argv[], const cpu_set_t *cpus, bool normal, int out_fd)
{
	child_die_with_parent();
	setpgid(0, 0); /* our own group, so a time-out can kill all of it */
	if (cpus)
		sched_setaffinity(0, sizeof(*cpus), cpus);
	if (normal)
		sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ 0 });
	int null = open("/dev/null", O_RDONLY);
	dup2(null, 0);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	execv(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Keeps the last out->cap - 1 bytes, NUL-terminated. */
static void keep(struct child_out *out, const char *buf, size_t n)
{
	if (n >= out->cap) {
		buf += n - (out->cap - 1);
		n = out->cap - 1;
	}
	if (out->len + n >= out->cap) {
		size_t drop = out->len + n - (out->cap - 1);
		memmove(out->buf, out->buf + drop, out->len - drop);
		out->len -= drop;
	}
	memcpy(out->buf + out->len, buf, n);
	out->len += n;
	out->buf[out->len] = 0;
}

int child_run(char *const argv[], const cpu_set_t *cpus, bool normal, int timeout_s,
	      struct child_out *out)
{
	int p[2];
	out->len = 0;
	out->buf[0] = 0;
	out->timed_out = false;
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	long long t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		int fd = dup(p[1]); /* without O_CLOEXEC */
		child(argv, cpus, normal, fd);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	setpgid(pid, pid);
	char buf[4096];
	long long deadline = t0 + (long long)timeout_s * 1000000000LL;
	for (;;) {
		long long left = (deadline - now_ns()) / 1000000;
		if (left <= 0) {
			out->timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		struct pollfd pfd = { p[0], POLLIN, 0 };
		int r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		keep(out, buf, (size_t)n);
	}
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	out->wall_ns = now_ns() - t0;
	out->status = status;
	kill(-pid, SIGKILL); /* anything it left behind in its group */
	return 0;
}
