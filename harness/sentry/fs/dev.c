/* The sentry's /dev: the character devices programs open without asking
 * (null, zero, full, random, urandom), /dev/tty (ENXIO: the guest has no
 * controlling terminal, as a process started without one) and the
 * symlinks into /proc/self/fd. No host device is ever reached (view.c,
 * point 4). random and urandom give the same fixed stream as getrandom,
 * so runs repeat byte for byte (S4, S11). */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

#include "harness/sentry/fs/fs.h"

#define DEV(maj, min) ((maj) << 8 | (min))

static const struct devent {
	const char *name;
	int dev; /* 0: a symlink */
	const char *target;
} devs[] = {
	{ "null", DEV(1, 3), NULL },        { "zero", DEV(1, 5), NULL },
	{ "full", DEV(1, 7), NULL },        { "random", DEV(1, 8), NULL },
	{ "urandom", DEV(1, 9), NULL },     { "tty", DEV(5, 0), NULL },
	{ "fd", 0, "/proc/self/fd" },       { "stdin", 0, "/proc/self/fd/0" },
	{ "stdout", 0, "/proc/self/fd/1" }, { "stderr", 0, "/proc/self/fd/2" },
};
#define NDEVS (sizeof(devs) / sizeof(devs[0]))

int dev_lookup(struct task *t, const char *rest, struct vnode *vn)
{
	(void)t;
	memset(vn, 0, sizeof(*vn));
	if (!*rest) {
		vn->kind = VN_DIR;
		vn->mode = S_IFDIR | 0755;
		snprintf(vn->what, sizeof(vn->what), "dev");
		return 0;
	}
	for (size_t i = 0; i < NDEVS; i++) {
		if (strcmp(rest, devs[i].name))
			continue;
		snprintf(vn->what, sizeof(vn->what), "dev/%s", devs[i].name);
		if (devs[i].target) {
			vn->kind = VN_LINK;
			vn->mode = S_IFLNK | 0777;
			snprintf(vn->target, sizeof(vn->target), "%s", devs[i].target);
		} else {
			vn->kind = VN_DEV;
			vn->mode = S_IFCHR | 0666;
			vn->dev = devs[i].dev;
		}
		return 0;
	}
	return -ENOENT;
}

void dev_list(struct task *t, const struct vnode *vn, vnode_add_fn add, void *ctx)
{
	(void)t, (void)vn;
	for (size_t i = 0; i < NDEVS; i++)
		add(ctx, devs[i].name, devs[i].target ? DT_LNK : DT_CHR);
}

int dev_check_open(struct task *t, const struct vnode *vn, int flags)
{
	(void)t, (void)flags;
	return vn->dev == DEV(5, 0) ? -ENXIO : 0;
}

/* splitmix64 on the process's getrandom state: one fixed stream. */
static uint64_t next_random(struct proc *p)
{
	uint64_t z = (p->random_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

long dev_read(struct task *t, const struct vnode *vn, char *buf, size_t len)
{
	switch (vn->dev) {
	case DEV(1, 3): return 0;
	case DEV(1, 5):
	case DEV(1, 7): memset(buf, 0, len); return (long)len;
	default:
		for (size_t i = 0; i < len; i += 8) {
			uint64_t v = next_random(t->proc);
			memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
		}
		return (long)len;
	}
}

long dev_write(struct task *t, const struct vnode *vn, const char *buf, size_t len)
{
	(void)t, (void)buf;
	return vn->dev == DEV(1, 7) ? -ENOSPC : (long)len;
}
