/* Timeout evidence from /proc (see evidence.h). */
#include "harness/runner/evidence.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small /proc file as text ("" when it cannot be read: the task may
 * have exited meanwhile, which the evidence then simply lacks). */
static void slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t got = f ? fread(buf, 1, n - 1, f) : 0;
	buf[got] = 0;
	if (f)
		fclose(f);
}

static pid_t ppid_of(const char *root, pid_t pid)
{
	char path[128], text[4096];
	snprintf(path, sizeof path, "%s/%d/status", root, (int)pid);
	slurp(path, text, sizeof text);
	const char *p = strstr(text, "\nPPid:");
	return p ? (pid_t)strtol(p + 6, NULL, 10) : -1;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* All numeric entries of dir, sorted. */
static size_t list_pids(const char *dir, pid_t *out, size_t max)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	for (struct dirent *e; d && n < max && (e = readdir(d));) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (!*end && v > 0)
			out[n++] = (pid_t)v;
	}
	if (d)
		closedir(d);
	qsort(out, n, sizeof *out, cmp_pid);
	return n;
}

static int has(const pid_t *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return 1;
	return 0;
}

size_t evidence_family(const char *root, pid_t pid, pid_t *out, size_t max)
{
	enum { ALL = 1 << 15 };
	pid_t *all = malloc(ALL * sizeof *all), *parent = malloc(ALL * sizeof *parent);
	size_t n = 0, nall = all && parent ? list_pids(root, all, ALL) : 0;
	for (size_t i = 0; i < nall; i++)
		parent[i] = ppid_of(root, all[i]);
	if (max)
		out[n++] = pid;
	/* Sweep until nothing new joins: a grandchild may come before its
	 * parent in pid order once pids wrap. */
	for (size_t before = 0; before != n && n < max;) {
		before = n;
		for (size_t i = 0; i < nall && n < max; i++)
			if (!has(out, n, all[i]) && has(out, n, parent[i]))
				out[n++] = all[i];
	}
	free(all);
	free(parent);
	if (n > 1)
		qsort(out + 1, n - 1, sizeof *out, cmp_pid);
	return n;
}

/* The value of "Key:" in a status text, up to the end of its line. */
static void field(const char *status, const char *key, char *out, size_t n)
{
	size_t k = strlen(key);
	out[0] = 0;
	for (const char *p = status; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		if (strncmp(p, key, k) || p[k] != ':')
			continue;
		p += k + 1;
		p += strspn(p, " \t");
		snprintf(out, n, "%.*s", (int)strcspn(p, "\n"), p);
		return;
	}
}

void evidence_format_task(struct hbuf *b, pid_t tid, const char *status, const char *wchan)
{
	char state[64], tracer[32];
	field(status, "State", state, sizeof state);
	field(status, "TracerPid", tracer, sizeof tracer);
	size_t wlen = strcspn(wchan, "\n");
	hbuf_printf(b, "  task %d: State: %s, TracerPid: %s, wchan: %.*s\n", (int)tid,
		    *state ? state : "?", *tracer ? tracer : "?", wlen ? (int)wlen : 1,
		    wlen ? wchan : "?");
}

static void one_process(struct hbuf *b, const char *root, pid_t pid, const char *what)
{
	char path[160], comm[64], status[4096], wchan[128];
	pid_t tids[EVIDENCE_MAX_TASKS];
	snprintf(path, sizeof path, "%s/%d/comm", root, (int)pid);
	slurp(path, comm, sizeof comm);
	hbuf_printf(b, "pid %d (%.*s)%s%s\n", (int)pid, (int)strcspn(comm, "\n"), comm,
		    what ? ": " : "", what ? what : "");
	snprintf(path, sizeof path, "%s/%d/task", root, (int)pid);
	size_t n = list_pids(path, tids, EVIDENCE_MAX_TASKS);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%d/task/%d/status", root, (int)pid, (int)tids[i]);
		slurp(path, status, sizeof status);
		snprintf(path, sizeof path, "%s/%d/task/%d/wchan", root, (int)pid, (int)tids[i]);
		slurp(path, wchan, sizeof wchan);
		evidence_format_task(b, tids[i], status, wchan);
	}
	if (!n)
		hbuf_puts(b, "  (gone)\n");
}

char *evidence_collect(const char *root, pid_t pid, const char *what)
{
	pid_t fam[EVIDENCE_MAX_PROCS];
	size_t n = evidence_family(root, pid, fam, EVIDENCE_MAX_PROCS);
	struct hbuf b = { 0 };
	for (size_t i = 0; i < n; i++)
		one_process(&b, root, fam[i], i == 0 ? what : NULL);
	return hbuf_take(&b, NULL);
}
