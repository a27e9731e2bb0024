/* T6, P11, P15, P19: interrupts and signals from outside, while the guest
 * really runs (helpers poll /proc for state R, no sleeps). */
#include "platform/test_guest.h"

#include <pthread.h>

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
		siginfo_t si = {.si_signo = SIGUSR2, .si_code = SI_QUEUE};
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
		struct helper h = {g, plat_as_pid(g->as), plat_test_thread_tid(g->as, false),
		                   foreign};
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
	struct plat_options o = {.backend = PLAT_BACKEND_SECCOMP};
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
	struct plat_options o = {.backend = PLAT_BACKEND_SECCOMP, .on_event = on_event};
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
	struct plat_options o = {.backend = PLAT_BACKEND_SECCOMP};
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
	struct plat_options o = {.backend = PLAT_BACKEND_SECCOMP, .on_event = on_event};
	spin_setup(&g, &o);
	struct stopper s = {&g, plat_as_pid(g.as), plat_test_thread_tid(g.as, false)};
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
