/* Contexts: a guest thread's registers and FP state (P13), its interrupt
 * state (P11, P19) and its last-fault record (P17, P18). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/internal.h"

/* The FP state a fresh guest thread starts with: x87 control word 0x37f,
 * MXCSR 0x1f80, everything else in its initial state (XSAVE header
 * xstate_bv = x87|SSE). Loading it on the first switch keeps a new guest
 * from seeing whatever the stub thread ran before. */
static void fp_init(void *fp)
{
	unsigned char *b = fp;
	memset(b, 0, plat_fpstate_size());
	b[0] = 0x7f;
	b[1] = 0x03;
	uint32_t mxcsr = 0x1f80;
	memcpy(b + 24, &mxcsr, sizeof(mxcsr));
	if (probe_result.has_xsave && plat_fpstate_size() >= 520) {
		uint64_t bv = 3;
		memcpy(b + 512, &bv, sizeof(bv));
	}
}

struct plat_ctx *plat_ctx_new(struct plat *p)
{
	struct plat_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->fp = aligned_alloc(64, (plat_fpstate_size() + 63) & ~(size_t)63);
	if (!ctx->fp) {
		free(ctx);
		return NULL;
	}
	fp_init(ctx->fp);
	ctx->fp_local_valid = true;
	ctx->fp_dirty = true;
	ctx->plat = p;
	pthread_mutex_init(&ctx->mu, NULL);
	pthread_mutex_lock(&p->mu);
	ctx->next = p->contexts;
	if (p->contexts)
		p->contexts->prev = ctx;
	p->contexts = ctx;
	pthread_mutex_unlock(&p->mu);
	return ctx;
}

/* Release from the thread that last switched the context (or after that
 * thread is gone): its FP state may be resident in that thread's stub. */
void plat_ctx_release(struct plat_ctx *ctx)
{
	struct plat *p = ctx->plat;
	pthread_mutex_lock(&p->mu);
	if (ctx->prev)
		ctx->prev->next = ctx->next;
	else
		p->contexts = ctx->next;
	if (ctx->next)
		ctx->next->prev = ctx->prev;
	pthread_mutex_unlock(&p->mu);
	if (ctx->fp_home) {
		struct plat_ctx *expect = ctx;
		atomic_compare_exchange_strong(&ctx->fp_home->fp_owner, &expect, NULL);
	}
	pthread_mutex_destroy(&ctx->mu);
	free(ctx->fp);
	free(ctx);
}

struct user_regs_struct *plat_ctx_regs(struct plat_ctx *ctx)
{
	return &ctx->regs;
}

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

int plat_ctx_fpstate_reset(struct plat_ctx *ctx)
{
	void *fp = plat_ctx_fpstate(ctx, true);
	if (!fp)
		return -errno;
	fp_init(fp);
	return 0;
}

void *plat_ctx_fpstate(struct plat_ctx *ctx, bool for_write)
{
	int e = fp_pull_from_home(ctx);
	if (e) {
		errno = -e;
		return NULL;
	}
	if (for_write)
		ctx->fp_dirty = true;
	return ctx->fp;
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

void ctx_clear_faults(struct plat *p, struct plat_as *as, uintptr_t addr, size_t len)
{
	pthread_mutex_lock(&p->mu);
	for (struct plat_ctx *c = p->contexts; c; c = c->next) {
		pthread_mutex_lock(&c->mu);
		if (c->fault_as == as && c->fault_addr >= addr && c->fault_addr - addr < len)
			c->fault_as = NULL;
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_unlock(&p->mu);
}

/* P19: with a switch running, a SIGCHLD from the harness stops the stub
 * thread and is reported; otherwise the next switch returns at once (P11).
 * Both may happen for one call: the spare interrupt is a spurious one,
 * which the contract allows. Lock-free, so safe from anywhere. */
void plat_interrupt(struct plat_ctx *ctx)
{
	atomic_store(&ctx->interrupt_pending, 1);
	pid_t tid = atomic_load(&ctx->running_tid);
	pid_t pid = atomic_load(&ctx->running_pid);
	if (tid > 0)
		syscall(SYS_tgkill, pid, tid, SIGCHLD);
}
