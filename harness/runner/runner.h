/*
 * The case runner: "harness suite", "harness list" and
 * "harness bless". harness/cli/main.c dispatches to these; argv[0] is the
 * subcommand's name. Each returns the process exit status:
 *
 *   suite  0 when every result is PASS, SKIP or XFAIL; 1 otherwise;
 *          2 for a user error (bad option, bad case file, no case
 *          matching a pattern) or when the environment check fails
 *          (ptrace blocked: one line saying so, no case is run);
 *          130 when interrupted (SIGINT, SIGTERM, SIGHUP).
 *   list   0, or 2 for a user error.
 *   bless  0 when every case was blessed (or was unchanged); 1 when a
 *          case could not be (its run failed, or its output cannot be
 *          stored in a case file); 2 for a user error or a failed
 *          environment check.
 *
 * Every user error is one line on stderr naming the file (or option) and
 * the problem. The environment check exits 2 rather than 77 (automake's
 * "skipped") on purpose: a CI job that silently skips the whole suite
 * because the container forbids ptrace would look green.
 */
#ifndef HARNESS_RUNNER_RUNNER_H
#define HARNESS_RUNNER_RUNNER_H

int cmd_suite(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_bless(int argc, char **argv);
/* soak [--rounds N] [SUITE ARGS...]: the suite N times (default 20) in
 * this process, with the figures after each round; 0 when they stay flat
 * and every round passed, 1 otherwise (soak.c says what flat means). */
int cmd_soak(int argc, char **argv);

#endif
