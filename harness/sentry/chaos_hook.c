/* The emulated kernel's side of the runner's "chaos: signal-stub" cases
 * (harness/chaos/chaos.c): after the outside signals, the kernel itself
 * sends the guest one signal, as a device or timer would, so that the
 * fixture stops and reports what reached its handlers. */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "harness/sentry/kernel.h"

int sentry_chaos_signal(void *as_user, int sig)
{
	struct proc *p = as_user;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_KERNEL;
	pthread_mutex_lock(&p->k->mu);
	int e = signal_send_proc(p, &si);
	pthread_mutex_unlock(&p->k->mu);
	return e;
}
