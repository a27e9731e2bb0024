/* libFuzzer target for the loader: any file gives a load or one message,
 * never a crash or an out-of-bounds read (S4). Guest memory is the sparse
 * fake of the tests, which aborts on any misuse of load_ops; the checks
 * below abort when a result breaks the contract of loader.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness/sentry/loader.h"
#include "harness/sentry/loader_fake.h"

#define NAME "fuzz.elf"
#define STACK_SIZE 0x10000

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "loader contract broken: %s\n", what);
		abort();
	}
}

static bool in_exec_region(const struct load_result *res, uint64_t addr)
{
	for (size_t i = 0; i + 1 < res->nregions; i++)
		if (addr - res->regions[i].start < res->regions[i].len &&
		    (res->regions[i].prot & PROT_EXEC))
			return true;
	return false;
}

static void check_loaded(const struct fake_mem *mem, const struct load_result *res)
{
	const struct load_region *stack = &res->regions[res->nregions - 1];
	uint64_t argc = 0;

	check(res->nregions >= 2 && res->nregions == mem->nregions, "region count");
	for (size_t i = 1; i < res->nregions; i++)
		check(res->regions[i - 1].start + res->regions[i - 1].len <= res->regions[i].start,
		      "regions ascend");
	check(stack->start == LOAD_STACK_TOP - STACK_SIZE && stack->len == STACK_SIZE,
	      "stack region");
	check(res->brk == stack[-1].start + stack[-1].len, "brk at the end of the last segment");
	check(res->sp % 16 == 0 && res->sp - stack->start < STACK_SIZE, "sp in the stack, aligned");
	check(in_exec_region(res, res->entry), "entry executable");
	check(fake_read(mem, res->sp, &argc, sizeof(argc)) && argc == 2, "argc on the stack");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const argv[] = { NAME, "-a", NULL };
	static char *const envp[] = { "A=1", NULL };
	const struct load_args args = { .argv = argv, .envp = envp, .stack_size = STACK_SIZE };
	struct fake_mem mem = { 0 };
	struct load_ops ops = fake_ops(&mem);
	struct load_result res;
	char err[512];
	int rc;

	if (size > (1 << 20)) /* the fake's linear page lookup stays fast */
		return 0;
	rc = elf_load(NAME, data, size, &args, &ops, &res, err, sizeof(err));
	if (rc == 0) {
		check(err[0] == '\0', "no message on success");
		check_loaded(&mem, &res);
	} else {
		check(rc == -ENOEXEC, "only -ENOEXEC for a bad file");
		check(strncmp(err, NAME ": ", strlen(NAME) + 2) == 0 &&
			      strlen(err) < sizeof(err) - 1,
		      "one whole message naming the file");
		check(mem.nregions == 0, "nothing mapped for a bad file");
	}
	fake_free(&mem);
	return 0;
}
