/* What every child of the runner does first, platform run or native. */
#ifndef HARNESS_RUNNER_CHILDENV_H
#define HARNESS_RUNNER_CHILDENV_H

#include <sys/types.h>

/* In a freshly forked child: own process group (a timeout kills the whole
 * group, and the terminal's ^C reaches only the runner, which kills the
 * children itself); SIGKILL when the runner dies (it is single-threaded,
 * so PDEATHSIG is tied to the runner's life); default signal actions and
 * an empty mask (the runner blocks SIGCHLD, and both survive execve);
 * no core files (crashes are reported with a backtrace instead); the
 * alternate-stack flags of a process no thread forked (below).
 * Returns 0, or -1 if the runner is already gone (or, which no kernel
 * has done, refused that stack). */
int childenv_enter(pid_t parent);

/* Leaves sas_ss_flags 0, as signal frames show them in uc_stack, whatever
 * the runner inherited (see childenv.c). 0, or -1 with errno. */
int childenv_altstack_reset(void);

/* Makes fd i a copy of src[i] for i < n (src[i] < 0: /dev/null), then
 * closes every fd from n up: the child holds only what it was given,
 * not the other jobs' files. 0, or -1 with errno. */
int childenv_fds(const int *src, int n);

#endif
