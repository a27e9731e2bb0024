/*
 * The init process of the User-Mode Linux run (bench/uml.c boots it): times
 * N getpid calls inside UML, prints one line and powers the machine off.
 * Static, because the hostfs root holds nothing else. As PID 1 it must
 * never return: the UML kernel would panic instead of halting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A raw syscall instruction, as the platform's guest loop issues it. */
static long raw_getpid(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_getpid) : "rcx", "r11", "memory");
	return r;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	if (n < 1)
		n = 1;
	for (long i = 0; i < n / 10; i++) /* warm-up, untimed */
		raw_getpid();
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		raw_getpid();
	long long t1 = now_ns();
	printf("uml-bench getpid n=%ld ns_per_op=%.1f\n", n, (double)(t1 - t0) / (double)n);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
