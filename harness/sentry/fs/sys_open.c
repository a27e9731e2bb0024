/* The calls that open, look at and move around the file system of the
 * view: open/openat/creat, getdents64, the stat family, readlink,
 * access, statfs, getcwd/chdir/fchdir and umask. Errors come in Linux's
 * order: the path (EFAULT, ENAMETOOLONG, ENOENT, ENOTDIR, ELOOP), then the
 * object (EEXIST, EISDIR, ENOTDIR), then the mount (EROFS). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/sentry/fs/fs.h"
#include "harness/sentry/fs/sys.h"

/* What F_GETFL shows: the open flags less the ones that only act at open
 * time; O_LARGEFILE is forced on 64-bit (force_o_largefile). */
static int kept_flags(int flags)
{
	return (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | FS_O_LARGEFILE;
}

static long install_new(struct task *t, struct file *f, int flags)
{
	int fd = file_install(t, f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long install_host(struct task *t, int host_fd, int flags)
{
	struct file *f = hostfile_new(host_fd, kept_flags(flags));
	if (!f) {
		close(host_fd);
		return -ENOMEM;
	}
	return install_new(t, f, flags);
}

static bool is_special(mode_t m)
{
	return S_ISCHR(m) || S_ISBLK(m) || S_ISFIFO(m) || S_ISSOCK(m);
}

static long open_abs(struct task *t, const char *abs, int flags, mode_t mode, int hops);

/* O_CREAT of a name that does not exist: in the directory above it, if
 * that lies in a writable tree. A dangling symlink is followed to create
 * its target, as Linux does. */
static long open_create(struct task *t, const char *abs, int flags, mode_t mode, int hops)
{
	struct fs_parent p;
	char copy[FS_PATH_MAX * 2];
	snprintf(copy, sizeof(copy), "%s", abs);
	int e = fs_parent_abs(t, copy, &p);
	if (e)
		return e;
	struct stat st;
	long r;
	if (p.last != LAST_NORM || p.slash) {
		r = -EISDIR;
	} else if (p.dir.mount != FS_HOST) {
		r = -EACCES;
	} else if (!fstatat(p.dir.fd, p.name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (!S_ISLNK(st.st_mode) || (flags & (O_EXCL | O_NOFOLLOW))) {
			r = S_ISLNK(st.st_mode) && !(flags & O_EXCL) ? -ELOOP : -EEXIST;
		} else if (hops >= FS_MAX_HOPS) {
			r = -ELOOP;
		} else {
			char target[FS_PATH_MAX], next[FS_PATH_MAX * 3 + 2];
			ssize_t n = readlinkat(p.dir.fd, p.name, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = 0;
			snprintf(next, sizeof(next), "%s%s%s", target[0] == '/' ? "" : p.dir.path,
				 target[0] == '/' || !strcmp(p.dir.path, "/") ? "" : "/", target);
			r = n < 0 ? -errno : open_abs(t, next, flags, mode, hops + 1);
		}
	} else if (!fs_writable(fs_view_of(t), p.dir.fd)) {
		r = -EROFS;
	} else {
		int fd = fs_open_below(p.dir.fd, p.name, flags & ~O_CLOEXEC,
				       mode & ~t->proc->umask & 07777);
		r = fd < 0 ? fd : install_host(t, fd, flags);
	}
	fs_node_put(&p.dir);
	return r;
}

static long open_host(struct task *t, struct fs_node *n, int flags)
{
	struct stat st;
	if (fstat(n->fd, &st))
		return -errno;
	int acc = flags & O_ACCMODE;
	bool wr = acc != O_RDONLY || (flags & O_TRUNC);
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (flags & O_PATH) {
		int fd = n->fd;
		n->fd = -1;
		return install_host(t, fd, flags & (O_PATH | O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY));
	}
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (S_ISDIR(st.st_mode) && (acc != O_RDONLY || (flags & O_CREAT)))
		return -EISDIR;
	if (is_special(st.st_mode))
		return -ENXIO; /* no host device, FIFO or socket (view.c, point 4) */
	if ((flags & __O_TMPFILE) == __O_TMPFILE) {
		if (!fs_writable(fs_view_of(t), n->fd))
			return -EROFS;
		int fd = openat(n->fd, ".", (flags & ~O_CLOEXEC) | O_CLOEXEC,
				0600 & ~t->proc->umask);
		return fd < 0 ? -errno : install_host(t, fd, flags);
	}
	if (wr && !fs_writable(fs_view_of(t), n->fd))
		return -EROFS;
	int fd = fs_reopen(n->fd, flags & ~(O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
	return fd < 0 ? fd : install_host(t, fd, flags);
}

static long open_abs(struct task *t, const char *abs, int flags, mode_t mode, int hops)
{
	struct fs_node n;
	bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	int e = fs_lookup_abs(t, abs, (flags & O_NOFOLLOW) || excl ? 0 : FS_FOLLOW, &n);
	long r;
	if (e == -ENOENT && (flags & O_CREAT) && !((flags & __O_TMPFILE) == __O_TMPFILE))
		r = open_create(t, abs, flags, mode, hops);
	else if (e)
		r = e;
	else if (n.mount == FS_HOST)
		r = open_host(t, &n, flags);
	else if (excl)
		r = -EEXIST;
	else {
		struct file *f;
		r = vnode_open(t, &n, flags, &f);
		if (!r)
			r = install_new(t, f, flags);
	}
	fs_node_put(&n);
	return r;
}

static long do_open(struct task *t, int dirfd, uint64_t upath, int flags, mode_t mode)
{
	char name[FS_PATH_MAX], abs[FS_PATH_MAX * 2];
	long len = fs_copy_path(t, upath, name, false);
	if (len < 0)
		return len;
	if ((flags & __O_TMPFILE) == __O_TMPFILE &&
	    (!(flags & O_DIRECTORY) || (flags & O_ACCMODE) == O_RDONLY))
		return -EINVAL;
	struct fs_node n = { .fd = -1 };
	int e = fs_lookup_dot(t, dirfd, name, &n);
	if (e <= 0) {
		long r = e ? e : open_host(t, &n, flags);
		fs_node_put(&n);
		return r;
	}
	e = fs_join(t, dirfd, name, abs, sizeof(abs));
	return e ? e : open_abs(t, abs, flags, mode, 0);
}

long fs_sys_open(struct task *t, const uint64_t *a)
{
	return do_open(t, AT_FDCWD, a[0], (int)a[1], (mode_t)a[2]);
}

long fs_sys_openat(struct task *t, const uint64_t *a)
{
	return do_open(t, (int)a[0], a[1], (int)a[2], (mode_t)a[3]);
}

long fs_sys_creat(struct task *t, const uint64_t *a)
{
	return do_open(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a[1]);
}

long fs_sys_getdents64(struct task *t, const uint64_t *a)
{
	struct file *f = file_of(t, a[0]);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (f->kind != FILE_OPS || !f->ops->getdents)
		return -ENOTDIR;
	size_t len = a[2] > (1u << 20) ? 1u << 20 : (size_t)a[2];
	char *buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	long r = f->ops->getdents(t, f, buf, len);
	if (r > 0 && copy_out(t, a[1], buf, (size_t)r))
		r = -EFAULT;
	free(buf);
	return r;
}

/* ---- stat ---- */

/* The stat of an open file, as fstat gives it. */
static int fd_stat(struct task *t, int fd, struct stat *st)
{
	struct file *f = fd == AT_FDCWD ? NULL : file_of(t, (uint64_t)(unsigned)fd);
	if (fd == AT_FDCWD) {
		struct fs_node n;
		int e = fs_lookup_abs(t, t->proc->cwd, FS_FOLLOW, &n);
		if (!e)
			e = fs_node_stat(t, &n, st);
		fs_node_put(&n);
		return e;
	}
	if (!f)
		return -EBADF;
	memset(st, 0, sizeof(*st));
	if (f->kind != FILE_OPS) {
		file_stat_builtin(f, st);
		return 0;
	}
	return f->ops->stat ? f->ops->stat(t, f, st) : -EINVAL;
}

/* fstatat's lookup: AT_EMPTY_PATH with "" is the dirfd itself. */
static int stat_at(struct task *t, int dirfd, uint64_t upath, int flags, struct stat *st)
{
	char name[FS_PATH_MAX];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	long len = fs_copy_path(t, upath, name, flags & AT_EMPTY_PATH);
	if (len < 0)
		return (int)len;
	if (!len)
		return fd_stat(t, dirfd, st);
	struct fs_node n;
	int e = fs_lookup(t, dirfd, upath, flags & AT_SYMLINK_NOFOLLOW ? 0 : FS_FOLLOW, &n);
	if (!e)
		e = fs_node_stat(t, &n, st);
	fs_node_put(&n);
	return e;
}

static long stat_out(struct task *t, int e, const struct stat *st, uint64_t buf)
{
	if (e)
		return e;
	return copy_out(t, buf, st, sizeof(*st)) ? -EFAULT : 0;
}

long fs_sys_newfstatat(struct task *t, const uint64_t *a)
{
	struct stat st;
	if (a[3] & AT_STATX_SYNC_TYPE)
		return -EINVAL;
	return stat_out(t, stat_at(t, (int)a[0], a[1], (int)a[3], &st), &st, a[2]);
}

long fs_sys_stat(struct task *t, const uint64_t *a)
{
	struct stat st;
	return stat_out(t, stat_at(t, AT_FDCWD, a[0], 0, &st), &st, a[1]);
}

long fs_sys_lstat(struct task *t, const uint64_t *a)
{
	struct stat st;
	return stat_out(t, stat_at(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, &st), &st, a[1]);
}

long fs_sys_statx(struct task *t, const uint64_t *a)
{
	int flags = (int)a[2];
	unsigned mask = (unsigned)a[3];
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
		return -EINVAL;
	struct stat st;
	int e = stat_at(t, (int)a[0], a[1], flags, &st);
	if (e)
		return e;
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime =
		(struct statx_timestamp){ st.st_atim.tv_sec, (uint32_t)st.st_atim.tv_nsec, 0 };
	sx.stx_mtime =
		(struct statx_timestamp){ st.st_mtim.tv_sec, (uint32_t)st.st_mtim.tv_nsec, 0 };
	sx.stx_ctime =
		(struct statx_timestamp){ st.st_ctim.tv_sec, (uint32_t)st.st_ctim.tv_nsec, 0 };
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return copy_out(t, a[4], &sx, sizeof(sx)) ? -EFAULT : 0;
}

/* ---- readlink, access, statfs ---- */

static long do_readlink(struct task *t, int dirfd, uint64_t upath, uint64_t buf, int64_t size)
{
	if (size <= 0)
		return -EINVAL;
	char name[FS_PATH_MAX];
	long len = fs_copy_path(t, upath, name, true);
	if (len < 0)
		return len;
	if (!len)
		return -ENOENT; /* "" names the dirfd, never a symlink here */
	struct fs_node n;
	int e = fs_lookup(t, dirfd, upath, 0, &n);
	char target[FS_PATH_MAX];
	long r;
	if (e) {
		r = e;
	} else if (n.mount == FS_HOST) {
		struct stat st;
		ssize_t k = fstatat(n.fd, "", &st, AT_EMPTY_PATH) ? -1 : 0;
		if (k || !S_ISLNK(st.st_mode))
			r = k ? -errno : -EINVAL;
		else if ((k = readlinkat(n.fd, "", target, sizeof(target))) < 0)
			r = -errno;
		else
			r = k;
	} else if (n.vn.kind != VN_LINK) {
		r = -EINVAL;
	} else {
		/* /proc/self reads as the pid, the way Linux shows it. */
		const char *s =
			!strcmp(n.vn.what, "self") ? strrchr(n.vn.target, '/') + 1 : n.vn.target;
		r = (long)strlen(s);
		memcpy(target, s, (size_t)r);
	}
	fs_node_put(&n);
	if (r < 0)
		return r;
	if (r > size)
		r = size;
	return copy_out(t, buf, target, (size_t)r) ? -EFAULT : r;
}

long fs_sys_readlink(struct task *t, const uint64_t *a)
{
	return do_readlink(t, AT_FDCWD, a[0], a[1], (int)a[2]);
}

long fs_sys_readlinkat(struct task *t, const uint64_t *a)
{
	return do_readlink(t, (int)a[0], a[1], a[2], (int)a[3]);
}

static long do_access(struct task *t, int dirfd, uint64_t upath, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	char name[FS_PATH_MAX];
	long len = fs_copy_path(t, upath, name, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;
	struct fs_node n;
	int e = len ? fs_lookup(t, dirfd, upath, flags & AT_SYMLINK_NOFOLLOW ? 0 : FS_FOLLOW, &n)
		    : fs_lookup_abs(t, t->proc->cwd, FS_FOLLOW, &n);
	if (!len && dirfd != AT_FDCWD) {
		fs_node_put(&n);
		struct stat st;
		return fd_stat(t, dirfd, &st); /* the fd exists: its file is there */
	}
	if (e)
		return e;
	struct stat st;
	long r = fs_node_stat(t, &n, &st);
	if (!r && n.mount == FS_HOST) {
		if ((mode & W_OK) && !is_special(st.st_mode) && !fs_writable(fs_view_of(t), n.fd))
			r = -EROFS;
		else if (!S_ISLNK(st.st_mode) && syscall(SYS_faccessat2, n.fd, "", mode,
							 AT_EMPTY_PATH | (flags & AT_EACCESS)))
			r = -errno;
	} else if (!r) {
		/* The sentry's trees: permissions as their modes say; the
		 * owner is root, so only the "other" bits count for the
		 * guest, as they would for uid 1000. */
		if ((mode & W_OK) && n.mount == FS_PROC)
			r = -EACCES;
		else if ((mode & X_OK) && !(st.st_mode & S_IXOTH))
			r = -EACCES;
	}
	fs_node_put(&n);
	return r;
}

long fs_sys_access(struct task *t, const uint64_t *a)
{
	return do_access(t, AT_FDCWD, a[0], (int)a[1], 0);
}

long fs_sys_faccessat(struct task *t, const uint64_t *a)
{
	return do_access(t, (int)a[0], a[1], (int)a[2], 0);
}

long fs_sys_faccessat2(struct task *t, const uint64_t *a)
{
	return do_access(t, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

/* The read-only flag is the view's: a tree outside --rw is a read-only
 * mount to the guest. */
static int node_statfs(struct task *t, struct fs_node *n, struct statfs *sf)
{
	memset(sf, 0, sizeof(*sf));
	if (n->mount != FS_HOST) {
		sf->f_type = n->mount == FS_PROC ? PROC_SUPER_MAGIC : TMPFS_MAGIC;
		sf->f_bsize = sf->f_frsize = 4096;
		sf->f_namelen = 255;
		sf->f_flags = ST_NOSUID | ST_NOEXEC;
		return 0;
	}
	if (fstatfs(n->fd, sf))
		return -errno;
	if (!fs_writable(fs_view_of(t), n->fd))
		sf->f_flags |= ST_RDONLY;
	return 0;
}

long fs_sys_statfs(struct task *t, const uint64_t *a)
{
	struct fs_node n;
	struct statfs sf;
	int e = fs_lookup(t, AT_FDCWD, a[0], FS_FOLLOW, &n);
	if (!e)
		e = node_statfs(t, &n, &sf);
	fs_node_put(&n);
	if (e)
		return e;
	return copy_out(t, a[1], &sf, sizeof(sf)) ? -EFAULT : 0;
}

long fs_sys_fstatfs(struct task *t, const uint64_t *a)
{
	struct file *f = file_of(t, a[0]);
	if (!f)
		return -EBADF;
	struct fs_node n = { .mount = FS_HOST, .fd = -1 };
	struct statfs sf;
	char path[FS_PATH_MAX];
	int e;
	if (hostfile_is(f)) {
		n.fd = f->host_fd;
		e = node_statfs(t, &n, &sf);
	} else if (!file_guest_path(t, f, path, sizeof(path), false)) {
		e = fs_lookup_abs(t, path, FS_FOLLOW, &n);
		if (!e)
			e = node_statfs(t, &n, &sf);
		fs_node_put(&n);
	} else {
		memset(&sf, 0, sizeof(sf));
		sf.f_type = PIPEFS_MAGIC;
		sf.f_bsize = sf.f_frsize = 4096;
		sf.f_namelen = 255;
		e = 0;
	}
	if (e)
		return e;
	return copy_out(t, a[1], &sf, sizeof(sf)) ? -EFAULT : 0;
}

/* ---- the working directory ---- */

long fs_sys_getcwd(struct task *t, const uint64_t *a)
{
	char now[FS_PATH_MAX];
	struct fs_node n;
	int e = t->proc->cwd_fd >= 0
			? fs_guest_path(fs_view_of(t), t->proc->cwd_fd, now, sizeof(now))
			: fs_lookup_abs(t, t->proc->cwd, FS_FOLLOW, &n);
	if (t->proc->cwd_fd < 0)
		fs_node_put(&n);
	if (e)
		return -ENOENT; /* removed: Linux says ENOENT */
	size_t len = strlen(t->proc->cwd) + 1;
	if (a[1] < len)
		return -ERANGE;
	return copy_out(t, a[0], t->proc->cwd, len) ? -EFAULT : (long)len;
}

/* The working directory is kept as a guest path: the node's canonical
 * one (symlinks resolved, as getcwd shows it). */
static long set_cwd(struct task *t, struct fs_node *n)
{
	struct stat st;
	int e = fs_node_stat(t, n, &st);
	if (e)
		return e;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	char path[FS_PATH_MAX * 2];
	if (n->mount == FS_HOST) {
		if (syscall(SYS_faccessat2, n->fd, "", X_OK, AT_EMPTY_PATH))
			return -errno;
		e = fs_guest_path(fs_view_of(t), n->fd, path, sizeof(path));
	} else {
		const char *rest;
		bool slash;
		fs_mount_of(n->path, path, sizeof(path), &rest, &slash);
	}
	if (e)
		return e;
	if (strlen(path) >= sizeof(t->proc->cwd))
		return -ENAMETOOLONG;
	snprintf(t->proc->cwd, sizeof(t->proc->cwd), "%s", path);
	if (t->proc->cwd_fd >= 0)
		close(t->proc->cwd_fd);
	t->proc->cwd_fd = n->mount == FS_HOST ? fcntl(n->fd, F_DUPFD_CLOEXEC, 0) : -1;
	return 0;
}

long fs_sys_chdir(struct task *t, const uint64_t *a)
{
	struct fs_node n;
	int e = fs_lookup(t, AT_FDCWD, a[0], FS_FOLLOW, &n);
	long r = e ? e : set_cwd(t, &n);
	fs_node_put(&n);
	return r;
}

long fs_sys_fchdir(struct task *t, const uint64_t *a)
{
	struct file *f = file_of(t, a[0]);
	char path[FS_PATH_MAX];
	if (!f)
		return -EBADF;
	int e = file_guest_path(t, f, path, sizeof(path), true);
	if (e)
		return e;
	struct fs_node n;
	e = fs_lookup_abs(t, path, FS_FOLLOW, &n);
	long r = e ? e : set_cwd(t, &n);
	fs_node_put(&n);
	return r;
}

long fs_sys_umask(struct task *t, const uint64_t *a)
{
	unsigned old = t->proc->umask;
	t->proc->umask = (unsigned)a[0] & 0777;
	return old;
}
