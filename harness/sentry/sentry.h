/*
 * The sentry: a small emulated kernel that runs one static guest program
 * through the platform (harness.md S1-S12). The runner calls sentry_run()
 * once per case, in a process of its own.
 */
#ifndef HARNESS_SENTRY_SENTRY_H
#define HARNESS_SENTRY_SENTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "platform/platform.h"

/* A filesystem view (harness/sentry/fs/view.c): the host directory root
 * is the guest's /, read-only but for the trees in rw (inside root). */
struct sentry_fs {
	const char *root;
	const char *const *rw;
	size_t nrw;
	const char *cwd; /* host directory of the first process; outside
				  * the root or NULL: the root */
};

struct sentry_config {
	const char *path;     /* the static ELF to run (S4) */
	const char *exe_name; /* the guest's AT_EXECFN and /proc/self/exe; NULL:
				  * path. Independent of the checkout's location,
				  * it keeps stacks and traces identical anywhere. */
	char *const *argv;    /* argv[0] included */
	char *const *envp;
	int stdin_fd;               /* host fd the guest's fd 0 reads from; -1: empty */
	int stdout_fd;              /* host fd receiving the guest's fd 1 */
	int stderr_fd;              /* host fd receiving the guest's fd 2 */
	FILE *trace;                /* S11 trace; NULL: none */
	bool verbose;               /* add platform events to the trace (S11) */
	struct plat *plat;          /* the platform instance to run on */
	const char *fixtures_dir;   /* root for execve of another fixture (S9) */
	uint64_t memory_limit;      /* bytes of guest memory committed; 0: default */
	uint64_t output_limit;      /* bytes of stdout+stderr; 0: default */
	const struct sentry_fs *fs; /* NULL: no file system, S10's fixed fds only;
				     * otherwise the file and event calls too */
	bool host_ids;              /* uid, gid and CPU count are the host's, not
				  * the fixed 1000 and one CPU */
};

enum sentry_exit_kind {
	SENTRY_EXITED,   /* status = exit code */
	SENTRY_SIGNALED, /* status = signal number; core = core dump */
	SENTRY_ERROR     /* the harness or the platform failed: error */
};

struct sentry_result {
	enum sentry_exit_kind kind;
	int status;
	bool core;
	char error[256];
};

/* Runs the program to completion. Returns 0 when it ran (res says how it
 * ended), 2 when the program cannot be loaded (res->error is one line
 * naming the file and the problem), 1 on any other error. */
int sentry_run(const struct sentry_config *cfg, struct sentry_result *res);

/* Install as plat_options.on_event so that --verbose traces show platform
 * events (map-file, unmap, address spaces, stub threads: S11). */
void sentry_plat_event(void *arg, const struct plat_event *ev);

/* Test-only, for the runner's "chaos: signal-stub" cases: the emulated
 * kernel sends sig (SI_KERNEL) to the process whose address space's user
 * is as_user (a plat_event's as_user), as an expiring timer does; a task
 * in guest code is reached through the platform's interrupt (P19). The
 * caller must know the process is alive (its guest spins until told). */
int sentry_chaos_signal(void *as_user, int sig);

/* 0 when path is a program sentry_run can load; else -1 and one line,
 * "PATH: problem" (missing, dynamic, 32-bit, truncated, not an ELF...). */
int sentry_check_program(const char *path, char *err, size_t errlen);

/* The exit status a shell would show: code, or 128 + signal. */
int sentry_shell_status(const struct sentry_result *res);

#endif
