/* The progress line (see progress.h). */
#include "harness/runner/progress.h"

#include <stdio.h>
#include <unistd.h>

#define NAME_MAX_SHOWN 60 /* keeps the line within 80 columns */

void progress_init(struct progress *p, size_t total)
{
	*p = (struct progress){ .on = isatty(STDERR_FILENO) == 1, .total = total };
}

void progress_show(struct progress *p, const char *name, const char *variant)
{
	if (!p->on ||
	    (p->shown_name == name && p->shown_variant == variant && p->shown_done == p->done))
		return;
	p->shown_name = name;
	p->shown_variant = variant;
	p->shown_done = p->done;
	/* \r back to column 0, \033[K clears what a longer line left. */
	fprintf(stderr, "\r[%zu/%zu] %.*s%s%s%s ...\033[K", p->done, p->total, NAME_MAX_SHOWN,
		name ? name : "", variant ? " [" : "", variant ? variant : "", variant ? "]" : "");
	fflush(stderr);
}

void progress_end(const struct progress *p)
{
	if (p->on) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}
