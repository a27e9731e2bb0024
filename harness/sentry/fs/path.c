/* Guest paths: copied from guest memory, made absolute from the cwd or a
 * dirfd (view.c, point 3: a walk always starts at the root), and looked
 * up in the host tree through the view or in the sentry's /dev and /proc,
 * whose symlinks (/proc/self, /proc/PID/cwd, /dev/stdin...) lead back into
 * the same lookup with a new path. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/sentry/fs/fs.h"
#include "harness/sentry/mm.h"

struct fs_view *fs_view_of(struct task *t)
{
	return t->proc->k->fs;
}

long fs_copy_path(struct task *t, uint64_t addr, char *out, bool empty_ok)
{
	long n = mm_strncpy_in(t->proc->mm, addr, out, FS_PATH_MAX);
	if (n < 0)
		return -EFAULT;
	if (n >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if (!n && !empty_ok)
		return -ENOENT;
	return n;
}

static int cat_path(char *out, size_t len, const char *base, const char *name)
{
	size_t bl = strlen(base);
	bool slash = bl && base[bl - 1] == '/';
	int n = snprintf(out, len, "%s%s%s", base, slash || !*name ? "" : "/", name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int fs_join(struct task *t, int dirfd, const char *name, char *out, size_t len)
{
	if (name[0] == '/')
		return cat_path(out, len, "", name);
	if (dirfd == AT_FDCWD)
		return cat_path(out, len, t->proc->cwd, name);
	struct file *f = file_of(t, (uint64_t)(unsigned)dirfd);
	if (!f)
		return -EBADF;
	char base[FS_PATH_MAX];
	int e = file_guest_path(t, f, base, sizeof(base), *name != 0);
	return e ? e : cat_path(out, len, base, name);
}

void fs_node_put(struct fs_node *n)
{
	if (n->mount == FS_HOST && n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	if (n->vn.file)
		file_put(n->vn.file);
	n->vn.file = NULL;
}

/* A symlink of the sentry's trees on the way: the walk goes on from its
 * target with the rest of the path. */
static int follow_vlink(struct task *t, const struct vnode *vn, const char *more, int flags,
			int hops, struct fs_node *n);

static int lookup_hops(struct task *t, const char *gpath, int flags, int hops, struct fs_node *n);

/* The host walk of gpath ended in the host's /proc, on a device node or
 * on nothing, maybe through a host symlink that means the sentry's own
 * /proc or /dev (/etc/mtab -> ../proc/self/mounts; a root without /proc):
 * the walk is redone here one component at a time, each a plain name
 * below a directory already walked (never followed by the host), reading
 * the symlinks ourselves, so that a target in /proc or /dev is the
 * sentry's. */
static int walk_slow(struct task *t, const char *gpath, int flags, int hops, struct fs_node *n)
{
	const struct fs_view *v = fs_view_of(t);
	char cur[FS_PATH_MAX * 2 + NAME_MAX + 2] = "", cand[FS_PATH_MAX * 2 + NAME_MAX + 2];
	char next[FS_PATH_MAX * 5];
	bool slash = gpath[0] && gpath[strlen(gpath) - 1] == '/';
	for (const char *s = gpath;;) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchrnul(s, '/'), *rest = e;
		size_t cl = (size_t)(e - s);
		while (*rest == '/')
			rest++;
		if (cl == 1 && s[0] == '.') {
			s = e;
			continue;
		}
		if (cl == 2 && s[0] == '.' && s[1] == '.') {
			char *sl = strrchr(cur, '/');
			if (sl)
				*sl = 0;
			s = e;
			continue;
		}
		snprintf(cand, sizeof(cand), "%s/%.*s", cur, (int)cl, s);
		if (!cur[0] &&
		    ((cl == 3 && !strncmp(s, "dev", 3)) || (cl == 4 && !strncmp(s, "proc", 4)))) {
			snprintf(next, sizeof(next), "%s%s%s", cand, *rest ? "/" : "", rest);
			return lookup_hops(t, next, flags, hops + 1, n);
		}
		int fd = fs_resolve(v, cand, false);
		if (fd < 0)
			return fd == FS_FOREIGN ? -ENOENT : fd;
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode) &&
		    (*rest || (flags & FS_FOLLOW) || slash)) {
			char target[FS_PATH_MAX];
			ssize_t tl = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			if (tl < 0)
				return -errno;
			target[tl] = 0;
			if (hops >= FS_MAX_HOPS)
				return -ELOOP;
			snprintf(next, sizeof(next), "%s%s%s%s%s", target[0] == '/' ? "" : cur,
				 target[0] == '/' ? "" : "/", target, *rest ? "/" : "", rest);
			return lookup_hops(t, next, flags, hops + 1, n);
		}
		close(fd);
		memcpy(cur, cand, sizeof(cur));
		s = e;
	}
	n->fd = fs_resolve(v, cur[0] ? cur : "/", (flags & FS_FOLLOW) || slash);
	return n->fd == FS_FOREIGN ? -ENOENT : n->fd < 0 ? n->fd : 0;
}

static int lookup_hops(struct task *t, const char *gpath, int flags, int hops, struct fs_node *n)
{
	char norm[FS_PATH_MAX * 2];
	const char *rest;
	bool slash;
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	if (snprintf(n->path, sizeof(n->path), "%s", gpath) >= (int)sizeof(n->path))
		return -ENAMETOOLONG;
	n->mount = fs_mount_of(gpath, norm, sizeof(norm), &rest, &slash);
	if (n->mount == FS_HOST) {
		n->fd = fs_resolve(fs_view_of(t), gpath, flags & FS_FOLLOW || slash);
		/* A host symlink may have meant the sentry's /proc or /dev: a
		 * foreign object, or nothing where the root has no such tree. */
		if (n->fd == FS_FOREIGN || n->fd == -ENOENT)
			return walk_slow(t, gpath, flags, hops, n);
		return n->fd < 0 ? n->fd : 0;
	}
	/* Walk the emulated tree one component at a time: a symlink before
	 * the last component (or at it, when following) is followed. */
	char walked[FS_PATH_MAX * 2];
	size_t wl = 0;
	walked[0] = 0;
	const char *s = rest;
	for (;;) {
		while (*s == '/')
			s++;
		const char *e = strchrnul(s, '/');
		int r = (n->mount == FS_DEV ? dev_lookup : proc_lookup)(t, walked, &n->vn);
		if (r)
			return r;
		bool last = !*s;
		if (n->vn.kind == VN_LINK && (!last || (flags & FS_FOLLOW) || slash)) {
			struct vnode link = n->vn;
			n->vn.file = NULL;
			int rr = follow_vlink(t, &link, s, flags, hops, n);
			if (link.file)
				file_put(link.file);
			return rr;
		}
		if (last)
			break;
		if (n->vn.kind != VN_DIR)
			return -ENOTDIR;
		if (n->vn.file)
			file_put(n->vn.file), n->vn.file = NULL;
		size_t cl = (size_t)(e - s);
		if (cl == 2 && s[0] == '.' && s[1] == '.') {
			if (!wl) /* above the mount point: the root's */
				return lookup_hops(t, *e ? e : "/", flags, hops + 1, n);
			while (wl > 0 && walked[wl - 1] != '/')
				wl--;
			wl -= wl > 0;
			walked[wl] = 0;
		} else if (!(cl == 1 && s[0] == '.')) {
			wl += (size_t)snprintf(walked + wl, sizeof(walked) - wl, "%s%.*s",
					       wl ? "/" : "", (int)cl, s);
		}
		s = e;
	}
	if (slash && n->vn.kind != VN_DIR)
		return -ENOTDIR;
	return 0;
}

static int follow_vlink(struct task *t, const struct vnode *vn, const char *more, int flags,
			int hops, struct fs_node *n)
{
	if (hops >= FS_MAX_HOPS)
		return -ELOOP;
	char next[FS_PATH_MAX * 2];
	if (cat_path(next, sizeof(next), vn->target, more))
		return -ENAMETOOLONG;
	/* /proc/PID/fd/N of a file that has no path (a pipe, an eventfd):
	 * Linux opens the same object again; the node carries the file. */
	if (vn->file && vn->target[0] != '/') {
		if (*more)
			return -ENOTDIR;
		n->vn = *vn;
		n->vn.file = vn->file;
		file_get(vn->file);
		return 0;
	}
	return lookup_hops(t, next, flags, hops + 1, n);
}

int fs_lookup_dot(struct task *t, int dirfd, const char *name, struct fs_node *n)
{
	size_t len = strlen(name);
	if (dirfd != AT_FDCWD || !len || strspn(name, "./") != len || strstr(name, "..") ||
	    name[0] == '/' || t->proc->cwd_fd < 0)
		return 1;
	snprintf(n->path, sizeof(n->path), "%s", t->proc->cwd);
	n->mount = FS_HOST;
	n->fd = fcntl(t->proc->cwd_fd, F_DUPFD_CLOEXEC, 0);
	return n->fd < 0 ? -errno : 0;
}

int fs_lookup_abs(struct task *t, const char *gpath, int flags, struct fs_node *n)
{
	return lookup_hops(t, gpath, flags, 0, n);
}

int fs_lookup(struct task *t, int dirfd, uint64_t upath, int flags, struct fs_node *n)
{
	char name[FS_PATH_MAX], abs[FS_PATH_MAX * 2];
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	long len = fs_copy_path(t, upath, name, flags & FS_EMPTY_OK);
	if (len < 0)
		return (int)len;
	int e = fs_lookup_dot(t, dirfd, name, n);
	if (e <= 0)
		return e;
	e = fs_join(t, dirfd, name, abs, sizeof(abs));
	return e ? e : fs_lookup_abs(t, abs, flags, n);
}

void fs_map_owner(struct task *t, struct stat *st)
{
	if (st->st_uid == getuid())
		st->st_uid = sentry_uid(t);
	if (st->st_gid == getgid())
		st->st_gid = sentry_gid(t);
}

int fs_node_stat(struct task *t, const struct fs_node *n, struct stat *st)
{
	if (n->mount == FS_HOST) {
		if (fstatat(n->fd, "", st, AT_EMPTY_PATH))
			return -errno;
		fs_map_owner(t, st);
		return 0;
	}
	return vnode_stat(t, &n->vn, st);
}

int fs_lookup_parent(struct task *t, int dirfd, uint64_t upath, struct fs_parent *p)
{
	char name[FS_PATH_MAX], abs[FS_PATH_MAX * 2];
	memset(p, 0, sizeof(*p));
	p->dir.fd = -1;
	long len = fs_copy_path(t, upath, name, false);
	if (len < 0)
		return (int)len;
	int e = fs_join(t, dirfd, name, abs, sizeof(abs));
	return e ? e : fs_parent_abs(t, abs, p);
}

/* The last component and the directory above it (filename_parentat). */
int fs_parent_abs(struct task *t, char *abs, struct fs_parent *p)
{
	memset(p, 0, sizeof(*p));
	p->dir.fd = -1;
	int e;
	size_t l = strlen(abs);
	while (l > 1 && abs[l - 1] == '/')
		abs[--l] = 0, p->slash = true;
	char *cut = strrchr(abs, '/');
	const char *last = cut + 1;
	if (!*last)
		p->last = LAST_ROOT;
	else if (!strcmp(last, "."))
		p->last = LAST_DOT;
	else if (!strcmp(last, ".."))
		p->last = LAST_DOTDOT;
	if (strlen(last) > NAME_MAX)
		return -ENAMETOOLONG;
	snprintf(p->name, sizeof(p->name), "%s", last);
	if (cut == abs)
		cut[1] = 0; /* the parent is the root */
	else
		*cut = 0;
	e = fs_lookup_abs(t, abs, FS_FOLLOW, &p->dir);
	if (e)
		return e;
	struct stat st;
	e = fs_node_stat(t, &p->dir, &st);
	if (!e && !S_ISDIR(st.st_mode))
		e = -ENOTDIR;
	if (e)
		fs_node_put(&p->dir);
	return e;
}
