/* The seccomp-trap backend (T1-T12): a seccomp filter in every stub thread
 * turns guest syscalls into SIGSYS (SECCOMP_RET_TRAP); the handler in the
 * stub page, on an altstack in memory shared with the harness, posts the
 * event in a state word and waits for the next run (gVisor's systrap, UML's
 * seccomp mode). No ptrace anywhere: the harness reads and writes the
 * kernel's signal frame directly. Binary interface: abi.h. */
#ifndef PLATFORM_SECCOMP_SECCOMP_H
#define PLATFORM_SECCOMP_SECCOMP_H

#include <linux/filter.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "platform/internal.h"
#include "platform/seccomp/abi.h"

/* Stub code symbols from stub/seccomp.S (the harness's copy). */
extern const char plat_sc_code_begin[], plat_sc_code_end[], plat_sc_consts[];
extern const char plat_sc_handler[], plat_sc_restorer[], plat_sc_master_entry[];
extern const char plat_sc_ip_wake[], plat_sc_ip_wait[], plat_sc_ip_sigreturn[];
extern const char plat_sc_ip_serve_wait[], plat_sc_ip_mmap[], plat_sc_ip_munmap[],
	plat_sc_ip_write[];
extern const char plat_sc_ip_clone_thread[], plat_sc_ip_sigaltstack[], plat_sc_ip_sigprocmask[];
extern const char plat_sc_ip_seccomp_thread[], plat_sc_ip_birth[];
extern const char plat_sc_ip_clone_process[], plat_sc_ip_child_map_ro[], plat_sc_ip_child_map_rw[];
extern const char plat_sc_ip_prctl[], plat_sc_ip_getppid[], plat_sc_ip_seccomp_process[];
extern const char plat_sc_ip_unmap_low[], plat_sc_ip_unmap_high[];

/* Where the seccomp stub sits in the stub page. */
#define SC_CODE_OFFSET 0x100

/* Fixed for the process once the probe and the stub page are done. */
struct sc_layout {
	uintptr_t region;   /* in every stub: the stub page's end */
	size_t region_size; /* up to LINUX_TASK_SIZE */
	uintptr_t stacks;   /* region + 2 pages */
	size_t stack_size;  /* one altstack, a multiple of 64 */
	unsigned slots;     /* guest threads per stub process */
	size_t frame_off;   /* altstack top minus the frame (probed) */
	size_t fp_off;      /* altstack top minus the fpstate (probed) */
	size_t fp_size;     /* xstate_size of the frame's fpstate (probed) */
	uint64_t xfeatures; /* the frame's software bytes (probed) */
	uint64_t uc_flags;  /* what the kernel puts in uc_flags (probed) */
	uint16_t cs, ss;    /* the selectors user code runs with (P12) */
};
extern struct sc_layout sc_layout;

/* The stub address of a label of stub/seccomp.S. */
static inline uintptr_t sc_stub_addr(const char *label)
{
	return stub_layout.sc_code + (uintptr_t)(label - plat_sc_code_begin);
}

/* probe.c (T1) */
int sc_probe(struct plat_probe *pr, char *why, size_t len);
/* stub_fill.c: the seccomp half of the stub page (T2, T3); 0 or -1. */
int sc_stub_fill(unsigned char *page, uintptr_t start, char *why, size_t len);

/* filter.c (T3): the three filters, as classic BPF. */
enum sc_layer {
	SC_LAYER_GUEST = 1, /* a thread that runs guest code */
	SC_LAYER_SERVE = 2, /* a stub process's serving thread (and, below G, its guests) */
	SC_LAYER_MASTER = 4 /* the master (and, below the others, everyone) */
};
/* Writes the filter of layer into out (room for max); returns its length,
 * or -1 with the reason. */
int sc_filter_build(enum sc_layer layer, struct sock_filter *out, size_t max, char *err,
		    size_t errlen);

#ifdef PLAT_TESTING
/* Test-only: the allowlisted instructions (the address the kernel reports,
 * after the syscall), their syscall and the layers that allow them. */
struct sc_test_rule {
	uint64_t ip;
	int nr;
	unsigned layers;
};
size_t sc_test_rules(struct sc_test_rule *out, size_t max);
#endif

/* One slot: a guest thread of a stub process, parked in the handler. */
struct sc_thread {
	struct sc_as *sa;
	unsigned idx;
	pid_t tid;
	bool created;
	bool busy;                         /* a switch runs on it */
	struct plat_ctx *running;          /* ...for this context (time slices) */
	long long since_ns;                /* ...since then (CLOCK_MONOTONIC) */
	struct plat_ctx *_Atomic fp_owner; /* lazy FP (T9) */
	int bound_cpu;                     /* P26: its last CPU, -1: none */
};

/* A stub process: its region, its serving thread, its slots. */
struct sc_as {
	struct plat_as *as;
	bool is_master;
	int memfd, efd, pidfd;
	unsigned char *map;        /* the harness's mapping of the region */
	pthread_mutex_t req_mu;    /* one request to the serving thread at a time */
	pthread_mutex_t poison_mu; /* as->error, then as->dead (sc_as_poison) */
	uint32_t seq;
	pthread_mutex_t mu; /* slots */
	pthread_cond_t cv;
	_Atomic uint32_t slot_gen; /* futex: a slot was freed (or the process died) */
	unsigned slot_waiters;
	unsigned nthreads;
	struct sc_thread slots[SC_SLOTS_MAX];
	/* A slot's thread was seen gone (its word cleared by the kernel), and
	 * the process was killed for it; lone_exit: while the rest of it was
	 * not dying (T8). */
	atomic_bool killed_for_gone, lone_exit;
	/* The watcher reaps the process and records how it ended (T8). */
	bool reaped;
	int status;
};

struct sc_plat {
	struct plat *p;
	struct plat_as *master;
	pthread_t watcher;
	int wake_efd; /* pokes the watcher */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* watcher start, reaped processes */
	bool started, stop;
	int start_err;
	struct sock_fprog *mprog; /* the master's filter */
	atomic_uint spin;         /* adaptive spin budget (T4) */
};

/* region.c: a region and its read-only page. */
int sc_region_new(struct sc_as *sa, char *err, size_t errlen);
void sc_region_free(struct sc_as *sa);
static inline volatile uint32_t *sc_state(struct sc_as *sa, unsigned slot)
{
	return (volatile uint32_t *)(sa->map + SC_PAGE + SC_CTL_FIRST + SC_CTL_SIZE * slot +
				     SC_CTL_STATE);
}
static inline unsigned char *sc_ctl(struct sc_as *sa, unsigned slot)
{
	return sa->map + SC_PAGE + SC_CTL_FIRST + SC_CTL_SIZE * slot;
}
/* The slot's frame and fpstate in the harness's mapping. */
static inline unsigned char *sc_frame(struct sc_as *sa, unsigned slot)
{
	uintptr_t top = sc_layout.stacks + sc_layout.stack_size * (slot + 1);
	return sa->map + (top - sc_layout.frame_off - sc_layout.region);
}
static inline unsigned char *sc_fpstate(struct sc_as *sa, unsigned slot)
{
	uintptr_t top = sc_layout.stacks + sc_layout.stack_size * (slot + 1);
	return sa->map + (top - sc_layout.fp_off - sc_layout.region);
}

/* request.c (T7): one request to a serving thread; 0 or -errno, with
 * -PLAT_ESTUBDEAD when the process died. */
int sc_request(struct sc_as *sa, int op, const uint64_t args[6]);
/* The same with sa->req_mu already held (to read what it left behind). */
int sc_request_locked(struct sc_as *sa, int op, const uint64_t args[6]);
/* Waits for the result of a request already posted (a new process's
 * first report). */
int sc_wait_result(struct sc_as *sa);
int sc_futex_wake(volatile uint32_t *word);
int sc_futex_wait(volatile uint32_t *word, uint32_t val);

/* watcher.c (T8, P25): the harness thread that is every stub's parent. */
int sc_watcher_start(struct sc_plat *sp, char *err, size_t errlen);
void sc_watcher_stop(struct sc_plat *sp);
void sc_watcher_poke(struct sc_plat *sp);
/* Blocks until the watcher reaped sa's process. */
void sc_watcher_wait_reaped(struct sc_plat *sp, struct sc_as *sa);

/* master.c (T7) */
int sc_master_create(struct sc_plat *sp, char *err, size_t errlen);

/* as.c (T7, P22, T8) */
struct plat_as *sc_as_alloc(struct plat *p, bool is_master);
void sc_as_poison(struct plat_as *as, int status, const char *what);
int sc_as_create(struct plat *p, struct plat_as **out);
int sc_as_reset(struct plat_as *as);
void sc_as_destroy(struct plat_as *as);
void sc_as_free(struct plat_as *as);
int sc_map_file(struct plat_as *as, uintptr_t addr, int fd, uint64_t offset, size_t len, int prot,
		bool precommit);
int sc_unmap(struct plat_as *as, uintptr_t addr, size_t len);

/* frame.c (T4, T5, T9): the kernel's signal frame, read and written. */
struct sc_event {
	siginfo_t info;
	struct user_regs_struct regs;
	uint64_t err, trapno;
};
/* Copies the frame of slot once and checks it; 0, or -1 with the reason. */
int sc_frame_read(struct sc_as *sa, unsigned slot, struct sc_event *ev, char *why, size_t len);
void sc_frame_write_regs(struct sc_as *sa, unsigned slot, const struct user_regs_struct *r);
/* FP state between a context's regset layout and the frame's (T9). */
int sc_fp_from_frame(struct sc_as *sa, unsigned slot, void *fp);
void sc_fp_to_frame(struct sc_as *sa, unsigned slot, const void *fp);

/* switch.c (T4) */
void sc_run(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out);
int sc_fp_pull(struct plat_ctx *ctx);
void sc_ctx_release(struct plat_ctx *ctx);
/* Waits for slot's next event, spinning spin pauses first (woke: the
 * run had to wake the stub); 0, or -errno (see switch.c). */
int sc_wait_event(struct sc_as *sa, unsigned slot, unsigned spin, bool woke);
/* Lets slot run, telling its thread to spin that long after its event;
 * true if it slept and was woken. */
bool sc_post_run(struct sc_as *sa, unsigned slot, uint32_t spin);

#endif
