/* See case_chaos.h. */
#include "harness/chaos/case_chaos.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/hbuf.h"
#include "harness/util/signame.h"

static const char *const action_names[CHAOS_NACTIONS] = {
	[CHAOS_KILL] = "kill",
	[CHAOS_TGKILL] = "tgkill",
	[CHAOS_SIGQUEUE] = "sigqueue",
	[CHAOS_TGSIGQUEUE] = "tgsigqueue",
	[CHAOS_SIGQUEUE_POSITIVE] = "sigqueue-positive",
	[CHAOS_STOP_CONTINUE] = "stop-continue",
};

const char *case_chaos_action_name(enum case_chaos_action a)
{
	return (unsigned)a < CHAOS_NACTIONS ? action_names[a] : "?";
}

static int action_of(const char *w)
{
	for (int a = 0; a < CHAOS_NACTIONS; a++)
		if (!strcmp(w, action_names[a]))
			return a;
	return -1;
}

/* "x1".."x100"; 0 when w is not one. */
static unsigned count_of(const char *w)
{
	if (w[0] != 'x' || w[1] < '1' || w[1] > '9' || strlen(w) > 4)
		return 0;
	unsigned n = 0;
	for (const char *p = w + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (unsigned)(*p - '0');
	}
	return n <= CASE_CHAOS_MAX_COUNT ? n : 0;
}

/* One step, its words already split at blanks (at most 3 looked at). */
static int step(struct case_chaos_step *s, char **w, int n, char *err, size_t errlen)
{
	int a = n ? action_of(w[0]) : -1;
	if (a < 0) {
		snprintf(err, errlen,
			 "bad chaos step '%s' (expected kill, tgkill, sigqueue, "
			 "tgsigqueue, sigqueue-positive or stop-continue)",
			 n ? w[0] : "");
		return -1;
	}
	s->action = (enum case_chaos_action)a;
	s->count = 1;
	int i = 1;
	if (a != CHAOS_STOP_CONTINUE) {
		s->sig = i < n ? signame_parse(w[i]) : 0;
		if (!s->sig || s->sig == SIGKILL || s->sig == SIGSTOP) {
			snprintf(err, errlen,
				 "chaos step '%s' needs a signal other than SIGKILL "
				 "and SIGSTOP, got '%s'",
				 w[0], i < n ? w[i] : "");
			return -1;
		}
		i++;
	}
	if (i < n && !(s->count = count_of(w[i]))) {
		snprintf(err, errlen, "bad chaos count '%s' (expected x1 to x%d)", w[i],
			 CASE_CHAOS_MAX_COUNT);
		return -1;
	}
	if (i + (i < n) < n) {
		snprintf(err, errlen, "chaos step '%s': unexpected '%s'", w[0], w[i + (i < n)]);
		return -1;
	}
	return 0;
}

static int steps(struct tcase *c, char *list, char *err, size_t errlen)
{
	/* strsep, not strtok: an empty step (",,", a trailing ",") is an error. */
	for (char *part; (part = strsep(&list, ","));) {
		if (c->chaos_nsteps == CASE_CHAOS_MAX_STEPS) {
			snprintf(err, errlen, "more than %d chaos steps", CASE_CHAOS_MAX_STEPS);
			return -1;
		}
		char *w[4], *wsave = NULL;
		int n = 0;
		for (char *t = strtok_r(part, " \t", &wsave); t && n < 4;
		     t = strtok_r(NULL, " \t", &wsave))
			w[n++] = t;
		if (step(&c->chaos_steps[c->chaos_nsteps++], w, n, err, errlen))
			return -1;
	}
	return 0;
}

int case_chaos_parse(struct tcase *c, const char *v, char *err, size_t errlen)
{
	if (!strcmp(v, "kill-stub-process")) {
		c->chaos = CASE_CHAOS_KILL_PROCESS;
		return 0;
	}
	if (!strcmp(v, "kill-stub-thread")) {
		c->chaos = CASE_CHAOS_KILL_THREAD;
		return 0;
	}
	if (strncmp(v, "signal-stub", 11) || (v[11] != ' ' && v[11] != '\t' && v[11])) {
		snprintf(err, errlen,
			 "bad chaos '%s' (expected kill-stub-process, kill-stub-thread "
			 "or signal-stub STEPS)",
			 v);
		return -1;
	}
	char *list = strdup(v + 11);
	if (!list) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->chaos = CASE_CHAOS_SIGNAL_STUB;
	c->chaos_nsteps = 0;
	int r = strspn(list, " \t") == strlen(list)
			? (snprintf(err, errlen, "'signal-stub' needs at least one step"), -1)
			: steps(c, list, err, errlen);
	free(list);
	return r;
}

char *case_chaos_format(const struct tcase *c)
{
	if (c->chaos == CASE_CHAOS_KILL_PROCESS)
		return strdup("kill-stub-process");
	if (c->chaos == CASE_CHAOS_KILL_THREAD)
		return strdup("kill-stub-thread");
	if (c->chaos != CASE_CHAOS_SIGNAL_STUB)
		return NULL;
	struct hbuf b = { 0 };
	hbuf_puts(&b, "signal-stub");
	for (unsigned i = 0; i < c->chaos_nsteps; i++) {
		const struct case_chaos_step *s = &c->chaos_steps[i];
		char name[SIGNAME_LEN];
		hbuf_printf(&b, "%s %s", i ? "," : "", case_chaos_action_name(s->action));
		if (s->action != CHAOS_STOP_CONTINUE)
			hbuf_printf(&b, " %s", signame(s->sig, name));
		if (s->count != 1)
			hbuf_printf(&b, " x%u", s->count);
	}
	return hbuf_take(&b, NULL);
}
