/* Exit statuses (see exitstat.h). */
#include "harness/runner/exitstat.h"

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "harness/util/signame.h"

static const char *text(bool sig, int value, bool core, char buf[EXITSTAT_LEN])
{
	char name[SIGNAME_LEN];
	if (!sig)
		snprintf(buf, EXITSTAT_LEN, "exit: %d\n", value);
	else if (signame(value, name))
		snprintf(buf, EXITSTAT_LEN, "exit: signal %s%s\n", name, core ? " core" : "");
	else
		snprintf(buf, EXITSTAT_LEN, "exit: signal %d%s\n", value, core ? " core" : "");
	return buf;
}

const char *exitstat_text(const struct sentry_result *r, char buf[EXITSTAT_LEN])
{
	if (r->kind == SENTRY_ERROR) {
		snprintf(buf, EXITSTAT_LEN, "exit: none (the sentry failed)\n");
		return buf;
	}
	return text(r->kind == SENTRY_SIGNALED, r->status, r->core, buf);
}

const char *exitstat_case_text(const struct case_exit *e, char buf[EXITSTAT_LEN])
{
	if (e->kind == CASE_EXIT_UNCHECKED) {
		snprintf(buf, EXITSTAT_LEN, "exit: not checked\n");
		return buf;
	}
	return text(e->kind == CASE_EXIT_SIGNAL, e->value, e->core, buf);
}

bool exitstat_equal(const struct sentry_result *a, const struct sentry_result *b)
{
	if (a->kind != b->kind || a->kind == SENTRY_ERROR)
		return false;
	return a->status == b->status && (a->kind == SENTRY_EXITED || a->core == b->core);
}

bool exitstat_matches(const struct case_exit *e, const struct sentry_result *r)
{
	switch (e->kind) {
	case CASE_EXIT_UNCHECKED: return true;
	case CASE_EXIT_CODE: return r->kind == SENTRY_EXITED && r->status == e->value;
	case CASE_EXIT_SIGNAL:
		return r->kind == SENTRY_SIGNALED && r->status == e->value && r->core == e->core;
	}
	return false;
}

struct case_exit exitstat_to_case(const struct sentry_result *r)
{
	if (r->kind == SENTRY_SIGNALED)
		return (struct case_exit){ CASE_EXIT_SIGNAL, r->status, r->core };
	return (struct case_exit){ CASE_EXIT_CODE, r->status, false };
}

struct sentry_result exitstat_from_wait(int status)
{
	struct sentry_result r = { .kind = SENTRY_EXITED };
	if (WIFSIGNALED(status)) {
		r.kind = SENTRY_SIGNALED;
		r.status = WTERMSIG(status);
		r.core = linux_sig_default_core(r.status);
	} else {
		r.status = WEXITSTATUS(status);
	}
	return r;
}
