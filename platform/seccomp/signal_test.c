/* T2, T6, P11, P15, P19: the stub's handlers; interrupts and signals
 * from outside, while the guest really runs (helpers poll /proc for state
 * R, no sleeps). */
#include "platform/test_guest.h"

#include <pthread.h>

#include "platform/seccomp/seccomp.h"

GUEST_CODE(sc_sig_spin, "1: jmp 1b");
GUEST_CODE(sc_sig_call, "mov $0x55, %eax\n syscall\n ud2");

static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static int discarded[65];

static void on_event(void *arg, const struct plat_event *ev)
{
	(void)arg;
	if (ev->kind != PLAT_EV_SIGNAL_DISCARDED)
		return;
	pthread_mutex_lock(&ev_mu);
	discarded[ev->info->si_signo]++;
	pthread_mutex_unlock(&ev_mu);
}

/* The first switch makes the stub thread; the guest then spins. */
static void spin_setup(struct guest *g, const struct plat_options *o)
{
	guest_setup_opts(g, o);
	guest_load(g, sc_sig_call, sc_sig_call_end);
	cr_assert_eq(guest_syscall(g)->orig_rax, 0x55);
	guest_load(g, sc_sig_spin, sc_sig_spin_end);
}

struct helper {
	struct guest *g;
	pid_t pid, tid;
	bool foreign;
};

/* Another process (not the harness) signals the running stub thread. */
static void send_foreign(pid_t pid, pid_t tid)
{
	pid_t c = fork();
	if (c == 0) {
		siginfo_t si = { .si_signo = SIGUSR2, .si_code = SI_QUEUE };
		si.si_pid = getpid();
		si.si_uid = getuid();
		syscall(SYS_tgkill, pid, tid, SIGUSR1);
		syscall(SYS_rt_tgsigqueueinfo, pid, tid, SIGUSR2, &si);
		kill(pid, SIGTERM);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
}

/* Whether the thread still has a signal pending, its own or the
 * process's (the kernel takes its own first, so an interrupt sent now
 * would overtake a process-wide one). */
static bool pending(pid_t pid, pid_t tid)
{
	char path[64], line[128];
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
	FILE *f = fopen(path, "re");
	bool any = false;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "SigPnd:", 7) || !strncmp(line, "ShdPnd:", 7))
			any |= strtoull(line + 7, NULL, 16) != 0;
	if (f)
		fclose(f);
	return any;
}

static void *interrupter(void *arg)
{
	struct helper *h = arg;
	if (!wait_thread_state(h->pid, h->tid, 'R'))
		return (void *)1;
	if (h->foreign) {
		send_foreign(h->pid, h->tid);
		while (pending(h->pid, h->tid))
			sched_yield();
	}
	plat_interrupt(h->g->ctx);
	return NULL;
}

/* The stub thread is still running right after a switch returns (it
 * parks in the handler a moment later), so the helper may see it run and
 * interrupt before the next switch started: that interrupt is pending
 * (P11) and the switch returns it at once, without a signal. Then the
 * helper tries again. */
static void run_interrupted(struct guest *g, bool foreign)
{
	for (int tries = 0; tries < 10; tries++) {
		struct helper h = { g, plat_as_pid(g->as), plat_test_thread_tid(g->as, false),
				    foreign };
		pthread_t th;
		pthread_create(&th, NULL, interrupter, &h);
		enum plat_exit_kind k = guest_run(g);
		void *rv;
		pthread_join(th, &rv);
		cr_assert_null(rv, "the stub thread never ran");
		cr_assert_eq(k, PLAT_EXIT_INTERRUPT, "got kind %d signal %d (%s)", k,
			     g->ex.info.si_signo, g->ex.error);
		if (g->ex.info.si_signo == 0)
			continue; /* the P11 path: it was pending before the switch */
		cr_assert_eq(g->ex.info.si_signo, SIGCHLD);
		cr_assert_eq(g->ex.info.si_pid, getpid(),
			     "P19: the interrupt carries the harness's pid");
		return;
	}
	cr_assert_fail("ten interrupts in a row came before their switch");
}

Test(seccomp, t4_p19_interrupt_during_switch,
     .description = "T4 P19: an interrupt reaches a guest that never traps")
{
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP };
	spin_setup(&g, &o);
	run_interrupted(&g, false);
	run_interrupted(&g, false);
	guest_teardown(&g);
}

Test(seccomp, t4_p11_interrupt_before_switch,
     .description = "T4 P11: a pending interrupt returns at once")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_sig_call, sc_sig_call_end);
	plat_interrupt(g.ctx);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_INTERRUPT);
	cr_assert_eq(plat_ctx_regs(g.ctx)->rip, CODE_ADDR, "the guest must not have run");
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x55, "the interrupt is consumed");
	guest_teardown(&g);
}

Test(seccomp, t6_foreign_signals_discarded,
     .description = "T6 P15: other processes' signals are dropped, the guest never notices")
{
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP, .on_event = on_event };
	spin_setup(&g, &o);
	run_interrupted(&g, true);
	cr_assert_eq(discarded[SIGUSR1], 1, "tgkill from another process is discarded and traced");
	cr_assert_eq(discarded[SIGUSR2], 1,
		     "sigqueue from another process is discarded and traced");
	cr_assert_eq(discarded[SIGTERM], 1, "kill of the process is discarded and traced");
	cr_assert_eq(discarded[SIGCHLD], 0);
	run_interrupted(&g, false);
	guest_teardown(&g);
}

Test(seccomp, t6_harness_signal_reported,
     .description = "T6 P15: a signal from the harness itself is reported")
{
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP };
	spin_setup(&g, &o);
	pid_t tid = plat_test_thread_tid(g.as, false);
	cr_assert_eq(syscall(SYS_tgkill, plat_as_pid(g.as), tid, SIGUSR1), 0);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_SIGNAL);
	cr_assert_eq(g.ex.info.si_signo, SIGUSR1);
	cr_assert_eq(g.ex.info.si_pid, getpid());
	guest_teardown(&g);
}

/* SIGSTOP cannot be caught: a stopped stub stops the guest until SIGCONT
 * (under ptrace the tracer swallows it). The switch goes on afterwards. */
struct stopper {
	struct guest *g;
	pid_t pid, tid;
};

static void *stop_continue(void *arg)
{
	struct stopper *s = arg;
	if (!wait_thread_state(s->pid, s->tid, 'R'))
		return (void *)1;
	/* From another process: the harness's own signals are reported. */
	pid_t c = fork();
	if (c == 0) {
		kill(s->pid, SIGSTOP);
		bool stopped = wait_thread_state(s->pid, s->tid, 'T');
		kill(s->pid, SIGCONT);
		_exit(stopped ? 0 : 1);
	}
	int st;
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return (void *)2;
	if (!wait_thread_state(s->pid, s->tid, 'R'))
		return (void *)3;
	while (pending(s->pid, s->tid))
		sched_yield();
	plat_interrupt(s->g->ctx);
	return NULL;
}

Test(seccomp, t6_sigstop_sigcont_from_outside,
     .description = "T6: SIGSTOP from outside stops the guest until SIGCONT; SIGCONT is discarded")
{
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP, .on_event = on_event };
	spin_setup(&g, &o);
	struct stopper s = { &g, plat_as_pid(g.as), plat_test_thread_tid(g.as, false) };
	pthread_t th;
	pthread_create(&th, NULL, stop_continue, &s);
	enum plat_exit_kind k = guest_run(&g);
	void *rv;
	pthread_join(th, &rv);
	cr_assert_null(rv, "step %ld", (long)rv);
	cr_assert_eq(k, PLAT_EXIT_INTERRUPT, "kind %d signal %d", k, g.ex.info.si_signo);
	run_interrupted(&g, false);
	cr_assert_eq(discarded[SIGCONT], 1, "SIGCONT reaches the handler and is dropped");
	guest_teardown(&g);
}

/* T2: every handler the spec names is the stub's, and runs on the slot's
 * alternate stack in the shared region: the kernel's siginfo for each
 * exit is in the frame the harness maps, and the stub thread catches
 * each of those signals. */

GUEST_CODE(sc_t2_write, "mov $0x20000000, %rax\n movq $1, (%rax)\n ud2");
GUEST_CODE(sc_t2_bus, "mov $0x20000000, %rax\n mov (%rax), %rdi\n ud2");
GUEST_CODE(sc_t2_div0, "xor %ecx, %ecx\n mov $1, %eax\n cltd\n idiv %ecx");
GUEST_CODE(sc_t2_ud2, "ud2");
GUEST_CODE(sc_t2_int3, "int3\n ud2");
#define T2_FRAME_INFO 312 /* the siginfo in an rt_sigframe (hostile_test.c) */

static unsigned long long caught(pid_t pid, pid_t tid)
{
	char path[64], line[128];
	unsigned long long mask = 0;
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "SigCgt:", 7))
			mask = strtoull(line + 7, NULL, 16);
	if (f)
		fclose(f);
	return mask;
}

static void expect_in_region(struct guest *g, int signo)
{
	struct sc_as *sa = g->as->sc;
	int in_frame;
	memcpy(&in_frame, sc_frame(sa, 0) + T2_FRAME_INFO, sizeof in_frame);
	cr_assert_eq(in_frame, signo, "the frame in the region holds signal %d, the exit %d",
		     in_frame, signo);
	cr_assert_eq(g->ex.info.si_signo, signo);
	unsigned long long cgt = caught(plat_as_pid(g->as), plat_test_thread_tid(g->as, false));
	cr_assert(cgt & (1ULL << (signo - 1)), "SigCgt %llx lacks signal %d", cgt, signo);
}

static void t2_one(const char *code, const char *end, void (*map)(struct guest *), int signo)
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, code, end);
	if (map)
		map(&g);
	cr_assert_neq(guest_run(&g), PLAT_EXIT_ERROR, "%s", g.ex.error);
	expect_in_region(&g, signo);
	guest_teardown(&g);
}

static void map_readonly(struct guest *g)
{
	guest_map(g, DATA_ADDR, PAGE, PAGE, PROT_READ);
}

static void map_past_eof(struct guest *g)
{
	guest_map(g, DATA_ADDR, 64 * PAGE, PAGE, PROT_READ); /* the file has 16 pages */
}

Test(seccomp, t2_handlers_on_the_shared_altstack,
     .description =
	     "T2: SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP and the interrupt are "
	     "caught by the stub on the slot's altstack in the shared region")
{
	t2_one(sc_sig_call, sc_sig_call_end, NULL, SIGSYS);
	t2_one(sc_t2_write, sc_t2_write_end, map_readonly, SIGSEGV);
	t2_one(sc_t2_bus, sc_t2_bus_end, map_past_eof, SIGBUS);
	t2_one(sc_t2_div0, sc_t2_div0_end, NULL, SIGFPE);
	t2_one(sc_t2_ud2, sc_t2_ud2_end, NULL, SIGILL);
	t2_one(sc_t2_int3, sc_t2_int3_end, NULL, SIGTRAP);
	struct guest g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP };
	spin_setup(&g, &o);
	run_interrupted(&g, false);
	expect_in_region(&g, SIGCHLD);
	guest_teardown(&g);
}
