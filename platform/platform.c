/* The public entry points, shared by both backends: instances, the pool
 * of released address spaces (P22), events, and dispatch to the backend
 * the instance was made with (T1). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/internal.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result;
static char init_error[256];

/* Once per process: the probes (P7, P13, T1) and the stub page (P1),
 * which every later fork must inherit at the same address. */
static void init_process(void)
{
	if (probe_init(init_error, sizeof(init_error)) == 0 &&
	    stub_page_init(init_error, sizeof(init_error)) == 0)
		return;
	init_result = -1;
}

int plat_probe_now(char *err, size_t errlen)
{
	pthread_once(&init_once, init_process);
	if (init_result)
		snprintf(err, errlen, "%s", init_error);
	return init_result;
}

static const struct plat_ops *backend_ops(enum plat_backend b)
{
	switch (b) {
	case PLAT_BACKEND_PTRACE: return &plat_ptrace_ops;
	case PLAT_BACKEND_SECCOMP: return &plat_seccomp_ops;
	}
	return NULL;
}

const char *plat_backend_name(enum plat_backend b)
{
	const struct plat_ops *ops = backend_ops(b);
	return ops ? ops->name : "unknown";
}

/* T1: a backend whose probe failed cannot make instances; the message
 * names the missing piece. */
static bool backend_usable(enum plat_backend b, char *err, size_t errlen)
{
	bool ok = b == PLAT_BACKEND_PTRACE ? probe_result.ptrace_ok : probe_result.seccomp_ok;
	const char *why = b == PLAT_BACKEND_PTRACE ? probe_result.ptrace_missing
						   : probe_result.seccomp_missing;
	if (!ok)
		snprintf(err, errlen, "%s", why);
	return ok;
}

struct plat *plat_new(const struct plat_options *opts, char *err, size_t errlen)
{
	if (plat_probe_now(err, errlen))
		return NULL;
	enum plat_backend b = opts ? opts->backend : PLAT_BACKEND_PTRACE;
	const struct plat_ops *ops = backend_ops(b);
	if (!ops) {
		snprintf(err, errlen, "unknown platform backend %d", (int)b);
		return NULL;
	}
	if (!backend_usable(b, err, errlen))
		return NULL;
	struct plat *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opts)
		p->opts = *opts;
	if (p->opts.cpuid_faulting && !probe_result.cpuid_faulting) {
		snprintf(err, errlen,
			 "CPUID faulting was asked for, but this machine has none "
			 "(ARCH_SET_CPUID refused here; many CPUs and VMs lack it, P27)");
		free(p);
		return NULL;
	}
	p->ops = ops;
	p->harness_pid = getpid();
	pthread_mutex_init(&p->mu, NULL);
	if (ops->init(p, err, errlen) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

void plat_destroy(struct plat *p)
{
	p->ops->destroy(p);
	while (p->contexts)
		plat_ctx_release(p->contexts);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

uintptr_t plat_min_addr(const struct plat *p)
{
	(void)p;
	return (uintptr_t)probe_result.mmap_min_addr;
}

uintptr_t plat_max_addr(const struct plat *p)
{
	(void)p;
	return stub_layout.start;
}

long plat_escapes(struct plat *p)
{
	return atomic_load(&p->escapes);
}

int plat_dead(struct plat *p)
{
	return atomic_load(&p->dead) ? PLAT_ESTUBDEAD : 0;
}

const char *plat_error(struct plat *p)
{
	return p->error;
}

const struct plat_options *plat_options(const struct plat *p)
{
	return &p->opts;
}

/* --- events and address spaces ------------------------------------- */

void as_emit(struct plat_as *as, struct plat_event *ev)
{
	struct plat *p = as->plat;
	if (!p->opts.on_event)
		return;
	ev->as_user = as->user;
	ev->stub_pid = as->pid;
	p->opts.on_event(p->opts.event_arg, ev);
}

void as_link(struct plat_as *as)
{
	struct plat *p = as->plat;
	pthread_mutex_lock(&p->mu);
	as->next_all = p->all;
	p->all = as;
	pthread_mutex_unlock(&p->mu);
}

void as_unlink(struct plat_as *as)
{
	struct plat *p = as->plat;
	pthread_mutex_lock(&p->mu);
	for (struct plat_as **pp = &p->all; *pp; pp = &(*pp)->next_all)
		if (*pp == as) {
			*pp = as->next_all;
			break;
		}
	pthread_mutex_unlock(&p->mu);
}

/* P22: a pooled stub process first, else a new one. */
int plat_as_new(struct plat *p, struct plat_as **out)
{
	if (atomic_load(&p->dead))
		return -PLAT_ESTUBDEAD;
	pthread_mutex_lock(&p->mu);
	struct plat_as *as = p->pool;
	if (as)
		p->pool = as->next_free;
	pthread_mutex_unlock(&p->mu);
	if (as) {
		as->user = NULL;
		as_emit(as, &(struct plat_event){ .kind = PLAT_EV_AS_REUSE });
		*out = as;
		return 0;
	}
	int err = p->ops->as_create(p, &as);
	if (err)
		return atomic_load(&p->dead) ? -PLAT_ESTUBDEAD : err;
	as_emit(as, &(struct plat_event){ .kind = PLAT_EV_AS_NEW });
	*out = as;
	return 0;
}

void plat_as_release(struct plat_as *as)
{
	struct plat *p = as->plat;
	as_emit(as, &(struct plat_event){ .kind = PLAT_EV_AS_RELEASE });
	/* No stale fault record may survive into the next guest (P17, P18). */
	ctx_clear_faults(p, as, 0, LINUX_TASK_SIZE);
	if (!atomic_load(&as->dead) && !p->opts.no_pool && p->ops->as_reset(as) == 0) {
		pthread_mutex_lock(&p->mu);
		as->next_free = p->pool;
		p->pool = as;
		pthread_mutex_unlock(&p->mu);
		return;
	}
	p->ops->as_destroy(as);
}

void plat_as_set_user(struct plat_as *as, void *user)
{
	as->user = user;
}
pid_t plat_as_pid(const struct plat_as *as)
{
	return as->pid;
}

const char *plat_as_error(const struct plat_as *as)
{
	return atomic_load(&((struct plat_as *)as)->dead) ? as->error : NULL;
}

int plat_map_file(struct plat_as *as, uintptr_t addr, int fd, uint64_t offset, size_t len, int prot,
		  bool precommit)
{
	int result = as->plat->ops->map_file(as, addr, fd, offset, len, prot, precommit);
	as_emit(as, &(struct plat_event){ .kind = PLAT_EV_MAP_FILE,
					  .addr = addr,
					  .len = len,
					  .offset = offset,
					  .prot = prot,
					  .precommit = precommit,
					  .result = result });
	return result;
}

/* P18 first: a fault at an address that is about to disappear must not be
 * taken for the second half of a write (P17) after the page comes back. */
int plat_unmap(struct plat_as *as, uintptr_t addr, size_t len)
{
	ctx_clear_faults(as->plat, as, addr, len);
	int r = as->plat->ops->unmap(as, addr, len);
	as_emit(as, &(struct plat_event){
			    .kind = PLAT_EV_UNMAP, .addr = addr, .len = len, .result = r });
	return r;
}

int plat_switch(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out)
{
	memset(out, 0, sizeof(*out));
	if (atomic_exchange(&ctx->interrupt_pending, 0)) { /* P11: no stub involved */
		out->kind = PLAT_EXIT_INTERRUPT;
		return 0;
	}
	as->plat->ops->run(ctx, as, out);
	return 0;
}

#ifdef PLAT_TESTING
pid_t plat_test_master_pid(struct plat *p)
{
	return p->master->pid;
}

pid_t pt_test_thread_tid(struct plat_as *as, bool syscall_pool);
pid_t sc_test_thread_tid(struct plat_as *as);

pid_t plat_test_thread_tid(struct plat_as *as, bool syscall_pool)
{
	if (as->plat->ops == &plat_seccomp_ops)
		return sc_test_thread_tid(as);
	return pt_test_thread_tid(as, syscall_pool);
}
#endif
