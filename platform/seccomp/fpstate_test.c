/* T9: FP/AVX state through the frame's XSAVE image, lazy (read when the
 * sentry asks, written back when changed) and full_state (every switch),
 * and the layout contexts hold, the same as the ptrace backend's. */
#include "platform/test_guest.h"

#include <cpuid.h>

#define PATTERN 0x0123456789abcdefULL
#define XMM_OFF(n) (160 + 16 * (n))

GUEST_CODE(sc_avx,
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
GUEST_CODE(sc_show_ymm0,
	   "vmovq %xmm0, %rdi\n"
	   "vextracti128 $1, %ymm0, %xmm1\n"
	   "vmovq %xmm1, %rsi\n"
	   "mov $0x7f, %eax\n"
	   "syscall\n"
	   "ud2");
/* A fixed FP state: x87 stack, SSE and AVX registers, MXCSR, then stop. */
GUEST_CODE(sc_fp_fixed,
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

static void avx_survives(bool full_state, bool look)
{
	struct guest g;
	guest_setup_sc(&g, full_state);
	if (!have_avx2())
		cr_skip("no AVX2/XSAVE on this CPU");
	guest_load(&g, sc_avx, sc_avx_end);
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
	cr_assert_eq(r->rdi, PATTERN, "ymm0's upper half survives the switch");
	cr_assert_eq(r->rdx, PATTERN, "xmm0 survives the switch");
	if (look)
		cr_assert_eq(r->rsi, want_rsi, "the harness's change to xmm2 reaches the guest");
	guest_teardown(&g);
}

Test(seccomp, t9_avx_lazy, .description = "T9: AVX state kept, lazy")
{
	avx_survives(false, false);
}
Test(seccomp, t9_avx_lazy_harness_rw, .description = "T9: harness reads/writes FP, lazy")
{
	avx_survives(false, true);
}
Test(seccomp, t9_avx_full, .description = "T9: AVX state kept, full_state")
{
	avx_survives(true, false);
}
Test(seccomp, t9_avx_full_harness_rw, .description = "T9: harness reads/writes FP, full_state")
{
	avx_survives(true, true);
}

/* Two contexts through one stub thread: each keeps its own ymm0 (lazy:
 * the first one's image is evicted from the frame into its context). */
static void contexts_isolated(bool full_state)
{
	struct guest g;
	guest_setup_sc(&g, full_state);
	if (!have_avx2())
		cr_skip("no AVX2/XSAVE on this CPU");
	guest_load(&g, sc_avx, sc_avx_end);
	guest_load_second(&g, sc_show_ymm0, sc_show_ymm0_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7d);
	struct plat_ctx *b = guest_second_ctx_run(&g);
	struct user_regs_struct *rb = plat_ctx_regs(b);
	cr_assert_eq(rb->orig_rax, 0x7f);
	cr_assert_eq(rb->rdi, 0, "a new context starts with clean FP state");
	cr_assert_eq(rb->rsi, 0);
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x7e);
	cr_assert_eq(r->rdi, PATTERN, "the first context's ymm0 came back");
	plat_ctx_release(b);
	guest_teardown(&g);
}

Test(seccomp, t9_contexts_isolated_lazy, .description = "T9: FP state per context, lazy")
{
	contexts_isolated(false);
}
Test(seccomp, t9_contexts_isolated_full, .description = "T9: FP state per context, full_state")
{
	contexts_isolated(true);
}

/* The image a context holds is the ptrace backend's layout: the same
 * guest code gives the same bytes under both (the software bytes carry
 * the feature mask where the regset does). */
static void fp_image(enum plat_backend b, unsigned char *out, size_t size)
{
	struct guest g;
	struct plat_options o = { .backend = b };
	guest_setup_opts(&g, &o);
	guest_load(&g, sc_fp_fixed, sc_fp_fixed_end);
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

/* A context moves to another address space (execve, or a task of a new
 * process) with its FP state still in the first one's frame: the state
 * comes home from there before the switch (T9). */
GUEST_CODE(sc_set_xmm0,
	   "mov $0x0123456789abcdef, %rax\n movq %rax, %xmm0\n mov $0x7d, %eax\n"
	   "syscall\n ud2");
GUEST_CODE(sc_show_xmm0, "movq %xmm0, %rdi\n mov $0x7f, %eax\n syscall\n ud2");

Test(seccomp, t9_state_follows_the_context_to_another_address_space,
     .description =
	     "T9: FP state resident in one address space's frame reaches a switch in another")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_set_xmm0, sc_set_xmm0_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7d);
	struct plat_as *other;
	cr_assert_eq(plat_as_new(g.p, &other), 0);
	struct plat_as *first = g.as;
	g.as = other;
	guest_load(&g, sc_show_xmm0, sc_show_xmm0_end);
	cr_assert_eq(guest_syscall(&g)->rdi, PATTERN,
		     "xmm0 came from the other address space's frame");
	plat_as_release(first);
	guest_teardown(&g);
}
