#include "harness/util/signame.h"

#include <stdio.h>
#include <string.h>

#include "platform/linux_abi.h"

static const char *const names[LINUX_SIGRTMIN] = {
	[1] = "SIGHUP",     [2] = "SIGINT",   [3] = "SIGQUIT",   [4] = "SIGILL",   [5] = "SIGTRAP",
	[6] = "SIGABRT",    [7] = "SIGBUS",   [8] = "SIGFPE",    [9] = "SIGKILL",  [10] = "SIGUSR1",
	[11] = "SIGSEGV",   [12] = "SIGUSR2", [13] = "SIGPIPE",  [14] = "SIGALRM", [15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",  [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN",   [22] = "SIGTTOU", [23] = "SIGURG",   [24] = "SIGXCPU", [25] = "SIGXFSZ",
	[26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO",   [30] = "SIGPWR",
	[31] = "SIGSYS",
};

/* "SIGRTMIN" or "SIGRTMIN+N", N 1..32 written without leading zeros so
 * that every number has exactly one spelling. */
static int parse_rt(const char *s)
{
	if (strncmp(s, "SIGRTMIN", 8))
		return 0;
	s += 8;
	if (!*s)
		return LINUX_SIGRTMIN;
	if (*s++ != '+' || *s < '1' || *s > '9')
		return 0;
	int n = 0;
	for (; *s >= '0' && *s <= '9' && n <= LINUX_NSIG; s++)
		n = n * 10 + (*s - '0');
	if (*s || n > LINUX_NSIG - LINUX_SIGRTMIN)
		return 0;
	return LINUX_SIGRTMIN + n;
}

int signame_parse(const char *s)
{
	for (int i = 1; i < LINUX_SIGRTMIN; i++)
		if (!strcmp(s, names[i]))
			return i;
	return parse_rt(s);
}

const char *signame(int sig, char buf[SIGNAME_LEN])
{
	if (sig < 1 || sig > LINUX_NSIG)
		return NULL;
	if (sig < LINUX_SIGRTMIN)
		snprintf(buf, SIGNAME_LEN, "%s", names[sig]);
	else if (sig == LINUX_SIGRTMIN)
		snprintf(buf, SIGNAME_LEN, "SIGRTMIN");
	else
		snprintf(buf, SIGNAME_LEN, "SIGRTMIN+%d", sig - LINUX_SIGRTMIN);
	return buf;
}
