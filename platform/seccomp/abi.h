/* The seccomp-trap stub's binary interface (T2): offsets and values that
 * stub/seccomp.S and the harness (platform/seccomp/) must agree on. Only
 * #defines: the assembler includes this file too.
 *
 * Every stub process maps one memfd of its own (the region) right above
 * the stub page, at the same address in every stub; the harness maps the
 * same memfd anywhere. The region is
 *
 *   page 0  read-only in the stub: the request to the process's serving
 *           thread, the altstack of every slot, the result table (below)
 *   page 1  read-write: one 64-byte control line per slot (SC_CTL_*), the
 *           state word the switch turns on (T4)
 *   page 2+ read-write: the alternate signal stacks, one per slot, on
 *           which the kernel writes each SIGSYS/SIGSEGV/... frame (T2)
 *
 * A guest shares the address space and can write every read-write byte
 * at any moment (T5); what must not be forged (the requests) is in the
 * read-only page, which only the harness can write. */
#ifndef PLATFORM_SECCOMP_ABI_H
#define PLATFORM_SECCOMP_ABI_H

#define SC_PAGE 4096

/* Page 0 (read-only in the stub). */
#define SC_RO_SEQ 0         /* u32: bumped by the harness per request; futex word */
#define SC_RO_OP 4          /* u32: SC_OP_* */
#define SC_RO_ARGS 8        /* u64[6] */
#define SC_RO_HARNESS 56    /* u64: the harness's pid (getppid check) */
#define SC_RO_EFD 64        /* u64: the eventfd the serving thread reports on */
#define SC_RO_BIRTH_MASK 72 /* u64: signal mask of a new thread until its birth trap */
#define SC_RO_ALT 128       /* stack_t[SC_SLOTS_MAX]: each slot's altstack */
#define SC_RO_ALT_SIZE 24
#define SC_RO_TABLE 1664 /* u64[SC_RESULTS]: value written for result code i is i + 1 */
#define SC_RESULTS 136   /* code 0: success; 1..134: that errno; 135: anything else */
#define SC_RESULT_OTHER 135

/* Page 1 (read-write): the serving thread's word, then the slots. */
#define SC_RW_PTID 0    /* u32: clone's CLONE_PARENT_SETTID target */
#define SC_CTL_FIRST 64 /* slot i's line at SC_PAGE + 64 + 64 * i */
#define SC_CTL_SIZE 64
#define SC_CTL_STATE 0  /* u32: SC_ST_* | SC_ST_*_SLEEPING */
#define SC_CTL_TID 4    /* u32: CLONE_PARENT_SETTID of the slot's thread */
#define SC_CTL_FS 8     /* u64: fs_base (rdfsbase/wrfsbase in the handler) */
#define SC_CTL_GS 16    /* u64: gs_base */
#define SC_CTL_SEL 24   /* u16[4]: ds, es, fs, gs as the guest left them */
#define SC_CTL_SPIN 32  /* u32: pause loops before the handler sleeps (set by the harness) */
#define SC_SLOTS_MAX 63 /* lines that fit in page 1 */

/* The state word of a slot (T4). */
#define SC_ST_PHASE 0xff
#define SC_ST_EVENT 1                /* the stub posted an event: the harness owns the frame */
#define SC_ST_RUN 2                  /* the harness posted a run: the stub owns it */
#define SC_ST_DEAD 3                 /* written by the harness only: the stub process died */
#define SC_ST_STUB_SLEEPING 0x100    /* the stub waits in FUTEX_WAIT */
#define SC_ST_HARNESS_SLEEPING 0x200 /* the harness waits in FUTEX_WAIT */

/* Requests to a serving thread (page 0). */
#define SC_OP_MMAP 1    /* args: mmap's six */
#define SC_OP_MUNMAP 2  /* args: addr, len */
#define SC_OP_THREAD 3  /* args: slot: a new thread for it */
#define SC_OP_PROCESS 4 /* master only; args: the new process's memfd */

/* The clone flags of the two clones the stub makes (T3 allows exactly
 * these). A thread: CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
 * CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID (its tid in
 * SC_CTL_TID) | CLONE_CHILD_CLEARTID (on its state word: the kernel
 * zeroes it and wakes it if the thread exits alone; 0 is no phase
 * either side writes). A process:
 * CLONE_FILES (the harness's fd table, so map-file takes any harness fd)
 * | CLONE_PARENT (the harness is its parent and reaps it; PDEATHSIG
 * follows the harness thread that made the master) | CLONE_PARENT_SETTID. */
#define SC_CLONE_THREAD 0x350f00
#define SC_CLONE_PROCESS 0x108400

/* The constants block in the stub page (plat_sc_consts), filled once by
 * the harness before the page becomes read+execute. */
#define SC_K_REGION 0      /* region address in every stub */
#define SC_K_STACKS 8      /* first altstack (region + 2 pages) */
#define SC_K_STACK_SIZE 16 /* bytes per altstack */
#define SC_K_SLOTS 24      /* slots in use */
#define SC_K_FRAME_OFF 32  /* top of an altstack minus the frame's address */
#define SC_K_RW_SIZE 40    /* bytes of the region after page 0 */
#define SC_K_STUB 48       /* the stub page's address */
#define SC_K_END 56        /* the region's end */
#define SC_K_SPROG 64      /* struct sock_fprog: a serving thread's filter */
#define SC_K_GPROG 80      /* struct sock_fprog: a guest thread's filter */
#define SC_K_SIZE 96

#endif
