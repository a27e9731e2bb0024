/* Internal structures of the platform; see platform.h for the contract. */
#ifndef PLATFORM_INTERNAL_H
#define PLATFORM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/user.h>

#include "platform/linux_abi.h"
#include "platform/platform.h"

/* Stub code symbols from stub/stub.S (addresses in the harness's copy). */
extern const char plat_stub_code_begin[], plat_stub_code_inject[];
extern const char plat_stub_code_done[], plat_stub_code_end[];
extern const char plat_stub_code_hold[];

/* Where the stub page lives (P1) and the highest user address (P4). */
struct stub_layout {
	uintptr_t start, end;   /* the page(s) holding the code */
	uintptr_t inject_rip;   /* the syscall instruction of P2 */
	uintptr_t done_rip;     /* the int3 loop */
	uintptr_t hold_rip;     /* the kill(SIGSTOP) loop of a detached thread */
};

int stub_page_init(char *err, size_t errlen);
extern struct stub_layout stub_layout;

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
	int bound_cpu;                 /* P26: last CPU it was bound to, -1: none */
	atomic_bool detached;          /* parked by an exiting tracer (P8) */
	bool dead;
};

/* P8: tracer thread id -> stub thread, for one purpose in one process. */
struct pool_entry {
	pid_t key;
	struct stub_thread *t;
};
struct thread_pool {
	pthread_rwlock_t lock;
	struct pool_entry *v;
	size_t n, cap;
};

/* Requests to a stub process's first-thread server (P9). */
struct server_req {
	int op;                        /* SERVER_NEW_THREAD, SERVER_STOP */
	struct stub_thread *result;
	int err;
	bool done;
	struct server_req *next;
};

struct plat_as {
	struct plat *plat;
	pid_t pid;
	bool is_master;
	struct stub_thread *first;     /* served by the server thread */
	pthread_t server;
	pthread_mutex_t mu;            /* guards the request queue */
	pthread_cond_t cv;
	struct server_req *reqs;
	int create_err;                /* result of creating the process */
	bool created;
	struct thread_pool sysemu, syscall; /* P8 */
	atomic_bool dead;              /* poisoned (P23) */
	int dead_status;
	char error[192];
	void *user;
	struct plat_as *next_all;      /* plat->all (destroy) */
	struct plat_as *next_free;     /* plat->pool (P22) */
};

struct plat_ctx {
	struct plat *plat;
	struct user_regs_struct regs;
	void *fp;                      /* local FP copy, plat_fpstate_size() */
	bool fp_local_valid;           /* fp holds the current state */
	bool fp_dirty;                 /* fp must be written to the stub */
	struct stub_thread *fp_home;   /* where the state is resident (lazy) */
	/* Interrupt state (P11, P19): lock-free so interrupting is safe from
	 * anywhere. */
	atomic_int interrupt_pending;
	_Atomic pid_t running_pid, running_tid;
	/* The last-fault record (P17), cleared by unmap from other threads. */
	pthread_mutex_t mu;
	struct plat_as *fault_as;
	uintptr_t fault_addr, fault_rip;
	struct plat_ctx *next, *prev;  /* plat->contexts (P18) */
};

struct plat {
	struct plat_options opts;
	pid_t harness_pid;
	struct plat_as *master;
	pthread_mutex_t mu;            /* pool, all, contexts */
	struct plat_as *pool;          /* LIFO (P22) */
	struct plat_as *all;
	struct plat_ctx *contexts;
	atomic_bool dead;
	char error[256];
	void *filter;                  /* struct sock_fprog, built before forks */
	atomic_long escapes;           /* P6 gate stops seen (switch.c) */
};

/* probe.c */
int probe_init(char *err, size_t errlen);
extern struct plat_probe probe_result;
extern uint64_t probe_xcr0;     /* XCR0, for the FXSAVE path (pt_getfp) */

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
void plat_fatal(pid_t tid, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* thread_pool.c (P8) */
void tpool_init(struct thread_pool *tp);
void tpool_destroy(struct thread_pool *tp);
struct stub_thread *tpool_get(struct plat_as *as, struct thread_pool *tp, int *err);
void tpool_for_each(struct thread_pool *tp, void (*fn)(struct stub_thread *, pid_t, void *), void *arg);

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

/* cpu_bind.c (P26) */
void stub_thread_bind(struct stub_thread *t);

/* master.c (P3) */
int master_create(struct plat_as *master, struct stub_thread *first);

/* inject.c (P20) */
long inject_syscall(struct stub_thread *t, long nr, const long args[6]);
long inject_regs(struct stub_thread *t, struct user_regs_struct *r);
long as_inject(struct plat_as *as, long nr, const long args[6]);

/* as.c (P22, P23) */
void as_poison(struct plat_as *as, pid_t tid, int status, const char *what);
int as_check_thread_death(struct stub_thread *t, int status, const char *what);
void as_emit(struct plat_as *as, struct plat_event *ev);
void as_free(struct plat_as *as);
struct plat_as *as_create(struct plat *p, bool is_master, int *err);

/* context.c */
void ctx_evict_fp(struct stub_thread *t);
void ctx_forget_as(struct plat *p, struct plat_as *as);
int fp_pull_from_home(struct plat_ctx *ctx);
void ctx_clear_faults(struct plat *p, struct plat_as *as, uintptr_t addr, size_t len);

#endif
