/* The filesystem view: a host directory the guest sees as its /, read-only
 * but for the writable trees (harness run --root, --rw; a case's "fs:"
 * key). How it stays confined is explained at the top of view.c.
 *
 * Guest paths are always absolute here (path.c joins them with the cwd or
 * a dirfd first). Two trees are the sentry's own and never the host's:
 * /dev (dev.c) and /proc (proc.c); fs_mount_of() tells them apart. */
#ifndef HARNESS_SENTRY_FS_VIEW_H
#define HARNESS_SENTRY_FS_VIEW_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sentry_fs;

struct fs_view {
	int root_fd;         /* O_PATH: the guest's / */
	char root[PATH_MAX]; /* its host path, "" for the host's / */
	size_t root_len;
	size_t nrw;
	char **rw;          /* host paths of the writable trees */
	char cwd[PATH_MAX]; /* the first process's working directory (guest) */
	unsigned umask;     /* the first process's umask: the harness's */
};

/* 0, or -1 with one line naming the directory and the problem in err. */
int fs_view_open(struct fs_view *v, const struct sentry_fs *cfg, char *err, size_t errlen);
void fs_view_close(struct fs_view *v);

/* The host walk ended on a host proc object or device node: never the
 * guest's. A walk that meant the sentry's own /proc or /dev through a
 * host symlink is redone one component at a time (path.c). */
#define FS_FOREIGN (-EXDEV)

/* An O_PATH fd (close-on-exec) for the guest path gpath, resolved by the
 * host kernel inside the root; follow: the last component's symlink is
 * followed. -errno as Linux gives it for the path (ENOENT, ENOTDIR,
 * ELOOP, ENAMETOOLONG, EACCES), or FS_FOREIGN. */
int fs_resolve(const struct fs_view *v, const char *gpath, bool follow);
/* The same for an fd opened with flags (O_ACCMODE, O_DIRECTORY, ...),
 * never creating: reopens nothing, resolves once. */
int fs_resolve_open(const struct fs_view *v, const char *gpath, int flags);
/* Opens name (one component, never "." or "..") below the directory fd
 * dirfd with flags and mode, confined as fs_resolve is. */
int fs_open_below(int dirfd, const char *name, int flags, mode_t mode);
/* Reopens an O_PATH fd with flags (through the harness's own
 * /proc/self/fd): the object checked is the object opened. */
int fs_reopen(int fd, int flags);

/* True when the object behind fd lies in a writable tree. */
bool fs_writable(const struct fs_view *v, int fd);
/* The guest path of the object behind fd; -ENOENT when it is no longer
 * reachable inside the root (deleted, or moved out by the host). */
int fs_guest_path(const struct fs_view *v, int fd, char *out, size_t len);
/* The guest path of a host path (the first program's name). */
int fs_host_to_guest(const struct fs_view *v, const char *host, char *out, size_t len);
/* A host path for fd that the harness may hand to path-taking calls
 * ("/proc/self/fd/N"). */
void fs_fd_path(int fd, char *out, size_t len);

enum fs_mount { FS_HOST, FS_DEV, FS_PROC };
/* Which tree gpath lies in, by its lexical form; *rest: the part below
 * the mount point ("" for the mount point itself, "null" for /dev/null),
 * pointing into norm, which receives the normalised path. trailing_slash
 * is set when the path ended in '/'. */
enum fs_mount fs_mount_of(const char *gpath, char *norm, size_t len, const char **rest,
			  bool *trailing_slash);

#endif
