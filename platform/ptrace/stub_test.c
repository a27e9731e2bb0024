/* P1-P7: the stub page, the master, stub processes, the filter, the probe. */
#include "platform/test_guest.h"

#include <sys/utsname.h>

/* Reads one "Key:\tvalue" line of /proc/PID/status as a number. */
static long status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f, "%s", path);
	long v = -1;
	size_t n = strlen(key);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 0);
	fclose(f);
	return v;
}

static long session_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char st;
	int ppid, pgrp, sid;
	cr_assert_eq(sscanf(strrchr(buf, ')') + 2, "%c %d %d %d", &st, &ppid, &pgrp, &sid), 4);
	return sid;
}

/* The mappings of a stub process other than [vsyscall]: must be the stub. */
static int count_maps(pid_t pid, uintptr_t *first)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f);
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "[vsyscall]"))
			continue;
		if (n++ == 0)
			*first = strtoul(line, NULL, 16);
	}
	fclose(f);
	return n;
}

Test(stub, p1_stub_page_at_top,
     .description = "P1: the stub page is the highest free page, r-x, and the limit")
{
	struct guest g;
	guest_setup(&g, false);
	uintptr_t s = plat_stub_start();
	cr_assert_eq(s % PAGE, 0);
	cr_assert(s <= 0x7fffffff0000UL && s > 0x7f0000000000UL, "stub at %#lx", (unsigned long)s);
	cr_assert_eq(plat_max_addr(g.p), s);
	cr_assert_eq(plat_min_addr(g.p), (uintptr_t)plat_probe()->mmap_min_addr);
	cr_assert_eq(memcmp((void *)s, "\xb8\x9d\x00\x00\x00", 5), 0,
		     "starts with mov $__NR_prctl, %%eax");
	guest_teardown(&g);
}

Test(stub, p3_master_stub,
     .description = "P3: master is our child, its own session, filtered, all signals default")
{
	struct guest g;
	guest_setup(&g, false);
	pid_t m = plat_test_master_pid(g.p);
	cr_assert_eq(status_field(m, "PPid"), getpid());
	cr_assert_eq(session_of(m), m, "setsid()");
	cr_assert_eq(status_field(m, "Seccomp"), 2);
	cr_assert_eq(status_field(m, "NoNewPrivs"), 1);
	cr_assert_neq(status_field(m, "TracerPid"), 0);
	guest_teardown(&g);
}

Test(stub, p4_p5_empty_address_space,
     .description =
	     "P2 P4 P5: stubs hold nothing but the stub page; cloned from the master; injection runs the stub code")
{
	struct guest g;
	guest_setup(&g, false);
	pid_t m = plat_test_master_pid(g.p), a = plat_as_pid(g.as);
	uintptr_t first = 0;
	cr_assert_eq(count_maps(m, &first), 1, "P4: master keeps only the stub");
	cr_assert_eq(first, plat_stub_start());
	cr_assert_eq(count_maps(a, &first), 1, "P4: new address space keeps only the stub");
	cr_assert_eq(first, plat_stub_start());
	cr_assert_eq(status_field(a, "PPid"), m, "P5: cloned by the master");
	cr_assert_eq(status_field(a, "Seccomp"), 2, "P5: the filter is inherited");
	long args[6] = { 0 };
	cr_assert_eq(plat_test_inject(g.as, SYS_getpid, args), a,
		     "P2/P20: injection runs in the stub");
	cr_assert_eq(plat_test_inject(g.as, SYS_getppid, args), m);
	guest_teardown(&g);
}

Test(stub, p6_filter_kills_disallowed_injection,
     .description = "P6 P23: a disallowed injected syscall kills the stub thread, not the harness")
{
	struct guest g;
	guest_setup(&g, false);
	if (!plat_probe()->ptrace_before_seccomp)
		cr_skip("legacy seccomp order: the filter allows by default");
	long args[6] = { 0 };
	long r = plat_test_inject(g.as, SYS_getuid, args);
	cr_assert_eq(r, -PLAT_ESTUBDEAD);
	const char *e = plat_as_error(g.as);
	cr_assert_not_null(e);
	cr_assert(strstr(e, "signal 31"), "the error names SIGSYS: %s", e);
	cr_assert_eq(plat_as_new(g.p, &g.as), 0, "the platform survives");
	cr_assert_eq(plat_test_inject(g.as, SYS_getpid, args), plat_as_pid(g.as));
	guest_teardown(&g);
}

Test(stub, p6_filter_optional, .description = "P6: the no-seccomp variant installs no filter")
{
	struct guest g;
	struct plat_options o = { .no_stub_seccomp = true };
	guest_setup_opts(&g, &o);
	cr_assert_eq(status_field(plat_as_pid(g.as), "Seccomp"), 0);
	guest_teardown(&g);
}

Test(stub, p7_probe, .description = "P7 P13: probed facts are sane on this kernel")
{
	struct guest g;
	guest_setup(&g, false);
	const struct plat_probe *pr = plat_probe();
	struct utsname u;
	uname(&u);
	int major = 0, minor = 0;
	sscanf(u.release, "%d.%d", &major, &minor);
	bool modern = major > 4 || (major == 4 && minor >= 8);
	cr_assert_eq(pr->ptrace_before_seccomp, modern, "P7 probe disagrees with kernel %s",
		     u.release);
	cr_assert(pr->fpstate_size >= 512);
	if (pr->has_xsave)
		cr_assert(pr->fpstate_size <= pr->xsave_cpuid_size);
	else
		cr_assert_eq(pr->fpstate_size, 512);
	cr_assert_str_eq(pr->kernel_release, u.release);
	cr_assert(pr->exitkill);
	guest_teardown(&g);
}
