/* T7, T8, P22, P25: address spaces of the seccomp-trap backend: map and
 * unmap by the serving thread, the pool, stub death seen at once, no
 * stub left when the harness dies. */
#include "platform/test_guest.h"

#include <pthread.h>
#include <time.h>

#include "platform/seccomp/seccomp.h"

GUEST_CODE(sc_lc_spin, "1: jmp 1b");
GUEST_CODE(sc_lc_call, "mov $0x66, %eax\n syscall\n ud2");
GUEST_CODE(sc_lc_read,
	   "mov $0x20000000, %rax\n mov (%rax), %rdi\n mov $0x77, %eax\n syscall\n ud2");

static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static int events[16];

static void on_event(void *arg, const struct plat_event *ev)
{
	(void)arg;
	pthread_mutex_lock(&ev_mu);
	events[ev->kind]++;
	pthread_mutex_unlock(&ev_mu);
}

Test(seccomp, t7_map_file_errors_and_events,
     .description = "T7: map-file and unmap run by the stub, their errors and events")
{
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP, .on_event = on_event };
	guest_setup_opts(&g, &o);
	cr_assert_eq(plat_map_file(g.as, DATA_ADDR, g.memfd, 0, PAGE, PROT_READ, false), 0);
	cr_assert_eq(plat_map_file(g.as, DATA_ADDR + 1, g.memfd, 0, PAGE, PROT_READ, false),
		     -EINVAL);
	cr_assert_eq(plat_map_file(g.as, DATA_ADDR, 9999, 0, PAGE, PROT_READ, false), -EBADF);
	cr_assert_eq(plat_map_file(g.as, DATA_ADDR, g.memfd, 0, PAGE, PROT_READ, true), 0,
		     "precommit");
	cr_assert_eq(plat_unmap(g.as, DATA_ADDR, PAGE), 0);
	cr_assert_eq(events[PLAT_EV_MAP_FILE], 4);
	cr_assert_eq(events[PLAT_EV_UNMAP], 1);
	cr_assert_eq(events[PLAT_EV_AS_NEW], 1);
	guest_teardown(&g);
}

Test(seccomp, t7_p22_pool_reuses_an_empty_stub,
     .description = "T7 P22: a released stub is emptied and pooled")
{
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP, .on_event = on_event };
	guest_setup_opts(&g, &o);
	guest_load(&g, sc_lc_read, sc_lc_read_end);
	uint64_t v = 0xabcdef;
	cr_assert_eq(pwrite(g.memfd, &v, 8, PAGE), 8);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	cr_assert_eq(guest_syscall(&g)->rdi, 0xabcdef);
	pid_t pid = plat_as_pid(g.as);
	plat_as_release(g.as);
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	cr_assert_eq(plat_as_pid(g.as), pid, "the pooled stub comes back");
	cr_assert_eq(events[PLAT_EV_AS_REUSE], 1);
	/* Nothing of the old guest is left: code, stack and data are gone. */
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	r->rip = CODE_ADDR;
	cr_assert_eq(guest_run(&g), PLAT_EXIT_FAULT);
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, CODE_ADDR);
	guest_load(&g, sc_lc_read, sc_lc_read_end);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	cr_assert_eq(guest_syscall(&g)->rdi, 0xabcdef);
	guest_teardown(&g);
}

struct killer {
	pid_t pid, tid;
	struct timespec at;
};

static void *kill_when_running(void *arg)
{
	struct killer *k = arg;
	if (!wait_thread_state(k->pid, k->tid, 'R'))
		return (void *)1;
	clock_gettime(CLOCK_MONOTONIC, &k->at);
	kill(k->pid, SIGKILL);
	return NULL;
}

/* The switch's wait ends because the watcher saw the pidfd: no timeout is
 * involved, and the spin guest would never trap on its own. */
Test(seccomp, t8_stub_killed_from_outside,
     .description =
	     "T8: a SIGKILLed stub ends a waiting switch with an error naming it; the harness goes on")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_lc_call, sc_lc_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "a stub thread exists");
	guest_load(&g, sc_lc_spin, sc_lc_spin_end);
	struct killer k = { plat_as_pid(g.as), plat_test_thread_tid(g.as, false), { 0, 0 } };
	cr_assert_gt(k.tid, 0);
	pthread_t th;
	pthread_create(&th, NULL, kill_when_running, &k);
	enum plat_exit_kind kind = guest_run(&g);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	void *rv;
	pthread_join(th, &rv);
	cr_assert_null(rv);
	cr_assert_eq(kind, PLAT_EXIT_ERROR);
	cr_assert_eq(g.ex.stub_pid, k.pid);
	double late = (double)(now.tv_sec - k.at.tv_sec) + (now.tv_nsec - k.at.tv_nsec) / 1e9;
	cr_expect_lt(late, 0.9,
		     "seen %.3f s after the kill: the tamper recheck (1 s), not the watcher", late);
	expect_poisoned_then_recovers(&g, k.pid, sc_lc_call, sc_lc_call_end);
	guest_teardown(&g);
}

/* A guest thread that exits alone (only a kernel oops does that; under
 * qemu's TCG a far call does) clears its state word and wakes the
 * harness through CLONE_CHILD_CLEARTID. Simulated: the slot's tid is
 * pointed at no thread (so tgkill says it is gone) and a helper clears
 * and wakes the word the way the kernel would, while the guest spins. */
struct zeroer {
	struct guest *g;
	pid_t tid;
};

static void *zero_when_running(void *arg)
{
	struct zeroer *z = arg;
	if (!wait_thread_state(plat_as_pid(z->g->as), z->tid, 'R'))
		return (void *)1;
	struct sc_as *sa = z->g->as->sc;
	atomic_store((_Atomic uint32_t *)sc_state(sa, 0), 0);
	sc_futex_wake(sc_state(sa, 0));
	return NULL;
}

Test(seccomp, t8_thread_gone_alone,
     .description =
	     "T8: a guest thread that exits alone (its word cleared by the kernel) ends "
	     "the switch with an error saying so, at once; the stub is killed")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_lc_call, sc_lc_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "a stub thread exists");
	guest_load(&g, sc_lc_spin, sc_lc_spin_end);
	struct sc_as *sa = g.as->sc;
	struct zeroer z = { &g, sa->slots[0].tid };
	sa->slots[0].tid = 0x3ffffff0; /* no thread of the stub: "gone" */
	pthread_t th;
	pthread_create(&th, NULL, zero_when_running, &z);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum plat_exit_kind kind = guest_run(&g);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	void *rv;
	pthread_join(th, &rv);
	cr_assert_null(rv);
	cr_assert_eq(kind, PLAT_EXIT_ERROR);
	cr_assert(strstr(g.ex.error, "signal 9") && strstr(g.ex.error, "exited alone"), "error: %s",
		  g.ex.error);
	double took = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_expect_lt(took, 0.9, "%.3f s: the tamper recheck (1 s), not the cleared word", took);
	pid_t pid = plat_as_pid(g.as);
	plat_as_release(g.as);
	cr_assert(process_gone(pid));
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	guest_load(&g, sc_lc_call, sc_lc_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "the harness goes on");
	guest_teardown(&g);
}

/* A stub killed from outside clears its threads' words as it dies: that
 * must not be taken for a thread gone alone. */
Test(seccomp, t8_outside_kill_is_not_a_lone_exit,
     .description = "T8: a SIGKILL from outside is reported as such, not as a thread gone alone")
{
	for (int round = 0; round < 5; round++) {
		struct guest g;
		guest_setup_sc(&g, false);
		guest_load(&g, sc_lc_call, sc_lc_call_end);
		cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
		guest_load(&g, sc_lc_spin, sc_lc_spin_end);
		struct killer k = { plat_as_pid(g.as),
				    plat_test_thread_tid(g.as, false),
				    { 0, 0 } };
		pthread_t th;
		pthread_create(&th, NULL, kill_when_running, &k);
		cr_assert_eq(guest_run(&g), PLAT_EXIT_ERROR);
		pthread_join(th, NULL);
		cr_assert(strstr(g.ex.error, "signal 9") && !strstr(g.ex.error, "alone"),
			  "round %d: %s", round, g.ex.error);
		guest_teardown(&g);
	}
}

Test(seccomp, t8_master_death_is_clear,
     .description = "T8: when the master dies every later plat_as_new says so")
{
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP, .no_pool = true };
	guest_setup_opts(&g, &o);
	pid_t m = plat_test_master_pid(g.p);
	kill(m, SIGKILL);
	struct plat_as *as;
	/* The watcher sees it; until then a request fails the same way. */
	cr_assert_eq(plat_as_new(g.p, &as), -PLAT_ESTUBDEAD);
	for (int i = 0; i < 1000 && !plat_dead(g.p); i++)
		sched_yield();
	cr_assert_eq(plat_dead(g.p), PLAT_ESTUBDEAD);
	cr_assert(strstr(plat_error(g.p), "master"), "%s", plat_error(g.p));
	guest_load(&g, sc_lc_call, sc_lc_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "existing address spaces still run");
	guest_teardown(&g);
}

Test(seccomp, t8_p25_no_orphans_when_harness_is_killed,
     .description =
	     "T8 P25: SIGKILL of the harness leaves no stub behind (PDEATHSIG on the watcher thread)")
{
	pid_t pids[4];
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP };
	pid_t c = fork_doomed_harness_opts(&o, sc_lc_call, sc_lc_call_end, pids);
	expect_gone_with(c, pids, 3);
}

/* More stub processes than the watcher first makes room for, each with a
 * guest that runs: every one usable, watched and reaped (T7, T8). */
Test(seccomp, t7_t8_many_address_spaces,
     .description = "T7 T8: forty address spaces at once, each running, each watched")
{
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP, .no_pool = true };
	guest_setup_opts(&g, &o);
	struct plat_as *as[40];
	pid_t pid[40];
	for (int i = 0; i < 40; i++) {
		cr_assert_eq(plat_as_new(g.p, &as[i]), 0, "address space %d", i);
		pid[i] = plat_as_pid(as[i]);
		struct plat_as *keep = g.as;
		g.as = as[i];
		guest_load(&g, sc_lc_call, sc_lc_call_end);
		cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "address space %d", i);
		g.as = keep;
	}
	/* The watcher sees the last one die, like the first. */
	kill(pid[39], SIGKILL);
	struct plat_as *keep = g.as;
	g.as = as[39];
	plat_ctx_regs(g.ctx)->rip = CODE_ADDR;
	cr_assert_eq(guest_run(&g), PLAT_EXIT_ERROR);
	g.as = keep;
	for (int i = 0; i < 40; i++)
		plat_as_release(as[i]);
	for (int i = 0; i < 40; i++)
		cr_assert(process_gone(pid[i]), "stub %d reaped", i);
	guest_teardown(&g);
}

/* P24 for this backend: a munmap the harness asked for cannot fail on a
 * live stub; if it does, the one fatal path names the stub and aborts. */
static void unmap_misaligned(void)
{
	struct guest g;
	guest_setup_sc(&g, false);
	plat_unmap(g.as, DATA_ADDR + 1, PAGE);
}

Test(seccomp, t7_p24_failing_unmap_is_fatal,
     .description = "T7 P24: a munmap that fails on a live stub aborts, naming it")
{
	char buf[4096];
	int st = run_capturing_stderr(unmap_misaligned, buf, sizeof(buf));
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %#x", st);
	cr_assert(strstr(buf, "platform: fatal: munmap") && strstr(buf, "seccomp stub"), "%s", buf);
}
