/* The x86-64 signal frame exactly as the kernel lays it out
 * (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h; signal_64.c):
 * a handler may read and change it, and rt_sigreturn takes it back (S6). */
#ifndef HARNESS_SENTRY_SIGFRAME_H
#define HARNESS_SENTRY_SIGFRAME_H

#include <signal.h>
#include <stdint.h>

struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* guest address of the XSAVE (or FXSAVE) image */
	uint64_t reserved1[8];
};

struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask; /* the kernel's sigset_t is 64 bits */
};

struct k_rt_sigframe {
	uint64_t pretcode; /* the restorer: the handler's ret goes there */
	struct k_ucontext uc;
	siginfo_t info;
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext_64");
_Static_assert(sizeof(struct k_ucontext) == 304, "ucontext");
_Static_assert(sizeof(struct k_rt_sigframe) == 440, "rt_sigframe");

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define FP_SW_BYTES_OFFSET 464 /* struct _fpx_sw_bytes in the FXSAVE area */
#define X86_EFLAGS_TF 0x100
#define X86_EFLAGS_DF 0x400
#define X86_EFLAGS_RF 0x10000
/* What rt_sigreturn takes from the frame's flags (FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5UL /* AC OF DF TF SF ZF AF PF CF RF */

#endif
