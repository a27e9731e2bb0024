/* A program image (S4): read once, checked, loaded into a process and
 * started. The runner's fixture check, the first program of a case and
 * every execve go through the same reader, so a file is read once per use
 * and what was checked is exactly what gets loaded. */
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
#include "harness/sentry/mm.h"

/* Far above any static program; a bound so that a huge file named by a
 * guest costs the harness nothing. */
#define MAX_IMAGE (256ULL << 20)

static int read_all(int fd, uint8_t *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int program_read(const char *path, struct program_image *img, char *err, size_t errlen)
{
	*img = (struct program_image){ 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_IMAGE) {
		snprintf(err, errlen, "%s: %s", path,
			 S_ISREG(st.st_mode) ? "too large" : "not a regular file");
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EACCES;
	}
	img->size = (size_t)st.st_size;
	img->bytes = malloc(img->size ? img->size : 1);
	int bad = !img->bytes || read_all(fd, img->bytes, img->size);
	close(fd);
	if (bad) {
		snprintf(err, errlen, "%s: could not read the file", path);
		program_free(img);
		return -EIO;
	}
	return 0;
}

void program_free(struct program_image *img)
{
	free(img->bytes);
	*img = (struct program_image){ 0 };
}

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

int program_check(const struct program_image *img, const char *path, char *err, size_t errlen)
{
	struct load_ops ops = { NULL, refuse_map, refuse_write };
	struct load_result res;
	int rc = elf_load(path, img->bytes, img->size, NULL, &ops, &res, err, errlen);
	return rc == -ENOEXEC || (rc && rc != -ECANCELED) ? -1 : 0;
}

/* Bad programs are found before any case runs (the runner's fixture
 * check), with one line naming the file and the problem. */
int sentry_check_program(const char *path, char *err, size_t errlen)
{
	struct program_image img;
	int e = program_read(path, &img, err, errlen);
	if (e == -ENOENT)
		snprintf(err, errlen, "%s: %s (make fixtures builds it)", path, strerror(ENOENT));
	if (e)
		return -1;
	int rc = program_check(&img, path, err, errlen);
	program_free(&img);
	return rc;
}

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

/* /proc/PID/cmdline: the arguments, each with its NUL. */
static void set_cmdline(struct proc *p, char *const *argv)
{
	size_t len = 0;
	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *c = malloc(len + 1);
	if (!c)
		return;
	free(p->cmdline);
	p->cmdline = c;
	p->cmdline_len = len;
	for (size_t i = 0; argv && argv[i]; i++) {
		size_t n = strlen(argv[i]) + 1;
		memcpy(c, argv[i], n);
		c += n;
	}
}

int program_load(struct proc *p, const struct program_image *img, const struct program_name *name,
		 char *const *argv, char *const *envp, struct load_result *lr, char *err,
		 size_t errlen)
{
	struct load_args la = {
		.argv = argv,
		.envp = envp,
		.addr_limit = plat_max_addr(p->cfg->plat),
		.hwcap = getauxval(AT_HWCAP),
		.execfn = name->exe,
	};
	struct load_ops ops = { p, load_map, load_write };
	int e = elf_load(name->path, img->bytes, img->size, &la, &ops, lr, err, errlen);
	if (e)
		return e;
	mm_set_brk_start(p->mm, lr->brk);
	snprintf(p->exe, sizeof(p->exe), "%s", name->exe);
	set_cmdline(p, argv);
	return 0;
}

/* A task starting a new program: Linux's start_thread leaves every
 * general register 0 but rip, rsp and the flags (IF and the reserved
 * bit), and the FP state in its init state. */
void program_start_regs(struct task *t, const struct load_result *lr)
{
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	memset(r, 0, sizeof(*r));
	r->rip = lr->entry;
	r->rsp = lr->sp;
	r->eflags = 0x202;
	plat_ctx_fpstate_reset(t->ctx);
}
