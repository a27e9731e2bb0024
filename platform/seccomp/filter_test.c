/* T3: the stub's filters, run by a strict classic-BPF interpreter on
 * seccomp_data built for every boundary: each allowlisted instruction
 * pointer and its neighbours, the other half of the address, the edges
 * of the stub page, every argument the protocol fixes. The real kernel
 * runs the same programs in hostile_test.c. */
#include "platform/test_guest.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <stddef.h>

#include "platform/seccomp/seccomp.h"

#define ALLOW SECCOMP_RET_ALLOW
#define TRAP SECCOMP_RET_TRAP

/* Only what the builder emits; anything else fails the test. */
static uint32_t bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d)
{
	uint32_t a = 0;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			cr_assert(i->k % 4 == 0 && i->k + 4 <= sizeof(*d), "load at %u", i->k);
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += a & i->k ? i->jt : i->jf; break;
		case BPF_RET | BPF_K: return i->k;
		default: cr_assert_fail("opcode %#x at %zu", i->code, pc);
		}
	}
	cr_assert_fail("the program ran off its end");
	return 0;
}

struct layer {
	struct sock_filter f[1024];
	size_t n;
};

static void build(struct layer *l, enum sc_layer layer)
{
	char err[256];
	char perr[256];
	cr_assert_eq(plat_probe_now(perr, sizeof perr), 0, "%s", perr);
	cr_assert(plat_probe()->seccomp_ok, "%s", plat_probe()->seccomp_missing);
	int n = sc_filter_build(layer, l->f, 1024, err, sizeof err);
	cr_assert_gt(n, 0, "%s", err);
	l->n = (size_t)n;
}

static uint32_t run(const struct layer *l, int nr, uint64_t ip, const uint64_t args[6])
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = ip };
	if (args)
		memcpy(d.args, args, sizeof(d.args));
	return bpf_run(l->f, l->n, &d);
}

static size_t rules(struct sc_test_rule *r)
{
	size_t n = sc_test_rules(r, 64);
	cr_assert(n > 0 && n <= 64);
	return n;
}

static const enum sc_layer layers[] = { SC_LAYER_GUEST, SC_LAYER_SERVE, SC_LAYER_MASTER };

Test(seccomp, t3_every_allowlisted_ip_has_exact_neighbours,
     .description =
	     "T3: each stub syscall instruction, not the bytes around it, not the other half")
{
	struct sc_test_rule r[64];
	size_t nr = rules(r);
	for (size_t li = 0; li < 3; li++) {
		struct layer l;
		build(&l, layers[li]);
		for (size_t i = 0; i < nr; i++) {
			uint64_t ip = r[i].ip;
			/* The right ip with the wrong number always traps. */
			cr_expect_eq(run(&l, SYS_getpid, ip, NULL), TRAP, "ip %#lx getpid",
				     (unsigned long)ip);
			for (int d = -2; d <= 2; d++) {
				if (!d)
					continue;
				cr_expect_eq(run(&l, r[i].nr, ip + (uint64_t)(int64_t)d, NULL),
					     TRAP, "layer %u ip %#lx%+d", layers[li],
					     (unsigned long)ip, d);
			}
			cr_expect_eq(run(&l, r[i].nr, ip + (1ULL << 32), NULL), TRAP,
				     "upper half + 1");
			cr_expect_eq(run(&l, r[i].nr, ip - (1ULL << 32), NULL), TRAP,
				     "upper half - 1");
			cr_expect_eq(run(&l, r[i].nr, ip & 0xffffffffULL, NULL), TRAP,
				     "lower half alone");
		}
	}
}

/* A guest thread (G) may make only futex and rt_sigreturn at the
 * handler's instructions; the serving thread's ones are syscalls like
 * any other for it (trapped even with the "right" number). */
Test(seccomp, t3_layers_nest,
     .description = "T3: G within S within M; other layers' instructions trap")
{
	struct sc_test_rule r[64];
	size_t nr = rules(r);
	struct layer l[3];
	for (size_t li = 0; li < 3; li++)
		build(&l[li], layers[li]);
	for (size_t i = 0; i < nr; i++) {
		cr_expect(!(r[i].layers & SC_LAYER_GUEST) || (r[i].layers & SC_LAYER_SERVE),
			  "G within S");
		cr_expect(!(r[i].layers & SC_LAYER_SERVE) || (r[i].layers & SC_LAYER_MASTER),
			  "S within M");
		for (size_t li = 0; li < 3; li++)
			if (!(r[i].layers & layers[li]))
				cr_expect_eq(run(&l[li], r[i].nr, r[i].ip, NULL), TRAP,
					     "layer %u, rule %zu", layers[li], i);
		if (r[i].layers & SC_LAYER_GUEST)
			cr_expect(r[i].nr == SYS_futex || r[i].nr == SYS_rt_sigreturn,
				  "a guest thread's allowlist: futex and rt_sigreturn only (rule "
				  "%zu: %d)",
				  i, r[i].nr);
	}
}

static uint64_t ip_of(const char *label)
{
	return sc_stub_addr(label) + 2;
}

Test(seccomp, t3_arguments_the_protocol_fixes,
     .description = "T3: argument boundaries of every constrained rule")
{
	struct layer m;
	build(&m, SC_LAYER_MASTER);
	uint64_t wake[6] = { 0x1000, FUTEX_WAKE, 1 }, wait[6] = { 0x1000, FUTEX_WAIT, 7, 0 };
	cr_expect_eq(run(&m, SYS_futex, ip_of(plat_sc_ip_wake), wake), ALLOW);
	wake[1] = FUTEX_WAKE | FUTEX_PRIVATE_FLAG;
	cr_expect_eq(run(&m, SYS_futex, ip_of(plat_sc_ip_wake), wake), TRAP, "private flag");
	wake[1] = FUTEX_WAKE | (1ULL << 32);
	cr_expect_eq(run(&m, SYS_futex, ip_of(plat_sc_ip_wake), wake), TRAP, "upper half of op");
	wake[1] = FUTEX_WAKE, wake[2] = 2;
	cr_expect_eq(run(&m, SYS_futex, ip_of(plat_sc_ip_wake), wake), TRAP, "wakes one");
	cr_expect_eq(run(&m, SYS_futex, ip_of(plat_sc_ip_wait), wait), ALLOW);
	cr_expect_eq(run(&m, SYS_futex, ip_of(plat_sc_ip_serve_wait), wait), ALLOW);
	wait[3] = 0x2000;
	cr_expect_eq(run(&m, SYS_futex, ip_of(plat_sc_ip_wait), wait), TRAP, "no timeout");
	wait[3] = 0, wait[1] = FUTEX_WAKE;
	cr_expect_eq(run(&m, SYS_futex, ip_of(plat_sc_ip_wait), wait), TRAP, "the wait is a wait");

	uint64_t mm[6] = { 0x10000, 4096, 7, 0x11, 3, 0 };
	cr_expect_eq(run(&m, SYS_mmap, ip_of(plat_sc_ip_mmap), mm), ALLOW, "rwx, shared|fixed");
	mm[3] = 0x8011;
	cr_expect_eq(run(&m, SYS_mmap, ip_of(plat_sc_ip_mmap), mm), ALLOW, "populate");
	mm[3] = 0x12;
	cr_expect_eq(run(&m, SYS_mmap, ip_of(plat_sc_ip_mmap), mm), TRAP, "private");
	mm[3] = 0x11, mm[2] = 8;
	cr_expect_eq(run(&m, SYS_mmap, ip_of(plat_sc_ip_mmap), mm), TRAP, "PROT_SEM and friends");
	mm[2] = 0x1000000;
	cr_expect_eq(run(&m, SYS_mmap, ip_of(plat_sc_ip_mmap), mm), TRAP, "PROT_GROWSDOWN");
	mm[2] = 3 | (1ULL << 40);
	cr_expect_eq(run(&m, SYS_mmap, ip_of(plat_sc_ip_mmap), mm), TRAP, "upper half of prot");

	uint64_t w[6] = { 9, 0x1000, 8 };
	cr_expect_eq(run(&m, SYS_write, ip_of(plat_sc_ip_write), w), ALLOW);
	w[2] = 9;
	cr_expect_eq(run(&m, SYS_write, ip_of(plat_sc_ip_write), w), TRAP, "eight bytes");

	uint64_t ct[6] = { SC_CLONE_THREAD, 0 }, cp[6] = { SC_CLONE_PROCESS, 0 };
	cr_expect_eq(run(&m, SYS_clone, ip_of(plat_sc_ip_clone_thread), ct), ALLOW);
	cr_expect_eq(run(&m, SYS_clone, ip_of(plat_sc_ip_clone_process), cp), ALLOW);
	cr_expect_eq(run(&m, SYS_clone, ip_of(plat_sc_ip_clone_thread), cp), TRAP, "crossed flags");
	cr_expect_eq(run(&m, SYS_clone, ip_of(plat_sc_ip_clone_process), ct), TRAP,
		     "crossed flags");
	ct[0] |= 0x80000; /* CLONE_SETTLS */
	cr_expect_eq(run(&m, SYS_clone, ip_of(plat_sc_ip_clone_thread), ct), TRAP, "one flag more");
	ct[0] = SC_CLONE_THREAD, ct[1] = 0x7000;
	cr_expect_eq(run(&m, SYS_clone, ip_of(plat_sc_ip_clone_thread), ct), TRAP, "a stack");

	uint64_t pd[6] = { 1, 9 };
	cr_expect_eq(run(&m, SYS_prctl, ip_of(plat_sc_ip_prctl), pd), ALLOW);
	pd[1] = 15;
	cr_expect_eq(run(&m, SYS_prctl, ip_of(plat_sc_ip_prctl), pd), TRAP, "PDEATHSIG is SIGKILL");
	uint64_t sm[6] = { 2, 0x1000, 0, 8 };
	cr_expect_eq(run(&m, SYS_rt_sigprocmask, ip_of(plat_sc_ip_sigprocmask), sm), ALLOW);
	sm[0] = 1; /* SIG_UNBLOCK */
	cr_expect_eq(run(&m, SYS_rt_sigprocmask, ip_of(plat_sc_ip_sigprocmask), sm), TRAP);
	uint64_t sf[6] = { SECCOMP_SET_MODE_FILTER, 0, 0x1000 };
	cr_expect_eq(run(&m, SYS_seccomp, ip_of(plat_sc_ip_seccomp_thread), sf), ALLOW);
	sf[1] = 1; /* SECCOMP_FILTER_FLAG_TSYNC */
	cr_expect_eq(run(&m, SYS_seccomp, ip_of(plat_sc_ip_seccomp_thread), sf), TRAP, "no flags");
}

Test(seccomp, t3_architecture_and_x32,
     .description = "T3: only x86-64 syscalls pass, even at the stub's instructions")
{
	struct layer g;
	build(&g, SC_LAYER_GUEST);
	struct seccomp_data d = { .nr = SYS_rt_sigreturn,
				  .arch = AUDIT_ARCH_I386,
				  .instruction_pointer = ip_of(plat_sc_ip_sigreturn) };
	cr_expect_eq(bpf_run(g.f, g.n, &d), TRAP);
	d.arch = AUDIT_ARCH_X86_64;
	cr_expect_eq(bpf_run(g.f, g.n, &d), ALLOW);
	d.nr = SYS_rt_sigreturn | 0x40000000; /* __X32_SYSCALL_BIT */
	cr_expect_eq(bpf_run(g.f, g.n, &d), TRAP);
}

Test(seccomp, t3_outside_the_stub_everything_traps,
     .description = "T3: the page's edges, the vsyscall page, guest code")
{
	struct layer m;
	build(&m, SC_LAYER_MASTER);
	uint64_t s = plat_stub_start(), e = plat_stub_end();
	const uint64_t ips[] = { 0,
				 0x400000,
				 s - 1,
				 s,
				 s + 1,
				 e - 1,
				 e,
				 e + 1,
				 0xffffffffff600000ULL,
				 0xffffffffff600400ULL,
				 ~0ULL };
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++)
		for (int nr = 0; nr < 450; nr += 7)
			cr_expect_eq(run(&m, nr, ips[i], NULL), TRAP, "nr %d at %#lx", nr,
				     (unsigned long)ips[i]);
}

/* The programs the stub installs are the ones built here (stub_fill.c
 * copies them into the stub page at start-up). */
Test(seccomp, t3_stub_page_holds_the_filters,
     .description = "T2, T3: the S and G programs in the stub page")
{
	struct layer s, g;
	build(&s, SC_LAYER_SERVE);
	build(&g, SC_LAYER_GUEST);
	const unsigned char *k = (const unsigned char *)sc_stub_addr(plat_sc_consts);
	uint16_t slen, glen;
	uint64_t sptr, gptr;
	memcpy(&slen, k + SC_K_SPROG, 2);
	memcpy(&sptr, k + SC_K_SPROG + 8, 8);
	memcpy(&glen, k + SC_K_GPROG, 2);
	memcpy(&gptr, k + SC_K_GPROG + 8, 8);
	cr_assert_eq(slen, s.n);
	cr_assert_eq(glen, g.n);
	cr_assert(sptr > plat_stub_start() && sptr + slen * 8 <= plat_stub_end());
	cr_assert(gptr > plat_stub_start() && gptr + glen * 8 <= plat_stub_end());
	cr_expect_eq(memcmp((void *)sptr, s.f, s.n * 8), 0);
	cr_expect_eq(memcmp((void *)gptr, g.f, g.n * 8), 0);
}
