/* P13: FP/AVX state across switches, in both state-transfer modes. */
#include "platform/test_guest.h"

#include <cpuid.h>

#define PATTERN 0x0123456789abcdefULL
#define XMM_OFF(n) (160 + 16 * (n))

GUEST_CODE(g_avx,
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

GUEST_CODE(g_show_ymm0,
	   "vmovq %xmm0, %rdi\n"
	   "vextracti128 $1, %ymm0, %xmm1\n"
	   "vmovq %xmm1, %rsi\n"
	   "mov $0x7f, %eax\n"
	   "syscall\n"
	   "ud2");

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

/* look: the harness reads the state at the first stop and changes xmm2. */
static void avx_survives(bool full_state, bool look)
{
	struct guest g;
	guest_setup(&g, full_state);
	if (!have_avx2())
		cr_skip("no AVX2/XSAVE on this CPU");
	guest_load(&g, g_avx, g_avx_end);
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

Test(fpstate, p13_avx_lazy, .description = "P13: AVX state kept, lazy mode")
{
	avx_survives(false, false);
}
Test(fpstate, p13_avx_lazy_harness_rw, .description = "P13: harness reads/writes FP, lazy")
{
	avx_survives(false, true);
}
Test(fpstate, p13_avx_full, .description = "P13: AVX state kept, full-state mode")
{
	avx_survives(true, false);
}
Test(fpstate, p13_avx_full_harness_rw, .description = "P13: harness reads/writes FP, full")
{
	avx_survives(true, true);
}

/* Two contexts on one stub thread: the second must start from the initial
 * FP state, not see the first one's registers, and the first must get its
 * own state back (lazy eviction). */
static void contexts_isolated(bool full_state)
{
	struct guest g;
	guest_setup(&g, full_state);
	if (!have_avx2())
		cr_skip("no AVX2/XSAVE on this CPU");
	guest_load(&g, g_avx, g_avx_end);
	guest_load_second(&g, g_show_ymm0, g_show_ymm0_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7d);

	struct plat_ctx *b = guest_second_ctx_run(&g);
	struct user_regs_struct *rb = plat_ctx_regs(b);
	cr_assert_eq(rb->rdi, 0, "a new context must not see another's xmm0");
	cr_assert_eq(rb->rsi, 0, "a new context must not see another's ymm0");

	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->rdi, PATTERN, "the first context's ymm0 must come back");
	cr_assert_eq(r->rdx, PATTERN);
	plat_ctx_release(b);
	guest_teardown(&g);
}

Test(fpstate, p13_contexts_isolated_lazy, .description = "P13: FP state per context, lazy")
{
	contexts_isolated(false);
}
Test(fpstate, p13_contexts_isolated_full, .description = "P13: FP state per context, full")
{
	contexts_isolated(true);
}
