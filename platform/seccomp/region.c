/* A stub process's region (abi.h): one memfd, mapped at the same address
 * in the stub (read-only first page, the rest read-write) and anywhere in
 * the harness. The harness fills the read-only page once: everything a
 * serving thread or a new thread reads from it is beyond the guest's
 * reach (T5). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform/seccomp/seccomp.h"

static void put64(struct sc_as *sa, unsigned off, uint64_t v)
{
	memcpy(sa->map + off, &v, sizeof(v));
}

/* The altstack of each slot, for sigaltstack(); the result table, whose
 * entry i is what a serving thread writes to its eventfd for result i. */
static void fill_ro(struct sc_as *sa, pid_t harness)
{
	put64(sa, SC_RO_HARNESS, (uint64_t)harness);
	put64(sa, SC_RO_EFD, (uint64_t)sa->efd);
	/* A new thread traps once on purpose: SIGSYS must not be blocked. */
	put64(sa, SC_RO_BIRTH_MASK, ~(1ULL << (SIGSYS - 1)));
	for (unsigned i = 0; i < sc_layout.slots; i++) {
		stack_t ss = { (void *)(sc_layout.stacks + i * sc_layout.stack_size), 0,
			       sc_layout.stack_size };
		memcpy(sa->map + SC_RO_ALT + i * SC_RO_ALT_SIZE, &ss, sizeof(ss));
	}
	for (unsigned i = 0; i < SC_RESULTS; i++)
		put64(sa, SC_RO_TABLE + 8 * i, i + 1);
}

int sc_region_new(struct sc_as *sa, char *err, size_t errlen)
{
	sa->memfd = sa->efd = sa->pidfd = -1;
	sa->memfd = memfd_create("plat-seccomp-region", MFD_CLOEXEC);
	sa->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sa->memfd < 0 || sa->efd < 0 ||
	    ftruncate(sa->memfd, (off_t)sc_layout.region_size) != 0) {
		snprintf(err, errlen, "a stub region: %s", strerror(errno));
		return -errno;
	}
	sa->map =
		mmap(NULL, sc_layout.region_size, PROT_READ | PROT_WRITE, MAP_SHARED, sa->memfd, 0);
	if (sa->map == MAP_FAILED) {
		sa->map = NULL;
		snprintf(err, errlen, "mapping a stub region: %s", strerror(errno));
		return -errno;
	}
	fill_ro(sa, getpid());
	return 0;
}

void sc_region_free(struct sc_as *sa)
{
	if (sa->map)
		munmap(sa->map, sc_layout.region_size);
	if (sa->memfd >= 0)
		close(sa->memfd);
	if (sa->efd >= 0)
		close(sa->efd);
	if (sa->pidfd >= 0)
		close(sa->pidfd);
	sa->map = NULL;
	sa->memfd = sa->efd = sa->pidfd = -1;
}
