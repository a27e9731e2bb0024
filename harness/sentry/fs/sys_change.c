/* The calls that change the file system of the view: mkdir, unlink,
 * rmdir, rename, symlink, link, chmod, truncate, utimensat, and the fd
 * calls fchmod, ftruncate, fsync. Each names a host object only by an
 * O_PATH fd from the view, or by one plain component below such a
 * directory fd, never followed by the host (view.c, point 2); and each
 * checks the writable trees first (point 5), where Linux checks a
 * read-only mount. The sentry's /dev and /proc cannot be changed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/sentry/fs/fs.h"
#include "harness/sentry/fs/sys.h"

static bool writable_dir(struct task *t, const struct fs_parent *p)
{
	return p->dir.mount == FS_HOST && fs_writable(fs_view_of(t), p->dir.fd);
}

static long host_errno(int r)
{
	return r ? -errno : 0;
}

/* filename_create: the name must be new (EEXIST before EROFS). */
static long create_check(struct task *t, struct fs_parent *p, bool dir)
{
	struct stat st;
	if (p->last != LAST_NORM)
		return -EEXIST;
	if (p->dir.mount == FS_HOST && !fstatat(p->dir.fd, p->name, &st, AT_SYMLINK_NOFOLLOW))
		return -EEXIST;
	if (p->dir.mount != FS_HOST) {
		struct fs_node n;
		char path[FS_PATH_MAX * 2 + NAME_MAX + 2];
		snprintf(path, sizeof(path), "%s/%s", p->dir.path, p->name);
		int e = fs_lookup_abs(t, path, 0, &n);
		fs_node_put(&n);
		return e ? -EROFS : -EEXIST;
	}
	if (p->slash && !dir)
		return -ENOENT;
	return writable_dir(t, p) ? 0 : -EROFS;
}

static long do_mkdir(struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
	struct fs_parent p;
	int e = fs_lookup_parent(t, dirfd, upath, &p);
	if (e)
		return e;
	long r = create_check(t, &p, true);
	if (!r)
		r = host_errno(mkdirat(p.dir.fd, p.name, mode & ~t->proc->umask & 07777));
	fs_node_put(&p.dir);
	return r;
}

long fs_sys_mkdir(struct task *t, const uint64_t *a)
{
	return do_mkdir(t, AT_FDCWD, a[0], (mode_t)a[1]);
}
long fs_sys_mkdirat(struct task *t, const uint64_t *a)
{
	return do_mkdir(t, (int)a[0], a[1], (mode_t)a[2]);
}

/* do_unlinkat and do_rmdir: the name's kind, then the mount (EROFS
 * comes before the name is looked at), then the host's answer. */
static long do_unlink(struct task *t, int dirfd, uint64_t upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	bool rmdir = flags & AT_REMOVEDIR;
	struct fs_parent p;
	int e = fs_lookup_parent(t, dirfd, upath, &p);
	if (e)
		return e;
	struct stat st;
	long r = 0;
	if (p.last != LAST_NORM)
		r = !rmdir                  ? -EISDIR
		    : p.last == LAST_DOT    ? -EINVAL
		    : p.last == LAST_DOTDOT ? -ENOTEMPTY
					    : -EBUSY;
	else if (!writable_dir(t, &p))
		r = -EROFS;
	else if (p.slash && !rmdir)
		r = fstatat(p.dir.fd, p.name, &st, AT_SYMLINK_NOFOLLOW) ? -ENOENT
		    : S_ISDIR(st.st_mode)                               ? -EISDIR
									: -ENOTDIR;
	else
		r = host_errno(unlinkat(p.dir.fd, p.name, flags));
	fs_node_put(&p.dir);
	return r;
}

long fs_sys_unlink(struct task *t, const uint64_t *a)
{
	return do_unlink(t, AT_FDCWD, a[0], 0);
}
long fs_sys_rmdir(struct task *t, const uint64_t *a)
{
	return do_unlink(t, AT_FDCWD, a[0], AT_REMOVEDIR);
}
long fs_sys_unlinkat(struct task *t, const uint64_t *a)
{
	return do_unlink(t, (int)a[0], a[1], (int)a[2]);
}

/* Two trees of the view are two mounts to the guest: a rename or link
 * between a writable and a read-only one is EXDEV, as across mounts. */
static long two_trees(struct task *t, const struct fs_node *a, const struct fs_node *b)
{
	bool wa = a->mount == FS_HOST && fs_writable(fs_view_of(t), a->fd);
	bool wb = b->mount == FS_HOST && fs_writable(fs_view_of(t), b->fd);
	if (wa != wb || a->mount != b->mount)
		return -EXDEV;
	return wa ? 0 : -EROFS;
}

static long do_rename(struct task *t, int od, uint64_t op, int nd, uint64_t np, unsigned flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	struct fs_parent o, n;
	int e = fs_lookup_parent(t, od, op, &o);
	if (e)
		return e;
	e = fs_lookup_parent(t, nd, np, &n);
	if (e) {
		fs_node_put(&o.dir);
		return e;
	}
	struct stat st;
	long r = two_trees(t, &o.dir, &n.dir);
	if (r == -EXDEV)
		;
	else if (o.last != LAST_NORM || n.last != LAST_NORM)
		r = -EBUSY;
	else if (!r && (o.slash || n.slash) &&
		 !fstatat(o.dir.fd, o.name, &st, AT_SYMLINK_NOFOLLOW) && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	else if (!r)
		r = host_errno(renameat2(o.dir.fd, o.name, n.dir.fd, n.name, flags));
	fs_node_put(&o.dir);
	fs_node_put(&n.dir);
	return r;
}

long fs_sys_rename(struct task *t, const uint64_t *a)
{
	return do_rename(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

long fs_sys_renameat(struct task *t, const uint64_t *a)
{
	return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], 0);
}

long fs_sys_renameat2(struct task *t, const uint64_t *a)
{
	return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], (unsigned)a[4]);
}

static long do_symlink(struct task *t, uint64_t utarget, int nd, uint64_t np)
{
	char target[FS_PATH_MAX];
	long len = fs_copy_path(t, utarget, target, false);
	if (len < 0)
		return len;
	struct fs_parent p;
	int e = fs_lookup_parent(t, nd, np, &p);
	if (e)
		return e;
	long r = create_check(t, &p, false);
	if (!r)
		r = host_errno(symlinkat(target, p.dir.fd, p.name));
	fs_node_put(&p.dir);
	return r;
}

long fs_sys_symlink(struct task *t, const uint64_t *a)
{
	return do_symlink(t, a[0], AT_FDCWD, a[1]);
}
long fs_sys_symlinkat(struct task *t, const uint64_t *a)
{
	return do_symlink(t, a[0], (int)a[1], a[2]);
}

static long do_link(struct task *t, int od, uint64_t op, int nd, uint64_t np, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct fs_node o;
	int e = fs_lookup(t, od, op,
			  (flags & AT_SYMLINK_FOLLOW ? FS_FOLLOW : 0) |
				  (flags & AT_EMPTY_PATH ? FS_EMPTY_OK : 0),
			  &o);
	if (e)
		return e;
	struct fs_parent p;
	e = fs_lookup_parent(t, nd, np, &p);
	if (e) {
		fs_node_put(&o);
		return e;
	}
	struct stat st;
	long r = create_check(t, &p, false);
	if (r == -EROFS || !r)
		r = two_trees(t, &o, &p.dir);
	if (!r && (r = fs_node_stat(t, &o, &st)) == 0 && S_ISDIR(st.st_mode))
		r = -EPERM;
	if (!r) {
		char src[64];
		fs_fd_path(o.fd, src, sizeof(src));
		/* The harness's own magic link lands on the object itself and
		 * goes no further, even for a symlink (view.c, point 2). */
		r = host_errno(linkat(AT_FDCWD, src, p.dir.fd, p.name, AT_SYMLINK_FOLLOW));
	}
	fs_node_put(&o);
	fs_node_put(&p.dir);
	return r;
}

long fs_sys_link(struct task *t, const uint64_t *a)
{
	return do_link(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

long fs_sys_linkat(struct task *t, const uint64_t *a)
{
	return do_link(t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]);
}

/* A path the call changes in place: looked up (following), then EROFS
 * outside the writable trees. */
static int changeable(struct task *t, int dirfd, uint64_t upath, int flags, struct fs_node *n)
{
	int e = fs_lookup(t, dirfd, upath, flags, n);
	if (e)
		return e;
	if (n->mount != FS_HOST || !fs_writable(fs_view_of(t), n->fd)) {
		fs_node_put(n);
		return n->mount == FS_PROC ? -EACCES : -EROFS;
	}
	return 0;
}

static long do_chmod(struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
	struct fs_node n;
	int e = changeable(t, dirfd, upath, FS_FOLLOW, &n);
	if (e)
		return e;
	char p[64];
	fs_fd_path(n.fd, p, sizeof(p));
	long r = host_errno(chmod(p, mode & 07777));
	fs_node_put(&n);
	return r;
}

long fs_sys_chmod(struct task *t, const uint64_t *a)
{
	return do_chmod(t, AT_FDCWD, a[0], (mode_t)a[1]);
}
long fs_sys_fchmodat(struct task *t, const uint64_t *a)
{
	return do_chmod(t, (int)a[0], a[1], (mode_t)a[2]);
}

/* An fd's object: a host file, its writable-tree check. */
static long fd_change(struct task *t, uint64_t fd, struct file **out)
{
	struct file *f = file_of(t, fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	*out = f;
	if (!hostfile_is(f))
		return 1;
	return fs_writable(fs_view_of(t), f->host_fd) ? 0 : -EROFS;
}

long fs_sys_fchmod(struct task *t, const uint64_t *a)
{
	struct file *f;
	long r = fd_change(t, a[0], &f);
	if (r == 1)
		return 0; /* a pipe's or a device's mode: nothing to keep */
	return r ? r : host_errno(fchmod(f->host_fd, (mode_t)a[1] & 07777));
}

long fs_sys_ftruncate(struct task *t, const uint64_t *a)
{
	struct file *f;
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	long r = fd_change(t, a[0], &f);
	if (r == 1 || (!r && (f->flags & O_ACCMODE) == O_RDONLY))
		return -EINVAL;
	return r ? r : host_errno(ftruncate(f->host_fd, (off_t)a[1]));
}

long fs_sys_truncate(struct task *t, const uint64_t *a)
{
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	struct fs_node n;
	int e = fs_lookup(t, AT_FDCWD, a[0], FS_FOLLOW, &n);
	if (e)
		return e;
	struct stat st;
	long r = fs_node_stat(t, &n, &st);
	if (!r && S_ISDIR(st.st_mode))
		r = -EISDIR;
	else if (!r && (n.mount != FS_HOST || !fs_writable(fs_view_of(t), n.fd)))
		r = n.mount == FS_PROC ? -EACCES : -EROFS;
	else if (!r && !S_ISREG(st.st_mode))
		r = -EINVAL;
	if (!r) {
		char p[64];
		fs_fd_path(n.fd, p, sizeof(p));
		r = host_errno(truncate(p, (off_t)a[1]));
	}
	fs_node_put(&n);
	return r;
}

long fs_sys_fallocate(struct task *t, const uint64_t *a)
{
	struct file *f;
	long r = fd_change(t, a[0], &f);
	if (r == 1)
		return f->kind == FILE_PIPE_R || f->kind == FILE_PIPE_W ? -ESPIPE : -ENODEV;
	if (!r && (f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	return r ? r : host_errno(fallocate(f->host_fd, (int)a[1], (off_t)a[2], (off_t)a[3]));
}

long fs_sys_fsync(struct task *t, const uint64_t *a)
{
	struct file *f = file_of(t, a[0]);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (!hostfile_is(f))
		return -EINVAL;
	return host_errno(fsync(f->host_fd));
}

/* utimensat: NULL path is futimens on dirfd. */
long fs_sys_utimensat(struct task *t, const uint64_t *a)
{
	int flags = (int)a[3];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct timespec ts[2], *tp = NULL;
	if (a[2]) {
		if (copy_in(t, a[2], ts, sizeof(ts)))
			return -EFAULT;
		for (int i = 0; i < 2; i++)
			if (ts[i].tv_nsec != UTIME_NOW && ts[i].tv_nsec != UTIME_OMIT &&
			    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L))
				return -EINVAL;
		tp = ts;
	}
	if (!a[1]) {
		struct file *f;
		long r = fd_change(t, a[0], &f);
		if (r == 1)
			return 0;
		return r ? r : host_errno(futimens(f->host_fd, tp));
	}
	struct fs_node n;
	int e = changeable(t, (int)a[0], a[1],
			   (flags & AT_SYMLINK_NOFOLLOW ? 0 : FS_FOLLOW) |
				   (flags & AT_EMPTY_PATH ? FS_EMPTY_OK : 0),
			   &n);
	if (e)
		return e;
	long r = host_errno(utimensat(n.fd, "", tp, AT_EMPTY_PATH | (flags & AT_SYMLINK_NOFOLLOW)));
	fs_node_put(&n);
	return r;
}
