/* Seed for the loader's fuzz corpus (mk/fuzz.mk): the smallest static
 * program with text, data and bss, linked both as ET_EXEC and static PIE. */
	.text
	.globl _start
_start:
	mov value(%rip), %edi
	mov %dil, buf(%rip)
	mov $60, %eax
	syscall

	.data
value:	.quad 0

	.bss
buf:	.zero 5000

	.section .note.GNU-stack, "", @progbits
