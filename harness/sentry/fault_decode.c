/* The trap number and error code of a fault (S3). Linux puts both in the
 * sigcontext (trapno, err), but ptrace's siginfo carries neither: a #GP,
 * an int $4 (#OF) and a privileged instruction all arrive as SIGSEGV
 * SI_KERNEL with address 0, and x87 (#MF) and SSE (#XM) exceptions as the
 * same SIGFPE codes. The faulting instruction tells them apart.
 *
 * #GP error codes: a segment load (mov/pop to a segment register, lss,
 * lfs, lgs, far jmp/call/ret) that faults on its selector pushes the
 * selector without its RPL bits; int n through a DPL 0 gate pushes the
 * IDT error code n << 3 | 2; everything else here is #GP(0). A segment
 * load that faults for another reason (a non-canonical far target, a null
 * %ss) also pushes 0, which this does not tell apart. */
#include <string.h>

#include "harness/sentry/fault_decode.h"
#include "harness/sentry/kernel.h"

#define INSN_MAX 15

struct insn {
	unsigned char b[INSN_MAX];
	int n;             /* bytes readable at rip */
	int op;            /* index of the opcode, after prefixes and REX */
	unsigned rex;      /* the REX byte's low 4 bits (W R X B) */
	bool opsize;       /* 0x66 */
	bool addr32;       /* 0x67 */
	unsigned char seg; /* 0x64 (fs), 0x65 (gs) or 0 */
};

/* Byte by byte: the instruction may end just before an unmapped page. */
static void insn_fetch(struct task *t, uint64_t rip, struct insn *in)
{
	memset(in, 0, sizeof(*in));
	while (in->n < INSN_MAX && copy_in(t, rip + (uint64_t)in->n, &in->b[in->n], 1) == 0)
		in->n++;
	for (; in->op < in->n; in->op++) {
		unsigned char c = in->b[in->op];
		if (c == 0x66)
			in->opsize = true;
		else if (c == 0x67)
			in->addr32 = true;
		else if (c == 0x64 || c == 0x65)
			in->seg = c;
		else if (c != 0xf0 && c != 0xf2 && c != 0xf3 && c != 0x2e && c != 0x36 &&
			 c != 0x3e && c != 0x26)
			break;
	}
	if (in->op < in->n && (in->b[in->op] & 0xf0) == 0x40)
		in->rex = in->b[in->op++] & 0xf;
}

/* The general registers in encoding order (rax, rcx, ..., r15). */
static uint64_t reg(const struct user_regs_struct *r, unsigned i)
{
	const unsigned long long v[16] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp,
					   r->rsi, r->rdi, r->r8,  r->r9,  r->r10, r->r11,
					   r->r12, r->r13, r->r14, r->r15 };
	return v[i & 15];
}

static int64_t disp(const struct insn *in, int at, int len)
{
	if (len == 1)
		return (int8_t)in->b[at];
	int32_t d;
	memcpy(&d, &in->b[at], 4);
	return d;
}

/* The ModRM operand at in->b[at]: 1 and a register number, 0 and a
 * memory address, -1 if the bytes ran out. No immediate follows in any
 * instruction this is used for, so rip-relative ends at the displacement. */
static int modrm(const struct insn *in, int at, const struct user_regs_struct *r, uint64_t *out)
{
	if (at >= in->n)
		return -1;
	unsigned m = in->b[at], mod = m >> 6, rm = m & 7, p = (unsigned)at + 1;
	if (mod == 3) {
		*out = rm | (in->rex & 1 ? 8 : 0);
		return 1;
	}
	uint64_t ea = 0;
	bool rip_rel = false;
	if (rm == 4) {
		if ((int)p >= in->n)
			return -1;
		unsigned sib = in->b[p++], idx = ((sib >> 3) & 7) | (in->rex & 2 ? 8 : 0);
		if (idx != 4)
			ea = reg(r, idx) << (sib >> 6);
		if ((sib & 7) == 5 && mod == 0)
			mod = 2; /* disp32, no base */
		else
			ea += reg(r, (sib & 7) | (in->rex & 1 ? 8 : 0));
	} else if (rm == 5 && mod == 0) {
		rip_rel = true;
		mod = 2;
	} else {
		ea = reg(r, rm | (in->rex & 1 ? 8 : 0));
	}
	int len = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if ((int)p + len > in->n)
		return -1;
	if (len)
		ea += (uint64_t)disp(in, (int)p, len);
	if (rip_rel)
		ea += r->rip + p + 4;
	if (in->addr32)
		ea &= 0xffffffffu;
	if (in->seg == 0x64)
		ea += r->fs_base;
	else if (in->seg == 0x65)
		ea += r->gs_base;
	*out = ea;
	return 0;
}

static uint64_t sel_at(struct task *t, uint64_t addr)
{
	uint16_t sel;
	return copy_in(t, addr, &sel, 2) == 0 ? sel & 0xfffcu : 0;
}

/* Offset of the selector in a far pointer m16:16/32/64. */
static int far_off(const struct insn *in)
{
	return in->rex & 8 ? 8 : in->opsize ? 2 : 4;
}

static uint64_t gp_error(struct task *t, const struct insn *in)
{
	const struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	int o = in->op;
	if (o >= in->n)
		return 0;
	unsigned c = in->b[o], c2 = o + 1 < in->n ? in->b[o + 1] : 0x100;
	uint64_t v;
	if (c == 0xcd && o + 1 < in->n)
		return (uint64_t)c2 << 3 | 2; /* int n: IDT entry, bit 1 */
	if (c == 0x8e) {                      /* mov Sreg, r/m16 */
		int k = modrm(in, o + 1, r, &v);
		return k < 0 ? 0 : k ? reg(r, (unsigned)v) & 0xfffcu : sel_at(t, v);
	}
	if (c == 0xff && (((c2 >> 3) & 7) == 3 || ((c2 >> 3) & 7) == 5)) /* lcall, ljmp m16:xx */
		return modrm(in, o + 1, r, &v) == 0 ? sel_at(t, v + (uint64_t)far_off(in)) : 0;
	if (c == 0x0f && (c2 == 0xb2 || c2 == 0xb4 || c2 == 0xb5)) /* lss, lfs, lgs */
		return modrm(in, o + 2, r, &v) == 0 ? sel_at(t, v + (uint64_t)far_off(in)) : 0;
	if (c == 0x0f && (c2 == 0xa1 || c2 == 0xa9)) /* pop %fs, pop %gs */
		return sel_at(t, r->rsp);
	if (c == 0xca || c == 0xcb) /* lret: the selector above the offset */
		return sel_at(t, r->rsp + (uint64_t)far_off(in));
	return 0;
}

void fault_gp_info(struct task *t, int *trapno, uint64_t *err)
{
	const struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	unsigned char prev[2];
	/* int $4 goes through the #OF gate, the only other one with DPL 3
	 * besides int3 and int 0x80: a trap, so rip is already past it. A #GP
	 * right after the bytes cd 04 (an immediate, say) would be taken for
	 * it; no fixture or compiler output is known to do that. */
	if (copy_in(t, r->rip - 2, prev, 2) == 0 && prev[0] == 0xcd && prev[1] == 0x04) {
		*trapno = 4;
		*err = 0;
		return;
	}
	struct insn in;
	insn_fetch(t, r->rip, &in);
	*trapno = 13;
	*err = gp_error(t, &in);
}

int fault_fpe_trapno(struct task *t)
{
	struct insn in;
	insn_fetch(t, plat_ctx_regs(t->ctx)->rip, &in);
	/* x87 exceptions are raised by the next waiting x87 instruction (fwait
	 * or d8-df); an SSE instruction raises its own. MMX instructions also
	 * raise a pending x87 one: anything that is neither x87 nor has an
	 * unmasked MXCSR exception flag set counts as x87. */
	if (in.op < in.n && (in.b[in.op] == 0x9b || (in.b[in.op] >= 0xd8 && in.b[in.op] <= 0xdf)))
		return 16;
	const unsigned char *fp = plat_ctx_fpstate(t->ctx, false);
	uint32_t mxcsr = 0;
	if (fp)
		memcpy(&mxcsr, fp + 24, 4); /* FXSAVE layout */
	return mxcsr & ~(mxcsr >> 7) & 0x3f ? 19 : 16;
}
