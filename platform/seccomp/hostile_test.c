/* T5: the shared region is untrusted. A guest that jumps to the stub's
 * syscall instructions with registers of its choosing, calls the handler
 * itself, forges a sigreturn frame, writes the region, or writes the
 * read-only page gets the syscall, the fault or the error Linux (or the
 * platform) would give, and never a host syscall (plat_escapes stays 0). */
#include "platform/test_guest.h"

#include <linux/futex.h>
#include <pthread.h>

#include "platform/seccomp/seccomp.h"

#define UNMAPPED 0x50000UL /* nothing is ever mapped there in these tests */

GUEST_CODE(sc_h_call, "mov $0x66, %eax\n syscall\n ud2");
/* Writes rdi into the 32-bit word at rsi, then a syscall. */
GUEST_CODE(sc_h_poke, "movl %edi, (%rsi)\n mov $0x67, %eax\n syscall\n ud2");
/* Fills [rsi, rsi + rdx) with 0xa5 bytes, then a syscall. */
GUEST_CODE(sc_h_scribble,
	   "mov %rdi, %rax\n mov %rdx, %rcx\n mov %rsi, %rdi\n mov $0xa5, %al\n"
	   "rep stosb\n mov $0x68, %eax\n syscall\n ud2");

/* The context starts right at addr, every register but rax and rip
 * pointing at unmapped memory, so that whatever stub code follows the
 * syscall faults back to us. */
static void start_at(struct guest *g, uintptr_t addr, unsigned long long rax)
{
	struct user_regs_struct *r = plat_ctx_regs(g->ctx);
	unsigned long long fs = r->fs_base;
	memset(r, 0, sizeof(*r));
	r->rax = rax;
	r->rbx = r->rcx = r->rdx = r->rsi = r->rdi = r->rbp = UNMAPPED;
	r->r8 = r->r9 = r->r10 = r->r11 = r->r12 = r->r13 = r->r14 = r->r15 = UNMAPPED;
	r->rsp = STACK_ADDR + PAGE;
	r->rip = addr;
	r->eflags = 0x202;
	r->fs_base = fs;
}

/* The guest still runs normally afterwards: nothing of the stub broke. */
static void still_works(struct guest *g)
{
	guest_load(g, sc_h_call, sc_h_call_end);
	cr_assert_eq(guest_syscall(g)->orig_rax, 0x66, "a normal syscall after the attack");
	cr_assert_eq(plat_escapes(g->p), 0);
}

Test(seccomp, t5_t3_jump_to_every_stub_syscall,
     .description =
	     "T5 T3: every stub syscall instruction, jumped to with getpid, is the guest's syscall")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_call, sc_h_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
	struct sc_test_rule r[64];
	size_t n = sc_test_rules(r, 64);
	r[n++] = (struct sc_test_rule){ sc_stub_addr(plat_sc_ip_birth) + 2, SYS_getpid, 0 };
	for (size_t i = 0; i < n; i++) {
		start_at(&g, r[i].ip - 2, SYS_getpid);
		struct user_regs_struct *regs = guest_syscall(&g);
		cr_assert_eq(regs->orig_rax, SYS_getpid, "instruction %zu", i);
		cr_assert_eq(regs->rip, r[i].ip);
		/* Let the stub's code after it run as guest code: it faults or
		 * hits a ud2, whatever the instruction was. */
		regs->rax = 1000;
		enum plat_exit_kind k = guest_run(&g);
		cr_assert(k == PLAT_EXIT_FAULT || k == PLAT_EXIT_SIGNAL,
			  "instruction %zu: kind %d (%s)", i, k, g.ex.error);
	}
	still_works(&g);
	guest_teardown(&g);
}

Test(seccomp, t5_t3_the_right_syscall_at_the_wrong_layer,
     .description =
	     "T5 T3: the serving thread's mmap, with its own arguments, is only a guest "
	     "syscall in a guest thread")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_call, sc_h_call_end);
	start_at(&g, sc_stub_addr(plat_sc_ip_mmap), SYS_mmap);
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	/* Over the stub page itself: what a remap of the stub area would do. */
	r->rdi = plat_stub_start(), r->rsi = PAGE, r->rdx = PROT_READ | PROT_WRITE;
	r->r10 = MAP_SHARED | MAP_FIXED, r->r8 = (unsigned long long)g.memfd, r->r9 = 0;
	r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, SYS_mmap, "trapped: the host never saw it");
	cr_assert_eq(r->rdi, plat_stub_start());
	still_works(&g);
	guest_teardown(&g);
}

Test(seccomp, t5_handler_called_directly,
     .description = "T5: a guest that calls the handler itself gets the SIGILL of its ud2")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_call, sc_h_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
	start_at(&g, sc_stub_addr(plat_sc_handler), 0);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_SIGNAL, "kind %d (%s)", g.ex.kind, g.ex.error);
	cr_assert_eq(g.ex.info.si_signo, SIGILL);
	uintptr_t rip = plat_ctx_regs(g.ctx)->rip;
	cr_assert(rip > plat_stub_start() && rip < plat_stub_end(), "the ud2 is the stub's");
	still_works(&g);
	guest_teardown(&g);
}

/* A frame of our own making for the stub's rt_sigreturn: with an empty
 * mask it is only a jump; blocking SIGSYS, the next guest syscall is a
 * SIGSYS the kernel forces with its default action: the stub process
 * dies, and the switch says so (T8). Either way no host syscall. */
static void forged_sigreturn(uint64_t mask, enum plat_exit_kind want)
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_call, sc_h_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
	unsigned char frame[440] = { 0 };
	uint64_t v;
	v = CODE_ADDR; /* uc_mcontext.ip */
	memcpy(frame + 8 + 40 + 128, &v, 8);
	v = STACK_ADDR + PAGE; /* uc_mcontext.sp */
	memcpy(frame + 8 + 40 + 120, &v, 8);
	v = 0x202; /* flags */
	memcpy(frame + 8 + 40 + 136, &v, 8);
	uint16_t cs = 0x33, ss = 0x2b;
	memcpy(frame + 8 + 40 + 144, &cs, 2);
	memcpy(frame + 8 + 40 + 150, &ss, 2);
	memcpy(frame + 8 + 296, &mask, 8); /* uc_sigmask */
	cr_assert_eq(pwrite(g.memfd, frame, sizeof frame, PAGE), (ssize_t)sizeof frame);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ | PROT_WRITE);
	start_at(&g, sc_stub_addr(plat_sc_ip_sigreturn), SYS_rt_sigreturn);
	plat_ctx_regs(g.ctx)->rsp = DATA_ADDR + 8;
	enum plat_exit_kind k = guest_run(&g);
	cr_assert_eq(k, want, "kind %d (%s)", k, g.ex.error);
	if (k == PLAT_EXIT_SYSCALL)
		cr_assert_eq(plat_ctx_regs(g.ctx)->orig_rax, 0x66, "the forged frame's ip ran");
	else
		cr_assert(strstr(g.ex.error, "SIGSYS") || strstr(g.ex.error, "signal 31"), "%s",
			  g.ex.error);
	cr_assert_eq(plat_escapes(g.p), 0);
	/* The harness goes on with a fresh address space. */
	plat_as_release(g.as);
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	guest_load(&g, sc_h_call, sc_h_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
	guest_teardown(&g);
}

Test(seccomp, t5_forged_sigreturn_is_a_jump,
     .description = "T5: a forged sigreturn frame with an empty mask only moves the guest")
{
	forged_sigreturn(0, PLAT_EXIT_SYSCALL);
}

Test(seccomp, t5_forged_sigreturn_blocking_sigsys_is_an_error,
     .description =
	     "T5 T8: a forged frame that blocks SIGSYS kills the stub: an error, not a host syscall")
{
	forged_sigreturn(1ULL << (SIGSYS - 1), PLAT_EXIT_ERROR);
}

static uintptr_t state_word_addr(unsigned slot)
{
	return sc_layout.region + SC_PAGE + SC_CTL_FIRST + SC_CTL_SIZE * slot + SC_CTL_STATE;
}

/* The guest overwrites its own state word while it runs: 0 makes the
 * handler skip its wake; the harness finds the event on its recheck. */
static void poke_own_state(uint32_t value)
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_poke, sc_h_poke_end);
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	r->rdi = value;
	r->rsi = state_word_addr(0);
	r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x67);
	cr_assert_eq(plat_escapes(g.p), 0);
	guest_teardown(&g);
}

Test(seccomp, t5_guest_zeroes_its_state_word,
     .description = "T5: a state word overwritten with 0 costs a recheck, not a hang")
{
	poke_own_state(0);
}

Test(seccomp, t5_guest_writes_dead_and_garbage,
     .description = "T5: DEAD or garbage written by the guest are not believed")
{
	poke_own_state(SC_ST_DEAD);
	poke_own_state(0xffffffff);
}

Test(seccomp, t5_region_scribbled,
     .description = "T5: the guest fills the whole writable region but its own frame: it runs on")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_scribble, sc_h_scribble_end);
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	/* Everything from the control page to slot 0's frame: the other
	 * slots' lines and slot 0's own, its stack below the frame. */
	uintptr_t frame = sc_layout.stacks + sc_layout.stack_size - sc_layout.frame_off;
	r->rsi = sc_layout.region + SC_PAGE;
	r->rdx = frame - r->rsi;
	r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 0x68);
	still_works(&g);
	guest_teardown(&g);
}

Test(seccomp, t5_readonly_page_faults,
     .description = "T5: a write to the read-only page is a write fault")
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_poke, sc_h_poke_end);
	struct user_regs_struct *r = plat_ctx_regs(g.ctx);
	r->rdi = 12345;
	r->rsi = sc_layout.region + SC_RO_SEQ;
	cr_assert_eq(guest_run(&g), PLAT_EXIT_FAULT);
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, sc_layout.region);
	cr_assert_eq(g.ex.exact_access, PLAT_ACCESS_READ | PLAT_ACCESS_WRITE);
	cr_assert_eq(plat_escapes(g.p), 0);
	guest_teardown(&g);
}

/* Another guest thread of the process can write any byte of the region
 * while this one runs; a helper thread of the test plays it, through the
 * harness's own mapping, while the guest spins and the switch waits. */
GUEST_CODE(sc_h_spin, "mov $0x66, %eax\n syscall\n 1: jmp 1b");

#define FRAME_UC_FLAGS 8
#define FRAME_AX (48 + 104)
#define FRAME_IP (48 + 128)
#define FRAME_FPSTATE (48 + 184)
#define FRAME_INFO 312

struct forger {
	struct guest *g;
	void (*forge)(struct sc_as *sa);
};

static void *forge_when_running(void *arg)
{
	struct forger *f = arg;
	struct sc_as *sa = f->g->as->sc;
	if (!wait_thread_state(plat_as_pid(f->g->as), plat_test_thread_tid(f->g->as, false), 'R'))
		return (void *)1;
	f->forge(sa);
	sc_futex_wake(sc_state(sa, 0));
	return NULL;
}

static void forged(void (*forge)(struct sc_as *sa), const char *why)
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_spin, sc_h_spin_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
	struct forger f = { &g, forge };
	pthread_t th;
	pthread_create(&th, NULL, forge_when_running, &f);
	enum plat_exit_kind k = guest_run(&g);
	void *rv;
	pthread_join(th, &rv);
	cr_assert_null(rv);
	cr_assert_eq(k, PLAT_EXIT_ERROR, "kind %d", k);
	cr_assert(strstr(g.ex.error, "protocol violation") && strstr(g.ex.error, why), "%s",
		  g.ex.error);
	cr_assert_eq(plat_escapes(g.p), 0);
	pid_t pid = plat_as_pid(g.as);
	plat_as_release(g.as);
	cr_assert(process_gone(pid), "the untrusted stub is killed and reaped");
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	guest_load(&g, sc_h_call, sc_h_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66, "the harness goes on");
	guest_teardown(&g);
}

static void post_event(struct sc_as *sa)
{
	atomic_exchange((_Atomic uint32_t *)sc_state(sa, 0), SC_ST_EVENT);
}

static void write_dead(struct sc_as *sa)
{
	atomic_store((_Atomic uint32_t *)sc_state(sa, 0), SC_ST_DEAD);
}

static void bad_signo(struct sc_as *sa)
{
	int sig = 99;
	memcpy(sc_frame(sa, 0) + FRAME_INFO, &sig, sizeof sig);
	post_event(sa);
}

static void bad_fpstate_pointer(struct sc_as *sa)
{
	uint64_t p = 0x1000;
	memcpy(sc_frame(sa, 0) + FRAME_FPSTATE, &p, sizeof p);
	post_event(sa);
}

/* A SIGSYS whose number is not the one in rax. */
static void bad_syscall(struct sc_as *sa)
{
	unsigned char *f = sc_frame(sa, 0);
	int sig = SIGSYS, code = 1, nr = 5;
	uint64_t ax = 6, ip;
	memcpy(&ip, f + FRAME_IP, 8);
	memcpy(f + FRAME_INFO, &sig, 4);
	memcpy(f + FRAME_INFO + 8, &code, 4);
	memcpy(f + FRAME_INFO + 16, &ip, 8);
	memcpy(f + FRAME_INFO + 24, &nr, 4);
	memcpy(f + FRAME_AX, &ax, 8);
	post_event(sa);
}

Test(seccomp, t5_forged_dead_state,
     .description = "T5 T8: DEAD written by a guest thread is not a death: a protocol violation")
{
	forged(write_dead, "state word");
}

Test(seccomp, t5_forged_event_bad_signal,
     .description = "T5: a forged event whose frame names no signal is refused")
{
	forged(bad_signo, "signal number");
}

Test(seccomp, t5_forged_event_bad_fpstate,
     .description = "T5: a frame whose FP pointer is not the kernel's is refused, never followed")
{
	forged(bad_fpstate_pointer, "not the one the kernel writes");
}

Test(seccomp, t5_forged_sigsys, .description = "T5: a SIGSYS whose number is not rax's is refused")
{
	forged(bad_syscall, "SIGSYS for syscall 5");
}

/* The FP image stays in the frame (lazy, T9) until the sentry asks; a
 * guest thread that garbles it meanwhile gets no state, and its stub is
 * killed: the next switch is the error. Each field the check reads. */
static void garble_fp(size_t off, uint64_t value, size_t len)
{
	struct guest g;
	guest_setup_sc(&g, false);
	guest_load(&g, sc_h_call, sc_h_call_end);
	cr_assert_eq(guest_syscall(&g)->orig_rax, 0x66);
	memcpy(sc_fpstate(g.as->sc, 0) + off, &value, len);
	errno = 0;
	cr_assert_null(plat_ctx_fpstate(g.ctx, false), "offset %zu", off);
	cr_assert_eq(errno, EPROTO);
	cr_assert_eq(guest_run(&g), PLAT_EXIT_ERROR);
	cr_assert(strstr(g.ex.error, "FP image"), "%s", g.ex.error);
	guest_teardown(&g);
}

Test(seccomp, t5_t9_garbled_fp_image,
     .description = "T5 T9: a garbled XSAVE image in the frame is refused when read")
{
	char err[256];
	cr_assert_eq(plat_probe_now(err, sizeof err), 0);
	garble_fp(464, 0, 4);                 /* magic1 */
	garble_fp(480, 64, 4);                /* xstate_size */
	garble_fp(plat_fpstate_size(), 0, 4); /* magic2 */
	garble_fp(512, 1ULL << 62, 8);        /* a feature the kernel does not have */
	garble_fp(520, 1ULL << 63, 8);        /* the compacted format */
}
