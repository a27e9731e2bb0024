/* The file system calls of the sentry (used only with a filesystem view,
 * view.h): looking a guest path up, the host files behind it, and the
 * sentry's own /dev and /proc trees. */
#ifndef HARNESS_SENTRY_FS_FS_H
#define HARNESS_SENTRY_FS_FS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "harness/sentry/file.h"
#include "harness/sentry/fs/view.h"
#include "harness/sentry/kernel.h"

#define FS_PATH_MAX 4096 /* PATH_MAX with its NUL, as getname counts */
#define FS_MAX_HOPS 40   /* MAXSYMLINKS */
/* The kernel's O_LARGEFILE: glibc's is 0 on x86-64, the guest sees this. */
#define FS_O_LARGEFILE 0100000

/* An object of the sentry's own trees (/dev, /proc). */
enum vnode_kind {
	VN_DIR,  /* /dev, /proc, /proc/PID, /proc/PID/fd */
	VN_LINK, /* /proc/self, /dev/stdin, /proc/PID/exe, fd/N, cwd, root */
	VN_DEV,  /* /dev/null, zero, full, random, urandom, tty */
	VN_TEXT, /* /proc/PID/cmdline, status, maps, comm, stat */
};

struct vnode {
	enum vnode_kind kind;
	mode_t mode;              /* type and permissions for stat */
	int dev;                  /* VN_DEV: which (dev.c) */
	int pid;                  /* /proc/PID: whose */
	int fd;                   /* /proc/PID/fd/N: which fd */
	char what[32];            /* VN_TEXT: the file's name; VN_DIR: the tree */
	char target[FS_PATH_MAX]; /* VN_LINK: where it points (a guest path) */
	struct file *file;        /* fd/N: the open file (a reference) */
};

/* A guest path looked up. */
struct fs_node {
	enum fs_mount mount;
	int fd;                     /* FS_HOST: an O_PATH fd, or -1 */
	struct vnode vn;            /* FS_DEV, FS_PROC */
	char path[FS_PATH_MAX * 2]; /* the absolute guest path that was walked */
};

enum {
	FS_FOLLOW = 1,   /* follow a symlink in the last component */
	FS_EMPTY_OK = 2, /* "" names dirfd itself (AT_EMPTY_PATH) */
};

struct fs_view *fs_view_of(struct task *t);
/* The guest's path string: -EFAULT, -ENAMETOOLONG (no NUL within
 * PATH_MAX), or its length; empty is -ENOENT unless empty_ok. */
long fs_copy_path(struct task *t, uint64_t addr, char *out, bool empty_ok);
/* The absolute guest path of name seen from dirfd (AT_FDCWD: the cwd). */
int fs_join(struct task *t, int dirfd, const char *name, char *out, size_t len);
/* Looks gpath (absolute) up; 0 or -errno. fs_node_put releases it. */
int fs_lookup_abs(struct task *t, const char *gpath, int flags, struct fs_node *n);
/* "." (and "./.", ".//") from the cwd is the working directory itself,
 * even removed: Linux holds the directory, not its name. 0 with n set,
 * 1 when name is no such path, or -errno. */
int fs_lookup_dot(struct task *t, int dirfd, const char *name, struct fs_node *n);
/* dirfd + the guest string at upath, as the *at calls take them. */
int fs_lookup(struct task *t, int dirfd, uint64_t upath, int flags, struct fs_node *n);
void fs_node_put(struct fs_node *n);
/* The owner of host files as the guest sees it: the harness's own uid
 * and gid are the guest's (1000, or the host's with host_ids), as a user
 * namespace maps them, so that a guest checking modes against getuid()
 * agrees with the access the host kernel gives it. */
void fs_map_owner(struct task *t, struct stat *st);
/* stat of a node, as fstatat would give it. */
int fs_node_stat(struct task *t, const struct fs_node *n, struct stat *st);

/* The parent of a path to create or remove, and its last component. */
struct fs_parent {
	struct fs_node dir;
	char name[NAME_MAX + 2];
	bool slash; /* the path ended in '/' */
	int last;   /* LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT */
};
enum { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };
int fs_lookup_parent(struct task *t, int dirfd, uint64_t upath, struct fs_parent *p);
/* The same for an absolute guest path (changed in place). */
int fs_parent_abs(struct task *t, char *abs, struct fs_parent *p);

/* hostfile.c: an open file of the host behind an fd (taken). */
struct file *hostfile_new(int host_fd, int flags);
bool hostfile_is(const struct file *f);

/* dev.c, proc.c: lookups below the mount point (rest, normalised), and
 * opening a node. */
int dev_lookup(struct task *t, const char *rest, struct vnode *vn);
int proc_lookup(struct task *t, const char *rest, struct vnode *vn);
/* An open file of a node, a reference in *out. */
int vnode_open(struct task *t, const struct fs_node *n, int flags, struct file **out);
int vnode_stat(struct task *t, const struct vnode *vn, struct stat *st);
/* Directory entries of the sentry's trees: add(ctx, name, DT_*) each. */
typedef void (*vnode_add_fn)(void *ctx, const char *name, unsigned char type);
void dev_list(struct task *t, const struct vnode *vn, vnode_add_fn add, void *ctx);
void proc_list(struct task *t, const struct vnode *vn, vnode_add_fn add, void *ctx);
/* dev.c: whether the device opens (/dev/tty: ENXIO, no terminal), and
 * its reads and writes. */
int dev_check_open(struct task *t, const struct vnode *vn, int flags);
long dev_read(struct task *t, const struct vnode *vn, char *buf, size_t len);
long dev_write(struct task *t, const struct vnode *vn, const char *buf, size_t len);
/* proc.c: the text of a VN_TEXT file, malloc'd, its length in *len. */
int proc_text(struct task *t, const struct vnode *vn, char **text, size_t *len);
/* The guest path an open file of the view or the sentry's trees was
 * opened by ("" for the case's streams, pipes and anonymous files). */
const char *vfile_path(const struct file *f);
/* /proc/PID/fd/N's target for an open file: its guest path, or
 * "pipe:[N]", "anon_inode:[eventfd]"... */
void file_link_name(struct task *t, struct file *f, char *out, size_t len);
/* The open file's guest path (for dirfds, fchdir, /proc/PID/fd); -ENOTDIR
 * when dir is asked for and it is no directory. */
int file_guest_path(struct task *t, struct file *f, char *out, size_t len, bool dir);

#endif
