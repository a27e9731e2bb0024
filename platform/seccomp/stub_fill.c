/* T2, T3: the seccomp half of the stub page. The code of stub/seccomp.S
 * goes at SC_CODE_OFFSET, after the ptrace stub; its constants block gets
 * the region layout, and the serving and guest filters go after the code
 * (their sock_fprog in the constants), so that every stub process finds
 * them at the same address, read-only. Runs once, while the page is still
 * writable (stub_page.c). */
#include <stdio.h>
#include <string.h>

#include "platform/seccomp/seccomp.h"

struct sc_layout sc_layout;

static void put64(unsigned char *consts, unsigned off, uint64_t v)
{
	memcpy(consts + off, &v, sizeof(v));
}

/* The region runs from the stub page's end to the top of user space: a
 * read-only page, the control page, then as many altstacks as fit. */
static int layout_region(uintptr_t end, char *why, size_t len)
{
	sc_layout.region = end;
	sc_layout.region_size = LINUX_TASK_SIZE - end;
	sc_layout.stacks = end + 2 * SC_PAGE;
	size_t room = sc_layout.region_size > 2 * SC_PAGE ? sc_layout.region_size - 2 * SC_PAGE : 0;
	size_t n = sc_layout.stack_size ? room / sc_layout.stack_size : 0;
	sc_layout.slots = n > SC_SLOTS_MAX ? SC_SLOTS_MAX : (unsigned)n;
	if (sc_layout.slots < 2) {
		snprintf(why, len, "no room above the stub page for two altstacks of %zu bytes",
			 sc_layout.stack_size);
		return -1;
	}
	/* Only what is used is mapped: the slots' stacks, page-rounded. */
	size_t used = 2 * SC_PAGE + sc_layout.slots * sc_layout.stack_size;
	sc_layout.region_size = (used + SC_PAGE - 1) & ~(size_t)(SC_PAGE - 1);
	probe_result.seccomp_threads = sc_layout.slots;
	return 0;
}

/* Writes a filter and its sock_fprog; returns the bytes used, or 0. */
static size_t put_filter(unsigned char *page, uintptr_t start, size_t at, unsigned fprog_off,
			 enum sc_layer layer, char *why, size_t len)
{
	at = (at + 7) & ~(size_t)7;
	size_t room = (SC_PAGE - at) / sizeof(struct sock_filter);
	int n = sc_filter_build(layer, (struct sock_filter *)(page + at), room, why, len);
	if (n < 0)
		return 0;
	unsigned char *consts = page + SC_CODE_OFFSET + (plat_sc_consts - plat_sc_code_begin);
	uint16_t n16 = (uint16_t)n;
	memcpy(consts + fprog_off, &n16, sizeof(n16));
	put64(consts, fprog_off + 8, start + at);
	return at + (size_t)n * sizeof(struct sock_filter);
}

int sc_stub_fill(unsigned char *page, uintptr_t start, char *why, size_t len)
{
	size_t code = (size_t)(plat_sc_code_end - plat_sc_code_begin);
	if (SC_CODE_OFFSET + code > SC_PAGE) {
		snprintf(why, len, "the seccomp stub does not fit in the stub page");
		return -1;
	}
	if (layout_region(start + SC_PAGE, why, len))
		return -1;
	memcpy(page + SC_CODE_OFFSET, plat_sc_code_begin, code);
	unsigned char *consts = page + SC_CODE_OFFSET + (plat_sc_consts - plat_sc_code_begin);
	put64(consts, SC_K_REGION, sc_layout.region);
	put64(consts, SC_K_STACKS, sc_layout.stacks);
	put64(consts, SC_K_STACK_SIZE, sc_layout.stack_size);
	put64(consts, SC_K_SLOTS, sc_layout.slots);
	put64(consts, SC_K_FRAME_OFF, sc_layout.frame_off);
	put64(consts, SC_K_RW_SIZE, sc_layout.region_size - SC_PAGE);
	put64(consts, SC_K_STUB, start);
	put64(consts, SC_K_END, sc_layout.region + sc_layout.region_size);
	size_t at = put_filter(page, start, SC_CODE_OFFSET + code, SC_K_SPROG, SC_LAYER_SERVE, why,
			       len);
	if (at)
		at = put_filter(page, start, at, SC_K_GPROG, SC_LAYER_GUEST, why, len);
	return at ? 0 : -1;
}
