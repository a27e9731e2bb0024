/*
 * The case runner: "harness suite", "harness list" and
 * "harness bless". harness/cli/main.c dispatches to these; argv[0] is the
 * subcommand's name. Each returns the process exit status:
 *
 *   suite  0 when every result is PASS, SKIP, XFAIL or HOSTFAIL; 1
 *          otherwise; 2 for a user error (bad option, bad case file, no
 *          case matching a pattern) or when the environment check fails
 *          (ptrace blocked: one line saying so, no case is run);
 *          128 + the signal when interrupted once the cases started:
 *          130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP (a closed
 *          terminal, or a CI runner's hang-up, is a stop like the
 *          others). The reports are still written, with every result
 *          that was not judged as NOTRUN; the status is the shell's for
 *          a death by that signal, so a caller cannot mistake the run
 *          for a finished one, whatever the results say.
 *   list   0, or 2 for a user error.
 *   bless  0 when every case was blessed (or was unchanged); 1 when a
 *          case could not be (its run failed, or its output cannot be
 *          stored in a case file); 2 for a user error or a failed
 *          environment check; 128 + the signal when interrupted (the
 *          cases blessed so far stay blessed).
 *   soak   as below, or 128 + the signal when interrupted.
 *
 * Every user error is one line on stderr naming the file (or option) and
 * the problem. The environment check exits 2 rather than 77 (automake's
 * "skipped") on purpose: a CI job that silently skips the whole suite
 * because the container forbids ptrace would look green.
 */
#ifndef HARNESS_RUNNER_RUNNER_H
#define HARNESS_RUNNER_RUNNER_H

#define EXIT_INTERRUPTED(sig) (128 + (sig))

int cmd_suite(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_bless(int argc, char **argv);
/* soak [--rounds N] [SUITE ARGS...]: the suite N times (default 20) in
 * this process, with the figures after each round; 0 when they stay flat
 * and every round passed, 1 otherwise (soak.c says what flat means). */
int cmd_soak(int argc, char **argv);

#endif
