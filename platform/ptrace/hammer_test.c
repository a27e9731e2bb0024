/* P20 under fire: injected syscalls (map-file, unmap, new stub threads,
 * new address spaces) while another host process pelts every stub thread
 * with signals and a harness thread interrupts the switch that runs on the
 * same address space (P19). Nothing may be lost: every injection returns
 * its true result, every mapping is there or gone as expected, and every
 * interrupt ends a switch. */
#include "platform/test_guest.h"

#include <dirent.h>
#include <pthread.h>

GUEST_CODE(g_spin_h, "1: jmp 1b");

#define ROUNDS 2000
#define INTERRUPTS 200

/* Is a mapping starting at addr in /proc/PID/maps? */
static bool mapped(pid_t pid, uintptr_t addr)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f);
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strtoul(line, NULL, 16) == addr;
	fclose(f);
	return found;
}

/* The storm: every thread of the stub and the master, by kill and tgkill,
 * SIGSTOP/SIGCONT included, until stop[0] reads EOF. */
static void storm(pid_t as_pid, pid_t master, int stop, bool fatal, bool group)
{
	struct pollfd {
		int fd;
		short ev, rev;
	} pfd = { stop, 1, 0 };
	static const int sigs[] = { SIGCHLD, SIGSTOP, SIGCONT, SIGWINCH,
				    SIGURG,  SIGUSR1, SIGUSR2, SIGALRM };
	unsigned nsigs = fatal ? 8 : 5; /* the last three kill by default */
	for (unsigned n = 0; syscall(SYS_poll, &pfd, 1, 0) == 0; n++) {
		int sig = sigs[n % nsigs];
		if (group) {
			/* The master's setsid made it a process group that every stub
			 * process joins at its clone, so this reaches a stub process
			 * in the window between its bootstrap stop and the attach (P5),
			 * before anyone could know its pid. */
			kill(-master, SIGCONT);
			continue;
		}
		kill(as_pid, sig);
		kill(master, sig == SIGSTOP ? SIGCONT : sig);
		char dir[64];
		snprintf(dir, sizeof(dir), "/proc/%d/task", as_pid);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				syscall(SYS_tgkill, as_pid, atoi(e->d_name), sig);
		if (d)
			closedir(d);
		if (sig == SIGSTOP)
			kill(as_pid, SIGCONT);
	}
	kill(as_pid, SIGCONT);
	_exit(0);
}

struct hammer {
	struct guest *g;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int seen; /* INTERRUPT exits of the switching thread */
	bool stop;
	int other_kind; /* an exit that is not INTERRUPT, or -1 */
};

/* The switching thread: the guest spins, so only interrupts end a switch. */
static void *switcher(void *arg)
{
	struct hammer *h = arg;
	for (;;) {
		struct plat_exit ex;
		if (plat_switch(h->g->ctx, h->g->as, &ex) != 0 || ex.kind != PLAT_EXIT_INTERRUPT) {
			pthread_mutex_lock(&h->mu);
			h->other_kind = ex.kind;
			pthread_cond_broadcast(&h->cv);
			pthread_mutex_unlock(&h->mu);
			return NULL;
		}
		pthread_mutex_lock(&h->mu);
		h->seen++;
		bool stop = h->stop;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		if (stop)
			return NULL;
	}
}

/* One interrupt at a time, each waited for (10 s: a lost one fails). */
static void *interrupter(void *arg)
{
	struct hammer *h = arg;
	for (int i = 0; i <= INTERRUPTS; i++) {
		pthread_mutex_lock(&h->mu);
		if (i == INTERRUPTS)
			h->stop = true;
		int want = h->seen + 1;
		pthread_mutex_unlock(&h->mu);
		plat_interrupt(h->g->ctx);
		struct timespec dl;
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += 10;
		pthread_mutex_lock(&h->mu);
		while (h->seen < want && h->other_kind < 0)
			if (pthread_cond_timedwait(&h->cv, &h->mu, &dl)) {
				pthread_mutex_unlock(&h->mu);
				return (void *)1; /* lost */
			}
		pthread_mutex_unlock(&h->mu);
	}
	return NULL;
}

/* A short-lived harness thread: its map-file needs a stub thread of its
 * own (P9), injected as a clone while the storm goes on. */
static void *one_map(void *arg)
{
	struct guest *g = arg;
	uintptr_t a = DATA_ADDR + 8 * PAGE;
	int e = plat_map_file(g->as, a, g->memfd, 3 * PAGE, PAGE, PROT_READ, false);
	if (e)
		return (void *)(intptr_t)e;
	if (!mapped(plat_as_pid(g->as), a))
		return (void *)1;
	if ((e = plat_unmap(g->as, a, PAGE)))
		return (void *)(intptr_t)e;
	return mapped(plat_as_pid(g->as), a) ? (void *)2 : NULL;
}

enum { STORM = 1, FATAL = 2, INTERRUPTS_ON = 4, THREADS = 8, GROUP = 16 };

static void hammer(bool full_state, bool no_pool, int what)
{
	struct guest g;
	struct plat_options o = { .full_state = full_state, .no_pool = no_pool };
	guest_setup_opts(&g, &o);
	guest_load(&g, g_spin_h, g_spin_h_end);
	pid_t as_pid = plat_as_pid(g.as);
	int stop[2];
	cr_assert_eq(pipe(stop), 0);
	pid_t c = fork();
	if (c == 0) {
		close(stop[1]);
		if (!(what & STORM)) {
			char b;
			while (read(stop[0], &b, 1) > 0)
				;
			_exit(0);
		}
		storm(as_pid, plat_test_master_pid(g.p), stop[0], what & FATAL, what & GROUP);
	}
	close(stop[0]);
	struct hammer h = { .g = &g, .other_kind = -1 };
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	pthread_t sw, in;
	bool ints = what & INTERRUPTS_ON, thr = what & THREADS;
	if (ints) {
		pthread_create(&sw, NULL, switcher, &h);
		pthread_create(&in, NULL, interrupter, &h);
	} else {
		h.seen = INTERRUPTS + 1;
	}
	for (int i = 0; i < ROUNDS; i++) {
		{
			int e = plat_map_file(g.as, DATA_ADDR, g.memfd, PAGE, PAGE, PROT_READ,
					      i & 1);
			cr_assert_eq(e, 0, "round %d: map-file: %s (%s)", i, strerror(-e),
				     plat_as_error(g.as) ? plat_as_error(g.as) : "-");
		}
		if (i % 16 == 0)
			cr_assert(mapped(as_pid, DATA_ADDR), "round %d: map-file lost", i);
		cr_assert_eq(plat_unmap(g.as, DATA_ADDR, PAGE), 0, "round %d", i);
		if (i % 16 == 0)
			cr_assert(!mapped(as_pid, DATA_ADDR), "round %d: unmap lost", i);
		if (thr && i % (what & GROUP ? 10 : 100) == 0) {
			pthread_t t;
			void *rv;
			pthread_create(&t, NULL, one_map, &g);
			pthread_join(t, &rv);
			cr_assert_null(rv, "round %d: a new stub thread under fire: %ld", i,
				       (long)(intptr_t)rv);
			struct plat_as *other;
			int e = plat_as_new(g.p, &other);
			cr_assert_eq(e, 0, "round %d: a new address space: %s (%s)", i,
				     strerror(-e), plat_error(g.p));
			cr_assert_eq(plat_map_file(other, DATA_ADDR, g.memfd, PAGE, PAGE, PROT_READ,
						   false),
				     0);
			cr_assert(mapped(plat_as_pid(other), DATA_ADDR));
			plat_as_release(other);
		}
	}
	void *lost = NULL;
	if (ints) {
		pthread_join(in, &lost);
		pthread_join(sw, NULL);
	}
	close(stop[1]);
	int st;
	waitpid(c, &st, 0);
	cr_assert_null(lost, "an interrupt was lost (%d seen)", h.seen);
	cr_assert_eq(h.other_kind, -1, "a switch ended with kind %d, not INTERRUPT", h.other_kind);
	cr_assert_geq(h.seen, INTERRUPTS + 1);
	cr_assert_null(plat_as_error(g.as));
	cr_assert_eq(plat_dead(g.p), 0);
	guest_teardown(&g);
}

Test(hammer, p20_p19_injections_during_interrupts, .timeout = 120,
     .description =
	     "P20 P19 P9 P5 P22: map-file, unmap, new stub threads and address spaces while a harness thread interrupts a switch on the same address space 200 times; none lost")
{
	hammer(false, false, INTERRUPTS_ON | THREADS);
	hammer(true, true, INTERRUPTS_ON | THREADS);
}

Test(hammer, p20_p15_map_unmap_under_storm, .timeout = 120,
     .description =
	     "P20 P15 P14 P22: 2000 map-file/unmap pairs and new address spaces while another process sends kill and tgkill (SIGSTOP/SIGCONT, SIGUSR1, ...) to every stub thread and the master")
{
	hammer(false, false, STORM | FATAL);
	hammer(true, true, STORM | FATAL);
}

/*
 * The platform bugs these found, all fixed:
 *
 * - new stub threads under a storm: a thread detached for the P9
 *   hand-over (or parked by an exiting tracer) was resumed by an outside
 *   SIGCONT and ran untraced into the int3 loop, whose real SIGTRAP killed
 *   the stub; and CLONE_PTRACE's initial SIGSTOP could be discarded by a
 *   SIGCONT, leaving clone_thread waiting for it. Detached threads now
 *   wait in the stub's kill(SIGSTOP) hold loop (server.c, stub.S).
 * - new stub processes under a SIGCONT to their process group: a new
 *   stub stopped itself for the attach with a kill of its own, and a
 *   SIGCONT before the attach sent it on untraced into the same int3 loop.
 *   It now stops in the hold loop too (stub.S).
 * - interrupts plus a storm: plat_interrupt's SIGCHLD was dropped when a
 *   SIGCHLD from the storm was already pending (standard signals do not
 *   queue), so the interrupt was lost (switch.c).
 */
Test(hammer, p20_p9_new_threads_under_storm, .timeout = 120,
     .description =
	     "P20 P9 P15: new stub threads while another process sends SIGSTOP/SIGCONT (no fatal signals): the P9 hand-over window")
{
	hammer(false, false, STORM | THREADS);
}

Test(hammer, p5_new_processes_under_group_sigcont, .timeout = 120,
     .description =
	     "P5 P20 P14: 200 new stub processes while another process sends SIGCONT to the stubs' process group: none resumed untraced between its bootstrap stop and the attach")
{
	hammer(false, true, STORM | GROUP | THREADS);
}

Test(hammer, p20_p19_storm_and_interrupts, .timeout = 120,
     .description =
	     "P20 P19 P15: injections with interrupts and a SIGSTOP/SIGCONT storm at once: no interrupt lost to a merged SIGCHLD")
{
	hammer(false, false, STORM | INTERRUPTS_ON);
}
