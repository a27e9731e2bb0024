/* Internal structures of the platform; see platform.h for the contract.
 *
 * Two backends implement platform.h: ptrace (platform/ptrace/, P1-P27,
 * the reference) and seccomp-trap (platform/seccomp/, T1-T12). What both
 * share lives in platform/: the public entry points and their dispatch
 * (platform.c), the pool of released address spaces (P22) and the events,
 * contexts with their FP layout (context.c), what a stop means (exit.c:
 * P15, P16, P17), the probes (probe.c) and the stub page (stub_page.c).
 * Each backend fills a struct plat_ops; its own state hangs off the
 * shared objects in the section marked with its name. */
#ifndef PLATFORM_INTERNAL_H
#define PLATFORM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/user.h>

#include "platform/linux_abi.h"
#include "platform/linux_abi.h"
#include "platform/platform.h"

/* Stub code symbols from stub/stub.S (addresses in the harness's copy). */
extern const char plat_stub_code_begin[], plat_stub_code_inject[];
extern const char plat_stub_code_done[], plat_stub_code_end[];
extern const char plat_stub_code_hold[];

/* Where the stub page lives (P1) and the highest user address (P4). The
 * page holds the ptrace stub at its start (stub/stub.S) and the
 * seccomp-trap stub after it (stub/seccomp.S). */
struct stub_layout {
	uintptr_t start, end; /* the page(s) holding the code */
	uintptr_t inject_rip; /* the syscall instruction of P2 */
	uintptr_t done_rip;   /* the int3 loop */
	uintptr_t hold_rip;   /* the kill(SIGSTOP) loop of a detached thread */
	uintptr_t sc_code;    /* the seccomp-trap stub's first byte (T2) */
};

int stub_page_init(char *err, size_t errlen);
extern struct stub_layout stub_layout;

/* What a backend provides. Every call gets objects of its own backend. */
struct plat_ops {
	const char *name;
	/* Probes what the backend needs, once per process (from probe.c):
	 * 0, or -1 with the missing piece in why. */
	int (*probe)(struct plat_probe *pr, char *why, size_t len);
	/* The backend's half of plat_new()/plat_destroy(). */
	int (*init)(struct plat *p, char *err, size_t errlen);
	void (*destroy)(struct plat *p);
	/* A new stub process (P5, T7): 0 or -errno. */
	int (*as_create)(struct plat *p, struct plat_as **out);
	/* Empties a released address space for the pool (P22): 0 or -errno
	 * (then it is destroyed instead). */
	int (*as_reset)(struct plat_as *as);
	/* Kills and frees a released or dead address space. */
	void (*as_destroy)(struct plat_as *as);
	/* P21: 0, the mmap's -errno, or -PLAT_ESTUBDEAD. */
	int (*map_file)(struct plat_as *as, uintptr_t addr, int fd, uint64_t offset, size_t len,
			int prot, bool precommit);
	/* P21: the munmap's result; failure on a live stub is fatal (P24). */
	int (*unmap)(struct plat_as *as, uintptr_t addr, size_t len);
	/* P10-P17, T4: after the shared P11 check; fills out. */
	void (*run)(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out);
	/* Lazy FP (P13, T9): brings the state resident in a stub home into
	 * ctx->fp; 0 or -errno. */
	int (*fp_pull)(struct plat_ctx *ctx);
	/* The context goes away: its state resident in a stub is forgotten. */
	void (*ctx_release)(struct plat_ctx *ctx);
};
extern const struct plat_ops plat_ptrace_ops, plat_seccomp_ops;

/* ptrace backend: P8, tracer thread id -> stub thread, for one purpose in
 * one process (embedded in struct plat_as; see platform/ptrace/). */
struct stub_thread;
struct server_req;
struct pool_entry {
	pid_t key;
	struct stub_thread *t;
};
struct thread_pool {
	pthread_rwlock_t lock;
	struct pool_entry *v;
	size_t n, cap;
};

/* seccomp-trap backend state (platform/seccomp/seccomp.h). */
struct sc_plat;
struct sc_as;
struct sc_thread;

struct plat_as {
	struct plat *plat;
	pid_t pid;
	atomic_bool dead; /* poisoned (P23, T8) */
	int dead_status;
	char error[192];
	void *user;
	struct plat_as *next_all;  /* plat->all (destroy) */
	struct plat_as *next_free; /* plat->pool (P22) */

	/* ptrace backend */
	bool is_master;
	struct stub_thread *first; /* served by the server thread */
	pthread_t server;
	pthread_mutex_t mu; /* guards the request queue */
	pthread_cond_t cv;
	struct server_req *reqs;
	int create_err; /* result of creating the process */
	bool created;
	struct thread_pool sysemu, syscall; /* P8 */

	/* seccomp-trap backend */
	struct sc_as *sc;
};

struct plat_ctx {
	struct plat *plat;
	struct user_regs_struct regs;
	void *fp; /* local FP copy, plat_fpstate_size() */
	/* Atomic: the seccomp-trap backend may evict a context's FP state
	 * from a stub thread on another harness thread (seccomp/switch.c). */
	atomic_bool fp_local_valid; /* fp holds the current state */
	atomic_bool fp_dirty;       /* fp must be written to the stub */
	/* Interrupt state (P11, P19): lock-free so interrupting is safe from
	 * anywhere. */
	atomic_int interrupt_pending;
	_Atomic pid_t running_pid, running_tid;
	/* The last-fault record (P17), cleared by unmap from other threads. */
	pthread_mutex_t mu;
	struct plat_as *fault_as;
	uintptr_t fault_addr, fault_rip;
	struct plat_ctx *next, *prev; /* plat->contexts (P18) */

	/* ptrace backend: where the FP state is resident (lazy, P13). */
	struct stub_thread *fp_home;
	/* seccomp-trap backend: the stub thread whose signal frame holds
	 * the FP state (lazy, T9), and the futex word a switch sleeps on
	 * while it waits for a free stub thread (plat_interrupt wakes it). */
	struct sc_thread *_Atomic sc_home;
	_Atomic(uint32_t *) wait_word;
};

struct plat {
	const struct plat_ops *ops;
	struct plat_options opts;
	pid_t harness_pid;
	pthread_mutex_t mu;   /* pool, all, contexts */
	struct plat_as *pool; /* LIFO (P22) */
	struct plat_as *all;
	struct plat_ctx *contexts;
	atomic_bool dead;
	char error[256];
	atomic_long escapes;    /* P6 gate stops seen (ptrace/switch.c) */
	struct plat_as *master; /* the stub new ones are cloned from (P3, T7) */

	/* ptrace backend */
	void *filter; /* struct sock_fprog, built before forks */

	/* seccomp-trap backend */
	struct sc_plat *sc;
};

/* probe.c: the machine, once per process, and each backend's probe. */
int probe_init(char *err, size_t errlen);
extern struct plat_probe probe_result;
extern uint64_t probe_xcr0; /* XCR0, for the FXSAVE path (pt_getfp) */

/* platform.c: events and the list of address spaces. */
void as_emit(struct plat_as *as, struct plat_event *ev);
void as_link(struct plat_as *as);
void as_unlink(struct plat_as *as);

/* cpu_bind.c (P26): binds thread tid to the caller's CPU unless
 * *bound_cpu (-1: none yet) already says that one. */
void cpu_bind(pid_t tid, int *bound_cpu);

/* context.c */
void fp_init(void *fp);
void ctx_clear_faults(struct plat *p, struct plat_as *as, uintptr_t addr, size_t len);

/* exit.c: what a stop means, the same for both backends. */
bool exit_reportable(const siginfo_t *si, pid_t harness);                                  /* P15 */
void exit_vsyscall_to_fault(struct user_regs_struct *r, siginfo_t *si);                    /* P16 */
void exit_classify_fault(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out); /* P17 */
void exit_forget_fault(struct plat_ctx *ctx);
void exit_discard(struct plat_as *as, const siginfo_t *si);
void exit_error(struct plat_exit *out, struct plat_as *as);

#endif
