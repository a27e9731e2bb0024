/* T3: the stub's seccomp filters, in classic BPF. libseccomp cannot test
 * the instruction pointer, and that test is the whole point: a syscall
 * made by one of the stub's own syscall instructions (listed below, each
 * for one syscall with the arguments the protocol fixes) is allowed;
 * everything else traps (SIGSYS): a syscall from anywhere else (guest
 * code, the vsyscall page, the ptrace stub beside ours), and one of the
 * stub's instructions with another syscall, architecture or argument.
 *
 * Trap, not kill, and still "anything else kills the stub process" (T3):
 * the stub's own code runs with every signal blocked (serving threads,
 * and guest threads inside the handler), and a SIGSYS forced on a thread
 * that blocks it kills the process. Only guest code runs with SIGSYS
 * unblocked, and for it a syscall instruction anywhere, the stub's
 * included, is a syscall: the handler reports it to the sentry like any
 * other, which is what Linux would do with it (T5), and nothing runs on
 * the host.
 *
 * Three layers, stacked by inheritance: the master's filter (M) is in
 * every stub thread, a serving thread adds S, a guest thread adds G on
 * top. The kernel runs all of them and the strictest answer wins, so a
 * guest thread can make only what G allows (a futex wait or wake, the
 * sigreturn), whatever it jumps to with whatever registers; mapping and
 * cloning happen on serving threads, which never run guest code (T3). */
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "platform/seccomp/seccomp.h"

#define FUTEX_WAIT_OP 0
#define FUTEX_WAKE_OP 1
#define PROT_RWX 7
#define SIG_SETMASK_HOW 2
#define PR_SET_PDEATHSIG_OP 1
#define SIGKILL_NR 9
#define MAP_SHARED_FIXED 0x11
#define MAP_POPULATE_BIT 0x8000

/* How one argument is constrained. */
enum sc_check {
	SC_NONE,
	SC_EQ,    /* == a */
	SC_EQ2,   /* == a or == b */
	SC_WITHIN /* no bit outside a */
};
struct sc_arg {
	enum sc_check check;
	unsigned idx;
	uint32_t a, b;
};
struct sc_rule {
	const char *label; /* the syscall instruction (stub/seccomp.S) */
	int nr;
	unsigned layers;
	struct sc_arg args[3];
};

#define G (SC_LAYER_GUEST | SC_LAYER_SERVE | SC_LAYER_MASTER)
#define S (SC_LAYER_SERVE | SC_LAYER_MASTER)
#define M SC_LAYER_MASTER
#define EQ(i, v)               \
	{                      \
		SC_EQ, i, v, 0 \
	}

static const struct sc_rule rules[] = {
	/* the switch (T4): the handler's wake and wait, the resume */
	{ plat_sc_ip_wake, SYS_futex, G, { EQ(1, FUTEX_WAKE_OP), EQ(2, 1) } },
	{ plat_sc_ip_wait, SYS_futex, G, { EQ(1, FUTEX_WAIT_OP), EQ(3, 0) } },
	{ plat_sc_ip_sigreturn, SYS_rt_sigreturn, G, { { 0 } } },
	/* a serving thread (T7): wait, map, unmap, report, new threads */
	{ plat_sc_ip_serve_wait, SYS_futex, S, { EQ(1, FUTEX_WAIT_OP), EQ(3, 0) } },
	{ plat_sc_ip_mmap,
	  SYS_mmap,
	  S,
	  { { SC_WITHIN, 2, PROT_RWX, 0 },
	    { SC_EQ2, 3, MAP_SHARED_FIXED, MAP_SHARED_FIXED | MAP_POPULATE_BIT } } },
	{ plat_sc_ip_munmap, SYS_munmap, S, { { 0 } } },
	{ plat_sc_ip_write, SYS_write, S, { EQ(2, 8) } },
	{ plat_sc_ip_clone_thread, SYS_clone, S, { EQ(0, SC_CLONE_THREAD), EQ(1, 0) } },
	{ plat_sc_ip_sigaltstack, SYS_sigaltstack, S, { EQ(1, 0) } },
	{ plat_sc_ip_sigprocmask, SYS_rt_sigprocmask, S, { EQ(0, SIG_SETMASK_HOW), EQ(3, 8) } },
	{ plat_sc_ip_seccomp_thread, SYS_seccomp, S, { EQ(0, SECCOMP_SET_MODE_FILTER), EQ(1, 0) } },
	/* the master (T7): new processes, and what they do before their S */
	{ plat_sc_ip_clone_process, SYS_clone, M, { EQ(0, SC_CLONE_PROCESS), EQ(1, 0) } },
	{ plat_sc_ip_child_map_ro, SYS_mmap, M, { EQ(2, 1), EQ(3, MAP_SHARED_FIXED) } },
	{ plat_sc_ip_child_map_rw, SYS_mmap, M, { EQ(2, 3), EQ(3, MAP_SHARED_FIXED) } },
	{ plat_sc_ip_prctl, SYS_prctl, M, { EQ(0, PR_SET_PDEATHSIG_OP), EQ(1, SIGKILL_NR) } },
	{ plat_sc_ip_getppid, SYS_getppid, M, { { 0 } } },
	{ plat_sc_ip_seccomp_process,
	  SYS_seccomp,
	  M,
	  { EQ(0, SECCOMP_SET_MODE_FILTER), EQ(1, 0) } },
	{ plat_sc_ip_unmap_low, SYS_munmap, M, { { 0 } } },
	{ plat_sc_ip_unmap_high, SYS_munmap, M, { { 0 } } },
};

#undef G
#undef S
#undef M
#undef EQ

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define OFF_IP_HI (OFF_IP_LO + 4)
#define OFF_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define OFF_ARG_HI(i) (OFF_ARG_LO(i) + 4)

struct prog {
	struct sock_filter *v;
	size_t n, max;
	bool overflow;
};

static void emit(struct prog *p, struct sock_filter f)
{
	if (p->n < p->max)
		p->v[p->n] = f;
	else
		p->overflow = true;
	p->n++;
}

static void emit_jeq(struct prog *p, uint32_t k, uint8_t jt, uint8_t jf)
{
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf));
}

/* What a mismatch at one of the stub's instructions gets (see above). */
#define MISMATCH SECCOMP_RET_TRAP

/* "A == k, else trap": three instructions. */
static void emit_need(struct prog *p, uint32_t off, uint32_t k)
{
	emit(p, (struct sock_filter)LD(off));
	emit_jeq(p, k, 1, 0);
	emit(p, (struct sock_filter)RET(MISMATCH));
}

/* Arguments are 64 bits: the upper half must be 0 for every check. */
static void emit_arg(struct prog *p, const struct sc_arg *a)
{
	switch (a->check) {
	case SC_NONE: return;
	case SC_EQ: emit_need(p, OFF_ARG_LO(a->idx), a->a); break;
	case SC_EQ2:
		emit(p, (struct sock_filter)LD(OFF_ARG_LO(a->idx)));
		emit_jeq(p, a->a, 2, 0);
		emit_jeq(p, a->b, 1, 0);
		emit(p, (struct sock_filter)RET(MISMATCH));
		break;
	case SC_WITHIN:
		emit(p, (struct sock_filter)LD(OFF_ARG_LO(a->idx)));
		emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, ~a->a, 0, 1));
		emit(p, (struct sock_filter)RET(MISMATCH));
		break;
	}
	emit_need(p, OFF_ARG_HI(a->idx), 0);
}

/* A rule's body runs only when the instruction pointer is its own: the
 * architecture, the number and the arguments must all be the ones the
 * stub uses there. */
static size_t emit_body(struct prog *p, const struct sc_rule *r)
{
	size_t start = p->n;
	emit_need(p, OFF_ARCH, AUDIT_ARCH_X86_64);
	emit_need(p, OFF_NR, (uint32_t)r->nr);
	for (size_t i = 0; i < sizeof(r->args) / sizeof(r->args[0]); i++)
		emit_arg(p, &r->args[i]);
	emit(p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
	return p->n - start;
}

/* The kernel reports the address after the 2-byte syscall instruction. */
static uint64_t rule_ip(const struct sc_rule *r)
{
	return sc_stub_addr(r->label) + 2;
}

int sc_filter_build(enum sc_layer layer, struct sock_filter *out, size_t max, char *err,
		    size_t errlen)
{
	struct prog p = { out, 0, max, false };
	uint32_t hi = (uint32_t)(rule_ip(&rules[0]) >> 32);
	/* Not the stub's upper half: not the stub (one compare for all). */
	emit(&p, (struct sock_filter)LD(OFF_IP_HI));
	emit_jeq(&p, hi, 1, 0);
	emit(&p, (struct sock_filter)RET(SECCOMP_RET_TRAP));
	emit(&p, (struct sock_filter)LD(OFF_IP_LO));
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct sc_rule *r = &rules[i];
		if (!(r->layers & layer))
			continue;
		if ((uint32_t)(rule_ip(r) >> 32) != hi) {
			snprintf(err, errlen, "the seccomp stub straddles a 4 GiB line");
			return -1;
		}
		/* jf skips the body, which we only know once written. */
		size_t jeq = p.n;
		emit_jeq(&p, (uint32_t)rule_ip(r), 0, 0);
		size_t len = emit_body(&p, r);
		if (len > 255) {
			snprintf(err, errlen, "seccomp rule too long");
			return -1;
		}
		if (jeq < max)
			out[jeq].jf = (uint8_t)len;
	}
	emit(&p, (struct sock_filter)RET(SECCOMP_RET_TRAP));
	if (p.overflow || p.n > BPF_MAXINSNS) {
		snprintf(err, errlen, "the seccomp filter needs %zu instructions, room for %zu",
			 p.n, max);
		return -1;
	}
	return (int)p.n;
}

#ifdef PLAT_TESTING
size_t sc_test_rules(struct sc_test_rule *out, size_t max)
{
	size_t n = sizeof(rules) / sizeof(rules[0]);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = (struct sc_test_rule){ rule_ip(&rules[i]), rules[i].nr, rules[i].layers };
	return n;
}
#endif
