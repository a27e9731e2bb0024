/* The platform's fallback paths, forced on this kernel by knockouts
 * (tools/knockout) installed in the test's own process before the probe:
 * P13 without the XSTATE regset, P25 without PTRACE_O_EXITKILL. */
#include "platform/test_guest.h"

#include <pthread.h>

#include "tools/knockout/knockout.h"

#define PATTERN 0x0123456789abcdefULL
#define XMM_OFF(n) (160 + 16 * (n))

/* xmm0 = PATTERN, stop; then report xmm2 (rsi) and xmm0 (rdx). */
GUEST_CODE(g_fb_sse,
	   "mov $0x0123456789abcdef, %rax\n"
	   "movq %rax, %xmm0\n"
	   "mov $0x7d, %eax\n"
	   "syscall\n"
	   "movq %xmm2, %rsi\n"
	   "movq %xmm0, %rdx\n"
	   "mov $0x7e, %eax\n"
	   "syscall\n"
	   "ud2");
GUEST_CODE(g_fb_show_xmm0, "movq %xmm0, %rdi\n mov $0x7f, %eax\n syscall\n ud2");
GUEST_CODE(g_fb_call, "mov $0x66, %eax\n syscall\n ud2");
GUEST_CODE(g_fb_loop, "1: mov $0x66, %eax\n syscall\n jmp 1b");

static void knock_out(const char *const *specs)
{
	struct knockout_rule r[4];
	char err[256];
	size_t n = 0;
	for (; specs[n]; n++)
		cr_assert_eq(knockout_parse(specs[n], &r[n], err, sizeof err), 0, "%s", err);
	cr_assert_eq(knockout_install(r, n, err, sizeof err), 0, "%s", err);
}

static void expect_fpregs_path(void)
{
	const struct plat_probe *pr = plat_probe();
	cr_assert_eq(pr->fp_xfer, PLAT_FP_FPREGS, "the probe must take the FXSAVE path");
	cr_assert_str_eq(plat_fp_xfer_name(pr->fp_xfer), "fpregs");
	if (pr->has_xsave)
		cr_assert_eq(pr->fpstate_size, pr->xsave_cpuid_size,
			     "contexts keep the XSAVE layout");
	else
		cr_assert_eq(pr->fpstate_size, 512);
}

/* The legacy area travels both ways; on an XSAVE CPU the image says x87|SSE
 * and carries XCR0 where the XSTATE regset would. */
static void sse_survives(bool full_state)
{
	struct guest g;
	guest_setup(&g, full_state);
	expect_fpregs_path();
	guest_load(&g, g_fb_sse, g_fb_sse_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7d);
	const unsigned char *fp = plat_ctx_fpstate(g.ctx, false);
	cr_assert_not_null(fp);
	uint64_t v;
	memcpy(&v, fp + XMM_OFF(0), 8);
	cr_assert_eq(v, PATTERN, "xmm0 as the harness reads it");
	if (plat_probe()->has_xsave) {
		memcpy(&v, fp + 512, 8);
		cr_assert_eq(v, 3, "xstate_bv: x87|SSE only");
		memcpy(&v, fp + 464, 8);
		cr_assert_eq(v & 3, 3, "XCR0 in the software word");
	}
	unsigned char *w = plat_ctx_fpstate(g.ctx, true);
	uint64_t want = 0xfeedfacecafebeefULL;
	memcpy(w + XMM_OFF(2), &want, 8);
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x7e);
	cr_assert_eq(r->rsi, want, "the harness's change to xmm2 must reach the guest");
	cr_assert_eq(r->rdx, PATTERN, "xmm0 must survive the switch");
	guest_teardown(&g);
}

Test(fallback, p13_no_xstate_get_lazy,
     .description = "P13: GETREGSET NT_X86_XSTATE refused: FXSAVE path, lazy")
{
	knock_out((const char *[]){ "PTRACE_GETREGSET:NT_X86_XSTATE", NULL });
	sse_survives(false);
}

Test(fallback, p13_no_xstate_get_full,
     .description = "P13: GETREGSET NT_X86_XSTATE refused: FXSAVE path, full-state")
{
	knock_out((const char *[]){ "PTRACE_GETREGSET:NT_X86_XSTATE=EIO", NULL });
	sse_survives(true);
}

Test(fallback, p13_no_xstate_set,
     .description = "P13: only SETREGSET NT_X86_XSTATE refused: the round trip finds it")
{
	knock_out((const char *[]){ "PTRACE_SETREGSET:NT_X86_XSTATE", NULL });
	sse_survives(true);
}

Test(fallback, p13_normal_path_is_xstate,
     .description = "P13: without a knockout an XSAVE CPU uses the XSTATE regset")
{
	struct guest g;
	guest_setup(&g, false);
	const struct plat_probe *pr = plat_probe();
	cr_assert_eq(pr->fp_xfer, pr->has_xsave ? PLAT_FP_XSTATE : PLAT_FP_FPREGS);
	cr_assert_str_eq(plat_fp_xfer_name(PLAT_FP_XSTATE), "xstate");
	guest_teardown(&g);
}

/* Two contexts on one stub thread: the legacy state stays per context. */
static void contexts_isolated(bool full_state)
{
	struct guest g;
	guest_setup(&g, full_state);
	expect_fpregs_path();
	guest_load(&g, g_fb_sse, g_fb_sse_end);
	guest_load_second(&g, g_fb_show_xmm0, g_fb_show_xmm0_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x7d);
	struct plat_ctx *b = guest_second_ctx_run(&g);
	struct user_regs_struct *rb = plat_ctx_regs(b);
	cr_assert_eq(rb->rdi, 0, "a new context must not see another's xmm0");
	cr_assert_eq(guest_syscall(&g)->rdx, PATTERN, "the first context's xmm0 must come back");
	plat_ctx_release(b);
	guest_teardown(&g);
}

Test(fallback, p13_fpregs_contexts_isolated_lazy,
     .description = "P13: FXSAVE path keeps FP state per context, lazy")
{
	knock_out((const char *[]){ "PTRACE_GETREGSET:NT_X86_XSTATE", NULL });
	contexts_isolated(false);
}

Test(fallback, p13_fpregs_contexts_isolated_full,
     .description = "P13: FXSAVE path keeps FP state per context, full-state")
{
	knock_out((const char *[]){ "PTRACE_SETREGSET:NT_X86_XSTATE", NULL });
	contexts_isolated(true);
}

Test(fallback, p13_no_fp_path_is_a_clear_error,
     .description = "P13: no way to move FP state: plat_new says so")
{
	knock_out((const char *[]){ "PTRACE_GETREGSET:NT_X86_XSTATE", "PTRACE_GETFPREGS", NULL });
	char err[256] = "";
	cr_assert_null(plat_new(NULL, err, sizeof err));
	cr_assert(strstr(err, "FP state") && strstr(err, "PTRACE_GETFPREGS"), "%s", err);
}

Test(fallback, p25_no_exitkill_probed,
     .description = "P25: SETOPTIONS refusing EXITKILL: probed off, stubs still run")
{
	knock_out((const char *[]){ "PTRACE_SETOPTIONS:PTRACE_O_EXITKILL", NULL });
	struct guest g;
	guest_setup(&g, false);
	cr_assert_not(plat_probe()->exitkill, "the probe must see EXITKILL refused");
	cr_assert_eq(plat_probe()->fp_xfer,
		     plat_probe()->has_xsave ? PLAT_FP_XSTATE : PLAT_FP_FPREGS);
	guest_load(&g, g_fb_call, g_fb_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "attaching without EXITKILL works");
	guest_teardown(&g);
}

static void *switch_once(void *arg)
{
	struct guest *g = arg;
	struct plat_exit ex;
	if (plat_switch(g->ctx, g->as, &ex) || ex.kind != PLAT_EXIT_SYSCALL)
		return (void *)1;
	return NULL;
}

Test(fallback, p8_no_exitkill_tracer_exit,
     .description =
	     "P8 P25: without EXITKILL a tracer thread's exit parks its stub thread for re-keying")
{
	knock_out((const char *[]){ "PTRACE_SETOPTIONS:PTRACE_O_EXITKILL", NULL });
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_fb_loop, g_fb_loop_end);
	pthread_t th;
	void *rv;
	pthread_create(&th, NULL, switch_once, &g);
	pthread_join(th, &rv);
	cr_assert_null(rv);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66,
		     "the next switch from another thread works");
	cr_assert_null(plat_as_error(g.as));
	guest_teardown(&g);
}

Test(fallback, p25_no_exitkill_no_orphans,
     .description =
	     "P25: without EXITKILL, SIGKILL of the harness still leaves no stub (PDEATHSIG)")
{
	knock_out((const char *[]){ "PTRACE_SETOPTIONS:PTRACE_O_EXITKILL", NULL });
	pid_t pids[4];
	pid_t c = fork_doomed_harness(g_fb_call, g_fb_call_end, pids);
	cr_assert_eq(pids[3], 0, "the child's probe must see EXITKILL refused");
	expect_gone_with(c, pids, 3);
}
