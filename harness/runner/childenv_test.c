/* childenv_altstack_reset(): a fixture's signal frames must not depend on
 * what started the runner. The kernel saves the task's sas_ss_flags into
 * uc_stack verbatim; a process forked by a non-main thread starts with
 * SS_DISABLE there (the kernel resets each thread's altstack), one forked
 * by a main thread with whatever its parent had. The test sets SS_DISABLE
 * itself: under ASan every thread has an alternate stack of ASan's, so a
 * fork from a thread would not show it. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "harness/runner/childenv.h"

static volatile int frame_flags = -1;

static void record(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	frame_flags = ((ucontext_t *)uc)->uc_stack.ss_flags;
}

/* The uc_stack.ss_flags of a handler's frame in a child that starts with
 * SS_DISABLE, with or without the reset. */
static int frame_flags_in_child(bool reset)
{
	pid_t pid = fork();
	if (pid == 0) {
		stack_t off = { .ss_flags = SS_DISABLE };
		if (sigaltstack(&off, NULL) != 0 || (reset && childenv_altstack_reset() != 0))
			_exit(100);
		/* Without SA_ONSTACK: the frame is on the normal stack either
		 * way, only the saved flags differ. */
		struct sigaction sa = { .sa_sigaction = record, .sa_flags = SA_SIGINFO };
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		_exit(frame_flags);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "status %#x", st);
	return WEXITSTATUS(st);
}

Test(childenv, altstack_flags_reset_to_zero,
     .description =
	     "a child that inherited SS_DISABLE shows it in its frames' uc_stack; after childenv_altstack_reset() 0, as a process no thread forked")
{
	cr_assert_eq(
		frame_flags_in_child(false), SS_DISABLE,
		"the kernel no longer saves sas_ss_flags in the frame: this test shows nothing");
	cr_assert_eq(frame_flags_in_child(true), 0);
}
