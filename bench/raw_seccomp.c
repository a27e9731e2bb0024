/*
 * The seccomp-trap backend's floor (T12): the same kernel work as one of
 * its pinned switches, without the platform. A child traps getpid with
 * SECCOMP_RET_TRAP; its SIGSYS handler posts the event in a shared word,
 * wakes the parent with FUTEX_WAKE and sleeps in FUTEX_WAIT until the
 * parent answers, then returns through rt_sigreturn. Per operation: a
 * signal delivery with its XSAVE frame, a sigreturn, two futex wakes, two
 * futex waits and two context switches, both processes on the bench CPU.
 * plat's seccomp getpid over this is what the backend's own code costs,
 * as sysemu_poke is for the ptrace backend.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

enum { POSTED = 1, ANSWERED = 2 };

static _Atomic uint32_t *word; /* shared with the child (MAP_SHARED) */

static long futex(_Atomic uint32_t *w, int op, uint32_t val)
{
	return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

/* In the child, on every trapped getpid. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	atomic_store(word, POSTED);
	futex(word, FUTEX_WAKE, 1);
	while (atomic_load(word) != ANSWERED)
		futex(word, FUTEX_WAIT, POSTED);
}

static int trap_getpid(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void child(void)
{
	child_die_with_parent();
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	if (sigaction(SIGSYS, &sa, NULL) || trap_getpid())
		_exit(1);
	for (;;)
		__asm__ volatile("syscall" : : "a"((long)SYS_getpid) : "rcx", "r11", "memory");
}

/* The parent's half of one operation: wait for the post, answer it. */
static int serve_one(pid_t pid)
{
	uint32_t seen;
	while ((seen = atomic_load(word)) != POSTED) {
		struct timespec ts = { 1, 0 };
		long r = syscall(SYS_futex, word, FUTEX_WAIT, seen, &ts, NULL, 0);
		if (r && errno == ETIMEDOUT && waitpid(pid, NULL, WNOHANG) != 0)
			return -1; /* the child died: a second's recheck, never a hang */
	}
	atomic_store(word, ANSWERED);
	futex(word, FUTEX_WAKE, 1);
	return 0;
}

static int floor_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	(void)state;
	word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (word == MAP_FAILED) {
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0)
		child();
	long warm = n / 20;
	long long t0 = 0;
	int rc = pid < 0 ? -1 : 0;
	for (long i = 0; rc == 0 && i < warm + n; i++) {
		if (i == warm)
			t0 = now_ns();
		rc = serve_one(pid);
	}
	if (rc == 0)
		*ns = (double)(now_ns() - t0) / (double)n;
	else
		snprintf(err, errlen, "the trapping child died (seccomp or sigaction refused?)");
	if (pid > 0)
		kill_and_reap(pid);
	munmap((void *)word, 4096);
	return rc;
}

const struct bench bench_seccomp_floor[] = {
	{ .name = "sigsys_futex_floor",
	  .label = "raw SIGSYS trap + futex hand-off (seccomp floor)",
	  .group = "kernel",
	  .n = 30000,
	  .run = floor_run },
	{ 0 }
};
