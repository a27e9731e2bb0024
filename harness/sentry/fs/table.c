/* The calls a sentry with a filesystem view serves on top of the base
 * table (syscall.c): the file system, and the calls programs make around
 * their files. Without a view (the suite's cases that do not ask for one)
 * they stay -ENOSYS [not emulated], so those cases' traces keep what they
 * have always shown. */
#include <stddef.h>
#include <sys/syscall.h>

#include "harness/sentry/ev/ev.h"
#include "harness/sentry/fs/sys.h"
#include "harness/sentry/kernel.h"

#define TABLE_SIZE 512

static const syscall_fn table[TABLE_SIZE] = {
	[SYS_open] = fs_sys_open,
	[SYS_openat] = fs_sys_openat,
	[SYS_creat] = fs_sys_creat,
	[SYS_stat] = fs_sys_stat,
	[SYS_lstat] = fs_sys_lstat,
	[SYS_newfstatat] = fs_sys_newfstatat,
	[SYS_statx] = fs_sys_statx,
	[SYS_getdents64] = fs_sys_getdents64,
	[SYS_readlink] = fs_sys_readlink,
	[SYS_readlinkat] = fs_sys_readlinkat,
	[SYS_access] = fs_sys_access,
	[SYS_faccessat] = fs_sys_faccessat,
	[SYS_faccessat2] = fs_sys_faccessat2,
	[SYS_getcwd] = fs_sys_getcwd,
	[SYS_chdir] = fs_sys_chdir,
	[SYS_fchdir] = fs_sys_fchdir,
	[SYS_umask] = fs_sys_umask,
	[SYS_statfs] = fs_sys_statfs,
	[SYS_fstatfs] = fs_sys_fstatfs,
	[SYS_mkdir] = fs_sys_mkdir,
	[SYS_mkdirat] = fs_sys_mkdirat,
	[SYS_unlink] = fs_sys_unlink,
	[SYS_unlinkat] = fs_sys_unlinkat,
	[SYS_rmdir] = fs_sys_rmdir,
	[SYS_rename] = fs_sys_rename,
	[SYS_renameat] = fs_sys_renameat,
	[SYS_renameat2] = fs_sys_renameat2,
	[SYS_symlink] = fs_sys_symlink,
	[SYS_symlinkat] = fs_sys_symlinkat,
	[SYS_link] = fs_sys_link,
	[SYS_linkat] = fs_sys_linkat,
	[SYS_chmod] = fs_sys_chmod,
	[SYS_fchmod] = fs_sys_fchmod,
	[SYS_fchmodat] = fs_sys_fchmodat,
	[SYS_truncate] = fs_sys_truncate,
	[SYS_ftruncate] = fs_sys_ftruncate,
	[SYS_fsync] = fs_sys_fsync,
	[SYS_fdatasync] = fs_sys_fsync,
	[SYS_utimensat] = fs_sys_utimensat,
	[SYS_fallocate] = fs_sys_fallocate,
	[SYS_preadv] = sys_preadv,
	[SYS_pwritev] = sys_pwritev,
	[SYS_getgid] = sys_getgid,
	[SYS_getegid] = sys_getgid,
	[SYS_getgroups] = sys_getgroups,
	[SYS_getpriority] = sys_getpriority,
	[SYS_setpriority] = sys_setpriority,
	[SYS_sched_getaffinity] = sys_sched_getaffinity,
	[SYS_getrusage] = sys_getrusage,
	[SYS_sendfile] = sys_sendfile,
	/* The event and IPC calls (ev/). */
	[SYS_eventfd] = sys_eventfd,
	[SYS_eventfd2] = sys_eventfd2,
	[SYS_signalfd] = sys_signalfd,
	[SYS_signalfd4] = sys_signalfd4,
	[SYS_timerfd_create] = sys_timerfd_create,
	[SYS_timerfd_settime] = sys_timerfd_settime,
	[SYS_timerfd_gettime] = sys_timerfd_gettime,
	[SYS_select] = sys_select,
	[SYS_pselect6] = sys_pselect6,
	[SYS_epoll_create] = sys_epoll_create,
	[SYS_epoll_create1] = sys_epoll_create1,
	[SYS_epoll_ctl] = sys_epoll_ctl,
	[SYS_epoll_wait] = sys_epoll_wait,
	[SYS_epoll_pwait] = sys_epoll_pwait,
	[SYS_socketpair] = sys_socketpair,
	[SYS_sendto] = sys_sendto,
	[SYS_recvfrom] = sys_recvfrom,
	[SYS_sendmsg] = sys_sendmsg,
	[SYS_recvmsg] = sys_recvmsg,
	[SYS_shutdown] = sys_shutdown,
	[SYS_getsockopt] = sys_getsockopt,
};

syscall_fn fs_syscall_lookup(long nr)
{
	return nr >= 0 && nr < TABLE_SIZE ? table[nr] : NULL;
}
