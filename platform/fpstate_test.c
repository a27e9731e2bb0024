/* FP/AVX state across switches (P13, T9), in both state-transfer modes
 * and under both backends: the contract is the same, so the checks are
 * written once and run per backend (suite fpstate: ptrace, P13; suite
 * seccomp: the seccomp-trap backend, T9). */
#include "platform/test_guest.h"

#include <cpuid.h>

#define PATTERN 0x0123456789abcdefULL
#define XMM_OFF(n) (160 + 16 * (n))

GUEST_CODE(fp_avx,
	   "mov $0x0123456789abcdef, %rax\n"
	   "vmovq %rax, %xmm0\n"
	   "vpbroadcastq %xmm0, %ymm0\n"
	   "mov $0x7d, %eax\n"
	   "syscall\n"
	   "vextracti128 $1, %ymm0, %xmm1\n"
	   "vmovq %xmm1, %rdi\n"
	   "vmovq %xmm2, %rsi\n"
	   "vmovq %xmm0, %rdx\n"
	   "mov $0x7e, %eax\n"
	   "syscall\n"
	   "ud2");

GUEST_CODE(fp_show_ymm0,
	   "vmovq %xmm0, %rdi\n"
	   "vextracti128 $1, %ymm0, %xmm1\n"
	   "vmovq %xmm1, %rsi\n"
	   "mov $0x7f, %eax\n"
	   "syscall\n"
	   "ud2");
/* A fixed FP state: x87 stack, SSE and AVX registers, MXCSR, then stop. */
GUEST_CODE(fp_fixed,
	   "fldpi\n fld1\n fldz\n"
	   "mov $0x1f00, %eax\n push %rax\n ldmxcsr (%rsp)\n pop %rax\n"
	   "mov $0x1122334455667788, %rax\n vmovq %rax, %xmm3\n vpbroadcastq %xmm3, %ymm3\n"
	   "mov $0x99aabbccddeeff00, %rax\n vmovq %rax, %xmm9\n vpbroadcastq %xmm9, %ymm9\n"
	   "mov $0x7c, %eax\n syscall\n ud2");

static size_t ymm_hi_offset(void)
{
	unsigned a, b, c, d;
	__cpuid_count(0xd, 2, a, b, c, d);
	return b;
}

static bool have_avx2(void)
{
	unsigned a, b, c, d;
	__cpuid_count(7, 0, a, b, c, d);
	return plat_probe()->has_xsave && (b & (1u << 5));
}

static void setup(struct guest *g, enum plat_backend backend, bool full_state)
{
	struct plat_options o = { .backend = backend, .full_state = full_state };
	guest_setup_opts(g, &o);
}

/* look: the harness reads the state at the first stop and changes xmm2. */
static void avx_survives(enum plat_backend backend, bool full_state, bool look)
{
	struct guest g;
	setup(&g, backend, full_state);
	if (!have_avx2())
		cr_skip("no AVX2/XSAVE on this CPU");
	guest_load(&g, fp_avx, fp_avx_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7d);
	uint64_t want_rsi = 0;
	if (look) {
		const unsigned char *fp = plat_ctx_fpstate(g.ctx, false);
		cr_assert_not_null(fp);
		uint64_t lo, hi;
		memcpy(&lo, fp + XMM_OFF(0), 8);
		memcpy(&hi, fp + ymm_hi_offset(), 8);
		cr_assert_eq(lo, PATTERN, "xmm0 as the harness reads it");
		cr_assert_eq(hi, PATTERN, "ymm0's upper half as the harness reads it");
		unsigned char *w = plat_ctx_fpstate(g.ctx, true);
		want_rsi = 0xfeedfacecafebeefULL;
		memcpy(w + XMM_OFF(2), &want_rsi, 8);
	}
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x7e);
	cr_assert_eq(r->rdi, PATTERN, "ymm0's upper half must survive the switch");
	cr_assert_eq(r->rdx, PATTERN, "xmm0 must survive the switch");
	if (look)
		cr_assert_eq(r->rsi, want_rsi, "the harness's change to xmm2 must reach the guest");
	guest_teardown(&g);
}

/* Two contexts on one stub thread: the second must start from the initial
 * FP state, not see the first one's registers, and the first must get its
 * own state back (lazy: evicted from the stub thread, or from the frame,
 * into its context). */
static void contexts_isolated(enum plat_backend backend, bool full_state)
{
	struct guest g;
	setup(&g, backend, full_state);
	if (!have_avx2())
		cr_skip("no AVX2/XSAVE on this CPU");
	guest_load(&g, fp_avx, fp_avx_end);
	guest_load_second(&g, fp_show_ymm0, fp_show_ymm0_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7d);

	struct plat_ctx *b = guest_second_ctx_run(&g);
	struct user_regs_struct *rb = plat_ctx_regs(b);
	cr_assert_eq(rb->orig_rax, 0x7f);
	cr_assert_eq(rb->rdi, 0, "a new context must not see another's xmm0");
	cr_assert_eq(rb->rsi, 0, "a new context must not see another's ymm0");

	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x7e);
	cr_assert_eq(r->rdi, PATTERN, "the first context's ymm0 must come back");
	cr_assert_eq(r->rdx, PATTERN);
	plat_ctx_release(b);
	guest_teardown(&g);
}

#define PT PLAT_BACKEND_PTRACE
#define SC PLAT_BACKEND_SECCOMP

Test(fpstate, p13_avx_lazy, .description = "P13: AVX state kept, lazy mode")
{
	avx_survives(PT, false, false);
}
Test(fpstate, p13_avx_lazy_harness_rw, .description = "P13: harness reads/writes FP, lazy")
{
	avx_survives(PT, false, true);
}
Test(fpstate, p13_avx_full, .description = "P13: AVX state kept, full-state mode")
{
	avx_survives(PT, true, false);
}
Test(fpstate, p13_avx_full_harness_rw, .description = "P13: harness reads/writes FP, full")
{
	avx_survives(PT, true, true);
}
Test(fpstate, p13_contexts_isolated_lazy, .description = "P13: FP state per context, lazy")
{
	contexts_isolated(PT, false);
}
Test(fpstate, p13_contexts_isolated_full, .description = "P13: FP state per context, full")
{
	contexts_isolated(PT, true);
}

Test(seccomp, t9_avx_lazy, .description = "T9: AVX state kept, lazy")
{
	avx_survives(SC, false, false);
}
Test(seccomp, t9_avx_lazy_harness_rw, .description = "T9: harness reads/writes FP, lazy")
{
	avx_survives(SC, false, true);
}
Test(seccomp, t9_avx_full, .description = "T9: AVX state kept, full_state")
{
	avx_survives(SC, true, false);
}
Test(seccomp, t9_avx_full_harness_rw, .description = "T9: harness reads/writes FP, full_state")
{
	avx_survives(SC, true, true);
}
Test(seccomp, t9_contexts_isolated_lazy, .description = "T9: FP state per context, lazy")
{
	contexts_isolated(SC, false);
}
Test(seccomp, t9_contexts_isolated_full, .description = "T9: FP state per context, full_state")
{
	contexts_isolated(SC, true);
}

/* The image a context holds is the ptrace backend's layout: the same
 * guest code gives the same bytes under both (the software bytes carry
 * the feature mask where the regset does). */
static void fp_image(enum plat_backend b, unsigned char *out, size_t size)
{
	struct guest g;
	struct plat_options o = { .backend = b };
	guest_setup_opts(&g, &o);
	guest_load(&g, fp_fixed, fp_fixed_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7c);
	const unsigned char *fp = plat_ctx_fpstate(g.ctx, false);
	cr_assert_not_null(fp);
	memcpy(out, fp, size);
	guest_teardown(&g);
}

Test(seccomp, t9_same_layout_as_ptrace,
     .description = "T9: the context's FP image is byte for byte the ptrace backend's")
{
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0);
	if (!have_avx2() || !plat_probe()->ptrace_ok)
		cr_skip("needs AVX2 and the ptrace backend");
	size_t n = plat_fpstate_size();
	static unsigned char a[16384], b[16384];
	cr_assert(n <= sizeof a);
	fp_image(PLAT_BACKEND_PTRACE, a, n);
	fp_image(PLAT_BACKEND_SECCOMP, b, n);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(a[i], b[i], "byte %zu: ptrace %#x, seccomp %#x", i, a[i], b[i]);
}
