/* Freeing what a run left (see run.h). */
#include "harness/runner/run.h"

#include <stdlib.h>

void run_free(struct run *r)
{
	for (int s = 0; s < RUN_NSTREAMS; s++)
		bytes_free(&r->s[s]);
	free(r->evidence);
	free(r->error);
	*r = (struct run){ 0 };
}
