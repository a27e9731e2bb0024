/* The knockout rules: parsing, and that an installed rule really makes
 * exactly the chosen calls fail (each Criterion test is its own process,
 * so its filter dies with it). */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/knockout/knockout.h"

static struct knockout_rule parse_ok(const char *spec)
{
	struct knockout_rule r;
	char err[256];
	cr_assert_eq(knockout_parse(spec, &r, err, sizeof err), 0, "%s: %s", spec, err);
	return r;
}

static void parse_bad(const char *spec, const char *why)
{
	struct knockout_rule r;
	char err[256] = "";
	cr_assert_eq(knockout_parse(spec, &r, err, sizeof err), -1, "%s parsed", spec);
	cr_assert(strstr(err, spec) && strstr(err, why), "%s: %s", spec, err);
}

Test(knockout, parse_regset_note)
{
	struct knockout_rule r = parse_ok("PTRACE_GETREGSET:NT_X86_XSTATE");
	cr_assert_eq(r.nr, SYS_ptrace);
	cr_assert_eq(r.request, PTRACE_GETREGSET);
	cr_assert_eq(r.match, KO_ADDR_EQ);
	cr_assert_eq(r.arg, NT_X86_XSTATE);
	cr_assert_eq(r.err, EINVAL, "an unknown note is EINVAL");
}

Test(knockout, parse_option_bit_and_errno)
{
	struct knockout_rule r = parse_ok("PTRACE_SETOPTIONS:PTRACE_O_EXITKILL=EPERM");
	cr_assert_eq(r.match, KO_DATA_BITS);
	cr_assert_eq(r.arg, PTRACE_O_EXITKILL);
	cr_assert_eq(r.err, EPERM);
	r = parse_ok("PTRACE_SEIZE:PTRACE_O_EXITKILL");
	cr_assert_eq(r.request, PTRACE_SEIZE);
	cr_assert_eq(r.err, EINVAL);
}

Test(knockout, parse_whole_request_and_syscall)
{
	struct knockout_rule r = parse_ok("PTRACE_GETFPREGS");
	cr_assert_eq(r.match, KO_ANY);
	cr_assert_eq(r.err, EIO, "an unknown request is EIO");
	r = parse_ok("process_vm_readv");
	cr_assert_eq(r.nr, SYS_process_vm_readv);
	cr_assert_eq(r.request, -1);
	cr_assert_eq(r.err, ENOSYS);
}

Test(knockout, parse_errors_name_the_rule)
{
	parse_bad("PTRACE_BOGUS", "unknown ptrace request");
	parse_bad("PTRACE_GETFPREGS:NT_PRSTATUS", "take an argument");
	parse_bad("PTRACE_GETREGSET:NT_BOGUS", "unknown regset note");
	parse_bad("PTRACE_SETOPTIONS:PTRACE_O_BOGUS", "unknown option");
	parse_bad("no_such_syscall", "unknown syscall");
	parse_bad("getpid:1", "no argument");
	parse_bad("getpid=EWHAT", "unknown errno");
	parse_bad("", "empty");
}

static int listed;

static void count(const char *kind, const char *name)
{
	(void)kind;
	listed += !strcmp(name, "NT_X86_XSTATE") || !strcmp(name, "PTRACE_O_EXITKILL");
}

Test(knockout, list_names_everything)
{
	knockout_list(count);
	cr_assert_eq(listed, 2);
}

static void install(const char *spec)
{
	struct knockout_rule r = parse_ok(spec);
	char err[256];
	cr_assert_eq(knockout_install(&r, 1, err, sizeof err), 0, "%s", err);
}

static pid_t stopped_tracee(void)
{
	pid_t c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	int st;
	cr_assert_eq(waitpid(c, &st, 0), c);
	cr_assert(WIFSTOPPED(st));
	return c;
}

static int regset(pid_t c, int note)
{
	static char buf[16384];
	struct iovec iov = { buf, sizeof buf };
	return ptrace(PTRACE_GETREGSET, c, (void *)(long)note, &iov) == 0 ? 0 : errno;
}

Test(knockout, note_rule_hits_that_note_only)
{
	install("PTRACE_GETREGSET:NT_X86_XSTATE");
	pid_t c = stopped_tracee();
	cr_assert_eq(regset(c, NT_X86_XSTATE), EINVAL);
	cr_assert_eq(regset(c, NT_PRSTATUS), 0);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

Test(knockout, option_rule_hits_that_bit_only)
{
	install("PTRACE_SETOPTIONS:PTRACE_O_EXITKILL");
	pid_t c = stopped_tracee();
	long both = PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
	cr_assert_eq(ptrace(PTRACE_SETOPTIONS, c, 0, (void *)both), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(ptrace(PTRACE_SETOPTIONS, c, 0, (void *)(long)PTRACE_O_TRACESYSGOOD), 0);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

Test(knockout, syscall_rule_with_errno)
{
	/* Not getppid: LeakSanitizer's exit-time tracer polls it. */
	install("sysinfo=EPERM");
	cr_assert_eq(syscall(SYS_sysinfo, NULL), -1);
	cr_assert_eq(errno, EPERM);
	cr_assert_gt(syscall(SYS_getpid), 0);
}

Test(knockout, parse_syscall_first_argument)
{
	struct knockout_rule r = parse_ok("arch_prctl:ARCH_SET_CPUID");
	cr_assert_eq(r.nr, SYS_arch_prctl);
	cr_assert_eq(r.request, -1);
	cr_assert_eq(r.match, KO_A0_EQ);
	cr_assert_eq(r.arg, 0x1012);
	cr_assert_eq(r.err, ENODEV, "a CPU without CPUID faulting says ENODEV");
	parse_bad("arch_prctl:ARCH_SET_FS", "no argument");
}

Test(knockout, first_argument_rule_hits_that_argument_only)
{
	install("arch_prctl:ARCH_SET_CPUID=EPERM");
	cr_assert_eq(syscall(SYS_arch_prctl, 0x1012, 0), -1);
	cr_assert_eq(errno, EPERM);
	unsigned long fs = 0;
	cr_assert_eq(syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs), 0);
	cr_assert_neq(fs, 0);
}
