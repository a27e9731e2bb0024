/* One signal sent to a stub by another host process (chaos signal-stub,
 * P15): a process forked for the purpose, so that si_pid is neither the
 * harness's (whose signals the platform must report) nor the stub's. */
#ifndef HARNESS_RUNNER_CHAOS_SEND_H
#define HARNESS_RUNNER_CHAOS_SEND_H

#include <sys/types.h>

#include "harness/case/case.h"

/* Has a fresh child process send sig to the stub thread pid/tid the way
 * action says (CHAOS_STOP_CONTINUE is not one: use CHAOS_KILL twice) and
 * waits for it. 0, or the errno of the sending call (EPERM, ...), or -1
 * when the helper itself could not run. */
int chaos_send(enum case_chaos_action action, pid_t pid, pid_t tid, int sig);

#endif
