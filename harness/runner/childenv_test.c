/* childenv_altstack_reset(): a fixture's signal frames must not depend on
 * what started the runner. The kernel saves the task's sas_ss_flags into
 * uc_stack; a process forked by a non-main thread starts with SS_DISABLE
 * there, one forked by a main thread with whatever its parent had. */
#include <criterion/criterion.h>
#include <pthread.h>
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

/* In the child: the uc_stack.ss_flags of a handler's frame, as exit code. */
_Noreturn static void report_frame_flags(bool reset)
{
	if (reset && childenv_altstack_reset() != 0)
		_exit(100);
	/* Without SA_ONSTACK, so the frame is on the normal stack either way:
	 * only the saved flags differ. */
	struct sigaction sa = { .sa_sigaction = record, .sa_flags = SA_SIGINFO };
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	_exit(frame_flags);
}

static void *fork_here(void *arg)
{
	pid_t pid = fork();
	if (pid == 0)
		report_frame_flags(arg != NULL);
	int st = 0;
	waitpid(pid, &st, 0);
	return (void *)(long)(WIFEXITED(st) ? WEXITSTATUS(st) : 200);
}

static long from_thread(bool reset)
{
	pthread_t t;
	void *rv;
	cr_assert_eq(pthread_create(&t, NULL, fork_here, reset ? "reset" : NULL), 0);
	cr_assert_eq(pthread_join(t, &rv), 0);
	return (long)rv;
}

Test(childenv, altstack_flags_do_not_depend_on_the_forking_thread,
     .description = "a child forked by a non-main thread gets SS_DISABLE in its frames' uc_stack; after childenv_altstack_reset() 0, as from a main thread")
{
	cr_assert_eq(from_thread(false), SS_DISABLE,
		     "the kernel no longer resets a thread's altstack: this test shows nothing");
	cr_assert_eq(from_thread(true), 0);
	cr_assert_eq((long)fork_here("reset"), 0);
}
