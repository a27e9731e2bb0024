/*
 * The platform: runs guest code in stub processes and reports every
 * syscall, fault and signal to the caller. Two backends implement it,
 * chosen per instance (plat_options.backend, T1):
 *  - ptrace (the default and the reference): stub threads run under
 *    PTRACE_SYSEMU. Requirement ids P1..P27, ../shared/spec/platform.md.
 *  - seccomp-trap: a seccomp filter in the stub turns every guest syscall
 *    into a SIGSYS whose handler meets the harness in shared memory
 *    (gVisor's systrap design). Requirement ids T1..T12,
 *    ../shared/spec/seccomp.md.
 *
 * Threading rules of the ptrace backend, all forced by ptrace:
 *  - A tracee may only be driven by the thread that attached it, so every
 *    harness thread that calls plat_switch or an injecting operation gets
 *    its own stub thread in that address space (P8).
 *  - A harness thread that exits detaches its stub threads first (a thread
 *    key destructor does it), because PTRACE_O_EXITKILL would otherwise
 *    SIGKILL them, and SIGKILL takes the whole stub process with it.
 *  - In lazy mode a context's FP state may stay resident in a stub thread;
 *    switch a context from one harness thread at a time (S5 does).
 */
#ifndef PLATFORM_PLATFORM_H
#define PLATFORM_PLATFORM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct plat;
struct plat_as;
struct plat_ctx;

/* Error returned when the stub serving the call died (P23). */
#define PLAT_ESTUBDEAD EOWNERDEAD

enum plat_event_kind {
	PLAT_EV_AS_NEW,          /* stub process created from the master (P5) */
	PLAT_EV_AS_REUSE,        /* stub process popped from the pool (P22) */
	PLAT_EV_AS_RELEASE,      /* address space released (pooled or killed) */
	PLAT_EV_MAP_FILE,        /* P21 */
	PLAT_EV_UNMAP,           /* P21 */
	PLAT_EV_THREAD_NEW,      /* a stub thread handed to a tracer thread (P9) */
	PLAT_EV_THREAD_REKEY,    /* a stub thread of a gone tracer re-attached (P8) */
	PLAT_EV_SIGNAL_DISCARDED /* a signal dropped by the filter of P15 */
};

struct plat_event {
	enum plat_event_kind kind;
	void *as_user;         /* plat_as_set_user() value */
	pid_t stub_pid;        /* stub process */
	pid_t stub_tid;        /* THREAD_* */
	uintptr_t addr, len;   /* MAP_FILE, UNMAP */
	uint64_t offset;       /* MAP_FILE */
	int prot;              /* MAP_FILE */
	bool precommit;        /* MAP_FILE */
	int result;            /* MAP_FILE, UNMAP: 0 or -errno */
	const siginfo_t *info; /* SIGNAL_DISCARDED */
};

/* Which implementation runs an instance (T1). */
enum plat_backend {
	PLAT_BACKEND_PTRACE = 0, /* PTRACE_SYSEMU (P1-P27) */
	PLAT_BACKEND_SECCOMP     /* SECCOMP_RET_TRAP + shared memory (T1-T12) */
};

struct plat_options {
	enum plat_backend backend; /* T1 */
	bool full_state;           /* P13, T9: the FP state moves on every switch */
	bool no_stub_seccomp;      /* variant: do not install the P6 filter */
	bool no_pool;              /* variant: kill released stub processes (P22 off) */
	/* P27: the master sets ARCH_SET_CPUID(0), so guest CPUIDs fault (FAULT
	 * exits with maybe_cpuid) and the harness answers them. Off by default:
	 * every switch into and out of a stub then rewrites an MSR, which
	 * traps under a hypervisor. plat_new() fails where the machine has no
	 * CPUID faulting (plat_probe()->cpuid_faulting). */
	bool cpuid_faulting;
	/* P26 off: leave stub threads wherever the scheduler puts them instead
	 * of binding each to its tracer's current CPU (for comparison). */
	bool no_cpu_binding;
	/* Called on the calling thread for every platform event (S11 verbose). */
	void (*on_event)(void *arg, const struct plat_event *ev);
	void *event_arg;
};

/* How FP state moves between a context and a stub thread (P13). */
enum plat_fp_xfer {
	PLAT_FP_XSTATE, /* PTRACE_GETREGSET/SETREGSET NT_X86_XSTATE: all of it */
	PLAT_FP_FPREGS  /* PTRACE_GETFPREGS/SETFPREGS: the 512-byte FXSAVE area only */
};

/* What the kernel and CPU were probed to have (P7, P13; recorded in reports). */
struct plat_probe {
	bool ptrace_before_seccomp; /* P7 */
	bool has_xsave;             /* CPUID.1:ECX.XSAVE && OSXSAVE */
	size_t xsave_cpuid_size;    /* CPUID.(0xD,0):ECX */
	size_t fpstate_size;        /* the layout contexts hold (see plat_ctx_fpstate) */
	enum plat_fp_xfer fp_xfer;  /* the transfer that passed its round trip */
	bool cpuid_faulting;        /* ARCH_SET_CPUID(0) accepted (P27: used only when asked) */
	bool has_fsgsbase;          /* CPUID.(7,0):EBX[0] and enabled by the kernel */
	char vsyscall_mode[8];      /* "xonly", "emulate" or "none" */
	bool exitkill;              /* PTRACE_O_EXITKILL accepted */
	char cpu_vendor[13];
	char kernel_release[65];
	long mmap_min_addr;
	/* Per backend (T1): whether it can run here, and if not, why. */
	bool ptrace_ok;
	char ptrace_missing[160];
	bool seccomp_ok;
	char seccomp_missing[160];
	/* The seccomp-trap backend's probe (T1, T2): the SIGSYS frame. */
	size_t sigframe_size;     /* bytes the kernel's frame takes on the altstack */
	unsigned seccomp_threads; /* stub threads per address space that run guest code */
	/* Whether seccomp traps syscalls 335 (uretprobe) and 336 (uprobe):
	 * recent kernels let them through unfiltered, so they run on the host. */
	bool seccomp_sees_uprobe_calls;
};

enum plat_exit_kind {
	PLAT_EXIT_SYSCALL,   /* regs hold the call; rax == orig_rax (P14) */
	PLAT_EXIT_SIGNAL,    /* a reportable signal (P15); info is valid */
	PLAT_EXIT_FAULT,     /* SIGSEGV: info, access, maybe_cpuid (P16, P17) */
	PLAT_EXIT_INTERRUPT, /* plat_interrupt() (P11, P19); may be spurious */
	PLAT_EXIT_ERROR      /* the stub died (P23): error, stub_pid, stub_status */
};

#define PLAT_ACCESS_READ 1u
#define PLAT_ACCESS_WRITE 2u
#define PLAT_ACCESS_EXEC 4u

struct plat_exit {
	enum plat_exit_kind kind;
	siginfo_t info;  /* a copy owned by the caller (P10) */
	unsigned access; /* FAULT: PLAT_ACCESS_* as P17 infers it (both backends) */
	/* FAULT: PLAT_ACCESS_* from the page-fault error code in the signal
	 * frame (T4), or 0 where the backend cannot know it (ptrace, and
	 * faults that are no page fault). Exact, unlike access; access stays
	 * P17's view so that demand paging, and so the traces, are the same
	 * under both backends. */
	unsigned exact_access;
	bool maybe_cpuid; /* FAULT: may be a faulted CPUID (only with cpuid_faulting, P27) */
	pid_t stub_pid;   /* ERROR */
	int stub_status;  /* ERROR: wait status of the dead stub thread */
	char error[192];  /* ERROR: one line naming the stub and what happened */
};

/* Probes the machine once per process; NULL plus a message in err on failure
 * (for example when ptrace is blocked, or the backend's probe failed: T1).
 * Several instances may coexist, of either backend. */
struct plat *plat_new(const struct plat_options *opts, char *err, size_t errlen);
/* Kills every stub of this instance and frees it. No call may be running. */
void plat_destroy(struct plat *p);
const struct plat_probe *plat_probe(void);
/* Runs the process-wide probes if no instance did yet (for reports):
 * 0, or -1 with the reason in err when even the common part failed. */
int plat_probe_now(char *err, size_t errlen);
/* "ptrace" or "seccomp". */
const char *plat_backend_name(enum plat_backend b);
/* "xstate" or "fpregs": the FP transfer path, for reports. */
const char *plat_fp_xfer_name(enum plat_fp_xfer x);
/* P6, escape check: how many host syscalls stub threads of this platform
 * made outside the injection path (the stub filter's gate stopped them;
 * each also ended its plat_switch() with PLAT_EXIT_ERROR). Always 0 unless
 * the platform is broken; the harness fails a case otherwise. Needs P7's
 * ptrace-before-seccomp order (with the legacy order it stays 0). */
long plat_escapes(struct plat *p);
uintptr_t plat_min_addr(const struct plat *p);
uintptr_t plat_max_addr(const struct plat *p);
/* Non-zero (PLAT_ESTUBDEAD) once the master died; plat_error() says why. */
int plat_dead(struct plat *p);
const char *plat_error(struct plat *p);
const struct plat_options *plat_options(const struct plat *p);

/* Address spaces: 0 or -errno; a dead master gives -PLAT_ESTUBDEAD. */
int plat_as_new(struct plat *p, struct plat_as **out);
void plat_as_set_user(struct plat_as *as, void *user);
pid_t plat_as_pid(const struct plat_as *as);
/* P21: 0, the mmap's -errno, or -PLAT_ESTUBDEAD. */
int plat_map_file(struct plat_as *as, uintptr_t addr, int fd, uint64_t offset, size_t len, int prot,
		  bool precommit);
/* P18, P21: 0 or -PLAT_ESTUBDEAD. */
int plat_unmap(struct plat_as *as, uintptr_t addr, size_t len);
/* P22: pools the stub process, or reaps it when it died. */
void plat_as_release(struct plat_as *as);
/* The message of a poisoned address space, or NULL while it lives. */
const char *plat_as_error(const struct plat_as *as);

/* Contexts: one guest thread's registers and FP state. */
struct plat_ctx *plat_ctx_new(struct plat *p);
void plat_ctx_release(struct plat_ctx *ctx);
/* The general registers; the caller may change them freely (fs_base is TLS). */
struct user_regs_struct *plat_ctx_regs(struct plat_ctx *ctx);
/* The FP state in the kernel's regset layout (XSAVE, or FXSAVE without it).
 * Reading may pull it from the stub; pass for_write when changing it. NULL
 * (with errno) when the stub holding it died. With PLAT_FP_FPREGS on an
 * XSAVE CPU the layout stays XSAVE (what guests' signal frames need), but
 * only the legacy area moves: the header says x87|SSE and the extended
 * components read as their init state. */
void *plat_ctx_fpstate(struct plat_ctx *ctx, bool for_write);
size_t plat_fpstate_size(void);
/* Puts the initial FP state (x87 control word 0x37f, MXCSR 0x1f80, the
 * rest in its init state) in ctx, as for a new thread, execve or a signal
 * handler; -errno when the stub holding the old state died. */
int plat_ctx_fpstate_reset(struct plat_ctx *ctx);

/* Runs the guest until the next event (P10-P17). Returns 0 and fills out. */
int plat_switch(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out);
/* Async-signal-safe, from any thread (P19). */
void plat_interrupt(struct plat_ctx *ctx);

/* Fixed addresses of the stub page (P1), for tests and reports. */
uintptr_t plat_stub_start(void);
uintptr_t plat_stub_end(void);

#ifdef PLAT_TESTING
#include <stdatomic.h>
/* Test-only: inject an arbitrary syscall into an address space (P6, P20).
 * Returns the raw rax, or -PLAT_ESTUBDEAD. */
long plat_test_inject(struct plat_as *as, long nr, const long args[6]);
/* Test-only: take the P24 fatal path on this address space's stub thread. */
void plat_test_fatal(struct plat_as *as) __attribute__((noreturn));
/* Test-only: the tid of the caller's stub thread in as (P8); for the
 * seccomp-trap backend, of its first guest thread (T7). */
pid_t plat_test_thread_tid(struct plat_as *as, bool syscall_pool);
/* Test-only: the master stub's pid (P3, P23). */
pid_t plat_test_master_pid(struct plat *p);
/* Test-only: how many times a stub thread was bound to a CPU (P26). */
extern atomic_long plat_test_cpu_binds;
/* Test-only: while set, plat_switch() resumes the guest with PTRACE_CONT
 * instead of PTRACE_SYSEMU (a simulated escape, P6). */
extern atomic_bool plat_test_resume_cont;
#endif

#endif
