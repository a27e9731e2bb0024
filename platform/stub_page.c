/* P1: placing the stub page at the top of the address space. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform/internal.h"
#include "platform/seccomp/seccomp.h"

#define STUB_INIT_ADDRESS 0x7fffffff0000UL

struct stub_layout stub_layout;

/* The stub must sit at the same address in the harness and in every stub
 * process (they inherit it by fork), as high as possible so that the guest
 * gets everything below it. A non-fixed mmap with a hint is honoured only
 * when the range is free, so lowering the hint a page at a time finds the
 * highest free page without clobbering anything (MAP_FIXED would). The one
 * page holds both stubs: ptrace's at its start (P1, P2), the seccomp-trap
 * one after it (T2), whose region lies above the page in its stubs only. */
int stub_page_init(char *err, size_t errlen)
{
	size_t code_len = (size_t)(plat_stub_code_end - plat_stub_code_begin);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = page;
	if (code_len > SC_CODE_OFFSET || page != SC_PAGE) {
		snprintf(err, errlen, "the ptrace stub (%zu bytes) overlaps the seccomp stub",
			 code_len);
		return -1;
	}

	for (uintptr_t hint = STUB_INIT_ADDRESS; hint > 0; hint -= page) {
		void *m = mmap((void *)hint, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			continue;
		if ((uintptr_t)m != hint) {
			munmap(m, len);
			continue;
		}
		memcpy(m, plat_stub_code_begin, code_len);
		stub_layout.sc_code = hint + SC_CODE_OFFSET;
		if (probe_result.seccomp_ok && sc_stub_fill(m, hint, probe_result.seccomp_missing,
							    sizeof(probe_result.seccomp_missing)))
			probe_result.seccomp_ok = false;
		if (mprotect(m, len, PROT_READ | PROT_EXEC) != 0) {
			snprintf(err, errlen, "mprotect of the stub page: %s", strerror(errno));
			munmap(m, len);
			return -1;
		}
		stub_layout.start = hint;
		stub_layout.end = hint + len;
		stub_layout.inject_rip =
			hint + (uintptr_t)(plat_stub_code_inject - plat_stub_code_begin);
		stub_layout.done_rip =
			hint + (uintptr_t)(plat_stub_code_done - plat_stub_code_begin);
		stub_layout.hold_rip =
			hint + (uintptr_t)(plat_stub_code_hold - plat_stub_code_begin);
		return 0;
	}
	snprintf(err, errlen, "no free page for the stub below %#lx", STUB_INIT_ADDRESS);
	return -1;
}

uintptr_t plat_stub_start(void)
{
	return stub_layout.start;
}
uintptr_t plat_stub_end(void)
{
	return stub_layout.end;
}
