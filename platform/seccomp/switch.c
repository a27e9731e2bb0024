/* T4: running guest code. A switch takes a free slot (a guest thread of
 * the stub process, parked in the signal handler), writes the context
 * into its frame, publishes RUN in the slot's state word and wakes the
 * thread if it sleeps; the thread's rt_sigreturn runs the guest until the
 * next signal, whose handler posts EVENT and wakes the harness if it
 * sleeps. The harness spins a bounded, adaptive while before it sleeps
 * (FUTEX_WAIT). Then the frame is copied once, checked (T5) and turned
 * into the exit, by the same rules as ptrace's (exit.c: P15, P16, P17),
 * with the fault's access kind also taken exactly from the error code. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "platform/seccomp/seccomp.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif
#define VSYSCALL_PAGE 0xffffffffff600000UL
#define SLOT_INTERRUPTED 1

/* --- the adaptive spin (T4) -------------------------------------------
 * Spinning pays only while harness and stub run on two CPUs and both
 * spin: the stub after its event, until our next run; we after the run,
 * until its next event. The budget (sp->spin, pause instructions, used by
 * both sides) rises with each wait that the spin ended and halves with
 * each one it did not. At 0 nobody spins, and a wait that spins alone
 * proves nothing (the stub sleeps, and the wake-up is what takes long),
 * so every 64th switch of a harness thread starts a trial of two: the
 * first only tells the stub to spin after its event, the second is
 * judged, and a hit starts spinning again. Pinned to one CPU the budget
 * stays at 0 and a trial costs two short spins. */
#define SPIN_MAX 4096u
#define SPIN_TRIAL 256u
#define SPIN_TRIAL_EVERY 64u
static _Thread_local unsigned spin_tick, spin_trial;

/* At the run: the budget of this switch, for both sides. */
static unsigned spin_next(struct sc_plat *sp)
{
	unsigned b = atomic_load_explicit(&sp->spin, memory_order_relaxed);
	if (b)
		spin_trial = 0;
	else if (spin_trial)
		b = SPIN_TRIAL;
	else if (++spin_tick % SPIN_TRIAL_EVERY == 0)
		spin_trial = 2, b = SPIN_TRIAL;
	return b;
}

static void spin_result(struct sc_plat *sp, unsigned budget, bool hit)
{
	if (!budget)
		return;
	if (spin_trial) {
		if (--spin_trial == 0 && hit)
			atomic_store_explicit(&sp->spin, SPIN_TRIAL, memory_order_relaxed);
		return;
	}
	unsigned b = atomic_load_explicit(&sp->spin, memory_order_relaxed);
	b = hit ? (b + b / 4 + 64 > SPIN_MAX ? SPIN_MAX : b + b / 4 + 64) : b / 2;
	atomic_store_explicit(&sp->spin, b, memory_order_relaxed);
}

static _Atomic uint32_t *state_word(struct sc_as *sa, unsigned slot)
{
	return (_Atomic uint32_t *)sc_state(sa, slot);
}

bool sc_post_run(struct sc_as *sa, unsigned slot, uint32_t spin)
{
	/* The stub spins as long as we will (see above). */
	memcpy(sc_ctl(sa, slot) + SC_CTL_SPIN, &spin, sizeof(spin));
	uint32_t old = atomic_exchange(state_word(sa, slot), SC_ST_RUN);
	if (!(old & SC_ST_STUB_SLEEPING))
		return false;
	sc_futex_wake(sc_state(sa, slot));
	return true;
}

/* A guest thread of the same process can overwrite a state word at any
 * moment (T5), for instance with exactly the value that makes one side
 * skip its FUTEX_WAKE. Neither the host nor the harness can be hurt by
 * that, but the harness would sleep for ever; so a sleep is cut every
 * second to look again and to wake the stub in case the lost wake was
 * its own. Death never waits for this: the watcher wakes us (T8). */
#define TAMPER_RECHECK_S 1

/* A state word at 0: the kernel's CLONE_CHILD_CLEARTID when the slot's
 * thread exited, or a guest's write (T5). The tid is only ever signalled
 * within the stub's thread group, so one from the region is safe here. */
static bool thread_gone(struct sc_as *sa, unsigned slot)
{
	pid_t tid = sa->slots[slot].tid;
	if (tid <= 0) { /* its birth: not recorded yet */
		uint32_t t;
		memcpy(&t, sc_ctl(sa, slot) + SC_CTL_TID, sizeof(t));
		tid = (pid_t)t;
	}
	return tid > 0 && syscall(SYS_tgkill, sa->as->pid, tid, 0) != 0 && errno == ESRCH;
}

/* Only for the message of a thread gone: whether the process's serving
 * thread (its first) sleeps with no SIGKILL pending. A group exit, from
 * outside or from a fatal signal of the guest's, first gives every thread
 * a pending SIGKILL and wakes it, before any of them exits; a thread that
 * died alone (a kernel oops) leaves the serving thread asleep in its wait,
 * or on its way back there from a request: so a running one is looked at
 * again a few times before the answer is no. */
static int serving_thread_state(pid_t pid)
{
	char path[64], line[256];
	int st = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 'X';
	while (fgets(line, sizeof(line), f)) {
		unsigned long long pend;
		char c;
		if (sscanf(line, "State: %c", &c) == 1)
			st = c;
		else if ((sscanf(line, "SigPnd: %llx", &pend) == 1 ||
			  sscanf(line, "ShdPnd: %llx", &pend) == 1) &&
			 (pend & (1ULL << (SIGKILL - 1))))
			st = 'K';
	}
	fclose(f);
	return st;
}

static bool serving_thread_quiet(pid_t pid)
{
	for (int i = 0; i < 50; i++) {
		int st = serving_thread_state(pid);
		if (st == 'S')
			return true;
		if (st != 'R' && st != 'D')
			return false;
		usleep(1000);
	}
	return false;
}

/* 0 at the next event, -PLAT_ESTUBDEAD when the stub died (the watcher
 * wrote DEAD and woke us: T8), -EPROTO for a state no party writes. */
int sc_wait_event(struct sc_as *sa, unsigned slot, unsigned budget, bool woke)
{
	_Atomic uint32_t *w = state_word(sa, slot);
	struct sc_plat *sp = sa->as->plat->sc;
	for (unsigned i = 0; i < budget; i++) {
		if ((atomic_load_explicit(w, memory_order_acquire) & SC_ST_PHASE) == SC_ST_EVENT) {
			/* Only a stub that was spinning when we posted shows
			 * that both sides spin on two CPUs: on one CPU a woken
			 * stub may run while our spin is preempted, and our
			 * spin then finds an event it did nothing for. */
			spin_result(sp, budget, !woke);
			return 0;
		}
		__builtin_ia32_pause();
	}
	spin_result(sp, budget, false);
	for (;;) {
		bool zeroed = false;
		uint32_t s = atomic_load(w);
		if (atomic_load(&sa->as->dead))
			return -PLAT_ESTUBDEAD;
		switch (s & SC_ST_PHASE) {
		case SC_ST_EVENT: return 0;
		case SC_ST_DEAD: /* only the harness writes it, after marking dead */
			return -EPROTO;
		case 0:
			/* The thread is gone: either its whole process is dying
			 * (the others' words are cleared too, before the watcher
			 * sees it go), or it died alone (a kernel oops). Either
			 * way the process is killed, certainly, and the watcher's
			 * DEAD soon ends this wait with the cause. */
			if (thread_gone(sa, slot) && !atomic_exchange(&sa->killed_for_gone, true)) {
				atomic_store(&sa->lone_exit, serving_thread_quiet(sa->as->pid));
				kill(sa->as->pid, SIGKILL);
			}
			zeroed = true;
		}
		if (!(s & SC_ST_HARNESS_SLEEPING)) {
			if (!atomic_compare_exchange_strong(w, &s, s | SC_ST_HARNESS_SLEEPING))
				continue;
			s |= SC_ST_HARNESS_SLEEPING;
		}
		/* A 0 from the kernel may come a moment before the thread is
		 * gone from tgkill's view: look again soon. */
		struct timespec ts = { zeroed ? 0 : TAMPER_RECHECK_S, zeroed ? 10000000 : 0 };
		if (syscall(SYS_futex, w, FUTEX_WAIT, s, &ts, NULL, 0) != 0 && errno == ETIMEDOUT &&
		    (atomic_load(w) & SC_ST_PHASE) == SC_ST_RUN)
			sc_futex_wake(sc_state(sa, slot));
	}
}

/* T5: the stub process is not to be trusted any more. */
static void violation(struct plat_as *as, const char *why)
{
	char what[192];
	snprintf(what, sizeof(what), "protocol violation (T5): %s", why);
	sc_as_poison(as, -1, what);
}

/* --- slots ------------------------------------------------------------ */

/* A new guest thread for slot i: the serving thread clones it, it traps
 * once on purpose and parks in the handler (stub/seccomp.S). */
static int thread_create(struct sc_as *sa, unsigned i)
{
	uint64_t a[6] = { i };
	/* The new thread owns its word until its birth trap; 0 would mean
	 * it exited (CLONE_CHILD_CLEARTID). */
	atomic_store(state_word(sa, i), SC_ST_RUN);
	int e = sc_request(sa, SC_OP_THREAD, a);
	if (!e)
		e = sc_wait_event(sa, i, 0, true);
	if (e) {
		char what[96];
		snprintf(what, sizeof(what), "slot %u: starting its thread failed (%s)", i,
			 strerror(-e));
		violation(sa->as, what);
		return -PLAT_ESTUBDEAD;
	}
	struct sc_event ev;
	char why[160] = "";
	uint32_t tid;
	memcpy(&tid, sc_ctl(sa, i) + SC_CTL_TID, sizeof(tid));
	if (sc_frame_read(sa, i, &ev, why, sizeof(why)) == 0 &&
	    (ev.info.si_signo != SIGSYS || ev.info.si_code != SYS_SECCOMP ||
	     (uintptr_t)ev.info.si_call_addr != sc_stub_addr(plat_sc_ip_birth) + 2 ||
	     (int)tid <= 0))
		snprintf(why, sizeof(why),
			 "slot %u: a new thread's first event is not its birth trap", i);
	/* T5: the tid comes from the region. It is signalled with tgkill
	 * (bounded to the stub) but also bound to CPUs (P26), which is not:
	 * it must be a thread of this stub process. */
	else if (why[0] == 0 && syscall(SYS_tgkill, sa->as->pid, (pid_t)tid, 0) != 0)
		snprintf(why, sizeof(why), "slot %u: tid %u is no thread of the stub", i, tid);
	else if (why[0] == 0) {
		pthread_mutex_lock(&sa->mu);
		sa->slots[i].tid = (pid_t)tid;
		sa->slots[i].bound_cpu = -1;
		pthread_mutex_unlock(&sa->mu);
		return 0;
	}
	violation(sa->as, why);
	return -PLAT_ESTUBDEAD;
}

/* Another context's FP state resident in slot i goes home (T9). */
static void evict(struct sc_as *sa, unsigned i, struct plat_ctx *ctx)
{
	struct sc_thread *t = &sa->slots[i];
	struct plat_ctx *owner = atomic_load(&t->fp_owner);
	if (!owner || owner == ctx)
		return;
	atomic_store(&t->fp_owner, NULL);
	if (!owner->fp_local_valid && sc_fp_from_frame(sa, i, owner->fp) == 0)
		owner->fp_local_valid = true;
	owner->fp_dirty = true;
	/* Last: a context released on its own thread, which sees no home,
	 * may be freed at once (sc_ctx_release). */
	atomic_store_explicit(&owner->sc_home, NULL, memory_order_release);
}

static bool idle(const struct sc_thread *t)
{
	return t->tid > 0 && !t->busy;
}

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void slot_busy(struct sc_as *sa, unsigned i, struct plat_ctx *ctx)
{
	sa->slots[i].busy = true;
	sa->slots[i].running = ctx;
	sa->slots[i].since_ns = mono_ns();
}

/* At most sc_layout.slots contexts of one address space run guest code
 * at once. A switch that has waited a time slice for a free stub thread
 * interrupts the one that has run longest, as a kernel's tick would: its
 * switch returns a spurious INTERRUPT (which the contract allows), frees
 * the thread, and queues again. Without it, guest threads that spin until
 * one more thread runs would wait for ever. Called with sa->mu held. */
#define TIME_SLICE_NS 20000000LL

static void preempt_oldest(struct sc_as *sa)
{
	long long now = mono_ns();
	struct sc_thread *oldest = NULL;
	for (unsigned i = 0; i < sa->nthreads; i++) {
		struct sc_thread *t = &sa->slots[i];
		if (t->busy && t->running && (!oldest || t->since_ns < oldest->since_ns))
			oldest = t;
	}
	if (oldest && now - oldest->since_ns >= TIME_SLICE_NS) {
		oldest->since_ns = now; /* one interrupt per slice */
		plat_interrupt(oldest->running);
	}
}

/* The context's own slot if its FP state is resident there and it is
 * free, else any free one, else a new thread while slots remain, else a
 * wait (which plat_interrupt cuts short: P19; and which takes a slot from
 * the longest runner after a time slice). */
static int slot_take(struct sc_as *sa, struct plat_ctx *ctx, unsigned *out)
{
	for (;;) {
		pthread_mutex_lock(&sa->mu);
		if (atomic_load(&sa->as->dead)) {
			pthread_mutex_unlock(&sa->mu);
			return -PLAT_ESTUBDEAD;
		}
		int pick = -1;
		struct sc_thread *h = ctx->sc_home;
		if (h && h->sa == sa && idle(h))
			pick = (int)h->idx;
		for (unsigned i = 0; pick < 0 && i < sa->nthreads; i++)
			if (idle(&sa->slots[i]))
				pick = (int)i;
		if (pick >= 0) {
			slot_busy(sa, (unsigned)pick, ctx);
			evict(sa, (unsigned)pick, ctx);
			pthread_mutex_unlock(&sa->mu);
			*out = (unsigned)pick;
			return 0;
		}
		if (sa->nthreads < sc_layout.slots) {
			unsigned i = sa->nthreads++;
			slot_busy(sa, i, ctx);
			pthread_mutex_unlock(&sa->mu);
			int e = thread_create(sa, i);
			if (e)
				return e;
			*out = i;
			return 0;
		}
		uint32_t gen = atomic_load(&sa->slot_gen);
		sa->slot_waiters++;
		pthread_mutex_unlock(&sa->mu);
		atomic_store(&ctx->wait_word, (uint32_t *)&sa->slot_gen);
		bool intr = atomic_load(&ctx->interrupt_pending);
		struct timespec slice = { 0, TIME_SLICE_NS };
		bool late = !intr &&
			    syscall(SYS_futex, &sa->slot_gen, FUTEX_WAIT_PRIVATE, gen, &slice, NULL,
				    0) != 0 &&
			    errno == ETIMEDOUT;
		atomic_store(&ctx->wait_word, NULL);
		pthread_mutex_lock(&sa->mu);
		sa->slot_waiters--;
		if (late)
			preempt_oldest(sa);
		pthread_mutex_unlock(&sa->mu);
		if (intr)
			return SLOT_INTERRUPTED;
	}
}

static void slot_release(struct sc_as *sa, unsigned i)
{
	pthread_mutex_lock(&sa->mu);
	sa->slots[i].busy = false;
	sa->slots[i].running = NULL;
	bool wake = sa->slot_waiters > 0;
	if (wake)
		atomic_fetch_add(&sa->slot_gen, 1);
	pthread_mutex_unlock(&sa->mu);
	if (wake)
		syscall(SYS_futex, &sa->slot_gen, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* --- state in and out (T9) --------------------------------------------- */

int sc_fp_pull(struct plat_ctx *ctx)
{
	struct sc_thread *t = ctx->sc_home;
	if (ctx->fp_local_valid)
		return 0;
	if (!t)
		return -PLAT_ESTUBDEAD;
	struct sc_as *sa = t->sa;
	int e = 0;
	pthread_mutex_lock(&sa->mu);
	if (!ctx->fp_local_valid) {
		if (atomic_load(&t->fp_owner) != ctx)
			e = -PLAT_ESTUBDEAD;
		else if ((e = sc_fp_from_frame(sa, t->idx, ctx->fp)) == 0)
			ctx->fp_local_valid = true;
	}
	pthread_mutex_unlock(&sa->mu);
	if (e == -EPROTO)
		violation(sa->as, "the FP image in a frame is not one the kernel writes");
	return e;
}

/* A context whose state another thread is evicting still has its home
 * until the eviction is done (evict() clears it last), so this either
 * sees no home, and nobody touches the context any more, or waits for the
 * lock the eviction holds. */
void sc_ctx_release(struct plat_ctx *ctx)
{
	struct sc_thread *t = atomic_load_explicit(&ctx->sc_home, memory_order_acquire);
	if (!t)
		return;
	pthread_mutex_lock(&t->sa->mu);
	struct plat_ctx *expect = ctx;
	atomic_compare_exchange_strong(&t->fp_owner, &expect, NULL);
	pthread_mutex_unlock(&t->sa->mu);
}

/* Lazy (T9): the FP image is written into the frame only when this slot's
 * frame does not already hold this context's, or the sentry changed it;
 * full_state writes it every time. The registers always go in. */
static int state_in(struct plat_ctx *ctx, struct sc_as *sa, unsigned slot)
{
	struct sc_thread *t = &sa->slots[slot];
	bool full = sa->as->plat->opts.full_state;
	sc_frame_write_regs(sa, slot, &ctx->regs);
	bool resident = atomic_load(&t->fp_owner) == ctx && ctx->sc_home == t;
	if (!full && resident && !ctx->fp_dirty)
		return 0;
	if (!ctx->fp_local_valid && sc_fp_pull(ctx) != 0)
		return -1;
	sc_fp_to_frame(sa, slot, ctx->fp);
	ctx->fp_dirty = false;
	if (full)
		return 0;
	pthread_mutex_lock(&sa->mu);
	struct sc_thread *old = ctx->sc_home;
	if (old && old != t) {
		struct plat_ctx *expect = ctx;
		atomic_compare_exchange_strong(&old->fp_owner, &expect, NULL);
	}
	atomic_store(&t->fp_owner, ctx);
	ctx->sc_home = t;
	pthread_mutex_unlock(&sa->mu);
	return 0;
}

static int state_out(struct plat_ctx *ctx, struct sc_as *sa, unsigned slot,
		     const struct sc_event *ev)
{
	ctx->regs = ev->regs;
	if (!sa->as->plat->opts.full_state) {
		ctx->fp_local_valid = false; /* the guest may have changed it */
		return 0;
	}
	if (sc_fp_from_frame(sa, slot, ctx->fp) != 0)
		return -1;
	ctx->fp_local_valid = true;
	return 0;
}

/* --- the exit ----------------------------------------------------------- */

/* T4: the hardware error code of a page fault: write (bit 1), instruction
 * fetch (bit 4), else read; 0 where the fault was no page fault. */
static unsigned exact_access(const struct sc_event *ev)
{
	if (ev->trapno != 14)
		return 0;
	if (ev->err & 2)
		return PLAT_ACCESS_READ | PLAT_ACCESS_WRITE;
	if (ev->err & 16)
		return PLAT_ACCESS_READ | PLAT_ACCESS_EXEC;
	return PLAT_ACCESS_READ;
}

/* 1: out is the exit; 0: a signal discarded by P15, resume; -1: the frame
 * contradicts itself (why). */
static int report(struct plat_ctx *ctx, struct sc_as *sa, unsigned slot, struct sc_event *ev,
		  struct plat_exit *out, char *why, size_t len)
{
	struct plat_as *as = sa->as;
	siginfo_t *si = &ev->info;
	pid_t harness = as->plat->harness_pid;
	if (!exit_reportable(si, harness)) {
		/* P19: a foreign SIGCHLD may have swallowed our interrupt's. */
		if (si->si_signo != SIGCHLD || !atomic_load(&ctx->interrupt_pending)) {
			exit_discard(as, si);
			return 0;
		}
		si->si_pid = harness;
	}
	out->info = *si;
	if (state_out(ctx, sa, slot, ev) != 0) {
		snprintf(why, len,
			 "slot %u: the FP image in the frame is not one the kernel writes", slot);
		return -1;
	}
	if (si->si_signo == SIGSYS && si->si_code == SYS_SECCOMP) {
		uintptr_t call = (uintptr_t)si->si_call_addr;
		if (call - VSYSCALL_PAGE < 0x1000) {
			exit_vsyscall_to_fault(&ctx->regs, &out->info); /* P16 */
			out->kind = PLAT_EXIT_FAULT;
			exit_classify_fault(ctx, as, out);
			out->exact_access = PLAT_ACCESS_READ | PLAT_ACCESS_EXEC;
			out->maybe_cpuid = false;
			return 1;
		}
		/* seccomp_data.nr is an int: the kernel compares the low half. */
		if ((uint32_t)ctx->regs.rax != (uint32_t)si->si_syscall || call != ctx->regs.rip) {
			snprintf(why, len,
				 "slot %u: SIGSYS for syscall %d at %#lx, frame says %lld at %#llx",
				 slot, si->si_syscall, (unsigned long)call, ctx->regs.rax,
				 ctx->regs.rip);
			return -1;
		}
		ctx->regs.orig_rax = ctx->regs.rax; /* P14's view */
		exit_forget_fault(ctx);
		out->kind = PLAT_EXIT_SYSCALL;
		return 1;
	}
	if (si->si_signo == SIGSEGV) {
		out->kind = PLAT_EXIT_FAULT;
		exit_classify_fault(ctx, as, out);
		out->exact_access = exact_access(ev);
		/* P27: the frame tells a #GP (trap 13, SI_KERNEL) from the
		 * rest, which ptrace cannot. */
		out->maybe_cpuid = out->maybe_cpuid && si->si_code == SI_KERNEL && ev->trapno == 13;
		return 1;
	}
	exit_forget_fault(ctx);
	out->kind = si->si_signo == SIGCHLD && si->si_code <= 0 ? PLAT_EXIT_INTERRUPT
								: PLAT_EXIT_SIGNAL;
	if (out->kind == PLAT_EXIT_INTERRUPT)
		atomic_store(&ctx->interrupt_pending, 0);
	return 1;
}

static void run_slot(struct plat_ctx *ctx, struct sc_as *sa, unsigned slot, unsigned spin,
		     struct plat_exit *out)
{
	struct plat_as *as = sa->as;
	char why[192] = "";
	if (state_in(ctx, sa, slot) != 0) {
		out->kind = PLAT_EXIT_ERROR;
		snprintf(out->error, sizeof(out->error),
			 "the guest's FP state was lost with its stub thread");
		return;
	}
	for (;;) {
		bool woke = sc_post_run(sa, slot, spin);
		int r = sc_wait_event(sa, slot, spin, woke);
		struct sc_event ev;
		if (r == -EPROTO)
			snprintf(why, sizeof(why), "slot %u: a state word no party writes", slot);
		else if (r == 0 && sc_frame_read(sa, slot, &ev, why, sizeof(why)) == 0)
			r = report(ctx, sa, slot, &ev, out, why, sizeof(why));
		else if (r == 0)
			r = -1;
		if (r > 0)
			return;
		if (r < 0) {
			if (why[0])
				violation(as, why);
			exit_error(out, as);
			return;
		}
	}
}

/* P26 as this backend reads it. Without spinning a switch is a wake-up
 * each way, and across CPUs each one is an inter-processor interrupt, as
 * under ptrace: so the slot's thread is bound to our CPU. But a switch
 * that spins needs the stub on another CPU, spinning too: for it (a
 * trial, or a spin that pays) the thread may run wherever we may. */
static void bind_slot(struct sc_thread *t, unsigned spin)
{
	if (!spin) {
		cpu_bind(t->tid, &t->bound_cpu);
	} else if (t->bound_cpu != -1) {
		cpu_set_t mine;
		if (sched_getaffinity(0, sizeof(mine), &mine) == 0)
			sched_setaffinity(t->tid, sizeof(mine), &mine);
		t->bound_cpu = -1;
	}
}

/* After plat_switch's P11 check (platform.c). */
void sc_run(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *out)
{
	struct sc_as *sa = as->sc;
	/* FP state resident in another address space's frame comes home
	 * first, so that only one address space is locked at a time. */
	if (!ctx->fp_local_valid && ctx->sc_home && ctx->sc_home->sa != sa &&
	    sc_fp_pull(ctx) != 0) {
		out->kind = PLAT_EXIT_ERROR;
		snprintf(out->error, sizeof(out->error),
			 "the guest's FP state was lost with its stub thread");
		return;
	}
	unsigned slot = 0;
	int r = slot_take(sa, ctx, &slot);
	if (r == SLOT_INTERRUPTED) {
		atomic_store(&ctx->interrupt_pending, 0);
		out->kind = PLAT_EXIT_INTERRUPT;
		return;
	}
	if (r < 0) {
		exit_error(out, as);
		return;
	}
	/* Publish "running" before looking at the flag again: an interrupt
	 * that raced with us is then either seen here or signalled (P19). */
	atomic_store(&ctx->running_pid, as->pid);
	atomic_store(&ctx->running_tid, sa->slots[slot].tid);
	if (atomic_exchange(&ctx->interrupt_pending, 0)) {
		out->kind = PLAT_EXIT_INTERRUPT;
	} else {
		unsigned spin = spin_next(as->plat->sc);
		if (!as->plat->opts.no_cpu_binding)
			bind_slot(&sa->slots[slot], spin);
		run_slot(ctx, sa, slot, spin, out);
	}
	atomic_store(&ctx->running_tid, 0);
	slot_release(sa, slot);
}
