/* P5 and P9: each stub process has a first thread, served for the stub's
 * whole life by one dedicated harness thread that created (or attached) it.
 * Other harness threads ask the server for stub threads of their own. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/internal.h"

enum { SERVER_NEW_THREAD = 1, SERVER_STOP };

#define CLONE_STUB_THREAD \
	(CLONE_FILES | CLONE_FS | CLONE_SIGHAND | CLONE_THREAD | CLONE_PTRACE | CLONE_VM)

/* Taking over a stopped stub thread: the caller becomes its tracer. */
int stub_thread_attach(struct stub_thread *t)
{
	int e = pt_attach_stopped(t->tid);
	if (!e)
		e = pt_getregs(t->tid, &t->init_regs);
	if (e)
		return e;
	t->init_regs.rip = stub_layout.inject_rip;
	/* Whatever it was stopped in (the hold loop's kill), nothing is to be
	 * restarted when the first injection resumes it. */
	t->init_regs.orig_rax = (unsigned long long)-1;
	t->kregs_valid = false;
	tracer_adopt();
	return 0;
}

/* P5: the new process is cloned by the master for this thread, bootstraps
 * itself (rbx = 1 sends its child half back to the top of the stub, r15 is
 * the pid it must see as its parent) and stops; wait4 in the master waits
 * for that group-stop, and then this thread attaches it. */
static int create_from_master(struct plat_as *as)
{
	struct plat_as *master = as->plat->master;
	int err;
	struct stub_thread *mt = tpool_get(master, &master->syscall, &err);
	if (!mt)
		return err;
	struct user_regs_struct r = mt->init_regs;
	r.rax = SYS_clone;
	r.rdi = CLONE_FILES;
	r.rsi = r.rdx = r.r10 = r.r8 = r.r9 = 0;
	r.rbx = 1;
	r.r15 = (unsigned long long)master->pid;
	long pid = inject_regs(mt, &r);
	if (pid < 0)
		return pid == -PLAT_ESTUBDEAD ? (int)pid : -ECHILD;
	long a[6] = { pid, 0, __WALL | WUNTRACED, 0 };
	long w = inject_syscall(mt, SYS_wait4, a);
	if (w != pid)
		return w == -PLAT_ESTUBDEAD ? (int)w : -ECHILD;
	as->pid = as->first->tid = (pid_t)pid;
	return 0;
}

/* P4, P22: a stub keeps nothing but the stub page. The master is emptied
 * once, at creation (stub processes cloned from it inherit its empty
 * address space); every stub process is emptied again when its address
 * space is released to the pool (as.c). */
int as_unmap_all(struct plat_as *as, struct stub_thread *t)
{
	long lo[6] = { 0, (long)stub_layout.start };
	long hi[6] = { (long)stub_layout.end, (long)(LINUX_TASK_SIZE - stub_layout.end) };
	long r = inject_syscall(t, SYS_munmap, lo);
	if (r == 0 && stub_layout.end < LINUX_TASK_SIZE)
		r = inject_syscall(t, SYS_munmap, hi);
	if (r != 0 && r != -PLAT_ESTUBDEAD)
		plat_fatal(t->tid, "munmap of everything but the stub failed: %ld", r);
	(void)as;
	return (int)r;
}

static int create_first(struct plat_as *as)
{
	int e = as->is_master ? master_create(as, as->first) : create_from_master(as);
	if (e)
		return e;
	as->first->as = as;
	e = stub_thread_attach(as->first);
	if (e)
		return e;
	return as->is_master ? as_unmap_all(as, as->first) : 0;
}

/* A stub thread that is about to be detached is pointed at the stub's hold
 * loop first. Detached, it is no longer ours: a SIGCONT from any process on
 * the host ends its group-stop and it runs the stub untraced. Left where it
 * was (after the clone, or at the injection point) it would reach the int3
 * loop, and an untraced int3 is a real SIGTRAP whose default action (core)
 * kills the whole stub process (P20, P23; hammer/p20_p9_new_threads_under_
 * storm). The hold loop only ever runs kill(pid, SIGSTOP), which P6
 * allows (pause() is not allowed, and the filter would kill the thread):
 * each SIGCONT from outside is answered by one more group-stop, which the
 * traced threads' run loops swallow (P14, P20). The loop also makes the
 * attach robust: if a SIGCONT flushes the SIGSTOP that PTRACE_ATTACH
 * queues (a SIGCONT discards every pending stop signal), the thread, now
 * traced, stops on its own next SIGSTOP instead of running on. orig_rax =
 * -1 keeps the kernel from restarting whatever syscall the stop was in. */
int stub_thread_hold(struct stub_thread *t, const struct user_regs_struct *base)
{
	struct user_regs_struct r = *base;
	r.rip = stub_layout.hold_rip;
	r.rdi = (unsigned long long)t->as->pid;
	r.rsi = SIGSTOP;
	r.orig_rax = (unsigned long long)-1;
	return pt_setregs(t->tid, &r);
}

/* P9: clone a thread through the first thread, wait for its first stop
 * (CLONE_PTRACE made us its tracer), hold it (above), and detach it with
 * SIGSTOP so it waits in group-stop for the caller to attach. */
static struct stub_thread *clone_thread(struct plat_as *as, int *err)
{
	long a[6] = { CLONE_STUB_THREAD, 0, 0, 0, 0, 0 };
	long tid = inject_syscall(as->first, SYS_clone, a);
	if (tid <= 0) {
		*err = tid == -PLAT_ESTUBDEAD ? (int)tid : -EAGAIN;
		return NULL;
	}
	int status;
	/* Any first stop will do, not only the SIGSTOP that CLONE_PTRACE
	 * queues: a SIGCONT sent to the stub by anyone discards every pending
	 * stop signal, that SIGSTOP included, and a thread resumed to wait for
	 * it would spin through the int3 loop. Stopped is all we need to hold
	 * it (any SIGSTOP still pending just stops it once more, detached). */
	*err = pt_wait((pid_t)tid, &status);
	if (*err || !WIFSTOPPED(status)) {
		*err = -PLAT_ESTUBDEAD;
		return NULL;
	}
	struct stub_thread *t = calloc(1, sizeof(*t));
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->tid = (pid_t)tid;
	t->as = as;
	t->bound_cpu = -1;
	struct user_regs_struct regs;
	if (pt_getregs(t->tid, &regs) != 0 || stub_thread_hold(t, &regs) != 0)
		plat_fatal(t->tid, "holding a new stub thread: %s", strerror(errno));
	if (ptrace(PTRACE_DETACH, tid, 0, (void *)SIGSTOP) != 0)
		plat_fatal(t->tid, "detaching a new stub thread: %s", strerror(errno));
	return t;
}

static struct server_req *next_request(struct plat_as *as)
{
	pthread_mutex_lock(&as->mu);
	while (!as->reqs)
		pthread_cond_wait(&as->cv, &as->mu);
	struct server_req *req = as->reqs;
	as->reqs = req->next;
	pthread_mutex_unlock(&as->mu);
	return req;
}

static void finish(struct plat_as *as, struct server_req *req)
{
	pthread_mutex_lock(&as->mu);
	req->done = true;
	pthread_cond_broadcast(&as->cv);
	pthread_mutex_unlock(&as->mu);
}

static void *server_main(void *arg)
{
	struct plat_as *as = arg;
	int e = create_first(as);
	pthread_mutex_lock(&as->mu);
	as->create_err = e;
	as->created = true;
	pthread_cond_broadcast(&as->cv);
	pthread_mutex_unlock(&as->mu);
	for (;;) {
		struct server_req *req = next_request(as);
		if (req->op == SERVER_STOP) {
			finish(as, req);
			return NULL;
		}
		if (e || atomic_load(&as->dead))
			req->err = e ? e : -PLAT_ESTUBDEAD;
		else
			req->result = clone_thread(as, &req->err);
		finish(as, req);
	}
}

int server_start(struct plat_as *as)
{
	as->first = calloc(1, sizeof(*as->first));
	if (!as->first)
		return -ENOMEM;
	as->first->as = as;
	as->first->bound_cpu = -1;
	int e = pthread_create(&as->server, NULL, server_main, as);
	if (e)
		return -e;
	pthread_mutex_lock(&as->mu);
	while (!as->created)
		pthread_cond_wait(&as->cv, &as->mu);
	pthread_mutex_unlock(&as->mu);
	return as->create_err;
}

static void submit(struct plat_as *as, struct server_req *req)
{
	pthread_mutex_lock(&as->mu);
	req->next = NULL;
	struct server_req **pp = &as->reqs;
	while (*pp)
		pp = &(*pp)->next;
	*pp = req;
	pthread_cond_broadcast(&as->cv);
	while (!req->done)
		pthread_cond_wait(&as->cv, &as->mu);
	pthread_mutex_unlock(&as->mu);
}

struct stub_thread *server_new_thread(struct plat_as *as, int *err)
{
	struct server_req req = { .op = SERVER_NEW_THREAD };
	submit(as, &req);
	*err = req.err;
	struct stub_thread *t = req.result;
	if (!t)
		return NULL;
	*err = stub_thread_attach(t);
	if (*err) {
		free(t);
		*err = -PLAT_ESTUBDEAD;
		return NULL;
	}
	as_emit(as, &(struct plat_event){ .kind = PLAT_EV_THREAD_NEW, .stub_tid = t->tid });
	return t;
}

void server_stop(struct plat_as *as)
{
	struct server_req req = { .op = SERVER_STOP };
	submit(as, &req);
	pthread_join(as->server, NULL);
}
