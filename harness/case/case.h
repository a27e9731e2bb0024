/* Case files: one run of a fixture and what it must produce.
 *
 * A case file is plain text, a key block then optional sections:
 *
 *   # comment lines start with '#' (in the key block only)
 *   description: one line of prose
 *   fixture: smoke/hello          path under the fixtures build dir
 *   args: one "two words" 'x'     argv[1..], shell-like quoting, no expansion
 *   env: CASE_A=1 CASE_B="x y"    NAME=VALUE words, quoted like args
 *   oracle: golden selfcheck native   one or more, each at most once
 *   requires: P10 P14 S10         requirement ids, each ^[PS][0-9]+$
 *   features: fsgsbase vsyscall   probed features the case needs
 *   timeout: 10                   seconds > 0, up to 3 decimals (2.5)
 *   exit: 0 | signal SIGSEGV | signal SIGSEGV core
 *   variants: lazy full-state     platform variants to run; default all
 *   expect: timeout               the run must end by the timeout
 *   chaos: kill-stub-process      the harness SIGKILLs the guest's stub (P23);
 *                                 the run must end in that error
 *   fs: scratch | host            a filesystem view for the run (CASES.md)
 *   tree: DIR                     copied into the run's writable directory
 *   chaos: signal-stub kill SIGUSR1 x3, stop-continue
 *                                 another host process signals the stub
 *                                 (P14, P15); judged by the oracles
 *   --- stdin
 *   verbatim bytes until the next line starting with "--- "
 *   --- stdout
 *   --- stderr
 *   --- trace
 *   --- end
 *
 * Key block: each line is blank, a comment, or "key: value" with the key
 * at the start of the line; the value runs to the end of the line, blanks
 * around it dropped, and may not be empty. Each key at most once; fixture
 * and oracle are required. Word lists (oracle, requires, features,
 * variants) are split at blanks without quoting; exit is "N" (0..255) or
 * "signal NAME" or "signal NAME core" (names as in signame.h). An absent
 * exit or section is not checked; an absent timeout means the runner's
 * default.
 *
 * Sections: a line starting with "--- " ends the key block; inside a
 * section only an exact header line ("--- stdout", "--- trace noeol",
 * "--- end", ...) ends it, so traces may hold "--- SIGSEGV {...} ---". Its name is stdin, stdout, stderr, trace or end; each at most
 * once, in any order; the file must end right after "--- end" once a
 * section has begun. A section holds the bytes of all lines between its
 * header and the next header, each with its newline, untouched: "--- stdout"
 * directly followed by a header means empty expected output. A section
 * whose text does not end in a newline is written "--- stdout noeol": the
 * newline before the next header is then not part of the text. A section
 * cannot hold a line that is exactly a section header.
 *
 * The case's name is its path below a "cases/" directory without ".case"
 * (cases/smoke/hello.case is smoke/hello); its family is the first
 * component (smoke). Case files must live in a family directory.
 *
 * Errors are one line, "FILE:LINE: problem", in the caller's buffer; I/O
 * errors and path problems have no line: "FILE: problem".
 */
#ifndef HARNESS_CASE_H
#define HARNESS_CASE_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/util/words.h"

enum {
	ORACLE_GOLDEN = 1u << 0,    /* O1: trace, stdout, exit as stored */
	ORACLE_SELFCHECK = 1u << 1, /* O2: the fixture prints its end token */
	ORACLE_NATIVE = 1u << 2,    /* O3: same stdout and exit on the host */
	ORACLE_ALL = (1u << 3) - 1,
};

enum case_section {
	CASE_STDIN,
	CASE_STDOUT,
	CASE_STDERR,
	CASE_TRACE,
	CASE_NSECTIONS,
};

enum case_exit_kind {
	CASE_EXIT_UNCHECKED, /* no exit: key */
	CASE_EXIT_CODE,      /* exit: N */
	CASE_EXIT_SIGNAL,    /* exit: signal NAME [core] */
};

struct case_exit {
	enum case_exit_kind kind;
	int value; /* exit code, or signal number */
	bool core; /* killed by the signal with a core dump */
};

/* chaos: a test-only action the harness child takes against its own
 * platform. The kill modes (P23) pass only when the run ends in the error
 * that names the killed stub; oracles are not applied. signal-stub (P14,
 * P15) has another host process signal the stub step by step, and the
 * case is judged by its oracles as usual (case_chaos.h). */
enum case_chaos {
	CASE_CHAOS_NONE,
	CASE_CHAOS_KILL_PROCESS, /* kill(stub process, SIGKILL) */
	CASE_CHAOS_KILL_THREAD,  /* tgkill(stub process, stub thread, SIGKILL) */
	CASE_CHAOS_SIGNAL_STUB,  /* chaos_steps, from another process */
};

/* One step of "chaos: signal-stub ...": what another host process sends
 * to the stub, count times, each after the previous one was consumed. */
enum case_chaos_action {
	CHAOS_KILL,              /* kill(stub pid, sig) */
	CHAOS_TGKILL,            /* tgkill(stub pid, stub tid, sig) */
	CHAOS_SIGQUEUE,          /* rt_sigqueueinfo, si_code SI_QUEUE */
	CHAOS_TGSIGQUEUE,        /* rt_tgsigqueueinfo, si_code SI_QUEUE */
	CHAOS_SIGQUEUE_POSITIVE, /* rt_sigqueueinfo, si_code 1: the kernel says EPERM */
	CHAOS_STOP_CONTINUE,     /* kill SIGSTOP, then kill SIGCONT */
	CHAOS_NACTIONS,
};

#define CASE_CHAOS_MAX_STEPS 8
#define CASE_CHAOS_MAX_COUNT 100

struct case_chaos_step {
	enum case_chaos_action action;
	int sig;        /* kernel numbering; 0 for stop-continue */
	unsigned count; /* 1..CASE_CHAOS_MAX_COUNT */
};

/* fs: the file system a case's run sees (the sentry's view, and the same
 * directories natively). Without the key: none, as S10 has it. */
enum case_fs {
	CASE_FS_NONE,
	CASE_FS_SCRATCH, /* a fresh directory is the root: ro/ and rw/ */
	CASE_FS_HOST,    /* the host's / read-only, a fresh writable cwd */
};

struct case_text {
	bool present; /* false: the section is absent, not checked */
	char *data;   /* NUL-terminated for convenience; may hold NULs */
	size_t len;
};

struct tcase {
	char *path;        /* as given to case_parse() */
	char *name;        /* smoke/hello */
	char *family;      /* smoke */
	char *comments;    /* the key block's comment lines, each with '\n' */
	char *description; /* NULL when absent */
	char *fixture;
	struct words args; /* argv[1..] */
	struct words env;  /* "NAME=VALUE" strings, names unique */
	unsigned oracles;  /* ORACLE_* bits, at least one */
	struct words requires;
	struct words features;
	unsigned timeout_ms; /* 0: the runner's default */
	struct case_exit exit;
	struct words variants; /* empty: all variants */
	bool expect_timeout;   /* expect: timeout; judged on the partial output */
	enum case_fs fs;
	char *tree; /* tree: relative to the case file's directory */
	enum case_chaos chaos;
	unsigned chaos_nsteps; /* CASE_CHAOS_SIGNAL_STUB only */
	struct case_chaos_step chaos_steps[CASE_CHAOS_MAX_STEPS];
	struct case_text sect[CASE_NSECTIONS];
};

/* Parse text (len bytes, need not be NUL-terminated) read from path.
 * 0 on success; -1 with a one-line message in err, and *out left empty. */
int case_parse(const char *path, const char *text, size_t len, struct tcase *out, char *err,
	       size_t errlen);
/* Read and parse the file at path. */
int case_load(const char *path, struct tcase *out, char *err, size_t errlen);
void case_free(struct tcase *c);

/* The case in canonical form: comments first, then the keys in the order
 * of the comment above, then the sections present in the order stdin,
 * stdout, stderr, trace. case_parse() of the result gives back an equal
 * case. NULL with errno EINVAL if the case cannot be written -- case_check()
 * says why -- or ENOMEM. The text is malloc'd and NUL-terminated; it holds
 * NUL bytes if a section does, so case_format() refuses such a case
 * (EINVAL) and case_format_len() gives the length in *len. */
char *case_format(const struct tcase *c);
char *case_format_len(const struct tcase *c, size_t *len);
/* 0 if c can be written by case_format_len() and read back unchanged; else -1
 * and a one-line reason ("FILE: stdout line 3 starts with '--- '"). */
int case_check(const struct tcase *c, char *err, size_t errlen);
bool case_equal(const struct tcase *a, const struct tcase *b);

/* True when the fixture is a host program (an absolute path, with fs:). */
bool case_host_program(const struct tcase *c);
/* The file to run: the host program, or the fixture below fixtures_dir
 * (malloc'd). */
char *case_program_path(const struct tcase *c, const char *fixtures_dir);

/* The name and family for a case path (see above), malloc'd. */
int case_name(const char *path, char **name, char **family, char *err, size_t errlen);
/* "golden", "selfcheck", "native" for one ORACLE_* bit; NULL otherwise. */
const char *case_oracle_name(unsigned bit);
const char *case_section_name(enum case_section s);

/* True for a line (with or without its newline) that is exactly a section
 * header: "--- NAME" or "--- NAME noeol". */
bool case_is_section_header(const char *s, size_t n);

#endif
