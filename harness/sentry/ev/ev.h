/* The event and IPC calls programs make around their files (with a
 * filesystem view only, like the file calls: fs/table.c): eventfd,
 * timerfd and signalfd files, select/pselect6 and epoll waits, and AF_UNIX
 * socket pairs. Each blocking call follows Linux's restart rule (S7):
 * reads of eventfd, timerfd, signalfd and sockets are ERESTARTSYS,
 * select and pselect6 ERESTARTNOHAND (with the time left written back),
 * epoll_wait and epoll_pwait EINTR. */
#ifndef HARNESS_SENTRY_EV_EV_H
#define HARNESS_SENTRY_EV_EV_H

#include <stdint.h>

struct task;

long sys_eventfd2(struct task *, const uint64_t *);
long sys_eventfd(struct task *, const uint64_t *);
long sys_signalfd4(struct task *, const uint64_t *);
long sys_signalfd(struct task *, const uint64_t *);
long sys_timerfd_create(struct task *, const uint64_t *);
long sys_timerfd_settime(struct task *, const uint64_t *);
long sys_timerfd_gettime(struct task *, const uint64_t *);
long sys_select(struct task *, const uint64_t *);
long sys_pselect6(struct task *, const uint64_t *);
long sys_epoll_create(struct task *, const uint64_t *);
long sys_epoll_create1(struct task *, const uint64_t *);
long sys_epoll_ctl(struct task *, const uint64_t *);
long sys_epoll_wait(struct task *, const uint64_t *);
long sys_epoll_pwait(struct task *, const uint64_t *);
long sys_socketpair(struct task *, const uint64_t *);
long sys_sendto(struct task *, const uint64_t *);
long sys_recvfrom(struct task *, const uint64_t *);
long sys_sendmsg(struct task *, const uint64_t *);
long sys_recvmsg(struct task *, const uint64_t *);
long sys_shutdown(struct task *, const uint64_t *);
long sys_getsockopt(struct task *, const uint64_t *);

/* Shared: install a new file at the lowest fd (the reference is the
 * table's, or dropped on failure). */
struct file;
long ev_install(struct task *t, struct file *f, int cloexec);
/* fstat of an anon_inode file (eventfd, signalfd, timerfd, epoll): no
 * file type bits, as Linux's anon inode shows them. */
struct stat;
int ev_anon_stat(struct task *t, struct file *f, struct stat *st);

#endif
