/* S10-S12: the syscall table and dispatch. Any number the table lacks,
 * including numbers no kernel has, is answered -ENOSYS and traced as not
 * emulated: the guest never reaches the host (S12). */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/mm.h"
#include "harness/sentry/trace.h"

#define TABLE_SIZE 512

/* RLIMIT_NPROC (limits.c) before any new task. Linux checks it after the
 * flags, so a bad clone at the limit says EAGAIN here, not EINVAL. A new
 * address space that the case's memory refused is noted too. */
static long limited(struct task *t, const uint64_t *a, syscall_fn fn)
{
	long e = limits_new_task(t);
	if (e)
		return e;
	long r = fn(t, a);
	limits_note_memory(t, r, mm_total(t->proc->mm));
	return r;
}

/* CLONE_SETTLS with an fs base no user address can be: Linux's
 * copy_thread refuses it like ARCH_SET_FS (EPERM); letting it through
 * made the platform's register write fail, which is fatal (P24). Found by
 * a hostile guest. */

static long limited_clone(struct task *t, const uint64_t *a)
{
	if ((a[0] & CLONE_SETTLS) && a[4] >= LINUX_TASK_SIZE)
		return -EPERM;
	return limited(t, a, sys_clone);
}

static long limited_fork(struct task *t, const uint64_t *a)
{
	return limited(t, a, sys_fork);
}

static long limited_vfork(struct task *t, const uint64_t *a)
{
	return limited(t, a, sys_vfork);
}

static const syscall_fn table[TABLE_SIZE] = {
	[SYS_read] = sys_read,
	[SYS_write] = sys_write,
	[SYS_close] = sys_close,
	[SYS_fstat] = sys_fstat,
	[SYS_lseek] = sys_lseek,
	[SYS_mmap] = sys_mmap,
	[SYS_mprotect] = sys_mprotect,
	[SYS_munmap] = sys_munmap,
	[SYS_brk] = sys_brk,
	[SYS_rt_sigaction] = sys_rt_sigaction,
	[SYS_rt_sigprocmask] = sys_rt_sigprocmask,
	[SYS_ioctl] = sys_ioctl,
	[SYS_pread64] = sys_pread64,
	[SYS_pwrite64] = sys_pwrite64,
	[SYS_readv] = sys_readv,
	[SYS_writev] = sys_writev,
	[SYS_pipe] = sys_pipe,
	[SYS_sched_yield] = sys_sched_yield,
	[SYS_mremap] = sys_mremap,
	[SYS_madvise] = sys_madvise,
	[SYS_dup] = sys_dup,
	[SYS_dup2] = sys_dup2,
	[SYS_getpid] = sys_getpid,
	[SYS_exit] = sys_exit,
	[SYS_kill] = sys_kill,
	[SYS_uname] = sys_uname,
	[SYS_fcntl] = sys_fcntl,
	[SYS_readlink] = sys_readlink,
	[SYS_gettimeofday] = sys_gettimeofday,
	[SYS_getrlimit] = sys_getrlimit,
	[SYS_getuid] = sys_getuid,
	[SYS_getgid] = sys_getuid,
	[SYS_geteuid] = sys_getuid,
	[SYS_getegid] = sys_getuid,
	[SYS_getppid] = sys_getppid,
	[SYS_arch_prctl] = sys_arch_prctl,
	[SYS_gettid] = sys_gettid,
	[SYS_time] = sys_time,
	[SYS_tkill] = sys_tkill,
	[SYS_set_tid_address] = sys_set_tid_address,
	[SYS_clock_gettime] = sys_clock_gettime,
	[SYS_clock_getres] = sys_clock_getres,
	[SYS_exit_group] = sys_exit_group,
	[SYS_tgkill] = sys_tgkill,
	[SYS_newfstatat] = sys_newfstatat,
	[SYS_readlinkat] = sys_readlinkat,
	[SYS_set_robust_list] = sys_set_robust_list,
	[SYS_dup3] = sys_dup3,
	[SYS_pipe2] = sys_pipe2,
	[SYS_prlimit64] = sys_prlimit64,
	[SYS_getcpu] = sys_getcpu,
	[SYS_getrandom] = sys_getrandom,
	[SYS_rt_sigreturn] = sys_rt_sigreturn,
	[SYS_sigaltstack] = sys_sigaltstack,
	[SYS_rt_sigpending] = sys_rt_sigpending,
	[SYS_rt_sigsuspend] = sys_rt_sigsuspend,
	[SYS_rt_sigtimedwait] = sys_rt_sigtimedwait,
	[SYS_rt_sigqueueinfo] = sys_rt_sigqueueinfo,
	[SYS_rt_tgsigqueueinfo] = sys_rt_tgsigqueueinfo,
	[SYS_pause] = sys_pause,
	[SYS_nanosleep] = sys_nanosleep,
	[SYS_clock_nanosleep] = sys_clock_nanosleep,
	[SYS_restart_syscall] = sys_restart_syscall,
	[SYS_alarm] = sys_alarm,
	[SYS_setitimer] = sys_setitimer,
	[SYS_getitimer] = sys_getitimer,
	[SYS_clone] = limited_clone,
	[SYS_fork] = limited_fork,
	[SYS_vfork] = limited_vfork,
	[SYS_execve] = sys_execve,
	[SYS_wait4] = sys_wait4,
	[SYS_waitid] = sys_waitid,
	[SYS_futex] = sys_futex,
	[SYS_poll] = sys_poll,
	[SYS_ppoll] = sys_ppoll,
	/* rseq and clone3 are deliberately absent: -ENOSYS makes glibc fall
	 * back to what the sentry has. */
};

syscall_fn syscall_lookup(long nr)
{
	return nr >= 0 && nr < TABLE_SIZE ? table[nr] : NULL;
}

static int trace_read(void *arg, uintptr_t addr, void *buf, size_t len)
{
	return copy_in(arg, addr, buf, len);
}

static bool is_int80(struct task *t)
{
	unsigned char insn[2];
	const struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	return copy_in(t, r->rip - 2, insn, 2) == 0 && insn[0] == 0xcd && insn[1] == 0x80;
}

void syscall_dispatch(struct task *t)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	/* Linux takes the number from the low 32 bits of rax (a negative int,
	 * or an x32 number with bit 30, is no syscall of ours). */
	long raw = (long)r->orig_rax; /* traced as issued; rt_sigreturn changes it */
	long nr = (int)(uint32_t)raw;
	const uint64_t a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
	if (is_int80(t)) {
		/* S12: a 32-bit syscall through int 0x80 (hosts with IA32
		 * emulation report it as a syscall stop) is not emulated. */
		trace_note(
			t->trace,
			"int 0x80 (32-bit syscall eax=%ld) = -1 ENOSYS (Function not implemented) [not emulated]",
			nr);
		r->rax = (uint64_t)-ENOSYS;
		return;
	}
	syscall_fn fn = t->proc->k->fs ? fs_syscall_lookup(nr) : NULL;
	if (!fn)
		fn = syscall_lookup(nr);
	/* rt_sigreturn takes no arguments; its trace line reads the frame at
	 * the stack pointer it was called with, which it then replaces. */
	uint64_t targs[6] = {
		nr == SYS_rt_sigreturn ? r->rsp : a[0], a[1], a[2], a[3], a[4], a[5]
	};
	long ret = fn ? fn(t, a) : -ENOSYS;
	struct trace_mem mem = { t, trace_read };
	if (!t->traced)
		trace_syscall(t->trace, &mem, raw, targs, ret, fn != NULL);
	t->traced = false;
	r->rax = (uint64_t)ret;
	signal_restart_after(t, ret);
}
