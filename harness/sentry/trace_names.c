/* See trace_names.h. */
#include "harness/sentry/trace_names.h"

#include <sys/stat.h>

static const struct trace_xlat whences[] = {
	{ 0, "SEEK_SET" },  { 1, "SEEK_CUR" },  { 2, "SEEK_END" },
	{ 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" },
};
static const struct trace_xlat map_types[] = {
	{ 1, "MAP_SHARED" },
	{ 2, "MAP_PRIVATE" },
	{ 3, "MAP_SHARED_VALIDATE" },
};
static const struct trace_xlat map_flags[] = {
	{ 0x10, "MAP_FIXED" },
	{ 0x20, "MAP_ANONYMOUS" },
	{ 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" },
	{ 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" },
	{ 0x4000, "MAP_NORESERVE" },
	{ 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" },
	{ 0x20000, "MAP_STACK" },
	{ 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" },
	{ 0x4000000, "MAP_UNINITIALIZED" },
};
static const struct trace_xlat mremap_flags[] = {
	{ 1, "MREMAP_MAYMOVE" },
	{ 2, "MREMAP_FIXED" },
	{ 4, "MREMAP_DONTUNMAP" },
};
static const struct trace_xlat madvs[] = {
	{ 0, "MADV_NORMAL" },           { 1, "MADV_RANDOM" },         { 2, "MADV_SEQUENTIAL" },
	{ 3, "MADV_WILLNEED" },         { 4, "MADV_DONTNEED" },       { 8, "MADV_FREE" },
	{ 9, "MADV_REMOVE" },           { 10, "MADV_DONTFORK" },      { 11, "MADV_DOFORK" },
	{ 12, "MADV_MERGEABLE" },       { 13, "MADV_UNMERGEABLE" },   { 14, "MADV_HUGEPAGE" },
	{ 15, "MADV_NOHUGEPAGE" },      { 16, "MADV_DONTDUMP" },      { 17, "MADV_DODUMP" },
	{ 18, "MADV_WIPEONFORK" },      { 19, "MADV_KEEPONFORK" },    { 20, "MADV_COLD" },
	{ 21, "MADV_PAGEOUT" },         { 22, "MADV_POPULATE_READ" }, { 23, "MADV_POPULATE_WRITE" },
	{ 24, "MADV_DONTNEED_LOCKED" }, { 25, "MADV_COLLAPSE" },      { 100, "MADV_HWPOISON" },
	{ 101, "MADV_SOFT_OFFLINE" },
};
static const struct trace_xlat arch_prctls[] = {
	{ 0x1001, "ARCH_SET_GS" },
	{ 0x1002, "ARCH_SET_FS" },
	{ 0x1003, "ARCH_GET_FS" },
	{ 0x1004, "ARCH_GET_GS" },
	{ 0x1011, "ARCH_GET_CPUID" },
	{ 0x1012, "ARCH_SET_CPUID" },
	{ 0x1021, "ARCH_GET_XCOMP_SUPP" },
	{ 0x1022, "ARCH_GET_XCOMP_PERM" },
	{ 0x1023, "ARCH_REQ_XCOMP_PERM" },
	{ 0x1024, "ARCH_GET_XCOMP_GUEST_PERM" },
	{ 0x1025, "ARCH_REQ_XCOMP_GUEST_PERM" },
	{ 0x2001, "ARCH_MAP_VDSO_X32" },
	{ 0x2002, "ARCH_MAP_VDSO_32" },
	{ 0x2003, "ARCH_MAP_VDSO_64" },
};
static const struct trace_xlat rlimits[] = {
	{ 0, "RLIMIT_CPU" },       { 1, "RLIMIT_FSIZE" },  { 2, "RLIMIT_DATA" },
	{ 3, "RLIMIT_STACK" },     { 4, "RLIMIT_CORE" },   { 5, "RLIMIT_RSS" },
	{ 6, "RLIMIT_NPROC" },     { 7, "RLIMIT_NOFILE" }, { 8, "RLIMIT_MEMLOCK" },
	{ 9, "RLIMIT_AS" },        { 10, "RLIMIT_LOCKS" }, { 11, "RLIMIT_SIGPENDING" },
	{ 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" },  { 14, "RLIMIT_RTPRIO" },
	{ 15, "RLIMIT_RTTIME" },
};
static const struct trace_xlat grnd_flags[] = {
	{ 1, "GRND_NONBLOCK" },
	{ 2, "GRND_RANDOM" },
	{ 4, "GRND_INSECURE" },
};
static const struct trace_xlat clocks[] = {
	{ 0, "CLOCK_REALTIME" },
	{ 1, "CLOCK_MONOTONIC" },
	{ 2, "CLOCK_PROCESS_CPUTIME_ID" },
	{ 3, "CLOCK_THREAD_CPUTIME_ID" },
	{ 4, "CLOCK_MONOTONIC_RAW" },
	{ 5, "CLOCK_REALTIME_COARSE" },
	{ 6, "CLOCK_MONOTONIC_COARSE" },
	{ 7, "CLOCK_BOOTTIME" },
	{ 8, "CLOCK_REALTIME_ALARM" },
	{ 9, "CLOCK_BOOTTIME_ALARM" },
	{ 11, "CLOCK_TAI" },
};
static const struct trace_xlat at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" },
	{ 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },
};
static const struct trace_xlat ioctls[] = {
	{ 0x5401, "TCGETS" },     { 0x5402, "TCSETS" },     { 0x5403, "TCSETSW" },
	{ 0x5404, "TCSETSF" },    { 0x540f, "TIOCGPGRP" },  { 0x5410, "TIOCSPGRP" },
	{ 0x5413, "TIOCGWINSZ" }, { 0x5414, "TIOCSWINSZ" }, { 0x541b, "FIONREAD" },
	{ 0x5421, "FIONBIO" },    { 0x5450, "FIONCLEX" },   { 0x5451, "FIOCLEX" },
};
static const struct trace_xlat fcntls[] = {
	{ 0, "F_DUPFD" },         { 1, "F_GETFD" },         { 2, "F_SETFD" },
	{ 3, "F_GETFL" },         { 4, "F_SETFL" },         { 5, "F_GETLK" },
	{ 6, "F_SETLK" },         { 7, "F_SETLKW" },        { 8, "F_SETOWN" },
	{ 9, "F_GETOWN" },        { 10, "F_SETSIG" },       { 11, "F_GETSIG" },
	{ 15, "F_SETOWN_EX" },    { 16, "F_GETOWN_EX" },    { 36, "F_OFD_GETLK" },
	{ 37, "F_OFD_SETLK" },    { 38, "F_OFD_SETLKW" },   { 1024, "F_SETLEASE" },
	{ 1025, "F_GETLEASE" },   { 1026, "F_NOTIFY" },     { 1030, "F_DUPFD_CLOEXEC" },
	{ 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" }, { 1033, "F_ADD_SEALS" },
	{ 1034, "F_GET_SEALS" },
};
static const struct trace_xlat fd_flags[] = {
	{ 1, "FD_CLOEXEC" },
};
static const struct trace_xlat sighows[] = {
	{ 0, "SIG_BLOCK" },
	{ 1, "SIG_UNBLOCK" },
	{ 2, "SIG_SETMASK" },
};
static const struct trace_xlat sa_flags[] = {
	{ 0x04000000, "SA_RESTORER" },  { 0x08000000, "SA_ONSTACK" },
	{ 0x10000000, "SA_RESTART" },   { 0x40000000, "SA_NODEFER" },
	{ 0x80000000, "SA_RESETHAND" }, { 4, "SA_SIGINFO" },
	{ 1, "SA_NOCLDSTOP" },          { 2, "SA_NOCLDWAIT" },
	{ 0x400, "SA_UNSUPPORTED" },    { 0x800, "SA_EXPOSE_TAGBITS" },
};
static const struct trace_xlat ss_flags[] = {
	{ 1, "SS_ONSTACK" },
	{ 2, "SS_DISABLE" },
	{ 0x80000000, "SS_AUTODISARM" },
};
static const struct trace_xlat wait_options[] = {
	{ 1, "WNOHANG" },         { 2, "WUNTRACED" },
	{ 8, "WCONTINUED" },      { 0x20000000, "__WNOTHREAD" },
	{ 0x40000000, "__WALL" }, { 0x80000000, "__WCLONE" },
};
static const struct trace_xlat waitid_options[] = {
	{ 1, "WNOHANG" },         { 2, "WSTOPPED" },          { 4, "WEXITED" },
	{ 8, "WCONTINUED" },      { 0x01000000, "WNOWAIT" },  { 0x20000000, "__WNOTHREAD" },
	{ 0x40000000, "__WALL" }, { 0x80000000, "__WCLONE" },
};
static const struct trace_xlat idtypes[] = {
	{ 0, "P_ALL" },
	{ 1, "P_PID" },
	{ 2, "P_PGID" },
	{ 3, "P_PIDFD" },
};
static const struct trace_xlat clone_flags[] = {
	{ 0x100, "CLONE_VM" },
	{ 0x200, "CLONE_FS" },
	{ 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" },
	{ 0x1000, "CLONE_PIDFD" },
	{ 0x2000, "CLONE_PTRACE" },
	{ 0x4000, "CLONE_VFORK" },
	{ 0x8000, "CLONE_PARENT" },
	{ 0x10000, "CLONE_THREAD" },
	{ 0x20000, "CLONE_NEWNS" },
	{ 0x40000, "CLONE_SYSVSEM" },
	{ 0x80000, "CLONE_SETTLS" },
	{ 0x100000, "CLONE_PARENT_SETTID" },
	{ 0x200000, "CLONE_CHILD_CLEARTID" },
	{ 0x400000, "CLONE_DETACHED" },
	{ 0x800000, "CLONE_UNTRACED" },
	{ 0x1000000, "CLONE_CHILD_SETTID" },
	{ 0x2000000, "CLONE_NEWCGROUP" },
	{ 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },
	{ 0x80000000, "CLONE_IO" },
};
static const struct trace_xlat futex_cmds[] = {
	{ 0, "FUTEX_WAIT" },
	{ 1, "FUTEX_WAKE" },
	{ 2, "FUTEX_FD" },
	{ 3, "FUTEX_REQUEUE" },
	{ 4, "FUTEX_CMP_REQUEUE" },
	{ 5, "FUTEX_WAKE_OP" },
	{ 6, "FUTEX_LOCK_PI" },
	{ 7, "FUTEX_UNLOCK_PI" },
	{ 8, "FUTEX_TRYLOCK_PI" },
	{ 9, "FUTEX_WAIT_BITSET" },
	{ 10, "FUTEX_WAKE_BITSET" },
	{ 11, "FUTEX_WAIT_REQUEUE_PI" },
	{ 12, "FUTEX_CMP_REQUEUE_PI" },
	{ 13, "FUTEX_LOCK_PI2" },
};
static const struct trace_xlat itimers[] = {
	{ 0, "ITIMER_REAL" },
	{ 1, "ITIMER_VIRTUAL" },
	{ 2, "ITIMER_PROF" },
};
static const struct trace_xlat timer_flags[] = {
	{ 1, "TIMER_ABSTIME" },
};
static const struct trace_xlat poll_events[] = {
	{ 0x1, "POLLIN" },       { 0x2, "POLLPRI" },     { 0x4, "POLLOUT" },
	{ 0x8, "POLLERR" },      { 0x10, "POLLHUP" },    { 0x20, "POLLNVAL" },
	{ 0x40, "POLLRDNORM" },  { 0x80, "POLLRDBAND" }, { 0x100, "POLLWRNORM" },
	{ 0x200, "POLLWRBAND" }, { 0x400, "POLLMSG" },   { 0x2000, "POLLRDHUP" },
};
static const struct trace_xlat stat_types[] = {
	{ S_IFSOCK, "S_IFSOCK" }, { S_IFLNK, "S_IFLNK" }, { S_IFREG, "S_IFREG" },
	{ S_IFBLK, "S_IFBLK" },   { S_IFDIR, "S_IFDIR" }, { S_IFCHR, "S_IFCHR" },
	{ S_IFIFO, "S_IFIFO" },
};

static const struct trace_xlat access_modes[] = {
	{ 4, "R_OK" },
	{ 2, "W_OK" },
	{ 1, "X_OK" },
};

static const struct trace_xlat rename_flags[] = {
	{ 1, "RENAME_NOREPLACE" },
	{ 2, "RENAME_EXCHANGE" },
	{ 4, "RENAME_WHITEOUT" },
};

static const struct trace_xlat prio_whiches[] = {
	{ 0, "PRIO_PROCESS" },
	{ 1, "PRIO_PGRP" },
	{ 2, "PRIO_USER" },
};

static const struct trace_xlat rusage_whos[] = {
	{ 0, "RUSAGE_SELF" },
	{ 1, "RUSAGE_THREAD" },
};

static const struct trace_xlat epoll_ops[] = {
	{ 1, "EPOLL_CTL_ADD" },
	{ 2, "EPOLL_CTL_DEL" },
	{ 3, "EPOLL_CTL_MOD" },
};

#define TABLE(t) const struct trace_table tn_##t = { t, TRACE_NELEM(t) }
TABLE(whences);
TABLE(map_types);
TABLE(map_flags);
TABLE(mremap_flags);
TABLE(madvs);
TABLE(arch_prctls);
TABLE(rlimits);
TABLE(grnd_flags);
TABLE(clocks);
TABLE(at_flags);
TABLE(ioctls);
TABLE(fcntls);
TABLE(fd_flags);
TABLE(sighows);
TABLE(sa_flags);
TABLE(ss_flags);
TABLE(wait_options);
TABLE(waitid_options);
TABLE(idtypes);
TABLE(clone_flags);
TABLE(futex_cmds);
TABLE(itimers);
TABLE(timer_flags);
TABLE(poll_events);
TABLE(stat_types);
TABLE(access_modes);
TABLE(rename_flags);
TABLE(prio_whiches);
TABLE(rusage_whos);
TABLE(epoll_ops);
