/* Tests of the static-ELF loader (S4): hand-made images for every rejection,
 * real static and static-PIE programs built at test time, the initial stack
 * against fixed expectations and against the host kernel, truncated files. */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/sentry/loader.h"
#include "harness/sentry/loader_fake.h"

#define RX (PROT_READ | PROT_EXEC)
#define RW (PROT_READ | PROT_WRITE)
#define TOP LOAD_STACK_TOP

static struct fake_mem mem;
static struct load_result res;
static char err[512];

static void cleanup(void)
{
	fake_free(&mem);
}

static int load_args(const char *path, const void *img, size_t size, const struct load_args *args)
{
	fake_free(&mem);
	struct load_ops ops = fake_ops(&mem);
	return elf_load(path, img, size, args, &ops, &res, err, sizeof(err));
}

static int load(const char *path, const void *img, size_t size)
{
	return load_args(path, img, size, NULL);
}

static uint64_t word(uint64_t addr)
{
	uint64_t v;

	cr_assert(fake_read(&mem, addr, &v, sizeof(v)), "0x%lx not mapped", addr);
	return v;
}

/* The string at addr in guest memory (valid until the next call). */
static const char *gstr(uint64_t addr)
{
	static char s[8192];

	for (size_t i = 0; i < sizeof(s); i++) {
		cr_assert(fake_read(&mem, addr + i, &s[i], 1), "0x%lx not mapped", addr + i);
		if (!s[i])
			return s;
	}
	cr_assert_fail("no NUL after 0x%lx", addr);
	return NULL;
}

static void expect_mem(uint64_t addr, const void *want, size_t len)
{
	uint8_t *got = malloc(len);

	cr_assert(fake_read(&mem, addr, got, len), "0x%lx+0x%zx not mapped", addr, len);
	cr_assert(memcmp(got, want, len) == 0, "guest bytes at 0x%lx differ", addr);
	free(got);
}

static void expect_zero(uint64_t addr, size_t len)
{
	void *zero = calloc(1, len);

	expect_mem(addr, zero, len);
	free(zero);
}

static void expect_region(size_t i, uint64_t start, uint64_t len, int prot)
{
	cr_assert_lt(i, res.nregions);
	cr_expect_eq(res.regions[i].start, start, "region %zu start 0x%lx", i,
		     res.regions[i].start);
	cr_expect_eq(res.regions[i].len, len, "region %zu len 0x%lx", i, res.regions[i].len);
	cr_expect_eq(res.regions[i].prot, prot, "region %zu prot %d", i, res.regions[i].prot);
	cr_expect_eq(mem.regions[i].start, start, "ops->map was not called as reported");
}

/* ---- A hand-made image: text RX with its headers, data RW with bss. ---- */

#define MINI_SIZE 0x2200
static uint8_t mini[MINI_SIZE] __attribute__((aligned(16)));
static Elf64_Ehdr *const eh = (Elf64_Ehdr *)mini;
static Elf64_Phdr *const ph = (Elf64_Phdr *)(mini + 64);

/* File layout: headers and code in 0-0x1100 (segment 0, no bss), 0xCC
 * filler to the page end, data in 0x2000-0x2100 (segment 1, bss to 0x406000),
 * then 0xAA filler that must not reach the bss. */
static void mini_init(void)
{
	memset(mini, 0, sizeof(mini));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x401000;
	eh->e_phoff = 64;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	ph[0] = (Elf64_Phdr){ PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x1100, 0x1100, 0x1000 };
	ph[1] = (Elf64_Phdr){ PT_LOAD,  PF_R | PF_W, 0x2000, 0x403000,
			      0x403000, 0x100,       0x3000, 0x1000 };
	ph[2] = (Elf64_Phdr){ PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16 };
	for (int i = 0x1000; i < 0x1100; i++)
		mini[i] = (uint8_t)(i * 7);
	memset(mini + 0x1100, 0xcc, 0xf00);
	for (int i = 0x2000; i < 0x2100; i++)
		mini[i] = (uint8_t)(i * 13 + 1);
	memset(mini + 0x2100, 0xaa, 0x100);
}

static void expect_reject_args(const void *img, size_t size, const struct load_args *args, int code,
			       const char *msg)
{
	int rc = load_args("mini", img, size, args);

	cr_assert_eq(rc, code, "rc %d, message: %s", rc, err);
	cr_assert_str_eq(err, msg);
	cr_assert_eq(mem.nregions, 0, "a rejected load mapped memory");
}

static void expect_reject(const void *img, size_t size, const char *msg)
{
	expect_reject_args(img, size, NULL, -ENOEXEC, msg);
}

TestSuite(loader, .init = mini_init, .fini = cleanup);

Test(loader, loads_segments_with_their_protection)
{
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	cr_expect_eq(res.entry, 0x401000);
	cr_expect_eq(res.base, 0);
	cr_expect_eq(res.brk, 0x406000);
	cr_expect_eq(res.phdr, 0x400040);
	cr_assert_eq(res.nregions, 3);
	expect_region(0, 0x400000, 0x2000, RX);
	expect_region(1, 0x403000, 0x3000, RW);
	expect_region(2, TOP - LOAD_STACK_SIZE_DEFAULT, LOAD_STACK_SIZE_DEFAULT, RW);
	cr_expect_eq(mem.nregions, 3);
}

Test(loader, copies_file_bytes_and_zeroes_bss)
{
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	expect_mem(0x400000, mini, 0x1100);
	/* No bss: the rest of the last page shows the file, as Linux's mmap. */
	expect_mem(0x401100, mini + 0x1100, 0xf00);
	expect_mem(0x403000, mini + 0x2000, 0x100);
	expect_zero(0x403100, 0x2f00); /* bss, never the 0xAA after it in the file */
}

Test(loader, static_pie_goes_to_the_fixed_base)
{
	eh->e_type = ET_DYN;
	eh->e_entry = 0x1000;
	ph[0].p_vaddr = 0;
	ph[1].p_vaddr = 0x3000;
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	cr_expect_eq(res.base, LOAD_PIE_BASE);
	cr_expect_eq(res.entry, LOAD_PIE_BASE + 0x1000);
	cr_expect_eq(res.phdr, LOAD_PIE_BASE + 0x40);
	cr_expect_eq(res.brk, LOAD_PIE_BASE + 0x6000);
	expect_region(0, LOAD_PIE_BASE, 0x2000, RX);
	expect_region(1, LOAD_PIE_BASE + 0x3000, 0x3000, RW);
	expect_mem(LOAD_PIE_BASE + 0x3000, mini + 0x2000, 0x100);
}

Test(loader, static_pie_linked_higher_still_starts_at_the_base)
{
	eh->e_type = ET_DYN;
	eh->e_entry = 0x11000;
	ph[0].p_vaddr = 0x10000;
	ph[1].p_vaddr = 0x13000;
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	cr_expect_eq(res.base, LOAD_PIE_BASE - 0x10000);
	cr_expect_eq(res.entry, LOAD_PIE_BASE + 0x1000);
	expect_region(0, LOAD_PIE_BASE, 0x2000, RX);
}

Test(loader, segment_not_at_a_page_start_gets_its_whole_first_page)
{
	ph[1].p_offset = 0x2080;
	ph[1].p_vaddr = 0x403080;
	ph[1].p_filesz = 0x80;
	ph[1].p_memsz = 0x2f80;
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	expect_region(1, 0x403000, 0x3000, RW);
	expect_mem(0x403000, mini + 0x2000, 0x100);
	expect_zero(0x403100, 0x2f00);
}

Test(loader, empty_pt_load_is_ignored)
{
	ph[2] = (Elf64_Phdr){ PT_LOAD, PF_R, 0x2200, 0x10, 0x10, 0, 0, 0x1000 };
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	cr_expect_eq(res.nregions, 3);
}

Test(loader, executable_pt_gnu_stack_gives_an_executable_stack)
{
	ph[2].p_flags |= PF_X;
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	expect_region(2, TOP - LOAD_STACK_SIZE_DEFAULT, LOAD_STACK_SIZE_DEFAULT, RW | PROT_EXEC);
}

Test(loader, no_pt_gnu_stack_gives_a_non_executable_stack)
{
	ph[2].p_type = PT_NOTE;
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	expect_region(2, TOP - LOAD_STACK_SIZE_DEFAULT, LOAD_STACK_SIZE_DEFAULT, RW);
}

Test(loader, phdr_falls_back_to_pt_phdr)
{
	eh->e_phoff = 0x2100; /* not in any PT_LOAD's file bytes */
	memcpy(mini + 0x2100, mini + 64, 3 * sizeof(Elf64_Phdr));
	((Elf64_Phdr *)(mini + 0x2100))[2] =
		(Elf64_Phdr){ PT_PHDR, PF_R, 0x2100, 0x403100, 0, 0xa8, 0xa8, 8 };
	cr_assert_eq(load("mini", mini, MINI_SIZE), 0, "%s", err);
	cr_expect_eq(res.phdr, 0x403100);
}

/* ---- The initial stack, byte for byte (S4). ---- */

static char *const argv3[] = { "prog", "-x", "hello world", NULL };
static char *const envp2[] = { "A=1", "PATH=/bin", NULL };
static const struct load_args args3 = {
	.argv = argv3,
	.envp = envp2,
	.uid = 1000,
	.euid = 1001,
	.gid = 100,
	.egid = 101,
	.hwcap = 0x178bfbff,
	.hwcap2 = 2,
};

/* Addresses worked out by hand from Linux's layout (create_elf_tables): 39
 * bytes of strings below an 8-byte null word, "x86_64" below them after
 * rounding down to 16, the 16 random bytes, then 19 auxv pairs, 4 argv and
 * 3 envp words and argc rounded down to 16. */
Test(loader, stack_layout_is_linux_s)
{
	static const uint64_t aux[][2] = {
		{ AT_HWCAP, 0x178bfbff }, { AT_PAGESZ, 4096 },     { AT_CLKTCK, 100 },
		{ AT_PHDR, 0x400040 },    { AT_PHENT, 56 },        { AT_PHNUM, 3 },
		{ AT_BASE, 0 },           { AT_FLAGS, 0 },         { AT_ENTRY, 0x401000 },
		{ AT_UID, 1000 },         { AT_EUID, 1001 },       { AT_GID, 100 },
		{ AT_EGID, 101 },         { AT_SECURE, 0 },        { AT_RANDOM, TOP - 71 },
		{ AT_HWCAP2, 2 },         { AT_EXECFN, TOP - 13 }, { AT_PLATFORM, TOP - 55 },
		{ AT_NULL, 0 },
	};
	static const uint64_t ptrs[] = {
		3, TOP - 47, TOP - 42, TOP - 39, 0, TOP - 27, TOP - 23, 0
	};
	uint64_t sp = TOP - 448;

	cr_assert_eq(load_args("mini", mini, MINI_SIZE, &args3), 0, "%s", err);
	cr_assert_eq(res.sp, sp, "sp 0x%lx", res.sp);
	cr_expect_eq(res.sp % 16, 0);
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		cr_expect_eq(word(sp + 8 * i), ptrs[i], "word %zu is 0x%lx", i, word(sp + 8 * i));
	for (size_t i = 0; i < sizeof(aux) / sizeof(aux[0]); i++) {
		cr_expect_eq(word(sp + 64 + 16 * i), aux[i][0], "auxv %zu type %lu", i,
			     word(sp + 64 + 16 * i));
		cr_expect_eq(word(sp + 72 + 16 * i), aux[i][1], "auxv %zu value 0x%lx", i,
			     word(sp + 72 + 16 * i));
	}
	expect_mem(TOP - 47, "prog\0-x\0hello world\0A=1\0PATH=/bin\0mini\0\0\0\0\0\0\0\0\0", 47);
	expect_mem(TOP - 55, "x86_64", 7);
	expect_mem(TOP - 71, load_at_random, 16);
	expect_zero(sp + 64 + 16 * 19, 9); /* padding between auxv and the random bytes */
	expect_mem(0x400040, ph, 3 * sizeof(Elf64_Phdr)); /* what AT_PHDR points to */
}

Test(loader, empty_argv_becomes_one_empty_string)
{
	char *const none[] = { NULL };
	struct load_args a = { .argv = none };

	cr_assert_eq(load_args("mini", mini, MINI_SIZE, &a), 0, "%s", err);
	cr_expect_eq(word(res.sp), 1);
	cr_expect_str_eq(gstr(word(res.sp + 8)), "");
	cr_expect_eq(word(res.sp + 16), 0);
	cr_expect_eq(word(res.sp + 24), 0); /* no environment */
}

Test(loader, minsigstksz_comes_first_as_x86_arch_dlinfo)
{
	struct load_args a = { .minsigstksz = 3376 };

	cr_assert_eq(load_args("mini", mini, MINI_SIZE, &a), 0, "%s", err);
	cr_expect_eq(word(res.sp + 32), AT_MINSIGSTKSZ);
	cr_expect_eq(word(res.sp + 40), 3376);
	cr_expect_eq(word(res.sp + 48), AT_HWCAP);
}

Test(loader, stack_size_is_a_parameter)
{
	struct load_args a = { .stack_size = 0x20000 };

	cr_assert_eq(load_args("mini", mini, MINI_SIZE, &a), 0, "%s", err);
	expect_region(2, TOP - 0x20000, 0x20000, RW);
}

Test(loader, same_inputs_give_same_memory)
{
	struct fake_mem first;
	struct load_result r1;

	cr_assert_eq(load_args("mini", mini, MINI_SIZE, &args3), 0, "%s", err);
	first = mem, r1 = res;
	memset(&mem, 0, sizeof(mem));
	cr_assert_eq(load_args("mini", mini, MINI_SIZE, &args3), 0, "%s", err);
	cr_assert(memcmp(&r1, &res, sizeof(res)) == 0);
	cr_assert_eq(first.npages, mem.npages);
	for (size_t i = 0; i < mem.npages; i++)
		expect_mem(first.pages[i]->addr, first.pages[i]->bytes, LOAD_PAGE_SIZE);
	fake_free(&first);
}

/* ---- Errors from the arguments and from ops. ---- */

Test(loader, too_long_strings_give_e2big)
{
	static char big[5001];
	char *const argv[] = { big, NULL };
	struct load_args a = { .argv = argv, .stack_size = 0x4000 };

	memset(big, 'a', 5000);
	expect_reject_args(
		mini, MINI_SIZE, &a, -E2BIG,
		"mini: argument list too long (5006 bytes, the 16384-byte stack allows a quarter)");
}

Test(loader, too_many_pointers_give_e2big)
{
	static char *argv[501];
	struct load_args a = { .argv = argv, .stack_size = 0x4000 };

	for (int i = 0; i < 500; i++)
		argv[i] = "";
	expect_reject_args(
		mini, MINI_SIZE, &a, -E2BIG,
		"mini: argument list too long (4880 bytes, the 16384-byte stack allows a quarter)");
}

Test(loader, bad_args)
{
	struct load_args a = { .stack_size = 0x4001 };
	struct load_args b = { .addr_limit = 0x7fff00000000 };

	expect_reject_args(mini, MINI_SIZE, &a, -EINVAL, "mini: bad stack size 0x4001");
	expect_reject_args(
		mini, MINI_SIZE, &b, -EINVAL,
		"mini: the stack top 0x7ffffffde000 is above the user address limit 0x7fff00000000");
}

Test(loader, map_error_is_reported)
{
	struct load_ops ops = fake_ops(&mem);

	mem.fail_map = -ENOMEM;
	cr_assert_eq(elf_load("mini", mini, MINI_SIZE, NULL, &ops, &res, err, sizeof(err)),
		     -ENOMEM);
	cr_expect_str_eq(err, "mini: cannot map 0x400000-0x402000: Cannot allocate memory");
}

Test(loader, write_error_is_reported)
{
	struct load_ops ops = fake_ops(&mem);

	mem.fail_write = -EFAULT;
	cr_assert_eq(elf_load("mini", mini, MINI_SIZE, NULL, &ops, &res, err, sizeof(err)),
		     -EFAULT);
	cr_expect_str_eq(err, "mini: cannot write program header 0 at 0x400000: Bad address");
}

Test(loader, short_or_missing_error_buffer_is_safe)
{
	struct load_ops ops = fake_ops(&mem);
	char small[8];

	cr_assert_eq(elf_load("mini", mini, 3, NULL, &ops, &res, NULL, 0), -ENOEXEC);
	cr_assert_eq(elf_load("mini", mini, 3, NULL, &ops, &res, small, sizeof(small)), -ENOEXEC);
	cr_expect_str_eq(small, "mini: n");
}

/* ---- One clear message for each kind of bad file (S4). ---- */

Test(loader, rejects_bad_magic)
{
	mini[1] = 'X';
	expect_reject(mini, MINI_SIZE, "mini: not an ELF file (bad magic)");
	expect_reject(mini, 0, "mini: not an ELF file (bad magic)");
	expect_reject("#!/bin/sh\n", 10, "mini: not an ELF file (bad magic)");
}

Test(loader, rejects_32_bit)
{
	Elf32_Ehdr h = { .e_type = ET_EXEC,
			 .e_machine = EM_386,
			 .e_version = EV_CURRENT,
			 .e_entry = 0x8049000,
			 .e_phoff = 52,
			 .e_ehsize = 52,
			 .e_phentsize = 32,
			 .e_phnum = 1 };

	memcpy(h.e_ident, ELFMAG, SELFMAG);
	h.e_ident[EI_CLASS] = ELFCLASS32;
	h.e_ident[EI_DATA] = ELFDATA2LSB;
	expect_reject(&h, sizeof(h), "mini: 32-bit ELF; only 64-bit x86-64 programs can run");
}

Test(loader, rejects_big_endian)
{
	mini[EI_DATA] = ELFDATA2MSB;
	expect_reject(mini, MINI_SIZE,
		      "mini: big-endian ELF; only little-endian x86-64 programs can run");
}

Test(loader, rejects_unknown_class)
{
	mini[EI_CLASS] = 7;
	expect_reject(mini, MINI_SIZE,
		      "mini: inconsistent header: unknown ELF class 7 or data encoding 1");
}

Test(loader, rejects_wrong_machine)
{
	eh->e_machine = EM_AARCH64;
	expect_reject(
		mini, MINI_SIZE,
		"mini: wrong architecture (e_machine 183, aarch64); only x86-64 programs can run");
}

Test(loader, rejects_relocatable_object)
{
	eh->e_type = ET_REL;
	expect_reject(
		mini, MINI_SIZE,
		"mini: not an executable (e_type 1); only ET_EXEC and static-PIE ET_DYN can run");
}

Test(loader, rejects_pt_interp)
{
	strcpy((char *)mini + 0x2180, "/lib/ld-test.so");
	ph[2] = (Elf64_Phdr){ PT_INTERP, PF_R, 0x2180, 0, 0, 16, 16, 1 };
	expect_reject(
		mini, MINI_SIZE,
		"mini: dynamically linked (interpreter /lib/ld-test.so); only static programs can run");
}

Test(loader, rejects_pt_interp_with_a_hostile_name)
{
	ph[2] = (Elf64_Phdr){ PT_INTERP, PF_R, 0x2100, 0, 0, 0x100, 0x100, 1 };
	strcpy((char *)mini + 0x2100, "ld\n\x80x");
	expect_reject(mini, MINI_SIZE,
		      "mini: dynamically linked (interpreter ld??x); only static programs can run");
	memset(mini + 0x2100, 'a', 0x100); /* no NUL at all: cut short */
	expect_reject(
		mini, MINI_SIZE,
		"mini: dynamically linked (interpreter aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa); "
		"only static programs can run");
}

Test(loader, rejects_truncated_elf_header)
{
	expect_reject(mini, 40, "mini: truncated: the ELF header needs 64 bytes, the file has 40");
	expect_reject(mini, 4, "mini: truncated: the ELF header needs 64 bytes, the file has 4");
}

Test(loader, rejects_truncated_program_headers)
{
	expect_reject(
		mini, 200,
		"mini: truncated: 168 bytes of program headers at offset 0x40 go past the end of the file (200 bytes)");
	eh->e_phoff = UINT64_MAX - 8;
	expect_reject(mini, MINI_SIZE,
		      "mini: truncated: 168 bytes of program headers at offset 0xfffffffffffffff7 "
		      "go past the end of the file (8704 bytes)");
}

Test(loader, rejects_truncated_segment)
{
	expect_reject(mini, 0x2080,
		      "mini: truncated: program header 1 (PT_LOAD) has file bytes 0x2000+0x100 "
		      "past the end of the file (8320 bytes)");
	ph[1].p_offset = UINT64_MAX - 0xfff;
	expect_reject(mini, MINI_SIZE,
		      "mini: truncated: program header 1 (PT_LOAD) has file bytes "
		      "0xfffffffffffff000+0x100 past the end of the file (8704 bytes)");
}

Test(loader, rejects_bad_phentsize)
{
	eh->e_phentsize = 32;
	expect_reject(mini, MINI_SIZE, "mini: inconsistent header: e_phentsize is 32, expected 56");
}

Test(loader, rejects_bad_phnum)
{
	eh->e_phnum = 0;
	expect_reject(mini, MINI_SIZE, "mini: inconsistent header: e_phnum is 0, expected 1 to 73");
	eh->e_phnum = 74;
	expect_reject(mini, MINI_SIZE,
		      "mini: inconsistent header: e_phnum is 74, expected 1 to 73");
	eh->e_phnum = PN_XNUM;
	expect_reject(mini, MINI_SIZE,
		      "mini: inconsistent header: e_phnum is 65535, expected 1 to 73");
}

Test(loader, rejects_filesz_above_memsz)
{
	ph[1].p_memsz = 0x80;
	expect_reject(
		mini, MINI_SIZE,
		"mini: inconsistent header: program header 1 has p_filesz 0x100 > p_memsz 0x80");
}

Test(loader, rejects_misaligned_offset)
{
	ph[1].p_offset = 0x2010;
	expect_reject(mini, MINI_SIZE,
		      "mini: inconsistent header: program header 1 has p_offset 0x2010 and "
		      "p_vaddr 0x403000 at different page offsets");
}

Test(loader, rejects_overlapping_segments)
{
	ph[1].p_vaddr = 0x401000; /* shares a page with segment 0 (0x400000-0x401100) */
	expect_reject(mini, MINI_SIZE,
		      "mini: inconsistent header: program header 1 (0x401000) shares a page "
		      "with the PT_LOAD before it (up to 0x402000)");
	ph[1].p_vaddr = 0x400000; /* the same page */
	expect_reject(mini, MINI_SIZE,
		      "mini: inconsistent header: program header 1 (0x400000) shares a page "
		      "with the PT_LOAD before it (up to 0x402000)");
}

Test(loader, rejects_unordered_segments)
{
	Elf64_Phdr t = ph[0];

	ph[0] = ph[1];
	ph[1] = t;
	expect_reject(mini, MINI_SIZE,
		      "mini: inconsistent header: PT_LOAD segments are not in ascending order "
		      "(program header 1 at 0x400000)");
}

Test(loader, rejects_address_overflow)
{
	ph[1].p_vaddr = 0xfffffffffffff000;
	expect_reject(mini, MINI_SIZE,
		      "mini: inconsistent header: program header 1's address range overflows");
}

Test(loader, rejects_segment_above_the_address_limit)
{
	struct load_args a = { .addr_limit = 0x7ffffffe0000 };

	ph[1].p_vaddr = 0x800000000000;
	expect_reject(mini, MINI_SIZE,
		      "mini: program header 1 (0x800000000000-0x800000003000) is above the "
		      "user address limit 0x7ffffffff000");
	ph[1].p_vaddr = 0x7ffffffdf000;
	expect_reject_args(mini, MINI_SIZE, &a, -ENOEXEC,
			   "mini: program header 1 (0x7ffffffdf000-0x7ffffffe2000) "
			   "is above the user address limit 0x7ffffffe0000");
}

Test(loader, rejects_segment_in_the_stack)
{
	ph[1].p_vaddr = TOP - 0x800000 - 0x2000; /* its last page is the stack's first */
	expect_reject(mini, MINI_SIZE,
		      "mini: program header 1 (0x7fffff7dc000-0x7fffff7df000) lies in or above "
		      "the stack (0x7fffff7de000-0x7ffffffde000)");
	ph[1].p_vaddr = TOP; /* between the stack and the address limit */
	expect_reject(mini, MINI_SIZE,
		      "mini: program header 1 (0x7ffffffde000-0x7ffffffe1000) lies in or above "
		      "the stack (0x7fffff7de000-0x7ffffffde000)");
}

Test(loader, rejects_segment_below_the_lowest_address)
{
	ph[0].p_vaddr = 0x1000;
	expect_reject(mini, MINI_SIZE,
		      "mini: program header 0 (0x1000-0x2100) is below the lowest user address "
		      "0x10000");
}

Test(loader, rejects_no_pt_load)
{
	ph[0].p_type = PT_NOTE;
	ph[1].p_type = PT_NOTE;
	expect_reject(mini, MINI_SIZE, "mini: no loadable segment (PT_LOAD)");
}

Test(loader, rejects_entry_outside_executable_segments)
{
	eh->e_entry = 0x403000; /* data */
	expect_reject(mini, MINI_SIZE,
		      "mini: entry point 0x403000 is outside every executable segment");
	eh->e_entry = 0x401100; /* one past the text */
	expect_reject(mini, MINI_SIZE,
		      "mini: entry point 0x401100 is outside every executable segment");
}

/* ---- Real programs, built with the host toolchain at test time. ---- */

static char dir[] = "/tmp/loader-test-XXXXXX";
static char prog[64];

static const char prog_src[] =
	"static char bss[100000];\n"
	"int data = 42;\n"
	"int main(int argc, char **argv) { bss[argc] = 1; return data + bss[0] + !argv; }\n";

static void build(const char *flags, const char *src)
{
	char cmd[512];
	FILE *f;

	cr_assert(mkdtemp(dir), "mkdtemp");
	snprintf(cmd, sizeof(cmd), "%s/prog.c", dir);
	cr_assert((f = fopen(cmd, "w")));
	fputs(src, f);
	fclose(f);
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	snprintf(cmd, sizeof(cmd), "gcc %s -O1 -o %s %s/prog.c", flags, prog, dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void remove_dir(void)
{
	char cmd[128];

	cleanup();
	if (strcmp(dir + sizeof(dir) - 7, "XXXXXX") != 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		cr_expect_eq(system(cmd), 0);
	}
}

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	*size = ftell(f);
	rewind(f);
	buf = malloc(*size);
	cr_assert_eq(fread(buf, 1, *size, f), *size);
	fclose(f);
	return buf;
}

/* Every PT_LOAD mapped where and as the file says, its bytes copied, its
 * bss zero, AT_PHDR pointing at the program headers. */
static void expect_loaded(const uint8_t *img, uint64_t base)
{
	const Elf64_Ehdr *e = (const Elf64_Ehdr *)img;
	const Elf64_Phdr *p = (const Elf64_Phdr *)(img + e->e_phoff);
	size_t r = 0;

	cr_expect_eq(res.base, base);
	cr_expect_eq(res.entry, e->e_entry + base);
	for (int i = 0; i < e->e_phnum; i++) {
		uint64_t start = p[i].p_vaddr + base, end = start + p[i].p_memsz;

		if (p[i].p_type != PT_LOAD)
			continue;
		expect_region(r++, start & ~0xfffUL,
			      ((end + 0xfff) & ~0xfffUL) - (start & ~0xfffUL),
			      (p[i].p_flags & PF_R ? PROT_READ : 0) |
				      (p[i].p_flags & PF_W ? PROT_WRITE : 0) |
				      (p[i].p_flags & PF_X ? PROT_EXEC : 0));
		expect_mem(start, img + p[i].p_offset, p[i].p_filesz);
		if (p[i].p_memsz > p[i].p_filesz)
			expect_zero(start + p[i].p_filesz,
				    ((end + 0xfff) & ~0xfffUL) - start - p[i].p_filesz);
		cr_expect_leq(end, res.brk);
	}
	cr_expect_eq(res.nregions, r + 1, "the stack comes last");
	cr_expect_eq(res.brk, res.regions[r - 1].start + res.regions[r - 1].len);
	expect_mem(res.phdr, p, e->e_phnum * sizeof(Elf64_Phdr));
}

TestSuite(loader_real, .fini = remove_dir);

Test(loader_real, static_program)
{
	size_t size;
	uint8_t *img;

	build("-static", prog_src);
	img = read_all(prog, &size);
	cr_assert_eq(((Elf64_Ehdr *)img)->e_type, ET_EXEC);
	cr_assert_eq(load(prog, img, size), 0, "%s", err);
	expect_loaded(img, 0);
	free(img);
}

Test(loader_real, static_pie_program)
{
	size_t size;
	uint8_t *img;

	build("-static-pie", prog_src);
	img = read_all(prog, &size);
	cr_assert_eq(((Elf64_Ehdr *)img)->e_type, ET_DYN);
	cr_assert_eq(load(prog, img, size), 0, "%s", err);
	expect_loaded(img, LOAD_PIE_BASE);
	free(img);
}

Test(loader_real, dynamic_program_is_refused)
{
	size_t size;
	uint8_t *img = read_all("/bin/true", &size);

	cr_assert_eq(load("/bin/true", img, size), -ENOEXEC);
	cr_expect_str_eq(err,
			 "/bin/true: dynamically linked (interpreter /lib64/ld-linux-x86-64.so.2); "
			 "only static programs can run");
	cr_expect_eq(mem.nregions, 0);
	free(img);
}

/* Each prefix in its own exact-size buffer, so ASan sees any over-read. A
 * prefix loads only if it holds every segment's file bytes. */
Test(loader_real, truncated_copies_never_crash)
{
	size_t size, need = 0;
	uint8_t *img;

	build("-static", prog_src);
	img = read_all(prog, &size);
	const Elf64_Ehdr *e = (const Elf64_Ehdr *)img;
	const Elf64_Phdr *p = (const Elf64_Phdr *)(img + e->e_phoff);
	for (int i = 0; i < e->e_phnum; i++)
		if (p[i].p_type == PT_LOAD && p[i].p_offset + p[i].p_filesz > need)
			need = p[i].p_offset + p[i].p_filesz;
	for (size_t len = 0; len <= size; len += len < 4200 ? 1 : 4099) {
		uint8_t *copy = malloc(len ? len : 1);
		int rc;

		memcpy(copy, img, len);
		rc = load(prog, copy, len);
		cr_assert_eq(rc, len >= need ? 0 : -ENOEXEC, "length %zu: rc %d, %s", len, rc, err);
		cr_assert(rc == 0 || strncmp(err, prog, strlen(prog)) == 0, "length %zu: %s", len,
			  err);
		free(copy);
	}
	free(img);
}

/* ---- The stack against the host kernel (the reference, as O3). ---- */

/* Prints its initial stack from sp up to the top (just above AT_EXECFN's
 * string and the null word), as the kernel built it. */
static const char dump_src[] =
	"#include <stdio.h>\n#include <string.h>\n#include <sys/auxv.h>\n"
	"int main(int argc, char **argv) {\n"
	"  const unsigned char *sp = (const unsigned char *)argv - 8;\n"
	"  const char *fn = (const char *)getauxval(AT_EXECFN);\n"
	"  const unsigned char *top = (const unsigned char *)fn + strlen(fn) + 1 + 8;\n"
	"  printf(\"%lx\\n\", (unsigned long)top);\n"
	"  for (; sp < top; sp++) printf(\"%02x\", *sp);\n"
	"  return argc == 0;\n}\n";

/* A stack image: the len bytes below top. */
struct image {
	const uint8_t *b;
	size_t len;
	uint64_t top;
	char *out;
	size_t cap, n;
};

__attribute__((format(printf, 2, 3))) static void out(struct image *im, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	im->n += vsnprintf(im->out + im->n, im->cap - im->n, fmt, ap);
	va_end(ap);
	cr_assert_lt(im->n, im->cap);
}

static uint64_t at_word(const struct image *im, size_t i)
{
	uint64_t w;

	cr_assert_leq(8 * (i + 1), im->len);
	memcpy(&w, im->b + 8 * i, 8);
	return w;
}

static const char *at_str(const struct image *im, uint64_t ptr)
{
	cr_assert(ptr < im->top && im->top - ptr <= im->len, "0x%lx not in the stack", ptr);
	return (const char *)im->b + im->len - (im->top - ptr);
}

/* Describes a stack image by offsets from the top, so a host stack and ours
 * compare. Leaves out what the sentry omits on purpose: the vDSO (S4) and
 * rseq, and moves sp up by the room those auxv pairs took. */
static void describe(struct image *im)
{
	size_t i = 1;
	int skipped = 0;

	out(im, "argc %lu\n", at_word(im, 0));
	for (int v = 0; v < 2; v++, i++)
		for (; at_word(im, i); i++)
			out(im, "%s at top-%lu: %s\n", v ? "envp" : "argv",
			    im->top - at_word(im, i), at_str(im, at_word(im, i)));
	for (;; i += 2) {
		uint64_t t = at_word(im, i), val = at_word(im, i + 1);

		if (t == AT_SYSINFO_EHDR || t == 27 ||
		    t == 28) /* AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN */
			skipped++;
		else if (t == AT_RANDOM)
			out(im, "aux %lu at top-%lu\n", t, im->top - val);
		else if (t == AT_EXECFN || t == AT_PLATFORM)
			out(im, "aux %lu at top-%lu: %s\n", t, im->top - val, at_str(im, val));
		else
			out(im, "aux %lu = 0x%lx\n", t, val);
		if (t == AT_NULL)
			break;
	}
	out(im, "sp at top-%lu\n", im->len - 16 * skipped);
}

/* The kernel's auxv entry: glibc's getauxval(AT_HWCAP) gives its own value. */
static uint64_t kernel_auxv(uint64_t type)
{
	uint64_t pair[2] = { 0, 0 };
	FILE *f = fopen("/proc/self/auxv", "rb");

	cr_assert(f);
	while (fread(pair, sizeof(pair), 1, f) == 1 && pair[0] != type && pair[0] != AT_NULL)
		;
	fclose(f);
	return pair[0] == type ? pair[1] : 0;
}

Test(loader_real, stack_matches_the_host_kernel)
{
	char cmd[512], hex[3] = "", host_desc[4096], our_desc[4096];
	uint8_t host[4096], *ours;
	size_t len = 0, size;
	unsigned long host_top;
	uint8_t *img;
	FILE *f;
	char *const argv[] = { prog, "x", "yy", NULL };
	char *const envp[] = { "A=1", "BB=22", NULL };

	if (system("setarch -R true 2>/dev/null") != 0)
		cr_skip_test("setarch -R (no randomisation) is not allowed here");
	build("-static", dump_src);
	snprintf(cmd, sizeof(cmd), "setarch -R env -i A=1 BB=22 %s x yy", prog);
	cr_assert((f = popen(cmd, "r")));
	cr_assert_eq(fscanf(f, "%lx\n", &host_top), 1);
	while (len < sizeof(host) && fread(hex, 1, 2, f) == 2)
		host[len++] = (uint8_t)strtoul(hex, NULL, 16);
	cr_assert_eq(pclose(f), 0, "%s", cmd);
	describe(&(struct image){ host, len, host_top, host_desc, sizeof(host_desc), 0 });

	struct load_args a = { .argv = argv,
			       .envp = envp,
			       .uid = getuid(),
			       .euid = geteuid(),
			       .gid = getgid(),
			       .egid = getegid(),
			       .hwcap = kernel_auxv(AT_HWCAP),
			       .hwcap2 = kernel_auxv(AT_HWCAP2),
			       .minsigstksz = kernel_auxv(AT_MINSIGSTKSZ) };
	img = read_all(prog, &size);
	cr_assert_eq(load_args(prog, img, size, &a), 0, "%s", err);
	ours = malloc(TOP - res.sp);
	cr_assert(fake_read(&mem, res.sp, ours, TOP - res.sp));
	describe(&(struct image){ ours, TOP - res.sp, TOP, our_desc, sizeof(our_desc), 0 });
	cr_expect_str_eq(our_desc, host_desc);
	free(ours);
	free(img);
}
