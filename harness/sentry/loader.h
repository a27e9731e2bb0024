/* Static-ELF loader of the sentry (spec S4).
 *
 * Checks a static ELF64 x86-64 executable (ET_EXEC, or static-PIE ET_DYN
 * loaded at LOAD_PIE_BASE), maps its PT_LOAD segments and builds the initial
 * stack the way Linux does with address randomisation off, so the same
 * inputs give the same bytes at the same addresses on every run (S4: no
 * address depends on ASLR). Guest memory is reached only through struct
 * load_ops, so the loader does not care how the address space (S1/S2) is
 * implemented. */
#ifndef HARNESS_SENTRY_LOADER_H
#define HARNESS_SENTRY_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define LOAD_PAGE_SIZE UINT64_C(4096)
/* Where a static PIE's first page goes: the base gdb shows (Linux's
 * ELF_ET_DYN_BASE with randomisation off). */
#define LOAD_PIE_BASE UINT64_C(0x555555554000)
/* One past the highest byte of the initial stack. It stays below the stub
 * page, which the platform places at or below 0x7fffffff0000 (P1). */
#define LOAD_STACK_TOP UINT64_C(0x7ffffffde000)
#define LOAD_STACK_SIZE_DEFAULT (UINT64_C(8) << 20) /* RLIMIT_STACK's usual 8 MiB */
/* No segment below Linux's usual vm.mmap_min_addr: the stub could not map it. */
#define LOAD_MIN_ADDR UINT64_C(0x10000)
/* Linux refuses more than one page of program headers (load_elf_phdrs). */
#define LOAD_MAX_PHNUM (4096 / 56)
#define LOAD_MAX_REGIONS (LOAD_MAX_PHNUM + 1) /* the segments and the stack */

/* The 16 bytes AT_RANDOM points to: fixed, so canaries are reproducible. */
extern const uint8_t load_at_random[16];

/* How the loader reaches guest memory. Both return 0 or a negative errno. */
struct load_ops {
	void *arg;
	/* Maps an anonymous, zero-filled, private region; addr and len are
	 * page aligned; prot is PROT_* from <sys/mman.h>. */
	int (*map)(void *arg, uint64_t addr, uint64_t len, int prot);
	/* Copies len bytes to addr, which lies inside one mapped region (the
	 * loader writes whatever the protection, like the kernel). */
	int (*write)(void *arg, uint64_t addr, const void *src, size_t len);
};

/* Inputs besides the file; all-zero (or a NULL pointer) gives the defaults. */
struct load_args {
	char *const *argv;   /* NULL-terminated; empty or NULL gives {""} as Linux */
	char *const *envp;   /* NULL-terminated; NULL is empty */
	uint64_t stack_size; /* mapped below LOAD_STACK_TOP, page multiple; 0: default */
	uint64_t addr_limit; /* no segment may end above it; 0: LINUX_TASK_SIZE */
	uint32_t uid, euid, gid, egid;
	uint64_t hwcap, hwcap2;
	uint64_t minsigstksz; /* AT_MINSIGSTKSZ (x86 ARCH_DLINFO) when non-zero */
	const char *execfn;   /* AT_EXECFN string; NULL: the path */
};

struct load_region {
	uint64_t start, len; /* page aligned */
	int prot;            /* PROT_* */
};

struct load_result {
	uint64_t entry;  /* initial rip */
	uint64_t sp;     /* initial rsp: points at argc, 16-byte aligned */
	uint64_t brk;    /* initial program break: page end of the highest segment */
	uint64_t base;   /* added to every p_vaddr: 0 for ET_EXEC */
	uint64_t phdr;   /* AT_PHDR: the program headers in guest memory, or 0 */
	size_t nregions; /* what was mapped, ascending: segments, then the stack */
	struct load_region regions[LOAD_MAX_REGIONS];
};

/* Loads image (the size bytes of the file named path) through ops; path is
 * also AT_EXECFN, so pass the name the guest gave execve. Returns 0,
 * or a negative errno with one message "path: problem" in err: -ENOEXEC for
 * a file that cannot run, -E2BIG when argv and envp do not fit, -EINVAL for
 * bad args, or the error of ops. Nothing is mapped unless the file and args
 * are valid; after an ops error the caller discards the address space. */
int elf_load(const char *path, const uint8_t *image, size_t size, const struct load_args *args,
	     const struct load_ops *ops, struct load_result *res, char *err, size_t errlen);

#endif
