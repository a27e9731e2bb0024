/* Knockout rules: parsing and the seccomp filter (see knockout.h). */
#include "tools/knockout/knockout.h"

#include <elf.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

struct name {
	const char *name;
	unsigned long value;
};

#define N(x)          \
	{             \
#x, x \
	}
static const struct name requests[] = {
	N(PTRACE_GETREGSET),  N(PTRACE_SETREGSET), N(PTRACE_GETFPREGS),
	N(PTRACE_SETFPREGS),  N(PTRACE_GETREGS),   N(PTRACE_SETREGS),
	N(PTRACE_SETOPTIONS), N(PTRACE_SEIZE),     N(PTRACE_ATTACH),
	N(PTRACE_DETACH),     N(PTRACE_SYSEMU),    N(PTRACE_SYSEMU_SINGLESTEP),
	N(PTRACE_GETSIGINFO), N(PTRACE_INTERRUPT), N(PTRACE_PEEKUSER),
	N(PTRACE_POKEUSER),   N(PTRACE_CONT),      N(PTRACE_SYSCALL),
	N(PTRACE_TRACEME),    { NULL, 0 },
};
/* Regset notes (addr of GETREGSET/SETREGSET). */
static const struct name notes[] = {
	N(NT_PRSTATUS),
	N(NT_PRFPREG),
	N(NT_X86_XSTATE),
	{ NULL, 0 },
};
/* Option bits (data of SETOPTIONS/SEIZE). */
static const struct name options[] = {
	N(PTRACE_O_EXITKILL),
	N(PTRACE_O_TRACESYSGOOD),
	N(PTRACE_O_TRACEEXIT),
	N(PTRACE_O_TRACECLONE),
	N(PTRACE_O_TRACESECCOMP),
	N(PTRACE_O_SUSPEND_SECCOMP),
	{ NULL, 0 },
};
/* First arguments of syscall rules: ARCH_SET_CPUID alone, since a whole
 * arch_prctl knockout takes glibc's TLS setup (ARCH_SET_FS) with it. A
 * CPU without CPUID faulting answers ENODEV (P27). The operations of
 * seccomp(), which a kernel that lacks one answers with EINVAL: the
 * seccomp-trap backend's probe asks SECCOMP_GET_ACTION_AVAIL whether
 * SECCOMP_RET_TRAP exists (T1). */
struct sysarg {
	const char *syscall, *name;
	unsigned long value;
	int err;
};
static const struct sysarg sysargs[] = {
	{ "arch_prctl", "ARCH_SET_CPUID", 0x1012, ENODEV },
	{ "seccomp", "SECCOMP_SET_MODE_STRICT", SECCOMP_SET_MODE_STRICT, EINVAL },
	{ "seccomp", "SECCOMP_SET_MODE_FILTER", SECCOMP_SET_MODE_FILTER, EINVAL },
	{ "seccomp", "SECCOMP_GET_ACTION_AVAIL", SECCOMP_GET_ACTION_AVAIL, EINVAL },
	{ NULL, NULL, 0, 0 },
};
static const struct name errnos[] = {
	N(EIO),   N(EINVAL), N(EPERM),  N(ENOSYS), N(EFAULT), N(ENODEV),   N(EACCES),
	N(ESRCH), N(EBUSY),  N(EMFILE), N(ENOMEM), N(EAGAIN), { NULL, 0 },
};
#undef N

static const struct name *lookup(const struct name *t, const char *s)
{
	for (; t->name; t++)
		if (!strcmp(t->name, s))
			return t;
	return NULL;
}

static int fail(char *err, size_t errlen, const char *spec, const char *why)
{
	snprintf(err, errlen, "knockout '%s': %s", spec, why);
	return -1;
}

/* ARG of a ptrace rule: a note for the regset requests, an option bit for
 * the two that take options; nothing else has one. */
static int parse_arg(const char *spec, const char *arg, struct knockout_rule *r, char *err,
		     size_t errlen)
{
	const struct name *n;
	if (r->request == PTRACE_GETREGSET || r->request == PTRACE_SETREGSET) {
		if (!(n = lookup(notes, arg)))
			return fail(err, errlen, spec,
				    "unknown regset note (NT_PRSTATUS, NT_PRFPREG, NT_X86_XSTATE)");
		r->match = KO_ADDR_EQ;
	} else if (r->request == PTRACE_SETOPTIONS || r->request == PTRACE_SEIZE) {
		if (!(n = lookup(options, arg)))
			return fail(err, errlen, spec, "unknown option (PTRACE_O_...)");
		r->match = KO_DATA_BITS;
	} else {
		return fail(err, errlen, spec,
			    "only the regset requests and SETOPTIONS/SEIZE take an argument");
	}
	r->arg = n->value;
	r->err = EINVAL;
	return 0;
}

static int parse_sysarg(const char *spec, const char *name, const char *arg,
			struct knockout_rule *r, char *err, size_t errlen)
{
	for (const struct sysarg *a = sysargs; a->syscall; a++)
		if (!strcmp(a->syscall, name) && !strcmp(a->name, arg)) {
			r->match = KO_A0_EQ;
			r->arg = a->value;
			r->err = a->err;
			return 0;
		}
	return fail(err, errlen, spec,
		    "a syscall rule takes no argument (but arch_prctl:ARCH_SET_CPUID and "
		    "seccomp:SECCOMP_...; knockout --list)");
}

static int parse_name(const char *spec, const char *name, const char *arg, struct knockout_rule *r,
		      char *err, size_t errlen)
{
	const struct name *req = lookup(requests, name);
	if (req) {
		r->nr = SYS_ptrace;
		r->request = (long)req->value;
		r->err = EIO;
		return arg ? parse_arg(spec, arg, r, err, errlen) : 0;
	}
	if (!strncmp(name, "PTRACE_", 7))
		return fail(err, errlen, spec, "unknown ptrace request (knockout --list)");
	r->nr = seccomp_syscall_resolve_name(name);
	if (r->nr == __NR_SCMP_ERROR || r->nr < 0)
		return fail(err, errlen, spec, "unknown syscall name");
	r->request = -1;
	r->err = ENOSYS;
	return arg ? parse_sysarg(spec, name, arg, r, err, errlen) : 0;
}

int knockout_parse(const char *spec, struct knockout_rule *r, char *err, size_t errlen)
{
	char buf[128];
	if (snprintf(buf, sizeof buf, "%s", spec) >= (int)sizeof buf || !buf[0])
		return fail(err, errlen, spec, "empty or too long");
	*r = (struct knockout_rule){ .match = KO_ANY };
	char *eq = strchr(buf, '='), *colon = strchr(buf, ':');
	if (eq)
		*eq++ = 0;
	if (colon && (!eq || colon < eq))
		*colon++ = 0;
	else
		colon = NULL;
	if (parse_name(spec, buf, colon, r, err, errlen))
		return -1;
	if (eq) {
		const struct name *e = lookup(errnos, eq);
		if (!e)
			return fail(err, errlen, spec,
				    "unknown errno name (EIO, EINVAL, EPERM, ENOSYS, ...)");
		r->err = (int)e->value;
	}
	return 0;
}

static int add(scmp_filter_ctx f, const struct knockout_rule *r)
{
	struct scmp_arg_cmp c[2];
	unsigned n = 0;
	if (r->request >= 0)
		c[n++] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)r->request);
	if (r->match == KO_A0_EQ)
		c[n++] = SCMP_A0(SCMP_CMP_EQ, r->arg);
	if (r->match == KO_ADDR_EQ)
		c[n++] = SCMP_A2(SCMP_CMP_EQ, r->arg);
	else if (r->match == KO_DATA_BITS)
		c[n++] = SCMP_A3(SCMP_CMP_MASKED_EQ, r->arg, r->arg);
	return seccomp_rule_add_array(f, SCMP_ACT_ERRNO((unsigned)r->err), r->nr, n, c);
}

int knockout_install(const struct knockout_rule *r, size_t n, char *err, size_t errlen)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	if (!f) {
		snprintf(err, errlen, "knockout: seccomp_init failed");
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = add(f, &r[i]);
	if (!rc)
		rc = seccomp_load(f);
	seccomp_release(f);
	if (rc)
		snprintf(err, errlen, "knockout: installing the filter: %s", strerror(-rc));
	return rc ? -1 : 0;
}

void knockout_list(void (*put)(const char *kind, const char *name))
{
	for (const struct name *t = requests; t->name; t++)
		put("request", t->name);
	for (const struct name *t = notes; t->name; t++)
		put("note", t->name);
	for (const struct name *t = options; t->name; t++)
		put("option", t->name);
	for (const struct sysarg *a = sysargs; a->syscall; a++) {
		char both[64];
		snprintf(both, sizeof both, "%s:%s", a->syscall, a->name);
		put("syscall", both);
	}
	for (const struct name *t = errnos; t->name; t++)
		put("errno", t->name);
}
