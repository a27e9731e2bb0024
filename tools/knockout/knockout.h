/* Feature knockouts: a seccomp filter that makes chosen ptrace
 * requests or syscalls fail with an errno, as on an older kernel, so that
 * the platform's fallback paths run on a modern one. A rule is written
 *
 *   NAME[:ARG][=ERRNO]
 *
 *   PTRACE_GETREGSET:NT_X86_XSTATE     that regset only (addr == NT_*)
 *   PTRACE_SETOPTIONS:PTRACE_O_EXITKILL options that contain the bit
 *   PTRACE_GETFPREGS                   the whole request
 *   process_vm_readv=EPERM             a syscall, by its libseccomp name
 *   arch_prctl:ARCH_SET_CPUID          that first argument only (ENODEV)
 *   seccomp:SECCOMP_GET_ACTION_AVAIL   one operation of seccomp() (EINVAL);
 *                                      the seccomp-trap backend's probe
 *                                      asks it whether SECCOMP_RET_TRAP
 *                                      exists (T1)
 *
 * The default errno is what an old kernel answers: EIO for an unknown
 * ptrace request, EINVAL for an unknown regset note or option, ENOSYS for
 * a syscall. The filter is inherited by every child and cannot be removed. */
#ifndef TOOLS_KNOCKOUT_KNOCKOUT_H
#define TOOLS_KNOCKOUT_KNOCKOUT_H

#include <stddef.h>

enum knockout_match {
	KO_ANY,       /* every call of the syscall or ptrace request */
	KO_ADDR_EQ,   /* ptrace addr (argument 2) equals arg: a regset note */
	KO_DATA_BITS, /* ptrace data (argument 3) has every bit of arg: options */
	KO_A0_EQ      /* a syscall's first argument equals arg */
};

struct knockout_rule {
	int nr;       /* syscall number */
	long request; /* ptrace request, or -1 for a syscall */
	enum knockout_match match;
	unsigned long arg;
	int err; /* the errno the call fails with */
};

/* 0, or -1 with one line in err naming the problem. */
int knockout_parse(const char *spec, struct knockout_rule *r, char *err, size_t errlen);
/* Sets no_new_privs and loads one filter with every rule (allow by default). */
int knockout_install(const struct knockout_rule *r, size_t n, char *err, size_t errlen);
/* The names knockout_parse knows, one per line, for --list. */
void knockout_list(void (*put)(const char *kind, const char *name));

#endif
