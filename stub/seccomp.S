/*
 * The seccomp-trap stub (T2): position-independent code copied into the
 * stub page after the ptrace stub (stub/stub.S), shared by every stub
 * process. It uses no stack: every thread that runs it either has all
 * signals blocked and private registers (a serving thread), or runs it
 * as a signal handler on its altstack, where the kernel saved the guest's
 * registers in the frame (a guest thread). Offsets: platform/seccomp/abi.h.
 *
 * A serving thread (the master's, and one per stub process) waits for a
 * request in the read-only page of its region, runs it from one of the
 * syscall instructions below and reports the result on its eventfd, with
 * a value taken from the read-only result table: nothing the guest can
 * write decides what it maps, or what the harness is told (T5, T7).
 *
 *   r12  the request sequence number last served
 *   r13  the region (read-only page first)
 *   r14  the argument a clone passes to its child (slot, memfd)
 *
 * Every label plat_sc_ip_* is a syscall instruction that the filters
 * (platform/seccomp/filter.c) allow, each for one syscall; any other
 * syscall instruction, this page's included, traps like guest code.
 */
#include <asm/unistd_64.h>
#include "../platform/seccomp/abi.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_FIXED 0x10
#define SIG_SETMASK 2
#define SECCOMP_SET_MODE_FILTER 1
#define PR_SET_PDEATHSIG 1
#define SIGKILL 9
#define MAXIMUM_USER_ADDRESS 0x7ffffffff000
#define CTL(reg) (SC_PAGE + SC_CTL_FIRST)(reg)

	.text
	.globl plat_sc_code_begin, plat_sc_code_end, plat_sc_consts
	.globl plat_sc_handler, plat_sc_restorer, plat_sc_master_entry
	.globl plat_sc_ip_wake, plat_sc_ip_wait, plat_sc_ip_sigreturn
	.globl plat_sc_ip_serve_wait, plat_sc_ip_mmap, plat_sc_ip_munmap, plat_sc_ip_write
	.globl plat_sc_ip_clone_thread, plat_sc_ip_sigaltstack, plat_sc_ip_sigprocmask
	.globl plat_sc_ip_seccomp_thread, plat_sc_ip_birth
	.globl plat_sc_ip_clone_process, plat_sc_ip_child_map_ro, plat_sc_ip_child_map_rw
	.globl plat_sc_ip_prctl, plat_sc_ip_getppid, plat_sc_ip_seccomp_process
	.globl plat_sc_ip_unmap_low, plat_sc_ip_unmap_high
	.p2align 6
plat_sc_code_begin:

/*
 * The handler of every catchable signal in a guest thread (T2, T4),
 * entered on the thread's altstack with every signal blocked: rsp is the
 * frame, whose address is fixed for each slot (the probe measured it). A
 * frame anywhere else means the guest moved the altstack or set its own
 * stack pointer inside ours: ud2, which with every signal blocked kills
 * the stub process (T5, T8).
 */
plat_sc_handler:
	lea plat_sc_consts(%rip), %r8
	mov %rsp, %rax
	sub SC_K_STACKS(%r8), %rax
	jb .Ldie
	xor %edx, %edx
	divq SC_K_STACK_SIZE(%r8)
	cmp SC_K_SLOTS(%r8), %rax
	jae .Ldie
	mov SC_K_STACK_SIZE(%r8), %rcx
	sub SC_K_FRAME_OFF(%r8), %rcx
	cmp %rcx, %rdx
	jne .Ldie
	/* r9: this slot's control line */
	shl $6, %rax
	add SC_K_REGION(%r8), %rax
	lea CTL(%rax), %r9
	/* The TLS bases and the data selectors are not in the frame; the
	 * harness reads them here. */
	mov %ds, %eax
	mov %ax, SC_CTL_SEL(%r9)
	mov %es, %eax
	mov %ax, SC_CTL_SEL+2(%r9)
	mov %fs, %eax
	mov %ax, SC_CTL_SEL+4(%r9)
	mov %gs, %eax
	mov %ax, SC_CTL_SEL+6(%r9)
	rdfsbase %r10
	mov %r10, SC_CTL_FS(%r9)
	rdgsbase %r10
	mov %r10, SC_CTL_GS(%r9)
	/* Post the event; wake the harness only if it sleeps (T4). */
	mov $SC_ST_EVENT, %eax
	xchg %eax, SC_CTL_STATE(%r9)
	test $SC_ST_HARNESS_SLEEPING, %eax
	jz .Lwait
	lea SC_CTL_STATE(%r9), %rdi
	mov $FUTEX_WAKE, %esi
	mov $1, %edx
	mov $__NR_futex, %eax
plat_sc_ip_wake:
	syscall
.Lwait:
	/* A bounded spin first, as long as the harness says (T4): while it
	 * finds our events by spinning, it runs on another CPU, and so may
	 * we; pinned to one CPU it says 0. The guest can change the number:
	 * then it only burns its own thread's time. */
	mov SC_CTL_SPIN(%r9), %ecx
1:	mov SC_CTL_STATE(%r9), %eax
	and $SC_ST_PHASE, %eax
	cmp $SC_ST_RUN, %eax
	je .Lrun
	pause
	sub $1, %ecx
	jg 1b
	/* Say we sleep, then sleep, unless the run came meanwhile. */
	mov $SC_ST_EVENT, %eax
	mov $(SC_ST_EVENT | SC_ST_STUB_SLEEPING), %ecx
	lock cmpxchg %ecx, SC_CTL_STATE(%r9)
	jne .Lwait
	lea SC_CTL_STATE(%r9), %rdi
	mov $FUTEX_WAIT, %esi
	mov $(SC_ST_EVENT | SC_ST_STUB_SLEEPING), %edx
	xor %r10d, %r10d
	mov $__NR_futex, %eax
plat_sc_ip_wait:
	syscall
	jmp .Lwait
.Lrun:
	/* P12: the guest runs with the stub's own (null) data selectors, as
	 * under ptrace; the null selectors go first, since loading one may
	 * clear a base, and then the bases. */
	xor %eax, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	mov SC_CTL_FS(%r9), %r10
	wrfsbase %r10
	mov SC_CTL_GS(%r9), %r10
	wrgsbase %r10
	/* rt_sigreturn reads the frame at rsp - 8, as after the handler's ret. */
	add $8, %rsp
	mov $__NR_rt_sigreturn, %eax
plat_sc_ip_sigreturn:
	syscall
.Ldie:
	ud2

/* sa_restorer, which x86-64 requires: the handler never returns, so
 * nothing may ever come here. */
plat_sc_restorer:
	ud2

/*
 * The master, entered from platform/seccomp/master.c with its filter in
 * place and every signal blocked: unmap everything but the stub page and
 * the region, report ready, serve.
 */
plat_sc_master_entry:
	lea plat_sc_consts(%rip), %r8
	xor %edi, %edi
	mov SC_K_STUB(%r8), %rsi
	mov $__NR_munmap, %eax
plat_sc_ip_unmap_low:
	syscall
	test %rax, %rax
	jnz .Ldie
	lea plat_sc_consts(%rip), %r8
	mov SC_K_END(%r8), %rdi
	mov $MAXIMUM_USER_ADDRESS, %rsi
	sub %rdi, %rsi
	jbe 1f
	mov $__NR_munmap, %eax
plat_sc_ip_unmap_high:
	syscall
	test %rax, %rax
	jnz .Ldie
1:	lea plat_sc_consts(%rip), %r8
	mov SC_K_REGION(%r8), %r13
	xor %r12d, %r12d
	xor %eax, %eax
	jmp .Lreport

/* The serving loop: sleep on the sequence word of the read-only page
 * until it moves, then run the request. */
.Lserve:
	mov SC_RO_SEQ(%r13), %eax
	cmp %r12d, %eax
	jne .Lrequest
	lea SC_RO_SEQ(%r13), %rdi
	mov $FUTEX_WAIT, %esi
	mov %r12d, %edx
	xor %r10d, %r10d
	mov $__NR_futex, %eax
plat_sc_ip_serve_wait:
	syscall
	jmp .Lserve
.Lrequest:
	mov %eax, %r12d
	mov SC_RO_OP(%r13), %eax
	cmp $SC_OP_MMAP, %eax
	je .Lmmap
	cmp $SC_OP_MUNMAP, %eax
	je .Lmunmap
	cmp $SC_OP_THREAD, %eax
	je .Lthread
	cmp $SC_OP_PROCESS, %eax
	je .Lprocess
	mov $SC_RESULT_OTHER, %eax
	jmp .Lreport

.Lmmap:
	mov SC_RO_ARGS(%r13), %rdi
	mov SC_RO_ARGS+8(%r13), %rsi
	mov SC_RO_ARGS+16(%r13), %rdx
	mov SC_RO_ARGS+24(%r13), %r10
	mov SC_RO_ARGS+32(%r13), %r8
	mov SC_RO_ARGS+40(%r13), %r9
	mov $__NR_mmap, %eax
plat_sc_ip_mmap:
	syscall
	cmp SC_RO_ARGS(%r13), %rax
	jne .Lresult
	xor %eax, %eax
	jmp .Lresult

.Lmunmap:
	mov SC_RO_ARGS(%r13), %rdi
	mov SC_RO_ARGS+8(%r13), %rsi
	mov $__NR_munmap, %eax
plat_sc_ip_munmap:
	syscall
	jmp .Lresult

	/* A guest thread for slot r14: it sets up its altstack, mask and
	 * filter, then traps once (its birth), and the handler parks it. */
.Lthread:
	mov SC_RO_ARGS(%r13), %r14
	mov %r14, %rdx
	shl $6, %rdx
	lea CTL(%r13), %rax
	/* CLONE_CHILD_CLEARTID on the slot's state word: should the thread
	 * ever exit alone (a kernel oops), the kernel zeroes the word and
	 * wakes the harness waiting on it (T8). */
	lea SC_CTL_STATE(%rax,%rdx), %r10
	lea SC_CTL_TID(%rax,%rdx), %rdx
	mov $SC_CLONE_THREAD, %edi
	xor %esi, %esi
	xor %r8d, %r8d
	mov $__NR_clone, %eax
plat_sc_ip_clone_thread:
	syscall
	test %rax, %rax
	jz .Lthread_child
	js .Lresult
	xor %eax, %eax
	jmp .Lresult
.Lthread_child:
	imul $SC_RO_ALT_SIZE, %r14, %rdi
	lea SC_RO_ALT(%r13,%rdi), %rdi
	xor %esi, %esi
	mov $__NR_sigaltstack, %eax
plat_sc_ip_sigaltstack:
	syscall
	test %rax, %rax
	jnz .Ldie
	mov $SIG_SETMASK, %edi
	lea SC_RO_BIRTH_MASK(%r13), %rsi
	xor %edx, %edx
	mov $8, %r10d
	mov $__NR_rt_sigprocmask, %eax
plat_sc_ip_sigprocmask:
	syscall
	test %rax, %rax
	jnz .Ldie
	mov $SECCOMP_SET_MODE_FILTER, %edi
	xor %esi, %esi
	lea plat_sc_consts+SC_K_GPROG(%rip), %rdx
	mov $__NR_seccomp, %eax
plat_sc_ip_seccomp_thread:
	syscall
	test %rax, %rax
	jnz .Ldie
	/* Not allowed by the filter just installed: SIGSYS. */
	mov $__NR_getpid, %eax
plat_sc_ip_birth:
	syscall
	ud2

	/* Master only: a new stub process with memfd r14. The child maps
	 * its own region over the master's, ties its life to the harness
	 * thread that is its parent, takes the serving filter and reports
	 * ready on its own eventfd. */
.Lprocess:
	mov SC_RO_ARGS(%r13), %r14
	mov $SC_CLONE_PROCESS, %edi
	xor %esi, %esi
	lea SC_PAGE+SC_RW_PTID(%r13), %rdx
	xor %r10d, %r10d
	xor %r8d, %r8d
	mov $__NR_clone, %eax
plat_sc_ip_clone_process:
	syscall
	test %rax, %rax
	jz .Lprocess_child
	js .Lresult
	xor %eax, %eax
	jmp .Lresult
.Lprocess_child:
	mov %r13, %rdi
	mov $SC_PAGE, %esi
	mov $PROT_READ, %edx
	mov $(MAP_SHARED | MAP_FIXED), %r10d
	mov %r14, %r8
	xor %r9d, %r9d
	mov $__NR_mmap, %eax
plat_sc_ip_child_map_ro:
	syscall
	cmp %r13, %rax
	jne .Ldie
	lea plat_sc_consts(%rip), %rcx
	lea SC_PAGE(%r13), %rdi
	mov SC_K_RW_SIZE(%rcx), %rsi
	mov $(PROT_READ | PROT_WRITE), %edx
	mov $(MAP_SHARED | MAP_FIXED), %r10d
	mov %r14, %r8
	mov $SC_PAGE, %r9d
	mov $__NR_mmap, %eax
plat_sc_ip_child_map_rw:
	syscall
	lea SC_PAGE(%r13), %rcx
	cmp %rcx, %rax
	jne .Ldie
	mov $PR_SET_PDEATHSIG, %edi
	mov $SIGKILL, %esi
	mov $__NR_prctl, %eax
plat_sc_ip_prctl:
	syscall
	test %rax, %rax
	jnz .Ldie
	/* The harness died before PDEATHSIG took: there is nobody to serve. */
	mov $__NR_getppid, %eax
plat_sc_ip_getppid:
	syscall
	cmp SC_RO_HARNESS(%r13), %rax
	jne .Ldie
	mov $SECCOMP_SET_MODE_FILTER, %edi
	xor %esi, %esi
	lea plat_sc_consts+SC_K_SPROG(%rip), %rdx
	mov $__NR_seccomp, %eax
plat_sc_ip_seccomp_process:
	syscall
	test %rax, %rax
	jnz .Ldie
	xor %r12d, %r12d
	xor %eax, %eax
	jmp .Lreport

	/* rax: 0 for success, -errno, or anything else; then the table
	 * entry for its code goes to the eventfd. */
.Lresult:
	test %rax, %rax
	jz .Lreport
	jns .Lother
	neg %rax
	cmp $(SC_RESULT_OTHER - 1), %rax
	jbe .Lreport
.Lother:
	mov $SC_RESULT_OTHER, %eax
.Lreport:
	lea SC_RO_TABLE(%r13,%rax,8), %rsi
	mov SC_RO_EFD(%r13), %rdi
	mov $8, %edx
	mov $__NR_write, %eax
plat_sc_ip_write:
	syscall
	jmp .Lserve

	.p2align 3
plat_sc_consts:
	.zero SC_K_SIZE
plat_sc_code_end:

	.section .note.GNU-stack,"",@progbits
