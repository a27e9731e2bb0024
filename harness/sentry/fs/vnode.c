/* Open files of the sentry's own trees (/dev, /proc): directories list
 * their entries, /proc texts are made when opened (as Linux's seq files
 * are read from the moment of the read), devices are dev.c's. Their stat
 * is fixed, so traces and outputs are the same on every run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness/sentry/fs/fs.h"

struct vfile {
	struct vnode vn;
	char path[FS_PATH_MAX * 2];
	char *text; /* VN_TEXT: the contents; VN_DIR: the dirent64 records */
	size_t len;
	int mount; /* FS_DEV or FS_PROC */
};

static int open_dir(struct task *t, struct vfile *v, int mount);

static uint64_t path_ino(const char *p)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a: fixed inode numbers */
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (h & 0xffffff) + 2;
}

int vnode_stat(struct task *t, const struct vnode *vn, struct stat *st)
{
	(void)t;
	memset(st, 0, sizeof(*st));
	st->st_mode = vn->mode;
	st->st_nlink = vn->kind == VN_DIR ? 2 : 1;
	st->st_blksize = 4096;
	st->st_dev = vn->kind == VN_DEV ? 5 : 0x16; /* devtmpfs, proc */
	st->st_ino = path_ino(vn->what[0] ? vn->what : vn->target) + (uint64_t)vn->pid * 64 +
		     (uint64_t)vn->dev;
	if (vn->kind == VN_LINK)
		st->st_size = (off_t)strlen(vn->target);
	if (vn->kind == VN_DEV)
		st->st_rdev = makedev(vn->dev >> 8, vn->dev & 0xff);
	return 0;
}

static long vf_read(struct task *t, struct file *f, char *buf, size_t len, int64_t *pos)
{
	(void)t;
	struct vfile *v = f->priv;
	int64_t *p = pos ? pos : &f->pos;
	if (v->vn.kind == VN_DEV)
		return dev_read(t, &v->vn, buf, len);
	if (v->vn.kind == VN_DIR)
		return -EISDIR;
	if (*p >= (int64_t)v->len)
		return 0;
	size_t n = v->len - (size_t)*p < len ? v->len - (size_t)*p : len;
	memcpy(buf, v->text + *p, n);
	*p += (int64_t)n;
	return (long)n;
}

static long vf_write(struct task *t, struct file *f, const char *buf, size_t len, int64_t *pos)
{
	(void)pos;
	struct vfile *v = f->priv;
	return v->vn.kind == VN_DEV ? dev_write(t, &v->vn, buf, len) : -EINVAL;
}

static int vf_stat(struct task *t, struct file *f, struct stat *st)
{
	struct vfile *v = f->priv;
	return vnode_stat(t, &v->vn, st);
}

/* The records were made at open: each read hands out whole records from
 * the position on, as getdents64 does. */
static long vf_getdents(struct task *t, struct file *f, char *buf, size_t len)
{
	struct vfile *v = f->priv;
	if (v->vn.kind != VN_DIR)
		return -ENOTDIR;
	/* Listed at the first read, as Linux reads /proc: /proc/self/fd then
	 * shows the fd being read. */
	if (!v->text && !f->pos) {
		int e = open_dir(t, v, v->mount);
		if (e)
			return e;
	}
	size_t done = 0;
	while ((size_t)f->pos < v->len) {
		unsigned short rl;
		memcpy(&rl, v->text + f->pos + 16, sizeof(rl));
		if (done + rl > len)
			break;
		memcpy(buf + done, v->text + f->pos, rl);
		done += rl;
		f->pos += rl;
	}
	if (!done && (size_t)f->pos < v->len)
		return -EINVAL; /* the buffer cannot take one record */
	return (long)done;
}

static long vf_lseek(struct task *t, struct file *f, int64_t off, int whence)
{
	(void)t;
	struct vfile *v = f->priv;
	if (v->vn.kind == VN_DEV)
		return 0; /* the character devices here ignore positions */
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : (int64_t)v->len;
	if (whence > SEEK_END)
		return -EINVAL;
	if (base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

static void vf_release(struct file *f)
{
	struct vfile *v = f->priv;
	free(v->text);
	free(v);
}

static const struct file_ops vfile_ops = {
	.read = vf_read,
	.write = vf_write,
	.stat = vf_stat,
	.getdents = vf_getdents,
	.lseek = vf_lseek,
	.release = vf_release,
	.seekable = true,
};

const char *vfile_path(const struct file *f)
{
	if (f->kind == FILE_OPS && f->ops == &vfile_ops)
		return ((const struct vfile *)f->priv)->path;
	return NULL;
}

struct dirbuf {
	struct vfile *v;
	size_t cap;
	bool oom;
};

static void dir_add(void *ctx, const char *name, unsigned char type)
{
	struct dirbuf *d = ctx;
	size_t nl = strlen(name), rl = (19 + nl + 1 + 7) & ~(size_t)7;
	if (d->v->len + rl > d->cap) {
		size_t cap = (d->cap + rl) * 2;
		char *n = realloc(d->v->text, cap);
		if (!n) {
			d->oom = true;
			return;
		}
		d->v->text = n;
		d->cap = cap;
	}
	char *r = d->v->text + d->v->len;
	memset(r, 0, rl);
	uint64_t ino = path_ino(name) + d->v->len, off = d->v->len + rl;
	unsigned short reclen = (unsigned short)rl;
	memcpy(r, &ino, 8);
	memcpy(r + 8, &off, 8);
	memcpy(r + 16, &reclen, 2);
	r[18] = (char)type;
	memcpy(r + 19, name, nl);
	d->v->len += rl;
}

static int open_dir(struct task *t, struct vfile *v, int mount)
{
	struct dirbuf d = { v, 0, false };
	dir_add(&d, ".", DT_DIR);
	dir_add(&d, "..", DT_DIR);
	(mount == FS_DEV ? dev_list : proc_list)(t, &v->vn, dir_add, &d);
	return d.oom ? -ENOMEM : 0;
}

int vnode_open(struct task *t, const struct fs_node *n, int flags, struct file **out)
{
	const struct vnode *vn = &n->vn;
	int acc = flags & O_ACCMODE;
	if (vn->file) { /* /proc/PID/fd/N of a pipe or an anonymous file */
		if (flags & O_PATH)
			return -ENXIO;
		file_get(vn->file);
		*out = vn->file;
		return 0;
	}
	if (vn->kind == VN_DEV && !(flags & O_PATH)) {
		int e = dev_check_open(t, vn, flags);
		if (e)
			return e;
	}
	if (vn->kind == VN_LINK && !(flags & O_PATH))
		return -ELOOP; /* O_NOFOLLOW on a symlink */
	if ((flags & O_DIRECTORY) && vn->kind != VN_DIR)
		return -ENOTDIR;
	if (vn->kind == VN_DIR && (acc != O_RDONLY || (flags & O_CREAT)) && !(flags & O_PATH))
		return -EISDIR;
	if (vn->kind == VN_TEXT && acc != O_RDONLY && !(flags & O_PATH))
		return -EACCES;
	struct vfile *v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vn = *vn;
	v->vn.file = NULL;
	snprintf(v->path, sizeof(v->path), "%s", n->path);
	int e = 0;
	if (!(flags & O_PATH) && vn->kind == VN_TEXT)
		e = proc_text(t, vn, &v->text, &v->len);
	v->mount = n->mount;
	struct file *f =
		e ? NULL
		  : file_new_ops(&vfile_ops,
				 (flags & (O_ACCMODE | O_PATH | O_NONBLOCK)) | FS_O_LARGEFILE, v);
	if (!f) {
		free(v->text);
		free(v);
		return e ? e : -ENOMEM;
	}
	*out = f;
	return 0;
}

int file_guest_path(struct task *t, struct file *f, char *out, size_t len, bool dir)
{
	struct stat st;
	if (hostfile_is(f)) {
		if (dir && (fstat(f->host_fd, &st) || !S_ISDIR(st.st_mode)))
			return -ENOTDIR;
		return fs_guest_path(fs_view_of(t), f->host_fd, out, len);
	}
	const char *p = vfile_path(f);
	if (!p)
		return dir ? -ENOTDIR : -ENOENT;
	if (dir && (!f->ops->stat || f->ops->stat(t, f, &st) || !S_ISDIR(st.st_mode)))
		return -ENOTDIR;
	snprintf(out, len, "%s", p);
	return 0;
}

void file_link_name(struct task *t, struct file *f, char *out, size_t len)
{
	if (!file_guest_path(t, f, out, len, false))
		return;
	if (f->kind == FILE_OPS && f->ops->name) {
		f->ops->name(f, out, len);
		return;
	}
	/* The case's streams and the sentry's pipes: pipes, as fstat says. */
	snprintf(out, len, "pipe:[%u]", file_pipe_id(f));
}
