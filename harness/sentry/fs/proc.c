/* The sentry's /proc: only what programs read about themselves, made from
 * the sentry's own view so that it agrees with every syscall the guest
 * makes: /proc/self, and for each guest process /proc/PID/ with exe, cwd,
 * root, fd/, cmdline, comm, stat, status and maps. The host's /proc is
 * never reached (view.c, point 4). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/sentry/fs/fs.h"
#include "harness/sentry/mm.h"

static struct proc *proc_by_pid(struct task *t, int pid)
{
	for (struct proc *p = t->proc->k->procs; p; p = p->next)
		if (p->pid == pid && !p->zombie && p->vm)
			return p;
	return NULL;
}

/* A pid, and what follows it in rest; -1 when rest names no live one. */
static int parse_pid(struct task *t, const char *rest, const char **after)
{
	char *end;
	long pid = strtol(rest, &end, 10);
	if (end == rest || (*end && *end != '/') || rest[0] == '0' || !proc_by_pid(t, (int)pid))
		return -1;
	*after = *end ? end + 1 : end;
	return (int)pid;
}

static void set_text(struct vnode *vn, int pid, const char *what)
{
	vn->kind = VN_TEXT;
	vn->mode = S_IFREG | 0444;
	vn->pid = pid;
	snprintf(vn->what, sizeof(vn->what), "%s", what);
}

static void set_link(struct vnode *vn, int pid, const char *what, const char *target)
{
	vn->kind = VN_LINK;
	vn->mode = S_IFLNK | 0777;
	vn->pid = pid;
	snprintf(vn->what, sizeof(vn->what), "%s", what);
	size_t n = strlen(target);
	if (n > sizeof(vn->target) - 1)
		n = sizeof(vn->target) - 1;
	memcpy(vn->target, target, n);
	vn->target[n] = 0;
}

static void set_dir(struct vnode *vn, int pid, const char *what, mode_t perm)
{
	vn->kind = VN_DIR;
	vn->mode = S_IFDIR | perm;
	vn->pid = pid;
	snprintf(vn->what, sizeof(vn->what), "%s", what);
}

static int fd_lookup(struct task *t, struct proc *p, const char *s, struct vnode *vn)
{
	char *end;
	long fd = strtol(s, &end, 10);
	if (end == s || *end || fd < 0 || fd >= MAX_FDS || !p->fds || !p->fds->fd[fd] ||
	    (s[0] == '0' && s[1]))
		return -ENOENT;
	struct file *f = p->fds->fd[fd];
	char name[FS_PATH_MAX];
	file_link_name(t, f, name, sizeof(name));
	set_link(vn, p->pid, "fd", name);
	vn->mode = S_IFLNK | 0700;
	vn->fd = (int)fd;
	vn->file = f;
	file_get(f);
	return 0;
}

static const char *const pid_texts[] = { "cmdline", "comm", "stat", "status", "maps", "mounts" };

int proc_lookup(struct task *t, const char *rest, struct vnode *vn)
{
	memset(vn, 0, sizeof(*vn));
	if (!*rest) {
		set_dir(vn, 0, "proc", 0555);
		return 0;
	}
	char buf[32];
	if (!strcmp(rest, "mounts")) {
		set_link(vn, 0, "mounts", "/proc/self/mounts");
		return 0;
	}
	if (!strcmp(rest, "self")) {
		snprintf(buf, sizeof(buf), "/proc/%d", t->proc->pid);
		set_link(vn, 0, "self", buf);
		return 0;
	}
	const char *s;
	int pid = parse_pid(t, rest, &s);
	if (pid < 0)
		return -ENOENT;
	struct proc *p = proc_by_pid(t, pid);
	if (!*s) {
		set_dir(vn, pid, "pid", 0555);
		return 0;
	}
	if (!strcmp(s, "exe")) {
		char exe[sizeof(p->exe) + 1];
		snprintf(exe, sizeof(exe), "%s%s", p->exe[0] == '/' ? "" : "/", p->exe);
		set_link(vn, pid, "exe", exe);
		return 0;
	}
	if (!strcmp(s, "cwd") || !strcmp(s, "root")) {
		set_link(vn, pid, s, s[0] == 'c' ? p->cwd : "/");
		return 0;
	}
	if (!strcmp(s, "fd")) {
		set_dir(vn, pid, "fd", 0500);
		return 0;
	}
	if (!strncmp(s, "fd/", 3))
		return fd_lookup(t, p, s + 3, vn);
	for (size_t i = 0; i < sizeof(pid_texts) / sizeof(pid_texts[0]); i++)
		if (!strcmp(s, pid_texts[i])) {
			set_text(vn, pid, s);
			return 0;
		}
	return -ENOENT;
}

void proc_list(struct task *t, const struct vnode *vn, vnode_add_fn add, void *ctx)
{
	char buf[32];
	struct proc *p = vn->pid ? proc_by_pid(t, vn->pid) : NULL;
	if (!strcmp(vn->what, "proc")) {
		add(ctx, "mounts", DT_LNK);
		add(ctx, "self", DT_LNK);
		for (struct proc *q = t->proc->k->procs; q; q = q->next)
			if (!q->zombie && q->vm) {
				snprintf(buf, sizeof(buf), "%d", q->pid);
				add(ctx, buf, DT_DIR);
			}
	} else if (!strcmp(vn->what, "pid") && p) {
		add(ctx, "cwd", DT_LNK);
		add(ctx, "exe", DT_LNK);
		add(ctx, "fd", DT_DIR);
		add(ctx, "root", DT_LNK);
		for (size_t i = 0; i < sizeof(pid_texts) / sizeof(pid_texts[0]); i++)
			add(ctx, pid_texts[i], DT_REG);
	} else if (!strcmp(vn->what, "fd") && p && p->fds) {
		for (int i = 0; i < MAX_FDS; i++)
			if (p->fds->fd[i]) {
				snprintf(buf, sizeof(buf), "%d", i);
				add(ctx, buf, DT_LNK);
			}
	}
}

static void comm_of(const struct proc *p, char *out)
{
	const char *b = strrchr(p->exe, '/');
	b = b ? b + 1 : p->exe;
	size_t n = strnlen(b, 15); /* TASK_COMM_LEN */
	memcpy(out, b, n);
	out[n] = 0;
}

static int format_text(struct task *t, struct proc *p, const char *what, FILE *m)
{
	char comm[16];
	comm_of(p, comm);
	int ppid = p->parent ? p->parent->pid : VIRTUAL_PID - 1;
	unsigned uid = sentry_uid(t);
	if (!strcmp(what, "cmdline")) {
		fwrite(p->cmdline ? p->cmdline : "", 1, p->cmdline_len, m);
	} else if (!strcmp(what, "comm")) {
		fprintf(m, "%s\n", comm);
	} else if (!strcmp(what, "stat")) {
		fprintf(m, "%d (%s) R %d %d %d 0 -1 4194304", p->pid, comm, ppid, p->pid, p->pid);
		for (int i = 0; i < 43; i++)
			fprintf(m, " 0");
		fprintf(m, "\n");
	} else if (!strcmp(what, "status")) {
		fprintf(m,
			"Name:\t%s\nUmask:\t%04o\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\n"
			"Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\n"
			"Gid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nThreads:\t%d\n",
			comm, p->umask, p->pid, p->pid, ppid, uid, uid, uid, uid, uid, uid, uid,
			uid, MAX_FDS, p->ntasks);
	} else if (!strcmp(what, "mounts")) {
		/* The view's mounts (not "rootfs", which df skips): the root read-only, each
		 * writable tree, and the sentry's own /proc and /dev. */
		const struct fs_view *v = fs_view_of(t);
		fprintf(m, "sentry / sentryfs ro 0 0\n");
		for (size_t i = 0; i < v->nrw; i++) {
			const char *g = v->rw[i] + v->root_len;
			fprintf(m, "sentry %s sentryfs rw 0 0\n", *g ? g : "/");
		}
		fprintf(m, "proc /proc proc rw,nosuid,nodev,noexec 0 0\n");
		fprintf(m, "devtmpfs /dev devtmpfs rw,nosuid 0 0\n");
	} else if (!strcmp(what, "maps")) {
		size_t n = mm_format(p->mm, NULL, 0);
		char *b = malloc(n + 1);
		if (!b)
			return -ENOMEM;
		mm_format(p->mm, b, n + 1);
		for (char *line = strtok(b, "\n"); line; line = strtok(NULL, "\n")) {
			char perms[5] = "----";
			unsigned long lo, hi;
			if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3)
				fprintf(m, "%08lx-%08lx %s 00000000 00:00 0\n", lo, hi, perms);
		}
		free(b);
	}
	return 0;
}

int proc_text(struct task *t, const struct vnode *vn, char **text, size_t *len)
{
	struct proc *p = proc_by_pid(t, vn->pid);
	if (!p)
		return -ESRCH;
	FILE *m = open_memstream(text, len);
	if (!m)
		return -ENOMEM;
	int e = format_text(t, p, vn->what, m);
	fclose(m);
	return e;
}
