/* S2, S9: a guest address space (the region model and the stub process
 * that maps it) with a count of the processes using it. Linux keeps an mm
 * while it has users: a CLONE_VM child, or a vfork child, may outlive the
 * process that made the memory, so nobody frees it but its last user. */
#include <errno.h>
#include <stdlib.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/memfile.h"
#include "harness/sentry/mm.h"

#define MMAP_BASE 0x7ff000000000UL /* below the stack; fixed, no ASLR (S4) */

/* P21 through the mm's callbacks: every region lives in the memory file.
 * Their argument is the vm, not a process: it lives as long as the mm. */
static int mm_map_file(void *arg, uintptr_t addr, uint64_t off, size_t len, int prot,
		       bool precommit)
{
	struct vm *vm = arg;
	return plat_map_file(vm->as, addr, memfile_fd(vm->mf), off, len, prot, precommit);
}

static int mm_unmap(void *arg, uintptr_t addr, size_t len)
{
	struct vm *vm = arg;
	return plat_unmap(vm->as, addr, len);
}

static const struct mm_ops mm_plat_ops = { mm_map_file, mm_unmap };

static void vm_attach(struct proc *p, struct vm *vm)
{
	p->vm = vm;
	p->mm = vm->mm;
	p->as = vm->as;
}

static void vm_put(struct kernel *k, struct vm *vm);

/* A fresh address space, empty (execve, the first process) or a copy of
 * src's private memory (fork); one user, p, which drops the one it had
 * (execve). On failure p keeps what it had. */
static int vm_make(struct proc *p, const struct vm *src)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->mf = p->mf;
	vm->users = 1;
	int e = plat_as_new(p->cfg->plat, &vm->as);
	if (!e && src) {
		e = mm_clone(src->mm, vm, &vm->mm);
	} else if (!e) {
		struct mm_layout lay = { plat_min_addr(p->cfg->plat), plat_max_addr(p->cfg->plat),
					 MMAP_BASE };
		e = mm_new(vm->mf, &mm_plat_ops, vm, &lay, &vm->mm);
	}
	if (e) {
		if (vm->as)
			plat_as_release(vm->as);
		free(vm);
		return e;
	}
	struct vm *old = p->vm;
	plat_as_set_user(vm->as, p);
	vm_attach(p, vm);
	if (old)
		vm_put(p->k, old);
	return 0;
}

int vm_new(struct proc *p)
{
	return vm_make(p, NULL);
}

int vm_copy(struct proc *p, const struct vm *src)
{
	return vm_make(p, src);
}

void vm_share(struct proc *p, struct vm *vm)
{
	vm->users++;
	vm_attach(p, vm);
}

/* One user less. The last frees it; otherwise another user carries its
 * platform events (S11 verbose), since the one that goes may soon be
 * reaped. */
static void vm_put(struct kernel *k, struct vm *vm)
{
	if (--vm->users == 0) {
		mm_destroy(vm->mm);
		plat_as_release(vm->as);
		free(vm);
		return;
	}
	for (struct proc *o = k->procs; o; o = o->next)
		if (o->vm == vm) {
			plat_as_set_user(vm->as, o);
			break;
		}
}

/* p stops using its address space: its end. */
void vm_detach(struct proc *p)
{
	struct vm *vm = p->vm;
	p->vm = NULL;
	p->mm = NULL;
	p->as = NULL;
	if (vm)
		vm_put(p->k, vm);
}
