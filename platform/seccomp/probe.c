/* T1, T10: what the seccomp-trap backend needs from the kernel and CPU,
 * probed once per process, never assumed from a version number:
 *  - FSGSBASE (the TLS bases are not in a signal frame; the handler moves
 *    them with rdfsbase/wrfsbase) and XSAVE (the frame's FP layout);
 *  - pidfd_open (T8: a dead stub is seen at once, never by a timeout);
 *  - SECCOMP_RET_TRAP, as the kernel says
 *    through SECCOMP_GET_ACTION_AVAIL (what build/knockout can deny);
 *  - and, in a throwaway child, the real thing: a filter that tests the
 *    instruction pointer lets one syscall instruction through and traps
 *    another; the SIGSYS frame lands on the altstack at a fixed offset,
 *    with the number, the call address and the XSAVE image with its
 *    magic numbers; a write fault's frame carries the error code. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/seccomp/seccomp.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#define PROBE_STACK 32768
/* x86-64 uretprobe and uprobe: recent kernels (6.18 here, not 6.1) run
 * them without asking seccomp at all, because only the kernel's own
 * trampolines may use them. A guest's call then runs on the host, and
 * outside a trampoline it gets SIGILL (335) or -ENXIO (336) instead of
 * the sentry's answer: a limit of the design, probed, in the fingerprint
 * and in cases/known-failures. Harmless to the host. */
#define NR_URETPROBE 335
#define NR_UPROBE 336

/* Written by the child, read by the parent (shared memory). */
struct probe_out {
	volatile int stage; /* how far the child got */
	volatile int sigsys, sigsegv, sigill;
	volatile int uprobe_calls_trapped; /* SIGSYS for both of them */
	volatile uintptr_t frame, fpregs, call_addr, rip;
	volatile int code, nr;
	volatile unsigned arch;
	volatile uint64_t err, trapno, uc_flags;
	volatile uint32_t magic1, magic2, xstate_size;
	volatile uint64_t xfeatures;
	volatile uint16_t cs, ss;
	char stack[PROBE_STACK] __attribute__((aligned(64)));
};

/* Two syscall instructions: the filter allows the first, traps the
 * second; a write that faults (3 bytes, skipped by the handler). */
__asm__(".pushsection .text\n"
	".globl sc_probe_allowed, sc_probe_trapped, sc_probe_write\n"
	"sc_probe_allowed: mov %edi, %eax\n xor %edi, %edi\n syscall\n ret\n"
	"sc_probe_trapped: mov %edi, %eax\n xor %edi, %edi\n syscall\n ret\n"
	"sc_probe_write: movb $1, (%rdi)\n ret\n"
	".popsection\n");
long sc_probe_allowed(long nr);
long sc_probe_trapped(long nr);
void sc_probe_write(void *p);
#define PROBE_WRITE_LEN 3
#define PROBE_SYSCALL_END 6 /* mov, xor, syscall: 2 bytes each */

static struct probe_out *out;

static void __attribute__((no_sanitize("address", "undefined"))) COV_UNMEASURED
probe_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	if (sig == SIGILL) {
		out->sigill++;
		return;
	}
	/* The uprobe calls only count: where seccomp traps them (before
	 * 6.18 here) their SIGSYS must not overwrite the frame facts of
	 * getcpu's and of the write fault's, which check_frame() reads. */
	if (sig == SIGSYS && out->stage >= 5) {
		out->sigsys++;
		return;
	}
	const unsigned char *fp = (const unsigned char *)uc->uc_mcontext.fpregs;
	out->frame = (uintptr_t)ucv - 8;
	out->fpregs = (uintptr_t)fp;
	out->rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	out->err = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
	out->trapno = (uint64_t)uc->uc_mcontext.gregs[REG_TRAPNO];
	out->uc_flags = uc->uc_flags;
	uint64_t csgsfs = (uint64_t)uc->uc_mcontext.gregs[REG_CSGSFS];
	out->cs = (uint16_t)csgsfs;
	out->ss = (uint16_t)(csgsfs >> 48);
	if (sig == SIGSYS) {
		out->sigsys++;
		out->call_addr = (uintptr_t)si->si_call_addr;
		out->code = si->si_code;
		out->nr = si->si_syscall;
		out->arch = si->si_arch;
		memcpy((void *)&out->magic1, fp + 464, 4);
		memcpy((void *)&out->xfeatures, fp + 472, 8);
		memcpy((void *)&out->xstate_size, fp + 480, 4);
		if (out->xstate_size <= 65536)
			memcpy((void *)&out->magic2, fp + out->xstate_size, 4);
	} else {
		out->sigsegv++;
		uc->uc_mcontext.gregs[REG_RIP] += PROBE_WRITE_LEN;
	}
}

/* Everything here runs in a copy of a multi-threaded process, so only
 * syscalls; its filter traps getcpu, so gcov could not flush anyway. */
static void __attribute__((noreturn)) COV_UNMEASURED probe_child(void *ro_page)
{
	stack_t ss = { out->stack, 0, PROBE_STACK };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = probe_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) || sigaction(SIGSYS, &sa, NULL) ||
	    sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGILL, &sa, NULL))
		_exit(10);
	out->stage = 1;
	uintptr_t ok_ip = (uintptr_t)sc_probe_allowed + PROBE_SYSCALL_END;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_URETPROBE, 6, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_UPROBE, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getcpu, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ok_ip >> 32), 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)ok_ip, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		_exit(11);
	out->stage = 2;
	if (sc_probe_allowed(SYS_getcpu) != 0 || out->sigsys)
		_exit(12); /* the instruction-pointer test let nothing through */
	out->stage = 3;
	if (sc_probe_trapped(SYS_getcpu) != SYS_getcpu || out->sigsys != 1)
		_exit(13); /* no SIGSYS, or rax was not the number */
	out->stage = 4;
	sc_probe_write(ro_page);
	if (out->sigsegv != 1)
		_exit(14);
	out->stage = 5;
	int before = out->sigsys;
	sc_probe_trapped(NR_URETPROBE);
	sc_probe_trapped(NR_UPROBE);
	out->uprobe_calls_trapped = out->sigsys == before + 2;
	_exit(0);
}

static pid_t COV_UNMEASURED fork_probe(void *ro_page)
{
	pid_t pid = fork();
	if (pid == 0)
		probe_child(ro_page);
	return pid;
}

/* What the probe child's exit status says (probe_child's codes). */
static const char *const stage_failures[] = {
	"could not install a handler on an alternate stack",
	"seccomp(SECCOMP_SET_MODE_FILTER) refused a filter",
	"a filter that tests the instruction pointer did not let the stub's syscall through",
	"SECCOMP_RET_TRAP gave no SIGSYS with the syscall number in rax",
	"a write fault gave no SIGSEGV on the alternate stack",
};
#define STAGE_FIRST_CODE 10

static const char *stage_what(int code)
{
	unsigned i = (unsigned)(code - STAGE_FIRST_CODE);
	return i < sizeof(stage_failures) / sizeof(stage_failures[0]) ? stage_failures[i]
								      : "the probe child failed";
}

static int check_frame(struct plat_probe *pr, char *why, size_t len)
{
	uintptr_t lo = (uintptr_t)out->stack, top = lo + PROBE_STACK;
	if (out->code != 1 /* SYS_SECCOMP */ || out->nr != SYS_getcpu ||
	    out->arch != AUDIT_ARCH_X86_64 ||
	    out->call_addr != (uintptr_t)sc_probe_trapped + PROBE_SYSCALL_END)
		snprintf(why, len,
			 "the SIGSYS siginfo is not what SECCOMP_RET_TRAP should give "
			 "(code %d, nr %d, call address %#lx)",
			 out->code, out->nr, (unsigned long)out->call_addr);
	else if (out->frame < lo || out->frame >= top || out->fpregs <= out->frame ||
		 out->fpregs >= top)
		snprintf(why, len, "the SIGSYS frame is not on the alternate stack");
	else if (out->magic1 != 0x46505853 || out->magic2 != 0x46505845 ||
		 (pr->fpstate_size && out->xstate_size != pr->fpstate_size))
		snprintf(
			why, len,
			"the SIGSYS frame's XSAVE image is not the regset's (size %u, expected %zu)",
			out->xstate_size, pr->fpstate_size);
	else if (out->trapno != 14 || !(out->err & 2))
		snprintf(why, len,
			 "a write fault's frame has no page-fault error code with the write bit");
	else {
		sc_layout.frame_off = top - out->frame;
		sc_layout.fp_off = top - out->fpregs;
		sc_layout.fp_size = out->xstate_size;
		sc_layout.xfeatures = out->xfeatures;
		sc_layout.uc_flags = out->uc_flags;
		sc_layout.cs = out->cs;
		sc_layout.ss = out->ss;
		pr->sigframe_size = sc_layout.frame_off;
		pr->seccomp_sees_uprobe_calls = out->uprobe_calls_trapped;
		if (!pr->fpstate_size) /* ptrace could not tell: take the kernel's */
			pr->fpstate_size = out->xstate_size;
		return 0;
	}
	return -1;
}

static int probe_live(struct plat_probe *pr, char *why, size_t len)
{
	size_t size = (sizeof(struct probe_out) + 4095) & ~(size_t)4095;
	out = mmap(NULL, size + 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (out == MAP_FAILED) {
		snprintf(why, len, "mmap for the seccomp probe: %s", strerror(errno));
		return -1;
	}
	void *ro = (char *)out + size;
	mprotect(ro, 4096, PROT_READ);
	int rc = -1, status = 0;
	pid_t pid = fork_probe(ro);
	if (pid < 0)
		snprintf(why, len, "fork for the seccomp probe: %s", strerror(errno));
	else if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		snprintf(why, len, "the seccomp probe child died (wait status %#x, stage %d)",
			 status, out->stage);
	else if (WEXITSTATUS(status) != 0)
		snprintf(why, len, "%s", stage_what(WEXITSTATUS(status)));
	else
		rc = check_frame(pr, why, len);
	munmap(out, size + 4096);
	return rc;
}

static int action_avail(uint32_t action, const char *name, char *why, size_t len)
{
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
		return 0;
	snprintf(why, len, "%s is not available (seccomp SECCOMP_GET_ACTION_AVAIL: %s)", name,
		 strerror(errno));
	return -1;
}

int sc_probe(struct plat_probe *pr, char *why, size_t len)
{
	if (!pr->has_fsgsbase) {
		snprintf(
			why, len,
			"no FSGSBASE (CPU or kernel before 5.9): the stub could not move the TLS base");
		return -1;
	}
	if (!pr->has_xsave) {
		snprintf(why, len,
			 "no XSAVE: the signal frame's FP layout is not the one contexts hold");
		return -1;
	}
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd < 0) {
		snprintf(why, len,
			 "pidfd_open: %s (Linux 5.3 and later): a dead stub could not be seen",
			 strerror(errno));
		return -1;
	}
	close(fd);
	if (action_avail(SECCOMP_RET_TRAP, "SECCOMP_RET_TRAP", why, len))
		return -1;
	long minsig = (long)getauxval(AT_MINSIGSTKSZ);
	if (probe_live(pr, why, len))
		return -1;
	sc_layout.stack_size = (sc_layout.frame_off + 64 + 63) & ~(size_t)63;
	if ((size_t)minsig > sc_layout.stack_size)
		sc_layout.stack_size = ((size_t)minsig + 63) & ~(size_t)63;
	return 0;
}
