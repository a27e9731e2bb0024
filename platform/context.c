/* Contexts, shared by both backends: a guest thread's registers and FP
 * state (P13, T9), its interrupt state (P11, P19) and its last-fault
 * record (P17, P18). Where a backend keeps FP state resident in a stub,
 * it brings it home through its fp_pull. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
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
void fp_init(void *fp)
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
	p->ops->ctx_release(ctx);
	pthread_mutex_destroy(&ctx->mu);
	free(ctx->fp);
	free(ctx);
}

struct user_regs_struct *plat_ctx_regs(struct plat_ctx *ctx)
{
	return &ctx->regs;
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
	int e = ctx->fp_local_valid ? 0 : ctx->plat->ops->fp_pull(ctx);
	if (e) {
		errno = -e;
		return NULL;
	}
	if (for_write)
		ctx->fp_dirty = true;
	return ctx->fp;
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

/* P19: with a switch running, a SIGCHLD from the harness interrupts the
 * stub thread (a ptrace stop, or the seccomp-trap handler) and is
 * reported; otherwise the next switch returns at once (P11), and a switch
 * that is still waiting for a free stub thread is woken to notice. Both
 * may happen for one call: the spare interrupt is a spurious one, which
 * the contract allows. Lock-free, so safe from anywhere. */
void plat_interrupt(struct plat_ctx *ctx)
{
	atomic_store(&ctx->interrupt_pending, 1);
	pid_t tid = atomic_load(&ctx->running_tid);
	pid_t pid = atomic_load(&ctx->running_pid);
	if (tid > 0)
		syscall(SYS_tgkill, pid, tid, SIGCHLD);
	uint32_t *w = atomic_load(&ctx->wait_word);
	if (w)
		syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}
