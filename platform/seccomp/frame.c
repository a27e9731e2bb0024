/* The kernel's x86-64 signal frame in a slot's altstack (T2, T4, T5, T9):
 * the harness reads the guest's registers and FP state out of it and
 * writes the next ones into it; the stub's rt_sigreturn does the rest.
 *
 * The frame is in memory the guest can write (T5), so it is copied once
 * and checked before anything in it is believed, and nothing in it is
 * followed: the FP image is read at the offset the probe measured, never
 * through uc_mcontext.fpregs, and every field the kernel's sigreturn acts
 * on is written by the harness on every run, never left as found. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "platform/seccomp/seccomp.h"

/* arch/x86/include/uapi/asm/sigcontext.h (64-bit) and the rt_sigframe of
 * arch/x86/include/asm/sigframe.h; glibc's ucontext_t is a different
 * (larger) layout. */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};
struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
};
struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext mc;
	uint64_t sigmask;
};
struct k_rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	siginfo_t info;
};
_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext");
_Static_assert(sizeof(struct k_rt_sigframe) == 440, "rt_sigframe");

#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#endif
#ifndef FP_XSTATE_MAGIC2
#define FP_XSTATE_MAGIC2 0x46505845u
#endif
#define FP_SW_BYTES 464 /* struct _fpx_sw_bytes in the FXSAVE area's software part */
#define XSAVE_HEADER 512

static uintptr_t stub_top(unsigned slot)
{
	return sc_layout.stacks + sc_layout.stack_size * (slot + 1);
}

int sc_frame_read(struct sc_as *sa, unsigned slot, struct sc_event *ev, char *why, size_t len)
{
	struct k_rt_sigframe f;
	memcpy(&f, sc_frame(sa, slot), sizeof(f));
	uint64_t fs, gs;
	uint16_t sel[4];
	memcpy(&fs, sc_ctl(sa, slot) + SC_CTL_FS, 8);
	memcpy(&gs, sc_ctl(sa, slot) + SC_CTL_GS, 8);
	memcpy(sel, sc_ctl(sa, slot) + SC_CTL_SEL, sizeof(sel));
	int sig = f.info.si_signo;
	if (sig < 1 || sig > 64 || sig == SIGKILL || sig == SIGSTOP) {
		snprintf(why, len, "slot %u: signal number %d in the frame", slot, sig);
		return -1;
	}
	if (f.uc.mc.fpstate != stub_top(slot) - sc_layout.fp_off ||
	    f.uc.uc_flags != sc_layout.uc_flags) {
		snprintf(why, len,
			 "slot %u: the frame is not the one the kernel writes (fpstate %#lx, flags "
			 "%#lx)",
			 slot, (unsigned long)f.uc.mc.fpstate, (unsigned long)f.uc.uc_flags);
		return -1;
	}
	const struct k_sigcontext *c = &f.uc.mc;
	struct user_regs_struct *r = &ev->regs;
	memset(r, 0, sizeof(*r));
	r->r8 = c->r8, r->r9 = c->r9, r->r10 = c->r10, r->r11 = c->r11;
	r->r12 = c->r12, r->r13 = c->r13, r->r14 = c->r14, r->r15 = c->r15;
	r->rdi = c->di, r->rsi = c->si, r->rbp = c->bp, r->rbx = c->bx;
	r->rdx = c->dx, r->rax = c->ax, r->rcx = c->cx, r->rsp = c->sp;
	r->rip = c->ip, r->eflags = c->flags;
	r->cs = c->cs, r->ss = c->ss;
	r->orig_rax = (unsigned long long)-1;
	r->fs_base = fs, r->gs_base = gs;
	r->ds = sel[0], r->es = sel[1], r->fs = sel[2], r->gs = sel[3];
	ev->info = f.info;
	ev->err = c->err;
	ev->trapno = c->trapno;
	return 0;
}

/* Everything sigreturn acts on, from the harness: the registers (with the
 * stub's own code and stack selectors, P12), the FP image's address, the
 * flags the kernel wrote, the slot's own altstack (restore_altstack()
 * applies uc_stack), an empty signal mask (the guest's mask is the
 * sentry's business), and the TLS bases the handler loads. */
void sc_frame_write_regs(struct sc_as *sa, unsigned slot, const struct user_regs_struct *r)
{
	struct k_ucontext uc;
	memset(&uc, 0, sizeof(uc));
	uc.uc_flags = sc_layout.uc_flags;
	uc.uc_stack.ss_sp = sc_layout.stacks + sc_layout.stack_size * slot;
	uc.uc_stack.ss_size = sc_layout.stack_size;
	struct k_sigcontext *c = &uc.mc;
	c->r8 = r->r8, c->r9 = r->r9, c->r10 = r->r10, c->r11 = r->r11;
	c->r12 = r->r12, c->r13 = r->r13, c->r14 = r->r14, c->r15 = r->r15;
	c->di = r->rdi, c->si = r->rsi, c->bp = r->rbp, c->bx = r->rbx;
	c->dx = r->rdx, c->ax = r->rax, c->cx = r->rcx, c->sp = r->rsp;
	c->ip = r->rip, c->flags = r->eflags;
	c->cs = sc_layout.cs, c->ss = sc_layout.ss;
	c->fpstate = stub_top(slot) - sc_layout.fp_off;
	memcpy(sc_frame(sa, slot) + offsetof(struct k_rt_sigframe, uc), &uc, sizeof(uc));
	memcpy(sc_ctl(sa, slot) + SC_CTL_FS, &r->fs_base, 8);
	memcpy(sc_ctl(sa, slot) + SC_CTL_GS, &r->gs_base, 8);
}

/* The frame's image carries the signal-frame software bytes (magic1,
 * sizes, features) and magic2 after it; a context holds the regset's
 * layout, whose software part has only the feature mask (XCR0) in its
 * first word. Copy once, check, convert (T5, T9). */
int sc_fp_from_frame(struct sc_as *sa, unsigned slot, void *fp)
{
	size_t n = sc_layout.fp_size;
	const unsigned char *src = sc_fpstate(sa, slot);
	unsigned char *b = fp;
	uint32_t m2;
	memcpy(b, src, n);
	memcpy(&m2, src + n, 4);
	uint32_t m1, xsize;
	uint64_t bv, comp;
	memcpy(&m1, b + FP_SW_BYTES, 4);
	memcpy(&xsize, b + FP_SW_BYTES + 16, 4);
	memcpy(&bv, b + XSAVE_HEADER, 8);
	memcpy(&comp, b + XSAVE_HEADER + 8, 8);
	if (m1 != FP_XSTATE_MAGIC1 || m2 != FP_XSTATE_MAGIC2 || xsize != n ||
	    (bv & ~sc_layout.xfeatures) || comp)
		return -EPROTO;
	memset(b + FP_SW_BYTES, 0, XSAVE_HEADER - FP_SW_BYTES);
	memcpy(b + FP_SW_BYTES, &sc_layout.xfeatures, 8);
	return 0;
}

void sc_fp_to_frame(struct sc_as *sa, unsigned slot, const void *fp)
{
	size_t n = sc_layout.fp_size;
	unsigned char *dst = sc_fpstate(sa, slot);
	uint32_t m1 = FP_XSTATE_MAGIC1, ext = (uint32_t)n + 4, xsize = (uint32_t)n;
	uint32_t m2 = FP_XSTATE_MAGIC2;
	memcpy(dst, fp, n);
	memset(dst + FP_SW_BYTES, 0, XSAVE_HEADER - FP_SW_BYTES);
	memcpy(dst + FP_SW_BYTES, &m1, 4);
	memcpy(dst + FP_SW_BYTES + 4, &ext, 4);
	memcpy(dst + FP_SW_BYTES + 8, &sc_layout.xfeatures, 8);
	memcpy(dst + FP_SW_BYTES + 16, &xsize, 4);
	memcpy(dst + n, &m2, 4);
}
