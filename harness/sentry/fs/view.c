/*
 * The filesystem view: how a guest reaches host files and why it cannot
 * leave its root (S12 with a file system).
 *
 * The confinement argument:
 *
 *  1. The sentry never hands a guest path to a host call that resolves it
 *     from the harness's own root or cwd. Every guest path is resolved by
 *     the host kernel with openat2(root_fd, path, RESOLVE_IN_ROOT |
 *     RESOLVE_NO_MAGICLINKS): the kernel treats root_fd as "/" for the
 *     whole walk, so "..", absolute symlinks and relative symlinks are all
 *     clamped at the root, exactly as a chroot would clamp them, and it
 *     refuses /proc magic links (/proc/self/root, /proc/self/fd/N,
 *     /proc/self/exe of the host) with ELOOP. The kernel checks the walk
 *     atomically against concurrent renames (it fails with EAGAIN when a
 *     ".." could have been raced, which we retry), so a symlink swapped
 *     during the call leads to the old or the new target, both inside.
 *  2. What the walk gives is an O_PATH fd. Every later host call works on
 *     that fd: fstatat(fd, "", AT_EMPTY_PATH), a reopen through the
 *     harness's own /proc/self/fd/N (the object checked is the object
 *     opened), or a *at() call with the fd as the directory and a single
 *     name that is never "." or ".." and whose own symlink, if any, is not
 *     followed by the host (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW, or openat2
 *     with RESOLVE_NO_SYMLINKS). So no host call resolves more than one
 *     component of a guest path outside openat2's confinement.
 *  3. Relative paths and dirfds are turned into absolute guest paths
 *     (path.c) and walked from root_fd again: a guest cwd or dirfd is
 *     only ever a name inside the root, never a host fd that a walk could
 *     start from and climb out of.
 *  4. /proc and /dev are the sentry's own (proc.c, dev.c), recognised by
 *     the path's lexical form; a symlink that leads into the host's /proc
 *     anyway finds an object on a proc file system, which fs_resolve
 *     refuses (ENOENT), and host device nodes, FIFOs and sockets are never
 *     opened (ENXIO): a guest cannot block the sentry on a host FIFO or
 *     reach a host device.
 *  5. Writes: an operation that changes the file system (open for write,
 *     create, unlink, rename, chmod, truncate, utimes) first checks that
 *     the object, or for a name the directory that holds it, lies in a
 *     writable tree, by the host path the kernel reports for the O_PATH
 *     fd; otherwise EROFS, as Linux answers for a read-only mount. Guest
 *     calls run one at a time under the kernel lock, so no guest can move
 *     the object between the check and the call.
 *
 * What the view does not hide: host file contents, owners and times
 * inside the root (it is a view, not a copy), and access checks are the
 * host's for the harness's credentials, whatever uid the guest is shown.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/sentry/fs/view.h"
#include "harness/sentry/sentry.h"

#define RESOLVE_CONFINED (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define RETRIES 16 /* openat2 says EAGAIN when a rename raced a ".." */

static int openat2_confined(int dirfd, const char *path, int flags, mode_t mode,
			    unsigned long extra)
{
	struct open_how how = { .flags = (unsigned)flags | O_CLOEXEC,
				.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
				.resolve = RESOLVE_CONFINED | extra };
	for (int i = 0; i < RETRIES; i++) {
		long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/* Host proc objects and device nodes are never the guest's (the sentry
 * has its own /proc and /dev): FS_FOREIGN, so that the caller can find
 * the sentry's object a host symlink meant (path.c). */
static int refuse_host_proc(int fd)
{
	struct statfs sf;
	struct stat st;
	if ((fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) ||
	    (fstat(fd, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))) {
		close(fd);
		return FS_FOREIGN;
	}
	return fd;
}

/* "/./" and "//" are "/" in any walk: squashed, a joined path (cwd and
 * name) stays within PATH_MAX where the guest's own string did. */
static void squash(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (const char *s = in; *s && n + 1 < len; s++) {
		if (*s == '/' && n && out[n - 1] == '/')
			continue;
		if (*s == '.' && n && out[n - 1] == '/' && (s[1] == '/' || (!s[1] && n > 1)))
			continue; /* a final "/." keeps its slash: still a directory */
		out[n++] = *s;
	}
	out[n] = 0;
}

int fs_resolve(const struct fs_view *v, const char *gpath, bool follow)
{
	char p[PATH_MAX * 3];
	squash(gpath, p, sizeof(p));
	int fd = openat2_confined(v->root_fd, p, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, 0);
	return fd < 0 ? fd : refuse_host_proc(fd);
}

void fs_fd_path(int fd, char *out, size_t len)
{
	snprintf(out, len, "/proc/self/fd/%d", fd);
}

int fs_reopen(int fd, int flags)
{
	char p[64];
	fs_fd_path(fd, p, sizeof(p));
	int r = open(p, (flags & ~(O_CREAT | O_EXCL | __O_TMPFILE)) | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

int fs_resolve_open(const struct fs_view *v, const char *gpath, int flags)
{
	int pfd = fs_resolve(v, gpath, !(flags & O_NOFOLLOW));
	if (pfd < 0)
		return pfd == FS_FOREIGN ? -ENOENT : pfd;
	struct stat st;
	int r = fstat(pfd, &st) ? -errno : 0;
	if (!r && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode) ||
		   S_ISSOCK(st.st_mode)))
		r = -ENXIO;
	if (!r)
		r = fs_reopen(pfd, flags);
	close(pfd);
	return r;
}

int fs_open_below(int dirfd, const char *name, int flags, mode_t mode)
{
	int fd = openat2_confined(dirfd, name, flags, mode, RESOLVE_NO_SYMLINKS);
	fd = fd < 0 ? fd : refuse_host_proc(fd);
	return fd == FS_FOREIGN ? -ENXIO : fd;
}

static ssize_t host_path_of(int fd, char *out, size_t len)
{
	char p[64];
	fs_fd_path(fd, p, sizeof(p));
	ssize_t n = readlink(p, out, len - 1);
	if (n < 0)
		return -errno;
	out[n] = 0;
	return n;
}

static bool below(const char *path, const char *top, size_t toplen)
{
	if (toplen == 0) /* the host's / */
		return path[0] == '/';
	return !strncmp(path, top, toplen) && (path[toplen] == '/' || !path[toplen]);
}

bool fs_writable(const struct fs_view *v, int fd)
{
	char host[PATH_MAX + 16];
	if (host_path_of(fd, host, sizeof(host)) < 0)
		return false;
	for (size_t i = 0; i < v->nrw; i++) /* "" is the host's / */
		if (below(host, v->rw[i], strlen(v->rw[i])))
			return true;
	return false;
}

int fs_guest_path(const struct fs_view *v, int fd, char *out, size_t len)
{
	char host[PATH_MAX + 16];
	ssize_t n = host_path_of(fd, host, sizeof(host));
	if (n < 0)
		return (int)n;
	static const char deleted[] = " (deleted)";
	size_t dl = sizeof(deleted) - 1;
	if ((size_t)n >= dl && !strcmp(host + n - dl, deleted))
		return -ENOENT;
	if (host[0] != '/' || !below(host, v->root, v->root_len))
		return -ENOENT;
	const char *g = host + v->root_len;
	if (snprintf(out, len, "%s", *g ? g : "/") >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int fs_host_to_guest(const struct fs_view *v, const char *host, char *out, size_t len)
{
	char *r = realpath(host, NULL);
	int e = -ENOENT;
	if (r && below(r, v->root, v->root_len))
		e = snprintf(out, len, "%s", r[v->root_len] ? r + v->root_len : "/") < (int)len
			    ? 0
			    : -ENAMETOOLONG;
	free(r);
	return e;
}

/* The mount point is found lexically, component by component, up to it;
 * what follows it is left as written (rest points into gpath), so that
 * a ".." after a symlink of the sentry's trees applies to its target. */
enum fs_mount fs_mount_of(const char *gpath, char *norm, size_t len, const char **rest,
			  bool *trailing_slash)
{
	static const struct {
		const char *top;
		enum fs_mount m;
	} mounts[] = {
		{ "/dev", FS_DEV },
		{ "/proc", FS_PROC },
	};
	size_t n = 0, plen = strlen(gpath);
	*trailing_slash = plen > 1 && gpath[plen - 1] == '/';
	norm[0] = 0;
	for (const char *s = gpath; *s;) {
		while (*s == '/')
			s++;
		const char *e = strchrnul(s, '/');
		size_t cl = (size_t)(e - s);
		if (cl == 0 || (cl == 1 && s[0] == '.')) {
			/* nothing */
		} else if (cl == 2 && s[0] == '.' && s[1] == '.') {
			while (n > 0 && norm[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the slash; never above the root */
		} else if (n + cl + 2 < len) {
			norm[n++] = '/';
			memcpy(norm + n, s, cl);
			n += cl;
		}
		norm[n] = 0;
		s = e;
		for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++)
			if (!strcmp(norm, mounts[i].top)) {
				while (*s == '/')
					s++;
				*rest = s;
				return mounts[i].m;
			}
	}
	if (!n)
		norm[0] = '/', norm[1] = 0;
	*rest = norm;
	return FS_HOST;
}

static int view_error(char *err, size_t errlen, const char *dir, const char *what)
{
	snprintf(err, errlen, "%s: %s", dir, what);
	return -1;
}

/* The guest sees the sentry's /dev and /proc, never the host's trees
 * there (a TMPDIR of /dev/shm, say). */
static bool hidden_by_own_tree(const char *guest_path)
{
	char norm[PATH_MAX];
	const char *rest;
	bool slash;
	return fs_mount_of(guest_path[0] ? guest_path : "/", norm, sizeof(norm), &rest, &slash) !=
	       FS_HOST;
}

/* realpath, with "" for the host's / so that prefixes compose. */
static int host_dir(const char *dir, char *out, char *err, size_t errlen)
{
	char *r = realpath(dir, NULL);
	struct stat st;
	if (!r || stat(r, &st) || !S_ISDIR(st.st_mode)) {
		free(r);
		return view_error(err, errlen, dir, r ? "not a directory" : strerror(errno));
	}
	snprintf(out, PATH_MAX, "%s", strcmp(r, "/") ? r : "");
	free(r);
	return 0;
}

int fs_view_open(struct fs_view *v, const struct sentry_fs *cfg, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	v->root_fd = -1;
	if (host_dir(cfg->root, v->root, err, errlen))
		return -1;
	v->root_len = strlen(v->root);
	v->root_fd = open(v->root_len ? v->root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (v->root_fd < 0)
		return view_error(err, errlen, cfg->root, strerror(errno));
	v->rw = calloc(cfg->nrw + 1, sizeof(*v->rw));
	if (!v->rw)
		return view_error(err, errlen, cfg->root, "out of memory");
	char p[PATH_MAX];
	for (size_t i = 0; i < cfg->nrw; i++) {
		if (host_dir(cfg->rw[i], p, err, errlen))
			return -1;
		if (!below(p[0] ? p : "/", v->root, v->root_len))
			return view_error(err, errlen, cfg->rw[i],
					  "a writable tree must lie inside the root");
		if (hidden_by_own_tree(p + v->root_len))
			return view_error(err, errlen, cfg->rw[i],
					  "a writable tree under /dev or /proc is hidden by the "
					  "sentry's own (for cases: set TMPDIR elsewhere)");
		if (!(v->rw[v->nrw++] = strdup(p)))
			return view_error(err, errlen, cfg->rw[i], "out of memory");
	}
	/* The guest's umask is emulated; the host must not apply the
	 * harness's own on top of it (this process serves only the guest). */
	v->umask = umask(0);
	strcpy(v->cwd, "/");
	if (cfg->cwd && host_dir(cfg->cwd, p, err, errlen) == 0 && p[0] &&
	    below(p, v->root, v->root_len) && p[v->root_len])
		snprintf(v->cwd, sizeof(v->cwd), "%s", p + v->root_len);
	return 0;
}

void fs_view_close(struct fs_view *v)
{
	if (v->root_fd >= 0)
		close(v->root_fd);
	for (size_t i = 0; i < v->nrw; i++)
		free(v->rw[i]);
	free(v->rw);
	v->rw = NULL;
	v->nrw = 0;
	v->root_fd = -1;
}
