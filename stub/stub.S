/*
 * The stub (P2): one page of position-independent code, copied to the top
 * of the address space (P1) and inherited by every stub process. It needs
 * no stack and touches only registers, so it keeps working after P4 has
 * unmapped everything else.
 *
 *   r15  the pid the parent must have (closes the race in which the parent
 *        died before PR_SET_PDEATHSIG took effect)
 *   rbx  1 only while the harness injects the clone of a new stub process
 *   rax  syscall number in, result out
 */
#include <asm/unistd_64.h>

#define PR_SET_PDEATHSIG 1
#define SIGKILL 9
#define SIGSTOP 19

	.text
	.globl plat_stub_code_begin, plat_stub_code_inject, plat_stub_code_done
	.globl plat_stub_code_hold, plat_stub_code_end
	.p2align 4
plat_stub_code_begin:
	mov $__NR_prctl, %eax
	mov $PR_SET_PDEATHSIG, %edi
	mov $SIGKILL, %esi
	syscall
	test %rax, %rax
	jnz .Lerror

	mov $__NR_getppid, %eax
	syscall
	cmp %r15, %rax
	jne .Lparent_dead

	mov $__NR_getpid, %eax
	syscall
	test %rax, %rax
	js .Lerror

	/* Stop for the attach (P5) in the hold loop, not with a kill of our
	 * own: until the caller has attached, a SIGCONT sent to the stubs'
	 * process group (any process may send one) resumes us untraced, and
	 * from anywhere else we would reach the int3, a real SIGTRAP that
	 * kills the new stub. The attach points rip at the injection point. */
	mov %rax, %rdi
	xor %ebx, %ebx
	mov $SIGSTOP, %esi
	jmp plat_stub_code_hold

	/* Every injected syscall (P20) runs through this instruction. */
plat_stub_code_inject:
	syscall
	cmp $1, %rbx
	je .Lclone
	/* The SIGTRAP of int3 tells the tracer an injected syscall is done. */
plat_stub_code_done:
	int3
	jmp plat_stub_code_done

	/* A stub thread the harness detached (P9 hand-over, a tracer thread
	 * that exited) waits here, rdi = its pid, rsi = SIGSTOP. Untraced, an
	 * int3 would be a real SIGTRAP that kills the whole stub, so the only
	 * thing a SIGCONT from outside can make it do is stop again. */
plat_stub_code_hold:
	mov $__NR_kill, %eax
	syscall
	jmp plat_stub_code_hold

.Lclone:
	/* The new stub process is untraced: it bootstraps itself from the top
	 * and stops, so that its caller can attach it (P5). */
	test %rax, %rax
	jz plat_stub_code_begin
	jmp plat_stub_code_done

.Lparent_dead:
	mov $__NR_exit, %eax
	mov $1, %edi
	syscall
	hlt

.Lerror:
	mov %rax, %rdi
	neg %rdi
	mov $__NR_exit, %eax
	syscall
	hlt
plat_stub_code_end:

	.section .note.GNU-stack,"",@progbits
