/* sentry_run: load one static program and serve it until it ends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/sentry/kernel.h"
#include "harness/sentry/loader.h"
#include "harness/sentry/memfile.h"
#include "harness/sentry/mm.h"
#include "harness/sentry/trace.h"

#define DEFAULT_MEMORY_LIMIT (4ULL << 30)
#define DEFAULT_OUTPUT_LIMIT (64ULL << 20)
#define MAX_IMAGE (256ULL << 20)
#define MMAP_BASE 0x7ff000000000UL /* below the stack; fixed, no ASLR (S4) */

/* P21 through the mm's callbacks: every region lives in the memory file. */
static int mm_map_file(void *arg, uintptr_t addr, uint64_t off, size_t len, int prot, bool precommit)
{
	struct proc *p = arg;
	return plat_map_file(p->as, addr, memfile_fd(p->mf), off, len, prot, precommit);
}

static int mm_unmap(void *arg, uintptr_t addr, size_t len)
{
	struct proc *p = arg;
	return plat_unmap(p->as, addr, len);
}

static const struct mm_ops mm_plat_ops = { mm_map_file, mm_unmap };

static int load_map(void *arg, uint64_t addr, uint64_t len, int prot)
{
	struct proc *p = arg;
	long r = mm_mmap(p->mm, addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	return r < 0 ? (int)r : 0;
}

static int load_write(void *arg, uint64_t addr, const void *src, size_t len)
{
	struct proc *p = arg;
	return mm_poke(p->mm, addr, src, len);
}

static int read_image(const char *path, uint8_t **img, size_t *size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_IMAGE) {
		snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ? "too large" : "not a regular file");
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	*img = malloc(*size ? *size : 1);
	size_t got = 0;
	while (*img && got < *size) {
		ssize_t n = read(fd, *img + got, *size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!*img || got != *size) {
		snprintf(err, errlen, "%s: could not read the file", path);
		free(*img);
		return -1;
	}
	return 0;
}

static int load_program(struct proc *p, struct load_result *lr, char *err, size_t errlen)
{
	uint8_t *img;
	size_t size;
	if (read_image(p->cfg->path, &img, &size, err, errlen))
		return -1;
	struct load_args la = {
		.argv = p->cfg->argv,
		.envp = p->cfg->envp,
		.addr_limit = plat_max_addr(p->cfg->plat),
		.hwcap = getauxval(AT_HWCAP),
		.execfn = p->exe,
	};
	struct load_ops ops = { p, load_map, load_write };
	int e = elf_load(p->cfg->path, img, size, &la, &ops, lr, err, errlen);
	free(img);
	if (e)
		return -1;
	mm_set_brk_start(p->mm, lr->brk);
	return 0;
}

void sentry_plat_event(void *arg, const struct plat_event *ev)
{
	struct task *t = ev->as_user;
	(void)arg;
	if (t && t->proc->cfg->verbose)
		trace_event(t->trace, ev);
}

static int proc_init(struct proc *p, const struct sentry_config *cfg, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->random_state = 0x5eed5eed5eed5eedULL;
	snprintf(p->exe, sizeof(p->exe), "%s", cfg->exe_name ? cfg->exe_name : cfg->path);
	int e = memfile_new(cfg->memory_limit ? cfg->memory_limit : DEFAULT_MEMORY_LIMIT, &p->mf);
	if (!e)
		e = plat_as_new(cfg->plat, &p->as);
	struct mm_layout lay = { plat_min_addr(cfg->plat), plat_max_addr(cfg->plat), MMAP_BASE };
	if (!e)
		e = mm_new(p->mf, &mm_plat_ops, p, &lay, &p->mm);
	if (e) {
		snprintf(err, errlen, "setting up the guest: %s", strerror(-e));
		return -1;
	}
	fdtable_init(p);
	for (int i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &p->rlim[i]);
	p->rlim[RLIMIT_STACK] = (struct rlimit){ 8 << 20, RLIM_INFINITY };
	p->rlim[RLIMIT_NOFILE] = (struct rlimit){ MAX_FDS, MAX_FDS };
	p->rlim[RLIMIT_CORE] = (struct rlimit){ 0, RLIM_INFINITY };
	return 0;
}

static void proc_free(struct proc *p)
{
	fdtable_free(p);
	if (p->mm)
		mm_destroy(p->mm);
	if (p->as)
		plat_as_release(p->as);
	if (p->mf)
		memfile_destroy(p->mf);
}

/* Issue 3: bad programs are found before anything runs. */
/* elf_load checks the whole file before its first map call; refusing that
 * call stops it right after the checks, with nothing to undo. */
static int refuse_map(void *arg, uint64_t addr, uint64_t len, int prot)
{
	(void)arg, (void)addr, (void)len, (void)prot;
	return -ECANCELED;
}

static int refuse_write(void *arg, uint64_t addr, const void *src, size_t len)
{
	(void)arg, (void)addr, (void)src, (void)len;
	return -ECANCELED;
}

int sentry_check_program(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s (make fixtures builds it)", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	void *img = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (img == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct load_ops ops = { NULL, refuse_map, refuse_write };
	struct load_result res;
	int rc = elf_load(path, img, (size_t)st.st_size, NULL, &ops, &res, err, errlen);
	if (img)
		munmap(img, (size_t)st.st_size);
	return rc == -ENOEXEC || (rc && rc != -ECANCELED) ? -1 : 0;
}

int sentry_shell_status(const struct sentry_result *res)
{
	return res->kind == SENTRY_SIGNALED ? 128 + res->status : res->status;
}

/* The per-exit work of S3: resolve faults, turn the rest into signals. */
void task_run(struct task *t);

int sentry_run(const struct sentry_config *cfg, struct sentry_result *res)
{
	struct proc p;
	struct task t = { .proc = &p, .tid = VIRTUAL_PID, .res = res, .restart_nr = -1 };
	memset(res, 0, sizeof(*res));
	res->kind = SENTRY_ERROR;
	int rc = 1;
	if (proc_init(&p, cfg, res->error, sizeof(res->error)))
		goto out;
	t.trace = trace_new(cfg->trace);
	plat_as_set_user(p.as, &t);
	struct load_result lr;
	if (load_program(&p, &lr, res->error, sizeof(res->error))) {
		rc = 2;
		goto out;
	}
	t.ctx = plat_ctx_new(cfg->plat);
	if (!t.ctx) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		goto out;
	}
	struct user_regs_struct *r = plat_ctx_regs(t.ctx);
	memset(r, 0, sizeof(*r));
	r->rip = lr.entry;
	r->rsp = lr.sp;
	r->eflags = 0x202;
	timers_start(&p, &t);
	task_run(&t);
	timers_stop(&p);
	rc = res->kind == SENTRY_ERROR ? 1 : 0;
out:
	if (t.ctx)
		plat_ctx_release(t.ctx);
	proc_free(&p);
	trace_free(t.trace);
	return rc;
}
