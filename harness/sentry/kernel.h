/* The sentry's internal state: processes (S9) made of tasks (S5), each
 * task run by a harness thread of its own (as the reference design runs
 * each task on its own OS-thread-locked goroutine), so the platform sees
 * several tracer threads per address space (P8).
 *
 * Locking: one kernel lock (struct kernel.mu) guards all of it. A task
 * holds it except while its guest code runs (plat_switch) and while it
 * sleeps (pthread_cond_wait on kernel.cv, which every change that could
 * end a sleep broadcasts). Simple, and plenty for a conformance suite. */
#ifndef HARNESS_SENTRY_KERNEL_H
#define HARNESS_SENTRY_KERNEL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "harness/sentry/limits.h"
#include "platform/linux_abi.h"
#include "harness/sentry/sentry.h"

struct memfile;
struct mm;
struct trace;
struct file;
struct fs_view;

#define MAX_FDS 256

/* S7: the kernel-internal results a syscall gives when a signal interrupts
 * it; the restart rules (signal.c) turn them into a restart or EINTR. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
#define VIRTUAL_PID 1000 /* S9: virtual ids start at a fixed value */

struct fdtable {
	int refs; /* shared by CLONE_FILES */
	struct file *fd[MAX_FDS];
	bool cloexec[MAX_FDS];
};

struct timers;
struct task;
struct futex_waiter;

/* S6: one queued instance of a pending signal with its siginfo (the
 * kernel's struct sigqueue). A pending set is a bit mask plus a list of
 * these in arrival order: real-time signals queue every instance, a
 * standard one has at most one (legacy_queue), and a pending bit with no
 * entry is a signal whose siginfo was lost to the queue limit. */
struct sigqueue {
	siginfo_t info;
	struct sigqueue *next;
};

/* vm.c: an address space and the number of processes using it (S2, S9). */
struct vm {
	struct mm *mm;
	struct plat_as *as;
	struct memfile *mf;
	int users; /* processes: CLONE_VM and vfork children share */
};

struct kernel {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const struct sentry_config *cfg;
	struct memfile *mf; /* S1: one memory file for the whole case */
	struct proc *init;  /* the first process: its end ends the case */
	struct proc *procs; /* every process, live or zombie */
	int next_pid;
	int running;        /* task threads not yet finished */
	pthread_t *threads; /* every task thread started, joined at the end */
	size_t nthreads, cap_threads;
	int timers; /* timer threads not yet finished */
	struct futex_waiter *futexes;
	/* Queued siginfos of every process (one user): RLIMIT_SIGPENDING
	 * bounds them as the user's sigpending count does on Linux. */
	long sigqueued;
	struct sentry_result *res;
	uint64_t output_bytes;      /* stdout + stderr, against cfg->output_limit */
	bool ending;                /* init is gone: every task must go */
	struct limits_watch *watch; /* RLIMIT_CPU watchdog (limits.c) */
	struct fs_view *fs;         /* NULL: no file system (fs/view.h) */
	unsigned next_pipe_id;      /* pipe:[N] in /proc/PID/fd: creation order */
};

struct proc {
	struct kernel *k;
	const struct sentry_config *cfg;
	struct timers *timers;
	struct memfile *mf;
	struct vm *vm; /* NULL once the process is gone */
	struct mm *mm; /* vm's, for the many that need only these */
	struct plat_as *as;
	int exit_signal;         /* sent to the parent at the end; 0: none (clone) */
	uint64_t exec_id;        /* execs so far: a parent that exec'd gets SIGCHLD */
	uint64_t parent_exec_id; /* the parent's exec_id when we were made */
	struct fdtable *fds;
	int pid;
	struct proc *parent, *next;
	struct task *tasks; /* live tasks; the process ends with the last */
	int ntasks;
	bool exiting;            /* exit_group or a fatal signal: tasks go */
	int exit_status;         /* wait status once exiting */
	bool core_action;        /* killed by a signal whose default dumps core */
	bool stopped;            /* group stop (S6): tasks wait for SIGCONT */
	int stop_report;         /* for wait4: 0, or a WUNTRACED/WCONTINUED status */
	bool zombie;             /* all tasks gone, waiting for wait4 */
	bool vfork_done;         /* the vfork parent may go on */
	uint64_t shared_pending; /* process-directed signals (kill, timers) */
	struct sigqueue *shared_q;
	struct k_sigaction {
		uint64_t handler, flags, restorer, mask;
	} act[LINUX_NSIG];
	struct rlimit rlim[RLIM_NLIMITS];
	struct limits_cpu cpu; /* RLIMIT_CPU bookkeeping (limits.c) */
	uint64_t random_state; /* getrandom: deterministic (S4, S11) */
	char exe[4096];
	/* With a filesystem view: the working directory (a guest path, shared
	 * by the threads as CLONE_FS shares it), the umask, and argv for
	 * /proc/PID/cmdline. */
	char cwd[4096];
	int cwd_fd; /* O_PATH of the cwd in the view, or -1: a
				  * removed cwd still opens as "." */
	unsigned umask;
	char *cmdline;
	size_t cmdline_len;
	int nice; /* setpriority (sys_identity.c) */
};

struct task {
	struct proc *proc;
	struct task *next; /* in proc->tasks */
	pthread_t thread;
	struct plat_ctx *ctx;
	struct trace *trace;
	int tid;
	bool in_guest; /* inside plat_switch: reach it with plat_interrupt */
	bool traced;   /* the syscall traced itself (execve) */
	uint64_t sigmask;
	uint64_t clear_child_tid;
	uint64_t robust_list, robust_len;
	bool exited;
	/* S6: pending signals with their queued siginfos (struct sigqueue),
	 * and the alternate stack. */
	uint64_t pending;
	struct sigqueue *pending_q;
	uint64_t trapno, err, cr2; /* the last fault, for the frame's sigcontext */
	struct {
		uint64_t sp;
		int flags;
		uint64_t size;
	} altstack;
	/* S7: what the last syscall returned, for the restart rules. */
	long restart_nr; /* orig_rax of an interrupted call, or -1 */
	/* fn: what restart_syscall resumes (NULL: EINTR); the sleeps use
	 * deadline_ns (virtual) and rem; futex_wait_restart the rest, with
	 * deadline_ns a host time. */
	struct restart_block {
		long (*fn)(struct task *, const uint64_t *);
		uint64_t deadline_ns;
		uint64_t rem;
		int clock;
		uint64_t uaddr;
		uint32_t val, bitset;
		bool private_futex;
		uint64_t ufds, nfds; /* poll's do_restart_poll */
		bool timed;
	} restart;
	uint64_t saved_sigmask; /* rt_sigsuspend: restored after the handler */
	bool restore_sigmask;
};

/* task.c: the task threads. */
struct task *task_new(struct proc *p, struct task *parent);
int task_start(struct task *t);
void task_run(struct task *t);
void kernel_wake(struct kernel *k);
/* Blocks (kernel lock released) until woken, the deadline (host ns) passes
 * or a signal or kill is pending: -EINTR then. 0 when woken, -ETIMEDOUT. */
int task_wait(struct task *t, uint64_t host_deadline);
bool task_must_stop(struct task *t);

/* process.c (S9) */
void proc_exit_group(struct proc *p, int status);
void proc_task_gone(struct task *t);
struct proc *proc_new(struct kernel *k, struct proc *parent);
void proc_free(struct proc *p);
long sys_clone(struct task *, const uint64_t *);
long sys_fork(struct task *, const uint64_t *);
long sys_vfork(struct task *, const uint64_t *);
long sys_execve(struct task *, const uint64_t *);
long sys_wait4(struct task *, const uint64_t *);
long sys_waitid(struct task *, const uint64_t *);
/* The case ends: every task goes, running ones interrupted (P19). */
void kernel_end(struct kernel *k);
long sys_futex(struct task *, const uint64_t *);
struct task *kernel_find_task(struct kernel *k, int tid);
/* vm.c: new (empty) and copy (fork) give p a vm of its own, 0 or -errno. */
int vm_new(struct proc *p);
int vm_copy(struct proc *p, const struct vm *src);
void vm_share(struct proc *p, struct vm *vm);
void vm_detach(struct proc *p);
/* program.c (S4): a program image read once, checked, loaded, started. */
struct load_result;
struct program_image {
	uint8_t *bytes;
	size_t size;
};
struct program_name {
	const char *path; /* the host file */
	const char *exe;  /* the guest's view: AT_EXECFN, /proc/self/exe */
};
/* 0, or -errno with one line naming the file and the problem in err. */
int program_read(const char *path, struct program_image *img, char *err, size_t errlen);
void program_free(struct program_image *img);
/* 0 when the loader accepts the image (nothing is mapped), else -1. */
int program_check(const struct program_image *img, const char *path, char *err, size_t errlen);
/* Into p's current (fresh) address model; kernel lock held or no other
 * task yet. 0 or -errno. */
int program_load(struct proc *p, const struct program_image *img, const struct program_name *name,
		 char *const *argv, char *const *envp, struct load_result *lr, char *err,
		 size_t errlen);
void program_start_regs(struct task *t, const struct load_result *lr);
void futex_wake_addr(struct task *t, uint64_t addr, int n);

/* signal.c (S6, S7) */
#define SIGBIT(sig) (1ULL << ((sig)-1))
/* 0, or -EAGAIN: a real-time signal sent with a siginfo (not kill's
 * SI_USER) found the queue full (RLIMIT_SIGPENDING). */
int signal_send(struct task *t, const siginfo_t *si);
int signal_send_proc(struct proc *p, const siginfo_t *si);
/* dequeue_signal: the next signal of mask, from t's own set first, then
 * the process's (synchronous signals first, then the lowest number); its
 * siginfo in *si. 0 when none is pending. */
int signal_dequeue(struct task *t, uint64_t mask, siginfo_t *si);
/* Drops every pending instance of the signals in mask from p's shared set
 * and each of its tasks' own (SIG_IGN, SIGCONT and stop signals). */
void signal_discard(struct proc *p, uint64_t mask);
/* sigqueue.c: queue si into t's own or p's shared pending set (no
 * delivery, no wake-up); 0 or -EAGAIN as signal_send. */
int sigqueue_task(struct task *t, const siginfo_t *si);
int sigqueue_proc(struct proc *p, const siginfo_t *si);
/* Frees a pending list when its task or process goes. */
void signal_queue_free(struct kernel *k, struct sigqueue **q);
void signal_force_fault(struct task *t, const siginfo_t *si, int trapno, uint64_t err);
void signal_force(struct task *t, const siginfo_t *si);
bool signal_pending(struct task *t);
void signal_deliver(struct task *t);
void signal_restart_after(struct task *t, long ret);
void proc_stop(struct proc *p, int sig);
void proc_continue(struct proc *p);

/* time.c (S8): the process's real timer and interruptible sleeps. */
int timers_start(struct proc *p);
void timers_stop(struct proc *p);
/* Sleeps until the virtual clock reaches deadline_ns (0: for ever) or a
 * signal is pending: 0 when the time came, -EINTR when interrupted. */
int task_sleep(struct task *t, uint64_t deadline_ns);
uint64_t vclock_ns(int clock);
uint64_t host_now_ns(void);

/* A syscall handler: the raw result (value or -errno). */
typedef long (*syscall_fn)(struct task *t, const uint64_t a[6]);
syscall_fn syscall_lookup(long nr);
/* fs/table.c: what a sentry with a filesystem view adds (NULL: the base
 * table's answer). */
syscall_fn fs_syscall_lookup(long nr);
void syscall_dispatch(struct task *t);

/* Guest memory (S1): 0 or -EFAULT. */
int copy_in(struct task *t, uint64_t addr, void *dst, size_t len);
int copy_out(struct task *t, uint64_t addr, const void *src, size_t len);

/* Guest death by signal, default action (S3, S6). */
void task_kill(struct task *t, int sig, const siginfo_t *si);
void task_exit(struct task *t, int code);

/* Virtual clock (S8): fixed start, advancing with real elapsed time. */
void vclock_get(int clock, struct timespec *ts);

/* Files (S10). */
int fdtable_init(struct proc *p);
struct fdtable *fdtable_copy(struct fdtable *f);
void fdtable_put(struct fdtable *f);
void fdtable_close_on_exec(struct fdtable *f);

/* Handlers, grouped by subject; each file registers into the table. */
long sys_read(struct task *, const uint64_t *);
long sys_write(struct task *, const uint64_t *);
long sys_readv(struct task *, const uint64_t *);
long sys_writev(struct task *, const uint64_t *);
long sys_pread64(struct task *, const uint64_t *);
long sys_pwrite64(struct task *, const uint64_t *);
long sys_preadv(struct task *, const uint64_t *);
long sys_pwritev(struct task *, const uint64_t *);
long sys_lseek(struct task *, const uint64_t *);
long sys_close(struct task *, const uint64_t *);
long sys_dup(struct task *, const uint64_t *);
long sys_dup2(struct task *, const uint64_t *);
long sys_dup3(struct task *, const uint64_t *);
long sys_pipe(struct task *, const uint64_t *);
long sys_pipe2(struct task *, const uint64_t *);
long sys_fcntl(struct task *, const uint64_t *);
long sys_ioctl(struct task *, const uint64_t *);
long sys_fstat(struct task *, const uint64_t *);
long sys_newfstatat(struct task *, const uint64_t *);
long sys_readlinkat(struct task *, const uint64_t *);
long sys_readlink(struct task *, const uint64_t *);
long sys_poll(struct task *, const uint64_t *);
long sys_ppoll(struct task *, const uint64_t *);

long sys_brk(struct task *, const uint64_t *);
long sys_mmap(struct task *, const uint64_t *);
long sys_munmap(struct task *, const uint64_t *);
long sys_mprotect(struct task *, const uint64_t *);
long sys_madvise(struct task *, const uint64_t *);
long sys_mremap(struct task *, const uint64_t *);

long sys_exit(struct task *, const uint64_t *);
long sys_exit_group(struct task *, const uint64_t *);
long sys_getpid(struct task *, const uint64_t *);
long sys_gettid(struct task *, const uint64_t *);
long sys_getppid(struct task *, const uint64_t *);
long sys_getuid(struct task *, const uint64_t *);
long sys_getgid(struct task *, const uint64_t *);
#define NGROUPS_MAX_GUEST 65536
long sys_getgroups(struct task *, const uint64_t *);
long sys_getpriority(struct task *, const uint64_t *);
long sys_setpriority(struct task *, const uint64_t *);
long sys_sched_getaffinity(struct task *, const uint64_t *);
long sys_getrusage(struct task *, const uint64_t *);
long sys_sendfile(struct task *, const uint64_t *);
/* The guest's identity: the fixed 1000, or the host's with host_ids. */
unsigned sentry_uid(struct task *t);
unsigned sentry_gid(struct task *t);
long sys_uname(struct task *, const uint64_t *);
long sys_arch_prctl(struct task *, const uint64_t *);
long sys_set_tid_address(struct task *, const uint64_t *);
long sys_set_robust_list(struct task *, const uint64_t *);
long sys_prlimit64(struct task *, const uint64_t *);
long sys_getrlimit(struct task *, const uint64_t *);
long sys_getrandom(struct task *, const uint64_t *);
long sys_clock_gettime(struct task *, const uint64_t *);
long sys_clock_getres(struct task *, const uint64_t *);
long sys_gettimeofday(struct task *, const uint64_t *);
long sys_time(struct task *, const uint64_t *);
long sys_sched_yield(struct task *, const uint64_t *);
long sys_getcpu(struct task *, const uint64_t *);

long sys_rt_sigaction(struct task *, const uint64_t *);
long sys_rt_sigreturn(struct task *, const uint64_t *);
long sys_sigaltstack(struct task *, const uint64_t *);
long sys_rt_sigpending(struct task *, const uint64_t *);
long sys_rt_sigsuspend(struct task *, const uint64_t *);
long sys_rt_sigtimedwait(struct task *, const uint64_t *);
long sys_rt_sigqueueinfo(struct task *, const uint64_t *);
long sys_rt_tgsigqueueinfo(struct task *, const uint64_t *);
long sys_pause(struct task *, const uint64_t *);
long sys_nanosleep(struct task *, const uint64_t *);
long sys_clock_nanosleep(struct task *, const uint64_t *);
long sys_restart_syscall(struct task *, const uint64_t *);
long sys_alarm(struct task *, const uint64_t *);
long sys_setitimer(struct task *, const uint64_t *);
long sys_getitimer(struct task *, const uint64_t *);
long sys_rt_sigprocmask(struct task *, const uint64_t *);
long sys_kill(struct task *, const uint64_t *);
long sys_tgkill(struct task *, const uint64_t *);
long sys_tkill(struct task *, const uint64_t *);

#endif
