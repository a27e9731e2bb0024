/* The live progress line on a terminal (harness.md "Progress"):
 * "[412/530] signals/sa_restart_pipe ..." rewritten in place on stderr;
 * nothing at all when stderr is not a terminal (logs stay clean). */
#ifndef HARNESS_RUNNER_PROGRESS_H
#define HARNESS_RUNNER_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct progress {
	bool on;
	size_t done, total;
	/* what the line shows now: rewritten only when it changes */
	size_t shown_done;
	const char *shown_name, *shown_variant;
};

void progress_init(struct progress *p, size_t total);
/* name: the longest-running case (the one to suspect when it stalls). */
void progress_show(struct progress *p, const char *name, const char *variant);
void progress_end(const struct progress *p);

#endif
