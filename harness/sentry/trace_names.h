/* Name tables of the S11 syscall decoder (trace_decode.c): x86-64 uapi
 * values, written as numbers where the value is ABI, since the host's
 * headers may be older than the calls they name. */
#ifndef HARNESS_SENTRY_TRACE_NAMES_H
#define HARNESS_SENTRY_TRACE_NAMES_H

#define TRACE_INTERNAL
#include "harness/sentry/trace.h"

struct trace_table {
	const struct trace_xlat *tab;
	size_t n;
};

extern const struct trace_table tn_whences;
extern const struct trace_table tn_map_types;
extern const struct trace_table tn_map_flags;
extern const struct trace_table tn_mremap_flags;
extern const struct trace_table tn_madvs;
extern const struct trace_table tn_arch_prctls;
extern const struct trace_table tn_rlimits;
extern const struct trace_table tn_grnd_flags;
extern const struct trace_table tn_clocks;
extern const struct trace_table tn_at_flags;
extern const struct trace_table tn_ioctls;
extern const struct trace_table tn_fcntls;
extern const struct trace_table tn_fd_flags;
extern const struct trace_table tn_sighows;
extern const struct trace_table tn_sa_flags;
extern const struct trace_table tn_ss_flags;
extern const struct trace_table tn_wait_options;
extern const struct trace_table tn_waitid_options;
extern const struct trace_table tn_idtypes;
extern const struct trace_table tn_clone_flags;
extern const struct trace_table tn_futex_cmds;
extern const struct trace_table tn_itimers;
extern const struct trace_table tn_timer_flags;
extern const struct trace_table tn_poll_events;
extern const struct trace_table tn_stat_types;
extern const struct trace_table tn_access_modes;
extern const struct trace_table tn_rename_flags;
extern const struct trace_table tn_prio_whiches;
extern const struct trace_table tn_rusage_whos;
extern const struct trace_table tn_epoll_ops;

#endif
