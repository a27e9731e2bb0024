/* P23-P25: stub death, the fatal path, and no orphans. */
#include "platform/test_guest.h"

#include <pthread.h>

GUEST_CODE(g_spin2, "1: jmp 1b");
GUEST_CODE(g_call2, "mov $0x66, %eax\n syscall\n ud2");

struct killer {
	pid_t pid, tid;
};

static void *kill_when_running(void *arg)
{
	struct killer *k = arg;
	if (!wait_thread_state(k->pid, k->tid, 'R'))
		return (void *)1;
	kill(k->pid, SIGKILL);
	return NULL;
}

Test(failure, p23_stub_killed_from_outside,
     .description = "P23: a SIGKILLed stub gives an error naming it, and the harness goes on")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_spin2, g_spin2_end);
	struct killer k = { plat_as_pid(g.as), plat_test_thread_tid(g.as, false) };
	pthread_t th;
	pthread_create(&th, NULL, kill_when_running, &k);
	enum plat_exit_kind kind = guest_run(&g);
	void *rv;
	pthread_join(th, &rv);
	cr_assert_null(rv);
	cr_assert_eq(kind, PLAT_EXIT_ERROR);
	cr_assert_eq(g.ex.stub_pid, k.pid);
	expect_poisoned_then_recovers(&g, k.pid, g_call2, g_call2_end);
	guest_teardown(&g);
}

Test(failure, p23_master_death_is_clear,
     .description = "P23: when the master dies every later call says so")
{
	struct guest g;
	struct plat_options o = { .no_pool = true };
	guest_setup_opts(&g, &o);
	pid_t m = plat_test_master_pid(g.p);
	kill(m, SIGKILL);
	struct plat_as *as;
	cr_assert_eq(plat_as_new(g.p, &as), -PLAT_ESTUBDEAD);
	cr_assert_eq(plat_dead(g.p), PLAT_ESTUBDEAD);
	cr_assert(strstr(plat_error(g.p), "master"), "%s", plat_error(g.p));
	cr_assert_eq(plat_as_new(g.p, &as), -PLAT_ESTUBDEAD, "and keeps saying so");
	guest_teardown(&g);
}

static void fatal_dump(void)
{
	struct guest g;
	guest_setup(&g, false);
	plat_test_fatal(g.as);
}

Test(failure, p24_fatal_path_dumps_registers,
     .description = "P24: invariant violations print every register and abort")
{
	char buf[8192];
	int st = run_capturing_stderr(fatal_dump, buf, sizeof(buf));
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %#x", st);
	cr_assert(strstr(buf, "platform: fatal"), "%s", buf);
	cr_assert(strstr(buf, "stub page"), "%s", buf);
	static const char *regs[] = { "rax", "rbx",    "rcx",      "rdx",     "rsi",
				      "rdi", "rbp",    "rsp",      "r8 ",     "r15",
				      "rip", "eflags", "orig_rax", "fs_base", "gs_base" };
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		cr_assert(strstr(buf, regs[i]), "register %s missing from the dump", regs[i]);
}

Test(failure, p25_no_orphans_when_harness_is_killed,
     .description = "P25: SIGKILL of the harness leaves no stub behind")
{
	pid_t pids[4];
	pid_t c = fork_doomed_harness(g_call2, g_call2_end, pids);
	expect_gone_with(c, pids, 3);
}
