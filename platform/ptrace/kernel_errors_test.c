/* What the platform says when the kernel refuses it something: the probe
 * (P7: "say so once, clearly"), the master (P3, P23), a new stub (P5), and
 * the internal helpers' answers to odd wait statuses. The refusals are
 * knockouts (tools/knockout) installed in the test's own process. */
#include "platform/test_guest.h"

#include <pthread.h>
#include <sys/ptrace.h>

#include "platform/ptrace/ptrace.h"
#include "tools/knockout/knockout.h"

GUEST_CODE(g_ke_call, "mov $0x66, %eax\n syscall\n ud2");
GUEST_CODE(g_ke_loop, "1: mov $0x66, %eax\n syscall\n jmp 1b");
GUEST_CODE(g_ke_xmm, "mov $0x1234, %rax\n movq %rax, %xmm3\n mov $0x66, %eax\n syscall\n ud2");

static void knock_out(const char *spec)
{
	struct knockout_rule r;
	char err[256];
	cr_assert_eq(knockout_parse(spec, &r, err, sizeof err), 0, "%s", err);
	cr_assert_eq(knockout_install(&r, 1, err, sizeof err), 0, "%s", err);
}

static void plat_new_fails(const char *want)
{
	char err[256] = "";
	struct plat *p = plat_new(NULL, err, sizeof err);
	cr_assert_null(p, "plat_new must fail");
	cr_assert(strstr(err, want), "'%s' not in: %s", want, err);
}

Test(kernel_errors, p7_ptrace_blocked_says_so,
     .description = "P7: PTRACE_TRACEME refused: one clear line about ptrace being blocked")
{
	knock_out("PTRACE_TRACEME=EPERM");
	plat_new_fails("ptrace is blocked on this machine");
	plat_new_fails("ptrace is blocked"); /* and keeps saying so */
}

Test(kernel_errors, p7_probe_child_without_seccomp,
     .description = "P7: a probe child that cannot install its filter is named with its status")
{
	knock_out("seccomp=EINVAL");
	plat_new_fails("the seccomp/ptrace probe child did not stop");
}

Test(kernel_errors, p7_no_sysemu,
     .description = "P7: PTRACE_SYSEMU refused: the platform cannot work and says so")
{
	knock_out("PTRACE_SYSEMU");
	plat_new_fails("PTRACE_SYSEMU does not work here");
}

Test(kernel_errors, p13_no_setfpregs,
     .description = "P13: neither XSTATE nor SETFPREGS: a clear error")
{
	struct knockout_rule r[2];
	char err[256];
	cr_assert_eq(knockout_parse("PTRACE_SETREGSET:NT_X86_XSTATE", &r[0], err, sizeof err), 0);
	cr_assert_eq(knockout_parse("PTRACE_SETFPREGS", &r[1], err, sizeof err), 0);
	cr_assert_eq(knockout_install(r, 2, err, sizeof err), 0, "%s", err);
	plat_new_fails("no way to move the FP state");
}

/* The probe runs once per process, so a first platform makes it pass and
 * the knockout then hits only what a second plat_new does. */
static void second_plat_new_fails(const char *spec, const char *want)
{
	struct guest g;
	guest_setup(&g, false);
	knock_out(spec);
	plat_new_fails(want);
	guest_load(&g, g_ke_call, g_ke_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "the first platform is unharmed");
	guest_teardown(&g);
}

Test(kernel_errors, p3_master_without_seccomp,
     .description = "P3 P6: the master cannot install the stub filter: named")
{
	second_plat_new_fails("seccomp=EINVAL",
			      "did not start: exited with status 103 (seccomp filter refused)");
}

Test(kernel_errors, p3_master_without_setsid,
     .description = "P3: the master cannot leave the session: its status")
{
	second_plat_new_fails("setsid=EPERM", "did not start: exited with status 101");
}

Test(kernel_errors, p6_filter_export_fails,
     .description = "P6: the stub filter cannot be exported: named")
{
	second_plat_new_fails("memfd_create=EMFILE", "memfd_create for the stub filter");
}

/* A knockout of clone or PTRACE_ATTACH must not outlive the test body:
 * LeakSanitizer's exit-time check clones a thread that attaches to every
 * thread of the process, and with them refused it dies with "does not work
 * under ptrace" instead of checking (make check SANITIZE=1). Without TSYNC a
 * seccomp filter binds only its own thread and the threads that thread
 * creates later, so the call runs in a thread of its own (the platform
 * threads it starts inherit the knockout) that ends before the check. The
 * thread only records; Criterion's asserts belong to the test's thread. */
struct knocked_out {
	const char *spec;
	struct plat *p; /* plat_as_new on it, or plat_new when NULL */
	int rc;
	char err[256];
};

static void *knocked_out_call(void *arg)
{
	struct knocked_out *k = arg;
	char err[200];
	struct knockout_rule r;
	if (knockout_parse(k->spec, &r, err, sizeof err) ||
	    knockout_install(&r, 1, err, sizeof err)) {
		snprintf(k->err, sizeof k->err, "knockout: %s", err);
		k->rc = 1;
		return NULL;
	}
	if (k->p) {
		struct plat_as *as = NULL;
		k->rc = plat_as_new(k->p, &as);
	} else {
		struct plat *p = plat_new(NULL, k->err, sizeof k->err);
		k->rc = p ? 0 : -1;
		if (p)
			plat_destroy(p);
	}
	return NULL;
}

static struct knocked_out call_knocked_out(const char *spec, struct plat *p)
{
	struct knocked_out k = { .spec = spec, .p = p };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, knocked_out_call, &k), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(strncmp(k.err, "knockout:", 9) != 0, 1, "%s", k.err);
	return k;
}

Test(kernel_errors, p5_attach_refused,
     .description = "P5 P23: a new stub that cannot be attached is an error, not a dead platform")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_ke_loop, g_ke_loop_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
	int rc = call_knocked_out("PTRACE_ATTACH=EPERM", g.p).rc;
	cr_assert(rc < 0, "plat_as_new: %d", rc);
	cr_assert_eq(plat_dead(g.p), 0, "only that address space is lost");
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "stub threads already attached go on");
	guest_teardown(&g);
}

Test(kernel_errors, p1_top_page_taken,
     .description = "P1: with the top page taken the stub goes one page lower")
{
	long page = sysconf(_SC_PAGESIZE);
	void *top = (void *)0x7fffffff0000UL;
	void *m = mmap(top, (size_t)page, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == MAP_FAILED)
		cr_skip("the top page is not free here: %s", strerror(errno));
	struct guest g;
	struct plat_options o = { .no_pool = true };
	guest_setup_opts(&g, &o);
	cr_assert_eq(plat_stub_start(), 0x7fffffff0000UL - (uintptr_t)page);
	cr_assert_eq(plat_stub_end(), 0x7fffffff0000UL);
	cr_assert_eq(plat_max_addr(g.p), plat_stub_start());
	cr_assert(plat_options(g.p)->no_pool);
	guest_teardown(&g);
}

Test(kernel_errors, p24_describe_status,
     .description = "P23 P24: every kind of wait status gets words")
{
	char buf[96];
	cr_assert_str_eq(pt_describe_status(7 << 8, buf, sizeof buf), "exited with status 7");
	cr_assert(strstr(pt_describe_status(SIGKILL, buf, sizeof buf), "killed by signal 9"));
	cr_assert(strstr(pt_describe_status(SIGSEGV | 0x80, buf, sizeof buf), "core dumped"));
	cr_assert_str_eq(pt_describe_status(0x7f | SIGSTOP << 8, buf, sizeof buf),
			 "stopped by signal 19");
	int exiting = 0x7f | SIGTRAP << 8 | PTRACE_EVENT_EXIT << 16;
	cr_assert_str_eq(pt_describe_status(exiting, buf, sizeof buf), "exiting");
	cr_assert_str_eq(pt_describe_status(0xffff, buf, sizeof buf), "wait status 0xffff");
}

Test(kernel_errors, p23_wait_and_attach_errors,
     .description = "P23: waiting for or attaching what is not ours gives -errno")
{
	int st;
	cr_assert_eq(pt_wait(getpid(), &st), -ECHILD);
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	cr_assert_eq(waitpid(gone, &st, 0), gone);
	cr_assert_eq(pt_attach_stopped(gone), -ESRCH);
}

/* Lazy mode keeps the FP state in the stub thread (P13): when that stub
 * dies the state is gone, and every way to reach it says so. */
Test(kernel_errors, p13_fp_state_lost_with_its_stub,
     .description = "P13 P23: FP state resident in a dead stub is an error everywhere")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_ke_call, g_ke_call_end);
	guest_syscall(&g);
	pid_t stub = plat_as_pid(g.as), tid = plat_test_thread_tid(g.as, false);
	kill(stub, SIGKILL);
	while (thread_state(stub, tid) == 't')
		sched_yield();
	errno = 0;
	cr_assert_null(plat_ctx_fpstate(g.ctx, false));
	cr_assert_eq(errno, PLAT_ESTUBDEAD);
	cr_assert_eq(plat_ctx_fpstate_reset(g.ctx), -PLAT_ESTUBDEAD);
	plat_as_release(g.as);
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	guest_load(&g, g_ke_call, g_ke_call_end);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_ERROR);
	cr_assert(strstr(g.ex.error, "FP state was lost"), "%s", g.ex.error);
	guest_teardown(&g);
}

/* P22 off: a released stub is killed, but the FP state a context left in
 * it (lazy) comes home first. */
Test(kernel_errors, p22_release_without_pool_keeps_fp,
     .description = "P13 P22: releasing with the pool off brings resident FP state home")
{
	struct guest g;
	struct plat_options o = { .no_pool = true };
	guest_setup_opts(&g, &o);
	guest_load(&g, g_ke_xmm, g_ke_xmm_end);
	guest_syscall(&g);
	plat_as_release(g.as);
	const unsigned char *fp = plat_ctx_fpstate(g.ctx, false);
	cr_assert_not_null(fp, "the state must have come home before the kill");
	uint64_t v;
	memcpy(&v, fp + 160 + 16 * 3, 8);
	cr_assert_eq(v, 0x1234);
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	guest_teardown(&g);
}

Test(kernel_errors, p18_destroy_releases_contexts,
     .description = "P18: plat_destroy frees contexts still registered")
{
	struct guest g;
	guest_setup(&g, false);
	struct plat_ctx *extra = plat_ctx_new(g.p);
	cr_assert_not_null(extra);
	plat_as_release(g.as);
	close(g.memfd);
	plat_destroy(g.p); /* g.ctx and extra: freed here (ASan would see a leak) */
}

/* glibc's fork() is a clone syscall (its threads use clone3). */
Test(kernel_errors, p7_fork_refused, .description = "P7: the probe cannot fork: it says so")
{
	struct knocked_out k = call_knocked_out("clone=EAGAIN", NULL);
	cr_assert_eq(k.rc, -1, "plat_new must fail");
	cr_assert(strstr(k.err, "fork for the ptrace probe"), "not named: %s", k.err);
}

static void fatal_dead_thread(void)
{
	struct guest g;
	guest_setup(&g, false);
	pid_t stub = plat_as_pid(g.as), tid = plat_test_thread_tid(g.as, true);
	kill(stub, SIGKILL);
	while (thread_state(stub, tid) == 't')
		sched_yield();
	plat_test_fatal(g.as);
}

Test(kernel_errors, p24_fatal_with_dead_thread,
     .description = "P24: the fatal path still reports when the registers are gone")
{
	char buf[4096];
	int st = run_capturing_stderr(fatal_dead_thread, buf, sizeof(buf));
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %#x", st);
	cr_assert(strstr(buf, "registers of stub thread") && strstr(buf, "unavailable"), "%s", buf);
}

/* No stub thread can be had from a dead stub: the fatal path has none to
 * show, and says which stub it was about. */
static void fatal_no_thread(void)
{
	struct guest g;
	guest_setup(&g, false);
	pid_t stub = plat_as_pid(g.as);
	kill(stub, SIGKILL);
	while (thread_state(stub, stub) == 't')
		sched_yield();
	plat_test_fatal(g.as);
}

Test(kernel_errors, p24_fatal_without_thread,
     .description = "P24: the fatal path without a stub thread still names the stub")
{
	char buf[4096];
	int st = run_capturing_stderr(fatal_no_thread, buf, sizeof(buf));
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %#x", st);
	cr_assert(strstr(buf, "stub thread 0\n"), "%s", buf);
	cr_assert_null(strstr(buf, "\n  rax"), "no registers to show: %s", buf);
}

struct dying {
	struct guest *g;
	int rc;
};

/* Runs the guest once, then has its stub killed before this tracer
 * thread exits: parking the dead stub thread must fail quietly. */
static void *switch_then_lose_stub(void *arg)
{
	struct dying *d = arg;
	struct plat_exit ex;
	d->rc = plat_switch(d->g->ctx, d->g->as, &ex) || ex.kind != PLAT_EXIT_SYSCALL;
	pid_t stub = plat_as_pid(d->g->as), tid = plat_test_thread_tid(d->g->as, false);
	kill(stub, SIGKILL);
	while (thread_state(stub, tid) == 't')
		sched_yield();
	return NULL;
}

Test(kernel_errors, p8_tracer_exit_after_stub_death,
     .description =
	     "P8 P23: a tracer thread that exits after its stub died parks nothing and hurts nothing")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_ke_loop, g_ke_loop_end);
	struct dying d = { &g, -1 };
	pthread_t th;
	pthread_create(&th, NULL, switch_then_lose_stub, &d);
	pthread_join(th, NULL);
	cr_assert_eq(d.rc, 0);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_ERROR, "the stub is dead");
	cr_assert_eq(plat_dead(g.p), 0);
	plat_as_release(g.as);
	/* Its FP state died with the stub (lazy): a new context starts over. */
	plat_ctx_release(g.ctx);
	g.ctx = plat_ctx_new(g.p);
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	guest_load(&g, g_ke_loop, g_ke_loop_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
	guest_teardown(&g);
}

/* Each instance registers for the tracer-exit hook (tracer.c); the table
 * is finite and running out of it is an error like any other. */
Test(kernel_errors, p8_too_many_instances,
     .description = "P8: instances beyond the tracer registry are refused clearly", .timeout = 60)
{
	enum { MAX = 80 };
	struct plat *p[MAX];
	char err[256] = "";
	int n = 0;
	while (n < MAX && (p[n] = plat_new(NULL, err, sizeof err)))
		n++;
	cr_assert_eq(n, 64, "the registry holds 64 instances");
	cr_assert(strstr(err, "too many platform instances"), "%s", err);
	for (int i = 0; i < n; i++)
		plat_destroy(p[i]);
	struct plat *again = plat_new(NULL, err, sizeof err);
	cr_assert_not_null(again, "destroyed instances free their slots: %s", err);
	plat_destroy(again);
}
