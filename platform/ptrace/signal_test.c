/* P11, P14, P15, P19: interrupts and the signal filter, with signals sent
 * while the guest really runs (helpers poll /proc for state R, no sleeps). */
#include "platform/test_guest.h"

#include <pthread.h>

GUEST_CODE(g_spin, "1: jmp 1b");
GUEST_CODE(g_call, "mov $0x55, %eax\n syscall\n ud2");

static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static int discarded[64];

static void on_event(void *arg, const struct plat_event *ev)
{
	(void)arg;
	if (ev->kind != PLAT_EV_SIGNAL_DISCARDED)
		return;
	pthread_mutex_lock(&ev_mu);
	discarded[ev->info->si_signo]++;
	pthread_mutex_unlock(&ev_mu);
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
		syscall(SYS_tgkill, pid, tid, SIGSTOP);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
}

static void *interrupter(void *arg)
{
	struct helper *h = arg;
	if (!wait_thread_state(h->pid, h->tid, 'R'))
		return (void *)1;
	if (h->foreign)
		send_foreign(h->pid, h->tid);
	plat_interrupt(h->g->ctx);
	return NULL;
}

static void run_interrupted(struct guest *g, bool foreign)
{
	struct helper h = { g, plat_as_pid(g->as), plat_test_thread_tid(g->as, false), foreign };
	pthread_t th;
	pthread_create(&th, NULL, interrupter, &h);
	enum plat_exit_kind k = guest_run(g);
	void *rv;
	pthread_join(th, &rv);
	cr_assert_null(rv, "the stub thread never ran");
	cr_assert_eq(k, PLAT_EXIT_INTERRUPT, "got kind %d signal %d", k, g->ex.info.si_signo);
	cr_assert_eq(g->ex.info.si_signo, SIGCHLD);
	cr_assert_eq(g->ex.info.si_pid, getpid(), "P19: the interrupt carries the harness's pid");
}

Test(signals, p19_interrupt_during_switch, .description = "P19: interrupt while the guest runs")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_spin, g_spin_end);
	run_interrupted(&g, false);
	guest_teardown(&g);
}

Test(signals, p11_interrupt_before_switch,
     .description = "P11: a pending interrupt returns at once")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_call, g_call_end);
	plat_interrupt(g.ctx);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_INTERRUPT);
	cr_assert_eq(plat_ctx_regs(g.ctx)->rip, CODE_ADDR, "the guest must not have run");
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x55, "the interrupt is consumed");
	guest_teardown(&g);
}

Test(signals, p15_p14_foreign_signals_discarded,
     .description = "P15 P14: other processes' signals, SIGSTOP included, are dropped")
{
	struct guest g;
	struct plat_options o = { .on_event = on_event };
	guest_setup_opts(&g, &o);
	guest_load(&g, g_spin, g_spin_end);
	run_interrupted(&g, true);
	cr_assert_eq(discarded[SIGUSR1], 1, "tgkill from another process is discarded and traced");
	cr_assert_eq(discarded[SIGUSR2], 1,
		     "sigqueue from another process is discarded and traced");
	cr_assert_eq(discarded[SIGCHLD], 0);
	/* The guest never noticed: it still spins, and is still interruptible. */
	run_interrupted(&g, false);
	guest_teardown(&g);
}

Test(signals, p15_harness_signal_reported,
     .description = "P15: a signal from the harness itself is reported")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_spin, g_spin_end);
	pid_t tid = plat_test_thread_tid(g.as, false);
	cr_assert_eq(syscall(SYS_tgkill, plat_as_pid(g.as), tid, SIGUSR1), 0);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_SIGNAL);
	cr_assert_eq(g.ex.info.si_signo, SIGUSR1);
	cr_assert_eq(g.ex.info.si_pid, getpid());
	guest_teardown(&g);
}
