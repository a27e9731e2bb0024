/* The handlers of the file system calls (fs/), registered by table.c into
 * the syscall table a sentry with a filesystem view uses. */
#ifndef HARNESS_SENTRY_FS_SYS_H
#define HARNESS_SENTRY_FS_SYS_H

#include <stdint.h>

struct task;

long fs_sys_access(struct task *, const uint64_t *);
long fs_sys_chdir(struct task *, const uint64_t *);
long fs_sys_chmod(struct task *, const uint64_t *);
long fs_sys_creat(struct task *, const uint64_t *);
long fs_sys_faccessat(struct task *, const uint64_t *);
long fs_sys_faccessat2(struct task *, const uint64_t *);
long fs_sys_fchdir(struct task *, const uint64_t *);
long fs_sys_fchmod(struct task *, const uint64_t *);
long fs_sys_fchmodat(struct task *, const uint64_t *);
long fs_sys_fstatfs(struct task *, const uint64_t *);
long fs_sys_fallocate(struct task *, const uint64_t *);
long fs_sys_fsync(struct task *, const uint64_t *);
long fs_sys_ftruncate(struct task *, const uint64_t *);
long fs_sys_getcwd(struct task *, const uint64_t *);
long fs_sys_getdents64(struct task *, const uint64_t *);
long fs_sys_link(struct task *, const uint64_t *);
long fs_sys_linkat(struct task *, const uint64_t *);
long fs_sys_lstat(struct task *, const uint64_t *);
long fs_sys_mkdir(struct task *, const uint64_t *);
long fs_sys_mkdirat(struct task *, const uint64_t *);
long fs_sys_newfstatat(struct task *, const uint64_t *);
long fs_sys_open(struct task *, const uint64_t *);
long fs_sys_openat(struct task *, const uint64_t *);
long fs_sys_readlink(struct task *, const uint64_t *);
long fs_sys_readlinkat(struct task *, const uint64_t *);
long fs_sys_rename(struct task *, const uint64_t *);
long fs_sys_renameat(struct task *, const uint64_t *);
long fs_sys_renameat2(struct task *, const uint64_t *);
long fs_sys_rmdir(struct task *, const uint64_t *);
long fs_sys_stat(struct task *, const uint64_t *);
long fs_sys_statfs(struct task *, const uint64_t *);
long fs_sys_statx(struct task *, const uint64_t *);
long fs_sys_symlink(struct task *, const uint64_t *);
long fs_sys_symlinkat(struct task *, const uint64_t *);
long fs_sys_truncate(struct task *, const uint64_t *);
long fs_sys_umask(struct task *, const uint64_t *);
long fs_sys_unlink(struct task *, const uint64_t *);
long fs_sys_unlinkat(struct task *, const uint64_t *);
long fs_sys_utimensat(struct task *, const uint64_t *);

#endif
