/*
 * S2 address-space model and S3 fault resolution of one guest process.
 *
 * A sorted set of regions (start, length, prot, private/shared, backing in
 * the S1 memory file). The syscalls that change it have Linux's semantics
 * and errno results (x86-64, 4 KiB pages); the stub only ever holds
 * mappings inside regions, made by mm_fault (or MAP_POPULATE), and every
 * change that removes memory or access calls ops.unmap for the range.
 *
 * No ptrace here: the platform is reached through struct mm_ops, so the
 * model can be unit-tested by recording the calls. The real harness passes
 * wrappers of plat_map_file (with memfile_fd) and plat_unmap (P21).
 *
 * Thread-safe (tasks of one process share an mm, S5): every call takes the
 * mm's lock and holds it across the callbacks, so they must not call back
 * into the same mm.
 */
#ifndef HARNESS_SENTRY_MM_H
#define HARNESS_SENTRY_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct memfile;
struct mm;

struct mm_ops {
	/* Map [addr, addr + len) of the stub to the memory file at off with
	 * prot (P21; MAP_POPULATE when precommit). 0 or -errno. */
	int (*map_file)(void *arg, uintptr_t addr, uint64_t off, size_t len, int prot,
			bool precommit);
	/* Remove [addr, addr + len) from the stub (P18, P21). 0 or -errno. */
	int (*unmap)(void *arg, uintptr_t addr, size_t len);
};

struct mm_layout {
	uintptr_t min_addr;  /* lowest guest address (plat_min_addr) */
	uintptr_t max_addr;  /* end of guest addresses: the stub (plat_max_addr) */
	uintptr_t mmap_base; /* non-fixed mmaps are placed below, top down */
};

/* Linux's default vm.max_map_count: mmap fails with ENOMEM past it. */
#define MM_MAX_MAP_COUNT 65530u
/* A legal fault maps the MM_FAULT_CHUNK-aligned chunk around the address,
 * clipped to its region: one injected mmap serves 16 pages of a sequential
 * walk, yet a sparse touch of a huge region maps little. */
#define MM_FAULT_CHUNK (64u << 10)

/* What a FAULT exit becomes (S3). */
struct fault_action {
	int signo;      /* 0: mapped, resume; else SIGSEGV or SIGBUS to deliver */
	int code;       /* SEGV_MAPERR, SEGV_ACCERR or BUS_ADRERR */
	uintptr_t addr; /* signo 0: start of the mapped range; else si_addr */
	size_t len;     /* signo 0: length of the mapped range */
	int prot;       /* signo 0: prot it was mapped with */
};

/* ops is copied; arg is passed to every callback. 0 or -errno. */
int mm_new(struct memfile *mf, const struct mm_ops *ops, void *arg, const struct mm_layout *layout,
	   struct mm **out);
/* Frees the regions and their backing without calling ops: the stub's
 * address space is released as a whole (P22). */
void mm_destroy(struct mm *mm);
/* fork (S9): a new mm for arg with the same regions; private memory is
 * copied to new backing, shared memory shares backing. 0 or -errno. */
int mm_clone(struct mm *src, void *arg, struct mm **out);

/* The syscalls; results as the syscall returns them (value or -errno).
 * mm_mmap is anonymous only: without MAP_ANONYMOUS it gives -ENODEV. */
long mm_mmap(struct mm *mm, uintptr_t addr, size_t len, int prot, int flags);
/* The same under an RLIMIT_AS of as_limit bytes (limits.c), checked
 * where Linux checks it (after the arguments); refused: whether that is
 * what failed it (-ENOMEM). */
long mm_mmap_limited(struct mm *mm, uintptr_t addr, size_t len, int prot, int flags,
		     size_t as_limit, bool *refused);
int mm_munmap(struct mm *mm, uintptr_t addr, size_t len);
int mm_mprotect(struct mm *mm, uintptr_t addr, size_t len, int prot);
int mm_madvise(struct mm *mm, uintptr_t addr, size_t len, int advice);
long mm_mremap(struct mm *mm, uintptr_t old_addr, size_t old_len, size_t new_len, int flags,
	       uintptr_t new_addr);
/* brk(2) as the kernel sees it: returns the new break, or the old one when
 * the request is refused. */
uintptr_t mm_brk(struct mm *mm, uintptr_t brk);
/* The same under an RLIMIT_AS of as_limit bytes, as mm_mmap_limited. */
uintptr_t mm_brk_limited(struct mm *mm, uintptr_t brk, size_t as_limit, bool *refused);
/* The loader (S4) sets where the heap starts (page-aligned end of bss). */
void mm_set_brk_start(struct mm *mm, uintptr_t start);

/* S3: decides a FAULT exit; access is PLAT_ACCESS_* (platform/platform.h,
 * P17). 0 with out filled in, or map_file's -errno. */
int mm_fault(struct mm *mm, uintptr_t addr, unsigned access, struct fault_action *out);

/* Syscall access to guest memory through the harness's mapping of the
 * memory file (S1). All or nothing: 0, or -EFAULT when any byte is outside
 * a region, lacks the access (read: any of PROT_READ/WRITE/EXEC as on x86;
 * write: PROT_WRITE) or has no backing. */
int mm_copy_in(struct mm *mm, uintptr_t addr, void *dst, size_t len);
int mm_copy_out(struct mm *mm, uintptr_t addr, const void *src, size_t len);
/* strncpy_from_user: copies up to size bytes, stopping after a NUL. The
 * string's length, size when no NUL came first, or -EFAULT. */
long mm_strncpy_in(struct mm *mm, uintptr_t addr, char *dst, size_t size);
/* Writes whatever the protections (the loader filling a read-only
 * segment, like ptrace's forced access). 0 or -EFAULT. */
int mm_poke(struct mm *mm, uintptr_t addr, const void *src, size_t len);

/* get_futex_key (S8): where a futex word lives. 1 with *off its offset in
 * the memory file when addr is in shared memory with backing (MAP_SHARED,
 * also across fork), 0 when it is private memory, -EFAULT when unmapped. */
int mm_shared_offset(struct mm *mm, uintptr_t addr, uint64_t *off);

/* Bytes mapped, every region counted (PROT_NONE too): Linux's total_vm,
 * what RLIMIT_AS limits. */
size_t mm_total(struct mm *mm);

/* The region list, one "start-end rwxp" line each ('s' for shared,
 * " nobacking" after a shared range past its memory); like snprintf. */
size_t mm_format(struct mm *mm, char *buf, size_t size);

#endif
