/* Static-ELF loader of the sentry (S4). See loader.h for the contract.
 *
 * Everything about the file and the arguments is checked before the first
 * call to ops, so a file that cannot run leaves guest memory untouched. The
 * image is only read through in_file()-checked ranges and copies of the
 * headers: no input can make the loader read outside it. */
#include "harness/sentry/loader.h"
#include "platform/linux_abi.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE LOAD_PAGE_SIZE

const uint8_t load_at_random[16] = {
	0x53, 0x34, 0x2d, 0x72, 0x61, 0x6e, 0x64, 0x6f,
	0x6d, 0x2d, 0x62, 0x79, 0x74, 0x65, 0x73, 0x21,
};

static const char platform[] = "x86_64"; /* AT_PLATFORM, ELF_PLATFORM on x86-64 */

/* State of one elf_load call. */
struct loader {
	const char *path;
	const uint8_t *image;
	size_t size;
	const struct load_args *args;
	const struct load_ops *ops;
	struct load_result *res;
	char *err;
	size_t errlen;
	uint64_t stack_size, addr_limit;
	uint64_t base; /* load bias */
	int stack_prot;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[LOAD_MAX_PHNUM];
};

/* Where each piece of the initial stack goes, computed before mapping so
 * that an argument list that does not fit fails with nothing mapped. */
struct stack_plan {
	char *const *argv;
	uint64_t argc, envc;
	uint64_t strings; /* argv[0], the lowest string */
	uint64_t execfn, platform, random;
	uint64_t sp;
	uint64_t aux[2 * 24];
	size_t naux; /* words used in aux */
};

static uint64_t page_down(uint64_t a)
{
	return a & ~(PAGE - 1);
}
static uint64_t page_off(uint64_t a)
{
	return a & (PAGE - 1);
}
static uint64_t page_up(uint64_t a)
{
	return page_down(a + PAGE - 1);
}
static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* What the guest sees as its file name (AT_EXECFN): a caller may give a
 * name that does not depend on where the host keeps the file, so that the
 * stack layout, and with it every trace, is the same in any checkout. */
static const char *execfn(const struct loader *ld)
{
	return ld->args->execfn ? ld->args->execfn : ld->path;
}

/* Records "path: problem" and returns code: the one message S4 asks for. */
__attribute__((format(printf, 3, 4))) static int fail(struct loader *ld, int code, const char *fmt,
						      ...)
{
	va_list ap;
	int n;

	if (ld->errlen == 0)
		return code;
	n = snprintf(ld->err, ld->errlen, "%s: ", ld->path);
	if (n >= 0 && (size_t)n < ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err + n, ld->errlen - n, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool in_file(const struct loader *ld, uint64_t off, uint64_t len)
{
	return off <= ld->size && len <= ld->size - off;
}

static bool is_load(const Elf64_Phdr *p)
{
	return p->p_type == PT_LOAD && p->p_memsz != 0;
}

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static const char *machine_name(unsigned m)
{
	switch (m) {
	case EM_386: return "i386";
	case EM_ARM: return "arm";
	case EM_AARCH64: return "aarch64";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390";
	case EM_RISCV: return "riscv";
	default: return "unknown";
	}
}

static int check_args(struct loader *ld)
{
	ld->stack_size = ld->args->stack_size ? ld->args->stack_size : LOAD_STACK_SIZE_DEFAULT;
	ld->addr_limit = ld->args->addr_limit ? ld->args->addr_limit : LINUX_TASK_SIZE;
	if (page_off(ld->stack_size) || ld->stack_size > LOAD_STACK_TOP - LOAD_MIN_ADDR)
		return fail(ld, -EINVAL, "bad stack size 0x%" PRIx64, ld->stack_size);
	if (ld->addr_limit < LOAD_STACK_TOP)
		return fail(ld, -EINVAL,
			    "the stack top 0x%" PRIx64
			    " is above the user address limit 0x%" PRIx64,
			    LOAD_STACK_TOP, ld->addr_limit);
	return 0;
}

/* e_ident first: a 32-bit or big-endian header cannot be read as ours. */
static int check_ident(struct loader *ld)
{
	const uint8_t *id = ld->image;

	if (ld->size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0)
		return fail(ld, -ENOEXEC, "not an ELF file (bad magic)");
	if (ld->size > EI_CLASS && id[EI_CLASS] == ELFCLASS32)
		return fail(ld, -ENOEXEC, "32-bit ELF; only 64-bit x86-64 programs can run");
	if (ld->size > EI_DATA && id[EI_DATA] == ELFDATA2MSB)
		return fail(ld, -ENOEXEC,
			    "big-endian ELF; only little-endian x86-64 programs can run");
	if (ld->size < sizeof(Elf64_Ehdr))
		return fail(ld, -ENOEXEC,
			    "truncated: the ELF header needs %zu bytes, the file has %zu",
			    sizeof(Elf64_Ehdr), ld->size);
	if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB)
		return fail(ld, -ENOEXEC,
			    "inconsistent header: unknown ELF class %u or data encoding %u",
			    id[EI_CLASS], id[EI_DATA]);
	memcpy(&ld->eh, ld->image, sizeof(ld->eh));
	return 0;
}

/* Copies the program headers out of the image (they need not be aligned). */
static int check_header(struct loader *ld)
{
	const Elf64_Ehdr *eh = &ld->eh;
	size_t need = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);

	if (eh->e_machine != EM_X86_64)
		return fail(ld, -ENOEXEC,
			    "wrong architecture (e_machine %u, %s); only x86-64 programs can run",
			    eh->e_machine, machine_name(eh->e_machine));
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(
			ld, -ENOEXEC,
			"not an executable (e_type %u); only ET_EXEC and static-PIE ET_DYN can run",
			eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(ld, -ENOEXEC, "inconsistent header: e_phentsize is %u, expected %zu",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0 || eh->e_phnum > LOAD_MAX_PHNUM)
		return fail(ld, -ENOEXEC, "inconsistent header: e_phnum is %u, expected 1 to %d",
			    eh->e_phnum, LOAD_MAX_PHNUM);
	if (!in_file(ld, eh->e_phoff, need))
		return fail(ld, -ENOEXEC,
			    "truncated: %zu bytes of program headers at offset 0x%" PRIx64
			    " go past the end of the file (%zu bytes)",
			    need, eh->e_phoff, ld->size);
	memcpy(ld->ph, ld->image + eh->e_phoff, need);
	return 0;
}

static int truncated_segment(struct loader *ld, int i, const char *type)
{
	const Elf64_Phdr *p = &ld->ph[i];

	return fail(ld, -ENOEXEC,
		    "truncated: program header %d (%s) has file bytes 0x%" PRIx64 "+0x%" PRIx64
		    " past the end of the file (%zu bytes)",
		    i, type, p->p_offset, p->p_filesz, ld->size);
}

/* Copies a string from the file for a message: bounded, printable only. */
static void printable(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < cap && i < len && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[i] = '\0';
}

/* A dynamic program needs ld.so, which the sentry does not run (S4). */
static int check_interp(struct loader *ld)
{
	char name[128];

	for (int i = 0; i < ld->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ld->ph[i];

		if (p->p_type != PT_INTERP)
			continue;
		if (!in_file(ld, p->p_offset, p->p_filesz))
			return truncated_segment(ld, i, "PT_INTERP");
		printable(name, sizeof(name), ld->image + p->p_offset, p->p_filesz);
		return fail(ld, -ENOEXEC,
			    "dynamically linked (interpreter %s); only static programs can run",
			    name);
	}
	return 0;
}

/* The pages a PT_LOAD covers once relocated. */
struct span {
	uint64_t start, end;
};

/* PT_LOAD i against the file: its bytes are there and can be mapped. */
static int check_load_file(struct loader *ld, int i)
{
	const Elf64_Phdr *p = &ld->ph[i];

	if (!in_file(ld, p->p_offset, p->p_filesz))
		return truncated_segment(ld, i, "PT_LOAD");
	if (p->p_filesz > p->p_memsz)
		return fail(ld, -ENOEXEC,
			    "inconsistent header: program header %d has p_filesz 0x%" PRIx64
			    " > p_memsz 0x%" PRIx64,
			    i, p->p_filesz, p->p_memsz);
	if (p->p_memsz && page_off(p->p_offset) != page_off(p->p_vaddr))
		return fail(ld, -ENOEXEC,
			    "inconsistent header: program header %d has p_offset 0x%" PRIx64
			    " and p_vaddr 0x%" PRIx64 " at different page offsets",
			    i, p->p_offset, p->p_vaddr);
	return 0;
}

/* PT_LOAD i against the user range, the stack and the previous segment
 * *prev, which it then becomes. Segments must not share a page: the address
 * space has one protection per page (S2), and linkers never do that. */
static int check_load_range(struct loader *ld, int i, struct span *prev)
{
	const Elf64_Phdr *p = &ld->ph[i];
	uint64_t start = p->p_vaddr + ld->base, end, stack = LOAD_STACK_TOP - ld->stack_size;

	if (__builtin_add_overflow(start, p->p_memsz, &end) || end > UINT64_MAX - PAGE)
		return fail(ld, -ENOEXEC,
			    "inconsistent header: program header %d's address range overflows", i);
	if (page_down(start) < prev->start)
		return fail(ld, -ENOEXEC,
			    "inconsistent header: PT_LOAD segments are not in ascending order "
			    "(program header %d at 0x%" PRIx64 ")",
			    i, start);
	if (page_down(start) < prev->end)
		return fail(ld, -ENOEXEC,
			    "inconsistent header: program header %d (0x%" PRIx64
			    ") shares a page "
			    "with the PT_LOAD before it (up to 0x%" PRIx64 ")",
			    i, start, prev->end);
	if (start < LOAD_MIN_ADDR)
		return fail(ld, -ENOEXEC,
			    "program header %d (0x%" PRIx64 "-0x%" PRIx64
			    ") is below the lowest user "
			    "address 0x%" PRIx64,
			    i, start, end, LOAD_MIN_ADDR);
	if (end > ld->addr_limit)
		return fail(ld, -ENOEXEC,
			    "program header %d (0x%" PRIx64 "-0x%" PRIx64
			    ") is above the user address "
			    "limit 0x%" PRIx64,
			    i, start, end, ld->addr_limit);
	if (page_up(end) > stack)
		return fail(ld, -ENOEXEC,
			    "program header %d (0x%" PRIx64 "-0x%" PRIx64
			    ") lies in or above the "
			    "stack (0x%" PRIx64 "-0x%" PRIx64 ")",
			    i, start, end, stack, LOAD_STACK_TOP);
	*prev = (struct span){ page_down(start), page_up(end) };
	return 0;
}

/* A static PIE goes where Linux puts it without randomisation: its first
 * page at LOAD_PIE_BASE (load_bias = ELF_PAGESTART(base - first p_vaddr)).
 * An empty PT_LOAD maps nothing in Linux; it only must not lie about the file. */
static int check_loads(struct loader *ld)
{
	struct span prev = { 0, 0 };
	int rc;

	for (int i = 0; i < ld->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ld->ph[i];

		if (p->p_type == PT_GNU_STACK)
			ld->stack_prot =
				PROT_READ | PROT_WRITE | (p->p_flags & PF_X ? PROT_EXEC : 0);
		if (p->p_type != PT_LOAD)
			continue;
		if ((rc = check_load_file(ld, i)))
			return rc;
		if (!is_load(p))
			continue;
		if (prev.end == 0 && ld->eh.e_type == ET_DYN)
			ld->base = LOAD_PIE_BASE - page_down(p->p_vaddr);
		if ((rc = check_load_range(ld, i, &prev)))
			return rc;
	}
	if (prev.end == 0)
		return fail(ld, -ENOEXEC, "no loadable segment (PT_LOAD)");
	ld->res->brk = prev.end;
	return 0;
}

static int check_entry(struct loader *ld)
{
	uint64_t entry = ld->eh.e_entry + ld->base;

	for (int i = 0; i < ld->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ld->ph[i];

		if (is_load(p) && (p->p_flags & PF_X) &&
		    entry - (p->p_vaddr + ld->base) < p->p_memsz) {
			ld->res->entry = entry;
			return 0;
		}
	}
	return fail(ld, -ENOEXEC, "entry point 0x%" PRIx64 " is outside every executable segment",
		    entry);
}

/* AT_PHDR as Linux computes it: where the PT_LOAD holding e_phoff puts the
 * headers; else what PT_PHDR claims; else 0. */
static uint64_t phdr_addr(const struct loader *ld)
{
	uint64_t off = ld->eh.e_phoff;

	for (int i = 0; i < ld->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ld->ph[i];

		if (is_load(p) && off >= p->p_offset && off - p->p_offset < p->p_filesz)
			return off - p->p_offset + p->p_vaddr + ld->base;
	}
	for (int i = 0; i < ld->eh.e_phnum; i++)
		if (ld->ph[i].p_type == PT_PHDR)
			return ld->ph[i].p_vaddr + ld->base;
	return 0;
}

static uint64_t count_strings(char *const *v, uint64_t *bytes)
{
	uint64_t n = 0;

	for (; v && v[n]; n++)
		*bytes += strlen(v[n]) + 1;
	return n;
}

/* Linux caps argv + envp at a quarter of the stack limit (E2BIG). */
static int too_big(struct loader *ld, uint64_t bytes)
{
	return fail(ld, -E2BIG,
		    "argument list too long (%" PRIu64 " bytes, the %" PRIu64
		    "-byte stack allows a quarter)",
		    bytes, ld->stack_size);
}

/* The auxiliary vector in create_elf_tables() order, without the vDSO. */
static void fill_auxv(const struct loader *ld, struct stack_plan *sp)
{
	const struct load_args *a = ld->args;
	size_t n = 0;
#define AUX(type, val) (sp->aux[n++] = (type), sp->aux[n++] = (val))
	if (a->minsigstksz)
		AUX(AT_MINSIGSTKSZ, a->minsigstksz);
	AUX(AT_HWCAP, a->hwcap);
	AUX(AT_PAGESZ, PAGE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, ld->res->phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, ld->eh.e_phnum);
	AUX(AT_BASE, 0); /* no interpreter */
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, ld->res->entry);
	AUX(AT_UID, a->uid);
	AUX(AT_EUID, a->euid);
	AUX(AT_GID, a->gid);
	AUX(AT_EGID, a->egid);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, sp->random);
	AUX(AT_HWCAP2, a->hwcap2);
	AUX(AT_EXECFN, sp->execfn);
	AUX(AT_PLATFORM, sp->platform);
	AUX(AT_NULL, 0);
#undef AUX
	sp->naux = n;
}

/* Linux's layout with randomisation off, from the top down: a null word;
 * the strings argv[0..], envp[0..], execfn (exec.c copies them last to
 * first); 16-byte alignment (arch_align_stack); "x86_64"; the 16 AT_RANDOM
 * bytes; padding; then upwards from the 16-aligned sp: argc, argv, NULL,
 * envp, NULL, auxv (create_elf_tables). */
static int plan_stack(struct loader *ld, struct stack_plan *sp)
{
	static char *const no_args[] = { "", NULL }; /* Linux >= 5.18 for an empty argv */
	uint64_t bytes = strlen(execfn(ld)) + 1, words;

	sp->argv = ld->args->argv && ld->args->argv[0] ? ld->args->argv : no_args;
	sp->argc = count_strings(sp->argv, &bytes);
	sp->envc = count_strings(ld->args->envp, &bytes);
	if (bytes > ld->stack_size / 4)
		return too_big(ld, bytes);
	sp->strings = LOAD_STACK_TOP - 8 - bytes;
	sp->execfn = LOAD_STACK_TOP - 8 - (strlen(execfn(ld)) + 1);
	sp->platform = (sp->strings & ~15ULL) - sizeof(platform);
	sp->random = sp->platform - sizeof(load_at_random);
	fill_auxv(ld, sp);
	words = sp->naux + (sp->argc + 1) + (sp->envc + 1) + 1;
	sp->sp = (sp->random - 8 * words) & ~15ULL;
	if (LOAD_STACK_TOP - sp->sp > ld->stack_size / 4)
		return too_big(ld, LOAD_STACK_TOP - sp->sp);
	return 0;
}

static int map_region(struct loader *ld, uint64_t start, uint64_t len, int prot)
{
	struct load_result *res = ld->res;
	int rc = ld->ops->map(ld->ops->arg, start, len, prot);

	if (rc)
		return fail(ld, rc, "cannot map 0x%" PRIx64 "-0x%" PRIx64 ": %s", start,
			    start + len, strerror(-rc));
	res->regions[res->nregions++] = (struct load_region){ start, len, prot };
	return 0;
}

/* Maps PT_LOAD i and copies what Linux's file mapping shows there: from the
 * start of the page holding p_offset, and up to the end of the last page
 * only when no bss follows (padzero clears that tail). The map is zeroed,
 * which gives the bss. */
static int load_segment(struct loader *ld, int i)
{
	const Elf64_Phdr *p = &ld->ph[i];
	uint64_t start = page_down(p->p_vaddr + ld->base);
	uint64_t from = page_down(p->p_offset), to = p->p_offset + p->p_filesz;
	int rc = map_region(ld, start, page_up(p->p_vaddr + ld->base + p->p_memsz) - start,
			    prot_of(p->p_flags));

	if (rc || p->p_filesz == 0)
		return rc;
	if (p->p_filesz == p->p_memsz && page_off(to))
		to += min_u64(ld->size - to, PAGE - page_off(to));
	rc = ld->ops->write(ld->ops->arg, start, ld->image + from, to - from);
	if (rc)
		return fail(ld, rc, "cannot write program header %d at 0x%" PRIx64 ": %s", i, start,
			    strerror(-rc));
	return 0;
}

/* Writes to guest memory, keeping the first error. */
struct writer {
	const struct load_ops *ops;
	int rc;
};

static void put(struct writer *w, uint64_t addr, const void *src, size_t len)
{
	if (w->rc == 0)
		w->rc = w->ops->write(w->ops->arg, addr, src, len);
}

static void put_word(struct writer *w, uint64_t addr, uint64_t val)
{
	put(w, addr, &val, sizeof(val));
}

/* Writes n strings upwards from *str, their pointers and a NULL from *ptr. */
static void put_vector(struct writer *w, char *const *v, uint64_t n, uint64_t *str, uint64_t *ptr)
{
	for (uint64_t i = 0; i < n; i++, *ptr += 8) {
		size_t len = strlen(v[i]) + 1;

		put(w, *str, v[i], len);
		put_word(w, *ptr, *str);
		*str += len;
	}
	put_word(w, *ptr, 0);
	*ptr += 8;
}

static int write_stack(struct loader *ld, const struct stack_plan *sp)
{
	struct writer w = { ld->ops, 0 };
	uint64_t str = sp->strings, ptr = sp->sp + 8;

	put_word(&w, sp->sp, sp->argc);
	put_vector(&w, sp->argv, sp->argc, &str, &ptr);
	put_vector(&w, ld->args->envp, sp->envc, &str, &ptr);
	put(&w, sp->execfn, execfn(ld), strlen(execfn(ld)) + 1);
	put(&w, sp->platform, platform, sizeof(platform));
	put(&w, sp->random, load_at_random, sizeof(load_at_random));
	put(&w, ptr, sp->aux, sp->naux * sizeof(sp->aux[0]));
	if (w.rc)
		return fail(ld, w.rc, "cannot write the initial stack: %s", strerror(-w.rc));
	ld->res->sp = sp->sp;
	return 0;
}

static int check_file(struct loader *ld)
{
	int rc;

	if ((rc = check_ident(ld)) || (rc = check_header(ld)) || (rc = check_interp(ld)) ||
	    (rc = check_loads(ld)) || (rc = check_entry(ld)))
		return rc;
	ld->res->base = ld->base;
	ld->res->phdr = phdr_addr(ld);
	return 0;
}

int elf_load(const char *path, const uint8_t *image, size_t size, const struct load_args *args,
	     const struct load_ops *ops, struct load_result *res, char *err, size_t errlen)
{
	static const struct load_args defaults;
	struct loader ld = {
		.path = path,
		.image = image,
		.size = size,
		.args = args ? args : &defaults,
		.ops = ops,
		.res = res,
		.err = err,
		.errlen = errlen,
		.stack_prot = PROT_READ | PROT_WRITE, /* x86-64 without PT_GNU_STACK */
	};
	struct stack_plan sp;
	int rc;

	memset(res, 0, sizeof(*res));
	if (errlen)
		err[0] = '\0';
	if ((rc = check_args(&ld)) || (rc = check_file(&ld)) || (rc = plan_stack(&ld, &sp)))
		return rc;
	for (int i = 0; i < ld.eh.e_phnum; i++)
		if (is_load(&ld.ph[i]) && (rc = load_segment(&ld, i)))
			return rc;
	if ((rc = map_region(&ld, LOAD_STACK_TOP - ld.stack_size, ld.stack_size, ld.stack_prot)))
		return rc;
	return write_stack(&ld, &sp);
}
