/* The ptrace backend (P1-P27): guest code runs in stub threads under
 * PTRACE_SYSEMU, each driven by the harness thread that attached it. */
#ifndef PLATFORM_PTRACE_PTRACE_H
#define PLATFORM_PTRACE_PTRACE_H

#include "platform/internal.h"

/* One thread of a stub process, driven by exactly one harness thread. */
struct stub_thread {
	pid_t tid;
	struct plat_as *as;
	struct user_regs_struct init_regs; /* rip at the injection point */
	/* Lazy transfer (P13): what the kernel holds for this thread, and for
	 * which context. Only the tracer thread touches these. */
	struct user_regs_struct kregs;
	bool kregs_valid;
	struct plat_ctx *_Atomic fp_owner;
	int bound_cpu;        /* P26: last CPU it was bound to, -1: none */
	atomic_bool detached; /* parked by an exiting tracer (P8) */
	bool dead;
};

/* Requests to a stub process's first-thread server (P9). */
struct server_req {
	int op; /* SERVER_NEW_THREAD, SERVER_STOP */
	struct stub_thread *result;
	int err;
	bool done;
	struct server_req *next;
};

/* probe.c (P7, P13): the facts that need a live tracee. */
int pt_probe(struct plat_probe *p, char *err, size_t errlen);

/* filter.c: the stub filter of P6, exported as a BPF program. */
void *filter_build(bool kill_default, char *err, size_t errlen);
void *filter_build_probe(char *err, size_t errlen);
void filter_free(void *prog);

/* ptrace helpers (ptrace_ops.c). All return 0 or -errno. */
int pt_getregs(pid_t tid, struct user_regs_struct *r);
int pt_setregs(pid_t tid, const struct user_regs_struct *r);
int pt_getfp(pid_t tid, void *buf);
int pt_setfp(pid_t tid, const void *buf);
int pt_wait(pid_t tid, int *status);
int pt_attach_stopped(pid_t tid);
const char *pt_describe_status(int status, char *buf, size_t len);

/* fatal.c (P24) */
void plat_fatal(pid_t tid, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* thread_pool.c (P8) */
void tpool_init(struct thread_pool *tp);
void tpool_destroy(struct thread_pool *tp);
struct stub_thread *tpool_get(struct plat_as *as, struct thread_pool *tp, int *err);
void tpool_for_each(struct thread_pool *tp, void (*fn)(struct stub_thread *, pid_t, void *),
		    void *arg);

/* tracer.c: harness threads that trace stub threads, and their exit. */
void tracer_adopt(void);
pid_t tracer_tid(void);
int tracer_register(struct plat *p);
void tracer_unregister(struct plat *p);

/* server.c (P3, P5, P9) */
int server_start(struct plat_as *as);
struct stub_thread *server_new_thread(struct plat_as *as, int *err);
void server_stop(struct plat_as *as);
int stub_thread_attach(struct stub_thread *t);
int stub_thread_hold(struct stub_thread *t, const struct user_regs_struct *base);
int as_unmap_all(struct plat_as *as, struct stub_thread *t);

/* master.c (P3) */
int master_create(struct plat_as *master, struct stub_thread *first);

/* inject.c (P20, P21) */
long inject_syscall(struct stub_thread *t, long nr, const long args[6]);
long inject_regs(struct stub_thread *t, struct user_regs_struct *r);
long as_inject(struct plat_as *as, long nr, const long args[6]);
int pt_map_file(struct plat_as *as, uintptr_t addr, int fd, uint64_t offset, size_t len, int prot,
		bool precommit);
int pt_unmap(struct plat_as *as, uintptr_t addr, size_t len);

/* as.c (P22, P23) */
void as_poison(struct plat_as *as, pid_t tid, int status, const char *what);
int as_check_thread_death(struct stub_thread *t, int status, const char *what);
void as_free(struct plat_as *as);
struct plat_as *as_create(struct plat *p, bool is_master, int *err);
int pt_as_create(struct plat *p, struct plat_as **out);
int pt_as_reset(struct plat_as *as);
void pt_as_destroy(struct plat_as *as);

/* fpstate.c: lazy FP residency (P13). */
void ctx_evict_fp(struct stub_thread *t);
void ctx_forget_as(struct plat *p, struct plat_as *as);
int fp_pull_from_home(struct plat_ctx *ctx);
void pt_ctx_release(struct plat_ctx *ctx);

/* switch.c (P10-P17) */
void pt_run(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out);

#endif
