/* "harness soak": the whole suite, round after round, in this one
 * process. After each round it prints what a leak would make grow: the
 * runner's resident memory, open fds and threads, and the stub processes
 * alive on the whole system. The runner forks a child per job,
 * so this process is the one that lives long: its figures must stay flat.
 *
 * Flat means: fds and threads exactly as after round 1; no stub process
 * after any round (stubs: untraced ones whose parent is no stub, and ones
 * traced by this process's descendants, anywhere on the system); VmRSS
 * after the last round at most 10% (and at least 2 MiB) above VmRSS after
 * round 2 (round 1 pays for one-time caches: the catalog, libc's arenas,
 * the gdb lookup). Any round whose suite fails also fails the soak. Exit 0
 * if all holds, 1 otherwise.
 *
 * Interrupted (SIGINT, SIGTERM, SIGHUP): the round under way still writes
 * its reports (NOTRUN for what it did not judge), the whole rounds before
 * it are judged and shown, and the soak exits 128 + the signal whatever
 * they say: an interrupted soak proves nothing about flatness. */
#include "harness/runner/runner.h"
#include "harness/runner/sched.h"
#include "harness/util/signame.h"
#include "harness/util/uerror.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct figures {
	long rss_kb, threads, fds, stubs;
	int status;
};

static long count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	long n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return d ? n - 1 : -1; /* minus opendir's own fd */
}

/* A stub process maps nothing but the stub page (and vsyscall): P4. */
static int is_stub(long pid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%ld/maps", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int lines = 0, stub = 0;
	while (fgets(line, sizeof line, f)) {
		if (strstr(line, "[vsyscall]"))
			continue;
		lines++;
		stub = !strncmp(line, "7fff", 4) && strstr(line, " r-xp 00000000 00:00 0");
	}
	fclose(f);
	return lines == 1 && stub;
}

static long status_of(long pid, const char *name)
{
	char path[64], line[256];
	size_t n = strlen(name);
	long v = -1;
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static int descends_from_self(long pid)
{
	for (int i = 0; i < 64 && pid > 1; i++, pid = status_of(pid, "PPid"))
		if (pid == (long)getpid())
			return 1;
	return 0;
}

/* Ours: traced by this process or a descendant (a job that outlived its
 * round), or untraced with a parent that is no stub. A new stub process is
 * untraced for a moment, between the master's clone and the attach (P5),
 * with the master as its parent: that one belongs to a live harness. */
static int is_leaked_stub(long pid)
{
	if (!is_stub(pid))
		return 0;
	long tracer = status_of(pid, "TracerPid");
	if (tracer > 0)
		return descends_from_self(tracer);
	return !is_stub(status_of(pid, "PPid"));
}

static long count_stubs(void)
{
	DIR *d = opendir("/proc");
	long count = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			count += is_leaked_stub(strtol(e->d_name, NULL, 10));
	if (d)
		closedir(d);
	return count;
}

static void take(struct figures *f, int status)
{
	*f = (struct figures){ status_of(getpid(), "VmRSS"), status_of(getpid(), "Threads"),
			       count_entries("/proc/self/fd"), count_stubs(), status };
}

static int judge(const struct figures *f, unsigned n)
{
	int bad = 0;
	for (unsigned r = 0; r < n; r++) {
		if (f[r].status)
			bad = fprintf(stderr, "soak: round %u: the suite failed (%d)\n", r + 1,
				      f[r].status);
		if (f[r].fds != f[0].fds || f[r].threads != f[0].threads)
			bad = fprintf(stderr,
				      "soak: round %u: %ld fds, %ld threads (round 1: %ld, %ld)\n",
				      r + 1, f[r].fds, f[r].threads, f[0].fds, f[0].threads);
		if (f[r].stubs)
			bad = fprintf(stderr, "soak: round %u: %ld stub processes alive\n", r + 1,
				      f[r].stubs);
	}
	const struct figures *base = &f[n > 2 ? 1 : 0], *last = &f[n - 1];
	long slack = base->rss_kb / 10 > 2048 ? base->rss_kb / 10 : 2048;
	if (last->rss_kb > base->rss_kb + slack)
		bad = fprintf(stderr,
			      "soak: VmRSS grew from %ld kB (round %d) to %ld kB (round %u)\n",
			      base->rss_kb, n > 2 ? 2 : 1, last->rss_kb, n);
	return bad ? 1 : 0;
}

/* An interrupted round (the suite still wrote its reports) or a signal
 * that came between two rounds ends the soak: *stop gets the signal. The
 * interrupt signals stay blocked meanwhile, so that one between rounds
 * waits for this check instead of killing the process. Returns how many
 * rounds ran whole; their figures are in f. */
static unsigned long rounds_run(struct figures *f, unsigned long rounds, char **args,
				char **suite_args, int n, int *stop)
{
	sigset_t set, old;
	struct timespec now = { 0, 0 };
	unsigned long whole = 0;
	sched_interrupt_signals(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (unsigned long r = 0; r < rounds && !*stop; r++) {
		args[0] = "suite";
		memcpy(args + 1, suite_args, (size_t)(n - 1) * sizeof *args);
		int st = cmd_suite(n, args);
		fflush(stdout);
		if (st > EXIT_INTERRUPTED(0)) {
			*stop = st - EXIT_INTERRUPTED(0);
			fprintf(stderr, "soak: %5lu  interrupted\n", r + 1);
			break;
		}
		take(&f[whole], st);
		fprintf(stderr, "soak: %5lu  %6d  %9ld  %3ld  %7ld  %5ld\n", r + 1, st,
			f[whole].rss_kb, f[whole].fds, f[whole].threads, f[whole].stubs);
		whole++;
		if (st == EXIT_USER) /* a mistake in the options: no point going on */
			break;
		int sig = sigtimedwait(&set, NULL, &now);
		if (sig > 0)
			*stop = sig;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return whole;
}

int cmd_soak(int argc, char **argv)
{
	unsigned long rounds = 20;
	int first = 1;
	if (argc > 2 && !strcmp(argv[1], "--rounds")) {
		char *end;
		rounds = strtoul(argv[2], &end, 10);
		if (*end || rounds < 1 || rounds > 1000) {
			fprintf(stderr, "harness soak: --rounds wants a count from 1 to 1000\n");
			return EXIT_USER;
		}
		first = 3;
	}
	int n = argc - first + 1;
	char **args = calloc((size_t)n + 1, sizeof *args);
	struct figures *f = calloc(rounds, sizeof *f);
	if (!args || !f) {
		free(args);
		free(f);
		return 1;
	}
	fprintf(stderr, "soak: round  status  VmRSS(kB)  fds  threads  stubs\n");
	int stop = 0;
	unsigned long done = rounds_run(f, rounds, args, argv + first, n, &stop);
	int rc = done ? judge(f, (unsigned)done) : 1;
	if (stop) {
		char name[SIGNAME_LEN];
		fprintf(stderr, "soak: interrupted by %s after %lu of %lu rounds: %s\n",
			signame(stop, name) ? name : "a signal", done, rounds,
			!done ? "nothing to judge"
			: rc  ? "NOT flat"
			      : "flat so far");
		rc = EXIT_INTERRUPTED(stop);
	} else {
		fprintf(stderr, "soak: %lu rounds: %s\n", done, rc ? "NOT flat" : "flat");
	}
	free(args);
	free(f);
	return rc;
}
