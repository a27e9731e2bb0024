/* Scratch directories for cases with a file system (see scratch.h). */
#include "harness/runner/scratch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* Copies the tree below src into dst (files, directories, symlinks;
 * modes kept), one level at a time. */
static int copy_tree(const char *src, const char *dst, char *err, size_t errlen)
{
	DIR *d = opendir(src);
	if (!d)
		return fail(err, errlen, "tree", src);
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char s[PATH_MAX], t[PATH_MAX];
		struct stat st;
		if (snprintf(s, sizeof(s), "%s/%s", src, e->d_name) >= (int)sizeof(s) ||
		    snprintf(t, sizeof(t), "%s/%s", dst, e->d_name) >= (int)sizeof(t) ||
		    lstat(s, &st)) {
			rc = fail(err, errlen, "tree", s);
		} else if (S_ISDIR(st.st_mode)) {
			rc = mkdir(t, st.st_mode & 07777) ? fail(err, errlen, "mkdir", t)
							  : copy_tree(s, t, err, errlen);
		} else if (S_ISLNK(st.st_mode)) {
			char l[PATH_MAX];
			ssize_t n = readlink(s, l, sizeof(l) - 1);
			l[n > 0 ? n : 0] = 0;
			rc = n < 0 || symlink(l, t) ? fail(err, errlen, "symlink", t) : 0;
		} else if (S_ISREG(st.st_mode)) {
			int in = open(s, O_RDONLY | O_CLOEXEC);
			int out = in < 0 ? -1
					 : open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
						st.st_mode & 07777);
			char buf[65536];
			ssize_t n = 0;
			while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
				if (write(out, buf, (size_t)n) != n)
					n = -1, errno = EIO;
			rc = in < 0 || out < 0 || n < 0 ? fail(err, errlen, "copy", s) : 0;
			if (in >= 0)
				close(in);
			if (out >= 0)
				close(out);
		}
	}
	closedir(d);
	return rc;
}

static int put_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* fs: scratch's read-only part: a file, a directory, a symlink. */
static int lay_out_ro(const char *dir, char *err, size_t errlen)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/ro", dir);
	if (mkdir(p, 0755))
		return fail(err, errlen, "mkdir", p);
	snprintf(p, sizeof(p), "%s/ro/file", dir);
	if (put_file(p, "read-only file\n", 0644))
		return fail(err, errlen, "write", p);
	snprintf(p, sizeof(p), "%s/ro/dir", dir);
	if (mkdir(p, 0755))
		return fail(err, errlen, "mkdir", p);
	snprintf(p, sizeof(p), "%s/ro/link", dir);
	return symlink("file", p) ? fail(err, errlen, "symlink", p) : 0;
}

/* The tree: key is relative to the case file's directory. */
static int copy_case_tree(const struct tcase *c, const char *dst, char *err, size_t errlen)
{
	char src[PATH_MAX];
	const char *slash = strrchr(c->path, '/');
	int n = slash ? (int)(slash - c->path) : 1;
	snprintf(src, sizeof(src), "%.*s/%s", n, slash ? c->path : ".", c->tree);
	return copy_tree(src, dst, err, errlen);
}

/* A hard link where the file system allows, else a copy. */
static int place_fixture(const char *root, const char *fixture, const char *path, char *err,
			 size_t errlen)
{
	char t[PATH_MAX];
	snprintf(t, sizeof(t), "%s/%s", root, fixture);
	for (char *s = t + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(t, 0755) && errno != EEXIST)
			return fail(err, errlen, "mkdir", t);
		*s = '/';
	}
	if (!link(path, t))
		return 0;
	struct stat st;
	int in = open(path, O_RDONLY | O_CLOEXEC);
	int out = in < 0 || fstat(in, &st) ? -1
					   : open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	char buf[65536];
	ssize_t n = 0;
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1, errno = EIO;
	int rc = in < 0 || out < 0 || n < 0 ? fail(err, errlen, "copy", path) : 0;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

int scratch_make(const struct tcase *c, const char *path, struct scratch *s, char *err,
		 size_t errlen)
{
	memset(s, 0, sizeof(*s));
	const char *tmp = getenv("TMPDIR");
	snprintf(s->dir, sizeof(s->dir), "%s/harness-fs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->dir)) {
		fail(err, errlen, "mkdtemp", s->dir);
		s->dir[0] = 0;
		return -1;
	}
	/* Its own modes, whatever the runner's umask. */
	chmod(s->dir, 0755);
	if (c->fs == CASE_FS_SCRATCH) {
		snprintf(s->root, sizeof(s->root), "%s", s->dir);
		snprintf(s->rw, sizeof(s->rw), "%s/rw", s->dir);
		if (mkdir(s->rw, 0755) || chmod(s->rw, 0755)) /* whatever the umask */
			return fail(err, errlen, "mkdir", s->rw);
		if (lay_out_ro(s->dir, err, errlen) ||
		    place_fixture(s->dir, c->fixture, path, err, errlen))
			return -1;
	} else {
		snprintf(s->root, sizeof(s->root), "/");
		snprintf(s->rw, sizeof(s->rw), "%s", s->dir);
	}
	return c->tree ? copy_case_tree(c, s->rw, err, errlen) : 0;
}

/* Depth first, giving every directory back its owner's rwx first: a
 * guest may have chmod'ed one to 0. */
static void remove_at(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return;
	if (S_ISDIR(st.st_mode)) {
		fchmodat(dirfd, name, 0700, 0);
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = fd < 0 ? NULL : fdopendir(fd);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				remove_at(fd, e->d_name);
		if (d)
			closedir(d);
		else if (fd >= 0)
			close(fd);
		unlinkat(dirfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dirfd, name, 0);
	}
}

void scratch_remove(struct scratch *s)
{
	if (s->dir[0])
		remove_at(AT_FDCWD, s->dir);
	s->dir[0] = 0;
}
