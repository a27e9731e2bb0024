/* Lazy FP state (P13): a context's FP state may stay resident in the stub
 * thread that last ran it, until someone reads it, another context needs
 * that thread, or the stub goes away. */
#include <errno.h>
#include <stdlib.h>

#include "platform/ptrace/ptrace.h"

/* Lazy mode: bring the state home from the stub thread that holds it. */
int fp_pull_from_home(struct plat_ctx *ctx)
{
	struct stub_thread *t = ctx->fp_home;
	if (ctx->fp_local_valid)
		return 0;
	if (!t || atomic_load(&t->fp_owner) != ctx || t->dead)
		return -PLAT_ESTUBDEAD;
	int e = pt_getfp(t->tid, ctx->fp);
	if (e)
		return -PLAT_ESTUBDEAD;
	ctx->fp_local_valid = true;
	return 0;
}

/* Another context is about to use t: the state resident there goes home
 * first. Called by t's tracer only. */
void ctx_evict_fp(struct stub_thread *t)
{
	struct plat_ctx *owner = atomic_exchange(&t->fp_owner, NULL);
	if (!owner)
		return;
	if (!owner->fp_local_valid && pt_getfp(t->tid, owner->fp) == 0)
		owner->fp_local_valid = true;
	owner->fp_home = NULL;
	owner->fp_dirty = true;
}

/* An address space is going away: FP state still resident in its threads
 * is lost (evict_mine in as.c saved what the calling thread could). */
void ctx_forget_as(struct plat *p, struct plat_as *as)
{
	pthread_mutex_lock(&p->mu);
	for (struct plat_ctx *c = p->contexts; c; c = c->next)
		if (c->fp_home && c->fp_home->as == as)
			c->fp_home = NULL;
	pthread_mutex_unlock(&p->mu);
}

void pt_ctx_release(struct plat_ctx *ctx)
{
	if (ctx->fp_home) {
		struct plat_ctx *expect = ctx;
		atomic_compare_exchange_strong(&ctx->fp_home->fp_owner, &expect, NULL);
	}
}
