/* P20-P22: injected syscalls, map-file, unmap and the pool. */
#include "platform/test_guest.h"

GUEST_CODE(g_read_data2,
	   "mov $0x20000000, %rax\n mov (%rax), %rdi\n mov $0x77, %eax\n syscall\n ud2");

static long rss_kb(pid_t pid, uintptr_t addr)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f);
	bool in = false;
	long kb = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strtoul(line, NULL, 16) &&
		    strchr(line, ' ') > strchr(line, '-'))
			in = strtoul(line, NULL, 16) == addr;
		else if (in && !strncmp(line, "Rss:", 4))
			kb = strtol(line + 4, NULL, 10);
	}
	fclose(f);
	return kb;
}

Test(inject, p21_map_file_errors_and_precommit,
     .description = "P21: map-file returns mmap's error; precommit populates")
{
	struct guest g;
	guest_setup(&g, false);
	cr_assert_eq(plat_map_file(g.as, DATA_ADDR, 999, 0, PAGE, PROT_READ, false), -EBADF);
	cr_assert_eq(plat_map_file(g.as, DATA_ADDR + 1, g.memfd, 0, PAGE, PROT_READ, false),
		     -EINVAL);
	cr_assert_eq(plat_map_file(g.as, DATA_ADDR, g.memfd, 0, 4 * PAGE, PROT_READ, false), 0);
	cr_assert_eq(rss_kb(plat_as_pid(g.as), DATA_ADDR), 0,
		     "nothing populated without precommit");
	cr_assert_eq(plat_map_file(g.as, DATA_ADDR, g.memfd, 0, 4 * PAGE, PROT_READ, true), 0);
	cr_assert_eq(rss_kb(plat_as_pid(g.as), DATA_ADDR), 16, "MAP_POPULATE with precommit");
	cr_assert_eq(plat_unmap(g.as, DATA_ADDR, 4 * PAGE), 0);
	cr_assert_eq(rss_kb(plat_as_pid(g.as), DATA_ADDR), -1, "unmapped");
	guest_teardown(&g);
}

/* P20: injections keep working while another process pelts the stubs with
 * signals; every one is suppressed and none is lost or misread. */
Test(inject, p20_injection_under_signal_storm,
     .description = "P20: injected syscalls survive signals from another process")
{
	struct guest g;
	guest_setup(&g, false);
	guest_load(&g, g_read_data2, g_read_data2_end);
	int stop[2];
	cr_assert_eq(pipe(stop), 0);
	pid_t as_pid = plat_as_pid(g.as), master = plat_test_master_pid(g.p);
	pid_t c = fork();
	if (c == 0) {
		close(stop[1]);
		struct pollfd {
			int fd;
			short ev, rev;
		} pfd = { stop[0], 1, 0 };
		while (syscall(SYS_poll, &pfd, 1, 0) == 0) {
			kill(as_pid, SIGUSR1);
			kill(master, SIGUSR2);
			kill(as_pid, SIGSTOP);
			kill(as_pid, SIGCONT);
		}
		_exit(0);
	}
	close(stop[0]);
	for (int i = 0; i < 300; i++) {
		cr_assert_eq(plat_map_file(g.as, DATA_ADDR, g.memfd, PAGE, PAGE, PROT_READ, false),
			     0, "round %d", i);
		cr_assert_eq(plat_unmap(g.as, DATA_ADDR, PAGE), 0, "round %d", i);
	}
	struct plat_as *other;
	cr_assert_eq(plat_as_new(g.p, &other), 0, "a new address space under fire");
	plat_as_release(other);
	close(stop[1]);
	int st;
	waitpid(c, &st, 0);
	uint64_t v = 77;
	cr_assert_eq(pwrite(g.memfd, &v, 8, PAGE), 8);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	cr_assert_eq(guest_syscall(&g)->rdi, 77);
	guest_teardown(&g);
}

static int reuse_events;
static void count_reuse(void *arg, const struct plat_event *ev)
{
	(void)arg;
	reuse_events += ev->kind == PLAT_EV_AS_REUSE;
}

Test(inject, p22_pool_reuse_leaves_nothing,
     .description = "P22 P4: a pooled stub is reused and shows nothing of its past")
{
	struct guest g;
	struct plat_options o = { .on_event = count_reuse };
	guest_setup_opts(&g, &o);
	guest_load(&g, g_read_data2, g_read_data2_end);
	uint64_t secret = 0x5ec7e7;
	cr_assert_eq(pwrite(g.memfd, &secret, 8, PAGE), 8);
	guest_map(&g, DATA_ADDR, PAGE, PAGE, PROT_READ);
	cr_assert_eq(guest_syscall(&g)->rdi, secret);
	pid_t old = plat_as_pid(g.as);
	plat_as_release(g.as);
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	cr_assert_eq(plat_as_pid(g.as), old, "P22: the pool hands back the same stub");
	cr_assert_eq(reuse_events, 1);
	/* Only the code and stack come back; the old data page must not. */
	guest_load(&g, g_read_data2, g_read_data2_end);
	plat_ctx_regs(g.ctx)->rip = CODE_ADDR;
	cr_assert_eq(guest_run(&g), PLAT_EXIT_FAULT, "the old mapping must be gone");
	cr_assert_eq((uintptr_t)g.ex.info.si_addr, DATA_ADDR);
	cr_assert_eq(g.ex.access, PLAT_ACCESS_READ, "no stale fault record (P17) across reuse");
	guest_teardown(&g);
}

Test(inject, p22_no_pool_variant_kills,
     .description = "P22: with the pool off a released stub is reaped")
{
	struct guest g;
	struct plat_options o = { .no_pool = true };
	guest_setup_opts(&g, &o);
	pid_t old = plat_as_pid(g.as);
	plat_as_release(g.as);
	cr_assert(process_gone(old), "the stub process must be reaped, not left a zombie");
	cr_assert_eq(plat_as_new(g.p, &g.as), 0);
	cr_assert_neq(plat_as_pid(g.as), old);
	guest_teardown(&g);
}
