/*
 * Helpers for the platform's unit tests: a platform, one address space and
 * one context, with guest code copied from this binary into a memfd and
 * mapped with map-file (P21) at fixed addresses. Guest snippets are written
 * in assembly with GUEST_CODE(name, "...") and must be position-independent.
 */
#ifndef PLATFORM_TEST_GUEST_H
#define PLATFORM_TEST_GUEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform/coverage.h"
#include "platform/platform.h"

#define CODE_ADDR 0x10000000UL
#define DATA_ADDR 0x20000000UL
#define STACK_ADDR 0x30000000UL /* one page; rsp starts at its end */
#define PAGE 4096UL

/* Defines name[] and name_end[] around a snippet of guest code. */
#define GUEST_CODE(name, body)                                                              \
	__asm__(".pushsection .text\n.globl " #name "\n" #name ":\n" body "\n.globl " #name \
		"_end\n" #name "_end:\n.popsection\n");                                     \
	extern const char name[], name##_end[]

struct guest {
	struct plat *p;
	struct plat_as *as;
	struct plat_ctx *ctx;
	int memfd; /* page 0: code, page 1: data, page 2: stack, 3..: spare */
	struct plat_exit ex;
};

static inline void guest_map(struct guest *g, uintptr_t addr, uint64_t off, size_t len, int prot)
{
	int e = plat_map_file(g->as, addr, g->memfd, off, len, prot, false);
	cr_assert_eq(e, 0, "map-file %#lx: %s", (unsigned long)addr, strerror(-e));
}

static inline void guest_setup_opts(struct guest *g, const struct plat_options *o)
{
	char err[256];
	memset(g, 0, sizeof(*g));
	g->p = plat_new(o, err, sizeof(err));
	cr_assert_not_null(g->p, "plat_new: %s", err);
	cr_assert_eq(plat_as_new(g->p, &g->as), 0);
	g->ctx = plat_ctx_new(g->p);
	cr_assert_not_null(g->ctx);
	g->memfd = memfd_create("guest", MFD_CLOEXEC);
	cr_assert(g->memfd >= 0);
	cr_assert_eq(ftruncate(g->memfd, 16 * PAGE), 0);
}

static inline void guest_setup(struct guest *g, bool full_state)
{
	struct plat_options o = { .full_state = full_state };
	guest_setup_opts(g, &o);
}

/* The same with the seccomp-trap backend (T1). */
static inline void guest_setup_sc(struct guest *g, bool full_state)
{
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP, .full_state = full_state };
	guest_setup_opts(g, &o);
}

/* Copies a snippet to the code page, maps code and stack, points rip at it. */
static inline void guest_load(struct guest *g, const char *begin, const char *end)
{
	size_t len = (size_t)(end - begin);
	cr_assert(len <= PAGE);
	cr_assert_eq(pwrite(g->memfd, begin, len, 0), (ssize_t)len);
	guest_map(g, CODE_ADDR, 0, PAGE, PROT_READ | PROT_EXEC);
	guest_map(g, STACK_ADDR, 2 * PAGE, PAGE, PROT_READ | PROT_WRITE);
	struct user_regs_struct *r = plat_ctx_regs(g->ctx);
	r->rip = CODE_ADDR;
	r->rsp = STACK_ADDR + PAGE;
	r->eflags = 0x202;
}

static inline enum plat_exit_kind guest_run(struct guest *g)
{
	cr_assert_eq(plat_switch(g->ctx, g->as, &g->ex), 0);
	return g->ex.kind;
}

/* Runs to the next syscall and checks that it is one. */
static inline struct user_regs_struct *guest_syscall(struct guest *g)
{
	enum plat_exit_kind k = guest_run(g);
	cr_assert_eq(k, PLAT_EXIT_SYSCALL, "expected a syscall, got kind %d (signal %d, %s)", k,
		     g->ex.info.si_signo, g->ex.error);
	return plat_ctx_regs(g->ctx);
}

static inline void guest_teardown(struct guest *g)
{
	plat_ctx_release(g->ctx);
	plat_as_release(g->as);
	close(g->memfd);
	plat_destroy(g->p);
}

/* A second snippet for a second context: copied 3 pages into the memory
 * file and mapped at CODE_ADDR + PAGE (P13 tests of two contexts). */
static inline void guest_load_second(struct guest *g, const char *begin, const char *end)
{
	size_t len = (size_t)(end - begin);
	cr_assert_eq(pwrite(g->memfd, begin, len, 3 * PAGE), (ssize_t)len);
	guest_map(g, CODE_ADDR + PAGE, 3 * PAGE, PAGE, PROT_READ | PROT_EXEC);
}

/* A new context on g's address space, run from the second snippet to its
 * first syscall; the caller releases it. */
static inline struct plat_ctx *guest_second_ctx_run(struct guest *g)
{
	struct plat_ctx *b = plat_ctx_new(g->p);
	struct user_regs_struct *rb = plat_ctx_regs(b);
	rb->rip = CODE_ADDR + PAGE;
	rb->rsp = STACK_ADDR + PAGE;
	rb->eflags = 0x202;
	struct plat_exit ex;
	cr_assert_eq(plat_switch(b, g->as, &ex), 0);
	cr_assert_eq(ex.kind, PLAT_EXIT_SYSCALL);
	return b;
}

/* The one-letter state in /proc/PID/task/TID/stat ('R', 'S', 't', 'Z'...),
 * or 0 when the thread is gone. Tests poll it instead of sleeping. */
static inline char thread_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* Waits (yielding, bounded by 10 s) until a thread reaches a state. */
static inline bool wait_thread_state(pid_t pid, pid_t tid, char want)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (thread_state(pid, tid) == want)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 10)
			return false;
		sched_yield();
	}
}

static inline bool process_gone(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d", pid);
	return access(path, F_OK) != 0;
}

/* P23, T8: after a switch that returned the error of the stub process
 * `dead` killed by SIGKILL, the address space stays poisoned (map-file
 * and switch give the error), is reaped on release and never pooled, and
 * the platform lives on: a new address space runs code (a snippet that
 * makes syscall 0x66). */
static inline void expect_poisoned_then_recovers(struct guest *g, pid_t dead, const char *code,
						 const char *code_end)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", dead);
	cr_assert(strstr(g->ex.error, pid) && strstr(g->ex.error, "signal 9"), "error: %s",
		  g->ex.error);
	cr_assert_not_null(plat_as_error(g->as));
	cr_assert_eq(plat_map_file(g->as, DATA_ADDR, g->memfd, 0, PAGE, PROT_READ, false),
		     -PLAT_ESTUBDEAD);
	cr_assert_eq(guest_run(g), PLAT_EXIT_ERROR, "a poisoned address space stays an error");
	plat_as_release(g->as);
	cr_assert(process_gone(dead), "the dead stub is reaped");
	cr_assert_eq(plat_dead(g->p), 0, "only this address space is lost");
	cr_assert_eq(plat_as_new(g->p, &g->as), 0);
	cr_assert_neq(plat_as_pid(g->as), dead, "a poisoned stub is never pooled");
	guest_load(g, code, code_end);
	cr_assert_eq(guest_syscall(g)->orig_rax, 0x66);
}

/* Reaps whatever was re-parented to us (the test is a subreaper), then
 * says whether every one of pids is gone. */
static inline bool all_gone(const pid_t *pids, int n)
{
	int st;
	while (waitpid(-1, &st, WNOHANG | __WALL) > 0)
		;
	for (int i = 0; i < n; i++)
		if (!process_gone(pids[i]))
			return false;
	return true;
}

/* P25: the stubs in pids are alive while the "harness" child c lives;
 * after its SIGKILL every one must go (polled, at most 10 s). */
static inline void expect_gone_with(pid_t c, const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		cr_assert(!process_gone(pids[i]));
	kill(c, SIGKILL);
	int st;
	waitpid(c, &st, 0);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!all_gone(pids, n)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		cr_assert(t.tv_sec - t0.tv_sec < 10, "stub processes survived the harness");
		sched_yield();
	}
}

/* P25: forks a stand-in "harness" that starts a platform, runs code to
 * its first syscall, makes a second address space and then waits to be
 * killed. pids gets the master, the two stubs and the child's
 * plat_probe()->exitkill; returns the child (for expect_gone_with). The
 * caller is a child subreaper, so orphaned stubs come back to it. */
static inline pid_t fork_doomed_harness_opts(const struct plat_options *o, const char *code,
					     const char *end, pid_t pids[4])
{
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t c = fork();
	if (c == 0) {
		struct guest g;
		guest_setup_opts(&g, o);
		guest_load(&g, code, end);
		guest_syscall(&g);
		struct plat_as *second;
		plat_as_new(g.p, &second);
		pid_t mine[4] = { plat_test_master_pid(g.p), plat_as_pid(g.as), plat_as_pid(second),
				  plat_probe()->exitkill };
		cov_flush(); /* SIGKILL is next */
		if (write(fds[1], mine, sizeof(mine)) != sizeof(mine))
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], pids, 4 * sizeof(pid_t)), (ssize_t)(4 * sizeof(pid_t)));
	close(fds[0]);
	return c;
}

static inline pid_t fork_doomed_harness(const char *code, const char *end, pid_t pids[4])
{
	struct plat_options o = { 0 };
	return fork_doomed_harness_opts(&o, code, end, pids);
}

/* Runs fn in a forked child whose stderr goes to buf (read to EOF, at
 * most size - 1 bytes, NUL-terminated); returns the child's wait status.
 * For the P24 fatal path, which prints and aborts. */
static inline int run_capturing_stderr(void (*fn)(void), char *buf, size_t size)
{
	int out[2];
	cr_assert_eq(pipe(out), 0);
	pid_t c = fork();
	if (c == 0) {
		dup2(out[1], 2);
		fn();
		_exit(0);
	}
	close(out[1]);
	size_t n = 0;
	ssize_t r;
	while (n < size - 1 && (r = read(out[0], buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(out[0]);
	int st;
	cr_assert_eq(waitpid(c, &st, 0), c);
	return st;
}

#endif
