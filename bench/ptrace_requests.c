/* The cost of single ptrace requests against a tracee that stays stopped
 * (no context switch): what each request the switch path makes, or could
 * make instead, adds to it. */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <unistd.h>

#include "bench/bench.h"

enum op { GETREGS, GETREGSET, SETREGSET, POKEUSER_RAX, GETXSTATE, SETXSTATE };

struct op_state {
	enum op op;
	pid_t pid;
	struct user_regs_struct regs;
	void *xstate;
	size_t xlen;
};

static int op_setup(enum op op, void **state, char *err, size_t errlen)
{
	struct op_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->op = op;
	s->pid = bench_stopped_child(err, errlen);
	s->xlen = s->pid > 0 ? bench_xstate_size(s->pid) : 0;
	s->xstate = calloc(1, s->xlen + 1);
	struct iovec iov = { &s->regs, sizeof(s->regs) };
	if (s->pid < 0 || !s->xlen || ptrace(PTRACE_GETREGSET, s->pid, (void *)NT_PRSTATUS, &iov)) {
		if (s->pid > 0)
			snprintf(err, errlen, "reading the stopped child's state: %s",
				 strerror(errno));
		kill_and_reap(s->pid);
		free(s->xstate);
		free(s);
		return -1;
	}
	iov = (struct iovec){ s->xstate, s->xlen };
	ptrace(PTRACE_GETREGSET, s->pid, (void *)NT_X86_XSTATE, &iov);
	*state = s;
	return 0;
}

static long one(struct op_state *s)
{
	struct iovec iov = { &s->regs, sizeof(s->regs) };
	struct iovec xiov = { s->xstate, s->xlen };
	switch (s->op) {
	case GETREGS: return ptrace(PTRACE_GETREGS, s->pid, 0, &s->regs);
	case GETREGSET: return ptrace(PTRACE_GETREGSET, s->pid, (void *)NT_PRSTATUS, &iov);
	case SETREGSET: return ptrace(PTRACE_SETREGSET, s->pid, (void *)NT_PRSTATUS, &iov);
	case POKEUSER_RAX:
		return ptrace(PTRACE_POKEUSER, s->pid, offsetof(struct user_regs_struct, rax),
			      (void *)s->regs.rax);
	case GETXSTATE: return ptrace(PTRACE_GETREGSET, s->pid, (void *)NT_X86_XSTATE, &xiov);
	case SETXSTATE: return ptrace(PTRACE_SETREGSET, s->pid, (void *)NT_X86_XSTATE, &xiov);
	}
	return -1;
}

static int op_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	struct op_state *s = state;
	for (long i = 0; i < n / 20; i++)
		one(s);
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (one(s) != 0) {
			snprintf(err, errlen, "ptrace request failed: %s", strerror(errno));
			return -1;
		}
	*ns = (double)(now_ns() - t0) / (double)n;
	return 0;
}

static void op_teardown(void *state)
{
	struct op_state *s = state;
	kill_and_reap(s->pid);
	free(s->xstate);
	free(s);
}

#define OP_SETUP(fn, op)                                      \
	static int fn(void **state, char *err, size_t errlen) \
	{                                                     \
		return op_setup(op, state, err, errlen);      \
	}
OP_SETUP(getregs_setup, GETREGS)
OP_SETUP(getregset_setup, GETREGSET)
OP_SETUP(setregset_setup, SETREGSET)
OP_SETUP(pokeuser_setup, POKEUSER_RAX)
OP_SETUP(getxstate_setup, GETXSTATE)
OP_SETUP(setxstate_setup, SETXSTATE)

/* clang-format off */
#define OP(nm, lb, fn) \
	{ .name = nm, .label = lb, .group = "op", .n = 100000, .setup = fn, .run = op_run, \
	  .teardown = op_teardown }
const struct bench bench_ops[] = {
	OP("op_getregs", "request: PTRACE_GETREGS", getregs_setup),
	OP("op_getregset", "request: GETREGSET NT_PRSTATUS", getregset_setup),
	OP("op_setregset", "request: SETREGSET NT_PRSTATUS", setregset_setup),
	OP("op_pokeuser_rax", "request: POKEUSER rax", pokeuser_setup),
	OP("op_getregset_xstate", "request: GETREGSET NT_X86_XSTATE", getxstate_setup),
	OP("op_setregset_xstate", "request: SETREGSET NT_X86_XSTATE", setxstate_setup),
	{ 0 }
};
/* clang-format on */
