/* Signal names as case files and reports spell them.
 *
 * The numbering is the x86-64 Linux kernel's, not the host C library's:
 * the sentry emulates the kernel, and glibc's SIGRTMIN (34) hides the two
 * real-time signals it reserves. Real-time signals are SIGRTMIN (32) and
 * SIGRTMIN+1 .. SIGRTMIN+32. One spelling per signal, no aliases. */
#ifndef HARNESS_SIGNAME_H
#define HARNESS_SIGNAME_H

#include <stddef.h>

#include "platform/linux_abi.h"

#define SIGNAME_LEN 16 /* buffer size that holds any name */

/* The signal number for a name such as "SIGSEGV", or 0 if unknown. */
int signame_parse(const char *s);
/* The name of signal sig (1..LINUX_NSIG, platform/linux_abi.h) in buf; NULL if out of range. */
const char *signame(int sig, char buf[SIGNAME_LEN]);

#endif
